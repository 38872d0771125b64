//! Stage 1, load: spec text → typed [`Spec`] plus a [`SpanIndex`] into the text.
//!
//! The YAML is parsed once into an untyped value (YAML 1.2 scalars, duplicate keys rejected,
//! input budgets on), checked against the spec's JSON Schema so that every shape problem in the
//! file is reported in one run, and only then turned into the typed spec.
//! This stage reads no files: the caller hands it the text.

pub mod secrets;
mod span_index;

use serde_json::Value;

pub use span_index::{SpanIndex, escape, unescape, yaml11_boolean};

use crate::diagnostic::{Code, Diagnostic, Source, Span};
use crate::pointer::Ptr;
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
    /// Errors in a well-shaped spec (secrets pasted into it); resolution still runs so that
    /// one run reports everything.
    pub errors: Vec<Diagnostic>,
}

/// Turns the bytes of a spec file into its text, or a diagnostic (E001) pointing at the first
/// byte that is not UTF-8 (with the valid prefix kept, so the label lands where it should).
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<Source, Box<(Source, Diagnostic)>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source {
            name: name.to_owned(),
            text,
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // Lossy decoding keeps the valid prefix byte-identical, so `at` still points there.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let utf16 =
                e.as_bytes().starts_with(&[0xff, 0xfe]) || e.as_bytes().starts_with(&[0xfe, 0xff]);
            let d = Diagnostic::new(Code::YamlSyntax, "the spec is not valid UTF-8")
                .label(
                    at..at + 1,
                    if utf16 {
                        "a UTF-16 byte order mark"
                    } else {
                        "invalid byte here"
                    },
                )
                .help(if utf16 {
                    "the file is UTF-16; save it as UTF-8"
                } else {
                    "save the spec as UTF-8"
                });
            Err(Box::new((
                Source {
                    name: name.to_owned(),
                    text,
                },
                d,
            )))
        }
    }
}

/// Parses and shape-checks a spec.
pub fn load(source: &Source) -> Result<Loaded, Vec<Diagnostic>> {
    let text = source.text.as_str();
    if text.len() > MAX_SPEC_BYTES {
        return Err(vec![too_large(text.len())]);
    }
    let value = parse(text).map_err(|d| vec![d])?;
    let index = SpanIndex::new(text);
    check_version(&value, &index)?;
    let mut diags = shape_errors(&value, &index, text);
    let secrets = secrets::scan(&value, &index, text);
    if !diags.is_empty() {
        diags.extend(secrets);
        crate::diagnostic::sort(&mut diags);
        return Err(diags);
    }
    match serde_json::from_value::<Spec>(value) {
        Ok(spec) => Ok(Loaded {
            spec,
            index,
            errors: secrets,
        }),
        // The schema is derived from the same types, so this is a fleetc bug; still, report it
        // as a diagnostic rather than crash.
        Err(e) => Err(vec![
            Diagnostic::new(
                Code::WrongType,
                format!("the spec does not fit its model: {e}"),
            )
            .label(0..0, "while reading this file"),
        ]),
    }
}

/// Options for reading the spec and the release pins; the one place that configures the YAML
/// reader.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    yaml_options_for(0)
}

/// Nodes any document may have, however short: two million is 150,000 clusters without
/// overrides.
const MIN_NODE_BUDGET: usize = 2_000_000;

/// [`yaml_options`] for a text of `len` bytes. The node budget grows with the text, one node per
/// four bytes: a spec's densest part, a per-cluster override (`- {cluster: c3122, replicas:
/// 4}`), takes seven bytes a node, so 10,000 clusters × 25 apps (1.4 million nodes in 10 MB)
/// pass, while a 32 MiB file of `[1,1,1,…]` stops at 8 million nodes rather than 16 (a parsed
/// node costs about 80 bytes). Aliases keep their own limits below.
pub(crate) fn yaml_options_for(len: usize) -> serde_saphyr::Options {
    let max_nodes = MIN_NODE_BUDGET.max(len / 4);
    serde_saphyr::options! {
        // YAML 1.2 scalars: `no` stays a string, `0755` stays a string, as in editors.
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        // `!secret`, `!vault` and friends would be silently dropped; refuse them instead.
        reject_unsupported_tags: true,
        with_snippet: false,
        // An alias bomb stops long before it costs seconds or memory.
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_SPEC_BYTES),
            max_depth: 64,
            max_nodes: max_nodes,
            // A node is one event, a collection two (start and end).
            max_events: 2 * max_nodes,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 50_000,
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: 10_000,
        },
    }
}

