//! Names the spec declares and the places that refer to them: what go to definition, find
//! references, rename and completion work on.
//!
//! Read from the untyped tree and the span index, not from the resolved fleet, so that navigation
//! keeps working while the spec has errors (an unknown environment is exactly when one wants to
//! jump to the environments). The positions are the ones resolve reads as references (its
//! `Cx::reference` and `Cx::cluster_ref` calls): a new kind of reference there belongs here too,
//! and `tests/lsp.rs` checks the example's.

use serde_json::Value;

use crate::diagnostic::Span;
use crate::load::SpanIndex;
use crate::pointer::Ptr;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `environments[].name`.
    Environment,
    /// `clusters[].name`.
    Cluster,
    /// `agents[].name`.
    Agent,
    /// `apps[].name`.
    App,
    /// `clusterGroups[].name`.
    ClusterGroup,
    /// `gitRepos[].name`.
    GitRepo,
    /// `workspaces[].name`.
    Workspace,
    /// `apps[].images[].name`, within one app.
    Image,
}

impl Kind {
    /// As messages say it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Environment => "environment",
            Kind::Cluster => "cluster",
            Kind::Agent => "agent",
            Kind::App => "app",
            Kind::ClusterGroup => "ClusterGroup",
            Kind::GitRepo => "GitRepo",
            Kind::Workspace => "workspace",
            Kind::Image => "image",
        }
    }
}

/// One occurrence of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// What it names.
    pub kind: Kind,
    /// The app an image belongs to (images are named per app); `None` for every other kind.
    pub scope: Option<usize>,
    /// The name.
    pub name: String,
    /// Where it is written (quotes included when it is quoted).
    pub span: Span,
    /// Whether this is the declaration rather than a reference.
    pub declares: bool,
    /// The JSON pointer of the node (a key's pointer when the name is a mapping key).
    pub ptr: String,
    /// Whether the name is a mapping key (`pipeline.verify.<environment>`).
    pub key: bool,
}

/// Where names are declared, by pointer pattern (`*` is any one segment).
const DECLARATIONS: &[(&str, Kind)] = &[
    ("/environments/*/name", Kind::Environment),
    ("/clusters/*/name", Kind::Cluster),
    ("/agents/*/name", Kind::Agent),
    ("/apps/*/name", Kind::App),
    ("/clusterGroups/*/name", Kind::ClusterGroup),
    ("/gitRepos/*/name", Kind::GitRepo),
    ("/workspaces/*/name", Kind::Workspace),
    ("/apps/*/images/*/name", Kind::Image),
];

/// Where they are referred to by value.
const REFERENCES: &[(&str, Kind)] = &[
    ("/clusters/*/environment", Kind::Environment),
    ("/agents/*/environments/*", Kind::Environment),
    ("/apps/*/targets/*/environment", Kind::Environment),
    ("/apps/*/overrides/*/environment", Kind::Environment),
    ("/schedules/*/targets/*/environment", Kind::Environment),
    ("/agents/*/clusters/*", Kind::Cluster),
    ("/apps/*/targets/*/cluster", Kind::Cluster),
    ("/apps/*/overrides/*/cluster", Kind::Cluster),
    ("/schedules/*/targets/*/cluster", Kind::Cluster),
    ("/clusters/*/agent", Kind::Agent),
    ("/pipeline/driftCheck/agent", Kind::Agent),
    ("/apps/*/dependsOn/*", Kind::App),
    ("/apps/*/dependsOn/*/app", Kind::App),
    ("/apps/*/targets/*/clusterGroup", Kind::ClusterGroup),
    ("/apps/*/overrides/*/clusterGroup", Kind::ClusterGroup),
    ("/schedules/*/targets/*/clusterGroup", Kind::ClusterGroup),
    (
        "/apps/*/rolloutStrategy/partitions/*/environment",
        Kind::Environment,
    ),
    (
        "/apps/*/rolloutStrategy/partitions/*/cluster",
        Kind::Cluster,
    ),
    (
        "/apps/*/rolloutStrategy/partitions/*/clusterGroup",
        Kind::ClusterGroup,
    ),
    ("/apps/*/gitRepo", Kind::GitRepo),
    // The default workspace: a `workspaces` entry of that name is its settings.
    ("/fleet/namespace", Kind::Workspace),
    ("/workspaces/*/clusterWorkspaces/*", Kind::Workspace),
    ("/clusters/*/workspace", Kind::Workspace),
    ("/gitRepos/*/workspace", Kind::Workspace),
    ("/schedules/*/workspace", Kind::Workspace),
];

