//! Filtered vector search that fills its `LIMIT`: the strategy for `WHERE … ORDER BY
//! distance LIMIT n` over a table with a vector index.
//!
//! pgvector walks the index once (`ef_search` candidates) and filters afterwards, so a
//! selective filter leaves fewer than `LIMIT` rows (its issues #259, #575, #630). vecsh
//! chooses, from the estimated selectivity, between two plans that both return full
//! `LIMIT` rows:
//!
//! - **Exact over the filtered rows**: when a btree serves the filter and its range
//!   holds so few rows that fetching them all costs less than the walk
//!   ([`path_cost`](super::path_cost)), the btree scan feeds an exact top-k.
//! - **Filter-aware index walk**: otherwise the vector index is scanned iteratively (as
//!   `hnsw.iterative_scan = relaxed_order` does) while the executor checks the filter on
//!   each row it yields, until `LIMIT + OFFSET` rows pass and a further `ef_search` rows
//!   come no nearer than the furthest of them; the kept rows are then sorted exactly.
//!   When a btree serves the filter, the walk checks each row id against the btree's ids
//!   for the filter's range before it fetches the row (a bitmap of matching rows), and
//!   its first round is widened by the btree's estimate (see [`first_round_ef`]). When
//!   the walk runs out (`hnsw.max_scan_tuples`, or an index holding too few matches), the
//!   executor falls back to an exact scan of the filtered rows, so the `LIMIT` is filled
//!   whenever the table has enough matching rows.
//! - **Estimates without a btree**: a filter no btree serves is estimated from
//!   `ANALYZE`'s statistics ([`selectivity`](super::selectivity)), when the table has
//!   them. The estimate widens the walk's first round the same way, and a filter
//!   expected to pass so few rows that the walk would cost more than the exact scan of
//!   the table (it would read the whole table, or stop at `hnsw.max_scan_tuples` and fall
//!   back) gets that exact scan at once ([`path_cost`](super::path_cost)).
//!
//! A session that sets `hnsw.iterative_scan` (`ivfflat.iterative_scan`,
//! `vectors.search_mode` for those indexes) itself, even to `off`, gets pgvector's plan
//! with exactly those settings. `EXPLAIN` shows the chosen walk as a `Filter Strategy:`
//! line with the rows the filter is expected to pass, when a btree could count them.

use super::btree::KeyRange;
use crate::index::{AccessMethod, VectorIndex};
use crate::settings::{self, Settings};

/// A filter-aware vector index scan, as the planner chose it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilteredSearch {
    /// The rows the filter is expected to pass, when a btree serves it or the table has
    /// statistics.
    pub estimate: Option<Estimate>,
    /// A btree range holding every row the filter can pass, when one serves it: the
    /// executor reads its row ids into a sorted list first and fetches only the rows of
    /// the walk found there (a bitmap of matching rows, in PostgreSQL's words).
    pub prefilter: Option<Prefilter>,
    /// How many rows past the furthest of the best ones the walk reads before it stops:
    /// the session's `ef_search` (one round of a plain scan).
    pub patience: usize,
}

/// The btree range a filter-aware walk checks row ids against.
#[derive(Clone, Debug)]
pub struct Prefilter {
    /// The btree index.
    pub index: String,
    /// The keys of the rows the filter can pass.
    pub range: KeyRange,
}

impl PartialEq for Prefilter {
    fn eq(&self, other: &Prefilter) -> bool {
        self.index == other.index
    }
}

impl Eq for Prefilter {}

/// The rows a filter passes, counted in a btree over its range or estimated from
/// `ANALYZE`'s statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// The rows counted.
    pub rows: usize,
    /// Whether the count stopped once it no longer mattered (`rows` is a lower bound).
    pub at_least: bool,
    /// The table's rows.
    pub table_rows: usize,
}

impl FilteredSearch {
    /// The value of `EXPLAIN`'s `Filter Strategy` detail.
    pub fn strategy(&self) -> String {
        let estimate = match self.estimate {
            Some(Estimate {
                rows,
                at_least,
                table_rows,
            }) => {
                let bound = if at_least { "at least " } else { "" };
                format!(" (expected rows: {bound}{rows} of {table_rows})")
            }
            None => String::new(),
        };
        format!("iterative index scan, exact scan if it runs out{estimate}")
    }
}

