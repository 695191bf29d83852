//! What the window keeps between calls: the open vault (or why none could be opened), its
//! search index (built in the background after opening) and its watcher — one [`Session`] per
//! opened vault, replaced whole when the user opens another folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use margin_core::annotations::Store;
use margin_core::places::{seed_default_vault, Places, Recent};
use margin_core::search::{OpenOutcome, SearchIndex};
use margin_core::{Error, Vault};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// The app's state, shared by all commands.
pub struct AppState {
    current: RwLock<Arc<Session>>,
    /// Where the bundled notes are (seed of the default vault).
    bundled: PathBuf,
    /// The newest search's ticket: the window searches at every key press, and a search
    /// whose ticket is older gives up (see `commands::search`).
    pub latest_search: AtomicU64,
}

/// The recently opened vaults of this user (empty when unknown).
pub fn recent() -> Recent {
    Places::for_user()
        .map(|p| Recent::load(&p.config_dir))
        .unwrap_or_default()
}

/// How long after writing a note's annotations their file events count as this window's own.
const OWN_ECHO: std::time::Duration = std::time::Duration::from_secs(3);

/// Numbers sessions, so the window can ignore events of a vault it no longer shows.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// One opened vault and everything that belongs to it.
pub struct Session {
    /// Which session this is (events carry it).
    pub generation: u64,
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
    /// Held while the watcher keeps the index current: `margin search` then answers from the
    /// index without walking the vault.
    watch_lease: Mutex<Option<margin_core::search::fresh::WatchLease>>,
    /// Set when another vault replaces this one: its indexing stops at the next checkpoint.
    pub cancelled: std::sync::atomic::AtomicBool,
    /// Annotation files this window wrote lately: their watcher events are its own echo.
    own_writes: Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

/// What changed on disk, as the window receives it (`vault-changed` event).
#[derive(Debug, Clone, Serialize)]
pub struct VaultChanged {
    /// The session the change belongs to.
    pub generation: u64,
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
    /// The session the status belongs to.
    pub generation: u64,
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
    /// Opens `--vault DIR` if given, else the last vault opened, else the default vault
    /// (seeded from `bundled` on first run).
    pub fn open(explicit: Option<PathBuf>, bundled: &Path) -> AppState {
        let chosen = explicit.or_else(|| recent().paths.into_iter().find(|p| p.is_dir()));
        AppState {
            current: RwLock::new(Arc::new(Session::open(chosen, bundled))),
            bundled: bundled.to_path_buf(),
            latest_search: AtomicU64::new(0),
        }
    }

    /// The session of the vault shown now.
    pub fn session(&self) -> Arc<Session> {
        match self.current.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the session with one for `dir` (`None`: the default vault), starts indexing it
    /// and returns it. The old session's watcher stops when it is dropped.
    pub fn switch(&self, app: &AppHandle, dir: Option<PathBuf>) -> Arc<Session> {
        let session = Arc::new(Session::open(dir, &self.bundled));
        if let Ok(mut current) = self.current.write() {
            current.cancelled.store(true, Ordering::Relaxed);
            if let Ok(mut watcher) = current.watcher.lock() {
                watcher.take();
            }
            *current = Arc::clone(&session);
        }
        session.spawn_indexer(app);
        session
    }
}

impl Session {
    fn open(explicit: Option<PathBuf>, bundled: &Path) -> Session {
        let vault = match explicit {
            Some(dir) => Vault::open(dir),
            None => default_vault(bundled),
        };
        if let (Ok(v), Ok(places)) = (&vault, Places::for_user()) {
            if let Err(err) = Recent::remember(&places.config_dir, v.root()) {
                tracing::warn!("cannot save the recent vaults: {err}");
            }
        }
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
        Session {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            vault,
            store,
            known_ids: RwLock::new(Vec::new()),
            index: OnceLock::new(),
            index_status: Mutex::new(IndexStatus {
                state: "starting",
                ..IndexStatus::default()
            }),
            watcher: Mutex::new(None),
            watch_lease: Mutex::new(None),
            cancelled: std::sync::atomic::AtomicBool::new(false),
            own_writes: Mutex::new(std::collections::HashMap::new()),
        }
    }

    fn set_status(&self, app: &AppHandle, mut status: IndexStatus) {
        status.generation = self.generation;
        let _ = app.emit("index-status", &status);
        if let Ok(mut current) = self.index_status.lock() {
            *current = status;
        }
    }

    /// Builds the index on a thread of its own; the window stays usable meanwhile.
    pub fn spawn_indexer(self: &Arc<Self>, app: &AppHandle) {
        let (session, handle) = (Arc::clone(self), app.clone());
        let spawned = std::thread::Builder::new()
            .name("indexer".into())
            .spawn(move || session.build_index(&handle));
        if let Err(err) = spawned {
            tracing::error!("cannot start the indexer: {err}");
        }
    }

