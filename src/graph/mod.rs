//! Pictures of a fleet: `fleetc graph` (environments → clusters, the apps deployed there, their
//! `dependsOn`, the agents serving the clusters) and the diagrams of `fleetc diff --format
//! markdown`. Both build a [`Graph`], a drawing described without a syntax, which
//! [`mermaid`] and [`dot`] write out; neither knows the fleet.
//!
//! Readable at any size: clusters are drawn one by one only while an environment has at most
//! [`CLUSTERS_DRAWN`]; beyond that a region is one node that says how many clusters it holds.
//! An app or agent that reaches every cluster of an environment or region has one edge to it,
//! not one per cluster.

pub mod dot;
pub mod mermaid;
pub mod review;

use std::collections::BTreeMap;

use crate::model::{ClusterId, Fleet};
use crate::spec::Promotion;

/// Clusters an environment may have and still be drawn cluster by cluster.
pub const CLUSTERS_DRAWN: usize = 24;

/// Clusters drawn one by one in all: past this, further environments are drawn by region.
pub const CLUSTER_NODES: usize = 120;

/// Edges a drawing may have at most: Mermaid refuses more than 500 (its `maxEdges`). Apps (and
/// agents) past it are left out and counted in a note.
pub const EDGE_BUDGET: usize = 450;

/// The longest line a node shows; longer ones end in "…".
pub const LINE_CHARS: usize = 60;

/// `text` cut to [`LINE_CHARS`] characters.
pub fn line(text: &str) -> String {
    if text.chars().count() <= LINE_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(LINE_CHARS - 1).collect();
    out.push('…');
    out
}

/// A drawing: nested groups, nodes in them, edges between nodes and groups.
#[derive(Debug, Default)]
pub struct Graph {
    /// Groups (Mermaid subgraphs, Graphviz clusters), parents before children.
    pub groups: Vec<Group>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Edges, in drawing order.
    pub edges: Vec<Edge>,
}

/// A box around nodes.
#[derive(Debug)]
pub struct Group {
    /// The group it is in.
    pub parent: Option<usize>,
    /// Its caption.
    pub label: String,
    /// How it is highlighted.
    pub class: Class,
}

/// One node.
#[derive(Debug)]
pub struct Node {
    /// The group it is in.
    pub group: Option<usize>,
    /// Its text, one entry per line.
    pub label: Vec<String>,
    /// Its outline.
    pub shape: Shape,
    /// How it is highlighted.
    pub class: Class,
}

/// A node's outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A rectangle: clusters, regions.
    Box,
    /// Rounded: apps.
    Round,
    /// A hexagon: agents.
    Hexagon,
}

/// Highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// None.
    Plain,
    /// Changed by the change under review.
    Changed,
    /// Changed on the branch, waiting for a promotion.
    Waiting,
}

/// An end of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// A node, by index.
    Node(usize),
    /// A group, by index.
    Group(usize),
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// Solid: an app deployed to clusters, a change reaching them.
    Solid,
    /// Thick: promotion from one environment to the next.
    Thick,
    /// Dotted: `dependsOn`, an agent serving clusters.
    Dotted,
}

/// A connection.
#[derive(Debug)]
pub struct Edge {
    /// From.
    pub from: End,
    /// To.
    pub to: End,
    /// Its caption.
    pub label: Option<String>,
    /// How it is drawn.
    pub line: Line,
}

/// One step of [`Graph::nest`], with the depth it is at (1 at the top).
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// A group begins.
    Open(usize, usize),
    /// A node, inside the groups open.
    Node(usize, usize),
    /// The group ends.
    Close(usize, usize),
}

impl Graph {
    /// Walks the drawing as the writers nest it: each group with its subgroups, then its nodes;
    /// at the top, the groups, then the nodes outside any group.
    pub fn nest(&self, mut f: impl FnMut(Step)) {
        self.nest_in(None, 1, &mut f);
    }

    fn nest_in(&self, parent: Option<usize>, depth: usize, f: &mut impl FnMut(Step)) {
        for (i, _) in self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, x)| x.parent == parent)
        {
            f(Step::Open(i, depth));
            self.nest_in(Some(i), depth + 1, f);
            f(Step::Close(i, depth));
        }
        for (n, _) in self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, x)| x.group == parent)
        {
            f(Step::Node(n, depth));
        }
    }

    /// Adds a group and returns its index.
    pub fn group(&mut self, parent: Option<usize>, label: String, class: Class) -> usize {
        self.groups.push(Group {
            parent,
            label,
            class,
        });
        self.groups.len() - 1
    }

    /// Adds a node and returns its index.
    pub fn node(
        &mut self,
        group: Option<usize>,
        label: Vec<String>,
        shape: Shape,
        class: Class,
    ) -> usize {
        self.nodes.push(Node {
            group,
            label,
            shape,
            class,
        });
        self.nodes.len() - 1
    }

    /// Adds an edge.
    pub fn edge(&mut self, from: End, to: End, label: Option<String>, line: Line) {
        self.edges.push(Edge {
            from,
            to,
            label,
            line,
        });
    }
}

