//! A `PrometheusRule` (monitoring.coreos.com/v1) alerting on the metrics Fleet really exports.
//!
//! Fleet's bundle gauges carry labels that change on every rollout (`commit`, `generation`,
//! `state`); each change starts a new series and would reset an alert's `for:` timer. Every
//! expression therefore aggregates them away, keeping only what identifies the bundle.

use std::collections::BTreeMap;

use serde::Serialize;

use super::k8s::ObjectMeta;
use super::{Artifact, Kind};
use crate::model::Fleet;
use crate::spec::Monitoring;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrometheusRule {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: Spec,
}

#[derive(Serialize)]
struct Spec {
    groups: Vec<Group>,
}

#[derive(Serialize)]
struct Group {
    name: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Rule {
    alert: &'static str,
    expr: String,
    #[serde(rename = "for")]
    for_: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<&'static str, String>,
}

/// The file the rule goes to, relative to the output root.
pub(super) const PATH: &str = "monitoring/fleet-alerts.yaml";

pub(super) fn emit(fleet: &Fleet, m: &Monitoring) -> Artifact {
    let ns = &fleet.workspace;
    let t = &m.thresholds;
    let s = &m.severities;
    let bundle =
        |metric: &str| format!("max by (namespace, name, repo) ({metric}{{namespace=\"{ns}\"}})");
    let rule = |alert,
                expr: String,
                for_: &String,
                severity: &String,
                summary: &str,
                description: &str| Rule {
        alert,
        expr,
        for_: for_.clone(),
        labels: BTreeMap::from([("severity".to_owned(), severity.clone())]),
        annotations: BTreeMap::from([
            ("summary", summary.to_owned()),
            ("description", description.to_owned()),
        ]),
    };
    let groups = vec![
        Group {
            name: "fleet-bundles",
            rules: vec![
                rule(
                    "FleetBundleFailed",
                    format!("{} > 0", bundle("fleet_bundle_err_applied")),
                    &t.failed,
                    &s.failed,
                    "Fleet bundle {{ $labels.name }} failed to apply",
                    "Bundle {{ $labels.namespace }}/{{ $labels.name }} (repo {{ $labels.repo }}) is ErrApplied on {{ $value }} cluster(s). A bundle waiting for a dependency also shows as ErrApplied.",
                ),
                rule(
                    "FleetBundleModified",
                    format!("{} > 0", bundle("fleet_bundle_modified")),
                    &t.modified,
                    &s.modified,
                    "Fleet bundle {{ $labels.name }} drifted from Git",
                    "Resources of bundle {{ $labels.namespace }}/{{ $labels.name }} were changed outside Git on {{ $value }} cluster(s).",
                ),
                rule(
                    "FleetBundleOutOfSync",
                    format!("{} > 0", bundle("fleet_bundle_out_of_sync")),
                    &t.out_of_sync,
                    &s.out_of_sync,
                    "Fleet bundle {{ $labels.name }} is not rolled out",
                    "A newer version of bundle {{ $labels.namespace }}/{{ $labels.name }} has not reached {{ $value }} cluster(s): paused, rollout-limited or outside its schedule.",
                ),
                rule(
                    "FleetBundleWaitApplied",
                    format!("{} > 0", bundle("fleet_bundle_wait_applied")),
                    &t.wait_applied,
                    &s.wait_applied,
                    "Fleet bundle {{ $labels.name }} waits for clusters to apply it",
                    "{{ $value }} cluster(s) have not applied bundle {{ $labels.namespace }}/{{ $labels.name }}; they are probably unreachable.",
                ),
                rule(
                    "FleetBundleNotReady",
                    format!(
                        "{} - {} > 0",
                        bundle("fleet_bundle_desired_ready"),
                        bundle("fleet_bundle_ready")
                    ),
                    &t.not_ready,
                    &s.not_ready,
                    "Fleet bundle {{ $labels.name }} is not ready everywhere",
                    "Bundle {{ $labels.namespace }}/{{ $labels.name }} is ready on {{ $value }} fewer cluster(s) than it should be.",
                ),
            ],
        },
        Group {
            name: "fleet-gitrepos",
            rules: vec![
                rule(
                    "FleetGitFetchFailing",
                    format!(
                        "sum by (namespace, name) (increase(fleet_gitrepo_fetch_latest_commit_failure_total{{namespace=\"{ns}\"}}[{}])) > 0",
                        t.git_fetch
                    ),
                    &t.git_fetch,
                    &s.git_fetch,
                    "Fleet cannot fetch GitRepo {{ $labels.name }}",
                    "Fleet failed to fetch the latest commit of GitRepo {{ $labels.namespace }}/{{ $labels.name }}: check the repository URL, branch and credentials Secret.",
                ),
                rule(
                    "FleetGitJobFailing",
                    format!(
                        "sum by (namespace, name) (increase(fleet_gitjobs_created_failure_total{{namespace=\"{ns}\"}}[{}])) > 0",
                        t.git_fetch
                    ),
                    &t.git_fetch,
                    &s.git_fetch,
                    "Fleet cannot create jobs for GitRepo {{ $labels.name }}",
                    "Fleet failed to create the git job that turns GitRepo {{ $labels.namespace }}/{{ $labels.name }} into bundles.",
                ),
            ],
        },
        Group {
            name: "fleet-clusters",
            rules: vec![rule(
                "FleetClusterNotCheckingIn",
                format!(
                    "max by (namespace, name, cluster_display_name) (fleet_cluster_state{{namespace=\"{ns}\", state=\"WaitCheckIn\"}}) == 1"
                ),
                &t.wait_applied,
                &s.wait_applied,
                "Fleet cluster {{ $labels.cluster_display_name }} does not check in",
                "The Fleet agent of cluster {{ $labels.namespace }}/{{ $labels.name }} has not checked in.",
            )],
        },
    ];
    let labels: Vec<(&str, &str)> = m
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let doc = PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: ObjectMeta::managed("fleetc-fleet-alerts", &m.namespace, &labels),
        spec: Spec { groups },
    };
    Artifact::new(
        PATH.to_owned(),
        Kind::PrometheusRule,
        "/monitoring".to_owned(),
        &doc,
    )
}
