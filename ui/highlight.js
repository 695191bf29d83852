// Marks character ranges of a rendered note body with <mark> elements, and steps through
// them. Ranges count code points of the body's textContent — the same coordinates Rust uses.
// Search hits are `mark.hit`; highlights are `mark.anno` (one or more marks per annotation,
// when it crosses element boundaries, all with its `data-id`).
// Usage: const marks = markText(body, ranges); focusMark(marks, i); clearMarks(body);
// markText(body, ranges, { kind: 'anno', decorate(mark, i) }).

import { codePointToIndex } from './search-model.js';

/** @param {HTMLElement} root @param {number[][]} ranges @returns {HTMLElement[]} the first
 *  mark of each range, in range order (sorted by start) */
export function markText(root, ranges, { kind = 'hit', decorate = () => {} } = {}) {
  clearMarks(root, kind);
  if (!ranges.length) return [];
  const sorted = ranges.map((r, i) => [r[0], r[1], i]).sort((a, b) => a[0] - b[0]);
  // Collect the text nodes with their start offset (in code points).
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let offset = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const length = Array.from(n.data).length;
    nodes.push({ node: /** @type {Text} */ (n), start: offset, end: offset + length });
    offset += length;
  }
  const marks = [];
  // Walk ranges from the last to the first, so splitting a node never shifts earlier ones.
  for (let r = sorted.length - 1; r >= 0; r -= 1) {
    const [start, end, original] = sorted[r];
    const pieces = [];
    for (let i = nodes.length - 1; i >= 0; i -= 1) {
      const { node, start: ns, end: ne } = nodes[i];
      if (ne <= start || ns >= end) continue;
      const from = codePointToIndex(node.data, Math.max(start, ns) - ns);
      const to = codePointToIndex(node.data, Math.min(end, ne) - ns);
      if (to <= from) continue;
      const middle = node.splitText(from);
      middle.splitText(to - from);
      const mark = document.createElement('mark');
      mark.className = kind;
      decorate(mark, original);
      middle.replaceWith(mark);
      mark.append(middle);
      pieces.unshift(mark);
    }
    if (pieces.length) marks.unshift(pieces[0]);
  }
  return marks;
}

/** Removes every mark of this kind and joins the text back. */
export function clearMarks(root, kind = 'hit') {
  for (const mark of root.querySelectorAll(`mark.${kind}`)) {
    mark.replaceWith(...mark.childNodes);
  }
  root.normalize();
}

/** Scrolls to mark `i` and flags it as the current one. */
export function focusMark(marks, i) {
  marks.forEach((m, j) => m.classList.toggle('current', j === i));
  marks[i]?.scrollIntoView({ block: 'center' });
}