    /// Opens and updates the search index. Progress goes out as `index-status` events.
    fn build_index(self: &Arc<Self>, app: &AppHandle) {
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
            if self.cancelled.load(Ordering::Relaxed) {
                return false;
            }
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
            true
        };
        match SearchIndex::for_vault(vault, &cache, self.store.as_ref(), &mut progress) {
            Ok((_, _, stats)) if stats.cancelled => {
                tracing::info!(
                    "indexing of {} stopped: another vault was opened",
                    vault.root().display()
                );
            }
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
                // Search answers from here on; what follows only adds changes made meanwhile.
                self.set_status(
                    app,
                    IndexStatus {
                        state: "ready",
                        notes,
                        message,
                        ..IndexStatus::default()
                    },
                );
                let started = std::time::Instant::now();
                self.start_watching(app, vault);
                tracing::info!(
                    "watching, caught up, lease taken in {:?}",
                    started.elapsed()
                );
                // Conflict copies a sync tool left while Margin was closed.
                let started = std::time::Instant::now();
                self.merge_sync_copies(app, vault);
                tracing::info!("sync copies checked in {:?}", started.elapsed());
                release_freed_memory();
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

impl Session {
    /// Notes that this window's annotations of `note` were just written (see `own_writes`).
    pub fn wrote_annotations(&self, note: &str) {
        if let Ok(mut writes) = self.own_writes.lock() {
            writes.retain(|_, at| at.elapsed() < OWN_ECHO);
            writes.insert(note.to_string(), std::time::Instant::now());
        }
    }

    fn is_own_echo(&self, note: &str) -> bool {
        self.own_writes
            .lock()
            .map(|w| w.get(note).is_some_and(|at| at.elapsed() < OWN_ECHO))
            .unwrap_or(false)
    }

    /// Merges the conflict copies sync tools left of Margin's files (see `margin_core::sync`),
    /// then refreshes what they touched: the index and the window.
    fn merge_sync_copies(&self, app: &AppHandle, vault: &Vault) {
        let (Some(store), Some(index)) = (self.store.as_ref(), self.index.get()) else {
            return;
        };
        let report = margin_core::sync::merge_copies(store);
        if report.is_empty() {
            return;
        }
        tracing::info!("sync conflict copies: {report:?}");
        let annotations = report.annotated_notes(store);
        let changes = margin_core::watch::Changes {
            annotations: annotations.clone(),
            ..Default::default()
        };
        if let Err(err) = index.apply(vault, &changes) {
            tracing::warn!("indexing merged annotations: {err}");
        }
        let _ = app.emit(
            "vault-changed",
            &VaultChanged {
                generation: self.generation,
                touched: Default::default(),
                renamed: Vec::new(),
                annotations,
                rescan: false,
            },
        );
        let message = report.summary();
        let _ = app.emit("sync-merged", &message);
    }

    /// Watches the vault: each batch of changes is applied to the index and sent to the window.
    fn start_watching(self: &Arc<Self>, app: &AppHandle, vault: &Vault) {
        let handle = app.clone();
        let watched = vault.clone();
        // Weak: the watcher lives inside the session and must not keep it alive.
        let session: Weak<Session> = Arc::downgrade(self);
        let annotations_dir = self.store.as_ref().map(|s| s.dir().to_path_buf());
        let result = margin_core::watch::watch(vault, annotations_dir, move |changes| {
            let Some(session) = session.upgrade() else {
                return;
            };
            let Some(index) = session.index.get() else {
                return;
            };
            let mut changes = changes;
            if changes.sync_copies {
                session.merge_sync_copies(&handle, &watched);
                changes.sync_copies = false;
            }
            changes.annotations.retain(|id| !session.is_own_echo(id));
            if changes.is_empty() {
                return;
            }
            // A note changed on disk: its highlights are found again and what moved is saved
            // (reading a note never writes; a real change does).
            if let Some(store) = session.store.as_ref() {
                for id in store.reanchor_notes(&watched, &changes.notes) {
                    session.wrote_annotations(&id);
                }
            }
            match index.apply(&watched, &changes) {
                Ok(stats) => {
                    let event = VaultChanged {
                        generation: session.generation,
                        touched: stats.touched,
                        renamed: stats.renamed,
                        annotations: changes.annotations,
                        // A sync tool's conflict copy of a note is not indexed, but the tree
                        // shows it (marked): list the tree again.
                        rescan: changes.rescan
                            || changes
                                .notes
                                .iter()
                                .any(|id| margin_core::sync::note_conflict(id).is_some()),
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
                self.catch_up(app, vault);
            }
            Err(err) => {
                tracing::warn!("cannot watch the vault ({err}); changes show after a restart")
            }
        }
    }

    /// Indexes what changed between the first update's walk and the watcher's start (the
    /// stamps of that walk make this a stat per note when nothing did), then claims the
    /// watch lease: from now on the index is kept current.
    fn catch_up(&self, app: &AppHandle, vault: &Vault) {
        let Some(index) = self.index.get() else {
            return;
        };
        match index.update(vault, &mut |_, _| !self.cancelled.load(Ordering::Relaxed)) {
            Ok(stats) if stats.cancelled => return,
            Ok(stats) => {
                if stats.added + stats.changed + stats.removed > 0 {
                    let event = VaultChanged {
                        generation: self.generation,
                        touched: stats.touched,
                        renamed: stats.renamed,
                        annotations: Vec::new(),
                        rescan: true,
                    };
                    let _ = app.emit("vault-changed", &event);
                }
            }
            Err(err) => {
                tracing::warn!("catching up after the watcher started: {err}");
                return;
            }
        }
        if let Ok(mut lease) = self.watch_lease.lock() {
            *lease = index.lease_watch();
        }
    }
}

/// [`release_freed_memory`] once the work under way is over: big replies to the window are
/// serialised and handed to WebKit after the command returns, so a trim right away misses them.
pub fn release_freed_memory_soon() {
    let _ = std::thread::Builder::new().name("trim".into()).spawn(|| {
        std::thread::sleep(std::time::Duration::from_secs(2));
        release_freed_memory();
    });
}

/// Few malloc arenas: glibc gives each busy thread (tokio workers, tantivy's indexers, WebKit's)
/// an arena of its own, and memory freed in one is not reused by the others. Called first
/// thing in `main`, before those threads exist.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives memory freed after a big job (the first index, the tree of a large vault) back to the
/// OS. glibc keeps freed memory in its arenas otherwise, and an idle app would hold tens of
/// megabytes it no longer uses.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
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
