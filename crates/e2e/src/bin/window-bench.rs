//! Measures the real window on a large vault: a first start (the index is built), a warm start
//! (time until the tree shows and search answers), memory of all the app's processes when
//! idle, key-press-to-results latency in the search palette (typed key by key), and the editor
//! on a 1 MB note (open, keystroke to paint, save to searchable). Run by
//! `cargo xtask bench --window`, which starts Xvfb and tauri-driver and names the vault.

use std::time::Instant;

use anyhow::{Context, Result};
use margin_e2e::{element, eventually, invoke, open_in_tree, press, with_app, xdotool};
use serde_json::json;

/// In the page, defined once: `window.__afterPaint(f)` runs `f` in a task queued from a frame's
/// callback, i.e. after that frame is painted. One message channel for all: WebKit brokers
/// every channel through its network process, and a new one per key (never closed) left
/// thousands open after the palette's rounds, which slowed every later frame (the editor's
/// keys p50 11 → 18 ms after them, while the app's own code was the same).
macro_rules! after_paint {
    () => {
        r#"
window.__afterPaint ??= (() => {
  const ch = new MessageChannel();
  const queue = [];
  ch.port1.onmessage = () => queue.shift()?.();
  return (f) => { queue.push(f); ch.port2.postMessage(0); };
})();
"#
    };
}

/// In the page, once: times every key press in the search palette from the key event (its
/// time stamp, so a key that waited behind others counts its wait) to the end of the frame
/// that shows results answering the text typed so far (or a later text, when that answer came
/// first). Left in `window.__searchPaint` as {ms, rows, query}; `window.__searchPending`
/// holds the keys still waiting.
const TIME_SEARCH_KEYS: &str = concat!(
    after_paint!(),
    r#"
const input = document.querySelector('.palette-input');
const list = document.querySelector('.palette-results');
window.__searchPaint = [];
window.__searchPending = [];
let down = null;
input.addEventListener('keydown', (e) => { down = Math.min(e.timeStamp, performance.now()); }, true);
input.addEventListener('input', () => {
  if (down !== null && input.value) window.__searchPending.push({ value: input.value, t0: down });
  down = null;
}, true);
new MutationObserver(() => {
  const drawn = performance.now();
  const shown = list.dataset.query;
  const rows = list.querySelectorAll('.palette-hit').length;
  const pending = window.__searchPending;
  const i = pending.findIndex((p) => p.value === shown);
  if (i < 0) return;
  const done = pending.splice(0, i + 1);
  // Where the key's time went, from the palette's marks (ui/search.js keeps the newest).
  const mark = (name) => performance.getEntriesByName(name, 'mark').pop();
  const sent = mark('search:sent'), back = mark('search:back');
  const ipc = sent && back && sent.detail === shown && back.detail === shown
    ? { sent: sent.startTime, back: back.startTime } : {};
  requestAnimationFrame(() => window.__afterPaint(() => {
    const now = performance.now();
    const own = done[done.length - 1];
    const parts = { wait: ipc.sent - own.t0, command: ipc.back - ipc.sent, draw: now - ipc.back,
      script: drawn - ipc.back, frame: now - drawn };
    for (const p of done) window.__searchPaint.push({ ms: now - p.t0, rows, query: shown, parts });
  }));
}).observe(list, { childList: true });
"#
);

/// `MARGIN_BENCH_CSS="rule||rule"`: style rules added to the page before a part is measured,
/// to try a change of the look on its speed without a rebuild (CSSOM: the CSP allows it).
async fn bench_css(c: &fantoccini::Client) -> Result<()> {
    if let Ok(rules) = std::env::var("MARGIN_BENCH_CSS") {
        c.execute(
            "const sheet = document.styleSheets[0]; for (const r of arguments[0].split('||')) sheet.insertRule(r, sheet.cssRules.length);",
            vec![json!(rules)],
        )
        .await?;
    }
    Ok(())
}

