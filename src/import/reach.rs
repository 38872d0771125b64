//! Which live clusters the imported targets reach: targets and kept customizations that match
//! none (reported), and the label values they wait for (`optInLabels`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Group, apps, clusters, write};

/// Fleet's matching of group criteria: all of them against one ClusterGroup the cluster is in,
/// or against none when it is in none (rancher/fleet v0.16.1
/// internal/cmd/controller/target/matcher/bundlematch.go:169-185); a group without a selector
/// holds nothing (target/query.go:103).
fn in_a_group(
    c: &clusters::Cluster,
    groups: &[Group],
    check: impl Fn(Option<&Group>) -> bool,
) -> bool {
    let mut mine = groups
        .iter()
        .filter(|g| {
            g.workspace == c.workspace
                && g.selector.is_object()
                && apps::selects(&g.selector, &c.all_labels)
        })
        .peekable();
    if mine.peek().is_none() {
        check(None)
    } else {
        mine.any(|g| check(Some(g)))
    }
}

/// The `clusterGroup` and `clusterGroupSelector` criteria of `t` against one group (or none).
fn group_criteria(t: &Value, g: Option<&Group>) -> bool {
    t["clusterGroup"]
        .as_str()
        .is_none_or(|n| g.is_some_and(|g| g.name == n))
        && t.get("clusterGroupSelector")
            .filter(|s| s.is_object())
            .is_none_or(|gs| g.is_some_and(|g| apps::selects(gs, &g.labels)))
}

/// Whether a Fleet target or customization (`clusterName`, `clusterSelector`, `clusterGroup`,
/// `clusterGroupSelector`) matches a live cluster, as Fleet matches them: a target without
/// criteria matches nothing.
pub fn hits(t: &Value, c: &clusters::Cluster, groups: &[Group]) -> bool {
    let labels = &c.all_labels;
    let any = ["clusterName", "clusterGroup"]
        .iter()
        .any(|k| t[*k].is_string())
        || ["clusterSelector", "clusterGroupSelector"]
            .iter()
            .any(|k| t[*k].is_object());
    any && t["clusterName"]
        .as_str()
        .is_none_or(|n| c.object == n || labels.get(clusters::NAME_KEY).is_some_and(|d| d == n))
        && t.get("clusterSelector")
            .filter(|s| s.is_object())
            .is_none_or(|sel| apps::selects(sel, labels))
        && in_a_group(c, groups, |g| group_criteria(t, g))
}

/// A target no live cluster matches says its environment and region as a selector, so that
/// its labels can wait for clusters to opt in (`optInLabels`) instead of being an error (E017):
/// Fleet deploys through it once such a cluster registers. Returns their selectors.
pub fn revive_dead_targets(
    app: &mut Map<String, Value>,
    clusters: &clusters::Clusters,
    groups: &[Group],
) -> Vec<Value> {
    let mut dead = Vec::new();
    let Some(targets) = app.get_mut("targets").and_then(Value::as_array_mut) else {
        return dead;
    };
    for t in targets {
        // A spec target: environment, region, cluster (by display name), selector, groups.
        let hits = clusters.clusters.iter().any(|c| {
            let text = |k: &str| t.get(k).and_then(Value::as_str);
            text("environment").is_none_or(|e| c.environment == e)
                && text("region").is_none_or(|r| c.region == r)
                && text("cluster").is_none_or(|n| c.name == n)
                && t.get("selector")
                    .is_none_or(|s| apps::selects(s, &c.all_labels))
                && in_a_group(c, groups, |g| group_criteria(t, g))
        });
        if hits {
            continue;
        }
        let Some(obj) = t.as_object_mut() else {
            continue;
        };
        for (key, label) in [
            ("environment", &clusters.env_key),
            ("region", &clusters.region_key),
        ] {
            if let Some(v) = obj.remove(key) {
                let sel = obj.entry("selector").or_insert_with(|| json!({}));
                if !sel["matchLabels"].is_object() {
                    sel["matchLabels"] = json!({});
                }
                sel["matchLabels"][label.as_str()] = v;
            }
        }
        dead.extend(obj.get("selector").cloned());
    }
    dead
}

/// Label values the targets' and groups' selectors name that no live cluster carries: the
/// original targets clusters that are not there (yet), which fleetc calls waiting for clusters
/// to opt in (W017) instead of refusing the selector (E017).
pub fn opt_in_labels(
    apps: &[write::App],
    groups: &[Value],
    dead: &[Value],
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
    // `dead`: a selector of a target no live cluster matches, every value of which waits.
    let mut visit = |sel: &Value, dead: bool| {
        for (k, v) in sel["matchLabels"].as_object().into_iter().flatten() {
            if let Some(v) = v.as_str()
                && (dead || !carried(k, Some(v)))
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
                for v in values.filter(|v| dead || !carried(k, Some(v))) {
                    out.entry(k.to_owned()).or_default().insert(v.to_owned());
                }
            }
        }
    };
    for a in apps {
        for t in a.targets() {
            visit(&t["selector"], false);
        }
    }
    for g in groups {
        visit(&g["selector"], false);
    }
    for d in dead {
        visit(d, true);
    }
    out.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

pub fn apps_selector(v: &Value) -> Value {
    // The same conversion targets use; a malformed selector is left for the compiler to report.
    let mut out = Map::new();
    for key in ["matchLabels", "matchExpressions"] {
        if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
            out.insert(key.to_owned(), x.clone());
        }
    }
    Value::Object(out)
}
