//! Apps: sources, images, targets and overrides.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::*;

/// An application: one Fleet bundle.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// App name; also its GitRepo name and, for Helm apps, its release name.
    #[schemars(example = &"web")]
    pub name: String,
    /// Namespace the app's resources are deployed into (`defaultNamespace` of the bundle).
    #[schemars(example = &"web")]
    pub namespace: String,
    /// Bundle directory, relative to the output root: fleetc writes `fleet.yaml` and overlays there.
    /// A kustomize base or a local chart lives inside it. Default: `bundles/<name>`.
    #[serde(default)]
    #[schemars(example = &"apps/web")]
    pub path: Option<String>,
    /// A GitRepo of `gitRepos` that pulls this app, instead of one GitRepo per environment.
    #[serde(default)]
    #[schemars(example = &"platform")]
    pub git_repo: Option<String>,
    /// The bundle's name (fleet.yaml `name`), for an app in a shared `gitRepo`. Default: Fleet's
    /// `<gitRepo>-<path>`. Set it to keep an existing bundle's name.
    #[serde(default)]
    #[schemars(example = &"web")]
    pub bundle_name: Option<String>,
    /// Deliver the app with Fleet HelmOps (Fleet 0.13+), one per environment, instead of
    /// GitRepos: Fleet pulls the chart straight from its repository, nothing from Git. For Helm
    /// apps of a chart repository, OCI registry or tarball URL.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"pollingInterval": "15m", "helmSecretName": "charts-auth"}))]
    pub helm_op: Option<HelmOpDelivery>,
    /// For an app of a `driven` GitRepo: the file in the app's directory its bundle options
    /// (fleet.yaml's content) are written to, so several apps can share one directory.
    /// Default: `fleet.yaml`.
    #[serde(default)]
    #[schemars(example = &"production.yaml")]
    pub options_file: Option<String>,
    /// Where the manifests come from: exactly one of `kustomize` or `helm`.
    #[schemars(example = serde_json::json!({"kustomize": {"base": "base"}}))]
    pub source: Source,
    /// Container images the app runs, with their default tags.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "registry.gitlab.example.com/acme/web", "tag": "1.4.2"}]))]
    pub images: Vec<Image>,
    /// Replica count of the app's workload, before overrides.
    #[serde(default)]
    #[schemars(range(max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(3))]
    pub replicas: Option<u32>,
    /// Resource requests and limits of the app's main container, before overrides.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}))]
    pub resources: Option<Resources>,
    /// Helm values (Helm apps only), before overrides.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"service": {"type": "ClusterIP"}}))]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Kustomize patches (kustomize apps only) applied everywhere.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"target": {"kind": "Deployment", "name": "web"}, "patch": "- op: replace\n  path: /spec/template/spec/priorityClassName\n  value: high\n"}]))]
    pub patches: Vec<Patch>,
    /// Where the app is deployed. A cluster matching any target gets the app.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"environment": "staging"}, {"environment": "production", "region": "eu-west-1"}]))]
    pub targets: Vec<Target>,
    /// Per environment, region or cluster changes. fleetc orders them so that Fleet's first-match
    /// rule gives every cluster its most specific override, with the broader ones merged in.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"environment": "production", "replicas": 4}, {"cluster": "prod-eu-west-1", "images": {"registry.gitlab.example.com/acme/web": "1.4.3"}}]))]
    pub overrides: Vec<Override>,
    /// What must be ready on a cluster before this app is deployed there: apps of this spec by
    /// name, or `{app: ...}`, `{bundle: ...}` (a bundle fleetc does not manage, by its Fleet
    /// name) or `{selector: ...}` (bundles by their labels), each with `acceptedStates`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["ingress-nginx", {"app": "cert-manager", "acceptedStates": ["Ready", "Modified"]}]))]
    pub depends_on: Vec<DependsOn>,
    /// Drift handling: correction and fields to ignore.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"correctDrift": {"enabled": true}}))]
    pub drift: Option<Drift>,
    /// Labels of the app's namespace. App-wide only: Fleet applies per-target namespace labels
    /// to every cluster (rancher/fleet#4210), so overrides cannot set them.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"team": "web"}))]
    pub namespace_labels: BTreeMap<String, String>,
    /// Keys in `values` and `patches` that look like secrets (`password`, `apiToken`, an `env`
    /// entry named `DB_PASSWORD`) but hold something else: a name (`tokenTTL`) or dotted path
    /// (`auth.token`). Without it a literal value under such a key is refused (E024).
    #[serde(default)]
    #[schemars(example = serde_json::json!(["auth.tokenTTL"]))]
    pub not_secret: Vec<String>,
    /// Annotations of the app's namespace. App-wide only, like `namespaceLabels`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"owner": "web-team"}))]
    pub namespace_annotations: BTreeMap<String, String>,
    /// Labels of the app's Bundle (fleet.yaml `labels`), besides the `fleetc.io/app` label
    /// fleetc sets: what other bundles' `dependsOn` selectors and Fleet's UI filter by.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"team": "web"}))]
    pub bundle_labels: BTreeMap<String, String>,
    /// Force every resource into `namespace` (fleet.yaml `namespace`); a cluster-scoped resource
    /// then fails the deployment.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub force_namespace: bool,
    /// Service account Fleet's agent deploys the app as, on each cluster.
    #[serde(default)]
    #[schemars(example = serde_json::json!("fleet-web-deployer"))]
    pub service_account: Option<String>,
    /// Leave the app's resources on the clusters when the app is removed from a cluster.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub keep_resources: bool,
    /// Delete the app's CRDs, and with them every custom resource, when it is removed.
    #[serde(default, rename = "deleteCRDResources")]
    #[schemars(example = serde_json::json!(false))]
    pub delete_crd_resources: bool,
    /// Let Fleet create the namespace (default) or expect it to exist. Fleet 0.16.1 or newer.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub create_namespace: Option<bool>,
    /// Stop rolling out changes: clusters keep what they run and show OutOfSync.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub paused: bool,
    /// Raise it to redeploy the app everywhere although nothing changed. Written to the app's
    /// GitRepos: Fleet overwrites a bundle's own with its GitRepo's (rancher/fleet v0.16.1
    /// internal/bundlereader/read.go:234).
    #[serde(default)]
    #[schemars(range(min = 1, max = 9_007_199_254_740_991_u64))]
    #[schemars(example = serde_json::json!(2))]
    pub force_sync_generation: Option<u64>,
    /// Conditions Fleet ignores when it reports the app's state.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"conditions": [{"type": "Ready", "status": "False"}]}))]
    pub ignore: Option<IgnoreOptions>,
    /// How Fleet rolls a change out across the app's clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"maxUnavailable": "10%", "partitions": [{"name": "canary", "cluster": "prod-eu-west-1"}]}))]
    pub rollout_strategy: Option<RolloutStrategy>,
    /// Secrets and ConfigMaps of the workspace Fleet copies into the app's namespace on each of
    /// its clusters (Fleet 0.14+): credentials a `valuesFrom` reads, for example.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"kind": "Secret", "name": "registry-credentials"}]))]
    pub downstream_resources: Vec<DownstreamResource>,
    /// Fleet options written into the app's fleet.yaml as they are: what an imported bundle
    /// needs that the spec's own keys cannot say (`fleetc import` puts them here and says why).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"targetCustomizations": [{"name": "dev", "clusterSelector": {"matchLabels": {"env": "dev"}}, "kustomize": {"dir": "overlays/dev"}}]}))]
    pub verbatim: Option<Verbatim>,
}

