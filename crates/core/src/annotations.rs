//! Highlights and annotations: the model, the per-note store with atomic writes, re-anchoring
//! against the current text, and export.
//!
//! One JSON file per note, `.margin/annotations/<note id>.json` inside the vault, so notes and
//! their annotations travel and sync together (a read-only vault falls back to the user's data
//! folder). Files are pretty-printed with a stable key order so sync tools merge them well.
//!
//! Nothing is ever lost:
//! - every write goes to a temp file in the same folder, is flushed to disk (`fsync`), renamed
//!   over the old file, and the folder is flushed too (`tempfile`'s `persist` only renames);
//! - a file that does not parse is moved aside as `<name>.corrupt-<time>` and reported, never
//!   overwritten;
//! - every change is a read-modify-write under an exclusive lock on the vault's annotation
//!   folder, so the app and the CLI writing at once keep each other's annotations;
//! - annotations that no longer fit the text become orphans and keep their quote and comment.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::anchor::{self, Position, Quote, Status};
use crate::atomic::{sync_dir, write_atomically};
use crate::error::{Error, Result};
use crate::vault::{check_id, Vault};

/// Version of the annotation file format.
pub const FILE_VERSION: u32 = 1;

/// The colours offered by default (keys 1–5 in the window); a vault may name them.
pub const DEFAULT_COLORS: [&str; 5] = ["yellow", "green", "blue", "pink", "purple"];

/// One highlight, with or without a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// A UUID.
    pub id: String,
    /// The highlighted text with its context.
    pub quote: Quote,
    /// Where it was last found, in characters of the note's visible text.
    pub position: Position,
    /// Heading path of the section it was in, a hint for people and for re-attaching.
    #[serde(default)]
    pub heading: String,
    /// A colour name.
    pub color: String,
    /// The user's comment (Markdown); empty for a plain highlight.
    #[serde(default)]
    pub comment: String,
    /// The user's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it last changed (RFC 3339).
    pub updated: String,
    /// How it fits the note's current text (as of the last anchoring).
    #[serde(default)]
    pub status: Status,
}

/// An annotation as the window shows it: with its comment rendered (sanitised Markdown).
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The annotation itself.
    #[serde(flatten)]
    pub annotation: Annotation,
    /// The comment as sanitised HTML (empty without a comment).
    pub comment_html: String,
}

impl From<Annotation> for View {
    fn from(annotation: Annotation) -> View {
        let comment_html = if annotation.comment.trim().is_empty() {
            String::new()
        } else {
            crate::render::render(&annotation.comment, &crate::render::LinkContext::default()).html
        };
        View {
            annotation,
            comment_html,
        }
    }
}

/// What the user's colours mean in this vault ("yellow = definition, red = don't get it").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Palette {
    /// File format version.
    pub version: u32,
    /// The colours in key order (1–5), each with the user's label.
    pub colors: Vec<PaletteColor>,
}

/// One colour of the palette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaletteColor {
    /// The colour name, as stored in annotations.
    pub color: String,
    /// What it means to the user (may be empty).
    #[serde(default)]
    pub label: String,
}

impl Default for Palette {
    fn default() -> Palette {
        Palette {
            version: FILE_VERSION,
            colors: DEFAULT_COLORS
                .iter()
                .map(|c| PaletteColor {
                    color: c.to_string(),
                    label: String::new(),
                })
                .collect(),
        }
    }
}

/// The annotation file of one note.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NoteFile {
    version: u32,
    note: String,
    annotations: Vec<Annotation>,
}

/// The current time as RFC 3339, UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Annotation {
    /// A new annotation of characters `start..end` of a note's visible `text`.
    pub fn new(text: &str, start: usize, end: usize, color: &str) -> Result<Annotation> {
        let chars: Vec<char> = text.chars().collect();
        if start >= end || end > chars.len() {
            return Err(Error::BadSelection {
                reason: format!(
                    "{start}..{end} is not a range of this note's {} characters",
                    chars.len()
                ),
            });
        }
        let quote = anchor::quote_at(&chars, start, end);
        if quote.exact.trim().is_empty() {
            return Err(Error::BadSelection {
                reason: "only white space is selected".into(),
            });
        }
        let stamp = now();
        Ok(Annotation {
            id: uuid::Uuid::new_v4().to_string(),
            quote,
            position: Position { start, end },
            heading: String::new(),
            color: color.to_string(),
            comment: String::new(),
            tags: Vec::new(),
            created: stamp.clone(),
            updated: stamp,
            status: Status::Anchored,
        })
    }
}

