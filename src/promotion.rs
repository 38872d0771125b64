//! What each pinned environment runs: the spec at its revision.
//!
//! An environment's GitRepos pull the commit its last promotion pinned (`releases.yaml`), so
//! Fleet reads the bundle directories at that commit. The GitRepo objects themselves are applied
//! from the branch, yet they decide which apps an environment gets, from which path, on which
//! clusters. So they are built from the spec *at the pinned commit*: fleetc compiles the spec as
//! it was there and takes that environment's GitRepos from it. Adding or removing an app,
//! moving its path, widening or narrowing its targets: none of it reaches a pinned environment
//! before its promote job moves the pin. The branch's settings of the GitRepo objects themselves
//! (repository URL, credentials secret, polling interval) apply at merge.
//!
//! This needs the pinned commits in the clone (`GIT_DEPTH: 0` in CI); their absence is an error,
//! never a silent fallback to the branch, so `build` and `check` give the same tree everywhere.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::load::SpanIndex;
use crate::model::Fleet;
use crate::pointer::Ptr;
use crate::workspace::Workspace;

/// The spec at one pinned revision, compiled.
#[derive(Debug)]
pub struct AtRevision {
    /// The commit.
    pub revision: String,
    /// The spec's text there, named `<spec>@<short commit>` for explanations.
    pub source: Source,
    /// Its spans.
    pub index: SpanIndex,
    /// The fleet it describes. Each environment pinned to this commit has its `revision` set,
    /// so its GitRepos emit exactly as the branch's would.
    pub fleet: Fleet,
}

/// Every pinned environment's compiled spec.
#[derive(Debug, Default)]
pub struct Pinned {
    /// One per distinct pinned commit.
    pub revisions: Vec<AtRevision>,
    /// Environment name → index into `revisions`.
    pub envs: BTreeMap<String, usize>,
}

impl Pinned {
    /// What environment `env` runs, when it is pinned.
    pub fn env(&self, env: &str) -> Option<&AtRevision> {
        self.envs.get(env).map(|&i| &self.revisions[i])
    }
}

/// A commit as messages show it.
pub fn short(rev: &str) -> &str {
    &rev[..12.min(rev.len())]
}

