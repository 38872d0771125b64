//! Kustomize overlays (`kustomization.yaml`) of kustomize apps: one for the app's own settings
//! and one per targetCustomization, each built straight from the base with everything that
//! applies to its clusters (overlays are never stacked, so each can be read on its own).

use crate::pointer::Ptr;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Artifact, Kind};
use crate::model::{App, AppSource, Customization, Fleet, Scope, Settings, WorkloadRef};
use crate::spec::{Patch, PatchTarget, Quantity, Resources, WorkloadKind};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    images: Vec<ImageOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    replicas: Vec<ReplicaOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    patches: Vec<PatchOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageOut {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_name: Option<String>,
    new_tag: String,
}

#[derive(Serialize)]
struct ReplicaOut {
    name: String,
    count: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PatchOut {
    patch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<TargetOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label_selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotation_selector: Option<String>,
}

impl From<&PatchTarget> for TargetOut {
    fn from(t: &PatchTarget) -> Self {
        TargetOut {
            group: t.group.clone(),
            version: t.version.clone(),
            kind: t.kind.clone(),
            name: t.name.clone(),
            namespace: t.namespace.clone(),
            label_selector: t.label_selector.clone(),
            annotation_selector: t.annotation_selector.clone(),
        }
    }
}

/// The directory (relative to the bundle directory) fleet.yaml's root `kustomize.dir` names.
pub(super) fn root_dir(app: &App) -> Option<String> {
    match &app.source {
        AppSource::Kustomize { base, .. } if app.base.is_empty() => Some(base.clone()),
        AppSource::Kustomize { .. } => Some(format!("{}/default", app.overlays)),
        AppSource::Helm(_) if !app.base.patches.is_empty() => {
            Some(format!("{}/default", app.overlays))
        }
        AppSource::Helm(_) | AppSource::Manifests { .. } => None,
    }
}

/// The `kustomize.dir` of a customization: a kustomize app's overlay always; a Helm app's
/// post-render overlay where its overrides add patches (else the root's applies: Fleet keeps
/// the root `kustomize.dir` when a customization names none, calculate.go:115-122).
pub(super) fn customization_dir(fleet: &Fleet, app: &App, c: &Customization) -> Option<String> {
    match &app.source {
        AppSource::Kustomize { .. } => Some(overlay_dir(fleet, app, &c.scope)),
        AppSource::Helm(_) if !c.delta.patches.is_empty() => {
            Some(overlay_dir(fleet, app, &c.scope))
        }
        AppSource::Helm(_) | AppSource::Manifests { .. } => None,
    }
}

/// The overlay directory (relative to the bundle directory) of a customization scope.
pub(super) fn overlay_dir(fleet: &Fleet, app: &App, scope: &Scope) -> String {
    let root = &app.overlays;
    match scope {
        Scope::Cluster(c) => format!("{root}/cluster/{}", fleet.clusters[*c].name),
        Scope::EnvRegion(e, r) => format!("{root}/env/{}/{r}", fleet.environments[*e].name),
        Scope::Env(e) => format!("{root}/env/{}", fleet.environments[*e].name),
        Scope::Selected {
            env, region, names, ..
        } => {
            let mut dir = format!(
                "{root}/selected/{}/{}",
                names.join("+"),
                fleet.environments[*env].name
            );
            if let Some(r) = region {
                dir = format!("{dir}/{r}");
            }
            dir
        }
    }
}

pub(super) fn emit(fleet: &Fleet, app: &App, owner: &Ptr) -> Vec<Artifact> {
    if let AppSource::Helm(_) = &app.source {
        return post_render(fleet, app, owner);
    }
    let AppSource::Kustomize { base, workload, .. } = &app.source else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !app.base.is_empty() {
        let dir = format!("{}/default", app.overlays);
        out.push(overlay(app, base, workload, &dir, &app.base, owner));
    }
    for c in app.customizations.iter().filter(|c| !c.excludes()) {
        let dir = overlay_dir(fleet, app, &c.scope);
        out.push(overlay(
            app,
            base,
            workload,
            &dir,
            &c.full(&app.base),
            owner,
        ));
    }
    out
}

/// The name Fleet gives a chart's rendered output in the post-render kustomization
/// (rancher/fleet v0.16.1 internal/helmdeployer/kustomize/kustomize.go:20, the same since 0.13).
pub const FLEET_MANIFESTS: &str = "fleet-manifests.yaml";

/// A Helm app's post-render overlays: Fleet renders the chart, writes the output as
/// `<dir>/fleet-manifests.yaml` and builds `<dir>/kustomization.yaml` over it
/// (internal/helmdeployer/postrender.go:168-188, kustomize/kustomize.go). Each holds every
/// patch that applies to its clusters; fleetc lists the rendered output as the resource itself,
/// so Fleet leaves the file as it is and `kubectl kustomize` can build it too.
fn post_render(fleet: &Fleet, app: &App, owner: &Ptr) -> Vec<Artifact> {
    let mut out = Vec::new();
    let mut push = |dir: &str, s: &Settings| {
        let doc = Kustomization {
            api_version: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: vec![FLEET_MANIFESTS.to_owned()],
            images: Vec::new(),
            replicas: Vec::new(),
            patches: s.patches.iter().map(patch_out).collect(),
        };
        out.push(Artifact::new(
            format!("{}/{dir}/kustomization.yaml", app.bundle_dir),
            Kind::Kustomization,
            owner.clone(),
            &doc,
        ));
    };
    if let Some(dir) = root_dir(app) {
        push(&dir, &app.base);
    }
    for c in app.customizations.iter().filter(|c| !c.excludes()) {
        if let Some(dir) = customization_dir(fleet, app, c) {
            push(&dir, &c.full(&app.base));
        }
    }
    out
}

fn patch_out(p: &Patch) -> PatchOut {
    PatchOut {
        patch: p.patch.clone(),
        target: p.target.as_ref().map(TargetOut::from),
    }
}

fn overlay(
    app: &App,
    base: &str,
    workload: &WorkloadRef,
    dir: &str,
    s: &Settings,
    owner: &Ptr,
) -> Artifact {
    let depth = dir.split('/').count();
    let up = "../".repeat(depth);
    let resource = if base == "." {
        up.trim_end_matches('/').to_owned()
    } else {
        format!("{up}{base}")
    };
    let mut patches = Vec::new();
    if let Some(r) = &s.resources {
        patches.push(PatchOut {
            patch: resources_patch(workload, r),
            target: None,
        });
    }
    patches.extend(s.patches.iter().map(patch_out));
    let doc = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: vec![resource],
        images: app
            .images
            .iter()
            .filter_map(|img| {
                s.tags.get(&img.name).map(|tag| ImageOut {
                    name: img.name.clone(),
                    new_name: img.new_name.clone(),
                    new_tag: tag.to_string(),
                })
            })
            .collect(),
        replicas: s
            .replicas
            .map(|count| ReplicaOut {
                name: workload.name.clone(),
                count,
            })
            .into_iter()
            .collect(),
        patches,
    };
    Artifact::new(
        format!("{}/{dir}/kustomization.yaml", app.bundle_dir),
        Kind::Kustomization,
        owner.clone(),
        &doc,
    )
}

/// A strategic-merge patch setting the workload container's resources, as YAML text.
fn resources_patch(w: &WorkloadRef, r: &Resources) -> String {
    let kind = match w.kind {
        WorkloadKind::Deployment => "Deployment",
        WorkloadKind::StatefulSet => "StatefulSet",
    };
    let doc = json!({
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": w.name},
        "spec": {"template": {"spec": {"containers": [
            {"name": w.container, "resources": resources_value(r)}
        ]}}}
    });
    super::to_yaml(&doc)
}

/// Resources as a Kubernetes `ResourceRequirements` value.
pub(super) fn resources_value(r: &Resources) -> Value {
    let mut m = Map::new();
    let q = |map: &std::collections::BTreeMap<String, Quantity>| -> Value {
        Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Quantity::Text(s) => Value::String(s.clone()),
                        Quantity::Number(n) => Value::String(n.to_string()),
                    };
                    (k.clone(), v)
                })
                .collect(),
        )
    };
    if !r.limits.is_empty() {
        m.insert("limits".to_owned(), q(&r.limits));
    }
    if !r.requests.is_empty() {
        m.insert("requests".to_owned(), q(&r.requests));
    }
    Value::Object(m)
}