/// Where the clusters of a fleet are drawn: per environment a group, per region a group (when
/// the environment has several) or a node (when its clusters are too many to draw).
pub struct Places {
    /// Per environment (in promotion order): its group and its regions.
    pub envs: Vec<EnvPlace>,
    /// Where each cluster is: environment (index into `envs`), region index within it.
    cluster_at: Vec<Option<(usize, usize)>>,
    /// The node of each cluster drawn one by one.
    cluster_node: Vec<Option<usize>>,
}

/// An environment's place in the drawing.
pub struct EnvPlace {
    /// Its group.
    pub group: usize,
    /// Its regions: name, where they are drawn, their clusters.
    pub regions: Vec<RegionPlace>,
}

/// A region's place in the drawing.
pub struct RegionPlace {
    /// As drawn.
    pub end: End,
    /// Its clusters.
    pub clusters: Vec<ClusterId>,
}

impl Places {
    /// Draws the environments, regions and clusters of `fleet` into `g`; `class` says how each
    /// environment is highlighted, `caption` what its group says.
    pub fn draw(
        g: &mut Graph,
        fleet: &Fleet,
        caption: impl Fn(usize) -> String,
        class: impl Fn(usize) -> Class,
    ) -> Places {
        Places::draw_some(g, fleet, caption, class, |_| true)
    }

    /// [`Places::draw`] for the environments `keep` keeps; clusters of the others have no place
    /// and [`Places::cover`] leaves them out.
    pub fn draw_some(
        g: &mut Graph,
        fleet: &Fleet,
        caption: impl Fn(usize) -> String,
        class: impl Fn(usize) -> Class,
        keep: impl Fn(usize) -> bool,
    ) -> Places {
        let mut by_env: Vec<BTreeMap<&str, Vec<ClusterId>>> =
            vec![BTreeMap::new(); fleet.environments.len()];
        for (i, c) in fleet.clusters.iter().enumerate() {
            by_env[c.environment.index()]
                .entry(c.region.as_str())
                .or_default()
                .push(ClusterId::new(i));
        }
        let mut cluster_at = vec![None; fleet.clusters.len()];
        let mut cluster_node = vec![None; fleet.clusters.len()];
        let mut envs = Vec::new();
        let mut drawn = 0;
        for (e, regions) in by_env.iter().enumerate().filter(|(e, _)| keep(*e)) {
            let group = g.group(None, caption(e), class(e));
            if regions.is_empty() {
                // A group needs a node to be drawn (and DOT an edge's end).
                g.node(
                    Some(group),
                    vec!["no clusters".to_owned()],
                    Shape::Box,
                    Class::Plain,
                );
            }
            let total: usize = regions.values().map(Vec::len).sum();
            let one_by_one = total <= CLUSTERS_DRAWN && drawn + total <= CLUSTER_NODES;
            if one_by_one {
                drawn += total;
            }
            let mut places = Vec::new();
            for (r, (region, clusters)) in regions.iter().enumerate() {
                for c in clusters {
                    cluster_at[c.index()] = Some((envs.len(), r));
                }
                let end = if !one_by_one {
                    End::Node(g.node(
                        Some(group),
                        vec![
                            (*region).to_owned(),
                            crate::diagnostic::plural(clusters.len(), "cluster"),
                        ],
                        Shape::Box,
                        Class::Plain,
                    ))
                } else {
                    let inner = if regions.len() > 1 {
                        g.group(Some(group), (*region).to_owned(), Class::Plain)
                    } else {
                        group
                    };
                    for c in clusters {
                        cluster_node[c.index()] = Some(g.node(
                            Some(inner),
                            vec![fleet.clusters[*c].name.clone()],
                            Shape::Box,
                            Class::Plain,
                        ));
                    }
                    End::Group(inner)
                };
                places.push(RegionPlace {
                    end,
                    clusters: clusters.clone(),
                });
            }
            envs.push(EnvPlace {
                group,
                regions: places,
            });
        }
        Places {
            envs,
            cluster_at,
            cluster_node,
        }
    }

    /// The fewest ends that stand for `clusters` (sorted): a whole environment, a whole region,
    /// else each cluster, or a region node captioned "k of n" when clusters are not drawn.
    pub fn cover(&self, clusters: &[ClusterId]) -> Vec<(End, Option<String>)> {
        let mut per: BTreeMap<(usize, usize), Vec<ClusterId>> = BTreeMap::new();
        for c in clusters {
            if let Some(at) = self.cluster_at[c.index()] {
                per.entry(at).or_default().push(*c);
            }
        }
        let mut out = Vec::new();
        for (e, env) in self.envs.iter().enumerate() {
            let whole_env = !env.regions.is_empty()
                && env.regions.iter().enumerate().all(|(r, place)| {
                    per.get(&(e, r))
                        .is_some_and(|got| got.len() == place.clusters.len())
                });
            if whole_env {
                out.push((End::Group(env.group), None));
                continue;
            }
            for (r, place) in env.regions.iter().enumerate() {
                let Some(got) = per.get(&(e, r)) else {
                    continue;
                };
                if got.len() == place.clusters.len() {
                    out.push((place.end, None));
                } else if matches!(place.end, End::Node(_)) {
                    out.push((
                        place.end,
                        Some(format!("{} of {}", got.len(), place.clusters.len())),
                    ));
                } else {
                    for c in got {
                        if let Some(n) = self.cluster_node[c.index()] {
                            out.push((End::Node(n), None));
                        }
                    }
                }
            }
        }
        out
    }
}

