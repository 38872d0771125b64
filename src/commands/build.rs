//! `fleetc build`: compile the spec and write the generated tree, all or nothing.

use std::mem::ManuallyDrop;

use super::{CliError, Session, compile, lock, output_root, unreadable_spec};
use crate::cli::CompileArgs;
use crate::{Revisions, output};

pub(super) fn run(args: &CompileArgs) -> Result<(), CliError> {
    // Locked before the spec and the release pins are read, so a build waiting for a `pin` (or
    // another build) compiles what that one left. The lock is on the output root itself, so a
    // new root is made first (empty: a root that did not exist cannot hold a conflicting file).
    let root = output_root(args);
    // A spec that is not there writes nothing, not even the output root.
    std::fs::metadata(&args.spec).map_err(|e| CliError::Io(unreadable_spec(&args.spec, &e)))?;
    std::fs::create_dir_all(&root)
        .map_err(|e| CliError::Io(format!("cannot create {}: {e}", root.display())))?;
    let _lock = lock(&root, output::LockMode::Exclusive)?;
    let Session {
        out,
        source,
        root,
        compiled,
    } = compile(args, Revisions::Pinned)?;
    // The process exits right after a build: freeing the model, the files and the survey one
    // allocation at a time would cost a tenth of the build (BENCHMARKS.md), for nothing.
    let compiled = ManuallyDrop::new(compiled);
    let mut diags = compiled.warnings.clone();
    let survey = ManuallyDrop::new(output::survey(&root, &compiled.files));
    let plan = match output::plan(&survey, &compiled.files, &compiled.fleet.spec_name) {
        Ok(plan) => ManuallyDrop::new(plan),
        Err(conflicts) => {
            diags.extend(conflicts);
            out.emit(&diags, &source)?;
            return Err(CliError::Diagnostics(None));
        }
    };
    out.emit(&diags, &source)?;
    output::apply(&root, &plan)
        .map_err(|e| CliError::Io(format!("{e} (under {})", root.display())))?;
    let finished = if survey.previous.interrupted() {
        "; finished an interrupted build"
    } else {
        ""
    };
    eprintln!(
        "fleetc: {} written, {} removed, {} unchanged under {}{finished}",
        crate::diagnostic::plural(plan.writes.len(), "file"),
        plan.deletes.len(),
        plan.unchanged,
        root.display()
    );
    if args.exit_code && !(plan.writes.is_empty() && plan.deletes.is_empty()) {
        return Err(CliError::Failed(
            "the generated tree changed; stage it and commit again".to_owned(),
        ));
    }
    Ok(())
}
