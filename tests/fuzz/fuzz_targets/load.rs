//! Any bytes as a spec file: decoding, compiling (load, resolve, lint, emit, render), planning
//! the output against an empty directory, and reporting diagnostics in every format must never
//! panic, hang or exhaust memory.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use fleetc::diagnostic::{RenderOptions, Source, render_all};
use fleetc::report::{Paths, gitlab, json};
use libfuzzer_sys::fuzz_target;

/// An empty output root, made once: planning only reads it.
fn root() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch directory")).path()
}

fn report(diags: &[fleetc::diagnostic::Diagnostic], source: &Source) {
    let _ = render_all(diags, source, RenderOptions::PLAIN);
    let paths = Paths { spec: "fleetc.yaml", root: "" };
    let _ = json(diags, source, &paths);
    let _ = gitlab(diags, source, &paths);
}

fuzz_target!(|data: &[u8]| {
    let source = match fleetc::load::decode("fleetc.yaml", data.to_vec()) {
        Ok(source) => source,
        Err(bad) => {
            let (source, diag) = *bad;
            report(&[diag], &source);
            return;
        }
    };
    match fleetc::compile(&source, root()) {
        Ok(compiled) => {
            report(&compiled.warnings, &source);
            let survey = fleetc::output::survey(root(), &compiled.files);
            let _ = fleetc::output::plan(&survey, &compiled.files, &compiled.fleet.spec_name);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed compile reports why");
            report(&diags, &source);
        }
    }
});
