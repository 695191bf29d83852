// The reader (centre pane): shows a note's sanitised HTML and routes clicks on its links.
// Usage: const reader = createReader(element, { onOpenNote(id, anchor), onExternal(url) });
// reader.show(note, anchor); reader.showMessage(title, detail).
// The note HTML was rendered and sanitised in Rust; it is the only innerHTML in the UI.

import { groupChildren } from './grouping.js';

export function createReader(root, { onOpenNote, onExternal }) {
  root.addEventListener('click', (event) => {
    const copy = /** @type {HTMLElement} */ (event.target).closest?.('.code-copy');
    if (copy && root.contains(copy)) {
      copyCode(/** @type {HTMLButtonElement} */ (copy));
      return;
    }
    const link = /** @type {HTMLElement} */ (event.target).closest?.('a');
    if (!link || !root.contains(link)) return;
    event.preventDefault();
    if (link.dataset.note) {
      onOpenNote(link.dataset.note, link.dataset.anchor || null);
      return;
    }
    const href = link.getAttribute('href') || '';
    if (href.startsWith('#')) {
      scrollToAnchor(decodeURIComponent(href.slice(1)));
    } else if (/^(https?|mailto):/i.test(href)) {
      onExternal(href);
    }
  });

  function scrollToAnchor(anchor) {
    if (!anchor) return;
    const target = [...root.querySelectorAll('[id]')].find((el) => el.id === anchor);
    if (target) target.scrollIntoView({ block: 'start' });
  }

  return {
    /** @param {import('./api.js').Note} note */
    show(note, anchor) {
      const body = document.createElement('div');
      body.className = 'note-body';
      body.dataset.noteId = note.id;
      body.innerHTML = note.html;
      addCopyButtons(body);
      // A long note's blocks in runs: see grouping.js.
      groupChildren(body, 'note-chunk');
      const parts = [];
      if (note.tags.length) {
        const tags = document.createElement('p');
        tags.className = 'note-tags';
        for (const tag of note.tags) {
          const chip = document.createElement('span');
          chip.className = 'tag';
          chip.textContent = tag;
          tags.append(chip);
        }
        parts.push(tags);
      }
      for (const warning of note.warnings) {
        const w = document.createElement('p');
        w.className = 'note-warning';
        w.textContent = warning;
        parts.push(w);
      }
      root.replaceChildren(...parts, body);
      root.parentElement?.scrollTo({ top: 0 });
      if (anchor) scrollToAnchor(anchor);
    },
    showMessage(title, detail) {
      const box = document.createElement('div');
      box.className = 'message';
      const h = document.createElement('h2');
      h.textContent = title;
      const p = document.createElement('p');
      p.textContent = detail;
      box.append(h, p);
      root.replaceChildren(box);
    },
    scrollToAnchor,
  };
}

/** Gives each code block a copy button. The button holds no text (its icon is CSS), so the
 *  note's textContent — the coordinates of highlights — does not change. */
function addCopyButtons(body) {
  for (const pre of body.querySelectorAll('pre')) {
    const wrap = document.createElement('div');
    wrap.className = 'code-wrap';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'code-copy';
    button.title = 'Copy code';
    button.setAttribute('aria-label', 'Copy code');
    // A code block scrolls sideways: keyboard users reach it with Tab to scroll it.
    pre.tabIndex = 0;
    pre.replaceWith(wrap);
    wrap.append(button, pre);
  }
}

/** Copies the code beside `button` to the clipboard and says so on the button for a moment. */
async function copyCode(button) {
  const code = button.parentElement?.querySelector('pre')?.textContent ?? '';
  let copied = false;
  try {
    await navigator.clipboard.writeText(code);
    copied = true;
  } catch {
    // Older webviews refuse the async clipboard outside a secure origin: copy a selection.
    const pre = button.parentElement?.querySelector('pre');
    const selection = window.getSelection();
    if (pre && selection) {
      const saved = selection.rangeCount ? selection.getRangeAt(0) : null;
      selection.selectAllChildren(pre);
      copied = document.execCommand('copy');
      selection.removeAllRanges();
      if (saved) selection.addRange(saved);
    }
  }
  button.toggleAttribute('data-copied', copied);
  button.setAttribute('aria-label', copied ? 'Copied' : 'Copy failed');
  setTimeout(() => {
    button.removeAttribute('data-copied');
    button.setAttribute('aria-label', 'Copy code');
  }, 1500);
}
