//! Fleet `GitRepo` (fleet.cattle.io/v1alpha1): one per app and environment, pulling the app's
//! bundle directory at the environment's pinned revision (or the branch, before the first
//! promotion), targeting only that environment's clusters. A pinned environment's GitRepos
//! describe the spec at its revision (`crate::promotion`); only the workspace and the repository
//! settings come from the branch.

use crate::pointer::Ptr;
use crate::values::GoDuration;
use serde::Serialize;

use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, MANAGEMENT_DIR, workspace_dir};
use crate::model::{App, EnvGitRepo, Fleet, RepoSettings, SharedGitRepo, Target};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GitRepo {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: GitRepoSpec,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct GitRepoSpec {
    repo: String,
    // Always explicit: Fleet's default branch is `master`. Never beside `revision`: Fleet clones
    // the branch but polls the revision when both are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    // A full commit SHA (the environment's release pin).
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    polling_interval: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_secret_name: Option<String>,
    #[serde(rename = "helmRepoURLRegex", skip_serializing_if = "Option::is_none")]
    helm_repo_url_regex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_secret: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    disable_polling: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_secret_name_for_paths: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_bundle: Option<String>,
    #[serde(
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "std::ops::Not::not"
    )]
    insecure_skip_tls_verify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    oci_registry_secret: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    delete_namespace: bool,
    // Shared GitRepos only: Fleet applies them to each of the GitRepo's bundles.
    #[serde(skip_serializing_if = "Option::is_none")]
    target_namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    keep_resources: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    paused: bool,
    // The app's: Fleet sets every bundle's from its GitRepo's (read.go:234).
    #[serde(skip_serializing_if = "Option::is_none")]
    force_sync_generation: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
    /// Driven scan: Fleet reads exactly these bundles (rancher/fleet v0.16.1
    /// internal/cmd/controller/gitops/reconciler/gitjob.go:399-421).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bundles: Vec<BundlePath>,
    // Always explicit for an app's per-environment GitRepos: without targets Fleet uses
    // ClusterGroup `default`, which only exists in `fleet-local`, so the GitRepo would deploy
    // nowhere. A shared GitRepo has none: each of its bundles carries `overrideTargets`,
    // which replace the GitRepo's (rancher/fleet v0.16.1 internal/bundlereader/read.go:236-252).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<GitTarget>,
}

/// A `bundles` entry: a base directory and the options file in it (none: its `fleet.yaml`).
#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct BundlePath {
    base: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<String>,
}

/// A GitRepo's target, and a fleet.yaml's `overrideTargets` entry (the same fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GitTarget {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_selector: Option<Selector>,
}

impl From<&Target> for GitTarget {
    fn from(t: &Target) -> Self {
        GitTarget {
            name: t.name.clone(),
            cluster_group: t.cluster_group.clone(),
            cluster_group_selector: t.cluster_group_selector.as_ref().map(Selector::from),
            cluster_selector: t.selector.as_ref().map(Selector::from),
        }
    }
}

/// `fleet` is the branch's (repository settings, the environment's current pin); `from` the
/// fleet `app` and `repo` belong to: the branch's, or the spec at the environment's revision.
pub(super) fn emit(
    fleet: &Fleet,
    from: &Fleet,
    app: &App,
    repo: &EnvGitRepo,
    owner: Ptr,
) -> Artifact {
    let name = &from.environments[repo.env].name;
    let env = fleet
        .environments
        .iter()
        .find(|e| &e.name == name)
        .expect("pinned environments exist on the branch");
    let doc = GitRepo {
        api_version: "fleet.cattle.io/v1alpha1",
        kind: "GitRepo",
        metadata: ObjectMeta::managed(
            &repo.name,
            &fleet.workspace,
            &[
                ("fleetc.io/app", &app.name),
                (crate::model::ENV_LABEL, &env.name),
            ],
        ),
        spec: GitRepoSpec {
            repo: fleet.repo.clone(),
            branch: env.revision.is_none().then(|| fleet.branch.clone()),
            revision: env.revision.clone(),
            client_secret_name: fleet.client_secret_name.clone(),
            polling_interval: fleet.polling_interval.clone(),
            force_sync_generation: app.bundle.force_sync_generation,
            paths: vec![app.repo_dir.clone()],
            targets: repo.targets.iter().map(GitTarget::from).collect(),
            ..repository(&fleet.repository)
        },
    };
    Artifact::new(
        format!("{MANAGEMENT_DIR}/gitrepos/{}.yaml", repo.name),
        Kind::GitRepo,
        owner,
        &doc,
    )
}

/// The repository settings every GitRepo carries.
fn repository(r: &RepoSettings) -> GitRepoSpec {
    GitRepoSpec {
        helm_secret_name: r.helm_secret_name.clone(),
        helm_repo_url_regex: r.helm_repo_url_regex.clone(),
        webhook_secret: r.webhook_secret.clone(),
        disable_polling: r.disable_polling,
        helm_secret_name_for_paths: r.helm_secret_name_for_paths.clone(),
        ca_bundle: r.ca_bundle.clone(),
        insecure_skip_tls_verify: r.insecure_skip_tls_verify,
        oci_registry_secret: r.oci_registry_secret.clone(),
        ..GitRepoSpec::default()
    }
}

/// A shared GitRepo (`gitRepos`): every app that names it, from its branch or revision, for
/// every environment at once.
pub(super) fn emit_shared(fleet: &Fleet, g: &SharedGitRepo, owner: Ptr) -> Artifact {
    let mut paths: Vec<String> = Vec::new();
    let mut bundles: Vec<BundlePath> = Vec::new();
    for a in g.apps.iter().map(|a| &fleet.apps[*a]) {
        if g.driven {
            bundles.push(BundlePath {
                base: a.repo_dir.clone(),
                options: a.shared.as_ref().and_then(|s| s.options.clone()),
            });
        } else {
            paths.push(a.repo_dir.clone());
        }
    }
    paths.sort();
    bundles.sort();
    let labels: Vec<(String, String)> = g
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let label_refs: Vec<(&str, &str)> = labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let doc = GitRepo {
        api_version: "fleet.cattle.io/v1alpha1",
        kind: "GitRepo",
        metadata: ObjectMeta::managed(&g.name, &g.workspace, &label_refs),
        spec: GitRepoSpec {
            repo: g.repo.clone(),
            branch: g.branch.clone(),
            revision: g.revision.clone(),
            client_secret_name: g.client_secret_name.clone(),
            polling_interval: g.polling_interval.clone(),
            force_sync_generation: g.force_sync_generation,
            target_namespace: g.target_namespace.clone(),
            service_account: g.service_account.clone(),
            keep_resources: g.keep_resources,
            paused: g.paused,
            delete_namespace: g.delete_namespace,
            paths,
            bundles,
            targets: Vec::new(),
            ..repository(&g.repository)
        },
    };
    Artifact::new(
        format!(
            "{}/gitrepos/{}.yaml",
            workspace_dir(fleet, &g.workspace),
            g.name
        ),
        Kind::GitRepo,
        owner,
        &doc,
    )
}
