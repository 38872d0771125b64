//! Fleet `ClusterGroup` (fleet.cattle.io/v1alpha1): one per environment and one per region,
//! selecting clusters by the environment and region label keys, and the spec's own
//! (`clusterGroups`).

use serde::Serialize;

use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, workspace_dir};
use crate::model::Fleet;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClusterGroup {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ClusterGroupSpec,
}

#[derive(Serialize)]
struct ClusterGroupSpec {
    selector: Selector,
}

/// Every group in `fleet.namespace` and in each other workspace that holds a cluster (declared,
/// or live in the cluster inventory): Fleet matches a cluster against the groups of its own
/// workspace (rancher/fleet v0.16.1 internal/cmd/controller/target/query.go:93-110), so a
/// cluster that joins there later is grouped as the spec says.
pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    let mut out = Vec::new();
    for ws in fleet.workspaces() {
        let has_clusters = fleet.clusters.iter().any(|c| c.workspace == ws)
            || fleet
                .inventory
                .iter()
                .flat_map(|i| i.clusters.iter())
                .any(|c| c.workspace == ws);
        if ws != fleet.workspace && !has_clusters {
            continue;
        }
        for g in fleet.groups() {
            let labels: Vec<(&str, &str)> = g
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let doc = ClusterGroup {
                api_version: "fleet.cattle.io/v1alpha1",
                kind: "ClusterGroup",
                metadata: ObjectMeta::managed(&g.name, ws, &labels),
                spec: ClusterGroupSpec {
                    selector: Selector::from(&g.selector),
                },
            };
            let path = format!("{}/clustergroups/{}.yaml", workspace_dir(fleet, ws), g.name);
            out.push(Artifact::new(path, Kind::ClusterGroup, g.owner, &doc));
        }
    }
    out
}