/// The spec's untyped tree, read with the same options as [`load`]: what the language server
/// finds names and references in when the spec does not compile.
pub fn parse(text: &str) -> Result<Value, Diagnostic> {
    let value: Value = serde_saphyr::from_str_with_options(text, yaml_options_for(text.len()))
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
        .label(
            0..text.len().min(80),
            "expected `version: 1` and the other top-level keys",
        )),
    }
}

/// What went wrong, by the parser's error variants (never by its message text, which changes
/// between releases).
enum ParseFailure {
    DuplicateKey(Option<String>),
    AliasLimit,
    TooDeep,
    TooManyAliases,
    TooManyNodes,
    MultipleDocuments,
    NonFinite,
    Tag,
    Tab,
    Other,
}

fn classify(e: &serde_saphyr::Error) -> ParseFailure {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    use serde_saphyr::granit_parser::ErrorKind as K;
    match e {
        E::WithSnippet { error, .. } | E::AliasError { error, .. } => classify(error),
        E::DuplicateMappingKey { key, .. } => ParseFailure::DuplicateKey(key.clone()),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => ParseFailure::AliasLimit,
        E::Budget { breach, .. } => match breach {
            B::Depth { .. } | B::InclusionDepth { .. } => ParseFailure::TooDeep,
            B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => {
                ParseFailure::TooManyAliases
            }
            _ => ParseFailure::TooManyNodes,
        },
        E::MultipleDocuments { .. } => ParseFailure::MultipleDocuments,
        E::NonFiniteFloat { .. } => ParseFailure::NonFinite,
        E::UnsupportedTag { .. } | E::TaggedStructFieldName { .. } => ParseFailure::Tag,
        E::ExternalMessage { source, .. } => match source.as_ref() {
            serde_saphyr::ExternalMessageSource::Parser(scan) => match scan.kind() {
                K::TabNotAllowed
                | K::TabInBlockIndentation
                | K::TabAtBlockScalarStart
                | K::TabInIndentation
                | K::TabInPlainScalar => ParseFailure::Tab,
                K::DuplicateTagDirective
                | K::UndeclaredTagHandle
                | K::ExpectedTagBang
                | K::ExpectedTagDirectiveBang
                | K::InvalidGlobalTagCharacter
                | K::InvalidTagDirectiveTerminator
                | K::InvalidTagTerminator
                | K::MissingTagUri
                | K::UnclosedVerbatimTag
                | K::InvalidTagEscape => ParseFailure::Tag,
                // The scanner's own guard against `[[[[…`, before the depth budget is reached.
                K::RecursionLimitExceeded => ParseFailure::TooDeep,
                _ => ParseFailure::Other,
            },
            _ => ParseFailure::Other,
        },
        _ => ParseFailure::Other,
    }
}

