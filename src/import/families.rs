//! Per-environment GitRepos: `<app>-<env>` GitRepos that pull one directory, each for the
//! clusters of its environment only. That is fleetc's own layout for apps without `gitRepo` (one
//! GitRepo per environment, which promotion gates), and a common hand-written one; it becomes one
//! spec app whose GitRepos fleetc writes under the same names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::GitRepoIn;
use super::bundles::Scan;
use super::clusters::Clusters;
use super::scan::Origin;

/// GitRepo settings fleetc writes into every per-environment GitRepo from the `fleet` block.
pub const REPOSITORY_KEYS: &[&str] = &[
    "repo",
    "branch",
    "clientSecretName",
    "pollingInterval",
    "disablePolling",
    "helmSecretName",
    "helmRepoURLRegex",
    "helmSecretNameForPaths",
    "webhookSecret",
    "caBundle",
    "insecureSkipTLSVerify",
    "ociRegistrySecret",
];

/// One app's GitRepos, one per environment.
#[derive(Debug, Clone)]
pub struct Family {
    /// The app's name: the GitRepos' names without `-<env>`.
    pub app: String,
    /// The directory they all pull.
    pub dir: String,
    /// GitRepo index and its environment.
    pub members: Vec<(usize, String)>,
}

impl Family {
    /// Why it cannot be one app, if it cannot: settings only the `fleet` block can give, the
    /// same in every member; no pinned revision; the fleet workspace.
    pub fn problems(&self, gitrepos: &[GitRepoIn], workspace: &str) -> Vec<(String, Origin)> {
        let mut out = Vec::new();
        let first = &gitrepos[self.members[0].0];
        for (i, _) in &self.members {
            let g = &gitrepos[*i];
            for (k, v) in &g.spec {
                let allowed =
                    REPOSITORY_KEYS.contains(&k.as_str()) || k == "paths" || k == "targets";
                if !allowed && !v.is_null() {
                    out.push((
                        format!("per-environment GitRepo `{}` sets `{k}`, which fleetc's per-environment GitRepos take from nowhere", g.name),
                        g.origin.clone(),
                    ));
                }
            }
            // fleetc labels its per-environment GitRepos itself, and with nothing else.
            const OWN: [&str; 3] = [
                crate::model::MANAGED_BY.0,
                crate::model::APP_LABEL,
                crate::model::ENV_LABEL,
            ];
            if let Some(k) = g.labels.keys().find(|k| !OWN.contains(&k.as_str())) {
                out.push((
                    format!("per-environment GitRepo `{}` has label `{k}`, which fleetc's per-environment GitRepos do not carry", g.name),
                    g.origin.clone(),
                ));
            }
            if settings(g) != settings(first) {
                out.push((
                    format!(
                        "per-environment GitRepos `{}` and `{}` pull with different settings, which fleetc's take from one `fleet` block",
                        first.name, g.name
                    ),
                    g.origin.clone(),
                ));
            }
            if g.workspace != workspace {
                out.push((
                    format!(
                        "per-environment GitRepo `{}` is in workspace `{}`, not `{workspace}`",
                        g.name, g.workspace
                    ),
                    g.origin.clone(),
                ));
            }
        }
        out
    }
}

/// The repository settings of a GitRepo, as fleetc's `fleet` block would give them.
pub fn settings(g: &GitRepoIn) -> Map<String, Value> {
    REPOSITORY_KEYS
        .iter()
        .filter_map(|k| {
            let v = g.spec.get(*k)?;
            let empty = v.is_null()
                || v == &Value::Bool(false)
                || v.as_str() == Some("")
                || (*k == "branch" && v.as_str() == Some("master"));
            (!empty).then(|| ((*k).to_owned(), v.clone()))
        })
        .collect()
}

/// The families among `gitrepos`: names `<app>-<env>` for environments of the clusters, one
/// bundle directory each, the same for all, pulled by no other GitRepo. A lone GitRepo counts
/// only with fleetc's own labels saying so (`fleetc.io/environment`), since one GitRepo is as
/// well a shared one.
pub fn find(
    gitrepos: &[GitRepoIn],
    scans: &[Result<Scan, String>],
    pulled_by: &BTreeMap<&str, BTreeSet<usize>>,
    clusters: &Clusters,
) -> Vec<Family> {
    let mut by_app: BTreeMap<(String, String, String), Vec<(usize, String)>> = BTreeMap::new();
    for (i, g) in gitrepos.iter().enumerate() {
        let Ok(scan) = &scans[i] else { continue };
        let [dir] = scan.bundles.as_slice() else {
            continue;
        };
        // The longest environment name that ends the GitRepo's name.
        let env = clusters
            .environments
            .iter()
            .map(|(e, _)| e)
            .filter(|e| g.name.len() > e.len() + 1 && g.name.ends_with(&format!("-{e}")))
            .max_by_key(|e| e.len());
        let Some(env) = env else { continue };
        let app = g.name[..g.name.len() - env.len() - 1].to_owned();
        by_app
            .entry((g.workspace.clone(), app, dir.clone()))
            .or_default()
            .push((i, env.clone()));
    }
    let mut out = Vec::new();
    for ((_, app, dir), members) in by_app {
        let distinct: BTreeSet<&String> = members.iter().map(|(_, e)| e).collect();
        let own = members.len() == 1
            && gitrepos[members[0].0].labels.get(crate::model::ENV_LABEL) == Some(&members[0].1);
        let only_them = pulled_by
            .get(dir.as_str())
            .is_some_and(|p| p.iter().all(|j| members.iter().any(|(i, _)| i == j)));
        if distinct.len() == members.len() && (members.len() > 1 || own) && only_them {
            out.push(Family { app, dir, members });
        }
    }
    out
}
