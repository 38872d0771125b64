//! The bundled example's generated tree is committed and must be exactly what the spec produces.

use crate::common;

#[test]
fn example_tree_is_up_to_date() {
    let dir = common::repo().join("examples/fleet");
    let compiled = common::compile(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
    let survey = fleetc::output::survey(&dir, &compiled.files);
    let drift = fleetc::output::check(&survey, &compiled.files);
    let mut report = String::new();
    for (_, diff) in &drift.stale {
        report.push_str(diff);
    }
    assert!(
        drift.is_clean(),
        "examples/fleet is stale; run `cargo run -- build --spec examples/fleet/fleetc.yaml`\n{report}missing: {:?}\nunexpected: {:?}",
        drift.missing,
        drift.unexpected
    );
}

#[test]
fn example_covers_what_the_issue_asks_for() {
    let dir = common::repo().join("examples/fleet");
    let fleet = common::compile(&dir).unwrap().fleet;
    let regions: Vec<&str> = fleet.regions.iter().map(|r| r.as_str()).collect();
    for r in ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-1"] {
        assert!(regions.contains(&r), "{r}");
    }
    let envs: Vec<&str> = fleet.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(envs, ["staging", "production"]);
    assert!(fleet.clusters.iter().any(|c| {
        c.labels
            .get("workload")
            .is_some_and(|w| w == "data-processing")
    }));
    let kinds: Vec<bool> = fleet
        .apps
        .iter()
        .map(|a| matches!(a.source, fleetc::model::AppSource::Helm(_)))
        .collect();
    assert!(kinds.contains(&true) && kinds.contains(&false));
    // The web app reaches exactly the EU production clusters (not the data cluster), prod-us and staging.
    let web = fleet.apps.iter().find(|a| a.name == "web").unwrap();
    let names: Vec<&str> = web
        .clusters
        .iter()
        .map(|c| fleet.clusters[*c].name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "staging-us-east-1",
            "staging-eu-west-1",
            "prod-us-east-1",
            "prod-eu-west-1",
            "prod-eu-central-1"
        ]
    );
    assert!(!web.depends_on.is_empty());
}
