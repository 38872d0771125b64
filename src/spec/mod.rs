//! The fleet spec (`fleetc.yaml`, version 1) as the user writes it.
//!
//! These types are the single source of truth for the spec's shape: the loader deserializes
//! into them, and `fleetc schema` derives the published JSON Schema from them. They carry no
//! meaning beyond shape; names, references and selectors are checked by `resolve`.
//!
//! Every struct denies unknown keys, so a typo is an error, never silently ignored.

mod apps;
mod fleet_options;
mod gitlab;
mod gitrepos;
mod monitoring;
mod schedules;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

pub use apps::*;
pub use fleet_options::*;
pub use gitlab::*;
pub use gitrepos::*;
pub use monitoring::*;
pub use schedules::*;

/// The only spec version this fleetc understands.
pub const SPEC_VERSION: u64 = 1;

/// A fleetc spec: one file that describes a whole fleet of clusters and the apps they run.
/// fleetc compiles it into Fleet GitRepos, ClusterGroups, fleet.yaml bundles and kustomize overlays.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "fleetc spec", extend("$id" = "https://fleetc.dev/schemas/fleetc.schema.json"))]
pub struct Spec {
    /// Spec format version. Must be `1`.
    #[schemars(extend("const" = 1), example = 1)]
    pub version: u64,
    /// How Fleet pulls this repository: workspace namespace, Git URL, branch and credentials.
    #[schemars(example = serde_json::json!({"repo": "https://gitlab.example.com/platform/fleet-manifests.git", "branch": "main"}))]
    pub fleet: FleetSettings,
    /// Deployment environments, in promotion order (the first is deployed first).
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"name": "staging", "tier": "staging"}, {"name": "production", "tier": "production", "promotion": "manual"}]))]
    pub environments: Vec<Environment>,
    /// Every downstream cluster Fleet deploys to.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"name": "prod-eu-west-1", "environment": "production", "region": "eu-west-1"}]))]
    pub clusters: Vec<Cluster>,
    /// Named Fleet ClusterGroups beside the ones fleetc makes for every environment and region:
    /// any selector over cluster labels, and labels of their own for `clusterGroupSelector`.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "gpu", "selector": {"matchLabels": {"accelerator": "nvidia"}}, "labels": {"team": "ml"}}]))]
    pub cluster_groups: Vec<ClusterGroup>,
    /// Labels that clusters opt in with (set on the Fleet Cluster object, in Rancher or by
    /// `kubectl label`) and that no declared cluster needs to carry yet: label key → the values
    /// it takes (none listed: any value). A target or selector on such a label is a warning
    /// (W017) while no declared cluster carries it, not an unknown-label error.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"monitoring.example.com/enabled": ["true"]}))]
    pub opt_in_labels: BTreeMap<String, Vec<String>>,
    /// A cluster inventory file, relative to the output root: the Fleet Cluster objects of the
    /// live fleet (`kubectl get clusters.fleet.cattle.io -A -o yaml`). fleetc compares the
    /// declared clusters with it (W019, W020) and `explain` shows what live clusters the spec
    /// does not declare get.
    #[serde(default)]
    #[schemars(example = &"inventory/clusters.yaml")]
    pub cluster_inventory: Option<String>,
    /// GitLab agents for Kubernetes and the clusters or environments each one serves.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "prod-eu", "environments": ["production"]}]))]
    pub agents: Vec<Agent>,
    /// Applications: one Fleet bundle each.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "web", "namespace": "web", "source": {"helm": {"repo": "https://charts.example.com", "chart": "web", "version": "1.2.0"}}, "targets": [{"environment": "production"}]}]))]
    pub apps: Vec<App>,
    /// GitRepos that pull several apps each (an app joins one with `gitRepo`), from the branch
    /// or a fixed revision for every environment at once. Apps without `gitRepo` get one GitRepo
    /// per environment, which the promotion gates.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "platform", "labels": {"team": "platform"}}]))]
    pub git_repos: Vec<GitRepo>,
    /// Settings per Fleet workspace: the GitRepoRestriction of a tenant's workspace.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "tenant-shop", "gitRepoRestriction": {"allowedTargetNamespaces": ["shop"]}}]))]
    pub workspaces: Vec<Workspace>,
    /// Maintenance windows (Fleet Schedules): clusters that take new deployments only while a
    /// window is open.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "weekend-window", "schedule": "0 0 22 ? * FRI", "duration": "56h", "location": "Europe/Berlin", "targets": [{"environment": "production"}]}]))]
    pub schedules: Vec<Schedule>,
    /// The GitLab instance and projects. With it fleetc also writes agent configurations, agent
    /// Helm values and RBAC, and `.gitlab-ci.yml`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"url": "https://gitlab.example.com", "agentProject": "platform/fleet-agents", "manifestsProject": "platform/fleet-manifests", "registry": "registry.gitlab.example.com/acme"}))]
    pub gitlab: Option<GitLab>,
    /// The generated pipeline: build, test, verification and the drift check.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"fleetcImage": "registry.gitlab.example.com/platform/fleetc:0.1"}))]
    pub pipeline: Option<Pipeline>,
    /// Prometheus alerts on Fleet's own metrics. With it fleetc writes a PrometheusRule.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"namespace": "cattle-monitoring-system", "labels": {"release": "rancher-monitoring"}}))]
    pub monitoring: Option<Monitoring>,
}

