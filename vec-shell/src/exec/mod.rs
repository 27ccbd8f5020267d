//! The executor: expression evaluation (`eval`), the query pipeline (`query`, pull-based:
//! rows stream from scans to the client and `LIMIT` stops it), sorting and top-k
//! (`sort`), joins (`join`), memory budgets and spill files (`spill`), aggregation
//! (`aggregate`), recursive `WITH` queries (`recursive`), btree index scans (`btree`), the filter-aware vector index scan
//! (`filtered`), the multi-threaded exact scan
//! (`parallel`) and the data-changing statements (`dml`).

pub mod aggregate;
mod btree;
mod constraints;
mod context;
pub mod copy;
pub mod ddl;
mod distance_key;
pub mod dml;
mod filtered;
mod gin;
mod in_range;
pub mod instrument;
mod join;
pub mod parallel;
mod prefetch_ahead;
pub mod query;
mod recursive;
mod result;
mod setop;
pub mod setting_changes;
pub mod sort;
pub mod spill;
mod upsert;
mod window;

pub use context::{ExecContext, IndexGuards, SubqueryValues, WorkTables};
pub use query::{run_query, stream_query};
pub use result::{RowSet, StatementResult};

/// Locks `table`'s btree and primary key indexes, building them from the versions the
/// statement's view holds if this is their first use.
pub(crate) fn row_indexes<'t>(
    table: &'t crate::catalog::Table,
    context: &ExecContext<'_>,
) -> crate::error::Result<parking_lot::MappedMutexGuard<'t, crate::catalog::row_indexes::Built>> {
    table.lock_row_indexes(context.rows.versions())
}
