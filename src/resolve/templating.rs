//! Fleet's Helm values templating, checked statically.
//!
//! Fleet renders `${ ... }` in `helm.values` per cluster as a Go template with
//! `missingkey=error`. Two mistakes break a whole bundle on every cluster: a literal `${VAR}`
//! (envsubst, shell) that Fleet tries to run as a function, and `.ClusterLabels.x` on a cluster
//! without label `x`. Both are caught here, against the clusters that actually receive the values.

use serde_json::{Map, Value};

use super::{Cx, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{ClusterId, EnvId, Fleet};
use crate::pointer::Ptr;
use crate::spec;

/// One `${ ... }` found in a string.
#[derive(Debug, PartialEq)]
enum Action {
    /// Something Fleet would fail to run: `${VAR}`, `${HOME:-/root}`.
    Literal { at: usize, text: String },
    /// A template action reading these keys of `.ClusterLabels`, `.ClusterAnnotations` and
    /// `.ClusterValues` directly (a `.ClusterValues` key is a dotted path).
    Template { refs: Vec<(Dict, String)> },
}

/// What a template reads of the cluster (rancher/fleet v0.16.1
/// internal/cmd/controller/target/builder.go:304-320).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dict {
    /// The Cluster object's labels.
    Labels,
    /// Its annotations.
    Annotations,
    /// Its `spec.templateValues`.
    Values,
}

impl Dict {
    fn name(self) -> &'static str {
        match self {
            Dict::Labels => ".ClusterLabels",
            Dict::Annotations => ".ClusterAnnotations",
            Dict::Values => ".ClusterValues",
        }
    }
}

/// Zero-argument words that are valid template actions on their own.
const BARE_WORDS: &[&str] = &[
    "end", "else", "now", "uuidv4", "nil", "true", "false", "break", "continue",
];

/// The keys a condition tests for: `index .ClusterLabels "x"`, `hasKey .ClusterValues "x"`,
/// `get .ClusterAnnotations "x"` (a dictionary followed by a quoted key).
fn tested_keys(cond: &str) -> Vec<(Dict, String)> {
    let mut out = Vec::new();
    for dict in [Dict::Labels, Dict::Annotations, Dict::Values] {
        for (i, _) in cond.match_indices(dict.name()) {
            let after = &cond[i + dict.name().len()..];
            let Some(quoted) = after.trim_start().strip_prefix('"') else {
                continue;
            };
            if after.starts_with(['.', '_']) || after.starts_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            if let Some(end) = quoted.find('"') {
                out.push((dict, quoted[..end].to_owned()));
            }
        }
    }
    out
}

/// Whether a read of `key` is inside a block that tested for it (or, for `.ClusterValues`, for
/// the map it is in).
fn guarded(guards: &[Vec<(Dict, String)>], dict: Dict, key: &str) -> bool {
    guards.iter().flatten().any(|(d, k)| {
        *d == dict && (k == key || (dict == Dict::Values && key.starts_with(&format!("{k}."))))
    })
}

