//! The fuzzers' kept inputs, replayed on every test run: the seeds of `fuzz/seeds/` and every
//! input a fuzzer once broke something with (`fuzz/regressions/`, added by `cargo xtask fuzz`).

use std::path::{Path, PathBuf};

use margin_core::invariants;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.file_name().is_some_and(|n| n != ".keep") {
                let data = std::fs::read(&path).unwrap();
                out.push((path, data));
            }
        }
    }
    out
}

#[test]
fn render_corpus() {
    let all = inputs("render");
    assert!(all.len() >= 20, "{} render inputs", all.len());
    for (_, data) in all {
        invariants::check_render(&data);
    }
}

#[test]
fn query_corpus() {
    let notes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../notes");
    let dir = tempfile::tempdir().unwrap();
    let index = invariants::index_of(&notes, dir.path()).unwrap();
    let all = inputs("query");
    assert!(all.len() >= 20, "{} queries", all.len());
    for (_, data) in all {
        invariants::check_query(&index, &data);
    }
}

#[test]
fn anchoring_corpus() {
    let all = inputs("anchoring");
    assert!(!all.is_empty());
    for (_, data) in all {
        invariants::check_anchoring(&data);
    }
}

#[test]
fn note_id_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let vault = invariants::escape_fixture(dir.path()).unwrap();
    let all = inputs("note_id");
    assert!(all.len() >= 10, "{} ids", all.len());
    for (_, data) in all {
        invariants::check_note_id(&vault, &data);
    }
}
