//! The live clusters (Fleet Cluster objects exported from the management cluster) as spec
//! clusters: environments and regions recognised from label conventions that every cluster
//! follows, the rest of their labels kept for the static checks.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::scan::Origin;
use crate::spec::Tier;

/// Label keys that name an environment, most common first.
const ENV_KEYS: &[&str] = &["env", "environment", "stage"];
/// Label keys that name a region.
const REGION_KEYS: &[&str] = &[
    "region",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/region",
];
/// Keys and values used when the clusters follow no convention: keys no selector of the
/// original uses (fleetc's own), so fleetc's static view adds nothing Fleet would match.
pub const FALLBACK_ENV_KEY: &str = crate::model::ENV_LABEL;
pub const FALLBACK_REGION_KEY: &str = "fleetc.io/region";
pub const FALLBACK_VALUE: &str = "all";
/// Rancher's label with a cluster's display name: fleetc's `cluster:` targets select by it.
pub const NAME_KEY: &str = "management.cattle.io/cluster-display-name";

/// One declared cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Its name in the spec: the display name where Rancher set one, else the object's name.
    pub name: String,
    /// The Cluster object's name (what GitRepo `clusterName` matches).
    pub object: String,
    pub workspace: String,
    pub environment: String,
    pub region: String,
    /// Labels besides the environment, region and name keys.
    pub labels: BTreeMap<String, String>,
    /// Every label, as Fleet matches them.
    pub all_labels: BTreeMap<String, String>,
}

/// The clusters, and the conventions found.
#[derive(Debug, Clone)]
pub struct Clusters {
    pub env_key: String,
    pub region_key: String,
    /// Whether the environment (region) key is one every cluster carries.
    pub env_found: bool,
    pub region_found: bool,
    /// Whether every cluster's spec name is its unique display name (`NAME_KEY`), which
    /// fleetc's `cluster:` targets select by.
    pub display_names: bool,
    /// Environments in promotion order, with their tier.
    pub environments: Vec<(String, Tier)>,
    pub clusters: Vec<Cluster>,
}

impl Clusters {
    /// The cluster of `workspace` a GitRepo's `clusterName` names: by its object's name, else
    /// by its display name, as Fleet matches them.
    pub fn by_name(&self, workspace: &str, name: &str) -> Option<&Cluster> {
        let here = || self.clusters.iter().filter(|c| c.workspace == workspace);
        here()
            .find(|c| c.object == name)
            .or_else(|| here().find(|c| c.all_labels.get(NAME_KEY).is_some_and(|n| n == name)))
    }
}

/// Reads Cluster objects. `default_ws` is the workspace of an object without a namespace.
pub fn infer(objects: &[(Value, Origin)], default_ws: &str) -> Result<Clusters, String> {
    let mut raw = Vec::new();
    let mut seen = BTreeSet::new();
    for (obj, origin) in objects {
        let Some(object) = obj["metadata"]["name"].as_str() else {
            return Err(format!("{origin}: a Cluster without `metadata.name`"));
        };
        let workspace = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or(default_ws)
            .to_owned();
        if !seen.insert((workspace.clone(), object.to_owned())) {
            continue;
        }
        let labels = super::scan::string_map(&obj["metadata"]["labels"]);
        raw.push((object.to_owned(), workspace, labels));
    }
    if raw.is_empty() {
        return Err("the cluster export holds no Fleet Cluster objects".to_owned());
    }
    let on_all = |keys: &[&str]| {
        keys.iter()
            .find(|k| raw.iter().all(|(_, _, l)| l.contains_key(**k)))
            .map(|k| (*k).to_owned())
    };
    let env = on_all(ENV_KEYS);
    let region = on_all(REGION_KEYS);
    let env_key = env.clone().unwrap_or_else(|| FALLBACK_ENV_KEY.to_owned());
    let region_key = region
        .clone()
        .unwrap_or_else(|| FALLBACK_REGION_KEY.to_owned());
    // A display name serves as the spec name only where all are there and unique.
    let names: Vec<Option<&String>> = raw.iter().map(|(_, _, l)| l.get(NAME_KEY)).collect();
    let unique: BTreeSet<&String> = names.iter().flatten().copied().collect();
    let use_display = names.iter().all(Option::is_some) && unique.len() == raw.len();
    let mut clusters = Vec::new();
    for (object, workspace, all) in raw {
        let environment = all
            .get(&env_key)
            .cloned()
            .unwrap_or_else(|| FALLBACK_VALUE.to_owned());
        let region = all
            .get(&region_key)
            .cloned()
            .unwrap_or_else(|| FALLBACK_VALUE.to_owned());
        let name = match all.get(NAME_KEY) {
            Some(n) if use_display => n.clone(),
            _ => object.clone(),
        };
        let labels = all
            .iter()
            .filter(|(k, _)| **k != env_key && **k != region_key && *k != NAME_KEY)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        clusters.push(Cluster {
            name,
            object,
            workspace,
            environment,
            region,
            labels,
            all_labels: all,
        });
    }
    let mut environments: Vec<(String, Tier)> = clusters
        .iter()
        .map(|c| c.environment.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|e| {
            let t = tier(&e);
            (e, t)
        })
        .collect();
    environments.sort_by_key(|(e, t)| (rank(*t), e.clone()));
    Ok(Clusters {
        env_key,
        region_key,
        display_names: use_display,
        env_found: env.is_some(),
        region_found: region.is_some(),
        environments,
        clusters,
    })
}

