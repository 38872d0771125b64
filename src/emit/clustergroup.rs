//! Fleet `ClusterGroup` (fleet.cattle.io/v1alpha1): one per environment and one per region,
//! selecting clusters by the environment and region label keys.

use crate::pointer::Ptr;
use std::collections::BTreeMap;

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
    let mut out = Vec::new();
    for (i, env) in fleet.environment_ids() {
        let name = fleet.env_group(i);
        let label = ("fleetc.io/environment", env.name.as_str());
        let owner = fleet.env_ptr(i).key("name");
        out.push(group(
            fleet,
            &name,
            label,
            &fleet.label_keys.environment,
            owner,
        ));
    }
    for region in &fleet.regions {
        let name = Fleet::region_group(region);
        // A region is declared by the clusters in it; the first one stands for it.
        let first = fleet
            .clusters
            .iter()
            .find(|c| &c.region == region)
            .expect("regions are those of the clusters")
            .origin;
        let owner = Ptr::item("clusters", first).key("region");
        let label = ("fleetc.io/region", region.as_str());
        out.push(group(fleet, &name, label, &fleet.label_keys.region, owner));
    }
    out
}

/// A ClusterGroup selecting the clusters whose label `key` has the value `label.1`.
fn group(fleet: &Fleet, name: &str, label: (&str, &str), key: &str, owner: Ptr) -> Artifact {
    let doc = ClusterGroup {
        api_version: "fleet.cattle.io/v1alpha1",
        kind: "ClusterGroup",
        metadata: ObjectMeta::managed(name, &fleet.workspace, &[label]),
        spec: ClusterGroupSpec {
            selector: Selector {
                match_labels: BTreeMap::from([(key.to_owned(), label.1.to_owned())]),
                match_expressions: Vec::new(),
            },
        },
    };
    let path = format!("{MANAGEMENT_DIR}/clustergroups/{name}.yaml");
    Artifact::new(path, Kind::ClusterGroup, owner, &doc)
}
