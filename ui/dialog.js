// What every modal dialog of Margin does for keyboard and screen-reader users (the WAI-ARIA
// dialog pattern): Tab and Shift+Tab cycle through the dialog's own controls and never leave
// it while it is open. Each dialog gives focus back where it was when it closes.
// Usage: keepTabInside(dialogElement) once, when the dialog is built.

const FOCUSABLE = 'button, input, textarea, select, a[href], summary, [tabindex]:not([tabindex="-1"])';

/** The controls of `box` that Tab can reach now (shown and enabled), in document order. */
export function tabStops(box) {
  return [...box.querySelectorAll(FOCUSABLE)].filter(
    (el) => !(/** @type {any} */ (el).disabled) && !el.closest('[hidden]') && el.getClientRects().length > 0,
  );
}

/** Keeps Tab inside `box`: from its last control to its first, and back with Shift+Tab. */
export function keepTabInside(box) {
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab' || event.ctrlKey || event.altKey || event.metaKey) return;
    const stops = tabStops(box);
    event.preventDefault();
    if (!stops.length) return;
    const at = stops.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    const next = event.shiftKey ? (at <= 0 ? stops.length - 1 : at - 1) : (at + 1) % stops.length;
    /** @type {HTMLElement} */ (stops[next]).focus();
  });
}
