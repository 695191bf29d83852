// The search palette: Ctrl/Cmd+K or Ctrl+P opens it; results come as you type, grouped by
// note; ↑/↓ choose, Enter opens the hit at its section, Esc closes.
// Usage: const palette = createSearch(element, { search(query, ticket), onOpen(hit, query) });
// palette.open(). Every key press searches at once (a query takes a few ms, so waiting for a
// pause would be most of the delay); each carries a newer ticket, the backend drops a query
// overtaken by a newer one (its answer is `null`), and answers that arrive late never
// replace those of a newer query.

import { keepTabInside } from './dialog.js';
import { groupHits, markRanges, step } from './search-model.js';

/** A ticket that only grows, also across reloads of the page (the backend keeps the newest). */
const nextTicket = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/** The query language, as the help lists it. */
const SYNTAX = [
  ['tcp handshake', 'notes with every word (the last one may be unfinished)'],
  ['"exact phrase"', 'these words in this order'],
  ['sync*', 'words starting with sync'],
  ['-udp', 'leave out notes with udp'],
  ['http OR https', 'either word'],
  ['tag:realtime', 'notes tagged realtime'],
  ['in:networking', 'notes in the networking folder'],
  ['title:rest', 'the word in the title'],
  ['signaling', 'typos are forgiven when exact words find little'],
];

