// The one place that talks to the Rust side. Every call returns a Promise that rejects with
// `{ code, message }` (see margin_core::ErrorPayload).

/** @typedef {{ level: number, text: string, id: string }} Heading */
/** @typedef {{ kind: 'folder', name: string, path: string, children: TreeNode[] } |
 *            { kind: 'note', id: string, title: string, tags: string[], headings: Heading[] }} TreeNode */
/** @typedef {{ name: string, children: TreeNode[], note_count: number, warnings: string[] }} Tree */
/** @typedef {{ id: string, title: string, tags: string[], outline: Heading[], html: string,
 *              text: string, warnings: string[] }} Note */
/** @typedef {{ code: string, message: string }} ApiError */

function invoke(cmd, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ code: 'no_backend', message: 'Margin’s backend is not available in this window.' });
  }
  return tauri.core.invoke(cmd, args).catch((err) => {
    throw typeof err === 'object' && err && 'message' in err
      ? err
      : { code: 'internal', message: String(err) };
  });
}

/** @returns {Promise<{ name: string, root: string }>} */
export const vaultInfo = () => invoke('vault_info');
/** @returns {Promise<Tree>} */
export const listTree = () => invoke('list_tree');
/** @returns {Promise<Note>} */
export const getNote = (id) => invoke('get_note', { id });
/** @returns {Promise<void>} */
export const openExternal = (url) => invoke('open_external', { url });
/** @typedef {{ note: string, title: string, heading: string, anchor: string, score: number,
 *              snippet: string, ranges: number[][] }} Hit */
/** @typedef {{ state: string, done: number, total: number, notes: number, message: string }} IndexStatus */

/** @returns {Promise<Hit[]>} */
/** Ranked hits; with a `ticket` (larger = newer), `null` when a newer search overtook it. */
export const search = (query, limit = 40, asYouType = true, ticket = null) =>
  invoke('search', { query, limit, asYouType, ticket });
/** Code-point ranges of every match in the note's visible text. @returns {Promise<number[][]>} */
export const searchInNote = (id, query) => invoke('search_in_note', { id, query });
/** @returns {Promise<IndexStatus>} */
export const indexStatus = () => invoke('index_status');
/** Calls `handler(status)` on every indexing progress event. */
export function onIndexStatus(handler) {
  const tauri = window.__TAURI__;
  if (!tauri?.event) return Promise.resolve(() => {});
  return tauri.event.listen('index-status', (event) => handler(event.payload));
}
/** @typedef {{ exact: string, prefix: string, suffix: string }} Quote */
/** @typedef {{ id: string, quote: Quote, position: { start: number, end: number }, heading: string,
 *              color: string, comment: string, tags: string[], created: string, updated: string,
 *              status: 'anchored' | 'moved' | 'orphan' }} Annotation */

/** @typedef {Annotation & { comment_html: string }} AnnotationView */
/** @returns {Promise<{ annotations: AnnotationView[], set_aside: string | null }>} */
export const listAnnotations = (id) => invoke('list_annotations', { id });
/** Highlights code points start..end of the note's visible text. @returns {Promise<AnnotationView>} */
export const addAnnotation = (id, start, end, color) => invoke('add_annotation', { id, start, end, color });
/** @param {{ color?: string, comment?: string, tags?: string[], range?: number[] }} patch
 *  @returns {Promise<AnnotationView>} */
export const updateAnnotation = (id, annotation, patch) => invoke('update_annotation', { id, annotation, patch });
/** @returns {Promise<Annotation>} the deleted annotation, for undo */
export const deleteAnnotation = (id, annotation) => invoke('delete_annotation', { id, annotation });
/** @returns {Promise<void>} */
export const restoreAnnotation = (id, annotation) => invoke('restore_annotation', { id, annotation });
/** @returns {Promise<{ note: string, title: string, annotations: AnnotationView[] }[]>} */
export const allAnnotations = () => invoke('all_annotations');
/** @typedef {{ version: number, colors: { color: string, label: string }[] }} Palette */
/** @returns {Promise<Palette>} */
export const getPalette = () => invoke('get_palette');
/** @returns {Promise<void>} */
export const setPalette = (palette) => invoke('set_palette', { palette });
/** Opens the save dialog and writes the export. @returns {Promise<string | null>} the path */
export const exportAnnotations = (format) => invoke('export_annotations', { format });
/** @typedef {{ touched: { added: string[], changed: string[], removed: string[] },
 *              renamed: [string, string][], annotations: string[], rescan: boolean }} VaultChanged */
