//! Fleet `GitRepoRestriction` (fleet.cattle.io/v1alpha1): what a workspace's GitRepos may use
//! (`workspaces[].gitRepoRestriction`). Its fields sit at the top level, beside `metadata`.

use serde::Serialize;

use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, workspace_dir};
use crate::model::Fleet;
use crate::pointer::Ptr;
use crate::spec::GitRepoRestriction as Spec;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GitRepoRestriction<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allowed_repo_patterns: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allowed_client_secret_names: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allowed_service_accounts: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allowed_target_namespaces: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_target_namespace_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_client_secret_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_service_account: Option<&'a str>,
}

/// One per workspace that has one, named `fleetc` (Fleet aggregates every restriction of a
/// workspace, so a hand-made one beside it still applies).
pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    fleet
        .restrictions
        .iter()
        .map(|(ws, r, i): &(String, Spec, usize)| {
            let doc = GitRepoRestriction {
                api_version: "fleet.cattle.io/v1alpha1",
                kind: "GitRepoRestriction",
                metadata: ObjectMeta::managed("fleetc", ws, &[]),
                allowed_repo_patterns: &r.allowed_repo_patterns,
                allowed_client_secret_names: &r.allowed_client_secret_names,
                allowed_service_accounts: &r.allowed_service_accounts,
                allowed_target_namespaces: &r.allowed_target_namespaces,
                allowed_target_namespace_selector: r
                    .allowed_target_namespace_selector
                    .as_ref()
                    .map(Selector::from_spec),
                default_client_secret_name: r.default_client_secret_name.as_deref(),
                default_service_account: r.default_service_account.as_deref(),
            };
            Artifact::new(
                format!(
                    "{}/gitreporestrictions/fleetc.yaml",
                    workspace_dir(fleet, ws)
                ),
                Kind::GitRepoRestriction,
                Ptr::item("workspaces", *i).key("gitRepoRestriction"),
                &doc,
            )
        })
        .collect()
}