/// Settings for the Fleet side: where the GitRepos live and which repository and branch they pull.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FleetSettings {
    /// Fleet workspace namespace the GitRepos and ClusterGroups are created in.
    /// Downstream clusters registered through Rancher live in `fleet-default`.
    #[serde(default = "default_workspace")]
    #[schemars(example = &"fleet-default")]
    pub namespace: String,
    /// HTTPS or SSH URL of the Git repository Fleet pulls (the repository holding this spec's output).
    #[schemars(example = &"https://gitlab.example.com/platform/fleet-manifests.git")]
    pub repo: String,
    /// Branch Fleet pulls. Always emitted explicitly: Fleet's own default is `master`.
    #[schemars(example = &"main")]
    pub branch: String,
    /// Name of an existing Secret (type `kubernetes.io/basic-auth` or `kubernetes.io/ssh-auth`) in the
    /// workspace namespace holding the Git credentials. Never the credentials themselves.
    #[serde(default)]
    #[schemars(example = &"gitlab-fleet-deploy-token")]
    pub client_secret_name: Option<String>,
    /// Directory of the output root inside the Git repository, when the spec does not sit at the
    /// repository root. Prefixed to every GitRepo `paths` entry.
    #[serde(default)]
    #[schemars(example = &"gitops")]
    pub repo_path: Option<String>,
    /// How often Fleet polls the repository, as a Go duration (`15s`, `1m`, `1h`).
    /// Omitted: Fleet's default of 15 seconds.
    #[serde(default)]
    #[schemars(example = &"1m")]
    pub polling_interval: Option<String>,
    /// The Fleet version the management cluster runs (`MAJOR.MINOR[.PATCH]`). fleetc emits only
    /// what this version supports. Default: `0.13` (Rancher 2.12).
    #[serde(default)]
    #[schemars(example = &"0.15.6")]
    pub version: Option<String>,
    /// Label keys on the Fleet Cluster objects that carry a cluster's environment, region and name.
    /// Selectors and ClusterGroups match on these keys.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"environment": "env", "region": "region", "name": "management.cattle.io/cluster-display-name"}))]
    pub cluster_labels: ClusterLabelKeys,
    /// Existing Secret with credentials for private Helm repositories (GitRepo `helmSecretName`).
    /// Fleet sends them only to charts whose URL matches `helmRepoURLRegex`.
    #[serde(default)]
    #[schemars(example = &"helm-credentials")]
    pub helm_secret_name: Option<String>,
    /// Which chart URLs get the Helm credentials (OCI registries included): a regular expression
    /// Fleet 0.16 (and 0.13.11, 0.14.6, 0.15.2) anchors at the start of the URL (`^(?:...)`) and
    /// without which it sends them to no repository; older releases match it anywhere and send
    /// them everywhere without it.
    #[serde(default, rename = "helmRepoURLRegex")]
    #[schemars(example = &"https://charts\\.example\\.com/")]
    pub helm_repo_url_regex: Option<String>,
    /// Existing Secret whose token Fleet checks on webhook calls (GitRepo `webhookSecret`).
    #[serde(default)]
    #[schemars(example = &"gitlab-webhook")]
    pub webhook_secret: Option<String>,
    /// Do not poll: Fleet fetches the repository only when a webhook tells it to.
    #[serde(default)]
    #[schemars(example = serde_json::json!(true))]
    pub disable_polling: bool,
    /// Existing Secret with Helm credentials per bundle path (GitRepo
    /// `helmSecretNameForPaths`: a key `secrets-path.yaml` mapping paths to credentials).
    #[serde(default)]
    #[schemars(example = &"helm-credentials-by-path")]
    pub helm_secret_name_for_paths: Option<String>,
    /// PEM-encoded CA certificates that sign the Git server's (and Helm repositories')
    /// certificate. fleetc writes them base64-encoded, as the GitRepo takes them.
    #[serde(default)]
    #[schemars(example = &"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n")]
    pub ca_bundle: Option<String>,
    /// Skip TLS verification of the Git server. Prefer `caBundle`.
    #[serde(default, rename = "insecureSkipTLSVerify")]
    #[schemars(example = serde_json::json!(false))]
    pub insecure_skip_tls_verify: bool,
    /// Existing Secret (type `fleet.cattle.io/bundle-oci-storage/v1alpha1`) naming an OCI
    /// registry where Fleet keeps the bundles' contents instead of in the cluster's etcd.
    #[serde(default)]
    #[schemars(example = &"bundle-storage")]
    pub oci_registry_secret: Option<String>,
}