/// Where they are referred to by a mapping key: `pipeline.verify.<environment>`, an override's
/// `images.<image>`.
const KEY_REFERENCES: &[(&str, Kind)] = &[
    ("/pipeline/verify", Kind::Environment),
    ("/apps/*/overrides/*/images", Kind::Image),
];

/// Every name of one spec text.
#[derive(Debug, Default)]
pub struct Symbols {
    /// In text order.
    pub all: Vec<Symbol>,
}

impl Symbols {
    /// Finds every declaration and reference in `tree`, placing them with `index`.
    pub fn new(tree: &Value, index: &SpanIndex) -> Symbols {
        let mut all = Vec::new();
        walk(tree, &mut Vec::new(), index, &mut all);
        all.sort_by_key(|s| (s.span.start, s.span.end));
        Symbols { all }
    }

    /// The name at `offset` (its span's end included: a cursor just after a word is on it).
    pub fn at(&self, offset: usize) -> Option<&Symbol> {
        self.all
            .iter()
            .find(|s| s.span.start <= offset && offset <= s.span.end)
    }

    /// The declarations of `sym`'s name (one, unless it is declared twice: E010).
    pub fn declarations<'a>(&'a self, sym: &'a Symbol) -> impl Iterator<Item = &'a Symbol> {
        self.same(sym).filter(|s| s.declares)
    }

    /// Every occurrence of `sym`'s name, its declarations included.
    pub fn same<'a>(&'a self, sym: &'a Symbol) -> impl Iterator<Item = &'a Symbol> {
        self.all
            .iter()
            .filter(move |s| s.kind == sym.kind && s.scope == sym.scope && s.name == sym.name)
    }

    /// Declared names of a kind (in an app, for images), in spec order, without repeats.
    pub fn declared(&self, kind: Kind, scope: Option<usize>) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.all {
            if s.declares && s.kind == kind && s.scope == scope && !out.contains(&s.name.as_str()) {
                out.push(&s.name);
            }
        }
        out
    }
}

/// The kind of reference a value at `ptr` would be, if it is a reference position: what
/// completion offers there.
pub fn reference_kind(ptr: &str) -> Option<(Kind, Option<usize>)> {
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    REFERENCES
        .iter()
        .find(|(p, _)| matches(p, &segs))
        .map(|(_, k)| (*k, scope_of(*k, &segs)))
}

/// The kind of reference the mapping key at `ptr` would be (`/pipeline/verify/<key>`), if the
/// mapping's keys are references.
pub fn key_reference_kind(ptr: &str) -> Option<(Kind, Option<usize>)> {
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    let parent = &segs[..segs.len().checked_sub(1)?];
    KEY_REFERENCES
        .iter()
        .find(|(p, _)| matches(p, parent))
        .map(|(_, k)| (*k, scope_of(*k, &segs)))
}

fn scope_of(k: Kind, segs: &[&str]) -> Option<usize> {
    (k == Kind::Image).then(|| app_scope(segs)).flatten()
}

