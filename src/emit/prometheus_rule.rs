//! A `PrometheusRule` (monitoring.coreos.com/v1) alerting on the metrics Fleet really exports,
//! and beside it the same rule groups as a plain rules file with `promtool` unit tests that make
//! every alert fire on series shaped the way the Prometheus operator scrapes them.
//!
//! Fleet's bundle gauges carry labels that change on every rollout (`commit`, `generation`,
//! `state`); each change starts a new series and would reset an alert's `for:` timer. Every
//! expression therefore aggregates them away, keeping only what identifies the bundle. Fleet's
//! own `namespace` label (the workspace) collides with the target label a ServiceMonitor adds
//! (`cattle-fleet-system`) and, without `honorLabels`, arrives as `exported_namespace`: the label
//! is `monitoring.namespaceLabel`.

use crate::pointer::Ptr;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::k8s::ObjectMeta;
use super::{Artifact, Kind};
use crate::model::Fleet;
use crate::model::Monitoring;
use crate::values::{LabelValue, PromDuration};
use crate::versions;

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

#[derive(Serialize, Clone)]
struct Group {
    name: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize, Clone)]
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
/// The rule groups as a plain rules file, for `promtool`.
pub(super) const RULES_PATH: &str = "monitoring/promtool/fleet-alerts.rules.yaml";
/// The unit tests: `promtool test rules monitoring/promtool/fleet-alerts.test.yaml`.
pub(super) const TESTS_PATH: &str = "monitoring/promtool/fleet-alerts.test.yaml";

/// How one alert is made to fire in its unit test.
struct Fires {
    /// Input series: metric with labels (as scraped), and the values notation of promtool.
    series: Vec<(String, String)>,
    /// Labels the alert carries (besides alertname and severity).
    labels: Vec<(&'static str, &'static str)>,
    /// `$value` in the annotations.
    value: &'static str,
}

pub(super) fn emit(fleet: &Fleet, m: &Monitoring) -> Vec<Artifact> {
    let (groups, fires) = groups(fleet, m);
    let labels: Vec<(&str, &str)> = m
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let doc = PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: ObjectMeta::managed("fleetc-fleet-alerts", &m.namespace, &labels),
        spec: Spec {
            groups: groups.clone(),
        },
    };
    let owner = Ptr::path(&["monitoring"]);
    vec![
        Artifact::new(PATH.to_owned(), Kind::PrometheusRule, owner.clone(), &doc),
        Artifact::new(
            RULES_PATH.to_owned(),
            Kind::PrometheusRules,
            owner.clone(),
            &json!({ "groups": groups }),
        ),
        Artifact::new(
            TESTS_PATH.to_owned(),
            Kind::PrometheusTests,
            owner,
            &tests(fleet, m, &groups, &fires),
        ),
    ]
}

