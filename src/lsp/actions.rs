//! Quick fixes for the diagnostics that have a mechanical fix: a did-you-mean (the fix resolve
//! attaches, `Diagnostic::fix`), quoting a value that must be a string, a YAML 1.1 look-alike in
//! Helm values (W026) written as the boolean or quoted, and acknowledging a
//! warning on the environment or agent it concerns. An acknowledgement is offered only when the
//! spec with it compiles without that warning and without a new error, so it never offers an
//! edit that does not do what it says.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionResponse, Range, TextEdit, Url,
    WorkspaceEdit,
};
use serde_json::Value;

use super::Analysis;
use super::navigate::unquoted;
use crate::diagnostic::{Code, Diagnostic, Severity, Span};
use crate::pointer::Ptr;

/// At most this many places are tried for one acknowledgement: each costs a compile.
const ACKNOWLEDGE_TRIES: usize = 3;

/// The quick fixes for the diagnostics whose primary range meets `range`.
pub fn actions(a: &Analysis, uri: &Url, range: Range) -> Option<CodeActionResponse> {
    let text = a.text();
    let (from, to) = (
        a.lines.offset(text, range.start),
        a.lines.offset(text, range.end),
    );
    let mut out = Vec::new();
    for (k, d) in a.diagnostics.iter().enumerate() {
        let Some(primary) = d.labels.first() else {
            continue;
        };
        let s = &primary.span;
        if !(s.start <= to && from <= s.end) {
            continue;
        }
        let lsp_diag = super::to_lsp(d, a, uri);
        let mut push = |title: String, edits: Vec<(Span, String)>, preferred: bool| {
            let edits = edits
                .into_iter()
                .map(|(span, new)| TextEdit::new(a.lines.range(text, &span), new))
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(preferred),
                ..Default::default()
            }));
        };
        if let Some(fix) = &d.fix {
            let (inner, _) = unquoted(text, &fix.span);
            push(
                format!("Replace with `{}`", fix.replacement),
                vec![(inner, fix.replacement.clone())],
                true,
            );
        }
        if d.code == Code::WrongType && primary.text == "expected a string" {
            let raw = &text[s.clone()];
            // Only a scalar written right there: the label falls back to an ancestor when the
            // value comes from elsewhere (a merge key, an alias).
            let scalar_here = a.index.at(s.start).is_some_and(|(p, on_key)| {
                !on_key && a.index.exact(&Ptr::from_json_pointer(p)) == Some(s.clone())
            });
            if scalar_here
                && !raw.starts_with(['"', '\'', '{', '[', '*', '&', '!', '|', '>'])
                && !raw.contains('\n')
            {
                let quoted = format!("\"{}\"", raw.replace('\\', "\\\\").replace('"', "\\\""));
                // Offered only when the string is then accepted there (`verifyTimeout: 20`
                // quoted is still no duration).
                let accepted = *a
                    .quotes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(k)
                    .or_insert_with(|| {
                        let mut edited = text.to_owned();
                        edited.replace_range(s.clone(), &quoted);
                        let after = Analysis::new(edited, &a.path);
                        !after
                            .diagnostics
                            .iter()
                            .any(|x| x.is_error() && x.position() == s.start)
                    });
                if !accepted {
                    continue;
                }
                push(
                    format!("Quote `{raw}` to make it a string"),
                    vec![(s.clone(), quoted)],
                    true,
                );
            }
        }
        if d.code == Code::Yaml11Boolean
            && let Some(boolean) = crate::load::yaml11_boolean(&text[s.clone()])
        {
            let raw = &text[s.clone()];
            push(
                format!("Write `{boolean}`"),
                vec![(s.clone(), boolean.to_string())],
                true,
            );
            push(
                format!("Quote `{raw}` to keep the string"),
                vec![(s.clone(), format!("\"{raw}\""))],
                false,
            );
        }
        if d.severity == Severity::Warning {
            // Each try is a compile: worked out once per analysis, however often the editor
            // asks (VS Code asks on every cursor move).
            let found = {
                let mut cache = a.acknowledgements.lock().unwrap_or_else(|e| e.into_inner());
                cache
                    .entry(k)
                    .or_insert_with(|| acknowledgements(a, d))
                    .clone()
            };
            for (what, edit) in found {
                push(
                    format!("Acknowledge {} on {what}", d.code.as_str()),
                    vec![edit],
                    false,
                );
            }
        }
    }
    Some(out)
}