fn walk(v: &Value, segs: &mut Vec<String>, index: &SpanIndex, out: &mut Vec<Symbol>) {
    match v {
        Value::Object(m) => {
            let here: Vec<&str> = segs.iter().map(String::as_str).collect();
            let key_kind = KEY_REFERENCES
                .iter()
                .find(|(p, _)| matches(p, &here))
                .map(|(_, k)| *k);
            let scope = app_scope(&here);
            for (k, child) in m {
                segs.push(k.clone());
                if let Some(kind) = key_kind {
                    let ptr = pointer(segs);
                    if let Some(span) = index.key_exact(&ptr) {
                        out.push(Symbol {
                            kind,
                            scope: (kind == Kind::Image).then_some(scope).flatten(),
                            name: k.clone(),
                            span,
                            declares: false,
                            ptr: ptr.as_str().to_owned(),
                            key: true,
                        });
                    }
                }
                walk(child, segs, index, out);
                segs.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                segs.push(i.to_string());
                walk(child, segs, index, out);
                segs.pop();
            }
        }
        Value::String(name) => {
            let here: Vec<&str> = segs.iter().map(String::as_str).collect();
            let found = DECLARATIONS
                .iter()
                .find(|(p, _)| matches(p, &here))
                .map(|(_, k)| (*k, true))
                .or_else(|| {
                    REFERENCES
                        .iter()
                        .find(|(p, _)| matches(p, &here))
                        .map(|(_, k)| (*k, false))
                });
            if let Some((kind, declares)) = found {
                let ptr = pointer(segs);
                if let Some(span) = index.exact(&ptr) {
                    out.push(Symbol {
                        kind,
                        scope: if kind == Kind::Image {
                            app_scope(&here)
                        } else {
                            None
                        },
                        name: name.clone(),
                        span,
                        declares,
                        ptr: ptr.as_str().to_owned(),
                        key: false,
                    });
                }
            }
        }
        _ => {}
    }
}

fn pointer(segs: &[String]) -> Ptr {
    segs.iter().fold(Ptr::root(), |p, s| p.key(s))
}

/// `/apps/3/...` → 3: the app images are named in.
fn app_scope(segs: &[&str]) -> Option<usize> {
    match segs {
        ["apps", i, ..] => i.parse().ok(),
        _ => None,
    }
}

/// Whether `segs` fit `pattern` (`/a/*/b`): `*` is any one segment.
fn matches(pattern: &str, segs: &[&str]) -> bool {
    let pat = pattern.split('/').skip(1);
    pat.clone().count() == segs.len() && pat.zip(segs).all(|(p, s)| p == "*" || p == *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(text: &str) -> Symbols {
        let tree = crate::load::parse(text).unwrap();
        Symbols::new(&tree, &SpanIndex::new(text))
    }

    #[test]
    fn declarations_and_references_by_value_and_by_key() {
        let text = "version: 1\nenvironments:\n  - name: staging\nclusters:\n  - {name: c1, environment: staging}\napps:\n  - name: web\n    images: [{name: reg/web, tag: '1'}]\n    overrides:\n      - cluster: c1\n        images: {reg/web: '2'}\n    dependsOn: [web]\npipeline:\n  verify: {staging: automatic}\n";
        let s = symbols(text);
        let names: Vec<(Kind, &str, bool)> = s
            .all
            .iter()
            .map(|s| (s.kind, &text[s.span.clone()], s.declares))
            .collect();
        assert_eq!(
            names,
            [
                (Kind::Environment, "staging", true),
                (Kind::Cluster, "c1", true),
                (Kind::Environment, "staging", false),
                (Kind::App, "web", true),
                (Kind::Image, "reg/web", true),
                (Kind::Cluster, "c1", false),
                (Kind::Image, "reg/web", false),
                (Kind::App, "web", false),
                (Kind::Environment, "staging", false),
            ]
        );
        let env = s.at(text.find("staging").unwrap() + 2).unwrap();
        assert_eq!(s.same(env).count(), 3);
        assert_eq!(
            key_reference_kind("/apps/0/overrides/1/images/x"),
            Some((Kind::Image, Some(0)))
        );
        assert_eq!(reference_kind("/apps/0/overrides/1/images/x"), None);
        assert_eq!(
            reference_kind("/agents/2/clusters/0"),
            Some((Kind::Cluster, None))
        );
        assert_eq!(reference_kind("/apps/0/name"), None);
    }
}
