// Wires the parts of the screen together, owns the keyboard shortcuts, opens the last (or
// first) note.

import * as api from './api.js';
import { createTree } from './tree.js';
import { createReader } from './reader.js';
import { createStatus } from './status.js';
import { createSearch } from './search.js';
import { createFindBar } from './findbar.js';
import { createOutline } from './outline.js';
import { createLayout } from './layout.js';
import { appSettings, vaultSettings } from './settings.js';
import { markText, clearMarks } from './highlight.js';
import { createAnnotations } from './annotations.js';
import { createLibrary } from './library.js';
import { createVaults } from './vaults.js';
import { createActions, keyAction } from './actions.js';
import { createShortcuts } from './shortcuts.js';
import { createEditor } from './editor.js';
import { createPrompt } from './prompt.js';
import { flattenFolders, movedId } from './tree-model.js';
import { createReview } from './review.js';
import { createStudyView } from './study-view.js';
import { createConflictBar } from './conflict.js';

const $ = (role) => /** @type {HTMLElement} */ (document.querySelector(`[data-role="${role}"]`));

let vault = vaultSettings('');
/** The session shown; events of an earlier vault carry another number and are ignored. */
let generation = null;
let openSeq = 0;
let currentId = null;
/** The open note's headings (their ids, in order): places the editor and the reader share. */
let currentOutline = [];

/** The menu bar and dialogs follow the page's theme. 'system' at start leaves the desktop's
 *  own choice alone; only after a light or dark choice is the window told to follow again. */
let windowThemed = false;
function followTheme(theme) {
  if (theme === 'system' && !windowThemed) return;
  windowThemed = true;
  api.setWindowTheme(theme).catch(() => {});
}
const layout = createLayout({
  app: $('app'),
  resizer: $('resizer'),
  themeButton: $('theme'),
  settings: appSettings,
  onTheme: followTheme,
  onInterfaceZoom: (scale) => api.setInterfaceZoom(scale).catch(() => {}),
});
const status = createStatus($('status'));
const reader = createReader($('note'), {
  onOpenNote: (id, anchor) => openNote(id, anchor),
  onExternal: (url) => api.openExternal(url).catch((err) => status.say(err.message, 'error')),
});
const tree = createTree($('tree'), {
  onOpen: (id, anchor) => openNote(id, anchor),
  onFoldersChanged: (folders) => vault.set('openFolders', folders),
  onReview: (under, label) => review.open(under, label),
  onMove: (id, folder) => relocate(id, movedId(id, folder), 'Moved'),
});
const outline = createOutline($('outline'), { onJump: (anchor) => reader.scrollToAnchor(anchor) });
const body = () => /** @type {HTMLElement | null} */ (document.querySelector('.note-body'));
const findBar = createFindBar($('find-bar'), {
  find: (query) => (currentId ? api.searchInNote(currentId, query) : Promise.resolve([])),
  mark: (ranges) => (body() ? markText(body(), ranges) : []),
  clear: () => body() && clearMarks(body()),
});
const annotations = createAnnotations({
  body,
  margin: $('annotations'),
  popover: $('popover'),
  paletteButton: $('palette-button'),
  cardsButton: $('cards-button'),
  api,
  status,
  onCardsChanged: () => refreshProgress(),
});
const editor = createEditor($('editor'), {
  api,
  status,
  covers: $('reader-pane'),
  // A highlight made in the editor shows in the margin at once.
  onSaved: (id, outcome) => outcome.outcome === 'annotated' && annotations.show(id).catch(() => {}),
});
const ask = createPrompt($('prompt'));

/** Read marks and cards due per note and folder, shown in the tree (fetched after the tree is
 *  drawn, so its first paint does not wait for them). */
let progress = { notes: {}, folders: [] };
async function refreshProgress() {
  try {
    progress = await api.studyProgress();
    tree.setProgress(progress);
  } catch (err) {
    status.say(err.message, 'error');
  }
}

const review = createReview($('review'), {
  api,
  status,
  onChanged: () => {
    refreshProgress();
    if (studyView.isOpen) studyView.open().catch(() => {});
  },
  /** `o` and `e` in a review: the note at the card's highlight (or section); `e` opens its
   *  highlight's edit form. */
  async onOpen(note, annotation, edit, heading) {
    refreshProgress();
    if (!(await openNote(note))) return;
    if (annotation) {
      annotations.jump(annotation);
      if (edit) annotations.edit(annotation);
    } else if (heading) {
      const h = currentOutline.find((x) => x.text === heading);
      if (h) reader.scrollToAnchor(h.id);
    }
  },
});

