//! Which live clusters the imported targets reach: targets and kept customizations that match
//! none (reported), and the label values they wait for (`optInLabels`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Group, apps, clusters, write};

/// Whether a Fleet target or customization (`clusterName`, `clusterSelector`, `clusterGroup`,
/// `clusterGroupSelector`) matches a live cluster, as Fleet matches them.
pub fn hits(t: &Value, c: &clusters::Cluster, groups: &[Group]) -> bool {
    let labels = &c.all_labels;
    let mut criteria = 0;
    let mut all = true;
    if let Some(n) = t["clusterName"].as_str() {
        criteria += 1;
        all &= c.object == n || labels.get(clusters::NAME_KEY).is_some_and(|d| d == n);
    }
    if let Some(sel) = t.get("clusterSelector").filter(|s| s.is_object()) {
        criteria += 1;
        all &= apps::selects(sel, labels);
    }
    let mine = || {
        groups.iter().filter(|g| {
            g.workspace == c.workspace
                && g.selector.is_object()
                && apps::selects(&g.selector, labels)
        })
    };
    if let Some(g) = t["clusterGroup"].as_str() {
        criteria += 1;
        all &= mine().any(|x| x.name == g);
    }
    if let Some(gs) = t.get("clusterGroupSelector").filter(|s| s.is_object()) {
        criteria += 1;
        all &= mine().any(|x| apps::selects(gs, &x.labels));
    }
    criteria > 0 && all
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
        let hits = clusters.clusters.iter().any(|c| {
            let labels = &c.all_labels;
            let text = |k: &str| t.get(k).and_then(Value::as_str);
            text("environment").is_none_or(|e| c.environment == e)
                && text("region").is_none_or(|r| c.region == r)
                && text("cluster").is_none_or(|n| c.name == n)
                && t.get("selector").is_none_or(|s| apps::selects(s, labels))
                && text("clusterGroup").is_none_or(|g| {
                    groups.iter().any(|x| {
                        x.name == g
                            && x.workspace == c.workspace
                            && apps::selects(&x.selector, labels)
                    })
                })
                && t.get("clusterGroupSelector").is_none_or(|gs| {
                    groups.iter().any(|x| {
                        x.workspace == c.workspace
                            && apps::selects(gs, &x.labels)
                            && apps::selects(&x.selector, labels)
                    })
                })
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
        for t in a
            .value
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
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
