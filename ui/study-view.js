// The Study view (in place of the reader): cards due per day for the next 30 days, reviews per
// day for the last 90 (a heatmap), and per topic the cards, due, reviews, retention and time
// spent, with "Review" for each topic. The pictures are inline SVG drawn here from the numbers
// Rust computes (study::stats); no chart library.
// Usage: const view = createStudyView(element, { load(), onReview(topic) }); view.open();
// view.close().

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, title = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.append(t);
  }
  return e;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const percent = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)} %`);
function duration(ms) {
  const minutes = Math.round(ms / 60000);
  if (minutes < 1) return ms ? `${Math.round(ms / 1000)} s` : '—';
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
const dayName = (d) => d.toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric' });

/** Bars of cards due on each day ahead; today first (with the overdue and new cards). */
function forecast(due) {
  const w = 600;
  const h = 120;
  const bar = w / due.length;
  const max = Math.max(1, ...due);
  const total = due.reduce((a, b) => a + b, 0);
  const chart = svg('svg', { viewBox: `0 0 ${w} ${h + 18}`, class: 'chart forecast', role: 'img', 'aria-label': `Cards due: ${due[0]} today, ${total} in the next ${due.length} days` });
  const today = new Date();
  due.forEach((n, i) => {
    const height = n ? Math.max(2, (n / max) * h) : 0;
    const day = new Date(today);
    day.setDate(today.getDate() + i);
    chart.append(svg('rect', { x: i * bar + 1, y: h - height, width: bar - 2, height, rx: 2, class: i === 0 ? 'bar today' : 'bar' }, `${i === 0 ? 'Today' : dayName(day)}: ${n} card${n === 1 ? '' : 's'}`));
  });
  for (const [i, label] of [[0, 'today'], [7, '+7'], [14, '+14'], [due.length - 1, `+${due.length - 1}`]]) {
    const anchor = i === 0 ? 'start' : i === due.length - 1 ? 'end' : 'middle';
    const x = i === 0 ? 0 : i === due.length - 1 ? w : i * bar + bar / 2;
    const t = svg('text', { x, y: h + 14, 'text-anchor': anchor, class: 'axis' });
    t.textContent = label;
    chart.append(t);
  }
  return chart;
}

/** A calendar heatmap of reviews per day: weeks as columns, weekdays as rows. */
function heatmap(counts, firstDay) {
  const cell = 12;
  const gap = 3;
  const start = new Date(`${firstDay}T12:00:00`);
  const offset = (start.getDay() + 6) % 7; // Monday first
  const weeks = Math.ceil((counts.length + offset) / 7);
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const days = counts.filter(Boolean).length;
  const chart = svg('svg', { viewBox: `0 0 ${weeks * (cell + gap)} ${7 * (cell + gap)}`, class: 'chart heatmap', role: 'img', 'aria-label': `${total} reviews on ${days} of the last ${counts.length} days` });
  counts.forEach((n, i) => {
    const at = i + offset;
    const day = new Date(start);
    day.setDate(start.getDate() + i);
    const level = n ? Math.min(4, 1 + Math.floor((3 * n) / max)) : 0;
    chart.append(svg('rect', { x: Math.floor(at / 7) * (cell + gap), y: (at % 7) * (cell + gap), width: cell, height: cell, rx: 2, class: `day level-${level}` }, `${dayName(day)}: ${n} review${n === 1 ? '' : 's'}`));
  });
  return chart;
}

/** Reviews needed before "Optimise" can fit the parameters (study::optimise::MINIMUM_REVIEWS). */
const OPTIMISE_AFTER = 400;

export function createStudyView(root, { load, onReview, onExport, onOptimise }) {
  function row(t, label) {
    const tr = el('tr');
    const name = el('th', '', label);
    name.scope = 'row';
    const meter = el('td');
    const inner = el('div', 'retention');
    inner.append(el('span', '', percent(t.retention)));
    if (t.retention !== null) {
      const bar = svg('svg', { viewBox: '0 0 100 8', class: 'meter', 'aria-hidden': 'true' });
      bar.append(svg('rect', { x: 0, y: 0, width: 100, height: 8, rx: 4, class: 'meter-bg' }));
      bar.append(svg('rect', { x: 0, y: 0, width: Math.round(t.retention * 100), height: 8, rx: 4, class: 'meter-fill' }));
      inner.prepend(bar);
    }
    meter.append(inner);
    const review = el('td');
    if (t.due) {
      const b = el('button', 'study-review', `Review ${t.due}`);
      b.type = 'button';
      b.dataset.topic = t.topic;
      b.addEventListener('click', () => onReview(t.topic === '/' ? '' : t.topic, label));
      review.append(b);
    }
    tr.append(name, el('td', 'num', String(t.cards)), el('td', 'num', String(t.due)), el('td', 'num', String(t.reviews)), meter, el('td', 'num', duration(t.time_ms)), review);
    return tr;
  }

  function render(s) {
    const head = el('header', 'library-head');
    head.append(el('h1', '', 'Study'));
    const exports = el('span', 'library-export');
    for (const [format, label] of [['cards', 'Export cards for Anki…'], ['reviews', 'Export review log (CSV)…']]) {
      const b = el('button', '', label);
      b.type = 'button';
      b.dataset.format = format;
      b.addEventListener('click', () => onExport(format));
      exports.append(b);
    }
    const optimise = el('button', 'study-optimise', 'Optimise');
    optimise.type = 'button';
    optimise.disabled = s.total.reviews < OPTIMISE_AFTER;
    optimise.title = optimise.disabled
      ? `Fits the scheduler to your own memory once you have ${OPTIMISE_AFTER} reviews (${s.total.reviews} so far)`
      : `Fit the scheduler's parameters to your ${s.total.reviews} reviews (FSRS optimiser, runs in the background)`;
    optimise.addEventListener('click', async () => {
      optimise.disabled = true;
      await onOptimise();
      optimise.disabled = false;
    });
    exports.append(optimise);
    head.append(exports);
    const totals = el('p', 'study-totals', `${s.total.due} due today${s.new_today ? ` (${s.new_today} new)` : ''} · ${plural(s.total.cards, 'card')} · ${plural(s.total.reviews, 'review')} · retention ${percent(s.total.retention)} · ${duration(s.total.time_ms)} spent`);
    const sections = [head, totals];
    if (!s.total.cards && !s.total.reviews) {
      sections.push(el('p', 'empty-state', 'No cards yet. Select a passage and press r (or r on a highlight in the margin) to make one; the Cards button makes one of every highlight of a note.'));
    }
    sections.push(el('h2', '', `Due in the next ${s.due_per_day.length} days`), forecast(s.due_per_day));
    sections.push(el('h2', '', `Reviews in the last ${s.reviews_per_day.length} days`), heatmap(s.reviews_per_day, s.first_day));
    sections.push(el('h2', '', 'By topic'));
    const table = el('table', 'study-topics');
    const thead = el('thead');
    const hr = el('tr');
    for (const h of ['Topic', 'Cards', 'Due', 'Reviews', 'Retention', 'Time', '']) {
      const th = el('th', '', h);
      th.scope = 'col';
      hr.append(th);
    }
    thead.append(hr);
    const body = el('tbody');
    for (const t of s.topics) body.append(row(t, t.topic === '/' ? '(top folder)' : t.topic));
    table.append(thead, body);
    sections.push(table, el('p', 'study-note', 'Retention counts reviews a day or more after the card’s previous one, as Anki’s true retention does.'));
    root.replaceChildren(...sections);
  }

  return {
    get isOpen() {
      return !root.hidden;
    },
    async open() {
      root.hidden = false;
      root.replaceChildren(el('p', 'empty-state', 'Counting…'));
      render(await load());
    },
    close() {
      root.hidden = true;
    },
  };
}
