//! Knowing that the index is current without walking the vault, so that `margin search`
//! answers at once instead of after a walk of every folder (on 38k notes the walk is most of
//! the time a search takes from a terminal).
//!
//! Two witnesses, asked in order:
//! - **a live watcher**: the app and `margin watch` hold [`WatchLease`], an OS lock on
//!   `watching.lock` in the index folder, for as long as they keep the index current. The OS
//!   drops the lock when that process ends, killed or not, so a crashed app never leaves a
//!   stale claim behind. A change saved less than a watcher's debounce before the search may
//!   not be in yet (the window's search has the same lag).
//! - **[`Stamps`]**: what the last full update saw — the mtime of each folder it walked (an
//!   entry added, removed or renamed changes its folder's mtime), the size and mtime of each
//!   note (an edit in place changes only the note's own), the ignore files that shape the
//!   walk, and the annotation files. Checking them is one stat per note and folder, on every
//!   core, with no folder listing, no ignore matching and no `state.json` to parse. Anything
//!   that differs, anything touched within two seconds of the update (an mtime cannot tell
//!   two edits in the same instant apart) and any later commit to the index (the watcher's)
//!   makes the check fail, and the caller walks as before: the stamps can only save a walk,
//!   never skip a change.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::annotations::Store;
use crate::vault::{modified_ms, Scan, Vault};

const STAMPS_FILE: &str = "stamps";
const STAMPS_HEADER: &str = "margin-stamps 1";
const LEASE_FILE: &str = "watching.lock";

/// Ignore files the vault's walk reads in each folder (see `Vault::walker`).
const RULE_FILES: [&str; 2] = [".gitignore", ".ignore"];

/// Held by a process that keeps the index current by watching the vault; see the module doc.
#[derive(Debug)]
pub struct WatchLease {
    _file: File,
}

impl WatchLease {
    /// Takes the lease of the index in `dir`; `None` when another live process holds it (it
    /// keeps the index current already) or the file system has no locks.
    pub fn take(dir: &Path) -> Option<WatchLease> {
        let file = File::create(dir.join(LEASE_FILE)).ok()?;
        match file.try_lock() {
            Ok(()) => Some(WatchLease { _file: file }),
            Err(err) => {
                tracing::debug!("watch lease of {} not taken: {err}", dir.display());
                None
            }
        }
    }

    /// True when a live process holds the lease of the index in `dir`.
    pub fn is_held(dir: &Path) -> bool {
        let Ok(file) = File::open(dir.join(LEASE_FILE)) else {
            return false;
        };
        matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock))
    }
}

/// A file's (size, mtime in ms), or `None` when it is not there.
type FileStamp = Option<(u64, u64)>;

fn stamp_of(path: &Path) -> FileStamp {
    fs::metadata(path).ok().map(|m| (m.len(), modified_ms(&m)))
}

/// What a full update of the index saw of the vault; see the module doc.
#[derive(Debug, Default, PartialEq)]
pub struct Stamps {
    /// The index commit these stamps describe: a later commit (the watcher's) voids them.
    opstamp: u64,
    /// Anything modified at or after this (ms since the epoch) is not trusted.
    racy_after_ms: u64,
    /// (folder relative to the vault, mtime).
    folders: Vec<(String, u64)>,
    /// Ignore files, inside the vault and in the folders above it, present or not.
    rules: Vec<(PathBuf, FileStamp)>,
    /// (note id, mtime of its annotation file).
    annotations: Vec<(String, u64)>,
    /// One line per note, `size mtime id`, kept as text and parsed by the threads that check
    /// them: building 38k strings first took as long as a third of the checks.
    notes: String,
    /// How many lines `notes` holds (a cut file is not trusted).
    note_count: usize,
}

/// The line before the notes' lines, which run to the end of the file.
const NOTES_MARK: &str = "notes ";