/// One query typed into the open palette through real key presses (xdotool, 15 keys a
/// second, as in the editor bench), after clearing it: the key-to-results times of its keys,
/// once the results of the whole query are painted and hold at least one hit.
async fn type_query(
    c: &fantoccini::Client,
    query: &str,
) -> Result<Vec<(f64, usize, serde_json::Value)>> {
    xdotool(&["key", "ctrl+a", "BackSpace"])?;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    c.execute(
        "window.__searchPaint = []; window.__searchPending = [];",
        vec![],
    )
    .await?;
    xdotool(&["type", "--delay", "130", query])?;
    let painted = eventually(&format!("results of {query:?} painted"), || async {
        let paint = c.execute("return window.__searchPaint", vec![]).await?;
        let done = paint
            .as_array()
            .is_some_and(|p| p.iter().any(|e| e["query"] == query));
        Ok(done.then_some(paint))
    })
    .await?;
    let mut keys = Vec::new();
    for entry in painted.as_array().into_iter().flatten() {
        let rows = entry["rows"].as_u64().unwrap_or(0) as usize;
        if entry["query"] == query {
            anyhow::ensure!(rows > 0, "{query:?}: the results on screen are empty");
        }
        keys.push((
            entry["ms"].as_f64().unwrap_or(f64::NAN),
            rows,
            entry["parts"].clone(),
        ));
    }
    Ok(keys)
}

/// The palette as a user opens it (Ctrl+K) over the note `over` open in the reader, then every
/// query typed key by key: the first round (nothing of these queries cached on the first call
/// after a start), `rounds - 1` more warm. Closed again (Esc) at the end.
async fn palette_bench(
    c: &fantoccini::Client,
    rounds: usize,
    over: &str,
) -> Result<serde_json::Value> {
    // What the reader shows beneath the palette matters: WebKit repaints it under each answer.
    open_in_tree(c, over).await?;
    bench_css(c).await?;
    press(&["ctrl+k"])?;
    element(c, ".palette-input:focus").await?;
    c.execute(TIME_SEARCH_KEYS, vec![]).await?;
    let (mut first, mut times, mut empty_keys) = (Vec::new(), Vec::new(), 0);
    let (mut waits, mut commands, mut draws) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scripts, mut frames) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for q in QUERIES {
            for (ms, rows, parts) in type_query(c, q).await? {
                empty_keys += usize::from(rows == 0);
                if round > 0 {
                    for (key, into) in [
                        ("wait", &mut waits),
                        ("command", &mut commands),
                        ("draw", &mut draws),
                        ("script", &mut scripts),
                        ("frame", &mut frames),
                    ] {
                        if let Some(v) = parts[key].as_f64() {
                            into.push(v);
                        }
                    }
                }
                if round == 0 {
                    first.push(ms);
                } else {
                    times.push(ms);
                }
            }
        }
    }
    press(&["Escape"])?;
    // What any command costs here: a trivial one, asked 30 times in a row from the page.
    let trivial = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const t = [];
               for (let i = 0; i < 30; i++) {
                 const t0 = performance.now();
                 await window.__TAURI__.core.invoke('index_status');
                 t.push(performance.now() - t0);
               }
               t.sort((a, b) => a - b);
               done({ p50: t[15], p95: t[28] });
             })().catch((e) => done({ error: String(e) }));",
            vec![],
        )
        .await?;
    for v in [
        &mut first,
        &mut times,
        &mut waits,
        &mut commands,
        &mut draws,
        &mut scripts,
        &mut frames,
    ] {
        v.sort_by(f64::total_cmp);
    }
    let part = |v: &Vec<f64>| match v.is_empty() {
        true => json!(null),
        false => json!({ "p50": percentile(v, 0.5), "p95": percentile(v, 0.95) }),
    };
    Ok(json!({
        "typing_to_results_p50_ms": percentile(&times, 0.5),
        "typing_to_results_p95_ms": percentile(&times, 0.95),
        "typing_to_results_max_ms": times.last().copied().unwrap_or(0.0),
        "typing_to_results_first_round_p50_ms": percentile(&first, 0.5),
        "typing_to_results_first_round_p95_ms": percentile(&first, 0.95),
        "typing_keys_timed": times.len() + first.len(),
        "typing_parts_ms": json!({
            "key_to_command_sent": part(&waits),
            "command_round_trip": part(&commands),
            "answer_to_painted": part(&draws),
            "answer_drawn_by_the_script": part(&scripts),
            "drawn_to_painted": part(&frames),
            "trivial_command_round_trip": trivial,
        }),
        "typing_keys_with_no_hits_on_screen": empty_keys,
        "typing_note": "each key press (xdotool, 15 a second) from its event time stamp to the end of the frame painting results for the text typed so far; warm = rounds after the first, first = round 1 after a warm start",
    }))
}

/// A note of the usual size (a tldr page, 1 KB; in a small folder, so the tree shows it at
/// once), open beneath the palette while typing.
const SHORT_NOTE: &str = "pages/android/logcat.md";

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
    "image conv",
    "process",
    "permissions",
    "copy",
    "find files",
];

