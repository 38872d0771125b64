//! Raw YAML overlays (`overlays/<name>/<file>_patch.yaml`) of raw YAML apps: Fleet applies the
//! overlays fleet.yaml's `yaml.overlays` names, root first and then the customization's (it
//! appends them, rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:129-134),
//! each `<file>_patch.yaml` patching `<file>` as one document
//! (internal/helmdeployer/render/patch/patch.go). So the root overlay carries the app's own
//! settings and a customization's overlay only what its overrides change (`delta`).
//!
//! A file can take one patch per overlay: a second patch of the same file goes to a further
//! overlay (`<name>~2`, ...), applied after it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::kustomization::resources_value;
use super::{Artifact, Kind};
use crate::model::{App, AppSource, Fleet, ManifestWorkload, Settings};
use crate::pointer::Ptr;
use crate::spec::WorkloadKind;

/// One file of an overlay: a patch (`<file>_patch.yaml`) or a replacement (`<file>`, its
/// documents).
#[derive(Clone)]
pub(super) enum Change {
    Patch(Value),
    Replace(Vec<Value>),
}

/// Overlay name → (file → change), in the order Fleet applies them.
pub(super) type Layers = Vec<(String, Vec<(String, Change)>)>;

/// The overlays of settings `s` under `name`: the root's (`full` none: `s` is the app's own
/// settings, merged into the files) or a customization's (`s` holds only what its overrides
/// change; where they set resources, the container gets the file's own with `full`'s laid
/// over them, replacing what the root's overlay set, as a kustomize app's overlay does).
fn layers(app: &App, name: &str, s: &Settings, full: Option<&Settings>) -> Layers {
    let AppSource::Manifests { workload, .. } = &app.source else {
        return Vec::new();
    };
    // Replacements first: within one overlay Fleet applies files in no set order
    // (patch.go:95-135 walks a map), so a patch of a replaced file waits for a later overlay.
    let mut patches: Vec<(String, Change)> = s
        .files
        .iter()
        .map(|(f, text)| {
            let docs: Vec<Value> =
                serde_saphyr::from_multiple_with_options(text, crate::load::yaml_options())
                    .unwrap_or_default();
            (f.clone(), Change::Replace(docs))
        })
        .collect();
    if let Some(w) = workload
        && let Some(p) = workload_patch(app, w, s, full)
    {
        patches.push((w.file.clone(), Change::Patch(p)));
    }
    for p in &s.patches {
        let Some(file) = &p.file else { continue };
        // Checked to be a list or an object when resolved.
        let value: Value =
            serde_saphyr::from_str_with_options(&p.patch, crate::load::yaml_options())
                .unwrap_or(Value::Null);
        patches.push((
            file.trim_start_matches("./").to_owned(),
            Change::Patch(value),
        ));
    }
    let mut out: Layers = Vec::new();
    for (file, patch) in patches {
        let free = out
            .iter_mut()
            .find(|(_, files)| files.iter().all(|(f, _)| f != &file));
        match free {
            Some((_, files)) => files.push((file, patch)),
            None => {
                let n = out.len();
                let layer = if n == 0 {
                    name.to_owned()
                } else {
                    // `~` is in no customization name (names, label values, `+`, `-`).
                    format!("{name}~{}", n + 1)
                };
                out.push((layer, vec![(file, patch)]));
            }
        }
    }
    out
}

