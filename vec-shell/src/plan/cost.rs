//! The cost model: what each plan node is expected to cost and return, in PostgreSQL's
//! units (one sequential page read = 1.0) and by its formulas (`costsize.c`), so that
//! `EXPLAIN`'s `cost=startup..total rows=… width=…` reads as PostgreSQL's does.
//!
//! - A sequential scan reads every page and every row, and runs its filter on each row;
//!   the rows it returns are the table's times the filter's selectivity
//!   ([`super::selectivity`]: `ANALYZE`'s statistics, PostgreSQL's defaults without).
//! - A btree scan (the btree is in memory) reads its range's entries and fetches their
//!   rows in storage order: each heap page they touch once, in order.
//! - A vector index scan does all its search before its first row (its startup cost):
//!   HNSW visits about `ef_search × 2m` neighbours at layer 0, IVFFlat compares the query
//!   with every list centre and reads `probes` lists; each visit is a distance, priced
//!   by the vectors' dimensions ([`distance_cost`], calibrated by measurement).
//! - A sort costs `2 × cpu_operator_cost × N log₂ N` before its first row (with a
//!   `LIMIT` of `k`, a bounded heap: `N log₂ 2k`), a hash aggregate one comparison per
//!   row and key plus its aggregates' steps, a `LIMIT` the share of its input it reads.
//! - A hash join hashes its inner side and probes it once per outer row; a nested loop
//!   reruns the inner side per outer row. Equality joins pass `1 / max(distinct values)`
//!   of the pairs, other conditions PostgreSQL's default selectivities.
//!
//! A table never analyzed counts its rows from its row indexes or activity counters,
//! else assumes PostgreSQL's 10 pages of rows.

use crate::catalog::{Catalog, Table};
use crate::value::{SqlType, TypeMod};

/// Reading one page in order.
pub const SEQ_PAGE_COST: f64 = 1.0;
/// Handling one row.
pub const CPU_TUPLE_COST: f64 = 0.01;
/// Handling one index entry.
pub const CPU_INDEX_TUPLE_COST: f64 = 0.005;
/// Running one operator or function.
pub const CPU_OPERATOR_COST: f64 = 0.0025;

/// Usable bytes of a page (8 kB less its header).
const PAGE_BYTES: f64 = 8168.0;
/// Bytes each row takes besides its values (row header and line pointer).
const ROW_OVERHEAD: f64 = 28.0;
/// Pages PostgreSQL assumes for a table it knows nothing about.
const UNKNOWN_TABLE_PAGES: f64 = 10.0;

/// What a plan node is expected to cost and return.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Cost before the first row.
    pub startup: f64,
    /// Cost of all rows.
    pub total: f64,
    /// Rows returned.
    pub rows: f64,
    /// Average bytes per row.
    pub width: u32,
}

impl Estimate {
    /// A node that costs `cost` per row of `rows` rows, none before the first.
    pub fn per_row(rows: f64, cost: f64, width: u32) -> Estimate {
        Estimate {
            startup: 0.0,
            total: rows * cost,
            rows,
            width,
        }
    }
}

/// PostgreSQL's row-count rounding: at least one row, whole rows.
pub fn clamp_rows(rows: f64) -> f64 {
    if rows.is_nan() || rows <= 1.0 {
        1.0
    } else {
        rows.round()
    }
}

/// The bytes a value of type `ty` takes on average.
pub fn type_width(ty: &SqlType, typmod: TypeMod) -> u32 {
    let dims = u32::try_from(typmod).unwrap_or(0);
    match ty {
        SqlType::Bool => 1,
        SqlType::Int4 | SqlType::Float4 | SqlType::RegType | SqlType::RegConfig => 4,
        SqlType::Int8 | SqlType::Float8 => 8,
        SqlType::Vector if dims > 0 => 8 + 4 * dims,
        SqlType::HalfVec if dims > 0 => 8 + 2 * dims,
        SqlType::Bit | SqlType::VarBit if dims > 0 => 8 + dims.div_ceil(8),
        _ => 32,
    }
}

