//! Two computers, one vault, at scale: 10,000 random operations on each of two copies of a
//! vault's Margin files (annotate, comment, recolour, delete, make a card, grade) over notes
//! of the corpus, brought together as Syncthing does (the later file keeps its name, the other
//! becomes a `.sync-conflict-` copy), then the time Margin takes to merge every copy
//! (`sync::merge_copies`, what opening the vault runs). The correctness of the merge is the
//! tests' job (`crates/core/tests/integration/sync.rs`); this measures its cost.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{ensure, Result};
use margin_core::annotations::{Annotation, Patch, Store};
use margin_core::study::{Card, Grade, Kind, Study};
use margin_core::{Note, Vault};
use serde_json::json;

use crate::ms;

/// Operations per computer (a tenth with `--quick`).
const OPS: usize = 10_000;
/// Notes the operations spread over.
const NOTES: usize = 300;

struct Device {
    store: Store,
    study: Study,
    live: Vec<(String, String)>,
}

fn operate(dev: &mut Device, texts: &[(String, String)], rng: &mut crate::Lcg) -> Result<()> {
    let roll = rng.next() % 100;
    if roll < 40 || dev.live.is_empty() {
        let (id, text) = &texts[(rng.next() as usize) % texts.len()];
        let len = text.chars().count();
        let start = (rng.next() as usize) % (len - 20);
        if let Ok(a) = Annotation::new(text, start, start + 12, "yellow") {
            dev.live.push((id.clone(), a.id.clone()));
            dev.store.add(id, a)?;
        }
        return Ok(());
    }
    let at = (rng.next() as usize) % dev.live.len();
    let (note, id) = dev.live[at].clone();
    match roll {
        40..=74 => {
            let patch = if roll < 60 {
                Patch {
                    comment: Some(format!("comment {}", rng.next() % 1000)),
                    ..Patch::default()
                }
            } else {
                Patch {
                    color: Some(["green", "blue", "pink"][(rng.next() % 3) as usize].into()),
                    ..Patch::default()
                }
            };
            dev.store.edit(&note, &id, patch, "")?;
        }
        75..=84 => {
            dev.store.remove(&note, &id)?;
            dev.live.swap_remove(at);
        }
        85..=94 => {
            let a = dev.store.load(&note)?.annotations;
            if let Some(a) = a.iter().find(|a| a.id == id) {
                dev.study
                    .add_card(&note, Card::of_highlight(a, Kind::Cloze)?)?;
            }
        }
        _ => {
            if let Some(card) = dev.study.cards(&note)?.first() {
                let now = time::OffsetDateTime::now_utc();
                dev.study
                    .grade(&note, &card.id, Grade::Good, now, false, 0)?;
            }
        }
    }
    Ok(())
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Runs the measure over notes `ids` of `vault`; `scratch` is a folder of its own (emptied).
pub fn run(
    vault: &Vault,
    ids: &[String],
    scratch: &Path,
    quick: bool,
) -> Result<serde_json::Value> {
    let ops = if quick { OPS / 10 } else { OPS };
    let step = (ids.len() / NOTES).max(1);
    let texts: Vec<(String, String)> = ids
        .iter()
        .step_by(step)
        .filter_map(|id| Some((id.clone(), Note::load(vault, id, &[]).ok()?.text)))
        .filter(|(_, text)| text.chars().count() > 40)
        .take(NOTES)
        .collect();
    ensure!(!texts.is_empty(), "no notes to annotate");
    let _ = std::fs::remove_dir_all(scratch);
    let device = |name: &str| {
        let store = Store::at(scratch.join(name).join(".margin/annotations"));
        let study = Study::of(&store, name);
        Device {
            store,
            study,
            live: Vec::new(),
        }
    };
    let (mut a, mut b) = (device("a"), device("b"));
    let mut rng = crate::Lcg(0x005E_ED0F_5EC5);
    let started = Instant::now();
    for _ in 0..ops {
        operate(&mut a, &texts, &mut rng)?;
        operate(&mut b, &texts, &mut rng)?;
    }
    let ops_s = started.elapsed().as_secs_f64();

    // Syncthing: a's files, then b's; both changed → the later keeps the name.
    let merged = scratch.join("merged");
    let mut copies = 0;
    for (side, other) in [("a", "b"), ("b", "a")] {
        let root = scratch.join(side);
        for file in files_under(&root) {
            let rel = file.strip_prefix(&root)?;
            let dest = merged.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap_or(&merged))?;
            if !dest.exists() {
                std::fs::copy(&file, &dest)?;
                continue;
            }
            if side == "a" || std::fs::read(&dest)? == std::fs::read(&file)? {
                continue;
            }
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let copy = dest.with_file_name(format!(
                "{stem}.sync-conflict-20261128-101010-BBBBBBB.{ext}"
            ));
            let theirs_later = std::fs::metadata(&file)?.modified()?
                > std::fs::metadata(scratch.join(other).join(rel))?.modified()?;
            if theirs_later {
                std::fs::rename(&dest, &copy)?;
                std::fs::copy(&file, &dest)?;
            } else {
                std::fs::copy(&file, &copy)?;
            }
            copies += 1;
        }
    }
    let store = Store::at(merged.join(".margin/annotations"));
    let started = Instant::now();
    let report = margin_core::sync::merge_copies(&store);
    let merge_ms = ms(started.elapsed());
    ensure!(
        report.left.is_empty(),
        "copies left unmerged: {:?}",
        report.left
    );
    ensure!(
        report.merged.len() == copies,
        "{} of {copies} copies merged",
        report.merged.len()
    );
    let annotations: usize = store.all()?.iter().map(|(_, l)| l.len()).sum();
    Ok(json!({
        "ops_per_device": ops,
        "notes": texts.len(),
        "ops_s": ops_s,
        "conflict_copies": copies,
        "merge_ms": merge_ms,
        "annotations_after": annotations,
    }))
}