/// Parts of fleet.yaml kept as Fleet reads them, checked against Fleet's fleet.yaml schema.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Verbatim {
    /// Fleet targetCustomizations, in Fleet's own shape, written before the ones fleetc makes
    /// from `overrides`: Fleet applies the first that matches a cluster, so these win where
    /// they match. fleetc does not interpret them: `explain`, `diff` and the lints see only
    /// `targets` and `overrides`.
    #[serde(default)]
    #[schemars(schema_with = "crate::schema::fleet_customizations")]
    pub target_customizations: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Where an app's manifests come from. Exactly one key.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Source {
    /// A kustomize base inside the app's bundle directory.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"base": "base"}))]
    pub kustomize: Option<KustomizeSource>,
    /// A Helm chart from a repository, an OCI registry or a directory inside the bundle.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"repo": "https://kubernetes.github.io/ingress-nginx", "chart": "ingress-nginx", "version": "4.11.3"}))]
    pub helm: Option<HelmSource>,
    /// Plain Kubernetes YAML files in the bundle directory (Fleet's raw YAML bundles); overrides
    /// become Fleet's `yaml.overlays`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"workload": {"file": "deployment.yaml", "name": "web"}}))]
    pub manifests: Option<ManifestsSource>,
}

/// Raw YAML files: every YAML file of the bundle directory is a resource, as Fleet reads them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManifestsSource {
    /// The workload `replicas`, `resources` and `images` change, and the file that holds it
    /// (Fleet patches files, one document each).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"file": "deployment.yaml", "kind": "Deployment", "name": "web", "container": "web"}))]
    pub workload: Option<ManifestWorkload>,
    /// The Helm release Fleet installs the bundle as. Default: the app name.
    #[serde(default)]
    #[schemars(example = &"web")]
    pub release_name: Option<String>,
}

