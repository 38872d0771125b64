//! Stage 4, output: the only module that touches the output tree.
//!
//! `plan` compares the generated files with the disk and refuses, before anything is written,
//! to overwrite a file fleetc did not generate; `apply` then writes each file atomically (temp
//! file + rename) and removes generated files the spec no longer produces. `check` compares
//! without writing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{HEADER_PREFIX, header};

/// File listing every generated path, relative to the output root.
pub const MANIFEST: &str = ".fleetc-manifest";

/// Generated files by path relative to the output root, the manifest included.
pub type Tree = BTreeMap<String, String>;

/// Adds the manifest to a set of generated files.
pub fn with_manifest(mut files: Tree, spec_name: &str) -> Tree {
    let mut text = header(spec_name);
    text.push_str(
        "# Files fleetc generated; `fleetc build` removes those the spec no longer produces.\n",
    );
    for path in files.keys() {
        text.push_str(path);
        text.push('\n');
    }
    files.insert(MANIFEST.to_owned(), text);
    files
}

/// What `apply` will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to write (new or changed).
    pub writes: Vec<(String, String)>,
    /// Generated files the spec no longer produces.
    pub deletes: Vec<String>,
    /// Files already up to date.
    pub unchanged: usize,
}

/// Compares `files` with the tree under `root`. Fails, having written nothing, when a path is
/// taken by a file fleetc did not generate or leads through a symbolic link.
pub fn plan(root: &Path, files: &Tree) -> Result<Plan, Vec<Diagnostic>> {
    let previous = previous_manifest(root);
    let mut plan = Plan::default();
    let mut conflicts = Vec::new();
    for (path, content) in files {
        let full = root.join(path);
        if let Some(link) = symlink_on_path(root, path) {
            conflicts.push(conflict(
                path,
                &format!("`{}` is a symbolic link", link.display()),
            ));
            continue;
        }
        match fs::read(&full) {
            Ok(existing) => {
                if existing == content.as_bytes() {
                    plan.unchanged += 1;
                } else if is_generated(&existing) || previous.contains(path) {
                    plan.writes.push((path.clone(), content.clone()));
                } else {
                    conflicts.push(conflict(path, "it exists and has no fleetc header"));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                plan.writes.push((path.clone(), content.clone()))
            }
            Err(_) if full.is_dir() => conflicts.push(conflict(path, "a directory is in the way")),
            Err(e) => conflicts.push(
                Diagnostic::new(Code::OutputConflict, format!("cannot read `{path}`: {e}"))
                    .help("check the file's permissions"),
            ),
        }
    }
    for path in previous {
        if files.contains_key(&path)
            || !is_safe_relative(&path)
            || symlink_on_path(root, &path).is_some()
        {
            continue;
        }
        if fs::read(root.join(&path)).is_ok_and(|b| is_generated(&b)) {
            plan.deletes.push(path);
        }
    }
    if conflicts.is_empty() {
        Ok(plan)
    } else {
        Err(conflicts)
    }
}

/// Carries out a plan: atomic writes, then removals (and directories they leave empty).
pub fn apply(root: &Path, plan: &Plan) -> io::Result<()> {
    for (path, content) in &plan.writes {
        write_atomic(&root.join(path), content.as_bytes())?;
    }
    for path in &plan.deletes {
        let full = root.join(path);
        fs::remove_file(&full)?;
        let mut dir = full.parent();
        while let Some(d) = dir {
            if d == root || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Writes a file so that readers see either the old or the new content, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".fleetc-")
        .tempfile_in(parent)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// How the tree on disk differs from what the spec produces.
#[derive(Debug, Default)]
pub struct Drift {
    /// Files whose content differs: path and unified diff (disk → generated).
    pub stale: Vec<(String, String)>,
    /// Generated files missing from disk.
    pub missing: Vec<String>,
    /// Files the previous build generated that the spec no longer produces.
    pub unexpected: Vec<String>,
}

impl Drift {
    /// Whether the tree is exactly what the spec produces.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Compares `files` with the tree under `root`, writing nothing.
pub fn check(root: &Path, files: &Tree) -> Drift {
    let mut drift = Drift::default();
    for (path, content) in files {
        match fs::read(root.join(path)) {
            Ok(bytes) if bytes == content.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let diff = similar::TextDiff::from_lines(old.as_ref(), content.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string();
                drift.stale.push((path.clone(), diff));
            }
            Err(_) => drift.missing.push(path.clone()),
        }
    }
    for path in previous_manifest(root) {
        if !files.contains_key(&path) && root.join(&path).is_file() {
            drift.unexpected.push(path);
        }
    }
    drift
}

fn is_generated(bytes: &[u8]) -> bool {
    bytes.starts_with(HEADER_PREFIX.as_bytes())
}

fn previous_manifest(root: &Path) -> BTreeSet<String> {
    let Ok(text) = fs::read_to_string(root.join(MANIFEST)) else {
        return BTreeSet::new();
    };
    if !text.starts_with(HEADER_PREFIX) {
        return BTreeSet::new();
    }
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter(|l| is_safe_relative(l))
        .map(str::to_owned)
        .collect()
}

/// A manifest entry must stay inside the root, whoever edited the manifest.
fn is_safe_relative(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != ".." && s != ".")
}

/// The first existing component of `root/path` that is a symbolic link.
fn symlink_on_path(root: &Path, path: &str) -> Option<PathBuf> {
    let mut cur = root.to_path_buf();
    for seg in path.split('/') {
        cur.push(seg);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => return Some(cur),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn conflict(path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::OutputConflict, format!("fleetc will not overwrite `{path}`: {why}"))
        .file(path)
        .help("fleetc only replaces files it generated; move this file away, or change the spec so nothing is generated here")
}
