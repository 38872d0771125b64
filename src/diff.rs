//! `fleetc diff`: what a spec change does to the generated tree and to the fleet.
//!
//! The artifact diff compares rendered files. The blast radius compares what every cluster runs:
//! for each app on each cluster, the settings of the one customization Fleet applies there
//! (first match), so the summary says "prod-eu-west-1: web replicas 3 → 5", not "fleet.yaml
//! changed". A cluster of a pinned environment runs the spec at its environment's revision
//! (`crate::promotion`), so a merge changes it only when the pin moves; what the merge will
//! bring there with the next promotion is listed apart, as waiting.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::diagnostic::plural;
use crate::model::{Fleet, Settings};
use crate::values::{LabelKey, LabelValue};

/// A cluster as Fleet matches it: its name and labels.
pub type Labelled<'a> = (&'a str, &'a BTreeMap<LabelKey, LabelValue>);
use crate::output::Tree;
use crate::promotion::{Pinned, short};

/// One compiled tree as the diff sees it.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The spec's fleet.
    pub fleet: &'a Fleet,
    /// What the pinned environments run.
    pub pinned: &'a Pinned,
    /// The generated files.
    pub files: &'a Tree,
}

impl<'a> From<&'a crate::Compiled> for View<'a> {
    fn from(c: &'a crate::Compiled) -> Self {
        View {
            fleet: &c.fleet,
            pinned: &c.pinned,
            files: &c.files,
        }
    }
}

/// One kind of change to one app, and the clusters it happens on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The app.
    pub app: String,
    /// What changes, e.g. `replicas 3 → 5`.
    pub what: String,
    /// Clusters it changes on, in cluster order.
    pub clusters: Vec<String>,
}

/// Everything a spec change does.
#[derive(Debug, Default)]
pub struct Report {
    /// Changes per app, grouped by what changes.
    pub changes: Vec<Change>,
    /// Clusters whose workloads change.
    pub clusters: BTreeSet<String>,
    /// Their environments.
    pub environments: BTreeSet<String>,
    /// Apps that change somewhere.
    pub apps: BTreeSet<String>,
    /// Agent registrations whose configuration, values or RBAC change.
    pub agents: BTreeSet<String>,
    /// Generated files: path and unified diff (base → head); added and removed files included.
    pub files: Vec<(String, String)>,
    /// What the head's spec changes on clusters of pinned environments, which they get only
    /// with their next promotion: per environment, the changes.
    pub waiting: BTreeMap<String, Vec<Change>>,
    /// Mermaid diagrams for the merge-request comment: a caption and the flowchart.
    pub diagrams: Vec<(String, String)>,
}

/// Compares the base (absent when the spec did not exist there) with the head.
pub fn compare(base: Option<View<'_>>, head: View<'_>) -> Report {
    let mut report = Report::default();
    let empty = Tree::new();
    let base_tree = base.map_or(&empty, |b| b.files);
    let paths: BTreeSet<&String> = base_tree.keys().chain(head.files.keys()).collect();
    for path in paths {
        let old = base_tree.get(path).map_or("", |t| &**t);
        let new = head.files.get(path).map_or("", |t| &**t);
        if old != new {
            let diff = similar::TextDiff::from_lines(old, new)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string();
            report.files.push((path.clone(), diff));
            for prefix in [".gitlab/agents/", "gitlab-agents/"] {
                if let Some(rest) = path.strip_prefix(prefix) {
                    report
                        .agents
                        .insert(rest.split('/').next().unwrap_or(rest).to_owned());
                }
            }
        }
    }

    let before = base.map(|b| running(b.fleet, b.pinned)).unwrap_or_default();
    let after = running(head.fleet, head.pinned);
    let revs_before = base
        .map(|b| revisions(b.fleet, &before))
        .unwrap_or_default();
    let revs_after = revisions(head.fleet, &after);
    // The head's environment wins for a cluster that moved.
    let env_of: BTreeMap<&str, &str> = base
        .into_iter()
        .flat_map(|b| environments_of(b.fleet))
        .chain(environments_of(head.fleet))
        .collect();
    let grouped = changes(&before, &after, &revs_before, &revs_after);
    for ((app, what), clusters) in grouped {
        report.apps.insert(app.clone());
        for c in &clusters {
            report.clusters.insert(c.clone());
            if let Some(e) = env_of.get(c.as_str()) {
                report.environments.insert((*e).to_owned());
            }
        }
        report.changes.push(Change {
            app,
            what,
            clusters,
        });
    }
    report.waiting = waiting_from(head.fleet, &after);
    if !report.files.is_empty() {
        use crate::graph::{mermaid, review};
        report.diagrams.push((
            "Promotion flow".to_owned(),
            mermaid::render(&review::promotion_flow(
                &report,
                head.fleet,
                base.map(|b| b.fleet),
            )),
        ));
        if let Some(g) = review::changes(&report, head.fleet, base.map(|b| b.fleet)) {
            report
                .diagrams
                .push(("What changes where".to_owned(), mermaid::render(&g)));
        }
    }
    report
}

