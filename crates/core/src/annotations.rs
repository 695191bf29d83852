//! Highlights and annotations: the model, the per-note store with atomic writes, re-anchoring
//! against the current text, and export.
//!
//! One JSON file per note, `.margin/annotations/<note id>.json` inside the vault, so notes and
//! their annotations travel and sync together (a read-only vault falls back to the user's data
//! folder). A file holds one annotation per line, sorted by id, keys in a stable order, and
//! deletions as tombstones, so that sync tools and git merge them (see [`crate::sync`]).
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

/// Version of the annotation file format: 2 added tombstones (`deleted`), the kept original
/// quote (`current` beside it) and files sorted by id. Version 1 files are read as they are
/// and written as version 2 at their next change.
pub const FILE_VERSION: u32 = 2;

/// How long a deleted annotation's tombstone is kept: longer than any copy of the vault stays
/// unsynced, so the deletion reaches every computer before it is forgotten.
pub const TOMBSTONE_DAYS: i64 = 90;

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
    /// What a changed note holds where the highlight was found again, when that differs from
    /// `quote`: the quote itself stays as the user made it, so a fuzzy match (a note read in
    /// the middle of an editor's save) can never rewrite a highlight's words for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Quote>,
    /// When it was deleted (RFC 3339): a tombstone, kept [`TOMBSTONE_DAYS`] so that a sync
    /// merge with an older copy of the file cannot bring the highlight back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
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

/// Reads an annotation file; one with git's conflict markers (`<<<<<<<`, `=======`,
/// `>>>>>>>`) is read as the merge of its two sides rather than as a corrupt file.
fn parse_file(bytes: &[u8]) -> std::result::Result<NoteFile, String> {
    crate::sync::parse_or_join_sides(bytes, |ours: NoteFile, theirs: NoteFile| NoteFile {
        version: ours.version.max(theirs.version),
        note: ours.note,
        annotations: merge(ours.annotations, theirs.annotations),
    })
}

/// Parses the records of an annotation file (a sync tool's copy, say), conflict markers
/// merged: for `sync`, which merges copies through [`Store::merge_in`].
pub(crate) fn parse_records(bytes: &[u8]) -> std::result::Result<Vec<Annotation>, String> {
    let file = parse_file(bytes)?;
    if file.version > FILE_VERSION {
        return Err(format!(
            "written by a newer Margin (format {}); update Margin to read it",
            file.version
        ));
    }
    Ok(file.annotations)
}

/// A record's RFC 3339 time stamp (`created`, `updated`, `deleted`), as a time to compare.
pub(crate) fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Whether a record deleted at `deleted` and last changed at `updated` is deleted.
fn is_tombstone(deleted: Option<&str>, updated: &str) -> bool {
    deleted.is_some_and(|d| parse_time(d) >= parse_time(updated))
}

/// A tombstone old enough to forget.
fn is_expired(a: &Annotation) -> bool {
    let Some(deleted) = a.deleted.as_deref().and_then(parse_time) else {
        return false;
    };
    time::OffsetDateTime::now_utc() - deleted > time::Duration::days(TOMBSTONE_DAYS)
}

/// The current time as RFC 3339, UTC: the stamp of every record Margin writes.
pub fn now() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(CLOCK_SKEW.get()))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

thread_local! {
    static CLOCK_SKEW: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Makes [`now`] on this thread run `seconds` ahead (or behind): for tests that play two
/// computers whose clocks disagree. Not for anything else.
#[doc(hidden)]
pub fn skew_clock_for_tests(seconds: i64) {
    CLOCK_SKEW.set(seconds);
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
            current: None,
            deleted: None,
        })
    }
}