/// CPU time (user + system, in clock ticks) of each thread in the app's tree, by thread id
/// and "process/thread" name, from /proc/<pid>/task/<tid>/stat.
fn app_cpu_ticks(app: &str) -> Vec<(u32, String, u64)> {
    let stat = |path: String| -> Option<(String, u64)> {
        let stat = std::fs::read_to_string(path).ok()?;
        let (head, rest) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1.to_string();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some((name, ticks))
    };
    let mut out = Vec::new();
    for pid in app_pids(app) {
        let Some((process, _)) = stat(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for tid in tasks.filter_map(|t| t.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
            if let Some((thread, ticks)) = stat(format!("/proc/{pid}/task/{tid}/stat")) {
                out.push((tid, format!("{process}/{thread}"), ticks));
            }
        }
    }
    out
}

/// How busy the app's processes are while nobody touches the window: CPU % of one core per
/// "process/thread" name over `secs` seconds, those at 1 % or more (a busy app makes every
/// key press wait).
async fn app_cpu_percent(app: &str, secs: u64) -> serde_json::Value {
    let before = app_cpu_ticks(app);
    tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    let after = app_cpu_ticks(app);
    let mut by_name: Vec<(String, f64)> = Vec::new();
    for (tid, name, ticks) in after {
        let was = before.iter().find(|b| b.0 == tid).map_or(0, |b| b.2);
        let percent = (ticks.saturating_sub(was)) as f64 / secs as f64; // 100 ticks a second
        match by_name.iter_mut().find(|(n, _)| *n == name) {
            Some((_, p)) => *p += percent,
            None => by_name.push((name, percent)),
        }
    }
    by_name.retain(|(_, p)| *p >= 1.0);
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    json!(by_name)
}

/// The pids of the app and every process under it (WebKit's web and network processes).
fn app_pids(app: &str) -> Vec<u32> {
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
    pids.into_iter().filter(|p| in_tree(*p)).collect()
}

/// (total PSS, anonymous PSS) in MB of the app and every process under it (WebKit's web and
/// network processes), from /proc/<pid>/smaps_rollup, and each process's [name, PSS, anon].
fn app_memory_mb(app: &str) -> (f64, f64, serde_json::Value) {
    let (mut pss, mut anon) = (0.0, 0.0);
    let mut each = Vec::new();
    for pid in app_pids(app) {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let (mut p, mut a) = (0.0, 0.0);
        for line in rollup.lines() {
            let kb = |l: &str| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            if line.starts_with("Pss:") {
                p += kb(line) / 1024.0;
            } else if line.starts_with("Pss_Anon:") {
                a += kb(line) / 1024.0;
            }
        }
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        each.push(json!([name.trim(), p.round(), a.round()]));
        (pss, anon) = (pss + p, anon + a);
    }
    (pss, anon, json!(each))
}

/// The note the editor is measured on: real Markdown (pages of the vault one after another),
/// just over 1 MB, at the vault's top so the tree shows it without opening a folder.
const BIG_NOTE: &str = "zz-editor-bench-1mb.md";

fn write_big_note(vault: &std::path::Path) -> Result<()> {
    let mut text = String::from("---\ntitle: Editor bench (1 MB)\n---\n# Editor bench\n\n");
    let mut folders = vec![vault.to_path_buf()];
    while let Some(folder) = folders.pop() {
        if text.len() > 1_050_000 {
            break;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&folder)?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if !path.ends_with(".margin") {
                    folders.push(path);
                }
            } else if text.len() <= 1_050_000
                && path.extension().is_some_and(|e| e == "md")
                && !path.ends_with(BIG_NOTE)
            {
                if let Ok(page) = std::fs::read_to_string(&path) {
                    text.push_str(&page.replace("\n# ", "\n## "));
                    text.push('\n');
                }
            }
        }
    }
    std::fs::write(vault.join(BIG_NOTE), text)?;
    Ok(())
}

/// In the page: from the moment Ctrl+E reached the page (`window.__lastAction`, set by
/// ui/actions.js: the key goes through the native menu's accelerator, so the page sees no
/// keydown) to the editor showing
/// the note's text, painted (the frame after it is in the DOM), left in `window.__editorOpenMs`.
const TIME_EDITOR_OPEN: &str = concat!(
    after_paint!(),
    r#"
window.__editorOpenMs = null;
const asked = performance.now();
const check = () => {
  // The editor draws only the lines in view of a long note: it is the note's editor, with text.
  const content = document.querySelector('.editor .cm-content[aria-label$="zz-editor-bench-1mb.md"]');
  // The clock starts when Ctrl+E reached the page (through the native menu's accelerator).
  const action = window.__lastAction;
  const t0 = action && action.name === 'edit' && action.at > asked ? action.at : 0;
  if (t0 && content && content.textContent.trim().length > 0) {
    requestAnimationFrame(() => window.__afterPaint(() => { window.__editorOpenMs = performance.now() - t0; }));
  } else if (performance.now() - asked < 20000) setTimeout(check, 2);
};
check();
"#
);

