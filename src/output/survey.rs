//! One survey of the output tree: what is on disk at every path the spec produces and every path
//! the previous build recorded. `plan` (for `build`) and `check` both read it, so they can never
//! disagree about what is there.
//!
//! The survey never follows a symbolic link and never opens anything but a regular file, and it
//! reads at most [`MAX_READ`] bytes of any file: a generated path pointing at `/proc/self/environ`
//! or `/dev/zero` is reported, not read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{MANIFEST, Tree, temp_path};

/// Largest file the survey reads. Generated files are far smaller.
pub const MAX_READ: u64 = 64 << 20;

/// What is on disk at one path, relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing there (and every directory above it is a real directory or missing).
    Missing,
    /// A regular file, with its bytes and permission bits.
    File {
        /// Its content.
        bytes: Vec<u8>,
        /// Its permission bits (`0o644`).
        mode: u32,
    },
    /// A regular file larger than [`MAX_READ`].
    TooLarge,
    /// A directory.
    Directory,
    /// The path, or the directory named here (relative to the root), is a symbolic link.
    Symlink(String),
    /// A FIFO, socket or device.
    Special,
    /// The directory named here (relative to the root) is a file, so nothing can go below it.
    NotADirectory(String),
    /// It could not be inspected.
    Unreadable(String),
}

/// What the previous build recorded in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Previous {
    /// Paths it generated (or was about to, if it was interrupted).
    pub generated: BTreeSet<String>,
    /// Temporary files of a build that was interrupted before it finished.
    pub pending: BTreeSet<String>,
    /// The manifest's own bytes and mode, to restore it if this build has to roll back.
    pub manifest: Option<(Vec<u8>, u32)>,
}

impl Previous {
    /// Whether a build was interrupted after it started writing.
    pub fn interrupted(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// The output tree as found on disk.
#[derive(Debug)]
pub struct Survey {
    /// The output root.
    pub root: PathBuf,
    /// Every generated path, every previously generated path, and their temporary files.
    pub entries: BTreeMap<String, OnDisk>,
    /// The previous manifest.
    pub previous: Previous,
    /// Directories on the surveyed paths that exist as real directories, with the device
    /// (file system) each is on.
    pub dirs: BTreeMap<String, u64>,
    /// The device of the output root itself (`None` when it cannot be read).
    pub root_device: Option<u64>,
}

impl Survey {
    /// What is at `path` (which must have been surveyed).
    pub fn at(&self, path: &str) -> &OnDisk {
        self.entries.get(path).unwrap_or(&OnDisk::Missing)
    }
}

/// Surveys the output root for the tree `files`.
pub fn survey(root: &Path, files: &Tree) -> Survey {
    let mut walker = Walker {
        root,
        dirs: HashMap::new(),
    };
    let manifest = walker.inspect(MANIFEST);
    let previous = match &manifest {
        OnDisk::File { bytes, mode } => parse_manifest(bytes, *mode),
        _ => Previous::default(),
    };
    let paths: Vec<&String> = files
        .keys()
        .chain(&previous.generated)
        .chain(&previous.pending)
        .filter(|p| p.as_str() != MANIFEST)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Every directory first, once each; then the files, which are independent, on every core.
    for p in &paths {
        if let Some((parent, _)) = p.rsplit_once('/') {
            walker.dir(parent);
        }
    }
    let walker = walker;
    let inspect = |path: &str| {
        let found = walker.inspect_file(path);
        // Where this build would put its temporary file, unless the file is already what the
        // spec produces (then nothing is written there).
        let tmp = match (&found, files.get(path)) {
            (OnDisk::File { bytes, .. }, Some(new)) if bytes == new.as_bytes() => None,
            (_, Some(_)) => {
                let tmp = temp_path(path);
                let at = walker.inspect_file(&tmp);
                Some((tmp, at))
            }
            (_, None) => None,
        };
        (found, tmp)
    };
    let found = crate::parallel::map(paths.len(), crate::parallel::FILES_FROM, |k| {
        inspect(paths[k].as_str())
    });
    let mut entries = BTreeMap::new();
    entries.insert(MANIFEST.to_owned(), manifest);
    for (path, (at, tmp)) in paths.iter().zip(found) {
        entries.insert((*path).clone(), at);
        if let Some((tmp, at)) = tmp {
            entries.entry(tmp).or_insert(at);
        }
    }
    let dirs = walker
        .dirs
        .into_iter()
        .filter_map(|(d, state)| match state {
            Dir::Real(dev) => Some((d, dev)),
            _ => None,
        })
        .collect();
    let root_device = fs::metadata(root).ok().map(|m| device_of(&m));
    Survey {
        root: root.to_path_buf(),
        entries,
        previous,
        dirs,
        root_device,
    }
}

/// The state of a directory on the way to a file.
#[derive(Clone)]
enum Dir {
    /// A directory, on this device.
    Real(u64),
    Missing,
    Blocked(OnDisk),
}

struct Walker<'a> {
    root: &'a Path,
    /// Directories already looked at, so each is checked once however many files it holds.
    dirs: HashMap<String, Dir>,
}

impl Walker<'_> {
    fn inspect(&mut self, path: &str) -> OnDisk {
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.dir(parent);
        }
        self.inspect_file(path)
    }

    /// What is at `path`, whose parent directory [`Walker::dir`] has looked at already.
    fn inspect_file(&self, path: &str) -> OnDisk {
        if let Some((parent, _)) = path.rsplit_once('/') {
            match self.dirs.get(parent) {
                Some(Dir::Real(_)) => {}
                Some(Dir::Missing) | None => return OnDisk::Missing,
                Some(Dir::Blocked(why)) => return why.clone(),
            }
        }
        let full = self.root.join(path);
        match fs::symlink_metadata(&full) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => OnDisk::Missing,
            Err(e) => OnDisk::Unreadable(e.to_string()),
            Ok(m) if m.file_type().is_symlink() => OnDisk::Symlink(path.to_owned()),
            Ok(m) if m.is_dir() => OnDisk::Directory,
            Ok(m) if !m.is_file() => OnDisk::Special,
            Ok(m) if m.len() > MAX_READ => OnDisk::TooLarge,
            Ok(m) => read_regular(&full, mode_of(&m)),
        }
    }

    fn dir(&mut self, rel: &str) -> Dir {
        if let Some(d) = self.dirs.get(rel) {
            return d.clone();
        }
        let state = match rel.rsplit_once('/').map(|(p, _)| self.dir(p)) {
            Some(Dir::Missing) => Dir::Missing,
            Some(blocked @ Dir::Blocked(_)) => blocked,
            Some(Dir::Real(_)) | None => match fs::symlink_metadata(self.root.join(rel)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Dir::Missing,
                Err(e) => Dir::Blocked(OnDisk::Unreadable(e.to_string())),
                Ok(m) if m.file_type().is_symlink() => {
                    Dir::Blocked(OnDisk::Symlink(rel.to_owned()))
                }
                Ok(m) if m.is_dir() => Dir::Real(device_of(&m)),
                Ok(_) => Dir::Blocked(OnDisk::NotADirectory(rel.to_owned())),
            },
        };
        self.dirs.insert(rel.to_owned(), state.clone());
        state
    }
}

