//! `fleetc import`: an existing Fleet repository (GitRepos, fleet.yaml bundles) and the live
//! clusters (an exported Cluster list) → a spec that compiles back to a tree Fleet deploys the
//! same way, with a report of what was imported, kept verbatim or left as it was, and why.
//!
//! Stages, one module each: [`scan`] (the repository's files and YAML as Fleet reads it) →
//! [`bundles`] (Fleet's scan of each GitRepo's `paths`) → [`clusters`] (label conventions →
//! environments and regions) → [`families`] (per-environment GitRepos as one app) → [`apps`]
//! (fleet.yaml → spec apps, customizations to `overrides` where exact) → `reach` (targets no
//! live cluster matches, `optInLabels`) → `gitrepos` (GitRepo settings as `gitRepos` entries and
//! the `fleet` block) → `write` (the spec's text). This module decides, GitRepo by GitRepo,
//! what is taken over and what is left.
//! Nothing is written here: the command writes the spec and the adoption manifest.

pub mod apps;
pub mod bundles;
pub mod clusters;
pub mod families;
mod gitrepos;
mod overrides;
mod reach;
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
    pub labels: BTreeMap<String, String>,
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
    /// The repository as the import listed it (no link followed).
    pub listing: Repo,
    pub summary: Summary,
}

/// Counts for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub gitrepos: usize,
    pub gitrepos_left: usize,
    pub bundles: usize,
    /// Apps that keep targetCustomizations verbatim.
    pub apps_verbatim: usize,
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
    pub selector: Value,
    pub origin: Origin,
    /// Whether it is an object of the repository (rather than of the exports).
    pub from_repo: bool,
}

const DEFAULT_WORKSPACE: &str = "fleet-default";

/// What the stages read: the repository, its GitRepos and what Fleet's scan makes of them, the
/// live clusters and the ClusterGroups.
struct Inputs {
    repo: Repo,
    gitrepos: Vec<GitRepoIn>,
    /// The workspace most GitRepos are in: the spec's `fleet.namespace`.
    workspace: String,
    clusters: clusters::Clusters,
    groups: Vec<Group>,
    /// Each GitRepo's bundles as Fleet's scan finds them, or why fleetc cannot say.
    scans: Vec<Result<bundles::Scan, String>>,
    /// Each GitRepo's paths as written, for those whose scan cannot be told.
    literal: Vec<Vec<String>>,
}

/// Per-environment apps, the GitRepos they take, and the `fleet` block's repository settings.
type Families = (
    Vec<(families::Family, apps::Imported)>,
    BTreeSet<usize>,
    Option<Map<String, Value>>,
);

/// Imports; an `Err` is a reason nothing can be imported (and nothing is written).
pub fn import(req: &Request) -> Result<Imported, String> {
    let mut findings = Vec::new();
    let mut summary = Summary::default();
    let inp = read(req, &mut findings)?;
    let pulled_by = pulled_by(&inp.scans);
    let (per_env, in_family, fleet_settings) =
        take_families(&inp, &pulled_by, &mut findings, &mut summary);
    let imported = take_shared(
        &inp,
        &pulled_by,
        &in_family,
        fleet_settings.as_ref(),
        &per_env,
        &mut findings,
        &mut summary,
    )?;
    assemble(
        req,
        inp,
        per_env,
        imported,
        fleet_settings,
        findings,
        summary,
    )
}

