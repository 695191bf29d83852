// Wires the parts of the screen together, owns the keyboard shortcuts, opens the first note.

import * as api from './api.js';
import { createTree } from './tree.js';
import { createReader } from './reader.js';
import { createStatus } from './status.js';
import { createSearch } from './search.js';
import { createFindBar } from './findbar.js';
import { markText, clearMarks } from './highlight.js';

const $ = (role) => /** @type {HTMLElement} */ (document.querySelector(`[data-role="${role}"]`));

const status = createStatus($('status'));
const reader = createReader($('note'), {
  onOpenNote: (id, anchor) => openNote(id, anchor),
  onExternal: (url) => api.openExternal(url).catch((err) => status.say(err.message, 'error')),
});
const tree = createTree($('tree'), { onOpen: (id, anchor) => openNote(id, anchor) });
const body = () => /** @type {HTMLElement | null} */ (document.querySelector('.note-body'));
const findBar = createFindBar($('find-bar'), {
  find: (query) => (currentId ? api.searchInNote(currentId, query) : Promise.resolve([])),
  mark: (ranges) => (body() ? markText(body(), ranges) : []),
  clear: () => body() && clearMarks(body()),
});
const palette = createSearch($('palette'), {
  search: (query) => api.search(query, 40, true),
  onOpen: async (hit, query) => {
    await openNote(hit.note, hit.anchor || null);
    await findBar.show(query);
  },
});

let openSeq = 0;
let currentId = null;

async function openNote(id, anchor = null) {
  if (id === currentId) {
    if (anchor) reader.scrollToAnchor(anchor);
    return;
  }
  const seq = ++openSeq;
  try {
    const note = await api.getNote(id);
    if (seq !== openSeq) return; // a later click won
    currentId = id;
    findBar.hide();
    reader.show(note, anchor);
    tree.setCurrent(id, note.outline);
    document.title = `${note.title} — Margin`;
    status.say('');
  } catch (err) {
    if (seq !== openSeq) return;
    status.say(err.message, 'error');
    reader.showMessage('This note could not be opened', err.message);
  }
}

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

document.addEventListener('keydown', (event) => {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && (key === 'k' || key === 'p')) {
    event.preventDefault();
    palette.open();
  } else if (mod && key === 'f') {
    event.preventDefault();
    findBar.show(undefined, true);
  } else if (event.key === 'F3') {
    event.preventDefault();
    if (event.shiftKey) findBar.prev();
    else findBar.next();
  } else if (event.key === 'Escape' && findBar.isOpen && !palette.isOpen) {
    findBar.hide();
  }
});

async function start() {
  api.onIndexStatus((s) => status.index(s));
  api.indexStatus().then((s) => status.index(s), () => {});
  try {
    const info = await api.vaultInfo();
    $('vault-name').textContent = info.name;
    $('vault-name').title = info.root;
    status.set({ vault: info.name });
    const data = await api.listTree();
    tree.render(data);
    status.set({ notes: data.note_count });
    if (data.warnings.length) status.say(`${data.warnings.length} files skipped: ${data.warnings[0]}`, 'warn');
    const first = firstNote(data.children);
    if (first) await openNote(first);
    else reader.showMessage('No notes here yet', 'Add Markdown files (.md) to this folder and they will appear here.');
  } catch (err) {
    status.say(err.message, 'error');
    reader.showMessage('Margin could not open your notes', err.message);
  }
}

start();
