// The margin pane's "On this page": the open note's headings, the one being read marked.
// Usage: const outline = createOutline(element, { onJump(anchor) }); outline.show(headings);
// outline.setSection(anchor).

import { groupChildren } from './grouping.js';

export function createOutline(root, { onJump }) {
  return {
    /** @param {import('./api.js').Heading[]} headings */
    show(headings) {
      const minLevel = Math.min(...headings.map((h) => h.level), 6);
      root.replaceChildren(
        ...headings.map((h) => {
          const a = document.createElement('a');
          a.href = '#';
          a.className = 'outline-item';
          a.dataset.anchor = h.id;
          a.style.setProperty('--level', String(h.level - minLevel));
          a.textContent = h.text;
          a.addEventListener('click', (event) => {
            event.preventDefault();
            onJump(h.id);
          });
          return a;
        }),
      );
      groupChildren(root, 'outline-group');
      if (!headings.length) {
        const p = document.createElement('p');
        p.className = 'empty-state';
        p.textContent = 'This note has no headings.';
        root.append(p);
      }
    },
    setSection(anchor) {
      for (const a of root.querySelectorAll('.outline-item')) {
        a.classList.toggle('current', a.dataset.anchor === anchor);
      }
    },
  };
}
