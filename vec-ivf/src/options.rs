//! Build and search options with pgvector's defaults and pgvector's validation messages.
//!
//! pgvecto.rs spells some of the same knobs differently in `[indexing.ivf]`; each field says
//! which key it maps to: `nlist` → [`BuildOptions::lists`], `nsample` →
//! [`BuildOptions::sample_rows`], `iterations` and `least_iterations` → the fields of the same
//! name, and `vectors.ivf_nprobe` → [`SearchOptions::probes`].

use std::str::FromStr;

use crate::error::IvfError;

/// pgvector's `IVFFLAT_MAX_LISTS`: the largest `lists`, `probes` and `max_probes`.
pub const MAX_LISTS: u32 = 32768;
/// pgvector's default `lists` (`IVFFLAT_DEFAULT_LISTS`).
pub const DEFAULT_LISTS: u32 = 100;
/// pgvector's default `ivfflat.probes` (`IVFFLAT_DEFAULT_PROBES`).
pub const DEFAULT_PROBES: u32 = 1;
/// pgvector's default `ivfflat.max_probes`: every list.
pub const DEFAULT_MAX_PROBES: u32 = MAX_LISTS;
/// pgvector's k-means iteration limit, the default of pgvecto.rs's `iterations`.
pub const DEFAULT_ITERATIONS: u32 = 500;
/// PostgreSQL's default `maintenance_work_mem` (64 MB), the default build budget.
pub const DEFAULT_MEMORY_BUDGET: usize = 64 * 1024 * 1024;

/// The most a pgvecto.rs-style count (`nsample`, `iterations`) may be.
const MAX_PGVECTO_COUNT: usize = 1_000_000;

/// Options of an index build (`CREATE INDEX ... WITH (lists = ...)` and the session's memory).
#[derive(Debug, Clone, PartialEq)]
pub struct BuildOptions {
    /// Number of inverted lists, 1..=32768. Default 100 (pgvector); pgvecto.rs's `nlist`.
    pub lists: u32,
    /// Rows sampled for k-means. `None` (the default) is pgvector's rule: 50 per list and at
    /// least 10,000, never more than the table has. pgvecto.rs's `nsample` (1..=1,000,000).
    pub sample_rows: Option<usize>,
    /// Most k-means iterations. Default 500 (pgvector's fixed limit); pgvecto.rs's `iterations`.
    pub iterations: u32,
    /// k-means stops early (no assignment changed) only after this many iterations.
    /// Default 1, which is pgvector's rule; pgvecto.rs's `least_iterations` (its default is 16).
    pub least_iterations: u32,
    /// Seed of every random choice (sampling, k-means++, empty-list centers). Default 0.
    pub seed: u64,
    /// Bytes the build may use for samples and k-means state: pgvector's
    /// `maintenance_work_mem`. Default 64 MiB (PostgreSQL's default).
    pub memory_budget_bytes: usize,
    /// Threads for k-means and assignment; 0 (the default) uses every available core.
    pub threads: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            lists: DEFAULT_LISTS,
            sample_rows: None,
            iterations: DEFAULT_ITERATIONS,
            least_iterations: 1,
            seed: 0,
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET,
            threads: 0,
        }
    }
}

impl BuildOptions {
    /// Checks every field; errors carry pgvector's texts.
    pub fn validate(&self) -> Result<(), IvfError> {
        if self.lists < 1 || self.lists > MAX_LISTS {
            return Err(IvfError::OptionOutOfBounds {
                option: "lists",
                value: self.lists as i64,
                min: 1,
                max: MAX_LISTS as i64,
            });
        }
        if let Some(sample_rows) = self.sample_rows {
            check_count("nsample", sample_rows)?;
        }
        check_count("iterations", self.iterations as usize)?;
        check_count("least_iterations", self.least_iterations as usize)?;
        Ok(())
    }

    /// The number of threads to use.
    pub(crate) fn thread_count(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|count| count.get())
            .unwrap_or(1)
    }

    /// The sample size for a table of `n_rows` rows.
    pub(crate) fn target_samples(&self, n_rows: usize) -> usize {
        let target = self
            .sample_rows
            .unwrap_or((self.lists as usize * 50).max(10_000));
        target.min(n_rows)
    }
}

fn check_count(option: &'static str, value: usize) -> Result<(), IvfError> {
    if value < 1 || value > MAX_PGVECTO_COUNT {
        return Err(IvfError::OptionOutOfBounds {
            option,
            value: value as i64,
            min: 1,
            max: MAX_PGVECTO_COUNT as i64,
        });
    }
    Ok(())
}

/// `ivfflat.iterative_scan`: whether a scan may probe more lists when the caller wants more rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IterativeScan {
    /// Probe `probes` lists once (the default).
    #[default]
    Off,
    /// Probe `probes` lists at a time until `max_probes`; rows come in order within each batch.
    RelaxedOrder,
}

