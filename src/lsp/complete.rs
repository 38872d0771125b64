//! Completion of names where the spec refers to something: environments, clusters, agents, apps
//! in `dependsOn`, ClusterGroups, GitRepos, workspaces, an app's images, regions, and in
//! selectors the label keys and values the declared clusters carry. Key completion comes from the
//! JSON Schema (yaml-language-server); this adds what a schema cannot know.

use std::collections::{BTreeMap, BTreeSet};

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Position, Range,
    TextEdit,
};
use serde_json::Value;

use super::Analysis;
use super::symbols::{Kind, key_reference_kind, reference_kind};
use crate::spec::ClusterLabelKeys;

/// What the cursor's position takes.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    Name(Kind, Option<usize>),
    Region,
    LabelKey,
    LabelValue(String),
}

/// Completion items at `pos`.
pub fn complete(
    a: &Analysis,
    parsed: Option<&Analysis>,
    pos: Position,
) -> Option<CompletionResponse> {
    let offset = a.lines.offset(a.text(), pos);
    let slot = slot(a, offset)?;
    let range = word_range(a, offset);
    // The names: this text's, or while it is not YAML, those of the last text that was.
    let a = if a.tree.is_some() {
        a
    } else {
        parsed.unwrap_or(a)
    };
    let (detail, kind, names): (String, CompletionItemKind, Vec<String>) = match &slot {
        Slot::Name(k, scope) => (
            k.noun().to_owned(),
            CompletionItemKind::REFERENCE,
            a.symbols
                .declared(*k, *scope)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        Slot::Region => (
            "region".to_owned(),
            CompletionItemKind::VALUE,
            labels(a)
                .get(&label_keys(a).region)
                .map(|v| v.iter().cloned().collect())
                .unwrap_or_default(),
        ),
        Slot::LabelKey => (
            "label key a declared cluster carries".to_owned(),
            CompletionItemKind::PROPERTY,
            labels(a).into_keys().collect(),
        ),
        Slot::LabelValue(key) => (
            format!("value of `{key}` on a declared cluster"),
            CompletionItemKind::VALUE,
            labels(a)
                .remove(key)
                .map(|v| v.into_iter().collect())
                .unwrap_or_default(),
        ),
    };
    let items = names
        .into_iter()
        .map(|n| CompletionItem {
            // The whole word under the cursor is replaced: editors whose word boundaries stop at
            // `-` or `.` would otherwise keep part of `prod-ap-s` in front.
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, n.clone()))),
            filter_text: Some(n.clone()),
            label: n,
            kind: Some(kind),
            detail: Some(detail.clone()),
            ..Default::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// The name being typed around `offset`: letters, digits and `-._/` on its line.
fn word_range(a: &Analysis, offset: usize) -> Range {
    let text = a.text();
    let in_word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '/');
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| in_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !in_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    a.lines.range(text, &(start..end))
}

/// What `offset` takes: found from the node under the cursor when the text parses, else from the
/// key written on the cursor's line (or above a `- ` item).
fn slot(a: &Analysis, offset: usize) -> Option<Slot> {
    if a.tree.is_some() {
        // `key: |` or `key: partial|`, block or flow (`{cluster: |}`): the cursor is in that
        // key's value, whatever else holds it (an empty value's span is only its `:`, so the
        // innermost node around the cursor is the mapping).
        if let Some(k) = key_before(a.text(), offset)
            && let Some((p, true)) = a.index.at(k)
        {
            return slot_at(a, &p, false);
        }
        let mut tries = Vec::new();
        if let Some(p) = a.index.at(offset) {
            tries.push(p);
        }
        if let Some(k) = key_offset(a.text(), offset)
            && let Some((p, true)) = a.index.at(k)
        {
            tries.push((p, false));
        }
        for (ptr, on_key) in tries {
            if let Some(s) = slot_at(a, &ptr, on_key) {
                return Some(s);
            }
        }
        return None;
    }
    // While the text is not YAML, the key's name alone.
    let k = key_before(a.text(), offset).or_else(|| key_offset(a.text(), offset))?;
    let line = &a.text()[k..];
    let key: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    Some(match key.as_str() {
        "environment" | "environments" => Slot::Name(Kind::Environment, None),
        "cluster" => Slot::Name(Kind::Cluster, None),
        "agent" => Slot::Name(Kind::Agent, None),
        "dependsOn" | "app" => Slot::Name(Kind::App, None),
        "clusterGroup" => Slot::Name(Kind::ClusterGroup, None),
        "gitRepo" => Slot::Name(Kind::GitRepo, None),
        "workspace" => Slot::Name(Kind::Workspace, None),
        "region" => Slot::Region,
        "matchLabels" => Slot::LabelKey,
        // An agent's `clusters` (indented); the top-level list declares them.
        "clusters" if k > 0 && !a.text()[..k].ends_with('\n') => Slot::Name(Kind::Cluster, None),
        _ => return None,
    })
}

