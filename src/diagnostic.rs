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
    /// A mechanical fix, when there is exactly one: what the language server offers as a quick
    /// fix (a did-you-mean).
    pub fix: Option<Box<Fix>>,
}

/// Text that replaces a span of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What is replaced.
    pub span: Span,
    /// By what.
    pub replacement: String,
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
            fix: None,
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

    /// "did you mean `name`?", with the fix that writes `name` over the primary label's span
    /// (which must be the misspelt word itself).
    #[must_use]
    pub fn did_you_mean(mut self, name: &str) -> Self {
        self.help = Some(format!("did you mean `{name}`?"));
        self.fix = self.labels.first().map(|l| {
            Box::new(Fix {
                span: l.span.clone(),
                replacement: name.to_owned(),
            })
        });
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
    /// Render at most this many; the rest are counted ("and 120 more").
    pub max: usize,
}

impl RenderOptions {
    /// Plain text at a fixed width, as in snapshots, every diagnostic.
    pub const PLAIN: RenderOptions = RenderOptions {
        color: false,
        width: 100,
        max: usize::MAX,
    };
}

/// How many diagnostics a person is shown at once (machine formats carry all of them).
pub const HUMAN_LIMIT: usize = 50;

/// Renders one diagnostic the way rustc would: code, message, source snippet with labels, help.
pub fn render(diag: &Diagnostic, source: &Source, opts: RenderOptions) -> String {
    render_in(diag, &Prepared::new(source), opts)
}

/// The source as miette shows it: made once per run, not once per diagnostic, with terminal
/// control characters replaced so that a hostile spec cannot drive the terminal.
struct Prepared {
    named: miette::NamedSource<String>,
    len: usize,
}

impl Prepared {
    fn new(source: &Source) -> Prepared {
        Prepared {
            named: miette::NamedSource::new(source.name.clone(), printable_source(&source.text)),
            len: source.text.len(),
        }
    }
}

fn render_in(diag: &Diagnostic, prepared: &Prepared, opts: RenderOptions) -> String {
    let theme = if opts.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1);
    let view = View {
        diag,
        source: &prepared.named,
        len: prepared.len,
    };
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, &view);
    out
}

/// Renders the diagnostics (at most `opts.max`), separated by blank lines, then a summary line.
pub fn render_all(diags: &[Diagnostic], source: &Source, opts: RenderOptions) -> String {
    let mut out = String::new();
    let prepared = Prepared::new(source);
    for d in diags.iter().take(opts.max) {
        out.push_str(&render_in(d, &prepared, opts));
        out.push('\n');
    }
    if diags.len() > opts.max {
        let more = diags.len() - opts.max;
        out.push_str(&format!(
            "fleetc: {} not shown; `--format json` lists every one\n",
            plural(more, "more diagnostic")
        ));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if !diags.is_empty() {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 1 warning`.
pub fn summary(errors: usize, warnings: usize) -> String {
    format!(
        "fleetc: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Whether printing `c` could change what a terminal shows beyond the character itself:
/// control characters (C0, DEL, C1) and Unicode's bidirectional overrides and isolates.
fn is_terminal_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Escapes terminal control characters in a message: `\u{1b}` instead of ESC.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_terminal_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_terminal_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The source with every terminal control character replaced by `?` (one per byte, so that
/// spans keep pointing where they did). A `\r` before `\n` stays.
fn printable_source(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if is_terminal_control(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

struct View<'a> {
    diag: &'a Diagnostic,
    source: &'a miette::NamedSource<String>,
    len: usize,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.diag.message))
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.diag.message))
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
            .map(|h| Box::new(printable(h).into_owned()) as Box<dyn fmt::Display>)
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
                    miette::LabeledSpan::new_primary_with_span(
                        Some(printable(&l.text).into_owned()),
                        span,
                    )
                } else {
                    miette::LabeledSpan::new_with_span(Some(printable(&l.text).into_owned()), span)
                }
            },
        )))
    }
}