/// A workload in a raw YAML file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManifestWorkload {
    /// The file, relative to the bundle directory, holding the workload as its one document.
    #[schemars(example = &"deployment.yaml")]
    pub file: String,
    /// Workload kind.
    #[serde(default)]
    #[schemars(example = serde_json::json!("Deployment"))]
    pub kind: WorkloadKind,
    /// Workload name. Default: the app name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub name: Option<String>,
    /// Container whose `resources` are set. Default: the workload name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub container: Option<String>,
}

/// A kustomize base.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizeSource {
    /// Base directory relative to the bundle directory; it must contain a `kustomization.yaml`.
    #[serde(default = "default_base")]
    #[schemars(example = &"base")]
    pub base: String,
    /// The workload that `replicas` and `resources` change.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"kind": "Deployment", "name": "web", "container": "web"}))]
    pub workload: Option<Workload>,
    /// The Helm release Fleet installs the bundle as (kustomize bundles are Helm releases too).
    /// Default: the app name. Set it to keep an existing release's name.
    #[serde(default)]
    #[schemars(example = &"web")]
    pub release_name: Option<String>,
}

fn default_base() -> String {
    "base".to_owned()
}

/// A workload inside a kustomize base.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workload {
    /// Workload kind.
    #[serde(default)]
    #[schemars(example = serde_json::json!("StatefulSet"))]
    pub kind: WorkloadKind,
    /// Workload name. Default: the app name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub name: Option<String>,
    /// Container whose `resources` are set. Default: the workload name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("app"))]
    pub container: Option<String>,
}

/// Kind of a scalable workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    #[default]
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
}

/// A Helm chart.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmSource {
    /// Chart name in `repo`, an `oci://` reference, or a directory relative to the bundle directory.
    #[schemars(example = &"ingress-nginx")]
    pub chart: String,
    /// Helm repository URL. Omitted for OCI charts and local chart directories.
    #[serde(default)]
    #[schemars(example = &"https://kubernetes.github.io/ingress-nginx")]
    pub repo: Option<String>,
    /// Chart version (exact, or a semver constraint). Without it a chart from `repo` or an OCI
    /// registry is whatever is newest when Fleet builds the bundle (W015).
    #[serde(default)]
    #[schemars(example = &"4.11.3")]
    pub version: Option<String>,
    /// Helm release name. Default: the app name. At most 53 characters.
    #[serde(default)]
    #[schemars(example = serde_json::json!("ingress"))]
    pub release_name: Option<String>,
    /// Values key that `replicas` sets.
    #[serde(default = "default_replicas_key")]
    #[schemars(example = serde_json::json!("controller.replicaCount"))]
    pub replicas_key: String,
    /// Values key that `resources` sets.
    #[serde(default = "default_resources_key")]
    #[schemars(example = serde_json::json!("controller.resources"))]
    pub resources_key: String,
    /// Values files inside the bundle directory, merged in order over `values` when Fleet
    /// builds the bundle.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["values/common.yaml", "values/ingress.yaml"]))]
    pub values_files: Vec<String>,
    /// ConfigMaps and Secrets on each cluster whose values are merged last, over `values` and
    /// `valuesFiles`, when the chart is installed: where credentials belong.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"secretKeyRef": {"name": "ingress-credentials", "key": "values.yaml"}}]))]
    pub values_from: Vec<ValuesFrom>,
    /// Values Fleet renders per cluster with its `${ }` templating (`.ClusterName`,
    /// `.ClusterLabels`, `.ClusterAnnotations`, `.ClusterValues`).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"clusterName": "${ .ClusterName }"}))]
    pub template_values: BTreeMap<String, String>,
    /// Adopt resources that already exist (installed by hand or by another release) instead of
    /// failing: what moving an existing deployment to Fleet needs.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub take_ownership: bool,
    /// Replace resources Helm cannot patch (`helm upgrade --force`).
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub force: bool,
    /// Roll back a failed install or upgrade (`helm --atomic`).
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub atomic: bool,
    /// Seconds Helm waits for an install or upgrade. Default: Helm's.
    #[serde(default)]
    #[schemars(range(min = 1, max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(600))]
    pub timeout_seconds: Option<u32>,
    /// Wait for the chart's Jobs to complete.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub wait_for_jobs: bool,
    /// Render without DNS lookups in templates (`helm --enable-dns` off).
    #[serde(default, rename = "disableDNS")]
    #[schemars(example = serde_json::json!(true))]
    pub disable_dns: bool,
    /// Releases Helm keeps in its history. App-wide only: Fleet ignores it per target.
    #[serde(default)]
    #[schemars(range(min = 1, max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(5))]
    pub max_history: Option<u32>,
    /// Skip the chart's values schema validation. App-wide only: Fleet ignores it per target.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub skip_schema_validation: bool,
    /// Do not run Fleet's `${ }` templating over `values` (the chart's own `{{ }}` is untouched).
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub disable_pre_process: bool,
    /// Do not update the chart's dependencies when Fleet builds the bundle. App-wide only:
    /// Fleet ignores it per target.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    pub disable_dependency_update: bool,
}

