//! What a build reports and polls ([`BuildHooks`], [`BuildProgress`]), what it returns
//! ([`Built`]), and [`PhaseProgress`], which index crates use to report one phase from
//! several threads without a count ever going backwards.

use std::sync::Mutex;

use crate::error::Notice;
use crate::index::VectorIndex;

/// Progress of one build phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildProgress {
    /// The phase, with pgvector's name (`"loading tuples"`, `"performing k-means"`, …), as
    /// `pg_stat_progress_create_index.phase` shows it.
    pub phase: &'static str,
    /// What `done` and `total` count: `"tuples"` or `"iterations"`.
    pub unit: &'static str,
    /// Units done in this phase.
    pub done: u64,
    /// Units this phase has in all.
    pub total: u64,
}

/// What a build reports to and polls. Called from several threads.
#[derive(Clone, Copy)]
pub struct BuildHooks<'a> {
    /// Called as a phase advances. Within a phase `done` never decreases and the last
    /// report of a finished phase has `done == total`.
    pub progress: &'a (dyn Fn(BuildProgress) + Sync),
    /// Polled while the build runs; once it returns `true` the build ends with
    /// [`IndexError::cancelled`](crate::IndexError::cancelled).
    pub should_stop: &'a (dyn Fn() -> bool + Sync),
}

impl BuildHooks<'static> {
    /// No progress reports; never stops.
    pub fn none() -> BuildHooks<'static> {
        BuildHooks {
            progress: &|_| {},
            should_stop: &|| false,
        }
    }
}

impl BuildHooks<'_> {
    /// Whether the build should stop now.
    pub fn stopped(&self) -> bool {
        (self.should_stop)()
    }
}

/// A finished build.
pub struct Built {
    /// The index.
    pub index: Box<dyn VectorIndex>,
    /// Notices for the engine to show.
    pub notices: Vec<Notice>,
}

/// Reports one phase to [`BuildHooks`]: a first report with `done = 0` when created, then
/// only reports that move `done` forward (callers on several threads may arrive out of
/// order), and `done = total` from [`PhaseProgress::finish`].
///
/// ```
/// use std::sync::Mutex;
/// use vec_index::{BuildHooks, PhaseProgress};
///
/// let seen = Mutex::new(Vec::new());
/// let hooks = BuildHooks {
///     progress: &|p| seen.lock().unwrap().push(p.done),
///     should_stop: &|| false,
/// };
/// let phase = PhaseProgress::start(hooks, "loading tuples", "tuples", 10);
/// phase.report(4);
/// phase.report(3); // late report from another thread: dropped
/// phase.finish();
/// assert_eq!(*seen.lock().unwrap(), [0, 4, 10]);
/// ```
pub struct PhaseProgress<'a> {
    hooks: BuildHooks<'a>,
    phase: &'static str,
    unit: &'static str,
    total: u64,
    last: Mutex<u64>,
}

impl<'a> PhaseProgress<'a> {
    /// Starts a phase of `total` units and reports `done = 0`.
    pub fn start(
        hooks: BuildHooks<'a>,
        phase: &'static str,
        unit: &'static str,
        total: u64,
    ) -> PhaseProgress<'a> {
        let progress = PhaseProgress {
            hooks,
            phase,
            unit,
            total,
            last: Mutex::new(0),
        };
        progress.send(0);
        progress
    }

    /// The phase's name.
    pub fn phase(&self) -> &'static str {
        self.phase
    }

    /// Reports `done` units (at most `total`) if that is more than reported so far.
    pub fn report(&self, done: u64) {
        let done = done.min(self.total);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if done > *last {
            *last = done;
            // Sent under the lock, so that reports reach the hook in order.
            self.send(done);
        }
    }

    /// Reports the phase complete (`done = total`).
    pub fn finish(&self) {
        self.report(self.total);
    }

    fn send(&self, done: u64) {
        (self.hooks.progress)(BuildProgress {
            phase: self.phase,
            unit: self.unit,
            done,
            total: self.total,
        });
    }
}
