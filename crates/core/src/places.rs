//! Where Margin keeps things on each OS (data, cache, config), from the `directories` crate,
//! and the first-launch copy of the bundled notes into the user's data folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::vault::Vault;

/// Margin's folders for the current user.
#[derive(Debug, Clone)]
pub struct Places {
    /// User data: the default vault lives in `<data>/notes`.
    pub data_dir: PathBuf,
    /// Rebuildable caches (search indexes).
    pub cache_dir: PathBuf,
    /// Settings.
    pub config_dir: PathBuf,
    /// Log files: where the OS keeps app logs (`~/.local/state/margin/logs`,
    /// `~/Library/Logs/margin`, `%LOCALAPPDATA%\margin\data\logs`).
    pub log_dir: PathBuf,
}

impl Places {
    /// The OS folders for Margin (`~/.local/share/margin`, `~/Library/Application Support/margin`,
    /// `%APPDATA%\margin\data`, …).
    pub fn for_user() -> Result<Places> {
        let dirs = directories::ProjectDirs::from("", "", "margin").ok_or(Error::NoDataDir)?;
        Ok(Places {
            data_dir: dirs.data_dir().to_path_buf(),
            cache_dir: dirs.cache_dir().to_path_buf(),
            config_dir: dirs.config_dir().to_path_buf(),
            log_dir: log_dir(&dirs),
        })
    }

    /// Where save dialogs start: the user's documents folder, else their home.
    pub fn documents_dir() -> Option<PathBuf> {
        let dirs = directories::UserDirs::new()?;
        Some(
            dirs.document_dir()
                .unwrap_or_else(|| dirs.home_dir())
                .to_path_buf(),
        )
    }

    /// The title cache of a vault's tree (see [`crate::tree::build_cached`]).
    pub fn tree_cache(&self, vault: &Vault) -> PathBuf {
        let key = crate::fingerprint::fnv1a(vault.root().to_string_lossy().as_bytes());
        self.cache_dir
            .join("trees")
            .join(format!("{key:016x}.json"))
    }

    /// Where the default vault (the user's copy of the bundled notes) lives.
    pub fn default_vault(&self) -> PathBuf {
        self.data_dir.join("notes")
    }
}

/// The OS's place for an app's logs: `~/Library/Logs` on macOS, the XDG state folder on Linux,
/// the local (not roaming) app data folder elsewhere.
fn log_dir(dirs: &directories::ProjectDirs) -> PathBuf {
    if cfg!(target_os = "macos") {
        if let Some(base) = directories::BaseDirs::new() {
            return base.home_dir().join("Library/Logs/margin");
        }
    }
    dirs.state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .join("logs")
}

/// Makes sure the default vault exists: on first launch, copies the bundled notes from
/// `bundled` to `target`. The copy goes to a sibling temp folder that is renamed into place,
/// so a launch killed half-way leaves no half vault. Returns true when it copied.
pub fn seed_default_vault(bundled: &Path, target: &Path) -> Result<bool> {
    if target.exists() {
        return Ok(false);
    }
    let source = Vault::open(bundled)?;
    let parent = target
        .parent()
        .ok_or_else(|| Error::io(target, std::io::ErrorKind::InvalidInput.into()))?;
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".notes-seeding-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    for note in source.scan().notes {
        let from = source.path_of(&note.id)?;
        let to = staging.path().join(crate::vault::check_id(&note.id)?);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
    }
    let staged = staging.keep();
    if let Err(err) = fs::rename(&staged, target) {
        let _ = fs::remove_dir_all(&staged);
        // Another instance may have won the race: that is fine.
        if target.exists() {
            return Ok(false);
        }
        return Err(Error::io(target, err));
    }
    Ok(true)
}

/// The recently opened vaults, most recent first (`recent.json` in Margin's config folder).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recent {
    /// Folders, most recent first.
    pub paths: Vec<PathBuf>,
}

impl Recent {
    /// How many are remembered.
    pub const MAX: usize = 10;

    fn file(config_dir: &Path) -> PathBuf {
        config_dir.join("recent.json")
    }

    /// The list kept in `config_dir` (empty when there is none or it does not parse).
    pub fn load(config_dir: &Path) -> Recent {
        fs::read(Self::file(config_dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Puts `dir` first (once), keeps at most [`Recent::MAX`], and saves.
    pub fn remember(config_dir: &Path, dir: &Path) -> Result<Recent> {
        let mut recent = Recent::load(config_dir);
        recent.paths.retain(|p| p != dir);
        recent.paths.insert(0, dir.to_path_buf());
        recent.paths.truncate(Self::MAX);
        fs::create_dir_all(config_dir).map_err(|e| Error::io(config_dir, e))?;
        let json = serde_json::to_vec_pretty(&recent).unwrap_or_default();
        let file = Self::file(config_dir);
        crate::atomic::replace_checked::<Recent>(&file, &json)?;
        Ok(recent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_vaults_are_most_recent_first_unique_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path();
        for i in 0..12 {
            Recent::remember(config, Path::new(&format!("/v{i}"))).unwrap();
        }
        let again = Recent::remember(config, Path::new("/v5")).unwrap();
        assert_eq!(again.paths.len(), Recent::MAX);
        assert_eq!(again.paths[0], Path::new("/v5"));
        assert_eq!(
            again
                .paths
                .iter()
                .filter(|p| *p == Path::new("/v5"))
                .count(),
            1
        );
        assert_eq!(Recent::load(config), again);
        fs::write(config.join("recent.json"), "{ broken").unwrap();
        assert!(Recent::load(config).paths.is_empty());
        // The next save sets the unreadable list aside instead of overwriting it.
        Recent::remember(config, Path::new("/v1")).unwrap();
        let aside: Vec<String> = fs::read_dir(config)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("recent.json.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            fs::read_to_string(config.join(&aside[0])).unwrap(),
            "{ broken"
        );
    }
}
