//! One bundle (a directory Fleet makes a bundle of, and its fleet.yaml) as a spec app: the
//! source, namespace and options the spec has keys for, targets from the GitRepo or the
//! bundle's `overrideTargets`, and targetCustomizations kept verbatim. What the spec cannot say
//! leaves the bundle (and its GitRepo) as it is, with the reason.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::clusters::{Clusters, NAME_KEY};
use super::scan::{Origin, Repo, line_of, parse_one};
use super::{Finding, GitRepoIn};
use crate::codes::Code;
use crate::load::SpanIndex;
use crate::pointer::Ptr;

/// BundleSpec and BundleDeploymentOptions keys Fleet 0.16 reads from fleet.yaml and its
/// customizations that the spec cannot say.
const BUNDLE_SPEC_ONLY: &[&str] = &[
    "targetRestrictions",
    "contentsId",
    "helmOpOptions",
    "valuesHash",
    "overwrites",
    "allowedTargetNamespaceSelector",
];

/// Helm options the spec's `source.helm` holds under the same names.
const HELM_SOURCE_KEYS: &[&str] = &[
    "chart",
    "repo",
    "version",
    "releaseName",
    "valuesFiles",
    "valuesFrom",
    "templateValues",
    "takeOwnership",
    "force",
    "atomic",
    "timeoutSeconds",
    "waitForJobs",
    "disableDNS",
    "maxHistory",
    "skipSchemaValidation",
    "disablePreProcess",
    "disableDependencyUpdate",
];

/// An imported bundle.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Directory relative to the repository root (`""`: the root).
    pub dir: String,
    /// The name Fleet gives the bundle.
    pub bundle: String,
    /// The release Fleet installs it as.
    pub release: String,
    /// Whether fleet.yaml names the release (else Fleet derives it from the bundle's name).
    pub release_named: bool,
    /// Whether fleet.yaml has `overrideTargets` (its targets are not its GitRepo's).
    pub override_targets: bool,
    /// The bundle's `fleetc.io/app` label: the name the app must keep for the dependencies
    /// that select it.
    pub app_label: Option<String>,
    /// The app without `name` and `dependsOn` (set once every bundle has a name).
    pub app: Map<String, Value>,
    /// `dependsOn` entries as fleet.yaml has them.
    pub depends_on: Vec<Value>,
    /// targetCustomizations kept verbatim.
    pub verbatim: Vec<Value>,
    /// Where they are in the original.
    pub verbatim_at: Origin,
    /// The fleet.yaml (or the directory) it comes from.
    pub origin: Origin,
    /// The fleet.yaml file, if the bundle has one (fleetc takes it over).
    pub fleet_yaml: Option<String>,
}

/// Why a bundle cannot be imported.
#[derive(Debug, Clone)]
pub struct Left {
    pub why: String,
    pub at: Origin,
}

