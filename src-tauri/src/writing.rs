//! The commands of writing: the editor's load, save and drafts, and new / rename / move /
//! trash. Each is state + arguments → a margin-core call ([`margin_core::edit`]) on the
//! blocking pool; after a write the note is re-indexed at once, so search finds the new text
//! without waiting for the file watcher.

use margin_core::edit::{self, Draft, Drafts, Moved, Saved, Source, Trashed};
use serde::Serialize;
use tauri::State;

use crate::commands::{blocking, vault_and_store, CmdResult};
use crate::state::AppState;

/// A note's source for the editor, with the draft of unsaved text left by an earlier session
/// (a crash, a failed save) when it differs from the file.
#[derive(Serialize)]
pub struct EditorSource {
    #[serde(flatten)]
    source: Source,
    draft: Option<Draft>,
    /// The note's highlights placed in its source (through the source map).
    highlights: Vec<edit::SourceHighlight>,
}

/// Opens note `id` in the editor.
#[tauri::command]
pub async fn note_source(state: State<'_, AppState>, id: String) -> CmdResult<EditorSource> {
    let (vault, store) = vault_and_store(&state)?;
    // Anchoring may save moved highlights: that write is this window's own.
    state.session().wrote_annotations(&id);
    blocking(move || {
        let source = edit::load(&vault, &id)?;
        let draft = Drafts::of(&store)
            .get(&id)
            .filter(|d| d.text != source.text);
        let highlights = edit::editor_highlights(&store, &id, &source.text)?;
        Ok(EditorSource {
            source,
            draft,
            highlights,
        })
    })
    .await
}

/// Saves the editor's text (see [`edit::save`]: merged with outside edits, never lost), then
/// forgets its draft, stores where the editor's edits moved the note's highlights (when the
/// file now holds the editor's text; a merged text is anchored by quote instead) and
/// re-indexes the note.
#[tauri::command]
pub async fn save_note(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    base: String,
    text: String,
    highlights: Option<Vec<edit::Placed>>,
) -> CmdResult<Saved> {
    let (vault, store) = vault_and_store(&state)?;
    let note = id.clone();
    let placed = highlights.unwrap_or_default();
    if !placed.is_empty() {
        state.session().wrote_annotations(&id);
    }
    let asked = std::time::Instant::now();
    let saved = blocking(move || {
        let started = std::time::Instant::now();
        let waited = started.duration_since(asked).as_millis();
        // A note that cannot be written (read-only, disk full) keeps the text as a draft for
        // the next start. Written only then: a draft before every save (as this once did)
        // cost 95 ms on a 1 MB note and only moved the moment a kill loses the text earlier
        // — the atomic save leaves the old note or the new one, never a torn one.
        let drafts = Drafts::of(&store);
        let saved = match edit::save(&vault, &id, &base, &text) {
            Ok(saved) => saved,
            Err(err) => {
                if let Err(kept) = drafts.put(&id, &base, &text) {
                    tracing::error!("{id} not saved ({err}) and no draft kept: {kept}");
                }
                return Err(err.into());
            }
        };
        tracing::info!(
            "saved {id} ({} bytes) in {} ms (waited {waited} ms for a thread)",
            text.len(),
            started.elapsed().as_millis()
        );
        let _ = drafts.remove(&id);
        if !matches!(saved, Saved::Merged { .. }) {
            let text = text.replace("\r\n", "\n");
            if let Err(err) = edit::place_highlights(&store, &id, &text, &placed) {
                // The text is saved; the highlights are anchored by their quotes instead.
                tracing::warn!("highlights of {id} not placed after the save: {err}");
            }
        }
        Ok(saved)
    })
    .await?;
    let mut touched = vec![note];
    if let Saved::Conflict { conflict } = &saved {
        touched.push(conflict.clone());
    }
    reindex(&app, touched);
    Ok(saved)
}

/// Keeps the editor's unsaved text in `.margin/drafts/` (written ≤ 1 s after typing stops).
#[tauri::command]
pub async fn put_draft(
    state: State<'_, AppState>,
    id: String,
    base: String,
    text: String,
) -> CmdResult<()> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || Ok(Drafts::of(&store).put(&id, &base, &text)?)).await
}

/// Forgets the draft of `id` (the user chose the file's text over it).
#[tauri::command]
pub async fn drop_draft(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || Ok(Drafts::of(&store).remove(&id)?)).await
}

/// Makes a note titled `title` in `folder` and returns its id.
#[tauri::command]
pub async fn create_note(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    folder: String,
    title: String,
) -> CmdResult<String> {
    let (vault, _) = vault_and_store(&state)?;
    let id = blocking(move || Ok(edit::create_note(&vault, &folder, &title)?)).await?;
    reindex(&app, vec![id.clone()]);
    Ok(id)
}

/// Makes a folder (vault-relative path).
#[tauri::command]
pub async fn create_folder(state: State<'_, AppState>, path: String) -> CmdResult<String> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(edit::create_folder(&vault, &path)?)).await
}

