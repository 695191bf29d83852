//! The commands of studying: cards from highlights, the review queue and its grades, reading
//! marks and progress per topic. Each is state + arguments → a [`margin_core::study`] call on
//! the blocking pool, written as this computer (its device id keeps its own review log).

use std::collections::HashMap;

use margin_core::annotations::Store;
use margin_core::study::{self, progress, Card, CardRow, Grade, Kind, Study};
use margin_core::ErrorPayload;
use serde::Serialize;
use tauri::State;
use time::OffsetDateTime;

use crate::commands::{blocking, save_dialog, vault_and_store, CmdResult};
use crate::state::AppState;

/// The open vault's study data, written as this computer.
fn study_of(store: &Store) -> CmdResult<Study> {
    Ok(Study::for_this_computer(store)?)
}

/// The cards due now under `under` (a folder, a note, or `""` for the whole vault), in the
/// order they are reviewed.
#[tauri::command]
pub async fn study_queue(state: State<'_, AppState>, under: String) -> CmdResult<Vec<CardRow>> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        Ok(study::due(
            &study,
            &store,
            &under,
            OffsetDateTime::now_utc(),
        )?)
    })
    .await
}

/// Every card of the notes under `under`, with its schedule (a note's "Cards" marks).
#[tauri::command]
pub async fn study_cards(state: State<'_, AppState>, under: String) -> CmdResult<Vec<CardRow>> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || Ok(study::list(&study_of(&store)?, &store, &under)?)).await
}

/// What card `card` of `note` asks and answers, from the note as it is now.
#[tauri::command]
pub async fn study_face(
    state: State<'_, AppState>,
    note: String,
    card: String,
) -> CmdResult<study::cards::Face> {
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        Ok(study::face_of(&vault, &store, &study, &note, &card)?)
    })
    .await
}

/// A grade given, as the review window needs it.
#[derive(Serialize)]
pub struct Graded {
    /// The review's id, for undo.
    review: String,
    /// Days until the card is due again.
    interval_days: f64,
}

/// Grades card `card` of `note` (`again|hard|good|easy`); `took_ms` from the card shown to
/// the grade. The review is on disk before this returns.
#[tauri::command]
pub async fn study_grade(
    state: State<'_, AppState>,
    note: String,
    card: String,
    grade: String,
    took_ms: u64,
) -> CmdResult<Graded> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        let grade = Grade::parse(&grade)?;
        let review = study.grade(
            &note,
            &card,
            grade,
            OffsetDateTime::now_utc(),
            true,
            took_ms,
        )?;
        Ok(Graded {
            review: review.id,
            interval_days: review.interval_days,
        })
    })
    .await
}

/// Undoes the grade `review`.
#[tauri::command]
pub async fn study_undo(state: State<'_, AppState>, review: String) -> CmdResult<()> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || Ok(study_of(&store)?.undo(&review)?)).await
}

/// Makes a card (`cloze` or `qa`) of highlight `annotation` of `note`; the same one twice
/// gives the card made before.
#[tauri::command]
pub async fn study_add_card(
    state: State<'_, AppState>,
    note: String,
    annotation: String,
    kind: String,
) -> CmdResult<Card> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        Ok(study::add_highlight_card(
            &study,
            &store,
            &note,
            &annotation,
            Kind::parse(&kind)?,
        )?)
    })
    .await
}

/// Removes card `card` of `note`.
#[tauri::command]
pub async fn study_remove_card(
    state: State<'_, AppState>,
    note: String,
    card: String,
) -> CmdResult<()> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || Ok(study_of(&store)?.remove_card(&note, &card)?)).await
}

/// The "Cards" switch of note `note`: on makes a card of each highlight (or of each section
/// of a note without highlights); off removes them. Returns how many cards the note has now.
#[tauri::command]
pub async fn study_note_cards(
    state: State<'_, AppState>,
    note: String,
    on: bool,
) -> CmdResult<usize> {
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        if on {
            Ok(study::add_note_cards(&study, &store, &vault, &note)?.len())
        } else {
            study::remove_note_cards(&study, &note)?;
            Ok(0)
        }
    })
    .await
}

/// Marks note `note` read (scrolled to its end, or `m`) or not read.
#[tauri::command]
pub async fn study_mark_read(
    state: State<'_, AppState>,
    note: String,
    read: bool,
) -> CmdResult<()> {
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        vault.path_of(&note)?;
        Ok(study_of(&store)?.mark_read(&note, read)?)
    })
    .await
}

/// Progress for the tree's badges: per note, and per folder (`""` is the vault).
#[derive(Serialize)]
pub struct Progress {
    notes: HashMap<String, progress::NoteProgress>,
    folders: Vec<progress::Row>,
}

/// The progress of every note and folder of the vault, counted without opening a note.
#[tauri::command]
pub async fn study_progress(state: State<'_, AppState>) -> CmdResult<Progress> {
    let (vault, store) = vault_and_store(&state)?;
    let mut notes = state
        .session()
        .known_ids
        .read()
        .map(|k| k.clone())
        .unwrap_or_default();
    blocking(move || {
        if notes.is_empty() {
            notes = vault.note_ids();
        }
        let study = study_of(&store)?;
        let notes = progress::per_note(&notes, &study, &store, OffsetDateTime::now_utc())?;
        let folders = progress::rows(&notes, "");
        Ok(Progress { notes, folders })
    })
    .await
}

/// The Study view's numbers: cards due per day ahead, reviews per day back, per topic; days
/// are the window's local days (`offset`: minutes east of UTC).
#[tauri::command]
pub async fn study_stats(
    state: State<'_, AppState>,
    offset: i32,
) -> CmdResult<study::stats::Stats> {
    let (_, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        Ok(study::stats::of_study(
            &study,
            &store,
            OffsetDateTime::now_utc(),
            offset,
        )?)
    })
    .await
}

/// Exports for Anki (`cards`: Anki's plain-text import; `reviews`: CSV in revlog columns) to a
/// file the user picks in the system's save dialog (run in Rust: the page gets no file
/// access). Returns the path written, or nothing when the user cancelled.
#[tauri::command]
pub async fn study_export(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    format: String,
) -> CmdResult<Option<String>> {
    use margin_core::study::anki::{self, Format};
    let format = Format::parse(&format).ok_or_else(|| ErrorPayload {
        code: "bad_format".into(),
        message: format!("unknown export format {format:?}; use cards or reviews"),
    })?;
    let (vault, store) = vault_and_store(&state)?;
    blocking(move || {
        let Some(path) = save_dialog(&app, "Export for Anki", format.file_name()) else {
            return Ok(None);
        };
        let study = study_of(&store)?;
        let text = anki::export(&vault, &store, &study, format)?;
        margin_core::annotations::write_export(&path, &text)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Fits the FSRS parameters to this vault's reviews (at least 400) in the background,
/// sending `optimise-progress` events (`{ done, total }`) as it trains; saves and returns them.
#[tauri::command]
pub async fn study_optimise(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<study::optimise::Optimised> {
    use tauri::Emitter;
    let (_, store) = vault_and_store(&state)?;
    blocking(move || {
        let study = study_of(&store)?;
        Ok(study::optimise::optimise(&study, &mut |done, total| {
            let _ = app.emit(
                "optimise-progress",
                serde_json::json!({ "done": done, "total": total }),
            );
            true
        })?)
    })
    .await
}