/// The most candidates a filter-aware walk's first round takes from the estimate.
pub const MAX_FIRST_ROUND_EF: usize = 400;

/// The candidate list of a filter-aware walk's first round: enough that about `wanted`
/// of them pass the filter by the btree's estimate (`wanted × table rows / matching
/// rows`), at least `ef_search` and at most [`MAX_FIRST_ROUND_EF`] (or `ef_search`, if
/// larger). One wider round costs less than the several narrow rounds an iterative scan
/// would need to find as many passing rows.
pub fn first_round_ef(
    ef_search: usize,
    wanted: Option<usize>,
    estimate: Option<&Estimate>,
) -> usize {
    let (Some(wanted), Some(estimate)) = (wanted, estimate) else {
        return ef_search;
    };
    if estimate.rows == 0
        || estimate.at_least && estimate.rows.saturating_mul(5) >= estimate.table_rows
    {
        // Nothing to scale by, or a filter that passes a fifth of the rows or more: the
        // plain list suffices.
        return ef_search;
    }
    let needed = wanted
        .saturating_mul(estimate.table_rows)
        .div_ceil(estimate.rows);
    needed.clamp(ef_search, MAX_FIRST_ROUND_EF.max(ef_search))
}

/// The scan options of a filter-aware walk of `index`: the session's, with the iterative
/// scan on; `None` when the session set the index's iterative-scan setting itself (then
/// pgvector's plan runs as configured).
pub fn scan_options(index: &VectorIndex, settings: &Settings) -> Option<vec_index::ScanOptions> {
    let explicit = match index.method() {
        AccessMethod::IvfFlat => settings.is_set(&settings::IVFFLAT_ITERATIVE_SCAN),
        AccessMethod::Vectors => settings.is_set(&settings::VECTORS_SEARCH_MODE),
        AccessMethod::Hnsw | AccessMethod::Btree | AccessMethod::Gin => {
            settings.is_set(&settings::HNSW_ITERATIVE_SCAN)
        }
    };
    if explicit {
        return None;
    }
    let mut options = index.scan_options(settings);
    options.iterative_scan = vec_index::IterativeScan::RelaxedOrder;
    Some(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_round_widens_with_the_selectivity() {
        let estimate = |rows, at_least| Estimate {
            rows,
            at_least,
            table_rows: 100_000,
        };
        // 10%: ten passing rows need about a hundred candidates.
        assert_eq!(
            first_round_ef(40, Some(10), Some(&estimate(10_000, false))),
            100
        );
        // A wide filter, an unknown limit or no estimate keep ef_search.
        assert_eq!(
            first_round_ef(40, Some(10), Some(&estimate(50_000, false))),
            40
        );
        assert_eq!(
            first_round_ef(40, Some(10), Some(&estimate(20_001, true))),
            40
        );
        assert_eq!(first_round_ef(40, None, Some(&estimate(10_000, false))), 40);
        assert_eq!(first_round_ef(40, Some(10), None), 40);
        // Capped, but never below the session's ef_search.
        assert_eq!(
            first_round_ef(40, Some(10), Some(&estimate(100, false))),
            400
        );
        assert_eq!(
            first_round_ef(500, Some(10), Some(&estimate(100, false))),
            500
        );
    }

    #[test]
    fn the_explain_line_shows_the_estimate_when_known() {
        let known = FilteredSearch {
            estimate: Some(Estimate {
                rows: 20_001,
                at_least: true,
                table_rows: 100_000,
            }),
            prefilter: None,
            patience: 40,
        };
        assert_eq!(
            known.strategy(),
            "iterative index scan, exact scan if it runs out \
             (expected rows: at least 20001 of 100000)"
        );
        let unknown = FilteredSearch {
            estimate: None,
            prefilter: None,
            patience: 40,
        };
        assert_eq!(
            unknown.strategy(),
            "iterative index scan, exact scan if it runs out"
        );
    }
}