/// Renames or moves a note: links rewritten across the vault, annotations carried.
#[tauri::command]
pub async fn move_note(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> CmdResult<Moved> {
    let (vault, store) = vault_and_store(&state)?;
    let moved = blocking(move || Ok(edit::move_note(&vault, &store, &from, &to)?)).await?;
    let mut touched: Vec<String> = moved.links.iter().map(|(id, _)| id.clone()).collect();
    touched.push(moved.id.clone());
    reindex(&app, touched);
    Ok(moved)
}

/// Sends a note to the OS trash; returns what undo needs.
#[tauri::command]
pub async fn trash_note(state: State<'_, AppState>, id: String) -> CmdResult<Trashed> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(edit::trash_note(&vault, &id)?)).await
}

/// A note's conflict copy beside the note, for *compare and keep*.
#[tauri::command]
pub async fn compare_conflict(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<margin_core::sync::NoteCompare> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(margin_core::sync::compare_note(&vault, &id)?)).await
}

/// Settles conflict copy `id`: keeps the note, the copy, or the merge (`keep`); the copy goes
/// to the trash after the note is written. Returns what undo needs.
#[tauri::command]
pub async fn keep_conflict(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    keep: margin_core::sync::Keep,
) -> CmdResult<Trashed> {
    let (vault, _) = vault_and_store(&state)?;
    let original = margin_core::sync::note_conflict(&id).map(|c| c.original);
    let trashed = blocking(move || Ok(margin_core::sync::keep_note(&vault, &id, keep)?)).await?;
    reindex(&app, original.into_iter().collect());
    Ok(trashed)
}

/// Undoes a trash: the note comes back with its exact bytes.
#[tauri::command]
pub async fn untrash_note(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    trashed: Trashed,
) -> CmdResult<()> {
    let (vault, _) = vault_and_store(&state)?;
    let id = trashed.id.clone();
    blocking(move || Ok(edit::untrash(&vault, &trashed)?)).await?;
    reindex(&app, vec![id]);
    Ok(())
}

/// Saves an image pasted or dropped into note `id` beside it (`attachments/`); returns the
/// link target to insert.
#[tauri::command]
pub async fn save_attachment(
    state: State<'_, AppState>,
    id: String,
    name: String,
    bytes: Vec<u8>,
) -> CmdResult<String> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(edit::save_attachment(&vault, &id, &name, &bytes)?)).await
}

/// Saves the image on the system clipboard beside note `id` as `name` (a PNG) and returns the
/// link target to insert; `None` when the clipboard holds no image. For Linux: WebKitGTK's
/// paste event carries no files for a copied image (a screenshot), so the editor asks here.
/// Elsewhere the webview hands the page the file itself, and this finds nothing.
#[tauri::command]
pub async fn paste_image(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> CmdResult<Option<String>> {
    let (vault, _) = vault_and_store(&state)?;
    let Some(png) = clipboard_png(&app).await? else {
        return Ok(None);
    };
    blocking(move || Ok(Some(edit::save_attachment(&vault, &id, &name, &png)?))).await
}

/// The clipboard's image as PNG bytes, asked for on GTK's main thread without blocking it.
#[cfg(target_os = "linux")]
async fn clipboard_png(app: &tauri::AppHandle) -> CmdResult<Option<Vec<u8>>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
        clipboard.request_image(move |_, image| {
            let png = image.and_then(|pixbuf| pixbuf.save_to_bufferv("png", &[]).ok());
            let _ = tx.send(png);
        });
    })
    .map_err(|err| margin_core::ErrorPayload {
        code: "internal".into(),
        message: format!("the clipboard could not be read: {err}"),
    })?;
    Ok(rx.await.ok().flatten())
}

#[cfg(not(target_os = "linux"))]
async fn clipboard_png(_app: &tauri::AppHandle) -> CmdResult<Option<Vec<u8>>> {
    Ok(None)
}

/// Highlights UTF-16 offsets `from..to` of the (saved) source of note `id` from the editor;
/// returns where it is drawn in the source.
#[tauri::command]
pub async fn annotate_source(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    from: usize,
    to: usize,
    color: String,
) -> CmdResult<Vec<edit::SourceHighlight>> {
    use tauri::Manager;
    let (vault, store) = vault_and_store(&state)?;
    app.state::<AppState>().session().wrote_annotations(&id);
    let note = id.clone();
    let drawn = blocking(move || {
        Ok(edit::annotate_source(
            &vault, &store, &id, from, to, &color,
        )?)
    })
    .await?;
    reindex(&app, vec![note]);
    Ok(drawn)
}

/// Re-indexes notes in the background after Margin wrote them.
fn reindex(app: &tauri::AppHandle, ids: Vec<String>) {
    crate::commands::reindex_in_background(app, ids, "a save");
}

/// Where pasted and dropped images go in the open vault (see [`edit::attachments_folder`]).
#[tauri::command]
pub async fn attachments_folder(state: State<'_, AppState>) -> CmdResult<String> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(edit::attachments_folder(&vault))).await
}

/// Sets where pasted and dropped images go in the open vault.
#[tauri::command]
pub async fn set_attachments_folder(state: State<'_, AppState>, folder: String) -> CmdResult<()> {
    let (vault, _) = vault_and_store(&state)?;
    blocking(move || Ok(edit::set_attachments_folder(&vault, &folder)?)).await
}
