//! `fleetc import`: an existing Fleet repository (GitRepos, fleet.yaml bundles) and the live
//! clusters (an exported Cluster list) → a spec that compiles back to a tree Fleet deploys the
//! same way, with a report of what was imported, kept verbatim or left as it was, and why.
//!
//! Stages, one module each: [`scan`] (the repository's files and YAML as Fleet reads it) →
//! [`bundles`] (Fleet's scan of each GitRepo's `paths`) → [`clusters`] (label conventions →
//! environments and regions) → [`apps`] (fleet.yaml → spec apps) → [`write`] (the spec's text).
//! Nothing is written here: the command writes the spec and the adoption manifest.

pub mod apps;
pub mod bundles;
pub mod clusters;
pub mod scan;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::codes::Code;
use scan::{Origin, Repo};

/// What to import.
#[derive(Debug, Clone)]
pub struct Request {
    /// The Git repository Fleet pulls (its root).
    pub repo: PathBuf,
    /// Files or directories with GitRepo objects (`kubectl get gitrepos -A -o yaml`); none: the
    /// GitRepo objects found in the repository.
    pub gitrepos: Vec<PathBuf>,
    /// Files with the live Cluster objects (and ClusterGroups), as exported from the
    /// management cluster.
    pub clusters: Vec<PathBuf>,
    /// The spec's file name, for its header comment.
    pub spec_name: String,
}

/// Something the report says about one place of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub message: String,
    pub at: Origin,
    pub help: String,
}

impl Finding {
    pub fn new(code: Code, message: String, at: Origin, help: &str) -> Finding {
        Finding {
            code,
            message,
            at,
            help: help.to_owned(),
        }
    }
}

/// A GitRepo as import reads it.
#[derive(Debug, Clone)]
pub struct GitRepoIn {
    pub name: String,
    pub workspace: String,
    pub spec: Map<String, Value>,
    pub targets: Vec<Value>,
    pub correct_drift: Option<Value>,
    pub origin: Origin,
}

/// The outcome.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The spec's text.
    pub spec: String,
    /// Findings, by place.
    pub findings: Vec<Finding>,
    /// Files of the repository the spec generates from now on (fleet.yaml of imported
    /// bundles): the command records them as fleetc's.
    pub adopt: Vec<String>,
    /// GitRepo and ClusterGroup objects in the repository that the spec now writes elsewhere.
    pub replaced: Vec<(String, Origin)>,
    pub summary: Summary,
}

/// Counts for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub gitrepos: usize,
    pub gitrepos_left: usize,
    pub bundles: usize,
    pub bundles_verbatim: usize,
    pub bundles_left: usize,
    pub clusters: usize,
    pub environments: usize,
}

/// A ClusterGroup of the repository or the exports.
#[derive(Debug, Clone)]
pub struct Group {
    pub workspace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

/// A mapping of strings (labels) as strings.
fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect()
}

/// GitRepo spec keys the spec's `gitRepos` hold (the rest leave the GitRepo as it is).
const GITREPO_KEYS: &[&str] = &[
    "repo",
    "branch",
    "revision",
    "paths",
    "targets",
    "clientSecretName",
    "pollingInterval",
    "disablePolling",
    "helmSecretName",
    "helmRepoURLRegex",
    "helmSecretNameForPaths",
    "webhookSecret",
    "caBundle",
    "insecureSkipTLSVerify",
    "ociRegistrySecret",
    "deleteNamespace",
    "targetNamespace",
    "serviceAccount",
    "keepResources",
    "paused",
    "forceSyncGeneration",
    "correctDrift",
];

const DEFAULT_WORKSPACE: &str = "fleet-default";

