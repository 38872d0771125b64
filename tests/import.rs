//! `fleetc import`: the imported-and-rebuilt tree deploys what the original deploys, cluster by
//! cluster, by Fleet's own rules. The evaluator here reads only files (GitRepo and ClusterGroup
//! objects, fleet.yaml, the bundle directories), never fleetc's model, so it judges the
//! original and the rebuilt tree alike:
//! - bundles: Fleet's scan of each GitRepo's `paths` (rancher/fleet v0.16.1
//!   internal/cmd/cli/apply/apply.go:131-223, 804-860), names by `names.HelmReleaseName` of
//!   `<gitrepo>/<dir>` or fleet.yaml `name` (internal/bundlereader/read.go:189-196);
//! - targets: fleet.yaml `targets` and `targetCustomizations` first, then the GitRepo's targets
//!   (or the bundle's `overrideTargets`); a cluster gets the bundle when the first entry it
//!   matches passes the GitRepo's targets as restrictions and does not say `doNotDeploy`
//!   (read.go:185, 236-258; internal/cmd/controller/target/builder.go);
//! - options: the GitRepo's settings over the bundle's (read.go:228-287), valuesFiles merged
//!   into values (internal/bundlereader/resources.go:150-190), the chosen customization merged
//!   as `options.Merge` does (internal/cmd/controller/options/calculate.go:57-147);
//! - what is deployed: the release name (`helm.releaseName`, else `HelmReleaseName(bundle)`,
//!   internal/helmdeployer/deployer.go:97-118), the namespace (targetNamespace, else
//!   defaultNamespace, else `default`), the merged options with Fleet's defaults made explicit,
//!   and every file of the bundle directory other than its fleet.yaml.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::common;
use crate::fleet_semantics::{matches, selects};

/// A cluster as Fleet matches it.
#[derive(Debug, Clone)]
struct Cluster {
    object: String,
    workspace: String,
    labels: BTreeMap<String, String>,
}

/// What one cluster runs of one bundle.
#[derive(Debug, Clone, PartialEq)]
struct Deployed {
    release: String,
    /// Where objects without a namespace go, and the namespace every object is forced into.
    namespace: String,
    forced: Option<String>,
    options: Value,
    files: BTreeMap<String, Vec<u8>>,
    /// The BundleDeployment's labels, but those fleetc sets for itself (`fleetc.io/app`,
    /// `fleetc.io/environment`, `app.kubernetes.io/managed-by`).
    labels: BTreeMap<String, String>,
    /// What it waits for on the cluster: bundle names (a selector resolved against the
    /// BundleDeployments there), each with its accepted states.
    depends_on: Vec<String>,
}

/// YAML as Fleet reads it: YAML 1.1 scalars (sigs.k8s.io/yaml over go-yaml v2).
fn fleet_yaml(text: &str) -> Value {
    let opts = serde_saphyr::options! { strict_booleans: false, legacy_octal_numbers: true };
    serde_saphyr::from_str_with_options(text, opts).unwrap_or(Value::Null)
}

fn docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let opts = serde_saphyr::options! { strict_booleans: false, legacy_octal_numbers: true };
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(&text, opts).unwrap_or_default();
    let mut out = Vec::new();
    for d in docs {
        match d.get("items").and_then(Value::as_array) {
            Some(items) if d["kind"].as_str().is_some_and(|k| k.ends_with("List")) => {
                out.extend(items.iter().cloned());
            }
            _ => out.push(d),
        }
    }
    out
}

/// Objects of `kind` in the YAML files under `dir` (recursively) or in file `dir`.
fn objects(dir: &Path, kind: &str) -> Vec<Value> {
    let files: Vec<PathBuf> = if dir.is_file() {
        vec![dir.to_path_buf()]
    } else {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .filter(|p| !p.components().any(|c| c.as_os_str() == ".git"))
            .collect()
    };
    files
        .iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("fleet.cattle.io")))
        .flat_map(|p| docs(p))
        .filter(|o| o["kind"] == kind)
        .collect()
}

