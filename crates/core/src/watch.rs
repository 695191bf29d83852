//! Follows a vault on disk: notes created, edited, renamed or deleted in any editor (including
//! editors that save by renaming a temp file over the note, and bursts such as a `git
//! checkout`), and annotation files changed by another Margin or the CLI.
//!
//! Built on `notify`. Events are gathered until [`DEBOUNCE`] passes without a new one (at most
//! [`MAX_WAIT`]) and handed over as one batch of note ids, so a burst of a thousand files is a
//! few re-indexes, not a thousand. The debouncing is written here rather than taken from
//! `notify-debouncer-mini` because that one drops the event kinds, and reads must be ignored:
//! Margin's own walk of the vault opens every folder, and on Linux each open is an event.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::mpsc;
use std::time::Instant;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::{Error, Result};
use crate::vault::{is_note_name, Vault};

/// A batch goes out once no event came for this long…
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// …or once the first event of the batch is this old (a long burst still shows progress).
pub const MAX_WAIT: Duration = Duration::from_millis(1000);

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
    /// A sync tool left a conflict copy of one of Margin's files (run
    /// [`crate::sync::merge_copies`]).
    pub sync_copies: bool,
}

impl Changes {
    /// Nothing worth doing.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.annotations.is_empty() && !self.rescan && !self.sync_copies
    }
}

/// Keeps the watch alive; dropping it stops watching (and ends the batching thread).
pub struct VaultWatcher {
    _watcher: RecommendedWatcher,
}

/// Sorts changed paths into note ids, annotation ids and the need to rescan.
pub fn classify(vault: &Vault, annotations_dir: Option<&Path>, paths: &[PathBuf]) -> Changes {
    let mut notes = BTreeSet::new();
    let mut annotations = BTreeSet::new();
    let mut rescan = false;
    let mut sync_copies = false;
    let margin_dir = annotations_dir.and_then(Path::parent);
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if margin_dir.is_some_and(|m| path.starts_with(m))
            && !name.starts_with('.')
            && !crate::sync::originals_of(name).is_empty()
            && path.exists()
        {
            sync_copies = true;
        }
        if let Some(dir) = annotations_dir {
            if let Ok(rel) = path.strip_prefix(dir) {
                if !name.starts_with('.') {
                    if let Some(id) = rel.to_str().and_then(|r| r.strip_suffix(".json")) {
                        if is_note_name(id.rsplit(['/', '\\']).next().unwrap_or("")) {
                            annotations.insert(id.replace(std::path::MAIN_SEPARATOR, "/"));
                        }
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
        sync_copies,
    }
}

/// Watches `vault` (and `annotations_dir`, when it lies outside the vault) and calls `handler`
/// with each batch of changes, on a thread of its own.
pub fn watch(
    vault: &Vault,
    annotations_dir: Option<PathBuf>,
    mut handler: impl FnMut(Changes) + Send + 'static,
) -> Result<VaultWatcher> {
    let root = vault.root().to_path_buf();
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            // Reads change nothing (and Margin's own walks would otherwise wake it up forever).
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
            Ok(event) => {
                // Hidden files (temp files of a save, the CLI's `.probe-` and lock files, editor
                // swap files) are nobody's content: they must not restart the debounce, or a
                // script polling the CLI would hold every change back to the 1 s cap. A save's
                // rename still arrives under the real name.
                for path in event.paths {
                    let hidden = path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                    if !hidden {
                        let _ = tx.send(path);
                    }
                }
            }
            Err(err) => tracing::warn!("watching the vault: {err}"),
        }
    })
    .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| Error::io(&root, std::io::Error::other(e)))?;
    if let Some(dir) = annotations_dir.as_ref().filter(|d| !d.starts_with(&root)) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Error::io(dir, std::io::Error::other(e)))?;
    }
    let vault = vault.clone();
    std::thread::Builder::new()
        .name("vault-watch".into())
        .spawn(move || {
            // Ends when the watcher (the only sender) is dropped.
            while let Ok(first) = rx.recv() {
                let started = Instant::now();
                let mut paths = vec![first];
                while started.elapsed() < MAX_WAIT {
                    match rx.recv_timeout(DEBOUNCE) {
                        Ok(path) => paths.push(path),
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                paths.sort();
                paths.dedup();
                let changes = classify(&vault, annotations_dir.as_deref(), &paths);
                if !changes.is_empty() {
                    handler(changes);
                }
            }
        })
        .map_err(|e| Error::io(&root, e))?;
    Ok(VaultWatcher { _watcher: watcher })
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