/// In the page: from each key press inside `arguments[0]` (a CSS selector: the editor, or one
/// of its peers) to the end of the next frame (the typed character is painted). The clock starts
/// at the event's time stamp, so a key that waited behind the previous ones counts its wait.
/// Collected in `window.__keyPaint`; each key's parts in `window.__keyParts`: its script (the
/// event, the text put in, the editor's update) until the frame begins, the frame (the editor's
/// measuring, style, layout, paint), and 1 when garbage was collected during the key.
const TIME_KEYS: &str = concat!(
    after_paint!(),
    r#"
const typedIn = arguments[0];
window.__keyPaint = [];
window.__keyParts = [];
window.__keyListener && document.removeEventListener('keydown', window.__keyListener, true);
window.__keyListener = (e) => {
  if (!e.target.closest || !e.target.closest(typedIn)) return;
  const t0 = Math.min(e.timeStamp, performance.now());
  // A young object nothing holds once this event is handled: gone by the end of the frame
  // when the engine collected garbage in between (the key paid for a collection).
  const probe = new WeakRef({});
  requestAnimationFrame(() => {
    const frame = performance.now();
    window.__afterPaint(() => {
      const end = performance.now();
      window.__keyPaint.push(end - t0);
      window.__keyParts.push([frame - t0, end - frame, probe.deref() === undefined ? 1 : 0]);
    });
  });
};
document.addEventListener('keydown', window.__keyListener, true);
"#
);

/// The editor on a 1 MB note, through real key presses: open (Ctrl+E) the first time (the
/// editor's code loaded) and again (warm), keystroke to paint while typing, and Ctrl+S to the
/// typed word found by the search command.
async fn editor_bench(c: &fantoccini::Client) -> Result<serde_json::Value> {
    bench_css(c).await?;
    c.execute(
        "document.querySelector('[data-role=\"palette\"]').hidden = true",
        vec![],
    )
    .await?;
    element(c, &format!(".tree-note[data-note-id='{BIG_NOTE}']"))
        .await?
        .click()
        .await?;
    element(c, &format!(".note-body[data-note-id='{BIG_NOTE}']")).await?;
    // The command alone, timed in the page: how much of an open is the 1 MB crossing over.
    let ipc = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const times = [];
               const once = (name, args) => { const t0 = performance.now();
                 return window.__TAURI__.core.invoke(name, args).then((r) => { times.push([name, performance.now() - t0, JSON.stringify(r).length]); }); };
               once('note_source', { id: arguments[0] })
                 .then(() => once('note_source', { id: arguments[0] }))
                 .then(() => once('index_status', {}))
                 .then(() => once('index_status', {}))
                 .then(() => done(times), (e) => done(String(e)));"#,
            vec![json!(BIG_NOTE)],
        )
        .await?;
    let mut opens = Vec::new();
    let mut open_parts = Vec::new();
    for round in 0..3 {
        c.execute(
            "document.querySelector('[data-role=\"reader-pane\"]').focus()",
            vec![],
        )
        .await?;
        // A watcher in the page times the open by itself; no WebDriver script is pending while
        // xdotool presses Ctrl+E (WebKit holds input back while a script of the session runs).
        c.execute(TIME_EDITOR_OPEN, vec![]).await?;
        press(&["ctrl+e"])?;
        let ms = eventually("the 1 MB note in the editor", || async {
            Ok(c.execute("return window.__editorOpenMs", vec![])
                .await?
                .as_f64())
        })
        .await?;
        opens.push(ms);
        // Where the open's time went, from the editor's marks (ui/editor.js).
        let parts = c
            .execute(
                r#"const at = (n) => performance.getEntriesByName(n, 'mark').pop()?.startTime ?? NaN;
                   const r = { before_open: at('editor:open') - window.__lastAction.at,
                     close_and_code: at('editor:code') - at('editor:open'),
                     source: at('editor:source') - at('editor:code'),
                     view: at('editor:view') - at('editor:source'),
                     to_paint: window.__editorOpenMs - (at('editor:view') - window.__lastAction.at) };
                   performance.clearMarks(); return r;"#,
                vec![],
            )
            .await?;
        open_parts.push(parts);
        if round < 2 {
            // Back to the reader (nothing changed, nothing saved).
            press(&["ctrl+e"])?;
            element(c, &format!(".note-body[data-note-id='{BIG_NOTE}']")).await?;
        }
    }
    let typed = type_at_the_end(c, ".cm-content")
        .await
        .with_context(|| format!("opens: {opens:?}, {open_parts:?}"))?;
    // Save → searchable: the clock runs from the Ctrl+S press until the search command finds
    // the word typed above. The key goes straight to the focused window (no pause after it,
    // which `press` adds and the clock would count).
    let t0 = Instant::now();
    xdotool(&["key", "ctrl+s"])?;
    let save_to_found = loop {
        let hits = invoke(
            c,
            "search",
            json!({ "query": "zyxwvbench", "limit": 5, "asYouType": false }),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("search failed: {e}"))?;
        if hits.as_array().is_some_and(|h| !h.is_empty()) {
            break t0.elapsed().as_secs_f64() * 1000.0;
        }
        anyhow::ensure!(
            t0.elapsed().as_secs() < 10,
            "the saved word was not found in 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    Ok(json!({
        "note_bytes": 1_050_000,
        "open_first_ms": opens[0],
        "open_warm_ms": (opens[1] + opens[2]) / 2.0,
        "open_parts_ms": open_parts,
        "ipc_commands_ms_bytes": ipc,
        "keystroke_to_paint_p50_ms": typed.p50,
        "keystroke_to_paint_p95_ms": typed.p95,
        "keystroke_to_paint_max_ms": typed.max,
        "keystrokes": typed.keys,
        "keystroke_to_paint_after_40_keys_p95_ms": typed.warm_p95,
        "keystroke_parts_ms": typed.parts,
        "ctrl_end_to_paint_ms": typed.ctrl_end_ms,
        "save_to_searchable_ms": save_to_found,
        "save_to_searchable_note": "Ctrl+S press (xdotool) to the search command, asked every 5 ms from the test, finding the typed word",
        // A peer that could not be set up is said in the report; the editor's numbers stand.
        "peers": peers(c).await.unwrap_or_else(|e| json!({ "error": format!("{e:#}") })),
    }))
}

