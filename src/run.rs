//! The command-line driver: parses arguments, runs the pipeline, prints, picks the exit code.
//!
//! Exit codes: 0 success; 1 diagnostics (errors, or warnings with `--deny-warnings`) or a stale
//! tree; 2 usage or I/O errors.

use std::ffi::OsString;
use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::cli::{Cli, Color, Command, CompileArgs};
use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic, RenderOptions, Source};
use crate::load::MAX_SPEC_BYTES;
use crate::{Compiled, output, schema};

/// Runs fleetc with these arguments (the first is the program name); returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Schema => {
            print!("{}", schema::spec_schema_text());
            0
        }
        Command::Explain { code } => explain(&code),
    }
}

fn build(args: &CompileArgs) -> i32 {
    let (root, compiled) = match compile(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = render_options(args.color);
    let plan = match output::plan(&root, &compiled.files) {
        Ok(plan) => plan,
        Err(diags) => {
            eprint!("{}", diagnostic::render_all(&diags, &no_source(), opts));
            return 1;
        }
    };
    if let Err(e) = output::apply(&root, &plan) {
        eprintln!(
            "fleetc: cannot write the output under {}: {e}",
            root.display()
        );
        return 2;
    }
    eprintln!(
        "fleetc: {} files written, {} removed, {} unchanged under {}",
        plan.writes.len(),
        plan.deletes.len(),
        plan.unchanged,
        display_root(&root)
    );
    0
}

fn check(args: &CompileArgs) -> i32 {
    let (root, compiled) = match compile(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let drift = output::check(&root, &compiled.files);
    if drift.is_clean() {
        eprintln!(
            "fleetc: {} generated files are up to date",
            compiled.files.len()
        );
        return 0;
    }
    for (_, diff) in &drift.stale {
        print!("{diff}");
    }
    for path in &drift.missing {
        println!("missing: {path}");
    }
    for path in &drift.unexpected {
        println!("unexpected: {path} (no longer produced by the spec)");
    }
    eprintln!(
        "fleetc: the generated tree is stale ({} changed, {} missing, {} unexpected); run `fleetc build`",
        drift.stale.len(),
        drift.missing.len(),
        drift.unexpected.len()
    );
    1
}

/// Reads and compiles the spec, printing diagnostics. `Err` carries the exit code.
fn compile(args: &CompileArgs) -> Result<(PathBuf, Compiled), i32> {
    let opts = render_options(args.color);
    let root = match &args.out {
        Some(out) => out.clone(),
        None => match args.spec.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let name = spec_name(&args.spec, &root);
    let source = match read_spec(&args.spec, &name) {
        Ok(s) => s,
        Err(ReadError::Io(msg)) => {
            eprintln!("fleetc: {msg}");
            return Err(2);
        }
        Err(ReadError::Diag(boxed)) => {
            let (source, d) = *boxed;
            eprint!("{}", diagnostic::render_all(&[d], &source, opts));
            return Err(1);
        }
    };
    match crate::compile(&source, &root) {
        Ok(compiled) => {
            if !compiled.warnings.is_empty() {
                eprint!(
                    "{}",
                    diagnostic::render_all(&compiled.warnings, &source, opts)
                );
                if args.deny_warnings {
                    eprintln!("fleetc: warnings are denied (--deny-warnings); nothing written");
                    return Err(1);
                }
            }
            Ok((root, compiled))
        }
        Err(diags) => {
            eprint!("{}", diagnostic::render_all(&diags, &source, opts));
            Err(1)
        }
    }
}

enum ReadError {
    Io(String),
    Diag(Box<(Source, Diagnostic)>),
}

fn read_spec(path: &Path, name: &str) -> Result<Source, ReadError> {
    let file = File::open(path)
        .map_err(|e| ReadError::Io(format!("cannot read spec {}: {e}", path.display())))?;
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
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source {
            name: name.to_owned(),
            text,
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Lossy decoding keeps valid prefixes byte-identical, so `at` still points there.
            let d = Diagnostic::new(Code::YamlSyntax, "the spec is not valid UTF-8")
                .label(at..at + 1, "invalid byte here")
                .help("save the spec as UTF-8");
            Err(ReadError::Diag(Box::new((
                Source {
                    name: name.to_owned(),
                    text,
                },
                d,
            ))))
        }
    }
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

fn display_root(root: &Path) -> String {
    root.display().to_string()
}

fn explain(code: &str) -> i32 {
    if code == "list" {
        for c in Code::ALL {
            println!("{}  {}", c.as_str(), c.title());
        }
        return 0;
    }
    match Code::parse(code) {
        Some(c) => {
            println!("{}: {}\n\n{}", c.as_str(), c.title(), c.explanation());
            0
        }
        None => {
            eprintln!("fleetc: no diagnostic code `{code}`; `fleetc explain list` lists them");
            2
        }
    }
}

fn render_options(color: Color) -> RenderOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = if color { 120 } else { 100 };
    RenderOptions { color, width }
}

fn no_source() -> Source {
    Source {
        name: String::new(),
        text: String::new(),
    }
}
