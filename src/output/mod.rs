//! Stage 4, output: the only module that touches the output tree.
//!
//! [`survey`] looks at every path once (never following a link, never reading a special file);
//! [`plan`] turns the survey into the writes and removals of a build, refusing before anything is
//! written when a path is taken by something fleetc did not generate; [`apply`] carries a plan
//! out all or nothing; [`check`] compares without writing. [`Lock`] keeps two writers apart.

mod apply;
mod lock;
mod survey;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;
use std::sync::Arc;

pub use apply::{ApplyError, Io, RealIo, apply, apply_with};
pub use lock::{Lock, Mode as LockMode};
pub use survey::{MAX_READ, OnDisk, Previous, Survey, is_safe_relative, survey};

use crate::diagnostic::{Code, Diagnostic};
use crate::emit::{HEADER_PREFIX, header};

/// File listing every generated path, relative to the output root.
pub const MANIFEST: &str = ".fleetc-manifest";

/// Generated files by path relative to the output root, the manifest included. The contents
/// are shared with the artifacts and the plan, never copied.
pub type Tree = BTreeMap<String, Arc<str>>;

/// Where a build writes `path` before renaming it into place: beside it, hidden, and named so
/// that a leftover is recognisably fleetc's.
pub fn temp_path(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.fleetc-tmp"),
        None => format!(".{path}.fleetc-tmp"),
    }
}

/// Adds the manifest to a set of generated files.
pub fn with_manifest(mut files: Tree, spec_name: &str) -> Tree {
    let text = manifest_text(spec_name, files.keys(), &BTreeSet::new());
    files.insert(MANIFEST.to_owned(), text.into());
    files
}

/// The manifest `fleetc import` writes: the existing files the imported spec generates from now
/// on, so that the first build replaces them (they carry no fleetc header yet).
pub fn adoption_manifest(spec_name: &str, paths: &[String]) -> String {
    manifest_text(spec_name, paths.iter(), &BTreeSet::new())
}

fn manifest_text<'a>(
    spec_name: &str,
    paths: impl Iterator<Item = &'a String>,
    pending: &BTreeSet<String>,
) -> String {
    let mut text = header(spec_name);
    text.push_str(
        "# Files fleetc generated; `fleetc build` removes those the spec no longer produces.\n",
    );
    for path in paths {
        if path != MANIFEST {
            text.push_str(path);
            text.push('\n');
        }
    }
    if !pending.is_empty() {
        text.push_str("# A build is writing, or was interrupted: `fleetc build` finishes it.\n");
        for tmp in pending {
            text.push_str("~ ");
            text.push_str(tmp);
            text.push('\n');
        }
    }
    text
}

/// One file to write.
#[derive(Debug, Clone)]
pub struct FileWrite {
    /// Path relative to the output root.
    pub path: String,
    /// New content.
    pub content: Arc<str>,
    /// Content and mode it replaces (for the mode it keeps, and for rollback).
    pub old: Option<(Vec<u8>, u32)>,
}

/// One generated file to remove.
#[derive(Debug, Clone)]
pub struct FileDelete {
    /// Path relative to the output root.
    pub path: String,
    /// Its content and mode, for rollback.
    pub old: (Vec<u8>, u32),
}

/// What `apply` will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to write (new or changed), manifest excluded.
    pub writes: Vec<FileWrite>,
    /// Generated files the spec no longer produces.
    pub deletes: Vec<FileDelete>,
    /// Files already up to date.
    pub unchanged: usize,
    /// Temporary files an interrupted build left behind.
    pub stale_temps: Vec<String>,
    /// Directories that do not exist yet and have to be created.
    pub missing_dirs: BTreeSet<String>,
    /// One existing directory (relative to the root, `""` for the root) on each file system the
    /// writes go to: where a large batch is made durable at once.
    pub filesystems: Vec<String>,
    /// The manifest written before anything else.
    pub intent_manifest: String,
    /// The manifest written last.
    pub manifest: Arc<str>,
    /// Mode the manifest keeps.
    pub manifest_mode: Option<u32>,
    /// The manifest before this build, for rollback.
    pub previous_manifest: Option<(Vec<u8>, u32)>,
    /// Whether the manifest changes.
    pub manifest_changes: bool,
}