/// Finds `quote` in a note's visible `text` for a new annotation: it must occur once, or
/// `prefix` (the text just before it) must pick one occurrence. The prefix is matched as
/// Hypothesis's anchoring does, forgivingly: white space does not count (a prefix without the
/// space before the quote still fits) and a few typing errors (up to a quarter of its letters)
/// are allowed, as long as one occurrence fits clearly best. Returns the character range.
pub fn find_quote(text: &str, quote: &str, prefix: Option<&str>) -> Result<(usize, usize)> {
    if quote.trim().is_empty() {
        return Err(Error::BadSelection {
            reason: "the quote is empty".into(),
        });
    }
    let hits: Vec<usize> = text.match_indices(quote).map(|(byte, _)| byte).collect();
    let chosen: Vec<usize> = match prefix.map(squeeze).filter(|p| !p.is_empty()) {
        None => hits.clone(),
        Some(prefix) => {
            let scored: Vec<(usize, usize)> = hits
                .iter()
                .map(|&byte| {
                    // Enough text before the hit for the prefix and its white space.
                    let mut from = byte.saturating_sub(8 * prefix.len() + 64);
                    while !text.is_char_boundary(from) {
                        from -= 1;
                    }
                    let before = squeeze(&text[from..byte]);
                    let tail: Vec<char> = before.chars().collect();
                    let want: Vec<char> = prefix.chars().collect();
                    let tail = &tail[tail.len().saturating_sub(want.len())..];
                    (edit_distance(&want, tail), byte)
                })
                .filter(|(errors, _)| *errors * 4 <= prefix.chars().count())
                .collect();
            let best = scored.iter().map(|(e, _)| *e).min();
            scored
                .into_iter()
                .filter(|(e, _)| Some(*e) == best)
                .map(|(_, byte)| byte)
                .collect()
        }
    };
    match chosen.as_slice() {
        [byte] => {
            let start = text[..*byte].chars().count();
            Ok((start, start + quote.chars().count()))
        }
        [] => Err(Error::BadSelection {
            reason: if hits.is_empty() {
                format!("{quote:?} is not in the note's text")
            } else {
                format!(
                    "{quote:?} occurs {} time(s), but none after that prefix",
                    hits.len()
                )
            },
        }),
        many => Err(Error::BadSelection {
            reason: format!(
                "{quote:?} occurs {} times{}; add the text just before it (--prefix) to pick one",
                many.len(),
                if prefix.is_some() {
                    " and the prefix fits several"
                } else {
                    ""
                }
            ),
        }),
    }
}

/// `s` without its white space: a prefix typed for `--prefix` is compared on its letters.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Levenshtein distance (two rows; prefixes are short).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
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

/// Anchors every annotation in the current `text`: positions, status and the current match
/// ([`Annotation::current`]) are updated for the ones that moved; the user's quote is kept;
/// orphans keep their last place. Returns true when anything changed.
pub fn reanchor(text: &str, annotations: &mut [Annotation]) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    for a in annotations.iter_mut() {
        let before = (a.position, a.status, a.current.clone());
        // The last match first (the text drifts a little at each edit), then the original.
        let found = a
            .current
            .as_ref()
            .and_then(|current| anchor::anchor_chars(&chars, current, a.position))
            .or_else(|| anchor::anchor_chars(&chars, &a.quote, a.position));
        match found {
            Some(found) => {
                a.position = found.position;
                a.status = found.status;
                let here = anchor::quote_at(&chars, found.position.start, found.position.end);
                a.current = (here.exact != a.quote.exact).then_some(here);
            }
            None => a.status = Status::Orphan,
        }
        changed |= before != (a.position, a.status, a.current.clone());
    }
    sort_for_reading(annotations);
    changed
}

/// Reading order: anchored ones by place, orphans last.
fn sort_for_reading(annotations: &mut [Annotation]) {
    annotations.sort_by_key(|a| (a.status == Status::Orphan, a.position.start, a.position.end));
}

impl Annotation {
    /// The highlighted words as the note has them now (the last match of a moved highlight,
    /// else the quote as made): what lists, exports and cards show.
    pub fn text(&self) -> &str {
        &self.current.as_ref().unwrap_or(&self.quote).exact
    }

    /// Whether this is a deletion's tombstone: deleted, and not changed since (a record can
    /// carry both when git merged one computer's deletion with another's later edit line by
    /// line; the later of the two holds).
    pub fn is_deleted(&self) -> bool {
        is_tombstone(self.deleted.as_deref(), &self.updated)
    }
}