impl FromStr for IterativeScan {
    type Err = IvfError;

    fn from_str(text: &str) -> Result<Self, IvfError> {
        match text {
            "off" => Ok(IterativeScan::Off),
            "relaxed_order" => Ok(IterativeScan::RelaxedOrder),
            _ => Err(IvfError::InvalidParameterValue {
                parameter: "ivfflat.iterative_scan",
                value: text.to_string(),
                available: "off, relaxed_order",
            }),
        }
    }
}

/// Query-time options: pgvector's `ivfflat.*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// `ivfflat.probes`: lists probed per batch, 1..=32768, capped at `lists`. Default 1.
    /// `probes = lists` is an exact search. pgvecto.rs's `vectors.ivf_nprobe`.
    pub probes: u32,
    /// `ivfflat.iterative_scan`. Default [`IterativeScan::Off`].
    pub iterative_scan: IterativeScan,
    /// `ivfflat.max_probes`: the most lists an iterative scan probes, 1..=32768 (if less than
    /// `probes`, `probes` is used). Default 32768.
    pub max_probes: u32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            probes: DEFAULT_PROBES,
            iterative_scan: IterativeScan::Off,
            max_probes: DEFAULT_MAX_PROBES,
        }
    }
}

impl SearchOptions {
    /// Checks every field; errors carry PostgreSQL's GUC texts.
    pub fn validate(&self) -> Result<(), IvfError> {
        for (parameter, value) in [
            ("ivfflat.probes", self.probes),
            ("ivfflat.max_probes", self.max_probes),
        ] {
            if value < 1 || value > MAX_LISTS {
                return Err(IvfError::ParameterOutOfRange {
                    parameter,
                    value: value as i64,
                    min: 1,
                    max: MAX_LISTS as i64,
                });
            }
        }
        Ok(())
    }

    /// `(probes, max_probes)` for an index of `lists` lists, as `ivfflatbeginscan` computes them.
    pub(crate) fn effective(&self, lists: usize) -> (usize, usize) {
        let probes = self.probes as usize;
        let max_probes = match self.iterative_scan {
            IterativeScan::Off => probes,
            IterativeScan::RelaxedOrder => (self.max_probes as usize).max(probes),
        };
        (probes.min(lists).max(1), max_probes.min(lists).max(1))
    }
}

/// The phases of a build, reported to the progress callback with pgvector's names (and a
/// name of the same form for the quantizing phase pgvector does not have).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildPhase {
    /// Checking options and sampling rows.
    Initializing,
    /// Running k-means on the sample.
    PerformingKmeans,
    /// Finding each row's nearest center.
    AssigningTuples,
    /// Writing rows into their lists.
    LoadingTuples,
    /// Encoding the lists' rows as codes (quantized indexes only; pgvector has no such
    /// phase).
    Quantizing,
}

impl BuildPhase {
    /// pgvector's name for the phase (`pg_stat_progress_create_index.phase`).
    pub fn name(self) -> &'static str {
        match self {
            BuildPhase::Initializing => "initializing",
            BuildPhase::PerformingKmeans => "performing k-means",
            BuildPhase::AssigningTuples => "assigning tuples",
            BuildPhase::LoadingTuples => "loading tuples",
            BuildPhase::Quantizing => "quantizing tuples",
        }
    }
}

/// One report to the build's progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildProgress {
    /// The phase the build is in.
    pub phase: BuildPhase,
    /// Units done in this phase (rows, or k-means iterations).
    pub done: u64,
    /// Units this phase has in all (for k-means, the iteration limit).
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pgvector_defaults() {
        let build = BuildOptions::default();
        assert_eq!(build.lists, 100);
        assert_eq!(build.target_samples(1_000_000), 10_000);
        let search = SearchOptions::default();
        assert_eq!((search.probes, search.max_probes), (1, 32768));
        assert_eq!(search.effective(100), (1, 1));
    }

    #[test]
    fn invalid_values_give_pgvector_errors() {
        let error = BuildOptions {
            lists: 32769,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "value 32769 out of bounds for option \"lists\""
        );
        let error = SearchOptions {
            max_probes: 0,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "0 is outside the valid range for parameter \"ivfflat.max_probes\" (1 .. 32768)"
        );
        let error = "on".parse::<IterativeScan>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid value for parameter \"ivfflat.iterative_scan\": \"on\""
        );
        assert_eq!(
            error.hint().unwrap(),
            "Available values: off, relaxed_order."
        );
    }

    #[test]
    fn iterative_scan_widens_max_probes() {
        let search = SearchOptions {
            probes: 2,
            iterative_scan: IterativeScan::RelaxedOrder,
            max_probes: 1,
        };
        assert_eq!(search.effective(3), (2, 2));
        let search = SearchOptions {
            max_probes: 50,
            ..search
        };
        assert_eq!(search.effective(3), (2, 3));
    }
}