/** `m`, or scrolling to the end of a note: it counts as read (m again: not read). */
async function markRead(read, quiet = false) {
  if (!currentId) return;
  const id = currentId;
  try {
    await api.studyMarkRead(id, read);
    if (!quiet) status.say(read ? `${id} marked read.` : `${id} marked not read.`);
    await refreshProgress();
  } catch (err) {
    status.say(err.message, 'error');
  }
}
let readAtEnd = null;

/** Ctrl+E: the reader becomes the Markdown editor at the same section, and back. */
async function toggleEdit() {
  if (editor.isOpen) {
    const section = await editor.close();
    if (section === false) return; // not saved: the editor stays
    // Read after close(): its last save counts. Unchanged here and on disk, the note on screen
    // is still right (rendering a 1 MB note again takes a second).
    if (editor.changed || readerStale) await openNote(currentId, null, { reload: true });
    readerStale = false;
    const anchor = currentOutline[section]?.id;
    if (anchor) reader.scrollToAnchor(anchor);
    $('reader-pane').focus({ preventScroll: true });
    return;
  }
  if (!currentId) return;
  if (library.isOpen) closeLibrary();
  findBar.hide();
  const section = currentOutline.findIndex((h) => h.id === currentSection);
  try {
    await editor.open(currentId, { sectionIndex: section >= 0 ? section : null });
  } catch (err) {
    status.say(err.message, 'error');
  }
}

/** The folder new notes go to: the folder row focused in the tree, else the open note's. */
function targetFolder() {
  const row = document.activeElement?.closest?.('[data-folder]');
  if (row instanceof HTMLElement && row.dataset.folder !== undefined) return row.dataset.folder;
  return currentId?.includes('/') ? currentId.slice(0, currentId.lastIndexOf('/')) : '';
}

/** A conflict copy's note was kept (or merged): the tree loses the copy, the note opens — in
 *  the editor when the merge left places to settle. */
const conflictBar = createConflictBar($('conflict-bar'), {
  api,
  status,
  onSettled: async (id, settle) => {
    await refreshTree();
    await openNote(id, null, { reload: true });
    if (settle && !editor.isOpen) await toggleEdit();
  },
});

async function refreshTree() {
  const data = await api.listTree();
  tree.render(data, vault.get('openFolders', []));
  status.set({ notes: data.note_count });
  refreshProgress();
}

/** Ctrl+N: a new note in the selected folder, opened in the editor. */
async function newNote() {
  const folder = targetFolder();
  const title = await ask(`New note in ${folder || 'the top folder'}`, 'Title');
  if (!title) return;
  try {
    const id = await api.createNote(folder, title);
    await refreshTree();
    if (await openNote(id)) await toggleEdit();
    status.say(`Created ${id}`);
  } catch (err) {
    status.say(err.message, 'error');
  }
}

/** Ctrl+Shift+N: a new folder inside the selected one. */
async function newFolder() {
  const parent = targetFolder();
  const name = await ask(`New folder in ${parent || 'the top folder'}`, 'Folder name');
  if (!name) return;
  try {
    const path = await api.createFolder(parent ? `${parent}/${name}` : name);
    vault.set('openFolders', [...new Set([...vault.get('openFolders', []), parent, path].filter(Boolean))]);
    await refreshTree();
    status.say(`Created the folder ${path}; Ctrl+N makes a note in it once it is selected.`);
  } catch (err) {
    status.say(err.message, 'error');
  }
}

/** F2: rename or move the open note; links to it are rewritten, highlights go with it. */
async function renameNote() {
  if (!currentId) return;
  const from = currentId;
  const to = await ask('Rename or move the note', 'New path, e.g. folder/name.md', from, { okLabel: 'Rename' });
  if (!to || to === from) return;
  await relocate(from, to.endsWith('.md') || to.endsWith('.markdown') ? to : `${to}.md`, 'Renamed');
}

/** Renames or moves note `from` to `to`: the editor saves first, links and highlights follow. */
async function relocate(from, to, verb) {
  if (to === from) return;
  const wasEditing = editor.isOpen;
  if (wasEditing && (await editor.close()) === false) return;
  try {
    const moved = await api.moveNote(from, to);
    await refreshTree();
    await openNote(moved.id, null, { reload: true });
    const links = moved.links.reduce((n, [, c]) => n + c, 0);
    status.say(`${verb} to ${moved.id}; ${links} link${links === 1 ? '' : 's'} rewritten in ${moved.links.length} note${moved.links.length === 1 ? '' : 's'}.`);
    if (wasEditing) await toggleEdit();
  } catch (err) {
    status.say(err.message, 'error');
    if (wasEditing) await toggleEdit();
  }
}

