//! `fleetc diff --base REV`: what a spec change does, against the spec at a Git revision.

use super::{CliError, compile, compile_at, read_only, to_stdout};
use crate::Revisions;
use crate::cli::{DiffArgs, DiffFormat};

pub(super) fn run(args: &DiffArgs) -> Result<(), CliError> {
    let head_args = read_only(&args.spec, args.out.as_ref(), args.color);
    let head = compile(&head_args, Revisions::Pinned)?;
    let base = compile_at(
        &head.root,
        &head.compiled.fleet.spec_name,
        &args.base,
        args.color,
        Revisions::Pinned,
    )?;
    let report = crate::diff::compare(base.as_ref().map(Into::into), (&head.compiled).into());
    match args.format {
        DiffFormat::Text => to_stdout(&report.text())?,
        DiffFormat::Markdown => to_stdout(&report.markdown(&args.base))?,
    }
    Ok(())
}
