// The review window: the cards due under a topic, one at a time. Space shows the answer with
// its passage in context, 1–4 grade (Again / Hard / Good / Easy, as in Anki), u undoes the
// last grade, e edits the card's highlight in its note, o opens the note at it, Esc ends the
// session. The session ends with a summary (cards, time, share remembered).
// Usage: const review = createReview(element, { api, status, onOpen(note, annotation, edit),
// onChanged() }); review.open(under, label).

import { gradeOfKey, interval, summary } from './review-model.js';

export function createReview(root, { api, status, onOpen, onChanged }) {
  const box = document.createElement('div');
  box.className = 'palette-box review-box';
  box.tabIndex = -1;
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-modal', 'true');
  box.setAttribute('aria-label', 'Review');
  root.replaceChildren(box);

  /** @type {import('./api.js').CardRow[]} */
  let queue = [];
  /** Faces fetched ahead, by card id: the next card shows without waiting. */
  const faces = new Map();
  /** Grades given this session, the last one first undone: { row, review, grade, tookMs }. */
  let graded = [];
  let current = null;
  let face = null;
  let shownAt = 0;
  let answered = false;
  let topic = '';
  let before = null;
  let busy = false;

  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function faceOf(row) {
    if (!faces.has(row.id)) faces.set(row.id, api.studyFace(row.note, row.id));
    return faces.get(row.id);
  }

  function head(extra) {
    const h = el('header', 'review-head');
    const title = el('h2', 'review-title', `Review · ${topic}`);
    const count = el('span', 'review-count', extra);
    const close = el('button', 'review-close', 'End (Esc)');
    close.type = 'button';
    close.addEventListener('click', () => finish());
    h.append(title, count, close);
    return h;
  }

  /** The cloze sentence with the hidden words shown and marked. */
  function clozeAnswer(parts) {
    const p = el('p', 'review-back');
    p.append(parts[0], el('mark', 'review-answer', parts[1]), parts[2]);
    return p;
  }

  function render() {
    if (!current || !face) return;
    const left = queue.length + 1;
    const parts = [head(`${graded.length} done · ${left} left`)];
    if (face.heading && current.kind !== 'heading') parts.push(el('p', 'review-heading', face.heading));
    const kindLabel = { cloze: 'Fill the gap', qa: 'Question', heading: 'What does this section say?' }[current.kind];
    parts.push(el('p', 'review-kind', kindLabel));
    parts.push(el('p', 'review-front', face.front));
    if (answered) {
      if (current.kind === 'cloze' && face.cloze.length === 3) parts.push(clozeAnswer(face.cloze));
      else parts.push(el('p', 'review-back', face.back));
      const open = el('button', 'review-open', 'Open in the note (o)');
      open.type = 'button';
      open.addEventListener('click', () => openNote(false));
      parts.push(open);
      const grades = el('div', 'review-grades');
      grades.setAttribute('role', 'group');
      grades.setAttribute('aria-label', 'How well did you remember?');
      ['Again', 'Hard', 'Good', 'Easy'].forEach((label, i) => {
        const b = el('button', `review-grade grade-${label.toLowerCase()}`, `${i + 1} ${label}`);
        b.type = 'button';
        b.dataset.grade = label.toLowerCase();
        b.addEventListener('click', () => grade(label.toLowerCase()));
        grades.append(b);
      });
      parts.push(grades);
      parts.push(el('p', 'review-keys', '1–4 grade · u undo · e edit · o open · Esc end'));
    } else {
      const show = el('button', 'review-show', 'Show answer (Space)');
      show.type = 'button';
      show.addEventListener('click', () => reveal());
      parts.push(show, el('p', 'review-keys', 'Space shows the answer · u undo · e edit · Esc end'));
    }
    box.replaceChildren(...parts);
    box.dataset.card = current.id;
    box.dataset.answered = String(answered);
    box.focus();
  }

  async function next() {
    current = null;
    face = null;
    answered = false;
    while (queue.length) {
      const row = /** @type {import('./api.js').CardRow} */ (queue.shift());
      try {
        const f = await faceOf(row);
        if (f.suspended) continue;
        current = row;
        face = f;
        break;
      } catch (err) {
        status.say(err.message, 'error');
      }
    }
    if (!current) return showSummary();
    shownAt = performance.now();
    if (queue[0]) faceOf(queue[0]).catch(() => {});
    render();
  }

  function reveal() {
    if (!current || answered) return;
    answered = true;
    render();
  }

  async function grade(name) {
    if (!current || !answered || busy) return;
    busy = true;
    const row = current;
    const tookMs = Math.round(performance.now() - shownAt);
    try {
      const done = await api.studyGrade(row.note, row.id, name, tookMs);
      graded.unshift({ row, review: done.review, grade: name, tookMs });
      status.say(`${name[0].toUpperCase()}${name.slice(1)}: due again ${interval(done.interval_days)}.`);
      await next();
    } catch (err) {
      status.say(err.message, 'error');
    } finally {
      busy = false;
    }
  }

  async function undo() {
    const last = graded[0];
    if (!last || busy) return;
    busy = true;
    try {
      await api.studyUndo(last.review);
      graded.shift();
      if (current) queue.unshift(current);
      current = last.row;
      face = await faceOf(last.row);
      answered = false;
      shownAt = performance.now();
      status.say('Last grade undone.');
      render();
    } catch (err) {
      status.say(err.message, 'error');
    } finally {
      busy = false;
    }
  }

  function openNote(edit) {
    if (!current) return;
    const { note, annotation } = current;
    close();
    onOpen(note, annotation ?? face?.annotation ?? null, edit, current.heading);
  }

  function showSummary() {
    const s = summary(graded.map((g) => ({ grade: g.grade, tookMs: g.tookMs })));
    const body = el('div', 'review-summary');
    body.append(
      el('p', 'review-summary-main', graded.length ? s.text : `Nothing due in ${topic}. Make cards from highlights with r.`),
    );
    if (graded.length && s.again) body.append(el('p', 'review-keys', `Cards answered Again come back in 10 minutes.`));
    const done = el('button', 'review-done', 'Close');
    done.type = 'button';
    done.addEventListener('click', () => close());
    box.replaceChildren(head(`${graded.length} done`), body, done);
    box.dataset.card = '';
    box.dataset.summary = 'true';
    done.focus();
  }

  function finish() {
    if (current || queue.length) {
      queue = [];
      current = null;
      showSummary();
    } else close();
  }

  function close() {
    const hadGrades = graded.length > 0;
    root.hidden = true;
    current = null;
    queue = [];
    faces.clear();
    /** @type {HTMLElement | null} */ (before)?.focus?.();
    if (hadGrades) onChanged();
  }

  root.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const g = gradeOfKey(e.key);
    if (e.key === 'Escape') finish();
    else if (e.key === ' ' && !(e.target instanceof HTMLButtonElement && e.target !== box)) reveal();
    else if (g && answered) grade(g);
    else if (e.key === 'u') undo();
    else if (e.key === 'e') openNote(true);
    else if (e.key === 'o' && answered) openNote(false);
    else if (e.key === 'Tab') {
      // Focus stays in the dialog.
      const items = [...box.querySelectorAll('button')];
      const at = items.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
      items[(at + (e.shiftKey ? -1 : 1) + items.length) % items.length]?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  });
  root.addEventListener('mousedown', (e) => {
    if (e.target === root) finish();
  });

  return {
    get isOpen() {
      return !root.hidden;
    },
    /** Starts a session on the cards due under `under` (a folder, a note, `''` for all). */
    async open(under = '', label = '') {
      topic = label || under || 'all notes';
      before = root.hidden ? document.activeElement : before;
      graded = [];
      faces.clear();
      delete box.dataset.summary;
      root.hidden = false;
      box.replaceChildren(head('loading…'));
      box.focus();
      try {
        queue = await api.studyQueue(under);
      } catch (err) {
        status.say(err.message, 'error');
        queue = [];
      }
      await next();
    },
  };
}
