//! What the window keeps between calls: the open vault (or why none could be opened).

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use margin_core::places::{seed_default_vault, Places};
use margin_core::{Error, Vault};

/// The app's state, shared by all commands.
pub struct AppState {
    /// The open vault, or the error that kept it from opening (shown in the window).
    pub vault: Result<Vault, Error>,
    /// Note ids of the vault, refreshed with every tree listing; resolves `[[wiki links]]`.
    pub known_ids: RwLock<Vec<String>>,
}

impl AppState {
    /// Opens `--vault DIR` if given, else the default vault (seeded from `bundled` on first run).
    pub fn open(explicit: Option<PathBuf>, bundled: &Path) -> AppState {
        let vault = match explicit {
            Some(dir) => Vault::open(dir),
            None => default_vault(bundled),
        };
        match &vault {
            Ok(v) => tracing::info!("vault: {}", v.root().display()),
            Err(err) => tracing::error!("no vault: {err}"),
        }
        AppState {
            vault,
            known_ids: RwLock::new(Vec::new()),
        }
    }
}

fn default_vault(bundled: &Path) -> Result<Vault, Error> {
    let places = Places::for_user()?;
    let target = places.default_vault();
    if seed_default_vault(bundled, &target)? {
        tracing::info!("copied the bundled notes to {}", target.display());
    }
    Vault::open(target)
}
