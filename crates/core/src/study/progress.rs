//! Progress per topic: for every folder (and the whole vault), how many notes there are, how
//! many are read, highlights, cards, and cards due. Counted from the note ids and the study
//! files alone: no note is opened, so the tree can show it at once.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use time::OffsetDateTime;

use super::{Card, Scheduler, Study};
use crate::annotations::Store;
use crate::error::Result;

/// One folder's numbers; `folder: ""` is the whole vault.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The folder (`/`-separated; empty for the vault).
    pub folder: String,
    /// Notes in it and below.
    pub notes: usize,
    /// Of which marked read.
    pub read: usize,
    /// Highlights in them.
    pub highlights: usize,
    /// Cards of them (not deleted).
    pub cards: usize,
    /// Cards due now (new ones included; suspended ones not).
    pub due: usize,
}

/// Numbers of one note (the tree's badges).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NoteProgress {
    /// Marked read.
    pub read: bool,
    /// Highlights.
    pub highlights: usize,
    /// Cards.
    pub cards: usize,
    /// Cards due now.
    pub due: usize,
}

/// Per-note numbers of `notes` (ids), from the study files and the annotation store.
pub fn per_note(
    notes: &[String],
    study: &Study,
    store: &Store,
    now: OffsetDateTime,
) -> Result<HashMap<String, NoteProgress>> {
    let read = study.read_notes();
    let scheduler = study.scheduler()?;
    let reviews = study.reviews_by_card();
    let known: HashSet<&str> = notes.iter().map(String::as_str).collect();
    let mut out: HashMap<String, NoteProgress> = notes
        .iter()
        .map(|id| {
            (
                id.clone(),
                NoteProgress {
                    read: read.contains(id),
                    ..NoteProgress::default()
                },
            )
        })
        .collect();
    // The annotation files and the cards files, read side by side.
    let (annotated, cards) = rayon::join(|| store.summaries(), || study.all_cards());
    for (note, ids) in &annotated {
        if let Some(p) = out.get_mut(note) {
            p.highlights = ids.len();
        }
    }
    let live = super::live_highlights(annotated);
    let due: Vec<(String, bool)> = {
        use rayon::prelude::*;
        cards?
            .into_par_iter()
            .filter(|(note, _)| known.contains(note.as_str()))
            .map(|(note, card)| {
                let due = is_due(&card, &note, &live, &reviews, &scheduler, now);
                (note, due)
            })
            .collect()
    };
    for (note, due) in due {
        if let Some(p) = out.get_mut(&note) {
            p.cards += 1;
            p.due += usize::from(due);
        }
    }
    Ok(out)
}

/// The progress rows of the folder `under` (`""`: the whole vault) and every folder below it,
/// for the notes of `vault` as they are now.
pub fn of_vault(
    vault: &crate::Vault,
    study: &Study,
    store: &Store,
    under: &str,
    now: OffsetDateTime,
) -> Result<Vec<Row>> {
    let notes = vault.note_ids();
    Ok(rows(&per_note(&notes, study, store, now)?, under))
}

/// Due now: not suspended (its highlight is there and not an orphan, as the review queue
/// counts it), and new or past its due time.
fn is_due(
    card: &Card,
    note: &str,
    live: &HashSet<(String, String)>,
    reviews: &HashMap<String, Vec<super::Reviewed>>,
    scheduler: &Scheduler,
    now: OffsetDateTime,
) -> bool {
    if super::is_suspended(card, note, live) {
        return false;
    }
    match reviews.get(&card.id) {
        None => true,
        Some(r) => scheduler.schedule(r).due.is_none_or(|due| due <= now),
    }
}

/// The rows of every folder under `under` (`""`: all) and of `under` itself, first.
pub fn rows(per_note: &HashMap<String, NoteProgress>, under: &str) -> Vec<Row> {
    let under = under.trim_matches('/');
    let mut by: BTreeMap<String, Row> = BTreeMap::new();
    by.insert(
        under.to_string(),
        Row {
            folder: under.to_string(),
            ..Row::default()
        },
    );
    for (id, p) in per_note {
        let inside = under.is_empty() || id.starts_with(&format!("{under}/"));
        if !inside {
            continue;
        }
        let mut folders = vec![String::new()];
        let mut at = 0;
        while let Some(slash) = id[at..].find('/') {
            folders.push(id[..at + slash].to_string());
            at += slash + 1;
        }
        for folder in folders {
            if !(folder == under || under.is_empty() || folder.starts_with(&format!("{under}/"))) {
                continue;
            }
            let row = by.entry(folder.clone()).or_insert_with(|| Row {
                folder,
                ..Row::default()
            });
            row.notes += 1;
            row.read += usize::from(p.read);
            row.highlights += p.highlights;
            row.cards += p.cards;
            row.due += p.due;
        }
    }
    let mut out: Vec<Row> = by.into_values().collect();
    out.sort_by(|a, b| (a.folder != under, &a.folder).cmp(&(b.folder != under, &b.folder)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_up_per_folder_with_the_asked_folder_first() {
        let p = |read, highlights, cards, due| NoteProgress {
            read,
            highlights,
            cards,
            due,
        };
        let notes: HashMap<String, NoteProgress> = [
            ("net/tcp.md".to_string(), p(true, 2, 1, 1)),
            ("net/dns/ttl.md".to_string(), p(false, 1, 1, 0)),
            ("index.md".to_string(), p(true, 0, 0, 0)),
        ]
        .into_iter()
        .collect();
        let all = rows(&notes, "");
        assert_eq!(
            all[0],
            Row {
                folder: String::new(),
                notes: 3,
                read: 2,
                highlights: 3,
                cards: 2,
                due: 1
            }
        );
        assert_eq!(
            all.iter().map(|r| r.folder.as_str()).collect::<Vec<_>>(),
            ["", "net", "net/dns"]
        );
        let net = rows(&notes, "net");
        assert_eq!(
            net[0],
            Row {
                folder: "net".into(),
                notes: 2,
                read: 1,
                highlights: 3,
                cards: 2,
                due: 1
            }
        );
        assert_eq!(net.len(), 2);
        let none = rows(&notes, "nothing");
        assert_eq!(
            none,
            vec![Row {
                folder: "nothing".into(),
                ..Row::default()
            }]
        );
    }
}
