//! Fleet `GitRepo` (fleet.cattle.io/v1alpha1): one per app and environment, pulling the app's
//! bundle directory at the environment's pinned revision (or the branch, before the first
//! promotion), targeting only that environment's clusters. A pinned environment's GitRepos
//! describe the spec at its revision (`crate::promotion`); only the workspace and the repository
//! settings come from the branch.

use crate::pointer::Ptr;
use crate::values::GoDuration;
use serde::Serialize;

use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, MANAGEMENT_DIR};
use crate::model::{App, EnvGitRepo, Fleet};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GitRepo {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: GitRepoSpec,
}

#[derive(Serialize)]
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
    // The app's: Fleet sets every bundle's from its GitRepo's (read.go:234).
    #[serde(skip_serializing_if = "Option::is_none")]
    force_sync_generation: Option<u64>,
    paths: Vec<String>,
    // Always explicit: without targets Fleet uses ClusterGroup `default`, which only exists in
    // `fleet-local`, so the GitRepo would deploy nowhere.
    targets: Vec<GitTarget>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GitTarget {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_selector: Option<Selector>,
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
                ("fleetc.io/environment", &env.name),
            ],
        ),
        spec: GitRepoSpec {
            repo: fleet.repo.clone(),
            branch: env.revision.is_none().then(|| fleet.branch.clone()),
            revision: env.revision.clone(),
            client_secret_name: fleet.client_secret_name.clone(),
            polling_interval: fleet.polling_interval.clone(),
            helm_secret_name: fleet.repository.helm_secret_name.clone(),
            helm_repo_url_regex: fleet.repository.helm_repo_url_regex.clone(),
            webhook_secret: fleet.repository.webhook_secret.clone(),
            disable_polling: fleet.repository.disable_polling,
            force_sync_generation: app.bundle.force_sync_generation,
            paths: vec![app.repo_dir.clone()],
            targets: repo
                .targets
                .iter()
                .map(|t| GitTarget {
                    name: t.name.clone(),
                    cluster_group: t.cluster_group.clone(),
                    cluster_group_selector: t.cluster_group_selector.as_ref().map(Selector::from),
                    cluster_selector: t.selector.as_ref().map(Selector::from),
                })
                .collect(),
        },
    };
    Artifact::new(
        format!("{MANAGEMENT_DIR}/gitrepos/{}.yaml", repo.name),
        Kind::GitRepo,
        owner,
        &doc,
    )
}
