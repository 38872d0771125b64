//! A Fleet-semantics evaluator over the emitted files: for every declared cluster, which
//! GitRepo targets match (so which bundles it gets) and which targetCustomization Fleet picks,
//! computed from the generated GitRepos, ClusterGroups and fleet.yaml files by Fleet's own rules,
//! and compared with what fleetc's model (and so `explain` and `diff`) says, for every cluster of
//! every fixture.
//!
//! Fleet's rules followed (rancher/fleet v0.16.1):
//! - a target's criteria (clusterName, clusterGroup, clusterSelector, clusterGroupSelector) are
//!   ANDed; a target with none matches nothing; `clusterSelector: {}` matches every cluster
//!   (internal/cmd/controller/target/matcher/clustermatcher.go:69-78);
//! - a cluster gets a BundleDeployment when any GitRepo target matches it, and a
//!   targetCustomization never adds one (internal/cmd/controller/target/builder.go);
//! - in the default FirstMatch mode the first matching targetCustomization applies
//!   (internal/cmd/controller/target/target.go).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common;

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `metav1.LabelSelector` matching.
fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    let exact = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let exprs = sel["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|r| {
            let key = r["key"].as_str().unwrap();
            let values: Vec<&str> = r["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let have = labels.get(key).map(String::as_str);
            match r["operator"].as_str().unwrap() {
                "In" => have.is_some_and(|v| values.contains(&v)),
                "NotIn" => have.is_none_or(|v| !values.contains(&v)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                op => panic!("operator {op}"),
            }
        });
    exact && exprs
}

/// Fleet's `ClusterMatcher.Match` for one target (or customization).
fn matches(
    target: &Value,
    cluster: &str,
    labels: &BTreeMap<String, String>,
    groups: &BTreeMap<String, Value>,
) -> bool {
    let mut criteria: Vec<bool> = Vec::new();
    if let Some(name) = target.get("clusterName").and_then(Value::as_str) {
        criteria.push(name == cluster);
    }
    if let Some(g) = target.get("clusterGroup").and_then(Value::as_str) {
        criteria.push(groups.get(g).is_some_and(|sel| selects(sel, labels)));
    }
    if let Some(sel) = target.get("clusterSelector").filter(|v| !v.is_null()) {
        criteria.push(selects(sel, labels));
    }
    assert!(
        target.get("clusterGroupSelector").is_none(),
        "not emitted by fleetc yet"
    );
    !criteria.is_empty() && criteria.into_iter().all(|c| c)
}

#[test]
fn fleet_deploys_and_customizes_every_cluster_as_fleetc_says() {
    let mut pairs = 0;
    for b in common::built_trees() {
        let fleet = &b.compiled.fleet;
        let groups: BTreeMap<String, Value> = std::fs::read_dir(b.root.join("fleet/clustergroups"))
            .unwrap()
            .map(|e| yaml(&e.unwrap().path()))
            .map(|g| {
                (
                    g["metadata"]["name"].as_str().unwrap().to_owned(),
                    g["spec"]["selector"].clone(),
                )
            })
            .collect();
        for app in &fleet.apps {
            let fleet_yaml = yaml(&b.root.join(&app.bundle_dir).join("fleet.yaml"));
            let customizations = fleet_yaml["targetCustomizations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for repo in &app.gitrepos {
                let gitrepo = yaml(&b.root.join(format!("fleet/gitrepos/{}.yaml", repo.name)));
                let prefix = if fleet.repo_path.is_empty() {
                    String::new()
                } else {
                    format!("{}/", fleet.repo_path)
                };
                assert_eq!(
                    gitrepo["spec"]["paths"][0],
                    format!("{prefix}{}", app.bundle_dir),
                    "{}",
                    b.name
                );
                let targets = gitrepo["spec"]["targets"].as_array().unwrap();
                for (c, cl) in fleet.clusters.iter().enumerate() {
                    // rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:91-140:
                    // a cluster the GitRepo targets gets a BundleDeployment unless the first
                    // targetCustomization it matches says `doNotDeploy` (the fix of
                    // rancher/fleet#4688 consulted any matching one; both must agree).
                    let first = customizations
                        .iter()
                        .find(|tc| matches(tc, &cl.name, &cl.labels, &groups));
                    let skip_first = first.is_some_and(|tc| tc["doNotDeploy"] == true);
                    let skip_any = customizations.iter().any(|tc| {
                        tc["doNotDeploy"] == true && matches(tc, &cl.name, &cl.labels, &groups)
                    });
                    assert_eq!(skip_first, skip_any, "{}: {}", b.name, cl.name);
                    let deployed = !skip_first
                        && targets
                            .iter()
                            .any(|t| matches(t, &cl.name, &cl.labels, &groups));
                    let expected =
                        cl.environment == repo.env && app.clusters.binary_search(&c).is_ok();
                    assert_eq!(
                        deployed, expected,
                        "{}: GitRepo {} on {}: Fleet deploys {deployed}, fleetc says {expected}",
                        b.name, repo.name, cl.name
                    );
                    if !deployed {
                        continue;
                    }
                    pairs += 1;
                    let picked = customizations
                        .iter()
                        .find(|tc| matches(tc, &cl.name, &cl.labels, &groups))
                        .map(|tc| tc["name"].as_str().unwrap().to_owned());
                    let says = app
                        .customizations
                        .iter()
                        .find(|cu| cu.clusters.contains(&c))
                        .map(|cu| fleet.scope_name(&cu.scope));
                    assert_eq!(
                        picked, says,
                        "{}: app {} on {}: Fleet picks {picked:?}, fleetc (explain) says {says:?}",
                        b.name, app.name, cl.name
                    );
                }
            }
        }
    }
    assert!(pairs > 20, "{pairs} app-cluster pairs checked");
}

