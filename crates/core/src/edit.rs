//! Writing notes without ever losing a word: loading a note's source for the editor, saving it
//! (atomically, keeping the file's BOM and line endings, never touching a file whose text did
//! not change), merging three ways with an outside edit made meanwhile (another editor, a sync
//! tool, git), conflict copies, drafts of unsaved text, and new / rename / move / trash with
//! links rewritten ([`crate::links`]) and annotations carried.
//!
//! The editor works on text with `\n` line breaks and no BOM; [`Layout`] remembers how the
//! file wrote them and puts them back on save.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::annotations::Store;
use crate::atomic::write_atomically;
use crate::error::{Error, Result};
use crate::vault::{check_id, Vault, MAX_NOTE_BYTES};

/// How a note's file lays out its text, kept across saves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Lines end with `\r\n` (most of them did when it was read).
    pub crlf: bool,
}

impl Layout {
    /// Reads the layout of `bytes` and returns the text as the editor gets it.
    pub fn read(id: &str, bytes: &[u8]) -> Result<(Layout, String)> {
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Err(Error::NotText { id: id.to_string() });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| Error::NotText { id: id.to_string() })?;
        let (bom, text) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let crlf_count = text.matches("\r\n").count();
        let lf_count = text.matches('\n').count();
        let crlf = crlf_count > 0 && crlf_count * 2 >= lf_count;
        Ok((Layout { bom, crlf }, text.replace("\r\n", "\n")))
    }

    /// The bytes to write for editor text `text`.
    pub fn write(self, text: &str) -> Vec<u8> {
        let mut out = String::with_capacity(text.len() + 16);
        if self.bom {
            out.push('\u{feff}');
        }
        if self.crlf {
            out.push_str(&text.replace("\r\n", "\n").replace('\n', "\r\n"));
        } else {
            out.push_str(text);
        }
        out.into_bytes()
    }
}

/// A note's source as the editor opens it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// The note id.
    pub id: String,
    /// The text with `\n` line breaks and no BOM.
    pub text: String,
    /// How the file writes it.
    pub layout: Layout,
    /// The file cannot be written (read-only file or folder): the editor says so up front.
    pub read_only: bool,
}

/// Opens note `id` for editing.
pub fn load(vault: &Vault, id: &str) -> Result<Source> {
    let path = vault.path_of(id)?;
    let bytes = read_limited(id, &path)?;
    let (layout, text) = Layout::read(id, &bytes)?;
    let read_only = fs::metadata(&path).is_ok_and(|m| m.permissions().readonly())
        || !dir_writable(path.parent().unwrap_or(vault.root()));
    Ok(Source {
        id: id.to_string(),
        text,
        layout,
        read_only,
    })
}

/// The path a new file `id` (a note, a conflict copy, an image) gets, refused when a folder on
/// the way is a link that leads out of the vault: Margin never writes outside it.
fn new_file_path(vault: &Vault, rel: &Path, id: &str) -> Result<PathBuf> {
    let path = vault.root().join(rel);
    let mut existing = path.parent();
    while let Some(dir) = existing {
        if dir.exists() {
            let real = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
            if !real.starts_with(vault.root()) {
                return Err(Error::InvalidNoteId {
                    id: id.to_string(),
                    reason: "it leads outside the vault",
                });
            }
            break;
        }
        existing = dir.parent();
    }
    Ok(path)
}

fn read_limited(id: &str, path: &Path) -> Result<Vec<u8>> {
    let size = fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    if size > MAX_NOTE_BYTES {
        return Err(Error::NoteTooLarge {
            id: id.to_string(),
            size,
            limit: MAX_NOTE_BYTES,
        });
    }
    fs::read(path).map_err(|e| Error::io(path, e))
}

fn dir_writable(dir: &Path) -> bool {
    tempfile::Builder::new()
        .prefix(".probe-")
        .tempfile_in(dir)
        .is_ok()
}

/// What a save did; the editor shows the text it is told to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Saved {
    /// The file already held this text: nothing was written.
    Unchanged,
    /// The text was written.
    Written,
    /// The file had been changed on disk in other places than the user's: both changes were
    /// merged, written, and the editor shows `text`.
    Merged {
        /// The merged text (the editor's new content and base).
        text: String,
    },
    /// The file had been changed on disk where the user also changed it: the user's text was
    /// written to the note, the disk's version beside it as `conflict` (a note id).
    Conflict {
        /// The id of the conflict copy.
        conflict: String,
    },
    /// The note was gone (deleted or moved away on disk): the user's text was written back
    /// to its place, so nothing is lost.
    Recreated,
}