/// Helm options of an override. Fleet merges them over the app's: a timeout replaces the
/// app's, a flag can be switched on but never off, `valuesFrom` entries replace the app's entry
/// for the same object and key or come after the others
/// (rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:57-147).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmOverride {
    /// Values files inside the bundle directory, merged over this override's `values`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["values/production.yaml"]))]
    pub values_files: Vec<String>,
    /// ConfigMaps and Secrets on the cluster, merged last.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"configMapKeyRef": {"name": "ingress-eu", "key": "values.yaml"}}]))]
    pub values_from: Vec<ValuesFrom>,
    /// Templated values, over the app's.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"region": "${ index .ClusterLabels \"region\" }"}))]
    pub template_values: BTreeMap<String, String>,
    /// Adopt existing resources on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub take_ownership: Option<bool>,
    /// `helm upgrade --force` on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub force: Option<bool>,
    /// `helm --atomic` on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub atomic: Option<bool>,
    /// Seconds Helm waits on these clusters.
    #[serde(default)]
    #[schemars(range(min = 1, max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(900))]
    pub timeout_seconds: Option<u32>,
    /// Wait for the chart's Jobs on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub wait_for_jobs: Option<bool>,
    /// No DNS lookups in templates on these clusters.
    #[serde(default, rename = "disableDNS")]
    #[schemars(example = serde_json::json!(true))]
    pub disable_dns: Option<bool>,
    /// No `${ }` templating of values on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub disable_pre_process: Option<bool>,
    /// Not per target: Fleet ignores it in a customization (E032).
    #[serde(default)]
    #[schemars(example = serde_json::json!(5))]
    pub max_history: Option<u32>,
    /// Not per target: Fleet ignores it in a customization (E032).
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub skip_schema_validation: Option<bool>,
    /// Not per target: Fleet ignores it in a customization (E032).
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub disable_dependency_update: Option<bool>,
    /// Another chart version on these clusters (Fleet downloads each target's chart).
    #[serde(default)]
    #[schemars(example = &"4.12.0")]
    pub version: Option<String>,
    /// Another Helm repository on these clusters.
    #[serde(default)]
    #[schemars(example = &"https://charts.example.com/canary")]
    pub repo: Option<String>,
    /// Another chart on these clusters: a name in `repo`, an `oci://` reference, or a directory
    /// of the bundle.
    #[serde(default)]
    #[schemars(example = &"ingress-nginx")]
    pub chart: Option<String>,
    /// Another Helm release name on these clusters: what an existing installation there is
    /// called.
    #[serde(default)]
    #[schemars(example = &"nginx")]
    pub release_name: Option<String>,
}

fn default_replicas_key() -> String {
    "replicaCount".to_owned()
}
fn default_resources_key() -> String {
    "resources".to_owned()
}

