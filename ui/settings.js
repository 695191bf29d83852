// Remembered settings: app-wide ones (theme, font size, pane widths) and per-vault ones (last
// note, open folders). Kept in the webview's localStorage, which lives in the app's data folder.
// Usage: appSettings.get('theme', 'system'); appSettings.set('theme', 'dark');
// const v = vaultSettings(root); v.get('lastNote'); v.set('openFolders', [...]).

const PREFIX = 'margin:';

function store(scope) {
  const key = (name) => `${PREFIX}${scope}${name}`;
  return {
    get(name, fallback = null) {
      try {
        const raw = localStorage.getItem(key(name));
        return raw === null ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(name, value) {
      try {
        localStorage.setItem(key(name), JSON.stringify(value));
      } catch {
        // Storage full or disabled: settings are a comfort, never a reason to fail.
      }
    },
  };
}

export const appSettings = store('');

/** Settings of one vault, keyed by its folder. */
export const vaultSettings = (root) => store(`vault:${root}:`);
