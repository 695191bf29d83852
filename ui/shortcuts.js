// The keyboard shortcuts sheet: F1, `?` (outside a text field) or Help ▸ Keyboard Shortcuts
// opens it; Esc, a click outside or the close button shuts it.
// Usage: const sheet = createShortcuts(element); sheet.open(); sheet.isOpen.
import { keepTabInside } from './dialog.js';

/** What the keys do, as the README lists them. `Ctrl` is `Cmd` on macOS. */
export const SHORTCUTS = [
  ['Finding', [
    ['Ctrl+K or Ctrl+P', 'Search all notes; ↑ ↓ choose, Enter opens the hit at its section'],
    ['Ctrl+F', 'Find in the open note'],
    ['Enter / Shift+Enter, F3 / Shift+F3', 'Next / previous match in the note'],
    ['Esc', 'Clear the matches, close what is open'],
  ]],
  ['Reading', [
    ['↑ ↓ ← → Enter in the tree', 'Move, fold, unfold, open'],
    ['Ctrl+\\', 'Hide or show the topic tree'],
    ['Ctrl + / Ctrl − / Ctrl 0', 'Reading size'],
    ['Ctrl+Alt + / Ctrl+Alt − / Ctrl+Alt 0', 'Interface zoom: the whole window, up to 300 %'],
    ['Ctrl+Shift+L', 'Next theme: system, light, dark'],
  ]],
  ['Writing', [
    ['Ctrl+E', 'Edit the open note (Markdown source) / back to reading'],
    ['Ctrl+S', 'Save now (the editor also saves 1 s after you stop typing)'],
    ['Ctrl+F in the editor', 'Find and replace in the source'],
    ['Ctrl+Shift+H in the editor', 'Highlight the selected text'],
    ['[[ in the editor', 'Link to a note: its title completes'],
    ['Ctrl+N', 'New note in the selected folder'],
    ['Ctrl+Shift+N', 'New folder in the selected folder'],
    ['F2', 'Rename or move the open note (links follow)'],
    ['Ctrl+Shift+M', 'Move the open note to another folder (links follow)'],
    ['Ctrl+Delete', 'Move the open note to the trash (Ctrl+Z undoes)'],
  ]],
  ['Annotating', [
    ['Select text, then 1–5', 'Highlight in that colour'],
    ['c / t', 'Highlight and write a comment / tags'],
    ['Ctrl+Enter', 'Save the comment (Esc cancels)'],
    ['Ctrl+Z', 'Undo a delete, right after it'],
    ['Ctrl+Shift+A', 'All annotations of the vault'],
  ]],
  ['Studying', [
    ['r', 'Make a review card: of the selection (popover), of the focused highlight, or review the tree row’s topic'],
    ['Shift+R on a highlight', 'A question card: your comment asks, the passage answers'],
    ['Ctrl+Shift+R', 'Review the cards due (one at a time)'],
    ['Space, then 1 2 3 4', 'Show the answer, then grade: Again, Hard, Good, Easy'],
    ['u / e / o in a review', 'Undo the last grade / edit the card’s highlight / open its note'],
    ['Ctrl+Shift+Y', 'Study view: cards due ahead, reviews per day, retention and time per topic'],
    ['m', 'Mark the open note read, or not read (reading to its end marks it too)'],
  ]],
  ['Vaults and the app', [
    ['Ctrl+O', 'Open a folder of notes'],
    ['F1 or ?', 'This sheet'],
    ['Ctrl+Q', 'Quit'],
  ]],
];

export function createShortcuts(root) {
  const box = document.createElement('div');
  box.className = 'palette-box shortcuts-box';
  box.tabIndex = -1;
  const head = document.createElement('header');
  head.className = 'shortcuts-head';
  const title = document.createElement('h2');
  title.textContent = 'Keyboard shortcuts';
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Close';
  close.addEventListener('click', () => hide());
  head.append(title, close);
  box.append(head);
  for (const [group, rows] of SHORTCUTS) {
    const h = document.createElement('h3');
    h.textContent = group;
    const table = document.createElement('dl');
    table.className = 'shortcuts-list';
    for (const [keys, what] of rows) {
      const dt = document.createElement('dt');
      const kbd = document.createElement('kbd');
      kbd.textContent = keys;
      dt.append(kbd);
      const dd = document.createElement('dd');
      dd.textContent = what;
      table.append(dt, dd);
    }
    box.append(h, table);
  }
  root.replaceChildren(box);
  root.setAttribute('role', 'dialog');
  root.setAttribute('aria-label', 'Keyboard shortcuts');
  root.setAttribute('aria-modal', 'true');
  keepTabInside(root);

  let before = null;
  function hide() {
    root.hidden = true;
    /** @type {HTMLElement | null} */ (before)?.focus?.();
  }
  root.addEventListener('mousedown', (e) => {
    if (e.target === root) hide();
  });
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      hide();
      e.preventDefault();
    }
    e.stopPropagation();
  });

  return {
    get isOpen() {
      return !root.hidden;
    },
    open() {
      if (!root.hidden) return;
      before = document.activeElement;
      root.hidden = false;
      box.focus();
    },
    close: hide,
  };
}