/** Ctrl+Shift+M: move the open note to another folder, picked from the vault's folders. */
async function moveNoteTo() {
  if (!currentId) return;
  const folders = flattenFolders((await api.listTree()).children);
  const here = currentId.includes('/') ? currentId.slice(0, currentId.lastIndexOf('/')) : '';
  const folder = await ask(`Move ${currentId} to…`, 'Folder (empty for the top folder)', here, { okLabel: 'Move', choices: folders.filter(Boolean), allowEmpty: true });
  if (folder === null) return;
  await relocate(currentId, movedId(currentId, folder), 'Moved');
}

/** Ctrl+Delete: the open note goes to the system's trash, with Undo. */
async function deleteNote() {
  if (!currentId) return;
  const id = currentId;
  if (editor.isOpen && (await editor.close()) === false) return;
  try {
    const trashed = await api.trashNote(id);
    currentId = null;
    await refreshTree();
    reader.showMessage('Moved to the trash', `${id} is in your system's trash. Its highlights are kept.`);
    status.offerUndo(`${id} moved to the trash.`, async () => {
      try {
        await api.untrashNote(trashed);
        await refreshTree();
        await openNote(id);
      } catch (err) {
        status.say(err.message, 'error');
      }
    });
  } catch (err) {
    status.say(err.message, 'error');
  }
}