/// The average width of column `position` of `table`: `ANALYZE`'s, else its type's.
pub fn column_width(table: &Table, position: usize) -> u32 {
    let analyzed = table
        .stats
        .as_ref()
        .and_then(|stats| stats.columns.get(position)?.as_ref())
        .map(|column| u32::try_from(column.avg_width).unwrap_or(0));
    analyzed.unwrap_or_else(|| {
        table
            .columns
            .get(position)
            .map_or(32, |column| type_width(&column.ty, column.typmod))
    })
}

/// The width of a whole row of `table`.
pub fn row_width(table: &Table) -> u32 {
    (0..table.columns.len())
        .map(|position| column_width(table, position))
        .sum()
}

/// The rows of `table`: as `ANALYZE` counted them, else as its row indexes or activity
/// counters hold them, else its heap's `pages` filled at the rows' width (PostgreSQL's
/// estimate from `relpages`), else PostgreSQL's guess of 10 pages.
pub fn table_rows(catalog: &Catalog, table: &Table, pages: Option<u32>) -> f64 {
    if let Some(stats) = &table.stats {
        return stats.rows as f64;
    }
    if let Some(rows) = table.row_indexes.estimated_rows() {
        return rows as f64;
    }
    let key = catalog.stats_key(&table.name);
    let live = catalog.table_stats.get(&key).n_live_tup;
    if live > 0 {
        return live as f64;
    }
    let pages = pages
        .filter(|&p| p > 0)
        .map_or(UNKNOWN_TABLE_PAGES, f64::from);
    (pages * rows_per_page(row_width(table))).floor()
}

fn rows_per_page(width: u32) -> f64 {
    (PAGE_BYTES / (f64::from(width) + ROW_OVERHEAD))
        .floor()
        .max(1.0)
}

/// The pages `rows` rows of `width` bytes fill (each row's values aligned to 8 bytes
/// after a 24-byte header, with a 4-byte line pointer).
pub fn pages(rows: f64, width: u32) -> f64 {
    let stored = f64::from(width.div_ceil(8) * 8) + ROW_OVERHEAD;
    (rows / (PAGE_BYTES / stored).floor().max(1.0)).ceil()
}

/// A sequential scan of `rows` rows of `width` bytes, running `filter_operators`
/// operators per row and passing `selectivity` of them, returning `out_width` bytes.
pub fn seq_scan(
    rows: f64,
    width: u32,
    filter_operators: usize,
    selectivity: f64,
    out_width: u32,
) -> Estimate {
    let per_row = CPU_TUPLE_COST + filter_operators as f64 * CPU_OPERATOR_COST;
    Estimate {
        startup: 0.0,
        total: pages(rows, width) * SEQ_PAGE_COST + rows * per_row,
        rows: clamp_rows(rows * selectivity),
        width: out_width,
    }
}

/// A btree scan of a table of `table_rows` rows whose range holds `matched` rows,
/// returning `selectivity` of those after `filter_operators` more operators. vecsh's
/// btree scan fetches its rows in storage order (as PostgreSQL's bitmap heap scan does),
/// so each heap page it touches is read once, in order: of `P` pages, `matched` rows
/// touch `P (1 − (1 − 1/P)^matched)` (Cardenas' formula).
pub fn btree_scan(
    table_rows: f64,
    width: u32,
    matched: f64,
    filter_operators: usize,
    selectivity: f64,
    out_width: u32,
) -> Estimate {
    // The btree itself is in memory: its entries cost CPU, not page reads.
    let descent = (table_rows.max(2.0)).log2().ceil() * CPU_OPERATOR_COST;
    let heap = pages(table_rows, width).max(1.0);
    let touched = heap * (1.0 - (1.0 - 1.0 / heap).powf(matched));
    let per_row = CPU_INDEX_TUPLE_COST
        + CPU_OPERATOR_COST
        + CPU_TUPLE_COST
        + filter_operators as f64 * CPU_OPERATOR_COST;
    Estimate {
        startup: descent,
        total: descent + touched * SEQ_PAGE_COST + matched * per_row,
        rows: clamp_rows(matched * selectivity),
        width: out_width,
    }
}

