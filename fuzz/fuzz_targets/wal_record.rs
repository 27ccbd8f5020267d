//! Fuzz target `wal_record`: `vec_shell::fuzzing::wal_record` on libFuzzer's inputs; it must never
//! panic, hang or abort.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vec_shell::fuzzing::wal_record(data));
