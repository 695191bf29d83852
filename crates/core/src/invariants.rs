//! What must hold for any input at all: the properties the fuzzers check (`fuzz/`, run by
//! `cargo xtask fuzz`) and that the kept corpus of fuzz inputs is replayed against in the
//! regular tests. Each `check_*` function takes raw bytes, as a fuzzer makes them, and panics
//! with a message when the property breaks — a panic is what a fuzzer reports.

use std::path::Component;

use crate::anchor::{anchor_chars, quote_at, Position};
use crate::render::{parse_fragment, LinkContext};
use crate::search::SearchIndex;
use crate::vault::{check_id, Vault};
use crate::Note;

/// Elements the sanitised HTML of a note may contain; anything else is a hole. These are
/// ammonia's default formatting tags plus Margin's `section` (footnotes) and `input` (task-list
/// boxes, disabled checkboxes only), and MathML's presentation elements in the MathML
/// namespace ([`MATHML_ELEMENTS`]): nothing that runs, embeds, styles or submits.
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "html",
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// MathML elements (in the MathML namespace) a note may contain: presentation only — no
/// `maction`, no `annotation-xml`, nothing that can carry HTML or links. Kept apart from the
/// renderer's own allow-list on purpose, like [`ALLOWED_ELEMENTS`]: this is the oracle the
/// fuzzers and hostile suites check the sanitiser against, so a tag added there by mistake
/// fails here.
pub const MATHML_ELEMENTS: &[&str] = &[
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "semantics",
];

/// What in `html` (sanitised note HTML, parsed as the browser will parse it) could run,
/// navigate or load from elsewhere: one line per problem, empty when there is none.
pub fn unsafe_parts(html: &str) -> Vec<String> {
    use markup5ever_rcdom::NodeData;
    let dom = parse_fragment(html);
    let mut problems = Vec::new();
    let mut stack = vec![dom.document.clone()];
    while let Some(node) = stack.pop() {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            let mathml = name.ns == html5ever::ns!(mathml);
            let name = name.local.to_string();
            let allowed = if mathml {
                MATHML_ELEMENTS.contains(&name.as_str())
            } else {
                ALLOWED_ELEMENTS.contains(&name.as_str())
            };
            if !allowed {
                problems.push(format!("<{name}>"));
            }
            if name == "input" {
                let attrs = attrs.borrow();
                let has = |a: &str, v: Option<&str>| {
                    attrs
                        .iter()
                        .any(|x| &*x.name.local == a && v.is_none_or(|v| &*x.value == v))
                };
                if !has("type", Some("checkbox")) || !has("disabled", None) {
                    problems.push("<input> other than a disabled checkbox".to_string());
                }
            }
            for attr in attrs.borrow().iter() {
                let (attr, value) = (attr.name.local.to_string(), attr.value.to_string());
                if attr.starts_with("on")
                    || ["style", "srcdoc", "formaction", "background", "action"]
                        .contains(&attr.as_str())
                {
                    problems.push(format!("{attr}= on <{name}>"));
                }
                let v = value.trim().to_ascii_lowercase();
                let bad_scheme = v.starts_with("javascript:")
                    || v.starts_with("vbscript:")
                    || v.starts_with("file:")
                    || (v.starts_with("data:") && !(name == "img" && v.starts_with("data:image/")));
                if bad_scheme {
                    problems.push(format!("{attr}={value:?} on <{name}>"));
                }
            }
        }
        stack.extend(node.children.borrow().iter().cloned());
    }
    problems
}

/// Any bytes as a note: rendering never panics, and the HTML holds nothing unsafe.
pub fn check_render(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    let known = ["a.md".to_string(), "dir/b.md".to_string()];
    let rendered = crate::render::render(
        &source,
        &LinkContext {
            note_id: "dir/note.md",
            known_ids: &known,
            embeds: None,
        },
    );
    let problems = unsafe_parts(&rendered.html);
    assert!(
        problems.is_empty(),
        "unsafe HTML from {source:?}: {problems:?}\n{}",
        rendered.html
    );
    // The text the UI anchors highlights in is the text the HTML shows.
    let note = Note::from_source("dir/note.md", &source, &known);
    assert_eq!(
        note.text,
        crate::render::visible_text(&note.html),
        "visible text disagrees for {source:?}"
    );
}