/// Imports; an `Err` is a reason nothing can be imported (and nothing is written).
pub fn import(req: &Request) -> Result<Imported, String> {
    let repo = Repo::open(&req.repo)?;
    let mut findings = Vec::new();
    // Objects in the repository: only files that mention Fleet's API group are parsed.
    let mut in_repo = Vec::new();
    for (path, entry) in repo.paths() {
        if !matches!(entry, scan::Entry::File(_))
            || !(path.ends_with(".yaml") || path.ends_with(".yml"))
        {
            continue;
        }
        let Ok(text) = repo.read(path) else { continue };
        if !text.contains("fleet.cattle.io") {
            continue;
        }
        match scan::parse_docs(&text, path) {
            Ok(docs) => in_repo.extend(scan::objects(docs)),
            Err(e) => findings.push(Finding::new(
                Code::ImportLeft,
                format!("a file naming Fleet's API cannot be read, so any GitRepo in it is not imported: {e}"),
                Origin { file: path.to_owned(), line: 1 },
                "fix the YAML, or pass the GitRepos exported from the cluster with --gitrepos",
            )),
        }
    }
    let mut exported = Vec::new();
    for path in &req.gitrepos {
        exported.extend(read_objects(path)?);
    }
    let mut cluster_objects = Vec::new();
    for path in &req.clusters {
        cluster_objects.extend(read_objects(path)?);
    }
    let gitrepo_objects: Vec<&(Value, Origin)> = if req.gitrepos.is_empty() {
        in_repo
            .iter()
            .filter(|(o, _)| scan::is_fleet(o, "GitRepo"))
            .collect()
    } else {
        exported
            .iter()
            .filter(|(o, _)| scan::is_fleet(o, "GitRepo"))
            .collect()
    };
    if gitrepo_objects.is_empty() {
        return Err(if req.gitrepos.is_empty() {
            "no GitRepo objects in the repository; pass the ones exported from the cluster with --gitrepos (`kubectl get gitrepos.fleet.cattle.io -A -o yaml`)".to_owned()
        } else {
            "the files given with --gitrepos hold no GitRepo objects".to_owned()
        });
    }
    // The workspace most GitRepos are in is the spec's `fleet.namespace`.
    let mut gitrepos: Vec<GitRepoIn> = Vec::new();
    for (obj, origin) in gitrepo_objects {
        let Some(name) = obj["metadata"]["name"].as_str() else {
            return Err(format!("{origin}: a GitRepo without `metadata.name`"));
        };
        let workspace = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or(DEFAULT_WORKSPACE)
            .to_owned();
        if gitrepos
            .iter()
            .any(|g| g.name == name && g.workspace == workspace)
        {
            findings.push(Finding::new(
                Code::ImportLeft,
                format!("GitRepo `{name}` of workspace `{workspace}` appears twice; the first is imported"),
                origin.clone(),
                "remove one of the two",
            ));
            continue;
        }
        let spec = obj["spec"].as_object().cloned().unwrap_or_default();
        gitrepos.push(GitRepoIn {
            name: name.to_owned(),
            workspace,
            targets: spec
                .get("targets")
                .and_then(Value::as_array)
                .filter(|t| !t.is_empty())
                .cloned()
                // No targets: ClusterGroup `default` (rancher/fleet v0.16.1
                // internal/cmd/controller/gitops/reconciler/targetsyaml.go:45-56).
                .unwrap_or_else(|| vec![json!({"name": "default", "clusterGroup": "default"})]),
            correct_drift: spec.get("correctDrift").cloned(),
            spec,
            origin: origin.clone(),
        });
    }
    let workspace = most_common(gitrepos.iter().map(|g| g.workspace.clone()))
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
    let clusters_in: Vec<(Value, Origin)> = cluster_objects
        .iter()
        .filter(|(o, _)| scan::is_fleet(o, "Cluster"))
        .cloned()
        .collect();
    if clusters_in.is_empty() {
        return Err("fleetc import needs the live clusters: export them with `kubectl get clusters.fleet.cattle.io -A -o yaml > clusters.yaml` and pass --clusters clusters.yaml".to_owned());
    }
    let clusters = clusters::infer(&clusters_in, &workspace)?;
    // ClusterGroups: exported ones, then the repository's (and whether it is the repository's).
    let group_objects: Vec<(&Value, &Origin, bool)> = cluster_objects
        .iter()
        .map(|(o, at)| (o, at, false))
        .chain(in_repo.iter().map(|(o, at)| (o, at, true)))
        .filter(|(o, _, _)| scan::is_fleet(o, "ClusterGroup"))
        .collect();
    let groups: Vec<Group> = group_objects
        .iter()
        .filter_map(|(o, _, _)| {
            Some(Group {
                workspace: o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or(&workspace)
                    .to_owned(),
                name: o["metadata"]["name"].as_str()?.to_owned(),
                labels: string_map(&o["metadata"]["labels"]),
            })
        })
        .collect();
    // Each GitRepo's bundles, then which directories more than one GitRepo pulls.
    let mut scans: Vec<Result<bundles::Scan, String>> = Vec::new();
    for g in &gitrepos {
        let paths: Vec<String> = g
            .spec
            .get("paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        scans.push(bundles::scan(&repo, &paths));
    }
    let mut pulled_by: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (i, s) in scans.iter().enumerate() {
        for d in s.iter().flat_map(|s| &s.bundles) {
            pulled_by.entry(d.as_str()).or_default().insert(i);
        }
    }
    let mut imported: Vec<(usize, Vec<apps::Imported>)> = Vec::new();
    let mut summary = Summary::default();
    for (i, g) in gitrepos.iter().enumerate() {
        let mut reasons: Vec<(String, Origin)> = Vec::new();
        for key in g.spec.keys() {
            if !GITREPO_KEYS.contains(&key.as_str()) && !g.spec[key].is_null() {
                reasons.push((
                    format!("the spec has no key for a GitRepo's `{key}`"),
                    g.origin.clone(),
                ));
            }
        }
        let dirs = match scans[i].as_ref().map(|s| &s.bundles) {
            Ok(d) if d.is_empty() => {
                reasons.push((
                    "Fleet finds no bundle under its paths in this repository (does it read another one?)".to_owned(),
                    g.origin.clone(),
                ));
                Vec::new()
            }
            Ok(d) => d.clone(),
            Err(e) => {
                reasons.push((e.clone(), g.origin.clone()));
                Vec::new()
            }
        };
        let mut found = Vec::new();
        let mut group_findings = Vec::new();
        for d in &dirs {
            if let Some(others) = pulled_by.get(d.as_str()).filter(|s| s.len() > 1) {
                let names: Vec<&str> = others.iter().map(|j| gitrepos[*j].name.as_str()).collect();
                reasons.push((
                    format!(
                        "its bundle `{}` is also pulled by {}: one fleet.yaml serves several GitRepos, and a spec app has one",
                        apps::fleet_dir(d),
                        names.join(", ")
                    ),
                    g.origin.clone(),
                ));
                continue;
            }
            match apps::import(&repo, g, d, &clusters, &groups, &mut group_findings) {
                Ok(a) => {
                    // A fleet.yaml written where there was none makes a bundle of the
                    // directory for every other GitRepo whose scan walks it.
                    let walked_by: Vec<&str> = scans
                        .iter()
                        .enumerate()
                        .filter(|(j, s)| *j != i && s.as_ref().is_ok_and(|s| s.walks(d)))
                        .map(|(j, _)| gitrepos[j].name.as_str())
                        .collect();
                    if a.fleet_yaml.is_none() && !walked_by.is_empty() {
                        reasons.push((
                            format!(
                                "its bundle `{}` has no fleet.yaml, and one written there would make a bundle of it for {} too",
                                apps::fleet_dir(d),
                                walked_by.join(", ")
                            ),
                            g.origin.clone(),
                        ));
                    } else {
                        found.push(a);
                    }
                }
                Err(left) => reasons.push((left.why, left.at)),
            }
        }
        // One report per reason, at its first place.
        let mut seen = BTreeSet::new();
        reasons.retain(|(why, _)| seen.insert(why.clone()));
        if reasons.is_empty() {
            summary.gitrepos += 1;
            summary.bundles += found.len();
            summary.bundles_verbatim += found.iter().filter(|a| !a.verbatim.is_empty()).count();
            findings.extend(group_findings);
            imported.push((i, found));
        } else {
            summary.gitrepos_left += 1;
            summary.bundles_left += dirs.len();
            for (why, at) in reasons {
                let with = if dirs.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", with its {}",
                        crate::diagnostic::plural(dirs.len(), "bundle")
                    )
                };
                findings.push(Finding::new(
                    Code::ImportLeft,
                    format!("GitRepo `{}` is left as it is{with}: {why}", g.name),
                    at,
                    "fleetc leaves its files alone; adopt it once the spec can say this, or keep it beside the spec",
                ));
            }
        }
    }
    if imported.is_empty() {
        let mut why = String::from("no GitRepo can be imported:");
        for f in &findings {
            why.push_str(&format!("\n  {}: {}", f.at, f.message));
        }
        return Err(why);
    }
    // App names: the directory's last part, else the bundle's name where two would meet.
    let all: Vec<&apps::Imported> = imported.iter().flat_map(|(_, a)| a).collect();
    let mut names: Vec<String> = all
        .iter()
        .map(|a| {
            let last = a.dir.rsplit('/').next().filter(|s| !s.is_empty());
            dns_label(last.unwrap_or(&a.bundle)).unwrap_or_else(|| a.bundle.clone())
        })
        .collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for n in &names {
        *count.entry(n.clone()).or_default() += 1;
    }
    for (n, a) in names.iter_mut().zip(&all) {
        if count[n.as_str()] > 1 {
            n.clone_from(&a.bundle);
        }
    }
    let by_bundle: BTreeMap<String, String> = all
        .iter()
        .zip(&names)
        .map(|(a, n)| (a.bundle.clone(), n.clone()))
        .collect();
    let mut spec_apps = Vec::new();
    let mut k = 0;
    for (i, found) in &imported {
        let g = &gitrepos[*i];
        for a in found {
            let mut app = Map::new();
            app.insert("name".into(), json!(names[k]));
            k += 1;
            for (key, v) in &a.app {
                app.insert(key.clone(), v.clone());
            }
            // The default release name is the app's.
            strip_default_release(&mut app);
            // A GitRepo's targetNamespace and service account win over the bundle's
            // (read.go:228-231, 266-271): the spec says them once, on the GitRepo.
            if let Some(tn) = g
                .spec
                .get("targetNamespace")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                app.insert("namespace".into(), json!(tn));
                app.remove("forceNamespace");
            }
            if g.spec
                .get("serviceAccount")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
                && app.remove("serviceAccount").is_some()
            {
                findings.push(Finding::new(
                    Code::ImportDropped,
                    format!("the bundle's serviceAccount is left out: GitRepo `{}` sets its own, which Fleet uses instead", g.name),
                    a.origin.clone(),
                    "nothing to do: the deployment does not change",
                ));
            }
            let deps = apps::depends_on(&a.depends_on, &by_bundle);
            if !deps.is_empty() {
                app.insert("dependsOn".into(), Value::Array(deps));
            }
            spec_apps.push(write::App {
                value: app,
                verbatim: a.verbatim.clone(),
                origin: a.origin.clone(),
                gitrepo: g.name.clone(),
                bundle: a.bundle.clone(),
            });
        }
    }
    // Shared GitRepos, with the repository settings most of them share in `fleet`.
    let repo_url = most_common(imported.iter().filter_map(|(i, _)| {
        gitrepos[*i]
            .spec
            .get("repo")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }))
    .unwrap_or_default();
    let branch = most_common(imported.iter().map(|(i, _)| branch_of(&gitrepos[*i])))
        .unwrap_or_else(|| "master".to_owned());
    let mut spec_gitrepos = Vec::new();
    for (i, _) in &imported {
        let g = &gitrepos[*i];
        spec_gitrepos.push(gitrepo_entry(g, &workspace, &repo_url, &branch));
    }
    // ClusterGroups the targets name or select.
    let mut used_groups = BTreeSet::new();
    for a in &spec_apps {
        for t in a.value["targets"].as_array().into_iter().flatten() {
            if let Some(g) = t["clusterGroup"].as_str() {
                used_groups.insert(g.to_owned());
            }
            if let Some(sel) = t.get("clusterGroupSelector") {
                for g in groups.iter().filter(|g| apps::selects(sel, &g.labels)) {
                    used_groups.insert(g.name.clone());
                }
            }
        }
    }
    let mut spec_groups = Vec::new();
    let mut replaced = Vec::new();
    for (o, origin, from_repo) in &group_objects {
        let Some(name) = o["metadata"]["name"].as_str() else {
            continue;
        };
        if !used_groups.remove(name) {
            continue;
        }
        let mut g = Map::new();
        g.insert("name".into(), json!(name));
        g.insert("selector".into(), apps_selector(&o["spec"]["selector"]));
        let labels: Map<String, Value> = o["metadata"]["labels"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !k.contains("cattle.io/") && *k != "app.kubernetes.io/managed-by")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !labels.is_empty() {
            g.insert("labels".into(), Value::Object(labels));
        }
        if *from_repo {
            replaced.push((format!("ClusterGroup `{name}`"), (*origin).clone()));
        }
        spec_groups.push(Value::Object(g));
    }
    for (i, _) in &imported {
        let g = &gitrepos[*i];
        if req.gitrepos.is_empty() {
            replaced.push((format!("GitRepo `{}`", g.name), g.origin.clone()));
        }
    }
    let opt_in = opt_in_labels(&spec_apps, &spec_groups, &clusters);
    summary.clusters = clusters.clusters.len();
    summary.environments = clusters.environments.len();
    let adopt = imported
        .iter()
        .flat_map(|(_, a)| a)
        .filter_map(|a| a.fleet_yaml.clone())
        .collect();
    let spec = write::spec(&write::Parts {
        spec_name: &req.spec_name,
        workspace: &workspace,
        repo: &repo_url,
        branch: &branch,
        clusters: &clusters,
        opt_in,
        groups: spec_groups,
        gitrepos: spec_gitrepos,
        apps: spec_apps,
        summary: &summary,
    });
    findings.sort_by(|a, b| (&a.at, a.code).cmp(&(&b.at, b.code)));
    findings.dedup();
    Ok(Imported {
        spec,
        findings,
        adopt,
        replaced,
        summary,
    })
}

