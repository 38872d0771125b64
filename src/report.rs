//! Machine-readable diagnostics: `--format json` for tools, `--format gitlab` for GitLab's Code
//! Quality report, which merge requests show inline.

use md5::{Digest, Md5};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity, Source};

/// Paths the report names, relative to where fleetc runs (the repository root in CI).
pub struct Paths<'a> {
    /// The spec.
    pub spec: &'a str,
    /// The output root (`""` when it is the current directory).
    pub root: &'a str,
}

impl Paths<'_> {
    fn of(&self, d: &Diagnostic) -> String {
        match &d.file {
            Some(f) if self.root.is_empty() => f.clone(),
            Some(f) => format!("{}/{f}", self.root.trim_end_matches('/')),
            None => self.spec.to_owned(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    Lines::new(text).line_col(text, offset)
}

/// Where every line of a text starts, computed once, so that placing many labels costs a binary
/// search each rather than a scan from the start of the file.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// 1-based line and column (in characters) of a byte offset into the indexed text.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = text.get(start..offset).map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: String,
    severity: &'static str,
    message: &'a str,
    file: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    message: &'a str,
}

/// `{"diagnostics": [...], "errors": N, "warnings": N}`, pretty-printed.
pub fn json(diags: &[Diagnostic], source: &Source, paths: &Paths<'_>) -> String {
    let lines = Lines::new(&source.text);
    let report = JsonReport {
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: format!("fleetc::{}", d.code.as_str()),
                severity: severity_word(d.severity),
                message: &d.message,
                file: paths.of(d),
                labels: d
                    .labels
                    .iter()
                    .map(|l| {
                        let (line, column) = lines.line_col(&source.text, l.span.start);
                        JsonLabel {
                            file: paths.spec,
                            start: l.span.start,
                            end: l.span.end,
                            line,
                            column,
                            message: &l.text,
                        }
                    })
                    .collect(),
                help: d.help.as_deref(),
            })
            .collect(),
        errors: diags.iter().filter(|d| d.is_error()).count(),
        warnings: diags.iter().filter(|d| !d.is_error()).count(),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("plain data serializes");
    out.push('\n');
    out
}

#[derive(Serialize)]
struct CodeQualityIssue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: CodeQualityLocation,
}

#[derive(Serialize)]
struct CodeQualityLocation {
    path: String,
    lines: CodeQualityLines,
}

#[derive(Serialize)]
struct CodeQualityLines {
    begin: usize,
}

/// A GitLab Code Quality report (`artifacts:reports:codequality`).
pub fn gitlab(diags: &[Diagnostic], source: &Source, paths: &Paths<'_>) -> String {
    let lines = Lines::new(&source.text);
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let issues: Vec<CodeQualityIssue> = diags
        .iter()
        .map(|d| {
            let path = paths.of(d);
            let begin = match (&d.file, d.labels.first()) {
                (None, Some(l)) => lines.line_col(&source.text, l.span.start).0,
                _ => 1,
            };
            let description = match &d.help {
                Some(h) => format!("{} ({h})", d.message),
                None => d.message.clone(),
            };
            // Stable across runs and line moves; unique when the same message repeats.
            let base = format!("{}\0{path}\0{}", d.code.as_str(), d.message);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let digest = Md5::digest(format!("{base}\0{n}").as_bytes());
            CodeQualityIssue {
                description,
                check_name: format!("fleetc::{}", d.code.as_str()),
                fingerprint: digest.iter().map(|b| format!("{b:02x}")).collect(),
                severity: match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                },
                location: CodeQualityLocation {
                    path,
                    lines: CodeQualityLines { begin },
                },
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("plain data serializes");
    out.push('\n');
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 8), (3, 1));
        assert_eq!(line_col(t, 7), (2, 4));
    }
}
