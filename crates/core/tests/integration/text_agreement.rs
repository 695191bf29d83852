use margin_core::Note;

use crate::util::TestVault;

/// An independent, naive `textContent`: drop tags, decode the entities ammonia emits.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[test]
fn visible_text_equals_html_without_tags_for_every_bundled_note() {
    let dir = TestVault::bundled();
    let vault = dir.open();
    let ids: Vec<String> = vault.scan().notes.into_iter().map(|n| n.id).collect();
    assert_eq!(ids.len(), 12);
    for id in &ids {
        let note = Note::load(&vault, id, &ids).unwrap();
        assert_eq!(note.text, strip_tags(&note.html), "text differs for {id}");
        assert!(!note.text.is_empty());
    }
}

#[test]
fn visible_text_agrees_on_rich_markup() {
    let src = "# Title & more\n\nSome *emph* and **strong** and `code <x>` and ~~del~~.\n\n\
               | a | b |\n|---|---|\n| 1 &amp; 2 | **3** |\n\n- [x] task\n- item\n  1. nested\n\n\
               > quote\n\n```rust\nfn main() { println!(\"<hi>\"); }\n```\n\nFoot[^n]\n\n[^n]: note.\n\n\
               <div>raw <b>html</b></div>\n";
    let note = Note::from_source("x.md", src, &[]);
    assert_eq!(note.text, strip_tags(&note.html));
    assert!(note.text.contains("Title & more"));
    assert!(note.text.contains("fn main() { println!(\"<hi>\"); }"));
}
