//! fleetc compiles one fleet spec (`fleetc.yaml`) into every GitOps artifact of a fleet.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`load`] (text → typed spec + spans) → [`resolve`] (→ validated [`model::Fleet`]) →
//! [`lint`] (→ warnings) → [`emit`] (→ artifacts) → [`output`] (→ files on disk, or a comparison with them).
//! See ARCHITECTURE.md.

pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod fleet_names;
pub mod lint;
pub mod load;
pub mod model;
pub mod output;
pub mod pins;
pub mod report;
pub mod resolve;
mod run;
pub mod schema;
pub mod spec;
pub mod suggest;
pub mod workspace;

use std::path::Path;

pub use run::run;

use diagnostic::{Diagnostic, Source};

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
}

/// Compiles spec text. `root` is the output root that paths in the spec are relative to; it is
/// only read (to confirm that kustomize bases and local charts exist, and for release pins).
pub fn compile(source: &Source, root: &Path) -> Result<Compiled, Vec<Diagnostic>> {
    compile_in(source, &workspace::Disk(root.to_path_buf()))
}

/// Compiles spec text against any view of the output root (the working tree, a Git revision).
pub fn compile_in(
    source: &Source,
    root: &dyn workspace::Workspace,
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
    warnings.extend(lint::lint(&fleet, &loaded.index));
    diagnostic::sort(&mut warnings);
    let artifacts = emit::emit(&fleet);
    let files = artifacts
        .iter()
        .map(|a| (a.path.clone(), emit::render(a, &fleet.spec_name)))
        .collect();
    let files = output::with_manifest(files, &fleet.spec_name);
    Ok(Compiled {
        fleet,
        artifacts,
        files,
        warnings,
        index: loaded.index,
    })
}
