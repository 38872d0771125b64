//! Diagnostics: what every stage reports, and how it is rendered.
//!
//! A diagnostic is data only (code, severity, message, labelled byte spans in the spec, help).
//! Stages push diagnostics and carry on, so one run reports every problem it can find.
//! Rendering (through miette) happens at the edge, in `run`, and in tests.

use std::fmt;
use std::ops::Range;

pub use crate::codes::Code;

/// A byte range in the spec source.
pub type Span = Range<usize>;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails the run.
    Error,
    /// Reported; fails the run only with `--deny-warnings`.
    Warning,
}

/// A labelled place in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range in the spec.
    pub span: Span,
    /// What this place has to do with the problem.
    pub text: String,
}

/// One problem found in the spec or its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `E010`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
    /// The first label is the primary one: the exact span that caused the problem.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The file the problem is in when it is not the spec (a generated file), relative to the
    /// output root. Labels always point into the spec.
    pub file: Option<String>,
}

impl Diagnostic {
    /// A new error with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: Vec::new(),
            help: None,
            file: None,
        }
    }

    /// Sets the generated file the problem is in.
    #[must_use]
    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Adds the primary label (when it is the first) or a secondary one.
    #[must_use]
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Where the problem is, for sorting: the primary span's start.
    pub fn position(&self) -> usize {
        self.labels.first().map_or(0, |l| l.span.start)
    }

    /// Whether this diagnostic fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position, then code, and drops exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.position(), a.code, &a.message).cmp(&(b.position(), b.code, &b.message))
    });
    diags.dedup();
}

/// Whether any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// The spec text a diagnostic points into.
#[derive(Debug, Clone)]
pub struct Source {
    /// Name shown in diagnostics and generated-file headers (a path relative to the output root
    /// where possible, so that output does not depend on where the repository is checked out).
    pub name: String,
    /// The whole file.
    pub text: String,
}

/// How to render diagnostics for people.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Terminal width.
    pub width: usize,
}

impl RenderOptions {
    /// Plain text at a fixed width, as in snapshots.
    pub const PLAIN: RenderOptions = RenderOptions {
        color: false,
        width: 100,
    };
}

/// Renders one diagnostic the way rustc would: code, message, source snippet with labels, help.
pub fn render(diag: &Diagnostic, source: &Source, opts: RenderOptions) -> String {
    let theme = if opts.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1);
    let named = miette::NamedSource::new(source.name.clone(), source.text.clone());
    let view = View {
        diag,
        source: &named,
        len: source.text.len(),
    };
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, &view);
    out
}

/// Renders every diagnostic, separated by blank lines, followed by a summary line.
pub fn render_all(diags: &[Diagnostic], source: &Source, opts: RenderOptions) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&render(d, source, opts));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if !diags.is_empty() {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// `2 errors, 1 warning`.
pub fn summary(errors: usize, warnings: usize) -> String {
    fn plural(n: usize, word: &str) -> String {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    }
    format!(
        "fleetc: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

struct View<'a> {
    diag: &'a Diagnostic,
    source: &'a miette::NamedSource<String>,
    len: usize,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("fleetc::{}", self.diag.code.as_str())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.diag.labels.is_empty() {
            None
        } else {
            Some(self.source)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.diag.labels.is_empty() {
            return None;
        }
        let len = self.len;
        Some(Box::new(self.diag.labels.iter().enumerate().map(
            move |(i, l)| {
                let start = l.span.start.min(len);
                let end = l.span.end.clamp(start, len);
                let span = miette::SourceSpan::from(start..end);
                if i == 0 {
                    miette::LabeledSpan::new_primary_with_span(Some(l.text.clone()), span)
                } else {
                    miette::LabeledSpan::new_with_span(Some(l.text.clone()), span)
                }
            },
        )))
    }
}