fn default_workspace() -> String {
    "fleet-default".to_owned()
}

/// Label keys fleetc relies on. The defaults suit Rancher: it sets
/// `management.cattle.io/cluster-display-name` on every Fleet Cluster itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterLabelKeys {
    /// Label key holding the cluster's environment name.
    #[serde(default = "default_env_key")]
    #[schemars(example = &"env")]
    pub environment: String,
    /// Label key holding the cluster's region.
    #[serde(default = "default_region_key")]
    #[schemars(example = &"region")]
    pub region: String,
    /// Label key holding the cluster's name.
    #[serde(default = "default_name_key")]
    #[schemars(example = &"management.cattle.io/cluster-display-name")]
    pub name: String,
}

impl Default for ClusterLabelKeys {
    fn default() -> Self {
        ClusterLabelKeys {
            environment: default_env_key(),
            region: default_region_key(),
            name: default_name_key(),
        }
    }
}

fn default_env_key() -> String {
    "env".to_owned()
}
fn default_region_key() -> String {
    "region".to_owned()
}
fn default_name_key() -> String {
    "management.cattle.io/cluster-display-name".to_owned()
}

/// A deployment environment such as staging or production.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Environment {
    /// Environment name (a Kubernetes label value, lowercase letters, digits and `-`).
    #[schemars(example = &"production")]
    pub name: String,
    /// GitLab deployment tier of this environment.
    #[schemars(example = serde_json::json!("production"))]
    pub tier: Tier,
    /// Whether a change reaches this environment automatically after the previous one, or waits
    /// for a manual gate.
    #[serde(default)]
    #[schemars(example = serde_json::json!("manual"))]
    pub promotion: Promotion,
    /// Warning codes deliberately accepted for this environment, e.g. `[W005]` for a production
    /// environment that is promoted automatically on purpose.
    #[serde(default)]
    #[schemars(example = vec!["W005"])]
    pub acknowledge: Vec<String>,
}

/// GitLab deployment tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Production environments.
    Production,
    /// Staging environments.
    Staging,
    /// Testing environments.
    Testing,
    /// Development environments.
    Development,
    /// Any other environment.
    Other,
}

impl Tier {
    /// The tier as the spec and GitLab spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Production => "production",
            Tier::Staging => "staging",
            Tier::Testing => "testing",
            Tier::Development => "development",
            Tier::Other => "other",
        }
    }
}

/// How a change is promoted into an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Promotion {
    /// Deployed as soon as the previous environment succeeded.
    #[default]
    Automatic,
    /// Waits for a person to start the deployment.
    Manual,
}

/// A downstream cluster registered in Fleet.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// Cluster name as Fleet displays it (a DNS label, at most 63 characters).
    #[schemars(example = &"prod-eu-west-1")]
    pub name: String,
    /// Name of the environment this cluster belongs to.
    #[schemars(example = &"production")]
    pub environment: String,
    /// Region the cluster runs in.
    #[schemars(example = &"eu-west-1")]
    pub region: String,
    /// Further labels of the Fleet Cluster object; app target selectors match on them.
    #[serde(default)]
    #[schemars(example = example_labels())]
    pub labels: BTreeMap<String, String>,
    /// GitLab agent serving this cluster. Omitted: the agent whose `clusters` or `environments` list it.
    #[serde(default)]
    #[schemars(example = &"prod-eu")]
    pub agent: Option<String>,
    /// The Fleet workspace (namespace) its Cluster object is in: `fleet-local` for the
    /// management cluster itself. Default: `fleet.namespace`. A GitRepo reaches only the
    /// clusters of its own workspace.
    #[serde(default)]
    #[schemars(example = &"fleet-local")]
    pub workspace: Option<String>,
}

/// A named Fleet ClusterGroup.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterGroup {
    /// Name of the ClusterGroup object (a DNS label).
    #[schemars(example = &"gpu")]
    pub name: String,
    /// The clusters it holds: those whose labels match.
    #[schemars(example = serde_json::json!({"matchLabels": {"accelerator": "nvidia"}}))]
    pub selector: apps::Selector,
    /// Labels of the ClusterGroup object itself, for targets by `clusterGroupSelector`.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"team": "ml"}))]
    pub labels: BTreeMap<String, String>,
}

fn example_labels() -> serde_json::Value {
    serde_json::json!({"workload": "data-processing"})
}
