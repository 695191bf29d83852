//! Any bytes as a note: rendering never panics and leaves nothing that can run.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| margin_core::invariants::check_render(data));
