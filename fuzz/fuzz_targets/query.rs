//! Anything typed in the search box is an answer, never an error (on an index of the bundled notes).
#![no_main]
use std::sync::OnceLock;

use margin_core::search::SearchIndex;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let notes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../notes");
            let dir = tempfile::tempdir().expect("a temp dir");
            let index = margin_core::invariants::index_of(&notes, dir.path()).expect("an index");
            (dir, index)
        })
        .1
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| margin_core::invariants::check_query(index(), data));
