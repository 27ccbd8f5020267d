//! Choosing by cost how to answer `WHERE … ORDER BY distance LIMIT k` over a table with
//! a vector index ([`super::filtered`] describes the plans): the cost model
//! ([`super::cost`]) prices each of
//!
//! - the **filter-aware walk** of the vector index: it must read about
//!   `k × table rows / matching rows` entries to find `k` that pass (at least its first
//!   round, [`first_round_ef`]), each entry's neighbours compared with the query; when
//!   that is more than the walk may read (`hnsw.max_scan_tuples`, or the whole table)
//!   it gives up and the exact scan runs after it;
//! - the **exact top-k over the btree's rows**: the btree scan of the matching rows, a
//!   distance for each, a bounded sort;
//! - the **exact top-k over the table**: the sequential scan with the filter, a distance
//!   for each passing row, a bounded sort;
//!
//! from the rows the filter is expected to pass (the btree's count or `ANALYZE`'s
//! estimate). On pypi-minilm (100,000 × 384) the prices cross near 1.8%, and the measured
//! times near 2% (1.5%: btree's rows 2.86 ms, walk 3.42 ms; 2%: walk 3.12 ms); at 1%
//! the btree's rows took 1.8 ms against the walk's 4.9 ms, at 10% the walk 1.2 ms against
//! 24 ms; the table's exact scan wins only where the walk would give up (`cargo xtask
//! plans`, `xtask/BENCH.md`).

use super::cost::{self, Estimate as Cost, VectorSearch};
use super::filtered::{first_round_ef, Estimate};
use crate::catalog::Table;
use crate::index::AccessMethod;

/// What a vector index's cost depends on.
#[derive(Clone, Copy, Debug)]
pub struct IndexShape {
    /// The access method.
    pub method: Option<AccessMethod>,
    /// The vectors' dimensions.
    pub dims: f64,
    /// HNSW's `m`.
    pub m: f64,
    /// IVFFlat's `lists`.
    pub lists: f64,
}

/// The shape of `table`'s vector index `index`, from its definition (PostgreSQL's
/// defaults where its options say nothing; 128 dimensions when the column's type has
/// none).
pub fn index_shape(table: &Table, index: &str) -> IndexShape {
    let definition = table.indexes.iter().find(|i| i.name == index);
    let option = |name: &str, default: f64| {
        definition
            .and_then(|d| d.with.iter().find(|(key, _)| key == name))
            .and_then(|(_, value)| value.trim_matches('\'').parse::<f64>().ok())
            .unwrap_or(default)
    };
    let dims = definition
        .and_then(|d| d.columns.first())
        .and_then(|&column| table.columns.get(column))
        .and_then(|column| u32::try_from(column.typmod).ok())
        .map_or(128.0, f64::from);
    IndexShape {
        method: definition.map(|d| d.method),
        dims,
        m: option("m", 16.0),
        lists: option("lists", 100.0),
    }
}

/// The expected cost of each way to answer the query.
#[derive(Clone, Copy, Debug)]
pub struct PathCosts {
    /// The filter-aware walk (with its fallback when it would give up).
    pub walk: f64,
    /// The exact top-k over the btree's matching rows.
    pub btree_exact: f64,
    /// The exact top-k over the whole table.
    pub exact: f64,
}

/// The costs of answering a query wanting `wanted` rows through `index` of `table`
/// (scanned with `options`), with a filter expected to pass `estimate.rows` rows.
pub fn path_costs(
    table: &Table,
    index: &str,
    options: &vec_index::ScanOptions,
    wanted: usize,
    estimate: &Estimate,
) -> PathCosts {
    let shape = index_shape(table, index);
    let rows = (estimate.table_rows as f64).max(1.0);
    let matched = estimate.rows as f64;
    let k = wanted.max(1) as f64;
    let width = cost::row_width(table);
    let distance = cost::distance_cost(shape.dims);
    let top_k = |input: Cost, distances: f64| {
        let input = Cost {
            total: input.total + distances * distance,
            rows: matched.max(1.0),
            ..input
        };
        cost::sort(input, Some(k)).startup
    };
    let exact = top_k(
        cost::seq_scan(rows, width, 1, matched / rows, width),
        matched,
    );
    let btree_exact = top_k(
        cost::btree_scan(rows, width, matched, 0, 1.0, width),
        matched,
    );
    // The entries the walk reads to find `k` passing rows.
    let reads = if matched > 0.0 {
        k * rows / matched
    } else {
        f64::INFINITY
    };
    let walk = match shape.method {
        Some(AccessMethod::IvfFlat) => {
            let probes = f64::from(options.probes);
            if reads >= rows {
                VectorSearch::ivfflat(rows, shape.lists, shape.lists, rows).cost(shape.dims) + exact
            } else {
                VectorSearch::ivfflat(rows, shape.lists, probes, reads).cost(shape.dims)
            }
        }
        _ => {
            let limit = (options.max_scan_tuples as f64).min(rows);
            if reads >= limit {
                VectorSearch::hnsw(limit, shape.m).cost(shape.dims) + exact
            } else {
                let first = first_round_ef(options.ef_search, Some(wanted), Some(estimate)) as f64;
                VectorSearch::hnsw(first.max(reads), shape.m).cost(shape.dims)
                    + reads * cost::CPU_TUPLE_COST
            }
        }
    };
    PathCosts {
        walk,
        btree_exact,
        exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_costs(matched: usize, table_rows: usize) -> (f64, f64, f64) {
        // pypi-minilm's shape: 384 dimensions, m 16, rows of about 1.5 kB.
        let table = Table::new(
            "items".into(),
            vec![crate::catalog::Column {
                name: "embedding".into(),
                ty: crate::value::SqlType::Vector,
                typmod: 384,
                not_null: false,
                sequence: None,
                identity_always: false,
                default: None,
                generated: None,
                storage: None,
                statistics_target: None,
            }],
            Vec::new(),
        );
        let options = vec_index::ScanOptions {
            ef_search: 40,
            probes: 1,
            iterative_scan: vec_index::IterativeScan::RelaxedOrder,
            max_scan_tuples: 20_000,
            scan_memory: usize::MAX,
            max_probes: u32::MAX,
        };
        let estimate = Estimate {
            rows: matched,
            at_least: false,
            table_rows,
        };
        let costs = path_costs(&table, "none", &options, 10, &estimate);
        (costs.walk, costs.btree_exact, costs.exact)
    }

    #[test]
    fn the_prices_cross_where_pypi_minilm_times_cross() {
        // 1%: the btree's rows; 10%: the walk; 0.01%: the walk would give up.
        let (walk, btree, _) = shape_costs(1_000, 100_000);
        assert!(btree < walk, "{btree} vs {walk}");
        let (walk, btree, _) = shape_costs(10_000, 100_000);
        assert!(walk < btree, "{walk} vs {btree}");
        let (walk, _, exact) = shape_costs(10, 100_000);
        assert!(exact < walk, "{exact} vs {walk}");
        let (walk, _, exact) = shape_costs(100, 100_000);
        assert!(walk < exact, "{walk} vs {exact}");
    }
}
