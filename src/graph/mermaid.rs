//! A [`Graph`] as a Mermaid flowchart, the diagram GitLab renders in Markdown (merge-request
//! comments, READMEs). Every label is quoted and escaped with Mermaid's entity codes, so no name
//! can end a label or start a statement; ids are generated (`G0`, `N3`), never names.

use std::fmt::Write as _;

use super::{Class, End, Graph, Line, Shape, Step};

/// The flowchart, left to right.
pub fn render(g: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    g.nest(|step| match step {
        Step::Open(i, depth) => {
            let _ = writeln!(
                out,
                "{}subgraph G{i}[\"{}\"]",
                "  ".repeat(depth),
                escape(&g.groups[i].label)
            );
        }
        Step::Node(i, depth) => node(&mut out, i, &g.nodes[i], depth),
        Step::Close(_, depth) => {
            let _ = writeln!(out, "{}end", "  ".repeat(depth));
        }
    });
    for e in &g.edges {
        let arrow = match e.line {
            Line::Solid => "-->",
            Line::Thick => "==>",
            Line::Dotted => "-.->",
        };
        let label = e
            .label
            .as_deref()
            .map(|l| format!("|\"{}\"|", escape(l)))
            .unwrap_or_default();
        let _ = writeln!(out, "  {} {arrow}{label} {}", id(e.from), id(e.to));
    }
    let classes = [(Class::Changed, "changed"), (Class::Waiting, "waiting")];
    for (class, name) in classes {
        let nodes: Vec<String> = g
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.class == class)
            .map(|(i, _)| format!("N{i}"))
            .collect();
        let groups: Vec<usize> = g
            .groups
            .iter()
            .enumerate()
            .filter(|(_, x)| x.class == class)
            .map(|(i, _)| i)
            .collect();
        if nodes.is_empty() && groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  classDef {name} {}", colours(class));
        if !nodes.is_empty() {
            let _ = writeln!(out, "  class {} {name}", nodes.join(","));
        }
        // `style` rather than `class` for subgraphs: older Mermaid (GitLab's included) ignores
        // classes on subgraphs.
        for i in groups {
            let _ = writeln!(out, "  style G{i} {}", colours(class));
        }
    }
    out
}

fn colours(class: Class) -> &'static str {
    match class {
        Class::Changed => "fill:#fde2e1,stroke:#d1242f,color:#000",
        Class::Waiting => "fill:#fff4ce,stroke:#9a6700,color:#000",
        Class::Plain => "",
    }
}

fn node(out: &mut String, i: usize, n: &super::Node, depth: usize) {
    let label = n
        .label
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br/>");
    let (open, close) = match n.shape {
        Shape::Box => ("[", "]"),
        Shape::Round => ("(", ")"),
        Shape::Hexagon => ("{{", "}}"),
    };
    let _ = writeln!(out, "{}N{i}{open}\"{label}\"{close}", "  ".repeat(depth));
}

fn id(end: End) -> String {
    match end {
        End::Node(i) => format!("N{i}"),
        End::Group(i) => format!("G{i}"),
    }
}

/// Text safe inside a quoted Mermaid label: entity codes for the characters that end a label or
/// that Mermaid reads as markup.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