/// One distance between the query and a `dims`-dimensional vector: one operator per 8
/// dimensions (calibrated on pypi-minilm, 384 dimensions, from `cargo xtask plans`'
/// measured query times: they work out at about 0.4 µs per HNSW visit as this model
/// counts visits, 1.7–2.7 µs per btree-fetched row with its distance, and 3 µs per cost
/// unit of the sequential scan).
pub fn distance_cost(dims: f64) -> f64 {
    CPU_OPERATOR_COST * (dims / 8.0).max(1.0)
}

/// How much a vector index search compares: the entries whose distance to the query
/// it computes (the index is a mapped snapshot: no page reads are counted).
#[derive(Clone, Copy, Debug)]
pub struct VectorSearch {
    /// Entries compared with the query (each a distance).
    pub visited: f64,
}

impl VectorSearch {
    /// An HNSW search examining `examined` candidates (its `ef_search`, or more when a
    /// filter makes it read on) over a graph of `m` links: each examined candidate's
    /// layer-0 neighbours (up to `2m`) are compared.
    pub fn hnsw(examined: f64, m: f64) -> VectorSearch {
        VectorSearch {
            visited: examined.max(m) * 2.0 * m,
        }
    }

    /// An IVFFlat search reading `entries` entries (at least its `probes` lists of
    /// `rows / lists` each) after comparing the query with every list centre.
    pub fn ivfflat(rows: f64, lists: f64, probes: f64, entries: f64) -> VectorSearch {
        let lists = lists.max(1.0);
        VectorSearch {
            visited: lists + entries.max(rows * probes.min(lists) / lists),
        }
    }

    /// The cost of the search over `dims`-dimensional vectors.
    pub fn cost(&self, dims: f64) -> f64 {
        self.visited * (CPU_INDEX_TUPLE_COST + distance_cost(dims))
    }
}

/// A vector index scan: the search before the first row, then the table's rows in
/// distance order (a `LIMIT` reads a share of them), each fetched from the heap.
pub fn vector_scan(search: VectorSearch, dims: f64, rows: f64, out_width: u32) -> Estimate {
    let startup = search.cost(dims);
    Estimate {
        startup,
        total: startup + rows * (CPU_TUPLE_COST + SEQ_PAGE_COST * 0.05),
        rows: clamp_rows(rows),
        width: out_width,
    }
}

/// A sort of `input`; with `bound`, a heap keeping the best `bound` rows.
pub fn sort(input: Estimate, bound: Option<f64>) -> Estimate {
    let n = input.rows.max(2.0);
    let comparison = 2.0 * CPU_OPERATOR_COST;
    let compares = match bound {
        Some(k) if k * 2.0 < n => n * (2.0 * k).max(2.0).log2(),
        _ => n * n.log2(),
    };
    let startup = input.total + comparison * compares;
    Estimate {
        startup,
        total: startup + CPU_OPERATOR_COST * input.rows,
        rows: input.rows,
        width: input.width,
    }
}

/// `LIMIT count OFFSET offset` over `input`.
pub fn limit(input: Estimate, offset: f64, count: Option<f64>) -> Estimate {
    let available = (input.rows - offset).max(0.0);
    let rows = count.map_or(available, |count| count.min(available));
    let run = input.total - input.startup;
    let share = |n: f64| {
        if input.rows > 0.0 {
            (n / input.rows).min(1.0)
        } else {
            0.0
        }
    };
    Estimate {
        startup: input.startup + run * share(offset),
        total: input.startup + run * share(offset + rows),
        rows: clamp_rows(rows),
        width: input.width,
    }
}

/// An aggregation of `input` into `groups` groups by `keys` keys with `calls` aggregate
/// calls (no keys: one row), returning `width` bytes and passing `selectivity` of the
/// groups through `HAVING`.
pub fn aggregate(
    input: Estimate,
    keys: usize,
    calls: usize,
    groups: f64,
    selectivity: f64,
    width: u32,
) -> Estimate {
    let per_row = (keys + calls) as f64 * CPU_OPERATOR_COST;
    let startup = input.total + input.rows * per_row;
    let groups = if keys == 0 { 1.0 } else { groups };
    Estimate {
        startup,
        total: startup + groups * CPU_TUPLE_COST,
        rows: clamp_rows(groups * selectivity),
        width,
    }
}

