//! Bundle options of an app: what fleet.yaml says about the bundle as a whole besides its
//! source (labels, a forced namespace, the deploying service account, removal and rollout).

use std::collections::BTreeMap;

use super::{AppId, ClusterId, LabelSelector};
use crate::spec::{BundleState, IgnoreOptions, IntOrPercent};
use crate::values::{LabelKey, LabelValue};

/// The bundle label naming the app (no `cattle.io` in it: Fleet drops such labels when it copies
/// a bundle's labels to its BundleDeployments).
pub const APP_LABEL: &str = "fleetc.io/app";

/// Label fleetc puts on an environment's GitRepos, HelmOps and ClusterGroup: its name.
pub const ENV_LABEL: &str = "fleetc.io/environment";

/// An app's bundle options, as resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleOptions {
    /// Labels of the Bundle besides `fleetc.io/app`.
    pub labels: BTreeMap<LabelKey, LabelValue>,
    /// Every resource goes to the app's namespace.
    pub force_namespace: bool,
    pub service_account: Option<String>,
    pub keep_resources: bool,
    pub delete_crd_resources: bool,
    pub create_namespace: Option<bool>,
    pub paused: bool,
    /// Goes to the app's GitRepos, which Fleet takes it from.
    pub force_sync_generation: Option<u64>,
    pub ignore: Option<IgnoreOptions>,
    pub rollout: Option<Rollout>,
    pub downstream_resources: Vec<crate::spec::DownstreamResource>,
    /// targetCustomizations kept as they are (`verbatim`), written before fleetc's own.
    pub verbatim_customizations: Vec<serde_json::Value>,
}

/// How Fleet rolls a change out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollout {
    pub max_unavailable: Option<IntOrPercent>,
    pub max_unavailable_partitions: Option<IntOrPercent>,
    pub auto_partition_size: Option<IntOrPercent>,
    pub auto_partition_threshold: Option<u32>,
    pub max_new: Option<u32>,
    pub partitions: Vec<Partition>,
}

/// Clusters rolled out together.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    pub name: String,
    pub max_unavailable: Option<IntOrPercent>,
    /// What Fleet matches the partition's clusters by.
    pub selector: LabelSelector,
    /// The ClusterGroup it names.
    pub cluster_group: Option<String>,
    /// Its selector over ClusterGroups' own labels.
    pub cluster_group_selector: Option<LabelSelector>,
    /// The app's clusters it matches (a cluster can be in several).
    pub clusters: Vec<ClusterId>,
}

impl BundleOptions {
    /// The options set, as `explain` lists them.
    pub fn described(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.force_namespace {
            out.push("forceNamespace".to_owned());
        }
        if let Some(sa) = &self.service_account {
            out.push(format!("serviceAccount={sa}"));
        }
        for (set, name) in [
            (self.keep_resources, "keepResources"),
            (self.delete_crd_resources, "deleteCRDResources"),
            (self.paused, "paused"),
        ] {
            if set {
                out.push(name.to_owned());
            }
        }
        if let Some(c) = self.create_namespace {
            out.push(format!("createNamespace={c}"));
        }
        if let Some(g) = self.force_sync_generation {
            out.push(format!("forceSyncGeneration={g}"));
        }
        if let Some(i) = &self.ignore {
            out.push(format!("ignore {} condition(s)", i.conditions.len()));
        }
        out
    }

    /// The partitions a cluster rolls out in (every one that matches it), with their index.
    pub fn partitions_of(&self, c: ClusterId) -> Vec<(usize, &Partition)> {
        self.rollout
            .iter()
            .flat_map(|r| r.partitions.iter().enumerate())
            .filter(|(_, p)| p.clusters.contains(&c))
            .collect()
    }
}

/// Something that must be ready on a cluster before the app is deployed there.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub on: DependencyOn,
    /// States that count as ready; empty: `Ready` only.
    pub accepted_states: Vec<BundleState>,
}

/// What a dependency is on.
#[derive(Debug, Clone, PartialEq)]
pub enum DependencyOn {
    /// An app of the spec: its bundle of the cluster's own environment.
    App(AppId),
    /// A bundle fleetc does not manage, by its Fleet name.
    Bundle(String),
    /// Bundles by their labels.
    Selector(LabelSelector),
}

/// What a customization may change of how the app is deployed, merged as Fleet merges it
/// (rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:57-147).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployOptions {
    /// ORed with the app's.
    pub keep_resources: bool,
    pub service_account: Option<String>,
    /// The namespace on these clusters, replacing the app's (`defaultNamespace`, or
    /// `namespace` when the app forces it; calculate.go:59-67).
    pub namespace: Option<String>,
    pub force_sync_generation: Option<u64>,
    /// Replaces the app's.
    pub correct_drift: Option<crate::spec::CorrectDrift>,
    /// Replace the app's patch for the same object, or are added.
    pub compare_patches: Vec<crate::spec::ComparePatch>,
    /// Whether the clusters get nothing (`doNotDeploy`); the narrowest layer that says wins.
    pub do_not_deploy: Option<bool>,
    /// Added to the app's, each (kind, name) once (calculate.go:142-144).
    pub downstream_resources: Vec<crate::spec::DownstreamResource>,
}

impl DeployOptions {
    /// Lays a narrower layer over this one.
    pub fn merge(&mut self, over: &DeployOptions) {
        self.keep_resources |= over.keep_resources;
        if over.service_account.is_some() {
            self.service_account.clone_from(&over.service_account);
        }
        if over.namespace.is_some() {
            self.namespace.clone_from(&over.namespace);
        }
        if over.force_sync_generation.is_some() {
            self.force_sync_generation = over.force_sync_generation;
        }
        if over.correct_drift.is_some() {
            self.correct_drift.clone_from(&over.correct_drift);
        }
        if over.do_not_deploy.is_some() {
            self.do_not_deploy = over.do_not_deploy;
        }
        for r in &over.downstream_resources {
            if !self.downstream_resources.contains(r) {
                self.downstream_resources.push(r.clone());
            }
        }
        // comparePatchKey (calculate.go:36-38): apiVersion, kind, namespace, name.
        let key = |p: &crate::spec::ComparePatch| {
            (
                p.api_version.clone(),
                p.kind.clone(),
                p.namespace.clone().unwrap_or_default(),
                p.name.clone(),
            )
        };
        for p in &over.compare_patches {
            match self.compare_patches.iter_mut().find(|m| key(m) == key(p)) {
                Some(mine) => *mine = p.clone(),
                None => self.compare_patches.push(p.clone()),
            }
        }
    }

    /// The options set, as `explain` lists them.
    pub fn described(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.keep_resources {
            out.push("keepResources".to_owned());
        }
        if let Some(ns) = &self.namespace {
            out.push(format!("namespace={ns}"));
        }
        if let Some(sa) = &self.service_account {
            out.push(format!("serviceAccount={sa}"));
        }
        if let Some(g) = self.force_sync_generation {
            out.push(format!("forceSyncGeneration={g}"));
        }
        if let Some(c) = &self.correct_drift {
            out.push(format!("correctDrift={}", c.enabled));
        }
        if !self.compare_patches.is_empty() {
            out.push(format!("{} comparePatches", self.compare_patches.len()));
        }
        for r in &self.downstream_resources {
            out.push(format!("downstream {:?}/{}", r.kind, r.name));
        }
        out
    }
}