/// Places where `acknowledge: [code]` silences `d`, each with its edit: the environment or agent
/// the warning's span is in, then those its message names.
fn acknowledgements(a: &Analysis, d: &Diagnostic) -> Vec<(String, (Span, String))> {
    let Some(tree) = &a.tree else {
        return Vec::new();
    };
    let mut items: Vec<(&str, usize)> = Vec::new();
    if let Some((ptr, _)) = a.index.at(d.position()) {
        let segs: Vec<&str> = ptr.split('/').skip(1).collect();
        if let [list @ ("environments" | "agents"), i, ..] = segs.as_slice()
            && let Ok(i) = i.parse()
        {
            let list = if *list == "agents" {
                "agents"
            } else {
                "environments"
            };
            items.push((list, i));
        }
    }
    for named in d.message.split('`').skip(1).step_by(2) {
        for list in ["environments", "agents"] {
            let found = tree.get(list).and_then(Value::as_array).and_then(|l| {
                l.iter()
                    .position(|x| x.get("name").and_then(Value::as_str) == Some(named))
            });
            if let Some(i) = found
                && !items.contains(&(list, i))
            {
                items.push((list, i));
            }
        }
    }
    let mut out = Vec::new();
    for (list, i) in items.into_iter().take(ACKNOWLEDGE_TRIES) {
        let Some(edit) = acknowledge_edit(a, tree, list, i, d.code.as_str()) else {
            continue;
        };
        let mut edited = a.text().to_owned();
        edited.replace_range(edit.0.clone(), &edit.1);
        let after = Analysis::new(edited, &a.path);
        let silenced = !after
            .diagnostics
            .iter()
            .any(|x| x.code == d.code && x.message == d.message);
        let errors_before = a.diagnostics.iter().filter(|x| x.is_error()).count();
        let errors_after = after.diagnostics.iter().filter(|x| x.is_error()).count();
        if silenced && errors_after <= errors_before {
            let name = tree
                .pointer(&format!("/{list}/{i}/name"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let noun = if list == "environments" {
                "environment"
            } else {
                "agent"
            };
            out.push((format!("{noun} `{name}`"), edit));
        }
    }
    out
}

/// The edit that adds `code` to item `i` of `list`'s `acknowledge`: into the list when there is
/// one (flow or block), else a new `acknowledge: [code]` line under its `name`.
fn acknowledge_edit(
    a: &Analysis,
    tree: &Value,
    list: &str,
    i: usize,
    code: &str,
) -> Option<(Span, String)> {
    let text = a.text();
    let item = Ptr::item(list, i);
    let ack = item.key("acknowledge");
    if let Some(span) = a.index.exact(&ack) {
        let raw = &text[span.clone()];
        if raw.starts_with('[') {
            let close = span.start + raw.rfind(']')?;
            // After `[` or a trailing comma no comma is needed; `[\n  W012,\n]` is valid YAML.
            let before = text[span.start..close].trim_end();
            let insert = if before.ends_with('[') {
                code.to_owned()
            } else if before.ends_with(',') {
                format!(" {code}")
            } else {
                format!(", {code}")
            };
            return Some((close..close, insert));
        }
        // A block sequence: a new `- code` line after the last one, indented alike.
        let n = tree.pointer(ack.as_str())?.as_array()?.len();
        let last = a.index.exact(&ack.index(n.checked_sub(1)?))?;
        let line_start = text[..last.start].rfind('\n').map_or(0, |p| p + 1);
        let dash = text[line_start..last.start].rfind('-')? + line_start;
        let indent = " ".repeat(dash - line_start);
        let end = text[last.end..]
            .find('\n')
            .map_or(text.len(), |p| last.end + p);
        return Some((end..end, format!("\n{indent}- {code}")));
    }
    let name_key = a.index.key_exact(&item.key("name"))?;
    let line_start = text[..name_key.start].rfind('\n').map_or(0, |p| p + 1);
    let before = &text[line_start..name_key.start];
    if before.contains('{') {
        // A flow mapping: `{name: x, ...}`.
        let value = a.index.exact(&item.key("name"))?;
        return Some((value.end..value.end, format!(", acknowledge: [{code}]")));
    }
    let column = before.chars().count();
    let end = text[name_key.end..]
        .find('\n')
        .map_or(text.len(), |p| name_key.end + p);
    Some((
        end..end,
        format!("\n{}acknowledge: [{code}]", " ".repeat(column)),
    ))
}
