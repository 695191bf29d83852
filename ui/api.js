// The one place that talks to the Rust side. Every call returns a Promise that rejects with
// `{ code, message }` (see margin_core::ErrorPayload).

/** @typedef {{ level: number, text: string, id: string }} Heading */
/** @typedef {{ kind: 'folder', name: string, path: string, children: TreeNode[] } |
 *            { kind: 'note', id: string, title: string, tags: string[], headings: Heading[] }} TreeNode */
/** @typedef {{ name: string, children: TreeNode[], note_count: number, warnings: string[] }} Tree */
/** @typedef {{ id: string, title: string, tags: string[], outline: Heading[], html: string,
 *              text: string, warnings: string[] }} Note */
/** @typedef {{ code: string, message: string }} ApiError */

function invoke(cmd, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ code: 'no_backend', message: 'Margin’s backend is not available in this window.' });
  }
  return tauri.core.invoke(cmd, args).catch((err) => {
    throw typeof err === 'object' && err && 'message' in err
      ? err
      : { code: 'internal', message: String(err) };
  });
}

/** @returns {Promise<{ name: string, root: string }>} */
export const vaultInfo = () => invoke('vault_info');
/** @returns {Promise<Tree>} */
export const listTree = () => invoke('list_tree');
/** @returns {Promise<Note>} */
export const getNote = (id) => invoke('get_note', { id });
/** @returns {Promise<void>} */
export const openExternal = (url) => invoke('open_external', { url });
