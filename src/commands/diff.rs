//! `fleetc diff --base REV`: what a spec change does, against the spec at a Git revision.

use super::{CliError, compile, read_only, render_options};
use crate::cli::{DiffArgs, DiffFormat};
use crate::diagnostic::{self, Source};
use crate::workspace::{GitRevision, Workspace};
use crate::{Compiled, Revisions};

pub(super) fn run(args: &DiffArgs) -> Result<(), CliError> {
    let head_args = read_only(&args.spec, args.out.as_ref(), args.color);
    let head = compile(&head_args, Revisions::Pinned)?;
    let base = base_revision(args, &head.root, &head.compiled.fleet.spec_name)?;
    let report = crate::diff::compare(base.as_ref().map(Into::into), (&head.compiled).into());
    match args.format {
        DiffFormat::Text => print!("{}", report.text()),
        DiffFormat::Markdown => print!("{}", report.markdown(&args.base)),
    }
    Ok(())
}

/// Compiles the spec as it is at `--base`, read through git. `None` when it did not exist.
fn base_revision(
    args: &DiffArgs,
    root: &std::path::Path,
    spec_name: &str,
) -> Result<Option<Compiled>, CliError> {
    let ws = GitRevision::open(root, &args.base).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::Usage(e.to_string()),
        _ => CliError::Io(e.to_string()),
    })?;
    let Some(text) = ws
        .read(spec_name)
        .map_err(|e| CliError::Io(e.to_string()))?
    else {
        return Ok(None);
    };
    let source = Source {
        name: spec_name.to_owned(),
        text,
    };
    crate::compile_in(&source, &ws, Revisions::Pinned)
        .map(Some)
        .map_err(|diags| {
            eprintln!("fleetc: the spec at `{}` does not compile:", args.base);
            eprint!(
                "{}",
                diagnostic::render_all(&diags, &source, render_options(args.color))
            );
            CliError::Diagnostics(None)
        })
}
