// Pure helpers of the topic tree (tested with node --test).

/** Lower-case without accents, so `ÜDP` finds `UDP`. */
export function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** Notes whose title or id contains every word of `query`; title matches first.
 *  @param {{ id: string, title: string }[]} notes */
export function filterNotes(notes, query, limit = 500) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return notes.slice(0, limit);
  const scored = [];
  for (const note of notes) {
    const title = fold(note.title);
    const hay = `${title} ${fold(note.id)}`;
    if (!words.every((w) => hay.includes(w))) continue;
    const inTitle = words.filter((w) => title.includes(w)).length;
    const starts = words.some((w) => title.startsWith(w)) ? 1 : 0;
    scored.push({ note, score: inTitle * 2 + starts });
    if (scored.length > limit * 4) break;
  }
  // Ties: shorter (more specific) titles first.
  scored.sort((a, b) => b.score - a.score || a.note.title.length - b.note.title.length || a.note.title.localeCompare(b.note.title));
  return scored.slice(0, limit).map((s) => s.note);
}

/** Every note of a tree, depth first. */
export function flattenNotes(nodes, out = []) {
  for (const node of nodes) {
    if (node.kind === 'note') out.push(node);
    else flattenNotes(node.children, out);
  }
  return out;
}

/** Every folder path of a tree (`''` for the top), depth first: the places a note can move to. */
export function flattenFolders(nodes, out = ['']) {
  for (const node of nodes) {
    if (node.kind === 'folder') {
      out.push(node.path);
      flattenFolders(node.children, out);
    }
  }
  return out;
}

/** Where note `id` goes when moved to `folder` (its file name kept). */
export function movedId(id, folder) {
  const name = id.slice(id.lastIndexOf('/') + 1);
  const clean = folder.replace(/^\/+|\/+$/g, '');
  return clean ? `${clean}/${name}` : name;
}

/** Moves a row index by `delta`, staying within `count` rows. */
export function nextVisible(index, delta, count) {
  if (count === 0) return -1;
  return Math.max(0, Math.min(count - 1, index + delta));
}