/// Reads the bundle in `dir` of `gitrepo`.
pub fn import(
    repo: &Repo,
    gitrepo: &GitRepoIn,
    dir: &str,
    clusters: &Clusters,
    groups: &[super::Group],
    findings: &mut Vec<Finding>,
) -> Result<Imported, Left> {
    let fleet_yaml = super::bundles::fleet_yaml_in(repo, dir).map_err(|why| Left {
        why,
        at: Origin {
            file: shown_dir(dir),
            line: 1,
        },
    })?;
    let (fy, text, file) = match &fleet_yaml {
        Some(f) => {
            let text = repo.read(f).map_err(|why| Left {
                why,
                at: Origin {
                    file: f.clone(),
                    line: 1,
                },
            })?;
            let value = parse_one(&text).map_err(|e| Left {
                why: if e.contains("budget") {
                    format!("it is beyond what fleetc import reads (64 levels of nesting, 2,000,000 nodes): {e}")
                } else {
                    format!("Fleet cannot read it either: {e}")
                },
                at: Origin {
                    file: f.clone(),
                    line: 1,
                },
            })?;
            (value, text, f.clone())
        }
        None => (Value::Null, String::new(), shown_dir(dir)),
    };
    let fy = match fy {
        Value::Null => Map::new(),
        Value::Object(m) => m,
        _ => {
            return Err(Left {
                why: "it is not a mapping, so Fleet fails the bundle".to_owned(),
                at: Origin { file, line: 1 },
            });
        }
    };
    let index = SpanIndex::new(&text);
    let at = |ptr: &Ptr| Origin {
        file: file.clone(),
        line: line_of(&text, &index, ptr),
    };
    let left = |ptr: &Ptr, why: String| Left { why, at: at(ptr) };
    let root = Ptr::root();
    for (key, v) in &fy {
        // Keys of Fleet 0.16's BundleSpec (which FleetYAML embeds) that its published schema
        // leaves out (rancher/fleet v0.16.1 pkg/apis/fleet.cattle.io/v1alpha1/fleetyaml.go:6-10,
        // bundle_types.go:100-146, bundledeployment_types.go): Fleet acts on them.
        if BUNDLE_SPEC_ONLY.contains(&key.as_str()) && !is_empty(v) {
            return Err(left(
                &root.key(key),
                format!("Fleet reads a bundle's `{key}`, which the spec has no key for"),
            ));
        }
        if key == "resources" {
            findings.push(Finding::new(
                Code::ImportDropped,
                "`resources` is left out: Fleet replaces a bundle's own with the files it reads (read.go:201-206)".to_owned(),
                at(&root.key(key)),
                "nothing to do",
            ));
        } else if !crate::schema::fleet_yaml_keys().any(|k| k == key) {
            findings.push(Finding::new(
                Code::ImportDropped,
                format!("`{key}` is not a fleet.yaml key; Fleet ignores it, and so does the spec"),
                at(&root.key(key)),
                "nothing to do; remove it from the original if it was meant for something",
            ));
        }
    }
    let get = |k: &str| fy.get(k).filter(|v| !v.is_null());
    if let Some(mode) = get("targetCustomizationMode").and_then(Value::as_str)
        && mode != "FirstMatch"
        && !mode.is_empty()
    {
        return Err(left(
            &root.key("targetCustomizationMode"),
            format!("targetCustomizationMode `{mode}` has no counterpart in the spec"),
        ));
    }
    for key in ["imageScans", "yaml", "deleteNamespace"] {
        if get(key).is_some_and(|v| v != &json!(false) && v != &json!([]) && v != &json!({})) {
            return Err(left(
                &root.key(key),
                format!("the spec has no key for a bundle's `{key}`"),
            ));
        }
    }
    let bundle_name = match get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => crate::fleet_names::bundle_name(&gitrepo.name, &fleet_dir(dir)),
    };
    let mut app = Map::new();
    // Namespace: `namespace` forces every resource there and wins over `defaultNamespace`;
    // neither is Fleet's `default`.
    let forced = get("namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let default_ns = get("defaultNamespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    match (forced, default_ns) {
        (Some(ns), _) => {
            app.insert("namespace".into(), json!(ns));
            app.insert("forceNamespace".into(), json!(true));
        }
        (None, Some(ns)) => {
            app.insert("namespace".into(), json!(ns));
        }
        (None, None) => {
            app.insert("namespace".into(), json!("default"));
        }
    }
    app.insert("path".into(), json!(fleet_dir(dir)));
    app.insert("gitRepo".into(), json!(gitrepo.name));
    if get("name").is_some() {
        app.insert("bundleName".into(), json!(bundle_name));
    }
    // The source.
    let helm = get("helm")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let kustomize_dir = get("kustomize")
        .and_then(|k| k["dir"].as_str())
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    let release = helm
        .get("releaseName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map_or_else(
            || crate::fleet_names::helm_release_name(&bundle_name),
            str::to_owned,
        );
    let has_chart = ["chart", "repo"].iter().any(|k| {
        helm.get(*k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    });
    let at_root = |name: &str| {
        matches!(
            repo.entry(&super::bundles::join(dir, name)),
            Some(super::scan::Entry::File(_))
        )
    };
    for (k, v) in &helm {
        if !HELM_SOURCE_KEYS.contains(&k.as_str()) && k != "values" && !v.is_null() {
            return Err(left(
                &root.key("helm").key(k),
                format!("the spec has no key for Helm's `{k}`"),
            ));
        }
    }
    let source = if has_chart || (kustomize_dir.is_none() && at_root("Chart.yaml")) {
        if kustomize_dir.is_some() {
            return Err(left(
                &root.key("kustomize"),
                "a chart post-rendered by a kustomize directory has no counterpart in the spec"
                    .to_owned(),
            ));
        }
        let mut h = Map::new();
        if !has_chart {
            // A chart at the bundle's top: Fleet deploys the directory as the chart.
            h.insert("chart".into(), json!("."));
        }
        for key in HELM_SOURCE_KEYS {
            let Some(v) = helm.get(*key) else { continue };
            // Without `chart` or `repo` Fleet never reads the root's values files
            // (rancher/fleet v0.16.1 internal/bundlereader/resources.go:36-44); the spec's
            // `chart: .` would.
            if *key == "valuesFiles" && !has_chart && !is_empty(v) {
                findings.push(Finding::new(
                    Code::ImportDropped,
                    "`helm.valuesFiles` is left out: without `helm.chart` Fleet never reads them".to_owned(),
                    at(&root.key("helm").key("valuesFiles")),
                    "nothing to do: the deployment does not change; name the chart (`chart: .`) in the spec if they are meant",
                ));
                continue;
            }
            let keep = match v {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::Number(n) => n.as_u64() != Some(0),
                Value::Bool(true) => true,
            };
            if keep {
                h.insert((*key).to_owned(), v.clone());
            }
        }
        if !h.contains_key("chart") {
            // `repo: oci://…` alone names the chart: the spec calls it `chart`.
            match h.get("repo").and_then(Value::as_str) {
                Some(r) if r.to_ascii_lowercase().starts_with("oci://") => {
                    let r = r.to_owned();
                    h.remove("repo");
                    h.insert("chart".into(), json!(r));
                }
                _ => {
                    return Err(left(
                        &root.key("helm").key("repo"),
                        "a Helm repository without a chart name".to_owned(),
                    ));
                }
            }
        }
        h.insert("releaseName".into(), json!(release));
        json!({"helm": h})
    } else {
        // Kustomize and raw YAML bundles are Helm releases too; nothing else of `helm` applies.
        for (k, v) in &helm {
            let empty = v.is_null()
                || v == &json!(false)
                || v.as_str() == Some("")
                || v.as_object().is_some_and(Map::is_empty)
                || v.as_array().is_some_and(Vec::is_empty);
            if k != "releaseName" && !empty {
                return Err(left(
                    &root.key("helm").key(k),
                    format!(
                        "Helm's `{k}` on a bundle without a chart has no counterpart in the spec"
                    ),
                ));
            }
        }
        match kustomize_dir {
            Some(d) => json!({"kustomize": {"base": d, "releaseName": release}}),
            None if ["kustomization.yaml", "kustomization.yml", "Kustomization"]
                .iter()
                .any(|f| at_root(f)) =>
            {
                json!({"kustomize": {"base": ".", "releaseName": release}})
            }
            None => json!({"manifests": {"releaseName": release}}),
        }
    };
    // The chart's values after its source, where a reader looks for them.
    let helm_app = source.get("helm").is_some();
    app.insert("source".into(), source);
    if let Some(values) = helm.get("values").and_then(Value::as_object)
        && helm_app
        && !values.is_empty()
    {
        app.insert("values".into(), Value::Object(values.clone()));
    }
    // Targets: the bundle's own `overrideTargets`, else its GitRepo's.
    let (targets, targets_at) = match get("overrideTargets").and_then(Value::as_array) {
        Some(t) => (t.clone(), Some(root.key("overrideTargets"))),
        None => (gitrepo.targets.clone(), None),
    };
    let mut out_targets = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let where_ = |why: String| match &targets_at {
            Some(p) => left(&p.index(i), why),
            None => Left {
                why,
                at: gitrepo.origin.clone(),
            },
        };
        match target(t, gitrepo, clusters, groups).map_err(where_)? {
            Some(t) => out_targets.push(Value::Object(t)),
            None => findings.push(Finding::new(
                Code::ImportDropped,
                "a target without criteria matches no cluster in Fleet; it is left out".to_owned(),
                match &targets_at {
                    Some(p) => at(&p.index(i)),
                    None => gitrepo.origin.clone(),
                },
                "nothing to do",
            )),
        }
    }
    if out_targets.is_empty() {
        return Err(match &targets_at {
            Some(p) => left(p, "its overrideTargets select no cluster (a target without criteria matches none), and a spec app needs a target".to_owned()),
            None => Left {
                why: "its GitRepo's targets select no cluster (a target without criteria matches none), and a spec app needs a target".to_owned(),
                at: gitrepo.origin.clone(),
            },
        });
    }
    app.insert("targets".into(), Value::Array(out_targets));
    // Bundle options under the spec's names.
    let mut app_label = None;
    if let Some(labels) = get("labels").and_then(Value::as_object) {
        let mut kept = Map::new();
        for (k, v) in labels {
            if k == crate::model::APP_LABEL {
                // fleetc sets it to the app's name, which is then this value.
                app_label = v.as_str().map(str::to_owned);
            } else if k.starts_with("fleet.cattle.io/") {
                // Fleet copies these to the BundleDeployments (target.go:103-108), where a
                // dependency may select by them; the spec leaves Fleet's own keys to Fleet.
                return Err(left(
                    &root.key("labels").key(k),
                    format!(
                        "bundle label `{k}` is one of Fleet's own keys, which the spec does not set"
                    ),
                ));
            } else if k.contains("cattle.io/") || k.contains("kubectl.kubernetes.io/") {
                findings.push(Finding::new(
                    Code::ImportDropped,
                    format!("bundle label `{k}` is left out: Fleet does not copy it to the clusters, so no dependency could select by it"),
                    at(&root.key("labels").key(k)),
                    "nothing to do: the deployment does not change",
                ));
            } else {
                kept.insert(k.clone(), Value::String(scalar_text(v)));
            }
        }
        if !kept.is_empty() {
            app.insert("bundleLabels".into(), Value::Object(kept));
        }
    }
    for key in [
        "namespaceLabels",
        "namespaceAnnotations",
        "serviceAccount",
        "ignore",
        "downstreamResources",
    ] {
        if let Some(v) = get(key).filter(|v| !is_empty(v)) {
            app.insert(key.to_owned(), v.clone());
        }
    }
    for key in ["keepResources", "deleteCRDResources", "paused"] {
        if get(key) == Some(&json!(true)) {
            app.insert(key.to_owned(), json!(true));
        }
    }
    if let Some(v) = get("createNamespace").filter(|v| v.is_boolean()) {
        app.insert("createNamespace".into(), v.clone());
    }
    if get("forceSyncGeneration").is_some() {
        findings.push(Finding::new(
            Code::ImportDropped,
            "a bundle's own `forceSyncGeneration` is left out: Fleet sets every bundle's from its GitRepo's".to_owned(),
            at(&root.key("forceSyncGeneration")),
            "set `forceSyncGeneration` on the GitRepo (`gitRepos[]`) to redeploy",
        ));
    }
    if let Some(r) = get("rolloutStrategy").and_then(Value::as_object) {
        if r.get("partitions").is_some_and(|p| !is_empty(p)) {
            return Err(left(
                &root.key("rolloutStrategy").key("partitions"),
                "rollout partitions are not imported yet".to_owned(),
            ));
        }
        if !r.is_empty() {
            app.insert("rolloutStrategy".into(), Value::Object(r.clone()));
        }
    }
    // Drift: the GitRepo's correctDrift replaces the bundle's when it is on (rancher/fleet v0.16.1 internal/bundlereader/read.go:285-287).
    let mut drift = Map::new();
    let correct = match &gitrepo.correct_drift {
        Some(c) if c["enabled"] == true => Some(c.clone()),
        _ => get("correctDrift").filter(|v| !is_empty(v)).cloned(),
    };
    if let Some(c) = correct {
        drift.insert("correctDrift".into(), c);
    }
    if let Some(p) = get("diff")
        .and_then(|d| d.get("comparePatches"))
        .filter(|v| !is_empty(v))
    {
        drift.insert("comparePatches".into(), p.clone());
    }
    if !drift.is_empty() {
        app.insert("drift".into(), Value::Object(drift));
    }
    // targetCustomizations (fleet.yaml `targets` first: read.go:185), kept verbatim.
    let mut verbatim = Vec::new();
    for key in ["targets", "targetCustomizations"] {
        for (i, c) in get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(obj) = c.as_object() else {
                return Err(left(
                    &root.key(key).index(i),
                    "a targetCustomization that is not a mapping".to_owned(),
                ));
            };
            let mut kept = Map::new();
            for (k, v) in obj {
                if BUNDLE_SPEC_ONLY.contains(&k.as_str()) && !is_empty(v) {
                    return Err(left(
                        &root.key(key).index(i).key(k),
                        format!(
                            "Fleet reads a customization's `{k}`, which the spec has no key for"
                        ),
                    ));
                }
                if crate::schema::fleet_customization_keys().any(|x| x == k) {
                    kept.insert(k.clone(), v.clone());
                } else {
                    findings.push(Finding::new(
                        Code::ImportDropped,
                        format!("`{k}` is not a targetCustomization key; Fleet ignores it, and so does the spec"),
                        at(&root.key(key).index(i).key(k)),
                        "nothing to do",
                    ));
                }
            }
            verbatim.push(Value::Object(kept));
        }
    }
    let verbatim_at = at(&root.key(if get("targets").is_some() {
        "targets"
    } else {
        "targetCustomizations"
    }));
    let depends_on = get("dependsOn")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(Imported {
        dir: dir.to_owned(),
        bundle: bundle_name,
        release,
        app_label,
        override_targets: targets_at.is_some(),
        release_named: helm
            .get("releaseName")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()),
        app,
        depends_on,
        verbatim,
        verbatim_at,
        origin: Origin {
            file: file.clone(),
            line: 1,
        },
        fleet_yaml,
    })
}

