//! A GitRepo as the spec's `gitRepos` entry (or the `fleet` block) says it.

use serde_json::{Map, Value, json};

use super::GitRepoIn;

/// GitRepo spec keys the spec's `gitRepos` hold besides the repository settings
/// ([`super::families::REPOSITORY_KEYS`]); the rest leave the GitRepo as it is.
pub const GITREPO_KEYS: &[&str] = &[
    "revision",
    "paths",
    "targets",
    "deleteNamespace",
    "targetNamespace",
    "serviceAccount",
    "keepResources",
    "paused",
    "forceSyncGeneration",
    "correctDrift",
];

/// Whether a GitRepo's (or ClusterGroup's) label goes into the spec: fleetc sets
/// `app.kubernetes.io/managed-by` itself, and `cattle.io/` keys are Rancher's and Fleet's.
pub fn carried_label(key: &str) -> bool {
    key != crate::model::MANAGED_BY.0 && !key.contains("cattle.io/")
}

/// The branch a GitRepo follows: Fleet's default is `master`.
pub fn branch_of(g: &GitRepoIn) -> String {
    g.spec
        .get("branch")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("master")
        .to_owned()
}

/// A spec `gitRepos` entry: what differs from the `fleet` block, and the GitRepo's own settings.
pub fn gitrepo_entry(
    g: &GitRepoIn,
    workspace: &str,
    repo_url: &str,
    branch: &str,
    fleet: &Map<String, Value>,
) -> Value {
    let mut e = Map::new();
    e.insert("name".into(), json!(g.name));
    if g.workspace != workspace {
        e.insert("workspace".into(), json!(g.workspace));
    }
    let labels: Map<String, Value> = g
        .labels
        .iter()
        .filter(|(k, _)| carried_label(k))
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if !labels.is_empty() {
        e.insert("labels".into(), Value::Object(labels));
    }
    let s = &g.spec;
    // What the `fleet` block gives already is not repeated.
    let text = |k: &str| {
        s.get(k)
            .filter(|v| fleet.get(k) != Some(*v))
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
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
        e.insert("caBundle".into(), spec_setting("caBundle", &json!(ca)));
    }
    for key in [
        "disablePolling",
        "insecureSkipTLSVerify",
        "deleteNamespace",
        "keepResources",
        "paused",
    ] {
        if s.get(key) == Some(&json!(true)) && fleet.get(key) != Some(&json!(true)) {
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

/// A GitRepo setting in the spec's form: the GitRepo holds `caBundle` base64-encoded, the spec
/// the PEM text.
pub fn spec_setting(key: &str, v: &Value) -> Value {
    use base64::Engine;
    match (key, v.as_str()) {
        ("caBundle", Some(ca)) => base64::engine::general_purpose::STANDARD
            .decode(ca)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map_or_else(|| v.clone(), Value::String),
        _ => v.clone(),
    }
}

/// The settings every one of `all` has, with the same value.
pub fn lifted(all: impl Iterator<Item = Map<String, Value>>) -> Map<String, Value> {
    let mut all = all;
    let Some(mut out) = all.next() else {
        return Map::new();
    };
    for m in all {
        out.retain(|k, v| m.get(k) == Some(v));
    }
    out
}
