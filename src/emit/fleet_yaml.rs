//! A bundle's `fleet.yaml`: namespace, Helm or kustomize options, drift handling, dependencies
//! by the exact bundle names Fleet derives, and the targetCustomizations, most specific first.

use crate::pointer::Ptr;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::gitrepo::GitTarget;
use super::k8s::Selector;
use super::kustomization::{customization_dir, resources_value, root_dir};
use super::{Artifact, Kind};
use crate::model::{
    APP_LABEL, App, AppSource, ChartForm, DependencyOn, Fleet, HelmChart,
    HelmOptions as HelmOptionsOut, LabelSelector, Settings, chart_form,
};
use crate::spec::{
    BundleState, ComparePatch, CorrectDrift, DownstreamResource, IgnoreOptions, IntOrPercent,
};
use crate::values::{LabelKey, LabelValue};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FleetYaml<'a> {
    // The bundle's name, set only for an app of a shared GitRepo that keeps one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    // Copied to the Bundle and its BundleDeployments: what `dependsOn` selects by.
    labels: BTreeMap<String, String>,
    default_namespace: String,
    /// Forced on every resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    namespace_labels: BTreeMap<LabelKey, LabelValue>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    namespace_annotations: BTreeMap<LabelKey, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    create_namespace: Option<bool>,
    #[serde(skip_serializing_if = "is_false")]
    keep_resources: bool,
    #[serde(rename = "deleteCRDResources", skip_serializing_if = "is_false")]
    delete_crd_resources: bool,
    #[serde(skip_serializing_if = "is_false")]
    paused: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ignore: Option<&'a IgnoreOptions>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    downstream_resources: &'a [DownstreamResource],
    #[serde(skip_serializing_if = "Option::is_none")]
    rollout_strategy: Option<RolloutOut<'a>>,
    pub(super) helm: HelmOptions,
    #[serde(skip_serializing_if = "Option::is_none")]
    kustomize: Option<KustomizeOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    yaml: Option<YamlOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correct_drift: Option<&'a CorrectDrift>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<DiffOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<DependsOn<'a>>,
    // An app of a shared GitRepo: its own targets, which replace the GitRepo's
    // (rancher/fleet v0.16.1 internal/bundlereader/read.go:236-252).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) override_targets: Vec<GitTarget>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) target_customizations: Vec<Customization<'a>>,
}

/// A targetCustomization: one the spec keeps as it is (`verbatim`), or one fleetc makes.
#[derive(Serialize, Clone)]
#[serde(untagged)]
pub(super) enum Customization<'a> {
    Kept(&'a Value),
    Made(Box<TargetCustomization<'a>>),
}

#[derive(Serialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct HelmOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) release_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) chart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) repo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub(super) values: Map<String, Value>,
    #[serde(flatten)]
    pub(super) options: HelmOptionsOut,
}

impl HelmOptions {
    /// Whether it changes nothing (a customization with no Helm options of its own).
    pub(super) fn is_empty(&self) -> bool {
        self.release_name.is_none()
            && self.chart.is_none()
            && self.repo.is_none()
            && self.version.is_none()
            && self.values.is_empty()
            && self.options == HelmOptionsOut::default()
    }

