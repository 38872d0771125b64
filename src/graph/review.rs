//! The diagrams of `fleetc diff --format markdown`: the promotion flow with the environments a
//! change touches, and what changes where (apps → the environments, regions and clusters they
//! change on), drawn from the head's fleet.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Class, End, Graph, Line, MAX_EDGES, Places, Shape};
use crate::diagnostic::plural;
use crate::diff::Report;
use crate::model::{ClusterId, Fleet};
use crate::spec::Promotion;

/// Changes an app's node lists before it says "and N more".
const CHANGES_LISTED: usize = 3;

/// Environments in promotion order, each with what the change does there and what waits for its
/// promotion; the touched ones highlighted.
pub fn promotion_flow(report: &Report, fleet: &Fleet) -> Graph {
    let mut g = Graph::default();
    let mut changed: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); fleet.environments.len()];
    let mut apps: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); fleet.environments.len()];
    let ids = by_name(fleet);
    for c in &report.changes {
        for name in &c.clusters {
            if let Some(&id) = ids.get(name.as_str()) {
                let e = fleet.clusters[id].environment.index();
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
pub fn changes(report: &Report, fleet: &Fleet) -> Option<Graph> {
    if report.changes.is_empty() {
        return None;
    }
    let ids = by_name(fleet);
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
                None => {
                    removed.insert(name);
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
    for ((app, (whats, _)), clusters) in per_app.iter().zip(&sets) {
        let mut label = vec![app.to_string()];
        label.extend(whats.iter().take(CHANGES_LISTED).map(|w| w.to_string()));
        if whats.len() > CHANGES_LISTED {
            label.push(format!("and {} more", whats.len() - CHANGES_LISTED));
        }
        let n = g.node(None, label, Shape::Round, Class::Changed);
        let ends = if fine > MAX_EDGES {
            places.cover_by_environment(clusters)
        } else {
            places.cover(clusters)
        };
        for (to, caption) in ends {
            g.edge(End::Node(n), to, caption, Line::Solid);
        }
        for c in clusters {
            if let Some(End::Node(at)) = places.drawn_at(*c) {
                g.nodes[at].class = Class::Changed;
            }
        }
    }
    if !removed.is_empty() {
        let names: Vec<&str> = removed.into_iter().collect();
        g.node(
            None,
            vec![
                format!("{} no longer in the spec", plural(names.len(), "cluster")),
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
