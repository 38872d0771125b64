//! Go to definition, find references and rename: over [`Symbols`](super::symbols::Symbols),
//! within the one spec file (every name a spec refers to is declared in it).

use std::collections::HashMap;

use lsp_types::{
    GotoDefinitionResponse, Location, Position, PrepareRenameResponse, TextEdit, Url, WorkspaceEdit,
};

use super::Analysis;
use super::symbols::{Kind, Symbol};

fn symbol_at(a: &Analysis, pos: Position) -> Option<&Symbol> {
    a.symbols.at(a.lines.offset(a.text(), pos))
}

/// Where the name under the cursor is declared.
pub fn definition(a: &Analysis, uri: &Url, pos: Position) -> Option<GotoDefinitionResponse> {
    let sym = symbol_at(a, pos)?;
    let found: Vec<Location> = a
        .symbols
        .declarations(sym)
        .map(|d| Location::new(uri.clone(), a.lines.range(a.text(), &d.span)))
        .collect();
    match found.len() {
        0 => None,
        1 => found.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(found)),
    }
}

/// Every place the name under the cursor is used (and declared, when asked).
pub fn references(
    a: &Analysis,
    uri: &Url,
    pos: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let sym = symbol_at(a, pos)?;
    Some(
        a.symbols
            .same(sym)
            .filter(|s| include_declaration || !s.declares)
            .map(|s| Location::new(uri.clone(), a.lines.range(a.text(), &s.span)))
            .collect(),
    )
}

/// The name under the cursor, if it can be renamed.
pub fn prepare_rename(a: &Analysis, pos: Position) -> Option<PrepareRenameResponse> {
    let sym = symbol_at(a, pos)?;
    let (inner, _) = unquoted(a.text(), &sym.span);
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: a.lines.range(a.text(), &inner),
        placeholder: sym.name.clone(),
    })
}

/// Renames the name under the cursor everywhere the spec declares or uses it. A new name that
/// YAML would need to quote, or that fleetc would refuse as a name, is refused here rather than
/// written.
pub fn rename(
    a: &Analysis,
    uri: &Url,
    pos: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(sym) = symbol_at(a, pos) else {
        return Ok(None);
    };
    if sym.kind != Kind::Image && !crate::fleet_names::is_dns_label(new_name) {
        // Resolve's own check (E011): Kubernetes object and label names.
        return Err(format!(
            "`{new_name}` is not a valid {} name: lower-case letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters",
            sym.kind.noun()
        ));
    }
    if !renameable(new_name) {
        return Err(format!(
            "`{new_name}` is not a name a spec can use: letters, digits, `-`, `.`, `_`, `/` and `:`, starting with a letter or digit, read as a string (not a number or `true`)"
        ));
    }
    if new_name != sym.name
        && a.symbols
            .all
            .iter()
            .any(|s| s.declares && s.kind == sym.kind && s.scope == sym.scope && s.name == new_name)
    {
        return Err(format!(
            "{} `{new_name}` is already declared",
            sym.kind.noun()
        ));
    }
    // A name used as a mapping key (`pipeline.verify.<environment>`) must not meet a key the
    // mapping has already.
    let tree = a.tree.as_ref();
    if let Some(clash) = a.symbols.same(sym).filter(|s| s.key).find(|s| {
        let parent = &s.ptr[..s.ptr.rfind('/').unwrap_or(0)];
        new_name != sym.name
            && tree
                .and_then(|t| t.pointer(parent))
                .and_then(|m| m.get(new_name))
                .is_some()
    }) {
        return Err(format!(
            "`{}` already has a key `{new_name}`",
            crate::load::display_ptr(&clash.ptr[..clash.ptr.rfind('/').unwrap_or(0)])
        ));
    }
    let edits: Vec<TextEdit> = a
        .symbols
        .same(sym)
        .map(|s| {
            let (inner, _) = unquoted(a.text(), &s.span);
            TextEdit::new(a.lines.range(a.text(), &inner), new_name.to_owned())
        })
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }))
}

/// A span without the quotes around a quoted scalar, and the quote.
pub fn unquoted(
    text: &str,
    span: &std::ops::Range<usize>,
) -> (std::ops::Range<usize>, Option<char>) {
    let s = text.get(span.clone()).unwrap_or("");
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return (span.start + 1..span.end - 1, Some(q));
        }
    }
    (span.clone(), None)
}

/// Names that need no quoting anywhere in YAML and that some kind of spec name allows (a DNS
/// label, an image reference).
fn renameable(name: &str) -> bool {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | ':'))
        && !name.ends_with(':');
    // Written bare, it must read back as this string: `123`, `1e3` and `true` would not.
    plain
        && crate::load::parse(&format!("k: {name}\n"))
            .is_ok_and(|t| t.get("k").and_then(serde_json::Value::as_str) == Some(name))
}
