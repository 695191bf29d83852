// Pure helpers for search results, shared by the palette and the reader (tested with node --test).

/** Splits `text` into runs, marking the given [start, end) ranges, which count code points
 *  (Unicode scalar values, as Rust's `chars()`), not UTF-16 units.
 *  @param {string} text @param {number[][]} ranges
 *  @returns {{ text: string, mark: boolean }[]} */
export function markRanges(text, ranges) {
  const chars = Array.from(text);
  const out = [];
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const s = Math.max(start, at);
    const e = Math.min(end, chars.length);
    if (e <= s) continue;
    if (s > at) out.push({ text: chars.slice(at, s).join(''), mark: false });
    out.push({ text: chars.slice(s, e).join(''), mark: true });
    at = e;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join(''), mark: false });
  return out;
}

/** Groups adjacent hits of the same note; keeps at most `perNote` sections shown and counts
 *  the rest as `more`.
 *  @param {{ note: string, title: string }[]} hits @param {number} perNote */
export function groupHits(hits, perNote = 3) {
  const groups = [];
  for (const hit of hits) {
    let group = groups.find((g) => g.note === hit.note);
    if (!group) {
      group = { note: hit.note, title: hit.title, hits: [], more: 0 };
      groups.push(group);
    }
    if (group.hits.length < perNote) group.hits.push(hit);
    else group.more += 1;
  }
  return groups;
}

/** The UTF-16 index of code point `cp` in `s` (clamped to the end). */
export function codePointToIndex(s, cp) {
  let index = 0;
  let count = 0;
  while (count < cp && index < s.length) {
    const code = s.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < s.length ? 2 : 1;
    count += 1;
  }
  return index;
}

/** Moves a selection index by `delta` within `count` items, wrapping around. */
export function step(index, delta, count) {
  if (count === 0) return -1;
  return (((index + delta) % count) + count) % count;
}