/// Saves editor text `text` to note `id`. `base` is the text the editor loaded or last saved:
/// when the file no longer holds it, someone else changed the note, and the two versions are
/// merged three ways instead of one overwriting the other.
pub fn save(vault: &Vault, id: &str, base: &str, text: &str) -> Result<Saved> {
    let path = new_file_path(vault, &check_id(id)?, id)?;
    let on_disk = match fs::symlink_metadata(&path) {
        Ok(_) => {
            let path = vault.path_of(id)?;
            let bytes = read_limited(id, &path)?;
            Some((path, bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    let Some((path, bytes)) = on_disk else {
        write_atomically(&path, Layout::default().write(text).as_slice())?;
        return Ok(Saved::Recreated);
    };
    let (layout, disk) = Layout::read(id, &bytes)?;
    if fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(Error::SaveFailed {
            path,
            cause: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is read-only",
            ),
        });
    }
    let text = text.replace("\r\n", "\n");
    let base = base.replace("\r\n", "\n");
    if disk == text {
        return Ok(Saved::Unchanged);
    }
    if let Some(dir) = path.parent() {
        crate::atomic::sweep_stale_temps(dir);
    }
    if disk == base {
        write_atomically(&path, &layout.write(&text))?;
        return Ok(Saved::Written);
    }
    if text == base {
        // Only the disk changed: the editor takes the disk's text.
        return Ok(Saved::Merged { text: disk });
    }
    match merge3(&base, &text, &disk) {
        Merge::Clean(merged) => {
            write_atomically(&path, &layout.write(&merged))?;
            Ok(Saved::Merged { text: merged })
        }
        Merge::Conflict => {
            let conflict = conflict_copy(vault, id, &bytes)?;
            write_atomically(&path, &layout.write(&text))?;
            Ok(Saved::Conflict { conflict })
        }
    }
}

/// The result of a three-way merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// Both sides' changes, in different places, in one text.
    Clean(String),
    /// The two sides changed the same lines.
    Conflict,
}

/// Merges `ours` and `theirs`, both made from `base`, line by line (diff3, as git does).
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Merge {
    if ours == theirs {
        return Merge::Clean(ours.to_string());
    }
    match diffy::merge(base, ours, theirs) {
        Ok(merged) => Merge::Clean(merged),
        Err(_) => Merge::Conflict,
    }
}

/// Writes `bytes` (the disk's version) beside note `id` as `NAME.conflict-YYYYMMDD-HHMMSS.md`
/// and returns that id.
fn conflict_copy(vault: &Vault, id: &str, bytes: &[u8]) -> Result<String> {
    let stamp = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        stamp.year(),
        stamp.month() as u8,
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    let (stem, ext) = id.rsplit_once('.').unwrap_or((id, "md"));
    let mut n = 0;
    loop {
        let candidate = if n == 0 {
            format!("{stem}.conflict-{stamp}.{ext}")
        } else {
            format!("{stem}.conflict-{stamp}-{n}.{ext}")
        };
        let path = new_file_path(vault, &check_id(&candidate)?, &candidate)?;
        if !path.exists() {
            write_atomically(&path, bytes)?;
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Unsaved editor text, kept in `.margin/drafts/` until the note is saved, so a crash or a
/// failed save loses nothing: the next time the note is opened, the draft comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The note id.
    pub note: String,
    /// The text the editor had loaded (for the merge when it comes back).
    pub base: String,
    /// The unsaved text.
    pub text: String,
    /// When it was written (RFC 3339).
    pub saved: String,
}

/// The drafts of one vault.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    /// Drafts beside the annotations of `store` (`.margin/drafts/`, or the fallback folder of a
    /// read-only vault).
    pub fn of(store: &Store) -> Drafts {
        let dir = store
            .dir()
            .parent()
            .map_or_else(|| store.dir().join("drafts"), |p| p.join("drafts"));
        Drafts { dir }
    }

    fn file_of(&self, note: &str) -> Result<PathBuf> {
        Ok(self.dir.join(format!("{}.json", check_id(note)?.display())))
    }

    /// Keeps `text` as the unsaved text of `note`.
    pub fn put(&self, note: &str, base: &str, text: &str) -> Result<()> {
        let draft = Draft {
            note: note.to_string(),
            base: base.to_string(),
            text: text.to_string(),
            saved: crate::annotations::now(),
        };
        let path = self.file_of(note)?;
        let json = serde_json::to_vec(&draft).map_err(|e| Error::Annotations {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&path, &json)
    }

    /// The draft of `note`, if one was left (an unreadable one is ignored and kept).
    pub fn get(&self, note: &str) -> Option<Draft> {
        let bytes = fs::read(self.file_of(note).ok()?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Forgets the draft of `note` (after a successful save).
    pub fn remove(&self, note: &str) -> Result<()> {
        let path = self.file_of(note)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

/// A file name for a note titled `title`: the title without the characters file systems
/// refuse (`/ \ : * ? " < > |`), trimmed, `.md` added.
pub fn file_name_for(title: &str) -> Option<String> {
    let name: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = name.trim_matches('.').trim();
    if name.is_empty() {
        return None;
    }
    let name: String = name.chars().take(120).collect();
    Some(format!("{name}.md"))
}

/// Makes a new note titled `title` in `folder` (`""` for the vault root) with front matter
/// holding the title, and returns its id. A taken name gets ` 2`, ` 3`, … .
pub fn create_note(vault: &Vault, folder: &str, title: &str) -> Result<String> {
    let title = title.trim();
    let name = file_name_for(title).ok_or_else(|| Error::BadInput {
        message: "a note needs a title with at least one letter or digit".into(),
    })?;
    let folder = folder.trim_matches('/');
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "md"));
    let mut n = 1;
    loop {
        let file = if n == 1 {
            name.clone()
        } else {
            format!("{stem} {n}.{ext}")
        };
        let id = if folder.is_empty() {
            file
        } else {
            format!("{folder}/{file}")
        };
        let path = new_file_path(vault, &check_id(&id)?, &id)?;
        if !path.exists() {
            let yaml_title = title.replace('\\', "\\\\").replace('"', "\\\"");
            let text = format!("---\ntitle: \"{yaml_title}\"\n---\n\n");
            write_atomically(&path, text.as_bytes())?;
            return Ok(id);
        }
        n += 1;
    }
}

/// Makes folder `path` (vault-relative, `/`-separated) and returns it.
pub fn create_folder(vault: &Vault, path: &str) -> Result<String> {
    let path = path.trim().trim_matches('/');
    // A folder name obeys the rules of ids; `x.md` stands in for the file that is not there.
    let rel = check_id(&format!("{path}/x.md"))?;
    let dir = new_file_path(vault, &rel, path)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| vault.root().to_path_buf());
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(path.to_string())
}

/// Adds `text` at the end of note `id` (on a line of its own), for scripts.
pub fn append(vault: &Vault, id: &str, text: &str) -> Result<()> {
    let source = load(vault, id)?;
    let mut new = source.text.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(text);
    if !new.ends_with('\n') {
        new.push('\n');
    }
    save(vault, id, &source.text, &new).map(|_| ())
}

/// What a rename or move changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Moved {
    /// The new id.
    pub id: String,
    /// Notes whose links were rewritten, with how many links each.
    pub links: Vec<(String, usize)>,
    /// How many annotations moved with the note.
    pub annotations: usize,
}

/// Renames or moves note `from` to `to` (folders made as needed): rewrites every link to it
/// across the vault, makes its own relative links fit its new folder, and carries its
/// annotations. Refuses to replace an existing note.
pub fn move_note(vault: &Vault, store: &Store, from: &str, to: &str) -> Result<Moved> {
    let old_path = vault.path_of(from)?;
    let new_path = new_file_path(vault, &check_id(to)?, to)?;
    if from == to {
        return Ok(Moved {
            id: to.to_string(),
            ..Moved::default()
        });
    }
    if new_path.exists() && !same_file_ignoring_case(&old_path, &new_path) {
        return Err(Error::BadInput {
            message: format!("there is already a note {to:?}; pick another name"),
        });
    }
    let known_before: Vec<String> = vault.scan().notes.into_iter().map(|n| n.id).collect();
    if let Some(parent) = new_path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::rename(&old_path, &new_path).map_err(|e| Error::io(&old_path, e))?;
    let known_after: Vec<String> = known_before
        .iter()
        .map(|id| {
            if id == from {
                to.to_string()
            } else {
                id.clone()
            }
        })
        .collect();
    let mut report = Moved {
        id: to.to_string(),
        ..Moved::default()
    };
    report.annotations = store.rename(from, to)?;
    // Its review cards go with it (the review log names cards, not paths).
    crate::study::Study::of(store, "").rename_note(from, to)?;
    // The moved note's own links first, then everyone's links to it (its own included).
    if let Ok(source) = load(vault, to) {
        if let Some((text, n)) = crate::links::rebase_own_links(&source.text, from, to) {
            save(vault, to, &source.text, &text)?;
            report.links.push((to.to_string(), n));
        }
    }
    for id in &known_after {
        let Ok(source) = load(vault, id) else {
            continue;
        };
        let Some((text, n)) =
            crate::links::rewrite_links_to(&source.text, id, from, to, &known_before, &known_after)
        else {
            continue;
        };
        save(vault, id, &source.text, &text)?;
        match report.links.iter_mut().find(|(note, _)| note == id) {
            Some((_, count)) => *count += n,
            None => report.links.push((id.clone(), n)),
        }
    }
    Ok(report)
}

fn same_file_ignoring_case(a: &Path, b: &Path) -> bool {
    fs::canonicalize(a).ok() == fs::canonicalize(b).ok()
}

/// A highlight as the editor draws it: its place in the source, in UTF-16 code units (what
/// JavaScript counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHighlight {
    /// The annotation id.
    pub id: String,
    /// Its colour.
    pub color: String,
    /// Start in the source (UTF-16 code units).
    pub from: usize,
    /// End in the source (UTF-16 code units).
    pub to: usize,
}

/// A note's editor text rendered once, with the map between its visible text and the source.
struct Mapped<'a> {
    text: &'a str,
    note: crate::Note,
    map: crate::sourcemap::SourceMap,
}

impl<'a> Mapped<'a> {
    fn new(id: &str, text: &'a str) -> Mapped<'a> {
        let note = crate::Note::from_source(id, text, &[]);
        let map = crate::sourcemap::SourceMap::build(text, &note.text);
        Mapped { text, note, map }
    }

    /// Where `annotations` stand in the source (orphans and those that cannot be placed
    /// exactly are left out).
    fn highlights(&self, annotations: &[crate::annotations::Annotation]) -> Vec<SourceHighlight> {
        annotations
            .iter()
            .filter(|a| a.status != crate::anchor::Status::Orphan)
            .filter_map(|a| {
                let range = self
                    .map
                    .to_source(self.text, a.position.start..a.position.end)?;
                Some(SourceHighlight {
                    id: a.id.clone(),
                    color: a.color.clone(),
                    from: crate::sourcemap::utf16_of_byte(self.text, range.start),
                    to: crate::sourcemap::utf16_of_byte(self.text, range.end),
                })
            })
            .collect()
    }
}

/// The highlights of note `id` placed in its editor `text` (as [`load`] gives it): anchored in
/// the text's rendering, then mapped to the source. One rendering for both.
pub fn editor_highlights(store: &Store, id: &str, text: &str) -> Result<Vec<SourceHighlight>> {
    // Placing highlights needs the note rendered (300 ms for a 1 MB note): only when it has any.
    if store.load(id)?.annotations.is_empty() {
        return Ok(Vec::new());
    }
    let mapped = Mapped::new(id, text);
    let annotations = store.anchored(id, Some(&mapped.note.text))?.annotations;
    Ok(mapped.highlights(&annotations))
}

/// Highlights a selection made in the editor: UTF-16 offsets `from..to` of note `id`'s editor
/// text (as saved, `\n` line breaks, the coordinates the editor counts in) become a range of its
/// visible text through the source map, then an annotation. Returns where it is drawn.
pub fn annotate_source(
    vault: &Vault,
    store: &Store,
    id: &str,
    from: usize,
    to: usize,
    color: &str,
) -> Result<Vec<SourceHighlight>> {
    let source = load(vault, id)?;
    let mapped = Mapped::new(id, &source.text);
    let (a, b) = (
        crate::sourcemap::byte_of_utf16(&source.text, from),
        crate::sourcemap::byte_of_utf16(&source.text, to),
    );
    let range = mapped
        .map
        .to_visible(&source.text, a..b)
        .ok_or_else(|| Error::BadSelection {
            reason: "the selection holds no text of the note (only Markdown syntax?)".into(),
        })?;
    let annotation =
        crate::annotations::Annotation::in_note(&mapped.note, range.start, range.end, color)?;
    store.add(id, annotation.clone())?;
    Ok(mapped.highlights(&[annotation]))
}

/// Where the editor's own edits moved a highlight: its range in the text it saved (UTF-16 code
/// units, `\n` line breaks). An empty range means the highlighted text was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Placed {
    /// The annotation id.
    pub id: String,
    /// Start in the saved text.
    pub from: usize,
    /// End in the saved text.
    pub to: usize,
}

/// Stores where the editor's edits moved note `id`'s highlights, after `text` was saved: each
/// range (mapped by the editor through every change, not searched for) becomes the
/// annotation's new quote and place, so a highlight whose words were retyped stays on them and
/// one of two identical passages stays on its own. A highlight whose text was deleted (empty
/// range, or no visible text left in it) becomes an orphan, kept with its last quote. Returns
/// how many annotations changed.
pub fn place_highlights(store: &Store, id: &str, text: &str, placed: &[Placed]) -> Result<usize> {
    if placed.is_empty() {
        return Ok(0);
    }
    let mapped = Mapped::new(id, text);
    let chars: Vec<char> = mapped.note.text.chars().collect();
    let (changed, _) = store.modify(id, |list| {
        let mut changed = 0;
        for p in placed {
            let Some(a) = list.iter_mut().find(|a| a.id == p.id) else {
                continue;
            };
            let visible = (p.from < p.to)
                .then(|| {
                    let (from, to) = (
                        crate::sourcemap::byte_of_utf16(text, p.from),
                        crate::sourcemap::byte_of_utf16(text, p.to),
                    );
                    mapped.map.to_visible(text, from..to)
                })
                .flatten()
                .filter(|r| {
                    chars
                        .get(r.clone())
                        .is_some_and(|s| s.iter().any(|c| !c.is_whitespace()))
                });
            match visible {
                Some(range) => {
                    let quote = crate::anchor::quote_at(&chars, range.start, range.end);
                    let position = crate::anchor::Position {
                        start: range.start,
                        end: range.end,
                    };
                    if a.quote != quote
                        || a.position != position
                        || a.status != crate::anchor::Status::Anchored
                    {
                        a.quote = quote;
                        a.current = None;
                        a.position = position;
                        a.status = crate::anchor::Status::Anchored;
                        changed += 1;
                    }
                }
                None if a.status != crate::anchor::Status::Orphan => {
                    a.status = crate::anchor::Status::Orphan;
                    changed += 1;
                }
                None => {}
            }
        }
        (changed, changed > 0)
    })?;
    Ok(changed)
}

/// The folder, beside a note, where pasted and dropped images go unless the vault says
/// otherwise.
pub const ATTACHMENTS: &str = "attachments";

/// The vault's own settings file (`.margin/settings.json`), shared by every computer syncing it.
fn settings_path(vault: &Vault) -> PathBuf {
    vault.root().join(".margin").join("settings.json")
}

/// Where pasted and dropped images go, as the vault's settings say: a folder name (`attachments`,
/// the default) is made beside each note; `.` is the note's own folder; a path starting with
/// `/` (`/assets`) is one folder from the vault's top for every note.
pub fn attachments_folder(vault: &Vault) -> String {
    fs::read(settings_path(vault))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["attachments"].as_str().map(str::to_string))
        .filter(|f| check_attachments(f).is_ok())
        .unwrap_or_else(|| ATTACHMENTS.to_string())
}

