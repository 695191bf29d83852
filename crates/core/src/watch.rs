//! Follows a vault on disk: notes created, edited, renamed or deleted in any editor (including
//! editors that save by renaming a temp file over the note, and bursts such as a `git
//! checkout`), and annotation files changed by another Margin or the CLI.
//!
//! Built on `notify` with its small debouncer: events are gathered for [`DEBOUNCE`] and handed
//! over as one batch of note ids, so a burst of a thousand files is one re-index, not a
//! thousand.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};

use crate::error::{Error, Result};
use crate::vault::{is_note_name, Vault};

/// How long events are gathered before a batch goes out.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// One batch of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Notes whose file was created, changed, renamed or deleted.
    pub notes: Vec<String>,
    /// Notes whose annotation file changed.
    pub annotations: Vec<String>,
    /// Something that may hold many notes changed (a folder renamed or deleted): walk the
    /// whole vault again.
    pub rescan: bool,
}

impl Changes {
    /// Nothing worth doing.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.annotations.is_empty() && !self.rescan
    }
}

/// Keeps the watch alive; dropping it stops watching.
pub struct VaultWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

/// Sorts changed paths into note ids, annotation ids and the need to rescan.
pub fn classify(vault: &Vault, annotations_dir: Option<&Path>, paths: &[PathBuf]) -> Changes {
    let mut notes = BTreeSet::new();
    let mut annotations = BTreeSet::new();
    let mut rescan = false;
    for path in paths {
        if let Some(dir) = annotations_dir {
            if let Ok(rel) = path.strip_prefix(dir) {
                let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if !name.starts_with('.') {
                    if let Some(id) = rel.to_str().and_then(|r| r.strip_suffix(".json")) {
                        annotations.insert(id.replace(std::path::MAIN_SEPARATOR, "/"));
                    }
                }
                continue;
            }
        }
        let Some(id) = vault.id_of(path) else {
            continue;
        };
        // Hidden files and folders (`.git`, `.margin`, editor swap files) are not notes.
        if id.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let name = id.rsplit('/').next().unwrap_or(&id);
        if is_note_name(name) {
            notes.insert(id);
        } else if path.is_dir() || (!path.exists() && !name.contains('.')) {
            rescan = true;
        }
    }
    Changes {
        notes: notes.into_iter().collect(),
        annotations: annotations.into_iter().collect(),
        rescan,
    }
}

/// Watches `vault` (and `annotations_dir`, when it lies outside the vault) and calls `handler`
/// with each batch of changes, on the watcher's own thread.
pub fn watch(
    vault: &Vault,
    annotations_dir: Option<PathBuf>,
    mut handler: impl FnMut(Changes) + Send + 'static,
) -> Result<VaultWatcher> {
    let root = vault.root().to_path_buf();
    let for_events = vault.clone();
    let dir = annotations_dir.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths: Vec<PathBuf> = events.into_iter().map(|e| e.path).collect();
            let changes = classify(&for_events, dir.as_deref(), &paths);
            if !changes.is_empty() {
                handler(changes);
            }
        }
        Err(err) => tracing::warn!("watching the vault: {err}"),
    })
    .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    debouncer
        .watcher()
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    if let Some(dir) = annotations_dir.filter(|d| !d.starts_with(&root)) {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::Recursive)
            .map_err(|e| Error::io(&dir, std::io::Error::other(e)))?;
    }
    Ok(VaultWatcher {
        _debouncer: debouncer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_note_ids_and_annotation_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let root = vault.root().to_path_buf();
        let anno = root.join(".margin/annotations");
        let paths = [
            root.join("a.md"),
            root.join("sub/b.markdown"),
            root.join("sub/b.markdown"),
            root.join(".git/index"),
            root.join("sub/.b.md.swp"),
            root.join("image.png"),
            anno.join("sub/b.markdown.json"),
            anno.join(".tmp-123"),
            anno.join(".lock"),
        ];
        let c = classify(&vault, Some(&anno), &paths);
        assert_eq!(c.notes, ["a.md", "sub/b.markdown"]);
        assert_eq!(c.annotations, ["sub/b.markdown"]);
        assert!(!c.rescan);
        let c = classify(
            &vault,
            Some(&anno),
            &[root.join("sub"), root.join("gone-folder")],
        );
        assert!(c.rescan);
    }
}
