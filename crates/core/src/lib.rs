//! margin-core: everything Margin does that needs no window.
//!
//! A vault ([`vault`]) is a folder of Markdown notes; each note ([`note`]) is rendered to
//! sanitised HTML plus its visible text ([`render`]); the notes form a topic tree ([`tree`]).
//! [`search`] keeps a full-text index of the vault's sections; [`annotations`] keeps the
//! user's highlights and comments, re-found in changed notes by [`anchor`].
//! [`watch`] follows the vault on disk. [`invariants`] are what must hold for any input (the
//! fuzzers check them).
//! [`edit`] writes notes without losing a word (merge, drafts, conflict copies) through the one
//! writer [`atomic`]; [`links`] follows renames; [`sourcemap`] joins the reader's text and the source.
//! [`study`] turns highlights into review cards scheduled with FSRS and counts progress per topic.
//! [`fingerprint`] is the stable hash the others key caches and ids with.
//! [`doctor`] checks and repairs a vault's Margin files; [`sync`] merges the conflict copies sync tools (Syncthing, Dropbox, git…) leave of Margin's files.
//! The desktop app (`src-tauri`) and the CLI (`crates/cli`) are thin shells over this crate.
#![deny(missing_docs)]

pub mod anchor;
pub mod annotations;
pub mod atomic;
pub mod doctor;
pub mod edit;
pub mod error;
pub mod fingerprint;
pub mod invariants;
pub mod links;
pub mod note;
pub mod places;
pub mod render;
pub mod search;
pub mod sourcemap;
pub mod study;
pub mod sync;
pub mod tree;
pub mod vault;
pub mod watch;

pub use error::{Error, ErrorPayload, Result};
pub use note::{Note, NoteSummary};
pub use tree::{Tree, TreeNode};
pub use vault::Vault;
