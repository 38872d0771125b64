//! `fleetc import`: writes a spec for an existing Fleet repository and the manifest that lets
//! `fleetc build` take over the files the spec now generates; prints the import report and the
//! diagnostics the imported spec raises. Writes nothing when the import fails.

use std::path::{Path, PathBuf};

use super::{CliError, render_options};
use crate::cli::ImportArgs;
use crate::diagnostic::{self, Source, plural};
use crate::import::{self, Finding};
use crate::output;

/// What every file fleetc generated starts with.
const HEADER: &[u8] = crate::emit::HEADER_PREFIX.as_bytes();

pub(super) fn run(args: &ImportArgs) -> Result<(), CliError> {
    let repo = &args.repo;
    if !repo.is_dir() {
        return Err(CliError::Usage(format!(
            "--repo {}: not a directory",
            repo.display()
        )));
    }
    let spec_path = args.out.clone().unwrap_or_else(|| repo.join("fleetc.yaml"));
    let spec_name = in_repo(repo, &spec_path)?;
    if spec_path.exists() && !args.force {
        return Err(CliError::Failed(format!(
            "{} exists; fleetc import replaces a spec only with --force",
            spec_path.display()
        )));
    }
    let manifest = repo.join(output::MANIFEST);
    if manifest.exists() && !args.force {
        return Err(CliError::Failed(format!(
            "{} exists: fleetc manages this repository already (use --force to import anyway)",
            manifest.display()
        )));
    }
    let req = import::Request {
        repo: repo.clone(),
        gitrepos: args.gitrepos.clone(),
        clusters: args.clusters.clone(),
        spec_name: spec_name.clone(),
    };
    let imported = import::import(&req)
        .map_err(|e| CliError::Failed(format!("nothing imported, nothing written: {e}")))?;
    let source = Source {
        name: spec_name.clone(),
        text: imported.spec.clone(),
    };
    let compiled = crate::compile(&source, repo);
    // Files to adopt: every existing file the spec generates that is not fleetc's yet.
    let mut adopt = imported.adopt.clone();
    if let Ok(c) = &compiled {
        for path in c.files.keys().filter(|p| *p != output::MANIFEST) {
            // A plain file of the repository (never a link) without fleetc's header.
            if imported.listing.starts_with(path, HEADER) == Some(false) {
                adopt.push(path.clone());
            }
        }
    } else {
        eprintln!(
            "note: the imported spec does not compile, so only the bundles' fleet.yaml files are recorded as fleetc's; once it compiles, `fleetc build` refuses other existing files it would write (E021): move those aside first"
        );
    }
    adopt.sort();
    adopt.dedup();
    output::write_atomic(&spec_path, imported.spec.as_bytes())
        .and_then(|()| {
            output::write_atomic(
                &manifest,
                output::adoption_manifest(&spec_name, &adopt).as_bytes(),
            )
        })
        .map_err(|e| CliError::Io(format!("cannot write the imported spec: {e}")))?;
    eprint!("{}", report(&imported.findings));
    // An original at the very path fleetc now writes is taken over, not replaced.
    let written = |file: &str| compiled.as_ref().is_ok_and(|c| c.files.contains_key(file));
    for (what, at) in imported
        .replaced
        .iter()
        .filter(|(_, at)| !written(&at.file))
    {
        eprintln!(
            "note: {what} ({at}) is now written by fleetc; delete the original once fleetc's is applied"
        );
    }
    // Files an earlier fleetc spec generated that this one does not: kept as they are (the
    // verbatim customizations of a tree fleetc generated use its overlays).
    if let Ok(c) = &compiled {
        let stale = stale_generated(&imported.listing, &c.files);
        if !stale.is_empty() {
            let mut by_dir: std::collections::BTreeMap<&str, usize> = Default::default();
            for p in &stale {
                let dir = p.split_once('/').map_or(".", |(d, _)| d);
                *by_dir.entry(dir).or_default() += 1;
            }
            let list: Vec<String> = by_dir.iter().map(|(d, n)| format!("{d}/ ({n})")).collect();
            eprintln!(
                "note: {} carry fleetc's header but the imported spec does not generate them: {}. They stay as they are, sources now (a kept customization may use them); `fleetc build` leaves them alone",
                plural(stale.len(), "file"),
                list.join(", ")
            );
        }
    }
    let s = &imported.summary;
    let mut line = format!(
        "fleetc: imported {} with {} ({} of the apps keep targetCustomizations verbatim) for {}",
        plural(s.gitrepos, "GitRepo"),
        plural(s.bundles, "bundle"),
        s.apps_verbatim,
        plural(s.clusters, "cluster"),
    );
    if s.gitrepos_left > 0 {
        line.push_str(&format!(
            "; left {} with {} as they are",
            plural(s.gitrepos_left, "GitRepo"),
            plural(s.bundles_left, "bundle")
        ));
    }
    eprintln!(
        "{line}; wrote {} and {} (adopting {})",
        spec_path.display(),
        output::MANIFEST,
        plural(adopt.len(), "existing file")
    );
    match compiled {
        Ok(c) => {
            if !c.warnings.is_empty() {
                eprint!(
                    "{}",
                    diagnostic::render_all(&c.warnings, &source, render_options(args.color))
                );
            }
            eprintln!("fleetc: the spec compiles; run `fleetc build`, then `fleetc check`");
            Ok(())
        }
        Err(diags) => {
            eprint!(
                "{}",
                diagnostic::render_all(&diags, &source, render_options(args.color))
            );
            Err(CliError::Diagnostics(Some(
                "the imported spec does not compile yet: fix what is reported, then `fleetc build`"
                    .to_owned(),
            )))
        }
    }
}

/// The spec's name relative to the repository; it must sit directly in it, where paths in the
/// spec are relative to.
fn in_repo(repo: &Path, spec: &Path) -> Result<String, CliError> {
    let dir = match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let same = matches!((dir.canonicalize(), repo.canonicalize()), (Ok(a), Ok(b)) if a == b);
    let name = spec.file_name().map(|n| n.to_string_lossy().into_owned());
    match name {
        Some(n) if same => Ok(n),
        _ => Err(CliError::Usage(format!(
            "--out {}: the spec goes directly into the repository ({}), whose paths it names",
            spec.display(),
            repo.display()
        ))),
    }
}

/// Files of the repository (no link followed, `.git` skipped) with fleetc's generated-file
/// header that `files` does not hold.
fn stale_generated(listing: &crate::import::scan::Repo, files: &output::Tree) -> Vec<String> {
    listing
        .paths()
        .filter(|(p, _)| !files.contains_key(*p) && *p != output::MANIFEST)
        .filter(|(p, _)| listing.starts_with(p, HEADER) == Some(true))
        .map(|(p, _)| p.to_owned())
        .collect()
}

/// The findings, one block each, in the compiler's layout.
fn report(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "warning[{}]: {}\n  --> {}\n  = help: {}\n",
            f.code.as_str(),
            f.message,
            f.at,
            f.help
        ));
    }
    out
}