fn check_attachments(folder: &str) -> Result<()> {
    let inner = folder.trim_start_matches('/');
    let bad = folder.is_empty()
        || (folder != "." && inner.split('/').any(|p| p.is_empty() || p.starts_with('.')))
        || folder.contains(['\\', ':']);
    if bad {
        return Err(Error::BadInput {
            message: format!(
                "{folder:?} cannot hold attachments: use a folder name (made beside each note), `.` (the note's folder) or /path (one folder from the vault's top), without `..` or hidden folders"
            ),
        });
    }
    Ok(())
}

/// Sets where pasted and dropped images go (see [`attachments_folder`]); other settings in
/// the file are kept.
pub fn set_attachments_folder(vault: &Vault, folder: &str) -> Result<()> {
    let folder = folder.trim();
    check_attachments(folder)?;
    let path = settings_path(vault);
    let mut settings = fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    settings["attachments"] = serde_json::Value::String(folder.to_string());
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let json = serde_json::to_vec_pretty(&settings).map_err(|e| Error::BadInput {
        message: e.to_string(),
    })?;
    crate::atomic::replace_checked::<serde_json::Value>(&path, &json)
}

/// Saves an image pasted or dropped into note `note` in the vault's attachments folder (see
/// [`attachments_folder`]; a taken name gets ` 2`, ` 3`, …) and returns the link target to
/// write in the note: the path relative to the note, spaces percent-encoded. Only image types,
/// at most [`crate::vault::MAX_IMAGE_BYTES`].
pub fn save_attachment(vault: &Vault, note: &str, name: &str, bytes: &[u8]) -> Result<String> {
    check_id(note)?;
    let setting = attachments_folder(vault);
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let ext = ext.to_ascii_lowercase();
    if !crate::vault::is_image_name(&format!("x.{ext}")) {
        return Err(Error::BadInput {
            message: format!(
                "{name:?} is not an image Margin shows (png, jpg, gif, webp, svg, avif, bmp, ico)"
            ),
        });
    }
    if bytes.len() as u64 > crate::vault::MAX_IMAGE_BYTES {
        return Err(Error::NoteTooLarge {
            id: name.to_string(),
            size: bytes.len() as u64,
            limit: crate::vault::MAX_IMAGE_BYTES,
        });
    }
    let stem = file_name_for(stem)
        .map(|n| n.trim_end_matches(".md").to_string())
        .unwrap_or_else(|| "image".to_string());
    let note_folder = note.rsplit_once('/').map_or("", |(f, _)| f);
    // The folder the image goes to, from the vault's top.
    let dir = match setting.strip_prefix('/') {
        Some(top) => top.to_string(),
        None if setting == "." => note_folder.to_string(),
        None if note_folder.is_empty() => setting.clone(),
        None => format!("{note_folder}/{setting}"),
    };
    let mut n = 1;
    loop {
        let file = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} {n}.{ext}")
        };
        let rel = if dir.is_empty() {
            file.clone()
        } else {
            format!("{dir}/{file}")
        };
        crate::vault::Vault::image_rel_ok(&rel)?;
        let path = new_file_path(vault, Path::new(&rel), &rel)?;
        if !path.exists() {
            write_atomically(&path, bytes)?;
            let link = crate::links::relative_path(note, &rel);
            return Ok(link.replace('%', "%25").replace(' ', "%20"));
        }
        n += 1;
    }
}

