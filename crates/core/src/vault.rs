//! A vault is a folder of Markdown notes. This module opens one, lists its notes, turns note
//! ids into paths (refusing anything that would leave the folder) and reads notes as text.
//!
//! A note id is the note's path relative to the vault root with `/` separators
//! (`networking/tcp-handshake.md`) on every OS; it is converted to a native path only here.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::error::{Error, Result};

/// Notes above this size are refused: rendering and indexing them would stall the app, and
/// no hand-written note is this long.
pub const MAX_NOTE_BYTES: u64 = 5 * 1024 * 1024;

/// Longest note id accepted, in bytes; longer ones are refused before touching the disk.
const MAX_ID_BYTES: usize = 4096;

/// An open vault: a canonical folder path.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
}

/// One Markdown file found by [`Vault::scan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteFile {
    /// The note id (`folder/note.md`).
    pub id: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, in milliseconds since the Unix epoch (0 when the OS does not say).
    pub modified_ms: u64,
}

/// The result of walking a vault: the notes, sorted by id, and what was skipped and why.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Scan {
    /// Every note, sorted by id.
    pub notes: Vec<NoteFile>,
    /// One human-readable line per skipped file.
    pub warnings: Vec<String>,
    /// Every folder walked, as (path relative to the root, `""` for the root, mtime in ms),
    /// each stat taken before the folder was listed: adding, removing or renaming an entry
    /// changes its folder's mtime, which lets the search index tell later, without walking
    /// again, that nothing came or went (`search::fresh`). `None` when a folder's name is not
    /// UTF-8 and cannot be recorded.
    #[serde(skip)]
    pub folders: Option<Vec<(String, u64)>>,
}

/// A file's modification time in milliseconds since the Unix epoch (0 when the OS does not say):
/// the change marker kept by the index, the tree cache and the annotation store.
pub fn modified_ms(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as u64)
}

/// True for the file names Margin treats as notes.
pub fn is_note_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

impl Vault {
    /// Opens the folder at `path` as a vault.
    pub fn open(path: impl AsRef<Path>) -> Result<Vault> {
        let path = path.as_ref();
        let root = fs::canonicalize(path).map_err(|_| Error::VaultNotFound {
            path: path.to_path_buf(),
        })?;
        if !root.is_dir() {
            return Err(Error::VaultNotFound {
                path: path.to_path_buf(),
            });
        }
        Ok(Vault { root })
    }

