// Opening vaults: the menu under the vault's name (recent vaults, Open folder…, Ctrl+O) and
// the message shown when a vault cannot be opened. Opening one reloads the window on it.
// Usage: const vaults = createVaults(menuElement, { api, status }); vaults.toggle();
// vaults.openFolder(); vaults.renderInto(element) for the "cannot open" view.

export function createVaults(menu, { api, status }) {
  async function open(path) {
    try {
      const opened = await api.openVault(path);
      if (opened) location.reload();
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  /** Fills `root` with the recent vaults and an Open folder… button. */
  async function renderInto(root) {
    const recent = await api.recentVaults().catch(() => []);
    const list = document.createElement('div');
    list.className = 'vault-list';
    for (const v of recent) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'vault-item';
      b.disabled = !v.exists;
      const name = document.createElement('span');
      name.textContent = v.name;
      const path = document.createElement('span');
      path.className = 'vault-path';
      path.textContent = v.exists ? v.path : `${v.path} (not found)`;
      b.append(name, path);
      b.addEventListener('click', () => open(v.path));
      list.append(b);
    }
    const folder = document.createElement('button');
    folder.type = 'button';
    folder.className = 'vault-open';
    folder.textContent = 'Open folder…';
    folder.title = 'Ctrl+O';
    folder.addEventListener('click', () => open(null));
    root.replaceChildren(list, folder);
    (list.querySelector('button:not([disabled])') || folder).focus();
  }

  menu.addEventListener('keydown', (e) => {
    const items = [...menu.querySelectorAll('button:not([disabled])')];
    const at = items.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (e.key === 'ArrowDown') items[Math.min(items.length - 1, at + 1)]?.focus();
    else if (e.key === 'ArrowUp') items[Math.max(0, at - 1)]?.focus();
    else if (e.key === 'Escape') menu.hidden = true;
    else return;
    e.preventDefault();
  });
  document.addEventListener('mousedown', (e) => {
    if (!menu.hidden && !menu.contains(/** @type {Node} */ (e.target))) menu.hidden = true;
  });

  return {
    async toggle() {
      if (!menu.hidden) {
        menu.hidden = true;
        return;
      }
      menu.hidden = false;
      await renderInto(menu);
    },
    openFolder: () => open(null),
    renderInto,
  };
}