/// Finds `quote` in a note's visible `text` for a new annotation: it must occur once, or once
/// after `prefix` (the text just before it). Returns the character range.
pub fn find_quote(text: &str, quote: &str, prefix: Option<&str>) -> Result<(usize, usize)> {
    if quote.trim().is_empty() {
        return Err(Error::BadSelection {
            reason: "the quote is empty".into(),
        });
    }
    let hits: Vec<usize> = text
        .match_indices(quote)
        .map(|(byte, _)| byte)
        .filter(|&byte| prefix.is_none_or(|p| text[..byte].ends_with(p)))
        .collect();
    match hits.as_slice() {
        [byte] => {
            let start = text[..*byte].chars().count();
            Ok((start, start + quote.chars().count()))
        }
        [] => Err(Error::BadSelection {
            reason: format!(
                "{quote:?} is not in the note's text{}",
                if prefix.is_some() {
                    " after that prefix"
                } else {
                    ""
                }
            ),
        }),
        many => Err(Error::BadSelection {
            reason: format!(
                "{quote:?} occurs {} times; add the text just before it (--prefix) to pick one",
                many.len()
            ),
        }),
    }
}

impl Annotation {
    /// A new annotation of characters `start..end` of a rendered note, with the heading it is
    /// under as a hint (for people reading the file, and for re-attaching).
    pub fn in_note(
        note: &crate::note::Note,
        start: usize,
        end: usize,
        color: &str,
    ) -> Result<Annotation> {
        let mut annotation = Annotation::new(&note.text, start, end, color)?;
        let before: String = note.text.chars().take(start).collect();
        // The last heading whose text appears before the selection: headings are lines of the
        // visible text, in order.
        let mut at = 0;
        for heading in &note.outline {
            match before[at..].find(&heading.text) {
                Some(found) => {
                    at += found + heading.text.len();
                    annotation.heading = heading.text.clone();
                }
                None => break,
            }
        }
        Ok(annotation)
    }
}

/// Anchors every annotation in the current `text`: positions and context are updated for the
/// ones that moved, orphans keep their last place. Returns true when anything changed.
pub fn reanchor(text: &str, annotations: &mut [Annotation]) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    for a in annotations.iter_mut() {
        let before = (a.position, a.status, a.quote.clone());
        match anchor::anchor_chars(&chars, &a.quote, a.position) {
            Some(found) => {
                a.position = found.position;
                a.status = found.status;
                if found.status == Status::Moved {
                    a.quote = anchor::quote_at(&chars, found.position.start, found.position.end);
                    // Found again: it is anchored from now on.
                    a.status = Status::Moved;
                }
            }
            None => a.status = Status::Orphan,
        }
        changed |= before != (a.position, a.status, a.quote.clone());
    }
    annotations.sort_by_key(|a| (a.status == Status::Orphan, a.position.start, a.position.end));
    changed
}

/// What loading a note's annotations found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The annotations, in reading order.
    pub annotations: Vec<Annotation>,
    /// Set when the file did not parse and was moved here.
    pub set_aside: Option<PathBuf>,
}

/// A change to an annotation; `None` fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Patch {
    /// New colour.
    pub color: Option<String>,
    /// New comment.
    pub comment: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// Re-attach to this character range of the current text (for orphans).
    pub range: Option<(usize, usize)>,
}

