// The conflict bar (above a note that is a sync tool's conflict copy): says whose copy of which
// note it is, shows the two side by side, and keeps the note, the copy, or both merged. The
// copy goes to the trash only after the note is written (Rust does both), with Undo.
// Usage: const bar = createConflictBar(el, { api, status, onSettled }); bar.show(id, original);
// bar.hide().

const TOOLS = {
  syncthing: 'Syncthing',
  dropbox: 'Dropbox',
  nextcloud: 'Nextcloud',
  onedrive: 'OneDrive',
  icloud: 'iCloud Drive',
  margin: "Margin's editor",
};

/**
 * @param {HTMLElement} root
 * @param {{ api: any, status: any, onSettled: (keptId: string, editMerge: boolean) => void }} deps
 */
export function createConflictBar(root, { api, status, onSettled }) {
  let current = null;

  function button(label, title, run) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.title = title;
    b.addEventListener('click', run);
    return b;
  }

  /** One side; its lines the other side does not have are marked (and named for a screen
   *  reader by the column's label, "only here"). */
  function side(label, text, other) {
    const col = document.createElement('div');
    col.className = 'conflict-side';
    const h = document.createElement('h3');
    h.textContent = label;
    const pre = document.createElement('pre');
    const theirs = new Set((other || '').split('\n'));
    if (!text) pre.textContent = '(empty: the note is gone)';
    for (const line of (text || '').split('\n')) {
      const span = document.createElement('span');
      span.textContent = `${line}\n`;
      if (!theirs.has(line)) {
        span.className = 'conflict-only';
        span.title = 'only here';
      }
      pre.append(span);
    }
    pre.tabIndex = 0;
    pre.setAttribute('aria-label', label);
    col.append(h, pre);
    return col;
  }

  async function keep(kind) {
    if (!current) return;
    const { conflict, merged, has_markers: markers } = current;
    try {
      const trashed = await api.keepConflict(conflict.copy, kind, kind === 'merged' ? merged : undefined);
      const said = {
        original: `Kept ${conflict.original}; the conflict copy went to the trash.`,
        copy: `${conflict.original} now has the conflict copy's text; the copy went to the trash.`,
        merged: markers
          ? `Merged into ${conflict.original}: settle the marked places (<<<<<<<) in the editor.`
          : `Merged into ${conflict.original}; the copy went to the trash.`,
      }[kind];
      status.offerUndo(said, () => api.untrashNote(trashed).catch((err) => status.say(err.message, 'error')));
      hide();
      onSettled(conflict.original, kind === 'merged' && markers);
    } catch (err) {
      status.say(err.message, 'error');
    }
  }

  function hide() {
    current = null;
    root.hidden = true;
    root.replaceChildren();
  }

  return {
    async show(id, original) {
      root.hidden = false;
      const text = document.createElement('p');
      text.className = 'conflict-text';
      text.textContent = `This note is a conflict copy of ${original}: a sync tool kept both versions.`;
      root.replaceChildren(text);
      try {
        current = await api.compareConflict(id);
      } catch (err) {
        status.say(err.message, 'error');
        return;
      }
      const tool = TOOLS[current.conflict.tool] ?? 'A sync tool';
      text.textContent = `${tool} kept this copy of ${original} when both computers changed it. Compare and keep:`;
      const compare = document.createElement('div');
      compare.className = 'conflict-compare';
      compare.hidden = true;
      compare.append(
        side(`${original} (the note)`, current.original_text, current.copy_text),
        side(`${id} (the copy)`, current.copy_text, current.original_text),
      );
      const shown = button('Compare', 'Show the note and this copy side by side', () => {
        compare.hidden = !compare.hidden;
        shown.setAttribute('aria-expanded', String(!compare.hidden));
      });
      shown.setAttribute('aria-expanded', 'false');
      const buttons = document.createElement('div');
      buttons.className = 'conflict-buttons';
      buttons.append(
        shown,
        button('Keep the note', `Keep ${original} as it is; this copy goes to the trash`, () => keep('original')),
        button('Keep this copy', `Replace ${original}'s text with this copy's; the copy goes to the trash`, () => keep('copy')),
        button('Merge both', 'Keep what only one has; mark where they differ, to settle in the editor', () => keep('merged')),
      );
      root.append(buttons, compare);
    },
    hide,
  };
}