/// A strategic-merge patch of the workload: replicas, the main container's resources, and the
/// image of every container that runs one of the app's images.
fn workload_patch(
    app: &App,
    w: &ManifestWorkload,
    s: &Settings,
    full: Option<&Settings>,
) -> Option<Value> {
    let mut containers: Vec<(&'static str, String, Map<String, Value>)> = Vec::new();
    fn entry<'c>(
        containers: &'c mut Vec<(&'static str, String, Map<String, Value>)>,
        list: &'static str,
        name: &str,
    ) -> &'c mut Map<String, Value> {
        let k = match containers
            .iter()
            .position(|(l, n, _)| *l == list && n == name)
        {
            Some(k) => k,
            None => {
                let mut m = Map::new();
                m.insert("name".to_owned(), Value::from(name));
                containers.push((list, name.to_owned(), m));
                containers.len() - 1
            }
        };
        &mut containers[k].2
    }
    if let Some(r) = &s.resources {
        let value = if let Some(full) = full {
            let mut merged = w.own_resources.clone();
            merge(
                &mut merged,
                &resources_value(full.resources.as_ref().unwrap_or(r)),
            );
            let mut m = merged.as_object().cloned().unwrap_or_default();
            m.insert("$patch".to_owned(), Value::from("replace"));
            Value::Object(m)
        } else {
            resources_value(r)
        };
        entry(&mut containers, "containers", &w.workload.container)
            .insert("resources".to_owned(), value);
    }
    for img in &app.images {
        let Some(tag) = s.tags.get(&img.name) else {
            continue;
        };
        let repo = img.new_name.as_deref().unwrap_or(&img.name);
        for (list, c) in w.containers.get(&img.name).into_iter().flatten() {
            entry(&mut containers, list, c)
                .insert("image".to_owned(), Value::from(format!("{repo}:{tag}")));
        }
    }
    if s.replicas.is_none() && containers.is_empty() {
        return None;
    }
    let kind = match w.workload.kind {
        WorkloadKind::Deployment => "Deployment",
        WorkloadKind::StatefulSet => "StatefulSet",
    };
    let mut spec = Map::new();
    if let Some(r) = s.replicas {
        spec.insert("replicas".to_owned(), Value::from(r));
    }
    if !containers.is_empty() {
        let mut pod = Map::new();
        for list in ["containers", "initContainers"] {
            let items: Vec<Value> = containers
                .iter()
                .filter(|(l, _, _)| *l == list)
                .map(|(_, _, m)| Value::Object(m.clone()))
                .collect();
            if !items.is_empty() {
                pod.insert(list.to_owned(), Value::Array(items));
            }
        }
        spec.insert("template".to_owned(), json!({"spec": pod}));
    }
    Some(json!({
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": w.workload.name},
        "spec": spec,
    }))
}

/// Merges `over` into `base` as a strategic-merge patch merges maps.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The overlay names fleet.yaml's `yaml.overlays` lists, by whose they are: `default` (the
/// root's) or a customization's name.
pub(super) type Names = BTreeMap<String, Vec<String>>;

/// Every overlay file of a raw YAML app (the root's and each customization's), and the names
/// fleet.yaml lists: computed once, since building them parses every patch.
pub(super) fn emit(fleet: &Fleet, app: &App, owner: &Ptr) -> (Vec<Artifact>, Names) {
    let mut all = Vec::new();
    let mut names = Names::new();
    let mut add = |key: String, layers: Layers| {
        let listed: Vec<String> = layers.iter().map(|(n, _)| n.clone()).collect();
        if !listed.is_empty() {
            names.insert(key, listed);
        }
        all.extend(layers);
    };
    add(
        "default".to_owned(),
        layers(app, "default", &app.base, None),
    );
    for c in app.customizations.iter().filter(|c| !c.excludes()) {
        let name = fleet.scope_name(&c.scope);
        let l = layers(app, &name, &c.delta, Some(&c.full(&app.base)));
        add(name, l);
    }
    let mut out = Vec::new();
    for (overlay, files) in all {
        for (file, change) in files {
            let (dir, base) = match file.rsplit_once('/') {
                Some((d, b)) => (format!("{d}/"), b.to_owned()),
                None => (String::new(), file.clone()),
            };
            let at = |name: &str| format!("{}/overlays/{overlay}/{dir}{name}", app.bundle_dir);
            out.push(match change {
                Change::Patch(p) => {
                    let patched = match base.rsplit_once('.') {
                        Some((stem, ext)) => format!("{stem}_patch.{ext}"),
                        None => format!("{base}_patch"),
                    };
                    Artifact::new(at(&patched), Kind::YamlOverlay, owner.clone(), &p)
                }
                Change::Replace(docs) => {
                    Artifact::documents(at(&base), Kind::YamlReplacement, owner.clone(), &docs)
                }
            });
        }
    }
    (out, names)
}
