//! Two computers, one vault: what Margin does with the conflict copies sync tools leave.
//!
//! Margin never syncs a vault itself; Syncthing, Dropbox, OneDrive, Nextcloud, iCloud Drive or
//! git do. When two computers changed the same file before they met, those tools keep both:
//! the later one under the file's name and the other as a *conflict copy* beside it (git
//! instead writes both sides into the file between conflict markers). Margin's own files under
//! `.margin/` (annotations, cards, review and reading logs, palette and settings) are built to
//! merge: records carry ids and times, deletions are tombstones, logs are per computer and
//! append-only. This module finds the copies, merges each into its file, and removes a copy
//! only after the merged file is safely on disk. What it cannot read it leaves where it is and
//! reports, so nothing is lost.
//!
//! The copies' names are recognised by hand (five small patterns, no regular expressions):
//! - Syncthing: `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT`
//! - Dropbox: `NAME (Someone's conflicted copy YYYY-MM-DD).EXT`
//! - Nextcloud: `NAME (conflicted copy YYYY-MM-DD HHMMSS).EXT`
//! - OneDrive: `NAME-HOSTNAME.EXT` (only beside an existing `NAME.EXT`)
//! - iCloud Drive: `NAME 2.EXT` (only beside an existing `NAME.EXT`)

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::annotations::Store;
use crate::error::{Error, Result};
use crate::study::Study;

/// The sync tool whose naming a conflict copy follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// `NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT`
    Syncthing,
    /// `NAME (… conflicted copy YYYY-MM-DD).EXT`
    Dropbox,
    /// `NAME (conflicted copy YYYY-MM-DD HHMMSS).EXT`
    Nextcloud,
    /// `NAME-HOSTNAME.EXT`
    OneDrive,
    /// `NAME 2.EXT`
    ICloud,
    /// `NAME.conflict-YYYYMMDD-HHMMSS.EXT`: Margin's own editor, when a note changed on disk
    /// where the user was typing.
    Margin,
}

/// The names a file called `name` may be a conflict copy of, with the tool each pattern
/// belongs to. Several candidates can come out (a OneDrive host name may hold `-`); the
/// caller keeps the one that exists. Syncthing, Dropbox and Nextcloud names are unambiguous;
/// the OneDrive and iCloud patterns also fit ordinary names, so they count only beside an
/// existing original.
pub fn originals_of(name: &str) -> Vec<(String, Tool)> {
    let mut out = Vec::new();
    // Syncthing puts its mark before the last extension.
    if let Some(at) = name.find(".sync-conflict-") {
        let rest = &name[at + ".sync-conflict-".len()..];
        let (mark, ext) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
        let parts: Vec<&str> = mark.splitn(3, '-').collect();
        if parts.len() == 3
            && parts[0].len() == 8
            && parts[1].len() == 6
            && parts[0]
                .bytes()
                .chain(parts[1].bytes())
                .all(|b| b.is_ascii_digit())
            && !parts[2].is_empty()
        {
            out.push((format!("{}{ext}", &name[..at]), Tool::Syncthing));
        }
    }
    let (stem, ext) = split_ext(name);
    // Margin's editor: `.conflict-YYYYMMDD-HHMMSS` (and `-N`) at the end of the stem.
    if let Some(at) = stem.rfind(".conflict-") {
        let mark = &stem[at + ".conflict-".len()..];
        let b = mark.as_bytes();
        if b.len() >= 15
            && b[..8].iter().all(u8::is_ascii_digit)
            && b[8] == b'-'
            && b[9..15].iter().all(u8::is_ascii_digit)
        {
            out.push((format!("{}{ext}", &stem[..at]), Tool::Margin));
        }
    }
    // Dropbox and Nextcloud: ` (… conflicted copy …)` at the end of the stem.
    if let Some(open) = stem.rfind(" (") {
        let inner = &stem[open + 2..];
        if let Some(inner) = inner.strip_suffix(')') {
            if let Some(at) = inner.find("conflicted copy ") {
                let date = &inner[at + "conflicted copy ".len()..];
                if looks_like_date(date) {
                    let tool = if at == 0 && date.len() > 10 {
                        Tool::Nextcloud
                    } else {
                        Tool::Dropbox
                    };
                    out.push((format!("{}{ext}", &stem[..open]), tool));
                }
            }
        }
    }
    // iCloud: ` N` (N ≥ 2) at the end of the stem.
    if let Some((base, n)) = stem.rsplit_once(' ') {
        if !base.is_empty() && n.parse::<u32>().is_ok_and(|n| n >= 2) {
            out.push((format!("{base}{ext}"), Tool::ICloud));
        }
    }
    // OneDrive: `-HOSTNAME` at the end of the stem (a host name has no dot).
    for (at, _) in stem.match_indices('-') {
        let host = &stem[at + 1..];
        if at > 0
            && !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            out.push((format!("{}{ext}", &stem[..at]), Tool::OneDrive));
        }
    }
    out
}

