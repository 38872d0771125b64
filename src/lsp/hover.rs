//! Hover: what `fleetc explain` says about the cluster, app, environment or agent under the
//! cursor, or about the app a target or override belongs to.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::Analysis;
use super::symbols::Kind;
use crate::explain;

/// The hover text at `pos`.
pub fn hover(a: &Analysis, pos: Position) -> Option<Hover> {
    let offset = a.lines.offset(a.text(), pos);
    let sym = a.symbols.at(offset);
    let Some(c) = &a.compiled else {
        // Nothing to explain until the spec compiles; say where the name is declared instead.
        let sym = sym?;
        let decl = a.symbols.declarations(sym).next();
        let text = match decl {
            Some(d) => format!(
                "{} `{}`, declared on line {}. The spec does not compile yet: fix its errors to see what reaches where.",
                sym.kind.noun(),
                sym.name,
                a.lines.position(a.text(), d.span.start).line + 1
            ),
            None => format!("no {} `{}` is declared", sym.kind.noun(), sym.name),
        };
        return Some(markdown(text));
    };
    let spec = explain::Spec {
        name: &a.source.name,
        text: a.text(),
        index: &a.index,
    };
    let fleet = &c.fleet;
    if let Some(sym) = sym {
        let body = match sym.kind {
            Kind::Cluster => explain::cluster_running(fleet, &c.pinned, &spec, &sym.name),
            Kind::App => explain::app(fleet, &c.pinned, &spec, &sym.name),
            Kind::Environment => environment(a, &sym.name),
            Kind::Agent => agent(a, &sym.name),
            _ => None,
        };
        return body.map(|b| markdown(block(&b)));
    }
    // A target or an override: the app's explanation, which lists each target's clusters and
    // each customization Fleet picks with the lines that set its values.
    let (ptr, _) = a.index.at(offset)?;
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    let (app, what, i) = match segs.as_slice() {
        ["apps", app, what @ ("targets" | "overrides"), i, ..] => {
            (app.parse::<usize>().ok()?, *what, i.parse::<usize>().ok()?)
        }
        _ => return None,
    };
    let name = a
        .tree
        .as_ref()?
        .pointer(&format!("/apps/{app}/name"))?
        .as_str()?;
    let mut out = String::new();
    if what == "targets" {
        let model = fleet.apps.iter().find(|x| x.name == name)?;
        let t = model.targets.get(i)?;
        let clusters: Vec<&str> = fleet
            .clusters
            .iter()
            .filter(|c| t.matcher.matches(&c.labels))
            .map(|c| c.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "target {} matches {} declared clusters: {}\n",
            t.name,
            clusters.len(),
            crate::suggest::short_list(&clusters, 12)
        );
    } else {
        return explain::override_effect(fleet, &spec, name, app, i).map(|b| markdown(block(&b)));
    }
    out.push_str(&explain::app(fleet, &c.pinned, &spec, name)?);
    Some(markdown(block(&out)))
}

fn environment(a: &Analysis, name: &str) -> Option<String> {
    let fleet = &a.compiled.as_ref()?.fleet;
    let (e, env) = fleet.environment_ids().find(|(_, e)| e.name == name)?;
    let clusters: Vec<&str> = fleet
        .clusters
        .iter()
        .filter(|c| c.environment == e)
        .map(|c| c.name.as_str())
        .collect();
    let apps: Vec<&str> = fleet
        .apps
        .iter()
        .filter(|app| {
            app.clusters
                .iter()
                .any(|c| fleet.clusters[*c].environment == e)
        })
        .map(|app| app.name.as_str())
        .collect();
    let mut out = format!(
        "environment {} (tier {:?}, {:?} promotion)\n",
        env.name, env.tier, env.promotion
    )
    .to_lowercase();
    if let Some(rev) = &env.revision {
        let _ = writeln!(
            out,
            "  pinned at   {} (releases.yaml)",
            crate::promotion::short(rev)
        );
    }
    let _ = writeln!(
        out,
        "  clusters    {}: {}",
        clusters.len(),
        crate::suggest::short_list(&clusters, 12)
    );
    let _ = writeln!(
        out,
        "  apps        {}: {}",
        apps.len(),
        crate::suggest::short_list(&apps, 12)
    );
    Some(out)
}

fn agent(a: &Analysis, name: &str) -> Option<String> {
    let fleet = &a.compiled.as_ref()?.fleet;
    let agent = fleet.agents.iter().find(|x| x.name == name)?;
    let clusters: Vec<String> = agent
        .clusters
        .iter()
        .map(|c| {
            let cl = &fleet.clusters[*c];
            match (fleet.gitlab.as_ref(), cl.registration) {
                (Some(side), Some(reg)) => {
                    format!("{} (KUBE_CONTEXT {})", cl.name, side.kube_context(reg))
                }
                _ => cl.name.clone(),
            }
        })
        .collect();
    let mut out = format!("agent policy {}\n", agent.name);
    if clusters.is_empty() {
        out.push_str("  serves no declared cluster: one registration of its own\n");
    } else {
        let _ = writeln!(
            out,
            "  serves {} clusters, one agent registration each:",
            clusters.len()
        );
        for c in clusters.iter().take(24) {
            let _ = writeln!(out, "    {c}");
        }
        if clusters.len() > 24 {
            let _ = writeln!(out, "    and {} more", clusters.len() - 24);
        }
    }
    Some(out)
}

fn block(text: &str) -> String {
    format!("```text\n{}\n```", text.trim_end())
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}
