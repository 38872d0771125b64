//! `.fleetignore` of a directory holding options files of apps of a driven GitRepo: Fleet loads
//! every file of a bundle's directory but `fleet.yaml` and (from 0.13.4) its own options file,
//! so without it each bundle would carry the other options files, and before 0.13.4 its own,
//! as manifests (rancher/fleet-docs gitrepo-content.md, "excluding irrelevant files from
//! user-scanned bundles"; rancher/fleet v0.16.1 internal/bundlereader/resources.go:107-108,
//! v0.13.0 resources.go:100).

use serde_json::Value;

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
        out.push(Artifact {
            path: format!("{}/.fleetignore", app.bundle_dir),
            kind: Kind::FleetIgnore,
            value: Value::Array(names.into_iter().map(Value::from).collect()),
            owner: Ptr::item("apps", i).key("name"),
        });
    }
    out
}