/// Merges two versions of one note's annotations (this computer's file and a sync tool's
/// conflict copy, or the two sides of a git conflict), losing nothing: by id, the later change
/// wins; a deletion is a change too, so a tombstone beats every earlier edit (and on a tie, the
/// deletion wins). The result is sorted by id, as files are written.
pub fn merge(ours: Vec<Annotation>, theirs: Vec<Annotation>) -> Vec<Annotation> {
    crate::sync::merge_records(ours, theirs)
}

impl crate::sync::Record for Annotation {
    fn id(&self) -> &str {
        &self.id
    }
    /// When it last changed, its deletion included.
    fn stamp(&self) -> Option<time::OffsetDateTime> {
        parse_time(&self.updated).max(self.deleted.as_deref().and_then(parse_time))
    }
    fn is_deleted(&self) -> bool {
        Annotation::is_deleted(self)
    }
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
    /// The vault's own annotation folder when it cannot be written (a read-only vault, a
    /// read-only sync folder): still read, merged with what this computer writes in `dir`.
    read_only_inside: Option<PathBuf>,
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
    /// The store of `vault`: `.margin/annotations/` inside it, or, when the vault cannot be
    /// written, a folder under `fallback` (the user's data folder) that is written while the
    /// vault's own files are still read. When the vault can be written again, what was kept in
    /// the fallback folder is merged back into the vault (and the folder removed).
    pub fn for_vault(vault: &Vault, fallback: &Path) -> Store {
        let inside = vault.root().join(".margin").join("annotations");
        let key = crate::fingerprint::fnv1a(vault.root().to_string_lossy().as_bytes());
        let outside = fallback
            .join("vaults")
            .join(format!("{key:016x}"))
            .join("annotations");
        if fs::create_dir_all(&inside).is_ok() && writable(&inside) {
            let store = Store {
                dir: inside,
                read_only_inside: None,
            };
            if outside.exists() {
                store.merge_back(&outside);
            }
            return store;
        }
        tracing::warn!(
            "the vault is read-only; annotations are kept in {} (and merged back when it can be written)",
            outside.display()
        );
        Store {
            dir: outside,
            read_only_inside: Some(inside),
        }
    }

    /// The vault's own `.margin/` folder when it cannot be written (its study files are read
    /// beside this computer's).
    pub fn read_only_margin(&self) -> Option<PathBuf> {
        self.read_only_inside
            .as_ref()
            .and_then(|d| d.parent())
            .map(Path::to_path_buf)
    }

    /// Whether the vault's own annotation folder is read-only, so this computer's changes are
    /// kept in [`Store::dir`] (the window says so).
    pub fn is_fallback(&self) -> bool {
        self.read_only_inside.is_some()
    }

    /// Merges the Margin files kept in the data folder while the vault was read-only
    /// (`outside`, an annotation folder) back into this store's vault, each file removed once
    /// merged; files that cannot be merged stay.
    fn merge_back(&self, outside: &Path) {
        let margin = outside.parent().unwrap_or(outside);
        let report = crate::sync::merge_folder_into(margin, self);
        if !report.merged.is_empty() {
            tracing::info!(
                "merged {} file(s) kept while the vault was read-only back into it",
                report.merged.len()
            );
        }
        for (path, why) in &report.left {
            tracing::warn!("{} not merged back: {why}", path.display());
        }
        // Each merged file was removed by the merge; what is left (a set-aside `.corrupt-`
        // copy, a file that did not merge) stays. Only the locks and the emptied folders go.
        crate::sync::remove_emptied(margin);
    }

    /// A store writing in `dir` that also reads the read-only annotation folder `inside`
    /// (what [`Store::for_vault`] makes of a read-only vault), for tests.
    #[cfg(test)]
    pub(crate) fn beside_read_only(dir: PathBuf, inside: PathBuf) -> Store {
        Store {
            dir,
            read_only_inside: Some(inside),
        }
    }

