//! Measures margin-core on a large vault and ripgrep on the same queries, in one run, and
//! writes a JSON report. `cargo xtask bench` unpacks the corpus, builds this in release mode,
//! runs it and prints the table.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use margin_core::search::{schema::analyze, SearchIndex};
use margin_core::Vault;
use serde_json::json;

mod cli;
mod quality;
mod reading;
mod study;
mod sync;

#[derive(Parser)]
struct Args {
    /// The vault to measure.
    #[arg(long)]
    vault: PathBuf,
    /// A scratch cache folder (emptied first).
    #[arg(long)]
    cache: PathBuf,
    /// Where to write the JSON report.
    #[arg(long)]
    out: PathBuf,
    /// Fewer queries and edits, for a run under two minutes.
    #[arg(long)]
    quick: bool,
    /// The release `margin` CLI, for the whole-process measures.
    #[arg(long)]
    cli: Option<PathBuf>,
    /// Only the search-quality checks (CJK recall, known item), for tuning ranking.
    #[arg(long)]
    quality_only: bool,
}

/// A small deterministic generator, so every run draws the same queries.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

#[derive(Clone)]
struct Case {
    kind: &'static str,
    query: String,
    /// The same question for ripgrep (a regex).
    rg: String,
    /// A sub-folder for `in:` filters, searched by rg instead of the whole vault.
    rg_dir: Option<String>,
    /// Margin matches words anywhere in a section, across lines: rg is asked the same (its
    /// `--multiline`), or it would only find both words on one line.
    rg_multiline: bool,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn peak_rss_mb() -> f64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Draws queries from the corpus vocabulary: single words, two words, phrases, prefixes,
/// typos and folder filters.
fn draw_cases(vault: &Vault, ids: &[String], count: usize) -> Vec<Case> {
    let mut rng = Lcg(0x5eed);
    let mut freq: HashMap<String, usize> = HashMap::new();
    let mut sample_texts = Vec::new();
    for _ in 0..400 {
        let id = rng.pick(ids);
        if let Ok(text) = vault.read(id) {
            for w in analyze(&text) {
                *freq.entry(w).or_default() += 1;
            }
            sample_texts.push((id.clone(), text));
        }
    }
    let mut words: Vec<String> = freq
        .into_iter()
        .filter(|(w, n)| *n >= 2 && w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))
        .map(|(w, _)| w)
        .collect();
    words.sort();
    let long: Vec<&String> = words.iter().filter(|w| w.len() >= 6).collect();
    let mut cases = Vec::new();
    let share = |n: usize| (count * n).div_ceil(100);
    for _ in 0..share(35) {
        let w = rng.pick(&words).clone();
        cases.push(Case {
            kind: "word",
            rg: w.clone(),
            query: w,
            rg_dir: None,
            rg_multiline: false,
        });
    }
    for _ in 0..share(20) {
        let (a, b) = (rng.pick(&words).clone(), rng.pick(&words).clone());
        cases.push(Case {
            kind: "two words",
            query: format!("{a} {b}"),
            rg: format!("(?s){a}.*{b}|{b}.*{a}"),
            rg_dir: None,
            rg_multiline: true,
        });
    }
    for _ in 0..share(15) {
        let (_, text) = rng.pick(&sample_texts);
        let tokens = analyze(text);
        if tokens.len() < 3 {
            continue;
        }
        let at = (rng.next() as usize) % (tokens.len() - 2);
        let phrase = tokens[at..at + 2].join(" ");
        cases.push(Case {
            kind: "phrase",
            query: format!("\"{phrase}\""),
            rg: tokens[at..at + 2].join(r"\W+"),
            rg_dir: None,
            rg_multiline: true,
        });
    }
    for _ in 0..share(10) {
        let w = rng.pick(&words);
        let p: String = w.chars().take(4).collect();
        cases.push(Case {
            kind: "prefix",
            query: format!("{p}*"),
            rg: format!(r"\b{p}"),
            rg_dir: None,
            rg_multiline: false,
        });
    }
    for _ in 0..share(10) {
        let w = rng.pick(&long).to_string();
        let i = 1 + (rng.next() as usize) % (w.len() - 2);
        let typo = format!("{}{}", &w[..i], &w[i + 1..]);
        cases.push(Case {
            kind: "typo",
            rg: typo.clone(),
            query: typo,
            rg_dir: None,
            rg_multiline: false,
        });
    }
    let folders: Vec<String> = {
        let mut f: Vec<String> = ids
            .iter()
            .filter_map(|id| id.rsplit_once('/').map(|(d, _)| d.to_string()))
            .collect();
        f.sort();
        f.dedup();
        f
    };
    for _ in 0..share(10) {
        let folder = rng.pick(&folders).clone();
        let w = rng.pick(&words).clone();
        cases.push(Case {
            kind: "filter",
            query: format!("in:{folder} {w}"),
            rg: w,
            rg_dir: Some(folder),
            rg_multiline: false,
        });
    }
    cases.truncate(count);
    cases
}