/// Label values the targets' and groups' selectors name that no live cluster carries: the
/// original targets clusters that are not there (yet), which fleetc calls waiting for clusters
/// to opt in (W017) instead of refusing the selector (E017).
fn opt_in_labels(
    apps: &[write::App],
    groups: &[Value],
    clusters: &clusters::Clusters,
) -> BTreeMap<String, Vec<String>> {
    let carried = |k: &str, v: Option<&str>| {
        clusters.clusters.iter().any(|c| {
            c.all_labels
                .get(k)
                .is_some_and(|x| v.is_none_or(|v| v == x))
        })
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut visit = |sel: &Value| {
        for (k, v) in sel["matchLabels"].as_object().into_iter().flatten() {
            if let Some(v) = v.as_str()
                && !carried(k, Some(v))
            {
                out.entry(k.clone()).or_default().insert(v.to_owned());
            }
        }
        for r in sel["matchExpressions"].as_array().into_iter().flatten() {
            let Some(k) = r["key"].as_str() else { continue };
            // Every key an expression names must be known; the values `In` asks for too.
            let values = r["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str);
            if !carried(k, None) {
                let entry = out.entry(k.to_owned()).or_default();
                entry.extend(values.map(str::to_owned));
            } else if r["operator"] == "In" {
                for v in values.filter(|v| !carried(k, Some(v))) {
                    out.entry(k.to_owned()).or_default().insert(v.to_owned());
                }
            }
        }
    };
    for a in apps {
        for t in a.value["targets"].as_array().into_iter().flatten() {
            visit(&t["selector"]);
        }
    }
    for g in groups {
        visit(&g["selector"]);
    }
    out.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

fn apps_selector(v: &Value) -> Value {
    // The same conversion targets use; a malformed selector is left for the compiler to report.
    let mut out = Map::new();
    for key in ["matchLabels", "matchExpressions"] {
        if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
            out.insert(key.to_owned(), x.clone());
        }
    }
    Value::Object(out)
}

/// Reads objects from a file, or from every YAML file of a directory.
fn read_objects(path: &std::path::Path) -> Result<Vec<(Value, Origin)>, String> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut files = Vec::new();
    if meta.is_dir() {
        let mut list: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot list {shown}: {e}"))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                    && p.is_file()
            })
            .collect();
        list.sort();
        files.extend(list);
    } else {
        files.push(path.to_path_buf());
    }
    let mut out = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let text = scan::read_text(&f, &shown)?;
        out.extend(scan::objects(scan::parse_docs(&text, &shown)?));
    }
    Ok(out)
}