/// `name` as (stem, `.ext`); the extension is empty when there is none.
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(at) if at > 0 => name.split_at(at),
        _ => (name, ""),
    }
}

/// `YYYY-MM-DD` at the start of `s`.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// A note that is a conflict copy of another note (a sync tool's, or Margin's editor's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteConflict {
    /// The copy's note id.
    pub copy: String,
    /// The note it is a copy of.
    pub original: String,
    /// Whose naming it has.
    pub tool: Tool,
}

/// Whether note `id` is a conflict copy, by its name alone. Only the unambiguous patterns
/// count (Syncthing, Dropbox, Nextcloud, Margin's own): OneDrive's `NAME-HOST.md` and iCloud's
/// `NAME 2.md` are also what people call their own notes ("Chapter 2.md"), and a note of
/// theirs must never be taken out of search for a guess.
pub fn note_conflict(id: &str) -> Option<NoteConflict> {
    let (folder, name) = id.rsplit_once('/').map_or(("", id), |(f, n)| (f, n));
    originals_of(name)
        .into_iter()
        .find(|(original, tool)| {
            !matches!(tool, Tool::OneDrive | Tool::ICloud) && crate::vault::is_note_name(original)
        })
        .map(|(original, tool)| NoteConflict {
            copy: id.to_string(),
            original: if folder.is_empty() {
                original
            } else {
                format!("{folder}/{original}")
            },
            tool,
        })
}

/// A conflict copy of a note beside its original, for the window's *compare and keep*.
#[derive(Debug, Clone, Serialize)]
pub struct NoteCompare {
    /// Which copy of which note.
    pub conflict: NoteConflict,
    /// The original's text (empty when the original is gone).
    pub original_text: String,
    /// The copy's text.
    pub copy_text: String,
    /// Both in one: lines only one side has are kept, lines the two sides changed differently
    /// stand between conflict markers (`<<<<<<< this note` … `>>>>>>> the conflict copy`) for
    /// the user to settle in the editor.
    pub merged: String,
    /// Whether `merged` has conflict markers.
    pub has_markers: bool,
}

/// Both sides of conflict copy `copy` (a note id).
pub fn compare_note(vault: &crate::Vault, copy: &str) -> Result<NoteCompare> {
    let conflict = note_conflict(copy).ok_or_else(|| Error::BadInput {
        message: format!("{copy} is not a conflict copy of another note"),
    })?;
    let copy_text = crate::edit::load(vault, copy)?.text;
    let gone = !vault.path_of(&conflict.original)?.exists();
    let original_text = if gone {
        String::new()
    } else {
        crate::edit::load(vault, &conflict.original)?.text
    };
    let (merged, has_markers) = merge_two(&original_text, &copy_text);
    Ok(NoteCompare {
        conflict,
        original_text,
        copy_text,
        merged,
        has_markers,
    })
}