impl Stamps {
    /// The stamps of a walk; `None` when the walk cannot be recorded (a folder name that is
    /// not UTF-8, a line break in a name): such a vault is walked every time, as before.
    pub(crate) fn of_scan(
        vault: &Vault,
        scan: &Scan,
        annotations: &std::collections::HashMap<String, u64>,
        opstamp: u64,
        racy_after_ms: u64,
    ) -> Option<Stamps> {
        use std::fmt::Write;
        let folders = scan.folders.clone()?;
        let plain = |s: &str| !s.contains(['\n', '\r']);
        if !folders.iter().all(|(f, _)| plain(f)) || !scan.notes.iter().all(|n| plain(&n.id)) {
            return None;
        }
        let root = vault.root();
        let mut rules = Vec::new();
        for (folder, _) in &folders {
            for name in RULE_FILES {
                let path = root.join(folder).join(name);
                // Inside the vault only the ones there: a new one changes its folder's mtime.
                if let Some(stamp) = stamp_of(&path) {
                    rules.push((path, Some(stamp)));
                }
            }
        }
        let exclude = |dir: &Path| dir.join(".git").join("info").join("exclude");
        rules.push((exclude(root), stamp_of(&exclude(root))));
        for above in root.ancestors().skip(1) {
            for path in RULE_FILES
                .iter()
                .map(|name| above.join(name))
                .chain([exclude(above)])
            {
                let stamp = stamp_of(&path);
                rules.push((path, stamp));
            }
        }
        if rules
            .iter()
            .any(|(p, _)| p.to_str().is_none_or(|p| !plain(p)))
        {
            return None;
        }
        let mut annotations: Vec<(String, u64)> = annotations
            .iter()
            .map(|(id, ms)| (id.clone(), *ms))
            .collect();
        annotations.sort();
        if !annotations.iter().all(|(id, _)| plain(id)) {
            return None;
        }
        let mut notes = String::with_capacity(scan.notes.len() * 48);
        for n in &scan.notes {
            let _ = writeln!(notes, "{} {} {}", n.size, n.modified_ms, n.id);
        }
        Some(Stamps {
            opstamp,
            racy_after_ms,
            folders,
            rules,
            annotations,
            notes,
            note_count: scan.notes.len(),
        })
    }

    /// How many notes the stamps hold.
    pub fn note_count(&self) -> usize {
        self.note_count
    }

    /// Writes the stamps into the index folder `dir`: a reader sees the old stamps or the new,
    /// never half; after a crash, none or stale ones, which the opstamp check refuses.
    pub(crate) fn save(&self, dir: &Path) -> crate::Result<()> {
        use std::fmt::Write;
        let mut out = String::with_capacity(4096 + self.notes.len());
        let _ = writeln!(out, "{STAMPS_HEADER}");
        let _ = writeln!(out, "o {} {}", self.opstamp, self.racy_after_ms);
        for (folder, ms) in &self.folders {
            let _ = writeln!(out, "d {ms} {folder}");
        }
        for (path, stamp) in &self.rules {
            let (size, ms) = stamp.map_or(("-".to_string(), "-".to_string()), |(s, m)| {
                (s.to_string(), m.to_string())
            });
            let _ = writeln!(out, "r {size} {ms} {}", path.to_string_lossy());
        }
        for (id, ms) in &self.annotations {
            let _ = writeln!(out, "a {ms} {id}");
        }
        let _ = writeln!(out, "{NOTES_MARK}{}", self.note_count);
        out.push_str(&self.notes);
        crate::atomic::replace_cache_file(&dir.join(STAMPS_FILE), out.as_bytes())
    }

    /// Removes the stamps of the index in `dir` (an update that could not record its walk
    /// must not leave an older record to be trusted).
    pub(crate) fn remove(dir: &Path) {
        let _ = fs::remove_file(dir.join(STAMPS_FILE));
    }

    /// The stamps saved in the index folder `dir`; `None` when there are none or they do not
    /// parse (then the caller walks).
    pub fn load(dir: &Path) -> Option<Stamps> {
        let text = fs::read_to_string(dir.join(STAMPS_FILE)).ok()?;
        Self::parse(text)
    }

    fn parse(mut text: String) -> Option<Stamps> {
        let mut stamps = Stamps::default();
        let mut at = 0;
        let mut lines = text.split_inclusive('\n');
        if lines.next()?.trim_end() != STAMPS_HEADER {
            return None;
        }
        let o = lines.next()?;
        at += STAMPS_HEADER.len() + 1 + o.len();
        let (opstamp, racy) = o.trim_end().strip_prefix("o ")?.split_once(' ')?;
        stamps.opstamp = opstamp.parse().ok()?;
        stamps.racy_after_ms = racy.parse().ok()?;
        for raw in lines {
            at += raw.len();
            let line = raw.strip_suffix('\n')?;
            if let Some(count) = line.strip_prefix(NOTES_MARK) {
                stamps.note_count = count.parse().ok()?;
                text.drain(..at);
                stamps.notes = text;
                return Some(stamps);
            }
            let (kind, rest) = line.split_once(' ')?;
            match kind {
                "d" => {
                    let (ms, folder) = rest.split_once(' ')?;
                    stamps.folders.push((folder.to_string(), ms.parse().ok()?));
                }
                "r" => {
                    let (size, rest) = rest.split_once(' ')?;
                    let (ms, path) = rest.split_once(' ')?;
                    let stamp = match (size, ms) {
                        ("-", "-") => None,
                        _ => Some((size.parse().ok()?, ms.parse().ok()?)),
                    };
                    stamps.rules.push((PathBuf::from(path), stamp));
                }
                "a" => {
                    let (ms, id) = rest.split_once(' ')?;
                    stamps.annotations.push((id.to_string(), ms.parse().ok()?));
                }
                _ => return None,
            }
        }
        // No notes line: cut short.
        None
    }

