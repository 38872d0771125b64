//! Fleet `HelmOp` (fleet.cattle.io/v1alpha1, Fleet 0.13+): an app of `helmOp`, one per
//! environment like its GitRepos, and emitted from the spec at the environment's pin like them.
//!
//! A HelmOp is a BundleSpec (what fleet.yaml holds) that Fleet turns into a Bundle of the same
//! name with the chart downloaded by the agent (rancher/fleet v0.16.1
//! internal/cmd/controller/helmops/reconciler/helmop_controller.go:219-269). There are no
//! `targetRestrictions` and no GitRepo targets: the Bundle's `targets` are all there is, and a
//! cluster gets the first one it matches. So each customization is written once per target of
//! the environment, ANDed with it (otherwise it would add clusters the app does not target), and
//! the targets follow with the app's own settings.

use serde::Serialize;

use super::fleet_yaml::{
    Customization, FleetYaml, HelmOptions, TargetCustomization, bundle, oci_as_repository,
};
use super::k8s::{ObjectMeta, Selector};
use super::{Artifact, Kind, MANAGEMENT_DIR};
use crate::model::{App, EnvGitRepo, EnvId, Fleet, LabelSelector, Scope};
use crate::pointer::Ptr;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HelmOp<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: HelmOpSpec<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HelmOpSpec<'a> {
    // `labels` (copied to the Bundle, what `dependsOn` selects by) and the bundle options.
    #[serde(flatten)]
    bundle: FleetYaml<'a>,
    targets: Vec<HelmOpTarget<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    polling_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_secret_name: Option<String>,
    #[serde(
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "std::ops::Not::not"
    )]
    insecure_skip_tls_verify: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HelmOpTarget<'a> {
    #[serde(flatten)]
    options: TargetCustomization<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_group_selector: Option<Selector>,
}

/// `fleet` is the branch's; `from` the fleet `app` and `repo` belong to (the branch's, or the
/// spec at the environment's pin).
pub(super) fn emit(
    fleet: &Fleet,
    from: &Fleet,
    app: &App,
    repo: &EnvGitRepo,
    owner: Ptr,
) -> Artifact {
    let settings = app.helm_op.as_ref().expect("HelmOp apps only");
    let mut spec = bundle(from, app, &Default::default());
    let customizations = std::mem::take(&mut spec.target_customizations);
    let mut targets = Vec::new();
    // A HelmOp app keeps no customizations verbatim (resolve refuses it), so only fleetc's
    // own, in the order of `app.customizations`, are left.
    let made = customizations.into_iter().filter_map(|c| match c {
        Customization::Made(tc) => Some(*tc),
        Customization::Kept(_) => None,
    });
    for (k, (tc, c)) in made.zip(&app.customizations).enumerate() {
        if scope_env(from, &c.scope) != repo.env {
            continue;
        }
        // The environment's own customization reaches every cluster of this HelmOp: its Helm
        // options go to the root, where Fleet resolves and polls the chart version. A target
        // with Helm options of its own gets the root's version copied as written, a range
        // included, and keeps it (propagateHelmOpProperties, helmop_controller.go:383-403).
        if settings.at_root.contains(&k) {
            if let Some(h) = &tc.helm {
                spec.helm.fold(h);
            }
            continue;
        }
        for t in &repo.targets {
            let Some(selector) = and(
                &from.scope_selector(&c.scope),
                t.selector.as_ref().unwrap_or(&LabelSelector::default()),
            ) else {
                continue;
            };
            let mut options = tc.clone();
            if repo.targets.len() > 1 {
                options.name = format!("{}--{}", tc.name, t.name);
            }
            options.cluster_selector = Some(Selector::from(&selector));
            if options.helm.as_ref().is_some_and(HelmOptions::is_empty) {
                options.helm = None;
            }
            if let Some(h) = options.helm.as_mut() {
                oci_as_repository(h);
            }
            targets.push(HelmOpTarget {
                options,
                cluster_group: t.cluster_group.clone(),
                cluster_group_selector: t.cluster_group_selector.as_ref().map(Selector::from),
            });
        }
    }
    for t in &repo.targets {
        targets.push(HelmOpTarget {
            options: TargetCustomization::plain(
                t.name.clone(),
                t.selector.as_ref().map(Selector::from),
            ),
            cluster_group: t.cluster_group.clone(),
            cluster_group_selector: t.cluster_group_selector.as_ref().map(Selector::from),
        });
    }
    oci_as_repository(&mut spec.helm);
    let env = &from.environments[repo.env].name;
    let doc = HelmOp {
        api_version: "fleet.cattle.io/v1alpha1",
        kind: "HelmOp",
        metadata: ObjectMeta::managed(
            &repo.name,
            &fleet.workspace,
            &[
                (crate::model::APP_LABEL, &app.name),
                (crate::model::ENV_LABEL, env),
            ],
        ),
        spec: HelmOpSpec {
            bundle: spec,
            targets,
            polling_interval: settings.polling_interval.as_ref().map(|d| d.to_string()),
            helm_secret_name: settings.helm_secret_name.clone(),
            insecure_skip_tls_verify: settings.insecure_skip_tls_verify,
        },
    };
    Artifact::new(
        format!("{MANAGEMENT_DIR}/helmops/{}.yaml", repo.name),
        Kind::HelmOp,
        owner,
        &doc,
    )
}

fn scope_env(fleet: &Fleet, scope: &Scope) -> EnvId {
    match scope {
        Scope::Cluster(c) => fleet.clusters[*c].environment,
        Scope::EnvRegion(e, _) | Scope::Env(e) | Scope::Selected { env: e, .. } => *e,
    }
}

/// Both selectors at once, or `None` when no labels can satisfy both.
fn and(a: &LabelSelector, b: &LabelSelector) -> Option<LabelSelector> {
    let mut out = a.clone();
    for (k, v) in &b.match_labels {
        match out.match_labels.get(k) {
            Some(x) if x != v => return None,
            _ => {
                out.match_labels.insert(k.clone(), v.clone());
            }
        }
    }
    for r in &b.match_expressions {
        if !out.match_expressions.contains(r) {
            out.match_expressions.push(r.clone());
        }
    }
    Some(out)
}
