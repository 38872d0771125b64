//! Stage 1, load: spec text → typed [`Spec`] plus a [`SpanIndex`] into the text.
//!
//! The YAML is parsed once into an untyped value (YAML 1.2 scalars, duplicate keys rejected,
//! input budgets on), checked against the spec's JSON Schema so that every shape problem in the
//! file is reported in one run, and only then turned into the typed spec.
//! This stage reads no files: the caller hands it the text.

mod span_index;

use serde_json::Value;

pub use span_index::{SpanIndex, escape};

use crate::diagnostic::{Code, Diagnostic, Source, Span};
use crate::schema;
use crate::spec::{SPEC_VERSION, Spec};
use crate::suggest;

/// Largest spec fleetc reads. Ten thousand clusters take about 1.5 MiB.
pub const MAX_SPEC_BYTES: usize = 32 << 20;

/// A spec that has the right shape, and where each of its nodes came from.
#[derive(Debug)]
pub struct Loaded {
    /// The typed spec.
    pub spec: Spec,
    /// Spans of every node, by JSON pointer.
    pub index: SpanIndex,
}

/// Parses and shape-checks a spec.
pub fn load(source: &Source) -> Result<Loaded, Vec<Diagnostic>> {
    let text = source.text.as_str();
    if text.len() > MAX_SPEC_BYTES {
        return Err(vec![too_large(text.len())]);
    }
    let value = parse(text).map_err(|d| vec![d])?;
    let index = SpanIndex::build(text);
    check_version(&value, &index)?;
    let mut diags = shape_errors(&value, &index, text);
    if !diags.is_empty() {
        crate::diagnostic::sort(&mut diags);
        return Err(diags);
    }
    match serde_json::from_value::<Spec>(value) {
        Ok(spec) => Ok(Loaded { spec, index }),
        // The schema is derived from the same types, so this is a fleetc bug; still, report it
        // as a diagnostic rather than crash.
        Err(e) => Err(vec![
            Diagnostic::new(Code::WrongType, format!("the spec does not fit its model: {e}"))
                .label(0..0, "while reading this file"),
        ]),
    }
}

/// Options for reading the spec; the one place that configures the YAML reader.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        // YAML 1.2 scalars: `no` stays a string, `0755` stays a string, as in editors.
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_SPEC_BYTES),
            max_depth: 64,
            max_nodes: 20_000_000,
        },
    }
}

fn parse(text: &str) -> Result<Value, Diagnostic> {
    let value: Value = serde_saphyr::from_str_with_options(text, yaml_options())
        .map_err(|e| parse_error(&e, text))?;
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Err(Diagnostic::new(Code::MissingKey, "the spec is empty")
            .label(0..text.len().min(1), "nothing here")
            .help("start the file with `version: 1`, or run `fleetc init` for a starter spec")),
        other => Err(Diagnostic::new(
            Code::WrongType,
            format!(
                "the spec must be a mapping, found {}",
                suggest::describe(&other)
            ),
        )
        .label(0..text.len().min(80), "expected `version: 1` and the other top-level keys")),
    }
}

fn parse_error(e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let message = e.without_snippet().to_string();
    let message = message.lines().next().unwrap_or("invalid YAML").trim();
    let span = e.location().and_then(|l| {
        let s = l.span();
        let start = usize::try_from(s.byte_offset()?).ok()?;
        let len = usize::try_from(s.byte_len().unwrap_or(0)).ok()?;
        Some(start..start + len.max(1))
    });
    let span = span.map_or(0..0, |s| clamp(s, text));
    let lower = message.to_ascii_lowercase();
    let (code, help) = if lower.contains("duplicate") {
        (
            Code::DuplicateKey,
            "remove one of the two keys; YAML readers disagree on which one wins",
        )
    } else if lower.contains("budget") || lower.contains("depth") || lower.contains("limit") {
        (
            Code::InputLimit,
            "the spec may nest at most 64 levels and expand aliases only within a budget",
        )
    } else if lower.contains("utf") {
        (Code::YamlSyntax, "save the spec as UTF-8")
    } else {
        (
            Code::YamlSyntax,
            "fix the YAML syntax here; indentation must use spaces, never tabs",
        )
    };
    Diagnostic::new(code, message.to_owned())
        .label(span, "the YAML parser stopped here")
        .help(help)
}

fn clamp(s: Span, text: &str) -> Span {
    let start = s.start.min(text.len());
    let end = s.end.clamp(start, text.len());
    start..end
}

fn too_large(len: usize) -> Diagnostic {
    Diagnostic::new(
        Code::InputLimit,
        format!(
            "the spec is {} MiB; fleetc reads at most {} MiB",
            len >> 20,
            MAX_SPEC_BYTES >> 20
        ),
    )
    .help("keep generated content out of the spec; a fleet of 10,000 clusters takes about 2 MiB")
}