/** Calls `handler(change)` whenever notes change on disk. */
export function onVaultChanged(handler) {
  const tauri = window.__TAURI__;
  if (!tauri?.event) return Promise.resolve(() => {});
  return tauri.event.listen('vault-changed', (event) => handler(event.payload));
}
/** @returns {Promise<{ path: string, name: string, exists: boolean }[]>} */
export const recentVaults = () => invoke('recent_vaults');
/** Opens a recent vault (`path`) or asks for a folder (`null`). @returns {Promise<boolean>} */
export const openVault = (path) => invoke('open_vault', { path });
/** Makes the menu bar and dialogs follow the page's theme ('light', 'dark' or 'system'). */
export const setWindowTheme = (theme) => invoke('set_window_theme', { theme });
/** Zooms the whole interface (1 = 100 %), as a browser's page zoom does. */
export const setInterfaceZoom = (scale) => invoke('set_interface_zoom', { scale });
/** Subscribes `handler(payload)` to a backend event. */
function on(event, handler) {
  const tauri = window.__TAURI__;
  if (!tauri?.event) return Promise.resolve(() => {});
  return tauri.event.listen(event, (e) => handler(e.payload));
}
/** Calls `handler(message)` when conflict copies left by a sync tool were merged. */
export const onSyncMerged = (handler) => on('sync-merged', handler);
/** Calls `handler(itemId)` when an item of the native menu is chosen. */
export const onMenu = (handler) => on('menu', handler);
/** Calls `handler(path)` when another vault was opened from outside the page (Open Recent, a second launch). */
export const onVaultOpened = (handler) => on('vault-opened', handler);
/** Calls `handler(message)` when something failed outside a call of the page's. */
export const onAppError = (handler) => on('app-error', handler);
/** @typedef {{ note: string, base: string, text: string, saved: string }} Draft */
/** @returns {Promise<{ id: string, text: string, layout: { bom: boolean, crlf: boolean }, read_only: boolean, draft: Draft | null }>} */
export const noteSource = (id) => invoke('note_source', { id });
/** @typedef {{ outcome: 'unchanged' | 'written' | 'recreated' } | { outcome: 'merged', text: string } |
 *            { outcome: 'conflict', conflict: string }} Saved */
/** @returns {Promise<Saved>} */
export const saveNote = (id, base, text, highlights = []) => invoke('save_note', { id, base, text, highlights });
/** @returns {Promise<void>} */
export const putDraft = (id, base, text) => invoke('put_draft', { id, base, text });
/** @returns {Promise<void>} */
export const dropDraft = (id) => invoke('drop_draft', { id });
/** @returns {Promise<string>} the new note's id */
export const createNote = (folder, title) => invoke('create_note', { folder, title });
/** @returns {Promise<string>} */
export const createFolder = (path) => invoke('create_folder', { path });
/** @returns {Promise<{ id: string, links: [string, number][], annotations: number }>} */
export const moveNote = (from, to) => invoke('move_note', { from, to });
/** @typedef {{ id: string, bytes: number[] }} Trashed */
/** @returns {Promise<Trashed>} */
export const trashNote = (id) => invoke('trash_note', { id });
/** @returns {Promise<void>} */
export const untrashNote = (trashed) => invoke('untrash_note', { trashed });
/** A conflict copy beside its note: `{ conflict: { copy, original, tool }, original_text,
 *  copy_text, merged, has_markers }`. */
export const compareConflict = (id) => invoke('compare_conflict', { id });
/** Settles conflict copy `id`: keep 'original', 'copy', or 'merged' with `text`; the copy goes
 *  to the trash (the result undoes it). */
export const keepConflict = (id, keep, text) =>
  invoke('keep_conflict', { id, keep: text === undefined ? { keep } : { keep, text } });
