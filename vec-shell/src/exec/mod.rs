//! The executor: expression evaluation (`eval`), the query pipeline (`query`), sorting
//! and top-k (`sort`), aggregation (`aggregate`), btree index scans (`btree`), the
//! multi-threaded exact scan (`parallel`) and the data-changing statements (`dml`).

pub mod aggregate;
mod btree;
pub mod copy;
pub mod dml;
pub mod eval;
mod join;
pub mod parallel;
pub mod query;
pub mod sort;
mod upsert;

pub use eval::ExecContext;
pub use query::run_query;
