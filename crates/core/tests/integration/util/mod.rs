//! `TestVault`: a throw-away vault folder per test, built with chainable calls.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use margin_core::Vault;

/// A temporary vault; the folder is deleted when the value drops.
pub struct TestVault {
    dir: tempfile::TempDir,
}

impl TestVault {
    pub fn new() -> Self {
        TestVault {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A copy of the bundled notes.
    pub fn bundled() -> Self {
        let v = TestVault::new();
        copy_dir(&bundled_notes(), v.path());
        v
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders) and returns self for chaining.
    pub fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
        self
    }

    pub fn open(&self) -> Vault {
        Vault::open(self.path()).expect("vault opens")
    }
}

pub fn bundled_notes() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../notes")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Says loudly that a test could not make its check on this machine, and records it for
/// `cargo xtask test`'s summary (the file named by `MARGIN_SKIP_LOG`, one `what<TAB>why` line),
/// so a green run lists what it did not prove.
pub fn skipped_loudly(what: &str, why: &str) {
    eprintln!("SKIPPED {what}: {why}");
    if let Some(log) = std::env::var_os("MARGIN_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = writeln!(file, "{what}\t{why}");
        }
    }
}
