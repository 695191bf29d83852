use margin_core::vault::MAX_NOTE_BYTES;
use margin_core::{Error, Vault};

use crate::util::TestVault;

#[test]
fn scan_finds_notes_and_skips_hidden_ignored_and_other_files() {
    let v = TestVault::new()
        .file("a.md", "# A")
        .file("sub/b.markdown", "# B")
        .file("sub/deeper/C.MD", "# C")
        .file("image.png", [0u8, 1, 2])
        .file(".hidden.md", "# hidden")
        .file(".margin/annotations/a.md.json", "{}")
        .file(".gitignore", "drafts/\n")
        .file("drafts/wip.md", "# wip");
    let ids: Vec<String> = v.open().scan().notes.into_iter().map(|n| n.id).collect();
    assert_eq!(ids, ["a.md", "sub/b.markdown", "sub/deeper/C.MD"]);
}

#[test]
fn binary_and_invalid_utf8_notes_are_refused_not_panicking() {
    let v = TestVault::new()
        .file("bin.md", [0x89, b'P', b'N', b'G', 0, 0, 0])
        .file("latin1.md", [b'c', b'a', b'f', 0xe9])
        .file("ok.md", "# ok");
    let vault = v.open();
    assert!(matches!(vault.read("bin.md"), Err(Error::NotText { .. })));
    assert!(matches!(
        vault.read("latin1.md"),
        Err(Error::NotText { .. })
    ));
    let tree = margin_core::tree::build(&vault);
    assert_eq!(tree.note_count, 1);
    assert_eq!(tree.warnings.len(), 2, "{:?}", tree.warnings);
}

#[test]
fn huge_notes_are_refused_with_a_message() {
    let v = TestVault::new().file("big.md", vec![b'a'; MAX_NOTE_BYTES as usize + 1]);
    let err = v.open().read("big.md").unwrap_err();
    assert!(matches!(err, Error::NoteTooLarge { .. }));
    assert!(err.to_string().contains("split it"), "{err}");
}

/// A 50 MB note (a log pasted into the vault) is refused from its size alone, without being
/// read: the tree lists it with a warning, the index skips it, the rest stays usable.
#[test]
fn a_50_mb_note_is_refused_quickly_and_the_rest_works() {
    let line = "a long line of a log that someone saved as Markdown, again and again\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len());
    let v = TestVault::new()
        .file("big.md", big.as_bytes())
        .file("small.md", "# Small\n\nstill here\n");
    let vault = v.open();
    let started = std::time::Instant::now();
    let err = vault.read("big.md").unwrap_err();
    assert!(matches!(err, Error::NoteTooLarge { size, .. } if size >= 50_000_000));
    let tree = margin_core::tree::build(&vault);
    assert!(
        tree.warnings.iter().any(|w| w.contains("big.md")),
        "{:?}",
        tree.warnings
    );
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = margin_core::search::SearchIndex::open(dir.path()).unwrap();
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!(stats.added, 1);
    assert!(
        stats.skipped.iter().any(|s| s.contains("big.md")),
        "{:?}",
        stats.skipped
    );
    assert_eq!(index.search("still", 5, false).unwrap().len(), 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn malformed_markdown_still_renders() {
    let src = "# unclosed [link(\n\n**bold _mixed* stuff_\n\n```\nno closing fence\n\n<div><span>\n\n|a|\n|-|-|-|\n";
    let note = margin_core::Note::from_source("m.md", src, &[]);
    assert!(note.text.contains("no closing fence"));
}

#[test]
fn ids_that_escape_are_refused() {
    let outside = TestVault::new().file("secret.md", "# secret");
    let v = TestVault::new().file("in.md", "# in");
    let vault = v.open();
    for id in [
        "../secret.md",
        "/etc/passwd",
        "in.md/../in.md",
        "missing.md",
        "x/../../secret.md",
    ] {
        assert!(vault.read(id).is_err(), "{id} was read");
    }
    let abs = outside.path().join("secret.md");
    assert!(vault.read(abs.to_str().unwrap()).is_err());
    assert!(matches!(
        vault.read("missing.md"),
        Err(Error::NoteNotFound { .. })
    ));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_vault_are_skipped_and_refused() {
    let outside = TestVault::new()
        .file("secret.md", "# secret")
        .file("dir/s.md", "# s");
    let v = TestVault::new()
        .file("in.md", "# in")
        .file("real/x.md", "# x");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), v.path().join("link.md")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("dir"), v.path().join("linkdir")).unwrap();
    std::os::unix::fs::symlink(v.path().join("real/x.md"), v.path().join("inside-link.md"))
        .unwrap();
    let vault = v.open();
    let scan = vault.scan();
    let ids: Vec<&str> = scan.notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["in.md", "inside-link.md", "real/x.md"]);
    // The light walk (progress counts) finds the same notes.
    assert_eq!(vault.note_ids(), ids);
    assert!(scan
        .warnings
        .iter()
        .any(|w| w.contains("outside the vault")));
    assert!(matches!(
        vault.read("link.md"),
        Err(Error::InvalidNoteId { .. })
    ));
    assert!(vault.read("linkdir/s.md").is_err());
    assert_eq!(vault.read("inside-link.md").unwrap(), "# x");
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_are_skipped_with_a_warning() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let v = TestVault::new().file("ok.md", "# ok");
    let bad = v.path().join(OsStr::from_bytes(b"caf\xe9.md"));
    std::fs::write(bad, "# bad name").unwrap();
    let scan = v.open().scan();
    assert_eq!(scan.notes.len(), 1);
    assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
}

#[test]
fn a_missing_vault_is_a_clear_error() {
    let err = Vault::open("/no/such/folder/anywhere").unwrap_err();
    assert_eq!(err.code(), "vault_not_found");
    assert!(err.to_string().contains("does not exist"));
}

#[test]
fn images_are_served_with_their_type_up_to_the_size_limit() {
    let v = TestVault::new()
        .file("a.md", "# A")
        .file("img/shot one.png", [0x89, b'P', b'N', b'G'])
        .file("img/p.JPEG", [0xff, 0xd8])
        .file("img/v.svg", "<svg/>")
        .file("img/notes.txt", "not an image");
    // A sparse file just over the limit: refused, with the limit in the error.
    let big = std::fs::File::create(v.path().join("img/big.webp")).unwrap();
    big.set_len(margin_core::vault::MAX_IMAGE_BYTES + 1)
        .unwrap();
    let vault = v.open();
    let (bytes, mime) = vault.read_image("/img/shot%20one.png").unwrap();
    assert_eq!((bytes.len(), mime), (4, "image/png"));
    assert_eq!(vault.read_image("img/p.JPEG").unwrap().1, "image/jpeg");
    assert_eq!(vault.read_image("img/v.svg").unwrap().1, "image/svg+xml");
    assert!(matches!(
        vault.read_image("img/big.webp"),
        Err(Error::NoteTooLarge { limit, .. }) if limit == margin_core::vault::MAX_IMAGE_BYTES
    ));
    // Exactly at the limit is still served.
    let at = std::fs::File::create(v.path().join("img/at.webp")).unwrap();
    at.set_len(margin_core::vault::MAX_IMAGE_BYTES).unwrap();
    assert_eq!(vault.read_image("img/at.webp").unwrap().1, "image/webp");
    for refused in [
        "img/notes.txt",
        "a.md",
        "../a.png",
        "img/../../x.png",
        "img/missing.png",
        "%FF.png",
    ] {
        assert!(vault.read_image(refused).is_err(), "{refused} was served");
    }
}
