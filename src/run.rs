//! The command-line driver: parses arguments, runs the pipeline, prints, picks the exit code.
//!
//! Exit codes: 0 success; 1 diagnostics (errors, or warnings with `--deny-warnings`), a refused
//! write or a stale tree; 2 usage or I/O errors.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::cli::{
    Cli, Color, Command, CompileArgs, DiffArgs, DiffFormat, ExplainArgs, Format, InitArgs, PinArgs,
    VerifyArgs,
};
use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic, RenderOptions, Source};
use crate::load::MAX_SPEC_BYTES;
use crate::report::{self, Paths};
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
        Command::Pin(args) => pin(&args),
        Command::Verify(args) => verify(&args),
        Command::Diff(args) => diff(&args),
        Command::Schema => {
            print!("{}", schema::spec_schema_text());
            0
        }
        Command::Explain(args) => explain(&args),
        Command::Init(args) => init(&args),
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
    fn emit(&self, diags: &[Diagnostic], source: &Source) {
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
            Format::Json => print!("{}", report::json(diags, source, &paths)),
            Format::Gitlab => print!("{}", report::gitlab(diags, source, &paths)),
        }
    }
}

fn build(args: &CompileArgs) -> i32 {
    // Locked before the spec and the release pins are read, so a build waiting for a `pin` (or
    // another build) compiles what that one left. The lock is on the output root itself, so a
    // new root is made first (empty: a root that did not exist cannot hold a conflicting file).
    let root = output_root(args);
    if let Err(e) = std::fs::create_dir_all(&root) {
        eprintln!("fleetc: cannot create {}: {e}", root.display());
        return 2;
    }
    let _lock = match lock(&root, output::LockMode::Exclusive) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (out, source, root, compiled) = match compile(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut diags = compiled.warnings.clone();
    let survey = output::survey(&root, &compiled.files);
    let plan = match output::plan(&survey, &compiled.files, &compiled.fleet.spec_name) {
        Ok(plan) => plan,
        Err(conflicts) => {
            diags.extend(conflicts);
            out.emit(&diags, &source);
            return 1;
        }
    };
    if let Err(e) = output::apply(&root, &plan) {
        out.emit(&diags, &source);
        eprintln!("fleetc: {e} (under {})", root.display());
        return 2;
    }
    out.emit(&diags, &source);
    let finished = if survey.previous.interrupted() {
        "; finished an interrupted build"
    } else {
        ""
    };
    eprintln!(
        "fleetc: {} written, {} removed, {} unchanged under {}{finished}",
        files(plan.writes.len()),
        plan.deletes.len(),
        plan.unchanged,
        root.display()
    );
    if args.exit_code && !(plan.writes.is_empty() && plan.deletes.is_empty()) {
        eprintln!("fleetc: the generated tree changed; stage it and commit again");
        return 1;
    }
    0
}

/// `1 file`, `3 files`.
fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_owned()
    } else {
        format!("{n} files")
    }
}

/// Locks the output root, saying so when another fleetc holds it. `Err` carries the exit code.
fn lock(root: &Path, mode: output::LockMode) -> Result<output::Lock, i32> {
    let shown = root.display().to_string();
    output::Lock::acquire(root, mode, || {
        eprintln!("fleetc: another fleetc is writing {shown}; waiting for it to finish");
    })
    .map_err(|e| {
        eprintln!("fleetc: cannot lock {shown}: {e}");
        2
    })
}

