//! Fuzz target `copy_csv`: `vec_shell::fuzzing::copy_csv` on libFuzzer's inputs; it must never
//! panic, hang or abort.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vec_shell::fuzzing::copy_csv(data));
