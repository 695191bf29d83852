use std::fs;
use std::sync::Arc;

use margin_core::anchor::Status;
use margin_core::annotations::{reanchor, Annotation, Store};
use margin_core::Note;

use crate::util::TestVault;

fn sample(text: &str, quote: &str) -> Annotation {
    let byte = text.find(quote).unwrap();
    let start = text[..byte].chars().count();
    Annotation::new(text, start, start + quote.chars().count(), "yellow").unwrap()
}

#[test]
fn annotations_round_trip_through_a_readable_file() {
    let v = TestVault::bundled();
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fallback"));
    assert_eq!(store.dir(), vault.root().join(".margin/annotations"));
    let note = Note::load(&vault, "realtime/webrtc.md", &[]).unwrap();
    let mut a = sample(&note.text, "signalling servers");
    a.comment = "STUN/TURN too".into();
    a.tags = vec!["p2p".into()];
    store
        .update("realtime/webrtc.md", |list| list.push(a.clone()))
        .unwrap();
    let file = vault
        .root()
        .join(".margin/annotations/realtime/webrtc.md.json");
    let json = fs::read_to_string(&file).unwrap();
    // Format 2: one annotation per line (git merges whole records), keys in a stable order.
    assert!(
        json.starts_with(
            "{\"version\":2,\"note\":\"realtime/webrtc.md\",\"annotations\":[\n{\"id\":"
        ) && json.contains("\"exact\":\"signalling servers\"")
            && json.lines().count() == 3,
        "{json}"
    );
    let loaded = store.load("realtime/webrtc.md").unwrap();
    assert_eq!(loaded.annotations, vec![a]);
    // The walk of the vault does not see the annotation folder as notes.
    assert!(vault
        .scan()
        .notes
        .iter()
        .all(|n| !n.id.starts_with(".margin")));
    // No temp files are left behind.
    let leftovers: Vec<_> = fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_corrupt_file_is_set_aside_never_overwritten() {
    let v = TestVault::new().file("a.md", "# A\n\nsome text here\n");
    let store = Store::for_vault(&v.open(), &v.path().join("fallback"));
    let path = store.dir().join("a.md.json");
    fs::create_dir_all(store.dir()).unwrap();
    fs::write(&path, "{ \"version\": 1, \"annotations\": [ truncated").unwrap();
    let loaded = store.load("a.md").unwrap();
    let aside = loaded.set_aside.expect("reported");
    assert_eq!(
        fs::read_to_string(&aside).unwrap(),
        "{ \"version\": 1, \"annotations\": [ truncated"
    );
    assert!(aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("a.md.json.corrupt-"));
    assert!(loaded.annotations.is_empty());
}

#[test]
fn a_vault_that_cannot_be_written_falls_back_to_the_data_folder() {
    // `.margin` is a file here, so the annotation folder cannot be made inside the vault.
    let v = TestVault::new()
        .file("a.md", "# A\n\ntext to mark\n")
        .file(".margin", "not a folder");
    let data = tempfile::tempdir().unwrap();
    let store = Store::for_vault(&v.open(), data.path());
    assert!(store.dir().starts_with(data.path()));
    let text = Note::load(&v.open(), "a.md", &[]).unwrap().text;
    store
        .update("a.md", |l| l.push(sample(&text, "text to mark")))
        .unwrap();
    assert_eq!(store.load("a.md").unwrap().annotations.len(), 1);
}

#[test]
fn concurrent_writers_keep_each_others_annotations() {
    let v = TestVault::new().file("a.md", "# A\n\nword ".repeat(50));
    let vault = v.open();
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    let dir = Store::for_vault(&vault, &v.path().join("fb"))
        .dir()
        .to_path_buf();
    let text = Arc::new(text);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (dir, text) = (dir.clone(), Arc::clone(&text));
            std::thread::spawn(move || {
                // Each writer has its own store value, as separate processes would.
                let store = Store::at(&dir);
                for i in 0..10 {
                    let start = 4 + (t * 10 + i) * 5;
                    let a = Annotation::new(&text, start, start + 4, "green").unwrap();
                    store.update("a.md", |l| l.push(a)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(Store::at(&dir).load("a.md").unwrap().annotations.len(), 40);
}

#[test]
fn removing_the_last_annotation_leaves_only_its_tombstone() {
    let v = TestVault::new().file("a.md", "# A\n\nsome text\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    store
        .update("a.md", |l| l.push(sample(&text, "some")))
        .unwrap();
    store.update("a.md", |l| l.clear()).unwrap();
    assert!(store.all().unwrap().is_empty());
    assert!(store.load("a.md").unwrap().annotations.is_empty());
    // The tombstone stays (a sync tool's older copy must not bring the highlight back).
    let records = store.records("a.md").unwrap();
    assert_eq!(records.len(), 1);
    assert!(records[0].is_deleted());
}

#[test]
fn edits_on_disk_reanchor_or_orphan() {
    let v = TestVault::new().file(
        "n.md",
        "# Title\n\nThe client sends a message to the server.\n\nThe server recieves ACK.\n\nA paragraph that will go.\n",
    );
    let vault = v.open();
    let text = Note::load(&vault, "n.md", &[]).unwrap().text;
    let mut list = vec![
        sample(&text, "sends a message"),
        sample(&text, "server recieves ACK"),
        sample(&text, "A paragraph that will go."),
    ];
    fs::write(
        v.path().join("n.md"),
        "# Title\n\nNew intro.\n\nThe client sends a message to the server.\n\nThe server receives ACK.\n",
    )
    .unwrap();
    let text = Note::load(&vault, "n.md", &[]).unwrap().text;
    reanchor(&text, &mut list);
    let by_quote = |q: &str| list.iter().find(|a| a.quote.exact.contains(q)).unwrap();
    assert_eq!(by_quote("sends a message").status, Status::Moved);
    assert_eq!(by_quote("server rec").status, Status::Moved);
    // The user's quote is kept; what the note says now is stored beside it.
    assert_eq!(by_quote("server rec").quote.exact, "server recieves ACK");
    assert_eq!(by_quote("server rec").text(), "server receives ACK");
    let gone = list.iter().find(|a| a.status == Status::Orphan).unwrap();
    assert_eq!(gone.quote.exact, "A paragraph that will go.");
}

#[test]
fn a_note_renamed_outside_margin_keeps_its_annotations() {
    use margin_core::search::SearchIndex;
    let v = TestVault::new()
        .file(
            "drafts/gossip.md",
            "# Gossip\n\nEpidemic protocols spread state.\n",
        )
        .file("other.md", "# Other\n\nUnrelated.\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let cache = tempfile::tempdir().unwrap();
    let text = Note::load(&vault, "drafts/gossip.md", &[]).unwrap().text;
    store
        .add("drafts/gossip.md", sample(&text, "Epidemic protocols"))
        .unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), Some(&store), &mut |_, _| true).unwrap();
    fs::create_dir_all(v.path().join("distributed")).unwrap();
    fs::rename(
        v.path().join("drafts/gossip.md"),
        v.path().join("distributed/gossip.md"),
    )
    .unwrap();
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!(
        stats.renamed,
        vec![(
            "drafts/gossip.md".to_string(),
            "distributed/gossip.md".to_string()
        )]
    );
    assert!(store
        .load("drafts/gossip.md")
        .unwrap()
        .annotations
        .is_empty());
    let text = Note::load(&vault, "distributed/gossip.md", &[])
        .unwrap()
        .text;
    let moved = store
        .anchored("distributed/gossip.md", Some(&text))
        .unwrap()
        .annotations;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].status, Status::Anchored);
    // A deleted note's annotations stay, as orphans.
    fs::remove_file(v.path().join("distributed/gossip.md")).unwrap();
    index.update(&vault, &mut |_, _| true).unwrap();
    let orphans = store
        .anchored("distributed/gossip.md", None)
        .unwrap()
        .annotations;
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0].status, Status::Orphan);
}

/// The setting of each rename test: a note annotated *after* the index last saw it (as
/// `margin annotate` between two `margin index` runs does), then renamed while nothing watched.
fn renamed_after_annotating(
    edit: impl Fn(&str) -> String,
) -> (
    TestVault,
    margin_core::Vault,
    Store,
    margin_core::search::SearchIndex,
    tempfile::TempDir,
) {
    use margin_core::search::SearchIndex;
    let v = TestVault::new()
        .file(
            "net/tcp.md",
            "# TCP\n\nThe server answers with Synchronize-Acknowledgement and waits.\n\nMore text here.\n",
        )
        .file("net/udp.md", "# UDP\n\nNo handshake at all.\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let cache = tempfile::tempdir().unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), Some(&store), &mut |_, _| true).unwrap();
    let text = Note::load(&vault, "net/tcp.md", &[]).unwrap().text;
    store
        .add("net/tcp.md", sample(&text, "Synchronize-Acknowledgement"))
        .unwrap();
    let old = fs::read_to_string(v.path().join("net/tcp.md")).unwrap();
    fs::remove_file(v.path().join("net/tcp.md")).unwrap();
    fs::write(v.path().join("net/transport.md"), edit(&old)).unwrap();
    (v, vault, store, index, cache)
}

fn assert_followed(
    store: &Store,
    vault: &margin_core::Vault,
    stats: &margin_core::search::UpdateStats,
) {
    assert_eq!(
        stats.renamed,
        vec![("net/tcp.md".to_string(), "net/transport.md".to_string())]
    );
    let text = Note::load(vault, "net/transport.md", &[]).unwrap().text;
    let moved = store
        .anchored("net/transport.md", Some(&text))
        .unwrap()
        .annotations;
    assert_eq!(moved.len(), 1);
    assert_ne!(moved[0].status, Status::Orphan);
    assert!(store.load("net/tcp.md").unwrap().annotations.is_empty());
}

#[test]
fn a_rename_while_closed_is_followed_by_the_start_up_update() {
    let (_v, vault, store, index, _c) = renamed_after_annotating(|t| t.to_string());
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_followed(&store, &vault, &stats);
}

#[test]
fn a_rename_with_a_small_edit_is_followed_too() {
    let (_v, vault, store, index, _c) =
        renamed_after_annotating(|t| t.replace("More text here.", "More text here, edited."));
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_followed(&store, &vault, &stats);
}

#[test]
fn a_rename_is_followed_by_the_watcher_and_by_a_rescan() {
    let changes = margin_core::watch::Changes {
        notes: vec!["net/tcp.md".into(), "net/transport.md".into()],
        ..Default::default()
    };
    let (_v, vault, store, index, _c) = renamed_after_annotating(|t| t.replace("waits", "waits."));
    assert_followed(&store, &vault, &index.apply(&vault, &changes).unwrap());
    let rescan = margin_core::watch::Changes {
        rescan: true,
        ..Default::default()
    };
    let (_v, vault, store, index, _c) = renamed_after_annotating(|t| t.to_string());
    assert_followed(&store, &vault, &index.apply(&vault, &rescan).unwrap());
}

#[test]
fn a_renamed_folder_takes_every_notes_highlights_along() {
    use margin_core::search::SearchIndex;
    let mut v = TestVault::new();
    for i in 0..40 {
        v = v.file(
            &format!("old/n{i}.md"),
            format!("# Note {i}\n\nFact number {i} is worth remembering.\n"),
        );
    }
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let cache = tempfile::tempdir().unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), Some(&store), &mut |_, _| true).unwrap();
    for i in 0..40 {
        let id = format!("old/n{i}.md");
        let text = Note::load(&vault, &id, &[]).unwrap().text;
        store
            .add(&id, sample(&text, &format!("Fact number {i}")))
            .unwrap();
    }
    fs::rename(v.path().join("old"), v.path().join("new")).unwrap();
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!(stats.renamed.len(), 40, "{:?}", stats.renamed);
    for i in 0..40 {
        let id = format!("new/n{i}.md");
        assert_eq!(store.load(&id).unwrap().annotations.len(), 1, "{id}");
    }
}