fn check(args: &CompileArgs) -> i32 {
    let (out, source, root, compiled) = match compile(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    // A shared lock: wait for a build in progress instead of reading its half-written tree.
    let _lock = if root.is_dir() {
        match lock(&root, output::LockMode::Shared) {
            Ok(l) => Some(l),
            Err(code) => return code,
        }
    } else {
        None
    };
    let survey = output::survey(&root, &compiled.files);
    let drift = output::check(&survey, &compiled.files);
    let mut diags = compiled.warnings.clone();
    diags.extend(stale_diagnostics(&drift, &compiled));
    if args.format == Format::Human {
        for (_, diff) in &drift.stale {
            print!("{diff}");
        }
    }
    out.emit(&diags, &source);
    if drift.is_clean() {
        eprintln!(
            "fleetc: {} generated files are up to date",
            compiled.files.len()
        );
        0
    } else {
        let unreadable = drift.blocked.len() + drift.leftovers.len();
        let unreadable = if unreadable > 0 {
            format!(", {unreadable} unreadable or left over")
        } else {
            String::new()
        };
        eprintln!(
            "fleetc: the generated tree is stale ({} changed, {} missing, {} unexpected{unreadable}); run `fleetc build`",
            drift.stale.len(),
            drift.missing.len(),
            drift.unexpected.len(),
        );
        1
    }
}

fn diff(args: &DiffArgs) -> i32 {
    let head_args = CompileArgs {
        spec: args.spec.clone(),
        out: args.out.clone(),
        deny_warnings: false,
        exit_code: false,
        color: args.color,
        format: Format::Human,
    };
    let (_, _, root, head) = match compile(&head_args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let base = match base_revision(args, &root, &head.fleet.spec_name) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let report = crate::diff::compare(base.as_ref().map(Into::into), (&head).into());
    match args.format {
        DiffFormat::Text => print!("{}", report.text()),
        DiffFormat::Markdown => print!("{}", report.markdown(&args.base)),
    }
    0
}

/// Compiles the spec as it is at `--base`, read through git. `None` when it did not exist.
fn base_revision(args: &DiffArgs, root: &Path, spec_name: &str) -> Result<Option<Compiled>, i32> {
    let io = |e: std::io::Error| {
        eprintln!("fleetc: {e}");
        2
    };
    let ws = match crate::workspace::GitRevision::open(root, &args.base) {
        Ok(ws) => ws,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("fleetc: {e}");
            return Err(2);
        }
        Err(e) => return Err(io(e)),
    };
    let Some(text) = crate::workspace::Workspace::read(&ws, spec_name).map_err(io)? else {
        return Ok(None);
    };
    let source = Source {
        name: spec_name.to_owned(),
        text,
    };
    crate::compile_in(&source, &ws, crate::Revisions::Pinned)
        .map(Some)
        .map_err(|diags| {
            eprintln!("fleetc: the spec at `{}` does not compile:", args.base);
            eprint!(
                "{}",
                diagnostic::render_all(&diags, &source, render_options(args.color))
            );
            1
        })
}

fn pin(args: &PinArgs) -> i32 {
    let _lock = match lock(&output_root(&args.compile), output::LockMode::Exclusive) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Pinning needs the names and the policy, not what each environment ran before.
    let (_, _, root, compiled) = match compile_with(&args.compile, crate::Revisions::Branch) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let fleet = &compiled.fleet;
    let mut pins = match crate::pins::read(&crate::workspace::Disk(root.clone())) {
        Ok(p) => p,
        Err(d) => {
            eprintln!("fleetc: {}", d.message);
            return 1;
        }
    };
    let git = |old: &str, new: &str| crate::workspace::is_ancestor(&root, old, new);
    let refused = |r: crate::pins::Refused| {
        eprintln!("fleetc: not pinned: {r}");
        match r {
            crate::pins::Refused::Invalid(_) => 2,
            _ => 1,
        }
    };
    let mut said = Vec::new();
    if let Some(tag) = &args.tag {
        match crate::pins::pin_tag(&mut pins, fleet, tag, &args.apps, &git) {
            Ok(n) => said.push(format!(
                "{} to {tag}",
                crate::diagnostic::plural(n, "image")
            )),
            Err(r) => return refused(r),
        }
    }
    if let (Some(env), Some(rev)) = (&args.environment, &args.revision) {
        match crate::pins::pin_revision(&mut pins, fleet, env, rev, &git) {
            Ok(()) => said.push(format!("`{env}` to revision {rev}")),
            Err(r) => return refused(r),
        }
    }
    if let Err(e) = output::write_atomic(
        &root.join(crate::pins::FILE),
        crate::pins::render(&pins).as_bytes(),
    ) {
        eprintln!("fleetc: cannot write {}: {e}", crate::pins::FILE);
        return 2;
    }
    eprintln!("fleetc: pinned {}; run `fleetc build`", said.join(" and "));
    0
}

fn verify(args: &VerifyArgs) -> i32 {
    let compile_args = CompileArgs {
        spec: args.spec.clone(),
        out: args.out.clone(),
        deny_warnings: false,
        exit_code: false,
        color: Color::Auto,
        format: Format::Human,
    };
    let (_, _, _, compiled) = match compile(&compile_args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let fleet = &compiled.fleet;
    let Some(side) = &fleet.gitlab else {
        eprintln!("fleetc: the spec has no `gitlab` block: no agents to verify through");
        return 2;
    };
    let mut clusters = Vec::new();
    for name in &args.cluster {
        match fleet.clusters.iter().position(|c| &c.name == name) {
            Some(c) => clusters.push(c),
            None => {
                eprintln!("fleetc: the spec declares no cluster `{name}`");
                return 2;
            }
        }
    }
    let mut shard = None;
    if let Some(env) = &args.environment {
        let Some(e) = fleet.environments.iter().position(|x| &x.name == env) else {
            eprintln!("fleetc: the spec declares no environment `{env}`");
            return 2;
        };
        clusters = crate::verify::clusters_of(fleet, e);
        if let Some(s) = &args.shard {
            let parsed = s
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
                .filter(|(k, n)| *k >= 1 && k <= n);
            match parsed {
                Some(p) => shard = Some(p),
                None => {
                    eprintln!("fleetc: `--shard {s}` is not K/N with 1 <= K <= N");
                    return 2;
                }
            }
        }
    }
    let timeout = args
        .timeout
        .clone()
        .or_else(|| side.pipeline.as_ref().map(|p| p.verify_timeout.clone()))
        .unwrap_or_else(|| "15m".to_owned());
    let Some(seconds) = crate::resolve::go_duration_seconds(&timeout) else {
        eprintln!("fleetc: `{timeout}` is not a duration");
        return 2;
    };
    let checks = crate::verify::plan(fleet, &clusters, shard);
    eprintln!(
        "fleetc: verifying {} within {timeout}",
        crate::diagnostic::plural(checks.len(), "cluster")
    );
    let started = std::time::Instant::now();
    let total = std::time::Duration::from_secs(seconds);
    // An empty revision: the pipeline's promote job handed none on (verify only the clusters).
    if let Some(rev) = args.revision.as_ref().filter(|r| !r.is_empty()) {
        match crate::verify::applied(fleet, &clusters) {
            Some(applied) => {
                if let Err(e) = crate::verify::wait_applied(
                    &applied,
                    rev,
                    started + total,
                    crate::verify::POLL,
                    &crate::verify::RealKubectl,
                ) {
                    eprintln!("FAILED  {e}");
                    return 1;
                }
                eprintln!("ok      Fleet applied {rev}");
            }
            None => eprintln!(
                "fleetc: no management-cluster agent (pipeline.driftCheck.agent): cannot confirm that Fleet applied {rev}; checking the clusters only"
            ),
        }
    }
    let results = crate::verify::verify_all(
        &checks,
        args.tag.as_deref(),
        total.saturating_sub(started.elapsed()),
        args.parallel,
        crate::verify::POLL,
        &crate::verify::RealKubectl,
    );
    let mut failed = 0;
    for (check, r) in checks.iter().zip(&results) {
        match r {
            Ok(()) => eprintln!("ok      {}", check.cluster),
            Err(e) => {
                failed += 1;
                eprintln!("FAILED  {}: {e}", check.cluster);
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "fleetc: {} of {} not rolled out",
            failed,
            crate::diagnostic::plural(checks.len(), "cluster")
        );
        return 1;
    }
    0
}

/// One E027 per file that differs, labelled with the part of the spec it is generated from.
fn stale_diagnostics(drift: &output::Drift, compiled: &Compiled) -> Vec<Diagnostic> {
    let owners: HashMap<&str, &str> = compiled
        .artifacts
        .iter()
        .map(|a| (a.path.as_str(), a.owner.as_str()))
        .collect();
    let owned = |d: Diagnostic, path: &str| match owners.get(path) {
        Some(ptr) => d.label(compiled.index.value(ptr), "generated from here"),
        None => d,
    };
    let mut out = Vec::new();
    for (path, _) in &drift.stale {
        let d = Diagnostic::new(
            Code::StaleOutput,
            format!("`{path}` differs from what the spec produces"),
        )
        .file(path.clone())
        .help("do not edit generated files: change the spec and run `fleetc build`");
        out.push(owned(d, path));
    }
    for path in &drift.missing {
        let d = Diagnostic::new(Code::StaleOutput, format!("`{path}` is missing"))
            .file(path.clone())
            .help("run `fleetc build` and commit the result");
        out.push(owned(d, path));
    }
    for (path, why) in &drift.blocked {
        let d = Diagnostic::new(
            Code::StaleOutput,
            format!("fleetc does not read `{path}`: {why}"),
        )
        .file(path.clone())
        .help("remove what is at this path and run `fleetc build`");
        out.push(owned(d, path));
    }
    for path in &drift.leftovers {
        out.push(
            Diagnostic::new(
                Code::StaleOutput,
                format!("`{path}` is left from an interrupted build"),
            )
            .file(path.clone())
            .help("run `fleetc build`, which finishes the interrupted build and removes it"),
        );
    }
    for path in &drift.unexpected {
        out.push(
            Diagnostic::new(
                Code::StaleOutput,
                format!("`{path}` is no longer produced by the spec"),
            )
            .file(path.clone())
            .help("run `fleetc build`, which removes it, and commit the result"),
        );
    }
    out
}

/// Reads and compiles the spec, printing diagnostics on failure. `Err` carries the exit code.
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

fn compile(args: &CompileArgs) -> Result<(Out<'_>, Source, PathBuf, Compiled), i32> {
    compile_with(args, crate::Revisions::Pinned)
}

fn compile_with(
    args: &CompileArgs,
    revisions: crate::Revisions,
) -> Result<(Out<'_>, Source, PathBuf, Compiled), i32> {
    let root = output_root(args);
    let out = Out {
        args,
        spec_path: display_path(&args.spec),
        root_path: display_path(&root),
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
            out.emit(&[d], &source);
            return Err(1);
        }
    };
    match crate::compile_in(&source, &crate::workspace::Disk(root.clone()), revisions) {
        Ok(compiled) => {
            if args.deny_warnings && !compiled.warnings.is_empty() {
                out.emit(&compiled.warnings, &source);
                eprintln!("fleetc: warnings are denied (--deny-warnings); nothing written");
                return Err(1);
            }
            Ok((out, source, root, compiled))
        }
        Err(diags) => {
            out.emit(&diags, &source);
            Err(1)
        }
    }
}

enum ReadError {
    Io(String),
    Diag(Box<(Source, Diagnostic)>),
}

fn read_spec(path: &Path, name: &str) -> Result<Source, ReadError> {
    let file = File::open(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "; `fleetc init` writes a starter spec, or pass `--spec FILE`"
        } else {
            ""
        };
        ReadError::Io(format!("cannot read spec {}: {e}{hint}", path.display()))
    })?;
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

/// The starter spec; a text template, because its comments are the point.
const STARTER: &str = include_str!("templates/starter.yaml");

fn init(args: &InitArgs) -> i32 {
    let spec = args.dir.join("fleetc.yaml");
    let schema_path = args.dir.join("fleetc.schema.json");
    for path in [&spec, &schema_path] {
        if path.exists() {
            eprintln!(
                "fleetc: {} exists; fleetc init never overwrites a file",
                path.display()
            );
            return 1;
        }
    }
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    // Values go into YAML scalars: JSON-quote them so any URL or branch name stays one string.
    let quote = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let text = env
        .render_str(
            STARTER,
            minijinja::context! { repo => quote(&args.repo), branch => quote(&args.branch) },
        )
        .expect("the starter template renders");
    let result = std::fs::create_dir_all(&args.dir)
        .and_then(|()| output::write_atomic(&schema_path, schema::spec_schema_text().as_bytes()))
        .and_then(|()| output::write_atomic(&spec, text.as_bytes()));
    if let Err(e) = result {
        eprintln!("fleetc: cannot write the starter spec: {e}");
        return 2;
    }
    eprintln!(
        "fleetc: wrote {} and {}; edit the spec, then run `fleetc build`",
        spec.display(),
        schema_path.display()
    );
    0
}

fn explain(args: &ExplainArgs) -> i32 {
    let kind = args.what.as_str();
    if kind == "cluster" || kind == "app" {
        let Some(name) = &args.name else {
            eprintln!("fleetc: `fleetc explain {kind}` needs a name");
            return 2;
        };
        let compile_args = CompileArgs {
            spec: args.spec.clone(),
            out: args.out.clone(),
            deny_warnings: false,
            exit_code: false,
            color: Color::Auto,
            format: Format::Human,
        };
        let (_, source, _, compiled) = match compile(&compile_args) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let spec = crate::explain::Spec {
            name: &source.name,
            text: &source.text,
            index: &compiled.index,
        };
        let found = if kind == "cluster" {
            crate::explain::cluster_running(&compiled.fleet, &compiled.pinned, &spec, name)
        } else {
            crate::explain::app(&compiled.fleet, &compiled.pinned, &spec, name)
        };
        return match found {
            Some(text) => {
                print!("{text}");
                0
            }
            None => {
                let fleet = &compiled.fleet;
                let names: Vec<&str> = if kind == "cluster" {
                    fleet.clusters.iter().map(|c| c.name.as_str()).collect()
                } else {
                    fleet.apps.iter().map(|a| a.name.as_str()).collect()
                };
                let hint = match crate::suggest::closest(name, names.iter().copied()) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => format!("; declared: {}", crate::suggest::short_list(&names, 8)),
                };
                eprintln!("fleetc: the spec declares no {kind} `{name}`{hint}");
                2
            }
        };
    }
    if kind == "list" {
        for c in Code::ALL {
            println!("{}  {}", c.as_str(), c.title());
        }
        return 0;
    }
    match Code::parse(kind) {
        Some(c) => {
            println!("{}: {}\n\n{}", c.as_str(), c.title(), c.explanation());
            0
        }
        None => {
            eprintln!(
                "fleetc: no diagnostic code `{kind}`; `fleetc explain list` lists them, `fleetc explain cluster NAME` and `fleetc explain app NAME` explain the fleet"
            );
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
    RenderOptions {
        color,
        width,
        max: diagnostic::HUMAN_LIMIT,
    }
}