fn actions(s: &str) -> Vec<Action> {
    let mut out = Vec::new();
    let mut from = 0;
    // The keys the enclosing `if`/`with` blocks test for: reads of them inside are guarded
    // (`${ if hasKey .ClusterLabels "x" }${ .ClusterLabels.x }${ end }`).
    let mut guards: Vec<Vec<(Dict, String)>> = Vec::new();
    while let Some(rel) = s[from..].find("${") {
        let at = from + rel;
        let body_start = at + 2;
        let rest = &s[body_start..];
        let trimmed = rest.trim_start_matches(['-', ' ']);
        // ${`...`} is Fleet's escape for a literal: skip to the closing backtick.
        let end = if trimmed.starts_with('`') {
            let skip = rest.len() - trimmed.len() + 1;
            rest[skip..]
                .find('`')
                .and_then(|b| rest[skip + b..].find('}').map(|c| skip + b + c))
        } else {
            rest.find('}')
        };
        let Some(end) = end else {
            out.push(Action::Literal {
                at,
                text: s[at..].chars().take(30).collect(),
            });
            break;
        };
        let body = rest[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        from = body_start + end + 1;
        if body.starts_with('`') {
            continue;
        }
        let ident_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let ident = &body[..ident_len];
        let after = &body[ident_len..];
        let shell_op = [":-", ":=", ":?", ":+", "#", "%", "/"]
            .iter()
            .any(|op| after.starts_with(op));
        let all_caps = !ident.is_empty()
            && ident
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && !ident.chars().any(|c| c.is_ascii_lowercase());
        let lone_word = !ident.is_empty() && after.is_empty() && !BARE_WORDS.contains(&ident);
        if body.is_empty()
            || (!ident.is_empty() && (shell_op || lone_word || (all_caps && after.is_empty())))
        {
            out.push(Action::Literal {
                at,
                text: s[at..body_start + end + 1].to_owned(),
            });
            continue;
        }
        let word = body.split_whitespace().next().unwrap_or_default();
        match word {
            "if" | "with" => guards.push(tested_keys(body)),
            "range" | "block" | "define" => guards.push(Vec::new()),
            // The `else` branch runs where the test failed; `else if` tests again.
            "else" => {
                let cond = body.strip_prefix("else").unwrap_or_default().trim_start();
                let keys = if cond.starts_with("if ") || cond.starts_with("with ") {
                    tested_keys(cond)
                } else {
                    Vec::new()
                };
                if let Some(top) = guards.last_mut() {
                    *top = keys;
                }
            }
            "end" => {
                guards.pop();
            }
            _ => {}
        }
        let mut refs = Vec::new();
        for dict in [Dict::Labels, Dict::Annotations, Dict::Values] {
            let prefix = format!("{}.", dict.name());
            for (i, _) in body.match_indices(&prefix) {
                let key: String = body[i + prefix.len()..]
                    .chars()
                    .take_while(|c| {
                        c.is_ascii_alphanumeric()
                            || *c == '_'
                            || (dict == Dict::Values && *c == '.')
                    })
                    .collect();
                let key = key.trim_end_matches('.').to_owned();
                // An `if`'s own test is outside its block: `${ if .ClusterLabels.x }` fails
                // where `x` is missing, so only the enclosing blocks guard it.
                let enclosing = match word {
                    "if" | "with" => &guards[..guards.len().saturating_sub(1)],
                    _ => &guards[..],
                };
                if !key.is_empty() && !guarded(enclosing, dict, &key) {
                    refs.push((dict, key));
                }
            }
        }
        out.push(Action::Template { refs });
    }
    out
}

impl Cx<'_> {
    /// Checks the templates in an app's values and its overrides' values.
    pub(super) fn templating(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        names: &RefNames,
        targeted: &[ClusterId],
        app_helm: &crate::model::HelmOptions,
    ) {
        // With `disablePreProcess` Fleet renders nothing: `${ }` stays text
        // (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:304).
        if app_helm.disable_pre_process {
            return;
        }
        let app = Ptr::item("apps", i);
        if let Some(values) = &a.values {
            self.template_values(values, &app.key("values"), fleet, targeted);
        }
        for (k, t) in &app_helm.template_values {
            let ptr = app.key("source").key("helm").key("templateValues").key(k);
            self.template_string(t, &ptr, fleet, targeted);
        }
        for (j, o) in a.overrides.iter().enumerate() {
            let helm = o.helm.as_ref();
            if helm.is_some_and(|h| h.disable_pre_process == Some(true)) {
                continue;
            }
            let templates = helm.map(|h| &h.template_values).filter(|t| !t.is_empty());
            if o.values.is_none() && templates.is_none() {
                continue;
            }
            let env = o
                .environment
                .as_ref()
                .and_then(|e| names.envs.get(e))
                .map(|&e| EnvId::new(e));
            let cluster = o
                .cluster
                .as_ref()
                .and_then(|c| names.clusters.get(c))
                .map(|&c| ClusterId::new(c));
            let receiving: Vec<ClusterId> = targeted
                .iter()
                .copied()
                .filter(|&c| {
                    let cl = &fleet.clusters[c];
                    o.environment
                        .as_ref()
                        .is_none_or(|_| Some(cl.environment) == env)
                        && o.region.as_ref().is_none_or(|r| &cl.region == r)
                        && o.cluster.as_ref().is_none_or(|_| Some(c) == cluster)
                })
                .collect();
            let at = app.key("overrides").index(j);
            if let Some(values) = &o.values {
                self.template_values(values, &at.key("values"), fleet, &receiving);
            }
            for (k, t) in templates.into_iter().flatten() {
                let ptr = at.key("helm").key("templateValues").key(k);
                self.template_string(t, &ptr, fleet, &receiving);
            }
        }
    }

    fn template_values(
        &mut self,
        values: &Map<String, Value>,
        ptr: &Ptr,
        fleet: &Fleet,
        clusters: &[ClusterId],
    ) {
        for (k, v) in values {
            let child = ptr.key(k);
            match v {
                Value::String(s) => self.template_string(s, &child, fleet, clusters),
                Value::Object(m) => self.template_values(m, &child, fleet, clusters),
                Value::Array(items) => {
                    for (n, item) in items.iter().enumerate() {
                        let p = child.index(n);
                        match item {
                            Value::String(s) => self.template_string(s, &p, fleet, clusters),
                            Value::Object(m) => self.template_values(m, &p, fleet, clusters),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn template_string(&mut self, s: &str, ptr: &Ptr, fleet: &Fleet, clusters: &[ClusterId]) {
        if !s.contains("${") {
            return;
        }
        let node = self.at(ptr);
        let source = self.text.get(node.clone()).unwrap_or_default().to_owned();
        let exact = |needle: &str| {
            source.find(needle).map_or(node.clone(), |o| {
                node.start + o..node.start + o + needle.len()
            })
        };
        for action in actions(s) {
            match action {
                Action::Literal { text, .. } => {
                    let inner = text.trim_start_matches("${").trim_end_matches('}');
                    self.push(
                        Diagnostic::new(
                            Code::LiteralTemplate,
                            format!("Fleet would run `{text}` as a template"),
                        )
                        .label(exact(&text), "Fleet templates `${ ... }` in Helm values")
                        .help(format!("to keep it literal, write ${{`${{{inner}}}`}}")),
                    );
                }
                Action::Template { refs } => {
                    for (dict, key) in refs.iter().filter(|(d, _)| *d != Dict::Labels) {
                        self.live_template_ref(*dict, key, fleet, clusters, &exact);
                    }
                    let labels = refs.into_iter().filter(|(d, _)| *d == Dict::Labels);
                    for (_, key) in labels {
                        let lacking: Vec<&str> = clusters
                            .iter()
                            .filter(|c| !fleet.clusters[**c].labels.contains_key(key.as_str()))
                            .map(|c| fleet.clusters[*c].name.as_str())
                            .collect();
                        if let Some(first) = lacking.first() {
                            let more = if lacking.len() > 1 {
                                format!(" and {} more", lacking.len() - 1)
                            } else {
                                String::new()
                            };
                            self.push(
                                Diagnostic::new(
                                    Code::TemplateLabelMissing,
                                    format!("`.ClusterLabels.{key}` is missing on `{first}`{more}"),
                                )
                                .label(exact(&format!(".ClusterLabels.{key}")), "fails the whole bundle on a cluster without this label")
                                .help(format!(
                                    "add label `{key}` to those clusters, or read it with a default: `${{ get .ClusterLabels \"{key}\" }}`"
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
}

impl Cx<'_> {
    /// `.ClusterAnnotations.x` and `.ClusterValues.x.y` against the live clusters (the cluster
    /// inventory): the spec does not declare either, so without an inventory nothing is known.
    /// Fleet renders with `missingkey=error`, so a missing one fails the bundle on that cluster.
    fn live_template_ref(
        &mut self,
        dict: Dict,
        key: &str,
        fleet: &Fleet,
        clusters: &[ClusterId],
        exact: &dyn Fn(&str) -> crate::diagnostic::Span,
    ) {
        let Some(inv) = &fleet.inventory else {
            return;
        };
        let lacking: Vec<&str> = clusters
            .iter()
            .map(|&c| &fleet.clusters[c])
            .filter_map(|cl| {
                let live = inv
                    .clusters
                    .iter()
                    .find(|l| l.name == cl.name && l.workspace == cl.workspace)?;
                let has = match dict {
                    Dict::Annotations => live.annotations.contains_key(key),
                    Dict::Values => {
                        let mut node = Some(&live.template_values);
                        let mut found = true;
                        let parts: Vec<&str> = key.split('.').collect();
                        for (n, part) in parts.iter().enumerate() {
                            match node.and_then(|m| m.get(*part)) {
                                Some(Value::Object(m)) => node = Some(m),
                                Some(_) if n + 1 == parts.len() => node = None,
                                _ => {
                                    found = false;
                                    break;
                                }
                            }
                        }
                        found
                    }
                    Dict::Labels => true,
                };
                (!has).then_some(cl.name.as_str())
            })
            .collect();
        let Some(first) = lacking.first() else {
            return;
        };
        let more = match lacking.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        let what = dict.name();
        let (field, fix) = match dict {
            Dict::Annotations => (
                "annotation",
                format!(
                    "annotate the Fleet Cluster (`kubectl annotate clusters.fleet.cattle.io <name> {key}=…`), or read it with a default: `${{ get .ClusterAnnotations \"{key}\" }}`"
                ),
            ),
            _ => (
                "template value",
                format!(
                    "set `spec.templateValues.{key}` on the Fleet Cluster, or guard it: `${{ if hasKey .ClusterValues \"{}\" }}…${{ end }}`",
                    key.split('.').next().unwrap_or(key)
                ),
            ),
        };
        self.push(
            Diagnostic::new(
                Code::TemplateLabelMissing,
                format!("`{what}.{key}` is missing on `{first}`{more} in the live fleet"),
            )
            .label(
                exact(&format!("{what}.{key}")),
                format!(
                    "`{}` has no such {field}: the whole bundle fails there",
                    inv.path
                ),
            )
            .help(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(s: &str) -> bool {
        actions(s)
            .iter()
            .any(|a| matches!(a, Action::Literal { .. }))
    }

    #[test]
    fn tells_templates_from_literals() {
        assert!(literal("${VAR}"));
        assert!(literal("prefix-${HOME:-/root}"));
        assert!(literal("${foo}"));
        assert!(literal("${ unterminated"));
        assert!(!literal("${ .ClusterName }"));
        assert!(!literal("${ get .ClusterLabels \"env\" }"));
        assert!(!literal("${`${VAR}`}"));
        assert!(!literal("no templates"));
        assert!(!literal("${ .ClusterValues.x | default \"y\" }"));
        // Guarded templates are valid, their `end` included.
        assert!(!literal("${ if .ClusterLabels.x }a${ end }"));
        // Scanning goes on after a template and after an escape.
        assert!(literal("x-${ .ClusterName }-${VAR}"));
        assert!(literal("${`a`}${X}"));
    }

    #[test]
    fn finds_direct_reads() {
        let acts = actions(
            "${ .ClusterLabels.tier }-${ get .ClusterLabels \"zone\" }-${ .ClusterAnnotations.owner }/${ .ClusterValues.site.id }.",
        );
        let refs: Vec<(Dict, &str)> = acts
            .iter()
            .flat_map(|a| match a {
                Action::Template { refs } => refs.iter().map(|(d, k)| (*d, k.as_str())).collect(),
                Action::Literal { .. } => vec![],
            })
            .collect();
        assert_eq!(
            refs,
            [
                (Dict::Labels, "tier"),
                (Dict::Annotations, "owner"),
                (Dict::Values, "site.id")
            ]
        );
    }

    /// Reads inside a block that tested for the key are guarded; its `else` branch, its own
    /// test and what follows its `end` are not.
    #[test]
    fn guarded_reads_are_not_reads() {
        let reads = |s: &str| -> Vec<String> {
            actions(s)
                .iter()
                .flat_map(|a| match a {
                    Action::Template { refs } => refs.iter().map(|(_, k)| k.clone()).collect(),
                    Action::Literal { .. } => vec![],
                })
                .collect()
        };
        assert!(
            reads("${ if index .ClusterLabels \"x\" }${ .ClusterLabels.x }${ end }").is_empty()
        );
        assert!(
            reads("${ if hasKey .ClusterValues \"site\" }${ .ClusterValues.site.id }${ end }")
                .is_empty()
        );
        assert!(
            reads("${ with get .ClusterAnnotations \"o\" }${ .ClusterAnnotations.o }${ end }")
                .is_empty()
        );
        assert_eq!(
            reads("${ if index .ClusterLabels \"x\" }a${ else }${ .ClusterLabels.x }${ end }"),
            ["x"]
        );
        assert_eq!(
            reads("${ if index .ClusterLabels \"x\" }a${ end }${ .ClusterLabels.x }"),
            ["x"]
        );
        assert_eq!(reads("${ if .ClusterLabels.x }a${ end }"), ["x"]);
        assert_eq!(
            reads("${ if index .ClusterLabels \"y\" }${ .ClusterLabels.x }${ end }"),
            ["x"]
        );
    }

    #[test]
    fn escapes_end_at_their_backtick() {
        // A `}` inside an escape does not end it (nor does a `${` in it start anything); what
        // follows the escape is read again.
        assert_eq!(actions("${`a}${B}`}"), []);
        let acts = actions("${`a}b`}-${VAR}");
        assert_eq!(acts.len(), 1, "{acts:?}");
        assert!(
            matches!(&acts[0], Action::Literal { at: 9, .. }),
            "{acts:?}"
        );
    }
}
