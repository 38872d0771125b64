//! Carrying out a plan: all or nothing.
//!
//! Order: the manifest is first rewritten to name every path this build may leave behind (old
//! and new files, and its temporary files, as `~` lines), then every temporary file is written,
//! then all are renamed into place, stale files removed, and the final manifest renamed into
//! place last. A crash at any point leaves a manifest from which the next build finishes the job:
//! it removes the temporary files and the files the spec no longer produces, and `check`
//! reports the interrupted state. A failure while writing (disk full, permission denied) rolls
//! back every change this run made before returning the error.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{MANIFEST, Plan, temp_path};

/// The file-system operations a build performs; tests substitute one that fails on purpose.
pub trait Io {
    /// Creates a new file (never replacing one) with `bytes` and permission bits `mode`.
    fn create_new(&mut self, path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()>;
    /// Renames `from` onto `to`, replacing `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
    /// Creates one directory.
    fn create_dir(&mut self, path: &Path) -> io::Result<()>;
    /// Whether independent operations may run on several threads, each with its own
    /// [`RealIo`]: only the real file system says yes (a fault injector counts operations in
    /// order).
    fn concurrent(&self) -> bool {
        false
    }
    /// Makes these files (or directories: their entries) durable. `filesystems` names a
    /// directory on each file system that holds them, or is empty; an implementation may flush
    /// those whole file systems instead of the files one by one.
    fn sync(&mut self, paths: &[PathBuf], filesystems: &[PathBuf]) -> io::Result<()>;
}

/// The real file system.
pub struct RealIo;

/// Threads that flush files at once.
const SYNC_THREADS: usize = 16;

/// From this many files on, a build flushes their file systems (`syncfs`, Linux) rather than
/// each file: one call instead of an open, fsync and close per file, which were half of a large
/// build's system time on ext4 (BENCHMARKS.md). Below it, flushing only fleetc's own files
/// spares a small build waiting for other programs' unwritten data on the same disk.
pub const SYNCFS_FROM: usize = 64;

impl Io for RealIo {
    fn concurrent(&self) -> bool {
        true
    }

    fn create_new(&mut self, path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        let mut f = opts.open(path)?;
        let written = f.write_all(bytes).and_then(|()| {
            // Keep a mode at least as wide as the file had; new files get 0666 less the umask.
            #[cfg(unix)]
            if let Some(mode) = mode {
                use std::os::unix::fs::PermissionsExt;
                f.set_permissions(fs::Permissions::from_mode(mode))?;
            }
            #[cfg(not(unix))]
            let _ = mode;
            Ok(())
        });
        if written.is_err() {
            // Half written (disk full): gone, so that a rollback leaves nothing behind.
            drop(f);
            let _ = fs::remove_file(path);
        }
        written
    }

    /// fsync one by one costs a disk flush per file (seconds for thousands of files); the
    /// flushes of many threads overlap and the journal commits them together. Large batches
    /// flush their file systems at once instead.
    fn sync(&mut self, paths: &[PathBuf], filesystems: &[PathBuf]) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        if paths.len() >= SYNCFS_FROM
            && !filesystems.is_empty()
            && let Some(flushed) = syncfs(filesystems)
        {
            return flushed;
        }
        #[cfg(not(target_os = "linux"))]
        let _ = filesystems;
        let flush = |k: usize| fs::File::open(&paths[k]).and_then(|f| f.sync_all());
        match crate::parallel::try_each_on(SYNC_THREADS.min(paths.len()), paths.len(), flush) {
            (_, Some(e)) => Err(e),
            (_, None) => Ok(()),
        }
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        fs::create_dir(path)
    }
}

/// Flushes the file systems holding `dirs` with `syncfs`, or `None` where that would not tell
/// of a failed write as an fsync of each file does: before Linux 5.8 syncfs did not report
/// write-back errors (since then it reports those its file descriptor has not seen, and a fresh
/// descriptor has seen none: errseq), and FUSE file systems other than virtiofs do not pass it to
/// their server.
#[cfg(target_os = "linux")]
fn syncfs(dirs: &[PathBuf]) -> Option<io::Result<()>> {
    const FUSE_SUPER_MAGIC: u64 = 0x6573_5546;
    static REPORTS_ERRORS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let reports = *REPORTS_ERRORS.get_or_init(|| {
        let uname = rustix::system::uname();
        let release = uname.release().to_string_lossy();
        let mut parts = release.split(|c: char| !c.is_ascii_digit());
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        (major, minor) >= (5, 8)
    });
    if !reports {
        return None;
    }
    let mut opened = Vec::with_capacity(dirs.len());
    for d in dirs {
        match fs::File::open(d) {
            Ok(f) => opened.push(f),
            Err(e) => return Some(Err(e)),
        }
    }
    #[allow(clippy::unnecessary_cast)] // `f_type` is narrower on some targets
    let fuse = opened
        .iter()
        .any(|f| rustix::fs::fstatfs(f).map_or(true, |s| s.f_type as u64 == FUSE_SUPER_MAGIC));
    if fuse {
        return None;
    }
    Some(
        opened
            .iter()
            .try_for_each(|f| rustix::fs::syncfs(f).map_err(io::Error::from)),
    )
}

