//! Independent jobs on several threads: each thread takes the next index until none is left,
//! so uneven jobs (an app with 400 overlays beside one with none) still share the cores.
//! Emitting apps, surveying files, writing and renaming them use it; results come back in
//! index order, so output never depends on which thread ran what.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// From this many files on, the output stage reads, writes and renames them on every core: on
/// tmpfs and in the page cache these calls cost CPU, not disk, and below it threads cost more
/// than they gain.
pub const FILES_FROM: usize = 256;

/// How many threads to use for `n` jobs: one per core, none idle, and one alone below
/// `from` jobs (threads cost more than small batches gain).
pub fn threads(n: usize, from: usize) -> usize {
    if n < from.max(2) {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(n)
}

/// `job(i)` for every `i` in `0..n`, on [`threads`]`(n, from)` threads, in index order.
pub fn map<T: Send>(n: usize, from: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads(n, from);
    if threads == 1 {
        return (0..n).map(job).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break done;
                        }
                        done.push((i, job(i)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(join).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// `job(i)` for `i` in `0..n` until one fails: the indices done (in no particular order) and
/// the first failure. After a failure the threads take no more jobs.
pub fn try_each<E: Send>(
    n: usize,
    from: usize,
    job: impl Fn(usize) -> Result<(), E> + Sync,
) -> (Vec<usize>, Option<E>) {
    try_each_on(threads(n, from), n, job)
}

/// [`try_each`] on exactly `threads` threads (at least one): for jobs that wait on a device
/// rather than the CPU, more threads than cores.
pub fn try_each_on<E: Send>(
    threads: usize,
    n: usize,
    job: impl Fn(usize) -> Result<(), E> + Sync,
) -> (Vec<usize>, Option<E>) {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let work = || {
        let mut done = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            match job(i) {
                Ok(()) => done.push(i),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return (done, Some(e));
                }
            }
        }
        (done, None)
    };
    if threads <= 1 {
        return work();
    }
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        let mut all = Vec::with_capacity(n);
        let mut first = None;
        for (done, failed) in workers.into_iter().map(join) {
            all.extend(done);
            first = first.or(failed);
        }
        (all, first)
    })
}

/// A worker's result; its panic, unchanged, if it panicked.
fn join<T>(worker: std::thread::ScopedJoinHandle<'_, T>) -> T {
    worker
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_index_order() {
        let squares = map(1000, 2, |i| i * i);
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(map(3, 100, |i| i), vec![0, 1, 2]);
    }

    #[test]
    fn a_failure_stops_the_rest_and_is_reported() {
        let (done, failed) = try_each(10_000, 2, |i| if i == 500 { Err(i) } else { Ok(()) });
        assert_eq!(failed, Some(500));
        assert!(!done.contains(&500));
        assert!(done.len() < 10_000);
        let (mut done, failed) = try_each(300, 2, |_| Ok::<(), ()>(()));
        done.sort_unstable();
        assert_eq!((done, failed), ((0..300).collect(), None));
    }
}
