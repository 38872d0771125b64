//! A lock on the output root, so that two builds (or a build and a pin) never interleave their
//! writes. It is an advisory `flock` on the root directory itself: no lock file to leave behind,
//! and the kernel releases it when the process ends, however it ends.

use std::fs::{File, TryLockError};
use std::io;
use std::path::Path;

/// Held for as long as it lives.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

/// How to take the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// For writers (`build`, `pin`).
    Exclusive,
    /// For readers (`check`): waits for a writer to finish, runs beside other readers.
    Shared,
}

impl Lock {
    /// Takes the lock on `root`. When another process holds it, calls `on_wait` once and waits.
    pub fn acquire(root: &Path, mode: Mode, on_wait: impl FnOnce()) -> io::Result<Lock> {
        let dir = File::open(root)?;
        let attempt = match mode {
            Mode::Exclusive => dir.try_lock(),
            Mode::Shared => dir.try_lock_shared(),
        };
        match attempt {
            Ok(()) => Ok(Lock(dir)),
            Err(TryLockError::WouldBlock) => {
                on_wait();
                match mode {
                    Mode::Exclusive => dir.lock()?,
                    Mode::Shared => dir.lock_shared()?,
                }
                Ok(Lock(dir))
            }
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
}
