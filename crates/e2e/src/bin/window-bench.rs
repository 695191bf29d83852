//! Measures the real window on a large vault: a first start (the index is built), a warm start
//! (time until the tree shows and search answers), memory of all the app's processes when
//! idle, and typing-to-results latency in the search palette (debounce included). Run by
//! `cargo xtask bench --window`, which starts Xvfb and tauri-driver and names the vault.

use std::time::Instant;

use anyhow::{Context, Result};
use margin_e2e::{element, with_app};
use serde_json::json;

/// In the page: type `query` into the palette as a person would (input events), and resolve
/// with the milliseconds until its results are on screen.
const TYPE_AND_WAIT: &str = r#"
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
const input = document.querySelector('.palette-input');
const list = document.querySelector('.palette-results');
input.value = '';
const t0 = performance.now();
input.value = query;
input.dispatchEvent(new Event('input'));
const finish = () => done({ ms: performance.now() - t0, rows: list.querySelectorAll('.palette-hit').length });
const observer = new MutationObserver(() => { observer.disconnect(); finish(); });
observer.observe(list, { childList: true });
setTimeout(() => { observer.disconnect(); done({ ms: -1, rows: 0 }); }, 5000);
"#;

const QUERIES: &[&str] = &[
    "git",
    "git com",
    "git commit",
    "docker",
    "docker run",
    "tar",
    "tar extr",
    "list files",
    "compress",
    "network interface",
    "ssh key",
    "python",
    "\"remote repository\"",
    "in:pages/linux package",
    "kubernetes pod",
    "imag conv",
    "process",
    "permissions",
    "copy",
    "find files",
];

/// (total PSS, anonymous PSS) in MB of the app and every process under it (WebKit's web and
/// network processes), from /proc/<pid>/smaps_rollup.
fn app_memory_mb(app: &str) -> (f64, f64) {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let roots: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).next() == Some(app.as_bytes()))
        })
        .collect();
    let in_tree = |mut pid: u32| {
        for _ in 0..8 {
            if roots.contains(&pid) {
                return true;
            }
            match parent_of(pid) {
                Some(p) if p > 1 => pid = p,
                _ => return false,
            }
        }
        false
    };
    let (mut pss, mut anon) = (0.0, 0.0);
    for pid in pids.into_iter().filter(|p| in_tree(*p)) {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        for line in rollup.lines() {
            let kb = |l: &str| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            if line.starts_with("Pss:") {
                pss += kb(line) / 1024.0;
            } else if line.starts_with("Pss_Anon:") {
                anon += kb(line) / 1024.0;
            }
        }
    }
    (pss, anon)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let vault = std::env::var("MARGIN_BENCH_VAULT").context("MARGIN_BENCH_VAULT is not set")?;
    let out = std::env::var("MARGIN_BENCH_OUT").context("MARGIN_BENCH_OUT is not set")?;
    let app = std::env::var("MARGIN_E2E_APP").context("MARGIN_E2E_APP is not set")?;
    // First start: the index is built from scratch.
    let started = Instant::now();
    let cold = std::sync::Arc::new(std::sync::Mutex::new((0.0, 0.0)));
    let cold_out = std::sync::Arc::clone(&cold);
    with_app(&["--vault", &vault], |c| async move {
        element(&c, ".tree-folder").await?;
        let tree = started.elapsed().as_secs_f64() * 1000.0;
        element(&c, ".status-index[data-state='ready']").await?;
        if let Ok(mut slot) = cold_out.lock() {
            *slot = (tree, started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(())
    })
    .await?;
    let (cold_tree_ms, cold_ready_ms) = cold.lock().map(|c| *c).unwrap_or_default();
    // Warm start: the index is there.
    let started = Instant::now();
    with_app(&["--vault", &vault], |c| async move {
        element(&c, ".tree-folder").await?;
        let tree_ms = started.elapsed().as_secs_f64() * 1000.0;
        element(&c, ".status-index[data-state='ready']").await?;
        let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let (pss_mb, anon_mb) = app_memory_mb(&app);
        c.execute(
            "document.querySelector('[data-role=\"palette\"]').hidden = false",
            vec![],
        )
        .await?;
        let mut times = Vec::new();
        for round in 0..3 {
            for q in QUERIES {
                let r = c.execute_async(TYPE_AND_WAIT, vec![json!(q)]).await?;
                let ms = r["ms"].as_f64().unwrap_or(-1.0);
                anyhow::ensure!(ms >= 0.0, "no results on screen for {q:?}");
                if round > 0 {
                    times.push(ms);
                }
            }
        }
        times.sort_by(f64::total_cmp);
        let report = json!({
            "first_start_tree_shown_ms": cold_tree_ms,
            "first_start_search_ready_ms": cold_ready_ms,
            "warm_start_tree_shown_ms": tree_ms,
            "warm_start_search_ready_ms": ready_ms,
            "idle_pss_mb": pss_mb,
            "idle_pss_anon_mb": anon_mb,
            "typing_to_results_p50_ms": percentile(&times, 0.5),
            "typing_to_results_p95_ms": percentile(&times, 0.95),
            "typing_to_results_max_ms": times.last().copied().unwrap_or(0.0),
            "debounce_ms": 60,
            "samples": times.len(),
        });
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
        println!("{report:#}");
        Ok(())
    })
    .await
}
