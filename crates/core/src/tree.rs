//! The topic tree: folders → notes (by title) → headings, as the left pane shows it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::note::NoteSummary;
use crate::render::Heading;
use crate::vault::Vault;

/// The whole tree of a vault.
#[derive(Debug, Clone, Serialize)]
pub struct Tree {
    /// The vault's name.
    pub name: String,
    /// Top-level folders and notes: folders first, then notes, each sorted by name/title.
    pub children: Vec<TreeNode>,
    /// How many notes the tree holds.
    pub note_count: usize,
    /// Files that were skipped, and why.
    pub warnings: Vec<String>,
}

/// A folder or a note.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TreeNode {
    /// A folder with its children.
    Folder {
        /// The folder's own name.
        name: String,
        /// Its path from the vault root, `/`-separated.
        path: String,
        /// Sub-folders first, then notes.
        children: Vec<TreeNode>,
    },
    /// A note with its headings.
    Note {
        /// The note id.
        id: String,
        /// The note's title.
        title: String,
        /// The note's tags (left out by [`build_cached`]).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
        /// Its headings (left out by [`build_cached`]: the window shows the open note's own).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        headings: Vec<Heading>,
        /// Set when the note is a sync tool's (or Margin's editor's) conflict copy: the id of
        /// the note it is a copy of (see [`crate::sync::note_conflict`]).
        #[serde(skip_serializing_if = "Option::is_none")]
        conflict_of: Option<String>,
    },
}

#[derive(Default)]
struct FolderBuilder {
    folders: BTreeMap<String, FolderBuilder>,
    notes: Vec<NoteSummary>,
}

impl FolderBuilder {
    fn insert(&mut self, summary: NoteSummary) {
        let mut node = self;
        let parts: Vec<String> = summary.id.split('/').map(str::to_string).collect();
        for folder in &parts[..parts.len() - 1] {
            node = node.folders.entry(folder.clone()).or_default();
        }
        node.notes.push(summary);
    }

    fn finish(self, prefix: &str) -> Vec<TreeNode> {
        let mut folders: Vec<(String, FolderBuilder)> = self.folders.into_iter().collect();
        folders.sort_by_key(|(name, _)| name.to_lowercase());
        let mut out: Vec<TreeNode> = folders
            .into_iter()
            .map(|(name, builder)| {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                TreeNode::Folder {
                    children: builder.finish(&path),
                    name,
                    path,
                }
            })
            .collect();
        let mut notes = self.notes;
        notes.sort_by(|a, b| (a.title.to_lowercase(), &a.id).cmp(&(b.title.to_lowercase(), &b.id)));
        out.extend(notes.into_iter().map(|n| TreeNode::Note {
            conflict_of: crate::sync::note_conflict(&n.id).map(|c| c.original),
            id: n.id,
            title: n.title,
            tags: n.tags,
            headings: n.outline,
        }));
        out
    }
}

/// Builds the tree from note summaries (in any order).
pub fn from_summaries(name: String, summaries: Vec<NoteSummary>, warnings: Vec<String>) -> Tree {
    let note_count = summaries.len();
    let mut root = FolderBuilder::default();
    for summary in summaries {
        root.insert(summary);
    }
    Tree {
        name,
        children: root.finish(""),
        note_count,
        warnings,
    }
}

/// Walks `vault` and builds its tree. Notes that cannot be read (binary, not UTF-8, too large)
/// are left out with a warning.
pub fn build(vault: &Vault) -> Tree {
    let scan = vault.scan();
    let mut warnings = scan.warnings;
    let mut summaries = Vec::with_capacity(scan.notes.len());
    for file in scan.notes {
        match vault.read(&file.id) {
            Ok(source) => summaries.push(NoteSummary::from_source(&file.id, &source)),
            Err(err) => warnings.push(format!("skipped {}: {err}", file.id)),
        }
    }
    from_summaries(vault.name(), summaries, warnings)
}

/// What [`build_cached`] remembers of a note between starts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CachedTitle {
    size: u64,
    modified_ms: u64,
    title: String,
}

/// The tree with titles only, for the window: a note's title is read from its file only when
/// the file changed since the last start (size or mtime), otherwise from `cache_file`. On a
/// 38k-note vault this turns reading every note at start into one walk of the folders.
/// The cache is only a speed-up: a missing or unreadable one is rebuilt.
pub fn build_cached(vault: &Vault, cache_file: &std::path::Path) -> Tree {
    let scan = vault.scan();
    let mut warnings = scan.warnings;
    let old: std::collections::HashMap<String, CachedTitle> = std::fs::read(cache_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut fresh = std::collections::HashMap::with_capacity(scan.notes.len());
    let mut summaries = Vec::with_capacity(scan.notes.len());
    let mut read = 0;
    for file in scan.notes {
        let title = match old.get(&file.id) {
            Some(c)
                if c.size == file.size
                    && c.modified_ms == file.modified_ms
                    && file.modified_ms > 0 =>
            {
                c.title.clone()
            }
            _ => match vault.read(&file.id) {
                Ok(source) => {
                    read += 1;
                    NoteSummary::from_source(&file.id, &source).title
                }
                Err(err) => {
                    warnings.push(format!("skipped {}: {err}", file.id));
                    continue;
                }
            },
        };
        fresh.insert(
            file.id.clone(),
            CachedTitle {
                size: file.size,
                modified_ms: file.modified_ms,
                title: title.clone(),
            },
        );
        summaries.push(NoteSummary {
            id: file.id,
            title,
            tags: Vec::new(),
            outline: Vec::new(),
        });
    }
    if read > 0 || fresh.len() != old.len() {
        save_cache(cache_file, &fresh);
    }
    from_summaries(vault.name(), summaries, warnings)
}

fn save_cache(path: &std::path::Path, titles: &std::collections::HashMap<String, CachedTitle>) {
    let Some(dir) = path.parent() else { return };
    let written = std::fs::create_dir_all(dir)
        .ok()
        .and_then(|()| tempfile::NamedTempFile::new_in(dir).ok())
        .and_then(|mut tmp| {
            serde_json::to_writer(&mut tmp, titles).ok()?;
            tmp.persist(path).ok()
        });
    if written.is_none() {
        tracing::warn!("cannot save the tree cache {}", path.display());
    }
}

impl Tree {
    /// Every note id in tree order.
    pub fn note_ids(&self) -> Vec<String> {
        fn walk(nodes: &[TreeNode], out: &mut Vec<String>) {
            for node in nodes {
                match node {
                    TreeNode::Folder { children, .. } => walk(children, out),
                    TreeNode::Note { id, .. } => out.push(id.clone()),
                }
            }
        }
        let mut out = Vec::with_capacity(self.note_count);
        walk(&self.children, &mut out);
        out
    }
}
