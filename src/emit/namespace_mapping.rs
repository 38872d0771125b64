//! Fleet `BundleNamespaceMapping` (fleet.cattle.io/v1alpha1): lets the bundles of one workspace
//! reach the clusters of others (`workspaces[].clusterWorkspaces`). Fleet lists the mappings in
//! a bundle's namespace and adds the clusters of every namespace a matching one selects
//! (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:237-266, mapping.go).

use std::collections::BTreeMap;

use serde::Serialize;

use super::k8s::{Expression, ObjectMeta, Selector};
use super::{Artifact, Kind, workspace_dir};
use crate::model::{APP_LABEL, Fleet};
use crate::pointer::Ptr;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleNamespaceMapping {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    bundle_selector: Selector,
    namespace_selector: Selector,
}

/// One per workspace with `clusterWorkspaces`, named `fleetc`: fleetc's bundles there (those
/// with its app label) reach the listed workspaces, selected by the label Kubernetes gives
/// every namespace, `kubernetes.io/metadata.name`.
pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    fleet
        .mappings
        .iter()
        .map(|(ws, (to, i))| {
            let expr = |key: &str, operator: &'static str, values: Vec<String>| Expression {
                key: key.to_owned(),
                operator,
                values,
            };
            let doc = BundleNamespaceMapping {
                api_version: "fleet.cattle.io/v1alpha1",
                kind: "BundleNamespaceMapping",
                metadata: ObjectMeta::managed("fleetc", ws, &[]),
                bundle_selector: Selector {
                    match_labels: BTreeMap::new(),
                    match_expressions: vec![expr(APP_LABEL, "Exists", Vec::new())],
                },
                namespace_selector: Selector {
                    match_labels: BTreeMap::new(),
                    match_expressions: vec![expr("kubernetes.io/metadata.name", "In", to.clone())],
                },
            };
            Artifact::new(
                format!(
                    "{}/bundlenamespacemappings/fleetc.yaml",
                    workspace_dir(fleet, ws)
                ),
                Kind::BundleNamespaceMapping,
                Ptr::item("workspaces", *i).key("clusterWorkspaces"),
                &doc,
            )
        })
        .collect()
}
