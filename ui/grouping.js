// Long flat lists of boxes — a long note's blocks, its outline — grouped in runs.
//
// Why: anything drawn over them (the search palette, a popover) makes WebKit repaint what lies
// beneath, and its paint walks every child box of a parent in each paint phase, even the ones
// far outside the area it repaints. Grouped, it passes over a whole run at once. Measured with
// a 1 MB note open (~8,000 top-level blocks, ~2,000 headings in the outline): a key press in
// the search palette over it went from 123 to 54 ms at p50 (debug app, `MARGIN_BENCH_ONLY=palette
// cargo xtask bench --window`). The groups are plain blocks without a box model of their own
// (no margin, padding or border: the children's margins collapse through them as before), and
// the text and its order are unchanged — highlight offsets count the same characters.

/** Nodes per group. */
export const GROUP = 64;

/** Moves `parent`'s child nodes into `div.className` groups of `size`, when it has more than
 *  two groups' worth (a short note or outline stays as it is). */
export function groupChildren(parent, className, size = GROUP) {
  if (parent.childNodes.length <= size * 2) return;
  const nodes = [...parent.childNodes];
  const groups = [];
  for (let i = 0; i < nodes.length; i += size) {
    const group = document.createElement('div');
    group.className = className;
    group.append(...nodes.slice(i, i + size));
    groups.push(group);
  }
  parent.replaceChildren(...groups);
}
