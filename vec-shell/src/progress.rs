//! Progress of long statements (`CREATE INDEX`, `COPY`) for an embedding program or the
//! shell's progress bar: a [`ProgressObserver`] installed on a
//! [`Session`](crate::Session) is called with [`Progress`] reports that name the command,
//! the phase (pgvector's phase names for index builds) and how far the phase has come.
//!
//! Inside the engine a [`Monitor`] carries the statement's cancel handle and observer down
//! to the loops, and a [`PhaseReporter`] turns the reports of one phase, possibly from
//! several build threads, into a sequence whose `done` counts never go down.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::cancel::CancelHandle;
use crate::error::Result;

/// The statement a report comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `CREATE INDEX` (and the index builds of `TRUNCATE`).
    CreateIndex,
    /// `COPY … FROM`.
    Copy,
}

impl Command {
    /// The command's name as psql's tag spells it.
    pub fn name(self) -> &'static str {
        match self {
            Command::CreateIndex => "CREATE INDEX",
            Command::Copy => "COPY",
        }
    }
}

/// One progress report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The statement.
    pub command: Command,
    /// What it works on: the access method of an index build (`hnsw`, `ivfflat`), the
    /// table of a `COPY`.
    pub target: &'a str,
    /// The phase: for `ivfflat` pgvector's `initializing`, `performing k-means`,
    /// `assigning tuples`, `loading tuples`; for `hnsw` `loading tuples` then
    /// `building graph`; for `COPY` `reading rows` then `checking rows`.
    pub phase: &'a str,
    /// Units done in this phase; never goes down within a phase.
    pub done: u64,
    /// Units the phase has in all (the last report of a finished phase has `done == total`).
    pub total: u64,
    /// What the units count: `tuples`, `iterations` or `bytes`.
    pub unit: &'a str,
}

/// A callback for progress reports. It may be called from any thread the statement uses,
/// so it should return quickly (throttle any drawing).
pub type ProgressObserver = Arc<dyn Fn(&Progress<'_>) + Send + Sync>;

/// What a running statement polls and reports to.
#[derive(Clone, Copy)]
pub struct Monitor<'a> {
    /// The session's cancel request.
    pub cancel: &'a CancelHandle,
    /// The session's observer, if one is installed.
    pub observer: Option<&'a ProgressObserver>,
    /// Threads an index build may use (see [`build_threads`]).
    pub threads: usize,
    /// Bytes an index build may fill before it goes on the slower way
    /// (`maintenance_work_mem`).
    pub build_memory: usize,
}

/// Threads of an index build: the leader and `max_parallel_maintenance_workers` workers,
/// as pgvector's parallel builds, at most the available parallelism and at least 1.
pub fn build_threads(max_parallel_maintenance_workers: i64) -> usize {
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wanted = usize::try_from(max_parallel_maintenance_workers)
        .unwrap_or(0)
        .saturating_add(1);
    wanted.min(available).max(1)
}

impl<'a> Monitor<'a> {
    /// A monitor that never cancels, reports to nobody and sets builds no memory limit
    /// (rebuilding an index when a database opens).
    pub fn none() -> Monitor<'static> {
        Monitor {
            cancel: CancelHandle::never(),
            observer: None,
            threads: build_threads(2),
            build_memory: usize::MAX / 4,
        }
    }

    /// `Err(57014)` if cancellation was requested.
    pub fn check(&self) -> Result<()> {
        self.cancel.check()
    }

    /// Starts a phase of `total` units and reports that nothing is done yet.
    pub fn phase(&self, label: PhaseLabel<'a>, total: u64) -> PhaseReporter<'a> {
        let reporter = PhaseReporter {
            observer: self.observer,
            label,
            total,
            last: Mutex::new(None),
        };
        reporter.report(0);
        reporter
    }
}

/// The fixed fields of one phase's reports.
#[derive(Clone, Copy, Debug)]
pub struct PhaseLabel<'a> {
    /// The statement.
    pub command: Command,
    /// The access method or table.
    pub target: &'a str,
    /// The phase's name.
    pub phase: &'a str,
    /// What the units count.
    pub unit: &'a str,
}

/// Reports of one phase; safe to share between build threads.
pub struct PhaseReporter<'a> {
    observer: Option<&'a ProgressObserver>,
    label: PhaseLabel<'a>,
    total: u64,
    last: Mutex<Option<u64>>,
}

impl PhaseReporter<'_> {
    /// Reports `done` units, unless a larger count was reported already (reports from
    /// several threads can arrive out of order).
    pub fn report(&self, done: u64) {
        let Some(observer) = self.observer else {
            return;
        };
        let done = done.min(self.total);
        // The lock is held through the call so that the observer sees counts in order.
        let mut last = self.last.lock();
        if last.is_some_and(|last| done <= last) {
            return;
        }
        *last = Some(done);
        observer(&Progress {
            command: self.label.command,
            target: self.label.target,
            phase: self.label.phase,
            done,
            total: self.total,
            unit: self.label.unit,
        });
    }

    /// Reports the phase as complete.
    pub fn finish(&self) {
        self.report(self.total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_threads_are_the_workers_and_the_leader_within_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(build_threads(0), 1);
        assert_eq!(build_threads(-1), 1);
        assert_eq!(build_threads(2), 3.min(cores));
        assert_eq!(build_threads(1024), cores);
    }

    #[test]
    fn reports_never_go_down_and_end_at_total() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let observer: ProgressObserver = Arc::new(move |p: &Progress<'_>| {
            assert_eq!(
                (p.command.name(), p.phase, p.unit),
                ("COPY", "reading rows", "bytes")
            );
            sink.lock().push(p.done);
        });
        let cancel = CancelHandle::new();
        let monitor = Monitor {
            cancel: &cancel,
            observer: Some(&observer),
            threads: 1,
            build_memory: 1 << 20,
        };
        let label = PhaseLabel {
            command: Command::Copy,
            target: "items",
            phase: "reading rows",
            unit: "bytes",
        };
        let reporter = monitor.phase(label, 100);
        for done in [10, 5, 10, 60, 200] {
            reporter.report(done);
        }
        reporter.finish();
        assert_eq!(*seen.lock(), vec![0, 10, 60, 100]);
        assert!(monitor.check().is_ok());
        cancel.cancel();
        assert_eq!(monitor.check().unwrap_err().sqlstate, "57014");
    }
}
