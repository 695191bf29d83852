// Pure helpers of the Annotations view (tested with node --test).

import { fold } from './tree-model.js';

/** Keeps annotations whose quote, comment or tags contain every word of `text` (`#tag`
 *  matches tags only) and, if given, of colour `color`; drops notes left empty. */
export function filterAnnotations(notes, { text = '', color = '' } = {}) {
  const words = fold(text).split(/\s+/).filter(Boolean);
  return notes
    .map((n) => ({
      ...n,
      annotations: n.annotations.filter((a) => {
        if (color && a.color !== color) return false;
        const tags = a.tags.map((t) => fold(t));
        const hay = fold(`${(a.current || a.quote).exact} ${a.comment} ${n.title}`);
        return words.every((w) => (w.startsWith('#') ? tags.includes(w.slice(1)) : hay.includes(w) || tags.includes(w)));
      }),
    }))
    .filter((n) => n.annotations.length);
}

/** Groups notes by their folder (the topic), topics and notes in alphabetical order. */
export function groupByTopic(notes) {
  const topics = new Map();
  for (const n of notes) {
    const topic = n.note.includes('/') ? n.note.slice(0, n.note.lastIndexOf('/')) : '';
    if (!topics.has(topic)) topics.set(topic, []);
    topics.get(topic).push(n);
  }
  return [...topics.entries()]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map(([topic, list]) => ({ topic, notes: list.sort((a, b) => a.title.localeCompare(b.title)) }));
}