    /// Lays a customization's options over these, as Fleet merges them (calculate.go:76-115).
    pub(super) fn fold(&mut self, over: &HelmOptions) {
        for (mine, theirs) in [
            (&mut self.release_name, &over.release_name),
            (&mut self.chart, &over.chart),
            (&mut self.repo, &over.repo),
            (&mut self.version, &over.version),
        ] {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        crate::model::deep_merge(&mut self.values, &over.values);
        self.options.merge(&over.options);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    max_unavailable: Option<&'a IntOrPercent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_unavailable_partitions: Option<&'a IntOrPercent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_partition_size: Option<&'a IntOrPercent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_partition_threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_new: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    partitions: Vec<PartitionOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartitionOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_unavailable: Option<&'a IntOrPercent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group_selector: Option<Selector>,
    // `{}` (every cluster) only where nothing else selects: a partition without criteria
    // matches nothing (clustermatcher.go:69-71).
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_selector: Option<Selector>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize, Clone)]
struct KustomizeOptions {
    dir: String,
}

#[derive(Serialize, Clone)]
struct YamlOptions {
    overlays: Vec<String>,
}

/// fleet.yaml's `yaml` of the root (`default`) or a customization, from the overlays
/// [`super::yaml_overlay::emit`] wrote.
fn yaml_options(overlays: &super::yaml_overlay::Names, name: &str) -> Option<YamlOptions> {
    overlays.get(name).map(|o| YamlOptions {
        overlays: o.clone(),
    })
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct DiffOut<'a> {
    compare_patches: &'a [ComparePatch],
}

/// A dependency by label: the app's bundles differ per environment (one GitRepo each), and
/// Fleet's agent looks only at BundleDeployments on the same cluster
/// (rancher/fleet v0.16.1 internal/cmd/agent/deployer/deployer.go:447-490), so the selector
/// finds the dependency's bundle of the cluster's own environment.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DependsOn<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selector: Option<Selector>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    accepted_states: &'a [BundleState],
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct TargetCustomization<'a> {
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cluster_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) helm: Option<HelmOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kustomize: Option<KustomizeOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    yaml: Option<YamlOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_namespace: Option<&'a str>,
    // The app forces its namespace: a customization's replaces it (calculate.go:63-67).
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account: Option<&'a str>,
    #[serde(skip_serializing_if = "is_false")]
    keep_resources: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    force_sync_generation: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correct_drift: Option<&'a CorrectDrift>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<DiffOut<'a>>,
    #[serde(skip_serializing_if = "is_false")]
    pub(super) do_not_deploy: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    downstream_resources: &'a [DownstreamResource],
}

impl TargetCustomization<'_> {
    /// An entry that changes nothing (a HelmOp's plain target).
    pub(super) fn plain(name: String, cluster_selector: Option<Selector>) -> Self {
        TargetCustomization {
            name,
            cluster_selector,
            default_namespace: None,
            namespace: None,
            helm: None,
            kustomize: None,
            yaml: None,
            service_account: None,
            keep_resources: false,
            force_sync_generation: None,
            correct_drift: None,
            diff: None,
            do_not_deploy: false,
            downstream_resources: &[],
        }
    }
}

pub(super) fn emit(
    fleet: &Fleet,
    app: &App,
    overlays: &super::yaml_overlay::Names,
    owner: Ptr,
) -> Artifact {
    Artifact::new(
        format!("{}/{}", app.bundle_dir, app.options_file()),
        Kind::FleetYaml,
        owner,
        &bundle(fleet, app, overlays),
    )
}