fn environments_of(fleet: &Fleet) -> impl Iterator<Item = (&str, &str)> {
    fleet.clusters.iter().map(|c| {
        (
            c.name.as_str(),
            fleet.environments[c.environment].name.as_str(),
        )
    })
}

/// What the branch's spec changes on the clusters of pinned environments, which they get only
/// with their next promotion: per environment, the changes.
pub fn waiting(fleet: &Fleet, pinned: &Pinned) -> BTreeMap<String, Vec<Change>> {
    waiting_from(fleet, &running(fleet, pinned))
}

fn waiting_from(fleet: &Fleet, running: &Running) -> BTreeMap<String, Vec<Change>> {
    let env_of: BTreeMap<&str, &str> = environments_of(fleet).collect();
    let none = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for ((app, what), clusters) in changes(running, &effective(fleet), &none, &none) {
        let mut by_env: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for c in clusters {
            if let Some(e) = env_of.get(c.as_str()) {
                by_env.entry(e).or_default().push(c);
            }
        }
        for (env, clusters) in by_env {
            out.entry(env.to_owned()).or_default().push(Change {
                app: app.clone(),
                what: what.clone(),
                clusters,
            });
        }
    }
    out
}

/// (app, cluster) → the settings it runs with.
pub type Running = BTreeMap<(String, String), Settings>;
type Revisions = BTreeMap<(String, String), String>;

/// (app, what) → clusters, in cluster-name order, for two states of the fleet.
fn changes(
    before: &Running,
    after: &Running,
    revs_before: &Revisions,
    revs_after: &Revisions,
) -> BTreeMap<(String, String), Vec<String>> {
    let mut grouped: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (app, cluster) = key;
        let whats = match (before.get(key), after.get(key)) {
            (None, Some(_)) => vec!["deployed".to_owned()],
            (Some(_), None) => vec!["removed".to_owned()],
            (Some(a), Some(b)) => {
                let mut w = settings_changes(a, b);
                let (x, y) = (revs_before.get(key), revs_after.get(key));
                if x != y {
                    w.push(format!(
                        "promoted {} → {}",
                        x.map_or("unpinned", |r| short(r)),
                        y.map_or("unpinned", |r| short(r))
                    ));
                }
                w
            }
            (None, None) => Vec::new(),
        };
        for what in whats {
            grouped
                .entry((app.clone(), what))
                .or_default()
                .push(cluster.clone());
        }
    }
    grouped
}

/// What runs on each cluster: a pinned environment's clusters run the spec at its revision,
/// the others `fleet`'s; apps of shared GitRepos run what the branch says everywhere (their
/// GitRepos are not pinned per environment).
fn running(fleet: &Fleet, pinned: &Pinned) -> Running {
    let mut out = effective(fleet);
    let shared: BTreeSet<&str> = shared_apps(fleet);
    for (env, &i) in &pinned.envs {
        // The environment's clusters: declared, and live ones of the inventory that carry its
        // label.
        let env_key = &fleet.label_keys.environment;
        let here: Vec<Labelled<'_>> = fleet
            .clusters
            .iter()
            .filter(|c| &fleet.environments[c.environment].name == env)
            .map(|c| (c.name.as_str(), &c.labels))
            .chain(undeclared(fleet).filter_map(|l| {
                (l.labels.get(env_key).map(LabelValue::as_str) == Some(env.as_str()))
                    .then_some((l.name.as_str(), &l.labels))
            }))
            .collect();
        let names: BTreeSet<&str> = here.iter().map(|c| c.0).collect();
        out.retain(|(a, c), _| !names.contains(c.as_str()) || shared.contains(a.as_str()));
        out.extend(
            pinned_on(&pinned.revisions[i].fleet, env, &here)
                .into_iter()
                .filter(|((a, _), _)| !shared.contains(a.as_str())),
        );
    }
    out
}

/// Apps a shared GitRepo pulls: they follow its branch (or revision), not the promotion.
fn shared_apps(fleet: &Fleet) -> BTreeSet<&str> {
    fleet
        .apps
        .iter()
        .filter(|a| a.shared.is_some())
        .map(|a| a.name.as_str())
        .collect()
}