/// What went wrong, and whether the tree is back as it was.
#[derive(Debug)]
pub struct ApplyError {
    /// The path being written or removed.
    pub path: String,
    /// The error.
    pub error: io::Error,
    /// Paths the rollback could not restore (empty: the tree is as before the build).
    pub unrestored: Vec<String>,
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write `{}`: {}; ", self.path, self.error)?;
        if self.unrestored.is_empty() {
            f.write_str("every change of this build was rolled back")
        } else {
            write!(
                f,
                "the rollback could not restore {}",
                self.unrestored.join(", ")
            )
        }
    }
}

/// One change made so far, to undo.
enum Done {
    Dir(PathBuf),
    Temp(PathBuf),
    /// `plan.writes[k]` is in place (indices, so no content is copied to remember it).
    Placed(usize),
    /// `plan.deletes[k]` is removed.
    Removed(usize),
    Manifest,
}

/// Carries out `plan` under `root` with the real file system.
pub fn apply(root: &Path, plan: &Plan) -> Result<(), ApplyError> {
    apply_with(root, plan, &mut RealIo)
}

/// Carries out `plan` with `io`; on failure undoes what it did.
pub fn apply_with(root: &Path, plan: &Plan, io: &mut dyn Io) -> Result<(), ApplyError> {
    if plan.is_noop() {
        return Ok(());
    }
    let mut done: Vec<Done> = Vec::new();
    let result = run(root, plan, io, &mut done);
    match result {
        Ok(()) => {
            sync_dirs(root, plan);
            Ok(())
        }
        Err((path, error)) => {
            let unrestored = rollback(root, plan, io, done);
            Err(ApplyError {
                path,
                error,
                unrestored,
            })
        }
    }
}

type Step = Result<(), (String, io::Error)>;

fn run(root: &Path, plan: &Plan, io: &mut dyn Io, done: &mut Vec<Done>) -> Step {
    let at = |p: &str| root.join(p);
    let fail = |p: &str| {
        let p = p.to_owned();
        move |e| (p, e)
    };
    // Temporary files of an interrupted build.
    for tmp in &plan.stale_temps {
        io.remove_file(&at(tmp)).map_err(fail(tmp))?;
    }
    replace(root, MANIFEST, &plan.intent_manifest, io, plan).map_err(fail(MANIFEST))?;
    done.push(Done::Manifest);
    // Parents before children: a directory sorts before everything below it.
    for dir in &plan.missing_dirs {
        io.create_dir(&at(dir)).map_err(fail(dir))?;
        done.push(Done::Dir(at(dir)));
    }
    let (written, failed) = each(plan.writes.len(), io, &|io, k| {
        let w = &plan.writes[k];
        let mode = w.old.as_ref().map(|(_, m)| *m);
        io.create_new(&at(&temp_path(&w.path)), w.content.as_bytes(), mode)
            .map_err(fail(&w.path))
    });
    done.extend(
        written
            .into_iter()
            .map(|k| Done::Temp(at(&temp_path(&plan.writes[k].path)))),
    );
    if let Some(e) = failed {
        return Err(e);
    }
    // Durable before any of them replaces a file: a crash then leaves whole old or whole new files.
    let temps: Vec<PathBuf> = plan
        .writes
        .iter()
        .map(|w| at(&temp_path(&w.path)))
        .collect();
    let filesystems: Vec<PathBuf> = plan.filesystems.iter().map(|d| at(d)).collect();
    io.sync(&temps, &filesystems)
        .map_err(fail("(flushing the new files)"))?;
    // (A placed file's temporary file is gone; rolling back finds it missing, which is fine.)
    let (placed, failed) = each(plan.writes.len(), io, &|io, k| {
        let w = &plan.writes[k];
        io.rename(&at(&temp_path(&w.path)), &at(&w.path))
            .map_err(fail(&w.path))
    });
    done.extend(placed.into_iter().map(Done::Placed));
    if let Some(e) = failed {
        return Err(e);
    }
    for (k, d) in plan.deletes.iter().enumerate() {
        io.remove_file(&at(&d.path)).map_err(fail(&d.path))?;
        done.push(Done::Removed(k));
    }
    replace(root, MANIFEST, &plan.manifest, io, plan).map_err(fail(MANIFEST))?;
    for d in &plan.deletes {
        remove_empty_dirs(root, &d.path);
    }
    Ok(())
}

/// Runs `op` on `0..n` in order with `io`, or, on the real file system, on every core (from
/// [`crate::parallel::FILES_FROM`] files). Returns the indices done and the first failure.
fn each(
    n: usize,
    io: &mut dyn Io,
    op: &(dyn Fn(&mut dyn Io, usize) -> Step + Sync),
) -> (Vec<usize>, Option<(String, io::Error)>) {
    if io.concurrent() {
        crate::parallel::try_each(n, crate::parallel::FILES_FROM, |k| op(&mut RealIo, k))
    } else {
        let mut done = Vec::with_capacity(n);
        for k in 0..n {
            if let Err(e) = op(io, k) {
                return (done, Some(e));
            }
            done.push(k);
        }
        (done, None)
    }
}

