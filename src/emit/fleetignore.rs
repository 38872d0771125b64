//! `.fleetignore` of a directory holding options files of apps of a driven GitRepo: Fleet loads
//! every file of a bundle's directory but `fleet.yaml` and (from 0.13.4) its own options file,
//! so without it each bundle would carry the other options files, and before 0.13.4 its own,
//! as manifests (rancher/fleet-docs gitrepo-content.md, "excluding irrelevant files from
//! user-scanned bundles"; rancher/fleet v0.16.1 internal/bundlereader/resources.go:107-108,
//! v0.13.0 resources.go:100).

use super::{Artifact, Kind};
use crate::model::Fleet;
use crate::pointer::Ptr;

pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    let mut dirs: Vec<(&str, usize)> = Vec::new();
    let mut out = Vec::new();
    for (i, app) in fleet.apps.iter().enumerate() {
        if app.options_file() == "fleet.yaml" || dirs.iter().any(|(d, _)| *d == app.bundle_dir) {
            continue;
        }
        dirs.push((&app.bundle_dir, i));
        let mut names: Vec<&str> = fleet
            .apps
            .iter()
            .filter(|a| a.bundle_dir == app.bundle_dir && a.options_file() != "fleet.yaml")
            .map(|a| a.options_file())
            .collect();
        names.sort_unstable();
        // Names Fleet matches as globs: fleetc writes only plain names (no `*?[\\`).
        out.push(Artifact::lines(
            format!("{}/.fleetignore", app.bundle_dir),
            Kind::FleetIgnore,
            Ptr::item("apps", i).key("name"),
            &names,
        ));
    }
    out
}
