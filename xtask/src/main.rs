//! `cargo xtask`: developer and user tooling for vecsh.
//!
//! Invariant: nothing depends on `xtask`; it may depend on anything and may print.
//!
//! Commands:
//! - `cargo xtask tidy` checks the project's own rules: the crate layering (its table in
//!   `tidy`, drawn in the README's Layout section), vec-shell's module layering (the
//!   `## Layers` block of its `lib.rs`), a `//!` paragraph at the top of every source file,
//!   and no source file over 800 lines.
//!   The same checks run as tests under `cargo test --workspace`.
//! - `cargo xtask bench [OPTIONS] [DATASET]` measures recall@k against queries per second
//!   for each index (build time, size, memory, latency percentiles, batch throughput,
//!   filtered sweeps), checks the answers, and writes tables, JSON and an SVG plot
//!   (see `xtask/BENCH.md`); `--quick` is the CI smoke test.
//! - `cargo xtask plans [OPTIONS]` runs filtered and unfiltered vector queries with the
//!   planner's choice and forced into each alternative plan, and checks that the choice
//!   is the fastest (within noise) at full recall (see `xtask/BENCH.md`).
//! - `cargo xtask dataset export --format csv|binary --out FILE [DATASET]` writes a dataset
//!   as a file that `COPY … FROM` loads into a vecsh (or PostgreSQL + pgvector) table.
//! - `cargo xtask regress [DIR] [NAME...]` runs pgvector's regression files through `vecsh`
//!   and compares the output with pgvector's expected output statement by statement
//!   (see `xtask/REGRESS.md`); `--min-pass FRACTION` turns it into a floor check for CI.

mod bench;
mod export;
mod regress;
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("tidy") => match tidy::run_all(&tidy::workspace_root()) {
            Ok(()) => {
                println!("tidy: all checks pass");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for problem in problems {
                    eprintln!("tidy: {problem}");
                }
                ExitCode::FAILURE
            }
        },
        Some("bench") => match bench::main(&args[1..], &tidy::workspace_root()) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("bench: {error:#}");
                ExitCode::from(2)
            }
        },
        Some("plans") => match bench::plans::main(&args[1..], &tidy::workspace_root()) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("plans: {error:#}");
                ExitCode::from(2)
            }
        },
        Some("dataset") => match export::main(&args[1..], &tidy::workspace_root()) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("dataset: {error:#}");
                ExitCode::from(2)
            }
        },
        Some("regress") => match regress::main(&args[1..], &tidy::workspace_root()) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("regress: {error:#}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!(
                "usage: cargo xtask tidy\n       cargo xtask bench --help\n       \
                 cargo xtask plans --help\n       cargo xtask dataset export --help\n       cargo xtask regress --help"
            );
            ExitCode::from(2)
        }
    }
}
