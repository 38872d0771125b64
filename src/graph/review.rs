//! The diagrams of `fleetc diff --format markdown`: the promotion flow with the environments a
//! change touches, and what changes where (apps → the environments, regions and clusters they
//! change on), drawn from the head's fleet.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Class, EDGE_BUDGET, End, Graph, Line, MAX_EDGES, Places, Shape, line};
use crate::diagnostic::plural;
use crate::diff::Report;
use crate::model::{ClusterId, Fleet};
use crate::spec::Promotion;

/// Changes an app's node lists before it says "and N more".
const CHANGES_LISTED: usize = 3;

/// Environments in promotion order, each with what the change does there and what waits for its
/// promotion; the touched ones highlighted.
pub fn promotion_flow(report: &Report, fleet: &Fleet, base: Option<&Fleet>) -> Graph {
    let mut g = Graph::default();
    let mut changed: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); fleet.environments.len()];
    let mut apps: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); fleet.environments.len()];
    let ids = by_name(fleet);
    let base_ids = base.map(by_name).unwrap_or_default();
    let env_named: HashMap<&str, usize> = fleet
        .environments
        .iter()
        .enumerate()
        .map(|(e, env)| (env.name.as_str(), e))
        .collect();
    for c in &report.changes {
        for name in &c.clusters {
            // A cluster removed by the change counts in the environment it was in; a live
            // cluster neither spec declares (cluster inventory) in none.
            let e = match (
                ids.get(name.as_str()),
                base.zip(base_ids.get(name.as_str())),
            ) {
                (Some(&id), _) => Some(fleet.clusters[id].environment.index()),
                (None, Some((b, &id))) => env_named
                    .get(b.environments[b.clusters[id].environment].name.as_str())
                    .copied(),
                (None, None) => None,
            };
            if let Some(e) = e {
                changed[e].insert(name);
                apps[e].insert(&c.app);
            }
        }
    }
    let mut nodes = Vec::new();
    for (e, env) in fleet.environments.iter().enumerate() {
        let total = fleet
            .clusters
            .iter()
            .filter(|c| c.environment.index() == e)
            .count();
        let mut label = vec![
            env.name.clone(),
            match env.promotion {
                Promotion::Automatic => "automatic".to_owned(),
                Promotion::Manual => "manual gate".to_owned(),
            },
        ];
        let waiting = report.waiting.get(&env.name).map_or(0, Vec::len);
        let class = if !changed[e].is_empty() {
            label.push(format!(
                "{} of {} change",
                changed[e].len(),
                plural(total, "cluster")
            ));
            let names: Vec<&str> = apps[e].iter().copied().collect();
            label.push(format!("apps: {}", crate::suggest::short_list(&names, 4)));
            Class::Changed
        } else if waiting > 0 {
            Class::Waiting
        } else {
            label.push(format!("unchanged ({})", plural(total, "cluster")));
            Class::Plain
        };
        if waiting > 0 {
            label.push(format!(
                "{} waiting for promote:{}",
                plural(waiting, "change"),
                env.name
            ));
        }
        nodes.push(g.node(None, label, Shape::Box, class));
    }
    for pair in nodes.windows(2) {
        g.edge(
            End::Node(pair[0]),
            End::Node(pair[1]),
            Some("promote".to_owned()),
            Line::Thick,
        );
    }
    g
}

/// Apps that change, each joined to where it changes: the environments it changes in, by region,
/// cluster by cluster while an environment is small, a region "k of n" beyond that, and whole
/// environments only once the drawing would pass [`MAX_EDGES`]. `None` when nothing changes on a
/// cluster.
pub fn changes(report: &Report, fleet: &Fleet, base: Option<&Fleet>) -> Option<Graph> {
    if report.changes.is_empty() {
        return None;
    }
    let ids = by_name(fleet);
    let base_ids = base.map(by_name).unwrap_or_default();
    let mut live: BTreeSet<&str> = BTreeSet::new();
    let mut per_app: BTreeMap<&str, (Vec<&str>, BTreeSet<ClusterId>)> = BTreeMap::new();
    let mut touched = vec![false; fleet.environments.len()];
    let mut removed: BTreeSet<&str> = BTreeSet::new();
    for c in &report.changes {
        let entry = per_app.entry(&c.app).or_default();
        entry.0.push(&c.what);
        for name in &c.clusters {
            match ids.get(name.as_str()) {
                Some(&id) => {
                    entry.1.insert(id);
                    touched[fleet.clusters[id].environment.index()] = true;
                }
                None if base_ids.contains_key(name.as_str()) => {
                    removed.insert(name);
                }
                None => {
                    live.insert(name);
                }
            }
        }
    }
    let mut g = Graph::default();
    let places = Places::draw_some(
        &mut g,
        fleet,
        |e| fleet.environments[e].name.clone(),
        |_| Class::Plain,
        |e| touched[e],
    );
    let sets: Vec<Vec<ClusterId>> = per_app
        .values()
        .map(|(_, s)| s.iter().copied().collect())
        .collect();
    let fine: usize = sets.iter().map(|s| places.cover(s).len()).sum();
    let mut left_out = Vec::new();
    for ((app, (whats, _)), clusters) in per_app.iter().zip(&sets) {
        let ends = if fine > MAX_EDGES {
            places.cover_by_environment(clusters)
        } else {
            places.cover(clusters)
        };
        if g.edges.len() + ends.len() > EDGE_BUDGET {
            left_out.push(*app);
            continue;
        }
        let mut label = vec![line(app)];
        label.extend(whats.iter().take(CHANGES_LISTED).map(|w| line(w)));
        if whats.len() > CHANGES_LISTED {
            label.push(format!("and {} more", whats.len() - CHANGES_LISTED));
        }
        let n = g.node(None, label, Shape::Round, Class::Changed);
        for (to, caption) in ends {
            g.edge(End::Node(n), to, caption, Line::Solid);
        }
        for c in clusters {
            if let Some(End::Node(at)) = places.drawn_at(*c) {
                g.nodes[at].class = Class::Changed;
            }
        }
    }
    if !left_out.is_empty() {
        g.node(
            None,
            vec![
                format!(
                    "{} more: their edges would pass Mermaid's limit (the table lists them)",
                    plural(left_out.len(), "app")
                ),
                crate::suggest::short_list(&left_out, 6),
            ],
            Shape::Round,
            Class::Changed,
        );
    }
    for (set, what) in [
        (removed, "no longer in the spec"),
        (live, "live, not declared (cluster inventory)"),
    ] {
        if set.is_empty() {
            continue;
        }
        let names: Vec<&str> = set.into_iter().collect();
        g.node(
            None,
            vec![
                format!("{} {what}", plural(names.len(), "cluster")),
                crate::suggest::short_list(&names, 6),
            ],
            Shape::Box,
            Class::Changed,
        );
    }
    Some(g)
}

fn by_name(fleet: &Fleet) -> HashMap<&str, ClusterId> {
    fleet
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), ClusterId::new(i)))
        .collect()
}