fn groups(fleet: &Fleet, m: &Monitoring) -> (Vec<Group>, BTreeMap<&'static str, Fires>) {
    // Fleet labels its metrics with the object's workspace: one workspace is matched
    // exactly, several by an anchored alternation (PromQL regex matchers are fully anchored).
    let workspaces = fleet.workspaces();
    let ns_match = if workspaces.len() == 1 {
        format!("=\"{}\"", workspaces[0])
    } else {
        format!("=~\"{}\"", workspaces.join("|"))
    };
    let nl = &m.namespace_label;
    let t = &m.thresholds;
    let s = &m.severities;
    let bundle = |metric: &str| format!("max by ({nl}, name, repo) ({metric}{{{nl}{ns_match}}})");
    let rule = |alert,
                expr: String,
                for_: &PromDuration,
                severity: &LabelValue,
                summary: &str,
                description: &str| Rule {
        alert,
        expr,
        for_: for_.to_string(),
        labels: BTreeMap::from([("severity".to_owned(), severity.to_string())]),
        annotations: BTreeMap::from([
            ("summary", summary.replace("NS", nl)),
            ("description", description.replace("NS", nl)),
        ]),
    };
    let mut fires = BTreeMap::new();
    let bundle_fires = |metric: &str, value: &'static str| Fires {
        series: vec![
            // A rollout changes `commit` and `generation` halfway: the alert keeps firing.
            (
                format!(
                    "{metric}{{name=\"web-apps-web\", repo=\"web\", commit=\"c0ffee1\", generation=\"1\", state=\"x\"}}"
                ),
                format!("{value}xH _xH"),
            ),
            (
                format!(
                    "{metric}{{name=\"web-apps-web\", repo=\"web\", commit=\"c0ffee2\", generation=\"2\", state=\"x\"}}"
                ),
                format!("_xH {value}xH"),
            ),
        ],
        labels: vec![("name", "web-apps-web"), ("repo", "web")],
        value,
    };
    let mut bundles = Vec::new();
    for (alert, metric, for_, sev, summary, description) in [
        (
            "FleetBundleFailed",
            "fleet_bundle_err_applied",
            &t.failed,
            &s.failed,
            "Fleet bundle {{ $labels.name }} failed to apply",
            "Bundle {{ $labels.NS }}/{{ $labels.name }} (repo {{ $labels.repo }}) is ErrApplied on {{ $value }} cluster(s). A bundle waiting for a dependency also shows as ErrApplied.",
        ),
        (
            "FleetBundleModified",
            "fleet_bundle_modified",
            &t.modified,
            &s.modified,
            "Fleet bundle {{ $labels.name }} drifted from Git",
            "Resources of bundle {{ $labels.NS }}/{{ $labels.name }} were changed outside Git on {{ $value }} cluster(s).",
        ),
        (
            "FleetBundleOutOfSync",
            "fleet_bundle_out_of_sync",
            &t.out_of_sync,
            &s.out_of_sync,
            "Fleet bundle {{ $labels.name }} is not rolled out",
            "A newer version of bundle {{ $labels.NS }}/{{ $labels.name }} has not reached {{ $value }} cluster(s): paused, rollout-limited or outside its schedule.",
        ),
        (
            "FleetBundleWaitApplied",
            "fleet_bundle_wait_applied",
            &t.wait_applied,
            &s.wait_applied,
            "Fleet bundle {{ $labels.name }} waits for clusters to apply it",
            "{{ $value }} cluster(s) have not applied bundle {{ $labels.NS }}/{{ $labels.name }}; they are probably unreachable. This is also how an agent that stopped checking in shows.",
        ),
    ] {
        bundles.push(rule(
            alert,
            format!("{} > 0", bundle(metric)),
            for_,
            sev,
            summary,
            description,
        ));
        fires.insert(alert, bundle_fires(metric, "1"));
    }
    bundles.push(rule(
        "FleetBundleNotReady",
        format!(
            "{} - {} > 0",
            bundle("fleet_bundle_desired_ready"),
            bundle("fleet_bundle_ready")
        ),
        &t.not_ready,
        &s.not_ready,
        "Fleet bundle {{ $labels.name }} is not ready everywhere",
        "Bundle {{ $labels.NS }}/{{ $labels.name }} is ready on {{ $value }} fewer cluster(s) than it should be.",
    ));
    let mut not_ready = bundle_fires("fleet_bundle_desired_ready", "3");
    not_ready
        .series
        .extend(bundle_fires("fleet_bundle_ready", "2").series);
    not_ready.value = "1";
    fires.insert("FleetBundleNotReady", not_ready);
    let mut groups = vec![Group {
        name: "fleet-bundles",
        rules: bundles,
    }];
    // The git counters exist from Fleet 0.13 on; older Fleet has no such series to alert on.
    if fleet.fleet_version >= versions::FLEET_GIT_METRICS {
        let counter = |metric: &str| {
            format!(
                "sum by ({nl}, name) (increase({metric}{{{nl}{ns_match}}}[{}])) > 0",
                t.git_fetch
            )
        };
        let counter_fires = |metric: &str| Fires {
            series: vec![(format!("{metric}{{name=\"web\"}}"), "0+1xD".to_owned())],
            labels: vec![("name", "web")],
            value: "",
        };
        groups.push(Group {
            name: "fleet-gitrepos",
            rules: vec![
                rule(
                    "FleetGitFetchFailing",
                    counter("fleet_gitrepo_fetch_latest_commit_failure_total"),
                    &t.git_fetch,
                    &s.git_fetch,
                    "Fleet cannot fetch GitRepo {{ $labels.name }}",
                    "Fleet failed to fetch the latest commit of GitRepo {{ $labels.NS }}/{{ $labels.name }}: check the repository URL, branch and credentials Secret.",
                ),
                rule(
                    "FleetGitJobFailing",
                    counter("fleet_gitjobs_created_failure_total"),
                    &t.git_fetch,
                    &s.git_fetch,
                    "Fleet cannot create jobs for GitRepo {{ $labels.name }}",
                    "Fleet failed to create the git job that turns GitRepo {{ $labels.NS }}/{{ $labels.name }} into bundles.",
                ),
            ],
        });
        fires.insert(
            "FleetGitFetchFailing",
            counter_fires("fleet_gitrepo_fetch_latest_commit_failure_total"),
        );
        fires.insert(
            "FleetGitJobFailing",
            counter_fires("fleet_gitjobs_created_failure_total"),
        );
    }
    groups.push(Group {
        name: "fleet-clusters",
        rules: vec![rule(
            "FleetClusterNeverCheckedIn",
            format!(
                "max by ({nl}, name, cluster_display_name) (fleet_cluster_state{{{nl}{ns_match}, state=\"WaitCheckIn\"}}) == 1"
            ),
            &t.wait_applied,
            &s.wait_applied,
            "Fleet cluster {{ $labels.cluster_display_name }} has never checked in",
            "The Fleet agent of cluster {{ $labels.NS }}/{{ $labels.name }} has not checked in since it was registered. Fleet reports WaitCheckIn only until an agent's first check-in: an agent that stops later shows up as bundles waiting to be applied (FleetBundleWaitApplied).",
        )],
    });
    fires.insert(
        "FleetClusterNeverCheckedIn",
        Fires {
            series: vec![(
                "fleet_cluster_state{name=\"c-m-abc12\", cluster_name=\"c-m-abc12\", cluster_display_name=\"prod-1\", generation=\"1\", state=\"WaitCheckIn\"}".to_owned(),
                "1xD".to_owned(),
            )],
            labels: vec![("name", "c-m-abc12"), ("cluster_display_name", "prod-1")],
            value: "1",
        },
    );
    (groups, fires)
}

