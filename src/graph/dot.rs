//! A [`Graph`] in Graphviz's DOT language: groups are `cluster_` subgraphs, and an edge to a
//! group is drawn to its first node, clipped at the group's border (`compound`, `lhead`).

use std::fmt::Write as _;

use super::{Class, End, Graph, Line, Shape, Step};

/// The digraph, left to right.
pub fn render(g: &Graph) -> String {
    let mut out = String::from(
        "digraph fleet {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n",
    );
    g.nest(|step| match step {
        Step::Open(i, depth) => {
            let pad = "  ".repeat(depth);
            let _ = writeln!(out, "{pad}subgraph cluster_{i} {{");
            let _ = writeln!(out, "{pad}  label={};", quote(&g.groups[i].label));
            if let Some(f) = fill(g.groups[i].class) {
                let _ = writeln!(out, "{pad}  style=filled; fillcolor=\"{f}\";");
            }
        }
        Step::Node(i, depth) => node(&mut out, i, &g.nodes[i], depth),
        Step::Close(_, depth) => {
            let _ = writeln!(out, "{}}}", "  ".repeat(depth));
        }
    });
    for e in &g.edges {
        let (Some(from), Some(to)) = (anchor(g, e.from), anchor(g, e.to)) else {
            continue;
        };
        let mut attrs = Vec::new();
        if let End::Group(i) = e.from {
            attrs.push(format!("ltail=cluster_{i}"));
        }
        if let End::Group(i) = e.to {
            attrs.push(format!("lhead=cluster_{i}"));
        }
        match e.line {
            Line::Solid => {}
            Line::Thick => attrs.push("penwidth=3".to_owned()),
            Line::Dotted => attrs.push("style=dashed".to_owned()),
        }
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", quote(l)));
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "  n{from} -> n{to};");
        } else {
            let _ = writeln!(out, "  n{from} -> n{to} [{}];", attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}

/// The node an edge to `end` is drawn to: the node, or a group's first node, depth first.
fn anchor(g: &Graph, end: End) -> Option<usize> {
    match end {
        End::Node(i) => Some(i),
        End::Group(i) => g.nodes.iter().position(|n| n.group == Some(i)).or_else(|| {
            g.groups
                .iter()
                .enumerate()
                .filter(|(_, x)| x.parent == Some(i))
                .find_map(|(j, _)| anchor(g, End::Group(j)))
        }),
    }
}

fn fill(class: Class) -> Option<&'static str> {
    match class {
        Class::Plain => None,
        Class::Changed => Some("#fde2e1"),
        Class::Waiting => Some("#fff4ce"),
    }
}

fn node(out: &mut String, i: usize, n: &super::Node, depth: usize) {
    let mut attrs = vec![format!("label={}", quote(&n.label.join("\n")))];
    match n.shape {
        Shape::Box => {}
        Shape::Round => attrs.push("style=rounded".to_owned()),
        Shape::Hexagon => attrs.push("shape=hexagon".to_owned()),
    }
    if let Some(f) = fill(n.class) {
        let style = if n.shape == Shape::Round {
            "\"rounded,filled\""
        } else {
            "filled"
        };
        attrs.retain(|a| !a.starts_with("style="));
        attrs.push(format!("style={style}, fillcolor=\"{f}\""));
    }
    let _ = writeln!(out, "{}n{i} [{}];", "  ".repeat(depth), attrs.join(", "));
}

/// A DOT string: quotes and backslashes escaped, a line break as `\n`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
