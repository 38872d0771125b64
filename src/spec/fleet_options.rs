//! Fleet's own bundle options that fleetc passes through as they are (drift handling and
//! comparePatches): declared once, for the spec, emit and import alike.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Drift handling of a bundle.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Drift {
    /// Let Fleet revert changes made to deployed resources outside Git.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"enabled": true}))]
    pub correct_drift: Option<CorrectDrift>,
    /// Fields Fleet ignores when comparing live resources with Git (fields that controllers mutate).
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "jsonPointers": ["/spec/replicas"]}]))]
    pub compare_patches: Vec<ComparePatch>,
}

/// Fleet drift correction.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CorrectDrift {
    /// Correct drift.
    #[schemars(example = serde_json::json!(true))]
    pub enabled: bool,
    /// Delete and recreate resources Helm cannot patch. Recreating causes downtime.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schemars(extend("default" = false))]
    pub force: bool,
    /// Keep the Helm history of failed corrections.
    #[serde(default)]
    #[schemars(example = serde_json::json!(false))]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schemars(extend("default" = false))]
    pub keep_fail_history: bool,
}

/// A resource whose listed fields Fleet ignores when detecting drift.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComparePatch {
    /// API version of the resource.
    #[schemars(example = &"apps/v1")]
    pub api_version: String,
    /// Kind of the resource.
    #[schemars(example = &"Deployment")]
    pub kind: String,
    /// Name of the resource.
    #[schemars(example = serde_json::json!("web"))]
    pub name: String,
    /// Namespace of the resource. Omitted: any namespace, and cluster-scoped resources (Fleet
    /// matches a patch whose namespace is empty or equal to the object's).
    #[serde(default)]
    #[schemars(example = serde_json::json!("web"))]
    // Written only when given: Fleet matches `jsonPointers` when the patch's namespace is empty
    // or equal to the object's, so a forced namespace never matches a cluster-scoped object (a
    // webhook configuration, a CRD) and its bundle stays Modified (rancher/fleet v0.16.1
    // internal/cmd/agent/deployer/internal/normalizers/diff_normalizer.go:76-79).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// JSON pointers of fields to ignore.
    #[serde(default)]
    #[schemars(example = serde_json::json!(["/spec/replicas"]))]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    pub json_pointers: Vec<String>,
    /// JSON patch operations applied before comparing.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"op": "remove", "path": "/spec/template/metadata/annotations"}]))]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<PatchOperation>,
}

/// A JSON patch operation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchOperation {
    /// Operation, usually `remove`.
    #[schemars(example = serde_json::json!("remove"))]
    pub op: String,
    /// JSON pointer of the field.
    #[schemars(example = serde_json::json!("/spec/replicas"))]
    pub path: String,
    /// Value for `add`, `replace` and `test`.
    #[serde(default)]
    #[schemars(example = serde_json::json!("3"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A ConfigMap or Secret whose key holds Helm values, read on each cluster when the chart is
/// installed (Fleet's `valuesFrom` entry). Exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ValuesFrom {
    /// Values from a ConfigMap on the downstream cluster.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(example = serde_json::json!({"name": "ingress-values", "key": "values.yaml"}))]
    pub config_map_key_ref: Option<ValuesRef>,
    /// Values from a Secret on the downstream cluster: where credentials belong.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(example = serde_json::json!({"name": "ingress-credentials", "key": "values.yaml"}))]
    pub secret_key_ref: Option<ValuesRef>,
}

/// One key of a ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ValuesRef {
    /// Name of the ConfigMap or Secret.
    #[schemars(example = &"ingress-values")]
    pub name: String,
    /// Its namespace. Default: the app's namespace (Fleet reads it from the release's namespace).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"ingress")]
    pub namespace: Option<String>,
    /// The key holding a YAML document of values. Default: `values.yaml`.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"values.yaml")]
    pub key: Option<String>,
}

impl ValuesFrom {
    /// Fleet's identity of an entry: a customization's entry replaces the app's entry with the
    /// same identity, others are appended (rancher/fleet v0.16.1
    /// internal/cmd/controller/options/calculate.go:26-34).
    pub fn identity(&self) -> String {
        match (&self.config_map_key_ref, &self.secret_key_ref) {
            (Some(r), _) => format!(
                "configmap|{}|{}|{}",
                r.namespace.as_deref().unwrap_or_default(),
                r.name,
                r.key.as_deref().unwrap_or_default()
            ),
            (None, Some(r)) => format!(
                "secret|{}|{}|{}",
                r.namespace.as_deref().unwrap_or_default(),
                r.name,
                r.key.as_deref().unwrap_or_default()
            ),
            (None, None) => String::new(),
        }
    }
}

