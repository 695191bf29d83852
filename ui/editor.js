// The editor: the note's Markdown source in CodeMirror 6 (ui/vendor/codemirror.js, loaded by
// `prepare` at start, once the tree is drawn), laid over the reader, which stays laid out
// beneath it, covered: taking a 1 MB note's layout down and building it again cost WebKit more
// than the editor costs to open. Saves with Ctrl+S, after 1 s without typing, when another note is
// opened and when the editor closes; a save that fails keeps the text as a draft in
// .margin/drafts/, so nothing is lost. Outside edits are merged by the Rust side (edit::save);
// the editor shows what it is told.
// Usage: const editor = createEditor(host, { api, status, covers, onSaved(id) });
// editor.prepare(); await editor.open(id, { sectionIndex }); await editor.close(); editor.save().

import { LONG_NOTE, longNoteColouring } from './editor-long.js';

const IDLE_SAVE_MS = 1000;

/** CodeMirror, loaded once on first use (565 KB: not at start-up). */
let cm = null;
async function codemirror() {
  if (!cm) {
    cm = await import('./vendor/codemirror.js');
    styleThroughCssom(cm.StyleModule);
  }
  return cm;
}

/** CodeMirror adds its styles as <style> elements or constructed sheets, which Margin's CSP
 *  (style-src 'self') refuses. Its rules go instead into ui/vendor/editor-base.css, a sheet of
 *  our own origin, through the CSSOM: same rules, no weaker CSP. Modules given first win, as
 *  in style-mod, so they are inserted last. */
function styleThroughCssom(StyleModule) {
  const link = /** @type {HTMLLinkElement | null} */ (document.querySelector('link[data-role="editor-styles"]'));
  const sheet = link?.sheet;
  if (!sheet) return;
  const mounted = new Set();
  StyleModule.mount = (_root, modules) => {
    const list = (Array.isArray(modules) ? modules : [modules]).filter((m) => m && !mounted.has(m));
    for (const m of list.reverse()) {
      mounted.add(m);
      for (const rule of m.rules ?? []) {
        try {
          sheet.insertRule(rule, sheet.cssRules.length);
        } catch {
          // A rule this engine does not parse (a prefixed selector): skipped, as a browser would.
        }
      }
    }
  };
}

/** Every note of a tree (as `list_tree` returns it): `{ id, title }`, for `[[` completion. */
export function flattenNotes(nodes, out = []) {
  for (const node of nodes ?? []) {
    if (node.kind === 'note') out.push({ id: node.id, title: node.title });
    else if (node.kind === 'folder') flattenNotes(node.children, out);
  }
  return out;
}

/** The `[[` completions for `typed` (what follows `[[`): titles and file names that contain
 *  it, those starting with it first; each inserts the file name without `.md` and `]]`. */
export function wikiCompletions(notes, typed, limit = 50) {
  const q = typed.toLowerCase();
  const stem = (id) => id.slice(id.lastIndexOf('/') + 1).replace(/\.(md|markdown)$/i, '');
  const scored = [];
  for (const n of notes) {
    const name = stem(n.id);
    const hay = `${n.title}\n${name}`.toLowerCase();
    const at = hay.indexOf(q);
    if (q && at < 0) continue;
    const starts = n.title.toLowerCase().startsWith(q) || name.toLowerCase().startsWith(q);
    scored.push({ rank: starts ? 0 : 1, label: n.title, detail: n.id, apply: `${name}]]` });
  }
  scored.sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label));
  return scored.slice(0, limit).map(({ rank, ...c }) => c);
}

/** The one replacement that turns `before` into `after` (common start and end kept), or null. */
export function minimalChange(before, after) {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { from: start, to: before.length - end, insert: after.slice(start, after.length - end) };
}

/** Heading lines of Markdown source (ATX, outside fenced code): their 0-based line numbers. */
export function headingLines(text) {
  const lines = text.split('\n');
  const out = [];
  let fence = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    if (!fence && /^\s{0,3}#{1,6}(\s|$)/.test(line)) out.push(i);
  }
  return out;
}