/// Two versions of a note with no common base as one text: what only one side adds is kept,
/// what the two sides have differently at one place is put between conflict markers.
pub fn merge_two(ours: &str, theirs: &str) -> (String, bool) {
    let patch = diffy::create_patch(ours, theirs);
    let ours_lines: Vec<&str> = ours.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut markers = false;
    let mut at = 0; // next line of `ours` not yet written
    for hunk in patch.hunks() {
        let start = hunk.old_range().start().saturating_sub(1);
        for line in &ours_lines[at.min(ours_lines.len())..start.min(ours_lines.len())] {
            out.push_str(line);
        }
        at = start;
        let (mut deleted, mut inserted) = (String::new(), String::new());
        let flush =
            |out: &mut String, deleted: &mut String, inserted: &mut String, markers: &mut bool| {
                match (deleted.is_empty(), inserted.is_empty()) {
                    (true, true) => {}
                    (false, true) => out.push_str(deleted),
                    (true, false) => out.push_str(inserted),
                    (false, false) => {
                        *markers = true;
                        let end = |s: &str| if s.ends_with('\n') { "" } else { "\n" };
                        out.push_str("<<<<<<< this note\n");
                        out.push_str(deleted);
                        out.push_str(end(deleted));
                        out.push_str("=======\n");
                        out.push_str(inserted);
                        out.push_str(end(inserted));
                        out.push_str(">>>>>>> the conflict copy\n");
                    }
                }
                deleted.clear();
                inserted.clear();
            };
        for line in hunk.lines() {
            match line {
                diffy::Line::Context(text) => {
                    flush(&mut out, &mut deleted, &mut inserted, &mut markers);
                    out.push_str(text);
                    at += 1;
                }
                diffy::Line::Delete(text) => {
                    deleted.push_str(text);
                    at += 1;
                }
                diffy::Line::Insert(text) => inserted.push_str(text),
            }
        }
        flush(&mut out, &mut deleted, &mut inserted, &mut markers);
    }
    for line in &ours_lines[at.min(ours_lines.len())..] {
        out.push_str(line);
    }
    (out, markers)
}

/// What to keep of a note and its conflict copy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "keep", content = "text", rename_all = "lowercase")]
pub enum Keep {
    /// The note as it is; the copy goes to the trash.
    Original,
    /// The copy's text becomes the note's; the copy goes to the trash.
    Copy,
    /// This text (the merge, as the user settled it) becomes the note's; the copy goes.
    Merged(String),
}

/// Settles conflict copy `copy` as `keep` says: the note's file is written first (atomically,
/// with its line endings), the copy is sent to the OS trash only after, so a failure leaves
/// both. Returns what the trash took (for undo).
pub fn keep_note(vault: &crate::Vault, copy: &str, keep: Keep) -> Result<crate::edit::Trashed> {
    let compare = compare_note(vault, copy)?;
    let original = &compare.conflict.original;
    let text = match keep {
        Keep::Original => None,
        Keep::Copy => Some(compare.copy_text.clone()),
        Keep::Merged(text) => Some(text),
    };
    if let Some(text) = text {
        // A gone original is written back to its place by the same save.
        crate::edit::save(vault, original, &compare.original_text, &text)?;
    }
    crate::edit::trash_note(vault, copy)
}

/// A record of Margin's files that merges by id (an annotation, a card).
pub(crate) trait Record {
    /// Its id.
    fn id(&self) -> &str;
    /// When it last changed, its deletion included.
    fn stamp(&self) -> Option<time::OffsetDateTime>;
    /// Whether it is a deletion's tombstone.
    fn is_deleted(&self) -> bool;
}

/// Two versions of a file's records as one, losing nothing: by id, the later change wins; a
/// deletion is a change too, so a tombstone beats every earlier edit (and, on a tie, the
/// deletion wins). The result is sorted by id, as files are written.
pub(crate) fn merge_records<T: Record>(ours: Vec<T>, theirs: Vec<T>) -> Vec<T> {
    let mut by_id: std::collections::BTreeMap<String, T> = std::collections::BTreeMap::new();
    for record in ours.into_iter().chain(theirs) {
        let later =
            by_id
                .get(record.id())
                .is_none_or(|kept| match record.stamp().cmp(&kept.stamp()) {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => record.is_deleted() && !kept.is_deleted(),
                });
        if later {
            by_id.insert(record.id().to_string(), record);
        }
    }
    by_id.into_values().collect()
}

/// Parses a Margin file as `F`; one holding git's conflict markers is parsed side by side and
/// the two sides joined by `join` (instead of the file counting as corrupt).
pub(crate) fn parse_or_join_sides<F: serde::de::DeserializeOwned>(
    bytes: &[u8],
    join: impl FnOnce(F, F) -> F,
) -> std::result::Result<F, String> {
    match serde_json::from_slice::<F>(bytes) {
        Ok(file) => Ok(file),
        Err(err) => {
            let text = std::str::from_utf8(bytes).map_err(|_| err.to_string())?;
            let (ours, theirs) = git_sides(text).ok_or_else(|| err.to_string())?;
            let ours: F = serde_json::from_str(&ours).map_err(|e| e.to_string())?;
            let theirs: F = serde_json::from_str(&theirs).map_err(|e| e.to_string())?;
            Ok(join(ours, theirs))
        }
    }
}