/// A note sent to the trash: what it takes to undo it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trashed {
    /// The note id it had.
    pub id: String,
    /// Its exact bytes, to put back on undo where the OS trash cannot be asked.
    pub bytes: Vec<u8>,
}

/// Sends note `id` to the OS trash (its annotations stay, as orphans, until it comes back).
pub fn trash_note(vault: &Vault, id: &str) -> Result<Trashed> {
    let path = vault.path_of(id)?;
    let bytes = read_limited(id, &path)?;
    trash::delete(&path).map_err(|e| Error::SaveFailed {
        path: path.clone(),
        cause: std::io::Error::other(format!("it could not be moved to the trash: {e}")),
    })?;
    Ok(Trashed {
        id: id.to_string(),
        bytes,
    })
}

/// Undoes [`trash_note`]: the note comes back with its exact bytes (refused when another note
/// has taken its place meanwhile).
pub fn untrash(vault: &Vault, trashed: &Trashed) -> Result<()> {
    let path = new_file_path(vault, &check_id(&trashed.id)?, &trashed.id)?;
    if path.exists() {
        return Err(Error::BadInput {
            message: format!(
                "{:?} exists again; the deleted note is still in the trash",
                trashed.id
            ),
        });
    }
    write_atomically(&path, &trashed.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        for (id, text) in files {
            let path = dir.path().join(id);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let vault = Vault::open(dir.path()).unwrap();
        (dir, vault)
    }

    #[test]
    fn layout_is_kept_across_a_save() {
        let (dir, vault) = vault_with(&[("a.md", "\u{feff}one\r\ntwo\r\n")]);
        let source = load(&vault, "a.md").unwrap();
        assert_eq!(source.text, "one\ntwo\n");
        assert_eq!(
            source.layout,
            Layout {
                bom: true,
                crlf: true
            }
        );
        let saved = save(&vault, "a.md", &source.text, "one\ntwo\nthree\n").unwrap();
        assert_eq!(saved, Saved::Written);
        assert_eq!(
            fs::read(dir.path().join("a.md")).unwrap(),
            "\u{feff}one\r\ntwo\r\nthree\r\n".as_bytes()
        );
    }

    #[test]
    fn an_unchanged_text_does_not_touch_the_file() {
        let (dir, vault) = vault_with(&[("a.md", "same\n")]);
        let path = dir.path().join("a.md");
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(
            save(&vault, "a.md", "same\n", "same\n").unwrap(),
            Saved::Unchanged
        );
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    }

    #[test]
    fn outside_edits_elsewhere_are_merged() {
        let base = "one\ntwo\nthree\nfour\nfive\n";
        let (dir, vault) = vault_with(&[("a.md", "ONE\ntwo\nthree\nfour\nfive\n")]);
        let mine = "one\ntwo\nthree\nfour\nFIVE\n";
        let saved = save(&vault, "a.md", base, mine).unwrap();
        assert_eq!(
            saved,
            Saved::Merged {
                text: "ONE\ntwo\nthree\nfour\nFIVE\n".into()
            }
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("a.md")).unwrap(),
            "ONE\ntwo\nthree\nfour\nFIVE\n"
        );
    }

    #[test]
    fn overlapping_edits_keep_mine_and_write_theirs_beside() {
        let base = "one\ntwo\n";
        let (dir, vault) = vault_with(&[("n/a.md", "one\nTHEIRS\n")]);
        let saved = save(&vault, "n/a.md", base, "one\nMINE\n").unwrap();
        let Saved::Conflict { conflict } = saved else {
            panic!("{saved:?}")
        };
        assert!(conflict.starts_with("n/a.conflict-") && conflict.ends_with(".md"));
        assert_eq!(
            fs::read_to_string(dir.path().join("n/a.md")).unwrap(),
            "one\nMINE\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join(&conflict)).unwrap(),
            "one\nTHEIRS\n"
        );
    }

    #[test]
    fn a_note_deleted_meanwhile_is_written_back() {
        let (dir, vault) = vault_with(&[("a.md", "x\n")]);
        fs::remove_file(dir.path().join("a.md")).unwrap();
        assert_eq!(
            save(&vault, "a.md", "x\n", "x\ny\n").unwrap(),
            Saved::Recreated
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("a.md")).unwrap(),
            "x\ny\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_note_is_refused_and_untouched() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, vault) = vault_with(&[("a.md", "x\n")]);
        let path = dir.path().join("a.md");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        assert!(load(&vault, "a.md").unwrap().read_only);
        let err = save(&vault, "a.md", "x\n", "y\n").unwrap_err();
        assert_eq!(err.code(), "save_failed");
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "x\n");
    }

    #[test]
    fn the_attachments_folder_is_a_vault_setting() {
        let (dir, vault) = vault_with(&[("net/a.md", "x\n"), ("top.md", "y\n")]);
        assert_eq!(attachments_folder(&vault), "attachments");
        set_attachments_folder(&vault, "/assets/img").unwrap();
        assert_eq!(
            save_attachment(&vault, "net/a.md", "p.png", b"png").unwrap(),
            "../assets/img/p.png"
        );
        assert!(dir.path().join("assets/img/p.png").is_file());
        assert_eq!(
            save_attachment(&vault, "top.md", "p.png", b"png").unwrap(),
            "assets/img/p%202.png"
        );
        set_attachments_folder(&vault, ".").unwrap();
        assert_eq!(
            save_attachment(&vault, "net/a.md", "q.png", b"png").unwrap(),
            "q.png"
        );
        assert!(dir.path().join("net/q.png").is_file());
        for bad in ["", "../out", "/.margin", "a//b", "C:/x", "/"] {
            assert!(
                set_attachments_folder(&vault, bad).is_err(),
                "{bad:?} accepted"
            );
        }
        assert_eq!(attachments_folder(&vault), ".");
        // Other settings in the file are kept; a damaged file means the default.
        let path = dir.path().join(".margin/settings.json");
        fs::write(&path, r#"{"other": 1, "attachments": "media"}"#).unwrap();
        set_attachments_folder(&vault, "pics").unwrap();
        let kept: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            (kept["other"].clone(), kept["attachments"].clone()),
            (1.into(), "pics".into())
        );
        fs::write(&path, b"{ not json").unwrap();
        assert_eq!(attachments_folder(&vault), "attachments");
    }

    #[test]
    fn new_notes_get_a_file_name_and_front_matter() {
        let (dir, vault) = vault_with(&[("net/Load: Balancer?.md", "")]);
        assert_eq!(file_name_for("  a/b: c  ").as_deref(), Some("a b c.md"));
        assert_eq!(file_name_for("..."), None);
        let id = create_note(&vault, "net", "Load: Balancer?").unwrap();
        assert_eq!(id, "net/Load Balancer.md");
        let again = create_note(&vault, "net", "Load Balancer").unwrap();
        assert_eq!(again, "net/Load Balancer 2.md");
        let text = fs::read_to_string(dir.path().join(&id)).unwrap();
        assert_eq!(text, "---\ntitle: \"Load: Balancer?\"\n---\n\n");
        let note = crate::Note::load(&vault, &id, &[]).unwrap();
        assert_eq!(note.title, "Load: Balancer?");
        assert!(create_note(&vault, "", "  ").is_err());
        assert!(create_note(&vault, "../out", "x").is_err());
    }

    #[test]
    fn a_move_rewrites_links_and_carries_annotations() {
        let (dir, vault) = vault_with(&[
            (
                "net/tcp.md",
                "# TCP\n\nThe three-way handshake. See [udp](udp.md).\n",
            ),
            (
                "net/udp.md",
                "# UDP\n\nUnlike [[tcp]] and [TCP](tcp.md#tcp).\n",
            ),
            ("index.md", "[[tcp|handshakes]] and [t](net/tcp.md)\n"),
        ]);
        let store = Store::at(dir.path().join(".margin/annotations"));
        let text = crate::Note::load(&vault, "net/tcp.md", &[]).unwrap().text;
        let (start, end) =
            crate::annotations::find_quote(&text, "three-way handshake", None).unwrap();
        let a = crate::annotations::Annotation::new(&text, start, end, "yellow").unwrap();
        store.add("net/tcp.md", a).unwrap();
        let moved = move_note(&vault, &store, "net/tcp.md", "transport/tcp basics.md").unwrap();
        assert_eq!(moved.annotations, 1);
        assert_eq!(
            fs::read_to_string(dir.path().join("net/udp.md")).unwrap(),
            "# UDP\n\nUnlike [[tcp basics]] and [TCP](../transport/tcp%20basics.md#tcp).\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("index.md")).unwrap(),
            "[[tcp basics|handshakes]] and [t](transport/tcp%20basics.md)\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("transport/tcp basics.md")).unwrap(),
            "# TCP\n\nThe three-way handshake. See [udp](../net/udp.md).\n"
        );
        let loaded = store.load("transport/tcp basics.md").unwrap();
        assert_eq!(loaded.annotations.len(), 1);
        assert!(move_note(&vault, &store, "index.md", "net/udp.md").is_err());
    }

    #[test]
    fn pasted_images_go_beside_the_note() {
        let (dir, vault) = vault_with(&[("net/a.md", "x")]);
        let link = save_attachment(&vault, "net/a.md", "Screen shot.PNG", b"png").unwrap();
        assert_eq!(link, "attachments/Screen%20shot.png");
        assert_eq!(
            fs::read(dir.path().join("net/attachments/Screen shot.png")).unwrap(),
            b"png"
        );
        let again = save_attachment(&vault, "net/a.md", "Screen shot.png", b"2").unwrap();
        assert_eq!(again, "attachments/Screen%20shot%202.png");
        assert!(save_attachment(&vault, "net/a.md", "evil.html", b"x").is_err());
        assert!(save_attachment(&vault, "../a.md", "a.png", b"x").is_err());
        let html = crate::render::render(
            "![](attachments/Screen%20shot.png)",
            &crate::render::LinkContext {
                note_id: "net/a.md",
                known_ids: &[],
                embeds: None,
            },
        )
        .html;
        assert!(
            html.contains("margin-asset://localhost/net/attachments/Screen%20shot.png"),
            "{html}"
        );
    }

    #[test]
    fn a_selection_in_the_source_becomes_a_highlight_drawn_back_in_place() {
        let src = "# T\n\nThe **three-way** handshake opens a connection.\n";
        let (dir, vault) = vault_with(&[("a.md", src)]);
        let store = Store::at(dir.path().join(".margin/annotations"));
        let from = src.find("**three").unwrap();
        let to = src.find(" opens").unwrap();
        let drawn = annotate_source(&vault, &store, "a.md", from, to, "blue").unwrap();
        let stored = store.load("a.md").unwrap().annotations;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].quote.exact, "three-way handshake");
        assert_eq!(drawn.len(), 1);
        assert_eq!(&src[drawn[0].from..drawn[0].to], "three-way** handshake");
        assert_eq!(editor_highlights(&store, "a.md", src).unwrap(), drawn);
        assert!(annotate_source(&vault, &store, "a.md", 0, 1, "blue").is_err());
    }

    #[test]
    fn highlights_follow_the_editors_mapping_not_a_search() {
        // Two identical passages; the second is highlighted, then its words are retyped.
        let src = "# T\n\nThe brown fox jumps.\n\nThe brown fox jumps.\n";
        let (dir, vault) = vault_with(&[("a.md", src)]);
        let store = Store::at(dir.path().join(".margin/annotations"));
        let second = src.rfind("brown fox").unwrap();
        let drawn = annotate_source(
            &vault,
            &store,
            "a.md",
            second,
            second + "brown fox".len(),
            "blue",
        )
        .unwrap();
        let id = drawn[0].id.clone();
        let before = store.load("a.md").unwrap().annotations[0].position;

        // The editor's text: "fox" became "cat" inside the highlight, and a word was added
        // before it. The editor mapped the range to "brown cat" of the second passage.
        let edited = "# T\n\nSome text. The brown fox jumps.\n\nThe brown cat jumps.\n";
        let from = edited.rfind("brown cat").unwrap();
        let placed = [Placed {
            id: id.clone(),
            from,
            to: from + "brown cat".len(),
        }];
        assert_eq!(
            place_highlights(&store, "a.md", edited, &placed).unwrap(),
            1
        );
        let a = store.load("a.md").unwrap().annotations.remove(0);
        assert_eq!(a.quote.exact, "brown cat");
        assert_eq!(a.status, crate::anchor::Status::Anchored);
        assert!(a.position.start > before.start, "still the second passage");
        // Placing it again where it is writes nothing.
        assert_eq!(
            place_highlights(&store, "a.md", edited, &placed).unwrap(),
            0
        );
        // It is drawn there when the editor opens again.
        let drawn = editor_highlights(&store, "a.md", edited).unwrap();
        assert_eq!(&edited[drawn[0].from..drawn[0].to], "brown cat");

        // Its text deleted: an empty range makes it an orphan with its last quote.
        let gone = [Placed { id, from: 7, to: 7 }];
        assert_eq!(place_highlights(&store, "a.md", edited, &gone).unwrap(), 1);
        let a = store.load("a.md").unwrap().annotations.remove(0);
        assert_eq!(a.status, crate::anchor::Status::Orphan);
        assert_eq!(a.quote.exact, "brown cat");
        // Unknown ids and ranges out of the text are ignored, not errors.
        let odd = [Placed {
            id: "nope".into(),
            from: 0,
            to: 99_999,
        }];
        assert_eq!(place_highlights(&store, "a.md", edited, &odd).unwrap(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_written_through_a_link_out_of_the_vault() {
        let outside = tempfile::tempdir().unwrap();
        let (dir, vault) = vault_with(&[("a.md", "x")]);
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
        let store = Store::at(dir.path().join(".margin/annotations"));
        assert!(save(&vault, "out/new.md", "", "text").is_err());
        assert!(create_note(&vault, "out", "Title").is_err());
        assert!(create_folder(&vault, "out/sub").is_err());
        assert!(move_note(&vault, &store, "a.md", "out/a.md").is_err());
        assert!(save_attachment(&vault, "out/n.md", "a.png", b"x").is_err());
        let trashed = Trashed {
            id: "out/t.md".into(),
            bytes: b"x".to_vec(),
        };
        assert!(untrash(&vault, &trashed).is_err());
        assert_eq!(
            fs::read_dir(outside.path()).unwrap().count(),
            0,
            "nothing written outside"
        );
        assert!(dir.path().join("a.md").exists());
    }

    #[test]
    fn drafts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join(".margin/annotations"));
        let drafts = Drafts::of(&store);
        assert!(drafts.get("a.md").is_none());
        drafts.put("a.md", "base", "unsaved").unwrap();
        assert!(dir.path().join(".margin/drafts/a.md.json").is_file());
        assert_eq!(drafts.get("a.md").unwrap().text, "unsaved");
        drafts.remove("a.md").unwrap();
        assert!(drafts.get("a.md").is_none());
        assert!(drafts.put("../x.md", "", "").is_err());
    }
}