/// A container image the app runs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Image {
    /// Image name as the manifests spell it (kustomize `images[].name`); overrides refer to it.
    #[schemars(example = &"registry.gitlab.com/acme/web")]
    pub name: String,
    /// Replacement repository, when the image should be pulled from elsewhere.
    #[serde(default)]
    #[schemars(example = serde_json::json!("mirror.example.com/acme/web"))]
    pub new_name: Option<String>,
    /// Default tag.
    #[schemars(example = &"1.4.2")]
    pub tag: String,
    /// Helm apps: the values key holding `repository` and `tag` for this image.
    #[serde(default)]
    #[schemars(example = &"image")]
    pub values_key: Option<String>,
    /// Built by the pipeline from this repository: it is pushed as `<name>:<commit SHA>` and
    /// promoted environment by environment through release pins.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"context": "src/web", "dockerfile": "Dockerfile"}))]
    pub build: Option<ImageBuild>,
}

/// How the pipeline builds an image.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageBuild {
    /// Build context, relative to the output root like every path in the spec.
    #[schemars(example = &"src/web")]
    pub context: String,
    /// Dockerfile, relative to the context.
    #[serde(default = "default_dockerfile")]
    #[schemars(example = serde_json::json!("Containerfile"))]
    pub dockerfile: String,
    /// CI/CD variables holding credentials for the image's registry, when it is not the
    /// manifests project's own registry (the job token cannot push there).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"username": "HARBOR_USER", "password": "HARBOR_PASSWORD"}))]
    pub credentials: Option<RegistryCredentials>,
}

/// Names of the CI/CD variables (masked, protected) that hold registry credentials. Never the
/// credentials themselves.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegistryCredentials {
    /// Variable with the user name.
    #[schemars(example = &"HARBOR_USER")]
    pub username: String,
    /// Variable with the password or token.
    #[schemars(example = &"HARBOR_PASSWORD")]
    pub password: String,
}

fn default_dockerfile() -> String {
    "Dockerfile".to_owned()
}

/// Resource requests and limits of one container.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// Requested resources, e.g. `cpu: 250m`, `memory: 256Mi`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"cpu": "250m", "memory": "256Mi"}))]
    pub requests: BTreeMap<String, Quantity>,
    /// Resource limits.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"memory": "512Mi"}))]
    pub limits: BTreeMap<String, Quantity>,
}

/// A Kubernetes quantity (`250m`, `1Gi`, `2`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Quantity {
    /// A quantity string.
    Text(String),
    /// A plain number.
    Number(serde_json::Number),
}

/// A kustomize patch.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Patch {
    /// Which resources the patch applies to; omitted for a strategic-merge patch naming its object.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"kind": "Deployment", "name": "web"}))]
    pub target: Option<PatchTarget>,
    /// Raw YAML apps: the file the patch applies to, relative to the bundle directory (Fleet
    /// patches whole files: a JSON 6902 patch list, else a strategic-merge or merge patch).
    #[serde(default)]
    #[schemars(example = serde_json::json!("configmap.yaml"))]
    pub file: Option<String>,
    /// The patch itself: a strategic-merge patch or a JSON 6902 patch, as YAML text. Or
    /// `patchFile`.
    #[serde(default)]
    #[schemars(example = serde_json::json!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  minReadySeconds: 10\n"))]
    pub patch: String,
    /// A file holding the patch, relative to the output root: kept in the repository instead of
    /// the spec, its content written into the overlays (Fleet never reads the file itself).
    #[serde(default)]
    #[schemars(example = serde_json::json!("patches/min-ready.yaml"))]
    pub patch_file: Option<String>,
}

/// Resource selector of a kustomize patch.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    /// API group.
    #[serde(default)]
    #[schemars(example = serde_json::json!("apps"))]
    pub group: Option<String>,
    /// API version.
    #[serde(default)]
    #[schemars(example = serde_json::json!("v1"))]
    pub version: Option<String>,
    /// Resource kind.
    #[serde(default)]
    #[schemars(example = serde_json::json!("Deployment"))]
    pub kind: Option<String>,
    /// Resource name.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub name: Option<String>,
    /// Resource namespace.
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    pub namespace: Option<String>,
    /// Label selector, in `kubectl` syntax.
    #[serde(default)]
    #[schemars(example = serde_json::json!("app.kubernetes.io/name=web"))]
    pub label_selector: Option<String>,
    /// Annotation selector, in `kubectl` syntax.
    #[serde(default)]
    #[schemars(example = serde_json::json!("fleetc.io/patch=true"))]
    pub annotation_selector: Option<String>,
}

