// Pane sizes and the theme: the draggable divider between the tree and the reader (also moved
// with ←/→ when focused), Ctrl+\ to hide the tree, and the light/dark/system theme switch.
// Usage: const layout = createLayout({ app, resizer, themeButton, settings, onTheme(theme) }).

const THEMES = ['system', 'light', 'dark'];
const THEME_LABELS = { system: 'follow the system', light: 'light', dark: 'dark' };

export function createLayout({ app, resizer, themeButton, settings, onTheme = () => {} }) {
  const root = document.documentElement;

  function setWidth(px) {
    const width = Math.max(160, Math.min(600, Math.round(px)));
    app.style.setProperty('--tree-width', `${width}px`);
    settings.set('treeWidth', width);
    // A focusable separator is a slider for assistive technology: it says where it stands.
    resizer.setAttribute('aria-valuemin', '160');
    resizer.setAttribute('aria-valuemax', '600');
    resizer.setAttribute('aria-valuenow', String(width));
    resizer.setAttribute('aria-valuetext', `topic tree ${width} pixels wide`);
  }
  setWidth(settings.get('treeWidth', 280));

  resizer.addEventListener('pointerdown', (event) => {
    resizer.setPointerCapture(event.pointerId);
    const move = (e) => setWidth(e.clientX);
    const up = () => {
      resizer.removeEventListener('pointermove', move);
      resizer.removeEventListener('pointerup', up);
    };
    resizer.addEventListener('pointermove', move);
    resizer.addEventListener('pointerup', up);
  });
  resizer.addEventListener('keydown', (event) => {
    const now = settings.get('treeWidth', 280);
    if (event.key === 'ArrowLeft') setWidth(now - 20);
    else if (event.key === 'ArrowRight') setWidth(now + 20);
    else return;
    event.preventDefault();
  });

  function setTreeHidden(hidden) {
    app.classList.toggle('tree-hidden', hidden);
    settings.set('treeHidden', hidden);
  }
  setTreeHidden(settings.get('treeHidden', false));

  function applyTheme(theme) {
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
    themeButton.title = `Theme: ${THEME_LABELS[theme]} (click to change)`;
    themeButton.dataset.theme = theme;
    onTheme(theme);
  }
  let theme = settings.get('theme', 'system');
  if (!THEMES.includes(theme)) theme = 'system';
  applyTheme(theme);
  function nextTheme() {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    settings.set('theme', theme);
    applyTheme(theme);
  }
  themeButton.addEventListener('click', nextTheme);

  let fontSize = settings.get('fontSize', 18);
  function setFontSize(px) {
    fontSize = Math.max(12, Math.min(32, px));
    root.style.setProperty('--reader-size', `${fontSize}px`);
    settings.set('fontSize', fontSize);
  }
  setFontSize(fontSize);

  return {
    toggleTree: () => setTreeHidden(!app.classList.contains('tree-hidden')),
    nextTheme,
    zoom(delta) {
      setFontSize(delta === 0 ? 18 : fontSize + delta);
    },
  };
}
