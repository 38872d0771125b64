//! `fleetc completions SHELL`: the shell's completion script, generated from the command-line
//! definition itself (clap_complete), so it never lags behind a new command or option.

use clap::CommandFactory;

use super::{CliError, to_stdout};
use crate::cli::{Cli, CompletionsArgs};

pub(super) fn run(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fleetc", &mut script);
    to_stdout(&String::from_utf8_lossy(&script))
}