/// The branch a GitRepo follows: Fleet's default is `master`.
fn branch_of(g: &GitRepoIn) -> String {
    g.spec
        .get("branch")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("master")
        .to_owned()
}

/// A spec `gitRepos` entry: what differs from the `fleet` block, and the GitRepo's own settings.
fn gitrepo_entry(g: &GitRepoIn, workspace: &str, repo_url: &str, branch: &str) -> Value {
    let mut e = Map::new();
    e.insert("name".into(), json!(g.name));
    if g.workspace != workspace {
        e.insert("workspace".into(), json!(g.workspace));
    }
    let s = &g.spec;
    let text = |k: &str| s.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    if let Some(r) = text("repo").filter(|r| *r != repo_url) {
        e.insert("repo".into(), json!(r));
    }
    match text("revision") {
        Some(rev) => {
            e.insert("revision".into(), json!(rev));
        }
        None => {
            let b = branch_of(g);
            if b != branch {
                e.insert("branch".into(), json!(b));
            }
        }
    }
    for key in [
        "clientSecretName",
        "pollingInterval",
        "helmSecretName",
        "helmRepoURLRegex",
        "helmSecretNameForPaths",
        "webhookSecret",
        "ociRegistrySecret",
        "targetNamespace",
        "serviceAccount",
    ] {
        if let Some(v) = text(key) {
            e.insert(key.to_owned(), json!(v));
        }
    }
    if let Some(ca) = text("caBundle") {
        use base64::Engine;
        // The GitRepo holds it base64-encoded; the spec holds the PEM text.
        match base64::engine::general_purpose::STANDARD
            .decode(ca)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            Some(pem) => e.insert("caBundle".into(), json!(pem)),
            None => e.insert("caBundle".into(), json!(ca)),
        };
    }
    for key in [
        "disablePolling",
        "insecureSkipTLSVerify",
        "deleteNamespace",
        "keepResources",
        "paused",
    ] {
        if s.get(key) == Some(&json!(true)) {
            e.insert(key.to_owned(), json!(true));
        }
    }
    if let Some(n) = s
        .get("forceSyncGeneration")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
    {
        e.insert("forceSyncGeneration".into(), json!(n));
    }
    Value::Object(e)
}

/// Drops `releaseName` where it is the app's name: the spec's default.
fn strip_default_release(app: &mut Map<String, Value>) {
    let name = app["name"].clone();
    if let Some(src) = app.get_mut("source").and_then(Value::as_object_mut) {
        for kind in src.values_mut() {
            if let Some(k) = kind.as_object_mut()
                && k.get("releaseName") == Some(&name)
            {
                k.remove("releaseName");
            }
        }
    }
}

/// `s` as a DNS label, if it can be one.
fn dns_label(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.to_ascii_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('-').to_owned();
    (!out.is_empty() && out.len() <= 53).then_some(out)
}

fn most_common(items: impl Iterator<Item = String>) -> Option<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *count.entry(i).or_default() += 1;
    }
    let max = count.values().copied().max()?;
    count.into_iter().find(|(_, n)| *n == max).map(|(s, _)| s)
}
