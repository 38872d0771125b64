//! Stage 3, lint: warnings about a valid fleet that probably does not do what was meant.
//! Runs only when resolution found no errors, so its findings are never echoes of one.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::SpanIndex;
use crate::model::Fleet;
use crate::spec::{Promotion, Tier};

/// Every lint finding for `fleet`.
pub fn lint(fleet: &Fleet, ix: &SpanIndex) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    untargeted_clusters(fleet, ix, &mut out);
    dependencies_not_colocated(fleet, ix, &mut out);
    production_without_gate(fleet, ix, &mut out);
    out
}

fn production_without_gate(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    for (i, env) in fleet.environments.iter().enumerate() {
        if env.tier == Tier::Production
            && env.promotion == Promotion::Automatic
            && !env.acknowledged.contains(&Code::ProductionAutoPromotion)
        {
            out.push(
                Diagnostic::new(
                    Code::ProductionAutoPromotion,
                    format!("production environment `{}` is promoted automatically", env.name),
                )
                .label(ix.value(&format!("/environments/{i}/name")), "no person decides when changes reach it")
                .help("set `promotion: manual`, or add `acknowledge: [W005]` to the environment if this is deliberate"),
            );
        }
    }
}

fn untargeted_clusters(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    if fleet.apps.is_empty() {
        return;
    }
    let mut targeted = vec![false; fleet.clusters.len()];
    for app in &fleet.apps {
        for &c in &app.clusters {
            targeted[c] = true;
        }
    }
    for (i, c) in fleet.clusters.iter().enumerate() {
        if !targeted[i] {
            out.push(
                Diagnostic::new(
                    Code::UntargetedCluster,
                    format!("no app targets cluster `{}`", c.name),
                )
                .label(
                    ix.value(&format!("/clusters/{i}/name")),
                    "declared here, runs nothing",
                )
                .help("add a target for it to an app, or remove the cluster"),
            );
        }
    }
}

fn dependencies_not_colocated(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    let apps = &fleet.apps;
    for (i, app) in apps.iter().enumerate() {
        for (j, &dep) in app.depends_on.iter().enumerate() {
            let missing: Vec<&str> = app
                .clusters
                .iter()
                .filter(|c| apps[dep].clusters.binary_search(c).is_err())
                .map(|c| fleet.clusters[*c].name.as_str())
                .collect();
            if let Some(first) = missing.first() {
                out.push(
                    Diagnostic::new(
                        Code::DependencyNotColocated,
                        format!(
                            "`{}` depends on `{}`, which is not deployed to {} of its clusters",
                            app.name,
                            apps[dep].name,
                            missing.len()
                        ),
                    )
                    .label(
                        ix.value(&format!("/apps/{i}/dependsOn/{j}")),
                        format!("e.g. `{first}` would wait forever"),
                    )
                    .help(format!(
                        "target `{}` at those clusters too, or narrow `{}`'s targets",
                        apps[dep].name, app.name
                    )),
                );
            }
        }
    }
}
