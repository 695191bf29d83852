// A small modal that asks for one line of text (a new note's title, a new name).
// Usage: const ask = createPrompt(element); const title = await ask('New note', 'Title', '');
// Resolves to the text, or null when cancelled (Esc, Cancel, a click outside). With
// `{ choices }`, the field suggests them as the user types (a datalist: arrow keys pick one).

import { keepTabInside } from './dialog.js';

export function createPrompt(root) {
  return function ask(title, label, value = '', { okLabel = 'OK', choices = null, allowEmpty = false } = {}) {
    return new Promise((resolve) => {
      const box = document.createElement('form');
      box.className = 'palette-box prompt-box';
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.setAttribute('aria-label', title);
      const heading = document.createElement('h2');
      heading.className = 'prompt-title';
      heading.textContent = title;
      const input = document.createElement('input');
      input.className = 'palette-input';
      input.value = value;
      input.setAttribute('aria-label', label);
      input.placeholder = label;
      input.spellcheck = false;
      if (choices) {
        const list = document.createElement('datalist');
        list.id = 'prompt-choices';
        for (const c of choices) {
          const option = document.createElement('option');
          option.value = c;
          list.append(option);
        }
        input.setAttribute('list', list.id);
        box.append(list);
      }
      const buttons = document.createElement('div');
      buttons.className = 'prompt-buttons';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      const ok = document.createElement('button');
      ok.type = 'submit';
      ok.textContent = okLabel;
      buttons.append(cancel, ok);
      box.prepend(heading, input, buttons);
      keepTabInside(box);
      const before = document.activeElement;
      const done = (result) => {
        root.hidden = true;
        root.replaceChildren();
        if (before instanceof HTMLElement) before.focus({ preventScroll: true });
        resolve(result);
      };
      box.addEventListener('submit', (e) => {
        e.preventDefault();
        done(input.value.trim() || allowEmpty ? input.value.trim() : null);
      });
      cancel.addEventListener('click', () => done(null));
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          done(null);
        }
        e.stopPropagation(); // the app's shortcuts do not apply while the prompt is open
      });
      root.onclick = (e) => { if (e.target === root) done(null); };
      root.replaceChildren(box);
      root.hidden = false;
      input.focus();
      const dot = value.lastIndexOf('.');
      input.setSelectionRange(value.lastIndexOf('/') + 1, dot > 0 ? dot : value.length);
    });
  };
}