/// A GitRepo target (or a bundle's overrideTarget) as a spec target; `None` for one without
/// criteria, which matches nothing (clustermatcher.go:69-78).
pub fn target(
    t: &Value,
    gitrepo: &GitRepoIn,
    clusters: &Clusters,
    groups: &[super::Group],
) -> Result<Option<Map<String, Value>>, String> {
    let Some(obj) = t.as_object() else {
        return Err("a target that is not a mapping".to_owned());
    };
    let mut out = Map::new();
    if let Some(n) = obj
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        out.insert("name".into(), json!(n));
    }
    let mut criteria = false;
    if let Some(name) = obj
        .get("clusterName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        criteria = true;
        // Fleet matches the object's name or Rancher's display-name label
        // (rancher/fleet v0.16.1 internal/cmd/controller/target/matcher/clustermatcher.go:26-37);
        // fleetc's `cluster:` selects by the display name, which every cluster must carry.
        match clusters.by_name(&gitrepo.workspace, name) {
            Some(c) if clusters.display_names => {
                out.insert("cluster".into(), json!(c.name));
            }
            Some(_) => {
                return Err(format!(
                    "target by clusterName `{name}`: not every exported cluster carries a unique `{NAME_KEY}` label, which fleetc's cluster targets select by"
                ));
            }
            None => {
                return Err(format!(
                    "target by clusterName `{name}`: no such cluster in workspace `{}` of the cluster export",
                    gitrepo.workspace
                ));
            }
        }
    }
    if let Some(g) = obj
        .get("clusterGroup")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        criteria = true;
        if groups
            .iter()
            .any(|x| x.workspace == gitrepo.workspace && x.name == g && !x.selector.is_object())
        {
            // Fleet gives a group without a selector no cluster (rancher/fleet v0.16.1
            // internal/cmd/controller/target/query.go:103); the spec's always has one.
            return Err(format!(
                "target by clusterGroup `{g}`: the ClusterGroup has no selector, so Fleet gives it no cluster"
            ));
        }
        if !groups
            .iter()
            .any(|x| x.workspace == gitrepo.workspace && x.name == g)
        {
            return Err(format!(
                "target by clusterGroup `{g}`: no such ClusterGroup in workspace `{}` in the repository or the exports (export it with `kubectl get clustergroups.fleet.cattle.io -A -o yaml` and pass it with --clusters)",
                gitrepo.workspace
            ));
        }
        // A group of one environment or region by the key every cluster carries (fleetc's own
        // `env-…`/`region-…` groups) is the spec's `environment:`/`region:`.
        let group = groups
            .iter()
            .find(|x| x.workspace == gitrepo.workspace && x.name == g);
        let only = |key: &str| {
            group.and_then(|x| {
                let ml = x.selector["matchLabels"].as_object()?;
                let plain = x
                    .selector
                    .get("matchExpressions")
                    .is_none_or(|e| e.as_array().is_some_and(Vec::is_empty));
                (plain && ml.len() == 1).then(|| ml.get(key)?.as_str())?
            })
        };
        let env = only(&clusters.env_key)
            .filter(|e| clusters.env_found && g == format!("env-{e}"))
            .filter(|e| clusters.environments.iter().any(|(n, _)| n == e));
        let region = only(&clusters.region_key)
            .filter(|r| clusters.region_found && g == format!("region-{r}"))
            .filter(|r| clusters.clusters.iter().any(|c| c.region == *r));
        match (env, region) {
            (Some(e), _) => {
                out.insert("environment".into(), json!(e));
            }
            (None, Some(r)) => {
                out.insert("region".into(), json!(r));
            }
            (None, None) => {
                out.insert("clusterGroup".into(), json!(g));
            }
        }
    }
    if let Some(s) = obj.get("clusterGroupSelector").filter(|v| !v.is_null()) {
        criteria = true;
        let sel = selector(s)?;
        let reached: Vec<&super::Group> = groups
            .iter()
            .filter(|x| x.workspace == gitrepo.workspace && selects(&sel, &x.labels))
            .collect();
        if reached.iter().any(|x| !x.selector.is_object()) {
            return Err(
                "target by clusterGroupSelector: it reaches a ClusterGroup without a selector, which Fleet gives no cluster"
                    .to_owned(),
            );
        }
        if reached.is_empty() {
            return Err(format!(
                "target by clusterGroupSelector: no ClusterGroup of workspace `{}` in the repository or the exports carries the labels it selects, and the spec declares the groups a selector reaches",
                gitrepo.workspace
            ));
        }
        out.insert("clusterGroupSelector".into(), sel);
    }
    if let Some(s) = obj.get("clusterSelector").filter(|v| !v.is_null()) {
        criteria = true;
        let sel = selector(s)?;
        // One environment, one region, or both, by the keys every cluster carries: the
        // spec's own words for it (fleetc's env-/region- ClusterGroups select the same).
        let labels = sel["matchLabels"].as_object().cloned().unwrap_or_default();
        let only_labels = sel.get("matchExpressions").is_none() && !labels.is_empty();
        let env = labels.get(&clusters.env_key).and_then(Value::as_str);
        let region = labels.get(&clusters.region_key).and_then(Value::as_str);
        let known_env =
            env.filter(|e| clusters.env_found && clusters.environments.iter().any(|(n, _)| n == e));
        let known_region = region
            .filter(|r| clusters.region_found && clusters.clusters.iter().any(|c| c.region == *r));
        let covered = usize::from(known_env.is_some()) + usize::from(known_region.is_some());
        let clash =
            |k: &str, v: Option<&str>| v.is_some_and(|v| out.get(k).is_some_and(|x| x != v));
        if only_labels
            && covered == labels.len()
            && covered > 0
            && !clash("environment", known_env)
            && !clash("region", known_region)
        {
            if let Some(e) = known_env {
                out.insert("environment".into(), json!(e));
            }
            if let Some(r) = known_region {
                out.insert("region".into(), json!(r));
            }
        } else {
            out.insert("selector".into(), sel);
        }
    }
    Ok(criteria.then_some(out))
}