/// Compiles the spec at every environment's pinned revision, with W014 for each pinned
/// environment whose spec used other cluster label keys or another workspace than the branch.
/// `index` is the branch spec's, to point at the environment whose pin cannot be followed.
pub fn compile(
    fleet: &Fleet,
    index: &SpanIndex,
    root: &dyn Workspace,
) -> Result<(Pinned, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut out = Pinned::default();
    let mut by_rev: BTreeMap<&str, usize> = BTreeMap::new();
    let mut diags = Vec::new();
    for (e, env) in fleet.environments.iter().enumerate() {
        let Some(rev) = env.revision.as_deref() else {
            continue;
        };
        let fail = |message: String, label: &str, help: String| {
            Diagnostic::new(Code::PinnedRevision, message)
                .label(
                    index.nearest(&Ptr::item("environments", e).key("name")),
                    label,
                )
                .file(crate::pins::FILE)
                .help(help)
        };
        if let Some(&i) = by_rev.get(rev) {
            out.envs.insert(env.name.clone(), i);
        } else {
            match at_revision(fleet, root, rev) {
                Ok(at) => {
                    by_rev.insert(rev, out.revisions.len());
                    out.envs.insert(env.name.clone(), out.revisions.len());
                    out.revisions.push(at);
                }
                Err(Failure::Missing) => {
                    diags.push(fail(
                        format!(
                            "`{}` is pinned to {}, a commit this clone does not have",
                            env.name,
                            short(rev)
                        ),
                        "its GitRepos are built from the spec at its pinned commit",
                        "fetch the whole history (`git fetch --unshallow`; in CI, `GIT_DEPTH: 0`); a pinned commit that is in no branch at all (typed by hand): remove the entry from releases.yaml, and the environment follows the branch until its next promotion".to_owned(),
                    ));
                    continue;
                }
                Err(Failure::Unreadable(why)) => {
                    diags.push(fail(
                        format!(
                            "`{}` is pinned to {}, which cannot be read: {why}",
                            env.name,
                            short(rev)
                        ),
                        "its GitRepos are built from the spec at its pinned commit",
                        "build inside the Git repository that holds the spec; outside one, remove `revisions` from releases.yaml".to_owned(),
                    ));
                    continue;
                }
                Err(Failure::NoSpec) => {
                    diags.push(fail(
                        format!(
                            "`{}` is pinned to {}, where `{}` does not exist",
                            env.name,
                            short(rev),
                            fleet.spec_name
                        ),
                        "its GitRepos are built from the spec at its pinned commit",
                        format!("fleetc reads the spec there at `{}` relative to the output root, so keep the spec inside the output root; or pin `{}` to a commit that has it: `fleetc pin --environment {} --revision <commit>`", fleet.spec_name, env.name, env.name),
                    ));
                    continue;
                }
                Err(Failure::DoesNotCompile(problems)) => {
                    diags.push(fail(
                        format!(
                            "the spec at {} (`{}`'s pinned commit) does not compile with this fleetc: {}",
                            short(rev),
                            env.name,
                            problems.join("; ")
                        ),
                        "its GitRepos are built from the spec at its pinned commit",
                        format!("pin `{}` by hand to a commit whose spec compiles, e.g. the current one (`fleetc pin --environment {} --revision $(git rev-parse HEAD)`, then `fleetc build`: that promotes the branch to it), or build with the fleetc version that commit was made with", env.name, env.name),
                    ));
                    continue;
                }
            }
        }
        let at = &out.revisions[out.envs[&env.name]];
        if !at.fleet.environments.iter().any(|x| x.name == env.name) {
            diags.push(fail(
                format!(
                    "`{}` is pinned to {}, where the spec has no environment `{}`",
                    env.name,
                    short(rev),
                    env.name
                ),
                "declared here, but not at its pinned commit",
                format!("pin `{}` to a commit that declares it: `fleetc pin --environment {} --revision <commit>`", env.name, env.name),
            ));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // Each environment's GitRepos pull its current pin, not the one recorded at that commit.
    for (name, &i) in &out.envs {
        let rev = fleet
            .environments
            .iter()
            .find(|e| &e.name == name)
            .and_then(|e| e.revision.clone());
        if let Some(env) = out.revisions[i]
            .fleet
            .environments
            .iter_mut()
            .find(|e| &e.name == name)
        {
            env.revision = rev;
        }
    }
    // ClusterGroups and the GitRepos' namespace follow the branch; the pinned GitRepos' own
    // selectors do not. A change to either splits a pinned environment at merge.
    let mut warnings = Vec::new();
    for (e, env) in fleet.environments.iter().enumerate() {
        let Some(at) = out.env(&env.name) else {
            continue;
        };
        let mut changed = Vec::new();
        if at.fleet.label_keys != fleet.label_keys {
            changed.push((
                Ptr::path(&["fleet", "clusterLabels"]),
                "the cluster label keys",
            ));
        }
        if at.fleet.workspace != fleet.workspace {
            changed.push((Ptr::path(&["fleet", "namespace"]), "the Fleet workspace"));
        }
        for (ptr, what) in changed {
            let warning = Diagnostic::new(
                Code::PinnedSpecDiffers,
                format!(
                    "{what} changed since `{}`'s pinned commit {}",
                    env.name,
                    short(&at.revision)
                ),
            )
            .label(index.key(&ptr), "changed here")
            .label(
                index.nearest(&Ptr::item("environments", e).key("name")),
                "its GitRepos still select clusters as they did at that commit",
            )
            .help(format!(
                "promote `{}` right after this change, or keep both until then (for label keys: give the clusters both labels)",
                env.name
            ));
            if !env.acknowledged.contains(&Code::PinnedSpecDiffers) {
                warnings.push(warning);
            }
        }
    }
    Ok((out, warnings))
}

enum Failure {
    /// The clone does not have the commit.
    Missing,
    Unreadable(String),
    NoSpec,
    /// Its errors, each with the line of the spec at that commit.
    DoesNotCompile(Vec<String>),
}

fn at_revision(fleet: &Fleet, root: &dyn Workspace, rev: &str) -> Result<AtRevision, Failure> {
    let unreadable = |e: std::io::Error| Failure::Unreadable(e.to_string());
    let ws = root.at(rev).map_err(|e| {
        if crate::workspace::is_missing_commit(&e) {
            Failure::Missing
        } else {
            unreadable(e)
        }
    })?;
    let text = ws
        .read(&fleet.spec_name)
        .map_err(unreadable)?
        .ok_or(Failure::NoSpec)?;
    let source = Source {
        name: format!("{}@{}", fleet.spec_name, short(rev)),
        text,
    };
    const SHOWN: usize = 5;
    let first = |diags: Vec<Diagnostic>| {
        let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
        let mut shown: Vec<String> = errors
            .iter()
            .take(SHOWN)
            .map(|d| match d.labels.first() {
                Some(l) => format!(
                    "{} {} ({}:{})",
                    d.code.as_str(),
                    d.message,
                    source.name,
                    crate::report::line_col(&source.text, l.span.start).0
                ),
                None => format!("{} {}", d.code.as_str(), d.message),
            })
            .collect();
        if errors.len() > SHOWN {
            shown.push(format!("{} more", errors.len() - SHOWN));
        }
        Failure::DoesNotCompile(shown)
    };
    let loaded = crate::load::load(&source).map_err(first)?;
    if !loaded.errors.is_empty() {
        return Err(first(loaded.errors));
    }
    let pins = crate::pins::read(&ws).map_err(|d| first(vec![d]))?;
    // Compiled against its own tree (bases and charts as they were there).
    let (at, _) = crate::resolve::resolve(&loaded, &source.text, &fleet.spec_name, &ws, &pins)
        .map_err(first)?;
    Ok(AtRevision {
        revision: rev.to_owned(),
        source,
        index: loaded.index,
        fleet: at,
    })
}
