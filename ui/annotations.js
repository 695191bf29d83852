// Highlights and annotations in the window: the popover on a text selection (colours 1–5,
// c for a comment, t for tags), highlights drawn over the note, and the margin list of the note's
// annotations in reading order, with editing, deleting (with undo) and an Orphans list; and
// review cards made from highlights: r in the popover or on a focused highlight card, and the
// note's "Cards" switch (a card for each highlight, or for each section of a note without any).
// Usage: const notes = createAnnotations({ reader, margin, popover, api, status });
// notes.show(noteId) after the note is rendered; notes.clear().

import { markText, clearMarks } from './highlight.js';

export const COLORS = ['yellow', 'green', 'blue', 'pink', 'purple'];

/** Code-point offsets of a DOM range inside `root`, or null when it is not inside. */
export function rangeOffsets(root, range) {
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = Array.from(before.toString()).length;
  const end = start + Array.from(range.toString()).length;
  return end > start ? [start, end] : null;
}

/** The card shared by the margin and the Annotations view: colour, quote and rendered
 *  comment; callers add their own meta line and actions. */
export function annotationCard(a) {
  const el = document.createElement('article');
  el.className = 'anno-card';
  el.dataset.id = a.id;
  el.dataset.color = a.color;
  el.tabIndex = 0;
  const quote = document.createElement('blockquote');
  quote.textContent = (a.current || a.quote).exact;
  el.append(quote);
  if (a.comment) {
    const c = document.createElement('div');
    c.className = 'anno-comment';
    // Rendered and sanitised in Rust, like the note itself.
    c.innerHTML = a.comment_html;
    el.append(c);
  }
  return el;
}

