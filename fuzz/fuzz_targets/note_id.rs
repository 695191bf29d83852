//! Any string as a note id stays inside the vault, symlinks leading out included.
#![no_main]
use std::sync::OnceLock;

use margin_core::Vault;

fn vault() -> &'static Vault {
    static VAULT: OnceLock<(tempfile::TempDir, Vault)> = OnceLock::new();
    &VAULT
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temp dir");
            let vault = margin_core::invariants::escape_fixture(dir.path()).expect("the vault");
            (dir, vault)
        })
        .1
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| margin_core::invariants::check_note_id(vault(), data));
