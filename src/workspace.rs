//! The files the compiler reads besides the spec: kustomize bases and local charts (to confirm
//! they exist) and the release pins. Either the working tree, or a Git revision read through
//! `git` without a checkout (for `fleetc diff --base`).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Read-only access to the output root.
pub trait Workspace {
    /// Whether `rel` (relative to the output root, `/`-separated) is a file.
    fn is_file(&self, rel: &str) -> bool;
    /// The content of `rel`, or `None` if there is no such file.
    fn read(&self, rel: &str) -> io::Result<Option<String>>;
}

/// The working tree.
pub struct Disk(pub PathBuf);

impl Workspace for Disk {
    fn is_file(&self, rel: &str) -> bool {
        self.0.join(rel).is_file()
    }

    fn read(&self, rel: &str) -> io::Result<Option<String>> {
        match std::fs::read_to_string(self.0.join(rel)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The tree of a Git revision.
pub struct GitRevision {
    /// The repository's top-level directory.
    pub repo: PathBuf,
    /// The revision, e.g. `origin/main` or a commit SHA.
    pub rev: String,
    /// The output root relative to the repository root (`""` at the root).
    pub prefix: String,
}

impl GitRevision {
    fn object(&self, rel: &str) -> String {
        let rel = rel.trim_start_matches("./");
        if self.prefix.is_empty() {
            format!("{}:{rel}", self.rev)
        } else {
            format!("{}:{}/{rel}", self.rev, self.prefix)
        }
    }

    /// The object's type (`blob`, `tree`), or `None` when it does not exist.
    fn kind(&self, rel: &str) -> Option<String> {
        let out = Command::new("git")
            .args(["cat-file", "-t", &self.object(rel)])
            .current_dir(&self.repo)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

impl Workspace for GitRevision {
    fn is_file(&self, rel: &str) -> bool {
        self.kind(rel).as_deref() == Some("blob")
    }

    fn read(&self, rel: &str) -> io::Result<Option<String>> {
        if !self.is_file(rel) {
            return Ok(None);
        }
        let out = Command::new("git")
            .args(["cat-file", "blob", &self.object(rel)])
            .current_dir(&self.repo)
            .output()?;
        if !out.status.success() {
            return Err(io::Error::other(
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        String::from_utf8(out.stdout)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// The top-level directory of the Git repository holding `dir`.
pub fn git_toplevel(dir: &Path) -> io::Result<PathBuf> {
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "{} is not inside a Git repository",
            dir.display()
        )));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Whether commit `old` is an ancestor of (or equal to) commit `new` in the repository holding
/// `dir`. `Err` when git cannot tell (a commit is missing, as in a shallow clone).
pub fn is_ancestor(dir: &Path, old: &str, new: &str) -> io::Result<bool> {
    let status = Command::new("git")
        .args(["merge-base", "--is-ancestor", old, new])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .status()?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(io::Error::other(format!(
            "git cannot compare {old} and {new} (is the clone shallow? fetch with GIT_DEPTH 0)"
        ))),
    }
}
