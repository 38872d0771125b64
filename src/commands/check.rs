//! `fleetc check`: is the tree on disk exactly what the spec produces? Writes nothing.

use std::collections::HashMap;

use super::{CliError, Session, compile, lock, to_stdout};
use crate::cli::{CompileArgs, Format};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::{Compiled, Revisions, output};

pub(super) fn run(args: &CompileArgs) -> Result<(), CliError> {
    let Session {
        out,
        source,
        root,
        compiled,
    } = compile(args, Revisions::Pinned)?;
    // Not freed: the process exits next (see `build`).
    let compiled = std::mem::ManuallyDrop::new(compiled);
    // A shared lock: wait for a build in progress instead of reading its half-written tree.
    let _lock = if root.is_dir() {
        Some(lock(&root, output::LockMode::Shared)?)
    } else {
        None
    };
    let survey = std::mem::ManuallyDrop::new(output::survey(&root, &compiled.files));
    let drift = output::check(&survey, &compiled.files);
    let mut diags = compiled.warnings.clone();
    diags.extend(stale_diagnostics(&drift, &compiled));
    if args.format == Format::Human {
        for (_, diff) in &drift.stale {
            to_stdout(diff)?;
        }
    }
    out.emit(&diags, &source)?;
    if drift.is_clean() {
        eprintln!(
            "fleetc: {} generated files are up to date",
            compiled.files.len()
        );
        return Ok(());
    }
    let unreadable = drift.blocked.len() + drift.leftovers.len();
    let unreadable = if unreadable > 0 {
        format!(", {unreadable} unreadable or left over")
    } else {
        String::new()
    };
    Err(CliError::Failed(format!(
        "the generated tree is stale ({} changed, {} missing, {} unexpected{unreadable}); run `fleetc build`",
        drift.stale.len(),
        drift.missing.len(),
        drift.unexpected.len(),
    )))
}

/// One E027 per file that differs, labelled with the part of the spec it is generated from.
fn stale_diagnostics(drift: &output::Drift, compiled: &Compiled) -> Vec<Diagnostic> {
    let owners: HashMap<&str, &crate::pointer::Ptr> = compiled
        .artifacts
        .iter()
        .map(|a| (a.path.as_str(), &a.owner))
        .collect();
    let stale = |path: &str, message: String, help: &str| {
        let d = Diagnostic::new(Code::StaleOutput, message)
            .file(path.to_owned())
            .help(help.to_owned());
        match owners.get(path) {
            Some(ptr) => d.label(compiled.index.nearest(ptr), "generated from here"),
            None => d,
        }
    };
    let mut out = Vec::new();
    for (path, _) in &drift.stale {
        out.push(stale(
            path,
            format!("`{path}` differs from what the spec produces"),
            "do not edit generated files: change the spec and run `fleetc build`",
        ));
    }
    for path in &drift.missing {
        out.push(stale(
            path,
            format!("`{path}` is missing"),
            "run `fleetc build` and commit the result",
        ));
    }
    for (path, why) in &drift.blocked {
        out.push(stale(
            path,
            format!("fleetc does not read `{path}`: {why}"),
            "remove what is at this path and run `fleetc build`",
        ));
    }
    for path in &drift.leftovers {
        out.push(stale(
            path,
            format!("`{path}` is left from an interrupted build"),
            "run `fleetc build`, which finishes the interrupted build and removes it",
        ));
    }
    for path in &drift.unexpected {
        out.push(stale(
            path,
            format!("`{path}` is no longer produced by the spec"),
            "run `fleetc build`, which removes it, and commit the result",
        ));
    }
    out
}
