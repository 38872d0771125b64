//! `fleetc verify`: wait until Fleet has rolled a promotion out on clusters, through their
//! GitLab agents (the pipeline's verify jobs).

use std::time::{Duration, Instant};

use super::{CliError, compile, compile_at, output_root, read_only, spec_name};
use crate::Revisions;
use crate::cli::{Color, VerifyArgs};
use crate::values::GoDuration;
use crate::verify::{self, POLL, RealKubectl};

pub(super) fn run(args: &VerifyArgs) -> Result<(), CliError> {
    let compile_args = read_only(&args.spec, args.out.as_ref(), Color::Auto);
    // The promoted commit is what the environment now runs: its spec says which bundles and
    // images to wait for (the promote job may have promoted later merges than this pipeline's
    // checkout). Without a revision, the checkout's spec. Each for every environment alike:
    // what a promotion deploys, whatever the environments ran before.
    let revision = args.revision.as_deref().filter(|r| !r.is_empty());
    let compiled = match revision {
        None => compile(&compile_args, Revisions::Branch)?.compiled,
        Some(rev) => {
            let root = output_root(&compile_args);
            let name = spec_name(&compile_args.spec, &root);
            compile_at(&root, &name, rev, Color::Auto, Revisions::Branch)?.ok_or_else(|| {
                CliError::Usage(format!("the spec `{name}` does not exist at {rev}"))
            })?
        }
    };
    let fleet = &compiled.fleet;
    let Some(side) = &fleet.gitlab else {
        return Err(CliError::Usage(
            "the spec has no `gitlab` block: no agents to verify through".to_owned(),
        ));
    };
    let mut clusters = Vec::new();
    for name in &args.cluster {
        let c = fleet
            .cluster_named(name)
            .ok_or_else(|| CliError::Usage(format!("the spec declares no cluster `{name}`")))?;
        clusters.push(c);
    }
    let mut shard = None;
    if let Some(env) = &args.environment {
        let e = fleet
            .environment_named(env)
            .ok_or_else(|| CliError::Usage(format!("the spec declares no environment `{env}`")))?;
        clusters = verify::clusters_of(fleet, e);
        if let Some(s) = &args.shard {
            let parsed = s
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
                .filter(|(k, n)| *k >= 1 && k <= n)
                .ok_or_else(|| {
                    CliError::Usage(format!("`--shard {s}` is not K/N with 1 <= K <= N"))
                })?;
            shard = Some(parsed);
        }
    }
    let timeout = match (&args.timeout, &side.pipeline) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => p.verify_timeout.clone(),
        (None, None) => {
            <GoDuration as crate::values::Parse>::parse(crate::spec::DEFAULT_VERIFY_TIMEOUT)
                .expect("the default timeout is a duration")
        }
    };
    let seconds = timeout.seconds();
    let checks = verify::plan(fleet, &clusters, shard);
    eprintln!(
        "fleetc: verifying {} within {timeout}",
        crate::diagnostic::plural(checks.len(), "cluster")
    );
    let started = Instant::now();
    let total = Duration::from_secs(seconds);
    // No revision: the pipeline's promote job handed none on (verify only the clusters).
    if let Some(rev) = revision {
        match verify::applied(fleet, &clusters) {
            Some(applied) => {
                if let Err(e) =
                    verify::wait_applied(&applied, rev, started + total, POLL, &RealKubectl)
                {
                    // In line with the per-cluster `FAILED  <cluster>: …` lines.
                    eprintln!("FAILED  {e}");
                    return Err(CliError::Reported);
                }
                eprintln!("ok      Fleet applied {rev}");
            }
            None => eprintln!(
                "fleetc: no management-cluster agent (pipeline.driftCheck.agent): cannot confirm that Fleet applied {rev}; checking the clusters only"
            ),
        }
    }
    let results = verify::verify_all(
        &checks,
        args.tag.as_deref(),
        total.saturating_sub(started.elapsed()),
        args.parallel,
        POLL,
        &RealKubectl,
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
        return Err(CliError::Failed(format!(
            "{} of {} not rolled out",
            failed,
            crate::diagnostic::plural(checks.len(), "cluster")
        )));
    }
    Ok(())
}
