//! Maintenance windows: Fleet Schedules (Fleet 0.14 and later).

use schemars::JsonSchema;
use serde::Deserialize;

use super::Target;

/// A Fleet Schedule: its clusters take new deployments only while one of its windows is open.
/// Outside them Fleet holds every bundle's changes for those clusters, fleetc's and any other
/// (rancher/fleet v0.16.1 internal/cmd/controller/target/target.go:71).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Schedule {
    /// Schedule name (a DNS label).
    #[schemars(example = &"weekend-window")]
    pub name: String,
    /// The Fleet workspace it is created in; it reaches only that workspace's clusters.
    /// Default: `fleet.namespace`.
    #[serde(default)]
    #[schemars(example = &"fleet-default")]
    pub workspace: Option<String>,
    /// When each window opens: a Quartz cron expression with seconds first (`sec min hour
    /// day-of-month month day-of-week [year]`, `?` in one of the two day fields), as Fleet reads
    /// it.
    #[schemars(example = &"0 0 22 ? * FRI")]
    pub schedule: String,
    /// How long each window stays open: a Go duration (`h`, `m`, `s`), shorter than the time
    /// between two openings.
    #[schemars(example = &"56h")]
    pub duration: String,
    /// IANA time zone the cron expression is read in. Default: the Fleet controller's local
    /// time zone.
    #[serde(default)]
    #[schemars(example = &"Europe/Berlin")]
    pub location: Option<String>,
    /// The clusters it holds, selected as an app's targets are.
    #[schemars(length(min = 1))]
    #[schemars(example = serde_json::json!([{"environment": "production"}]))]
    pub targets: Vec<Target>,
}
