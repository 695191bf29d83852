//! `margin search` as a user runs it from a terminal: one whole process per query, timed from
//! spawn to exit, with nothing watching the vault and with `margin watch` running, beside the
//! first search (which builds the index) and the first one after an edit (which walks).
//! Every answer is checked against the same query run in this process on the same vault.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use margin_core::search::SearchIndex;
use margin_core::Vault;
use serde_json::{json, Value};

use crate::{ms, percentile};

/// The CLI with its own cache and data folders, so the user's are never touched.
fn margin(cli: &Path, vault: &Vault, scratch: &Path) -> Command {
    let mut command = Command::new(cli);
    command
        .arg("--vault")
        .arg(vault.root())
        .env("XDG_CACHE_HOME", scratch.join("cache"))
        .env("XDG_DATA_HOME", scratch.join("data"));
    command
}

/// One `margin search --json`: the wall time and the notes it answered, in order.
fn search(cli: &Path, vault: &Vault, scratch: &Path, query: &str) -> Result<(f64, Vec<String>)> {
    let started = Instant::now();
    let out = margin(cli, vault, scratch)
        .args(["search", "--limit", "20", "--json", "--", query])
        .output()
        .context("running margin search")?;
    let elapsed = ms(started.elapsed());
    ensure!(
        out.status.success(),
        "margin search {query:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("margin search {query:?} printed no JSON"))?;
    let notes = hits
        .iter()
        .filter_map(|h| h["note"].as_str().map(String::from))
        .collect();
    Ok((elapsed, notes))
}

/// `margin watch`, once it says it is watching (its index is up to date and its lease taken).
fn start_watch(cli: &Path, vault: &Vault, scratch: &Path) -> Result<Child> {
    let mut child = margin(cli, vault, scratch)
        .arg("watch")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting margin watch")?;
    let stderr = child.stderr.take().context("margin watch's stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    loop {
        let line = lines
            .next()
            .context("margin watch ended before watching")??;
        if line.contains("watching") {
            break;
        }
    }
    // Keep reading its stderr so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(child)
}

fn summary(mut times: Vec<f64>) -> Value {
    times.sort_by(f64::total_cmp);
    json!({
        "n": times.len(),
        "p50_ms": percentile(&times, 0.5),
        "p95_ms": percentile(&times, 0.95),
    })
}

/// Runs the whole-process measures on `queries`; `index` is this process's index of the same
/// vault, up to date, for checking the answers.
pub fn run(
    vault: &Vault,
    cli: &Path,
    scratch: &Path,
    queries: &[String],
    index: &SearchIndex,
) -> Result<Value> {
    let _ = std::fs::remove_dir_all(scratch);
    let expected = |q: &str| -> Result<Vec<(String, f32)>> {
        Ok(index
            .search(q, 20, true)?
            .into_iter()
            .map(|h| (h.note, h.score))
            .collect())
    };
    // The first search from a terminal builds the index.
    let (first, _) = search(cli, vault, scratch, &queries[0])?;
    // Nothing modified in the last two seconds may be trusted to its mtime: let the bench's
    // own edits age, then one search records the stamps.
    std::thread::sleep(Duration::from_millis(2100));
    let (stamped, _) = search(cli, vault, scratch, &queries[0])?;
    // Two indexes of one vault can order near-equal hits differently (one built in a go, one
    // updated many times: deleted documents still count in its statistics), and hits of equal
    // score (the same page in two languages scores the same to the last digit) come in the
    // order of their place in the index, which a build on several threads does not fix. So an
    // answer is checked by its number of hits and its first note, which must be one of the
    // notes sharing the best score.
    let same = |q: &str, notes: &[String]| -> Result<bool> {
        let want = expected(q)?;
        let best = want.first().map_or(0.0, |(_, s)| *s);
        let tied_first = |note: &String| {
            want.iter()
                .take_while(|(_, s)| (best - s).abs() <= best.abs() * 1e-4)
                .any(|(n, _)| n == note)
        };
        Ok(notes.len() == want.len() && notes.first().is_none_or(tied_first))
    };
    // Every query once: the times, and the queries answered differently into `differ`.
    let all = |differ: &mut Vec<String>| -> Result<Vec<f64>> {
        let mut times = Vec::new();
        for q in queries {
            let (t, notes) = search(cli, vault, scratch, q)?;
            if !same(q, &notes)? {
                differ.push(q.clone());
            }
            times.push(t);
        }
        Ok(times)
    };
    let mut differ = Vec::new();
    let unwatched = all(&mut differ)?;
    // An edit made before the search (in place, as many editors save): it must be found, so
    // this search walks.
    let id = &index.search(&queries[0], 1, true)?[0].note;
    let path = vault.path_of(id)?;
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, format!("{text}\nclimarker\n"))?;
    let (after_edit, notes) = search(cli, vault, scratch, "climarker")?;
    ensure!(notes.first() == Some(id), "the edit of {id} was not found");

    let mut watch = start_watch(cli, vault, scratch)?;
    let measured = (|| -> Result<(Vec<f64>, f64)> {
        let watched = all(&mut differ)?;
        // An edit while watched: found by a search as soon as the watcher indexed it.
        let text = std::fs::read_to_string(&path)?;
        let started = Instant::now();
        std::fs::write(&path, format!("{text}\nwatchmarker\n"))?;
        loop {
            let (_, notes) = search(cli, vault, scratch, "watchmarker")?;
            if notes.first() == Some(id) {
                break;
            }
            ensure!(
                started.elapsed() < Duration::from_secs(10),
                "an edit while watched was never found by margin search"
            );
        }
        Ok((watched, ms(started.elapsed())))
    })();
    let _ = watch.kill();
    let _ = watch.wait();
    std::fs::write(&path, text)?;
    let (watched, edit_found) = measured?;
    ensure!(
        differ.len() * 20 <= queries.len() * 2,
        "margin search answered differently from the index on more than 1 in 20: {differ:?}"
    );
    Ok(json!({
        "answers_differing_from_the_index": differ.len(),
        "first_search_builds_index_ms": first,
        "first_after_quiet_ms": stamped,
        "unwatched": summary(unwatched),
        "after_an_edit_ms": after_edit,
        "watched": summary(watched),
        "watched_edit_found_ms": edit_found,
    }))
}