    /// The canonical folder of the vault.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A short name for the vault: its folder name.
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.root.display().to_string())
    }

    /// The walk of the vault's files, on every core: hidden files and folders and what
    /// `.gitignore`/`.ignore` exclude are skipped, links are not followed.
    fn walker(&self) -> ignore::WalkParallel {
        ignore::WalkBuilder::new(&self.root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false)
            .build_parallel()
    }

    /// Lists every note of the vault. Hidden files and folders (`.margin/` included) and files
    /// matched by `.gitignore`/`.ignore` are skipped; so are names that are not UTF-8 and
    /// symlinks that lead out of the vault, each with a warning.
    pub fn scan(&self) -> Scan {
        // Walked on every core (ignore's parallel walker): a vault of 40k notes is 40k stats.
        let found = std::sync::Mutex::new(Scan {
            folders: Some(Vec::new()),
            ..Scan::default()
        });
        self.walker().run(|| {
            let found = &found;
            Box::new(move |entry| {
                let mut local = Scan {
                    folders: Some(Vec::new()),
                    ..Scan::default()
                };
                self.scan_entry(entry, &mut local);
                let no_folder = local.folders.as_ref().is_some_and(Vec::is_empty);
                if !(local.notes.is_empty() && local.warnings.is_empty() && no_folder) {
                    if let Ok(mut scan) = found.lock() {
                        scan.notes.append(&mut local.notes);
                        scan.warnings.append(&mut local.warnings);
                        match (&mut scan.folders, local.folders) {
                            (Some(all), Some(mut mine)) => all.append(&mut mine),
                            (folders, _) => *folders = None,
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
        let mut scan = found.into_inner().unwrap_or_else(|e| e.into_inner());
        scan.notes.sort_by(|a, b| a.id.cmp(&b.id));
        scan.warnings.sort();
        if let Some(folders) = &mut scan.folders {
            folders.sort();
        }
        scan
    }

    /// The ids of every note, as [`Vault::scan`] finds them but without reading each file's
    /// size and time (half the work on a big vault): for counting notes, not for indexing.
    pub fn note_ids(&self) -> Vec<String> {
        let found = std::sync::Mutex::new(Vec::new());
        self.walker().run(|| {
            let found = &found;
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let path = entry.path();
                let is_note = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_note_name);
                let kind = entry.file_type();
                let counts = is_note
                    && match kind {
                        Some(t) if t.is_file() => true,
                        Some(t) if t.is_symlink() => fs::canonicalize(path)
                            .is_ok_and(|t| t.starts_with(&self.root) && t.is_file()),
                        _ => false,
                    };
                if counts {
                    if let (Some(id), Ok(mut ids)) = (self.id_of(path), found.lock()) {
                        ids.push(id);
                    }
                }
                ignore::WalkState::Continue
            })
        });
        let mut ids = found.into_inner().unwrap_or_else(|e| e.into_inner());
        ids.sort();
        ids
    }

    /// One entry of [`Vault::scan`]'s walk: a note, a warning, or nothing.
    fn scan_entry(
        &self,
        entry: std::result::Result<ignore::DirEntry, ignore::Error>,
        scan: &mut Scan,
    ) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                scan.warnings.push(format!("skipped: {err}"));
                return;
            }
        };
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            return;
        };
        if file_type.is_dir() {
            // Stat before the walker lists the folder (it does so after this returns), so an
            // entry added in between shows as a newer mtime, never as a missed note.
            let rel = if entry.depth() == 0 {
                Some(String::new())
            } else {
                self.id_of(path)
            };
            match (rel, entry.metadata()) {
                (Some(rel), Ok(meta)) => {
                    if let Some(folders) = &mut scan.folders {
                        folders.push((rel, modified_ms(&meta)));
                    }
                }
                _ => scan.folders = None,
            }
        }
        let name_is_note = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_note_name);
        if !name_is_note {
            if path.file_name().is_some_and(|n| n.to_str().is_none()) {
                scan.warnings.push(format!(
                    "skipped {}: its name is not valid UTF-8",
                    path.display()
                ));
            }
            return;
        }
        let meta = if file_type.is_symlink() {
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(&self.root) && target.is_file() => {
                    fs::metadata(&target)
                }
                _ => {
                    scan.warnings.push(format!(
                        "skipped {}: it is a link to a file outside the vault",
                        path.display()
                    ));
                    return;
                }
            }
        } else if file_type.is_file() {
            entry.metadata().map_err(std::io::Error::other)
        } else {
            return;
        };
        let Some(id) = self.id_of(path) else {
            scan.warnings.push(format!(
                "skipped {}: its path is not valid UTF-8",
                path.display()
            ));
            return;
        };
        match meta {
            Ok(meta) => scan.notes.push(NoteFile {
                id,
                size: meta.len(),
                modified_ms: modified_ms(&meta),
            }),
            Err(err) => scan.warnings.push(format!("skipped {id}: {err}")),
        }
    }

    /// The note id of a path inside the vault, or `None` when it is outside or not UTF-8.
    pub fn id_of(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let mut parts = Vec::new();
        for comp in rel.components() {
            match comp {
                Component::Normal(part) => parts.push(part.to_str()?),
                _ => return None,
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// Resolves a note id to the file it names, refusing every id that is not a plain relative
    /// path to a note inside the vault — also after following symlinks.
    pub fn path_of(&self, id: &str) -> Result<PathBuf> {
        let candidate = self.root.join(check_id(id)?);
        let resolved =
            fs::canonicalize(&candidate).map_err(|_| Error::NoteNotFound { id: id.to_string() })?;
        if !resolved.starts_with(&self.root) {
            return Err(invalid(id, "it leads outside the vault"));
        }
        if !resolved.is_file() {
            return Err(Error::NoteNotFound { id: id.to_string() });
        }
        Ok(resolved)
    }

    /// Reads a note as text: size-checked, binary and non-UTF-8 files refused, BOM removed.
    pub fn read(&self, id: &str) -> Result<String> {
        let path = self.path_of(id)?;
        let size = fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
        if size > MAX_NOTE_BYTES {
            return Err(Error::NoteTooLarge {
                id: id.to_string(),
                size,
                limit: MAX_NOTE_BYTES,
            });
        }
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        decode_note(id, bytes)
    }
}

/// Turns a note file's bytes into text, refusing binary content.
fn decode_note(id: &str, bytes: Vec<u8>) -> Result<String> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(Error::NotText { id: id.to_string() });
    }
    let mut text = String::from_utf8(bytes).map_err(|_| Error::NotText { id: id.to_string() })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

fn invalid(id: &str, reason: &'static str) -> Error {
    Error::InvalidNoteId {
        id: id.to_string(),
        reason,
    }
}

/// File types a note may show as images (served by the app from inside the vault only).
pub const IMAGE_EXTENSIONS: [&str; 9] = [
    "png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "ico",
];

/// Largest image served to the reader.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// True when `name` has an image extension.
pub fn is_image_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| IMAGE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

impl Vault {
    /// Resolves a vault-relative image path (as the reader asks for it) to its file, with the
    /// same refusals as note ids: nothing outside the vault, not even through a symlink.
    pub fn image_path(&self, rel: &str) -> Result<PathBuf> {
        let candidate = self
            .root
            .join(check_path(rel, is_image_name, "only images are served")?);
        let resolved = fs::canonicalize(&candidate).map_err(|_| Error::NoteNotFound {
            id: rel.to_string(),
        })?;
        if !resolved.starts_with(&self.root) {
            return Err(invalid(rel, "it leads outside the vault"));
        }
        let size = fs::metadata(&resolved)
            .map_err(|e| Error::io(&resolved, e))?
            .len();
        if size > MAX_IMAGE_BYTES {
            return Err(Error::NoteTooLarge {
                id: rel.to_string(),
                size,
                limit: MAX_IMAGE_BYTES,
            });
        }
        Ok(resolved)
    }
}

impl Vault {
    /// Checks the form of a vault-relative image path (as for note ids), without the disk.
    pub fn image_rel_ok(rel: &str) -> Result<()> {
        check_path(rel, is_image_name, "only images are served").map(|_| ())
    }
}

impl Vault {
    /// Serves a `margin-asset://localhost/<path>` request: the image's bytes and MIME type.
    /// `url_path` is the URL's (percent-encoded) path.
    pub fn read_image(&self, url_path: &str) -> Result<(Vec<u8>, &'static str)> {
        let rel = percent_decode(url_path.trim_start_matches('/'))
            .ok_or_else(|| invalid(url_path, "it is not valid UTF-8 once decoded"))?;
        let path = self.image_path(&rel)?;
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let ext = rel
            .rsplit_once('.')
            .map_or("", |(_, e)| e)
            .to_ascii_lowercase();
        let mime = match ext.as_str() {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "svg" => "image/svg+xml",
            "avif" => "image/avif",
            "bmp" => "image/bmp",
            "ico" => "image/x-icon",
            _ => "application/octet-stream",
        };
        Ok((bytes, mime))
    }
}

/// Checks the form of a note id without touching the disk and returns it as a relative path.
///
/// Written by hand because the rules are Margin's own: ids are `/`-separated on every OS, so a
/// backslash, a drive (`C:`) or UNC prefix, `.`/`..` or an empty component is refused outright.
pub fn check_id(id: &str) -> Result<PathBuf> {
    check_path(id, is_note_name, "notes are .md or .markdown files")
}

/// The rules of [`check_id`] for any vault-relative path whose file name passes `kind`.
fn check_path(id: &str, kind: fn(&str) -> bool, kind_reason: &'static str) -> Result<PathBuf> {
    if id.is_empty() {
        return Err(invalid(id, "it is empty"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(invalid(id, "it is too long"));
    }
    if id.contains('\0') {
        return Err(invalid(id, "it contains a NUL character"));
    }
    if id.contains('\\') {
        return Err(invalid(id, "note ids use '/' as separator, not '\\'"));
    }
    if id.starts_with('/') {
        return Err(invalid(
            id,
            "it must be relative to the vault, not absolute",
        ));
    }
    let mut path = PathBuf::new();
    for (i, part) in id.split('/').enumerate() {
        match part {
            "" => return Err(invalid(id, "it has an empty path component")),
            "." | ".." => return Err(invalid(id, "'.' and '..' are not allowed in note ids")),
            _ if i == 0 && part.len() >= 2 && part.as_bytes()[1] == b':' => {
                return Err(invalid(id, "it must not start with a drive letter"))
            }
            _ if part.contains(':') && cfg!(windows) => {
                return Err(invalid(id, "':' is not allowed in note ids on Windows"))
            }
            _ => {}
        }
        // On every OS, each component must be a plain name: no prefix or root sneaking in.
        let mut comps = Path::new(part).components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(_)), None) => path.push(part),
            _ => return Err(invalid(id, "it has a component that is not a plain name")),
        }
    }
    let last = id.rsplit('/').next().unwrap_or(id);
    if !kind(last) {
        return Err(invalid(id, kind_reason));
    }
    Ok(path)
}