/// Key press → painted, for the keys typed into one place.
struct Typed {
    p50: f64,
    p95: f64,
    max: f64,
    keys: usize,
    warm_p95: f64,
    parts: serde_json::Value,
    /// Ctrl+End before the typing → painted (NaN when not pressed).
    ctrl_end_ms: f64,
}

impl Typed {
    fn json(&self) -> serde_json::Value {
        json!({ "p50_ms": self.p50, "p95_ms": self.p95, "max_ms": self.max, "keystrokes": self.keys,
            "after_40_keys_p95_ms": self.warm_p95, "parts_ms": self.parts,
            "ctrl_end_to_paint_ms": self.ctrl_end_ms })
    }
}

/// Types at the end of the focused text (inside `target`, a CSS selector) through real key
/// presses: 131 characters, about 65 ms apart (xdotool spends half the delay after the key goes
/// down and half after it comes up): 15 keys a second, a fast typist's burst.
async fn type_at_the_end(c: &fantoccini::Client, target: &str) -> Result<Typed> {
    const TEXT: [&str; 2] = [
        " the quick brown fox jumps over the lazy dog near the load balancer zyxwvbench",
        " again and again, while the note is one megabyte long",
    ];
    // Ctrl+End is timed on its own (a jump to the end of the note, not typing): its two key
    // presses, Ctrl then End, the slower being the jump.
    c.execute(TIME_KEYS, vec![json!(target)]).await?;
    press(&["ctrl+End"])?;
    let jump: Vec<f64> =
        serde_json::from_value(c.execute("return window.__keyPaint", vec![]).await?)?;
    let mut typed = type_timed(c, target, &TEXT, 100).await?;
    typed.ctrl_end_ms = jump.into_iter().reduce(f64::max).unwrap_or(f64::NAN);
    Ok(typed)
}