    /// True when nothing the stamps record has changed and the index is still at the commit
    /// they describe: the index then answers for the vault as it is now.
    pub fn hold(&self, vault: &Vault, annotations: Option<&Store>, opstamp: u64) -> bool {
        if opstamp != self.opstamp {
            return false;
        }
        let trusted = |ms: u64| ms < self.racy_after_ms;
        let root = vault.root();
        let rules_hold = self.rules.iter().all(|(path, stamp)| {
            stamp_of(path) == *stamp && stamp.is_none_or(|(_, ms)| trusted(ms))
        });
        if !rules_hold {
            return false;
        }
        let folders_hold = self.folders.iter().all(|(folder, ms)| {
            trusted(*ms)
                && fs::metadata(root.join(folder))
                    .is_ok_and(|m| modified_ms(&m) == *ms && m.is_dir())
        });
        if !folders_hold {
            return false;
        }
        let mut now: Vec<(String, u64)> = annotations
            .map(|store| store.modified_times().into_iter().collect())
            .unwrap_or_default();
        now.sort();
        if now != self.annotations || !now.iter().all(|(_, ms)| trusted(*ms)) {
            return false;
        }
        self.notes_hold(root)
    }

    /// One stat per note, split over the cores; stops everywhere at the first difference.
    fn notes_hold(&self, root: &Path) -> bool {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let changed = AtomicBool::new(false);
        let counted = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for part in split_lines(&self.notes, threads) {
                let (changed, counted) = (&changed, &counted);
                scope.spawn(move || {
                    let mut folders = stat::Folders::new(root);
                    let mut lines = 0;
                    for line in part.lines() {
                        if lines % 64 == 0 && changed.load(Ordering::Relaxed) {
                            return;
                        }
                        lines += 1;
                        let same = self.note_holds(line, &mut folders);
                        if !same {
                            changed.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                    counted.fetch_add(lines, Ordering::Relaxed);
                });
            }
        });
        !changed.load(Ordering::Relaxed) && counted.load(Ordering::Relaxed) == self.note_count
    }

    /// One note's line (`size mtime id`) against the file now.
    fn note_holds(&self, line: &str, folders: &mut stat::Folders) -> bool {
        let parsed = line.split_once(' ').and_then(|(size, rest)| {
            let (ms, id) = rest.split_once(' ')?;
            Some((size.parse::<u64>().ok()?, ms.parse::<u64>().ok()?, id))
        });
        let Some((size, ms, id)) = parsed else {
            return false;
        };
        ms < self.racy_after_ms && folders.stamp(id) == Some((size, ms))
    }
}

/// A note's (size, mtime in ms, as [`modified_ms`] gives it) by its id, as cheaply as the OS
/// allows: on Unix by name inside its folder, kept open for the next note of that folder
/// (ids are sorted, so notes of a folder come together), asking only for size and time.
mod stat {
    use std::path::{Path, PathBuf};

    #[cfg(unix)]
    pub struct Folders {
        root: PathBuf,
        open: Option<(String, rustix::fd::OwnedFd)>,
    }

    #[cfg(unix)]
    impl Folders {
        pub fn new(root: &Path) -> Folders {
            Folders {
                root: root.to_path_buf(),
                open: None,
            }
        }

        pub fn stamp(&mut self, id: &str) -> Option<(u64, u64)> {
            use rustix::fs::{Mode, OFlags};
            let (folder, name) = id.rsplit_once('/').unwrap_or(("", id));
            if self.open.as_ref().is_none_or(|(open, _)| open != folder) {
                self.open = None;
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let fd = rustix::fs::open(self.root.join(folder), flags, Mode::empty()).ok()?;
                self.open = Some((folder.to_string(), fd));
            }
            let (_, fd) = self.open.as_ref()?;
            stat_at(fd, name)
        }
    }

    /// Milliseconds since the epoch, 0 before it (as `modified_ms`).
    #[cfg(unix)]
    fn millis(secs: i64, nanos: i64) -> u64 {
        if secs < 0 {
            return 0;
        }
        secs as u64 * 1000 + (nanos / 1_000_000) as u64
    }

