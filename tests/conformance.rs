//! Conformance: every emitted artifact validates against the formats' own published schemas
//! (read from `../shared/upstream`, or `$FLEETC_UPSTREAM`), and every kustomize overlay builds
//! with the real `kubectl kustomize`.

use std::path::{Path, PathBuf};
use std::process::Command;

use fleetc::emit::{Artifact, Kind};
use serde_json::Value;

use crate::common;

/// The example and every ok fixture, built into a scratch directory: (name, output root, artifacts).
fn built_trees() -> Vec<(String, PathBuf, Vec<Artifact>, tempfile::TempDir)> {
    let mut dirs = vec![common::repo().join("examples/fleet")];
    dirs.extend(common::ok_fixtures());
    dirs.into_iter()
        .map(|dir| {
            let tmp = tempfile::tempdir().unwrap();
            common::copy_dir(&dir, tmp.path());
            let compiled = common::compile(tmp.path()).unwrap_or_else(|e| panic!("{e}"));
            let plan = fleetc::output::plan(tmp.path(), &compiled.files).unwrap();
            fleetc::output::apply(tmp.path(), &plan).unwrap();
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (name, tmp.path().to_path_buf(), compiled.artifacts, tmp)
        })
        .collect()
}

fn read_yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `openAPIV3Schema` of a CRD, made strict: objects that list their properties accept no
/// others (the API server would silently prune them, which is exactly the mistake to catch).
fn crd_schema(file: &str) -> Value {
    let crd = read_yaml(&common::upstream().join("fleet/crds-split").join(file));
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
        &crd_schema("gitrepos.fleet.cattle.io.yaml"),
        jsonschema::Draft::Draft4,
    );
    let group = validator(
        &crd_schema("clustergroups.fleet.cattle.io.yaml"),
        jsonschema::Draft::Draft4,
    );
    let bundle_crd = crd_schema("bundles.fleet.cattle.io.yaml");
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

    let mut counts = [0usize; 4];
    for (name, _, artifacts, _tmp) in built_trees() {
        for a in artifacts {
            let what = format!("{name}/{}", a.path);
            match a.kind {
                Kind::GitRepo => {
                    assert_valid(&gitrepo, &a.value, &what);
                    counts[0] += 1;
                }
                Kind::ClusterGroup => {
                    assert_valid(&group, &a.value, &what);
                    counts[1] += 1;
                }
                Kind::FleetYaml => {
                    assert_valid(&fleet_yaml, &a.value, &what);
                    // fleet.yaml is a BundleSpec whose `targets` are written `targetCustomizations`;
                    // the Bundle CRD also checks `helm.releaseName` (≤ 53, DNS pattern).
                    let mut spec = a.value.clone();
                    if let Some(t) = spec.as_object_mut().unwrap().remove("targetCustomizations") {
                        spec["targets"] = t;
                    }
                    assert_valid(&bundle_spec, &spec, &format!("{what} as a Bundle spec"));
                    counts[2] += 1;
                }
                Kind::Kustomization => {
                    assert_valid(&kustomization, &a.value, &what);
                    counts[3] += 1;
                }
            }
        }
    }
    assert!(
        counts.iter().all(|c| *c > 0),
        "every kind was checked: {counts:?}"
    );
}

#[test]
fn every_overlay_builds_with_kubectl_kustomize() {
    let kubectl = which("kubectl").expect(
        "kubectl is not on PATH: the kustomize conformance oracle is missing (install kubectl; .ci/run requires it)",
    );
    let mut built = 0;
    for (name, root, artifacts, _tmp) in built_trees() {
        for a in artifacts.iter().filter(|a| a.kind == Kind::Kustomization) {
            let dir = root.join(a.path.trim_end_matches("/kustomization.yaml"));
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
            // The overlay really applied the tag it names.
            for img in a.value["images"].as_array().into_iter().flatten() {
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

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    })
}
