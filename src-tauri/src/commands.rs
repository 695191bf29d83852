//! The Tauri commands: each takes the state and its arguments, calls margin-core on the
//! blocking pool and returns its result or an `{ code, message }` error.

use margin_core::annotations::{Annotation, Palette, Patch, Store, View};
use margin_core::search::{note_matches, Hit, Range};
use margin_core::{ErrorPayload, Note, Tree, Vault};
use serde::Serialize;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::state::{recent, AppState, IndexStatus, Session};

pub(crate) type CmdResult<T> = Result<T, ErrorPayload>;

fn vault(session: &Session) -> CmdResult<Vault> {
    session.vault.as_ref().cloned().map_err(ErrorPayload::from)
}

pub(crate) async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|err| ErrorPayload {
            code: "internal".into(),
            message: format!("the task failed: {err}"),
        })?
}

/// What the status line shows about the open vault.
#[derive(Serialize)]
pub struct VaultInfo {
    name: String,
    root: String,
    /// Events of other sessions (an earlier vault) are to be ignored.
    generation: u64,
    /// Set when the vault's `.margin/` cannot be written: where this computer's highlights
    /// are kept meanwhile (merged back when the vault can be written again).
    annotations_elsewhere: Option<String>,
}

/// The open vault's name and folder.
#[tauri::command]
pub fn vault_info(state: State<'_, AppState>) -> CmdResult<VaultInfo> {
    let session = state.session();
    let vault = vault(&session)?;
    Ok(VaultInfo {
        name: vault.name(),
        root: vault.root().display().to_string(),
        generation: session.generation,
        annotations_elsewhere: session
            .store
            .as_ref()
            .filter(|s| s.is_fallback())
            .map(|s| s.dir().display().to_string()),
    })
}

/// A recently opened vault.
#[derive(Serialize)]
pub struct RecentVault {
    path: String,
    name: String,
    /// False when the folder is gone (moved, on an unplugged drive…).
    exists: bool,
}

/// Makes the window's own parts (menu bar, title bar, dialogs) follow the page's theme:
/// `light`, `dark`, or `system` to follow the desktop.
#[tauri::command]
pub fn set_window_theme(window: tauri::WebviewWindow, theme: String) -> CmdResult<()> {
    let theme = match theme.as_str() {
        "light" => Some(tauri::Theme::Light),
        "dark" => Some(tauri::Theme::Dark),
        _ => None,
    };
    window.set_theme(theme).map_err(|e| ErrorPayload {
        code: "window".into(),
        message: format!("could not change the window's theme: {e}"),
    })
}

/// Zooms the whole interface (WebKit's page zoom: text, controls and layout, so the page lays
/// itself out for the narrower width, as a browser's zoom does), from 50 % to 300 %. The
/// reader's own text size is apart (Ctrl+= / Ctrl+-).
#[tauri::command]
pub fn set_interface_zoom(window: tauri::WebviewWindow, scale: f64) -> CmdResult<()> {
    if !scale.is_finite() {
        return Err(ErrorPayload {
            code: "bad_zoom".into(),
            message: format!("{scale} is not a zoom factor"),
        });
    }
    window
        .set_zoom(scale.clamp(0.5, 3.0))
        .map_err(|e| ErrorPayload {
            code: "window".into(),
            message: format!("could not zoom the window: {e}"),
        })
}

/// The recently opened vaults, most recent first.
#[tauri::command]
pub fn recent_vaults() -> Vec<RecentVault> {
    recent()
        .paths
        .into_iter()
        .map(|p| RecentVault {
            name: p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            exists: p.is_dir(),
            path: p.display().to_string(),
        })
        .collect()
}

/// Opens another vault: one from the recent list (`path`), or a folder the user picks in the
/// system's folder dialog (`path` absent). Any other path is refused: the page never names
/// arbitrary folders. Returns false when the user cancelled.
#[tauri::command]
pub async fn open_vault(app: tauri::AppHandle, path: Option<String>) -> CmdResult<bool> {
    use tauri::Manager;
    let dir = match path {
        Some(path) => {
            let wanted = std::path::PathBuf::from(&path);
            if !recent().paths.contains(&wanted) {
                return Err(ErrorPayload {
                    code: "not_recent".into(),
                    message: format!("{path} is not among the recent vaults; use Open folder…"),
                });
            }
            wanted
        }
        None => {
            let for_dialog = app.clone();
            let picked = blocking(move || Ok(app_dialog_pick(&for_dialog))).await?;
            match picked {
                Some(dir) => dir,
                None => return Ok(false),
            }
        }
    };
    if let Err(err) = margin_core::Vault::open(&dir) {
        return Err(ErrorPayload::from(err));
    }
    let state = app.state::<AppState>();
    state.switch(&app, Some(dir));
    // Opening a vault remembered it: Open Recent shows it now.
    crate::desktop::refresh_recent(&app);
    Ok(true)
}