/// Window functions over `input`: per row and window, the function, a key comparison
/// and the row.
pub fn window(input: Estimate, windows: usize, width: u32) -> Estimate {
    Estimate {
        startup: input.startup,
        total: input.total
            + input.rows * windows as f64 * (CPU_TUPLE_COST + 2.0 * CPU_OPERATOR_COST),
        rows: input.rows,
        width,
    }
}

/// Rows passed on from `input` one at a time (a subquery scan, an append member).
pub fn pass(input: Estimate, width: u32) -> Estimate {
    Estimate {
        startup: input.startup,
        total: input.total + input.rows * CPU_TUPLE_COST,
        rows: input.rows,
        width,
    }
}

/// A hash join: `inner` hashed on `keys` keys, probed by each `outer` row, returning
/// `rows` rows.
pub fn hash_join(outer: Estimate, inner: Estimate, keys: usize, rows: f64) -> Estimate {
    let build = inner.total + inner.rows * (keys as f64 * CPU_OPERATOR_COST + CPU_TUPLE_COST);
    let startup = outer.startup + build;
    Estimate {
        startup,
        total: startup
            + (outer.total - outer.startup)
            + outer.rows * keys as f64 * CPU_OPERATOR_COST
            + rows * CPU_TUPLE_COST,
        rows: clamp_rows(rows),
        width: outer.width + inner.width,
    }
}

/// A nested loop: `inner` run for each `outer` row, returning `rows` rows.
pub fn nested_loop(outer: Estimate, inner: Estimate, rows: f64) -> Estimate {
    let rescans = (outer.rows - 1.0).max(0.0);
    Estimate {
        startup: outer.startup + inner.startup,
        total: outer.total
            + inner.total
            + rescans * (inner.total - inner.startup).max(inner.rows * CPU_OPERATOR_COST)
            + outer.rows * inner.rows * CPU_TUPLE_COST,
        rows: clamp_rows(rows),
        width: outer.width + inner.width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.005
    }

    #[test]
    fn sort_and_limit_follow_postgresql() {
        // PostgreSQL: Seq Scan (cost=0.00..18.50 rows=100), Sort (20.16..20.41),
        // Limit 5 (20.16..20.17).
        let scan = Estimate {
            startup: 0.0,
            total: 18.5,
            rows: 100.0,
            width: 12,
        };
        let sorted = sort(scan, Some(5.0));
        assert!(close(sorted.startup, 20.16), "{sorted:?}");
        assert!(close(sorted.total, 20.41), "{sorted:?}");
        let limited = limit(sorted, 0.0, Some(5.0));
        assert!(close(limited.total, 20.17), "{limited:?}");
        assert_eq!(limited.rows, 5.0);
    }

    #[test]
    fn hash_aggregate_follows_postgresql() {
        // PostgreSQL: HashAggregate (cost=21.00..21.10 rows=10) over a 1,000-row scan
        // costing 16.00.
        let scan = Estimate {
            startup: 0.0,
            total: 16.0,
            rows: 1000.0,
            width: 4,
        };
        let grouped = aggregate(scan, 1, 1, 10.0, 1.0, 12);
        assert!(close(grouped.startup, 21.0) && close(grouped.total, 21.1));
    }

    #[test]
    fn an_unknown_table_is_ten_pages() {
        // PostgreSQL's 2,550 rows for a never-analyzed table of one integer column.
        assert_eq!((UNKNOWN_TABLE_PAGES * rows_per_page(4)).floor(), 2550.0);
    }

    #[test]
    fn a_vector_search_costs_less_than_sorting_the_table_under_a_limit() {
        let rows = 100_000.0;
        let scan = seq_scan(rows, 1544, 0, 1.0, 1544);
        let exact = limit(sort(scan, Some(10.0)), 0.0, Some(10.0));
        let walk = limit(
            vector_scan(VectorSearch::hnsw(40.0, 16.0), 384.0, rows, 1544),
            0.0,
            Some(10.0),
        );
        assert!(walk.total * 10.0 < exact.total, "{walk:?} vs {exact:?}");
    }
}
