// The topic tree (left pane): folders → notes → headings of the open note.
// Usage: const tree = createTree(element, { onOpen(id, anchor) }); tree.render(treeData);
// tree.setCurrent(id, outline). Keyboard: ↑/↓ move, → expands, ← collapses, Enter opens.
// Folder contents are built only when a folder is first expanded, so large vaults stay light.

export function createTree(root, { onOpen }) {
  let currentId = null;
  /** @type {Map<string, HTMLElement>} note id → its row */
  const noteRows = new Map();

  function row(kind, label, depth) {
    const el = document.createElement('div');
    el.className = `tree-row tree-${kind}`;
    el.setAttribute('role', 'treeitem');
    el.tabIndex = -1;
    el.style.setProperty('--depth', String(depth));
    const text = document.createElement('span');
    text.className = 'tree-label';
    text.textContent = label;
    el.append(text);
    return el;
  }

  function buildNodes(nodes, container, depth) {
    for (const node of nodes) {
      if (node.kind === 'folder') {
        const group = document.createElement('div');
        group.className = 'tree-group';
        const head = row('folder', node.name, depth);
        head.dataset.folder = node.path;
        head.setAttribute('aria-expanded', 'false');
        const children = document.createElement('div');
        children.setAttribute('role', 'group');
        children.hidden = true;
        let built = false;
        const toggle = (open = children.hidden) => {
          if (open && !built) {
            buildNodes(node.children, children, depth + 1);
            built = true;
          }
          children.hidden = !open;
          head.setAttribute('aria-expanded', String(open));
        };
        head.addEventListener('click', () => toggle());
        head._toggle = toggle;
        group.append(head, children);
        container.append(group);
      } else {
        const item = row('note', node.title, depth);
        item.dataset.noteId = node.id;
        item.title = node.id;
        item.addEventListener('click', () => onOpen(node.id));
        const headings = document.createElement('div');
        headings.className = 'tree-headings';
        headings.setAttribute('role', 'group');
        noteRows.set(node.id, item);
        item._headings = headings;
        item._depth = depth;
        container.append(item, headings);
        if (node.id === currentId) markCurrent(node.id, null);
      }
    }
  }

  function markCurrent(id, outline) {
    for (const el of root.querySelectorAll('.tree-note.current')) {
      el.classList.remove('current');
      el.removeAttribute('aria-current');
      el._headings.replaceChildren();
    }
    const item = noteRows.get(id);
    if (!item) return;
    item.classList.add('current');
    item.setAttribute('aria-current', 'page');
    if (outline) {
      const rows = outline
        .filter((h) => h.level > 1 || outline.filter((x) => x.level === 1).length > 1)
        .map((h) => {
          const r = row('heading', h.text, item._depth + h.level - 1);
          r.dataset.anchor = h.id;
          r.addEventListener('click', () => onOpen(id, h.id));
          return r;
        });
      item._headings.replaceChildren(...rows);
    }
  }

  /** Opens every folder on the way to a note so that its row exists and is visible. */
  function reveal(id) {
    const parts = id.split('/');
    let path = '';
    for (const part of parts.slice(0, -1)) {
      path = path ? `${path}/${part}` : part;
      const head = [...root.querySelectorAll('.tree-folder')].find((el) => el.dataset.folder === path);
      if (head) head._toggle(true);
    }
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
      default: return;
    }
    event.preventDefault();
  });
  root.addEventListener('focus', () => (root.querySelector('.current') || visibleRows()[0])?.focus());

  return {
    render(tree) {
      noteRows.clear();
      root.replaceChildren();
      if (tree.children.length === 0) {
        const empty = document.createElement('p');
        empty.className = 'empty-state';
        empty.textContent = 'This folder has no Markdown notes (.md) yet.';
        root.append(empty);
        return;
      }
      buildNodes(tree.children, root, 0);
    },
    setCurrent(id, outline) {
      currentId = id;
      reveal(id);
      markCurrent(id, outline);
      noteRows.get(id)?.scrollIntoView({ block: 'nearest' });
    },
  };
}