fn check_version(value: &Value, index: &SpanIndex) -> Result<(), Vec<Diagnostic>> {
    match value.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(SPEC_VERSION) => Ok(()),
        Some(v) => Err(vec![
            Diagnostic::new(
                Code::UnsupportedVersion,
                format!(
                    "unsupported spec version {}",
                    serde_json::to_string(v).unwrap_or_default()
                ),
            )
            .label(index.value("/version"), "this fleetc reads version 1")
            .help("set `version: 1`"),
        ]),
        None => Err(vec![
            Diagnostic::new(Code::UnsupportedVersion, "the spec has no `version`")
                .label(index.value("").start..index.value("").start, "expected here")
                .help("add `version: 1` as the first line of the spec"),
        ]),
    }
}

fn shape_errors(value: &Value, index: &SpanIndex, text: &str) -> Vec<Diagnostic> {
    let root = &*schema::SCHEMA;
    let mut diags = Vec::new();
    for err in schema::VALIDATOR.iter_errors(value) {
        let ptr = err.instance_path().to_string();
        let instance = value.pointer(&ptr).unwrap_or(&Value::Null);
        use jsonschema::error::ValidationErrorKind as K;
        match err.kind() {
            K::AdditionalProperties { unexpected } => {
                let known = schema::known_keys(root, &ptr);
                for key in unexpected {
                    let at = format!("{ptr}/{}", escape(key));
                    let mut d = Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}`"))
                        .label(index.key(&at), "not a key fleetc knows here");
                    d = match suggest::closest(key, known.iter().map(String::as_str)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help(format!("known keys here: {}", list(&known))),
                    };
                    diags.push(d);
                }
            }
            K::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                let what = if ptr.is_empty() {
                    "the spec".to_owned()
                } else {
                    format!("`{}`", display_ptr(&ptr))
                };
                diags.push(
                    Diagnostic::new(Code::MissingKey, format!("missing key `{key}` in {what}"))
                        .label(index.head(&ptr, text), format!("`{key}` is required here"))
                        .help(required_help(key)),
                );
            }
            K::Type { .. } => {
                let expected = schema::subschema_at(root, &ptr)
                    .map(expected_type)
                    .unwrap_or_else(|| "another type".to_owned());
                diags.push(
                    Diagnostic::new(
                        Code::WrongType,
                        format!(
                            "`{}` must be {expected}, found {}",
                            display_ptr(&ptr),
                            suggest::describe(instance)
                        ),
                    )
                    .label(index.value(&ptr), format!("expected {expected}")),
                );
            }
            K::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let found = instance.as_str().map_or_else(
                    || suggest::describe(instance),
                    |s| format!("`{s}`"),
                );
                let mut d = Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "{found} is not a valid value for `{}`",
                        display_ptr(&ptr)
                    ),
                )
                .label(index.value(&ptr), format!("expected one of {}", list(&allowed)));
                if let Some(s) = instance
                    .as_str()
                    .and_then(|f| suggest::closest(f, allowed.iter().map(String::as_str)))
                {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
            _ => {
                let msg = err.masked().to_string();
                diags.push(
                    Diagnostic::new(
                        Code::WrongType,
                        format!("`{}`: {msg}", display_ptr(&ptr)),
                    )
                    .label(index.value(&ptr), "invalid value")
                    .help("`fleetc schema` prints what every key accepts"),
                );
            }
        }
    }
    diags
}

fn expected_type(schema: &Value) -> String {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => {
            if schema.get("anyOf").is_some() {
                return "a string or a number".to_owned();
            }
            vec![]
        }
    };
    match types.as_slice() {
        ["object"] => "a mapping".to_owned(),
        ["array"] => "a list".to_owned(),
        ["string"] => "a string".to_owned(),
        ["integer"] => "a whole number".to_owned(),
        ["number"] => "a number".to_owned(),
        ["boolean"] => "`true` or `false`".to_owned(),
        _ => "another type".to_owned(),
    }
}

fn required_help(key: &str) -> String {
    match key {
        "version" => "add `version: 1` at the top of the spec".to_owned(),
        "branch" => {
            "name the branch Fleet pulls, e.g. `branch: main` (Fleet's own default is `master`)"
                .to_owned()
        }
        "targets" => "list where the app runs, e.g. `targets: [{environment: staging}]`".to_owned(),
        _ => format!("add `{key}:` here"),
    }
}

/// `/clusters/3/name` → `clusters[3].name`.
pub fn display_ptr(ptr: &str) -> String {
    let mut out = String::new();
    for seg in ptr.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    if out.is_empty() { "the spec".to_owned() } else { out }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