/// Writes `path` through its temporary file and a rename.
fn replace(root: &Path, path: &str, content: &str, io: &mut dyn Io, plan: &Plan) -> io::Result<()> {
    let tmp = root.join(temp_path(path));
    // A crashed build may have left it; it is fleetc's own temporary name.
    let _ = fs::remove_file(&tmp);
    io.create_new(&tmp, content.as_bytes(), plan.manifest_mode)?;
    let placed = io
        .sync(std::slice::from_ref(&tmp), &[])
        .and_then(|()| io.rename(&tmp, &root.join(path)));
    if placed.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    placed
}

/// Undoes `done` in reverse order; returns the paths it could not restore.
fn rollback(root: &Path, plan: &Plan, io: &mut dyn Io, done: Vec<Done>) -> Vec<String> {
    let mut unrestored = Vec::new();
    for step in done.into_iter().rev() {
        let (ok, what) = match step {
            Done::Temp(p) => (
                !p.exists() || io.remove_file(&p).is_ok(),
                p.display().to_string(),
            ),
            Done::Dir(p) => (fs::remove_dir(&p).is_ok(), p.display().to_string()),
            Done::Placed(k) => {
                let w = &plan.writes[k];
                let ok = match &w.old {
                    None => io.remove_file(&root.join(&w.path)).is_ok(),
                    Some((bytes, mode)) => restore(root, &w.path, bytes, *mode, io),
                };
                (ok, w.path.clone())
            }
            Done::Removed(k) => {
                let d = &plan.deletes[k];
                (
                    restore(root, &d.path, &d.old.0, d.old.1, io),
                    d.path.clone(),
                )
            }
            Done::Manifest => {
                let ok = match &plan.previous_manifest {
                    Some((bytes, mode)) => restore(root, MANIFEST, bytes, *mode, io),
                    None => io.remove_file(&root.join(MANIFEST)).is_ok(),
                };
                (ok, MANIFEST.to_owned())
            }
        };
        if !ok {
            unrestored.push(what);
        }
    }
    unrestored
}

fn restore(root: &Path, path: &str, bytes: &[u8], mode: u32, io: &mut dyn Io) -> bool {
    let tmp = root.join(temp_path(path));
    let _ = fs::remove_file(&tmp);
    io.create_new(&tmp, bytes, Some(mode)).is_ok()
        && io.sync(std::slice::from_ref(&tmp), &[]).is_ok()
        && io.rename(&tmp, &root.join(path)).is_ok()
}

/// Removes the directories a deleted file leaves empty, up to the root.
fn remove_empty_dirs(root: &Path, path: &str) {
    let full = root.join(path);
    let mut dir = full.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Makes the renames and removals durable: every directory that got or lost an entry, or (many
/// of them) their file systems at once. Best effort: the build is done, a directory that cannot
/// be flushed (or that a removal emptied and removed) does not undo it, nor stop the others.
fn sync_dirs(root: &Path, plan: &Plan) {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    dirs.insert(root.to_path_buf());
    for p in plan
        .writes
        .iter()
        .map(|w| &w.path)
        .chain(plan.deletes.iter().map(|d| &d.path))
    {
        if let Some(parent) = root.join(p).parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    let dirs: Vec<PathBuf> = dirs.into_iter().collect();
    #[cfg(target_os = "linux")]
    if dirs.len() >= SYNCFS_FROM {
        // A file system's directory may be one a removal emptied: its nearest ancestor left is
        // on the same file system.
        let filesystems: Vec<PathBuf> = plan
            .filesystems
            .iter()
            .map(|d| {
                let mut at = root.join(d);
                while at != root && !at.is_dir() && at.pop() {}
                at
            })
            .collect();
        if matches!(syncfs(&filesystems), Some(Ok(()))) {
            return;
        }
    }
    let flush = |k: usize| {
        let _ = fs::File::open(&dirs[k]).and_then(|f| f.sync_all());
        Ok::<(), ()>(())
    };
    let _ = crate::parallel::try_each_on(SYNC_THREADS.min(dirs.len()), dirs.len(), flush);
}

#[cfg(test)]
mod tests {
    use super::{Io, RealIo};

    /// A file that cannot be flushed fails the sync (and so the build, which then rolls back),
    /// whichever of the parallel flushes meets it.
    #[test]
    fn a_failed_flush_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let ok = tmp.path().join("ok");
        std::fs::write(&ok, "x").unwrap();
        assert!(RealIo.sync(std::slice::from_ref(&ok), &[]).is_ok());
        let gone = tmp.path().join("gone");
        assert!(RealIo.sync(&[ok.clone(), gone.clone(), ok], &[]).is_err());
        assert!(RealIo.sync(&[gone], &[]).is_err());
    }
}
