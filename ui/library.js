// The vault-wide Annotations view (in place of the reader): every highlight and comment,
// grouped by topic (folder) and note, filterable by text, colour and tag; Enter or a click
// jumps to the passage. Ctrl+Shift+A or the ✎ button opens it, Esc goes back to the note.
// Usage: const library = createLibrary(element, { load(), onOpen(note, annotationId) });
// library.open(); library.close().

import { filterAnnotations, groupByTopic } from './library-model.js';
import { annotationCard } from './annotations.js';

export function createLibrary(root, { load, onOpen, onExport }) {
  const head = document.createElement('header');
  head.className = 'library-head';
  const title = document.createElement('h1');
  title.textContent = 'Annotations';
  const search = document.createElement('input');
  search.type = 'search';
  search.placeholder = 'Filter by text, comment or #tag';
  search.className = 'library-filter';
  const colors = document.createElement('select');
  colors.className = 'library-colors';
  colors.setAttribute('aria-label', 'Colour');
  const count = document.createElement('span');
  count.className = 'library-count';
  const exportBox = document.createElement('span');
  exportBox.className = 'library-export';
  for (const [format, label] of [['md', 'Export Markdown…'], ['w3c', 'Export W3C JSON-LD…']]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.format = format;
    b.addEventListener('click', () => onExport(format));
    exportBox.append(b);
  }
  head.append(title, search, colors, count, exportBox);
  const list = document.createElement('div');
  list.className = 'library-list';
  root.append(head, list);

  let notes = [];

  function render() {
    const shown = filterAnnotations(notes, { text: search.value, color: colors.value });
    const total = shown.reduce((n, g) => n + g.annotations.length, 0);
    count.textContent = `${total} of ${notes.reduce((n, g) => n + g.annotations.length, 0)}`;
    const parts = [];
    for (const topic of groupByTopic(shown)) {
      const h = document.createElement('h2');
      h.textContent = topic.topic || 'Top level';
      parts.push(h);
      for (const note of topic.notes) {
        const h3 = document.createElement('h3');
        h3.textContent = note.title;
        parts.push(h3);
        for (const a of note.annotations) {
          const item = annotationCard(a);
          item.classList.add('library-item');
          item.dataset.note = note.note;
          const meta = document.createElement('p');
          meta.className = 'anno-tags';
          meta.textContent = [a.status === 'orphan' ? 'orphan' : '', ...a.tags.map((t) => `#${t}`)].filter(Boolean).join(' ');
          item.append(meta);
          const go = () => onOpen(note.note, a.id);
          item.addEventListener('click', go);
          item.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') go();
          });
          parts.push(item);
        }
      }
    }
    if (!total) {
      const p = document.createElement('p');
      p.className = 'empty-state';
      p.textContent = notes.length ? 'Nothing matches this filter.' : 'No annotations yet. Select text in a note to highlight it.';
      parts.push(p);
    }
    list.replaceChildren(...parts);
  }

  search.addEventListener('input', render);
  colors.addEventListener('change', render);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      list.querySelector('.library-item')?.focus();
      e.preventDefault();
    }
  });
  list.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll('.library-item')];
    const at = items.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (e.key === 'ArrowDown') items[Math.min(items.length - 1, at + 1)]?.focus();
    else if (e.key === 'ArrowUp') (at <= 0 ? search : items[at - 1]).focus();
    else return;
    e.preventDefault();
  });

  return {
    async open() {
      root.hidden = false;
      notes = await load();
      const used = [...new Set(notes.flatMap((n) => n.annotations.map((a) => a.color)))].sort();
      colors.replaceChildren(new Option('All colours', ''), ...used.map((c) => new Option(c, c)));
      render();
      search.focus();
    },
    close() {
      root.hidden = true;
    },
    get isOpen() {
      return !root.hidden;
    },
  };
}