fn parse_error(e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    let raw = raw.lines().next().unwrap_or("invalid YAML").trim();
    // The label shows where; the message need not say it again.
    let raw = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw,
    };
    let span = e.location().map_or(0..0, |l| location_span(&l, text));
    let input_limit = |what: &str| {
        Diagnostic::new(Code::InputLimit, what.to_owned())
            .label(span.clone(), "reading stopped here")
            .help("fleetc reads at most 64 nesting levels and expands aliases within a budget; flatten the spec or drop the aliases")
    };
    match classify(e) {
        ParseFailure::DuplicateKey(key) => {
            let key = key.map_or_else(String::new, |k| format!(" `{k}`"));
            Diagnostic::new(Code::DuplicateKey, format!("duplicate key{key}"))
                .label(span, "this key appears earlier in the same mapping")
                .help("remove one of the two; YAML readers disagree on which one wins")
        }
        ParseFailure::AliasLimit => Diagnostic::new(
            Code::InputLimit,
            "the spec expands more YAML aliases than fleetc allows",
        )
        .label(span, "expansion stopped here")
        .help("a spec needs few aliases; write the repeated parts out, or drop the aliases"),
        ParseFailure::TooDeep => input_limit("the spec is nested more than 64 levels deep"),
        ParseFailure::TooManyAliases => {
            input_limit("the spec uses more YAML aliases or anchors than fleetc expands")
        }
        ParseFailure::TooManyNodes => input_limit("the spec has more YAML nodes than fleetc reads"),
        ParseFailure::MultipleDocuments => Diagnostic::new(
            Code::YamlSyntax,
            "the spec holds more than one YAML document",
        )
        .label(span, "a second document starts here")
        .help("keep the whole fleet in one document: remove the `---` separator"),
        ParseFailure::NonFinite => Diagnostic::new(
            Code::WrongType,
            "`.inf` and `.nan` are not numbers a spec can use",
        )
        .label(span, "not a finite number")
        .help("write a whole number"),
        ParseFailure::Tag => {
            Diagnostic::new(Code::YamlSyntax, "YAML tags are not supported in the spec")
                .label(span, raw.to_owned())
                .help(
                    "remove the tag; secrets never go in the spec, name an existing Secret instead",
                )
        }
        ParseFailure::Tab => {
            // The parser reports where the scalar started; the tab itself is a better place.
            let span = text[span.start..]
                .find('\t')
                .map_or(span.clone(), |i| span.start + i..span.start + i + 1);
            Diagnostic::new(Code::YamlSyntax, raw.to_owned())
                .label(span, "the YAML parser stopped here")
                .help("indent with spaces; YAML does not allow tabs for indentation")
        }
        ParseFailure::Other => Diagnostic::new(Code::YamlSyntax, raw.to_owned())
            .label(span, "the YAML parser stopped here")
            .help("fix the YAML syntax here; the mistake is often at the end of the line before"),
    }
}

/// Byte span of a parser location: its byte offset where the parser knows it, else computed
/// from its line and column.
fn location_span(l: &serde_saphyr::Location, text: &str) -> Span {
    let s = l.span();
    let from_bytes = s
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .map(|start| {
            (
                start,
                s.byte_len()
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(0),
            )
        });
    let (start, len) = match from_bytes {
        Some((start, len)) if start > 0 || l.line() <= 1 => (start, len),
        _ => {
            let line = usize::try_from(l.line().max(1)).unwrap_or(1);
            let col = usize::try_from(l.column().max(1)).unwrap_or(1);
            let line_start = text
                .split_inclusive('\n')
                .take(line - 1)
                .map(str::len)
                .sum::<usize>();
            let rest = &text[line_start.min(text.len())..];
            let col_bytes: usize = rest.chars().take(col - 1).map(char::len_utf8).sum();
            (line_start + col_bytes, 0)
        }
    };
    clamp(start..start + len.max(1), text)
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
            .label(
                index.nearest(&Ptr::path(&["version"])),
                "this fleetc reads version 1",
            )
            .help("set `version: 1`"),
        ]),
        None => Err(vec![
            Diagnostic::new(Code::UnsupportedVersion, "the spec has no `version`")
                .label(
                    index.nearest(&Ptr::root()).start..index.nearest(&Ptr::root()).start,
                    "expected here",
                )
                .help("add `version: 1` as the first line of the spec"),
        ]),
    }
}