/// Splits a file with git's conflict markers into its two sides ("ours", "theirs"): the lines
/// outside the conflicts go to both, the lines of each conflict to its side (a diff3 base
/// section is dropped). `None` when the text has no conflict markers.
pub fn git_sides(text: &str) -> Option<(String, String)> {
    #[derive(PartialEq)]
    enum In {
        Both,
        Ours,
        Base,
        Theirs,
    }
    if !text.lines().any(|l| l.starts_with("<<<<<<<")) {
        return None;
    }
    let (mut ours, mut theirs) = (String::new(), String::new());
    let mut at = In::Both;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.starts_with("<<<<<<<") && at == In::Both {
            at = In::Ours;
        } else if bare.starts_with("|||||||") && at == In::Ours {
            at = In::Base;
        } else if bare.starts_with("=======") && (at == In::Ours || at == In::Base) {
            at = In::Theirs;
        } else if bare.starts_with(">>>>>>>") && at == In::Theirs {
            at = In::Both;
        } else {
            match at {
                In::Both => {
                    ours.push_str(line);
                    theirs.push_str(line);
                }
                In::Ours => ours.push_str(line),
                In::Theirs => theirs.push_str(line),
                In::Base => {}
            }
        }
    }
    (at == In::Both).then_some((ours, theirs))
}

/// Writes a Margin file as JSON with one record per line, records in the order given (sorted
/// by id by the callers), the file's own fields first:
///
/// ```text
/// {"version":2,"note":"net/tcp.md","annotations":[
/// {"id":"0a…","quote":{…},…},
/// {"id":"4f…","quote":{…},…}
/// ]}
/// ```
///
/// Still plain JSON, but a line is a whole record, so git merges two computers' changes line
/// by line without ever joining the fields of two records into one (which pretty-printed
/// records, full of identical lines, let it do), and a conflict holds whole records.
pub fn line_per_record<T: Serialize>(
    head: &[(&str, serde_json::Value)],
    key: &str,
    records: &[T],
) -> std::result::Result<Vec<u8>, serde_json::Error> {
    let mut out = String::from("{");
    for (name, value) in head {
        out.push_str(&serde_json::to_string(name)?);
        out.push(':');
        out.push_str(&serde_json::to_string(value)?);
        out.push(',');
    }
    out.push_str(&serde_json::to_string(key)?);
    out.push_str(":[\n");
    for (i, record) in records.iter().enumerate() {
        out.push_str(&serde_json::to_string(record)?);
        out.push_str(if i + 1 < records.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    Ok(out.into_bytes())
}

/// Whether `bytes` hold git conflict markers at the start of a line.
fn has_git_markers(bytes: &[u8]) -> bool {
    bytes.starts_with(b"<<<<<<< ") || bytes.windows(9).any(|w| w == b"\n<<<<<<< ")
}

/// Which of Margin's files a path under `.margin/` is, and so how it merges.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `annotations/<note>.json`
    Annotations(String),
    /// `cards/<note>.json`
    Cards(String),
    /// `reviews/*.jsonl`, `reading/*.jsonl`: append-only, merged by union of lines.
    Log,
    /// `palette.json`, `settings.json`, `study.json`: merged per key, the later file winning.
    Keyed,
}

/// What `rel` (a path under `.margin/`, `/`-separated) holds, if it is one of Margin's files.
fn kind_of(rel: &str) -> Option<Kind> {
    let note_of = |rest: &str| {
        let id = rest.strip_suffix(".json")?;
        let name = id.rsplit('/').next()?;
        (crate::vault::is_note_name(name) && !name.starts_with('.')).then(|| id.to_string())
    };
    if let Some(rest) = rel.strip_prefix("annotations/") {
        return note_of(rest).map(Kind::Annotations);
    }
    if let Some(rest) = rel.strip_prefix("cards/") {
        return note_of(rest).map(Kind::Cards);
    }
    for logs in ["reviews/", "reading/"] {
        if let Some(rest) = rel.strip_prefix(logs) {
            return (!rest.contains('/') && rest.ends_with(".jsonl")).then_some(Kind::Log);
        }
    }
    matches!(rel, "palette.json" | "settings.json" | "study.json").then_some(Kind::Keyed)
}

/// One conflict copy merged into its file.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    /// The copy (removed once merged).
    pub copy: PathBuf,
    /// The file it was merged into.
    pub into: PathBuf,
    /// Whose naming the copy had.
    pub tool: Tool,
    /// Records the merge took from the copy (annotations, cards, log lines, keys).
    pub taken: usize,
}

