//! The imported spec's text: typed values serialized as YAML, section by section, with the
//! comments a reviewer needs (where each app came from, what is kept verbatim and why).

use serde_json::{Map, Value, json};

use super::Summary;
use super::clusters::{self, Clusters};
use super::scan::Origin;
use crate::diagnostic::plural;
use crate::emit::to_yaml;
use crate::spec::Tier;

/// An app and where it came from.
pub struct App {
    pub value: Map<String, Value>,
    pub verbatim: Vec<Value>,
    pub origin: Origin,
    /// Where it came from, for the comment above it.
    pub from: String,
}

impl App {
    /// Its spec targets.
    pub fn targets(&self) -> impl Iterator<Item = &Value> {
        self.list("targets")
    }

    /// Its spec `dependsOn` entries.
    pub fn depends_on(&self) -> impl Iterator<Item = &Value> {
        self.list("dependsOn")
    }

    fn list(&self, key: &str) -> impl Iterator<Item = &Value> {
        self.value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }
}

/// Everything the spec holds.
pub struct Parts<'a> {
    pub spec_name: &'a str,
    pub workspace: &'a str,
    pub repo: &'a str,
    pub branch: &'a str,
    /// Repository settings every GitRepo takes from the `fleet` block.
    pub settings: &'a Map<String, Value>,
    pub clusters: &'a Clusters,
    pub opt_in: std::collections::BTreeMap<String, Vec<String>>,
    pub groups: Vec<Value>,
    pub gitrepos: Vec<Value>,
    pub apps: Vec<App>,
    pub summary: &'a Summary,
}

pub fn spec(p: &Parts<'_>) -> String {
    let s = p.summary;
    let mut out = String::new();
    out.push_str(&format!(
        "# {}: imported by `fleetc import` from the Fleet repository here:\n\
         # {}, {} ({} of the apps keep Fleet targetCustomizations verbatim), {} in {}.\n\
         # `fleetc build` now writes these bundles' fleet.yaml and their GitRepos; review the spec,\n\
         # build, commit both, and run `fleetc check` in CI.\n",
        p.spec_name,
        plural(s.gitrepos, "GitRepo"),
        plural(s.bundles, "bundle"),
        s.apps_verbatim,
        plural(s.clusters, "cluster"),
        plural(s.environments, "environment"),
    ));
    out.push_str("version: 1\n\n");
    let mut fleet = Map::new();
    fleet.insert("namespace".into(), json!(p.workspace));
    fleet.insert("repo".into(), json!(p.repo));
    fleet.insert("branch".into(), json!(p.branch));
    for (k, v) in p.settings {
        fleet.insert(k.clone(), v.clone());
    }
    let c = p.clusters;
    let mut keys = Map::new();
    if c.env_key != "env" {
        keys.insert("environment".into(), json!(c.env_key));
    }
    if c.region_key != "region" {
        keys.insert("region".into(), json!(c.region_key));
    }
    if !keys.is_empty() {
        fleet.insert("clusterLabels".into(), Value::Object(keys));
    }
    section(&mut out, "fleet", &Value::Object(fleet));
    out.push('\n');
    out.push_str(&if c.env_found {
        format!("# Environments: the values of label `{}`, which every cluster carries.\n", c.env_key)
    } else {
        format!(
            "# No label that every cluster carries names an environment, so all are in `{}` (under\n\
             # fleetc's own label key `{}`, which no selector of the original uses).\n",
            clusters::FALLBACK_VALUE,
            clusters::FALLBACK_ENV_KEY
        )
    });
    let envs: Vec<Value> = c
        .environments
        .iter()
        .map(|(name, tier)| {
            let mut e = json!({"name": name, "tier": tier.as_str()});
            if *tier == Tier::Production {
                e["acknowledge"] = json!(["W005"]);
            }
            e
        })
        .collect();
    if c.environments.iter().any(|(_, t)| *t == Tier::Production) {
        out.push_str(
            "# The imported apps follow their GitRepos' branch, as before: production takes changes\n\
             # without a promotion gate (W005, acknowledged). Apps without `gitRepo` get fleetc's\n\
             # per-environment GitRepos and its promotion pipeline.\n",
        );
    }
    section(&mut out, "environments", &Value::Array(envs));
    out.push('\n');
    out.push_str("# The live clusters, from the cluster export: selectors are checked against their labels.\n");
    if !c.region_found {
        out.push_str(&format!(
            "# No label that every cluster carries names a region, so all are in `{}` (label `{}`).\n",
            clusters::FALLBACK_VALUE,
            clusters::FALLBACK_REGION_KEY
        ));
    }
    let list: Vec<Value> = c
        .clusters
        .iter()
        .map(|cl| {
            let mut m = Map::new();
            m.insert("name".into(), json!(cl.name));
            m.insert("environment".into(), json!(cl.environment));
            m.insert("region".into(), json!(cl.region));
            if !cl.labels.is_empty() {
                m.insert("labels".into(), json!(cl.labels));
            }
            if cl.workspace != p.workspace {
                m.insert("workspace".into(), json!(cl.workspace));
            }
            Value::Object(m)
        })
        .collect();
    section(&mut out, "clusters", &Value::Array(list));
    if !p.opt_in.is_empty() {
        out.push_str(
            "\n# Label values the original's selectors name that no live cluster carries: fleetc treats\n\
             # those targets as waiting for clusters to opt in (W017) rather than as mistakes.\n",
        );
        section(&mut out, "optInLabels", &json!(p.opt_in));
    }
    if !p.groups.is_empty() {
        out.push_str("\n# ClusterGroups the targets name; fleetc writes them from now on.\n");
        section(&mut out, "clusterGroups", &Value::Array(p.groups.clone()));
    }
    out.push_str("\n# The GitRepos, each pulling its apps from the branch (or revision) for every environment.\n");
    section(&mut out, "gitRepos", &Value::Array(p.gitrepos.clone()));
    out.push_str("\napps:\n");
    for app in &p.apps {
        out.push_str(&format!("# {} ({})\n", app.origin.file, app.from));
        out.push_str(&to_yaml(&vec![Value::Object(app.value.clone())]));
        if !app.verbatim.is_empty() {
            out.push_str(&format!(
                "  # Kept verbatim (W023): {} as the original has {}. Fleet applies the first\n\
                 \x20 # that matches a cluster; fleetc writes them before its own and does not look inside.\n\
                 \x20 verbatim:\n",
                plural(app.verbatim.len(), "targetCustomization"),
                if app.verbatim.len() == 1 { "it" } else { "them" },
            ));
            let body = to_yaml(&json!({"targetCustomizations": app.verbatim}));
            for line in body.lines() {
                if !line.is_empty() {
                    out.push_str("    ");
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
    }
    out
}

fn section(out: &mut String, key: &str, value: &Value) {
    let mut m = Map::new();
    m.insert(key.to_owned(), value.clone());
    out.push_str(&to_yaml(&Value::Object(m)));
}
