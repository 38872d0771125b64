//! Stage 2, resolve: typed spec → [`Fleet`], the validated model.
//!
//! Checks every name, reference, path and selector, reporting all problems at once, and
//! computes what Fleet will do: which clusters each app reaches, the bundle names Fleet derives,
//! and the customizations first-match needs. Reads the file system only to confirm that kustomize
//! bases and local charts exist; writes nothing.

mod agent_policy;
mod apps;
mod checks;
pub use checks::go_duration_seconds;
mod gitlab;
pub use agent_policy::{CI_JOB_EXTRAS, USER_EXTRAS};
mod overrides;
mod targets;
mod templating;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::load::{Loaded, SpanIndex};
use crate::model::{Agent, AgentId, Cluster, ClusterId, EnvId, Environment, Fleet};
use crate::pointer::Ptr;
use crate::spec::Spec;
use crate::suggest;

/// Resolves a loaded spec. `root` is the output root that spec paths are relative to.
/// On success returns the fleet and its warnings; otherwise every diagnostic found.
pub fn resolve(
    loaded: &Loaded,
    text: &str,
    spec_name: &str,
    root: &dyn crate::workspace::Workspace,
    pins: &crate::pins::Pins,
) -> Result<(Fleet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut cx = Cx {
        pins,
        ix: &loaded.index,
        text,
        root,
        diags: Vec::new(),
        clusters_incomplete: false,
        dropped_clusters: Default::default(),
        declared_labels: BTreeMap::new(),
    };
    let fleet = cx.fleet(&loaded.spec, spec_name);
    let mut diags = cx.diags;
    crate::diagnostic::sort(&mut diags);
    if crate::diagnostic::has_errors(&diags) {
        // Warnings computed from a fleet with errors in it are mostly their echoes.
        diags.retain(crate::diagnostic::Diagnostic::is_error);
        Err(diags)
    } else {
        Ok((fleet, diags))
    }
}

/// Resolution context: where to point and where to collect.
pub(crate) struct Cx<'a> {
    pub(crate) pins: &'a crate::pins::Pins,
    pub(crate) ix: &'a SpanIndex,
    pub(crate) text: &'a str,
    pub(crate) root: &'a dyn crate::workspace::Workspace,
    pub(crate) diags: Vec<Diagnostic>,
    /// Some cluster's environment did not resolve, so "matches no cluster" would be an echo.
    pub(crate) clusters_incomplete: bool,
    /// Clusters left out of the model for an error of their own: references to them are not
    /// reported again.
    pub(crate) dropped_clusters: std::collections::HashSet<String>,
    /// Every label key any declared cluster carries (region and name keys included, the
    /// clusters left out of the model too) → its values: what targets and selectors may name.
    /// Built once, in `clusters`.
    pub(crate) declared_labels: BTreeMap<String, BTreeSet<String>>,
}

/// Name → index, for one kind of named thing.
pub(crate) type Names = HashMap<String, usize>;