fn app_dialog_pick(app: &tauri::AppHandle) -> Option<std::path::PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().set_title("Open a folder of notes");
    if let Some(dir) = margin_core::places::Places::documents_dir() {
        dialog = dialog.set_directory(dir);
    }
    dialog
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
}

/// The topic tree of the open vault.
#[tauri::command]
pub async fn list_tree(state: State<'_, AppState>) -> CmdResult<Tree> {
    let session = state.session();
    let vault = vault(&session)?;
    // Titles only, from a cache when the notes did not change: the window shows the open
    // note's headings itself, and reading every note at start is what makes big vaults slow.
    let tree = blocking(move || {
        Ok(match margin_core::places::Places::for_user() {
            Ok(places) => margin_core::tree::build_cached(&vault, &places.tree_cache(&vault)),
            Err(_) => margin_core::tree::build(&vault),
        })
    })
    .await?;
    if let Ok(mut ids) = session.known_ids.write() {
        *ids = tree.note_ids();
    }
    let big = tree.note_count > 5_000;
    if big {
        crate::state::release_freed_memory_soon();
    }
    Ok(tree)
}

/// A note as the reader shows it: everything but its visible text, which the page takes from
/// the HTML itself (sending it too made a 1 MB note's reply 2.7 MB instead of 1.7).
#[derive(Serialize)]
pub struct ShownNote {
    id: String,
    title: String,
    tags: Vec<String>,
    outline: Vec<margin_core::render::Heading>,
    html: String,
    warnings: Vec<String>,
}

impl From<Note> for ShownNote {
    fn from(note: Note) -> ShownNote {
        ShownNote {
            id: note.id,
            title: note.title,
            tags: note.tags,
            outline: note.outline,
            html: note.html,
            warnings: note.warnings,
        }
    }
}

/// One note, rendered.
#[tauri::command]
pub async fn get_note(state: State<'_, AppState>, id: String) -> CmdResult<ShownNote> {
    let session = state.session();
    let vault = vault(&session)?;
    let known = session
        .known_ids
        .read()
        .map(|ids| ids.clone())
        .unwrap_or_default();
    blocking(move || {
        Note::load(&vault, &id, &known)
            .map(ShownNote::from)
            .map_err(ErrorPayload::from)
    })
    .await
}

/// Opens an http(s) or mailto link in the system's browser or mail app.
#[tauri::command]
pub fn open_external(app: tauri::AppHandle, url: String) -> CmdResult<()> {
    let url = margin_core::render::external_url(&url).ok_or_else(|| ErrorPayload {
        code: "refused_link".into(),
        message: format!("Margin only opens web and mail links, not {url:?}"),
    })?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|err| ErrorPayload {
            code: "open_failed".into(),
            message: format!("the system could not open the link: {err}"),
        })
}

/// What the background indexing is doing.
#[tauri::command]
pub fn index_status(state: State<'_, AppState>) -> IndexStatus {
    state
        .session()
        .index_status
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default()
}

/// Ranked hits for what the user typed; the last word is a prefix while `as_you_type`.
/// `ticket` numbers the window's searches: `None` (JSON null) when a search with a newer
/// ticket arrived before this one was done — its answer would be stale anyway.
#[tauri::command]
pub async fn search(
    state: State<'_, AppState>,
    query: String,
    limit: usize,
    as_you_type: bool,
    ticket: Option<u64>,
) -> CmdResult<Option<Vec<Hit>>> {
    let session = state.session();
    let Some(index) = session.index.get() else {
        let status = index_status(state.clone());
        return Err(ErrorPayload {
            code: "indexing".into(),
            message: format!(
                "Margin is still indexing your notes ({} of {}); search is ready in a moment",
                status.done, status.total
            ),
        });
    };
    // The index outlives every command (it lives in the managed state), so searching on the
    // async thread is fine: a query takes a few milliseconds.
    let latest = &state.latest_search;
    if let Some(ticket) = ticket {
        latest.fetch_max(ticket, std::sync::atomic::Ordering::Relaxed);
    }
    let superseded =
        || ticket.is_some_and(|t| latest.load(std::sync::atomic::Ordering::Relaxed) > t);
    let started = std::time::Instant::now();
    let hits = index
        .search_unless(&query, limit.clamp(1, 200), as_you_type, &superseded)
        .map_err(ErrorPayload::from)?;
    tracing::debug!(
        target: "margin_app::ipc",
        "search {query:?}: {} hits in {} µs",
        hits.as_ref().map_or(0, Vec::len),
        started.elapsed().as_micros()
    );
    Ok(hits)
}