/// Reads a file that `lstat` just reported as regular, refusing anything that is no longer one.
fn read_regular(path: &Path, mode: u32) -> OnDisk {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return OnDisk::Unreadable(e.to_string()),
    };
    match file.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(_) => return OnDisk::Special,
        Err(e) => return OnDisk::Unreadable(e.to_string()),
    }
    let mut bytes = Vec::new();
    match file.take(MAX_READ + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > MAX_READ => OnDisk::TooLarge,
        Ok(_) => OnDisk::File { bytes, mode },
        Err(e) => OnDisk::Unreadable(e.to_string()),
    }
}

#[cfg(unix)]
fn mode_of(m: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(unix)]
fn device_of(m: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.dev()
}

#[cfg(not(unix))]
fn device_of(_: &fs::Metadata) -> u64 {
    0
}

#[cfg(not(unix))]
fn mode_of(_: &fs::Metadata) -> u32 {
    0o644
}

/// Reads the manifest: generated paths, and `~ <path>` lines for the temporary files of a build
/// that had not finished. Entries that could leave the root are dropped, whoever wrote them.
fn parse_manifest(bytes: &[u8], mode: u32) -> Previous {
    let mut prev = Previous {
        manifest: Some((bytes.to_vec(), mode)),
        ..Previous::default()
    };
    if !bytes.starts_with(crate::emit::HEADER_PREFIX.as_bytes()) {
        return prev;
    }
    let text = String::from_utf8_lossy(bytes);
    let mut temps = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        match line.strip_prefix("~ ") {
            Some(tmp) if is_safe_relative(tmp) => temps.push(tmp.to_owned()),
            Some(_) => {}
            None if is_safe_relative(line) => {
                prev.generated.insert(line.to_owned());
            }
            None => {}
        }
    }
    // A `~` line names a file a build removes: only ever the temporary file of a path the same
    // manifest lists, whoever edited it.
    for tmp in temps {
        if target_of(&tmp).is_some_and(|p| prev.generated.contains(&p)) {
            prev.pending.insert(tmp);
        }
    }
    prev
}

/// The path whose temporary file `tmp` is (`a/.b.fleetc-tmp` → `a/b`), if it is one.
fn target_of(tmp: &str) -> Option<String> {
    let (dir, name) = match tmp.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, tmp),
    };
    let inner = name.strip_prefix('.')?.strip_suffix(".fleetc-tmp")?;
    if inner.is_empty() {
        return None;
    }
    Some(match dir {
        Some(d) => format!("{d}/{inner}"),
        None => inner.to_owned(),
    })
}

/// A manifest entry must stay inside the root, whoever edited the manifest.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != ".." && s != ".")
}
