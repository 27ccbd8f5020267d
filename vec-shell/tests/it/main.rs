//! Integration tests of vec-shell: the parser's properties, the engine's exact psql
//! output, and the `vecsh` binary.

mod alter;
mod cancel;
mod cli;
mod common;
mod crash;
mod cte;
mod distance_scan;
mod durable;
mod engine;
mod fuzz;
mod generated;
mod index;
mod joins;
mod maintenance;
mod output;
mod qualified_joins;
mod scans;
mod scripts;
mod snapshots;
#[cfg(unix)]
mod terminal;
mod tuning;
mod txn;
mod upsert;
mod vectors;
mod vectors_lifecycle;
