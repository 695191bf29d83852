//! The study measures on the large corpus: 20,000 cards (four highlights on each of 5,000
//! notes, a cloze card each) and a review history, then the review queue, a grade followed by
//! the next card's face (what the window waits for between two cards), progress per topic
//! in-process, and `margin progress` as a whole process.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{ensure, Result};
use margin_core::annotations::{Annotation, Store};
use margin_core::study::{self, progress, Card, Grade, Kind, Study};
use margin_core::{Note, Vault};
use serde_json::json;
use time::OffsetDateTime;

use crate::{ms, percentile};

/// Notes given cards, and cards per note.
const NOTES: usize = 5_000;
const PER_NOTE: usize = 4;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    percentile(&times, 0.5)
}

/// Runs the study measures; `cli` is the release `margin` binary, `data` a scratch folder for
/// its data (device id).
pub fn run(
    vault: &Vault,
    ids: &[String],
    cli: Option<&Path>,
    data: &Path,
) -> Result<serde_json::Value> {
    let store = Store::for_vault(vault, data);
    let study = Study::of(&store, "bench");
    let started = Instant::now();
    let step = (ids.len() / NOTES).max(1);
    let mut made = 0;
    for id in ids.iter().step_by(step).take(NOTES) {
        let Ok(note) = Note::load(vault, id, &[]) else {
            continue;
        };
        let len = note.text.chars().count();
        if len < 40 {
            continue;
        }
        let highlights: Vec<Annotation> = (0..PER_NOTE)
            .filter_map(|k| {
                let start = k * len / PER_NOTE;
                Annotation::new(&note.text, start, start + 8, "yellow").ok()
            })
            .collect();
        let cards: Vec<Card> = highlights
            .iter()
            .filter_map(|a| Card::of_highlight(a, Kind::Cloze).ok())
            .collect();
        store.update(id, |list| list.extend(highlights))?;
        made += study.add_cards(id, cards)?.len();
    }
    let setup_s = started.elapsed().as_secs_f64();
    eprintln!("bench: {made} cards on the corpus in {setup_s:.1}s");

    // A history: 2,000 past reviews spread over the cards (replays, not fuzzed).
    let now = OffsetDateTime::now_utc();
    let all = study::list(&study, &store, "")?;
    for (i, row) in all.iter().step_by(10).take(2_000).enumerate() {
        let at = now - time::Duration::days(30 + (i % 60) as i64);
        study.grade(&row.note, &row.id, Grade::Good, at, false, 3_000)?;
    }

    let queue_ms = median(
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let due = study::due(&study, &store, "", now);
                (ms(started.elapsed()), due)
            })
            .map(|(t, due)| due.map(|_| t))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let queue = study::due(&study, &store, "", now)?;
    ensure!(queue.len() > 100, "only {} cards due", queue.len());

    // What the window does between two cards: the grade (written and synced), then the next
    // card's face from its note.
    let mut next_ms = Vec::new();
    for pair in queue.windows(2).take(50) {
        let started = Instant::now();
        study.grade(&pair[0].note, &pair[0].id, Grade::Good, now, true, 2_000)?;
        let face = study::face_of(vault, &store, &study, &pair[1].note, &pair[1].id)?;
        next_ms.push(ms(started.elapsed()));
        ensure!(!face.front.is_empty(), "an empty card face");
    }
    next_ms.sort_by(f64::total_cmp);

    let progress_ms = median(
        (0..3)
            .map(|_| {
                let started = Instant::now();
                progress::of_vault(vault, &study, &store, "", now).map(|_| ms(started.elapsed()))
            })
            .collect::<Result<Vec<_>, _>>()?,
    );
    // Where the time goes: the walk of the vault, the annotation files, the cards files.
    let timed = |f: &dyn Fn() -> Result<()>| -> Result<f64> {
        let started = Instant::now();
        f()?;
        Ok(ms(started.elapsed()))
    };
    let scan_ms = timed(&|| {
        vault.scan();
        Ok(())
    })?;
    let annotations_ms = timed(&|| {
        store.all()?;
        Ok(())
    })?;
    let cards_ms = timed(&|| {
        study.all_cards()?;
        Ok(())
    })?;
    let reviews_ms = timed(&|| {
        study.reviews_by_card();
        Ok(())
    })?;
    let rows = progress::of_vault(vault, &study, &store, "", now)?;
    ensure!(
        rows[0].cards == made,
        "progress counts {} cards, not {made}",
        rows[0].cards
    );

    let mut cli_ms = Vec::new();
    if let Some(cli) = cli {
        for _ in 0..5 {
            let started = Instant::now();
            let out = Command::new(cli)
                .arg("--vault")
                .arg(vault.root())
                .args(["progress", "--json"])
                .env("XDG_DATA_HOME", data)
                .env("XDG_CACHE_HOME", data.join("cache"))
                .output()?;
            cli_ms.push(ms(started.elapsed()));
            ensure!(
                out.status.success(),
                "margin progress: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let rows: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            ensure!(
                rows[0]["cards"] == made,
                "margin progress counted {}",
                rows[0]["cards"]
            );
        }
    }
    Ok(json!({
        "cards": made,
        "reviews_in_log": study.reviews().len(),
        "setup_s": setup_s,
        "queue_ms": queue_ms,
        "next_card_p50_ms": percentile(&next_ms, 0.5),
        "next_card_p95_ms": percentile(&next_ms, 0.95),
        "progress_in_process_ms": progress_ms,
        "progress_parts_ms": { "scan": scan_ms, "annotations": annotations_ms, "cards": cards_ms, "reviews": reviews_ms },
        "progress_cli_first_ms": cli_ms.first().copied(),
        "progress_cli_p50_ms": (!cli_ms.is_empty()).then(|| median(cli_ms.clone())),
    }))
}