/// Kubernetes label selector matching, by the model's own matcher; a selector that is not one
/// matches nothing.
pub fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    serde_json::from_value::<crate::spec::Selector>(sel.clone()).is_ok_and(|s| {
        crate::model::LabelSelector {
            match_labels: s.match_labels,
            match_expressions: s
                .match_expressions
                .into_iter()
                .map(|r| crate::model::Requirement {
                    key: r.key,
                    operator: r.operator,
                    values: r.values,
                })
                .collect(),
        }
        .matches_plain(labels)
    })
}

/// A label selector in the spec's shape (the same as Kubernetes'); values as strings.
fn selector(s: &Value) -> Result<Value, String> {
    let Some(obj) = s.as_object() else {
        return Err("a label selector that is not a mapping".to_owned());
    };
    let mut out = Map::new();
    if let Some(ml) = obj.get("matchLabels").and_then(Value::as_object)
        && !ml.is_empty()
    {
        out.insert(
            "matchLabels".into(),
            Value::Object(
                ml.iter()
                    .map(|(k, v)| (k.clone(), Value::String(scalar_text(v))))
                    .collect(),
            ),
        );
    }
    if let Some(me) = obj.get("matchExpressions").and_then(Value::as_array)
        && !me.is_empty()
    {
        let mut list = Vec::new();
        for r in me {
            let mut req = Map::new();
            req.insert("key".into(), r["key"].clone());
            req.insert("operator".into(), r["operator"].clone());
            if let Some(vals) = r["values"].as_array().filter(|v| !v.is_empty()) {
                req.insert(
                    "values".into(),
                    Value::Array(vals.iter().map(|v| Value::String(scalar_text(v))).collect()),
                );
            }
            list.push(Value::Object(req));
        }
        out.insert("matchExpressions".into(), Value::Array(list));
    }
    for k in obj.keys() {
        if k != "matchLabels" && k != "matchExpressions" {
            return Err(format!(
                "a label selector with `{k}`, which is not a selector key"
            ));
        }
    }
    Ok(Value::Object(out))
}