    #[cfg(target_os = "linux")]
    fn stat_at(fd: &rustix::fd::OwnedFd, name: &str) -> Option<(u64, u64)> {
        use rustix::fs::{statx, AtFlags, StatxFlags};
        let st = statx(
            fd,
            name,
            AtFlags::empty(),
            StatxFlags::SIZE | StatxFlags::MTIME,
        )
        .ok()?;
        let mtime = &st.stx_mtime;
        Some((st.stx_size, millis(mtime.tv_sec, i64::from(mtime.tv_nsec))))
    }

    #[cfg(all(unix, not(target_os = "linux")))]
    fn stat_at(fd: &rustix::fd::OwnedFd, name: &str) -> Option<(u64, u64)> {
        let st = rustix::fs::statat(fd, name, rustix::fs::AtFlags::empty()).ok()?;
        #[allow(clippy::unnecessary_cast)]
        Some((
            st.st_size as u64,
            millis(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ))
    }

    #[cfg(not(unix))]
    pub struct Folders {
        root: PathBuf,
    }

    #[cfg(not(unix))]
    impl Folders {
        pub fn new(root: &Path) -> Folders {
            Folders {
                root: root.to_path_buf(),
            }
        }

        pub fn stamp(&mut self, id: &str) -> Option<(u64, u64)> {
            let meta = std::fs::metadata(self.root.join(id)).ok()?;
            Some((meta.len(), crate::vault::modified_ms(&meta)))
        }
    }
}

/// `text` cut into about `parts` pieces, each ending at a line's end.
fn split_lines(text: &str, parts: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    let size = text.len().div_ceil(parts.max(1)).max(1);
    while !rest.is_empty() {
        let cut = rest
            .get(size..)
            .and_then(|tail| tail.find('\n'))
            .map_or(rest.len(), |i| size + i + 1);
        let (piece, tail) = rest.split_at(cut);
        out.push(piece);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stamps {
        Stamps {
            opstamp: 42,
            racy_after_ms: 1_000,
            folders: vec![(String::new(), 10), ("a b/c".into(), 20)],
            rules: vec![
                ("/v/.gitignore".into(), Some((3, 40))),
                ("/.ignore".into(), None),
            ],
            annotations: vec![("a b/c/x y.md".into(), 50)],
            notes: "5 30 a b/c/x y.md\n7 31 z.md\n".into(),
            note_count: 2,
        }
    }

    #[test]
    fn stamps_read_back_as_written_spaces_included() {
        let dir = tempfile::tempdir().unwrap();
        sample().save(dir.path()).unwrap();
        assert_eq!(Stamps::load(dir.path()), Some(sample()));
    }

    #[test]
    fn a_note_stamp_is_the_size_and_time_the_walk_records() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/a.md"), "twelve bytes").unwrap();
        fs::write(dir.path().join("b.md"), "").unwrap();
        let mut folders = stat::Folders::new(dir.path());
        for id in ["sub/a.md", "b.md", "sub/a.md"] {
            let meta = fs::metadata(dir.path().join(id)).unwrap();
            assert_eq!(
                folders.stamp(id),
                Some((meta.len(), modified_ms(&meta))),
                "{id}"
            );
        }
        assert_eq!(folders.stamp("sub/gone.md"), None);
        assert_eq!(folders.stamp("nowhere/gone.md"), None);
    }

    #[test]
    fn lines_are_split_at_line_ends_into_about_equal_parts() {
        let text = "a\nbb\nccc\ndddd\neeeee\n";
        for parts in 1..8 {
            let pieces = split_lines(text, parts);
            assert_eq!(pieces.concat(), text);
            assert!(pieces.iter().all(|p| p.ends_with('\n')), "{pieces:?}");
            assert!(pieces.len() <= parts, "{parts}: {pieces:?}");
        }
        assert!(split_lines("", 2).is_empty());
    }

    #[test]
    fn damaged_or_foreign_stamps_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            "",
            "margin-stamps 2\no 1 2\n",
            "margin-stamps 1\n",
            "margin-stamps 1\no 1 2\nd 5 x\n",
            "margin-stamps 1\no 1 2\nz 5 6 x\nnotes 0\n",
            "margin-stamps 1\no 1 2\nnotes many\n",
            "margin-stamps 1\no one 2\n",
        ] {
            fs::write(dir.path().join(STAMPS_FILE), text).unwrap();
            assert_eq!(Stamps::load(dir.path()), None, "{text:?}");
        }
    }

    #[test]
    fn the_lease_is_seen_while_held_and_gone_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!WatchLease::is_held(dir.path()));
        let lease = WatchLease::take(dir.path()).expect("the first lease");
        assert!(WatchLease::is_held(dir.path()));
        assert!(WatchLease::take(dir.path()).is_none(), "a second holder");
        drop(lease);
        assert!(!WatchLease::is_held(dir.path()));
        assert!(WatchLease::take(dir.path()).is_some());
    }
}
