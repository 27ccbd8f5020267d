//! Integration tests of vec-shell: the parser's properties, the engine's exact psql
//! output, and the `vecsh` binary.

mod aggregates;
mod alter;
mod bad_input;
mod build_memory;
mod cancel;
mod cli;
mod common;
mod concurrency;
mod constraints;
mod corruption;
mod crash;
mod crash_concurrent;
mod cte;
mod damage;
mod depth;
mod distance_scan;
mod durable;
mod engine;
mod explain_analyze;
mod fuzz;
mod fuzz_targets;
mod generated;
mod index;
mod isolation;
mod joins;
#[cfg(unix)]
mod limits;
mod maintenance;
mod monitoring;
mod output;
mod partial_index;
mod planner;
mod prepared;
mod qualified_joins;
mod scans;
mod scripts;
mod server;
mod setops;
mod shape_cache;
mod sizes;
mod snapshots;
mod storage_mode;
mod streaming;
#[cfg(unix)]
mod terminal;
mod tuning;
mod txn;
mod upsert;
mod vectors;
mod vectors_legacy;
mod vectors_lifecycle;
mod windows;