/** File ▸ Attachments Folder…: where pasted and dropped images go in this vault. */
async function chooseAttachmentsFolder() {
  try {
    const now = await api.attachmentsFolder();
    const folder = await ask('Pasted and dropped images go to…', 'attachments (beside each note), . (the note’s folder) or /assets (one folder for the vault)', now, { okLabel: 'Save' });
    if (folder === null || folder === now) return;
    await api.setAttachmentsFolder(folder);
    status.say(`Images now go to ${folder.startsWith('/') ? `${folder.slice(1)} at the vault's top` : folder === '.' ? "the note's own folder" : `${folder}/ beside each note`}.`);
  } catch (err) {
    status.say(err.message, 'error');
  }
}

/** Asks where to save, then writes every annotation of the vault (`md` or `w3c` JSON-LD). */
async function exportAnnotations(format) {
  try {
    const path = await api.exportAnnotations(format);
    if (path) status.say(`Annotations exported to ${path}`);
  } catch (err) {
    status.say(err.message, 'error');
  }
}
const library = createLibrary($('library'), {
  load: () => api.allAnnotations(),
  onExport: exportAnnotations,
  onOpen: async (note, annotationId) => {
    closeLibrary();
    await openNote(note);
    annotations.jump(annotationId);
  },
});
function openLibrary() {
  if (editor.isOpen) return status.say('Leave the editor first (Ctrl+E): the Library takes its place.', 'warn');
  $('note').hidden = true;
  findBar.hide();
  library.open().catch((err) => status.say(err.message, 'error'));
}
function closeLibrary() {
  library.close();
  $('note').hidden = false;
}
$('open-library').addEventListener('click', () => (library.isOpen ? closeLibrary() : openLibrary()));

const studyView = createStudyView($('study-view'), {
  load: () => api.studyStats(),
  onReview: (topic, label) => review.open(topic, label),
  onOptimise: async () => {
    const stop = await api.onOptimiseProgress(({ done, total }) => {
      if (total) status.say(`Optimising: ${Math.round((100 * done) / total)} %…`);
    });
    status.say('Optimising the scheduler to your reviews…');
    try {
      const fitted = await api.studyOptimise();
      status.say(`Scheduler fitted to your ${fitted.reviews} reviews; the new parameters schedule every card from now on.`);
      refreshProgress();
    } catch (err) {
      status.say(err.message, 'error');
    } finally {
      stop();
    }
  },
  onExport: async (format) => {
    try {
      const path = await api.studyExport(format);
      if (path) status.say(`Exported to ${path}`);
    } catch (err) {
      status.say(err.message, 'error');
    }
  },
});
function openStudy() {
  if (library.isOpen) closeLibrary();
  if (editor.isOpen) return status.say('Leave the editor first (Ctrl+E): the Study view takes its place.', 'warn');
  $('note').hidden = true;
  findBar.hide();
  studyView.open().catch((err) => status.say(err.message, 'error'));
}
function closeStudy() {
  studyView.close();
  $('note').hidden = false;
}
$('open-study').addEventListener('click', () => (studyView.isOpen ? closeStudy() : openStudy()));

const vaults = createVaults($('vault-menu'), { api, status });
$('vault-name').addEventListener('click', () => vaults.toggle());

/** The index's progress as a thin bar under the pane header while it works. */
function showIndexStatus(s) {
  if (generation !== null && s.generation !== generation) return;
  status.index(s);
  const bar = $('progress');
  bar.hidden = s.state !== 'indexing' || !s.total;
  if (!bar.hidden) {
    /** @type {HTMLElement} */ (bar.firstElementChild).style.width = `${Math.round((100 * s.done) / s.total)}%`;
    bar.title = `Indexing ${s.done} of ${s.total} notes`;
  }
}

const palette = createSearch($('palette'), {
  search: (query, ticket) => api.search(query, 40, true, ticket),
  onOpen: async (hit, query) => {
    closeLibrary();
    // The reader takes the keyboard: arrows scroll, Enter / Shift+Enter step through matches.
    $('reader-pane').focus({ preventScroll: true });
    await openNote(hit.note, hit.anchor || null);
    await findBar.show(query);
  },
});

async function openNote(id, anchor = null, { reload = false } = {}) {
  if (library.isOpen) closeLibrary();
  if (studyView.isOpen) closeStudy();
  if (editor.isOpen && editor.noteId !== id) {
    // Switching notes saves; the new note opens in the reader.
    if ((await editor.close()) === false) return false;
  }
  if (id === currentId && !reload) {
    if (anchor) reader.scrollToAnchor(anchor);
    return true;
  }
  const seq = ++openSeq;
  try {
    const note = await api.getNote(id);
    if (seq !== openSeq) return false; // a later click won
    const pane = $('reader-pane');
    const keepScroll = reload && id === currentId ? pane.scrollTop : null;
    currentId = id;
    if (keepScroll === null) findBar.hide();
    reader.show(note, anchor);
    const conflictOf = tree.conflictOf(id);
    if (conflictOf) conflictBar.show(id, conflictOf);
    else conflictBar.hide();
    if (keepScroll !== null) pane.scrollTop = keepScroll;
    tree.setCurrent(id, note.outline);
    currentOutline = note.outline;
    outline.show(note.outline);
    await annotations.show(id);
    if (keepScroll !== null) await findBar.refresh();
    spy();
    document.title = `${note.title} — Margin`;
    vault.set('lastNote', id);
    if (!reload) status.say('');
    return true;
  } catch (err) {
    if (seq !== openSeq) return false;
    status.say(err.message, 'error');
    reader.showMessage('This note could not be opened', err.message);
    return false;
  }
}

let currentSection = null;
/** Set when the open note or its highlights changed outside while the editor covered it. */
let readerStale = false;
/** Marks the section being read: the last heading above the top of the reader. */
function spy() {
  const pane = $('reader-pane');
  const headings = body()?.querySelectorAll('h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]') ?? [];
  const top = pane.getBoundingClientRect().top + 80;
  let current = null;
  for (const h of headings) {
    if (h.getBoundingClientRect().top <= top) current = h.id;
    else break;
  }
  current ??= headings[0]?.id ?? null;
  currentSection = current;
  tree.setSection(current);
  outline.setSection(current);
}
let spyQueued = false;
$('reader-pane').addEventListener('scroll', () => {
  const pane = $('reader-pane');
  if (currentId && readAtEnd !== currentId && !editor.isOpen && !library.isOpen
    && pane.scrollTop > 0 && pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 8) {
    readAtEnd = currentId;
    if (!progress.notes[currentId]?.read) markRead(true, true).then(() => status.say(`Read to the end: ${currentId} counts as read (m undoes).`));
  }
  // While the editor is open the reader is covered: measuring its (thousands of) headings at
  // every scroll of a big note is work for nothing.
  if (spyQueued || editor.isOpen) return;
  spyQueued = true;
  requestAnimationFrame(() => {
    spyQueued = false;
    spy();
  });
});

function firstNote(nodes) {
  for (const node of nodes) {
    if (node.kind === 'note') return node.id;
  }
  for (const node of nodes) {
    if (node.kind === 'folder') {
      const id = firstNote(node.children);
      if (id) return id;
    }
  }
  return null;
}

const filterBox = /** @type {HTMLInputElement} */ ($('tree-filter'));
filterBox.addEventListener('input', () => tree.filter(filterBox.value));
filterBox.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown') tree.focusFirst();
  else if (event.key === 'Enter') document.querySelector('.tree .tree-note')?.click();
  else if (event.key === 'Escape') {
    filterBox.value = '';
    tree.filter('');
  } else return;
  event.preventDefault();
});
$('open-search').addEventListener('click', () => palette.open());

