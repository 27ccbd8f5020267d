//! `cargo xtask`: developer and user tooling for vecsh.
//!
//! Invariant: nothing depends on `xtask`; it may depend on anything and may print.
//!
//! Commands:
//! - `cargo xtask tidy` checks the project's own rules: the crate layering of `DESIGN.md`,
//!   a `//!` paragraph at the top of every source file, and no source file over 800 lines.
//!   The same checks run as tests under `cargo test --workspace`.

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
        _ => {
            eprintln!("usage: cargo xtask tidy");
            ExitCode::from(2)
        }
    }
}