impl Places {
    /// Where cluster `c` is drawn: its own node, or its region's node.
    pub fn drawn_at(&self, c: ClusterId) -> Option<End> {
        let (e, r) = self.cluster_at[c.index()]?;
        Some(match self.cluster_node[c.index()] {
            Some(n) => End::Node(n),
            None => self.envs[e].regions[r].end,
        })
    }

    /// Like [`Places::cover`], by environment only: the whole environment, or the environment
    /// captioned "k of n".
    pub fn cover_by_environment(&self, clusters: &[ClusterId]) -> Vec<(End, Option<String>)> {
        let mut per: BTreeMap<usize, usize> = BTreeMap::new();
        for c in clusters {
            if let Some((e, _)) = self.cluster_at[c.index()] {
                *per.entry(e).or_default() += 1;
            }
        }
        per.into_iter()
            .map(|(e, k)| {
                let env = &self.envs[e];
                let n: usize = env.regions.iter().map(|r| r.clusters.len()).sum();
                let label = (k < n).then(|| format!("{k} of {n}"));
                (End::Group(env.group), label)
            })
            .collect()
    }
}

/// Edges a drawing may have before it is drawn by environment only: Mermaid refuses more than
/// 500 (its `maxEdges`), and long before that nobody reads it.
pub const MAX_EDGES: usize = 300;

/// `fleetc graph`: environments in promotion order with their regions and clusters, the apps and
/// where they are deployed, `dependsOn` between apps, and the agents serving the clusters.
pub fn of_fleet(fleet: &Fleet) -> Graph {
    let mut g = Graph::default();
    let places = Places::draw(
        &mut g,
        fleet,
        |e| {
            let env = &fleet.environments[e];
            format!(
                "{} · {}",
                env.name,
                match env.promotion {
                    Promotion::Automatic => "automatic",
                    Promotion::Manual => "manual gate",
                }
            )
        },
        |_| Class::Plain,
    );
    for pair in places.envs.windows(2) {
        g.edge(
            End::Group(pair[0].group),
            End::Group(pair[1].group),
            Some("promote".to_owned()),
            Line::Thick,
        );
    }
    let apps: Vec<usize> = fleet
        .apps
        .iter()
        .map(|a| g.node(None, vec![a.name.clone()], Shape::Round, Class::Plain))
        .collect();
    let mut agent_clusters: Vec<Vec<ClusterId>> = fleet
        .agents
        .iter()
        .map(|a| {
            let mut c = a.clusters.clone();
            c.sort();
            c
        })
        .collect();
    agent_clusters.iter_mut().for_each(|c| c.dedup());
    let fine: usize = fleet
        .apps
        .iter()
        .map(|a| &a.clusters)
        .chain(&agent_clusters)
        .map(|c| places.cover(c).len())
        .sum();
    let cover = |c: &[ClusterId]| {
        if fine > MAX_EDGES {
            places.cover_by_environment(c)
        } else {
            places.cover(c)
        }
    };
    let mut left_out = 0;
    for (i, app) in fleet.apps.iter().enumerate() {
        let ends = cover(&app.clusters);
        if g.edges.len() + ends.len() + app.depends_on.len() > EDGE_BUDGET {
            left_out += 1;
            continue;
        }
        for (to, label) in ends {
            g.edge(End::Node(apps[i]), to, label, Line::Solid);
        }
        for d in &app.depends_on {
            g.edge(
                End::Node(apps[i]),
                End::Node(apps[d.index()]),
                Some("dependsOn".to_owned()),
                Line::Dotted,
            );
        }
    }
    for (agent, clusters) in fleet.agents.iter().zip(&agent_clusters) {
        let n = g.node(
            None,
            vec![format!("agent {}", agent.name)],
            Shape::Hexagon,
            Class::Plain,
        );
        let ends = cover(clusters);
        if g.edges.len() + ends.len() > EDGE_BUDGET {
            left_out += 1;
            continue;
        }
        for (to, label) in ends {
            g.edge(End::Node(n), to, label, Line::Dotted);
        }
    }
    if left_out > 0 {
        g.node(
            None,
            vec![format!(
                "{left_out} more apps and agents: their edges would pass Mermaid's limit"
            )],
            Shape::Box,
            Class::Plain,
        );
    }
    g
}