/// The GitLab tier an environment's name suggests.
pub fn tier(name: &str) -> Tier {
    let n = name.to_ascii_lowercase();
    let has = |parts: &[&str]| parts.iter().any(|p| n.contains(p));
    if has(&["prod", "prd", "live"]) && !has(&["preprod", "pre-prod", "nonprod", "non-prod"]) {
        Tier::Production
    } else if has(&["stag", "stg", "preprod", "pre-prod", "uat"]) {
        Tier::Staging
    } else if has(&["test", "qa", "tst"]) {
        Tier::Testing
    } else if has(&["dev", "sandbox"]) {
        Tier::Development
    } else {
        Tier::Other
    }
}

/// Promotion order: development first, production last, the rest after.
fn rank(t: Tier) -> u8 {
    match t {
        Tier::Development => 0,
        Tier::Testing => 1,
        Tier::Staging => 2,
        Tier::Production => 3,
        Tier::Other => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(name: &str, labels: Value) -> (Value, Origin) {
        (
            serde_json::json!({"metadata": {"name": name, "namespace": "fleet-default", "labels": labels}}),
            Origin {
                file: "clusters.yaml".into(),
                line: 1,
            },
        )
    }

    #[test]
    fn conventions_every_cluster_follows() {
        let c = infer(
            &[
                cluster("c-1", serde_json::json!({"env": "prod", "region": "eu", NAME_KEY: "prod-eu", "gpu": "true"})),
                cluster("c-2", serde_json::json!({"env": "dev", "region": "us", NAME_KEY: "dev-us"})),
            ],
            "fleet-default",
        )
        .unwrap();
        assert_eq!(c.env_key, "env");
        assert!(c.env_found && c.region_found);
        assert_eq!(
            c.environments,
            [
                ("dev".to_owned(), Tier::Development),
                ("prod".to_owned(), Tier::Production)
            ]
        );
        assert_eq!(c.clusters[0].name, "prod-eu");
        assert_eq!(c.clusters[0].labels.keys().collect::<Vec<_>>(), ["gpu"]);
    }

    #[test]
    fn no_convention_keeps_fleetc_keys() {
        let c = infer(
            &[
                cluster("a", serde_json::json!({"env": "prod"})),
                cluster("b", serde_json::json!({})),
            ],
            "fleet-default",
        )
        .unwrap();
        assert_eq!(c.env_key, FALLBACK_ENV_KEY);
        assert!(!c.env_found);
        assert_eq!(c.clusters[0].labels["env"], "prod");
        assert_eq!(c.clusters[1].environment, FALLBACK_VALUE);
    }

    #[test]
    fn tiers_from_names() {
        assert_eq!(tier("production"), Tier::Production);
        assert_eq!(tier("preprod"), Tier::Staging);
        assert_eq!(tier("qa"), Tier::Testing);
        assert_eq!(tier("edge"), Tier::Other);
    }
}
