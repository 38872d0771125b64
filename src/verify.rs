//! `fleetc verify`: after a promotion, wait until Fleet has rolled it out on each cluster,
//! through the cluster's GitLab agent (its KUBE_CONTEXT). Run by the pipeline's verify jobs, so
//! that a job is one command however many clusters it covers and `.gitlab-ci.yml` stays small
//! at 10,000 clusters.
//!
//! For every cluster: each image the pipeline builds must run with this pipeline's tag (where
//! no override holds the tag), then each kustomize app's workload and every workload of each
//! Helm app's namespace must finish rolling out. A kubectl error fails at once; a namespace
//! without workloads fails (Fleet has not deployed it); all waits share one deadline.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::model::{AppSource, ClusterId, EnvId, Fleet};
use crate::spec::WorkloadKind;

/// What one cluster is checked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterCheck {
    /// Cluster name.
    pub cluster: String,
    /// The kubeconfig context of its agent registration.
    pub context: String,
    /// (namespace, image as deployed, without tag) that must run the pipeline's tag.
    pub images: Vec<(String, String)>,
    /// (namespace, `kind/name`) whose rollout must finish.
    pub rollouts: Vec<(String, String)>,
    /// Namespaces all of whose workloads must finish rolling out (Helm apps).
    pub namespaces: Vec<String>,
}

/// The checks of the clusters the pipeline verifies in `env`, in cluster order; `shard` (1-based
/// index, total) picks every total-th of them, as GitLab's `parallel` numbers its jobs.
pub fn plan(
    fleet: &Fleet,
    clusters: &[ClusterId],
    shard: Option<(usize, usize)>,
) -> Vec<ClusterCheck> {
    let Some(side) = &fleet.gitlab else {
        return Vec::new();
    };
    clusters
        .iter()
        .enumerate()
        .filter(|(k, _)| shard.is_none_or(|(i, n)| n > 0 && k % n == i.saturating_sub(1)))
        .filter_map(|(_, &c)| {
            let reg = fleet.clusters[c].registration?;
            Some(check(fleet, c, side.kube_context(reg)))
        })
        .collect()
}

/// Clusters of `env` that run at least one app, in cluster order.
pub fn clusters_of(fleet: &Fleet, env: EnvId) -> Vec<ClusterId> {
    let set: BTreeSet<ClusterId> = fleet
        .apps
        .iter()
        .flat_map(|a| a.clusters.iter().copied())
        .filter(|c| fleet.clusters[*c].environment == env)
        .collect();
    set.into_iter().collect()
}

fn check(fleet: &Fleet, c: ClusterId, context: String) -> ClusterCheck {
    let mut out = ClusterCheck {
        cluster: fleet.clusters[c].name.clone(),
        context,
        images: Vec::new(),
        rollouts: Vec::new(),
        namespaces: Vec::new(),
    };
    for app in fleet
        .apps
        .iter()
        .filter(|a| a.clusters.binary_search(&c).is_ok())
    {
        for img in app.images.iter().filter(|i| i.build.is_some()) {
            if !app.tag_held.contains(&(c, img.name.clone())) {
                let deployed = img.new_name.as_deref().unwrap_or(&img.name);
                out.images
                    .push((app.namespace_on(c).to_owned(), deployed.to_owned()));
            }
        }
        let workload = match &app.source {
            AppSource::Kustomize { workload, .. } => Some(workload),
            AppSource::Manifests { workload, .. } => workload.as_ref().map(|w| &w.workload),
            AppSource::Helm(_) => None,
        };
        match workload {
            Some(workload) => {
                let kind = match workload.kind {
                    WorkloadKind::Deployment => "deployment",
                    WorkloadKind::StatefulSet => "statefulset",
                };
                out.rollouts.push((
                    app.namespace_on(c).to_owned(),
                    format!("{kind}/{}", workload.name),
                ));
            }
            // Helm apps, and raw YAML apps without a named workload: every rollout of the
            // namespace.
            None => out.namespaces.push(app.namespace_on(c).to_owned()),
        }
    }
    out.namespaces.sort();
    out.namespaces.dedup();
    out
}

/// Runs kubectl: `args` after `--context`, returns stdout or the error text.
pub trait Kubectl: Sync {
    /// Runs one kubectl command in `context`.
    fn run(&self, context: &str, args: &[&str]) -> Result<String, String>;
}

/// The real kubectl on PATH.
pub struct RealKubectl;

impl Kubectl for RealKubectl {
    fn run(&self, context: &str, args: &[&str]) -> Result<String, String> {
        let out = std::process::Command::new("kubectl")
            .arg("--context")
            .arg(context)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run kubectl: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }
}

/// How often an image wait asks again.
pub const POLL: Duration = Duration::from_secs(10);