fn has_fleet_yaml(dir: &Path) -> Option<PathBuf> {
    ["fleet.yaml", "fleet.yml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Bundle directories (relative to `repo`) Fleet makes of `paths`.
fn bundle_dirs(repo: &Path, paths: &[String]) -> Vec<String> {
    fn loose(dir: &Path) -> bool {
        if has_fleet_yaml(dir).is_some() {
            return false;
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        entries.iter().any(|e| {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                loose(&e.path())
            } else {
                let n = e.file_name().to_string_lossy().into_owned();
                n.ends_with(".yaml") || n.ends_with(".yml")
            }
        })
    }
    let paths = if paths.is_empty() {
        vec![".".to_owned()]
    } else {
        paths.to_vec()
    };
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        // `filepath.Glob("")` finds nothing (apply.go:105-119).
        if p.trim_start_matches('/').is_empty() {
            continue;
        }
        let p = p.trim_start_matches('/').trim_end_matches('/');
        let base = if p.is_empty() || p == "." {
            repo.to_path_buf()
        } else {
            repo.join(p)
        };
        if !base.is_dir() {
            continue;
        }
        for e in walkdir::WalkDir::new(&base).sort_by_file_name() {
            let e = e.unwrap();
            if !e.file_type().is_dir() || e.file_name() == ".git" {
                continue;
            }
            let is_root = e.path() == base;
            let bundle = has_fleet_yaml(e.path()).is_some() || (is_root && loose(e.path()));
            let rel = e
                .path()
                .strip_prefix(repo)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if bundle && !out.contains(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

/// Files of a bundle directory as Fleet packs them, but its fleet.yaml and values files.
fn bundle_files(dir: &Path, skip: &BTreeSet<String>) -> BTreeMap<String, Vec<u8>> {
    let mut files = common::snapshot(dir);
    files.retain(|rel, _| rel != "fleet.yaml" && rel != "fleet.yml" && !skip.contains(rel));
    files
}

/// `data.MergeMaps`: `over` deep-merged into `base`.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(bv) if bv.is_object() && v.is_object() => merge(bv, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// `parseValuesFiles`: the files' values merged over `values`, in order.
fn fold_values_files(bundle_dir: &Path, helm: &mut Value, skip: &mut BTreeSet<String>) {
    let files: Vec<String> = helm["valuesFiles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    if files.is_empty() {
        return;
    }
    let mut values = helm
        .get("values")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or(json!({}));
    for f in &files {
        skip.insert(f.trim_start_matches("./").to_owned());
        let v = fleet_yaml(&std::fs::read_to_string(bundle_dir.join(f)).unwrap_or_default());
        if v.is_object() {
            merge(&mut values, &v);
        }
    }
    helm["values"] = values;
    helm.as_object_mut().unwrap().remove("valuesFiles");
}

/// Keys of a customization that are options (the rest select clusters).
const NOT_OPTIONS: &[&str] = &[
    "name",
    "clusterName",
    "clusterSelector",
    "clusterGroup",
    "clusterGroupSelector",
    "doNotDeploy",
];

/// `options.Merge` (calculate.go:57-147).
fn merge_options(base: &Value, custom: &Value) -> Value {
    let mut r = base.clone();
    let text = |v: &Value, k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    for k in ["defaultNamespace", "namespace", "serviceAccount"] {
        if let Some(s) = text(custom, k) {
            r[k] = json!(s);
        }
    }
    if let Some(ch) = custom.get("helm").filter(|h| h.is_object()) {
        if !r["helm"].is_object() {
            r["helm"] = json!({});
        }
        let rh = &mut r["helm"];
        if ch["timeoutSeconds"].as_i64().is_some_and(|t| t > 0) {
            rh["timeoutSeconds"] = ch["timeoutSeconds"].clone();
        }
        for k in ["values", "templateValues"] {
            if let Some(v) = ch.get(k).filter(|v| v.is_object()) {
                if rh[k].is_object() {
                    merge(&mut rh[k], v);
                } else {
                    rh[k] = v.clone();
                }
            }
        }
        if let Some(vf) = ch["valuesFrom"].as_array().filter(|v| !v.is_empty()) {
            let mut list = rh["valuesFrom"].as_array().cloned().unwrap_or_default();
            for v in vf {
                list.retain(|x| x != v);
                list.push(v.clone());
            }
            rh["valuesFrom"] = Value::Array(list);
        }
        for k in ["repo", "chart", "version", "releaseName"] {
            if let Some(s) = text(ch, k) {
                rh[k] = json!(s);
            }
        }
        for k in [
            "force",
            "atomic",
            "takeOwnership",
            "disablePreProcess",
            "waitForJobs",
            "disableDNS",
        ] {
            if ch[k] == true {
                rh[k] = json!(true);
            }
        }
    }
    if let Some(d) = custom["kustomize"]["dir"]
        .as_str()
        .filter(|d| !d.is_empty())
    {
        r["kustomize"] = json!({"dir": d});
    }
    if let Some(p) = custom["diff"]["comparePatches"].as_array() {
        let mut list = r["diff"]["comparePatches"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for c in p {
            let key = |x: &Value| {
                (
                    x["apiVersion"].clone(),
                    x["kind"].clone(),
                    x["namespace"].clone(),
                    x["name"].clone(),
                )
            };
            list.retain(|x| key(x) != key(c));
            list.push(c.clone());
        }
        r["diff"] = json!({"comparePatches": list});
    }
    if let Some(o) = custom["yaml"]["overlays"].as_array() {
        let mut list = r["yaml"]["overlays"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        list.extend(o.iter().cloned());
        r["yaml"] = json!({"overlays": list});
    }
    if custom["forceSyncGeneration"]
        .as_i64()
        .is_some_and(|n| n > 0)
    {
        r["forceSyncGeneration"] = custom["forceSyncGeneration"].clone();
    }
    if custom["keepResources"] == true {
        r["keepResources"] = json!(true);
    }
    if custom.get("correctDrift").is_some_and(|c| !c.is_null()) {
        r["correctDrift"] = custom["correctDrift"].clone();
    }
    if let Some(d) = custom["downstreamResources"]
        .as_array()
        .filter(|d| !d.is_empty())
    {
        let mut list = r["downstreamResources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for x in d {
            list.retain(|y| (&y["kind"], &y["name"]) != (&x["kind"], &x["name"]));
            list.push(x.clone());
        }
        r["downstreamResources"] = Value::Array(list);
    }
    r
}

/// Empty, false and zero values dropped (Go's `omitempty`), and the spellings of "the bundle's
/// own directory" made one.
fn normalize(v: &mut Value) {
    if let Value::Object(m) = v {
        for x in m.values_mut() {
            normalize(x);
        }
        m.retain(|_, x| match x {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::Bool(true) => true,
        });
    }
}

fn own_dir(s: &str) -> bool {
    let s = s.trim_end_matches('/');
    s.is_empty() || s == "." || s.trim_start_matches("./") == "." || s == "./."
}

/// What every cluster runs: cluster object → bundle name → what is deployed.
fn evaluate(
    repo: &Path,
    gitrepos: &[Value],
    groups: &[Value],
    clusters: &[Cluster],
) -> BTreeMap<String, BTreeMap<String, Deployed>> {
    let mut out: BTreeMap<String, BTreeMap<String, Deployed>> = BTreeMap::new();
    let mut bd_labels: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> =
        BTreeMap::new();
    let mut deps: BTreeMap<(String, String), Value> = BTreeMap::new();
    for c in clusters {
        out.entry(c.object.clone()).or_default();
    }
    for g in gitrepos {
        let name = g["metadata"]["name"].as_str().unwrap();
        let ws = g["metadata"]["namespace"]
            .as_str()
            .unwrap_or("fleet-default");
        let spec = &g["spec"];
        let paths: Vec<String> = spec["paths"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        let git_targets = spec["targets"]
            .as_array()
            .filter(|t| !t.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![json!({"name": "default", "clusterGroup": "default"})]);
        let by_name: BTreeMap<String, Value> = groups
            .iter()
            .filter(|gr| {
                gr["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("fleet-default")
                    == ws
            })
            .map(|gr| {
                (
                    gr["metadata"]["name"].as_str().unwrap().to_owned(),
                    gr.clone(),
                )
            })
            .collect();
        // A driven GitRepo's bundles are its `bundles` entries, each with its options file
        // (apply.go:237-317, 459-466); else Fleet's scan of `paths`.
        let units: Vec<(String, Option<String>)> = match spec["bundles"].as_array() {
            Some(entries) if !entries.is_empty() => entries
                .iter()
                .map(|b| {
                    let dir = b["base"].as_str().unwrap_or_default();
                    let dir = dir.trim_matches('/').trim_start_matches("./").to_owned();
                    let options = b["options"].as_str().filter(|o| !o.is_empty());
                    (dir, options.map(str::to_owned))
                })
                .collect(),
            _ => bundle_dirs(repo, &paths)
                .into_iter()
                .map(|d| (d, None))
                .collect(),
        };
        let git_labels: BTreeMap<String, String> = g["metadata"]["labels"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        for (dir, options_file) in units {
            let bdir = repo.join(&dir);
            let fy_path = match &options_file {
                Some(o) => Some(bdir.join(o)).filter(|p| p.is_file()),
                None => has_fleet_yaml(&bdir),
            };
            let fy = fy_path
                .map(|p| fleet_yaml(&std::fs::read_to_string(p).unwrap()))
                .filter(Value::is_object)
                .unwrap_or(json!({}));
            let derived = match &options_file {
                Some(o) => {
                    let stem = o.rsplit_once('.').map_or(o.as_str(), |(s, _)| s);
                    let joined = if dir.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{name}/{dir}")
                    };
                    fleetc::fleet_names::helm_release_name(&format!("{joined}/{stem}"))
                }
                None => fleetc::fleet_names::bundle_name(name, &dir),
            };
            let bundle = fy["name"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map_or(derived, str::to_owned);
            let mut skip: BTreeSet<String> = options_file.iter().cloned().collect();
            // The bundle's labels: the GitRepo's, then fleet.yaml's (read.go:213-227).
            let mut bundle_labels = git_labels.clone();
            for (k, v) in fy["labels"].as_object().into_iter().flatten() {
                bundle_labels.insert(
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                );
            }
            let mut root = fy.clone();
            for k in [
                "name",
                "labels",
                "targets",
                "targetCustomizations",
                "overrideTargets",
                "dependsOn",
                "paused",
                "rolloutStrategy",
                "imageScans",
                "targetCustomizationMode",
            ] {
                root.as_object_mut().unwrap().remove(k);
            }
            // The root's values files only with a chart or repository (resources.go:36-44).
            let named_chart = ["chart", "repo"]
                .iter()
                .any(|k| root["helm"][*k].as_str().is_some_and(|s| !s.is_empty()));
            if root["helm"].is_object() && named_chart {
                fold_values_files(&bdir, &mut root["helm"], &mut skip);
            }
            // The GitRepo's settings (read.go:228-287).
            if let Some(sa) = spec["serviceAccount"].as_str().filter(|s| !s.is_empty()) {
                root["serviceAccount"] = json!(sa);
            }
            root["forceSyncGeneration"] = spec["forceSyncGeneration"].clone();
            if let Some(tn) = spec["targetNamespace"].as_str().filter(|s| !s.is_empty()) {
                root["namespace"] = json!(tn);
            }
            for k in ["keepResources", "deleteNamespace"] {
                if spec[k] == true {
                    root[k] = json!(true);
                }
            }
            if spec["correctDrift"]["enabled"] == true {
                root["correctDrift"] = spec["correctDrift"].clone();
            }
            let mut customizations: Vec<Value> = Vec::new();
            for k in ["targets", "targetCustomizations"] {
                customizations.extend(fy[k].as_array().into_iter().flatten().cloned());
            }
            for c in &mut customizations {
                if c["helm"].is_object() {
                    fold_values_files(&bdir, &mut c["helm"], &mut skip);
                }
                if let Some(tn) = spec["targetNamespace"].as_str().filter(|s| !s.is_empty()) {
                    c["namespace"] = json!(tn);
                }
            }
            let restrictions = match fy["overrideTargets"].as_array() {
                Some(t) => t.clone(),
                None => git_targets.clone(),
            };
            let files = bundle_files(&bdir, &skip);
            for c in clusters.iter().filter(|c| c.workspace == ws) {
                let hit = |t: &Value| matches(t, &c.object, &c.labels, &by_name);
                let first = customizations.iter().find(|t| hit(t));
                let in_restrictions = restrictions.iter().any(hit);
                // The first entry of the bundle's targets (customizations, then the GitRepo's)
                // must exist and the cluster be in the restrictions.
                if !in_restrictions || first.is_some_and(|t| t["doNotDeploy"] == true) {
                    continue;
                }
                let mut options = match first {
                    Some(t) => {
                        let mut custom = t.clone();
                        for k in NOT_OPTIONS {
                            custom.as_object_mut().unwrap().remove(*k);
                        }
                        merge_options(&root, &custom)
                    }
                    None => root.clone(),
                };
                let release = options["helm"]["releaseName"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map_or_else(
                        || fleetc::fleet_names::helm_release_name(&bundle),
                        str::to_owned,
                    );
                let forced = options["namespace"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
                let namespace = [&options["namespace"], &options["defaultNamespace"]]
                    .iter()
                    .find_map(|v| v.as_str().filter(|s| !s.is_empty()))
                    .unwrap_or("default")
                    .to_owned();
                let o = options.as_object_mut().unwrap();
                for k in ["defaultNamespace", "namespace"] {
                    o.remove(k);
                }
                if let Some(h) = o.get_mut("helm").and_then(Value::as_object_mut) {
                    h.remove("releaseName");
                    // Read into `values` when the bundle is built, or never: the list itself
                    // deploys nothing.
                    h.remove("valuesFiles");
                    // An OCI reference fetches the same chart as `chart` or as `repo`
                    // (rancher/fleet v0.16.1 internal/bundlereader/charturl.go:118-124,
                    // loaddirectory.go:219-221).
                    let oci = |v: Option<&Value>| {
                        v.and_then(Value::as_str)
                            .is_some_and(|c| c.to_ascii_lowercase().starts_with("oci://"))
                    };
                    // A local chart directory, as `filepath.Join` cleans it (style.go:15-30).
                    if let Some(Value::String(c)) = h.get_mut("chart")
                        && !c.contains("://")
                    {
                        while let Some(rest) = c.strip_prefix("./") {
                            *c = rest.to_owned();
                        }
                    }
                    if oci(h.get("chart")) && h.get("repo").is_none_or(|r| r == "") {
                        let c = h.remove("chart").unwrap_or_default();
                        h.insert("repo".into(), c);
                    } else if oci(h.get("repo")) {
                        h.remove("chart");
                    }
                    if h.get("chart").and_then(Value::as_str).is_some_and(own_dir) {
                        h.remove("chart");
                    }
                }
                if options["kustomize"]["dir"].as_str().is_some_and(own_dir) {
                    options.as_object_mut().unwrap().remove("kustomize");
                }
                normalize(&mut options);
                // BundleDeployment labels: without `cattle.io/` and `kubectl.kubernetes.io/`
                // keys, but with Fleet's own (target.go:97-108).
                let bd: BTreeMap<String, String> = bundle_labels
                    .iter()
                    .filter(|(k, _)| {
                        k.starts_with("fleet.cattle.io/")
                            || !(k.contains("cattle.io/")
                                || k.starts_with("kubectl.kubernetes.io/"))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                const FLEETC_OWN: [&str; 3] = [
                    "fleetc.io/app",
                    "fleetc.io/environment",
                    "app.kubernetes.io/managed-by",
                ];
                let labels = bd
                    .iter()
                    .filter(|(k, _)| !FLEETC_OWN.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let prev = out.get_mut(&c.object).unwrap().insert(
                    bundle.clone(),
                    Deployed {
                        release,
                        namespace,
                        forced,
                        options,
                        files: files.clone(),
                        labels,
                        depends_on: Vec::new(),
                    },
                );
                assert!(prev.is_none(), "bundle {bundle} twice on {}", c.object);
                bd_labels
                    .entry(c.object.clone())
                    .or_default()
                    .insert(bundle.clone(), bd);
                deps.insert((c.object.clone(), bundle.clone()), fy["dependsOn"].clone());
            }
        }
    }
    // dependsOn, resolved on each cluster against the BundleDeployments there: by name, or by a
    // selector over their labels (internal/cmd/agent/deployer/deployer.go:447-490).
    for ((cluster, bundle), entries) in deps {
        let here = &bd_labels[&cluster];
        let mut resolved = Vec::new();
        for e in entries.as_array().into_iter().flatten() {
            let states = e["acceptedStates"].to_string();
            if let Some(n) = e["name"].as_str().filter(|n| !n.is_empty()) {
                resolved.push(format!("{n} {states}"));
            } else if e["selector"].is_object() {
                for (b, l) in here {
                    if selects(&e["selector"], l) {
                        resolved.push(format!("{b} {states}"));
                    }
                }
            }
        }
        resolved.sort();
        out.get_mut(&cluster)
            .unwrap()
            .get_mut(&bundle)
            .unwrap()
            .depends_on = resolved;
    }
    out
}

/// The clusters to judge by: the exported ones, each with every label it has dropped in turn,
/// one per label value any selector of the original names, and one with no labels.
fn label_sets(exported: &[Cluster], repo: &Path, gitrepos: &[Value]) -> Vec<Cluster> {
    let mut out: Vec<Cluster> = exported.to_vec();
    let ws = exported
        .first()
        .map_or("fleet-default".to_owned(), |c| c.workspace.clone());
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut collect = |sel: &Value| {
        for (k, v) in sel["matchLabels"].as_object().into_iter().flatten() {
            seen.insert((k.clone(), v.as_str().unwrap_or_default().to_owned()));
        }
        for r in sel["matchExpressions"].as_array().into_iter().flatten() {
            for v in r["values"].as_array().into_iter().flatten() {
                seen.insert((
                    r["key"].as_str().unwrap().to_owned(),
                    v.as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    };
    let mut selectors = Vec::new();
    for g in gitrepos {
        for t in g["spec"]["targets"].as_array().into_iter().flatten() {
            selectors.push(t["clusterSelector"].clone());
        }
    }
    for e in walkdir::WalkDir::new(repo)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_name() == "fleet.yaml" || e.file_name() == "fleet.yml" {
            let fy = fleet_yaml(&std::fs::read_to_string(e.path()).unwrap_or_default());
            for k in ["targets", "targetCustomizations", "overrideTargets"] {
                for t in fy[k].as_array().into_iter().flatten() {
                    selectors.push(t["clusterSelector"].clone());
                }
            }
        }
    }
    for s in &selectors {
        collect(s);
    }
    for c in exported {
        for k in c.labels.keys() {
            let mut d = c.clone();
            d.object = format!("{}-without-{}", c.object, k.replace('/', "-"));
            d.labels.remove(k);
            out.push(d);
        }
    }
    for (i, (k, v)) in seen.iter().enumerate() {
        out.push(Cluster {
            object: format!("synthetic-{i}"),
            workspace: ws.clone(),
            labels: BTreeMap::from([(k.clone(), v.clone())]),
        });
    }
    out.push(Cluster {
        object: "synthetic-bare".to_owned(),
        workspace: ws,
        labels: BTreeMap::new(),
    });
    out
}

fn clusters_of(export: &Path) -> Vec<Cluster> {
    objects(export, "Cluster")
        .iter()
        .map(|c| Cluster {
            object: c["metadata"]["name"].as_str().unwrap().to_owned(),
            workspace: c["metadata"]["namespace"]
                .as_str()
                .unwrap_or("fleet-default")
                .to_owned(),
            labels: c["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        })
        .collect()
}

/// The outcome of one round trip.
struct RoundTrip {
    /// (cluster, bundle) pairs the original deploys, over all judged clusters.
    pairs: usize,
    /// Of those, the pairs of bundles fleetc now generates (the rest stay as they were).
    imported_pairs: usize,
    /// Bundles of the original (by name), and those fleetc now generates.
    bundles: BTreeSet<String>,
    imported: BTreeSet<String>,
    /// The import's report.
    report: String,
}

/// The objects before the import, and the clusters to judge by.
struct Before {
    gitrepos: Vec<Value>,
    groups: Vec<Value>,
    clusters: Vec<Cluster>,
    runs: BTreeMap<String, BTreeMap<String, Deployed>>,
}

fn before(repo: &Path, gitrepos: Option<&Path>, export: &Path) -> Before {
    let gitrepos = objects(gitrepos.unwrap_or(repo), "GitRepo");
    let groups: Vec<Value> = objects(repo, "ClusterGroup")
        .into_iter()
        .chain(objects(export, "ClusterGroup"))
        .collect();
    let clusters = label_sets(&clusters_of(export), repo, &gitrepos);
    let runs = evaluate(repo, &gitrepos, &groups, &clusters);
    Before {
        gitrepos,
        groups,
        clusters,
        runs,
    }
}

fn ws_name(g: &Value) -> (String, String) {
    (
        g["metadata"]["namespace"]
            .as_str()
            .unwrap_or("fleet-default")
            .to_owned(),
        g["metadata"]["name"].as_str().unwrap().to_owned(),
    )
}

/// What the tree on disk deploys now: fleetc's GitRepos and ClusterGroups, and the originals
/// it left alone. Also the bundles fleetc's own GitRepos make.
fn after(
    repo: &Path,
    b: &Before,
) -> (
    BTreeMap<String, BTreeMap<String, Deployed>>,
    BTreeSet<String>,
) {
    let fleetc_objects = |kind: &str| -> Vec<Value> {
        objects(&repo.join("fleet"), kind)
            .into_iter()
            .filter(|g| g["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "fleetc")
            .collect()
    };
    let repos = fleetc_objects("GitRepo");
    let groups = fleetc_objects("ClusterGroup");
    let taken: BTreeSet<_> = repos.iter().map(ws_name).collect();
    let taken_groups: BTreeSet<_> = groups.iter().map(ws_name).collect();
    let all_repos: Vec<Value> = repos
        .iter()
        .cloned()
        .chain(
            b.gitrepos
                .iter()
                .filter(|g| !taken.contains(&ws_name(g)))
                .cloned(),
        )
        .collect();
    let all_groups: Vec<Value> = groups
        .iter()
        .cloned()
        .chain(
            b.groups
                .iter()
                .filter(|g| !taken_groups.contains(&ws_name(g)))
                .cloned(),
        )
        .collect();
    let mine: BTreeSet<String> = evaluate(repo, &repos, &all_groups, &b.clusters)
        .into_values()
        .flat_map(BTreeMap::into_keys)
        .collect();
    (evaluate(repo, &all_repos, &all_groups, &b.clusters), mine)
}

/// Where what a cluster runs differs, or `Ok` with the pairs compared.
fn compare(
    before: &BTreeMap<String, BTreeMap<String, Deployed>>,
    after: &BTreeMap<String, BTreeMap<String, Deployed>>,
) -> Result<usize, String> {
    let mut pairs = 0;
    for (cluster, bundles) in before {
        let now = &after[cluster];
        if bundles.keys().ne(now.keys()) {
            return Err(format!(
                "cluster {cluster} gets {:?}, before {:?}",
                now.keys().collect::<Vec<_>>(),
                bundles.keys().collect::<Vec<_>>()
            ));
        }
        for (b, d) in bundles {
            pairs += 1;
            let a = &now[b];
            if d.release != a.release || d.namespace != a.namespace || d.forced != a.forced {
                return Err(format!(
                    "{cluster}/{b}: release {} in {} (forced {:?}), before {} in {} (forced {:?})",
                    a.release, a.namespace, a.forced, d.release, d.namespace, d.forced
                ));
            }
            if d.labels != a.labels || d.depends_on != a.depends_on {
                return Err(format!(
                    "{cluster}/{b}: labels {:?} waiting for {:?}, before {:?} waiting for {:?}",
                    a.labels, a.depends_on, d.labels, d.depends_on
                ));
            }
            if d.options != a.options {
                return Err(format!(
                    "{cluster}/{b}: options {}, before {}",
                    a.options, d.options
                ));
            }
            if d.files != a.files {
                return Err(format!(
                    "{cluster}/{b}: the files Fleet packs differ: {:?}, before {:?}",
                    a.files.keys().collect::<Vec<_>>(),
                    d.files.keys().collect::<Vec<_>>()
                ));
            }
        }
    }
    Ok(pairs)
}

/// Imports `repo` (a copy), builds it, checks it, and compares what every cluster runs before
/// and after.
fn round_trip(repo: &Path, gitrepos: Option<&Path>, export: &Path) -> RoundTrip {
    round_trip_with(repo, gitrepos, export, &[])
}

fn round_trip_with(
    repo: &Path,
    gitrepos: Option<&Path>,
    export: &Path,
    extra: &[&str],
) -> RoundTrip {
    let b = before(repo, gitrepos, export);
    let mut args = vec!["import", "--clusters", export.to_str().unwrap()];
    args.extend(extra);
    if let Some(g) = gitrepos {
        args.extend(["--gitrepos", g.to_str().unwrap()]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(&args)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = common::stderr(&out);
    assert!(!report.contains("panicked at"), "{report}");
    if out.status.code() == Some(1) && report.contains("nothing imported, nothing written") {
        // Nothing to take over: the tree is untouched, and so is what the clusters run.
        let (runs, imported) = after(repo, &b);
        compare(&b.runs, &runs).unwrap_or_else(|e| panic!("{e}\n{report}"));
        assert!(
            imported.is_empty() && !repo.join("fleetc.yaml").exists(),
            "{report}"
        );
        return RoundTrip {
            pairs: 0,
            imported_pairs: 0,
            bundles: b.runs.values().flat_map(|m| m.keys().cloned()).collect(),
            imported,
            report,
        };
    }
    assert_eq!(out.status.code(), Some(0), "{report}");
    let build = common::fleetc(&["build"], repo)
        .stderr_read("warnings vary")
        .run();
    assert_eq!(build.status.code(), Some(0), "{}", common::stderr(&build));
    let check = common::fleetc(&["check"], repo)
        .stderr_read("warnings vary")
        .run();
    assert_eq!(check.status.code(), Some(0), "{}", common::stderr(&check));
    let (runs, imported) = after(repo, &b);
    let pairs = compare(&b.runs, &runs).unwrap_or_else(|e| panic!("{e}\n{report}"));
    let imported_pairs = b
        .runs
        .values()
        .flat_map(BTreeMap::keys)
        .filter(|n| imported.contains(*n))
        .count();
    RoundTrip {
        pairs,
        imported_pairs,
        bundles: b.runs.values().flat_map(|m| m.keys().cloned()).collect(),
        imported,
        report,
    }
}

/// The corpus of real repositories, or `None` (with a note) where `../shared` is not beside
/// the repository; under CI it must be.
fn corpus() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/corpus/real");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/corpus/real is missing: CI runs the import round trips over it"
    );
    eprintln!("SKIPPED, not verified: ../shared/corpus/real is not beside the repository");
    None
}

fn cluster_export(dir: &Path, clusters: &[(&str, &[(&str, &str)])]) -> PathBuf {
    let items: Vec<Value> = clusters
        .iter()
        .map(|(name, labels)| {
            let labels: Map<String, Value> = labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            json!({"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "Cluster",
                   "metadata": {"name": name, "namespace": "fleet-default", "labels": labels}})
        })
        .collect();
    let path = dir.join("clusters.yaml");
    std::fs::write(
        &path,
        fleetc::emit::to_yaml(&json!({"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "ClusterList", "items": items})),
    )
    .unwrap();
    path
}

#[test]
fn fleet_examples_multi_cluster_round_trip() {
    let Some(corpus) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("fleet-examples");
    common::copy_dir(&corpus.join("fleet-examples"), &repo);
    const D: &str = "management.cattle.io/cluster-display-name";
    let export = cluster_export(
        tmp.path(),
        &[
            ("c-dev", &[("env", "dev"), (D, "dev-1")]),
            ("c-test", &[("env", "test"), (D, "test-1")]),
            ("c-prod", &[("env", "prod"), (D, "prod-1")]),
            (
                "c-win",
                &[
                    ("env", "prod"),
                    (D, "win-1"),
                    ("windows.version", "win2022"),
                ],
            ),
        ],
    );
    let rt = round_trip(
        &repo,
        Some(&corpus.join("fleet/e2e/assets/multi-cluster-examples")),
        &export,
    );
    // Every bundle deployed somewhere, on dev, test, prod and Windows clusters.
    assert_eq!(rt.bundles.len(), 5, "{}", rt.report);
    assert!(rt.pairs > 0, "nothing deployed to compare:\n{}", rt.report);
    assert_eq!(rt.imported, rt.bundles, "{}", rt.report);
    assert!(
        rt.pairs >= 20 && rt.pairs == rt.imported_pairs,
        "{} pairs",
        rt.pairs
    );
}

/// The comparison is not blind: a value changed in the rebuilt tree, a customization dropped,
/// or a file added to a bundle directory, is reported.
#[test]
fn the_evaluator_sees_what_changes_a_deployment() {
    let Some(corpus) = corpus() else { return };
    const D: &str = "management.cattle.io/cluster-display-name";
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("fleet-examples");
    common::copy_dir(&corpus.join("fleet-examples"), &repo);
    let export = cluster_export(
        tmp.path(),
        &[
            ("c-dev", &[("env", "dev"), (D, "dev-1")]),
            ("c-prod", &[("env", "prod"), (D, "prod-1")]),
        ],
    );
    let gitrepos = corpus.join("fleet/e2e/assets/multi-cluster-examples");
    let rt = round_trip(&repo, Some(&gitrepos), &export);
    assert!(
        rt.pairs > 0 && rt.pairs == rt.imported_pairs,
        "{}",
        rt.report
    );
    let b = before(&tmp.path().join("fleet-examples"), Some(&gitrepos), &export);
    // `before` now reads the rebuilt tree: it is the baseline for the edits below.
    for (edit, file, expect) in [
        (("replicas: 3", "replicas: 4"), "fleetc.yaml", "options"),
        (
            ("      serviceType: LoadBalancer\n", ""),
            "fleetc.yaml",
            "options",
        ),
        (
            (
                "- name: dev\n  helm:",
                "- name: dev\n  doNotDeploy: true\n  helm:",
            ),
            "multi-cluster/helm/fleet.yaml",
            "gets",
        ),
    ] {
        let path = repo.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(edit.0), "{file} has `{}`", edit.0);
        std::fs::write(&path, text.replacen(edit.0, edit.1, 1)).unwrap();
        if file == "fleetc.yaml" {
            let build = common::fleetc(&["build"], &repo)
                .stderr_read("warnings vary")
                .run();
            assert_eq!(build.status.code(), Some(0), "{}", common::stderr(&build));
        }
        let (runs, _) = after(&repo, &b);
        let err = compare(&b.runs, &runs).expect_err(file);
        assert!(err.contains(expect), "{err}");
        std::fs::write(&path, &text).unwrap();
        common::fleetc(&["build"], &repo)
            .stderr_read("warnings vary")
            .run();
    }
    std::fs::write(
        repo.join("multi-cluster/kustomize/extra.yaml"),
        "kind: ConfigMap\n",
    )
    .unwrap();
    let (runs, _) = after(&repo, &b);
    assert!(
        compare(&b.runs, &runs)
            .expect_err("a new file")
            .contains("files")
    );
}

/// One repository of the corpus: copied, imported with `gitrepos` (else its own GitRepos; put
/// into `workspace` where they name none, as `kubectl apply -n` would) and `export`, rebuilt,
/// compared cluster by cluster; returns (bundles deployed, of them imported).
fn corpus_round_trip(
    corpus: &Path,
    dir: &str,
    gitrepos: Option<(Vec<PathBuf>, &str)>,
    clusters: &[LiveCluster],
    groups: &[Value],
) -> (usize, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join(dir);
    common::copy_dir(&corpus.join(dir), &repo);
    let items: Vec<Value> = clusters
        .iter()
        .map(|(name, ws, labels)| {
            let labels: Map<String, Value> = labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            json!({"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "Cluster",
                   "metadata": {"name": name, "namespace": ws, "labels": labels}})
        })
        .chain(groups.iter().cloned())
        .collect();
    let export = tmp.path().join("clusters.yaml");
    std::fs::write(
        &export,
        fleetc::emit::to_yaml(&json!({"apiVersion": "v1", "kind": "List", "items": items})),
    )
    .unwrap();
    let gitrepo_dir = gitrepos.map(|(files, ws)| {
        let d = tmp.path().join("gitrepos");
        std::fs::create_dir_all(&d).unwrap();
        // One GitRepo of a name per workspace, as the API server holds them: the e2e assets
        // reuse names for GitRepos never applied together.
        let mut names = BTreeSet::new();
        for f in files {
            let mut objs = docs(&f);
            for o in &mut objs {
                if o["metadata"].is_object() && o["metadata"]["namespace"].is_null() {
                    o["metadata"]["namespace"] = json!(ws);
                }
            }
            objs.retain(|o| o["kind"] != "GitRepo" || names.insert(ws_name(o)));
            if objs.is_empty() {
                continue;
            }
            let text: Vec<String> = objs.iter().map(fleetc::emit::to_yaml).collect();
            std::fs::write(d.join(f.file_name().unwrap()), text.join("---\n")).unwrap();
        }
        d
    });
    let rt = round_trip(&repo, gitrepo_dir.as_deref(), &export);
    eprintln!(
        "{dir}: {} pairs, {} imported\n{}",
        rt.pairs, rt.imported_pairs, rt.report
    );
    (
        rt.bundles.len(),
        rt.imported.intersection(&rt.bundles).count(),
    )
}

const NAME: &str = "management.cattle.io/cluster-display-name";

/// A cluster of an export: object name, workspace, labels.
type LiveCluster<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Fleet's bootstrap ClusterGroup of the management cluster, as `kubectl get clustergroups`
/// exports it (rancher/fleet v0.16.1 internal/cmd/controller/agentmanagement/controllers/
/// bootstrap/bootstrap.go:109-120).
fn local_group() -> Value {
    json!({"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "ClusterGroup",
           "metadata": {"name": "default", "namespace": "fleet-local"},
           "spec": {"selector": {"matchLabels": {"name": "local"}}}})
}

/// Real repositories round-trip bundle by bundle; what cannot is left as it is and reported.
/// The counts are the measured share the README states.
#[test]
fn real_repositories_round_trip() {
    let Some(corpus) = corpus() else { return };
    let yaml_files = |dir: &str, skip_templates: bool| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(corpus.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .filter(|p| !skip_templates || !std::fs::read_to_string(p).unwrap().contains("{{"))
            .collect();
        v.sort();
        v
    };
    let local: &[LiveCluster] = &[(
        "local",
        "fleet-local",
        &[("name", "local"), (NAME, "local")],
    )];
    let mut table = Vec::new();
    table.push((
        "fleet-examples (single-cluster GitRepos of fleet's e2e)",
        corpus_round_trip(
            &corpus,
            "fleet-examples",
            Some((
                yaml_files("fleet/e2e/assets/single-cluster-examples", false),
                "fleet-local",
            )),
            &[
                local[0],
                (
                    "c-2",
                    "fleet-local",
                    &[(NAME, "two"), ("provider.cattle.io", "harvester")],
                ),
            ],
            &[local_group()],
        ),
    ));
    table.push((
        "suse-edge/fleet-examples",
        corpus_round_trip(
            &corpus,
            "suse-edge-fleet-examples",
            None,
            &[
                (
                    "c-1",
                    "fleet-default",
                    &[("longhorn", "true"), (NAME, "edge-1")],
                ),
                ("c-2", "fleet-default", &[(NAME, "edge-2")]),
                local[0],
            ],
            &[local_group()],
        ),
    ));
    table.push((
        "fleet-awesome",
        corpus_round_trip(&corpus, "fleet-awesome", None, local, &[local_group()]),
    ));
    // Fleet's e2e applies these GitRepos one at a time, several reading the same directories:
    // each is a repository of its own here.
    let mut sum = (0, 0);
    for f in yaml_files("fleet/e2e/assets/single-cluster", true) {
        let (d, i) = corpus_round_trip(
            &corpus,
            "fleet-test-data",
            Some((vec![f.clone()], "fleet-local")),
            &[
                local[0],
                ("c-1", "fleet-local", &[("env", "test"), (NAME, "one")]),
            ],
            &[local_group()],
        );
        eprintln!(
            "fleet-test-data {}: {d} deployed, {i} imported",
            f.display()
        );
        sum = (sum.0 + d, sum.1 + i);
    }
    table.push(("fleet-test-data (fleet's e2e GitRepos, one at a time)", sum));
    for (name, (deployed, imported)) in &table {
        eprintln!("| {name} | {deployed} | {imported} |");
    }
    // The README's table: a change here is a change of the measured share.
    let measured: Vec<(usize, usize)> = table.iter().map(|(_, c)| *c).collect();
    assert_eq!(measured, [(6, 5), (12, 10), (2, 2), (23, 14)], "{table:?}");
}

/// A small repository: one GitRepo object pulling `apps/*`, the given files, and an export of
/// two clusters.
fn small_repo(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let gitrepo = "apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata:\n  name: platform\n  namespace: fleet-default\nspec:\n  repo: https://git.example.com/fleet.git\n  branch: main\n  paths: [apps/web, apps/db]\n  targets:\n  - clusterSelector: {matchLabels: {env: prod}}\n";
    for (path, text) in [("gitrepos/platform.yaml", gitrepo)].iter().chain(files) {
        let p = repo.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let export = cluster_export(
        tmp.path(),
        &[
            ("c-1", &[("env", "prod"), (NAME, "prod-1")]),
            ("c-2", &[("env", "dev"), (NAME, "dev-1")]),
        ],
    );
    (tmp, repo, export)
}

const WEB: (&str, &str) = (
    "apps/web/fleet.yaml",
    "defaultNamespace: web\nhelm:\n  repo: https://charts.example.com\n  chart: web\n  version: 1.2.3\n  values: {replicas: 2}\n",
);
const DB: (&str, &str) = (
    "apps/db/deployment.yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\n",
);

/// An import that takes nothing: exit 1, its reason on stderr, nothing written.
fn refused(repo: &Path, export: &Path, piece: &str) {
    let out = import_in(repo, export, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(piece), "{piece}\n{err}");
    assert!(
        !repo.join("fleetc.yaml").exists() && !repo.join(".fleetc-manifest").exists(),
        "{err}"
    );
}

fn import_in(repo: &Path, export: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import", "--clusters", export.to_str().unwrap()];
    args.extend(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(&args)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        !common::stderr(&out).contains("panicked at"),
        "{}",
        common::stderr(&out)
    );
    out
}

/// The adoption loop the README describes: import, build (which takes over the fleet.yaml
/// files it now generates, recorded in the manifest, and leaves every other file alone), check.
/// A second import refuses to replace the spec without --force.
#[test]
fn import_then_build_then_check() {
    let (_tmp, repo, export) = small_repo(&[WEB, DB, ("apps/web/README.md", "# web\n")]);
    let before = common::snapshot(&repo);
    let out = import_in(&repo, &export, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let report = common::stderr(&out);
    assert!(
        report.contains("imported 1 GitRepo with 2 bundles"),
        "{report}"
    );
    assert!(
        report.contains("GitRepo `platform` (gitrepos/platform.yaml:1) is now written by fleetc"),
        "{report}"
    );
    let manifest = std::fs::read_to_string(repo.join(".fleetc-manifest")).unwrap();
    assert!(
        manifest.lines().any(|l| l == "apps/web/fleet.yaml"),
        "{manifest}"
    );
    let spec = std::fs::read_to_string(repo.join("fleetc.yaml")).unwrap();
    // The whole imported spec, comments included, as a person reviewing it reads it.
    common::insta_settings().bind(|| insta::assert_snapshot!("import_small_repository", spec));
    common::fleetc(&["build"], &repo)
        .stderr_read("the build summary")
        .run();
    common::fleetc(&["check"], &repo)
        .stderr_read("the check summary")
        .run();
    let after = common::snapshot(&repo);
    // Untouched: the original GitRepo object, the bundles' other files.
    for f in [
        "gitrepos/platform.yaml",
        "apps/web/README.md",
        "apps/db/deployment.yaml",
    ] {
        assert_eq!(before[f], after[f], "{f}");
    }
    assert!(after["apps/web/fleet.yaml"].starts_with(b"# Generated by fleetc"));
    assert!(after.contains_key("apps/db/fleet.yaml"));
    let again = import_in(&repo, &export, &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(common::stderr(&again).contains("fleetc import replaces a spec only with --force"));
    assert_eq!(common::snapshot(&repo), after);
}

/// Hostile and broken trees: nothing followed outside the repository, nothing read beyond its
/// budgets, every problem reported at its file and line, and what cannot be imported left as
/// it is; an import that can take nothing writes nothing.
#[test]
fn hostile_trees_are_reported_and_left_alone() {
    // fleet.yaml that is not YAML: Fleet fails the bundle; the GitRepo is left.
    let (_t, repo, export) = small_repo(&[("apps/web/fleet.yaml", "helm: [unclosed\n"), DB]);
    let out = import_in(&repo, &export, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("nothing imported, nothing written")
            && err.contains("apps/web/fleet.yaml:1: GitRepo `platform` is left as it is"),
        "{err}"
    );
    assert!(!repo.join("fleetc.yaml").exists() && !repo.join(".fleetc-manifest").exists());

    // A bundle directory that is a link out of the repository is not followed.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("fleet.yaml"),
        "defaultNamespace: stolen\n",
    )
    .unwrap();
    let (_t, repo, export) = small_repo(&[WEB]);
    std::os::unix::fs::symlink(outside.path(), repo.join("apps/db")).unwrap();
    let out = import_in(&repo, &export, &[]);
    let err = common::stderr(&out);
    assert!(
        err.contains("`apps/db` is a symbolic link, which fleetc import does not follow"),
        "{err}"
    );
    assert!(!repo.join("fleetc.yaml").exists(), "{err}");

    // A linked fleet.yaml is not read either.
    let (_t, repo, export) = small_repo(&[DB]);
    std::fs::create_dir_all(repo.join("apps/web")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("fleet.yaml"),
        repo.join("apps/web/fleet.yaml"),
    )
    .unwrap();
    refused(&repo, &export, "`apps/web/fleet.yaml` is a symbolic link");

    // Huge and deeply nested files stop at the budgets.
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let (_t, repo, export) = small_repo(&[
        (
            "apps/web/fleet.yaml",
            &format!("helm:\n  values:\n    x: {deep}\n"),
        ),
        DB,
    ]);
    refused(
        &repo,
        &export,
        "apps/web/fleet.yaml:1: GitRepo `platform` is left as it is, with its 2 bundles: it is beyond what fleetc import reads",
    );
    let (_t, repo, export) = small_repo(&[DB]);
    std::fs::create_dir_all(repo.join("apps/web")).unwrap();
    std::fs::write(repo.join("apps/web/fleet.yaml"), "a: b\n".repeat(2_000_000)).unwrap();
    refused(&repo, &export, "`apps/web/fleet.yaml` is larger than 8 MiB");

    // Unknown keys: Fleet ignores them; the import leaves them out and says where.
    let (_t, repo, export) = small_repo(&[
        (
            "apps/web/fleet.yaml",
            "defaultNamespace: web\nhelmm: {chart: x}\ntargetCustomizations:\n- name: a\n  clusterSelector: {matchLabels: {env: prod}}\n  replicas: 3\n  helm: {atomic: true}\n",
        ),
        DB,
    ]);
    let out = import_in(&repo, &export, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning[W025]: `helmm` is not a fleet.yaml key")
            && err.contains("apps/web/fleet.yaml:2"),
        "{err}"
    );
    assert!(
        err.contains("`replicas` is not a targetCustomization key")
            && err.contains("apps/web/fleet.yaml:6"),
        "{err}"
    );
    assert!(
        err.contains("warning[W023]: 1 targetCustomization kept verbatim"),
        "{err}"
    );

    // A dependsOn cycle imports as written, and the spec's own check reports it (E018); the
    // spec is written so that it can be fixed.
    let (_t, repo, export) = small_repo(&[
        (
            "apps/web/fleet.yaml",
            "defaultNamespace: web\ndependsOn: [{name: platform-apps-db}]\n",
        ),
        (
            "apps/db/fleet.yaml",
            "defaultNamespace: db\ndependsOn: [{name: platform-apps-web}]\n",
        ),
        DB,
    ]);
    let out = import_in(&repo, &export, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E018") && err.contains("the imported spec does not compile yet"),
        "{err}"
    );
    assert!(repo.join("fleetc.yaml").exists());

    // No clusters, no GitRepos, a spec outside the repository: refused, nothing written.
    let (_t, repo, export) = small_repo(&[WEB]);
    std::fs::remove_file(repo.join("gitrepos/platform.yaml")).unwrap();
    refused(&repo, &export, "no GitRepo objects in the repository");
    let (_t, repo, _) = small_repo(&[WEB]);
    let empty = repo.join("../empty.yaml");
    std::fs::write(&empty, "kind: List\nitems: []\n").unwrap();
    refused(&repo, &empty, "fleetc import needs the live clusters");
    let (_t, repo, export) = small_repo(&[WEB]);
    let out = import_in(&repo, &export, &["--out", "../elsewhere.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("the spec goes directly into the repository"));
    assert!(!repo.join("fleetc.yaml").exists() && !repo.join(".fleetc-manifest").exists());
}

/// A tree fleetc generated gives back an equivalent spec: the bundled example's output (its
/// per-environment GitRepos, its env-/region- ClusterGroups, the fleet.yaml with its overlays)
/// imports as one app per environment family, and the rebuilt tree deploys the same on every
/// cluster of the example.
#[test]
fn fleetc_own_output_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("fleet");
    common::copy_dir(&common::repo().join("examples/fleet"), &repo);
    let compiled = common::compile(&repo).unwrap();
    // The release pins belong to the spec being replaced (the import says so): they pin images
    // the imported spec does not declare, its overlays carrying the tags instead.
    std::fs::remove_file(repo.join("releases.yaml")).unwrap();
    let items: Vec<Value> = compiled
        .fleet
        .clusters
        .iter()
        .map(|c| {
            let labels: Map<String, Value> = c
                .labels
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v.to_string())))
                .collect();
            json!({"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "Cluster",
                   "metadata": {"name": format!("c-{}", c.name), "namespace": "fleet-default", "labels": labels}})
        })
        .collect();
    let export = tmp.path().join("clusters.yaml");
    std::fs::write(
        &export,
        fleetc::emit::to_yaml(&json!({"apiVersion": "v1", "kind": "List", "items": items})),
    )
    .unwrap();
    let rt = round_trip_with(&repo, None, &export, &["--force"]);
    assert!(rt.pairs > 0, "nothing deployed to compare:\n{}", rt.report);
    assert_eq!(rt.imported, rt.bundles, "{}", rt.report);
    assert_eq!(rt.bundles.len(), 5, "{}", rt.report);
    let spec = std::fs::read_to_string(repo.join("fleetc.yaml")).unwrap();
    for app in ["ingress-nginx", "web", "data-pipeline"] {
        assert!(spec.contains(&format!("- name: {app}\n")), "{spec}");
    }
    assert!(
        !spec.contains("gitRepos:\n- "),
        "no shared GitRepos: {spec}"
    );
    // What the earlier spec generated beyond Fleet's objects (GitLab, monitoring, the overlays
    // the kept customizations use) is named and left alone.
    assert!(
        rt.report
            .contains("carry fleetc's header but the imported spec does not generate them")
            && rt.report.contains("gitlab-agents/ (16)"),
        "{}",
        rt.report
    );
}

/// A GitRepo object for the small repositories, with `rest` under `spec`.
fn gitrepo_yaml(rest: &str) -> String {
    format!(
        "apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata:\n  name: platform\n  namespace: fleet-default\n  labels: {{team: platform}}\nspec:\n  repo: https://git.example.com/fleet.git\n  branch: main\n{rest}"
    )
}

/// What Fleet acts on is carried over or the GitRepo is left, never silently changed
/// (rancher/fleet v0.16.1; each case names its source): checked by the evaluator where the
/// import goes through, by the report where it does not.
#[test]
fn what_fleet_acts_on_is_kept_or_left() {
    let all = "  paths: [apps/web, apps/db]\n  targets:\n  - clusterSelector: {matchLabels: {env: prod}}\n";
    // The GitRepo's labels reach the bundles (read.go:213-219), where a dependency selects by
    // them; root values files without a chart are never read (resources.go:36-44).
    let (_t, repo, export) = small_repo(&[
        ("gitrepos/platform.yaml", &gitrepo_yaml(all)),
        (
            "apps/web/fleet.yaml",
            "defaultNamespace: web\ndependsOn: [{selector: {matchLabels: {team: platform, role: db}}}]\n",
        ),
        (
            "apps/db/fleet.yaml",
            "defaultNamespace: db\nlabels: {role: db}\nhelm: {valuesFiles: [extra.yaml]}\n",
        ),
        (
            "apps/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 0.1.0\n",
        ),
        ("apps/db/extra.yaml", "replicas: 9\n"),
        ("apps/web/deployment.yaml", DB.1),
    ]);
    let rt = round_trip(&repo, None, &export);
    assert!(rt.pairs > 0, "nothing deployed to compare:\n{}", rt.report);
    assert_eq!(rt.imported, rt.bundles, "{}", rt.report);
    assert!(
        rt.report.contains(
            "`helm.valuesFiles` is left out: without `helm.chart` Fleet never reads them"
        ),
        "{}",
        rt.report
    );
    let spec = std::fs::read_to_string(repo.join("fleetc.yaml")).unwrap();
    assert!(spec.contains("labels:\n    team: platform"), "{spec}");

    for (rest, files, left) in [
        // A ClusterGroup without a selector holds no cluster (target/query.go:103).
        (
            "  paths: [apps/web]\n  targets: [{clusterGroup: empty}]\n",
            vec![
                WEB,
                (
                    "fleet/empty.yaml",
                    "apiVersion: fleet.cattle.io/v1alpha1\nkind: ClusterGroup\nmetadata: {name: empty, namespace: fleet-default}\nspec: {}\n",
                ),
            ],
            "the ClusterGroup has no selector, so Fleet gives it no cluster",
        ),
        // fleet.yaml's targetRestrictions (BundleSpec, fleetyaml.go:6-10; read.go:332).
        (
            "  paths: [apps/web]\n",
            vec![(
                "apps/web/fleet.yaml",
                "defaultNamespace: web\ntargetRestrictions: [{clusterName: x}]\n",
            )],
            "Fleet reads a bundle's `targetRestrictions`",
        ),
        // Paths of only slashes find nothing (apply.go:105-119).
        (
            "  paths: [/]\n",
            vec![WEB],
            "Fleet finds no bundle under its paths",
        ),
        // A clusterName, where not every cluster has a display name (clustermatcher.go:26-37).
        (
            "  paths: [apps/web]\n  targets: [{clusterName: c-3}]\n",
            vec![WEB],
            "not every exported cluster carries a unique",
        ),
    ] {
        let mut all_files = vec![("gitrepos/platform.yaml", gitrepo_yaml(rest))];
        all_files.extend(files.iter().map(|(p, t)| (*p, (*t).to_owned())));
        let refs: Vec<(&str, &str)> = all_files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let (_t, repo, export) = small_repo(&refs);
        if rest.contains("c-3") {
            // A third cluster without Rancher's display name.
            let text = std::fs::read_to_string(&export).unwrap().replace(
                "items:\n",
                "items:\n- {apiVersion: fleet.cattle.io/v1alpha1, kind: Cluster, metadata: {name: c-3, namespace: fleet-default, labels: {env: prod}}}\n",
            );
            std::fs::write(&export, text).unwrap();
        }
        let out = import_in(&repo, &export, &[]);
        let err = common::stderr(&out);
        assert!(err.contains(left), "{left}:\n{err}");
        assert!(!repo.join("fleetc.yaml").exists(), "{err}");
    }

    // A GitRepo whose paths fleetc cannot expand may pull the imported directory: the other
    // is left too.
    let (_t, repo, export) = small_repo(&[
        WEB,
        DB,
        (
            "gitrepos/other.yaml",
            "apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata: {name: other, namespace: fleet-default}\nspec: {repo: https://git.example.com/fleet.git, paths: ['apps/[wx]eb']}\n",
        ),
    ]);
    refused(
        &repo,
        &export,
        "GitRepo `other` may pull its bundle `apps/web` too",
    );

    // fleetc's own group names taken by another selector: nothing is imported.
    let (_t, repo, export) = small_repo(&[
        WEB,
        DB,
        (
            "fleet/env-prod.yaml",
            "apiVersion: fleet.cattle.io/v1alpha1\nkind: ClusterGroup\nmetadata: {name: env-prod, namespace: fleet-default}\nspec: {selector: {matchLabels: {tier: gold}}}\n",
        ),
    ]);
    let out = import_in(&repo, &export, &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("ClusterGroup `env-prod` would be replaced by fleetc's own"),
        "{err}"
    );
    assert!(!repo.join("fleetc.yaml").exists());
}

/// One export of GitRepos, Clusters and ClusterGroups serves as `--gitrepos` alone; without any
/// clusters the import stops and says how to export them.
#[test]
fn one_export_holds_gitrepos_and_clusters() {
    let (tmp, repo, export) = small_repo(&[WEB, DB]);
    let gitrepo = std::fs::read_to_string(repo.join("gitrepos/platform.yaml")).unwrap();
    std::fs::remove_file(repo.join("gitrepos/platform.yaml")).unwrap();
    let both = tmp.path().join("fleet.yaml");
    let clusters = std::fs::read_to_string(&export).unwrap();
    std::fs::write(&both, format!("{gitrepo}---\n{clusters}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(["import", "--gitrepos", both.to_str().unwrap()])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("for 2 clusters"));
    let (_t, repo, _) = small_repo(&[WEB, DB]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("import")
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("fleetc import needs the live clusters"));
    assert!(!repo.join("fleetc.yaml").exists());
}

/// What real repositories carry and Fleet never acts on is reported, with the import going
/// through: a target no live cluster matches (it waits for clusters, W017), a kept
/// customization that matches none, a dependency on a bundle no GitRepo makes.
#[test]
fn dead_targets_customizations_and_dependencies_are_reported() {
    let rest = "  paths: [apps/web, apps/db]\n  targets:\n  - clusterSelector: {matchLabels: {env: prod}}\n  - clusterSelector: {matchLabels: {env: staging}}\n";
    let (_t, repo, export) = small_repo(&[
        ("gitrepos/platform.yaml", &gitrepo_yaml(rest)),
        (
            "apps/web/fleet.yaml",
            "defaultNamespace: web\ndependsOn: [{name: cert-manager}]\ntargetCustomizations:\n- name: eu\n  clusterSelector: {matchLabels: {region: eu}}\n  kustomize: {dir: overlays/eu}\n",
        ),
        ("apps/web/deployment.yaml", DB.1),
        DB,
    ]);
    let rt = round_trip(&repo, None, &export);
    assert!(rt.pairs > 0, "nothing deployed to compare:\n{}", rt.report);
    assert_eq!(rt.imported, rt.bundles, "{}", rt.report);
    for piece in [
        "warning[W017]: app `web`: a target matches none of the live clusters",
        "warning[W023]: app `web`: kept targetCustomization `eu` matches none of the live clusters",
        "warning[W024]: app `web` depends on bundle `cert-manager`, which no GitRepo of the repository makes",
    ] {
        assert!(rt.report.contains(piece), "{piece}\n{}", rt.report);
    }
}
