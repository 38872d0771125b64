//! `fleetc pin`: record in `releases.yaml` the images a pipeline built and the commit an
//! environment runs. The policy (never backwards) is `crate::pins`'.

use super::{CliError, Session, compile, lock, output_root};
use crate::cli::PinArgs;
use crate::pins::{self, Refused};
use crate::workspace::{Disk, is_ancestor};
use crate::{Revisions, output};

pub(super) fn run(args: &PinArgs) -> Result<(), CliError> {
    let _lock = lock(&output_root(&args.compile), output::LockMode::Exclusive)?;
    // Pinning needs the names and the policy, not what each environment ran before.
    let Session { root, compiled, .. } = compile(&args.compile, Revisions::Branch)?;
    let fleet = &compiled.fleet;
    let mut pins = pins::read(&Disk(root.clone())).map_err(|d| CliError::Failed(d.message))?;
    let git = |old: &str, new: &str| is_ancestor(&root, old, new);
    let refused = |r: Refused| match r {
        Refused::Invalid(_) => CliError::Usage(format!("not pinned: {r}")),
        _ => CliError::Failed(format!("not pinned: {r}")),
    };
    let mut said = Vec::new();
    if let Some(tag) = &args.tag {
        let n = pins::pin_tag(&mut pins, fleet, tag, &args.apps, &git).map_err(refused)?;
        said.push(format!(
            "{} to {tag}",
            crate::diagnostic::plural(n, "image")
        ));
    }
    if let (Some(env), Some(rev)) = (&args.environment, &args.revision) {
        pins::pin_revision(&mut pins, fleet, env, rev, &git).map_err(refused)?;
        said.push(format!("`{env}` to revision {rev}"));
    }
    output::write_atomic(&root.join(pins::FILE), pins::render(&pins).as_bytes())
        .map_err(|e| CliError::Io(format!("cannot write {}: {e}", pins::FILE)))?;
    eprintln!("fleetc: pinned {}; run `fleetc build`", said.join(" and "));
    Ok(())
}
