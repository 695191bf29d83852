// Named actions shared by the keyboard shortcuts and the native menu (which sends the chosen
// item's id as a `menu` event). On some systems one key press reaches both the menu (as its
// accelerator) and the page; an action reported by both within a moment runs once.
// Usage: const actions = createActions({ find() {…}, … }); actions.run(keyAction(event), 'key').

/** The action a key press stands for, or null. Shortcuts use Ctrl, or Cmd on macOS. */
export function keyAction(event) {
  if (event.key === 'F1' && !event.ctrlKey && !event.metaKey && !event.altKey) return 'shortcuts';
  if (event.key === 'F2' && !event.ctrlKey && !event.metaKey && !event.altKey) return 'rename-note';
  if ((event.ctrlKey || event.metaKey) && event.altKey) {
    // Ctrl+Alt with =, - or 0: the whole interface, not only the reader's text.
    if (event.code === 'Equal' || event.code === 'NumpadAdd') return 'interface-zoom-in';
    if (event.code === 'Minus' || event.code === 'NumpadSubtract') return 'interface-zoom-out';
    if (event.code === 'Digit0' || event.code === 'Numpad0') return 'interface-zoom-reset';
    return null;
  }
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (event.shiftKey && key === 'a') return 'annotations';
  if (event.shiftKey && key === 'l') return 'toggle-theme';
  if (event.shiftKey && key === 'r') return 'review';
  if (event.shiftKey && key === 'y') return 'study-view';
  if (key === 'k' || key === 'p') return 'search';
  if (key === 'f') return 'find';
  if (key === 'e' && !event.shiftKey) return 'edit';
  if (key === 'n' && !event.shiftKey) return 'new-note';
  if (key === 'n' && event.shiftKey) return 'new-folder';
  if (key === 'm' && event.shiftKey) return 'move-note';
  if (key === 's' && !event.shiftKey) return 'save';
  if (event.key === 'Delete') return 'delete-note';
  if (key === 'o') return 'open-folder';
  if (key === '\\') return 'toggle-tree';
  if (key === '=' || key === '+') return 'zoom-in';
  if (key === '-') return 'zoom-out';
  if (key === '0') return 'zoom-reset';
  return null;
}

/**
 * @param {Record<string, () => unknown>} handlers by action name
 * @param {{ now?: () => number, within?: number }} [options]
 */
export function createActions(handlers, { now = () => performance.now(), within = 400 } = {}) {
  /** The last run of each action, and whether its echo from the other route came already.
   *  @type {Map<string, { source: string, time: number, echoed: boolean }>} */
  const last = new Map();
  return {
    /** Runs `name` (from `source`: 'key' or 'menu'); false when there is no such action. */
    run(name, source) {
      const handler = name ? handlers[name] : undefined;
      if (!handler) return false;
      const time = now();
      const before = last.get(name);
      if (before && !before.echoed && before.source !== source && time - before.time < within) {
        before.echoed = true; // the same press, seen a second time by the other route
        return true;
      }
      last.set(name, { source, time, echoed: false });
      // The moment the page got the action, for the window benchmark's clock (a key that the
      // native menu takes never reaches the page as a key event).
      globalThis.__lastAction = { name, source, at: time };
      handler();
      return true;
    },
  };
}