export function createAnnotations({ body, margin, popover, paletteButton, cardsButton, api, status, onCardsChanged = () => {} }) {
  let noteId = null;
  /** The note's review cards by highlight id (a highlight may have a cloze and a Q/A card). */
  let cards = new Map();
  let noteCards = 0;
  /** @type {import('./api.js').Palette} */
  let palette = { version: 1, colors: COLORS.map((color) => ({ color, label: '' })) };
  const colorNames = () => palette.colors.map((c) => c.color);
  const labelOf = (color) => palette.colors.find((c) => c.color === color)?.label || '';
  let items = [];
  let pending = null; // [start, end] of the selection the popover is for
  let undo = null;

  // --- popover -------------------------------------------------------------------------
  const swatchBox = document.createElement('span');
  swatchBox.className = 'swatches';
  function buildSwatches() {
    swatchBox.replaceChildren(
      ...colorNames().map((color, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = `swatch swatch-${color}`;
        b.dataset.color = color;
        const label = labelOf(color);
        b.title = `${i + 1}: ${color}${label ? ` — ${label}` : ''}`;
        b.setAttribute('aria-label', `Highlight ${color}${label ? `, ${label}` : ''}`);
        b.addEventListener('mousedown', (e) => e.preventDefault());
        b.addEventListener('click', () => create(color));
        return b;
      }),
    );
  }
  buildSwatches();
  const commentButton = document.createElement('button');
  commentButton.type = 'button';
  commentButton.className = 'popover-comment';
  commentButton.textContent = 'Comment (c)';
  commentButton.addEventListener('mousedown', (e) => e.preventDefault());
  commentButton.addEventListener('click', () => create(colorNames()[0], 'comment'));
  const tagsButton = document.createElement('button');
  tagsButton.type = 'button';
  tagsButton.className = 'popover-comment';
  tagsButton.textContent = 'Tags (t)';
  tagsButton.addEventListener('mousedown', (e) => e.preventDefault());
  tagsButton.addEventListener('click', () => create(colorNames()[0], 'tags'));
  const cardButton = document.createElement('button');
  cardButton.type = 'button';
  cardButton.className = 'popover-comment';
  cardButton.textContent = 'Card (r)';
  cardButton.title = 'Highlight and make a review card of it (the words hidden in their sentence)';
  cardButton.addEventListener('mousedown', (e) => e.preventDefault());
  cardButton.addEventListener('click', () => create(colorNames()[0], 'card'));
  popover.append(swatchBox, commentButton, tagsButton, cardButton);

  function hidePopover() {
    popover.hidden = true;
    pending = null;
  }

  function onSelection() {
    const root = body();
    const sel = window.getSelection();
    if (!root || !noteId || !sel || sel.isCollapsed || sel.rangeCount === 0) return hidePopover();
    const range = sel.getRangeAt(0);
    const offsets = rangeOffsets(root, range);
    if (!offsets || !range.toString().trim()) return hidePopover();
    pending = offsets;
    const rect = range.getBoundingClientRect();
    popover.hidden = false;
    const width = popover.offsetWidth;
    popover.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, rect.left + rect.width / 2 - width / 2))}px`;
    popover.style.top = `${Math.max(8, rect.top - popover.offsetHeight - 8)}px`;
  }

  document.addEventListener('mouseup', () => setTimeout(onSelection, 0));
  document.addEventListener('keyup', (e) => {
    if (e.shiftKey || e.key === 'Shift') setTimeout(onSelection, 0);
  });
  document.addEventListener('keydown', (e) => {
    if (popover.hidden || !pending || e.ctrlKey || e.metaKey || e.altKey) return;
    const n = Number(e.key);
    const names = colorNames();
    if (n >= 1 && n <= names.length) create(names[n - 1]);
    else if (e.key === 'c') create(names[0], 'comment');
    else if (e.key === 't') create(names[0], 'tags');
    else if (e.key === 'r') create(names[0], 'card');
    else if (e.key === 'Escape') hidePopover();
    else return;
    e.preventDefault();
  });

  /** Highlights the pending selection; `then` opens the edit form on 'comment' or 'tags', or
   *  makes a card of it on 'card'. */
  async function create(color, then = null) {
    if (!pending || !noteId) return;
    const [start, end] = pending;
    hidePopover();
    window.getSelection()?.removeAllRanges();
    try {
      const a = await api.addAnnotation(noteId, start, end, color);
      items.push(a);
      render();
      if (then === 'card') await makeCard(a.id);
      else if (then) edit(a.id, then);
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  // --- highlights over the note --------------------------------------------------------
  function draw() {
    const root = body();
    if (!root) return;
    const placed = items.filter((a) => a.status !== 'orphan');
    markText(root, placed.map((a) => [a.position.start, a.position.end]), {
      kind: 'anno',
      decorate(mark, i) {
        mark.dataset.id = placed[i].id;
        mark.dataset.color = placed[i].color;
        mark.title = placed[i].comment || (placed[i].current || placed[i].quote).exact;
        // Colour is not the only cue: a screen reader hears what the highlight is.
        const label = labelOf(placed[i].color);
        const comment = placed[i].comment ? `, comment: ${placed[i].comment}` : '';
        mark.setAttribute('aria-description', `highlight, ${placed[i].color}${label ? ` (${label})` : ''}${comment}`);
      },
    });
  }

  // --- the margin list -----------------------------------------------------------------
  function card(a) {
    const el = annotationCard(a);
    const label = labelOf(a.color);
    if (a.tags.length || label) {
      const t = document.createElement('p');
      t.className = 'anno-tags';
      t.textContent = [label, ...a.tags.map((x) => `#${x}`)].filter(Boolean).join(' · ');
      el.append(t);
    }
    const actions = document.createElement('div');
    actions.className = 'anno-actions';
    /** A card button: acts on this annotation without also jumping to it. */
    const button = (action, label, run) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = action;
      b.textContent = label;
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        run(a.id);
      });
      return b;
    };
    actions.append(button('edit', 'Edit', edit), button('delete', 'Delete', remove));
    const own = cards.get(a.id) ?? [];
    if (own.length) {
      el.dataset.card = own.map((c) => c.kind).join(' ');
      const badge = document.createElement('span');
      badge.className = 'anno-card-badge';
      const suspended = own.some((c) => c.state === 'suspended');
      badge.textContent = suspended ? 'Card (suspended)' : own.length > 1 ? `${own.length} cards` : 'Card';
      badge.title = suspended
        ? 'Its text is gone from the note: the card waits, not shown for review, until the highlight is attached again'
        : 'Comes back for review (Ctrl+Shift+R)';
      actions.append(badge, button('uncard', 'Remove card', removeCards));
    } else if (a.status !== 'orphan') {
      const make = button('card', 'Make card (r)', makeCard);
      make.title = a.comment ? 'A cloze card; with Shift+R, a question card that asks your comment' : 'A cloze card: the words hidden in their sentence';
      actions.append(make);
    }
    if (a.status === 'orphan') {
      const attach = button('attach', 'Attach to selection', reattach);
      attach.title = 'Select text in the note first';
      // Keep the selection the user made in the note.
      attach.addEventListener('mousedown', (e) => e.preventDefault());
      actions.append(attach);
    }
    el.append(actions);
    el.addEventListener('click', () => jump(a.id));
    return el;
  }

  function render() {
    items.sort((x, y) => (x.status === 'orphan') - (y.status === 'orphan') || x.position.start - y.position.start);
    const placed = items.filter((a) => a.status !== 'orphan');
    const orphans = items.filter((a) => a.status === 'orphan');
    const parts = [];
    if (!items.length) {
      const p = document.createElement('p');
      p.className = 'empty-state';
      p.textContent = 'Select text to highlight it: 1–5 pick a colour, c adds a comment, t tags.';
      parts.push(p);
    }
    parts.push(...placed.map(card));
    if (orphans.length) {
      const h = document.createElement('h3');
      h.className = 'orphans-title';
      h.textContent = `Orphans (${orphans.length}) — their text changed or is gone`;
      parts.push(h, ...orphans.map(card));
    }
    margin.replaceChildren(...parts);
    draw();
  }

  /** Makes a card of highlight `id`: a cloze, or with `kind = 'qa'` a question card (its comment
   *  asks). */
  async function makeCard(id, kind = 'cloze') {
    if (!noteId) return;
    try {
      await api.studyAddCard(noteId, id, kind);
      await loadCards(noteId);
      render();
      status.say(kind === 'qa' ? 'Question card made: your comment asks, the passage answers.' : 'Card made: the words come back hidden in their sentence (Ctrl+Shift+R reviews).');
      onCardsChanged();
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  async function removeCards(id) {
    if (!noteId) return;
    try {
      for (const c of cards.get(id) ?? []) await api.studyRemoveCard(noteId, c.id);
      await loadCards(noteId);
      render();
      status.say('Card removed (its review history stays in the log).');
      onCardsChanged();
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  async function loadCards(id) {
    const rows = await api.studyCards(id).catch(() => []);
    if (noteId !== id) return;
    cards = new Map();
    noteCards = 0;
    for (const r of rows) {
      if (r.note !== id) continue;
      noteCards += 1;
      if (r.annotation) cards.set(r.annotation, [...(cards.get(r.annotation) ?? []), r]);
    }
    if (cardsButton) {
      cardsButton.setAttribute('aria-pressed', String(noteCards > 0));
      cardsButton.textContent = noteCards ? `Cards ${noteCards}` : 'Cards';
    }
  }

  /** The note's "Cards" switch: on makes a card of each highlight (or of each section of a note
   *  without highlights); off removes the note's cards. */
  cardsButton?.addEventListener('click', async () => {
    if (!noteId) return;
    const on = noteCards === 0;
    try {
      const count = await api.studyNoteCards(noteId, on);
      await loadCards(noteId);
      render();
      status.say(on ? `${count} card${count === 1 ? '' : 's'} from this note.` : 'This note has no cards now.');
      onCardsChanged();
    } catch (err) {
      status.say(err.message, 'error');
    }
  });

  margin.addEventListener('keydown', (e) => {
    const focused = /** @type {HTMLElement} */ (e.target);
    if (!focused.matches?.('.anno-card') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'r' || e.key === 'R') {
      const id = focused.dataset.id;
      if (!id) return;
      if (cards.has(id) && e.key === 'r') status.say('This highlight is a card already; “Remove card” removes it.');
      else makeCard(id, e.key === 'R' ? 'qa' : 'cloze');
      e.preventDefault();
    } else if (e.key === 'Enter') {
      jump(focused.dataset.id ?? '');
      e.preventDefault();
    }
  });

  function jump(id) {
    const mark = body()?.querySelector(`mark.anno[data-id="${CSS.escape(id)}"]`);
    mark?.scrollIntoView({ block: 'center' });
    for (const c of margin.querySelectorAll('.anno-card')) c.classList.toggle('current', c.dataset.id === id);
  }

  function edit(id, focus = 'comment') {
    const a = items.find((x) => x.id === id);
    const el = margin.querySelector(`.anno-card[data-id="${CSS.escape(id)}"]`);
    if (!a || !el) return;
    const form = document.createElement('form');
    form.className = 'anno-edit';
    const comment = document.createElement('textarea');
    comment.value = a.comment;
    comment.placeholder = 'Your comment (Markdown)';
    comment.rows = 3;
    const tags = document.createElement('input');
    tags.value = a.tags.join(', ');
    tags.placeholder = 'tags, comma separated';
    const colors = document.createElement('select');
    for (const c of colorNames()) {
      const label = labelOf(c);
      colors.append(new Option(label ? `${c} — ${label}` : c, c, false, c === a.color));
    }
    const save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save';
    form.append(comment, tags, colors, save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const patch = { comment: comment.value, tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean), color: colors.value };
      try {
        const saved = await api.updateAnnotation(noteId, id, patch);
        items = items.map((x) => (x.id === id ? saved : x));
        render();
      } catch (err) {
        status.say(err.message, 'error');
      }
    });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
      if (e.key === 'Escape') render();
      e.stopPropagation();
    });
    el.replaceChildren(el.querySelector('blockquote'), form);
    (focus === 'tags' ? tags : comment).focus();
  }

  async function remove(id) {
    try {
      const removed = await api.deleteAnnotation(noteId, id);
      items = items.filter((x) => x.id !== id);
      render();
      const forNote = noteId;
      undo = async () => {
        await api.restoreAnnotation(forNote, removed);
        if (noteId === forNote) await reload(forNote);
      };
      status.offerUndo('Annotation deleted.', () => undo?.());
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  async function reattach(id) {
    const sel = window.getSelection();
    const offsets = sel && sel.rangeCount ? rangeOffsets(body(), sel.getRangeAt(0)) : null;
    if (!offsets) {
      status.say('Select the passage to attach it to first.', 'warn');
      return;
    }
    try {
      const saved = await api.updateAnnotation(noteId, id, { range: offsets });
      items = items.map((x) => (x.id === id ? saved : x));
      sel.removeAllRanges();
      render();
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  document.addEventListener('click', (e) => {
    const mark = /** @type {HTMLElement} */ (e.target).closest?.('mark.anno');
    if (mark && body()?.contains(mark)) jump(mark.dataset.id);
  });

  /** The palette editor: a label for each colour, saved with the vault. */
  function editPalette() {
    const form = document.createElement('form');
    form.className = 'anno-edit palette-edit';
    const inputs = palette.colors.map((c, i) => {
      const row = document.createElement('label');
      row.className = 'palette-row';
      const dot = document.createElement('span');
      dot.className = `swatch swatch-${c.color}`;
      const input = document.createElement('input');
      input.value = c.label;
      input.placeholder = `${i + 1}: ${c.color} means…`;
      input.dataset.color = c.color;
      row.append(dot, input);
      form.append(row);
      return input;
    });
    const save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save colours';
    form.append(save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const next = { ...palette, colors: palette.colors.map((c, i) => ({ color: c.color, label: inputs[i].value.trim() })) };
      try {
        await api.setPalette(next);
        palette = next;
        paletteLoaded = true;
        buildSwatches();
        render();
      } catch (err) {
        status.say(err.message, 'error');
      }
    });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') render();
      e.stopPropagation();
    });
    margin.replaceChildren(form);
    inputs[0]?.focus();
  }
  paletteButton?.addEventListener('click', editPalette);
  let paletteLoaded = false;

  /** Loads and shows the annotations of note `id` (after the note is rendered). */
  async function reload(id) {
    noteId = id;
    items = [];
    cards = new Map();
    hidePopover();
    try {
      if (!paletteLoaded) {
        const loaded = await api.getPalette();
        // The editor may have saved a newer palette while this answer was on its way.
        if (!paletteLoaded) {
          palette = loaded;
          paletteLoaded = true;
          buildSwatches();
        }
      }
      const [result] = await Promise.all([api.listAnnotations(id), loadCards(id)]);
      if (noteId !== id) return;
      items = result.annotations;
      if (result.set_aside) status.say(`This note's annotation file was damaged and moved to ${result.set_aside}.`, 'error');
    } catch (err) {
      status.say(err.message, 'error');
    }
    render();
  }

  return {
    show: reload,
    /** Scrolls to an annotation's highlight and marks its card. */
    jump,
    /** Opens the edit form of an annotation (the review's `e`). */
    edit,
    /** Redraws the highlights (after the note body was replaced or marked). */
    redraw: draw,
    clear() {
      const root = body();
      if (root) clearMarks(root, 'anno');
    },
  };
}
