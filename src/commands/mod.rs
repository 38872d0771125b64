//! The command-line layer: one module per subcommand, each returning `Result<(), CliError>`,
//! and the thin driver that parses arguments, dispatches and turns the result into an exit code.
//!
//! This is the only place that prints (the crate denies `print!`/`eprint!` elsewhere, so a
//! language server's stdout stays clean). Exit codes: 0 success; 1 diagnostics (errors, or
//! warnings with `--deny-warnings`), a refused write or pin, a stale tree, a failed
//! verification; 2 usage or I/O errors.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod build;
mod check;
mod completions;
mod diff;
mod explain;
mod graph;
mod import;
mod init;
mod lsp;
mod pin;
mod verify;

use std::ffi::OsString;
use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::cli::{Cli, Color, Command, CompileArgs, Format};
use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic, RenderOptions, Source};
use crate::load::MAX_SPEC_BYTES;
use crate::report::{self, Paths};
use crate::{Compiled, Revisions, output};

/// Why a command failed. The driver prints its message, if any, once, and exits with its code.
#[derive(Debug, PartialEq, Eq)]
pub enum CliError {
    /// Wrong arguments or names on the command line.
    Usage(String),
    /// The file system, Git or another tool failed.
    Io(String),
    /// Diagnostics were reported (already printed in the chosen format); an optional last word.
    Diagnostics(Option<String>),
    /// The tree is stale, a pin or a write was refused, or a verification failed.
    Failed(String),
    /// A failure the command has printed in full already.
    Reported,
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Io(_) => 2,
            CliError::Diagnostics(_) | CliError::Failed(_) | CliError::Reported => 1,
        }
    }

    fn message(&self) -> Option<&str> {
        match self {
            CliError::Usage(m) | CliError::Io(m) | CliError::Failed(m) => Some(m),
            CliError::Diagnostics(m) => m.as_deref(),
            CliError::Reported => None,
        }
    }
}

/// Runs fleetc with these arguments (the first is the program name); returns the exit code.
/// Writes command output to stdout. A reader that stops early (`fleetc explain list | head -1`)
/// ends the output quietly rather than with a panic; any other failure is an I/O error.
pub(super) fn to_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Io(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Pin(args) => pin::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Schema => to_stdout(&crate::schema::spec_schema_text()),
        Command::Explain(args) => explain::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Lsp => lsp::run(),
        Command::Graph(args) => graph::run(&args),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            if let Some(m) = e.message() {
                eprintln!("fleetc: {m}");
            }
            e.exit_code()
        }
    }
}

/// Where and how diagnostics of one run are printed.
struct Out<'a> {
    args: &'a CompileArgs,
    spec_path: String,
    root_path: String,
}

impl Out<'_> {
    /// Prints `diags` in the chosen format. Machine formats always print one report, even
    /// when it is empty, so a pipeline artifact always exists.
    fn emit(&self, diags: &[Diagnostic], source: &Source) -> Result<(), CliError> {
        let paths = Paths {
            spec: &self.spec_path,
            root: &self.root_path,
        };
        match self.args.format {
            Format::Human => {
                if !diags.is_empty() {
                    eprint!(
                        "{}",
                        diagnostic::render_all(diags, source, render_options(self.args.color))
                    );
                }
            }
            Format::Json => to_stdout(&report::json(diags, source, &paths))?,
            Format::Gitlab => to_stdout(&report::gitlab(diags, source, &paths))?,
        }
        Ok(())
    }
}

/// One compiled spec and where it came from.
struct Session<'a> {
    /// Prints this run's diagnostics.
    out: Out<'a>,
    /// The spec as read.
    source: Source,
    /// The output root.
    root: PathBuf,
    /// The pipeline's result.
    compiled: Compiled,
}

/// Options for the commands that only read the spec (no output format of their own).
fn read_only(spec: &Path, out: Option<&PathBuf>, color: Color) -> CompileArgs {
    CompileArgs {
        spec: spec.to_path_buf(),
        out: out.cloned(),
        deny_warnings: false,
        exit_code: false,
        color,
        format: Format::Human,
    }
}

/// The output root: `--out`, or the spec's directory.
fn output_root(args: &CompileArgs) -> PathBuf {
    match &args.out {
        Some(out) => out.clone(),
        None => match args.spec.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}

/// Reads and compiles the spec, printing its diagnostics when it does not compile.
fn compile(args: &CompileArgs, revisions: Revisions) -> Result<Session<'_>, CliError> {
    let root = output_root(args);
    let out = Out {
        args,
        spec_path: display_path(&args.spec),
        root_path: display_path(&root),
    };
    let name = spec_name(&args.spec, &root);
    let source = match read_spec(&args.spec, &name) {
        Ok(s) => s,
        Err(ReadError::Io(msg)) => return Err(CliError::Io(msg)),
        Err(ReadError::Diag(boxed)) => {
            let (source, d) = *boxed;
            out.emit(&[d], &source)?;
            return Err(CliError::Diagnostics(None));
        }
    };
    match crate::compile_in(&source, &crate::workspace::Disk(root.clone()), revisions) {
        Ok(compiled) => {
            if args.deny_warnings && !compiled.warnings.is_empty() {
                out.emit(&compiled.warnings, &source)?;
                return Err(CliError::Diagnostics(Some(
                    "warnings are denied (--deny-warnings); nothing written".to_owned(),
                )));
            }
            Ok(Session {
                out,
                source,
                root,
                compiled,
            })
        }
        Err(diags) => {
            out.emit(&diags, &source)?;
            Err(CliError::Diagnostics(None))
        }
    }
}

