//! Prometheus alerts on Fleet's metrics.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// Prometheus alerts on Fleet metrics.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitoring {
    /// Namespace of the PrometheusRule.
    #[schemars(example = &"cattle-monitoring-system")]
    pub namespace: String,
    /// The label that carries Fleet's own `namespace` (the workspace) as Prometheus stores it.
    /// Scraped through a ServiceMonitor without `honorLabels` (rancher-monitoring), Fleet's
    /// `namespace` collides with the target's and arrives as `exported_namespace`; with
    /// `honorLabels: true` it stays `namespace`.
    #[serde(default = "default_namespace_label")]
    #[schemars(example = &"namespace")]
    pub namespace_label: String,
    /// Image with `promtool` that the pipeline's `alerts` job runs the alerts' unit tests in.
    #[serde(default = "default_promtool_image")]
    #[schemars(example = &"prom/prometheus:v2.53.4")]
    pub promtool_image: String,
    /// Labels the Prometheus operator's `ruleSelector` matches.
    #[serde(default)]
    #[schemars(example = example_rule_labels())]
    pub labels: BTreeMap<String, String>,
    /// How long a condition lasts before its alert fires.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"outOfSync": "45m"}))]
    pub thresholds: Thresholds,
    /// Severity label of each alert.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"modified": "critical"}))]
    pub severities: Severities,
}

fn default_promtool_image() -> String {
    "prom/prometheus:v2.53.4".to_owned()
}

fn default_namespace_label() -> String {
    "exported_namespace".to_owned()
}

fn example_rule_labels() -> serde_json::Value {
    serde_json::json!({"release": "rancher-monitoring"})
}

/// Durations (Prometheus `for:`), per condition.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Thresholds {
    /// A bundle failed to apply on some cluster.
    #[serde(default = "d5m")]
    #[schemars(example = serde_json::json!("5m"))]
    pub failed: String,
    /// Deployed resources were modified outside Git (drift).
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub modified: String,
    /// A new version is not yet rolled out to some cluster.
    #[serde(default = "d30m")]
    #[schemars(example = serde_json::json!("30m"))]
    pub out_of_sync: String,
    /// A cluster has not applied what it was given (likely unreachable).
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub wait_applied: String,
    /// Fewer clusters are ready than should be.
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub not_ready: String,
    /// Fleet cannot fetch the Git repository.
    #[serde(default = "d15m")]
    #[schemars(example = serde_json::json!("15m"))]
    pub git_fetch: String,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            failed: d5m(),
            modified: d15m(),
            out_of_sync: d30m(),
            wait_applied: d15m(),
            not_ready: d15m(),
            git_fetch: d15m(),
        }
    }
}

fn d5m() -> String {
    "5m".to_owned()
}
fn d15m() -> String {
    "15m".to_owned()
}
fn d30m() -> String {
    "30m".to_owned()
}

/// Alert severities.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Severities {
    /// Failed to apply.
    #[serde(default = "critical")]
    #[schemars(example = serde_json::json!("critical"))]
    pub failed: String,
    /// Drift.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub modified: String,
    /// Out of sync.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub out_of_sync: String,
    /// Waiting for a cluster.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub wait_applied: String,
    /// Not all clusters ready.
    #[serde(default = "warning")]
    #[schemars(example = serde_json::json!("warning"))]
    pub not_ready: String,
    /// Git fetch failing.
    #[serde(default = "critical")]
    #[schemars(example = serde_json::json!("critical"))]
    pub git_fetch: String,
}

impl Default for Severities {
    fn default() -> Self {
        Severities {
            failed: critical(),
            modified: warning(),
            out_of_sync: warning(),
            wait_applied: warning(),
            not_ready: warning(),
            git_fetch: critical(),
        }
    }
}

fn critical() -> String {
    "critical".to_owned()
}
fn warning() -> String {
    "warning".to_owned()
}