fn rg_time(case: &Case, vault: &Path) -> Result<Duration> {
    let dir = case
        .rg_dir
        .as_ref()
        .map_or(vault.to_path_buf(), |d| vault.join(d));
    let started = Instant::now();
    let mut rg = Command::new("rg");
    if case.rg_multiline {
        rg.arg("--multiline");
    }
    let status = rg
        .args(["-i", "-l", "--no-messages", "-e", &case.rg])
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .context("running rg (install ripgrep)")?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        status.code().is_some_and(|c| c <= 1),
        "rg failed on {:?}",
        case.rg
    );
    Ok(elapsed)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let _ = fs::remove_dir_all(&args.cache);
    let vault = Vault::open(&args.vault)?;
    let scan = vault.scan();
    let ids: Vec<String> = scan.notes.iter().map(|n| n.id.clone()).collect();
    let corpus_bytes: u64 = scan.notes.iter().map(|n| n.size).sum();
    eprintln!(
        "bench: {} notes, {:.1} MB",
        ids.len(),
        corpus_bytes as f64 / 1e6
    );

    // One full ripgrep scan of the corpus, for the cold-build ratio.
    let rg_scan = {
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                rg_time(
                    &Case {
                        kind: "scan",
                        query: String::new(),
                        rg: "zqxjkv_not_there".into(),
                        rg_dir: None,
                        rg_multiline: false,
                    },
                    vault.root(),
                )
                .map(ms)
            })
            .collect::<Result<_>>()?;
        times.sort_by(f64::total_cmp);
        times[1]
    };

    if args.quality_only {
        let (index, _, _) = SearchIndex::for_vault(&vault, &args.cache, None, &mut |_, _| true)?;
        let report = json!({
            "cjk": quality::cjk(&vault, &ids, &index)?,
            "known_item": quality::known_item(&args.cache.join("known-item"))?,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let started = Instant::now();
    let (index, _, stats) = SearchIndex::for_vault(&vault, &args.cache, None, &mut |_, _| true)?;
    let build = started.elapsed();
    eprintln!(
        "bench: cold build {:.2}s ({} notes)",
        build.as_secs_f64(),
        stats.added
    );
    let index_bytes = dir_size(index.dir());
    drop(index);

    let mut warm = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let (index, _, stats) =
            SearchIndex::for_vault(&vault, &args.cache, None, &mut |_, _| true)?;
        warm.push(ms(started.elapsed()));
        anyhow::ensure!(
            stats.added + stats.changed == 0,
            "warm open reindexed notes"
        );
        drop(index);
    }
    warm.sort_by(f64::total_cmp);
    let (index, _, _) = SearchIndex::for_vault(&vault, &args.cache, None, &mut |_, _| true)?;

    // Edit → searchable: touch notes one at a time, each followed by an update and a search.
    let mut rng = Lcg(42);
    let edits = if args.quick { 10 } else { 30 };
    let mut edit_ms = Vec::new();
    for n in 0..edits {
        let id = rng.pick(&ids).clone();
        let path = vault.path_of(&id)?;
        let mut text = fs::read_to_string(&path)?;
        let marker = format!("benchmarker{n}x");
        text.push_str(&format!("\n{marker}\n"));
        let started = Instant::now();
        fs::write(&path, text)?;
        index.update_notes(&vault, std::slice::from_ref(&id))?;
        let hits = index.search(&marker, 5, false)?;
        edit_ms.push(ms(started.elapsed()));
        anyhow::ensure!(
            hits.first().is_some_and(|h| h.note == id),
            "edit of {id} not found"
        );
    }
    edit_ms.sort_by(f64::total_cmp);
    // Reindex after touching 10 notes at once.
    for id in ids.iter().take(10) {
        let path = vault.path_of(id)?;
        let text = fs::read_to_string(&path)?;
        fs::write(&path, format!("{text}\ntouched\n"))?;
    }
    let started = Instant::now();
    let touched = index.update(&vault, &mut |_, _| true)?;
    let reindex10 = ms(started.elapsed());
    anyhow::ensure!(
        touched.changed == 10,
        "expected 10 changed notes, got {}",
        touched.changed
    );

    // Through the watcher, as in the app: file saved → event → index → found by search.
    let index = std::sync::Arc::new(index);
    let (for_watcher, watched) = (std::sync::Arc::clone(&index), vault.clone());
    let _watcher = margin_core::watch::watch(&vault, None, move |changes| {
        if let Err(err) = for_watcher.apply(&watched, &changes) {
            eprintln!("bench: watcher update failed: {err}");
        }
    })?;
    std::thread::sleep(Duration::from_millis(300));
    let mut watch_ms = Vec::new();
    for n in 0..(if args.quick { 20 } else { 100 }) {
        let id = rng.pick(&ids).clone();
        let path = vault.path_of(&id)?;
        let marker = format!("watchedit{n}z");
        let text = format!("{}\n{marker}\n", fs::read_to_string(&path)?);
        let started = Instant::now();
        fs::write(&path, text)?;
        loop {
            if index
                .search(&marker, 1, false)?
                .first()
                .is_some_and(|h| h.note == id)
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(10),
                "edit of {id} never found"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        watch_ms.push(ms(started.elapsed()));
    }
    watch_ms.sort_by(f64::total_cmp);
    // A git-checkout-like burst: a new folder with a thousand notes.
    let before = index.note_count();
    let started = Instant::now();
    fs::create_dir_all(vault.root().join("zz-burst"))?;
    for i in 0..1000 {
        fs::write(
            vault.root().join(format!("zz-burst/b{i:04}.md")),
            format!("# Burst {i}\n\nburstmark{i}q\n"),
        )?;
    }
    while index.note_count() < before + 1000 || index.search("burstmark999q", 1, false)?.is_empty()
    {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the burst never became searchable"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let burst_ms = ms(started.elapsed());

    let cases = draw_cases(&vault, &ids, if args.quick { 50 } else { 240 });
    let mut ours = Vec::new();
    let mut first_runs = Vec::new();
    let mut rg = Vec::new();
    let mut by_kind: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut hits_total = 0;
    for case in &cases {
        // Twice: the first run (reported too) warms the page cache for this query, as typing
        // its first letters would.
        let started = Instant::now();
        index.search(&case.query, 20, false)?;
        first_runs.push(ms(started.elapsed()));
        let started = Instant::now();
        let hits = index.search(&case.query, 20, false)?;
        let t = ms(started.elapsed());
        hits_total += hits.len();
        ours.push(t);
        by_kind.entry(case.kind).or_default().push(t);
        rg.push(ms(rg_time(case, vault.root())?));
    }
    ours.sort_by(f64::total_cmp);
    first_runs.sort_by(f64::total_cmp);
    rg.sort_by(f64::total_cmp);
    let cli = match &args.cli {
        Some(cli) => {
            let queries: Vec<String> = cases
                .iter()
                .take(if args.quick { 20 } else { 60 })
                .map(|c| c.query.clone())
                .collect();
            cli::run(&vault, cli, &args.cache.join("cli"), &queries, &index)?
        }
        None => json!(null),
    };
    drop(_watcher);
    let quality = json!({
        "cjk": quality::cjk(&vault, &ids, &index)?,
        "known_item": quality::known_item(&args.cache.join("known-item"))?,
    });
    let study = study::run(&vault, &ids, args.cli.as_deref(), &args.cache.join("data"))?;
    let sync = sync::run(&vault, &ids, &args.cache.join("sync"), args.quick)?;
    let reading = reading::run()?;
    let mut kinds = serde_json::Map::new();
    for (kind, mut times) in by_kind {
        times.sort_by(f64::total_cmp);
        kinds.insert(kind.into(), json!({ "n": times.len(), "p50_ms": percentile(&times, 0.5), "p99_ms": percentile(&times, 0.99) }));
    }
    let report = json!({
        "corpus_notes": ids.len(),
        "corpus_mb": corpus_bytes as f64 / 1e6,
        "index_build_s": build.as_secs_f64(),
        "rg_full_scan_ms": rg_scan,
        "build_vs_rg_scan": build.as_secs_f64() * 1000.0 / rg_scan,
        "warm_open_ms": warm[1],
        "reindex_10_notes_ms": reindex10,
        "watch_edit_to_searchable_p50_ms": percentile(&watch_ms, 0.5),
        "watch_edit_to_searchable_p95_ms": percentile(&watch_ms, 0.95),
        "watch_edits": watch_ms.len(),
        "burst_1000_searchable_ms": burst_ms,
        "edit_to_searchable_p50_ms": percentile(&edit_ms, 0.5),
        "edit_to_searchable_p95_ms": percentile(&edit_ms, 0.95),
        "queries": cases.len(),
        "hits_returned": hits_total,
        "query_p50_ms": percentile(&ours, 0.5),
        "query_p95_ms": percentile(&ours, 0.95),
        "query_p99_ms": percentile(&ours, 0.99),
        "query_first_run_p50_ms": percentile(&first_runs, 0.5),
        "query_first_run_p95_ms": percentile(&first_runs, 0.95),
        "cli": cli,
        "cli_unwatched_vs_rg_p50": percentile(&rg, 0.5) / cli["unwatched"]["p50_ms"].as_f64().unwrap_or(f64::NAN),
        "rg_p50_ms": percentile(&rg, 0.5),
        "rg_p95_ms": percentile(&rg, 0.95),
        "speedup_vs_rg_p50": percentile(&rg, 0.5) / percentile(&ours, 0.5),
        "index_mb": index_bytes as f64 / 1e6,
        "index_vs_corpus": index_bytes as f64 / corpus_bytes as f64,
        "peak_rss_mb": peak_rss_mb(),
        "by_kind": kinds,
        "quality": quality,
        "study": study,
        "sync": sync,
        "reading": reading,
        "quick": args.quick,
    });
    if let Some(dir) = args.out.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}
