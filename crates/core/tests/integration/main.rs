//! Integration tests of margin-core. One binary; each module is one area:
//!
//! - `bundled`: the shipped notes keep every line of the owner's seed and render cleanly.
//! - `vault_files`: walking real folders with hostile content (binary, non-UTF-8, symlinks,
//!   huge files, ignored and hidden files) and resolving ids against them.
//! - `text_agreement`: the visible text equals the rendered HTML with its tags stripped.
//! - `search`: the index on real folders: query forms, ranking, incremental updates, rebuilds.
//! - `seeding`: the first-launch copy of the bundled notes.

mod util;

mod bundled;
mod search;
mod seeding;
mod text_agreement;
mod vault_files;