/// A set of clusters. All given criteria must hold.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Target {
    /// Display name of the target in the GitRepo. Default: made from the criteria.
    #[serde(default)]
    #[schemars(example = serde_json::json!("production-eu"))]
    pub name: Option<String>,
    /// Clusters of this environment.
    #[serde(default)]
    #[schemars(example = serde_json::json!("production"))]
    pub environment: Option<String>,
    /// Clusters in this region.
    #[serde(default)]
    #[schemars(example = serde_json::json!("eu-west-1"))]
    pub region: Option<String>,
    /// This one cluster.
    #[serde(default)]
    #[schemars(example = serde_json::json!("prod-eu-west-1"))]
    pub cluster: Option<String>,
    /// Clusters whose labels match this selector.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu-west-1", "eu-central-1"]}]}))]
    pub selector: Option<Selector>,
    /// Clusters of this ClusterGroup: one of `clusterGroups`, or fleetc's own group of an
    /// environment (`env-<name>`) or region (`region-<name>`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("gpu"))]
    pub cluster_group: Option<String>,
    /// Clusters of every ClusterGroup whose own labels match this selector.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchLabels": {"team": "ml"}}))]
    pub cluster_group_selector: Option<Selector>,
}

/// How an app's HelmOps reach the chart's repository.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmOpDelivery {
    /// Go duration between checks of the repository for a newer chart matching a version
    /// constraint (`~1.4`); Fleet never polls for a fixed version.
    #[serde(default)]
    #[schemars(example = &"15m")]
    pub polling_interval: Option<String>,
    /// Existing Secret in the workspace with the repository's credentials.
    #[serde(default)]
    #[schemars(example = &"charts-auth")]
    pub helm_secret_name: Option<String>,
    /// Skip TLS verification of the chart repository.
    #[serde(default, rename = "insecureSkipTLSVerify")]
    #[schemars(example = serde_json::json!(false))]
    pub insecure_skip_tls_verify: bool,
}

/// A Kubernetes label selector over cluster labels (including the environment and region keys).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    /// Labels that must have exactly these values.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"workload": "data-processing"}))]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"key": "region", "operator": "In", "values": ["eu-west-1", "eu-central-1"]}]))]
    pub match_expressions: Vec<Requirement>,
}

/// One set-based selector requirement.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Requirement {
    /// Label key.
    #[schemars(example = &"region")]
    pub key: String,
    /// Operator.
    #[schemars(example = serde_json::json!("In"))]
    pub operator: Operator,
    /// Values; required for `In` and `NotIn`, empty for `Exists` and `DoesNotExist`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["eu-west-1", "eu-central-1"]))]
    pub values: Vec<String>,
}

/// Selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
pub enum Operator {
    /// The label's value is one of `values`.
    In,
    /// The label is missing or its value is none of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

/// Changes for the clusters of one environment, one region, one environment in one region,
/// or one cluster.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Override {
    /// Applies to this environment's clusters (combinable with `region`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("production"))]
    pub environment: Option<String>,
    /// Applies to this region's clusters (combinable with `environment`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("eu-west-1"))]
    pub region: Option<String>,
    /// Applies to this one cluster (not combinable).
    #[serde(default)]
    #[schemars(example = serde_json::json!("prod-eu-west-1"))]
    pub cluster: Option<String>,
    /// Applies to the clusters whose labels match (not combinable; needs `name`). Merged after
    /// the environment and region overrides, in spec order, before cluster overrides.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchLabels": {"accelerator": "nvidia"}}))]
    pub selector: Option<Selector>,
    /// The clusters of a ClusterGroup (one of `clusterGroups`, or fleetc's `env-…`/`region-…`):
    /// a selector override with the group's selector, named after the group unless `name` says
    /// otherwise.
    #[serde(default)]
    #[schemars(example = serde_json::json!("gpu"))]
    pub cluster_group: Option<String>,
    /// Name of a `selector` override: it names the customizations it leads to (`sel-<name>-…`).
    #[serde(default)]
    #[schemars(example = serde_json::json!("gpu"))]
    pub name: Option<String>,
    /// Replica count.
    #[serde(default)]
    #[schemars(range(max = 2_147_483_647))]
    #[schemars(example = serde_json::json!(5))]
    pub replicas: Option<u32>,
    /// Image tags by image name.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"registry.gitlab.example.com/acme/web": "1.4.3"}))]
    pub images: BTreeMap<String, String>,
    /// Resource requests and limits; replaces the broader setting key by key.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"requests": {"cpu": "500m"}}))]
    pub resources: Option<Resources>,
    /// Helm values, deep-merged over the broader ones.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"controller": {"replicaCount": 3}}))]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Kustomize patches, applied after the broader ones.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  paused: false\n"}]))]
    pub patches: Vec<Patch>,
    /// Raw YAML apps: files of the bundle directory whose whole content these clusters get from
    /// another file (relative to the output root), as Fleet's overlay replacement files do.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"redis-slave-deployment.yaml": "variants/redis-no-replication.yaml"}))]
    pub replace_files: BTreeMap<String, String>,
    /// Helm options (Helm apps only), merged over the broader ones as Fleet merges them.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"timeoutSeconds": 900, "valuesFiles": ["values/production.yaml"]}))]
    pub helm: Option<HelmOverride>,
    /// Keep the app's resources on these clusters when it leaves them. Fleet ORs it with the
    /// app's: it can be switched on per target, never off.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub keep_resources: Option<bool>,
    /// Namespace the app's resources go to on these clusters, instead of the app's
    /// `namespace` (with `forceNamespace`, every resource).
    #[serde(default)]
    #[schemars(example = serde_json::json!("web-eu"))]
    pub namespace: Option<String>,
    /// Service account the app is deployed as on these clusters.
    #[serde(default)]
    #[schemars(example = serde_json::json!("fleet-restricted"))]
    pub service_account: Option<String>,
    /// Raise it to redeploy the app on these clusters.
    #[serde(default)]
    #[schemars(range(min = 1, max = 9_007_199_254_740_991_u64))]
    #[schemars(example = serde_json::json!(3))]
    pub force_sync_generation: Option<u64>,
    /// Drift handling on these clusters: `correctDrift` replaces the app's, `comparePatches`
    /// replace the app's patch for the same object or are added.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"correctDrift": {"enabled": false}}))]
    pub drift: Option<Drift>,
    /// Keep the app off these clusters although a target reaches them (Fleet's
    /// `doNotDeploy`). A narrower override may set it back to `false`.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub do_not_deploy: Option<bool>,
    /// More Secrets and ConfigMaps copied to these clusters, besides the app's.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"kind": "ConfigMap", "name": "site-eu"}]))]
    pub downstream_resources: Vec<DownstreamResource>,
}

/// One dependency: an app of this spec by name, or an entry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DependsOn {
    /// An app of this spec.
    App(String),
    /// An app, a bundle or a bundle selector, with the states that count as ready.
    Entry(DependsOnEntry),
}

/// A dependency with options. Exactly one of `app`, `bundle` and `selector`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DependsOnEntry {
    /// An app of this spec.
    #[serde(default)]
    #[schemars(example = serde_json::json!("cert-manager"))]
    pub app: Option<String>,
    /// A bundle fleetc does not manage, by its name in Fleet (in the same workspace).
    #[serde(default)]
    #[schemars(example = serde_json::json!("monitoring-crds"))]
    pub bundle: Option<String>,
    /// Bundles whose labels match, on the same cluster.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchLabels": {"team": "platform"}}))]
    pub selector: Option<Selector>,
    /// States of the dependency that let this app go ahead. Default: `Ready` only. Fleet 0.15
    /// or newer.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["Ready", "Modified"]))]
    pub accepted_states: Vec<BundleState>,
}

/// A BundleDeployment's state, as Fleet names it (rancher/fleet v0.16.1
/// pkg/apis/fleet.cattle.io/v1alpha1/bundle_types.go:15-34).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize, JsonSchema,
)]
pub enum BundleState {
    /// Deployed and every resource ready.
    Ready,
    /// Deployed, some resources not ready.
    NotReady,
    /// Synced to the agent, not yet applied.
    WaitApplied,
    /// Failed to apply.
    ErrApplied,
    /// A newer version is not yet deployed.
    OutOfSync,
    /// Still processed by the controller.
    Pending,
    /// Deployed and ready, but changed outside Git.
    Modified,
}