/// The bundle options fleet.yaml holds: a BundleSpec, which a HelmOp carries too.
pub(super) fn bundle<'a>(
    fleet: &Fleet,
    app: &'a App,
    overlays: &super::yaml_overlay::Names,
) -> FleetYaml<'a> {
    let helm = match &app.source {
        AppSource::Helm(chart) => HelmOptions {
            release_name: Some(chart.release_name.clone()),
            chart: Some(chart.chart.clone()),
            repo: chart.repo.clone(),
            version: chart.version.clone(),
            values: helm_values(app, chart, &app.base),
            options: app.base.helm.clone(),
        },
        // Kustomize bundles are installed as Helm releases too; name the release after the app
        // instead of the long derived bundle name.
        AppSource::Kustomize { release_name, .. } | AppSource::Manifests { release_name, .. } => {
            HelmOptions {
                release_name: Some(release_name.clone()),
                ..HelmOptions::default()
            }
        }
    };
    let drift = app.drift.as_ref();
    let b = &app.bundle;
    let mut labels: BTreeMap<String, String> = b
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    labels.insert(APP_LABEL.to_owned(), app.name.clone());
    // What a shared GitRepo switches on it switches on for every bundle (rancher/fleet v0.16.1
    // internal/bundlereader/read.go:273-279): the bundle's own copy would only keep it on
    // after the GitRepo switches it off.
    let by_gitrepo = app.shared.as_ref().map(|s| &fleet.git_repos[s.repo]);
    let paused = b.paused && !by_gitrepo.is_some_and(|g| g.paused);
    let keep_resources = b.keep_resources && !by_gitrepo.is_some_and(|g| g.keep_resources);
    FleetYaml {
        name: app
            .shared
            .as_ref()
            .filter(|s| s.named)
            .map(|s| s.bundle.as_str()),
        labels,
        default_namespace: app.namespace.clone(),
        namespace: b.force_namespace.then(|| app.namespace.clone()),
        service_account: b.service_account.clone(),
        create_namespace: b.create_namespace,
        keep_resources,
        delete_crd_resources: b.delete_crd_resources,
        paused,
        ignore: b.ignore.as_ref(),
        downstream_resources: &b.downstream_resources,
        rollout_strategy: b.rollout.as_ref().map(|r| RolloutOut {
            max_unavailable: r.max_unavailable.as_ref(),
            max_unavailable_partitions: r.max_unavailable_partitions.as_ref(),
            auto_partition_size: r.auto_partition_size.as_ref(),
            auto_partition_threshold: r.auto_partition_threshold,
            max_new: r.max_new,
            partitions: r
                .partitions
                .iter()
                .map(|p| PartitionOut {
                    name: &p.name,
                    max_unavailable: p.max_unavailable.as_ref(),
                    cluster_group: p.cluster_group.as_deref(),
                    cluster_group_selector: p.cluster_group_selector.as_ref().map(Selector::from),
                    cluster_selector: (p.selector != LabelSelector::default()
                        || p.cluster_group.is_none() && p.cluster_group_selector.is_none())
                    .then(|| Selector::from(&p.selector)),
                })
                .collect(),
        }),
        // Only ever at the root: in a customization Fleet would apply them to every cluster.
        namespace_labels: app.namespace_labels.clone(),
        namespace_annotations: app.namespace_annotations.clone(),
        helm,
        kustomize: root_dir(app).map(|dir| KustomizeOptions { dir }),
        yaml: yaml_options(overlays, "default"),
        correct_drift: drift.and_then(|d| d.correct_drift.as_ref()),
        diff: drift
            .filter(|d| !d.compare_patches.is_empty())
            .map(|d| DiffOut {
                compare_patches: &d.compare_patches,
            }),
        depends_on: app
            .dependencies
            .iter()
            .map(|d| DependsOn {
                name: match &d.on {
                    DependencyOn::Bundle(b) => Some(b.as_str()),
                    _ => None,
                },
                selector: match &d.on {
                    DependencyOn::App(a) => Some(Selector {
                        match_labels: BTreeMap::from([(
                            APP_LABEL.to_owned(),
                            fleet.apps[*a].name.clone(),
                        )]),
                        match_expressions: Vec::new(),
                    }),
                    DependencyOn::Selector(s) => Some(Selector::from(s)),
                    DependencyOn::Bundle(_) => None,
                },
                accepted_states: &d.accepted_states,
            })
            .collect(),
        override_targets: match &app.shared {
            Some(_) => app.targets.iter().map(GitTarget::from).collect(),
            None => Vec::new(),
        },
        target_customizations: b
            .verbatim_customizations
            .iter()
            .map(Customization::Kept)
            .chain(
                app.customizations
                    .iter()
                    .map(|c| {
                        if c.excludes() {
                            // Nothing else of the entry matters to Fleet: the clusters get no bundle.
                            TargetCustomization {
                                name: fleet.scope_name(&c.scope),
                                cluster_selector: Some(Selector::from(
                                    &fleet.scope_selector(&c.scope),
                                )),
                                helm: None,
                                kustomize: None,
                                yaml: None,
                                default_namespace: None,
                                namespace: None,
                                service_account: None,
                                keep_resources: false,
                                force_sync_generation: None,
                                correct_drift: None,
                                diff: None,
                                do_not_deploy: true,
                                downstream_resources: &[],
                            }
                        } else {
                            TargetCustomization {
                                name: fleet.scope_name(&c.scope),
                                cluster_selector: Some(Selector::from(
                                    &fleet.scope_selector(&c.scope),
                                )),
                                helm: match &app.source {
                                    AppSource::Helm(chart) => Some(HelmOptions {
                                        release_name: c.delta.helm.chart.release_name.clone(),
                                        chart: c.delta.helm.chart.chart.clone(),
                                        repo: c.delta.helm.chart.repo.clone(),
                                        version: c.delta.helm.chart.version.clone(),
                                        values: helm_values(app, chart, &c.delta),
                                        options: c.delta.helm.clone(),
                                    }),
                                    AppSource::Kustomize { .. } | AppSource::Manifests { .. } => {
                                        None
                                    }
                                },
                                kustomize: customization_dir(fleet, app, c)
                                    .map(|dir| KustomizeOptions { dir }),
                                yaml: yaml_options(overlays, &fleet.scope_name(&c.scope)),
                                default_namespace: c
                                    .delta
                                    .deploy
                                    .namespace
                                    .as_deref()
                                    .filter(|_| !b.force_namespace),
                                namespace: c
                                    .delta
                                    .deploy
                                    .namespace
                                    .as_deref()
                                    .filter(|_| b.force_namespace),
                                service_account: c.delta.deploy.service_account.as_deref(),
                                keep_resources: c.delta.deploy.keep_resources,
                                force_sync_generation: c.delta.deploy.force_sync_generation,
                                correct_drift: c.delta.deploy.correct_drift.as_ref(),
                                diff: (!c.delta.deploy.compare_patches.is_empty()).then(|| {
                                    DiffOut {
                                        compare_patches: &c.delta.deploy.compare_patches,
                                    }
                                }),
                                do_not_deploy: false,
                                downstream_resources: &c.delta.deploy.downstream_resources,
                            }
                        }
                    })
                    .map(|c| Customization::Made(Box::new(c))),
            )
            .collect(),
    }
}

