//! How much of Fleet's surface the spec reaches, measured: every property of Fleet's published
//! `fleet.yaml` schema and of the GitRepo, ClusterGroup and Bundle CRD specs (vendored in
//! `third_party/fleet/`) is either emitted by the example or some fixture, or listed in
//! `tests/coverage/exclusions.yaml` with a one-line reason. A Bundle property counts as emitted
//! when `fleet.yaml` emits it (Fleet builds the Bundle from `fleet.yaml`). README's coverage
//! table is made from the same numbers and must be current (`FLEETC_BLESS=1` rewrites it).

use std::collections::{BTreeMap, BTreeSet};

use fleetc::emit::Kind;
use serde_json::Value;

use crate::common;

/// The documents measured: (name in the exclusion file and the table, its schema).
fn schemas() -> Vec<(&'static str, Value)> {
    let fleet_yaml: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("third_party/fleet/fleet.yaml.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let spec_of = |crd: &str| {
        common::fleet_crd(crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
            ["spec"]
            .clone()
    };
    // Objects without a `spec`: their fields beside `metadata`.
    let top_of = |crd: &str| {
        let mut schema =
            common::fleet_crd(crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
        let props = schema["properties"].as_object_mut().unwrap();
        for k in ["apiVersion", "kind", "metadata"] {
            props.remove(k);
        }
        schema
    };
    vec![
        ("fleet.yaml", fleet_yaml),
        ("GitRepo", spec_of("gitrepos.fleet.cattle.io")),
        ("ClusterGroup", spec_of("clustergroups.fleet.cattle.io")),
        ("Bundle", spec_of("bundles.fleet.cattle.io")),
        (
            "GitRepoRestriction",
            top_of("gitreporestrictions.fleet.cattle.io"),
        ),
        (
            "BundleNamespaceMapping",
            top_of("bundlenamespacemappings.fleet.cattle.io"),
        ),
        ("Schedule", spec_of("schedules.fleet.cattle.io")),
        ("HelmOp", spec_of("helmops.fleet.cattle.io")),
    ]
}

/// Every property path of a schema (`helm.valuesFrom[].configMapKeyRef.name`), following
/// `$ref`s (each definition once per path, so recursive schemas end) and `anyOf`/`oneOf`/
/// `allOf`. Free-form maps (`values`, `labels`) are leaves.
fn properties(schema: &Value) -> BTreeSet<String> {
    fn walk(
        node: &Value,
        path: &str,
        defs: &Value,
        seen: &mut Vec<String>,
        out: &mut BTreeSet<String>,
    ) {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap().to_owned();
            if seen.contains(&name) {
                return;
            }
            seen.push(name.clone());
            walk(&defs[&name], path, defs, seen, out);
            seen.pop();
            return;
        }
        for k in ["anyOf", "oneOf", "allOf"] {
            for sub in node.get(k).and_then(Value::as_array).into_iter().flatten() {
                walk(sub, path, defs, seen, out);
            }
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                let p = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                out.insert(p.clone());
                walk(sub, &p, defs, seen, out);
            }
        }
        if let Some(items) = node.get("items").filter(|i| i.is_object()) {
            walk(items, &format!("{path}[]"), defs, seen, out);
        }
    }
    let defs = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut out = BTreeSet::new();
    walk(schema, "", &defs, &mut Vec::new(), &mut out);
    out
}

