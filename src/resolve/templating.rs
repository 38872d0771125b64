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
    /// A template action reading these `.ClusterLabels` keys directly.
    Template { labels: Vec<(usize, String)> },
}

/// Zero-argument words that are valid template actions on their own.
const BARE_WORDS: &[&str] = &[
    "end", "else", "now", "uuidv4", "nil", "true", "false", "break", "continue",
];

fn actions(s: &str) -> Vec<Action> {
    let mut out = Vec::new();
    let mut from = 0;
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
        let mut labels = Vec::new();
        for (i, _) in body.match_indices(".ClusterLabels.") {
            let key: String = body[i + 15..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !key.is_empty() {
                let offset = body_start + (rest.find(body).unwrap_or(0)) + i;
                labels.push((offset, key));
            }
        }
        out.push(Action::Template { labels });
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
                Action::Template { labels } => {
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
    fn finds_direct_label_reads() {
        let acts = actions("${ .ClusterLabels.tier }-${ get .ClusterLabels \"zone\" }");
        let labels: Vec<&str> = acts
            .iter()
            .flat_map(|a| match a {
                Action::Template { labels } => labels.iter().map(|(_, k)| k.as_str()).collect(),
                Action::Literal { .. } => vec![],
            })
            .collect();
        assert_eq!(labels, ["tier"]);
    }

    #[test]
    fn label_reads_are_placed_and_escapes_end_at_their_backtick() {
        // The offset of `.ClusterLabels.tier` in the string: where E025 points.
        let s = "x-${ .ClusterLabels.tier }";
        assert_eq!(
            actions(s),
            [Action::Template {
                labels: vec![(s.find(".ClusterLabels").unwrap(), "tier".to_owned())]
            }]
        );
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