/// Compiles the spec as it is at Git revision `rev` of the repository holding `root` (read with
/// git, no checkout). `None` when the spec did not exist there; its diagnostics are printed
/// when it does not compile.
fn compile_at(
    root: &Path,
    spec_name: &str,
    rev: &str,
    color: Color,
    revisions: Revisions,
) -> Result<Option<Compiled>, CliError> {
    let ws = crate::workspace::GitRevision::open(root, rev).map_err(|e| {
        if crate::workspace::is_missing_commit(&e) {
            CliError::Usage(e.to_string())
        } else {
            CliError::Io(e.to_string())
        }
    })?;
    let Some(text) = crate::workspace::Workspace::read(&ws, spec_name)
        .map_err(|e| CliError::Io(e.to_string()))?
    else {
        return Ok(None);
    };
    let source = Source {
        name: spec_name.to_owned(),
        text,
    };
    crate::compile_in(&source, &ws, revisions)
        .map(Some)
        .map_err(|diags| {
            eprintln!("fleetc: the spec at `{rev}` does not compile:");
            eprint!(
                "{}",
                diagnostic::render_all(&diags, &source, render_options(color))
            );
            CliError::Diagnostics(None)
        })
}

/// Locks the output root, saying so when another fleetc holds it.
fn lock(root: &Path, mode: output::LockMode) -> Result<output::Lock, CliError> {
    let shown = root.display().to_string();
    output::Lock::acquire(root, mode, || {
        eprintln!("fleetc: another fleetc is writing {shown}; waiting for it to finish");
    })
    .map_err(|e| CliError::Io(format!("cannot lock {shown}: {e}")))
}

enum ReadError {
    Io(String),
    Diag(Box<(Source, Diagnostic)>),
}

/// Why the spec at `path` cannot be opened, with the way on when it does not exist.
fn unreadable_spec(path: &Path, e: &std::io::Error) -> String {
    let hint = if e.kind() == std::io::ErrorKind::NotFound {
        "; `fleetc init` writes a starter spec, or pass `--spec FILE`"
    } else {
        ""
    };
    format!("cannot read spec {}: {e}{hint}", path.display())
}

fn read_spec(path: &Path, name: &str) -> Result<Source, ReadError> {
    let file = File::open(path).map_err(|e| ReadError::Io(unreadable_spec(path, &e)))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(ReadError::Io(format!(
            "spec {} is a directory",
            path.display()
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(format!("cannot read spec {}: {e}", path.display())))?;
    if bytes.len() > MAX_SPEC_BYTES {
        let source = Source {
            name: name.to_owned(),
            text: String::new(),
        };
        let d = Diagnostic::new(
            Code::InputLimit,
            format!("the spec is larger than {} MiB", MAX_SPEC_BYTES >> 20),
        )
        .help(
            "keep generated content out of the spec; a fleet of 10,000 clusters takes about 2 MiB",
        );
        return Err(ReadError::Diag(Box::new((source, d))));
    }
    crate::load::decode(name, bytes).map_err(ReadError::Diag)
}

/// The spec's path as headers and diagnostics show it: relative to the output root when it is
/// inside it, so output does not depend on where the repository is checked out.
fn spec_name(spec: &Path, root: &Path) -> String {
    let rel = match (spec.canonicalize(), root.canonicalize()) {
        (Ok(s), Ok(r)) => s.strip_prefix(&r).ok().map(Path::to_path_buf),
        _ => None,
    };
    let p = rel.unwrap_or_else(|| {
        spec.file_name()
            .map_or_else(|| spec.to_path_buf(), PathBuf::from)
    });
    p.to_string_lossy().replace('\\', "/")
}

/// A path as given on the command line, relative to the working directory where possible, with
/// `/` separators and no leading `./`.
fn display_path(p: &Path) -> String {
    let p = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf());
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./");
    if s == "." {
        String::new()
    } else {
        s.to_owned()
    }
}

fn render_options(color: Color) -> RenderOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = if color { 120 } else { 100 };
    RenderOptions {
        color,
        width,
        max: diagnostic::HUMAN_LIMIT,
    }
}