/// What a pass over `.margin/` found and did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Conflict copies merged and removed.
    pub merged: Vec<Merged>,
    /// Files whose git conflict markers were merged in place.
    pub git_merged: Vec<PathBuf>,
    /// Copies or files that could not be read or merged, left where they are, with why.
    pub left: Vec<(PathBuf, String)>,
}

impl Report {
    /// Whether the pass changed nothing and found nothing wrong.
    pub fn is_empty(&self) -> bool {
        self.merged.is_empty() && self.git_merged.is_empty() && self.left.is_empty()
    }

    /// The notes whose annotations the pass changed (to index again and redraw).
    pub fn annotated_notes(&self, store: &Store) -> Vec<String> {
        self.merged
            .iter()
            .map(|m| m.into.as_path())
            .chain(self.git_merged.iter().map(PathBuf::as_path))
            .filter_map(|p| p.strip_prefix(store.dir()).ok())
            .filter_map(|rel| {
                let id = rel.to_str()?.strip_suffix(".json")?;
                Some(id.replace('\\', "/"))
            })
            .collect()
    }

    /// One line for people: how many copies were merged, and what could not be read.
    pub fn summary(&self) -> String {
        let merged = self.merged.len() + self.git_merged.len();
        let mut line = format!(
            "merged {merged} conflict cop{} left by a sync tool",
            if merged == 1 { "y" } else { "ies" }
        );
        if let Some((path, _)) = self.left.first() {
            line.push_str(&format!(
                "; {} could not be read and stay as they are ({})",
                self.left.len(),
                path.display()
            ));
        }
        line
    }
}

/// Removes the lock files and the folders left empty under `dir` (after its files were
/// merged elsewhere), and nothing else: a file still there is somebody's data.
pub(crate) fn remove_emptied(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_emptied(&path);
        } else if entry.file_name() == ".lock" {
            let _ = fs::remove_file(&path);
        }
    }
    // Fails, as it should, while anything is left inside.
    let _ = fs::remove_dir(dir);
}

