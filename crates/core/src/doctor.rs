//! `margin doctor`: checks a vault's Margin files and repairs what can be repaired without
//! losing anything — conflict copies merged ([`crate::sync`]), files that do not parse set
//! aside with their bytes kept, annotations of notes that no longer exist listed (kept: the
//! note may come back, or be renamed by hand). The index check lives with the index
//! ([`crate::search::SearchIndex::for_vault`] rebuilds a corrupt one); the CLI reports it
//! beside this.

use std::fs;
use std::path::PathBuf;

use serde::Serialize;

use crate::annotations::Store;
use crate::sync;
use crate::vault::Vault;

/// What a check found and did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Conflict copies merged, git conflicts resolved, copies left unread.
    pub sync: sync::Report,
    /// Margin files that did not parse, moved aside (`<name>.corrupt-<time>`, bytes kept).
    pub set_aside: Vec<PathBuf>,
    /// Notes with annotations whose note file is gone: (note id, how many annotations).
    pub orphaned_files: Vec<(String, usize)>,
    /// Annotation files checked.
    pub annotation_files: usize,
    /// Cards files checked.
    pub card_files: usize,
}

impl Report {
    /// Whether nothing needed doing.
    pub fn is_clean(&self) -> bool {
        self.sync.is_empty() && self.set_aside.is_empty()
    }
}

/// Checks and repairs the Margin files of `vault` (annotations in `store`, cards and settings
/// beside them).
pub fn check(vault: &Vault, store: &Store) -> Report {
    let mut report = Report {
        sync: sync::merge_copies(store),
        ..Report::default()
    };
    let notes: std::collections::HashSet<String> = vault.note_ids().into_iter().collect();
    for (note, _) in store.note_files() {
        report.annotation_files += 1;
        match store.load(&note) {
            Ok(loaded) => {
                report.set_aside.extend(loaded.set_aside);
                if !notes.contains(&note) && !loaded.annotations.is_empty() {
                    report
                        .orphaned_files
                        .push((note.clone(), loaded.annotations.len()));
                }
            }
            Err(err) => report
                .sync
                .left
                .push((store.dir().join(&note), err.to_string())),
        }
    }
    let margin = store.dir().parent().unwrap_or(store.dir()).to_path_buf();
    let cards = margin.join("cards");
    if cards.is_dir() {
        for entry in ignore::WalkBuilder::new(&cards)
            .standard_filters(false)
            .follow_links(false)
            .build()
            .flatten()
        {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !entry.file_type().is_some_and(|t| t.is_file())
                || name.starts_with('.')
                || !name.ends_with(".json")
                || name.contains(".corrupt-")
            {
                continue;
            }
            report.card_files += 1;
            let parses = fs::read(path)
                .ok()
                .is_some_and(|b| crate::study::parse_cards(&b).is_ok());
            if !parses {
                set_aside(path, &mut report);
            }
        }
    }
    for name in ["palette.json", "settings.json", "study.json"] {
        let path = margin.join(name);
        if let Ok(bytes) = fs::read(&path) {
            if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() {
                set_aside(&path, &mut report);
            }
        }
    }
    report
}

fn set_aside(path: &std::path::Path, report: &mut Report) {
    match crate::atomic::set_aside(path) {
        Ok(aside) => report.set_aside.push(aside),
        Err(err) => report.sync.left.push((path.to_path_buf(), err.to_string())),
    }
}