impl Cx<'_> {
    pub(crate) fn at(&self, ptr: &Ptr) -> Span {
        self.ix.nearest(ptr)
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn fleet(&mut self, spec: &Spec, spec_name: &str) -> Fleet {
        let s = &spec.fleet;
        self.dns_label(
            &s.namespace,
            &Ptr::path(&["fleet", "namespace"]),
            "workspace namespace",
        );
        self.check_repo_url(&s.repo);
        if s.branch.trim().is_empty()
            || s.branch
                .contains(|c: char| c.is_whitespace() || c.is_control())
        {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`fleet.branch` is not a branch name")
                    .label(
                        self.at(&Ptr::path(&["fleet", "branch"])),
                        "branch names have no spaces",
                    )
                    .help("name the branch Fleet pulls, e.g. `main`"),
            );
        }
        if let Some(secret) = &s.client_secret_name {
            self.dns_subdomain(
                secret,
                &Ptr::path(&["fleet", "clientSecretName"]),
                "Secret name",
            );
        }
        if let Some(p) = &s.repo_path {
            self.safe_path(p, &Ptr::path(&["fleet", "repoPath"]));
        }
        if let Some(d) = &s.polling_interval {
            self.check_duration(d, &Ptr::path(&["fleet", "pollingInterval"]));
        }
        for (key, ptr) in [
            (
                &s.cluster_labels.environment,
                &Ptr::path(&["fleet", "clusterLabels", "environment"]),
            ),
            (
                &s.cluster_labels.region,
                &Ptr::path(&["fleet", "clusterLabels", "region"]),
            ),
            (
                &s.cluster_labels.name,
                &Ptr::path(&["fleet", "clusterLabels", "name"]),
            ),
        ] {
            self.label_key(key, self.at(ptr));
        }

        let fleet_version = self.version(
            s.version.as_deref(),
            crate::versions::DEFAULT_FLEET,
            &Ptr::path(&["fleet", "version"]),
            "Fleet",
        );
        let (environments, env_names) = self.environments(spec);
        let (mut clusters, cluster_names) = self.clusters(spec, &env_names);
        let agents = self.agents(spec, &env_names, &cluster_names, &mut clusters);
        let regions: Vec<String> = clusters
            .iter()
            .map(|c| c.region.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        let mut fleet = Fleet {
            spec_name: spec_name.to_owned(),
            workspace: s.namespace.clone(),
            repo: s.repo.clone(),
            branch: s.branch.clone(),
            repo_path: s
                .repo_path
                .as_deref()
                .map(|p| p.trim_matches('/'))
                .filter(|p| *p != ".")
                .unwrap_or_default()
                .to_owned(),
            client_secret_name: s.client_secret_name.clone(),
            polling_interval: s.polling_interval.clone(),
            label_keys: s.cluster_labels.clone(),
            environments,
            regions,
            clusters,
            agents,
            apps: Vec::new(),
            fleet_version,
            gitlab: None,
            monitoring: spec.monitoring.clone(),
        };
        let names = RefNames {
            envs: env_names,
            clusters: cluster_names,
        };
        fleet.apps = self.apps(spec, &fleet, &names);
        self.gitlab(spec, &mut fleet, &names);
        if let Some(m) = &spec.monitoring {
            self.monitoring(m);
        }
        fleet
    }

    fn environments(&mut self, spec: &Spec) -> (Vec<Environment>, Names) {
        let mut names = Names::new();
        let mut out = Vec::new();
        for (i, e) in spec.environments.iter().enumerate() {
            let ptr = Ptr::item("environments", i).key("name");
            self.dns_label(&e.name, &ptr, "environment name");
            self.unique(
                &mut names,
                &e.name,
                &ptr,
                "environment",
                &Ptr::path(&["environments"]),
                out.len(),
            );
            let acknowledged = self.acknowledged(
                &e.acknowledge,
                &Ptr::item("environments", i).key("acknowledge"),
            );
            out.push(Environment {
                name: e.name.clone(),
                tier: e.tier,
                promotion: e.promotion,
                acknowledged,
                revision: self.pins.revisions.get(&e.name).cloned(),
            });
        }
        for env in self.pins.revisions.keys() {
            if !names.contains_key(env) {
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    format!(
                        "`{}` pins environment `{env}`, which the spec does not declare",
                        crate::pins::FILE
                    ),
                )
                .file(crate::pins::FILE);
                d = match suggest::closest(env, names.keys().map(String::as_str)) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? Pin again with `fleetc pin`, or remove the entry"
                    )),
                    None => d.help("pin again with `fleetc pin`, or remove the entry"),
                };
                self.push(d);
            }
        }
        (out, names)
    }

    /// The clusters whose environment resolves, each with its position in the spec
    /// (`origin`), and their names. A cluster whose environment does not resolve is left out of
    /// the model (its error is reported; references to it stay silent), never given a stand-in
    /// environment.
    fn clusters(&mut self, spec: &Spec, envs: &Names) -> (Vec<Cluster>, Names) {
        let keys = &spec.fleet.cluster_labels;
        let mut seen = Names::new();
        let mut names = Names::new();
        let mut out = Vec::with_capacity(spec.clusters.len());
        for (i, c) in spec.clusters.iter().enumerate() {
            let base = Ptr::item("clusters", i);
            self.dns_label(&c.name, &base.key("name"), "cluster name");
            let first = !seen.contains_key(&c.name);
            self.unique(
                &mut seen,
                &c.name,
                &base.key("name"),
                "cluster",
                &Ptr::path(&["clusters"]),
                i,
            );
            let environment = self.reference(
                envs,
                &c.environment,
                &base.key("environment"),
                "environment",
            );
            self.label_value(
                &c.region,
                &base.key("region"),
                "region",
                "regions become label values",
            );
            self.labels(&c.labels, &base.key("labels"), true);
            let mut labels = BTreeMap::new();
            for (k, v) in &c.labels {
                let ptr = base.key("labels").key(k);
                if [&keys.environment, &keys.region, &keys.name].contains(&k) {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("label `{k}` is set by fleetc"),
                        )
                        .label(
                            self.ix.key(&ptr),
                            "fleetc sets this label from the cluster's environment, region or name",
                        )
                        .help("remove it; use the cluster's `environment` and `region` keys"),
                    );
                }
                labels.insert(k.clone(), v.clone());
            }
            labels.insert(keys.region.clone(), c.region.clone());
            labels.insert(keys.name.clone(), c.name.clone());
            if environment.is_some() {
                labels.insert(keys.environment.clone(), c.environment.clone());
            }
            for (k, v) in &labels {
                self.declared_labels
                    .entry(k.clone())
                    .or_default()
                    .insert(v.clone());
            }
            let Some(environment) = environment else {
                self.clusters_incomplete = true;
                self.dropped_clusters.insert(c.name.clone());
                continue;
            };
            if first {
                names.insert(c.name.clone(), out.len());
            }
            out.push(Cluster {
                origin: i,
                name: c.name.clone(),
                environment: EnvId::new(environment),
                region: c.region.clone(),
                labels,
                agent: None,
                registration: None,
            });
        }
        (out, names)
    }

    /// Whether some declared cluster (resolved or not) is in region `r`.
    pub(crate) fn region_declared(&self, region_key: &str, r: &str) -> bool {
        self.declared_labels
            .get(region_key)
            .is_some_and(|v| v.contains(r))
    }

    /// A reference to a cluster by name: its id, or `None` (reported, unless the cluster was
    /// left out of the model for an error of its own).
    pub(crate) fn cluster_ref(
        &mut self,
        names: &Names,
        name: &str,
        ptr: &Ptr,
    ) -> Option<ClusterId> {
        if self.dropped_clusters.contains(name) {
            return None;
        }
        self.reference(names, name, ptr, "cluster")
            .map(ClusterId::new)
    }

    fn agents(
        &mut self,
        spec: &Spec,
        envs: &Names,
        cluster_names: &Names,
        clusters: &mut [Cluster],
    ) -> Vec<Agent> {
        let mut names = Names::new();
        let mut by_cluster: HashMap<ClusterId, Vec<(usize, Ptr)>> = HashMap::new();
        let mut by_env: HashMap<EnvId, Vec<(usize, Ptr)>> = HashMap::new();
        for (i, a) in spec.agents.iter().enumerate() {
            let base = Ptr::item("agents", i);
            self.dns_label(&a.name, &base.key("name"), "agent name");
            self.unique(
                &mut names,
                &a.name,
                &base.key("name"),
                "agent",
                &Ptr::path(&["agents"]),
                i,
            );
            for (j, e) in a.environments.iter().enumerate() {
                let ptr = base.key("environments").index(j);
                if let Some(env) = self.reference(envs, e, &ptr, "environment") {
                    by_env.entry(EnvId::new(env)).or_default().push((i, ptr));
                }
            }
            for (j, c) in a.clusters.iter().enumerate() {
                let ptr = base.key("clusters").index(j);
                if let Some(cl) = self.cluster_ref(cluster_names, c, &ptr) {
                    by_cluster.entry(cl).or_default().push((i, ptr));
                }
            }
        }
        let mut agents: Vec<Agent> = spec
            .agents
            .iter()
            .map(|a| Agent {
                name: a.name.clone(),
                clusters: Vec::new(),
            })
            .collect();
        for ci in ClusterId::all(clusters.len()) {
            let c = &spec.clusters[clusters[ci].origin];
            let base = Ptr::item("clusters", clusters[ci].origin);
            let listed = by_cluster
                .get(&ci)
                .or_else(|| by_env.get(&clusters[ci].environment))
                .cloned()
                .unwrap_or_default();
            let chosen = match &c.agent {
                Some(name) => {
                    let ptr = base.key("agent");
                    let explicit = self.reference(&names, name, &ptr, "agent");
                    if let Some(a) = explicit {
                        let serves_others = !spec.agents[a].clusters.is_empty()
                            || !spec.agents[a].environments.is_empty();
                        if serves_others && !listed.iter().any(|(l, _)| *l == a) {
                            let mut d = Diagnostic::new(
                                Code::AgentAssignment,
                                format!(
                                    "cluster `{}` names agent `{name}`, which does not serve it",
                                    c.name
                                ),
                            )
                            .label(self.at(&ptr), "named here");
                            if let Some((other, optr)) = listed.first() {
                                d = d.label(
                                    self.at(optr),
                                    format!(
                                        "agent `{}` serves it through this entry",
                                        spec.agents[*other].name
                                    ),
                                );
                            }
                            self.push(d.help(format!(
                                "add `{}` to the `clusters` of agent `{name}`, or drop the cluster's `agent`",
                                c.name
                            )));
                        }
                    }
                    explicit
                }
                None => match listed.as_slice() {
                    [] => None,
                    [(a, _)] => Some(*a),
                    [(a, first), (b, second), ..] => {
                        self.push(
                            Diagnostic::new(
                                Code::AgentAssignment,
                                format!(
                                    "cluster `{}` is served by two agents, `{}` and `{}`",
                                    c.name, spec.agents[*a].name, spec.agents[*b].name
                                ),
                            )
                            .label(self.at(second), "second claim")
                            .label(self.at(first), "first claim")
                            .label(self.at(&base.key("name")), "the cluster")
                            .help("set `agent:` on the cluster, or list it under one agent only"),
                        );
                        Some(*a)
                    }
                },
            };
            let chosen = chosen.map(AgentId::new);
            clusters[ci].agent = chosen;
            if let Some(a) = chosen {
                agents[a].clusters.push(ci);
            }
        }
        agents
    }

    fn monitoring(&mut self, m: &crate::spec::Monitoring) {
        self.dns_label(
            &m.namespace,
            &Ptr::path(&["monitoring", "namespace"]),
            "namespace",
        );
        self.labels(&m.labels, &Ptr::path(&["monitoring", "labels"]), true);
        let t = &m.thresholds;
        for (key, d) in [
            ("failed", &t.failed),
            ("modified", &t.modified),
            ("outOfSync", &t.out_of_sync),
            ("waitApplied", &t.wait_applied),
            ("notReady", &t.not_ready),
            ("gitFetch", &t.git_fetch),
        ] {
            if !checks::is_prometheus_duration(d) {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{d}` is not a Prometheus duration"),
                    )
                    .label(
                        self.at(&Ptr::root().key("monitoring").key("thresholds").key(key)),
                        "Prometheus would reject the rule",
                    )
                    .help("use units ms, s, m, h, d, w or y, e.g. `5m` or `1h30m`"),
                );
            }
        }
        let s = &m.severities;
        for (key, v) in [
            ("failed", &s.failed),
            ("modified", &s.modified),
            ("outOfSync", &s.out_of_sync),
            ("waitApplied", &s.wait_applied),
            ("notReady", &s.not_ready),
            ("gitFetch", &s.git_fetch),
        ] {
            let ptr = Ptr::root().key("monitoring").key("severities").key(key);
            self.label_value(v, &ptr, "severity", "severities are label values");
        }
    }
}

/// The name tables apps resolve against.
pub(crate) struct RefNames {
    pub(crate) envs: Names,
    pub(crate) clusters: Names,
}
