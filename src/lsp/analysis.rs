//! One spec text, compiled as `fleetc build` would compile it (against the files around it:
//! kustomize bases, charts, values files, release pins), with its names and positions: what every
//! request about the document reads.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

use super::symbols::Symbols;
use super::text::Lines;
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::load::SpanIndex;
use crate::{Compiled, Revisions};

/// Keys of which a spec has at least one.
const SPEC_KEYS: &[&str] = &["version", "fleet", "environments", "clusters", "apps"];

/// Keys a spec never has and Kubernetes objects, Chart.yaml and most kustomizations do.
const OTHER_KEYS: &[&str] = &["apiVersion", "kind"];

/// A compiled (or refused) version of a document.
pub struct Analysis {
    /// The spec's path (its directory is the output root).
    pub path: std::path::PathBuf,
    /// The spec's text and its name (the file name, as headers and `explain` show it).
    pub source: Source,
    /// Line starts.
    pub lines: Lines,
    /// Every diagnostic of the compile: errors, or the warnings of a spec that compiles.
    pub diagnostics: Vec<Diagnostic>,
    /// The untyped tree, when the text is YAML at all.
    pub tree: Option<Value>,
    /// Spans of the tree's nodes.
    pub index: SpanIndex,
    /// Names and references.
    pub symbols: Symbols,
    /// The compiled fleet, when it compiles.
    pub compiled: Option<Compiled>,
    /// Where each warning (by index) can be acknowledged, once worked out (`actions.rs`).
    pub(super) acknowledgements: Mutex<HashMap<usize, Acknowledgements>>,
    /// Whether quoting the value of each E002 (by index) makes it acceptable there.
    pub(super) quotes: Mutex<HashMap<usize, bool>>,
}

/// Places that silence a warning: what to call each, and the edit.
pub(super) type Acknowledgements = Vec<(String, (crate::diagnostic::Span, String))>;

impl Analysis {
    /// Compiles `text`, the spec at `path` (the output root is its directory, as for `fleetc
    /// build --spec path`).
    pub fn new(text: String, path: &Path) -> Analysis {
        let root = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = path.file_name().map_or_else(
            || "fleetc.yaml".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let source = Source { name, text };
        // A language server outlives any one input: a compiler bug on one keystroke's text is
        // reported on that text, not a dead editor session.
        let result = catch_unwind(AssertUnwindSafe(|| {
            crate::compile_in(
                &source,
                &crate::workspace::Disk(root.clone()),
                Revisions::Pinned,
            )
        }));
        let (diagnostics, compiled) = match result {
            Ok(Ok(c)) => (c.warnings.clone(), Some(c)),
            Ok(Err(d)) => (d, None),
            Err(_) => (
                vec![
                    Diagnostic::new(Code::YamlSyntax, "fleetc crashed while compiling this text")
                        .label(0..0, "here")
                        .help("this is a fleetc bug: please report it with the spec; `fleetc build` shows the same"),
                ],
                None,
            ),
        };
        let tree = crate::load::parse(&source.text).ok();
        // An editor may hand the server any YAML file: one that has none of a spec's top-level
        // keys is someone else's (a kustomization, a values file) and gets no diagnostics.
        let diagnostics = match &tree {
            Some(Value::Object(m))
                if !SPEC_KEYS.iter().any(|k| m.contains_key(*k))
                    || OTHER_KEYS.iter().any(|k| m.contains_key(*k)) =>
            {
                Vec::new()
            }
            _ => diagnostics,
        };
        let index = SpanIndex::new(&source.text);
        let symbols = tree
            .as_ref()
            .map(|t| Symbols::new(t, &index))
            .unwrap_or_default();
        Analysis {
            path: path.to_path_buf(),
            lines: Lines::new(&source.text),
            source,
            diagnostics,
            tree,
            index,
            symbols,
            compiled,
            acknowledgements: Mutex::default(),
            quotes: Mutex::default(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.source.text
    }
}
