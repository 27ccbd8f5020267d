//! The executor: expression evaluation (`eval`), the query pipeline (`query`), sorting
//! and top-k (`sort`), aggregation (`aggregate`) and the data-changing statements
//! (`dml`).

pub mod aggregate;
pub mod copy;
pub mod dml;
pub mod eval;
mod join;
pub mod query;
pub mod sort;
mod upsert;

pub use eval::ExecContext;
pub use query::run_query;
