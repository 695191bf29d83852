// The topic tree (left pane): folders → notes → headings of the open note, plus a filter box
// that turns it into a flat list of matching notes.
// Usage: const tree = createTree(element, { onOpen(id, anchor), onFoldersChanged(paths) });
// tree.render(treeData, openFolders); tree.setCurrent(id, outline); tree.setSection(anchor);
// tree.filter(text); tree.setProgress(progress) shows read marks and cards due. Keyboard: ↑/↓
// move, → expands, ← collapses, Enter opens, r reviews the cards due under the row. A note row
// dragged onto a folder (or onto a note in it) moves the note there (onMove), as Ctrl+Shift+M.
// Folder contents are built only when a folder is first opened, and then 200 rows at a time as
// they scroll into view, so a vault of 40k notes stays light.

import { filterNotes, flattenNotes } from './tree-model.js';

export function createTree(root, { onOpen, onFoldersChanged = () => {}, onReview = () => {}, onMove = () => {} }) {
  /** @type {{ notes: Record<string, import('./api.js').NoteProgress>, folders: Map<string, import('./api.js').FolderProgress> }} */
  let progress = { notes: {}, folders: new Map() };
  let currentId = null;
  let currentOutline = null;
  let data = null;
  let allNotes = [];
  /** @type {Map<string, HTMLElement>} note id → its row */
  const noteRows = new Map();
  /** @type {Map<string, HTMLElement>} folder path → its row */
  const folderRows = new Map();
  const openFolders = new Set();

  function row(kind, label, depth) {
    const el = document.createElement('div');
    el.className = `tree-row tree-${kind}`;
    el.setAttribute('role', 'treeitem');
    el.setAttribute('aria-level', String(depth + 1));
    el.tabIndex = -1;
    el.style.setProperty('--depth', String(depth));
    const text = document.createElement('span');
    text.className = 'tree-label';
    text.textContent = label;
    el.append(text);
    return el;
  }

  function noteRow(node, depth, withPath = false) {
    const item = row('note', node.title, depth);
    item.dataset.noteId = node.id;
    item.title = node.id;
    if (node.conflict_of) {
      // A sync tool's conflict copy: shown, marked, never passed off as an ordinary note.
      item.classList.add('tree-conflict');
      item.title = `A conflict copy of ${node.conflict_of}: open it to compare and keep`;
      const badge = document.createElement('span');
      badge.className = 'tree-conflict-badge';
      badge.textContent = 'conflict';
      item.prepend(badge); // floats right, before the title's ellipsis
    }
    if (withPath) {
      const path = document.createElement('span');
      path.className = 'tree-path';
      path.textContent = node.id;
      item.append(path);
    }
    item.addEventListener('click', () => {
      if (dragged) return; // the click that ends a drag
      onOpen(node.id);
    });
    item.addEventListener('pointerdown', (e) => {
      if (e.button === 0) drag = { id: node.id, x: e.clientX, y: e.clientY, row: item, active: false };
    });
    decorate(item);
    const headings = document.createElement('div');
    headings.className = 'tree-headings';
    headings.setAttribute('role', 'group');
    noteRows.set(node.id, item);
    item._headings = headings;
    item._depth = depth;
    return [item, headings];
  }

  /** A row's study marks: ✓ for a note marked read, a folder's read count, and a button with
   *  the cards due under it (it starts their review). Rows made later get theirs as made. */
  function decorate(item) {
    item.querySelector('.tree-study')?.remove();
    const id = item.dataset.noteId;
    const folder = item.dataset.folder;
    const p = id !== undefined ? progress.notes[id] : progress.folders.get(folder ?? '');
    if (!p) return;
    const marks = document.createElement('span');
    marks.className = 'tree-study';
    if (id !== undefined && p.read) {
      const read = document.createElement('span');
      read.className = 'tree-read';
      read.textContent = '✓';
      read.title = 'Read';
      read.setAttribute('aria-label', 'read');
      marks.append(read);
    } else if (folder !== undefined && 'notes' in p && p.read) {
      const read = document.createElement('span');
      read.className = 'tree-read-count';
      read.textContent = `${p.read}/${p.notes}`;
      read.title = `${p.read} of ${p.notes} notes read`;
      marks.append(read);
    }
    if (p.highlights) {
      const hl = document.createElement('span');
      hl.className = 'tree-hl';
      hl.textContent = `✎${p.highlights}`;
      hl.title = `${p.highlights} highlight${p.highlights === 1 ? '' : 's'}`;
      hl.setAttribute('aria-label', hl.title);
      marks.append(hl);
    }
    if (p.due) {
      const due = document.createElement('button');
      due.type = 'button';
      due.className = 'tree-due';
      due.tabIndex = -1;
      due.textContent = String(p.due);
      due.title = `Review this topic: ${p.due} card${p.due === 1 ? '' : 's'} due (r)`;
      due.setAttribute('aria-label', due.title);
      due.addEventListener('click', (e) => {
        e.stopPropagation();
        review(item);
      });
      marks.append(due);
    }
    if (marks.childElementCount) item.querySelector('.tree-label')?.before(marks);
  }

  function review(item) {
    const under = item.dataset.noteId ?? item.dataset.folder ?? '';
    const label = item.querySelector('.tree-label')?.textContent ?? under;
    onReview(under, label);
  }

  // --- moving a note by dragging its row ------------------------------------------------
  /** The drag under way: the note, where it started, whether it moved far enough. */
  let drag = null;
  /** True right after a drag ended, so its click does not open the note. */
  let dragged = false;
  let dropRow = null;

  /** The folder a drop at (x, y) puts the note in: a folder row's path, a note row's folder,
   *  the top folder for the tree's empty space; null outside the tree. */
  function dropFolder(x, y) {
    const under = document.elementFromPoint(x, y);
    if (!(under instanceof HTMLElement) || !root.contains(under)) return null;
    const row = under.closest('.tree-row');
    dropRow = row instanceof HTMLElement ? row : null;
    if (dropRow?.dataset.folder !== undefined) return dropRow.dataset.folder;
    const id = dropRow?.dataset.noteId;
    if (id !== undefined) return id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
    return '';
  }
  function endDrag() {
    drag?.row.classList.remove('dragging');
    for (const el of root.querySelectorAll('.drop-target')) el.classList.remove('drop-target');
    root.classList.remove('drag-over-top');
    drag = null;
  }
  document.addEventListener('pointermove', (e) => {
    if (!drag) return;
    if (!drag.active && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 6) return;
    drag.active = true;
    drag.row.classList.add('dragging');
    for (const el of root.querySelectorAll('.drop-target')) el.classList.remove('drop-target');
    const folder = dropFolder(e.clientX, e.clientY);
    if (folder !== null) (folder ? folderRows.get(folder) : null)?.classList.add('drop-target');
    root.classList.toggle('drag-over-top', folder === '');
  });
  document.addEventListener('pointerup', (e) => {
    if (!drag) return;
    const { id, active } = drag;
    const folder = active ? dropFolder(e.clientX, e.clientY) : null;
    endDrag();
    if (!active) return;
    dragged = true;
    setTimeout(() => (dragged = false), 0);
    const here = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
    if (folder !== null && folder !== here) onMove(id, folder);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && drag) endDrag();
  });

  /** Rows are made CHUNK at a time: a folder of thousands of notes shows its first rows at
   *  once and makes the next ones as they scroll into view (or as reveal() needs them). */
  const CHUNK = 200;
  const more = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) /** @type {any} */ (entry.target)._more();
    }
  }, { root, rootMargin: '400px 0px' });

  function buildNodes(nodes, container, depth, from = 0) {
    const to = Math.min(nodes.length, from + CHUNK);
    for (const node of nodes.slice(from, to)) {
      if (node.kind === 'folder') {
        const head = row('folder', node.name, depth);
        head.dataset.folder = node.path;
        head.setAttribute('aria-expanded', 'false');
        const children = document.createElement('div');
        children.setAttribute('role', 'group');
        children.hidden = true;
        head._children = children;
        let built = false;
        head._toggle = (open = children.hidden) => {
          if (open && !built) {
            buildNodes(node.children, children, depth + 1);
            built = true;
          }
          children.hidden = !open;
          head.setAttribute('aria-expanded', String(open));
          if (open) openFolders.add(node.path);
          else openFolders.delete(node.path);
          onFoldersChanged([...openFolders]);
        };
        head.addEventListener('click', () => head._toggle());
        decorate(head);
        folderRows.set(node.path, head);
        container.append(head, children);
        if (openFolders.has(node.path)) head._toggle(true);
      } else {
        container.append(...noteRow(node, depth));
      }
    }
    container._more = null;
    if (to < nodes.length) {
      const sentinel = document.createElement('div');
      sentinel.className = 'tree-more';
      sentinel.style.setProperty('--depth', String(depth));
      sentinel.textContent = `${nodes.length - to} more…`;
      sentinel._more = container._more = () => {
        more.unobserve(sentinel);
        sentinel.remove();
        buildNodes(nodes, container, depth, to);
      };
      container.append(sentinel);
      more.observe(sentinel);
    }
    if (currentId && noteRows.has(currentId)) markCurrent();
  }

  /** The one row Tab reaches (the tree pattern's roving tab stop): the row last focused, else
   *  the open note's, else the first. */
  let tabStop = null;
  function setTabStop(el) {
    if (tabStop === el) return;
    if (tabStop) tabStop.tabIndex = -1;
    tabStop = el ?? null;
    if (tabStop) tabStop.tabIndex = 0;
  }
  root.addEventListener('focusin', (event) => {
    const focused = /** @type {HTMLElement} */ (event.target).closest?.('.tree-row');
    if (focused && root.contains(focused)) setTabStop(/** @type {HTMLElement} */ (focused));
  });

  function markCurrent() {
    for (const el of root.querySelectorAll('.tree-note.current')) {
      el.classList.remove('current');
      el.removeAttribute('aria-current');
      el._headings.replaceChildren();
    }
    const item = noteRows.get(currentId);
    if (!item) return;
    if (!root.contains(document.activeElement)) setTabStop(item);
    item.classList.add('current');
    item.setAttribute('aria-current', 'page');
    if (currentOutline) {
      const h1s = currentOutline.filter((h) => h.level === 1).length;
      const rows = currentOutline
        .filter((h) => h.level > 1 || h1s > 1)
        .map((h) => {
          const r = row('heading', h.text, item._depth + Math.max(1, h.level - 1));
          r.dataset.anchor = h.id;
          r.addEventListener('click', () => onOpen(currentId, h.id));
          return r;
        });
      item._headings.replaceChildren(...rows);
    }
  }

  /** Opens every folder on the way to a note, and makes the rows up to it, so that its row
   *  exists and is visible. */
  function reveal(id) {
    let path = '';
    let container = root;
    for (const part of id.split('/').slice(0, -1)) {
      path = path ? `${path}/${part}` : part;
      while (!folderRows.has(path) && container._more) container._more();
      folderRows.get(path)?._toggle(true);
      container = folderRows.get(path)?._children ?? container;
    }
    while (!noteRows.has(id) && container._more) container._more();
  }

  function visibleRows() {
    return [...root.querySelectorAll('.tree-row')].filter((el) => el.offsetParent !== null);
  }

  root.addEventListener('keydown', (event) => {
    const rows = visibleRows();
    const at = rows.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    const focus = (i) => rows[Math.max(0, Math.min(rows.length - 1, i))]?.focus();
    const el = rows[at];
    switch (event.key) {
      case 'ArrowDown': focus(at + 1); break;
      case 'ArrowUp': focus(at - 1); break;
      case 'Home': focus(0); break;
      case 'End': focus(rows.length - 1); break;
      case 'ArrowRight': if (el?._toggle) el._toggle(true); break;
      case 'ArrowLeft': if (el?._toggle) el._toggle(false); break;
      case 'Enter': case ' ': el?.click(); break;
      case 'r': if (el && !event.ctrlKey && !event.metaKey && !event.altKey && (el.dataset.noteId !== undefined || el.dataset.folder !== undefined)) review(el); else return; break;
      default: return;
    }
    event.preventDefault();
  });
  root.addEventListener('focus', () => (root.querySelector('.current') || visibleRows()[0])?.focus());

  function renderTree(folders) {
    noteRows.clear();
    folderRows.clear();
    openFolders.clear();
    for (const f of folders) openFolders.add(f);
    more.disconnect(); // the old rows' "more" markers leave with them
    root.replaceChildren();
    if (!data || data.children.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty-state';
      empty.textContent = 'This folder has no Markdown notes (.md) yet.';
      root.append(empty);
      return;
    }
    buildNodes(data.children, root, 0);
    tabStop = null;
    setTabStop(noteRows.get(currentId) ?? root.querySelector('.tree-row'));
  }

  return {
    render(tree, folders = []) {
      data = tree;
      allNotes = flattenNotes(tree.children);
      renderTree(folders);
    },
    /** The note `id` is a conflict copy of, if it is one. */
    conflictOf(id) {
      return allNotes.find((n) => n.id === id)?.conflict_of ?? null;
    },
    setCurrent(id, outline) {
      currentId = id;
      currentOutline = outline ?? currentOutline;
      reveal(id);
      markCurrent();
      noteRows.get(id)?.scrollIntoView({ block: 'nearest' });
    },
    setSection(anchor) {
      for (const el of root.querySelectorAll('.tree-heading')) {
        el.classList.toggle('current-section', el.dataset.anchor === anchor);
      }
    },
    /** Shows only notes matching `text` (a flat list), or the whole tree again when empty. */
    filter(text) {
      if (!text.trim()) {
        renderTree([...openFolders]);
        return;
      }
      const folders = [...openFolders];
      noteRows.clear();
      folderRows.clear();
      const matches = filterNotes(allNotes, text, 300);
      more.disconnect();
      root.replaceChildren();
      for (const node of matches) root.append(...noteRow(node, 0, true));
      if (!matches.length) {
        const empty = document.createElement('p');
        empty.className = 'empty-state';
        empty.textContent = `No note title contains “${text.trim()}”. Ctrl+K searches inside notes.`;
        root.append(empty);
      }
      if (currentId && noteRows.has(currentId)) markCurrent();
      openFolders.clear();
      for (const f of folders) openFolders.add(f);
    },
    /** Read marks and cards due, from `study_progress`; rows made later get them too. */
    setProgress(p) {
      progress = { notes: p.notes, folders: new Map(p.folders.map((f) => [f.folder, f])) };
      for (const item of noteRows.values()) decorate(item);
      for (const item of folderRows.values()) decorate(item);
    },
    focusFirst() {
      visibleRows()[0]?.focus();
    },
  };
}
