//! `cargo xtask bench`: unpacks the corpus into a scratch vault, runs the release-built
//! `margin-bench` on it, and prints its report as a table (the JSON stays in
//! `target/bench/report.json`).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cargo, exe, root, step, system, target_dir};

/// Rows of the table: (label, report key, unit, target).
const ROWS: &[(&str, &str, &str, &str)] = &[
    ("notes in the corpus", "corpus_notes", "", ""),
    (
        "CJK words found in the top 50 (share of the pages grep finds)",
        "quality/cjk/recall_top50",
        "",
        "≥ 0.95",
    ),
    (
        "CJK: first snippet marks the word",
        "quality/cjk/first_snippet_marks_word",
        "",
        "",
    ),
    (
        "known item (Rust book), MRR exact",
        "quality/known_item/mrr_exact",
        "",
        "≥ 0.92",
    ),
    (
        "known item, MRR with one typo",
        "quality/known_item/mrr_one_typo",
        "",
        "≥ 0.85",
    ),
    (
        "known item, MRR last word cut to 4 letters (as typed)",
        "quality/known_item/mrr_last_word_cut_to_4",
        "",
        "≥ 0.85",
    ),
    ("corpus size", "corpus_mb", "MB", ""),
    ("cold index build", "index_build_s", "s", "≤ 10× rg scan"),
    ("one rg scan of the corpus", "rg_full_scan_ms", "ms", ""),
    ("cold build / rg scan", "build_vs_rg_scan", "×", "≤ 10"),
    ("warm open, nothing changed", "warm_open_ms", "ms", "≤ 300"),
    (
        "reindex after touching 10 notes",
        "reindex_10_notes_ms",
        "ms",
        "",
    ),
    (
        "edit → searchable p50",
        "edit_to_searchable_p50_ms",
        "ms",
        "",
    ),
    (
        "edit → searchable p95",
        "edit_to_searchable_p95_ms",
        "ms",
        "≤ 250",
    ),
    (
        "saved → found via the watcher, p50",
        "watch_edit_to_searchable_p50_ms",
        "ms",
        "",
    ),
    (
        "saved → found via the watcher, p95",
        "watch_edit_to_searchable_p95_ms",
        "ms",
        "≤ 250",
    ),
    (
        "burst of 1,000 new notes → all searchable",
        "burst_1000_searchable_ms",
        "ms",
        "≤ 5000",
    ),
    ("queries", "queries", "", "≥ 200"),
    ("query p50 (top 20 + snippets)", "query_p50_ms", "ms", "≤ 2"),
    ("query p95", "query_p95_ms", "ms", ""),
    ("query p99", "query_p99_ms", "ms", "≤ 10"),
    (
        "query, first run p50 (each query above timed twice)",
        "query_first_run_p50_ms",
        "ms",
        "",
    ),
    ("query, first run p95", "query_first_run_p95_ms", "ms", ""),
    (
        "rg -i -l p50, same question (all the words in a file: --multiline)",
        "rg_p50_ms",
        "ms",
        "",
    ),
    ("speed-up vs rg at p50", "speedup_vs_rg_p50", "×", "≥ 50"),
    (
        "`margin search`, whole process, `margin watch` running, p50",
        "cli/watched/p50_ms",
        "ms",
        "≤ 15",
    ),
    ("… same, p95", "cli/watched/p95_ms", "ms", ""),
    (
        "`margin search`, whole process, nothing watching, p50",
        "cli/unwatched/p50_ms",
        "ms",
        "",
    ),
    ("… same, p95", "cli/unwatched/p95_ms", "ms", ""),
    (
        "rg p50 / `margin search` nothing watching p50",
        "cli_unwatched_vs_rg_p50",
        "×",
        "≥ 5",
    ),
    (
        "first `margin search` after an edit (walks the vault)",
        "cli/after_an_edit_ms",
        "ms",
        "",
    ),
    (
        "first `margin search` ever (builds the index)",
        "cli/first_search_builds_index_ms",
        "ms",
        "",
    ),
    (
        "saved → found by `margin search` while watched",
        "cli/watched_edit_found_ms",
        "ms",
        "",
    ),
    ("index size", "index_mb", "MB", ""),
    ("index / corpus", "index_vs_corpus", "×", "≤ 1.5"),
    ("peak RSS", "peak_rss_mb", "MB", ""),
];

/// Rows of the study table: (label, key in the report's `study`, target).
const STUDY_ROWS: &[(&str, &str, &str)] = &[
    ("review queue of the whole vault", "queue_ms", ""),
    ("grade → next card's face, p50", "next_card_p50_ms", ""),
    ("grade → next card's face, p95", "next_card_p95_ms", "≤ 50"),
    (
        "progress per topic, in-process",
        "progress_in_process_ms",
        "",
    ),
    ("`margin progress`, first run", "progress_cli_first_ms", ""),
    (
        "`margin progress`, p50 of 5",
        "progress_cli_p50_ms",
        "≤ 300",
    ),
];

