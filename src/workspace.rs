//! The files the compiler reads besides the spec: kustomize bases and local charts (to confirm
//! they exist) and the release pins. Either the working tree, or a Git revision read through
//! `git` without a checkout (for `fleetc diff --base`, and for the spec each pinned environment
//! runs).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Read-only access to the output root.
pub trait Workspace {
    /// Whether `rel` (relative to the output root, `/`-separated) is a file.
    fn is_file(&self, rel: &str) -> bool;
    /// The content of `rel`, or `None` if there is no such file.
    fn read(&self, rel: &str) -> io::Result<Option<String>>;
    /// The same output root at another revision of its Git repository.
    fn at(&self, rev: &str) -> io::Result<GitRevision>;
    /// Every file under directory `dir` (relative to the output root), as paths relative to
    /// `dir`, sorted; links are not followed.
    fn files_under(&self, dir: &str) -> Vec<String>;
}

/// How many files [`Workspace::files_under`] lists at most: a bundle directory is bounded by
/// Fleet's bundle size anyway.
const MAX_LISTED: usize = 100_000;

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

    fn at(&self, rev: &str) -> io::Result<GitRevision> {
        GitRevision::open(&self.0, rev)
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![(self.0.join(dir), String::new())];
        while let Some((path, rel)) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let sub = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                match e.file_type() {
                    Ok(t) if t.is_dir() => todo.push((e.path(), sub)),
                    Ok(t) if t.is_file() && out.len() < MAX_LISTED => out.push(sub),
                    _ => {}
                }
            }
        }
        out.sort();
        out
    }
}

/// The tree of a Git revision.
pub struct GitRevision {
    /// The repository's top-level directory.
    repo: PathBuf,
    /// The revision, e.g. `origin/main` or a commit SHA.
    rev: String,
    /// The output root relative to the repository root (`""` at the root).
    prefix: String,
    /// Every file under the output root at the revision (relative to it), listed once with one
    /// `git ls-tree` rather than one `git` process per question.
    files: std::sync::OnceLock<Result<std::collections::HashSet<String>, String>>,
}

/// The error of [`GitRevision::open`] when the clone does not have the commit (as opposed to
/// Git failing, or the directory not being in a repository).
#[derive(Debug)]
pub struct MissingCommit(String);

impl std::fmt::Display for MissingCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MissingCommit {}

/// Whether `e` says that the clone lacks a commit.
pub fn is_missing_commit(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<MissingCommit>())
}

impl GitRevision {
    /// The output root `root` (a directory of a Git working tree) at revision `rev`. `Err` when
    /// `root` is not in a Git repository, or (a [`MissingCommit`]) the clone does not have the
    /// commit.
    pub fn open(root: &Path, rev: &str) -> io::Result<GitRevision> {
        let root = root.canonicalize()?;
        let repo = git_toplevel(&root)?.canonicalize()?;
        let prefix = root
            .strip_prefix(&repo)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        GitRevision::new(repo, rev, prefix)
    }

    fn new(repo: PathBuf, rev: &str, prefix: String) -> io::Result<GitRevision> {
        let ws = GitRevision {
            repo,
            rev: rev.to_owned(),
            prefix,
            files: std::sync::OnceLock::new(),
        };
        ws.check()?;
        Ok(ws)
    }

    /// `Err` unless the revision names a commit this clone has.
    fn check(&self) -> io::Result<()> {
        let out = Command::new("git")
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{}^{{commit}}", self.rev),
            ])
            .current_dir(&self.repo)
            .output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                MissingCommit(format!(
                    "`{}` is not a commit of {} (a shallow clone lacks older commits: fetch with GIT_DEPTH 0)",
                    self.rev,
                    self.repo.display()
                )),
            ))
        }
    }

    fn object(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            format!("{}:{rel}", self.rev)
        } else {
            format!("{}:{}/{rel}", self.rev, self.prefix)
        }
    }

    fn files(&self) -> io::Result<&std::collections::HashSet<String>> {
        let listed = self.files.get_or_init(|| {
            let mut cmd = Command::new("git");
            cmd.args([
                "ls-tree",
                "-r",
                "-z",
                "--name-only",
                "--full-tree",
                &self.rev,
            ]);
            if !self.prefix.is_empty() {
                cmd.args(["--", &self.prefix]);
            }
            let out = cmd
                .current_dir(&self.repo)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
            }
            let under = if self.prefix.is_empty() {
                String::new()
            } else {
                format!("{}/", self.prefix)
            };
            Ok(out
                .stdout
                .split(|&b| b == 0)
                .filter_map(|p| std::str::from_utf8(p).ok())
                .filter_map(|p| p.strip_prefix(under.as_str()))
                .map(str::to_owned)
                .collect())
        });
        listed.as_ref().map_err(|e| io::Error::other(e.clone()))
    }
}

impl Workspace for GitRevision {
    fn is_file(&self, rel: &str) -> bool {
        let rel = rel.trim_start_matches("./");
        self.files().is_ok_and(|f| f.contains(rel))
    }

    fn read(&self, rel: &str) -> io::Result<Option<String>> {
        let rel = rel.trim_start_matches("./");
        if !self.files()?.contains(rel) {
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

    fn at(&self, rev: &str) -> io::Result<GitRevision> {
        GitRevision::new(self.repo.clone(), rev, self.prefix.clone())
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        let under = format!("{}/", dir.trim_end_matches('/'));
        let mut out: Vec<String> = self
            .files()
            .into_iter()
            .flatten()
            .filter_map(|f| f.strip_prefix(under.as_str()))
            .take(MAX_LISTED)
            .map(str::to_owned)
            .collect();
        out.sort();
        out
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
