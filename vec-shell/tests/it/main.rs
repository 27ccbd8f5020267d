//! Integration tests of vec-shell: the parser's properties, the engine's exact psql
//! output, and the `vecsh` binary.

mod cli;
mod durable;
mod engine;
mod fuzz;
mod index;
mod output;