/** Calls `handler()` when the window is about to close or the app to quit: save, then answer. */
export const onCloseRequested = (handler) => on('close-requested', handler);
/** Ends the app (after the page saved what it had). */
export const closeNow = () => invoke('close_now');
/** Keeps the window open (a save failed; the page says why). */
export const cancelClose = () => invoke('cancel_close');
/** Saves an image into `attachments/` beside note `id`. @returns {Promise<string>} the link target */
export const saveAttachment = (id, name, bytes) => invoke('save_attachment', { id, name, bytes: Array.from(bytes) });
/** The clipboard's image saved beside note `id` (Linux: the page's paste event has no files): its link, or null. */
export const pasteImage = (id, name) => invoke('paste_image', { id, name });
/** Highlights UTF-16 offsets from..to of the saved source of note `id` (from the editor).
 *  @returns {Promise<{ id: string, color: string, from: number, to: number }[]>} where it is drawn */
export const annotateSource = (id, from, to, color) => invoke('annotate_source', { id, from, to, color });

/** @typedef {{ id: string, note: string, annotation: string | null, heading: string | null,
 *              kind: 'cloze' | 'qa' | 'heading', state: 'new' | 'review' | 'relearning' | 'suspended',
 *              due: string | null, stability: number, difficulty: number, reps: number,
 *              lapses: number, last_review: string | null }} CardRow */
/** @typedef {{ front: string, back: string, cloze: string[], heading: string,
 *              annotation: string | null, suspended: boolean }} CardFace */
/** The cards due now under a folder or note (`''`: all), in review order. @returns {Promise<CardRow[]>} */
export const studyQueue = (under) => invoke('study_queue', { under });
/** Every card under a folder or note. @returns {Promise<CardRow[]>} */
export const studyCards = (under) => invoke('study_cards', { under });
/** @returns {Promise<CardFace>} */
export const studyFace = (note, card) => invoke('study_face', { note, card });
/** @returns {Promise<{ review: string, interval_days: number }>} */
export const studyGrade = (note, card, grade, tookMs) => invoke('study_grade', { note, card, grade, tookMs });
/** @returns {Promise<void>} */
export const studyUndo = (review) => invoke('study_undo', { review });
/** A card (`cloze` or `qa`) of a highlight. @returns {Promise<{ id: string }>} */
export const studyAddCard = (note, annotation, kind = 'cloze') => invoke('study_add_card', { note, annotation, kind });
/** @returns {Promise<void>} */
export const studyRemoveCard = (note, card) => invoke('study_remove_card', { note, card });
/** The note's "Cards" switch. @returns {Promise<number>} its cards now */
export const studyNoteCards = (note, on) => invoke('study_note_cards', { note, on });
/** @returns {Promise<void>} */
export const studyMarkRead = (note, read) => invoke('study_mark_read', { note, read });
/** @typedef {{ read: boolean, highlights: number, cards: number, due: number }} NoteProgress */
/** @typedef {{ folder: string, notes: number, read: number, highlights: number, cards: number, due: number }} FolderProgress */
/** @returns {Promise<{ notes: Record<string, NoteProgress>, folders: FolderProgress[] }>} */
export const studyProgress = () => invoke('study_progress');
/** @typedef {{ topic: string, cards: number, due: number, reviews: number, retention: number | null, time_ms: number }} TopicStats */
/** @typedef {{ due_per_day: number[], new_today: number, reviews_per_day: number[], first_day: string,
 *              total: TopicStats, topics: TopicStats[] }} StudyStats */
/** The Study view's numbers, in the window's local days. @returns {Promise<StudyStats>} */
export const studyStats = () => invoke('study_stats', { offset: -new Date().getTimezoneOffset() });
/** Asks where to save, then writes `cards` (Anki import) or `reviews` (revlog CSV). @returns {Promise<string | null>} */
export const studyExport = (format) => invoke('study_export', { format });
/** Fits the FSRS parameters to the vault's reviews (≥ 400). @returns {Promise<{ parameters: number[], reviews: number, items: number }>} */
export const studyOptimise = () => invoke('study_optimise');
/** Calls `handler({ done, total })` while the optimiser trains. */
export function onOptimiseProgress(handler) {
  const tauri = window.__TAURI__;
  if (!tauri?.event) return Promise.resolve(() => {});
  return tauri.event.listen('optimise-progress', (event) => handler(event.payload));
}
/** Where pasted images go in this vault. @returns {Promise<string>} */
export const attachmentsFolder = () => invoke('attachments_folder');
/** @returns {Promise<void>} */
export const setAttachmentsFolder = (folder) => invoke('set_attachments_folder', { folder });
