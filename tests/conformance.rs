//! Conformance: every emitted artifact validates against the formats' own published schemas
//! (vendored in `third_party/`, or `$FLEETC_UPSTREAM`), and every kustomize overlay builds
//! with the real `kubectl kustomize`.

use std::path::Path;
use std::process::Command;

use fleetc::emit::Kind;
use serde_json::Value;

use crate::common;

fn read_yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `openAPIV3Schema` of a CRD, made strict: objects that list their properties accept no
/// others (the API server would silently prune them, which is exactly the mistake to catch).
fn crd_schema(name: &str) -> Value {
    let crd = common::fleet_crd(name);
    let mut schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    close_objects(&mut schema);
    schema
}

fn close_objects(v: &mut Value) {
    if let Value::Object(m) = v {
        if m.contains_key("properties")
            && !m.contains_key("additionalProperties")
            && !m.contains_key("x-kubernetes-preserve-unknown-fields")
        {
            m.insert("additionalProperties".into(), Value::Bool(false));
        }
        m.values_mut().for_each(close_objects);
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(close_objects);
    }
}

fn validator(schema: &Value, draft: jsonschema::Draft) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(draft)
        .build(schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} violates its schema:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

#[test]
fn artifacts_validate_against_upstream_schemas() {
    let up = common::upstream();
    let gitrepo = validator(
        &crd_schema("gitrepos.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    let group = validator(
        &crd_schema("clustergroups.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    let restriction = validator(
        &crd_schema("gitreporestrictions.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    let mapping = validator(
        &crd_schema("bundlenamespacemappings.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    let helmop = validator(
        &crd_schema("helmops.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    let schedule = validator(
        &crd_schema("schedules.fleet.cattle.io"),
        jsonschema::Draft::Draft4,
    );
    // The Schedule CRD checks `duration` with a CEL rule, which a JSON Schema validator does
    // not run: the rule's pattern, from third_party/fleet/crds.yaml (v0.16.1).
    let schedule_duration =
        regex::Regex::new(r"^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+$").unwrap();
    let bundle_crd = crd_schema("bundles.fleet.cattle.io");
    let bundle_spec = validator(&bundle_crd["properties"]["spec"], jsonschema::Draft::Draft4);
    let fleet_yaml: Value = serde_json::from_str(
        &std::fs::read_to_string(up.join("fleet/fleet.yaml.schema.json")).unwrap(),
    )
    .unwrap();
    let fleet_yaml = validator(&fleet_yaml, jsonschema::Draft::Draft202012);
    let kustomization: Value = serde_json::from_str(
        &std::fs::read_to_string(up.join("kustomize/kustomization.schema.json")).unwrap(),
    )
    .unwrap();
    let kustomization = validator(&kustomization, jsonschema::Draft::Draft4);

    let ci = validator(
        &read_json(&up.join("gitlab/ci.json")),
        jsonschema::Draft::Draft7,
    );
    let agent = validator(
        &read_json(&up.join("gitlab/gitlab-agent-config.derived.schema.json")),
        jsonschema::Draft::Draft7,
    );
    let rule_crd =
        read_yaml(&up.join("prometheus-operator/monitoring.coreos.com_prometheusrules.yaml"));
    let mut rule_schema = rule_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    close_objects(&mut rule_schema);
    // `partial_response_strategy` (Thanos only, never emitted) has a Go `(?i)` pattern that
    // ECMA-262 regexes reject; drop that one pattern so the rest of the schema compiles.
    drop_go_only_patterns(&mut rule_schema);
    let rule = validator(&rule_schema, jsonschema::Draft::Draft4);
    let chart_values = read_yaml(&up.join("gitlab/gitlab-agent-chart-values.yaml"));

    let mut counts = std::collections::BTreeMap::new();
    for built in common::built_trees() {
        for a in &built.compiled.artifacts {
            let name = &built.name;
            let what = format!("{name}/{}", a.path);
            *counts.entry(format!("{:?}", a.kind)).or_insert(0usize) += 1;
            match a.kind {
                Kind::GitRepo => assert_valid(&gitrepo, &a.value(), &what),
                Kind::ClusterGroup => assert_valid(&group, &a.value(), &what),
                Kind::GitRepoRestriction => assert_valid(&restriction, &a.value(), &what),
                Kind::BundleNamespaceMapping => assert_valid(&mapping, &a.value(), &what),
                Kind::HelmOp => {
                    assert_valid(&helmop, &a.value(), &what);
                    helm_op_accepted(&a.value()["spec"], &what);
                }
                Kind::Schedule => {
                    assert_valid(&schedule, &a.value(), &what);
                    let value = a.value();
                    let d = value["spec"]["duration"].as_str().unwrap();
                    assert!(
                        d == "0" || (schedule_duration.is_match(d) && d.len() <= 32),
                        "{what}: duration `{d}` fails the CRD's CEL rule"
                    );
                }
                // Fleet matches each line as a glob against base names
                // (internal/bundlereader/loaddirectory.go:53): only plain names, each an options
                // file fleetc writes beside it.
                Kind::FleetIgnore => {
                    let dir = a.path.trim_end_matches(".fleetignore");
                    for name in a.value().as_array().unwrap() {
                        let name = name.as_str().unwrap();
                        assert!(
                            !name.contains(['*', '?', '[', '\\', '/']) && !name.starts_with('#'),
                            "{what}: `{name}` is not a plain name"
                        );
                        assert!(
                            built
                                .compiled
                                .artifacts
                                .iter()
                                .any(|o| o.kind == Kind::FleetYaml
                                    && o.path == format!("{dir}{name}")),
                            "{what}: `{name}` is no options file beside it"
                        );
                    }
                }
                Kind::FleetYaml => {
                    assert_valid(&fleet_yaml, &a.value(), &what);
                    // fleet.yaml is a BundleSpec whose `targets` are written `targetCustomizations`;
                    // the Bundle CRD also checks `helm.releaseName` (≤ 53, DNS pattern).
                    // (`labels` and `name` are the Bundle's metadata: FleetYAML in
                    // pkg/apis/fleet.cattle.io/v1alpha1/fleetyaml.go.)
                    let mut spec = a.value().clone();
                    let obj = spec.as_object_mut().unwrap();
                    obj.remove("labels");
                    obj.remove("name");
                    // `overrideTargets` become targets and target restrictions
                    // (rancher/fleet v0.16.1 internal/bundlereader/read.go:236-249).
                    let over = obj.remove("overrideTargets");
                    let mut targets = obj
                        .remove("targetCustomizations")
                        .and_then(|t| t.as_array().cloned())
                        .unwrap_or_default();
                    if let Some(o) = over {
                        targets.extend(o.as_array().unwrap().iter().cloned());
                        obj.insert("targetRestrictions".into(), o);
                    }
                    if !targets.is_empty() {
                        spec["targets"] = Value::Array(targets);
                    }
                    assert_valid(&bundle_spec, &spec, &format!("{what} as a Bundle spec"));
                }
                Kind::Kustomization => assert_valid(&kustomization, &a.value(), &what),
                Kind::GitLabCi => assert_valid(&ci, &a.value(), &what),
                Kind::AgentConfig => assert_valid(&agent, &a.value(), &what),
                Kind::PrometheusRule => assert_valid(&rule, &a.value(), &what),
                Kind::AgentValues => assert_keys_exist(&a.value(), &chart_values, &what, ""),
                // Checked with kubernetes-validate and promtool in `gitlab.rs`.
                Kind::AgentRbac | Kind::PrometheusRules | Kind::PrometheusTests => {}
                // Applied with kubectl in `raw_yaml_overlays_apply_with_kubectl_as_fleet_applies_them`.
                Kind::YamlOverlay | Kind::YamlReplacement => {}
            }
        }
    }
    assert_eq!(
        counts.len(),
        18,
        "every artifact kind was checked: {counts:?}"
    );
}

/// Every key fleetc sets in the chart's values exists in the chart's own values.yaml (a typo
/// there is silently ignored by Helm).
fn assert_keys_exist(ours: &Value, chart: &Value, what: &str, path: &str) {
    let Some(map) = ours.as_object() else { return };
    for (k, v) in map {
        let here = format!("{path}.{k}");
        let theirs = chart
            .get(k)
            .unwrap_or_else(|| panic!("{what}: `{here}` is not a value of the gitlab-agent chart"));
        if v.is_object() && theirs.is_object() {
            assert_keys_exist(v, theirs, what, &here);
        }
    }
}

fn drop_go_only_patterns(v: &mut Value) {
    if let Value::Object(m) = v {
        if m.get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|p| p.contains("(?i)"))
        {
            m.remove("pattern");
        }
        m.values_mut().for_each(drop_go_only_patterns);
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(drop_go_only_patterns);
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_overlay_builds_with_kubectl_kustomize() {
    let Some(kubectl) = common::tool("kubectl", "install kubectl; it bundles kustomize") else {
        return;
    };
    let mut built = 0;
    for b in common::built_trees() {
        let (name, root) = (&b.name, &b.root);
        for a in b
            .compiled
            .artifacts
            .iter()
            .filter(|a| a.kind == Kind::Kustomization)
        {
            let dir = root.join(a.path.trim_end_matches("/kustomization.yaml"));
            // A Helm app's post-render overlay: Fleet writes the chart's output as
            // fleet-manifests.yaml; here, the objects its patches address stand in for it.
            if a.value()["resources"] == serde_json::json!(["fleet-manifests.yaml"]) {
                std::fs::write(
                    dir.join("fleet-manifests.yaml"),
                    rendered_stand_in(&a.value()["patches"]),
                )
                .unwrap();
            }
            let out = Command::new(&kubectl)
                .arg("kustomize")
                .arg(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "kubectl kustomize {name}/{} failed:\n{}",
                a.path,
                String::from_utf8_lossy(&out.stderr)
            );
            let rendered = String::from_utf8_lossy(&out.stdout);
            // Every patch really applied: the scalars it sets are in the output.
            for p in a.value()["patches"].as_array().into_iter().flatten() {
                let patch: Value = serde_saphyr::from_str(p["patch"].as_str().unwrap()).unwrap();
                let mut leaves = Vec::new();
                scalars(&patch, &mut leaves);
                for v in leaves {
                    assert!(
                        rendered.contains(&v),
                        "{name}/{}: `{v}` of a patch is not in the output:\n{rendered}",
                        a.path
                    );
                }
            }
            // The overlay really applied the tag it names.
            for img in a.value()["images"].as_array().into_iter().flatten() {
                let tag = img["newTag"].as_str().unwrap();
                assert!(
                    rendered.contains(&format!(":{tag}")),
                    "{name}/{}: tag {tag} not applied",
                    a.path
                );
            }
            built += 1;
        }
    }
    assert!(built > 0);
}

/// Raw YAML overlays applied as Fleet applies them, with kubectl as the patch engine: for each
/// cluster of a raw YAML app, the root's overlays and then those of the customization Fleet
/// picks there (fleet.yaml's lists appended, calculate.go:129-134), each `<file>_patch.yaml`
/// patching `<file>` (a list as a JSON 6902 patch, an object as a strategic-merge patch on
/// built-in kinds; patch.go with wrangler's patch.Apply). The workload must end with exactly
/// the replicas, image tags and resources fleetc's model (`explain`) says, and every patch must
/// apply.
#[test]
fn raw_yaml_overlays_apply_with_kubectl_as_fleet_applies_them() {
    let Some(kubectl) = common::tool("kubectl", "install kubectl") else {
        return;
    };
    let mut checked = 0;
    for b in common::built_trees() {
        let fleet = &b.compiled.fleet;
        for app in &fleet.apps {
            let fleetc::model::AppSource::Manifests { workload, .. } = &app.source else {
                continue;
            };
            let dir = b.root.join(&app.bundle_dir);
            let fleet_yaml: Value =
                serde_saphyr::from_str(&std::fs::read_to_string(dir.join("fleet.yaml")).unwrap())
                    .unwrap();
            let names = |v: &Value| -> Vec<String> {
                v["yaml"]["overlays"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.as_str().unwrap().to_owned())
                    .collect()
            };
            for &c in &app.clusters {
                // The customization fleetc says the cluster gets, by its name in fleet.yaml.
                let cu = app
                    .customizations
                    .iter()
                    .find(|cu| cu.clusters.contains(&c));
                let mut overlays = names(&fleet_yaml);
                if let Some(cu) = cu {
                    let name = fleet.scope_name(&cu.scope);
                    let tc = fleet_yaml["targetCustomizations"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|t| t["name"] == name.as_str())
                        .unwrap();
                    overlays.extend(names(tc));
                }
                let work = tempfile::tempdir().unwrap();
                for e in std::fs::read_dir(&dir).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_file() && p.file_name().unwrap() != "fleet.yaml" {
                        std::fs::copy(&p, work.path().join(p.file_name().unwrap())).unwrap();
                    }
                }
                for o in &overlays {
                    for e in std::fs::read_dir(dir.join("overlays").join(o)).unwrap() {
                        let p = e.unwrap().path();
                        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
                        let target = work.path().join(name.replacen("_patch.", ".", 1));
                        // A file without `_patch.` replaces (or adds) the file of its name
                        // (patch.go:98-103).
                        if !name.contains("_patch.") {
                            std::fs::copy(&p, &target).unwrap();
                            continue;
                        }
                        let patch: Value =
                            serde_saphyr::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                        let kind = if patch.is_array() {
                            "json"
                        } else {
                            "strategic"
                        };
                        let out = Command::new(&kubectl)
                            .args(["patch", "--local", "-o", "yaml", "--type", kind, "-f"])
                            .arg(&target)
                            .arg("-p")
                            .arg(patch.to_string())
                            .output()
                            .unwrap();
                        assert!(
                            out.status.success(),
                            "{}: {o}/{name} on {}: {}",
                            b.name,
                            fleet.clusters[c].name,
                            String::from_utf8_lossy(&out.stderr)
                        );
                        std::fs::write(&target, &out.stdout).unwrap();
                    }
                }
                let s = app.settings_under(cu);
                // Each replaced file holds its replacement.
                for (f, text) in &s.files {
                    let got: Vec<Value> = serde_saphyr::from_multiple(
                        &std::fs::read_to_string(work.path().join(f)).unwrap(),
                    )
                    .unwrap();
                    let want: Vec<Value> = serde_saphyr::from_multiple(text).unwrap();
                    assert_eq!(got, want, "{}: {f} on {}", b.name, fleet.clusters[c].name);
                }
                let Some(w) = workload else { continue };
                let result: Value = serde_saphyr::from_str(
                    &std::fs::read_to_string(work.path().join(&w.file)).unwrap(),
                )
                .unwrap();
                let spec = &result["spec"];
                if let Some(r) = s.replicas {
                    assert_eq!(spec["replicas"], r, "{}: replicas on {c:?}", b.name);
                }
                let containers = spec["template"]["spec"]["containers"].as_array().unwrap();
                let main = containers
                    .iter()
                    .find(|x| x["name"] == w.workload.container.as_str())
                    .unwrap();
                // Every container running one of the app's images, init containers too, runs
                // the tag the model says.
                let pod = &spec["template"]["spec"];
                for img in &app.images {
                    let Some(tag) = s.tags.get(&img.name) else {
                        continue;
                    };
                    let running: Vec<&Value> = ["containers", "initContainers"]
                        .iter()
                        .flat_map(|l| pod[*l].as_array().into_iter().flatten())
                        .filter(|x| {
                            x["image"]
                                .as_str()
                                .is_some_and(|i| i.starts_with(&format!("{}:", img.name)))
                        })
                        .collect();
                    assert!(!running.is_empty(), "{}: {} runs nowhere", b.name, img.name);
                    for x in running {
                        assert_eq!(
                            x["image"],
                            format!("{}:{tag}", img.name),
                            "{}: image of {} on {}",
                            b.name,
                            x["name"],
                            fleet.clusters[c].name
                        );
                    }
                }
                if let Some(r) = &s.resources {
                    // Exactly the file's own resources with the spec's laid over them, as a
                    // kustomize app gets them: an override's resources replace the app's.
                    let mut want = w.own_resources.clone();
                    for (part, map) in [("requests", &r.requests), ("limits", &r.limits)] {
                        for (k, v) in map {
                            let v = match v {
                                fleetc::spec::Quantity::Text(t) => t.clone(),
                                fleetc::spec::Quantity::Number(n) => n.to_string(),
                            };
                            want[part][k] = Value::from(v);
                        }
                    }
                    assert_eq!(
                        main["resources"], want,
                        "{}: resources on {}",
                        b.name, fleet.clusters[c].name
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no raw YAML app was checked");
}

/// Objects a post-render kustomization's patches address, as a chart would render them: each
/// patch's `target` (kind and name), or the object a strategic-merge patch names.
fn rendered_stand_in(patches: &Value) -> String {
    let mut docs = Vec::new();
    for p in patches.as_array().into_iter().flatten() {
        let (kind, name, api) = match p.get("target") {
            Some(t) => (
                t["kind"].as_str().unwrap().to_owned(),
                t["name"].as_str().unwrap().to_owned(),
                None,
            ),
            None => {
                let o: Value = serde_saphyr::from_str(p["patch"].as_str().unwrap()).unwrap();
                (
                    o["kind"].as_str().unwrap().to_owned(),
                    o["metadata"]["name"].as_str().unwrap().to_owned(),
                    o["apiVersion"].as_str().map(str::to_owned),
                )
            }
        };
        let api = api.unwrap_or_else(|| {
            if ["Deployment", "StatefulSet", "DaemonSet"].contains(&kind.as_str()) {
                "apps/v1".to_owned()
            } else {
                "v1".to_owned()
            }
        });
        let doc = format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n      containers: [{{name: main, image: stand-in}}]\n"
        );
        if !docs.contains(&doc) {
            docs.push(doc);
        }
    }
    docs.join("---\n")
}

/// The values a patch sets: the scalar leaves of a strategic-merge patch (not its identity), the
/// values of JSON 6902 operations.
fn scalars(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(ops) if ops.iter().all(|o| o.get("op").is_some()) => {
            for o in ops {
                if let Some(x) = o.get("value") {
                    scalars(x, out);
                }
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                if !["apiVersion", "kind", "metadata"].contains(&k.as_str()) {
                    scalars(x, out);
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| scalars(x, out)),
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Null => {}
    }
}

/// Fleet's HelmOp controller refuses a HelmOp whose chart, repository and version do not form
/// one of Helm's references (rancher/fleet v0.16.1
/// internal/cmd/controller/helmops/reconciler/helmop_controller.go:585-623, `validate`): a
/// tarball URL alone, an OCI reference in `repo` alone (version optional), or a repository with
/// a chart name (version optional).
fn helm_op_accepted(spec: &Value, what: &str) {
    let h = &spec["helm"];
    let s = |k: &str| {
        h.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (chart, repo, version) = (s("chart"), s("repo"), s("version"));
    if chart.to_lowercase().ends_with(".tgz") {
        assert!(
            repo.is_empty() && version.is_empty(),
            "{what}: tarball with repo or version"
        );
    } else if repo.to_lowercase().starts_with("oci://") {
        assert!(chart.is_empty(), "{what}: OCI repository with a chart");
    } else {
        assert!(
            !chart.is_empty() && !repo.is_empty(),
            "{what}: chart and repo both needed"
        );
    }
}