/// Verifies one cluster; `Err` says what failed.
pub fn verify(
    check: &ClusterCheck,
    tag: Option<&str>,
    deadline: Instant,
    poll: Duration,
    kubectl: &dyn Kubectl,
) -> Result<(), String> {
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| "ran out of time".to_owned())
    };
    if let Some(tag) = tag {
        for (ns, image) in &check.images {
            let want = format!("{image}:{tag}");
            loop {
                let images = kubectl
                    .run(
                        &check.context,
                        &[
                            "--namespace",
                            ns,
                            "get",
                            "deployments,statefulsets,daemonsets,cronjobs",
                            "-o",
                            "jsonpath={..image}",
                        ],
                    )
                    .map_err(|e| format!("cannot read the workloads of {ns}: {e}"))?;
                if images.split_whitespace().any(|i| i == want) {
                    break;
                }
                left().map_err(|_| format!("Fleet has not rolled out {want} in {ns}"))?;
                std::thread::sleep(poll.min(left().unwrap_or_default()));
            }
        }
    }
    let rollout = |ns: &str, workload: &str| -> Result<(), String> {
        let secs = format!("--timeout={}s", left()?.as_secs().max(1));
        kubectl
            .run(
                &check.context,
                &["--namespace", ns, "rollout", "status", workload, &secs],
            )
            .map(|_| ())
            .map_err(|e| format!("{workload} in {ns} did not roll out: {e}"))
    };
    for (ns, workload) in &check.rollouts {
        rollout(ns, workload)?;
    }
    for ns in &check.namespaces {
        let names = kubectl
            .run(
                &check.context,
                &[
                    "--namespace",
                    ns,
                    "get",
                    "deployments,statefulsets,daemonsets",
                    "-o",
                    "name",
                ],
            )
            .map_err(|e| format!("cannot list the workloads of {ns}: {e}"))?;
        let workloads: Vec<&str> = names.split_whitespace().collect();
        if workloads.is_empty() {
            return Err(format!("no workload in {ns}: Fleet has not deployed it"));
        }
        for w in workloads {
            rollout(ns, w)?;
        }
    }
    Ok(())
}

/// What Fleet must have applied before the clusters are checked: the bundles of the checked
/// clusters' environments, read through the management cluster's registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The management cluster's kubeconfig context.
    pub context: String,
    /// Bundle names (one per app and environment).
    pub bundles: Vec<String>,
}

/// The bundles of the environments of `clusters`, and the management context to read them
/// through (none when the spec has no management registration).
pub fn applied(fleet: &Fleet, clusters: &[ClusterId]) -> Option<Applied> {
    let side = fleet.gitlab.as_ref()?;
    let context = side.kube_context(side.drift_agent?);
    let envs: BTreeSet<EnvId> = clusters
        .iter()
        .map(|c| fleet.clusters[*c].environment)
        .collect();
    // Only the per-environment GitRepos move with a promotion; a shared one follows its own
    // branch or revision.
    let mut bundles: Vec<String> = fleet
        .apps
        .iter()
        .flat_map(|a| a.gitrepos.iter())
        .filter(|r| envs.contains(&r.env))
        .map(|r| r.bundle.clone())
        .collect();
    bundles.sort();
    bundles.dedup();
    Some(Applied { context, bundles })
}

/// Waits until every BundleDeployment of each bundle carries `revision` and is ready: Fleet
/// has applied the promotion everywhere. BundleDeployments carry their bundle's
/// `fleet.cattle.io/` labels, the commit among them (rancher/fleet v0.16.1
/// pkg/apis/fleet.cattle.io/v1alpha1/gitrepo_types.go:12 `CommitLabel`,
/// internal/cmd/controller/target/target.go:103-108).
pub fn wait_applied(
    applied: &Applied,
    revision: &str,
    deadline: Instant,
    poll: Duration,
    kubectl: &dyn Kubectl,
) -> Result<(), String> {
    for bundle in &applied.bundles {
        loop {
            let selector = format!("fleet.cattle.io/bundle-name={bundle}");
            let out = kubectl
                .run(
                    &applied.context,
                    &[
                        "get",
                        "bundledeployments.fleet.cattle.io",
                        "--all-namespaces",
                        "--selector",
                        &selector,
                        "-o",
                        "jsonpath={range .items[*]}{.metadata.labels.fleet\\.cattle\\.io/commit} {.status.ready}{\"\\n\"}{end}",
                    ],
                )
                .map_err(|e| format!("cannot read the BundleDeployments of {bundle}: {e}"))?;
            let rows: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
            let done = !rows.is_empty()
                && rows.iter().all(|r| {
                    let mut f = r.split_whitespace();
                    f.next() == Some(revision) && f.next() == Some("true")
                });
            if done {
                break;
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "Fleet has not applied {revision} of {bundle} everywhere ({} of {} BundleDeployments ready at it)",
                    rows.iter()
                        .filter(|r| r.split_whitespace().collect::<Vec<_>>() == [revision, "true"])
                        .count(),
                    rows.len()
                ));
            }
            std::thread::sleep(poll.min(deadline.saturating_duration_since(Instant::now())));
        }
    }
    Ok(())
}

/// Verifies every cluster, `parallel` at a time; returns each cluster's outcome, in order.
pub fn verify_all(
    checks: &[ClusterCheck],
    tag: Option<&str>,
    timeout: Duration,
    parallel: usize,
    poll: Duration,
    kubectl: &dyn Kubectl,
) -> Vec<Result<(), String>> {
    let deadline = Instant::now() + timeout;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<(), String>>>> =
        checks.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..parallel.clamp(1, 32).min(checks.len().max(1)) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(check) = checks.get(k) else { break };
                    let r = verify(check, tag, deadline, poll, kubectl);
                    if let Ok(mut slot) = results[k].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err("not verified".to_owned()))
        })
        .collect()
}