pub fn run(quick: bool, window: bool, corpus: Option<PathBuf>) -> Result<()> {
    system::ensure_packages(&["ripgrep"])?;
    let corpus = corpus.unwrap_or_else(|| root().join("../shared/corpora/tldr-pages.tar.gz"));
    if !corpus.is_file() {
        bail!("no corpus at {} (pass --corpus FILE)", corpus.display());
    }
    step(
        "build margin-bench and the CLI (release)",
        cargo().args([
            "build",
            "--release",
            "-p",
            "margin-bench",
            "-p",
            "margin-cli",
        ]),
    )?;
    let scratch = tempfile::tempdir()?;
    step(
        "unpack the corpus",
        Command::new("tar")
            .arg("-xzf")
            .arg(&corpus)
            .arg("-C")
            .arg(scratch.path()),
    )?;
    let vault = std::fs::read_dir(scratch.path())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .context("the corpus archive holds no folder")?;
    let target = target_dir()?;
    let report = target.join("bench").join("report.json");
    step(
        "benchmark",
        Command::new(target.join("release").join(exe("margin-bench")))
            .arg("--vault")
            .arg(&vault)
            .arg("--cache")
            .arg(scratch.path().join("cache"))
            .arg("--out")
            .arg(&report)
            .arg("--cli")
            .arg(target.join("release").join(exe("margin")))
            .args(quick.then_some("--quick")),
    )?;
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)?;
    println!("| measure | value | target |\n|---|---:|---|");
    for (label, key, unit, goal) in ROWS {
        // A key with a `/` is a path into the report (`quality/cjk/recall_top50`).
        let found = if key.contains('/') {
            json.pointer(&format!("/{key}"))
                .unwrap_or(&serde_json::Value::Null)
        } else {
            &json[key]
        };
        let value = match found {
            serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
            serde_json::Value::Number(n) => {
                let v = n.as_f64().unwrap_or(0.0);
                if v >= 100.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            }
            other => other.to_string(),
        };
        println!("| {label} | {value} {unit} | {goal} |");
    }
    if let Some(kinds) = json["by_kind"].as_object() {
        println!("\n| query kind | n | p50 ms | p99 ms |\n|---|---:|---:|---:|");
        for (kind, v) in kinds {
            println!(
                "| {kind} | {} | {:.2} | {:.2} |",
                v["n"],
                v["p50_ms"].as_f64().unwrap_or(0.0),
                v["p99_ms"].as_f64().unwrap_or(0.0)
            );
        }
    }
    let s = &json["study"];
    println!(
        "\n| study ({} cards, {} reviews) | value | target |\n|---|---:|---|",
        s["cards"], s["reviews_in_log"]
    );
    for (label, key, goal) in STUDY_ROWS {
        match s[key].as_f64() {
            Some(v) => println!("| {label} | {v:.1} ms | {goal} |"),
            None => println!("| {label} | NOT MEASURED | {goal} |"),
        }
    }
    let y = &json["sync"];
    match y["merge_ms"].as_f64() {
        Some(v) => println!(
            "\n| two computers ({} operations each, Syncthing) | value |\n|---|---:|\n| merge {} conflict copies ({} annotations after) | {v:.0} ms |",
            y["ops_per_device"], y["conflict_copies"], y["annotations_after"]
        ),
        None => println!("\n| two computers | NOT MEASURED |"),
    }
    let r = &json["reading"];
    println!("\n| reading (render in margin-core) | value | target |\n|---|---:|---|");
    for (label, key, goal) in [
        (
            "100 KB of Rust coloured, first render",
            "code_100k_first_ms",
            "",
        ),
        (
            "100 KB of Rust coloured, p50 / p95",
            "code_100k_p50_ms",
            "≤ 50 ms",
        ),
        (
            "the same note rendered again (its blocks kept), p50",
            "code_100k_again_p50_ms",
            "",
        ),
        (
            "the same 100 KB plain (unknown language), p50",
            "code_100k_plain_p50_ms",
            "",
        ),
        (
            "the same 100 KB through syntect (peer), p50",
            "syntect_100k_p50_ms",
            "",
        ),
        ("200 formulas to MathML, p50", "formulas_200_p50_ms", ""),
    ] {
        match r[key].as_f64() {
            Some(v) if key == "code_100k_p50_ms" => println!(
                "| {label} | {v:.1} / {:.1} ms | {goal} |",
                r["code_100k_p95_ms"].as_f64().unwrap_or(f64::NAN)
            ),
            Some(v) => println!("| {label} | {v:.1} ms | {goal} |"),
            None => println!("| {label} | NOT MEASURED | {goal} |"),
        }
    }
    println!("\nreport: {}", report.display());
    if window {
        window_bench(&vault, &target)?;
    }
    Ok(())
}

/// Only the window measures, on a vault prepared before (`--window-only DIR`).
pub fn window_only(vault: &std::path::Path) -> Result<()> {
    if !vault.is_dir() {
        bail!("no vault at {}", vault.display());
    }
    window_bench(vault, &target_dir()?)
}

/// The real window on the same vault, release build: start-up, memory, typing-to-results.
fn window_bench(vault: &std::path::Path, target: &std::path::Path) -> Result<()> {
    step(
        "build the window benchmark",
        cargo().args(["build", "-p", "margin-e2e", "--bin", "window-bench"]),
    )?;
    // `MARGIN_BENCH_DEBUG_APP=1`: the debug app (built in seconds, not minutes) for trying a
    // change to the page quickly; WebKit's own costs are the same, Rust's are not: such numbers
    // are not the README's.
    let debug = std::env::var_os("MARGIN_BENCH_DEBUG_APP").is_some();
    let release_app = if debug {
        eprintln!("xtask: MARGIN_BENCH_DEBUG_APP: measuring the DEBUG app (not for the README)");
        target.join("debug").join(exe("margin-app"))
    } else {
        step(
            "build the app (release)",
            cargo().args([
                "build",
                "--release",
                "-p",
                "margin-app",
                "--features",
                "custom-protocol",
            ]),
        )?;
        target.join("release").join(exe("margin-app"))
    };
    let out = target.join("bench").join("window.json");
    crate::e2e::with_driver(|env| {
        step(
            "window benchmark",
            env.apply(&mut Command::new(
                target.join("debug").join(exe("window-bench")),
            ))
            .env("MARGIN_E2E_APP", &release_app)
            .env("MARGIN_BENCH_VAULT", vault)
            .env("MARGIN_BENCH_OUT", &out),
        )
    })
}