/// `%XX` escapes → bytes → UTF-8 (`None` when the result is not UTF-8).
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_pass() {
        assert!(check_id("a.md").is_ok());
        assert!(check_id("networking/tcp handshake.md").is_ok());
        assert!(check_id("Ünïcode/日本.markdown").is_ok());
    }

    #[test]
    fn hostile_ids_are_refused() {
        for id in [
            "",
            "../Cargo.toml",
            "../x.md",
            "a/../../x.md",
            "/etc/passwd.md",
            "C:/x.md",
            "c:x.md",
            "\\\\server\\share\\x.md",
            "a\\..\\x.md",
            "a//b.md",
            "./a.md",
            "a/./b.md",
            "a.md\0",
            "notes.txt",
            "folder/",
        ] {
            assert!(check_id(id).is_err(), "{id:?} was accepted");
        }
    }

    #[test]
    fn binary_and_non_utf8_are_not_text() {
        assert!(matches!(
            decode_note("a.md", b"abc\0def".to_vec()),
            Err(Error::NotText { .. })
        ));
        assert!(matches!(
            decode_note("a.md", vec![0xff, 0xfe, 0x41]),
            Err(Error::NotText { .. })
        ));
        assert_eq!(
            decode_note("a.md", "\u{feff}# Hi".as_bytes().to_vec()).unwrap(),
            "# Hi"
        );
    }
}
