//! Quotes found again where they were, and never out of bounds after an edit.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| margin_core::invariants::check_anchoring(data));