/// The slot a node at `ptr` (its key, or its value) is, or a new item of it would be.
fn slot_at(a: &Analysis, ptr: &str, on_key: bool) -> Option<Slot> {
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    // Selectors: `matchLabels` keys and values, `matchExpressions` keys and values.
    if let Some(m) = segs.iter().rposition(|s| *s == "matchExpressions")
        && let [i, "values", ..] = &segs[m + 1..]
    {
        let base = segs[..m + 2].iter().fold(String::new(), |p, s| p + "/" + s);
        let key = a
            .tree
            .as_ref()?
            .pointer(&format!("{base}/key"))
            .and_then(Value::as_str)
            .filter(|_| i.parse::<usize>().is_ok())?;
        return Some(Slot::LabelValue(key.to_owned()));
    }
    match segs.as_slice() {
        [.., "matchLabels"] => return Some(Slot::LabelKey),
        [.., "matchLabels", _] if on_key => return Some(Slot::LabelKey),
        [.., "matchLabels", k] => return Some(Slot::LabelValue(crate::load::unescape(k))),
        [.., "matchExpressions", _, "key"] if !on_key => return Some(Slot::LabelKey),
        [
            "apps" | "schedules",
            _,
            "targets" | "overrides",
            _,
            "region",
        ] if !on_key => {
            return Some(Slot::Region);
        }
        _ => {}
    }
    let found = if on_key {
        key_reference_kind(ptr)
    } else {
        // The value itself, an item of a list of references, or a key being typed into a
        // mapping of key references (`verify:` then `stag`, a scalar until its colon).
        let child = format!("{ptr}/0");
        reference_kind(ptr)
            .or_else(|| reference_kind(&child))
            .or_else(|| key_reference_kind(&child))
    };
    found.map(|(k, s)| Slot::Name(k, s))
}

/// The start of the key whose value the cursor is typing on its own line: before the cursor,
/// the partly typed name, spaces, `:` and the key.
fn key_before(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let typed = before
        .trim_end_matches(|c: char| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'));
    let colon = typed.trim_end_matches([' ', '\t']).strip_suffix(':')?;
    let key = colon.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    (key.len() < colon.len()).then_some(line_start + key.len())
}

/// The offset of the key that the cursor's line is about: `key:` on the line itself, or, on a
/// `- item` line or a continuation, the nearest key above with less indentation.
fn key_offset(text: &str, offset: usize) -> Option<usize> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let indent = line.len() - line.trim_start().len();
    let body = line.trim_start().trim_start_matches("- ");
    let lead = line.len() - body.len();
    if let Some(colon) = body.find(':') {
        let key = &body[..colon];
        if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(line_start + lead);
        }
    }
    // A `- item` or bare continuation: the key of the enclosing block.
    let mut end = line_start.checked_sub(1)?;
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let l = &text[start..end];
        let ind = l.len() - l.trim_start().len();
        let t = l.trim();
        let item = line.trim_start().starts_with('-');
        // `key:` then `- item` at the same indentation is a block sequence too.
        let encloses = ind < indent || (item && ind == indent && !t.starts_with('-'));
        if !t.is_empty() && !t.starts_with('#') && encloses {
            let body = l.trim_start().trim_start_matches("- ");
            let key_at = start + (l.len() - body.len());
            return body.trim_end().ends_with(':').then_some(key_at);
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
    }
}

/// The label keys fleetc relies on (`fleet.clusterLabels`).
fn label_keys(a: &Analysis) -> ClusterLabelKeys {
    a.tree
        .as_ref()
        .and_then(|t| t.pointer("/fleet/clusterLabels"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Every label key the declared clusters carry, with its values: their own labels, the
/// environment, region and name labels fleetc sets, and the values `optInLabels` lists.
fn labels(a: &Analysis) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let Some(tree) = &a.tree else { return out };
    let keys = label_keys(a);
    let mut add = |k: &str, v: &str| {
        out.entry(k.to_owned()).or_default().insert(v.to_owned());
    };
    for c in tree
        .get("clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (field, key) in [
            ("environment", &keys.environment),
            ("region", &keys.region),
            ("name", &keys.name),
        ] {
            if let Some(v) = c.get(field).and_then(Value::as_str) {
                add(key, v);
            }
        }
        for (k, v) in c
            .get("labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = v.as_str() {
                add(k, v);
            }
        }
    }
    for (k, vs) in tree
        .get("optInLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for v in vs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            add(k, v);
        }
    }
    out
}