/** True for elements that use Enter themselves. */
const isField = (el) => el instanceof HTMLElement && (el.matches('input, textarea, button, a, [role="treeitem"]') || el.isContentEditable);

const shortcuts = createShortcuts($('shortcuts'));

/** What the shortcuts and the native menu can do (ui/actions.js). */
const actions = createActions({
  shortcuts: () => shortcuts.open(),
  search: () => palette.open(),
  // In the editor, its own find and replace (the menu's accelerator reaches here first).
  find: () => (editor.isOpen ? editor.find() : findBar.show(undefined, true)),
  'toggle-tree': () => layout.toggleTree(),
  'open-folder': () => vaults.openFolder(),
  annotations: () => (library.isOpen ? closeLibrary() : openLibrary()),
  'zoom-in': () => layout.zoom(1),
  'zoom-out': () => layout.zoom(-1),
  'zoom-reset': () => layout.zoom(0),
  'interface-zoom-in': () => status.say(`Interface at ${Math.round(layout.interfaceZoom(1) * 100)} % (Ctrl+Alt+0: 100 %)`),
  'interface-zoom-out': () => status.say(`Interface at ${Math.round(layout.interfaceZoom(-1) * 100)} % (Ctrl+Alt+0: 100 %)`),
  'interface-zoom-reset': () => status.say(`Interface at ${Math.round(layout.interfaceZoom(0) * 100)} %`),
  'toggle-theme': () => layout.nextTheme(),
  'export-markdown': () => exportAnnotations('md'),
  'export-json': () => exportAnnotations('w3c'),
  edit: () => toggleEdit(),
  save: () => (editor.isOpen ? editor.save().catch(() => {}) : null),
  'new-note': () => newNote(),
  'new-folder': () => newFolder(),
  'rename-note': () => renameNote(),
  'move-note': () => moveNoteTo(),
  'delete-note': () => deleteNote(),
  review: () => (review.isOpen ? null : review.open('', 'all notes')),
  'mark-read': () => markRead(!progress.notes[currentId ?? '']?.read),
  'study-view': () => (studyView.isOpen ? closeStudy() : openStudy()),
  'attachments-folder': () => chooseAttachmentsFolder(),
});
api.onMenu((id) => actions.run(id, 'menu'));
api.onVaultOpened(() => location.reload());
api.onAppError((message) => status.say(message, 'error'));
/** Closing the window or quitting saves the editor's text first; a failed save keeps the window
 *  open with the reason (closing again quits, the draft keeps the text). */
api.onCloseRequested(async () => {
  const saved = editor.isOpen ? (await editor.save().then(() => true, () => false)) : true;
  if (saved) api.closeNow().catch(() => {});
  else {
    status.say('Not closed: your text could not be saved (see above). Close again to quit anyway; a draft keeps your text.', 'error');
    api.cancelClose().catch(() => {});
  }
});

/** True for places where `?` is a character the user types. */
const isTyping = (el) => el instanceof HTMLElement && (el.matches('input, textarea, [contenteditable]') || el.isContentEditable);

/** Keys that act on what is open (not menu actions); true when the key was used. */
function contextKey(event) {
  if (event.key === '?' && !event.ctrlKey && !event.metaKey && !isTyping(event.target)) shortcuts.open();
  else if (event.key === 'm' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)
    && !editor.isOpen && !library.isOpen && !review.isOpen && !$('margin-pane')?.contains(/** @type {Node} */ (event.target))) actions.run('mark-read', 'key');
  else if (event.key === 'Escape' && library.isOpen) closeLibrary();
  else if (event.key === 'Escape' && studyView.isOpen && !review.isOpen) closeStudy();
  else if (event.key === 'F3') {
    if (event.shiftKey) findBar.prev();
    else findBar.next();
  } else if (event.key === 'Enter' && findBar.isOpen && !palette.isOpen && !isField(event.target)) {
    if (event.shiftKey) findBar.prev();
    else findBar.next();
  } else if (event.key === 'Escape' && findBar.isOpen && !palette.isOpen) findBar.hide();
  else return false;
  return true;
}

