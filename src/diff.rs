//! `fleetc diff`: what a spec change does to the generated tree and to the fleet.
//!
//! The artifact diff compares rendered files. The blast radius compares what every cluster runs:
//! for each app on each cluster, the settings of the one customization Fleet applies there
//! (first match), so the summary says "prod-eu-west-1: web replicas 3 → 5", not "fleet.yaml
//! changed".

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Fleet, Settings};
use crate::output::Tree;

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
}

/// Compares the base fleet (absent when the spec did not exist there) with the head.
pub fn compare(base: Option<(&Fleet, &Tree)>, head: (&Fleet, &Tree)) -> Report {
    let mut report = Report::default();
    let empty = Tree::new();
    let base_tree = base.map_or(&empty, |(_, t)| t);
    let paths: BTreeSet<&String> = base_tree.keys().chain(head.1.keys()).collect();
    for path in paths {
        let old = base_tree.get(path).map_or("", String::as_str);
        let new = head.1.get(path).map_or("", String::as_str);
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

    let before = base.map(|(f, _)| effective(f)).unwrap_or_default();
    let after = effective(head.0);
    let revs_before = base.map(|(f, _)| revisions(f)).unwrap_or_default();
    let revs_after = revisions(head.0);
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
    let env_of: BTreeMap<&str, &str> = head
        .0
        .clusters
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                head.0.environments[c.environment].name.as_str(),
            )
        })
        .chain(base.into_iter().flat_map(|(f, _)| {
            f.clusters
                .iter()
                .map(|c| (c.name.as_str(), f.environments[c.environment].name.as_str()))
        }))
        .collect();
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
    report
}

/// The revision each app's GitRepo pulls on each cluster (absent: it follows the branch).
fn revisions(fleet: &Fleet) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for app in &fleet.apps {
        for &c in &app.clusters {
            let cl = &fleet.clusters[c];
            if let Some(rev) = &fleet.environments[cl.environment].revision {
                out.insert((app.name.clone(), cl.name.clone()), rev.clone());
            }
        }
    }
    out
}

fn short(rev: &str) -> &str {
    &rev[..12.min(rev.len())]
}

/// What each app runs on each cluster: (app, cluster) → settings of the customization Fleet
/// applies there under first-match, or the app's own settings.
fn effective(fleet: &Fleet) -> BTreeMap<(String, String), Settings> {
    let mut out = BTreeMap::new();
    for app in &fleet.apps {
        let mut chosen: BTreeMap<usize, &Settings> = BTreeMap::new();
        for c in &app.customizations {
            for &cl in &c.clusters {
                chosen.entry(cl).or_insert(&c.full);
            }
        }
        for &cl in &app.clusters {
            let s = chosen.get(&cl).copied().unwrap_or(&app.base);
            out.insert(
                (app.name.clone(), fleet.clusters[cl].name.clone()),
                s.clone(),
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
                show(x.cloned()),
                show(y.cloned())
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
                show(x.cloned()),
                show(y.cloned())
            ));
        }
    }
    if a.patches != b.patches {
        out.push(format!("patches {} → {}", a.patches.len(), b.patches.len()));
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
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
        for c in &self.changes {
            let _ = writeln!(
                out,
                "  {}: {} on {}",
                c.app,
                c.what,
                crate::suggest::short_list(&c.clusters, 8)
            );
        }
        for a in &self.agents {
            let _ = writeln!(out, "  agent {a}: configuration, values or RBAC change");
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
        if !self.changes.is_empty() {
            out.push_str("\n| app | change | clusters |\n|---|---|---|\n");
            for c in &self.changes {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    c.app,
                    c.what.replace('|', "\\|"),
                    crate::suggest::short_list(&c.clusters, 12)
                );
            }
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
