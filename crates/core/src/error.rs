//! The one error type of margin-core: every failure a user can cause (a bad id, a missing
//! folder, an unreadable or oversized file) is a variant with a message that says what to do.

use std::io;
use std::path::PathBuf;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in margin-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The vault folder is missing or is a file.
    #[error("the vault folder {} does not exist or is not a folder; pick another folder", path.display())]
    VaultNotFound {
        /// The folder that was asked for.
        path: PathBuf,
    },
    /// An I/O error on a named path.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A file of Margin's own (annotations, colour names) could not be written: the disk is
    /// full, the folder read-only, … The previous version of the file is untouched.
    #[error("could not save {}: {cause}; the previous version is kept. Free some disk space or make the folder writable, then try again", path.display())]
    SaveFailed {
        /// The file that was being saved.
        path: PathBuf,
        /// What the OS said (in the message, not repeated as a source).
        cause: io::Error,
    },
    /// A note id that is not a plain relative path inside the vault.
    #[error("invalid note id {id:?}: {reason}")]
    InvalidNoteId {
        /// The id as given.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A well-formed id that names no note.
    #[error("there is no note {id:?} in this vault (was it moved or deleted?)")]
    NoteNotFound {
        /// The id as given.
        id: String,
    },
    /// A note over [`crate::vault::MAX_NOTE_BYTES`].
    #[error("note {id:?} is {size} bytes; Margin opens notes of at most {limit} bytes, split it into smaller notes")]
    NoteTooLarge {
        /// The note.
        id: String,
        /// Its size on disk.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A file that is not UTF-8 text.
    #[error("note {id:?} is not UTF-8 text (is it a binary file?)")]
    NotText {
        /// The note.
        id: String,
    },
    /// The search index could not be created or written.
    #[error("the search index in {} failed: {message}; delete that folder to rebuild it", path.display())]
    Index {
        /// The index folder.
        path: PathBuf,
        /// What tantivy said.
        message: String,
    },
    /// A selection that cannot be annotated.
    #[error("cannot annotate this selection: {reason}")]
    BadSelection {
        /// Why.
        reason: String,
    },
    /// An annotation file that cannot be used.
    #[error("the annotations in {} cannot be used: {message}", path.display())]
    Annotations {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No annotation with this id.
    #[error("there is no annotation {id} on this note (was it deleted?)")]
    AnnotationNotFound {
        /// The id asked for.
        id: String,
    },
    /// A request that cannot be carried out as asked (a taken name, an empty title).
    #[error("{message}")]
    BadInput {
        /// What is wrong and what to do.
        message: String,
    },
    /// The OS gave no home/data folder.
    #[error("no folder for Margin's data could be found on this system; set HOME (or run with --vault DIR)")]
    NoDataDir,
}

impl Error {
    /// A stable machine-readable code, for the UI and for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::VaultNotFound { .. } => "vault_not_found",
            Error::Io { .. } => "io",
            Error::SaveFailed { .. } => "save_failed",
            Error::InvalidNoteId { .. } => "invalid_note_id",
            Error::NoteNotFound { .. } => "note_not_found",
            Error::NoteTooLarge { .. } => "note_too_large",
            Error::NotText { .. } => "not_text",
            Error::Index { .. } => "index",
            Error::BadSelection { .. } => "bad_selection",
            Error::Annotations { .. } => "annotations",
            Error::AnnotationNotFound { .. } => "annotation_not_found",
            Error::BadInput { .. } => "bad_input",
            Error::NoDataDir => "no_data_dir",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// An error as the UI and `--json` output receive it: `{ "code": "…", "message": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorPayload {
    /// See [`Error::code`].
    pub code: String,
    /// The message for the user.
    pub message: String,
}

impl From<&Error> for ErrorPayload {
    fn from(err: &Error) -> Self {
        ErrorPayload {
            code: err.code().to_string(),
            message: err.to_string(),
        }
    }
}

impl From<Error> for ErrorPayload {
    fn from(err: Error) -> Self {
        ErrorPayload::from(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_json_has_code_and_message() {
        let err = Error::InvalidNoteId {
            id: "../x.md".into(),
            reason: "'.' and '..' are not allowed in note ids",
        };
        let json = serde_json::to_value(ErrorPayload::from(err)).unwrap();
        assert_eq!(json["code"], "invalid_note_id");
        assert_eq!(
            json["message"],
            "invalid note id \"../x.md\": '.' and '..' are not allowed in note ids"
        );
        assert_eq!(json.as_object().unwrap().len(), 2);
    }
}