impl Plan {
    /// Whether applying changes nothing.
    pub fn is_noop(&self) -> bool {
        self.writes.is_empty()
            && self.deletes.is_empty()
            && self.stale_temps.is_empty()
            && !self.manifest_changes
    }
}

/// Turns a survey into a plan. Fails, having written nothing, when any path is taken by a file
/// fleetc did not generate, by a directory, a FIFO or device, or leads through a symbolic link.
pub fn plan(survey: &Survey, files: &Tree, spec_name: &str) -> Result<Plan, Vec<Diagnostic>> {
    let prev = &survey.previous;
    let mut plan = Plan {
        previous_manifest: prev.manifest.clone(),
        manifest_mode: prev.manifest.as_ref().map(|(_, m)| *m),
        ..Plan::default()
    };
    let mut conflicts = Vec::new();
    // The root's file system first: the manifest is renamed into place there, whatever else
    // the build touches.
    let mut filesystems: BTreeMap<u64, String> = BTreeMap::new();
    if let Some(dev) = survey.root_device {
        filesystems.insert(dev, String::new());
    }
    let owned = |bytes: &[u8], path: &str| is_generated(bytes) || prev.generated.contains(path);
    if let Some(why) = blocked(survey.at(MANIFEST), false) {
        conflicts.push(conflict(MANIFEST, &why));
    }
    for (path, content) in files {
        if path == MANIFEST {
            continue;
        }
        let old = match survey.at(path) {
            OnDisk::Missing => None,
            OnDisk::File { bytes, .. } if bytes == content.as_bytes() => {
                plan.unchanged += 1;
                continue;
            }
            OnDisk::File { bytes, mode } if owned(bytes, path) => Some((bytes.clone(), *mode)),
            OnDisk::File { .. } => {
                conflicts.push(conflict(path, "it exists and has no fleetc header"));
                continue;
            }
            other => {
                let why = blocked(other, true).unwrap_or_default();
                conflicts.push(conflict(path, &why));
                continue;
            }
        };
        let tmp = temp_path(path);
        match survey.at(&tmp) {
            OnDisk::Missing => {}
            OnDisk::File { .. } if prev.pending.contains(&tmp) => {}
            _ => conflicts.push(conflict(
                path,
                &format!("`{tmp}` (where fleetc writes it first) is taken"),
            )),
        }
        // Directories to create: every missing ancestor. The deepest existing one holds the
        // file system the file lands on (a directory fleetc creates is on its parent's).
        let mut dir = String::new();
        let mut on = survey.root_device.map(|dev| (dev, 0));
        let segments: Vec<&str> = path.split('/').collect();
        for seg in &segments[..segments.len() - 1] {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(seg);
            match survey.dirs.get(&dir) {
                Some(&dev) => on = Some((dev, dir.len())),
                None => {
                    plan.missing_dirs.insert(dir.clone());
                }
            }
        }
        if let Some((dev, len)) = on {
            filesystems
                .entry(dev)
                .or_insert_with(|| dir[..len].to_owned());
        }
        plan.writes.push(FileWrite {
            path: path.clone(),
            content: content.clone(),
            old,
        });
    }
    for path in &prev.generated {
        if files.contains_key(path) {
            continue;
        }
        if let OnDisk::File { bytes, mode } = survey.at(path)
            && is_generated(bytes)
        {
            let parent = path.rsplit_once('/').map_or("", |(d, _)| d);
            let dev = if parent.is_empty() {
                survey.root_device
            } else {
                survey.dirs.get(parent).copied()
            };
            if let Some(dev) = dev {
                filesystems.entry(dev).or_insert_with(|| parent.to_owned());
            }
            plan.deletes.push(FileDelete {
                path: path.clone(),
                old: (bytes.clone(), *mode),
            });
        }
    }
    for tmp in &prev.pending {
        if matches!(survey.at(tmp), OnDisk::File { .. }) {
            plan.stale_temps.push(tmp.clone());
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let manifest = files.get(MANIFEST).cloned().unwrap_or_default();
    plan.manifest_changes =
        !matches!(survey.at(MANIFEST), OnDisk::File { bytes, .. } if *bytes == manifest.as_bytes());
    let everything: BTreeSet<&String> = files.keys().chain(&prev.generated).collect();
    let pending: BTreeSet<String> = plan.writes.iter().map(|w| temp_path(&w.path)).collect();
    plan.intent_manifest = manifest_text(spec_name, everything.into_iter(), &pending);
    plan.manifest = manifest;
    plan.filesystems = filesystems.into_values().collect();
    Ok(plan)
}

/// Why a path cannot be written (or, for the manifest, read), if it cannot.
fn blocked(found: &OnDisk, is_target: bool) -> Option<String> {
    match found {
        OnDisk::Missing | OnDisk::File { .. } => None,
        OnDisk::TooLarge => Some(format!(
            "it is larger than {} MiB, which no generated file is",
            MAX_READ >> 20
        )),
        OnDisk::Directory if is_target => Some("a directory is in the way".to_owned()),
        OnDisk::Directory => Some("it is a directory".to_owned()),
        OnDisk::Symlink(at) => Some(format!("`{at}` is a symbolic link")),
        OnDisk::Special => Some("it is a FIFO, socket or device, not a file".to_owned()),
        OnDisk::NotADirectory(at) => Some(format!("`{at}` is a file where a directory is needed")),
        OnDisk::Unreadable(e) => Some(format!("it cannot be read: {e}")),
    }
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
    /// Paths fleetc will not read: links, directories, special or huge files, and why.
    pub blocked: Vec<(String, String)>,
    /// Temporary files an interrupted build left.
    pub leftovers: Vec<String>,
}

impl Drift {
    /// Whether the tree is exactly what the spec produces.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty()
            && self.missing.is_empty()
            && self.unexpected.is_empty()
            && self.blocked.is_empty()
            && self.leftovers.is_empty()
    }
}

/// Compares `files` with the survey, writing nothing.
pub fn check(survey: &Survey, files: &Tree) -> Drift {
    let mut drift = Drift::default();
    for (path, content) in files {
        match survey.at(path) {
            OnDisk::File { bytes, .. } if bytes == content.as_bytes() => {}
            OnDisk::File { bytes, .. } => {
                let old = String::from_utf8_lossy(bytes);
                let diff = similar::TextDiff::from_lines(old.as_ref(), &**content)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string();
                drift.stale.push((path.clone(), diff));
            }
            OnDisk::Missing => drift.missing.push(path.clone()),
            other => drift
                .blocked
                .push((path.clone(), blocked(other, true).unwrap_or_default())),
        }
    }
    for path in &survey.previous.generated {
        if !files.contains_key(path) && matches!(survey.at(path), OnDisk::File { .. }) {
            drift.unexpected.push(path.clone());
        }
    }
    for tmp in &survey.previous.pending {
        if !matches!(survey.at(tmp), OnDisk::Missing) {
            drift.leftovers.push(tmp.clone());
        }
    }
    drift
}

fn is_generated(bytes: &[u8]) -> bool {
    bytes.starts_with(HEADER_PREFIX.as_bytes())
}

/// Writes a file so that readers see either the old or the new content, never a mix. The file
/// gets the mode it had, or 0666 less the umask when it is new.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.{}.fleetc-tmp", std::process::id()));
    let mode = existing_mode(path);
    let _ = std::fs::remove_file(&tmp);
    let result = RealIo
        .create_new(&tmp, bytes, mode)
        .and_then(|()| RealIo.sync(std::slice::from_ref(&tmp), &[]))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_: &Path) -> Option<u32> {
    None
}

fn conflict(path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::OutputConflict, format!("fleetc will not overwrite `{path}`: {why}"))
        .file(path)
        .help("fleetc only replaces files it generated; move this file away, or change the spec so nothing is generated here")
}
