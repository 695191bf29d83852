//! The one writer: every file Margin writes (notes, annotations, drafts, colour names, exports)
//! goes through [`write_atomically`] (the index's own cache files through
//! [`replace_cache_file`]), so a crash, a kill or a full disk leaves either the old
//! or the new file, never an empty or partial one.
//!
//! The steps: a temp file in the same folder (so the rename stays on one file system), the
//! bytes, `fsync`, the permissions of the file it replaces, rename over the old file, `fsync`
//! the folder (where the OS has it) so the rename itself survives a power cut. `tempfile`'s
//! `persist` only renames, hence the rest by hand.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Replaces a cache file that Margin can rebuild (the index's state and stamps): renamed into
/// place whole, so a reader never sees half of it, but not `fsync`ed — a crash may lose the
/// newest copy, and whoever reads it next finds it stale or unreadable and rebuilds.
pub fn replace_cache_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` so that a crash leaves either the old or the new file. An existing
/// file keeps its permissions; a new one gets the usual `rw-r--r--` (Unix).
/// Any failure is [`Error::SaveFailed`] naming `path`; the temp file is removed on the way out.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let failed = |cause| Error::SaveFailed {
        path: path.to_path_buf(),
        cause,
    };
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    fs::create_dir_all(&dir).map_err(failed)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(&dir)
        .map_err(failed)?;
    tmp.write_all(bytes).map_err(failed)?;
    tmp.as_file().sync_all().map_err(failed)?;
    match fs::metadata(path) {
        Ok(old) => fs::set_permissions(tmp.path(), old.permissions()).map_err(failed)?,
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644))
                    .map_err(failed)?;
            }
        }
    }
    persist(tmp, path)?;
    sync_dir(&dir)
}

/// Renames the temp file over `path`. On Windows a file held open by another program (a sync
/// client, an antivirus) can make the rename fail for a moment: try a few times.
fn persist(mut tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let mut tries = 0;
    loop {
        match tmp.persist(path) {
            Ok(_) => return Ok(()),
            Err(err) if tries < 5 && cfg!(windows) => {
                tmp = err.file;
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50 * tries));
            }
            Err(err) => {
                return Err(Error::SaveFailed {
                    path: path.to_path_buf(),
                    cause: err.error,
                })
            }
        }
    }
}

/// Flushes a folder's entries (a rename, a removal) to disk, where the OS allows it.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Moves a file Margin cannot read out of the way, as `<name>.corrupt-<unix time>` beside it,
/// so that the next save cannot overwrite the user's bytes. Returns where it went.
pub fn set_aside(path: &Path) -> Result<std::path::PathBuf> {
    let aside = path.with_file_name(format!(
        "{}.corrupt-{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        time::OffsetDateTime::now_utc().unix_timestamp()
    ));
    fs::rename(path, &aside).map_err(|e| Error::io(path, e))?;
    tracing::warn!(
        "{} did not parse; moved to {}",
        path.display(),
        aside.display()
    );
    Ok(aside)
}

/// [`write_atomically`] for a file whose old content must parse as `T` to be replaced: one
/// that does not (hand-edited, half-synced) is set aside first, never overwritten unseen.
pub fn replace_checked<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(old) = fs::read(path) {
        if serde_json::from_slice::<T>(&old).is_err() {
            set_aside(path)?;
        }
    }
    write_atomically(path, bytes)
}

/// Runs `f` holding an exclusive lock on the file `lock_path` (made if missing): a lock the
/// app, the CLI and a second window all respect, so their read-modify-writes of one file
/// take turns instead of losing each other's changes.
pub fn with_lock<T>(lock_path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if let Some(dir) = lock_path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(|e| Error::io(lock_path, e))?;
    lock.lock().map_err(|e| Error::io(lock_path, e))?;
    let out = f();
    drop(lock);
    out
}

/// Temp files older than this are left-overs of a writer that was killed mid-save.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temp files a killed writer left in `dir` (hidden `.tmp-*` files older than ten
/// minutes: no live save takes that long). Done once per folder per process, so a save costs
/// one folder listing at most once.
pub fn sweep_stale_temps(dir: &Path) {
    static SWEPT: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    if let Ok(mut swept) = SWEPT.lock() {
        if swept.iter().any(|d| d == dir) {
            return;
        }
        swept.push(dir.to_path_buf());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(".tmp-") {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomically(&path, b"one").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o644
            );
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temp file is left behind");
    }

    #[test]
    fn stale_temp_files_are_swept_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".tmp-old");
        let new = dir.path().join(".tmp-new");
        fs::write(&old, "x").unwrap();
        fs::write(&new, "x").unwrap();
        fs::write(dir.path().join("note.md"), "x").unwrap();
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        sweep_stale_temps(dir.path());
        assert!(!old.exists());
        assert!(new.exists());
        assert!(dir.path().join("note.md").exists());
    }
}
