//! Integration tests of vec-shell: the parser's properties, the engine's exact psql
//! output, and the `vecsh` binary.

mod alter;
mod cli;
mod cte;
mod durable;
mod engine;
mod fuzz;
mod index;
mod joins;
mod output;
mod scans;
mod upsert;
