//! Searching without walking the vault (`search::fresh`): the stamps of the last update and a
//! live watcher's lease. Each test makes a change the stamps must notice and checks that the
//! search walked (`Updated`) and found it; files are aged first, as a real vault's are, since
//! anything touched in the last two seconds is never trusted.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use margin_core::annotations::{Annotation, Store};
use margin_core::search::{Freshness, SearchIndex};
use margin_core::{Note, Vault};

use crate::util::TestVault;

/// Sets the mtime of `path` and of everything under it to `ago` in the past.
fn age(path: &Path, ago: Duration) {
    let when = SystemTime::now() - ago;
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            age(&entry.unwrap().path(), ago);
        }
    }
    fs::File::open(path).unwrap().set_modified(when).unwrap();
}

const HOUR: Duration = Duration::from_secs(3600);

/// The notes found for `query` and how the search knew they were current.
fn search(
    vault: &Vault,
    cache: &Path,
    store: Option<&Store>,
    query: &str,
) -> (Vec<String>, String) {
    let (hits, freshness) =
        SearchIndex::search_current(vault, cache, store, query, 20, &mut |_, _| true).unwrap();
    let kind = match freshness {
        Freshness::Watched => "watched",
        Freshness::Unchanged => "unchanged",
        Freshness::Busy => "busy",
        Freshness::Updated { .. } => "updated",
    };
    let mut notes: Vec<String> = hits.into_iter().map(|h| h.note).collect();
    notes.dedup();
    (notes, kind.to_string())
}

fn two_notes() -> TestVault {
    let v = TestVault::new()
        .file("a.md", "# A\n\nalpha\n")
        .file("sub/b.md", "# B\n\nbravo\n");
    age(v.path(), HOUR);
    v
}

#[test]
fn an_unchanged_vault_is_searched_without_a_walk_and_an_edit_in_place_is_seen() {
    let v = two_notes();
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(search(&vault, cache.path(), None, "alpha").1, "updated");
    assert_eq!(
        search(&vault, cache.path(), None, "alpha"),
        (vec!["a.md".to_string()], "unchanged".into())
    );
    // Same size, an old mtime, the folder untouched (written in place): only the note's own
    // mtime tells.
    fs::write(v.path().join("a.md"), "# A\n\nomega\n").unwrap();
    age(&v.path().join("a.md"), HOUR / 2);
    assert_eq!(
        search(&vault, cache.path(), None, "omega"),
        (vec!["a.md".to_string()], "updated".into())
    );
    assert_eq!(
        search(&vault, cache.path(), None, "alpha").0,
        Vec::<String>::new()
    );
    assert_eq!(search(&vault, cache.path(), None, "omega").1, "unchanged");
}

#[test]
fn notes_added_removed_or_renamed_are_seen_through_their_folder() {
    let v = two_notes();
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    search(&vault, cache.path(), None, "bravo");
    // A new note whose own mtime is old (copied with its time kept): its folder's is not.
    fs::write(v.path().join("sub/c.md"), "# C\n\ncharlie\n").unwrap();
    age(&v.path().join("sub/c.md"), HOUR);
    assert_eq!(
        search(&vault, cache.path(), None, "charlie"),
        (vec!["sub/c.md".to_string()], "updated".into())
    );
    age(v.path(), HOUR);
    fs::rename(v.path().join("sub/c.md"), v.path().join("sub/d.md")).unwrap();
    assert_eq!(
        search(&vault, cache.path(), None, "charlie").0,
        ["sub/d.md"]
    );
    age(v.path(), HOUR);
    fs::remove_file(v.path().join("sub/d.md")).unwrap();
    let (found, how) = search(&vault, cache.path(), None, "charlie");
    assert!(found.is_empty() && how == "updated", "{found:?} {how}");
    // A new folder shows in its parent's mtime.
    age(v.path(), HOUR);
    search(&vault, cache.path(), None, "x");
    fs::create_dir(v.path().join("new")).unwrap();
    fs::write(v.path().join("new/e.md"), "# E\n\necho\n").unwrap();
    age(&v.path().join("new"), HOUR);
    assert_eq!(search(&vault, cache.path(), None, "echo").0, ["new/e.md"]);
}

