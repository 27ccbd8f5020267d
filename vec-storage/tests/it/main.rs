//! Integration tests of `vec-storage`: the store's public API, random operations against a
//! `BTreeMap` model, fault injection, and the process-kill crash harness.

mod basic;
mod common;
mod crash;
mod faults;
mod heap_damage;
mod model;
mod owned;
mod read_in_place;
mod tidy;
mod versions;
mod wal_damage;
