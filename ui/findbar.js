// The find bar over the reader: shows "n of m" for the matches highlighted in the open note,
// Enter / Shift+Enter / F3 step through them, Esc clears. Ctrl+F opens it to search the note.
// Usage: const bar = createFindBar(element, { find(query) → Promise<ranges>, mark(ranges) →
// marks }); bar.show(query); bar.next(); bar.clear().

import { step } from './search-model.js';
import { focusMark } from './highlight.js';

export function createFindBar(root, { find, mark, clear }) {
  const input = document.createElement('input');
  input.type = 'search';
  input.className = 'find-input';
  input.placeholder = 'Find in note';
  input.spellcheck = false;
  const count = document.createElement('span');
  count.className = 'find-count';
  count.setAttribute('aria-live', 'polite');
  const prev = document.createElement('button');
  prev.textContent = '↑';
  prev.title = 'Previous match (Shift+Enter)';
  const next = document.createElement('button');
  next.textContent = '↓';
  next.title = 'Next match (Enter, F3)';
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = 'Clear (Esc)';
  root.append(input, count, prev, next, close);

  let marks = [];
  let current = -1;
  let seq = 0;
  let timer = 0;

  function show() {
    count.textContent = marks.length ? `${current + 1} of ${marks.length}` : input.value.trim() ? 'no matches' : '';
  }

  function go(delta) {
    if (!marks.length) return;
    current = step(current, delta, marks.length);
    focusMark(marks, current);
    show();
  }

  async function apply(query) {
    const mine = ++seq;
    const ranges = query.trim() ? await find(query).catch(() => []) : [];
    if (mine !== seq) return;
    marks = mark(ranges);
    current = -1;
    go(1);
    show();
  }

  function hide() {
    seq += 1;
    clear();
    marks = [];
    root.hidden = true;
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => apply(input.value), 80);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') go(event.shiftKey ? -1 : 1);
    else if (event.key === 'Escape') hide();
    else return;
    event.preventDefault();
  });
  prev.addEventListener('click', () => go(-1));
  next.addEventListener('click', () => go(1));
  close.addEventListener('click', hide);

  return {
    /** Highlights `query` in the open note; `focus` puts the cursor in the box. */
    async show(query, focus = false) {
      root.hidden = false;
      if (query !== undefined) input.value = query;
      if (focus) {
        input.focus();
        input.select();
      }
      await apply(input.value);
    },
    next: () => go(1),
    prev: () => go(-1),
    hide,
    get isOpen() {
      return !root.hidden;
    },
    /** Re-applies the current query (after the note was re-rendered). */
    refresh() {
      if (!root.hidden) return apply(input.value);
      return Promise.resolve();
    },
  };
}