/// Every key path of an emitted document, in the same notation.
fn emitted_paths(v: &Value, path: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, sub) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                out.insert(p.clone());
                emitted_paths(sub, &p, out);
            }
        }
        Value::Array(a) => {
            for sub in a {
                emitted_paths(sub, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// `tests/coverage/exclusions.yaml`: per document, a property (or a prefix covering everything
/// under it) and why it is not emitted. A reason starting with `not yet` is work still to do.
fn exclusions() -> BTreeMap<String, BTreeMap<String, String>> {
    serde_saphyr::from_str(
        &std::fs::read_to_string(common::repo().join("tests/coverage/exclusions.yaml")).unwrap(),
    )
    .unwrap()
}

fn excluded<'a>(list: &'a BTreeMap<String, String>, path: &str) -> Option<(&'a str, &'a str)> {
    list.iter()
        .find(|(p, _)| {
            path == p.as_str()
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
        })
        .map(|(p, r)| (p.as_str(), r.as_str()))
}

/// A Bundle property not emitted is excluded for the reason its source in fleet.yaml or the
/// GitRepo is (the mapping of `every_fleet_property_is_emitted_or_excluded_with_a_reason`).
fn inherited<'a>(
    all: &'a BTreeMap<String, BTreeMap<String, String>>,
    doc: &str,
    path: &str,
) -> Option<(&'a str, &'a str)> {
    // A HelmOp's spec is a BundleSpec written by the same code as fleet.yaml
    // (`emit::fleet_yaml::bundle`): what excludes a Bundle property excludes it there.
    if doc == "HelmOp" {
        let bundle = all.get("Bundle");
        return bundle
            .and_then(|list| excluded(list, path))
            .or_else(|| inherited(all, "Bundle", path));
    }
    if doc != "Bundle" {
        return None;
    }
    let sources = [
        (
            "fleet.yaml",
            path.replacen("targets[]", "targetCustomizations[]", 1),
        ),
        ("fleet.yaml", path.to_owned()),
        (
            "fleet.yaml",
            path.replacen("targetRestrictions[]", "overrideTargets[]", 1),
        ),
        (
            "GitRepo",
            path.replacen("targetRestrictions[]", "targets[]", 1),
        ),
        ("GitRepo", path.to_owned()),
    ];
    sources
        .iter()
        .find_map(|(d, p)| all.get(*d).and_then(|list| excluded(list, p)))
        // A source's rule is not a Bundle rule: report it as used by no Bundle entry.
        .map(|(_, reason)| ("", reason))
}

/// One row of the table.
struct Row {
    document: &'static str,
    properties: usize,
    emitted: usize,
    excluded: usize,
    not_yet: usize,
}

#[test]
fn every_fleet_property_is_emitted_or_excluded_with_a_reason() {
    let built = common::built_trees();
    assert!(!built.is_empty());
    let mut emitted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for b in &built {
        for a in &b.compiled.artifacts {
            let (doc, value) = match a.kind {
                Kind::FleetYaml => ("fleet.yaml", &a.value()),
                Kind::GitRepo => ("GitRepo", &a.value()["spec"]),
                Kind::ClusterGroup => ("ClusterGroup", &a.value()["spec"]),
                Kind::GitRepoRestriction => ("GitRepoRestriction", &a.value()),
                Kind::BundleNamespaceMapping => ("BundleNamespaceMapping", &a.value()),
                Kind::Schedule => ("Schedule", &a.value()["spec"]),
                Kind::HelmOp => ("HelmOp", &a.value()["spec"]),
                _ => continue,
            };
            emitted_paths(value, "", emitted.entry(doc).or_default());
        }
    }
    // Fleet makes the Bundle from fleet.yaml and the GitRepo: fleet.yaml's options as they
    // are, its targetCustomizations and the GitRepo's targets as `targets`, and the GitRepo's
    // targets (or fleet.yaml's overrideTargets) as `targetRestrictions`
    // (rancher/fleet v0.16.1 internal/bundlereader/read.go:236-255,
    // internal/cmd/controller/gitops/reconciler/targetsyaml.go:17-28).
    let mut bundle = emitted["fleet.yaml"].clone();
    let renamed = |set: &BTreeSet<String>, from: &str, to: &str| -> Vec<String> {
        set.iter()
            .filter_map(|p| p.strip_prefix(from).map(|rest| format!("{to}{rest}")))
            .collect()
    };
    let fleet_yaml = emitted["fleet.yaml"].clone();
    let gitrepo = emitted.get("GitRepo").cloned().unwrap_or_default();
    bundle.extend(renamed(&fleet_yaml, "targetCustomizations", "targets"));
    bundle.extend(renamed(
        &fleet_yaml,
        "overrideTargets",
        "targetRestrictions",
    ));
    bundle.extend(renamed(&gitrepo, "targets", "targets"));
    bundle.extend(renamed(&gitrepo, "targets", "targetRestrictions"));
    // A HelmOp's BundleSpec comes from the same builder as fleet.yaml, but for what a HelmOp
    // cannot carry (files from Git, which fleetc refuses for HelmOp apps) and what only a
    // GitRepo makes (`targetRestrictions`).
    let from_git = [
        "kustomize",
        "yaml",
        "helm.valuesFiles",
        "targetRestrictions",
    ];
    let mut helm_op = emitted.get("HelmOp").cloned().unwrap_or_default();
    helm_op.extend(
        bundle
            .iter()
            .filter(|p| {
                let p = p.strip_prefix("targets[].").unwrap_or(p);
                !from_git.iter().any(|g| {
                    p == *g || p.starts_with(&format!("{g}.")) || p.starts_with(&format!("{g}[]"))
                })
            })
            .cloned(),
    );
    emitted.insert("HelmOp", helm_op);
    emitted.insert("Bundle", bundle);

    let exclusions = exclusions();
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (doc, schema) in schemas() {
        let props = properties(&schema);
        assert!(props.len() > 3, "{doc}: the schema walk found too little");
        let empty = BTreeMap::new();
        let list = exclusions.get(doc).unwrap_or(&empty);
        let mut row = Row {
            document: doc,
            properties: props.len(),
            emitted: 0,
            excluded: 0,
            not_yet: 0,
        };
        let mut used = BTreeSet::new();
        for p in &props {
            let is_emitted = emitted.get(doc).is_some_and(|e| e.contains(p));
            let reason = excluded(list, p).or_else(|| inherited(&exclusions, doc, p));
            match (is_emitted, reason) {
                (true, Some((rule, _))) => {
                    // Emitted after all: the exclusion is stale for this property, unless it is
                    // a prefix excluding others under it too.
                    if rule == p && !rule.is_empty() {
                        problems.push(format!(
                            "{doc}: `{p}` is emitted now; remove it from exclusions.yaml"
                        ));
                    }
                    used.insert(rule);
                    row.emitted += 1;
                }
                (true, None) => row.emitted += 1,
                (false, Some((rule, reason))) => {
                    used.insert(rule);
                    if reason.starts_with("not yet") {
                        row.not_yet += 1;
                    } else {
                        row.excluded += 1;
                    }
                }
                (false, None) => problems.push(format!(
                    "{doc}: `{p}` is neither emitted by a fixture nor excluded with a reason"
                )),
            }
        }
        for rule in list.keys() {
            if !used.contains(rule.as_str()) {
                problems.push(format!(
                    "{doc}: exclusion `{rule}` names no property of the schema"
                ));
            }
        }
        rows.push(row);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // README's table.
    let mut table = String::from(
        "| document | properties | emitted by a fixture | excluded (reason listed) | not yet |\n|---|---:|---:|---:|---:|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.document, r.properties, r.emitted, r.excluded, r.not_yet
        ));
    }
    let readme_path = common::repo().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (start, end) = ("<!-- coverage:start -->\n", "<!-- coverage:end -->");
    let from = readme.find(start).expect("README has a coverage table") + start.len();
    let to = readme.find(end).expect("README's coverage table ends");
    if readme[from..to] != table {
        if std::env::var_os("FLEETC_BLESS").is_some() {
            std::fs::write(
                &readme_path,
                format!("{}{table}{}", &readme[..from], &readme[to..]),
            )
            .unwrap();
        } else {
            panic!(
                "README's coverage table is out of date (FLEETC_BLESS=1 cargo test coverage rewrites it):\n{table}"
            );
        }
    }
}
