// Pane sizes and the theme: the draggable divider between the tree and the reader (also moved
// with ←/→ when focused), Ctrl+\ to hide the tree, and the light/dark/system theme switch.
// The reading size (Ctrl+= / Ctrl+-) is the note's text; the interface zoom (Ctrl+Alt+= / -)
// is the whole window, as a browser's zoom, remembered and applied at start (onInterfaceZoom).
// Usage: const layout = createLayout({ app, resizer, themeButton, settings, onTheme(theme),
// onInterfaceZoom(scale) }).

const THEMES = ['system', 'light', 'dark'];
const THEME_LABELS = { system: 'follow the system', light: 'light', dark: 'dark' };

/** The interface zoom's steps, as browsers offer them. */
export const ZOOM_STEPS = [0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];

/** The step `delta` steps from `scale` (0: back to 100 %). */
export function zoomStep(scale, delta) {
  if (delta === 0) return 1;
  const at = ZOOM_STEPS.reduce((best, s, i) => (Math.abs(s - scale) < Math.abs(ZOOM_STEPS[best] - scale) ? i : best), 0);
  return ZOOM_STEPS[Math.max(0, Math.min(ZOOM_STEPS.length - 1, at + Math.sign(delta)))];
}

export function createLayout({ app, resizer, themeButton, settings, onTheme = () => {}, onInterfaceZoom = () => {} }) {
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

  let interfaceZoom = settings.get('interfaceZoom', 1);
  if (interfaceZoom !== 1) onInterfaceZoom(interfaceZoom);

  return {
    toggleTree: () => setTreeHidden(!app.classList.contains('tree-hidden')),
    /** Zooms the whole interface a step (delta ±1) or back to 100 % (0); returns the scale. */
    interfaceZoom(delta) {
      interfaceZoom = zoomStep(interfaceZoom, delta);
      settings.set('interfaceZoom', interfaceZoom);
      onInterfaceZoom(interfaceZoom);
      return interfaceZoom;
    },
    nextTheme,
    zoom(delta) {
      setFontSize(delta === 0 ? 18 : fontSize + delta);
    },
  };
}
