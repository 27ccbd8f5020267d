//! vec-ivf's build phases reported through `vec-index`'s [`BuildHooks`]: pgvector's phase
//! names ([`BuildPhase::name`]), unit `"iterations"` for k-means and `"tuples"` otherwise,
//! `initializing` left out (the engine reports it while it reads the table), and each phase
//! finished before the next begins.

use vec_index::{BuildHooks, IndexError, PhaseProgress};

use crate::error::IvfError;
use crate::ivf::BuildHooks as IvfHooks;
use crate::options::{BuildPhase, BuildProgress};

/// The phase being reported.
struct Reports<'a> {
    hooks: BuildHooks<'a>,
    current: Option<(BuildPhase, PhaseProgress<'a>)>,
}

impl<'a> Reports<'a> {
    fn report(&mut self, progress: BuildProgress) {
        if progress.phase == BuildPhase::Initializing {
            return;
        }
        if self.current.as_ref().map(|(phase, _)| *phase) != Some(progress.phase) {
            self.finish();
            let unit = if progress.phase == BuildPhase::PerformingKmeans {
                "iterations"
            } else {
                "tuples"
            };
            let reporter =
                PhaseProgress::start(self.hooks, progress.phase.name(), unit, progress.total);
            self.current = Some((progress.phase, reporter));
        }
        if let Some((_, reporter)) = &self.current {
            reporter.report(progress.done);
        }
    }

    fn finish(&self) {
        if let Some((_, reporter)) = &self.current {
            reporter.finish();
        }
    }
}

/// Runs `build` with vec-ivf hooks that report to `hooks` and poll its `should_stop`.
pub(super) fn with_hooks<T>(
    hooks: &BuildHooks<'_>,
    build: impl FnOnce(&mut IvfHooks<'_>) -> Result<T, IvfError>,
) -> Result<T, IndexError> {
    let mut reports = Reports {
        hooks: *hooks,
        current: None,
    };
    let mut progress = |p: BuildProgress| reports.report(p);
    let mut ivf_hooks = IvfHooks {
        progress: &mut progress,
        should_stop: hooks.should_stop,
    };
    let built = build(&mut ivf_hooks)?;
    reports.finish();
    Ok(built)
}
