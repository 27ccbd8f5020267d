//! Fuzz target `vector_binary`: `vec_shell::fuzzing::vector_binary` on libFuzzer's inputs; it must never
//! panic, hang or abort.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vec_shell::fuzzing::vector_binary(data));