/** Keys the editor keeps for itself (its own find/replace, its own save, Ctrl+Delete deleting
 *  the next word rather than the note). */
const EDITOR_KEYS = new Set(['find', 'save', 'delete-note']);

document.addEventListener('keydown', (event) => {
  const action = keyAction(event);
  if (editor.isOpen && EDITOR_KEYS.has(action) && $('editor').contains(/** @type {Node} */ (event.target))) return;
  if (actions.run(action, 'key') || contextKey(event)) event.preventDefault();
});

/** Notes changed on disk (any editor, git, the CLI): follow them. */
async function onVaultChanged(change) {
  if (change.generation !== generation) return;
  const { added, changed, removed } = change.touched;
  if (added.length || removed.length || change.rescan || change.renamed.length) {
    try {
      const data = await api.listTree();
      tree.render(data, vault.get('openFolders', []));
      status.set({ notes: data.note_count });
      if (currentId && !removed.includes(currentId)) tree.setCurrent(currentId, null);
      refreshProgress();
    } catch (err) {
      status.say(err.message, 'error');
    }
  }
  palette.refresh();
  if (!currentId) return;
  const renamedTo = change.renamed.find(([from]) => from === currentId)?.[1];
  if (editor.isOpen) {
    // The reader under the editor is out of date: shown again when the editor closes.
    if (renamedTo || removed.includes(currentId) || changed.includes(currentId) || change.annotations.includes(currentId)) readerStale = true;
    // The editor keeps the user's text whatever happened on disk; its next save merges.
    if (renamedTo) {
      editor.retarget(renamedTo);
      currentId = renamedTo;
      status.say(`The note was moved to ${renamedTo}; your text will be saved there.`);
    } else if (removed.includes(currentId)) {
      status.say('The note was deleted outside Margin; your text is kept and saved back when you save.', 'warn');
    } else if (changed.includes(currentId)) {
      await editor.outsideChange();
    }
    return;
  }
  if (renamedTo) {
    await openNote(renamedTo);
    status.say(`The note was moved to ${renamedTo}.`);
  } else if (removed.includes(currentId)) {
    const gone = currentId;
    reader.showMessage('This note was deleted', `${gone} is no longer in the vault. Its highlights are kept as orphans in the Annotations view (Ctrl+Shift+A).`);
    currentId = null;
  } else if (changed.includes(currentId) || change.annotations.includes(currentId)) {
    await openNote(currentId, null, { reload: true });
  }
}

async function start() {
  api.onIndexStatus((s) => showIndexStatus(s));
  api.onVaultChanged((change) => onVaultChanged(change));
  // A sync tool's conflict copies of Margin's files were merged (nothing lost): say so.
  api.onSyncMerged((message) => status.say(`Sync: ${message}.`));
  try {
    const info = await api.vaultInfo();
    generation = info.generation;
    api.indexStatus().then((s) => showIndexStatus(s), () => {});
    vault = vaultSettings(info.root);
    $('vault-name').textContent = info.name;
    $('vault-name').title = info.root;
    status.set({ vault: info.name });
    const data = await api.listTree();
    tree.render(data, vault.get('openFolders', []));
    // The editor's code and styles are made ready while the first note is fetched, before a long
    // note is on screen to be restyled by them: the first Ctrl+E opens as fast as the next ones.
    editor.prepare().catch(() => {});
    status.set({ notes: data.note_count });
    refreshProgress();
    if (data.warnings.length) status.say(`${data.warnings.length} files skipped: ${data.warnings[0]}`, 'warn');
    if (info.annotations_elsewhere) {
      status.say(
        `This vault cannot be written: your highlights are read from it and kept in ${info.annotations_elsewhere} until it can (then they are merged back).`,
        'warn',
      );
    }
    const last = vault.get('lastNote');
    if (last && (await openNote(last))) return;
    const first = firstNote(data.children);
    if (first) await openNote(first);
    else reader.showMessage('No notes here yet', 'Add Markdown files (.md) to this folder and they will appear here.');
  } catch (err) {
    status.say(err.message, 'error');
    reader.showMessage('Margin could not open your notes', `${err.message} Open another folder, or one you used before:`);
    const choices = document.createElement('div');
    choices.className = 'vault-choices';
    $('note').append(choices);
    vaults.renderInto(choices);
  }
}

start();