/// Why an app's targets are also in fleet.yaml: a GitRepo reads fleet.yaml at its environment's
/// pinned revision, but the GitRepo object itself (and the ClusterGroups) come from the branch.
/// After a merge that moves a target (here production's us-east-1 target to ap-southeast-1), a
/// cluster gets the app only where the branch's targets and the pinned ones agree: the new region
/// waits for promotion. And an environment pinned to a commit from before the `doNotDeploy`
/// entries existed keeps exactly the branch's targets, never the whole environment.
#[test]
fn a_widening_of_targets_reaches_an_environment_only_with_its_revision() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let pinned = common::compile(tmp.path()).unwrap();
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "      - environment: production\n        region: us-east-1",
            "      - environment: production\n        region: ap-southeast-1",
        )],
    );
    let branch = common::compile(tmp.path()).unwrap();
    let doc = |files: &fleetc::output::Tree, path: &str| -> Value {
        serde_saphyr::from_str(&files[path]).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let groups: BTreeMap<String, Value> = branch
        .files
        .keys()
        .filter(|p| p.starts_with("fleet/clustergroups/"))
        .map(|p| doc(&branch.files, p))
        .map(|g| {
            (
                g["metadata"]["name"].as_str().unwrap().to_owned(),
                g["spec"]["selector"].clone(),
            )
        })
        .collect();
    let fleet = &branch.fleet;
    let web = |f: &fleetc::model::Fleet| f.apps.iter().find(|a| a.name == "web").unwrap().clone();
    let (old, new) = (web(&pinned.fleet), web(fleet));
    let old_yaml = doc(&pinned.files, &format!("{}/fleet.yaml", old.bundle_dir));
    let with_entries = old_yaml["targetCustomizations"].as_array().unwrap().clone();
    // The same fleet.yaml as an older fleetc wrote it.
    let without_entries: Vec<Value> = with_entries
        .iter()
        .filter(|tc| tc["doNotDeploy"] != true)
        .cloned()
        .collect();
    assert!(without_entries.len() < with_entries.len());
    let (mut held_back, mut deployed_count) = (0, 0);
    for repo in &new.gitrepos {
        let gitrepo = doc(&branch.files, &format!("fleet/gitrepos/{}.yaml", repo.name));
        let targets = gitrepo["spec"]["targets"].as_array().unwrap();
        for (c, cl) in fleet.clusters.iter().enumerate() {
            let deploys = |customizations: &[Value]| {
                let skip = customizations
                    .iter()
                    .find(|tc| matches(tc, &cl.name, &cl.labels, &groups))
                    .is_some_and(|tc| tc["doNotDeploy"] == true);
                !skip
                    && targets
                        .iter()
                        .any(|t| matches(t, &cl.name, &cl.labels, &groups))
            };
            let in_env = cl.environment == repo.env;
            let (was, is) = (old.clusters.contains(&c), new.clusters.contains(&c));
            assert_eq!(
                deploys(&with_entries),
                in_env && was && is,
                "GitRepo {} on {}: branch's GitRepo + pinned fleet.yaml",
                repo.name,
                cl.name
            );
            assert_eq!(
                deploys(&without_entries),
                in_env && is,
                "GitRepo {} on {}: branch's GitRepo + a fleet.yaml from before the entries",
                repo.name,
                cl.name
            );
            held_back += usize::from(in_env && is && !was);
            deployed_count += usize::from(in_env && was && is);
        }
    }
    assert!(held_back > 0, "the edit must widen the targets somewhere");
    assert!(deployed_count > 2, "{deployed_count} deployments checked");
}