/// The repository, the GitRepos (the repository's, or the exported ones), the live clusters and
/// the ClusterGroups, and Fleet's scan of every GitRepo.
fn read(req: &Request, findings: &mut Vec<Finding>) -> Result<Inputs, String> {
    let repo = Repo::open(&req.repo)?;
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
            // A chart template (`{{ }}`) is no YAML before Helm renders it: only a file that
            // may hold a GitRepo is worth a word.
            Err(_) if !text.contains("GitRepo") => {}
            Err(e) => findings.push(Finding::new(
                Code::ImportLeft,
                format!("a file naming Fleet's API cannot be read, so any GitRepo in it is not imported: {e}"),
                Origin { file: path.to_owned(), line: 1 },
                "fix the YAML, or pass the GitRepos exported from the cluster with --gitrepos",
            )),
        }
    }
    // Fleet objects the import does not take over: named, so nothing disappears silently.
    for (o, at) in &in_repo {
        let kind = o["kind"].as_str().unwrap_or_default();
        if o["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("fleet.cattle.io/"))
            && !matches!(kind, "GitRepo" | "ClusterGroup" | "Cluster")
        {
            findings.push(Finding::new(
                Code::ImportLeft,
                format!(
                    "{kind} `{}` is left as it is: fleetc import reads GitRepos and their bundles",
                    o["metadata"]["name"].as_str().unwrap_or_default()
                ),
                at.clone(),
                "keep applying it as before, or declare it in the spec (`schedules`, `workspaces`, `helmOp`) and delete the original",
            ));
        }
    }
    if repo.entry(crate::pins::FILE).is_some() {
        findings.push(Finding::new(
            Code::ImportLeft,
            format!("`{}` holds the release pins of an earlier fleetc spec and is left as it is", crate::pins::FILE),
            Origin { file: crate::pins::FILE.to_owned(), line: 1 },
            "the imported spec declares no images and no environment is pinned: remove the file, or keep it once the spec declares what it pins",
        ));
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
            labels: scan::string_map(&obj["metadata"]["labels"]),
        });
    }
    let workspace = most_common(gitrepos.iter().map(|g| g.workspace.clone()))
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned());
    // The live clusters: from `--clusters`, else from an export given with `--gitrepos` (one
    // `kubectl get gitrepos,clusters,clustergroups -A -o yaml` serves both), else the
    // repository's own Cluster objects.
    let pick = |objs: &[(Value, Origin)]| -> Vec<(Value, Origin)> {
        objs.iter()
            .filter(|(o, _)| scan::is_fleet(o, "Cluster"))
            .cloned()
            .collect()
    };
    let mut clusters_in = pick(&cluster_objects);
    if clusters_in.is_empty() {
        clusters_in = pick(&exported);
    }
    if clusters_in.is_empty() {
        clusters_in = pick(&in_repo);
    }
    if clusters_in.is_empty() {
        return Err("fleetc import needs the live clusters, whose labels the spec's selectors are checked against: export them with `kubectl get clusters.fleet.cattle.io,clustergroups.fleet.cattle.io -A -o yaml > clusters.yaml` and pass --clusters clusters.yaml".to_owned());
    }
    let clusters = clusters::infer(&clusters_in, &workspace)?;
    // ClusterGroups: exported ones, then the repository's (and whether it is the repository's).
    let group_objects: Vec<(&Value, &Origin, bool)> = cluster_objects
        .iter()
        .chain(&exported)
        .map(|(o, at)| (o, at, false))
        .chain(in_repo.iter().map(|(o, at)| (o, at, true)))
        .filter(|(o, _, _)| scan::is_fleet(o, "ClusterGroup"))
        .collect();
    let groups: Vec<Group> = group_objects
        .iter()
        .filter_map(|(o, at, from_repo)| {
            Some(Group {
                origin: (*at).clone(),
                from_repo: *from_repo,
                workspace: o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or(&workspace)
                    .to_owned(),
                name: o["metadata"]["name"].as_str()?.to_owned(),
                labels: scan::string_map(&o["metadata"]["labels"]),
                selector: o["spec"]["selector"].clone(),
            })
        })
        .collect();
    // fleetc writes a ClusterGroup `env-<environment>` and `region-<region>` of its own; one of
    // those names with another selector would be replaced under the GitRepos that use it.
    for x in &groups {
        let at = &x.origin;
        let envs: Vec<&str> = clusters
            .environments
            .iter()
            .map(|(e, _)| e.as_str())
            .collect();
        let regions: Vec<&str> = clusters
            .clusters
            .iter()
            .map(|c| c.region.as_str())
            .collect();
        let own = |prefix: &str, key: &str, values: &[&str]| {
            let v = x.name.strip_prefix(prefix)?;
            values.contains(&v).then(|| json!({key: v}))
        };
        let expected = own("env-", &clusters.env_key, &envs)
            .or_else(|| own("region-", &clusters.region_key, &regions));
        let plain = x.selector["matchExpressions"]
            .as_array()
            .is_none_or(Vec::is_empty);
        if let Some(e) = expected
            && !(plain && x.selector["matchLabels"] == e)
        {
            return Err(format!(
                "{at}: ClusterGroup `{}` would be replaced by fleetc's own of that name, which selects {e}: rename it first",
                x.name
            ));
        }
    }
    // Each GitRepo's bundles, then which directories more than one GitRepo pulls.
    let mut scans: Vec<Result<bundles::Scan, String>> = Vec::new();
    // Each GitRepo's paths as written, for those whose scan cannot be told.
    let mut literal: Vec<Vec<String>> = Vec::new();
    for g in &gitrepos {
        let paths: Vec<String> = g
            .spec
            .get("paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        // A driven GitRepo reads its `bundles` directories and nothing else
        // (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler/gitjob.go:401-421).
        let driven: Vec<String> = g
            .spec
            .get("bundles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|b| b["base"].as_str())
            .map(|b| b.trim_matches('/').trim_start_matches("./").to_owned())
            .collect();
        scans.push(if driven.is_empty() {
            bundles::scan(&repo, &paths)
        } else {
            Ok(bundles::Scan {
                bases: Vec::new(),
                bundles: driven,
            })
        });
        literal.push(paths);
    }
    Ok(Inputs {
        repo,
        gitrepos,
        workspace,
        clusters,
        groups,
        scans,
        literal,
    })
}

/// Which GitRepos pull each bundle directory.
fn pulled_by(scans: &[Result<bundles::Scan, String>]) -> BTreeMap<&str, BTreeSet<usize>> {
    let mut pulled_by: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (i, s) in scans.iter().enumerate() {
        for d in s.iter().flat_map(|s| &s.bundles) {
            pulled_by.entry(d.as_str()).or_default().insert(i);
        }
    }
    pulled_by
}

/// Per-environment GitRepos first: their repository settings become the `fleet` block's.
fn take_families(
    inp: &Inputs,
    pulled_by: &BTreeMap<&str, BTreeSet<usize>>,
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) -> Families {
    let families = families::find(&inp.gitrepos, &inp.scans, pulled_by, &inp.clusters);
    let mut candidates: Vec<(families::Family, apps::Imported, Vec<Finding>)> = Vec::new();
    let mut family_left: Vec<(families::Family, Vec<(String, Origin)>)> = Vec::new();
    for f in families {
        let mut reasons = f.problems(&inp.gitrepos, &inp.workspace);
        let first = &inp.gitrepos[f.members[0].0];
        // Each member's targets must stay within its environment, as fleetc writes them.
        let mut targets = Vec::new();
        for (i, env) in &f.members {
            let g = &inp.gitrepos[*i];
            for t in &g.targets {
                targets.push(t.clone());
                match apps::target(t, g, &inp.clusters, &inp.groups) {
                    Ok(Some(m)) if m.get("environment").and_then(Value::as_str) != Some(env) => {
                        reasons.push((
                            format!("per-environment GitRepo `{}` has a target beyond environment `{env}`", g.name),
                            g.origin.clone(),
                        ));
                    }
                    Err(e) => reasons.push((e, g.origin.clone())),
                    Ok(_) => {}
                }
            }
        }
        let together = GitRepoIn {
            targets,
            ..first.clone()
        };
        let mut found = Vec::new();
        match apps::import(&inp.repo, &together, &f.dir, &inp.clusters, &inp.groups, &mut found) {
            Ok(a) if !a.release_named && f.members.len() > 1 => reasons.push((
                format!("its bundles' Helm releases are named after each GitRepo (`{}`, ...), and fleetc's per-environment GitRepos share one release name", a.release),
                a.origin.clone(),
            )),
            Ok(a) if a.override_targets => reasons.push((
                "its fleet.yaml has `overrideTargets`, which would reach beyond each GitRepo's environment".to_owned(),
                a.origin.clone(),
            )),
            Ok(a) if a.app_label.as_ref().is_some_and(|l| *l != f.app) => reasons.push((
                format!("its bundle label `{}` names app `{}`, not `{}`", crate::model::APP_LABEL, a.app_label.clone().unwrap_or_default(), f.app),
                a.origin.clone(),
            )),
            Ok(a) if reasons.is_empty() => {
                let members: Vec<usize> = f.members.iter().map(|(i, _)| *i).collect();
                match new_bundle_for_others(&a, &members, &inp.scans, &inp.literal, &inp.gitrepos) {
                    Some(why) => reasons.push((why, first.origin.clone())),
                    None => {
                        candidates.push((f, a, found));
                        continue;
                    }
                }
            }
            Ok(_) => {}
            Err(left) => reasons.push((left.why, left.at)),
        }
        family_left.push((f, reasons));
    }
    // The `fleet` block takes the first family's repository settings; a family pulling with
    // others is left.
    let fleet_settings: Option<Map<String, Value>> = candidates
        .first()
        .map(|(f, _, _)| families::settings(&inp.gitrepos[f.members[0].0]));
    let mut per_env: Vec<(families::Family, apps::Imported)> = Vec::new();
    let mut in_family: BTreeSet<usize> = BTreeSet::new();
    for (f, mut a, found) in candidates {
        let first = &inp.gitrepos[f.members[0].0];
        if fleet_settings.as_ref() != Some(&families::settings(first)) {
            let why = format!(
                "per-environment GitRepo `{}` pulls with other settings than the others, which fleetc's take from one `fleet` block",
                first.name
            );
            family_left.push((f, vec![(why, first.origin.clone())]));
            continue;
        }
        a.app.remove("gitRepo");
        summary.gitrepos += f.members.len();
        summary.bundles += f.members.len();
        findings.extend(found);
        in_family.extend(f.members.iter().map(|(i, _)| *i));
        per_env.push((f, a));
    }
    // Left as a family: a lone member may still be imported as a shared GitRepo below, and
    // members that share the directory are left there for that reason.
    for (f, mut reasons) in family_left {
        if f.members.len() > 1 {
            let mut seen = BTreeSet::new();
            reasons.retain(|(why, _)| seen.insert(why.clone()));
            for (why, at) in reasons {
                findings.push(Finding::new(
                    Code::ImportLeft,
                    format!(
                        "the per-environment GitRepos of `{}` are not taken as one app: {why}",
                        f.app
                    ),
                    at,
                    "each is then judged as a GitRepo of its own",
                ));
            }
        }
    }
    (per_env, in_family, fleet_settings)
}

/// The other GitRepos, each imported whole with its bundles or left as it is.
fn take_shared(
    inp: &Inputs,
    pulled_by: &BTreeMap<&str, BTreeSet<usize>>,
    in_family: &BTreeSet<usize>,
    fleet_settings: Option<&Map<String, Value>>,
    per_env: &[(families::Family, apps::Imported)],
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) -> Result<Vec<(usize, Vec<apps::Imported>)>, String> {
    let mut imported: Vec<(usize, Vec<apps::Imported>)> = Vec::new();
    for (i, g) in inp.gitrepos.iter().enumerate() {
        if in_family.contains(&i) {
            continue;
        }
        let mut reasons: Vec<(String, Origin)> = Vec::new();
        // With the `fleet` block set by per-environment GitRepos, a GitRepo of several apps
        // inherits what it leaves out.
        if let Some(fs) = &fleet_settings {
            for k in fs
                .keys()
                .filter(|k| g.spec.get(*k).is_none_or(Value::is_null))
            {
                reasons.push((
                    format!("it leaves `{k}` unset, which it would inherit from the `fleet` block the per-environment GitRepos set"),
                    g.origin.clone(),
                ));
            }
        }
        for key in g.spec.keys() {
            let known = gitrepos::GITREPO_KEYS.contains(&key.as_str())
                || families::REPOSITORY_KEYS.contains(&key.as_str());
            if !known && !g.spec[key].is_null() {
                reasons.push((
                    format!("the spec has no key for a GitRepo's `{key}`"),
                    g.origin.clone(),
                ));
            }
        }
        let dirs = match inp.scans[i].as_ref().map(|s| &s.bundles) {
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
        // The GitRepo's labels, which Fleet gives its bundles (read.go:213-219).
        for k in g.labels.keys() {
            if k.starts_with("fleet.cattle.io/") {
                reasons.push((
                    format!(
                        "its label `{k}` is one of Fleet's own keys, which the spec does not set"
                    ),
                    g.origin.clone(),
                ));
            } else if !gitrepos::carried_label(k) {
                group_findings.push(Finding::new(
                    Code::ImportDropped,
                    format!("GitRepo label `{k}` is left out: fleetc sets `app.kubernetes.io/managed-by` itself, and Fleet does not copy `cattle.io/` keys to the clusters"),
                    g.origin.clone(),
                    "nothing to do, unless a dependency selects bundles by it",
                ));
            }
        }
        for d in &dirs {
            if let Some(others) = pulled_by.get(d.as_str()).filter(|s| s.len() > 1) {
                let names: Vec<&str> = others
                    .iter()
                    .map(|j| inp.gitrepos[*j].name.as_str())
                    .collect();
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
            match apps::import(
                &inp.repo,
                g,
                d,
                &inp.clusters,
                &inp.groups,
                &mut group_findings,
            ) {
                Ok(a) => {
                    match new_bundle_for_others(&a, &[i], &inp.scans, &inp.literal, &inp.gitrepos) {
                        Some(why) => reasons.push((why, g.origin.clone())),
                        None => found.push(a),
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
    if imported.is_empty() && per_env.is_empty() {
        let mut why = String::from("no GitRepo can be imported:");
        for f in findings.iter() {
            why.push_str(&format!("\n  {}: {}", f.at, f.message));
        }
        return Err(why);
    }
    Ok(imported)
}

/// The spec: app names, apps, the `fleet` block and `gitRepos`, the ClusterGroups the targets
/// use, what waits for clusters; and the report's last findings.
fn assemble(
    req: &Request,
    inp: Inputs,
    per_env: Vec<(families::Family, apps::Imported)>,
    imported: Vec<(usize, Vec<apps::Imported>)>,
    fleet_settings: Option<Map<String, Value>>,
    mut findings: Vec<Finding>,
    mut summary: Summary,
) -> Result<Imported, String> {
    // App names: a per-environment app's own; else the directory's last part, or the bundle's
    // name where two would meet.
    let all: Vec<&apps::Imported> = imported.iter().flat_map(|(_, a)| a).collect();
    let taken: BTreeSet<&str> = per_env.iter().map(|(f, _)| f.app.as_str()).collect();
    let mut names: Vec<String> = all
        .iter()
        .map(|a| {
            if let Some(l) = a.app_label.as_deref().and_then(dns_label) {
                return l;
            }
            let last = a.dir.rsplit('/').next().filter(|s| !s.is_empty());
            dns_label(last.unwrap_or(&a.bundle)).unwrap_or_else(|| a.bundle.clone())
        })
        .collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for n in &names {
        *count.entry(n.clone()).or_default() += 1;
    }
    for (n, a) in names.iter_mut().zip(&all) {
        if count[n.as_str()] > 1 || taken.contains(n.as_str()) {
            n.clone_from(&a.bundle);
        }
        if let Some(l) = a.app_label.as_ref().filter(|l| *l != n) {
            findings.push(Finding::new(
                Code::ImportDropped,
                format!(
                    "bundle label `{}: {l}` becomes `{n}`, the app's name, which fleetc sets it to",
                    crate::model::APP_LABEL
                ),
                a.origin.clone(),
                "dependencies that select the bundle by this label must name the new value",
            ));
        }
    }
    let mut by_bundle: BTreeMap<String, String> = all
        .iter()
        .zip(&names)
        .map(|(a, n)| (a.bundle.clone(), n.clone()))
        .collect();
    for (f, _) in &per_env {
        for (i, _) in &f.members {
            let bundle =
                crate::fleet_names::bundle_name(&inp.gitrepos[*i].name, &apps::fleet_dir(&f.dir));
            by_bundle.insert(bundle, f.app.clone());
        }
    }
    let mut spec_apps = Vec::new();
    let mut k = 0;
    for (i, found) in &imported {
        let g = &inp.gitrepos[*i];
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
            let verbatim = customizations(&mut app, a, &inp.clusters, &mut findings);
            spec_apps.push(write::App {
                value: app,
                verbatim,
                origin: a.origin.clone(),
                from: format!("GitRepo {}, bundle {}", g.name, a.bundle),
            });
        }
    }
    for (f, a) in &per_env {
        let mut app = Map::new();
        app.insert("name".into(), json!(f.app));
        for (key, v) in &a.app {
            app.insert(key.clone(), v.clone());
        }
        strip_default_release(&mut app);
        let deps = apps::depends_on(&a.depends_on, &by_bundle);
        if !deps.is_empty() {
            app.insert("dependsOn".into(), Value::Array(deps));
        }
        let names: Vec<&str> = f
            .members
            .iter()
            .map(|(i, _)| inp.gitrepos[*i].name.as_str())
            .collect();
        let verbatim = customizations(&mut app, a, &inp.clusters, &mut findings);
        spec_apps.push(write::App {
            value: app,
            verbatim,
            origin: a.origin.clone(),
            from: format!("GitRepos {}, one per environment", names.join(", ")),
        });
    }
    // Shared GitRepos, with the repository settings most of them share in `fleet`.
    // The `fleet` block: the per-environment GitRepos' settings, else what every imported
    // GitRepo shares (the repository and branch most have, at least).
    let mut fleet_block = match (&fleet_settings, per_env.is_empty()) {
        (Some(fs), false) => fs.clone(),
        _ => gitrepos::lifted(
            imported
                .iter()
                .map(|(i, _)| families::settings(&inp.gitrepos[*i])),
        ),
    };
    let repo_url = fleet_block
        .remove("repo")
        .and_then(|v| v.as_str().map(str::to_owned))
        .or_else(|| {
            most_common(imported.iter().filter_map(|(i, _)| {
                inp.gitrepos[*i]
                    .spec
                    .get("repo")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }))
        })
        .unwrap_or_default();
    let branch = fleet_block
        .remove("branch")
        .and_then(|v| v.as_str().map(str::to_owned))
        .or_else(|| {
            most_common(
                imported
                    .iter()
                    .map(|(i, _)| gitrepos::branch_of(&inp.gitrepos[*i])),
            )
        })
        .unwrap_or_else(|| "master".to_owned());
    let mut spec_gitrepos = Vec::new();
    for (i, _) in &imported {
        let g = &inp.gitrepos[*i];
        spec_gitrepos.push(gitrepos::gitrepo_entry(
            g,
            &inp.workspace,
            &repo_url,
            &branch,
            &fleet_block,
        ));
    }
    let fleet_block: Map<String, Value> = fleet_block
        .into_iter()
        .map(|(k, v)| {
            let v = gitrepos::spec_setting(&k, &v);
            (k, v)
        })
        .collect();
    // ClusterGroups the targets name or select.
    let mut used_groups = BTreeSet::new();
    for a in &spec_apps {
        for t in a.targets() {
            if let Some(g) = t["clusterGroup"].as_str() {
                used_groups.insert(g.to_owned());
            }
            if let Some(sel) = t.get("clusterGroupSelector") {
                for g in inp.groups.iter().filter(|g| apps::selects(sel, &g.labels)) {
                    used_groups.insert(g.name.clone());
                }
            }
        }
    }
    let mut spec_groups = Vec::new();
    let mut replaced = Vec::new();
    for x in &inp.groups {
        if !used_groups.remove(&x.name) {
            continue;
        }
        let mut g = Map::new();
        g.insert("name".into(), json!(x.name));
        g.insert("selector".into(), reach::apps_selector(&x.selector));
        let labels: Map<String, Value> = x
            .labels
            .iter()
            .filter(|(k, _)| gitrepos::carried_label(k))
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if !labels.is_empty() {
            g.insert("labels".into(), Value::Object(labels));
        }
        if x.from_repo {
            replaced.push((format!("ClusterGroup `{}`", x.name), x.origin.clone()));
        }
        spec_groups.push(Value::Object(g));
    }
    for (i, _) in &imported {
        let g = &inp.gitrepos[*i];
        if req.gitrepos.is_empty() {
            replaced.push((format!("GitRepo `{}`", g.name), g.origin.clone()));
        }
    }
    let mut dead = Vec::new();
    for a in &mut spec_apps {
        let found = reach::revive_dead_targets(&mut a.value, &inp.clusters, &inp.groups);
        if !found.is_empty() {
            findings.push(Finding::new(
                Code::AwaitsOptIn,
                format!(
                    "app `{}`: {} none of the live clusters; the spec lists its labels under `optInLabels`, so it waits for such clusters",
                    a.value.get("name").and_then(Value::as_str).unwrap_or_default(),
                    if found.len() == 1 { "a target matches".to_owned() } else { format!("{} targets match", found.len()) },
                ),
                a.origin.clone(),
                "remove the target if no such cluster will come, or check its labels against the clusters'",
            ));
        }
        for (i, c) in a.verbatim.iter().enumerate() {
            if !inp
                .clusters
                .clusters
                .iter()
                .any(|cl| reach::hits(c, cl, &inp.groups))
            {
                findings.push(Finding::new(
                    Code::KeptVerbatim,
                    format!(
                        "app `{}`: kept targetCustomization `{}` matches none of the live clusters",
                        a.value
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                        c["name"].as_str().unwrap_or(&i.to_string())
                    ),
                    a.origin.clone(),
                    "remove it if no such cluster will come",
                ));
            }
        }
        dead.extend(found);
    }
    // Dependencies on bundles no GitRepo here makes wait for ever.
    let made: BTreeSet<String> = inp
        .gitrepos
        .iter()
        .zip(&inp.scans)
        .flat_map(|(g, s)| {
            s.iter()
                .flat_map(|s| {
                    s.bundles
                        .iter()
                        .map(|d| crate::fleet_names::bundle_name(&g.name, d))
                })
                .collect::<Vec<_>>()
        })
        .chain(by_bundle.keys().cloned())
        .collect();
    for a in &spec_apps {
        for d in a.depends_on() {
            if let Some(b) = d["bundle"].as_str()
                && !made.contains(b)
            {
                findings.push(Finding::new(
                    Code::ImportLeft,
                    format!(
                        "app `{}` depends on bundle `{b}`, which no GitRepo of the repository makes: Fleet waits for it",
                        a.value.get("name").and_then(Value::as_str).unwrap_or_default()
                    ),
                    a.origin.clone(),
                    "check the name (bundles of other repositories are fine), or remove the dependency",
                ));
            }
        }
    }
    let opt_in = reach::opt_in_labels(&spec_apps, &spec_groups, &dead, &inp.clusters);
    summary.apps_verbatim = spec_apps.iter().filter(|a| !a.verbatim.is_empty()).count();
    summary.clusters = inp.clusters.clusters.len();
    summary.environments = inp.clusters.environments.len();
    let adopt = imported
        .iter()
        .flat_map(|(_, a)| a)
        .filter_map(|a| a.fleet_yaml.clone())
        .collect();
    let spec = write::spec(&write::Parts {
        spec_name: &req.spec_name,
        workspace: &inp.workspace,
        repo: &repo_url,
        branch: &branch,
        settings: &fleet_block,
        clusters: &inp.clusters,
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
        listing: inp.repo,
    })
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

/// Why writing a fleet.yaml for `a` would change another GitRepo's bundles: one written where
/// there was none makes a bundle of the directory for every other GitRepo (not of `own`) whose
/// scan walks it.
fn new_bundle_for_others(
    a: &apps::Imported,
    own: &[usize],
    scans: &[Result<bundles::Scan, String>],
    literal: &[Vec<String>],
    gitrepos: &[GitRepoIn],
) -> Option<String> {
    // A GitRepo whose paths fleetc cannot expand may pull anything below their literal part.
    for (j, s) in scans.iter().enumerate() {
        if own.contains(&j) || s.is_ok() {
            continue;
        }
        let covers = literal[j].iter().any(|p| {
            let fixed: Vec<&str> = p
                .trim_start_matches('/')
                .split('/')
                .take_while(|seg| !seg.contains(['*', '?', '[', '\\']))
                .filter(|seg| !seg.is_empty() && *seg != ".")
                .collect();
            let fixed = fixed.join("/");
            fixed.is_empty() || a.dir == fixed || a.dir.starts_with(&format!("{fixed}/"))
        });
        if covers {
            return Some(format!(
                "GitRepo `{}` may pull its bundle `{}` too, and fleetc cannot expand its paths",
                gitrepos[j].name,
                apps::fleet_dir(&a.dir)
            ));
        }
    }
    if a.fleet_yaml.is_some() {
        return None;
    }
    let walked_by: Vec<&str> = scans
        .iter()
        .enumerate()
        .filter(|(j, s)| !own.contains(j) && s.as_ref().is_ok_and(|s| s.walks(&a.dir)))
        .map(|(j, _)| gitrepos[j].name.as_str())
        .collect();
    (!walked_by.is_empty()).then(|| {
        format!(
            "its bundle `{}` has no fleet.yaml, and one written there would make a bundle of it for {} too",
            apps::fleet_dir(&a.dir),
            walked_by.join(", ")
        )
    })
}

/// An imported bundle's targetCustomizations: as `overrides` where those say them exactly,
/// else kept verbatim (returned) and reported (W023).
fn customizations(
    app: &mut Map<String, Value>,
    a: &apps::Imported,
    clusters: &clusters::Clusters,
    findings: &mut Vec<Finding>,
) -> Vec<Value> {
    let helm = app.get("source").is_some_and(|s| s.get("helm").is_some());
    if let Some(o) = overrides::from_customizations(&a.verbatim, helm, clusters) {
        if !o.is_empty() {
            app.insert("overrides".into(), Value::Array(o));
        }
        return Vec::new();
    }
    if !a.verbatim.is_empty() {
        findings.push(Finding::new(
            Code::KeptVerbatim,
            format!(
                "{} kept verbatim in `verbatim.targetCustomizations`: Fleet applies only the first that matches a cluster, while the spec's `overrides` merge from broad to narrow",
                crate::diagnostic::plural(a.verbatim.len(), "targetCustomization")
            ),
            a.verbatim_at.clone(),
            "review them; where they are one per environment or region with Helm values only, `overrides` say the same more briefly",
        ));
    }
    a.verbatim.clone()
}

/// Drops `releaseName` where it is the app's name: the spec's default.
fn strip_default_release(app: &mut Map<String, Value>) {
    let name = app.get("name").cloned().unwrap_or_default();
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
    (out.len() <= crate::fleet_names::MAX_HELM_RELEASE_NAME_LEN
        && crate::fleet_names::is_dns_label(&out))
    .then_some(out)
}

fn most_common(items: impl Iterator<Item = String>) -> Option<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *count.entry(i).or_default() += 1;
    }
    let max = count.values().copied().max()?;
    count.into_iter().find(|(_, n)| *n == max).map(|(s, _)| s)
}
