//! `cargo xtask`: developer and user tooling for vecsh.
fn main() {}