/// Character ranges of every match of `query` in note `id`'s visible text; the last word
/// counts as a prefix, as in the search box.
#[tauri::command]
pub async fn search_in_note(
    state: State<'_, AppState>,
    id: String,
    query: String,
) -> CmdResult<Vec<Range>> {
    let vault = vault(&state.session())?;
    blocking(move || {
        let note = Note::load(&vault, &id, &[]).map_err(ErrorPayload::from)?;
        Ok(note_matches(&query, &note.text, true))
    })
    .await
}

/// Re-indexes one note in the background after its annotations changed, so search finds the
/// new highlight or comment at once without making the window wait for the commit.
fn reindex_later(app: &tauri::AppHandle, id: &str) {
    use tauri::Manager;
    app.state::<AppState>().session().wrote_annotations(id);
    reindex_in_background(app, vec![id.to_string()], "an annotation change");
}

/// Re-indexes `ids` on the blocking pool after Margin wrote them (`after` names what, for the
/// log), so search finds the change without waiting for the file watcher.
pub(crate) fn reindex_in_background(app: &tauri::AppHandle, ids: Vec<String>, after: &'static str) {
    use tauri::Manager;
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let session = app.state::<AppState>().session();
        if let (Ok(vault), Some(index)) = (&session.vault, session.index.get()) {
            match index.update_notes(vault, &ids) {
                Ok(stats) => tracing::info!(
                    "re-indexed {} note(s) after {after} in {} ms",
                    ids.len(),
                    stats.elapsed.as_millis()
                ),
                Err(err) => tracing::warn!("re-indexing after {after}: {err}"),
            }
        }
    });
}

/// The vault and annotation store of one and the same session: taken together so that a vault
/// switch between two look-ups can never pair one vault's notes with another's annotations.
pub(crate) fn vault_and_store(state: &AppState) -> CmdResult<(Vault, Store)> {
    let session = state.session();
    Ok((vault(&session)?, store(&session)?))
}

fn store(session: &Session) -> CmdResult<Store> {
    session.store.clone().ok_or_else(|| ErrorPayload {
        code: "no_vault".into(),
        message: "no vault is open".into(),
    })
}

/// A note's annotations, as the margin shows them.
#[derive(Serialize)]
pub struct NoteAnnotations {
    annotations: Vec<View>,
    /// Set when the note's annotation file did not parse and was moved to this path.
    set_aside: Option<String>,
}

/// The annotations of note `id`, anchored in its current text (moved ones are saved).
#[tauri::command]
pub async fn list_annotations(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<NoteAnnotations> {
    let (vault, store) = vault_and_store(&state)?;
    // Re-anchoring may save moved selectors: that write is this window's own.
    state.session().wrote_annotations(&id);
    blocking(move || {
        let text = Note::load(&vault, &id, &[]).ok().map(|n| n.text);
        let loaded = store.anchored(&id, text.as_deref())?;
        Ok(NoteAnnotations {
            annotations: loaded.annotations.into_iter().map(View::from).collect(),
            set_aside: loaded.set_aside.map(|p| p.display().to_string()),
        })
    })
    .await
}

/// Highlights characters `start..end` of note `id`'s visible text.
#[tauri::command]
pub async fn add_annotation(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    start: usize,
    end: usize,
    color: String,
) -> CmdResult<View> {
    let (vault, store) = vault_and_store(&state)?;
    let note_id = id.clone();
    blocking(move || {
        let note = Note::load(&vault, &id, &[])?;
        let annotation = Annotation::in_note(&note, start, end, &color)?;
        store.add(&id, annotation.clone())?;
        Ok(View::from(annotation))
    })
    .await
    .inspect(|_| reindex_later(&app, &note_id))
}

/// Changes colour, comment, tags, or re-attaches an orphan to a new range.
#[tauri::command]
pub async fn update_annotation(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    annotation: String,
    patch: Patch,
) -> CmdResult<View> {
    let (vault, store) = vault_and_store(&state)?;
    let note_id = id.clone();
    blocking(move || {
        let text = Note::load(&vault, &id, &[])?.text;
        Ok(View::from(store.edit(&id, &annotation, patch, &text)?))
    })
    .await
    .inspect(|_| reindex_later(&app, &note_id))
}

/// Deletes an annotation and returns it, so the window can offer to undo.
#[tauri::command]
pub async fn delete_annotation(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    annotation: String,
) -> CmdResult<Annotation> {
    let store = store(&state.session())?;
    let note_id = id.clone();
    blocking(move || Ok(store.remove(&id, &annotation)?))
        .await
        .inspect(|_| reindex_later(&app, &note_id))
}

/// Puts back an annotation deleted a moment ago (undo).
#[tauri::command]
pub async fn restore_annotation(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    annotation: Annotation,
) -> CmdResult<()> {
    let store = store(&state.session())?;
    let note_id = id.clone();
    blocking(move || Ok(store.add(&id, annotation)?))
        .await
        .inspect(|_| reindex_later(&app, &note_id))
}

/// One annotated note in the vault-wide view.
#[derive(Serialize)]
pub struct AnnotatedNote {
    note: String,
    title: String,
    annotations: Vec<View>,
}

/// Every annotation of the vault, grouped by note, anchored in the current text.
#[tauri::command]
pub async fn all_annotations(state: State<'_, AppState>) -> CmdResult<Vec<AnnotatedNote>> {
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        let (all, _) = margin_core::annotations::collect(&store, &vault, None)?;
        Ok(all
            .into_iter()
            .map(|(note, title, list)| AnnotatedNote {
                note,
                title,
                annotations: list.into_iter().map(View::from).collect(),
            })
            .collect())
    })
    .await
}

