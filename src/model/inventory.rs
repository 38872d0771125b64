//! The live fleet as a cluster inventory file describes it (`clusterInventory`): Fleet Cluster
//! objects, and which of the spec's apps Fleet gives each by its live labels.

use std::collections::BTreeMap;

use super::{AppId, Fleet};
use crate::values::{LabelKey, LabelValue};

/// The clusters of a cluster inventory file.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The file, relative to the output root.
    pub path: String,
    /// Its Fleet Cluster objects, in file order.
    pub clusters: Vec<LiveCluster>,
}

/// A Fleet Cluster object as exported from the management cluster.
#[derive(Debug, Clone)]
pub struct LiveCluster {
    /// Its name as the spec names clusters: the name label, else the object's name.
    pub name: String,
    /// Its workspace (the object's namespace).
    pub workspace: String,
    /// The Cluster object's own name (Rancher's `c-m-…`).
    pub object: String,
    /// Its labels (those that are valid label keys and values).
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// Its annotations (`.ClusterAnnotations` in Fleet's templates).
    pub annotations: BTreeMap<String, String>,
    /// Its `spec.templateValues` (`.ClusterValues`).
    pub template_values: serde_json::Map<String, serde_json::Value>,
}

impl LiveCluster {
    /// Whether the spec declares it: a cluster of its name in its workspace (what W019 and
    /// W020 compare).
    pub fn declared_in(&self, fleet: &Fleet) -> bool {
        fleet
            .clusters
            .iter()
            .any(|c| c.name == self.name && c.workspace == self.workspace)
    }
}

impl Fleet {
    /// The targetCustomization Fleet picks for a cluster with `labels`: the first whose selector
    /// matches (FirstMatch).
    pub fn customization_for<'a>(
        &self,
        app: &'a super::App,
        labels: &BTreeMap<LabelKey, LabelValue>,
    ) -> Option<&'a super::Customization> {
        app.customizations
            .iter()
            .find(|c| self.scope_selector(&c.scope).matches(labels))
    }

    /// The apps Fleet gives a cluster of workspace `ws` with `labels`: those whose bundle's
    /// workspace reaches `ws` and a GitRepo target (for an app pulled per environment, one of
    /// the GitRepo of the cluster's environment) matches it, unless the first customization
    /// that matches it says `doNotDeploy`.
    pub fn apps_reaching(&self, ws: &str, labels: &BTreeMap<LabelKey, LabelValue>) -> Vec<AppId> {
        let env_key = &self.label_keys.environment;
        let env = labels.get(env_key).map(LabelValue::as_str);
        let mut out = Vec::new();
        for (a, app) in self.apps.iter().enumerate() {
            if !self.reach(&app.workspace).contains(&ws) {
                continue;
            }
            let targeted = match &app.shared {
                Some(_) => app.targets.iter().any(|t| t.matcher.matches(labels)),
                None => app.gitrepos.iter().any(|r| {
                    env == Some(self.environments[r.env].name.as_str())
                        && r.targets.iter().any(|t| t.matcher.matches(labels))
                }),
            };
            let skipped = self
                .customization_for(app, labels)
                .is_some_and(super::Customization::excludes);
            if targeted && !skipped {
                out.push(AppId::new(a));
            }
        }
        out
    }
}