/// promtool unit tests: one per alert, on series labelled as the operator scrapes them
/// (target `namespace` of Fleet's pods, Fleet's own one under the configured label).
fn tests(fleet: &Fleet, m: &Monitoring, groups: &[Group], fires: &BTreeMap<&str, Fires>) -> Value {
    let nl = &m.namespace_label;
    let ws = &fleet.workspace;
    let scrape = |metric_with_labels: &str| -> String {
        let (metric, rest) = metric_with_labels
            .split_once('{')
            .unwrap_or((metric_with_labels, "}"));
        let mut labels = format!("{nl}=\"{ws}\", ");
        if nl != "namespace" {
            labels.push_str("namespace=\"cattle-fleet-system\", ");
        }
        labels.push_str("job=\"monitoring-fleet-controller\", instance=\"10.42.0.7:8080\", ");
        format!("{metric}{{{labels}{rest}")
    };
    let mut cases = Vec::new();
    for g in groups {
        for r in &g.rules {
            let Some(f) = fires.get(r.alert) else {
                continue;
            };
            let minutes = duration_minutes(&r.for_);
            // Long enough for `for:` and a rate window of the same length, twice over.
            let half = 2 * minutes + 5;
            let series: Vec<Value> = f
                .series
                .iter()
                .map(|(s, values)| {
                    json!({"series": scrape(s), "values": values.replace('D', &(2 * half).to_string()).replace('H', &half.to_string())})
                })
                .collect();
            let mut exp_labels = BTreeMap::new();
            exp_labels.insert(nl.clone(), ws.clone());
            for (k, v) in &f.labels {
                exp_labels.insert((*k).to_owned(), (*v).to_owned());
            }
            for (k, v) in &r.labels {
                exp_labels.insert(k.clone(), v.clone());
            }
            let expand = |tpl: &str| {
                let mut s = tpl.to_owned();
                for (k, v) in &exp_labels {
                    s = s.replace(&format!("{{{{ $labels.{k} }}}}"), v);
                }
                s.replace("{{ $value }}", f.value)
            };
            let mut alert = json!({"exp_labels": exp_labels});
            if r.annotations
                .values()
                .all(|a| !a.contains("$value") || !f.value.is_empty())
            {
                alert["exp_annotations"] = json!(
                    r.annotations
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), expand(v)))
                        .collect::<BTreeMap<_, _>>()
                );
            }
            cases.push(json!({
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    // Not yet: the condition has not lasted `for:`.
                    {"eval_time": format!("{}m", minutes.saturating_sub(1)), "alertname": r.alert, "exp_alerts": []},
                    {"eval_time": format!("{}m", 2 * half - 1), "alertname": r.alert, "exp_alerts": [alert]},
                ],
            }));
        }
    }
    json!({
        "rule_files": ["fleet-alerts.rules.yaml"],
        "evaluation_interval": "1m",
        "tests": cases,
    })
}

/// Whole minutes in a Prometheus duration that resolve has already validated.
fn duration_minutes(d: &str) -> u64 {
    let mut total = 0u64;
    let mut num = 0u64;
    let mut chars = d.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(digit) = c.to_digit(10) {
            num = num * 10 + u64::from(digit);
            continue;
        }
        let secs = match c {
            'y' => 365 * 86_400,
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0
            }
            'm' => 60,
            's' => 1,
            _ => 0,
        };
        total += num * secs;
        num = 0;
    }
    total.div_ceil(60).max(1)
}