/// An OCI chart as `repo` with no `chart`: what a HelmOp requires (helmop_controller.go:605-611).
/// fleet.yaml keeps it as `chart`: Fleet 0.13.0 downloads a GitRepo bundle's chart only when
/// `chart` is set (rancher/fleet v0.13.0 internal/bundlereader/resources.go:34), and 0.16 still
/// reads it there (with a deprecation warning, v0.16.1 resources.go:36-39).
pub(super) fn oci_as_repository(h: &mut HelmOptions) {
    match (&h.chart, &h.repo) {
        (Some(c), None) if chart_form(c, None) == ChartForm::Oci => h.repo = h.chart.take(),
        (_, Some(r)) if r.to_ascii_lowercase().starts_with("oci://") => h.chart = None,
        _ => {}
    }
}

/// Helm values for `s`: its own values, with replicas, image tags and resources written to the
/// chart's keys.
fn helm_values(app: &App, chart: &HelmChart, s: &Settings) -> Map<String, Value> {
    let mut values = s.values.clone();
    if let Some(r) = s.replicas {
        set_path(&mut values, &chart.replicas_key, Value::from(r));
    }
    for img in &app.images {
        let Some(key) = &img.values_key else { continue };
        if let Some(tag) = s.tags.get(&img.name) {
            set_path(
                &mut values,
                &format!("{key}.tag"),
                Value::from(tag.as_str()),
            );
            if let Some(repo) = &img.new_name {
                set_path(
                    &mut values,
                    &format!("{key}.repository"),
                    Value::from(repo.clone()),
                );
            }
        }
    }
    if let Some(r) = &s.resources {
        set_path(&mut values, &chart.resources_key, resources_value(r));
    }
    values
}

/// Sets `a.b.c` in nested mappings, merging into whatever mappings are already there.
fn set_path(values: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or(path);
    let mut node = values;
    for p in parts {
        let entry = node
            .entry(p.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        node = entry.as_object_mut().expect("just made an object");
    }
    match (node.get_mut(last), value) {
        (Some(Value::Object(old)), Value::Object(new)) => crate::model::deep_merge(old, &new),
        (_, value) => {
            node.insert(last.to_owned(), value);
        }
    }
}