/// Fleet's reader turns label values into strings the way JSON does (`true`, `3`).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// The bundle directory as a spec path (`.` for the root).
pub fn fleet_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_owned()
    } else {
        dir.to_owned()
    }
}

fn shown_dir(dir: &str) -> String {
    format!("{}/", fleet_dir(dir))
}

/// `dependsOn` entries with bundle names of imported apps turned into app names.
pub fn depends_on(entries: &[Value], apps: &BTreeMap<String, String>) -> Vec<Value> {
    let mut out = Vec::new();
    for e in entries {
        let states = e.get("acceptedStates").filter(|s| !is_empty(s)).cloned();
        let entry = if let Some(name) = e
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            match (apps.get(name), &states) {
                (Some(app), None) => json!(app),
                (Some(app), Some(s)) => json!({"app": app, "acceptedStates": s}),
                (None, _) => {
                    let mut m = Map::new();
                    m.insert("bundle".into(), json!(name));
                    if let Some(s) = &states {
                        m.insert("acceptedStates".into(), s.clone());
                    }
                    Value::Object(m)
                }
            }
        } else if let Some(sel) = e.get("selector").filter(|s| !s.is_null()) {
            let mut m = Map::new();
            m.insert(
                "selector".into(),
                selector(sel).unwrap_or_else(|_| sel.clone()),
            );
            if let Some(s) = &states {
                m.insert("acceptedStates".into(), s.clone());
            }
            Value::Object(m)
        } else {
            continue;
        };
        out.push(entry);
    }
    out
}
