//! Measures the real window on a large vault: time until the tree shows and search answers,
//! and typing-to-results latency in the search palette (debounce included). Run by
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let vault = std::env::var("MARGIN_BENCH_VAULT").context("MARGIN_BENCH_VAULT is not set")?;
    let out = std::env::var("MARGIN_BENCH_OUT").context("MARGIN_BENCH_OUT is not set")?;
    let started = Instant::now();
    with_app(&["--vault", &vault], |c| async move {
        element(&c, ".tree-folder").await?;
        let tree_ms = started.elapsed().as_secs_f64() * 1000.0;
        element(&c, ".status-index[data-state='ready']").await?;
        let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
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
            "window_tree_shown_ms": tree_ms,
            "window_search_ready_ms": ready_ms,
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