/// A count of clusters or partitions: a number, or a percentage such as `"10%"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrPercent {
    /// A number.
    Int(u32),
    /// A percentage, `"0%"` to `"100%"`.
    Percent(String),
}

/// A Secret or ConfigMap of the workspace Fleet copies to each cluster of the app, into its
/// namespace (Fleet's `downstreamResources`, from Fleet 0.14).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DownstreamResource {
    /// `Secret` or `ConfigMap`.
    #[schemars(example = serde_json::json!("Secret"))]
    pub kind: DownstreamKind,
    /// Its name in the workspace namespace.
    #[schemars(example = &"registry-credentials")]
    pub name: String,
}

/// What Fleet's agent can copy downstream (rancher/fleet v0.16.1
/// internal/cmd/agent/controller/bundledeployment_controller.go:383-393).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum DownstreamKind {
    /// A Secret.
    Secret,
    /// A ConfigMap.
    ConfigMap,
}

/// Conditions Fleet ignores when it reports a bundle's state (Fleet's `ignore`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IgnoreOptions {
    /// Conditions, each a map of condition fields to values (`type`, `status`).
    #[schemars(example = serde_json::json!([{"type": "Ready", "status": "False"}]))]
    pub conditions: Vec<std::collections::BTreeMap<String, String>>,
}

/// How Fleet rolls a change out across the app's clusters.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RolloutStrategy {
    /// Clusters that may be unavailable (not ready) before Fleet pauses the rollout. Fleet's
    /// default: 100%.
    #[serde(default)]
    #[schemars(example = serde_json::json!("10%"))]
    pub max_unavailable: Option<IntOrPercent>,
    /// Partitions that may be unavailable before Fleet pauses the rollout. Fleet's default: 0.
    #[serde(default)]
    #[schemars(example = serde_json::json!(1))]
    pub max_unavailable_partitions: Option<IntOrPercent>,
    /// Size of the partitions Fleet makes of clusters no partition names. Fleet's default: 25%.
    #[serde(default)]
    #[schemars(example = serde_json::json!("25%"))]
    pub auto_partition_size: Option<IntOrPercent>,
    /// Fewer target clusters than this make one partition. Fleet 0.15 or newer; default 200.
    #[serde(default)]
    #[schemars(example = serde_json::json!(50))]
    pub auto_partition_threshold: Option<u32>,
    /// New BundleDeployments Fleet creates per reconciliation. Fleet 0.15 or newer; default 50.
    #[serde(default)]
    #[schemars(range(min = 1))]
    #[schemars(example = serde_json::json!(20))]
    pub max_new: Option<u32>,
    /// Partitions, rolled out in order; each names its clusters like a target does.
    #[serde(default)]
    #[schemars(example = serde_json::json!([{"name": "canary", "cluster": "prod-eu-west-1", "maxUnavailable": 0}, {"name": "eu", "region": "eu-west-1"}]))]
    pub partitions: Vec<Partition>,
}

/// A set of clusters rolled out together. All given criteria must hold, as in a target.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Partition {
    /// Display name. Default: made from the criteria.
    #[serde(default)]
    #[schemars(example = serde_json::json!("canary"))]
    pub name: Option<String>,
    /// Clusters of this partition that may be unavailable before it counts as done. Fleet's
    /// default: 10%.
    #[serde(default)]
    #[schemars(example = serde_json::json!(0))]
    pub max_unavailable: Option<IntOrPercent>,
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
    #[schemars(example = serde_json::json!({"matchLabels": {"ring": "canary"}}))]
    pub selector: Option<super::Selector>,
    /// Clusters of this ClusterGroup (as in a target).
    #[serde(default)]
    #[schemars(example = serde_json::json!("canary-stores"))]
    pub cluster_group: Option<String>,
    /// Clusters of every ClusterGroup whose own labels match this selector (as in a target).
    #[serde(default)]
    #[schemars(example = serde_json::json!({"matchLabels": {"ring": "early"}}))]
    pub cluster_group_selector: Option<super::Selector>,
}
