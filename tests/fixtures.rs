//! Fixture-driven snapshots: every spec under `tests/fixtures/ok` compiles to the snapshotted
//! tree; every spec under `tests/fixtures/err` renders the snapshotted diagnostics.

use std::collections::BTreeSet;

use fleetc::codes::Code;
use fleetc::diagnostic::{RenderOptions, render_all};

use crate::common;

#[test]
fn ok_fixtures_compile_to_their_snapshots() {
    common::insta_settings().bind(|| {
        insta::glob!("fixtures/ok/*/fleetc.yaml", |path| {
            let dir = path.parent().unwrap();
            let compiled =
                common::compile(dir).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
            assert!(
                compiled.warnings.is_empty(),
                "ok fixtures compile without warnings: {:?}",
                compiled.warnings
            );
            insta::assert_snapshot!(common::tree_text(&compiled.files));
        });
    });
}

#[test]
fn err_fixtures_render_their_diagnostics() {
    common::insta_settings().bind(|| {
        insta::glob!("fixtures/err/*/fleetc.yaml", |path| {
            let dir = path.parent().unwrap();
            let src = common::source(path);
            let rendered = match fleetc::compile(&src, dir) {
                Err(diags) => render_all(&diags, &src, RenderOptions::PLAIN),
                Ok(c) if !c.warnings.is_empty() => {
                    render_all(&c.warnings, &src, RenderOptions::PLAIN)
                }
                Ok(_) => panic!("{} compiled cleanly", path.display()),
            };
            insta::assert_snapshot!(rendered);
        });
    });
}

/// Every fixture directory holds a `fleetc.yaml`: a misnamed spec would silently drop out of
/// the globs above.
#[test]
fn no_fixture_directory_lacks_its_spec() {
    for kind in ["ok", "err"] {
        let dir = common::repo().join("tests/fixtures").join(kind);
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            assert!(
                path.join("fleetc.yaml").is_file(),
                "{} has no fleetc.yaml",
                path.display()
            );
            checked += 1;
        }
        assert!(checked > 0, "no fixture under {}", dir.display());
    }
}

/// `fleetc build` on each err fixture: an error code writes nothing and exits 1, a warning
/// code writes the tree and exits 0, whatever else the fixture holds.
#[test]
fn errors_stop_the_build_and_warnings_do_not() {
    let dir = common::repo().join("tests/fixtures/err");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        common::copy_dir(&path, tmp.path());
        let before = common::snapshot(tmp.path());
        // The fixture's own code, e.g. `fleetc::E003` for `E003-unknown-key`.
        let code = format!("fleetc::{}", &name[..4]);
        let build = common::fleetc(&["build"], tmp.path()).stderr_has(&code);
        if name.starts_with('E') {
            build.code(1).run();
            assert_eq!(common::snapshot(tmp.path()), before, "{name} wrote files");
        } else {
            build.stderr_has("files written").run();
            assert!(tmp.path().join(".fleetc-manifest").is_file(), "{name}");
        }
        checked += 1;
    }
    assert!(checked > 0, "no err fixture under {}", dir.display());
}

/// Each err fixture is named after the code it demonstrates, and every code but those about
/// the output tree (E021 conflicts, E027 stale files: tested in `cli`) and W014 (Git history)
/// has one.
#[test]
fn every_code_has_an_err_fixture_that_reports_it() {
    let dir = common::repo().join("tests/fixtures/err");
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let code = Code::parse(&name[..4])
            .unwrap_or_else(|| panic!("fixture {name} is not named after a code"));
        let src = common::source(&path.join("fleetc.yaml"));
        // An error fails compilation; a warning never does.
        let is_error = code.as_str().starts_with('E');
        assert_eq!(
            code.severity() == fleetc::diagnostic::Severity::Error,
            is_error,
            "{name}"
        );
        let diags = match (fleetc::compile(&src, &path), is_error) {
            (Err(d), true) => d,
            (Ok(c), false) => c.warnings,
            (Err(d), false) => panic!("{name}: a warning fixture fails: {d:#?}"),
            (Ok(c), true) => panic!("{name}: an error fixture compiles: {:#?}", c.warnings),
        };
        assert!(
            diags.iter().any(|d| d.code == code),
            "fixture {name} does not report {}: {diags:#?}",
            code.as_str()
        );
        for d in &diags {
            assert!(
                !d.labels.is_empty() || d.code == Code::InputLimit,
                "{name}: {} has no label",
                d.code.as_str()
            );
            assert!(d.help.is_some(), "{name}: {} has no help", d.code.as_str());
        }
        covered.insert(code);
    }
    for code in Code::ALL {
        // W014 needs a pinned commit in a Git history: `daily` tests it.
        if !matches!(
            code,
            Code::OutputConflict | Code::StaleOutput | Code::PinnedSpecDiffers
            // `fleetc import` reports these about the original repository: tests/import.rs.
            | Code::KeptVerbatim | Code::ImportLeft | Code::ImportDropped
        ) {
            assert!(
                covered.contains(code),
                "no err fixture for {}",
                code.as_str()
            );
        }
    }
}