/// `text` typed where the cursor is in `target` with the key presses timed; fails when fewer
/// than `at_least` were (the keys of a frozen page are lost or never painted).
async fn type_timed(
    c: &fantoccini::Client,
    target: &str,
    text: &[&str],
    at_least: usize,
) -> Result<Typed> {
    c.execute(TIME_KEYS, vec![json!(target)]).await?;
    for part in text {
        xdotool(&["type", "--delay", "130", part])?;
    }
    // Until every key is painted (a slow peer paints long after the last key went down).
    let typed: usize = text.iter().map(|t| t.chars().count()).sum();
    let mut keys: Vec<f64> = Vec::new();
    for _ in 0..60 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        keys = serde_json::from_value(c.execute("return window.__keyPaint", vec![]).await?)?;
        if keys.len() >= typed {
            break;
        }
    }
    let parts: Vec<(f64, f64, f64)> =
        serde_json::from_value(c.execute("return window.__keyParts", vec![]).await?)?;
    let in_order: Vec<[f64; 4]> = keys
        .iter()
        .zip(&parts)
        .map(|(k, p)| [*k, p.0, p.1, p.2])
        .collect();
    let collected = parts.iter().filter(|p| p.2 > 0.0).count();
    // The first keys after an open run the editor's code before the engine has compiled it
    // well: the keys after the first 40 show typing once warm.
    let mut warm: Vec<f64> = keys.iter().skip(40).copied().collect();
    warm.sort_by(f64::total_cmp);
    anyhow::ensure!(
        keys.len() >= at_least,
        "only {} key presses were timed in {target} (ms each: {keys:?})",
        keys.len()
    );
    keys.sort_by(f64::total_cmp);
    let split = |pick: fn(&(f64, f64, f64)) -> f64| {
        let mut v: Vec<f64> = parts.iter().map(pick).collect();
        v.sort_by(f64::total_cmp);
        json!({ "p50": percentile(&v, 0.5), "p95": percentile(&v, 0.95) })
    };
    Ok(Typed {
        p50: percentile(&keys, 0.5),
        p95: percentile(&keys, 0.95),
        max: keys.last().copied().unwrap_or(0.0),
        keys: keys.len(),
        warm_p95: percentile(&warm, 0.95),
        ctrl_end_ms: f64::NAN,
        parts: json!({ "script_until_the_frame": split(|p| p.0), "frame": split(|p| p.1),
            "keys_during_which_garbage_was_collected": collected,
            "each_key_in_order_total_script_frame_collected": in_order }),
    })
}

/// In the page: a peer of the editor where the editor is (a pane of the same grid cell, the
/// editor's styles), holding the same 1 MB text: `arguments[0]` is "textarea" (the engine's
/// own text field: the floor of this machine) or "codemirror" (CodeMirror with soft wrap and its
/// default keys, nothing else: what the editor's own extensions add). Resolves once it is focused
/// with its cursor at the end, a second later.
const PEER: &str = r#"
const [kind, id, done] = arguments;
// After the editor closed with its text saved, the reader renders the note again and then
// takes the keyboard: the peer is laid over it after that.
const reader = document.querySelector('[data-role="reader-pane"]');
const settled = new Promise((resolve) => {
  const asked = performance.now();
  const check = () => (document.activeElement === reader || performance.now() - asked > 20000 ? resolve() : setTimeout(check, 20));
  check();
});
settled.then(() => window.__TAURI__.core.invoke('note_source', { id })).then(async (source) => {
  document.querySelector('.bench-peer')?.remove();
  // Beneath it, the reader as the editor leaves it: laid out, not painted.
  reader.style.opacity = '0';
  const host = document.createElement('div');
  host.className = 'editor bench-peer';
  document.querySelector('.editor').after(host);
  if (kind === 'textarea') {
    const ta = document.createElement('textarea');
    Object.assign(ta.style, { width: '100%', height: '100%', font: '15px/1.6 var(--font-mono)', border: '0', padding: '24px', boxSizing: 'border-box' });
    ta.value = source.text;
    host.append(ta);
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    ta.scrollTop = ta.scrollHeight;
  } else {
    const lib = await import('./vendor/codemirror.js');
    const view = new lib.EditorView({ parent: host, state: lib.EditorState.create({ doc: source.text, extensions: [lib.EditorView.lineWrapping, lib.keymap.of(lib.defaultKeymap), lib.EditorView.contentAttributes.of({ tabindex: '0' })] }) });
    view.focus();
    const end = view.state.doc.length;
    view.dispatch({ selection: { anchor: end }, effects: lib.EditorView.scrollIntoView(end) });
  }
  // Typing starts once the end of the note is on screen and the page is idle again.
  requestAnimationFrame(() => setTimeout(() => done('ok'), 1000));
}, (e) => done(String(e)));
"#;