/// The vault's colours and what they mean.
#[tauri::command]
pub async fn get_palette(state: State<'_, AppState>) -> CmdResult<Palette> {
    let store = store(&state.session())?;
    blocking(move || Ok(store.palette())).await
}

/// Saves the vault's colour labels.
#[tauri::command]
pub async fn set_palette(state: State<'_, AppState>, palette: Palette) -> CmdResult<()> {
    let store = store(&state.session())?;
    blocking(move || Ok(store.set_palette(&palette)?)).await
}

/// Exports every annotation (`md` or `w3c`) to a file the user picks in the system's save
/// dialog. The dialog runs in Rust, so the page itself gets no file-system access. Returns the
/// path written, or nothing when the user cancelled.
#[tauri::command]
pub async fn export_annotations(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    format: String,
) -> CmdResult<Option<String>> {
    use margin_core::annotations::{export, write_export, ExportFormat};
    let format = ExportFormat::parse(&format).ok_or_else(|| ErrorPayload {
        code: "bad_format".into(),
        message: format!("unknown export format {format:?}; use md or w3c"),
    })?;
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        let name = format!("margin-annotations.{}", format.extension());
        let Some(path) = save_dialog(&app, "Export annotations", &name) else {
            return Ok(None);
        };
        let text = export(&store, &vault, format)?;
        write_export(&path, &text)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Asks where to save an export, in the system's save dialog (run in Rust, so the page itself
/// gets no file-system access), starting in the user's documents; `None` when cancelled.
pub(crate) fn save_dialog(
    app: &tauri::AppHandle,
    title: &str,
    file_name: &str,
) -> Option<std::path::PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file();
    if let Some(dir) = margin_core::places::Places::documents_dir() {
        dialog = dialog.set_directory(dir);
    }
    dialog
        .set_title(title)
        .set_file_name(file_name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// Answers a `margin-asset://` request: an image from inside the open vault, or 404/403.
/// Nothing outside the vault is ever read (core checks the path as it checks note ids).
pub fn serve_image(app: &tauri::AppHandle, url_path: &str) -> tauri::http::Response<Vec<u8>> {
    use tauri::Manager;
    let session = app.state::<AppState>().session();
    let response = tauri::http::Response::builder().header("Cache-Control", "no-cache");
    let vault = match &session.vault {
        Ok(vault) => vault,
        Err(err) => {
            return response
                .status(404)
                .body(err.to_string().into_bytes())
                .unwrap_or_else(|_| tauri::http::Response::new(Vec::new()))
        }
    };
    let response = match vault.read_image(url_path) {
        Ok((bytes, mime)) => response
            .status(200)
            .header("Content-Type", mime)
            .body(bytes),
        Err(err) => {
            tracing::warn!("image {url_path}: {err}");
            let status = if err.code() == "invalid_note_id" {
                403
            } else {
                404
            };
            response.status(status).body(err.to_string().into_bytes())
        }
    };
    response.unwrap_or_else(|_| tauri::http::Response::new(Vec::new()))
}
