//! The indexer killed at random moments, 500 times, while it writes a changing vault: the index
//! must always open again and, once an indexing run completes, answer every search correctly —
//! the app starts and searches whatever moment a crash or power loss hit.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOTES: usize = 300;

fn margin(vault: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_margin"));
    cmd.arg("--vault")
        .arg(vault)
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_DATA_HOME", cache.join("data"));
    cmd
}

/// Rewrites notes `from..to` so that note `i` holds the word `rev{revision}note{i}`.
fn write_notes(vault: &Path, revision: usize, from: usize, to: usize) {
    for i in from..to {
        let folder = vault.join(format!("topic{}", i % 10));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("note{i}.md")),
            format!(
                "# Note {i}\n\nrev{revision}note{i} and some common words about systems.\n\n\
                 ## Details\n\nMore text for note {i}, revision {revision}.\n"
            ),
        )
        .unwrap();
    }
}

fn search_notes(vault: &Path, cache: &Path, query: &str) -> Vec<String> {
    let out = margin(vault, cache, &["search", query, "--json", "--limit", "5"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "search {query:?} failed after a crash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    hits.iter()
        .map(|h| h["note"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn killed_indexers_leave_an_index_that_opens_and_answers() {
    let home = tempfile::tempdir().unwrap();
    let vault = home.path().join("vault");
    let cache = home.path().join("cache");
    write_notes(&vault, 0, 0, NOTES);

    // How long one full run takes here: kills land anywhere from start-up to the commit.
    let started = Instant::now();
    assert!(margin(&vault, &cache, &["index"])
        .output()
        .unwrap()
        .status
        .success());
    let full_run = started.elapsed().as_micros() as u64;

    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut killed = 0;
    let cycles = 500;
    for cycle in 1..=cycles {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // A third of the notes change each cycle (a git checkout, a sync), so there is always
        // work to interrupt; every tenth cycle the whole index is dropped to force a rebuild.
        let from = (seed >> 40) as usize % NOTES;
        write_notes(&vault, cycle, from, (from + NOTES / 3).min(NOTES));
        if cycle % 10 == 0 {
            let _ = std::fs::remove_dir_all(cache.join("margin/index"));
        }
        let mut child = margin(&vault, &cache, &["index"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((seed >> 20) % (full_run + 1)));
        let _ = child.kill(); // SIGKILL
        if !child.wait().unwrap().success() {
            killed += 1;
        }
        if cycle % 100 == 0 {
            // Straight after a kill: the index opens and answers (maybe not yet current).
            search_notes(&vault, &cache, "common systems");
        }
    }

    // One run to completion, then every note is found by its latest word, and only by it.
    let index = margin(&vault, &cache, &["index"]).output().unwrap();
    assert!(
        index.status.success(),
        "{}",
        String::from_utf8_lossy(&index.stderr)
    );
    let mut checked = 0;
    for i in (0..NOTES).step_by(7) {
        let text =
            std::fs::read_to_string(vault.join(format!("topic{}/note{i}.md", i % 10))).unwrap();
        let word = text
            .split_whitespace()
            .find(|w| w.starts_with("rev"))
            .unwrap()
            .to_string();
        // The exact match comes first (typo tolerance may add rev…note1 after it).
        let hits = search_notes(&vault, &cache, &word);
        assert_eq!(
            hits.first(),
            Some(&format!("topic{}/note{i}.md", i % 10)),
            "{word} after the crash loop: {hits:?}"
        );
        checked += 1;
    }
    println!(
        "indexing crash test: {cycles} cycles, {killed} indexers killed mid-run (a full run takes {} ms), {checked} notes checked",
        full_run / 1000
    );
    assert!(killed > 100, "the kills must land mid-run: {killed} killed");
}