/// The same keys typed into the peers of the editor (`PEER`), in the same window, the same run.
async fn peers(c: &fantoccini::Client) -> Result<serde_json::Value> {
    // Back to the reader: the editor is closed (its text was saved above).
    press(&["ctrl+e"])?;
    element(c, &format!(".note-body[data-note-id='{BIG_NOTE}']")).await?;
    let mut out = serde_json::Map::new();
    for kind in ["codemirror", "textarea"] {
        let ready = c
            .execute_async(PEER, vec![json!(kind), json!(BIG_NOTE)])
            .await?;
        anyhow::ensure!(
            ready == json!("ok"),
            "the {kind} peer did not open: {ready}"
        );
        let typed = match kind {
            "codemirror" => type_at_the_end(c, ".bench-peer .cm-content").await,
            // WebKit's text field takes 60–200 ms a key on 1 MB: ten keys tell it.
            _ => type_timed(c, ".bench-peer textarea", &[" the quick"], 10).await,
        };
        // A peer that failed is said in the report; the editor's own numbers still count.
        let typed = typed.map_or_else(|e| json!({ "error": format!("{e:#}") }), |t| t.json());
        out.insert(kind.into(), typed);
    }
    c.execute(
        "document.querySelector('.bench-peer')?.remove(); \
         document.querySelector('[data-role=\"reader-pane\"]').style.opacity = ''",
        vec![],
    )
    .await?;
    Ok(serde_json::Value::Object(out))
}

/// NaN (null in the report) for no values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n as f64 - 1.0) * p).round() as usize],
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let vault = std::env::var("MARGIN_BENCH_VAULT").context("MARGIN_BENCH_VAULT is not set")?;
    let out = std::env::var("MARGIN_BENCH_OUT").context("MARGIN_BENCH_OUT is not set")?;
    let app = std::env::var("MARGIN_E2E_APP").context("MARGIN_E2E_APP is not set")?;
    write_big_note(std::path::Path::new(&vault))?;
    // `MARGIN_BENCH_ONLY=editor`: one warm start and the editor part only (a quick loop while
    // working on the editor; the full run is what the README reports).
    // `MARGIN_BENCH_ONLY=palette`: one warm start and two rounds of typing in the palette, over
    // a short note and then over the 1 MB note.
    let result = match std::env::var("MARGIN_BENCH_ONLY").as_deref() {
        Ok("editor") => only(&vault, &out, Only::Editor).await,
        Ok("palette") => only(&vault, &out, Only::Palette).await,
        _ => measure(&vault, &out, &app).await,
    };
    let _ = std::fs::remove_file(std::path::Path::new(&vault).join(BIG_NOTE));
    result
}

/// The part of the window bench measured alone (`MARGIN_BENCH_ONLY`).
#[derive(Clone, Copy)]
enum Only {
    Editor,
    Palette,
}

async fn only(vault: &str, out: &str, part: Only) -> Result<()> {
    let out = out.to_string();
    with_app(&["--vault", vault], |c| async move {
        c.wait()
            .at_most(std::time::Duration::from_secs(240))
            .for_element(fantoccini::Locator::Css(
                ".status-index[data-state='ready']",
            ))
            .await?;
        let report = match part {
            Only::Editor => json!({ "editor": editor_bench(&c).await? }),
            Only::Palette => json!({
                "typing": palette_bench(&c, 2, SHORT_NOTE).await?,
                "typing_over_the_1mb_note": palette_bench(&c, 2, BIG_NOTE).await?,
            }),
        };
        let text = serde_json::to_string_pretty(&report)?;
        println!("{text}");
        std::fs::write(&out, text)?;
        Ok(())
    })
    .await
}