/// Finds every conflict copy of Margin's files beside `store` (its `.margin/` folder), merges
/// each into its file and removes it; files with git's conflict markers are merged in place.
/// Safe to run while the app is open (every write takes the writers' locks) and idempotent.
pub fn merge_copies(store: &Store) -> Report {
    let margin = store.dir().parent().unwrap_or(store.dir()).to_path_buf();
    let study = Study::of(store, "sync");
    let mut report = Report::default();
    let files: Vec<PathBuf> = ignore::WalkBuilder::new(&margin)
        .standard_filters(false)
        .follow_links(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect();
    let existing: HashSet<&Path> = files.iter().map(PathBuf::as_path).collect();
    for path in &files {
        let Some(rel) = rel_of(&margin, path) else {
            continue;
        };
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        if name.starts_with('.') || name.contains(".corrupt-") {
            continue;
        }
        if let Some(kind) = kind_of(&rel) {
            // One of Margin's own files: merge git conflict markers in place.
            if fs::read(path).is_ok_and(|b| has_git_markers(&b)) {
                match resolve_in_place(store, &study, &kind, path) {
                    Ok(()) => report.git_merged.push(path.clone()),
                    Err(err) => report.left.push((path.clone(), err.to_string())),
                }
            }
            continue;
        }
        // Maybe a conflict copy: the first pattern whose original is one of Margin's files.
        let folder = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
        let found = originals_of(name).into_iter().find_map(|(original, tool)| {
            let orig_rel = if folder.is_empty() {
                original.clone()
            } else {
                format!("{folder}/{original}")
            };
            let kind = kind_of(&orig_rel)?;
            let orig_path = path.with_file_name(&original);
            let unambiguous = matches!(tool, Tool::Syncthing | Tool::Dropbox | Tool::Nextcloud);
            (unambiguous || existing.contains(orig_path.as_path()))
                .then_some((kind, orig_path, tool))
        });
        let Some((kind, into, tool)) = found else {
            continue;
        };
        match merge_copy(store, &study, &kind, path, &into) {
            Ok(taken) => {
                tracing::info!(
                    "merged the {tool:?} conflict copy {} into {} ({taken} taken)",
                    path.display(),
                    into.display()
                );
                report.merged.push(Merged {
                    copy: path.clone(),
                    into,
                    tool,
                    taken,
                });
            }
            Err(err) => {
                tracing::warn!("conflict copy {} not merged: {err}", path.display());
                report.left.push((path.clone(), err.to_string()));
            }
        }
    }
    report
}

/// Merges every Margin file under `from` (a `.margin`-like folder: the data-folder copy kept
/// while a vault was read-only) into the same file of `store`'s vault, removing each once
/// merged. Returns what was merged and what was left.
pub fn merge_folder_into(from: &Path, store: &Store) -> Report {
    let margin = store.dir().parent().unwrap_or(store.dir()).to_path_buf();
    let study = Study::of(store, "sync");
    let mut report = Report::default();
    let files: Vec<PathBuf> = ignore::WalkBuilder::new(from)
        .standard_filters(false)
        .follow_links(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect();
    for path in files {
        let Some(rel) = rel_of(from, &path) else {
            continue;
        };
        let Some(kind) = kind_of(&rel) else {
            continue;
        };
        let into = margin.join(&rel);
        match merge_copy(store, &study, &kind, &path, &into) {
            Ok(taken) => report.merged.push(Merged {
                copy: path,
                into,
                tool: Tool::Margin,
                taken,
            }),
            Err(err) => report.left.push((path, err.to_string())),
        }
    }
    report
}

fn rel_of(margin: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(margin).ok()?.to_str()?;
    Some(rel.replace('\\', "/"))
}

/// Merges the copy at `copy` into `into` (a file of `kind`), then removes the copy. Returns
/// how many records came from the copy.
fn merge_copy(
    store: &Store,
    study: &Study,
    kind: &Kind,
    copy: &Path,
    into: &Path,
) -> Result<usize> {
    let bytes = fs::read(copy).map_err(|e| Error::io(copy, e))?;
    let unreadable = |message: String| Error::Annotations {
        path: copy.to_path_buf(),
        message: format!("{message}; the copy is kept as it is"),
    };
    let taken = match kind {
        Kind::Annotations(note) => {
            let theirs = crate::annotations::parse_records(&bytes).map_err(unreadable)?;
            store.merge_in(note, theirs)?
        }
        Kind::Cards(note) => {
            let theirs = crate::study::parse_cards(&bytes).map_err(unreadable)?;
            study.merge_cards_in(note, theirs)?
        }
        Kind::Log => {
            let text = String::from_utf8_lossy(&bytes);
            let have: HashSet<String> = fs::read_to_string(into)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
            let new: Vec<&str> = text
                .lines()
                .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
                .filter(|l| !have.contains(*l))
                .collect();
            for line in &new {
                crate::study::append_line(into, line)?;
            }
            new.len()
        }
        Kind::Keyed => {
            let theirs: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
            let ours: Option<serde_json::Value> = fs::read(into)
                .ok()
                .map(|b| serde_json::from_slice(&b))
                .transpose()
                .map_err(|e| Error::Annotations {
                    path: into.to_path_buf(),
                    message: format!("{e}; fix it, then the copy beside it is merged"),
                })?;
            let later_is_theirs = ours.is_none() || modified(copy) > modified(into);
            let (merged, taken) = merge_keyed(ours.unwrap_or_default(), theirs, later_is_theirs);
            let mut json = serde_json::to_vec_pretty(&merged).map_err(|e| Error::BadInput {
                message: e.to_string(),
            })?;
            json.push(b'\n');
            crate::atomic::write_atomically(into, &json)?;
            taken
        }
    };
    fs::remove_file(copy).map_err(|e| Error::io(copy, e))?;
    crate::atomic::sync_dir(copy.parent().unwrap_or(Path::new(".")))?;
    Ok(taken)
}

/// Rewrites one of Margin's files that holds git conflict markers as the merge of its sides.
fn resolve_in_place(store: &Store, study: &Study, kind: &Kind, path: &Path) -> Result<()> {
    match kind {
        // Their readers merge the two sides; an unchanged write stores the merge.
        Kind::Annotations(note) => store.rewrite(note),
        Kind::Cards(note) => study.merge_cards_in(note, Vec::new()).map(|_| ()),
        // Both sides' lines are whole lines: keep them, drop the markers.
        Kind::Log => {
            let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let (ours, theirs) = git_sides(&text).unwrap_or((text.clone(), String::new()));
            let mut seen = HashSet::new();
            let mut out = String::new();
            for line in ours.lines().chain(theirs.lines()) {
                if seen.insert(line.to_string()) && !line.trim().is_empty() {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            crate::atomic::write_atomically(path, out.as_bytes())
        }
        Kind::Keyed => {
            let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let bad = |message: String| Error::Annotations {
                path: path.to_path_buf(),
                message: format!("{message}; its two sides could not be merged"),
            };
            let (ours, theirs) = git_sides(&text).ok_or_else(|| bad("no sides".into()))?;
            let ours = serde_json::from_str(&ours).map_err(|e| bad(e.to_string()))?;
            let theirs = serde_json::from_str(&theirs).map_err(|e| bad(e.to_string()))?;
            let (merged, _) = merge_keyed(ours, theirs, false);
            let mut json = serde_json::to_vec_pretty(&merged).map_err(|e| bad(e.to_string()))?;
            json.push(b'\n');
            crate::atomic::write_atomically(path, &json)
        }
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Merges two versions of a settings-like JSON object per key: a key only one side has is
/// kept; a key both have with different values takes the later side's value. The palette's
/// colour list merges per colour name the same way. Returns the merge and how many keys (or
/// colours) came from `theirs`.
fn merge_keyed(
    ours: serde_json::Value,
    theirs: serde_json::Value,
    later_is_theirs: bool,
) -> (serde_json::Value, usize) {
    use serde_json::Value;
    let (Value::Object(mut ours), Value::Object(theirs)) = (ours.clone(), theirs.clone()) else {
        return if later_is_theirs {
            (theirs, 1)
        } else {
            (ours, 0)
        };
    };
    let mut taken = 0;
    for (key, their) in theirs {
        match ours.get(&key) {
            None => {
                ours.insert(key, their);
                taken += 1;
            }
            Some(our) if *our == their => {}
            Some(our) if key == "colors" && our.is_array() && their.is_array() => {
                let (merged, n) = merge_colors(our, &their, later_is_theirs);
                taken += n;
                ours.insert(key, merged);
            }
            Some(_) if later_is_theirs => {
                ours.insert(key, their);
                taken += 1;
            }
            Some(_) => {}
        }
    }
    (Value::Object(ours), taken)
}

/// The palette's colours merged by colour name: the later side's order and labels, with the
/// colours only the other side has added after them.
fn merge_colors(
    ours: &serde_json::Value,
    theirs: &serde_json::Value,
    later_is_theirs: bool,
) -> (serde_json::Value, usize) {
    let name = |c: &serde_json::Value| c["color"].as_str().unwrap_or_default().to_string();
    let (later, earlier) = if later_is_theirs {
        (theirs, ours)
    } else {
        (ours, theirs)
    };
    let mut out: Vec<serde_json::Value> = later.as_array().cloned().unwrap_or_default();
    let names: HashSet<String> = out.iter().map(name).collect();
    let mut added = 0;
    for c in earlier.as_array().into_iter().flatten() {
        if !names.contains(&name(c)) {
            out.push(c.clone());
            added += 1;
        }
    }
    let taken = if later_is_theirs {
        theirs.as_array().map_or(0, Vec::len)
    } else {
        added
    };
    (serde_json::Value::Array(out), taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tools_conflict_names_lead_back_to_the_original() {
        let first = |name: &str| originals_of(name).into_iter().next();
        assert_eq!(
            first("tcp.md.sync-conflict-20261128-101010-ABCDEFG.json"),
            Some(("tcp.md.json".into(), Tool::Syncthing))
        );
        assert_eq!(
            first("tcp.md (Ann's conflicted copy 2026-11-28).json"),
            Some(("tcp.md.json".into(), Tool::Dropbox))
        );
        assert_eq!(
            first("tcp.md (conflicted copy 2026-11-28 101010).json"),
            Some(("tcp.md.json".into(), Tool::Nextcloud))
        );
        assert_eq!(
            first("palette 2.json"),
            Some(("palette.json".into(), Tool::ICloud))
        );
        assert!(
            originals_of("tcp.md-LAPTOP-7.json").contains(&("tcp.md.json".into(), Tool::OneDrive))
        );
        assert!(
            originals_of("abc123-DESKTOP.jsonl").contains(&("abc123.jsonl".into(), Tool::OneDrive))
        );
        // Ordinary names are not copies of anything with a Margin file's name.
        assert!(originals_of("tcp.md.json")
            .iter()
            .all(|(o, _)| kind_of(&format!("annotations/{o}")).is_none()));
        assert!(originals_of("x.sync-conflict-2026-1010-A.json")
            .iter()
            .all(|(_, tool)| *tool != Tool::Syncthing));
        assert!(first("a (conflicted copy soon).json").is_none());
    }

    #[test]
    fn notes_copies_are_known_by_their_unambiguous_names_only() {
        let c = note_conflict("net/tcp.sync-conflict-20261128-101010-ABCDEFG.md").unwrap();
        assert_eq!(
            (c.original.as_str(), c.tool),
            ("net/tcp.md", Tool::Syncthing)
        );
        let c = note_conflict("tcp (Ann's conflicted copy 2026-11-28).md").unwrap();
        assert_eq!((c.original.as_str(), c.tool), ("tcp.md", Tool::Dropbox));
        let c = note_conflict("tcp.conflict-20261128-101010.md").unwrap();
        assert_eq!((c.original.as_str(), c.tool), ("tcp.md", Tool::Margin));
        // People's own names.
        assert!(note_conflict("Chapter 2.md").is_none());
        assert!(note_conflict("tcp-basics.md").is_none());
        assert!(note_conflict("net/tcp.md").is_none());
    }

    #[test]
    fn two_versions_merge_keeping_both_sides_additions_and_marking_changes() {
        let ours = "# T\n\nshared\nmine only\nchanged here\nend\n";
        let theirs = "# T\n\nshared\nchanged there\nend\ntheirs only\n";
        let (merged, markers) = merge_two(ours, theirs);
        assert!(markers);
        assert!(merged.starts_with("# T\n\nshared\n<<<<<<< this note\nmine only\nchanged here\n=======\nchanged there\n>>>>>>> the conflict copy\nend\ntheirs only\n"), "{merged}");
        let (same, markers) = merge_two(ours, ours);
        assert_eq!(same, ours);
        assert!(!markers);
        let (added, markers) = merge_two("a\nb\n", "a\nb\nc\n");
        assert_eq!(added, "a\nb\nc\n");
        assert!(!markers);
    }

    #[test]
    fn one_record_per_line_is_json() {
        let bytes = line_per_record(
            &[("version", serde_json::json!(2))],
            "cards",
            &[
                serde_json::json!({"id": "a"}),
                serde_json::json!({"id": "b"}),
            ],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "{\"version\":2,\"cards\":[\n{\"id\":\"a\"},\n{\"id\":\"b\"}\n]}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["cards"][1]["id"], "b");
        let empty = line_per_record::<serde_json::Value>(&[], "cards", &[]).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&empty).is_ok());
    }

    #[test]
    fn git_conflicts_split_into_two_whole_sides() {
        let text = "a\n<<<<<<< HEAD\nours 1\nours 2\n||||||| base\nold\n=======\ntheirs\n>>>>>>> other\nz\n";
        let (ours, theirs) = git_sides(text).unwrap();
        assert_eq!(ours, "a\nours 1\nours 2\nz\n");
        assert_eq!(theirs, "a\ntheirs\nz\n");
        assert!(git_sides("no markers\n").is_none());
        assert!(git_sides("<<<<<<< HEAD\nunfinished\n").is_none());
    }

    #[test]
    fn settings_merge_per_key_and_the_palette_per_colour() {
        let ours = serde_json::json!({"retention": 0.9, "attachments": "media"});
        let theirs = serde_json::json!({"retention": 0.85, "theme": "dark"});
        let (merged, taken) = merge_keyed(ours.clone(), theirs.clone(), true);
        assert_eq!(
            merged,
            serde_json::json!({"retention": 0.85, "attachments": "media", "theme": "dark"})
        );
        assert_eq!(taken, 2);
        let (merged, _) = merge_keyed(ours, theirs, false);
        assert_eq!(merged["retention"], 0.9);
        assert_eq!(merged["theme"], "dark");

        let ours = serde_json::json!({"version": 1, "colors": [
            {"color": "yellow", "label": "definition"}, {"color": "green", "label": ""}]});
        let theirs = serde_json::json!({"version": 1, "colors": [
            {"color": "yellow", "label": "term"}, {"color": "red", "label": "don't get it"}]});
        let (merged, _) = merge_keyed(ours, theirs, true);
        let names: Vec<&str> = merged["colors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["color"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["yellow", "red", "green"]);
        assert_eq!(merged["colors"][0]["label"], "term");
    }
}