/// Where a vault's annotations are kept, and the only code that writes them.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// The JSON file that keeps a note's data under `root`: the note's path with `.json` added
/// (`net/tcp.md` → `root/net/tcp.md.json`), so the files mirror the vault's tree.
pub(crate) fn json_file_of(root: &Path, note: &str) -> Result<PathBuf> {
    let rel = check_id(note)?;
    let mut path = root.join(rel);
    let name = format!(
        "{}.json",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    path.set_file_name(name);
    Ok(path)
}

impl Store {
    /// The store of `vault`: `.margin/annotations/` inside it, or `fallback` (under the user's
    /// data folder) when the vault cannot be written.
    pub fn for_vault(vault: &Vault, fallback: &Path) -> Store {
        let inside = vault.root().join(".margin").join("annotations");
        if fs::create_dir_all(&inside).is_ok() && writable(&inside) {
            return Store { dir: inside };
        }
        let key = crate::search::fnv1a(vault.root().to_string_lossy().as_bytes());
        let dir = fallback
            .join("vaults")
            .join(format!("{key:016x}"))
            .join("annotations");
        tracing::warn!(
            "the vault is read-only; annotations are kept in {}",
            dir.display()
        );
        Store { dir }
    }

    /// A store in an explicit folder.
    pub fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The folder holding the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_of(&self, note: &str) -> Result<PathBuf> {
        json_file_of(&self.dir, note)
    }

    /// The annotations of `note`. A file that does not parse is moved aside and reported in
    /// [`Loaded::set_aside`]; the note then has none until the user restores it.
    pub fn load(&self, note: &str) -> Result<Loaded> {
        let path = self.file_of(note)?;
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        match serde_json::from_slice::<NoteFile>(&bytes) {
            Ok(file) if file.version <= FILE_VERSION => Ok(Loaded {
                annotations: file.annotations,
                set_aside: None,
            }),
            Ok(file) => Err(Error::Annotations {
                path,
                message: format!(
                    "it was written by a newer Margin (format {}); update Margin to read it",
                    file.version
                ),
            }),
            Err(err) => {
                let aside = path.with_file_name(format!(
                    "{}.corrupt-{}",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    time::OffsetDateTime::now_utc().unix_timestamp()
                ));
                fs::rename(&path, &aside).map_err(|e| Error::io(&path, e))?;
                tracing::warn!(
                    "{} did not parse ({err}); moved to {}",
                    path.display(),
                    aside.display()
                );
                Ok(Loaded {
                    annotations: Vec::new(),
                    set_aside: Some(aside),
                })
            }
        }
    }

    /// Changes the annotations of `note` under the store's lock: loads them, lets `change`
    /// edit the list, writes the result atomically. Returns what `change` returned.
    pub fn update<T>(
        &self,
        note: &str,
        change: impl FnOnce(&mut Vec<Annotation>) -> T,
    ) -> Result<(T, Loaded)> {
        self.modify(note, |list| (change(list), true))
    }

    /// Adds `annotation` to `note` (also the undo of [`Store::remove`]: same id, same data).
    pub fn add(&self, note: &str, annotation: Annotation) -> Result<()> {
        self.update(note, |list| {
            list.retain(|a| a.id != annotation.id);
            list.push(annotation);
            list.sort_by_key(|a| (a.status == Status::Orphan, a.position.start, a.position.end));
        })?;
        Ok(())
    }

    /// Applies `patch` to annotation `id` of `note`; `text` is the note's current visible text
    /// (needed to re-attach). Returns the annotation as saved.
    pub fn edit(&self, note: &str, id: &str, patch: Patch, text: &str) -> Result<Annotation> {
        let (result, _) = self.update(note, |list| -> Result<Annotation> {
            let a = list
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| Error::AnnotationNotFound { id: id.to_string() })?;
            if let Some((start, end)) = patch.range {
                let fresh = Annotation::new(text, start, end, &a.color)?;
                a.quote = fresh.quote;
                a.position = fresh.position;
                a.status = Status::Anchored;
            }
            if let Some(color) = patch.color {
                a.color = color;
            }
            if let Some(comment) = patch.comment {
                a.comment = comment;
            }
            if let Some(tags) = patch.tags {
                a.tags = tags
                    .into_iter()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
            }
            a.updated = now();
            Ok(a.clone())
        })?;
        result
    }

    /// Removes annotation `id` of `note` and returns it (for undo).
    pub fn remove(&self, note: &str, id: &str) -> Result<Annotation> {
        let (removed, _) = self.update(note, |list| {
            let at = list.iter().position(|a| a.id == id)?;
            Some(list.remove(at))
        })?;
        removed.ok_or_else(|| Error::AnnotationNotFound { id: id.to_string() })
    }

    /// The annotations of `note` anchored in its current visible `text` (`None`: the note is
    /// gone, so all are orphans). Moved ones get their new selectors saved.
    pub fn anchored(&self, note: &str, text: Option<&str>) -> Result<Loaded> {
        if !self.file_of(note)?.exists() {
            return Ok(Loaded::default());
        }
        let ((), loaded) = self.modify(note, |list| {
            let changed = match text {
                Some(text) => reanchor(text, list),
                None => {
                    let mut changed = false;
                    for a in list.iter_mut() {
                        changed |= a.status != Status::Orphan;
                        a.status = Status::Orphan;
                    }
                    changed
                }
            };
            ((), changed)
        })?;
        Ok(loaded)
    }

    /// The one read-modify-write path: `change` returns whether it changed anything worth
    /// writing.
    pub(crate) fn modify<T>(
        &self,
        note: &str,
        change: impl FnOnce(&mut Vec<Annotation>) -> (T, bool),
    ) -> Result<(T, Loaded)> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let lock_path = self.dir.join(".lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        lock.lock().map_err(|e| Error::io(&lock_path, e))?;
        let mut loaded = self.load(note)?;
        let (out, changed) = change(&mut loaded.annotations);
        if changed {
            self.write(note, &loaded.annotations)?;
        }
        drop(lock);
        Ok((out, loaded))
    }

    fn palette_path(&self) -> PathBuf {
        self.dir.parent().unwrap_or(&self.dir).join("palette.json")
    }

    /// The vault's colour palette (the default one when none was saved or it does not parse).
    pub fn palette(&self) -> Palette {
        fs::read(self.palette_path())
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Palette>(&bytes).ok())
            .filter(|p| !p.colors.is_empty())
            .unwrap_or_default()
    }

    /// Saves the vault's palette (atomically, like annotations).
    pub fn set_palette(&self, palette: &Palette) -> Result<()> {
        if palette.colors.is_empty() || palette.colors.iter().any(|c| c.color.trim().is_empty()) {
            return Err(Error::BadSelection {
                reason: "every colour of the palette needs a name".into(),
            });
        }
        let path = self.palette_path();
        let mut json = serde_json::to_vec_pretty(palette).map_err(|e| Error::Annotations {
            path: path.clone(),
            message: e.to_string(),
        })?;
        json.push(b'\n');
        write_atomically(&path, &json)
    }

    /// Writes the file of `note` atomically and durably (or removes it when empty).
    fn write(&self, note: &str, annotations: &[Annotation]) -> Result<()> {
        let path = self.file_of(note)?;
        let dir = path.parent().unwrap_or(&self.dir).to_path_buf();
        if annotations.is_empty() {
            return match fs::remove_file(&path) {
                Ok(()) => sync_dir(&dir),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(&path, e)),
            };
        }
        let file = NoteFile {
            version: FILE_VERSION,
            note: note.to_string(),
            annotations: annotations.to_vec(),
        };
        let mut json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Annotations {
            path: path.clone(),
            message: e.to_string(),
        })?;
        json.push(b'\n');
        write_atomically(&path, &json)
    }

    /// Moves the annotations of a note that was renamed or moved to its new id (merged with any
    /// the new id already has). Returns how many moved.
    pub fn rename(&self, from: &str, to: &str) -> Result<usize> {
        if from == to || !self.file_of(from)?.exists() {
            return Ok(0);
        }
        let (moved, _) = self.update(from, std::mem::take)?;
        let count = moved.len();
        self.update(to, |list| {
            for a in moved {
                if !list.iter().any(|b| b.id == a.id) {
                    list.push(a);
                }
            }
        })?;
        Ok(count)
    }

    /// Every annotation file of the store: (note id, path, metadata). Hidden files (temp
    /// files, the lock, set-aside `.corrupt-` copies do not end in `.json`) are left out.
    /// Every annotation file: (note id, path). Only the folder listing is read.
    fn paths(&self) -> Vec<(String, PathBuf)> {
        if !self.dir.exists() {
            return Vec::new();
        }
        ignore::WalkBuilder::new(&self.dir)
            .hidden(true)
            .standard_filters(false)
            .build()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter_map(|entry| {
                let path = entry.path().to_path_buf();
                let rel = path.strip_prefix(&self.dir).ok()?.to_str()?;
                let id = rel.strip_suffix(".json")?;
                if id
                    .rsplit(['/', '\\'])
                    .next()
                    .is_some_and(|n| n.starts_with('.'))
                {
                    return None;
                }
                let id = id.replace(std::path::MAIN_SEPARATOR, "/");
                Some((id, path))
            })
            .collect()
    }

    fn files(&self) -> Vec<(String, PathBuf, fs::Metadata)> {
        self.paths()
            .into_iter()
            .filter_map(|(id, path)| {
                let meta = fs::metadata(&path).ok()?;
                Some((id, path, meta))
            })
            .collect()
    }

    /// When each note's annotation file last changed (ms since the epoch), by note id: lets the
    /// search index notice annotations changed by another process.
    pub fn modified_times(&self) -> std::collections::HashMap<String, u64> {
        self.files()
            .into_iter()
            .map(|(id, _, meta)| (id, crate::vault::modified_ms(&meta)))
            .collect()
    }

    /// The annotations of `note` with the file's mtime and raw bytes, for indexing: no lock, no
    /// repair, `None` when there is no readable file.
    pub fn load_quietly(&self, note: &str) -> Option<(Vec<Annotation>, u64, Vec<u8>)> {
        let path = self.file_of(note).ok()?;
        let bytes = fs::read(&path).ok()?;
        let file: NoteFile = serde_json::from_slice(&bytes).ok()?;
        let modified = fs::metadata(&path).map_or(0, |m| crate::vault::modified_ms(&m));
        Some((file.annotations, modified, bytes))
    }

    /// For each annotated note, its annotations' ids with their status — what progress counts
    /// and the review queue need, parsed without the quotes and comments (a fraction of
    /// [`Store::all`]'s work on a big vault).
    pub fn summaries(&self) -> Vec<(String, Vec<(String, Status)>)> {
        use rayon::prelude::*;
        #[derive(Deserialize)]
        struct Light {
            note: String,
            annotations: Vec<LightAnnotation>,
        }
        #[derive(Deserialize)]
        struct LightAnnotation {
            id: String,
            #[serde(default)]
            status: Status,
        }
        self.paths()
            .into_par_iter()
            .filter_map(|(_, path)| {
                let file: Light = serde_json::from_slice(&fs::read(&path).ok()?).ok()?;
                let ids = file
                    .annotations
                    .into_iter()
                    .map(|a| (a.id, a.status))
                    .collect();
                Some((file.note, ids))
            })
            .collect()
    }

    /// Every note that has annotations, with them.
    pub fn all(&self) -> Result<Vec<(String, Vec<Annotation>)>> {
        use rayon::prelude::*;
        // Read and parsed on every core: a big vault has thousands of small files.
        let mut out: Vec<(String, Vec<Annotation>)> = self
            .paths()
            .into_par_iter()
            .filter_map(|(_, path)| {
                let bytes = fs::read(&path).ok()?;
                match serde_json::from_slice::<NoteFile>(&bytes) {
                    Ok(file) if !file.annotations.is_empty() => Some((file.note, file.annotations)),
                    Ok(_) => None,
                    Err(err) => {
                        tracing::warn!("skipping {}: {err}", path.display());
                        None
                    }
                }
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

fn writable(dir: &Path) -> bool {
    tempfile::Builder::new()
        .prefix(".probe-")
        .tempfile_in(dir)
        .is_ok()
}

/// The annotated notes of a vault: id, title and annotations anchored in the current text.
pub type Collected = Vec<(String, String, Vec<Annotation>)>;

/// Every annotated note of the vault (or just `only`), anchored in its current text (notes
/// that are gone make orphans). Also returns the files that did not parse and were set aside.
pub fn collect(
    store: &Store,
    vault: &Vault,
    only: Option<&str>,
) -> Result<(Collected, Vec<PathBuf>)> {
    let notes: Vec<String> = match only {
        Some(id) => vec![id.to_string()],
        None => store.all()?.into_iter().map(|(id, _)| id).collect(),
    };
    let mut out = Vec::new();
    let mut set_aside = Vec::new();
    for id in notes {
        let note = crate::note::Note::load(vault, &id, &[]).ok();
        let loaded = store.anchored(&id, note.as_ref().map(|n| n.text.as_str()))?;
        set_aside.extend(loaded.set_aside);
        if !loaded.annotations.is_empty() {
            let title = note.map_or_else(|| id.clone(), |n| n.title);
            out.push((id, title, loaded.annotations));
        }
    }
    Ok((out, set_aside))
}

/// The formats of [`export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Markdown grouped by topic and note.
    Markdown,
    /// W3C Web Annotation JSON-LD.
    W3c,
}

impl ExportFormat {
    /// `md` or `w3c` (as the CLI and the window name them).
    pub fn parse(name: &str) -> Option<ExportFormat> {
        match name {
            "md" | "markdown" => Some(ExportFormat::Markdown),
            "w3c" | "jsonld" => Some(ExportFormat::W3c),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::W3c => "jsonld",
        }
    }
}

/// Every annotation of the vault, anchored in the current text, as an export document.
pub fn export(store: &Store, vault: &Vault, format: ExportFormat) -> Result<String> {
    let (all, _) = collect(store, vault, None)?;
    Ok(match format {
        ExportFormat::Markdown => export_markdown(&all),
        ExportFormat::W3c => {
            let root = vault.root().to_path_buf();
            let json = export_w3c(&all, |id| {
                url::Url::from_file_path(root.join(id))
                    .map_or_else(|_| id.to_string(), |u| u.to_string())
            });
            let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
            text.push('\n');
            text
        }
    })
}

/// Writes an export to `path` atomically.
pub fn write_export(path: &Path, text: &str) -> Result<()> {
    write_atomically(path, text.as_bytes())
}

/// Exports as Markdown: grouped by folder (topic) and note, quotes as block quotes, comments below.
pub fn export_markdown(all: &[(String, String, Vec<Annotation>)]) -> String {
    let mut out = String::from("# Annotations\n");
    let mut last_topic = None;
    for (note, title, annotations) in all {
        let topic = note.rsplit_once('/').map_or("", |(dir, _)| dir);
        if last_topic != Some(topic) {
            out.push_str(&format!(
                "\n## {}\n",
                if topic.is_empty() {
                    "(top level)"
                } else {
                    topic
                }
            ));
            last_topic = Some(topic);
        }
        out.push_str(&format!("\n### {title}\n\n`{note}`\n"));
        for a in annotations {
            out.push('\n');
            for line in a.quote.exact.lines() {
                out.push_str(&format!("> {line}\n"));
            }
            let mut meta = vec![a.color.clone()];
            if a.status == Status::Orphan {
                meta.push("orphan".into());
            }
            meta.extend(a.tags.iter().map(|t| format!("#{t}")));
            out.push_str(&format!("\n*{}*\n", meta.join(" · ")));
            if !a.comment.trim().is_empty() {
                out.push_str(&format!("\n{}\n", a.comment.trim()));
            }
        }
    }
    out
}

/// Exports as W3C Web Annotation JSON-LD (an `AnnotationCollection` of `Annotation`s).
/// `source_of` turns a note id into the target's `source` IRI.
pub fn export_w3c(
    all: &[(String, String, Vec<Annotation>)],
    source_of: impl Fn(&str) -> String,
) -> serde_json::Value {
    let items: Vec<serde_json::Value> = all
        .iter()
        .flat_map(|(note, _, annotations)| annotations.iter().map(move |a| (note, a)))
        .map(|(note, a)| {
            let mut item = serde_json::json!({
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": format!("urn:uuid:{}", a.id),
                "type": "Annotation",
                "created": a.created,
                "modified": a.updated,
                "motivation": if a.comment.trim().is_empty() { "highlighting" } else { "commenting" },
                "target": {
                    "source": source_of(note),
                    "selector": [
                        { "type": "TextQuoteSelector", "exact": a.quote.exact, "prefix": a.quote.prefix, "suffix": a.quote.suffix },
                        { "type": "TextPositionSelector", "start": a.position.start, "end": a.position.end }
                    ]
                },
                "stylesheet": { "type": "CssStylesheet", "value": format!(".{} {{}}", a.color) },
            });
            let mut bodies = Vec::new();
            if !a.comment.trim().is_empty() {
                bodies.push(serde_json::json!({ "type": "TextualBody", "value": a.comment, "format": "text/markdown", "purpose": "commenting" }));
            }
            for tag in &a.tags {
                bodies.push(serde_json::json!({ "type": "TextualBody", "value": tag, "purpose": "tagging" }));
            }
            if !bodies.is_empty() {
                item["body"] = serde_json::Value::Array(bodies);
            }
            item
        })
        .collect();
    serde_json::json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "label": "Margin annotations",
        "total": items.len(),
        "first": { "type": "AnnotationPage", "items": items },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_annotations_take_quote_and_context_from_the_text() {
        let text = "before the quote after";
        let a = Annotation::new(text, 7, 16, "yellow").unwrap();
        assert_eq!(a.quote.exact, "the quote");
        assert_eq!(a.quote.prefix, "before ");
        assert_eq!(a.quote.suffix, " after");
        assert!(Annotation::new(text, 5, 5, "yellow").is_err());
        assert!(Annotation::new(text, 0, 99, "yellow").is_err());
        assert!(Annotation::new("a   b", 1, 4, "yellow").is_err());
    }

    #[test]
    fn the_palette_is_named_per_vault_and_survives_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("annotations"));
        assert_eq!(store.palette(), Palette::default());
        let mut palette = Palette::default();
        palette.colors[0].label = "definition".into();
        store.set_palette(&palette).unwrap();
        assert_eq!(store.palette().colors[0].label, "definition");
        std::fs::write(dir.path().join("palette.json"), "{ broken").unwrap();
        assert_eq!(store.palette(), Palette::default());
        palette.colors[1].color = " ".into();
        assert!(store.set_palette(&palette).is_err());
    }

    #[test]
    fn the_heading_hint_is_the_section_of_the_selection() {
        let note = crate::note::Note::from_source(
            "n.md",
            "# Top\n\nintro\n\n## Part A\n\nalpha text\n\n## Part B\n\nbravo text\n",
            &[],
        );
        let start = note.text.find("bravo").unwrap();
        let a = Annotation::in_note(&note, start, start + 5, "yellow").unwrap();
        assert_eq!(a.heading, "Part B");
        let start = note.text.find("alpha").unwrap();
        assert_eq!(
            Annotation::in_note(&note, start, start + 5, "yellow")
                .unwrap()
                .heading,
            "Part A"
        );
    }

    #[test]
    fn reanchoring_moves_and_orphans() {
        let text = "one two three four";
        let mut list = vec![
            Annotation::new(text, 4, 7, "yellow").unwrap(),
            Annotation::new(text, 8, 13, "green").unwrap(),
        ];
        let new_text = "zero one two four";
        assert!(reanchor(new_text, &mut list));
        assert_eq!(list[0].quote.exact, "two");
        assert_eq!(list[0].status, Status::Moved);
        assert_eq!(list[0].position, Position { start: 9, end: 12 });
        assert_eq!(list[1].status, Status::Orphan);
        assert_eq!(list[1].quote.exact, "three");
    }
}
