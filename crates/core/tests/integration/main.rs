//! Integration tests of margin-core. One binary; each module is one area:
//!
//! - `anchoring`: the anchoring suite, realistic edits of real notes with expected outcomes.
//! - `annotations`: the store on real folders (round trip, corrupt files, fallback, locking)
//!   and re-anchoring after edits on disk.
//! - `bundled`: the shipped notes keep every line of the owner's seed and render cleanly.
//! - `vault_files`: walking real folders with hostile content (binary, non-UTF-8, symlinks,
//!   huge files, ignored and hidden files) and resolving ids against them.
//! - `text_agreement`: the visible text equals the rendered HTML with its tags stripped.
//! - `fresh`: searching without a walk — the last update's stamps and a watcher's lease —
//!   and every change that must still make the search walk.
//! - `hostile`: 72 XSS vectors through the render pipeline (the E2E suite runs them in the window).
//! - `properties`: property tests of anchoring and id checking.
//! - `read_only`: a vault that truly cannot be written (mount or permissions).
//! - `reading`: code, math, call-outs and embeds on a real vault (embeds stay inside it).
//! - `search`: the index on real folders: query forms, ranking, incremental updates, rebuilds.
//! - `seeding`: the first-launch copy of the bundled notes.
//! - `sync`: two devices apart, brought together by Syncthing, Dropbox and git: nothing lost.
//! - `watching`: real file-system events turned into batches of note ids.

mod util;

mod anchoring;
mod annotations;
mod bundled;
mod fresh;
mod fuzz_corpus;
mod hostile;
mod properties;
mod read_only;
mod reading;
mod search;
mod seeding;
mod sync;
mod text_agreement;
mod vault_files;
mod watching;
