//! Fleet `ClusterGroup` (fleet.cattle.io/v1alpha1): one per environment and one per region,
//! selecting clusters by the environment and region label keys.

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
    for (i, env) in fleet.environments.iter().enumerate() {
        let name = fleet.env_group(i);
        out.push(group(
            fleet,
            &name,
            ("fleetc.io/environment", &env.name),
            &fleet.label_keys.environment,
            &env.name,
        ));
    }
    for region in &fleet.regions {
        let name = Fleet::region_group(region);
        out.push(group(
            fleet,
            &name,
            ("fleetc.io/region", region),
            &fleet.label_keys.region,
            region,
        ));
    }
    out
}

fn group(fleet: &Fleet, name: &str, label: (&str, &str), key: &str, value: &str) -> Artifact {
    let doc = ClusterGroup {
        api_version: "fleet.cattle.io/v1alpha1",
        kind: "ClusterGroup",
        metadata: ObjectMeta::managed(name, &fleet.workspace, &[label]),
        spec: ClusterGroupSpec {
            selector: Selector {
                match_labels: BTreeMap::from([(key.to_owned(), value.to_owned())]),
                match_expressions: Vec::new(),
            },
        },
    };
    Artifact::new(
        format!("{MANAGEMENT_DIR}/clustergroups/{name}.yaml"),
        Kind::ClusterGroup,
        &doc,
    )
}
