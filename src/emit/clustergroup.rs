//! Fleet `ClusterGroup` (fleet.cattle.io/v1alpha1): one per environment and one per region,
//! selecting clusters by the environment and region label keys, and the spec's own
//! (`clusterGroups`).

use serde::Serialize;

use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, MANAGEMENT_DIR};
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

pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    fleet
        .groups()
        .into_iter()
        .map(|g| {
            let labels: Vec<(&str, &str)> = g
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let doc = ClusterGroup {
                api_version: "fleet.cattle.io/v1alpha1",
                kind: "ClusterGroup",
                metadata: ObjectMeta::managed(&g.name, &fleet.workspace, &labels),
                spec: ClusterGroupSpec {
                    selector: Selector::from(&g.selector),
                },
            };
            let path = format!("{MANAGEMENT_DIR}/clustergroups/{}.yaml", g.name);
            Artifact::new(path, Kind::ClusterGroup, g.owner, &doc)
        })
        .collect()
}
