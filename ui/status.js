// The status line (bottom): vault name, note count, and the last message.
// Usage: const status = createStatus(element); status.set({ vault, notes }); status.say(text).

export function createStatus(root) {
  const vault = document.createElement('span');
  const notes = document.createElement('span');
  const message = document.createElement('span');
  message.className = 'status-message';
  root.append(vault, notes, message);
  return {
    set({ vault: name, notes: count }) {
      if (name !== undefined) vault.textContent = name;
      if (count !== undefined) notes.textContent = `${count} ${count === 1 ? 'note' : 'notes'}`;
    },
    say(text, kind = 'info') {
      message.textContent = text;
      message.dataset.kind = kind;
    },
  };
}