// Gaps of the store found by reading it (issue 14); each test failed before its fix.

#[test]
fn a_rename_whose_new_file_cannot_be_written_keeps_the_old_one() {
    let v = TestVault::new().file("a.md", "# A\n\nsome text here\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    store
        .update("a.md", |l| l.push(sample(&text, "some text")))
        .unwrap();
    // The new note's folder cannot be made in the store (a file is in the way).
    fs::write(store.dir().join("sub"), "in the way").unwrap();
    assert!(store.rename("a.md", "sub/b.md").is_err());
    assert_eq!(store.load("a.md").unwrap().annotations.len(), 1);
}

#[test]
fn reading_annotations_never_writes_their_file() {
    let v = TestVault::new().file("n.md", "# T\n\nThe server recieves ACK.\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let text = Note::load(&vault, "n.md", &[]).unwrap().text;
    store
        .update("n.md", |l| l.push(sample(&text, "server recieves ACK")))
        .unwrap();
    let file = store.dir().join("n.md.json");
    let before = fs::read(&file).unwrap();
    // The note changes (a typo fixed), then the note is gone for a moment (an editor's save):
    // reads re-anchor in memory only.
    fs::write(v.path().join("n.md"), "# T\n\nThe server receives ACK.\n").unwrap();
    let text = Note::load(&vault, "n.md", &[]).unwrap().text;
    let moved = store.anchored("n.md", Some(&text)).unwrap().annotations;
    assert_eq!(moved[0].text(), "server receives ACK");
    let gone = store.anchored("n.md", None).unwrap().annotations;
    assert_eq!(gone[0].status, Status::Orphan);
    margin_core::annotations::collect(&store, &vault, None).unwrap();
    assert_eq!(fs::read(&file).unwrap(), before, "a read wrote the file");
    // A real change of the note is saved: the new place, the user's quote kept.
    assert!(store.reanchor_changed("n.md", &text).unwrap());
    let saved = &store.load("n.md").unwrap().annotations[0];
    assert_eq!(saved.quote.exact, "server recieves ACK");
    assert_eq!(saved.text(), "server receives ACK");
}

#[test]
fn a_corrupt_palette_is_set_aside_before_a_new_one_is_saved() {
    let v = TestVault::new().file("a.md", "# A\n");
    let store = Store::for_vault(&v.open(), &v.path().join("fb"));
    let palette = store.dir().parent().unwrap().join("palette.json");
    fs::write(&palette, "{ hand-edited, broken").unwrap();
    store
        .set_palette(&margin_core::annotations::Palette::default())
        .unwrap();
    let aside: Vec<String> = fs::read_dir(palette.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("palette.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the broken palette was overwritten");
    assert_eq!(
        fs::read_to_string(palette.with_file_name(&aside[0])).unwrap(),
        "{ hand-edited, broken"
    );
}

#[test]
fn a_deletion_beats_an_older_copy_and_an_undo_beats_the_deletion() {
    use margin_core::annotations::merge;
    let v = TestVault::new().file("a.md", "# A\n\nsome text here\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    let a = sample(&text, "some text");
    store.add("a.md", a.clone()).unwrap();
    let old_copy = store.records("a.md").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let removed = store.remove("a.md", &a.id).unwrap();
    let merged = merge(store.records("a.md").unwrap(), old_copy.clone());
    assert!(
        merged[0].is_deleted(),
        "the older copy revived a deleted highlight"
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.add("a.md", removed).unwrap();
    let merged = merge(old_copy, store.records("a.md").unwrap());
    assert!(!merged[0].is_deleted(), "the undo of the deletion was lost");
    assert_eq!(store.load("a.md").unwrap().annotations.len(), 1);
}