export function createEditor(host, { api, status, covers, onSaved }) {
  /** @type {any} */
  let view = null;
  let id = null;
  /** The text the file held when loaded or last saved: the base of a three-way merge. */
  let base = '';
  let timer = null;
  let saving = null;
  let highlights = [];
  /** The effect that replaces the highlight decorations of the open editor, and their field. */
  let markEffect = null;
  let markField = null;
  /** Whether the file or its highlights changed since the editor opened: the reader shows
   *  the note again as it was (no new rendering) when nothing did. */
  let changed = false;

  const setState = (state, text) => {
    host.dataset.state = state;
    const label = { saved: 'Saved', unsaved: 'Unsaved changes', saving: 'Saving…', error: 'Not saved' }[state];
    status.say(text ?? label, state === 'error' ? 'error' : 'info');
    document.title = `${state === 'unsaved' ? '• ' : ''}${id ?? ''} — Margin`;
  };

  // Compared by length first: typing changes the length, and building a 1 MB note's text at
  // every key press is what made typing in big notes lag.
  const dirty = () => view && (view.state.doc.length !== base.length || view.state.doc.toString() !== base);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => save().catch(() => {}), IDLE_SAVE_MS);
  }

  /** Saves now (if anything changed); resolves once the file is written. */
  async function save() {
    clearTimeout(timer);
    if (saving) await saving;
    if (!view || !dirty()) return;
    const text = view.state.doc.toString();
    const note = id;
    setState('saving');
    saving = (async () => {
      try {
        // A save that fails keeps the text as a draft in Rust (see save_note).
        const outcome = await api.saveNote(note, base, text, placements());
        if (note !== id) return;
        changed = true;
        if (outcome.outcome === 'merged') {
          base = outcome.text;
          replaceKeepingCursor(outcome.text);
          setState(dirty() ? 'unsaved' : 'saved', 'Saved — merged with changes made outside Margin');
        } else if (outcome.outcome === 'conflict') {
          base = text;
          setState(dirty() ? 'unsaved' : 'saved', `Saved your text; the version changed outside Margin is kept as ${outcome.conflict}`);
        } else {
          base = text;
          setState(dirty() ? 'unsaved' : 'saved', outcome.outcome === 'recreated' ? 'Saved (the file had been removed outside Margin and is back)' : undefined);
        }
        onSaved?.(note, outcome);
      } catch (err) {
        setState('error', `Not saved: ${err.message} Your text is kept in the editor and as a draft.`);
        throw err;
      } finally {
        saving = null;
      }
    })();
    return saving;
  }

  /** Where the editor's edits moved each highlight it draws (mapped through every change):
   *  stored with the save, so highlights stay on the words the user retyped. A highlight whose
   *  text was deleted is no longer in the field: an empty range, which makes it an orphan. */
  function placements() {
    if (!markField || !highlights.length) return [];
    const at = new Map();
    view.state.field(markField).between(0, view.state.doc.length, (from, to, value) => {
      const hl = value.spec.attributes?.['data-annotation'];
      if (hl) at.set(hl, { from, to });
    });
    return highlights.map((h) => ({ id: h.id, ...(at.get(h.id) ?? { from: 0, to: 0 }) }));
  }

  /** Shows `text` (merged or reloaded) by changing only the part that differs, so the cursor,
   *  the selection and the highlights move with the text around them. */
  function replaceKeepingCursor(text) {
    if (!view) return;
    const change = minimalChange(view.state.doc.toString(), text);
    if (!change) return;
    view.dispatch({ changes: change, annotations: cm.Transaction.remote.of(true) });
  }

  /** Highlights of the note drawn in the source, moved with every edit (mapped, not searched). */
  function highlightField() {
    const { StateField, StateEffect, Decoration, EditorView } = cm;
    const setMarks = StateEffect.define();
    const field = StateField.define({
      create: () => Decoration.none,
      update(marks, tr) {
        marks = marks.map(tr.changes);
        for (const e of tr.effects) if (e.is(setMarks)) marks = e.value;
        return marks;
      },
      provide: (f) => EditorView.decorations.from(f),
    });
    return { field, setMarks };
  }

  /** Decorations for highlights placed in the source by Rust (`from`/`to` in UTF-16 units). */
  function marksFor(list, length) {
    const ranges = list
      .filter((h) => h.from < h.to && h.to <= length)
      .sort((x, y) => x.from - y.from);
    return cm.Decoration.set(ranges.map((h) =>
      cm.Decoration.mark({ class: `cm-margin-hl hl-${h.color}`, attributes: { 'data-annotation': h.id } }).range(h.from, h.to)));
  }

  /** Ctrl+Shift+H: the selection becomes a highlight (saved first, so the file is the text). */
  async function highlightSelection(color = 'yellow') {
    if (!view || !id) return;
    const sel = view.state.selection.main;
    if (sel.empty) {
      status.say('Select some text first, then Ctrl+Shift+H highlights it.');
      return;
    }
    try {
      await save();
      if (dirty()) return; // the save failed or was merged: select again
      const drawn = await api.annotateSource(id, sel.from, sel.to, color);
      highlights = [...highlights, ...drawn];
      changed = true;
      view.dispatch({ effects: markEffect.of(marksFor(highlights, view.state.doc.length)) });
      status.say(drawn.length ? 'Highlighted.' : 'Highlighted (shown in the reader).');
      onSaved?.(id, { outcome: 'annotated' });
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  /** Images pasted or dropped into the editor are saved beside the note and linked. */
  function attachImages(files, at, event) {
    const images = [...(files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (!images.length || !id) return false;
    event.preventDefault();
    const note = id;
    (async () => {
      let insert = '';
      for (const file of images) {
        try {
          const ext = file.type.split('/')[1]?.replace('jpeg', 'jpg').replace('svg+xml', 'svg') || 'png';
          const name = file.name && file.name.includes('.') ? file.name : `pasted-${Date.now()}.${ext}`;
          const link = await api.saveAttachment(note, name, new Uint8Array(await file.arrayBuffer()));
          insert += `![${name.replace(/\.[^.]+$/, '')}](${link})\n`;
        } catch (err) {
          status.say(`The image was not added: ${err.message}`, 'error');
        }
      }
      insertLinks(note, at, insert);
    })();
    return true;
  }

  /** A paste that brought the page nothing (WebKitGTK gives a copied image, a screenshot, no
   *  files and no types): the image is taken from the system clipboard by Rust and linked. */
  function pasteSystemImage(data, at, event) {
    if (!id || (data && data.types.length > 0)) return false;
    event.preventDefault();
    const note = id;
    api.pasteImage(note, `pasted-${Date.now()}.png`).then(
      (link) => link && insertLinks(note, at, `![pasted image](${link})\n`),
      (err) => status.say(`The image was not added: ${err.message}`, 'error'),
    );
    return true;
  }

  /** Image links inserted at `at`, if the editor still shows `note`. */
  function insertLinks(note, at, insert) {
    if (!insert || !view || id !== note) return;
    view.dispatch({ changes: { from: at, insert }, selection: { anchor: at + insert.length } });
    const where = insert.match(/\]\(([^)]*)\)/)?.[1] ?? '';
    status.say(`Image saved as ${where} and linked.`);
  }

  /** The vault's notes for `[[` completion, listed once per editor opening. */
  let notesList = null;
  async function wikiSource(context) {
    const before = context.matchBefore(/\[\[[^\]\n|#]*/);
    if (!before) return null;
    notesList ??= api.listTree().then((t) => flattenNotes(t.children), () => []);
    const notes = await notesList;
    return {
      from: before.from + 2,
      options: wikiCompletions(notes, before.text.slice(2)),
      filter: false,
    };
  }

  /** Everything the editor is made of; `prepare` builds the same set, so that every style of it
   *  is in the page before the first open. */
  function extensions(lib, { long, readOnly, label, marks }) {
    return [
      lib.history(),
      lib.drawSelection(),
      lib.dropCursor(),
      lib.indentOnInput(),
      lib.bracketMatching(),
      lib.highlightActiveLine(),
      lib.highlightSelectionMatches(),
      lib.EditorView.lineWrapping,
      // A long note is coloured line by line on screen: the full parse would cost every key.
      long
        ? longNoteColouring(lib)
        : [lib.markdown({ base: lib.markdownLanguage }), lib.syntaxHighlighting(markdownStyle(lib))],
      lib.EditorState.readOnly.of(readOnly),
      lib.autocompletion({ override: [wikiSource], activateOnTyping: true }),
      lib.tooltips({ position: 'absolute', parent: host }),
      lib.EditorView.contentAttributes.of({ 'aria-label': label, spellcheck: 'true', tabindex: '0' }),
      lib.keymap.of([
        { key: 'Mod-s', preventDefault: true, run: () => { save().catch(() => {}); return true; } },
        { key: 'Mod-Shift-h', preventDefault: true, run: () => { highlightSelection(); return true; } },
        ...lib.completionKeymap,
        ...lib.searchKeymap,
        ...lib.historyKeymap,
        ...lib.defaultKeymap,
        lib.indentWithTab,
      ]),
      marks,
      lib.EditorView.domEventHandlers({
        paste: (event, v) => attachImages(event.clipboardData?.files, v.state.selection.main.head, event)
          || pasteSystemImage(event.clipboardData, v.state.selection.main.head, event),
        drop: (event, v) => attachImages(event.dataTransfer?.files, v.posAtCoords({ x: event.clientX, y: event.clientY }) ?? v.state.selection.main.head, event),
      }),
      lib.EditorView.updateListener.of((u) => {
        if (!u.docChanged || u.view !== view) return;
        const remote = u.transactions.some((t) => t.annotation(lib.Transaction.remote));
        if (dirty()) {
          // Said once, not at every key (the status line and the title bar relayout).
          if (!remote && host.dataset.state !== 'unsaved') setState('unsaved');
          schedule();
        }
      }),
    ];
  }

  /** Loads the editor's code and puts all its styles in the page, once, at start (before a
   *  note is on screen): each style rule added later restyles the whole page, a long note in
   *  the reader included (the first open of the 1 MB note paid ~430 ms for it). */
  let prepared = null;
  function prepare() {
    prepared ??= codemirror().then((lib) => {
      const scratch = new lib.EditorView({
        parent: document.createElement('div'),
        state: lib.EditorState.create({ doc: '', extensions: [extensions(lib, { long: false, readOnly: false, label: '', marks: highlightField().field }), longNoteColouring(lib)] }),
      });
      lib.openSearchPanel(scratch);
      scratch.destroy();
    });
    return prepared;
  }

  async function open(noteId, { sectionIndex = null } = {}) {
    // User-timing marks (cheap, standard): the window bench reads where an open's time goes.
    performance.mark('editor:open');
    await close();
    const lib = await codemirror();
    performance.mark('editor:code');
    const source = await api.noteSource(noteId);
    performance.mark('editor:source');
    id = noteId;
    changed = false;
    notesList = null;
    base = source.text;
    let text = source.text;
    if (source.draft) {
      // The draft's own base: if the file changed since, the save merges the two (never one
      // overwriting the other).
      text = source.draft.text;
      base = source.draft.base;
    }
    highlights = source.draft ? [] : source.highlights;
    const marks = highlightField();
    markEffect = marks.setMarks;
    markField = marks.field;
    view = new lib.EditorView({
      parent: host,
      state: lib.EditorState.create({
        doc: text,
        extensions: extensions(lib, { long: text.length > LONG_NOTE, readOnly: source.read_only, label: `Markdown source of ${noteId}`, marks: marks.field }),
      }),
    });
    view.dispatch({ effects: marks.setMarks.of(marksFor(highlights, view.state.doc.length)) });
    performance.mark('editor:view');
    host.hidden = false;
    if (covers) cover(covers);
    if (sectionIndex !== null) {
      const line = headingLines(text)[sectionIndex];
      if (line !== undefined) {
        const pos = view.state.doc.line(line + 1).from;
        view.dispatch({ selection: { anchor: pos }, effects: lib.EditorView.scrollIntoView(pos, { y: 'start' }) });
      }
    }
    view.focus();
    if (source.read_only) setState('error', 'This note is read-only on disk: Margin can show it but not save it.');
    else if (source.draft) {
      setState('unsaved', 'Unsaved text from your last session was brought back; it is saved in a moment.');
      schedule();
    } else setState('saved', 'Editing — Ctrl+E shows the note, Ctrl+S saves (it also saves by itself)');
  }

  /** Saves and closes; returns the index of the section at the top of the editor. */
  async function close() {
    if (!view) return null;
    try {
      await save();
    } catch {
      return false; // keep the editor open: the text is not safe yet
    }
    const top = view.lineBlockAtHeight(view.scrollDOM.scrollTop).from;
    const topLine = view.state.doc.lineAt(top).number - 1;
    const headings = headingLines(view.state.doc.toString());
    let section = -1;
    for (let i = 0; i < headings.length && headings[i] <= topLine; i++) section = i;
    view.destroy();
    view = null;
    id = null;
    host.hidden = true;
    if (covers) uncover(covers);
    host.replaceChildren();
    return section;
  }

  /** The note changed on disk: reload when nothing is unsaved, else merge through a save. */
  async function outsideChange() {
    if (!view || saving) return;
    if (dirty()) {
      await save().catch(() => {});
      return;
    }
    try {
      const source = await api.noteSource(id);
      if (source.text === base) return; // our own save coming back from the watcher
      base = source.text;
      changed = true;
      replaceKeepingCursor(source.text);
      setState('saved', 'Reloaded: the note was changed outside Margin');
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  window.addEventListener('beforeunload', () => {
    if (dirty()) api.putDraft(id, base, view.state.doc.toString()).catch(() => {});
  });

  return {
    open,
    close,
    save,
    prepare,
    outsideChange,
    /** Opens the editor's own find and replace. */
    find() { if (view) cm.openSearchPanel(view); },
    /** The note was renamed on disk: later saves go to its new id. */
    retarget(newId) { id = newId; },
    get isOpen() { return view !== null; },
    get noteId() { return id; },
    get isDirty() { return Boolean(dirty()); },
    /** Whether this editing changed the file or the highlights (saves, merges, reloads). */
    get changed() { return changed; },
    /** The editor's text (for tests and for a rename while editing). */
    get text() { return view ? view.state.doc.toString() : null; },
  };
}

/** What Tab stops at in the reader (links, buttons, folded call-outs, scrollable code). */
const TABBABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/** The reader beneath the editor keeps its layout, but leaves the accessibility tree and the
 *  tab order (`inert` would do both, at the price of restyling every element of a long note:
 *  400 ms for the 1 MB one). */
function cover(el) {
  el.setAttribute('aria-hidden', 'true');
  for (const f of el.querySelectorAll(TABBABLE)) {
    f.setAttribute('data-covered-tabindex', f.getAttribute('tabindex') ?? '');
    f.setAttribute('tabindex', '-1');
  }
}

function uncover(el) {
  el.removeAttribute('aria-hidden');
  for (const f of el.querySelectorAll('[data-covered-tabindex]')) {
    const was = f.getAttribute('data-covered-tabindex');
    if (was) f.setAttribute('tabindex', was);
    else f.removeAttribute('tabindex');
    f.removeAttribute('data-covered-tabindex');
  }
}

/** Markdown colours from the theme's CSS variables (light and dark follow by themselves). */
function markdownStyle(lib) {
  const t = lib.tags;
  return lib.HighlightStyle.define([
    { tag: t.heading, class: 'cm-md-heading' },
    { tag: t.strong, class: 'cm-md-strong' },
    { tag: t.emphasis, class: 'cm-md-emphasis' },
    { tag: t.link, class: 'cm-md-link' },
    { tag: t.url, class: 'cm-md-url' },
    { tag: t.monospace, class: 'cm-md-code' },
    { tag: t.quote, class: 'cm-md-quote' },
    { tag: [t.processingInstruction, t.meta], class: 'cm-md-mark' },
    { tag: t.list, class: 'cm-md-list' },
  ]);
}