async fn measure(vault: &str, out: &str, app: &str) -> Result<()> {
    let (vault, out, app) = (vault.to_string(), out.to_string(), app.to_string());
    // First start: the index is built from scratch.
    let started = Instant::now();
    let cold = std::sync::Arc::new(std::sync::Mutex::new((0.0, 0.0)));
    let cold_out = std::sync::Arc::clone(&cold);
    with_app(&["--vault", &vault], |c| async move {
        c.wait()
            .at_most(std::time::Duration::from_secs(120))
            .for_element(fantoccini::Locator::Css(".tree-folder"))
            .await?;
        let tree = started.elapsed().as_secs_f64() * 1000.0;
        // The first index of 38k notes takes longer than a test's usual patience.
        c.wait()
            .at_most(std::time::Duration::from_secs(240))
            .for_element(fantoccini::Locator::Css(
                ".status-index[data-state='ready']",
            ))
            .await?;
        if let Ok(mut slot) = cold_out.lock() {
            *slot = (tree, started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(())
    })
    .await?;
    let (cold_tree_ms, cold_ready_ms) = cold.lock().map(|c| *c).unwrap_or_default();
    // The tree's study badges are fetched after the tree is drawn: a warm start with the
    // vault's cards set aside, against the one with them below, shows what they cost.
    let cards = std::path::Path::new(&vault).join(".margin/cards");
    let aside = std::path::Path::new(&vault).join(".margin/cards-aside");
    let had_cards = std::fs::rename(&cards, &aside).is_ok();
    let started = Instant::now();
    let plain = std::sync::Arc::new(std::sync::Mutex::new(0.0));
    let plain_out = std::sync::Arc::clone(&plain);
    let result = with_app(&["--vault", &vault], |c| async move {
        element(&c, ".tree-folder").await?;
        if let Ok(mut slot) = plain_out.lock() {
            *slot = started.elapsed().as_secs_f64() * 1000.0;
        }
        element(&c, ".status-index[data-state='ready']").await?;
        Ok(())
    })
    .await;
    if had_cards {
        std::fs::rename(&aside, &cards)?;
    }
    result?;
    let no_cards_tree_ms = plain.lock().map(|v| *v).unwrap_or_default();
    // Warm start: the index is there.
    let started = Instant::now();
    with_app(&["--vault", &vault], |c| async move {
        element(&c, ".tree-folder").await?;
        let tree_ms = started.elapsed().as_secs_f64() * 1000.0;
        element(&c, ".status-index[data-state='ready']").await?;
        let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
        // Only a vault with cards has badges to wait for (a plain one would wait out the
        // timeout, and every later number with it).
        let badges_ms = match had_cards {
            true => c
                .wait()
                .at_most(std::time::Duration::from_secs(30))
                .for_element(fantoccini::Locator::Css(".tree-due"))
                .await
                .ok()
                .map(|_| started.elapsed().as_secs_f64() * 1000.0),
            false => None,
        };
        // Until the app has finished its start (the tree, the last note, the badges, the
        // index catching up): below 10 % of a core for a second, at most 30 s.
        let mut settled_ms = None;
        for _ in 0..30 {
            let busy: f64 = app_cpu_percent(&app, 1)
                .await
                .as_array()
                .map_or(0.0, |a| a.iter().filter_map(|e| e[1].as_f64()).sum());
            if busy < 10.0 {
                settled_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
                break;
            }
        }
        let (pss_mb, anon_mb, by_process) = app_memory_mb(&app);
        let idle_cpu = app_cpu_percent(&app, 5).await;
        let typing = palette_bench(&c, 3, SHORT_NOTE).await?;
        let typing_over_big = palette_bench(&c, 2, BIG_NOTE).await?;
        let cpu_after_typing = app_cpu_percent(&app, 5).await;
        // Said in the report, loudly, when it fails: the start and search numbers still count.
        let editor = match editor_bench(&c).await {
            Ok(v) => v,
            Err(err) => {
                eprintln!("window-bench: EDITOR NOT MEASURED: {err:#}");
                // What the window showed, for whoever looks into it.
                let shot = std::path::Path::new(&out).with_file_name("editor-not-measured.png");
                let _ = std::process::Command::new("import")
                    .args(["-window", "root"])
                    .arg(&shot)
                    .status();
                eprintln!(
                    "window-bench: the window at that moment: {}",
                    shot.display()
                );
                json!({ "error": format!("not measured: {err:#}") })
            }
        };
        let report = json!({
            "first_start_tree_shown_ms": cold_tree_ms,
            "first_start_search_ready_ms": cold_ready_ms,
            "warm_start_tree_shown_ms": tree_ms,
            "warm_start_search_ready_ms": ready_ms,
            "warm_start_badges_shown_ms": badges_ms,
            "warm_start_tree_shown_without_cards_ms": no_cards_tree_ms,
            "idle_pss_mb": pss_mb,
            "idle_pss_anon_mb": anon_mb,
            "idle_memory_by_process_name_pss_anon_mb": by_process,
            "warm_start_settled_ms": settled_ms,
            "idle_cpu_percent_by_process": idle_cpu,
            "cpu_percent_by_process_in_the_5_s_after_typing": cpu_after_typing,
            "typing": typing,
            "typing_over_the_1mb_note": typing_over_big,
            "editor": editor,
        });
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
        println!("{report:#}");
        Ok(())
    })
    .await
}