    /// A store in an explicit folder.
    pub fn at(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            read_only_inside: None,
        }
    }

    /// The folder holding the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_of(&self, note: &str) -> Result<PathBuf> {
        json_file_of(&self.dir, note)
    }

    /// The annotations of `note` (not the tombstones of deleted ones), in reading order. A
    /// file that does not parse is moved aside and reported in [`Loaded::set_aside`]; the note
    /// then has none until the user restores it.
    pub fn load(&self, note: &str) -> Result<Loaded> {
        let (mut all, set_aside) = self.load_file(note)?;
        all.retain(|a| !a.is_deleted());
        sort_for_reading(&mut all);
        Ok(Loaded {
            annotations: all,
            set_aside,
        })
    }

    /// Every record of `note`'s file, tombstones included; a file with git's conflict markers
    /// is read as the merge of its two sides.
    fn load_file(&self, note: &str) -> Result<(Vec<Annotation>, Option<PathBuf>)> {
        let (mine, aside) = self.load_own_file(note)?;
        let Some(inside) = &self.read_only_inside else {
            return Ok((mine, aside));
        };
        // The vault's own file, read-only: merged in, never written.
        let theirs = json_file_of(inside, note)
            .ok()
            .and_then(|p| fs::read(p).ok())
            .and_then(|b| parse_file(&b).ok())
            .map(|f| f.annotations)
            .unwrap_or_default();
        Ok((merge(mine, theirs), aside))
    }

    fn load_own_file(&self, note: &str) -> Result<(Vec<Annotation>, Option<PathBuf>)> {
        let path = self.file_of(note)?;
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
            Err(e) => return Err(Error::io(&path, e)),
        };
        match parse_file(&bytes) {
            Ok(file) if file.version <= FILE_VERSION => Ok((file.annotations, None)),
            Ok(file) => Err(Error::Annotations {
                path,
                message: format!(
                    "it was written by a newer Margin (format {}); update Margin to read it",
                    file.version
                ),
            }),
            Err(err) => {
                tracing::warn!("{} did not parse: {err}", path.display());
                let aside = crate::atomic::set_aside(&path)?;
                Ok((Vec::new(), Some(aside)))
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
            sort_for_reading(list);
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
                a.current = None;
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

    /// Removes annotation `id` of `note` and returns it (for undo). A tombstone stays in the
    /// file, so a sync merge with an older copy cannot bring it back.
    pub fn remove(&self, note: &str, id: &str) -> Result<Annotation> {
        let (removed, _) = self.update(note, |list| {
            let at = list.iter().position(|a| a.id == id)?;
            Some(list.remove(at))
        })?;
        removed.ok_or_else(|| Error::AnnotationNotFound { id: id.to_string() })
    }

    /// The annotations of `note` anchored in its current visible `text` (`None`: the note is
    /// gone, so all are orphans). Only read: nothing is written, so reading a note (or a note
    /// caught in the middle of an editor's save) never changes its annotations on disk.
    pub fn anchored(&self, note: &str, text: Option<&str>) -> Result<Loaded> {
        let mut loaded = self.load(note)?;
        match text {
            Some(text) => {
                reanchor(text, &mut loaded.annotations);
            }
            None => {
                for a in &mut loaded.annotations {
                    a.status = Status::Orphan;
                }
            }
        }
        Ok(loaded)
    }

    /// Re-anchors `note`'s annotations in its new visible `text` and saves what moved: called
    /// when the note itself changed on disk (not when it is only read). Returns whether
    /// anything was written.
    pub fn reanchor_changed(&self, note: &str, text: &str) -> Result<bool> {
        if !self.file_of(note)?.exists() {
            return Ok(false);
        }
        let (changed, _) = self.modify(note, |list| {
            let changed = reanchor(text, list);
            (changed, changed)
        })?;
        Ok(changed)
    }

    /// Re-anchors the annotations of each of `notes` that changed on disk (see
    /// [`Store::reanchor_changed`]); only notes with an annotation file are read and rendered,
    /// so a burst of changed notes costs a file check each. Returns the notes written.
    pub fn reanchor_notes(&self, vault: &Vault, notes: &[String]) -> Vec<String> {
        let mut written = Vec::new();
        for id in notes {
            if !self.file_of(id).is_ok_and(|p| p.exists()) {
                continue;
            }
            let Ok(note) = crate::note::Note::load(vault, id, &[]) else {
                continue;
            };
            match self.reanchor_changed(id, &note.text) {
                Ok(true) => written.push(id.clone()),
                Ok(false) => {}
                Err(err) => tracing::warn!("re-anchoring {id}: {err}"),
            }
        }
        written
    }

    /// Every record of `note`'s file as stored, the tombstones of deleted annotations
    /// included: for checks of what a sync merge kept.
    pub fn records(&self, note: &str) -> Result<Vec<Annotation>> {
        Ok(self.load_file(note)?.0)
    }

    /// Writes `note`'s file again as it reads (a file with git's conflict markers becomes
    /// their merge).
    pub(crate) fn rewrite(&self, note: &str) -> Result<()> {
        self.locked(|| {
            let (all, _) = self.load_file(note)?;
            self.write(note, all)
        })
    }

    /// Runs `f` holding the store's lock (a file lock, so the app and the CLI exclude each
    /// other).
    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        crate::atomic::with_lock(&self.dir.join(".lock"), f)
    }

    /// The one read-modify-write path: `change` edits the live annotations and returns whether
    /// it changed anything worth writing. An annotation it removed becomes a tombstone; one it
    /// brought back (undo) loses its tombstone and counts as changed now; tombstones older
    /// than [`TOMBSTONE_DAYS`] are dropped.
    pub(crate) fn modify<T>(
        &self,
        note: &str,
        change: impl FnOnce(&mut Vec<Annotation>) -> (T, bool),
    ) -> Result<(T, Loaded)> {
        self.locked(|| {
            let (all, set_aside) = self.load_file(note)?;
            let (mut tombs, mut live): (Vec<Annotation>, Vec<Annotation>) =
                all.into_iter().partition(Annotation::is_deleted);
            sort_for_reading(&mut live);
            let before: std::collections::HashMap<String, Annotation> =
                live.iter().map(|a| (a.id.clone(), a.clone())).collect();
            let (out, changed) = change(&mut live);
            if changed {
                let stamp = now();
                let kept: std::collections::HashSet<&str> =
                    live.iter().map(|a| a.id.as_str()).collect();
                for (id, mut gone) in before {
                    if !kept.contains(id.as_str()) {
                        gone.deleted = Some(stamp.clone());
                        tombs.push(gone);
                    }
                }
                for a in &mut live {
                    if tombs.iter().any(|t| t.id == a.id) {
                        a.updated = stamp.clone();
                    }
                    a.deleted = None;
                }
                tombs.retain(|t| !live.iter().any(|a| a.id == t.id) && !is_expired(t));
                let mut records = live.clone();
                records.extend(tombs);
                self.write(note, records)?;
            }
            Ok((
                out,
                Loaded {
                    annotations: live,
                    set_aside,
                },
            ))
        })
    }

    /// Merges `theirs` (a sync tool's copy, read by the caller) into `note`'s file, under the
    /// lock, and writes the result. Returns how many records the merge took from `theirs`.
    pub fn merge_in(&self, note: &str, theirs: Vec<Annotation>) -> Result<usize> {
        self.locked(|| {
            let (ours, _) = self.load_file(note)?;
            let before = ours.clone();
            let merged = merge(ours, theirs);
            let taken = merged.iter().filter(|a| !before.contains(a)).count();
            if taken > 0 || before.len() != merged.len() {
                self.write(note, merged)?;
            }
            Ok(taken)
        })
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
        crate::atomic::replace_checked::<Palette>(&path, &json)
    }

    /// Writes the file of `note` atomically and durably: one record per line, sorted by id, so
    /// that two computers adding highlights to one note rarely touch the same lines and git
    /// merges them (see [`crate::sync::line_per_record`]); a note left with no record at all
    /// loses its file.
    fn write(&self, note: &str, mut records: Vec<Annotation>) -> Result<()> {
        let path = self.file_of(note)?;
        let dir = path.parent().unwrap_or(&self.dir).to_path_buf();
        if records.is_empty() {
            return match fs::remove_file(&path) {
                Ok(()) => sync_dir(&dir),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(&path, e)),
            };
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        let json = crate::sync::line_per_record(
            &[("version", FILE_VERSION.into()), ("note", note.into())],
            "annotations",
            &records,
        )
        .map_err(|e| Error::Annotations {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&path, &json)
    }

    /// Moves the annotations of a note that was renamed or moved to its new id (merged with any
    /// the new id already has). The new file is written before the old one is removed, under
    /// one lock: a failure or a kill in between leaves them in both places, never in neither.
    /// Returns how many moved.
    pub fn rename(&self, from: &str, to: &str) -> Result<usize> {
        if from == to || !self.file_of(from)?.exists() {
            return Ok(0);
        }
        let old = self.file_of(from)?;
        self.locked(|| {
            let (moved, _) = self.load_file(from)?;
            let count = moved.iter().filter(|a| !a.is_deleted()).count();
            let (ours, _) = self.load_file(to)?;
            self.write(to, merge(ours, moved))?;
            match fs::remove_file(&old) {
                Ok(()) => sync_dir(old.parent().unwrap_or(&self.dir))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&old, e)),
            }
            Ok(count)
        })
    }

    /// Every annotation file of the store: (note id, path, metadata). Hidden files (temp
    /// files, the lock, set-aside `.corrupt-` copies do not end in `.json`) are left out.
    /// Every annotation file: (note id, path). Only the folder listing is read.
    fn paths(&self) -> Vec<(String, PathBuf)> {
        let mut out = note_files_in(&self.dir);
        if let Some(inside) = &self.read_only_inside {
            // The vault's own files too (read-only): a note annotated only there is listed.
            let mine: std::collections::HashSet<String> =
                out.iter().map(|(id, _)| id.clone()).collect();
            out.extend(
                note_files_in(inside)
                    .into_iter()
                    .filter(|(id, _)| !mine.contains(id)),
            );
        }
        out
    }

    /// Every note's annotation file: (note id, path).
    pub fn note_files(&self) -> Vec<(String, PathBuf)> {
        self.paths()
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
        if self.read_only_inside.is_some() {
            let path = self.file_of(note).ok()?;
            let modified = fs::metadata(&path).map_or(0, |m| crate::vault::modified_ms(&m));
            let (all, _) = self.load_file(note).ok()?;
            if all.is_empty() {
                return None;
            }
            let live: Vec<Annotation> = all.into_iter().filter(|a| !a.is_deleted()).collect();
            let bytes = serde_json::to_vec(&live).ok()?;
            return Some((live, modified, bytes));
        }
        let path = self.file_of(note).ok()?;
        let bytes = fs::read(&path).ok()?;
        let file = parse_file(&bytes).ok()?;
        let modified = fs::metadata(&path).map_or(0, |m| crate::vault::modified_ms(&m));
        let live = file
            .annotations
            .into_iter()
            .filter(|a| !a.is_deleted())
            .collect();
        Some((live, modified, bytes))
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
            #[serde(default)]
            deleted: Option<String>,
            #[serde(default)]
            updated: String,
        }
        if self.read_only_inside.is_some() {
            return self
                .all()
                .unwrap_or_default()
                .into_iter()
                .map(|(id, list)| (id, list.into_iter().map(|a| (a.id, a.status)).collect()))
                .collect();
        }
        self.paths()
            .into_par_iter()
            .filter_map(|(_, path)| {
                let bytes = fs::read(&path).ok()?;
                let Ok(file) = serde_json::from_slice::<Light>(&bytes) else {
                    // Rare: a file with git's conflict markers, read as its merge.
                    let file = parse_file(&bytes).ok()?;
                    let ids = file
                        .annotations
                        .into_iter()
                        .filter(|a| !a.is_deleted())
                        .map(|a| (a.id, a.status))
                        .collect();
                    return Some((file.note, ids));
                };
                let ids = file
                    .annotations
                    .into_iter()
                    .filter(|a| !is_tombstone(a.deleted.as_deref(), &a.updated))
                    .map(|a| (a.id, a.status))
                    .collect();
                Some((file.note, ids))
            })
            .collect()
    }

    /// The note holding annotation `id` (a full id, or a unique start of one as `git` takes
    /// short hashes), with the annotation.
    pub fn find(&self, id: &str) -> Result<(String, Annotation)> {
        let id = id.trim();
        let mut found: Vec<(String, Annotation)> = Vec::new();
        if id.len() >= 4 {
            for (note, list) in self.all()? {
                found.extend(
                    list.into_iter()
                        .filter(|a| a.id.starts_with(id))
                        .map(|a| (note.clone(), a)),
                );
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(Error::AnnotationNotFound { id: id.to_string() }),
            n => Err(Error::BadInput {
                message: format!("{n} annotations have ids starting with {id:?}; give more of it"),
            }),
        }
    }

    /// Every note that has annotations, with them.
    pub fn all(&self) -> Result<Vec<(String, Vec<Annotation>)>> {
        use rayon::prelude::*;
        if self.read_only_inside.is_some() {
            // Each note's two files merged (rare: a read-only vault).
            let mut out = Vec::new();
            for (id, _) in self.paths() {
                let list = self.load(&id)?.annotations;
                if !list.is_empty() {
                    out.push((id, list));
                }
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok(out);
        }
        // Read and parsed on every core: a big vault has thousands of small files.
        let mut out: Vec<(String, Vec<Annotation>)> = self
            .paths()
            .into_par_iter()
            .filter_map(|(_, path)| {
                let bytes = fs::read(&path).ok()?;
                match parse_file(&bytes) {
                    Ok(mut file) => {
                        file.annotations.retain(|a| !a.is_deleted());
                        sort_for_reading(&mut file.annotations);
                        (!file.annotations.is_empty()).then_some((file.note, file.annotations))
                    }
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

/// Every note's annotation file under `dir`: (note id, path). Hidden files (the lock, temp
/// files) and anything not named after a note (a sync tool's conflict copy, merged by
/// `sync`) are left out.
fn note_files_in(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.exists() {
        return Vec::new();
    }
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .standard_filters(false)
        .build()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|entry| {
            let path = entry.path().to_path_buf();
            let rel = path.strip_prefix(dir).ok()?.to_str()?;
            let id = rel.strip_suffix(".json")?;
            let name = id.rsplit(['/', '\\']).next().unwrap_or("");
            if name.starts_with('.') || !crate::vault::is_note_name(name) {
                return None;
            }
            let id = id.replace(std::path::MAIN_SEPARATOR, "/");
            Some((id, path))
        })
        .collect()
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
            for line in a.text().lines() {
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
            let quote = a.current.as_ref().unwrap_or(&a.quote);
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
                        { "type": "TextQuoteSelector", "exact": quote.exact, "prefix": quote.prefix, "suffix": quote.suffix },
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
    fn a_read_only_vault_is_read_written_beside_and_merged_back() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("vault/.margin/annotations");
        let outside = dir.path().join("data/vaults/x/annotations");
        let text = "one two three four";
        let x = Annotation::new(text, 0, 3, "yellow").unwrap();
        Store::at(&inside).add("a.md", x.clone()).unwrap();
        let before = fs::read(inside.join("a.md.json")).unwrap();
        // The vault cannot be written: its file is read, this computer's changes go beside.
        let store = Store {
            dir: outside.clone(),
            read_only_inside: Some(inside.clone()),
        };
        assert!(store.is_fallback());
        assert_eq!(store.load("a.md").unwrap().annotations, vec![x.clone()]);
        let y = Annotation::new(text, 4, 7, "green").unwrap();
        store.add("a.md", y.clone()).unwrap();
        assert_eq!(store.load("a.md").unwrap().annotations.len(), 2);
        assert_eq!(store.all().unwrap()[0].1.len(), 2);
        assert_eq!(store.summaries()[0].1.len(), 2);
        assert_eq!(fs::read(inside.join("a.md.json")).unwrap(), before);
        // A file set aside while away is somebody's bytes: merging back must keep it.
        let kept = outside.join("b.md.json.corrupt-1");
        fs::write(&kept, "{ torn").unwrap();
        // Writable again: what was kept beside comes back into the vault.
        let back = Store::at(&inside);
        back.merge_back(&outside);
        let ids: Vec<String> = back
            .load("a.md")
            .unwrap()
            .annotations
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, vec![x.id, y.id]);
        assert!(
            !outside.join("a.md.json").exists(),
            "the merged file is left over"
        );
        assert_eq!(fs::read_to_string(&kept).unwrap(), "{ torn");
        fs::remove_file(&kept).unwrap();
        Store::at(&inside).merge_back(&outside);
        assert!(!outside.exists(), "the emptied data folder is left over");
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
