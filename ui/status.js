// The status line (bottom): vault name, note count, and the last message.
// Usage: const status = createStatus(element); status.set({ vault, notes }); status.index(s);
// status.say(text).

export function createStatus(root) {
  const vault = document.createElement('span');
  const notes = document.createElement('span');
  const index = document.createElement('span');
  index.className = 'status-index';
  const message = document.createElement('span');
  message.className = 'status-message';
  root.append(vault, notes, index, message);
  return {
    set({ vault: name, notes: count }) {
      if (name !== undefined) vault.textContent = name;
      if (count !== undefined) notes.textContent = `${count} ${count === 1 ? 'note' : 'notes'}`;
    },
    /** @param {import('./api.js').IndexStatus} s */
    index(s) {
      index.dataset.state = s.state;
      index.title = s.message || '';
      if (s.state === 'indexing') index.textContent = `indexing ${s.done} of ${s.total}…`;
      else if (s.state === 'ready') index.textContent = 'search ready';
      else if (s.state === 'failed') index.textContent = `search unavailable: ${s.message}`;
      else index.textContent = 'opening the index…';
    },
    say(text, kind = 'info') {
      message.replaceChildren(text);
      message.dataset.kind = kind;
    },
    /** Shows `text` with an Undo button for a few seconds (also Ctrl+Z). */
    offerUndo(text, undo) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'undo';
      button.textContent = 'Undo';
      let done = false;
      const run = () => {
        if (done) return;
        done = true;
        document.removeEventListener('keydown', onKey, true);
        message.replaceChildren('Restored.');
        undo();
      };
      const onKey = (e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z' && !e.target.matches?.('input, textarea')) {
          e.preventDefault();
          run();
        }
      };
      button.addEventListener('click', run);
      document.addEventListener('keydown', onKey, true);
      message.replaceChildren(`${text} `, button);
      message.dataset.kind = 'info';
      setTimeout(() => {
        document.removeEventListener('keydown', onKey, true);
        if (!done && message.contains(button)) message.replaceChildren('');
        done = true;
      }, 10000);
    },
  };
}