/// Anything typed in the search box is an answer (maybe empty), never an error, and every
/// match range lies inside its snippet.
pub fn check_query(index: &SearchIndex, data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    for as_you_type in [true, false] {
        let hits = match index.search(&input, 10, as_you_type) {
            Ok(hits) => hits,
            Err(err) => panic!("query {input:?} failed: {err}"),
        };
        for hit in hits {
            let len = hit.snippet.chars().count();
            for range in &hit.ranges {
                assert!(
                    range[0] <= range[1] && range[1] <= len,
                    "range {range:?} outside the snippet ({len} chars) for {input:?}"
                );
            }
        }
    }
}

/// A quote taken from a text is found again at the same place; after an edit it is found
/// inside the new text or reported orphan, never out of bounds.
pub fn check_anchoring(data: &[u8]) {
    let (head, edit) = data.split_at(data.len().min(4));
    let text: Vec<char> = String::from_utf8_lossy(edit).chars().collect();
    let [a, b, at, cut] = [0, 1, 2, 3].map(|i| usize::from(head.get(i).copied().unwrap_or(0)));
    if text.is_empty() {
        return;
    }
    let start = a % text.len();
    let end = (start + 1 + b % 40).min(text.len());
    let quote = quote_at(&text, start, end);
    let hint = Position { start, end };
    let found = anchor_chars(&text, &quote, hint)
        .unwrap_or_else(|| panic!("quote {quote:?} lost in its own text"));
    assert_eq!(
        found.position, hint,
        "quote {quote:?} moved in its own text"
    );

    // An edit: `cut` characters removed at `at`, and the text doubled when `cut` is odd.
    let mut edited = text.clone();
    let from = at % edited.len();
    let to = (from + cut % 16).min(edited.len());
    edited.drain(from..to);
    if cut % 2 == 1 {
        edited.extend(text.iter().copied());
    }
    if let Some(found) = anchor_chars(&edited, &quote, hint) {
        let p = found.position;
        assert!(
            p.start < p.end && p.end <= edited.len(),
            "anchor {p:?} outside the edited text ({} chars)",
            edited.len()
        );
    }
}

/// Any string as a note id: accepted ids are plain relative paths, and what they name is
/// inside the vault (symlinks resolved), whatever the id says.
pub fn check_note_id(vault: &Vault, data: &[u8]) {
    let id = String::from_utf8_lossy(data);
    if let Ok(relative) = check_id(&id) {
        assert!(
            relative
                .components()
                .all(|c| matches!(c, Component::Normal(_))),
            "check_id let {id:?} through as {}",
            relative.display()
        );
    }
    if let Ok(path) = vault.path_of(&id) {
        if let Ok(real) = path.canonicalize() {
            assert!(
                real.starts_with(vault.root()),
                "{id:?} escaped the vault to {}",
                real.display()
            );
        }
    }
}

/// The vault the id check runs against: two notes, and symlinks that lead out of it (to a note
/// beside the vault and to the folder above), all made inside `dir`.
pub fn escape_fixture(dir: &std::path::Path) -> std::io::Result<Vault> {
    let root = dir.join("vault");
    std::fs::create_dir_all(root.join("dir"))?;
    std::fs::write(root.join("a.md"), "# A")?;
    std::fs::write(root.join("dir/b.md"), "# B")?;
    std::fs::write(dir.join("secret.md"), "# outside")?;
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink(dir.join("secret.md"), root.join("link.md"));
        let _ = std::os::unix::fs::symlink(dir, root.join("dir/up"));
    }
    Vault::open(&root).map_err(std::io::Error::other)
}

/// An index of the vault at `notes`, kept in `dir`: what the query check searches.
pub fn index_of(notes: &std::path::Path, dir: &std::path::Path) -> crate::Result<SearchIndex> {
    let vault = Vault::open(notes)?;
    let (index, _) = SearchIndex::open(dir)?;
    index.update(&vault, &mut |_, _| true)?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checks_pass_on_plain_input() {
        check_render(b"# Title\n\nSome *text* and a [link](https://example.com).");
        check_anchoring(b"\x03\x05\x01\x02the quick brown fox jumps over the lazy dog");
        check_anchoring(b"");
    }

    #[test]
    fn unsafe_html_is_reported() {
        assert!(!unsafe_parts("<script>alert(1)</script>").is_empty());
        assert!(!unsafe_parts("<a href=\" JavaScript:alert(1)\">x</a>").is_empty());
        assert!(!unsafe_parts("<img src=x onerror=alert(1)>").is_empty());
        assert!(unsafe_parts("<p><a href=\"https://example.com\">x</a></p>").is_empty());
    }
}