#[test]
fn an_ignore_file_edited_in_place_is_seen() {
    let v = two_notes().file(".gitignore", "# nothing yet\n");
    age(v.path(), HOUR);
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(search(&vault, cache.path(), None, "bravo").0, ["sub/b.md"]);
    assert_eq!(search(&vault, cache.path(), None, "bravo").1, "unchanged");
    fs::write(v.path().join(".gitignore"), "sub/\n").unwrap();
    age(&v.path().join(".gitignore"), HOUR / 2);
    let (found, how) = search(&vault, cache.path(), None, "bravo");
    assert!(found.is_empty() && how == "updated", "{found:?} {how}");
}

#[test]
fn a_recent_change_is_never_trusted_to_the_stamps() {
    let v = two_notes();
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    search(&vault, cache.path(), None, "alpha");
    // Written now, same size: within two seconds of the walk an mtime cannot be trusted to
    // show a second edit, so the note is compared again — and again until it is older.
    fs::write(v.path().join("a.md"), "# A\n\nomega\n").unwrap();
    assert_eq!(search(&vault, cache.path(), None, "omega").1, "updated");
    assert_eq!(search(&vault, cache.path(), None, "omega").1, "updated");
}

#[test]
fn annotations_changed_by_another_process_are_seen() {
    let v = two_notes();
    let vault = v.open();
    let data = tempfile::tempdir().unwrap();
    let store = Store::for_vault(&vault, data.path());
    let cache = tempfile::tempdir().unwrap();
    search(&vault, cache.path(), Some(&store), "alpha");
    // The store's folder inside the vault (`.margin/`) is new: the vault's mtime with it.
    age(v.path(), HOUR);
    search(&vault, cache.path(), Some(&store), "alpha");
    assert_eq!(
        search(&vault, cache.path(), Some(&store), "alpha").1,
        "unchanged"
    );
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    let mut a = Annotation::new(&text, 0, 1, "red").unwrap();
    a.comment = "quokka".into();
    store.add("a.md", a).unwrap();
    assert_eq!(
        search(&vault, cache.path(), Some(&store), "quokka"),
        (vec!["a.md".to_string()], "updated".into())
    );
}

#[test]
fn a_later_commit_or_damaged_stamps_make_the_search_walk() {
    let v = two_notes();
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    search(&vault, cache.path(), None, "alpha");
    let index_dir = margin_core::search::index_dir(cache.path(), &vault);
    // The watcher path commits without stamps: the old ones no longer describe the index.
    {
        let (index, _, _) =
            SearchIndex::for_vault(&vault, cache.path(), None, &mut |_, _| true).unwrap();
        fs::write(v.path().join("a.md"), "# A\n\nzulu\n").unwrap();
        age(&v.path().join("a.md"), HOUR / 2);
        index.update_notes(&vault, &["a.md".to_string()]).unwrap();
    }
    assert_eq!(search(&vault, cache.path(), None, "zulu").1, "updated");
    assert_eq!(search(&vault, cache.path(), None, "zulu").1, "unchanged");
    for junk in ["", "margin-stamps 1\no 1\n", "\u{0}\u{1}binary"] {
        fs::write(index_dir.join("stamps"), junk).unwrap();
        assert_eq!(
            search(&vault, cache.path(), None, "zulu"),
            (vec!["a.md".into()], "updated".into())
        );
    }
    // A damaged index is not searched blind: it is checked and rebuilt.
    for entry in fs::read_dir(&index_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "term") {
            fs::write(&path, b"garbage").unwrap();
        }
    }
    let (hits, freshness) =
        SearchIndex::search_current(&vault, cache.path(), None, "zulu", 5, &mut |_, _| true)
            .unwrap();
    assert!(
        matches!(
            freshness,
            Freshness::Updated {
                outcome: margin_core::search::OpenOutcome::Rebuilt(_),
                ..
            }
        ),
        "{freshness:?}"
    );
    assert_eq!(hits[0].note, "a.md");
}

#[test]
fn with_a_live_watcher_the_search_does_not_walk_and_without_one_it_does() {
    let v = two_notes();
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), None, &mut |_, _| true).unwrap();
    let lease = index.lease_watch().expect("the lease");
    // The watcher would index this within its debounce; the search trusts it to.
    fs::write(v.path().join("a.md"), "# A\n\nwatched\n").unwrap();
    assert_eq!(
        search(&vault, cache.path(), None, "alpha"),
        (vec!["a.md".into()], "watched".into())
    );
    drop(lease);
    drop(index);
    assert_eq!(
        search(&vault, cache.path(), None, "watched"),
        (vec!["a.md".into()], "updated".into())
    );
}