fn shape_errors(value: &Value, index: &SpanIndex, text: &str) -> Vec<Diagnostic> {
    let root = &*schema::SCHEMA;
    let errors = pick_branches(
        schema::VALIDATOR
            .iter_errors(value)
            .map(jsonschema::ValidationError::to_owned)
            .collect(),
    );
    // A misspelled required key is one mistake: report the unknown key with its suggestion, not
    // also the missing one.
    let mut misspelled: std::collections::HashSet<(String, String)> = Default::default();
    for err in &errors {
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            err.kind()
        {
            let ptr = err.instance_path().to_string();
            let known = schema::known_keys(root, &ptr);
            for key in unexpected {
                if let Some(s) = suggest::closest(key, known.iter().map(String::as_str)) {
                    misspelled.insert((ptr.clone(), s.to_owned()));
                }
            }
        }
    }
    let mut diags = Vec::new();
    for err in errors {
        let ptr = err.instance_path().to_string();
        let here = Ptr::from_json_pointer(ptr.clone());
        let instance = value.pointer(&ptr).unwrap_or(&Value::Null);
        use jsonschema::error::ValidationErrorKind as K;
        match err.kind() {
            K::AdditionalProperties { unexpected } => {
                let known = schema::known_keys(root, &ptr);
                for key in unexpected {
                    let at = here.key(key);
                    let mut d = Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}`"))
                        .label(index.key(&at), "not a key fleetc knows here");
                    let namespace_meta =
                        matches!(key.as_str(), "namespaceLabels" | "namespaceAnnotations");
                    // A key of the app that an override does not take (for bundle options:
                    // Fleet never merges them from a targetCustomization, rancher/fleet v0.16.1
                    // internal/cmd/controller/options/calculate.go:57-147). Read from the
                    // schema, so every app-only key is covered.
                    let app_wide = ptr
                        .rsplit_once("/overrides/")
                        .filter(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
                        .is_some_and(|(app, _)| schema::known_keys(root, app).contains(key));
                    d = match suggest::closest(key, known.iter().map(String::as_str)) {
                        _ if namespace_meta && app_wide => d.help(format!(
                            "set `{key}` on the app itself: Fleet applies per-target namespace labels to every cluster (rancher/fleet#4210)"
                        )),
                        _ if app_wide => d.help(format!(
                            "an override cannot set `{key}`: set it on the app itself"
                        )),
                        Some(s) if required_here(root, &ptr, s) && value.pointer(&ptr).and_then(|o| o.get(s)).is_none() => {
                            d.did_you_mean(s).help(format!("did you mean `{s}`? It is required here"))
                        }
                        // Not offered as a fix where `s` is set already: the edit would
                        // make a duplicate key.
                        Some(s) if value.pointer(&ptr).and_then(|o| o.get(s)).is_some() => d
                            .help(format!(
                                "did you mean `{s}`? It is set here already: remove `{key}`"
                            )),
                        Some(s) => d.did_you_mean(s),
                        None => d.help(format!("known keys here: {}", list(&known))),
                    };
                    diags.push(d);
                }
            }
            K::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                if misspelled.contains(&(ptr.clone(), key.to_owned())) {
                    continue;
                }
                let what = if ptr.is_empty() {
                    "the spec".to_owned()
                } else {
                    format!("`{}`", display_ptr(&ptr))
                };
                diags.push(
                    Diagnostic::new(Code::MissingKey, format!("missing key `{key}` in {what}"))
                        .label(index.head(&here, text), format!("`{key}` is required here"))
                        .help(required_help(key)),
                );
            }
            K::Type { .. } => {
                let expected = schema::subschema_at(root, &ptr)
                    .map(expected_type)
                    .unwrap_or_else(|| "another type".to_owned());
                diags.push(
                    wrong_form(&ptr, instance, &expected, index.nearest(&here))
                        .help(type_help(&expected)),
                );
            }
            K::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let found = instance
                    .as_str()
                    .map_or_else(|| suggest::describe(instance), |s| format!("`{s}`"));
                let mut d = Diagnostic::new(
                    Code::WrongType,
                    format!("{found} is not a valid value for `{}`", display_ptr(&ptr)),
                )
                .label(
                    index.nearest(&here),
                    format!("expected one of {}", list(&allowed)),
                )
                .help(format!("use one of {}", list(&allowed)));
                if let Some(s) = instance
                    .as_str()
                    .and_then(|f| suggest::closest(f, allowed.iter().map(String::as_str)))
                {
                    d = d.did_you_mean(s);
                }
                diags.push(d);
            }
            K::AnyOf { context } => {
                // No form fits: name the forms the key takes.
                let mut forms: Vec<String> = Vec::new();
                for branch in context {
                    for e in branch {
                        if let K::Type { kind } = e.kind()
                            && e.instance_path().to_string() == ptr
                        {
                            let names: Vec<String> = match kind {
                                jsonschema::error::TypeKind::Single(t) => vec![t.to_string()],
                                jsonschema::error::TypeKind::Multiple(ts) => {
                                    ts.iter().map(|t| t.to_string()).collect()
                                }
                            };
                            for form in names.iter().filter_map(|n| form_name(n)) {
                                if !forms.iter().any(|f| f == form) {
                                    forms.push(form.to_owned());
                                }
                            }
                        }
                    }
                }
                let expected = if forms.is_empty() {
                    "another form".to_owned()
                } else {
                    forms.join(" or ")
                };
                diags.push(
                    wrong_form(&ptr, instance, &expected, index.nearest(&here))
                        .help("`fleetc schema` prints what every key accepts"),
                );
            }
            _ => {
                let msg = err.masked().to_string();
                diags.push(
                    Diagnostic::new(Code::WrongType, format!("`{}`: {msg}", display_ptr(&ptr)))
                        .label(index.nearest(&here), "invalid value")
                        .help("`fleetc schema` prints what every key accepts"),
                );
            }
        }
    }
    diags
}

/// Replaces an `anyOf` failure by the failures of the one branch whose type fits the value
/// (a dependency written as a mapping is checked as the mapping form, so a typo inside it is
/// reported as a typo, not as "valid under none of the schemas"). Kept as it is when no branch,
/// or several, fit.
fn pick_branches(
    errors: Vec<jsonschema::ValidationError<'static>>,
) -> Vec<jsonschema::ValidationError<'static>> {
    use jsonschema::error::ValidationErrorKind as K;
    let mut out = Vec::with_capacity(errors.len());
    for err in errors {
        let K::AnyOf { context } = err.kind() else {
            out.push(err);
            continue;
        };
        let at = err.instance_path().to_string();
        let fitting: Vec<usize> = context
            .iter()
            .enumerate()
            .filter(|(_, branch)| {
                !branch.is_empty()
                    && !branch.iter().any(|e| {
                        e.instance_path().to_string() == at && matches!(e.kind(), K::Type { .. })
                    })
            })
            .map(|(n, _)| n)
            .collect();
        let [one] = fitting[..] else {
            out.push(err);
            continue;
        };
        if let K::AnyOf { context } = err.into_parts().kind
            && let Some(branch) = context.into_iter().nth(one)
        {
            out.extend(pick_branches(branch));
        }
    }
    out
}

/// Whether the mapping at `ptr` requires `key`.
fn required_here(root: &Value, ptr: &str, key: &str) -> bool {
    schema::subschema_at(root, ptr)
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|k| k == key))
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
        [one] => form_name(one).unwrap_or("another type").to_owned(),
        _ => "another type".to_owned(),
    }
}

/// `` `apps[0].replicas` must be a whole number, found the string "three" ``, labelled `at`.
fn wrong_form(ptr: &str, instance: &Value, expected: &str, at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WrongType,
        format!(
            "`{}` must be {expected}, found {}",
            display_ptr(ptr),
            suggest::describe(instance)
        ),
    )
    .label(at, format!("expected {expected}"))
}

/// A JSON Schema type as the spec's author knows it.
fn form_name(json_type: &str) -> Option<&'static str> {
    Some(match json_type {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        _ => return None,
    })
}

fn type_help(expected: &str) -> String {
    match expected {
        "a list" => "write a list: one `- item` per line, or `[a, b]`".to_owned(),
        "a mapping" => "write a mapping of `key: value` lines, or `{key: value}`".to_owned(),
        "a string" => "quote the value to make it a string, e.g. `\"1.0\"`".to_owned(),
        other => format!("write {other} here; `fleetc schema` prints what every key accepts"),
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
        let seg = unescape(seg);
        if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    if out.is_empty() {
        "the spec".to_owned()
    } else {
        out
    }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
