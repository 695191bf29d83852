//! Reading fidelity on a real vault: embeds read through the vault's rules (nothing outside it,
//! symlinks out refused, binary notes skipped), code, math and call-outs in one note whose text
//! still agrees with its HTML.

use margin_core::render::visible_text;
use margin_core::Note;

use crate::util::TestVault;

#[test]
fn embeds_come_from_inside_the_vault_only() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "# Secret\nTOP-SECRET\n").unwrap();
    std::fs::write(outside.path().join("secret.png"), [0x89, b'P', b'N', b'G']).unwrap();
    let v = TestVault::new()
        .file("notes/host.md", "# Host\n![[other#Part two]]\n\n![[../../outside/secret]]\n\n![[link]]\n\n![[binary]]\n\n![[shot.png|200]]\n\n![[leak.png]]\n")
        .file("notes/other.md", "# Other\nnot shown\n## Part two\nshown text\n")
        .file("notes/attachments/shot.png", [0x89, b'P', b'N', b'G'])
        .file("notes/binary.md", [0u8, 159, 146, 150]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            v.path().join("notes/link.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.png"),
            v.path().join("notes/leak.png"),
        )
        .unwrap();
    }
    let vault = v.open();
    let known = vault.note_ids();
    let note = Note::load(&vault, "notes/host.md", &known).unwrap();
    assert_eq!(visible_text(&note.html), note.text);
    assert!(
        note.text.contains("shown text") && !note.text.contains("not shown"),
        "{}",
        note.html
    );
    assert!(!note.html.contains("TOP-SECRET") && !note.text.contains("TOP-SECRET"));
    assert!(note.html.contains("<div class=\"embed\">"));
    assert_eq!(
        note.html.matches("<div class=\"embed\">").count(),
        1,
        "{}",
        note.html
    );
    // The image found in the note's attachments folder, at the width asked for.
    assert!(
        note.html.contains("src=\"margin-asset://localhost/notes/attachments/shot.png\" alt=\"shot.png\" width=\"200\""),
        "{}",
        note.html
    );
    // A symlinked image leading outside is not served: it stays where a missing one would be.
    #[cfg(unix)]
    assert!(vault.read_image("notes/leak.png").is_err());
}

#[test]
fn a_study_note_with_code_math_and_callouts_renders_whole() {
    let src = "# Sorting\n\n> [!tip] Remember\n> Quicksort is $O(n \\log n)$ on average.\n\n```python\ndef quicksort(a):\n    return a if len(a) < 2 else []\n```\n\n$$T(n) = 2T(n/2) + O(n)$$\n\n> [!warning]- Worst case\n> Sorted input: $O(n^2)$.\n";
    let note = Note::from_source("sorting.md", src, &[]);
    assert_eq!(visible_text(&note.html), note.text);
    for part in [
        "<div class=\"callout callout-tip\">",
        "<details class=\"callout callout-warning\">",
        "<math display=\"inline\">",
        "<math display=\"block\">",
        "<pre class=\"code\" data-lang=\"python\">",
        "<span class=\"hl-keyword\">def</span>",
    ] {
        assert!(note.html.contains(part), "{part} missing: {}", note.html);
    }
    assert!(margin_core::invariants::unsafe_parts(&note.html).is_empty());
}

#[test]
fn an_embed_shows_the_same_text_with_or_without_the_callers_ids() {
    // The reader renders with every note id; re-anchoring and indexing render without. The
    // embedded note (found by its name in another folder) must be in both texts alike, or
    // highlights after it would move on every re-anchoring.
    let v = TestVault::new()
        .file("a/host.md", "# Host\n![[other]]\n\nAfter the embed.\n")
        .file("b/other.md", "# Other\nembedded words\n");
    let vault = v.open();
    let known = vault.note_ids();
    let with_ids = Note::load(&vault, "a/host.md", &known).unwrap();
    let without = Note::load(&vault, "a/host.md", &[]).unwrap();
    assert!(
        with_ids.text.contains("embedded words"),
        "{}",
        with_ids.html
    );
    assert_eq!(with_ids.text, without.text);
}