/// What the spec `at` (pinned for environment `env`) gives each of `clusters`, which belong to
/// `env` on the branch. A cluster `at` declares in `env` gets what `at` resolved for it; any
/// other (declared later, or moved) gets what Fleet gives its labels: the apps whose GitRepo
/// targets for `env` select it, each with the first customization whose selector matches.
pub fn pinned_on(at: &Fleet, env: &str, clusters: &[Labelled<'_>]) -> Running {
    let Some(e) = at.environment_named(env) else {
        return Running::new();
    };
    let declared: BTreeSet<&str> = clusters
        .iter()
        .filter(|cl| {
            at.cluster_named(cl.0)
                .is_some_and(|c| at.clusters[c].environment == e)
        })
        .map(|cl| cl.0)
        .collect();
    let shared = shared_apps(at);
    let mut out: Running = effective(at)
        .into_iter()
        .filter(|((a, c), _)| declared.contains(c.as_str()) && !shared.contains(a.as_str()))
        .collect();
    for &(name, labels) in clusters.iter().filter(|cl| !declared.contains(cl.0)) {
        for app in &at.apps {
            let reaches = app
                .gitrepos
                .iter()
                .filter(|r| r.env == e)
                .any(|r| r.targets.iter().any(|t| t.matcher.matches(labels)));
            // The first customization it matches may keep the app off it (doNotDeploy).
            let picked = at.customization_for(app, labels);
            if reaches && !picked.is_some_and(crate::model::Customization::excludes) {
                out.insert(
                    (app.name.clone(), name.to_owned()),
                    app.settings_under(picked).into_owned(),
                );
            }
        }
    }
    out
}

/// The live clusters of the cluster inventory that the spec does not declare.
fn undeclared(fleet: &Fleet) -> impl Iterator<Item = &crate::model::LiveCluster> {
    fleet
        .inventory
        .iter()
        .flat_map(|i| i.clusters.iter())
        .filter(|l| !l.declared_in(fleet))
}

/// The revision each (app, cluster) that runs pulls (absent: it follows the branch).
fn revisions(fleet: &Fleet, running: &Running) -> Revisions {
    let shared = shared_apps(fleet);
    let rev_of: BTreeMap<&str, &String> = fleet
        .clusters
        .iter()
        .filter_map(|c| {
            fleet.environments[c.environment]
                .revision
                .as_ref()
                .map(|r| (c.name.as_str(), r))
        })
        .collect();
    running
        .keys()
        .filter(|key| !shared.contains(key.0.as_str()))
        .filter_map(|key| {
            rev_of
                .get(key.1.as_str())
                .map(|r| (key.clone(), (*r).clone()))
        })
        .collect()
}

/// What each app runs on each cluster: (app, cluster) → settings of the customization Fleet
/// applies there under first-match, or the app's own settings.
fn effective(fleet: &Fleet) -> Running {
    let mut out = BTreeMap::new();
    for app in &fleet.apps {
        for &cl in &app.clusters {
            out.insert(
                (app.name.clone(), fleet.clusters[cl].name.clone()),
                app.settings_under(app.customization_on(cl)).into_owned(),
            );
        }
    }
    // The live clusters the spec does not declare (`clusterInventory`), as Fleet matches them.
    for l in undeclared(fleet) {
        for a in fleet.apps_reaching(&l.workspace, &l.labels) {
            let app = &fleet.apps[a];
            out.insert(
                (app.name.clone(), l.name.clone()),
                fleet
                    .customization_for(app, &l.labels)
                    .map_or_else(|| app.base.clone(), |cu| cu.full(&app.base)),
            );
        }
    }
    out
}

fn settings_changes(a: &Settings, b: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    let show = |v: Option<String>| v.unwrap_or_else(|| "unset".to_owned());
    if a.replicas != b.replicas {
        out.push(format!(
            "replicas {} → {}",
            show(a.replicas.map(|r| r.to_string())),
            show(b.replicas.map(|r| r.to_string()))
        ));
    }
    let images: BTreeSet<&String> = a.tags.keys().chain(b.tags.keys()).collect();
    for img in images {
        let (x, y) = (a.tags.get(img), b.tags.get(img));
        if x != y {
            let short = img.rsplit('/').next().unwrap_or(img);
            out.push(format!(
                "image {short} {} → {}",
                show(x.map(ToString::to_string)),
                show(y.map(ToString::to_string))
            ));
        }
    }
    if a.resources != b.resources {
        out.push("resources changed".to_owned());
    }
    let mut leaves_a = BTreeMap::new();
    let mut leaves_b = BTreeMap::new();
    flatten(
        &Value::Object(a.values.clone()),
        String::new(),
        &mut leaves_a,
    );
    flatten(
        &Value::Object(b.values.clone()),
        String::new(),
        &mut leaves_b,
    );
    let keys: BTreeSet<&String> = leaves_a.keys().chain(leaves_b.keys()).collect();
    for k in keys {
        let (x, y) = (leaves_a.get(k), leaves_b.get(k));
        if x != y {
            out.push(format!(
                "value {k} {} → {}",
                show(x.map(ToString::to_string)),
                show(y.map(ToString::to_string))
            ));
        }
    }
    if a.patches != b.patches {
        out.push(format!("patches {} → {}", a.patches.len(), b.patches.len()));
    }
    for f in a
        .files
        .keys()
        .chain(b.files.keys())
        .collect::<BTreeSet<_>>()
    {
        if a.files.get(f) != b.files.get(f) {
            out.push(format!("file {f} replaced differently"));
        }
    }
    if a.deploy != b.deploy {
        out.push(format!(
            "deploy {} → {}",
            show(Some(a.deploy.described().join(", ")).filter(|s| !s.is_empty())),
            show(Some(b.deploy.described().join(", ")).filter(|s| !s.is_empty()))
        ));
    }
    let helm = |s: &Settings| -> BTreeMap<String, String> {
        s.helm
            .described()
            .into_iter()
            .map(|(key, _, text)| (key, text))
            .collect()
    };
    let (ha, hb) = (helm(a), helm(b));
    for key in ha.keys().chain(hb.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (ha.get(key), hb.get(key));
        if x != y {
            out.push(format!("helm {} → {}", show(x.cloned()), show(y.cloned())));
        }
    }
    out
}

fn flatten(v: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, p, out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

impl Report {
    /// One line: what the change touches.
    pub fn headline(&self) -> String {
        if self.files.is_empty() {
            return "no generated file changes".to_owned();
        }
        let envs = if self.environments.is_empty() {
            String::new()
        } else {
            format!(
                " in {} ({})",
                plural(self.environments.len(), "environment"),
                self.environments
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        format!(
            "{}{envs}, {}, {}; {}",
            plural(self.clusters.len(), "cluster"),
            plural(self.apps.len(), "app"),
            plural(self.agents.len(), "agent"),
            plural(self.files.len(), "generated file")
        )
    }

    /// Plain text for a terminal: the blast radius, then the file diffs.
    pub fn text(&self) -> String {
        let mut out = format!("blast radius: {}\n", self.headline());
        text_rows(&mut out, &self.changes);
        for a in &self.agents {
            let _ = writeln!(out, "  agent {a}: configuration, values or RBAC change");
        }
        for (env, changes) in &self.waiting {
            let _ = writeln!(
                out,
                "waiting for promote:{env} (not deployed by this change):"
            );
            text_rows(&mut out, changes);
        }
        for (_, diff) in &self.files {
            out.push('\n');
            out.push_str(diff);
        }
        out
    }

    /// A merge-request comment.
    pub fn markdown(&self, base: &str) -> String {
        let mut out = format!(
            "### fleetc diff against `{base}`\n\n**Blast radius:** {}\n",
            self.headline()
        );
        for (caption, chart) in &self.diagrams {
            let _ = write!(out, "\n**{caption}**\n\n```mermaid\n{chart}```\n");
        }
        if !self.changes.is_empty() {
            out.push('\n');
            table(&mut out, &self.changes);
        }
        for (env, changes) in &self.waiting {
            let _ = write!(
                out,
                "\n**Waiting for `promote:{env}`** (pinned; not deployed by this change):\n\n"
            );
            table(&mut out, changes);
        }
        if !self.agents.is_empty() {
            let _ = writeln!(
                out,
                "\nAgents whose configuration, values or RBAC change: {}",
                self.agents
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.files.is_empty() {
            let _ = write!(
                out,
                "\n<details><summary>{} changed</summary>\n\n```diff\n",
                plural(self.files.len(), "generated file")
            );
            for (_, diff) in &self.files {
                out.push_str(diff);
            }
            out.push_str("```\n\n</details>\n");
        }
        out
    }
}

/// `  app: what on clusters`, one line per change.
fn text_rows(out: &mut String, changes: &[Change]) {
    for c in changes {
        let _ = writeln!(
            out,
            "  {}: {} on {}",
            c.app,
            c.what,
            crate::suggest::short_list(&c.clusters, 8)
        );
    }
}

/// A Markdown table of changes.
fn table(out: &mut String, changes: &[Change]) {
    out.push_str("| app | change | clusters |\n|---|---|---|\n");
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            c.app,
            c.what.replace('|', "\\|"),
            crate::suggest::short_list(&c.clusters, 12)
        );
    }
}
