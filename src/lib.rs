//! fleetc compiles one fleet spec (`fleetc.yaml`) into every GitOps artifact of a fleet.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`load`] (text → typed spec + spans) → [`resolve`] (→ validated [`model::Fleet`]) →
//! [`lint`] (→ warnings) → [`emit`] (→ artifacts) → [`output`] (→ files on disk, or a comparison with them).
//! See ARCHITECTURE.md.
// Only the command-line layer (`commands`) prints; a stray print would corrupt a language
// server's stdout.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod codes;
mod commands;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod fleet_names;
pub mod graph;
pub mod import;
pub mod lint;
pub mod load;
pub mod lsp;
pub mod model;
pub mod output;
mod parallel;
pub mod pins;
pub mod pointer;
pub mod promotion;
pub mod quartz;
pub mod report;
pub mod resolve;
pub mod schema;
pub mod spec;
pub mod suggest;
pub mod values;
pub mod verify;
pub mod versions;
pub mod workspace;

use std::path::Path;

pub use commands::{CliError, run};

use diagnostic::{Diagnostic, Source};
use pointer::Ptr;

/// A compiled fleet.
#[derive(Debug)]
pub struct Compiled {
    /// The resolved fleet.
    pub fleet: model::Fleet,
    /// Every artifact, sorted by path.
    pub artifacts: Vec<emit::Artifact>,
    /// The files to write, manifest included, by path relative to the output root.
    pub files: output::Tree,
    /// Warnings (errors make compilation fail).
    pub warnings: Vec<Diagnostic>,
    /// Spans of the spec, to point at what a generated file comes from.
    pub index: load::SpanIndex,
    /// What each pinned environment runs: the spec at its revision (empty under
    /// [`Revisions::Branch`]).
    pub pinned: promotion::Pinned,
}

/// Where each environment's GitRepos come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revisions {
    /// From the spec at the environment's pinned commit (what `build` writes; needs the commits).
    Pinned,
    /// From this spec for every environment: what a promotion of this commit will deploy
    /// (`fleetc verify` after a promote job; needs no history).
    Branch,
}

/// Compiles spec text. `root` is the output root that paths in the spec are relative to; it is
/// only read (to confirm that kustomize bases and local charts exist, and for release pins).
pub fn compile(source: &Source, root: &Path) -> Result<Compiled, Vec<Diagnostic>> {
    compile_in(
        source,
        &workspace::Disk(root.to_path_buf()),
        Revisions::Pinned,
    )
}

/// Compiles spec text against any view of the output root (the working tree, a Git revision).
pub fn compile_in(
    source: &Source,
    root: &dyn workspace::Workspace,
    revisions: Revisions,
) -> Result<Compiled, Vec<Diagnostic>> {
    let loaded = load::load(source)?;
    let pins = pins::read(root).map_err(|d| vec![d])?;
    let resolved = resolve::resolve(&loaded, &source.text, &source.name, root, &pins);
    if !loaded.errors.is_empty() {
        let mut diags = resolved.err().unwrap_or_default();
        diags.extend(loaded.errors);
        diagnostic::sort(&mut diags);
        return Err(diags);
    }
    let (fleet, mut warnings) = resolved?;
    let pinned = match revisions {
        Revisions::Pinned => {
            let (pinned, w) = promotion::compile(&fleet, &loaded.index, root)?;
            warnings.extend(w);
            pinned
        }
        Revisions::Branch => promotion::Pinned::default(),
    };
    warnings.extend(lint::lint(&fleet, &loaded.index));
    diagnostic::sort(&mut warnings);
    let artifacts = emit::emit(&fleet, &pinned);
    let clashes = clashes(&fleet, &artifacts, &loaded.index);
    if !clashes.is_empty() {
        return Err(clashes);
    }
    let files = artifacts
        .iter()
        .map(|a| (a.path.clone(), a.text().clone()))
        .collect();
    let files = output::with_manifest(files, &fleet.spec_name);
    Ok(Compiled {
        fleet,
        artifacts,
        files,
        warnings,
        index: loaded.index,
        pinned,
    })
}