export function createSearch(root, { search, onOpen }) {
  const box = document.createElement('div');
  box.className = 'palette-box';
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-label', 'Search notes');
  const input = document.createElement('input');
  input.type = 'search';
  input.className = 'palette-input';
  input.placeholder = 'Search notes…  "phrase"  word*  -exclude  tag:x  in:folder  title:x';
  // The combobox pattern: focus stays in the input, the chosen result is its active descendant.
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-label', 'Search notes');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'palette-results');
  input.spellcheck = false;
  const list = document.createElement('div');
  list.id = 'palette-results';
  list.className = 'palette-results';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Search results');
  const foot = document.createElement('div');
  foot.className = 'palette-foot';
  const keysHint = document.createElement('span');
  keysHint.textContent = '↑↓ choose · Enter open · Esc close';
  const helpButton = document.createElement('button');
  helpButton.type = 'button';
  helpButton.className = 'palette-help-button';
  helpButton.textContent = 'Syntax';
  helpButton.setAttribute('aria-expanded', 'false');
  foot.append(keysHint, helpButton);
  const help = document.createElement('dl');
  help.className = 'palette-help';
  help.hidden = true;
  for (const [form, meaning] of SYNTAX) {
    const dt = document.createElement('dt');
    dt.textContent = form;
    const dd = document.createElement('dd');
    dd.textContent = meaning;
    help.append(dt, dd);
  }
  helpButton.addEventListener('click', () => {
    help.hidden = !help.hidden;
    helpButton.setAttribute('aria-expanded', String(!help.hidden));
    input.focus();
  });
  box.append(input, list, help, foot);
  root.append(box);
  keepTabInside(box);
  /** Where focus was before the palette opened: it goes back there when closed with Esc. */
  let before = null;

  let seq = 0;
  /** @type {{ hit: any, el: HTMLElement }[]} */
  let rows = [];
  let selected = -1;

  function select(i) {
    selected = i;
    rows.forEach((r, j) => r.el.setAttribute('aria-selected', String(j === i)));
    input.setAttribute('aria-expanded', String(rows.length > 0));
    if (rows[i]) input.setAttribute('aria-activedescendant', rows[i].el.id);
    else input.removeAttribute('aria-activedescendant');
    // A fresh answer starts at the top (scrolled there by `render`): no layout forced here.
    if (i > 0) rows[i]?.el.scrollIntoView({ block: 'nearest' });
  }

  function marked(text, ranges, className) {
    const el = document.createElement('div');
    el.className = className;
    for (const part of markRanges(text, ranges)) {
      if (part.mark) {
        const m = document.createElement('mark');
        m.textContent = part.text;
        el.append(m);
      } else {
        el.append(document.createTextNode(part.text));
      }
    }
    return el;
  }

  /** Rows drawn before the first paint of an answer: about what the list shows at once. The
   *  rest are built and drawn a frame later — a key press waits for less script, layout and
   *  paint. */
  const FIRST_ROWS = 10;
  let renderSeq = 0;

  /** One note's group of hits: its head, its rows (added to `rows`), "n more". */
  function groupElements(group) {
    const head = document.createElement('div');
    head.className = 'palette-note';
    const title = document.createElement('span');
    title.textContent = group.title;
    const id = document.createElement('span');
    id.className = 'palette-id';
    id.textContent = group.note;
    head.append(title, id);
    const out = [head];
    for (const hit of group.hits) {
      const row = document.createElement('div');
      row.className = 'palette-hit';
      row.setAttribute('role', 'option');
      // Rows drawn a frame later are options too, not selected until `select` says so.
      row.setAttribute('aria-selected', 'false');
      row.id = `palette-hit-${rows.length}`;
      row.dataset.note = hit.note;
      row.dataset.anchor = hit.anchor;
      const heading = document.createElement('div');
      heading.className = 'palette-heading';
      heading.textContent = hit.heading || group.title;
      row.append(heading, marked(hit.snippet, hit.ranges, 'palette-snippet'));
      const index = rows.length;
      row.addEventListener('mousemove', () => index !== selected && select(index));
      row.addEventListener('click', () => choose(index));
      rows.push({ hit, el: row });
      out.push(row);
    }
    if (group.more) {
      const more = document.createElement('div');
      more.className = 'palette-more';
      more.textContent = `${group.more} more in this note`;
      out.push(more);
    }
    return out;
  }

  function render(hits, query) {
    rows = [];
    const mine = ++renderSeq;
    // What the list shows answers this query (read by the window bench and the tests).
    list.dataset.query = query;
    list.replaceChildren();
    list.scrollTop = 0;
    // With results the box keeps one height while typing: a box growing and shrinking with
    // each answer repaints everything beneath it (over a long note, most of a key's time).
    box.classList.toggle('has-results', hits.length > 0);
    if (!hits.length) {
      const empty = document.createElement('div');
      empty.className = 'palette-empty';
      empty.textContent = query.trim() ? `Nothing matches “${query.trim()}”.` : 'Type to search your notes.';
      list.append(empty);
      select(-1);
      return;
    }
    const groups = groupHits(hits);
    let next = 0;
    const draw = (until) => {
      for (; next < groups.length && rows.length < until; next += 1) {
        list.append(...groupElements(groups[next]));
      }
    };
    draw(FIRST_ROWS);
    select(0);
    if (next < groups.length) {
      // After the next frame has begun: the frame showing this answer is on screen by then.
      const rest = () => mine === renderSeq && draw(Infinity);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(rest)));
    }
  }

  async function run() {
    const query = input.value;
    const mine = ++seq;
    if (!query.trim()) {
      render([], query);
      return;
    }
    try {
      // User-timing marks, only the newest kept: the window bench reads where a key's time
      // goes (waiting to be handled, the command, drawing the answer).
      performance.clearMarks('search:sent');
      performance.mark('search:sent', { detail: query });
      const hits = await search(query, nextTicket());
      performance.clearMarks('search:back');
      performance.mark('search:back', { detail: query });
      if (mine === seq && hits) render(hits, query);
    } catch (err) {
      if (mine !== seq) return;
      renderSeq += 1;
      list.replaceChildren();
      const msg = document.createElement('div');
      msg.className = 'palette-empty';
      msg.textContent = err.message;
      list.append(msg);
      rows = [];
    }
  }

  function choose(i) {
    const row = rows[i];
    if (!row) return;
    close();
    onOpen(row.hit, input.value);
  }

  function close() {
    input.blur();
    root.hidden = true;
    seq += 1;
    if (before instanceof HTMLElement && before.isConnected) before.focus({ preventScroll: true });
    before = null;
  }

  input.addEventListener('input', run);
  input.addEventListener('keydown', (event) => {
    switch (event.key) {
      case 'ArrowDown': select(step(selected, 1, rows.length)); break;
      case 'ArrowUp': select(step(selected, -1, rows.length)); break;
      case 'Enter': choose(selected); break;
      case 'Escape': close(); break;
      default: return;
    }
    event.preventDefault();
  });
  root.addEventListener('mousedown', (event) => {
    if (event.target === root) close();
  });

  return {
    open() {
      if (root.hidden) before = document.activeElement;
      root.hidden = false;
      input.focus();
      input.select();
      if (input.value.trim()) run();
    },
    close,
    /** Asks again (the notes changed): only while the palette is open. */
    refresh() {
      if (!root.hidden && input.value.trim()) run();
    },
    get isOpen() {
      return !root.hidden;
    },
  };
}
