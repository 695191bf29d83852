//! `![[…]]` embeds: an image of the vault (`![[diagram.png|300]]`), or another note, whole or
//! one section (`![[note]]`, `![[note#Heading]]`), rendered in place.
//!
//! Embeds read only through [`Embeds`], which the vault implements with its usual rules (ids
//! checked, nothing outside the vault, symlinks out refused). An embedded note is rendered one
//! level deep — its own embeds become links — so cycles cannot happen, and a note embedding
//! itself gets a link.

use pulldown_cmark::{Event, Tag, TagEnd};

/// What the renderer may read for embeds: other notes and the existence of files, both inside
/// the vault.
pub trait Embeds: std::fmt::Debug + Sync {
    /// The Markdown of note `id`, when it exists and may be read.
    fn note_source(&self, id: &str) -> Option<String>;
    /// Whether the vault-relative file `rel` exists (an image looked for in several places).
    fn file_exists(&self, rel: &str) -> bool;
    /// Every note id, for resolving `![[name]]` when the caller gave none: the embedded text
    /// is part of the note's visible text, so it must not depend on whether a caller passed the
    /// vault's ids (the reader does; re-anchoring and indexing do not).
    fn note_ids(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The part of `source` a `#fragment` names: from its heading down to the next heading of the
/// same or a higher level. Fragments are heading ids as the renderer gives them (slugs, `-1`
/// for repeats, `{#custom}` ids). `None` when no heading has that id; the whole note without a
/// fragment.
pub(crate) fn section<'s>(source: &'s str, fragment: Option<&str>) -> Option<&'s str> {
    let Some(fragment) = fragment else {
        return Some(source);
    };
    let mut used = std::collections::HashSet::new();
    // (level, start byte) of every heading, and the id each gets.
    let mut headings: Vec<(u8, usize, String)> = Vec::new();
    let mut open: Option<(u8, usize, Option<String>, String)> = None;
    for (event, range) in super::parser(source).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                open = Some((
                    level as u8,
                    range.start,
                    id.map(|i| i.to_string()),
                    String::new(),
                ));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, text)) = open.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, custom, text)) = open.take() {
                    let wanted = super::heading_id(custom.as_deref(), &text);
                    let id = super::unique(&mut used, wanted);
                    headings.push((level, start, id));
                }
            }
            _ => {}
        }
    }
    let at = headings.iter().position(|(_, _, id)| id == fragment)?;
    let (level, start, _) = headings[at];
    let end = headings[at + 1..]
        .iter()
        .find(|(l, _, _)| *l <= level)
        .map_or(source.len(), |(_, s, _)| *s);
    source.get(start..end)
}

/// `300` or `300x200` after the `|` of an image embed: the width and height to show it at.
pub(crate) fn size(alt: &str) -> Option<(u32, Option<u32>)> {
    let alt = alt.trim();
    let (w, h) = match alt.split_once('x') {
        Some((w, h)) => (w, Some(h)),
        None => (alt, None),
    };
    let w: u32 = w.trim().parse().ok().filter(|w| (1..=10_000).contains(w))?;
    let h = match h {
        Some(h) => Some(h.trim().parse().ok().filter(|h| (1..=10_000).contains(h))?),
        None => None,
    };
    Some((w, h))
}

/// Where `![[name]]` of note `note_id` finds an image: beside the note, in its `attachments/`
/// folder (where pasted images go), at the vault's top, in the top `attachments/` — the first
/// that exists; beside the note when none does (it then shows as a missing image).
pub(crate) fn image_path(name: &str, note_id: &str, embeds: Option<&dyn Embeds>) -> Option<String> {
    let beside = super::join_relative(note_id, name)?.join("/");
    let Some(embeds) = embeds else {
        return Some(beside);
    };
    let folder = note_id.rsplit_once('/').map_or("", |(f, _)| f);
    let in_folder = |f: &str, rest: &str| {
        if f.is_empty() {
            rest.to_string()
        } else {
            format!("{f}/{rest}")
        }
    };
    let candidates = [
        beside.clone(),
        in_folder(folder, &format!("attachments/{name}")),
        name.to_string(),
        format!("attachments/{name}"),
    ];
    Some(
        candidates
            .into_iter()
            .filter_map(|c| super::join_relative("", &c).map(|parts| parts.join("/")))
            .find(|c| embeds.file_exists(c))
            .unwrap_or(beside),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str =
        "intro\n# Top\nt\n## A\na\n### A deep\nd\n## B\nb\n# Top\nsecond\n## Custom {#mine}\nc\n";

    #[test]
    fn a_fragment_takes_its_heading_down_to_the_next_of_its_level() {
        assert_eq!(section(NOTE, Some("a")), Some("## A\na\n### A deep\nd\n"));
        assert_eq!(section(NOTE, Some("b")), Some("## B\nb\n"));
        assert_eq!(
            section(NOTE, Some("top")),
            Some("# Top\nt\n## A\na\n### A deep\nd\n## B\nb\n")
        );
        assert_eq!(
            section(NOTE, Some("top-1")),
            Some("# Top\nsecond\n## Custom {#mine}\nc\n")
        );
        assert_eq!(section(NOTE, Some("mine")), Some("## Custom {#mine}\nc\n"));
        assert_eq!(section(NOTE, Some("nowhere")), None);
        assert_eq!(section(NOTE, None), Some(NOTE));
    }

    #[test]
    fn sizes_are_width_or_width_by_height() {
        assert_eq!(size("300"), Some((300, None)));
        assert_eq!(size(" 300x200 "), Some((300, Some(200))));
        for not in ["", "a caption", "0", "300x", "99999999", "-3"] {
            assert_eq!(size(not), None, "{not}");
        }
    }

    #[derive(Debug)]
    struct Files(&'static [&'static str]);
    impl Embeds for Files {
        fn note_source(&self, _: &str) -> Option<String> {
            None
        }
        fn file_exists(&self, rel: &str) -> bool {
            self.0.contains(&rel)
        }
    }

    #[test]
    fn images_are_looked_for_beside_the_note_then_in_attachments_then_at_the_top() {
        let files = Files(&[
            "a/attachments/x.png",
            "y.png",
            "attachments/z.png",
            "a/w.png",
        ]);
        let find = |name| image_path(name, "a/n.md", Some(&files));
        assert_eq!(find("w.png").as_deref(), Some("a/w.png"));
        assert_eq!(find("x.png").as_deref(), Some("a/attachments/x.png"));
        assert_eq!(find("y.png").as_deref(), Some("y.png"));
        assert_eq!(find("z.png").as_deref(), Some("attachments/z.png"));
        assert_eq!(find("none.png").as_deref(), Some("a/none.png"));
        assert_eq!(image_path("../../out.png", "a/n.md", Some(&files)), None);
        assert_eq!(
            image_path("x.png", "a/n.md", None).as_deref(),
            Some("a/x.png")
        );
    }
}