/// Paths two things would be written to, found before anything is written: two artifacts at one
/// path, a file where another needs a directory, an artifact over the spec, the release pins or
/// the manifest, and files of one kind inside an app's bundle directory, where Fleet would
/// deploy them as Kubernetes objects.
fn clashes(
    fleet: &model::Fleet,
    artifacts: &[emit::Artifact],
    index: &load::SpanIndex,
) -> Vec<Diagnostic> {
    use diagnostic::Code;
    let mut out = Vec::new();
    let reserved = [
        (fleet.spec_name.as_str(), "the spec"),
        (pins::FILE, "the release pins"),
        (output::MANIFEST, "fleetc's manifest"),
    ];
    let mut by_path: std::collections::BTreeMap<&str, &emit::Artifact> = Default::default();
    for a in artifacts {
        let label = |d: Diagnostic, a: &emit::Artifact, text: &str| {
            d.label(index.nearest(&a.owner), text.to_owned())
        };
        if let Some((_, what)) = reserved.iter().find(|(p, _)| *p == a.path) {
            out.push(
                label(
                    Diagnostic::new(
                        Code::OutputConflict,
                        format!("`{}` would be generated over {what}", a.path),
                    ),
                    a,
                    "generates this path",
                )
                .file(a.path.clone())
                .help("move the app (its `path`) or the spec so they do not meet"),
            );
        }
        if let Some(first) = by_path.insert(a.path.as_str(), a) {
            out.push(
                label(
                    label(
                        Diagnostic::new(
                            Code::OutputConflict,
                            format!("two generated files would be written to `{}`", a.path),
                        ),
                        a,
                        "generates it",
                    ),
                    first,
                    "and so does this",
                )
                .file(a.path.clone())
                .help(if a.kind == emit::Kind::GitRepo {
                    "GitRepos are named `<app>-<environment>`: rename the app or the environment so no two names meet"
                } else {
                    "give the apps distinct `path`s"
                }),
            );
        }
    }
    let paths: Vec<&str> = by_path.keys().copied().collect();
    for w in paths.windows(2) {
        if w[1].starts_with(&format!("{}/", w[0])) {
            let (a, b) = (by_path[w[0]], by_path[w[1]]);
            out.push(
                Diagnostic::new(
                    Code::OutputConflict,
                    format!(
                        "`{}` would be a file and a directory (for `{}`)",
                        w[0], w[1]
                    ),
                )
                .label(index.nearest(&a.owner), "generates the file")
                .label(index.nearest(&b.owner), "generates a file below it")
                .file(w[0].to_owned())
                .help("give the apps distinct `path`s"),
            );
        }
    }
    for (i, app) in fleet.apps.iter().enumerate() {
        let dir = format!("{}/", app.bundle_dir);
        // Apps of a driven GitRepo may share a directory (their overlays kept apart).
        let own: Vec<Ptr> = fleet
            .apps
            .iter()
            .enumerate()
            .filter(|(j, b)| {
                *j == i || (b.bundle_dir == app.bundle_dir && b.overlays != "overlays")
            })
            .map(|(j, _)| Ptr::item("apps", j).key("name"))
            .collect();
        if let Some(a) = artifacts
            .iter()
            .find(|a| {
                !own.contains(&a.owner) && (app.bundle_dir == "." || a.path.starts_with(&dir))
            })
            .filter(|a| !(app.bundle_dir == "." && a.path.starts_with(emit::MANAGEMENT_DIR)))
        {
            out.push(
                Diagnostic::new(
                    Code::UnsafePath,
                    format!(
                        "`{}` would land inside the bundle directory of app `{}`",
                        a.path, app.name
                    ),
                )
                .label(
                    index.key(&Ptr::item("apps", i).key("path")),
                    "Fleet deploys every file in this directory",
                )
                .label(index.nearest(&a.owner), "generated from here")
                .help("give the app a `path` of its own, away from other generated files"),
            );
        }
    }
    out
}
