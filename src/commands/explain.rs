//! `fleetc explain cluster|app NAME`, `fleetc explain list`, `fleetc explain CODE`.

use super::{CliError, compile, read_only, to_stdout};
use crate::Revisions;
use crate::cli::{Color, Explain, ExplainArgs, ExplainName};
use crate::codes::Code;

pub(super) fn run(args: &ExplainArgs) -> Result<(), CliError> {
    match &args.what {
        Explain::Cluster(target) => fleet(args, target, "cluster"),
        Explain::App(target) => fleet(args, target, "app"),
        Explain::List => {
            let list: String = Code::ALL
                .iter()
                .map(|c| format!("{}  {}\n", c.as_str(), c.title()))
                .collect();
            to_stdout(&list)
        }
        Explain::Code(words) => {
            // A code, optionally followed by the options every `explain` takes (which mean
            // nothing for a code).
            let code = match words.as_slice() {
                [one, rest @ ..]
                    if rest.is_empty() || rest[0] == "--spec" || rest[0] == "--out" =>
                {
                    Code::parse(one)
                }
                _ => None,
            };
            let c = code.ok_or_else(|| {
                CliError::Usage(format!(
                    "no diagnostic code `{}`; `fleetc explain list` lists them, `fleetc explain cluster NAME` and `fleetc explain app NAME` explain the fleet",
                    words.join(" ")
                ))
            })?;
            to_stdout(&format!(
                "{}: {}\n\n{}\n",
                c.as_str(),
                c.title(),
                c.explanation()
            ))
        }
    }
}

/// A cluster or an app of the compiled fleet.
fn fleet(args: &ExplainArgs, target: &ExplainName, kind: &str) -> Result<(), CliError> {
    let compile_args = read_only(&args.spec, args.out.as_ref(), Color::Auto);
    let session = compile(&compile_args, Revisions::Pinned)?;
    let compiled = &session.compiled;
    let spec = crate::explain::Spec {
        name: &session.source.name,
        text: &session.source.text,
        index: &compiled.index,
    };
    let name = &target.name;
    let found = if kind == "cluster" {
        crate::explain::cluster_running(&compiled.fleet, &compiled.pinned, &spec, name)
    } else {
        crate::explain::app(&compiled.fleet, &compiled.pinned, &spec, name)
    };
    if let Some(text) = found {
        return to_stdout(&text);
    }
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
    Err(CliError::Usage(format!(
        "the spec declares no {kind} `{name}`{hint}"
    )))
}
