//! `fleetc graph`: the compiled fleet as a Mermaid or DOT diagram on stdout.

use super::{CliError, compile, read_only, to_stdout};
use crate::Revisions;
use crate::cli::{GraphArgs, GraphFormat};
use crate::graph;

pub(super) fn run(args: &GraphArgs) -> Result<(), CliError> {
    // The branch's spec: the picture is of what the spec says, not of what a pin runs.
    let compile_args = read_only(&args.spec, args.out.as_ref(), args.color);
    let session = compile(&compile_args, Revisions::Branch)?;
    let g = graph::of_fleet(&session.compiled.fleet);
    to_stdout(&match args.format {
        GraphFormat::Mermaid => graph::mermaid::render(&g),
        GraphFormat::Dot => graph::dot::render(&g),
    })
}
