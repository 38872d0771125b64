//! What overrides can change, where each setting comes from, and how layers merge.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::HelmOptions;
use crate::pointer::Ptr;
use crate::spec::{self, Patch};
use crate::values::ImageTag;

/// What overrides can change. In an app's base and in a customization's `full` every field is
/// what the cluster gets; in a customization's `delta` only what the overrides change.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Replica count.
    pub replicas: Option<u32>,
    /// Image tags by image name.
    pub tags: BTreeMap<String, ImageTag>,
    /// Resource requests and limits.
    pub resources: Option<spec::Resources>,
    /// Helm values.
    pub values: Map<String, Value>,
    /// Kustomize patches, in application order.
    pub patches: Vec<Patch>,
    /// Raw YAML apps: file of the bundle directory → the content that replaces it.
    pub files: BTreeMap<String, String>,
    /// Helm options (Helm apps only).
    pub helm: HelmOptions,
    /// How the app is deployed: what overrides may change of it (in an app's base, empty: the
    /// app's own are in `App::bundle` and `App::drift`).
    pub deploy: super::DeployOptions,
    /// Where each setting comes from: `replicas`, `images/<name>`, `resources/requests/<key>`,
    /// `values/<json pointer>`, `patches/<n>` → where it was set. Not part of what a cluster
    /// runs, so equality ignores it.
    pub origins: BTreeMap<String, Origin>,
}

/// Where a setting was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A node of the spec.
    Spec(Ptr),
    /// Another file beside it (`releases.yaml`).
    File(&'static str),
}

impl PartialEq for Settings {
    fn eq(&self, other: &Self) -> bool {
        self.replicas == other.replicas
            && self.tags == other.tags
            && self.resources == other.resources
            && self.values == other.values
            && self.patches == other.patches
            && self.files == other.files
            && self.helm == other.helm
            && self.deploy == other.deploy
    }
}

impl Settings {
    /// Records that every setting present came from the spec node `base` (an app or an
    /// override): `<base>/replicas`, `<base>/values/...`, and so on. `images` are keyed by name
    /// under `image_ptr`, which says where each image's tag is written.
    pub fn set_origins(&mut self, base: &Ptr, image_ptr: impl Fn(&str) -> Ptr) {
        let mut o = BTreeMap::new();
        if self.replicas.is_some() {
            o.insert("replicas".to_owned(), Origin::Spec(base.key("replicas")));
        }
        for name in self.tags.keys() {
            o.insert(format!("images/{name}"), Origin::Spec(image_ptr(name)));
        }
        if let Some(r) = &self.resources {
            for (kind, map) in [("requests", &r.requests), ("limits", &r.limits)] {
                for k in map.keys() {
                    o.insert(
                        format!("resources/{kind}/{k}"),
                        Origin::Spec(base.key("resources").key(kind).key(k)),
                    );
                }
            }
        }
        let mut leaves = Vec::new();
        value_leaves(
            &Value::Object(self.values.clone()),
            Ptr::root(),
            &mut leaves,
        );
        for leaf in leaves {
            o.insert(
                format!("values{leaf}"),
                Origin::Spec(base.key("values").join(&leaf)),
            );
        }
        for n in 0..self.patches.len() {
            o.insert(
                format!("patches/{n}"),
                Origin::Spec(base.key("patches").index(n)),
            );
        }
        for f in self.files.keys() {
            o.insert(
                format!("files/{f}"),
                Origin::Spec(base.key("replaceFiles").key(f)),
            );
        }
        // How the app is deployed (an override's; an app's own are not settings).
        let d = &self.deploy;
        for (set, key) in [
            (d.keep_resources, "keepResources"),
            (d.service_account.is_some(), "serviceAccount"),
            (d.namespace.is_some(), "namespace"),
            (d.force_sync_generation.is_some(), "forceSyncGeneration"),
            (
                d.correct_drift.is_some() || !d.compare_patches.is_empty(),
                "drift",
            ),
            (d.do_not_deploy.is_some(), "doNotDeploy"),
            (!d.downstream_resources.is_empty(), "downstreamResources"),
        ] {
            if set {
                o.insert(format!("deploy/{key}"), Origin::Spec(base.key(key)));
            }
        }
        self.origins = o;
    }
}

impl Settings {
    /// Records that the Helm options set came from the spec node `helm` (`source.helm` of an
    /// app, `helm` of an override): `helm/<option>`.
    pub fn set_helm_origins(&mut self, helm: &Ptr) {
        for (key, at, _) in self.helm.described() {
            self.origins.insert(key, Origin::Spec(helm.join(&at)));
        }
    }
}

/// A JSON pointer as people write a values key: `/controller/service` → `controller.service`.
pub fn dotted(ptr: &str) -> String {
    ptr.trim_start_matches('/')
        .split('/')
        .map(crate::load::unescape)
        .collect::<Vec<_>>()
        .join(".")
}

/// JSON pointers of every leaf (non-mapping value) below `v`.
pub fn value_leaves(v: &Value, ptr: Ptr, out: &mut Vec<Ptr>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                value_leaves(child, ptr.key(k), out);
            }
        }
        _ if ptr.is_root() => {}
        _ => out.push(ptr),
    }
}

impl Settings {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Settings::default()
    }

    /// Lays `over` on top of `self`: scalars replace, maps merge key by key (values deeply),
    /// patches append. The same rules Fleet uses to merge a customization over a bundle.
    pub fn merge(&mut self, over: &Settings) {
        if over.replicas.is_some() {
            self.replicas = over.replicas;
        }
        for (k, v) in &over.tags {
            self.tags.insert(k.clone(), v.clone());
        }
        if let Some(r) = &over.resources {
            let mine = self.resources.get_or_insert_with(Default::default);
            for (k, v) in &r.requests {
                mine.requests.insert(k.clone(), v.clone());
            }
            for (k, v) in &r.limits {
                mine.limits.insert(k.clone(), v.clone());
            }
        }
        deep_merge(&mut self.values, &over.values);
        self.helm.merge(&over.helm);
        self.deploy.merge(&over.deploy);
        for (k, v) in &over.files {
            self.files.insert(k.clone(), v.clone());
        }
        let offset = self.patches.len();
        self.patches.extend(over.patches.iter().cloned());
        for (k, v) in &over.origins {
            let k = match k
                .strip_prefix("patches/")
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(n) => format!("patches/{}", n + offset),
                None => k.clone(),
            };
            // A value that replaces a mapping drops the origins of the leaves below it.
            if k.starts_with("values/") {
                let below = format!("{k}/");
                self.origins.retain(|old, _| {
                    !old.starts_with(&below) && !k.starts_with(&format!("{old}/"))
                });
            }
            self.origins.insert(k, v.clone());
        }
    }
}

/// Merges `over` into `base` the way Helm and Fleet merge values: mappings recursively,
/// everything else replaced.
pub fn deep_merge(base: &mut Map<String, Value>, over: &Map<String, Value>) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}
