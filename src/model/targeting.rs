//! ClusterGroups and target matching: which declared clusters a GitRepo target reaches, as
//! Fleet's matcher decides it.

use std::collections::BTreeMap;

use super::{Fleet, LabelSelector};
use crate::pointer::Ptr;
use crate::spec::Operator;
use crate::values::{LabelKey, LabelValue};

/// The label every object fleetc writes carries. Not one a `clusterGroupSelector` may use: when
/// Fleet itself applies `fleet/` (a bootstrap GitRepo), Helm overwrites it with `Helm` on the
/// live objects (helm/helm pkg/action/validate.go, mergeLabels), and Fleet matches the live ones.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "fleetc");

/// A ClusterGroup the spec names (`clusterGroups`).
#[derive(Debug, Clone)]
pub struct ClusterGroup {
    /// Its position in the spec's `clusterGroups`.
    pub origin: usize,
    /// Name of the ClusterGroup object.
    pub name: String,
    /// The clusters it holds.
    pub selector: LabelSelector,
    /// Labels of the ClusterGroup object, besides [`MANAGED_BY`].
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// Whether its selector names an opt-in label: it may hold clusters fleetc does not know.
    pub opt_in: bool,
}

/// One ClusterGroup fleetc writes, whoever asked for it: an environment's, a region's or a
/// named one.
#[derive(Debug, Clone)]
pub struct GroupView {
    /// Name of the object.
    pub name: String,
    /// Its labels as `clusterGroupSelector` sees them ([`MANAGED_BY`] left out, see there).
    pub labels: BTreeMap<String, String>,
    /// The clusters it holds.
    pub selector: LabelSelector,
    /// The spec line that makes it.
    pub owner: Ptr,
    /// Whether it may hold clusters that opt in later ([`ClusterGroup::opt_in`]).
    pub opt_in: bool,
}

/// Which declared clusters a target reaches. Fleet matches a target against a cluster once per
/// ClusterGroup the cluster is in, every criterion against the same group (rancher/fleet
/// v0.16.1 internal/cmd/controller/target/matcher/bundlematch.go:169-185 and
/// clustermatcher.go:23-79); since a group's members are a function of the cluster's labels,
/// this is "the labels match, and one accepted group's selector matches too".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matcher {
    /// What the cluster's own labels must satisfy (the environment or region a fleetc group
    /// stands for included).
    pub labels: LabelSelector,
    /// When the target names ClusterGroups itself (`clusterGroup`, `clusterGroupSelector`):
    /// the selectors of the groups it accepts, none of which may be empty.
    pub groups: Option<Vec<LabelSelector>>,
}

impl Matcher {
    /// Whether a cluster with these labels is reached.
    pub fn matches(&self, labels: &BTreeMap<LabelKey, LabelValue>) -> bool {
        self.labels.matches(labels)
            && self
                .groups
                .as_ref()
                .is_none_or(|g| g.iter().any(|s| s.matches(labels)))
    }
}

impl Matcher {
    /// Whether a cluster whose label `key` is `value` may be reached, whatever its other labels
    /// (for the environments of clusters fleetc does not know).
    pub fn allows(&self, key: &str, value: &str) -> bool {
        self.labels.allows(key, value)
            && self
                .groups
                .as_ref()
                .is_none_or(|g| g.iter().any(|s| s.allows(key, value)))
    }
}

impl LabelSelector {
    /// Whether an object whose label `key` is `value` may match, whatever its other labels.
    pub fn allows(&self, key: &str, value: &str) -> bool {
        self.match_labels.get(key).is_none_or(|v| v == value)
            && self
                .match_expressions
                .iter()
                .filter(|r| r.key == key)
                .all(|r| match r.operator {
                    Operator::In => r.values.iter().any(|v| v == value),
                    Operator::NotIn => !r.values.iter().any(|v| v == value),
                    Operator::Exists => true,
                    Operator::DoesNotExist => false,
                })
    }
}

impl Fleet {
    /// Every Fleet workspace the fleet uses: `fleet.namespace` first, then those of clusters
    /// and shared GitRepos, sorted.
    pub fn workspaces(&self) -> Vec<&str> {
        let mut others: Vec<&str> = self
            .clusters
            .iter()
            .map(|c| c.workspace.as_str())
            .chain(self.git_repos.iter().map(|g| g.workspace.as_str()))
            .filter(|w| *w != self.workspace)
            .collect();
        others.sort_unstable();
        others.dedup();
        let mut out = vec![self.workspace.as_str()];
        out.extend(others);
        out
    }

    /// The workspaces whose clusters a bundle of workspace `ws` may reach: its own first, then
    /// those its BundleNamespaceMapping adds.
    pub fn reach<'a>(&'a self, ws: &'a str) -> Vec<&'a str> {
        let mut out = vec![ws];
        if let Some((more, _)) = self.mappings.get(ws) {
            out.extend(more.iter().map(String::as_str));
        }
        out
    }

    /// Every ClusterGroup fleetc writes: one per environment (promotion order), one per region
    /// (sorted), then the spec's own (spec order).
    pub fn groups(&self) -> Vec<GroupView> {
        let keys = &self.label_keys;
        let view = |name: String, label: (&str, &str), key: &LabelKey, owner: Ptr| GroupView {
            name,
            labels: BTreeMap::from([(label.0.to_owned(), label.1.to_owned())]),
            selector: LabelSelector {
                match_labels: BTreeMap::from([(key.to_string(), label.1.to_owned())]),
                match_expressions: Vec::new(),
            },
            owner,
            opt_in: false,
        };
        let mut out = Vec::new();
        for (i, env) in self.environment_ids() {
            out.push(view(
                self.env_group(i),
                (super::ENV_LABEL, &env.name),
                &keys.environment,
                self.env_ptr(i).key("name"),
            ));
        }
        for region in &self.regions {
            // A region is declared by the clusters in it; the first one stands for it.
            let first = self
                .clusters
                .iter()
                .find(|c| &c.region == region)
                .expect("regions are those of the clusters")
                .origin;
            out.push(view(
                Fleet::region_group(region),
                ("fleetc.io/region", region.as_str()),
                &keys.region,
                Ptr::item("clusters", first).key("region"),
            ));
        }
        for g in &self.cluster_groups {
            out.push(GroupView {
                name: g.name.clone(),
                labels: g
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                selector: g.selector.clone(),
                owner: Ptr::item("clusterGroups", g.origin),
                opt_in: g.opt_in,
            });
        }
        out
    }
}
