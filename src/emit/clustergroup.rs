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

/// Every group in `fleet.namespace`; in each other workspace the groups that hold one of its
/// clusters (a bundle there matches only those).
pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    let mut out = Vec::new();
    for ws in fleet.workspaces() {
        for g in fleet.groups() {
            let holds = fleet
                .clusters
                .iter()
                .any(|c| c.workspace == ws && g.selector.matches(&c.labels));
            if ws != fleet.workspace && !holds {
                continue;
            }
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
