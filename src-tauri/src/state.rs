//! What the window keeps between calls: the open vault (or why none could be opened) and its
//! search index, which is built in the background after start.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, RwLock};

use margin_core::annotations::Store;
use margin_core::places::{seed_default_vault, Places};
use margin_core::search::{OpenOutcome, SearchIndex};
use margin_core::{Error, Vault};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// The app's state, shared by all commands.
pub struct AppState {
    /// The open vault, or the error that kept it from opening (shown in the window).
    pub vault: Result<Vault, Error>,
    /// Note ids of the vault, refreshed with every tree listing; resolves `[[wiki links]]`.
    pub known_ids: RwLock<Vec<String>>,
    /// Where the vault's annotations are kept.
    pub store: Option<Store>,
    /// The search index, once it is open and up to date.
    pub index: OnceLock<SearchIndex>,
    /// What the index is doing, for the status line.
    pub index_status: Mutex<IndexStatus>,
    /// Follows the vault on disk once the index is ready (dropping it stops watching).
    pub watcher: Mutex<Option<margin_core::watch::VaultWatcher>>,
}

/// What changed on disk, as the window receives it (`vault-changed` event).
#[derive(Debug, Clone, Serialize)]
pub struct VaultChanged {
    /// Notes new, changed and gone.
    pub touched: margin_core::search::Touched,
    /// Notes renamed or moved: (old id, new id).
    pub renamed: Vec<(String, String)>,
    /// Notes whose annotations changed (another window or the CLI).
    pub annotations: Vec<String>,
    /// A folder changed: the tree should be listed again.
    pub rescan: bool,
}

/// Progress of the background indexing, as the UI receives it (command and `index-status` event).
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexStatus {
    /// `starting`, `indexing`, `ready` or `failed`.
    pub state: &'static str,
    /// Notes indexed so far in this run.
    pub done: usize,
    /// Notes to index in this run.
    pub total: usize,
    /// Notes in the index when ready.
    pub notes: usize,
    /// A line for the status bar (errors, rebuild reasons, timing).
    pub message: String,
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
        let store = vault.as_ref().ok().map(|v| {
            let fallback = Places::for_user()
                .map(|p| p.data_dir)
                .unwrap_or_else(|_| std::env::temp_dir().join("margin"));
            Store::for_vault(v, &fallback)
        });
        AppState {
            vault,
            store,
            known_ids: RwLock::new(Vec::new()),
            index: OnceLock::new(),
            index_status: Mutex::new(IndexStatus {
                state: "starting",
                ..IndexStatus::default()
            }),
            watcher: Mutex::new(None),
        }
    }

    fn set_status(&self, app: &AppHandle, status: IndexStatus) {
        let _ = app.emit("index-status", &status);
        if let Ok(mut current) = self.index_status.lock() {
            *current = status;
        }
    }

    /// Opens and updates the search index; run on a background thread so the window is usable
    /// at once. Progress goes out as `index-status` events.
    pub fn build_index(&self, app: &AppHandle) {
        let Ok(vault) = &self.vault else {
            return;
        };
        let cache = match Places::for_user() {
            Ok(places) => places.cache_dir,
            Err(err) => {
                return self.set_status(
                    app,
                    IndexStatus {
                        state: "failed",
                        message: err.to_string(),
                        ..IndexStatus::default()
                    },
                )
            }
        };
        let mut last_sent = std::time::Instant::now();
        let mut progress = |done: usize, total: usize| {
            if done == 0 || last_sent.elapsed().as_millis() >= 100 {
                last_sent = std::time::Instant::now();
                self.set_status(
                    app,
                    IndexStatus {
                        state: "indexing",
                        done,
                        total,
                        ..IndexStatus::default()
                    },
                );
            }
        };
        match SearchIndex::for_vault(vault, &cache, self.store.as_ref(), &mut progress) {
            Ok((index, outcome, stats)) => {
                let mut message = format!(
                    "index up to date in {:.0} ms",
                    stats.elapsed.as_secs_f64() * 1000.0
                );
                if let OpenOutcome::Rebuilt(reason) = outcome {
                    message = format!("index rebuilt ({reason})");
                }
                tracing::info!("{message}: {stats:?}");
                let notes = index.note_count();
                let _ = self.index.set(index);
                self.start_watching(app, vault);
                self.set_status(
                    app,
                    IndexStatus {
                        state: "ready",
                        notes,
                        message,
                        ..IndexStatus::default()
                    },
                );
            }
            Err(err) => {
                tracing::error!("search index: {err}");
                self.set_status(
                    app,
                    IndexStatus {
                        state: "failed",
                        message: err.to_string(),
                        ..IndexStatus::default()
                    },
                );
            }
        }
    }
}

impl AppState {
    /// Watches the vault: each batch of changes is applied to the index and sent to the window.
    fn start_watching(&self, app: &AppHandle, vault: &Vault) {
        let handle = app.clone();
        let watched = vault.clone();
        let annotations_dir = self.store.as_ref().map(|s| s.dir().to_path_buf());
        let result = margin_core::watch::watch(vault, annotations_dir, move |changes| {
            use tauri::Manager;
            let state = handle.state::<AppState>();
            let Some(index) = state.index.get() else {
                return;
            };
            match index.apply(&watched, &changes) {
                Ok(stats) => {
                    let event = VaultChanged {
                        touched: stats.touched,
                        renamed: stats.renamed,
                        annotations: changes.annotations,
                        rescan: changes.rescan,
                    };
                    tracing::debug!("vault changed: {event:?}");
                    let _ = handle.emit("vault-changed", &event);
                }
                Err(err) => tracing::warn!("applying changes on disk: {err}"),
            }
        });
        match result {
            Ok(watcher) => {
                if let Ok(mut slot) = self.watcher.lock() {
                    *slot = Some(watcher);
                }
            }
            Err(err) => {
                tracing::warn!("cannot watch the vault ({err}); changes show after a restart")
            }
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
