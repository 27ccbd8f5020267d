//! The vecsh SQL engine (`sql` → `analyze` → `plan` → `exec` over `catalog` and `value`)
//! and the psql-like shell.
//!
//! Invariant: the top library crate. It may depend on every `vec-*` crate; only it and
//! `xtask` print to a terminal.
//!
//! The engine arrives with its own issue; this crate is the place it will live.
