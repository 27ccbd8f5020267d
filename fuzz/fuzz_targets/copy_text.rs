//! Fuzz target `copy_text`: `vec_shell::fuzzing::copy_text` on libFuzzer's inputs; it must never
//! panic, hang or abort.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vec_shell::fuzzing::copy_text(data));
