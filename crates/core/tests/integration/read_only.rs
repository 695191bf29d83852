//! A vault that truly cannot be written — a read-only mount (as root, where permissions do not
//! stop anything) or a folder without write permission (as anyone else) — is read in full, keeps
//! this computer's highlights, cards and grades beside it, refuses the editor's save without
//! touching the note, and gets all of it back once it can be written again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use margin_core::annotations::{Annotation, Store};
use margin_core::edit;
use margin_core::study::{Grade, Kind, Study};
use time::OffsetDateTime;

use crate::util::{skipped_loudly, TestVault};

/// A folder made unwritable for as long as the value lives.
struct Frozen {
    path: PathBuf,
    mounted: bool,
}

impl Frozen {
    /// Makes `path` unwritable, by permissions first and, when they do not hold (root), by a
    /// read-only bind mount. `Err` says why neither worked.
    fn freeze(path: &Path) -> Result<Frozen, String> {
        set_writable(path, false);
        if !can_write(path) {
            return Ok(Frozen {
                path: path.to_path_buf(),
                mounted: false,
            });
        }
        set_writable(path, true);
        let run = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .output()
                .map_err(|e| format!("mount: {e}"))
                .and_then(|o| {
                    if o.status.success() {
                        Ok(())
                    } else {
                        Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
                    }
                })
        };
        let at = path.to_string_lossy();
        run(&["--bind", &at, &at]).map_err(|e| {
            format!("permissions do not stop this user (root) and a bind mount failed: {e}")
        })?;
        let frozen = Frozen {
            path: path.to_path_buf(),
            mounted: true,
        };
        run(&["-o", "remount,bind,ro", &at])
            .map_err(|e| format!("could not remount read-only: {e}"))?;
        if can_write(path) {
            return Err("the read-only mount can still be written".into());
        }
        Ok(frozen)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.path).status();
        } else {
            set_writable(&self.path, true);
        }
    }
}

fn can_write(dir: &Path) -> bool {
    let probe = dir.join(".margin").join("probe");
    let made = fs::write(&probe, "x").is_ok();
    let _ = fs::remove_file(&probe);
    made
}

/// Sets or clears the write permission of everything under `dir` (folders after their files
/// when clearing, before when setting, so the walk can always go on).
#[cfg(unix)]
fn set_writable(dir: &Path, writable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode()).unwrap_or(0);
    let set = |p: &Path| {
        let m = mode(p);
        let m = if writable { m | 0o200 } else { m & !0o222 };
        let _ = fs::set_permissions(p, fs::Permissions::from_mode(m));
    };
    if writable {
        set(dir);
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                set_writable(&p, writable);
            } else {
                set(&p);
            }
        }
    }
    if !writable {
        set(dir);
    }
}

#[cfg(not(unix))]
fn set_writable(_dir: &Path, _writable: bool) {}

#[test]
fn a_truly_read_only_vault_is_read_kept_beside_and_merged_back() {
    let text_of_a = "# A\n\nThe first passage to mark.\n\nThe second passage to mark.\n";
    let v = TestVault::new().file("a.md", text_of_a);
    let data = tempfile::tempdir().unwrap();
    let vault = v.open();
    let text = margin_core::Note::load(&vault, "a.md", &[]).unwrap().text;
    let mark = |phrase: &str| {
        let start = text.find(phrase).unwrap();
        Annotation::new(&text, start, start + phrase.len(), "yellow").unwrap()
    };
    let now = OffsetDateTime::now_utc();

    // Written while the vault could be written: a highlight, its card, one grade.
    let store = Store::for_vault(&vault, data.path());
    assert!(!store.is_fallback());
    let first = mark("first passage");
    store.add("a.md", first.clone()).unwrap();
    let study = Study::of(&store, "laptop");
    let card =
        margin_core::study::add_highlight_card(&study, &store, "a.md", &first.id, Kind::Cloze)
            .unwrap();
    study
        .grade("a.md", &card.id, Grade::Good, now, false, 900)
        .unwrap();
    let margin = v.path().join(".margin");
    let annotation_file = margin.join("annotations/a.md.json");
    let before = fs::read(&annotation_file).unwrap();

    let frozen = match Frozen::freeze(v.path()) {
        Ok(frozen) => frozen,
        Err(why) => {
            skipped_loudly("a truly read-only vault (core read_only.rs)", &why);
            return;
        }
    };
    assert!(!can_write(v.path()), "the vault was not made read-only");

    // Opened read-only: everything in the vault is read, this computer's changes go beside.
    let store = Store::for_vault(&vault, data.path());
    assert!(store.is_fallback(), "a read-only vault was not noticed");
    assert!(store.dir().starts_with(data.path()));
    let second = mark("second passage");
    store.add("a.md", second.clone()).unwrap();
    let ids = |s: &Store| -> Vec<String> {
        let mut ids: Vec<String> = s
            .load("a.md")
            .unwrap()
            .annotations
            .into_iter()
            .map(|a| a.id)
            .collect();
        ids.sort();
        ids
    };
    let mut both = vec![first.id.clone(), second.id.clone()];
    both.sort();
    assert_eq!(ids(&store), both);
    let study = Study::of(&store, "laptop");
    assert_eq!(study.cards("a.md").unwrap().len(), 1, "the vault's card");
    study
        .grade("a.md", &card.id, Grade::Hard, now, false, 700)
        .unwrap();
    assert_eq!(study.reviews().len(), 2, "the vault's grade and this one");
    assert_eq!(fs::read(&annotation_file).unwrap(), before);

    // The editor cannot save: it says so, and the note is untouched.
    let source = edit::load(&vault, "a.md").unwrap();
    assert!(
        source.read_only,
        "the editor is not told the note is read-only"
    );
    let refused = edit::save(&vault, "a.md", &source.text, "# A\n\nRewritten.\n");
    let message = refused
        .expect_err("a read-only vault was written")
        .to_string();
    assert!(message.contains("a.md"), "{message}");
    assert_eq!(
        fs::read_to_string(v.path().join("a.md")).unwrap(),
        text_of_a
    );

    // Writable again: what was kept beside comes back into the vault, nothing lost.
    drop(frozen);
    let store = Store::for_vault(&vault, data.path());
    assert!(!store.is_fallback());
    assert_eq!(ids(&store), both);
    assert_eq!(Study::of(&store, "laptop").reviews().len(), 2);
    let inside: Vec<Annotation> =
        serde_json::from_slice::<serde_json::Value>(&fs::read(&annotation_file).unwrap())
            .map(|v| serde_json::from_value(v["annotations"].clone()).unwrap())
            .unwrap();
    assert_eq!(
        inside.len(),
        2,
        "the vault's own file holds both highlights"
    );
}
