//! Links between notes, found in the Markdown source and rewritten when a note is renamed or
//! moved, as Obsidian does: `[[name]]`, `[[name|alias]]`, `[[name#heading]]`, `![[name]]`,
//! `[text](rel/path.md#frag)`, `[text](<path with spaces.md>)` and reference definitions
//! `[ref]: rel/path.md`. Links are resolved exactly as the reader resolves them
//! ([`crate::render`]), and only the link's target is replaced in the source, so everything
//! else in the file (spacing, aliases, headings, titles) stays byte for byte. Links inside
//! code are not links and are left alone (the parser says what is a link).

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag};

use crate::render::{self, LinkContext};

/// One replacement in a note's source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    range: Range<usize>,
    text: String,
}

/// Rewrites the links of note `from` (source `source`) that lead to `old_id` so that they lead
/// to `new_id`. `known_before` and `known_after` are the vault's note ids before and after the
/// move (wiki links are resolved by name against them). Returns the new source and how many
/// links changed; `None` when none did.
pub fn rewrite_links_to(
    source: &str,
    from: &str,
    old_id: &str,
    new_id: &str,
    known_before: &[String],
    known_after: &[String],
) -> Option<(String, usize)> {
    let before = LinkContext {
        note_id: from,
        known_ids: known_before,
        embeds: None,
    };
    let mut edits = Vec::new();
    for link in find_links(source) {
        match link.kind {
            Kind::Wiki => {
                let (name, _) = split_name(&link.target);
                let (resolved, _) = render::resolve_wiki(&link.target, &before);
                if resolved != old_id {
                    continue;
                }
                let wanted = wiki_name(from, new_id, name, known_after);
                if wanted != name {
                    edits.push(Edit {
                        range: link.target_range.start..link.target_range.start + name.len(),
                        text: wanted,
                    });
                }
            }
            Kind::Relative => {
                let Some((resolved, fragment)) = render::resolve_relative(&link.target, from)
                else {
                    continue;
                };
                if resolved == old_id {
                    edits.push(Edit {
                        range: link.target_range.clone(),
                        text: relative_target(from, new_id, fragment.as_deref(), &link),
                    });
                }
            }
        }
    }
    apply(source, edits)
}

/// The note moved from `old_id` to `new_id`: its own relative links (to other notes and to
/// images) are made relative to its new folder, so they still lead where they led.
pub fn rebase_own_links(source: &str, old_id: &str, new_id: &str) -> Option<(String, usize)> {
    if folder(old_id) == folder(new_id) {
        return None;
    }
    let mut edits = Vec::new();
    for link in find_links(source) {
        if link.kind != Kind::Relative {
            continue;
        }
        let raw = link.target.as_str();
        if raw.is_empty() || raw.starts_with('#') || raw.starts_with('/') || raw.contains(':') {
            continue;
        }
        let (path, fragment) = match raw.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (raw, None),
        };
        let Some(decoded) = crate::vault::percent_decode(path) else {
            continue;
        };
        let Some(target) = join(old_id, &decoded) else {
            continue;
        };
        edits.push(Edit {
            range: link.target_range.clone(),
            text: relative_target(new_id, &target, fragment, &link),
        });
    }
    apply(source, edits)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `[[…]]` or `![[…]]`.
    Wiki,
    /// A Markdown link or image with a destination (inline or a reference definition).
    Relative,
}

/// A link found in the source: its target as written (decoded as the parser sees it) and the
/// byte range of the target's raw text.
#[derive(Debug)]
struct Found {
    kind: Kind,
    target: String,
    target_range: Range<usize>,
    /// The raw target was written `<like this>`.
    angle: bool,
}

fn find_links(source: &str) -> Vec<Found> {
    let parser = render::parser(source);
    let mut found = Vec::new();
    for (_, def) in parser.reference_definitions().iter() {
        let span = def.span.clone();
        let Some(slice) = source.get(span.clone()) else {
            continue;
        };
        let Some(colon) = slice.find("]:") else {
            continue;
        };
        if let Some(f) = raw_destination(source, span.start + colon + 2, &def.dest) {
            found.push(f);
        }
    }
    for (event, range) in parser.into_offset_iter() {
        let (link_type, dest) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (link_type, dest_url),
            _ => continue,
        };
        let Some(slice) = source.get(range.clone()) else {
            continue;
        };
        match link_type {
            LinkType::WikiLink { .. } => {
                let Some(open) = slice.find("[[") else {
                    continue;
                };
                let start = range.start + open + 2;
                let (name, _) = split_name(&dest);
                if source.get(start..start + name.len()) == Some(name) {
                    found.push(Found {
                        kind: Kind::Wiki,
                        target: dest.to_string(),
                        target_range: start..start + dest.len(),
                        angle: false,
                    });
                }
            }
            LinkType::Inline => {
                // The destination follows the last `](` of the link's source.
                let Some(open) = slice.rfind("](") else {
                    continue;
                };
                if let Some(f) = raw_destination(source, range.start + open + 2, &dest) {
                    found.push(f);
                }
            }
            _ => {}
        }
    }
    found
}

/// The raw destination starting at `at` (after optional spaces): `<…>` or a run without
/// spaces, checked to decode to `dest` as the parser read it.
fn raw_destination(source: &str, at: usize, dest: &str) -> Option<Found> {
    let rest = source.get(at..)?;
    let skipped = rest.len() - rest.trim_start().len();
    let start = at + skipped;
    let rest = &source[start..];
    let (angle, raw_start, raw_len) = if let Some(inner) = rest.strip_prefix('<') {
        (true, start + 1, inner.find('>')?)
    } else {
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ')')
            .unwrap_or(rest.len());
        (false, start, len)
    };
    let raw = &source[raw_start..raw_start + raw_len];
    // Backslash escapes and entities are rare in paths; a raw text that does not read as the
    // parser's destination is left alone rather than guessed at.
    if raw != dest
        && crate::vault::percent_decode(raw).as_deref()
            != crate::vault::percent_decode(dest).as_deref()
    {
        return None;
    }
    Some(Found {
        kind: Kind::Relative,
        target: raw.to_string(),
        target_range: raw_start..raw_start + raw_len,
        angle,
    })
}

fn split_name(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((name, frag)) => (name, Some(frag)),
        None => (target, None),
    }
}

/// The name a wiki link in note `from` should use for `new_id`: the bare file name when it
/// leads there unambiguously, else the path without `.md`. Keeps `.md` when the old name had it.
fn wiki_name(from: &str, new_id: &str, old_name: &str, known_after: &[String]) -> String {
    let stem = new_id.rsplit_once('.').map_or(new_id, |(s, _)| s);
    let base = stem.rsplit('/').next().unwrap_or(stem);
    let keep_md = old_name.ends_with(".md");
    let with_md = |s: &str| {
        if keep_md {
            format!("{s}.md")
        } else {
            s.to_string()
        }
    };
    let after = LinkContext {
        note_id: from,
        known_ids: known_after,
        embeds: None,
    };
    if !old_name.contains('/') && render::resolve_wiki(base, &after).0 == new_id {
        return with_md(base);
    }
    with_md(stem)
}

/// The target text for a link from note `from` to note or file `to`, in the style of the
/// link it replaces (`<…>` kept, spaces percent-encoded otherwise).
fn relative_target(from: &str, to: &str, fragment: Option<&str>, like: &Found) -> String {
    let mut path = relative_path(from, to);
    if !like.angle {
        path = path.replace('%', "%25").replace(' ', "%20");
    }
    match fragment {
        Some(f) => format!("{path}#{f}"),
        None => path,
    }
}

/// The folder of an id (`""` at the root).
fn folder(id: &str) -> &str {
    id.rsplit_once('/').map_or("", |(f, _)| f)
}

/// Vault-relative `path` as seen from the folder of `note`, `None` above the vault root (the
/// reader's own resolution).
fn join(note: &str, path: &str) -> Option<String> {
    render::join_relative(note, path).map(|parts| parts.join("/"))
}

/// The relative path from the folder of note `from` to `to` (both vault-relative).
pub fn relative_path(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = folder(from).split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let shared = from_dirs
        .iter()
        .zip(to_parts.iter())
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out: Vec<&str> = vec![".."; from_dirs.len() - shared];
    out.extend(&to_parts[shared..]);
    out.join("/")
}

fn apply(source: &str, mut edits: Vec<Edit>) -> Option<(String, usize)> {
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| e.range.start);
    edits.dedup_by_key(|e| e.range.start);
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    let mut count = 0;
    for edit in &edits {
        if edit.range.start < at {
            continue;
        }
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
        count += 1;
    }
    out.push_str(&source[at..]);
    (out != source).then_some((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path("a/b.md", "a/c.md"), "c.md");
        assert_eq!(relative_path("a/b.md", "c.md"), "../c.md");
        assert_eq!(relative_path("b.md", "x/y/c.md"), "x/y/c.md");
        assert_eq!(relative_path("a/b/n.md", "a/x/c.md"), "../x/c.md");
    }

    #[test]
    fn every_obsidian_link_form_follows_a_rename() {
        let before = ids(&["net/tcp.md", "index.md"]);
        let after = ids(&["net/transport/tcp-basics.md", "index.md"]);
        let source = "See [[tcp]], [[tcp|the handshake]], [[tcp#Teardown]], ![[tcp]],\n\
                      [md](net/tcp.md#teardown), [angle](<net/tcp.md>), [other](other.md).\n\
                      `[[tcp]]` in code stays.\n\n[ref]: net/tcp.md \"Title\"\n";
        let (out, n) = rewrite_links_to(
            source,
            "index.md",
            "net/tcp.md",
            "net/transport/tcp-basics.md",
            &before,
            &after,
        )
        .unwrap();
        assert_eq!(n, 7, "{out}");
        assert_eq!(
            out,
            "See [[tcp-basics]], [[tcp-basics|the handshake]], [[tcp-basics#Teardown]], ![[tcp-basics]],\n\
             [md](net/transport/tcp-basics.md#teardown), [angle](<net/transport/tcp-basics.md>), [other](other.md).\n\
             `[[tcp]]` in code stays.\n\n[ref]: net/transport/tcp-basics.md \"Title\"\n"
        );
    }

    #[test]
    fn an_ambiguous_new_name_uses_the_path() {
        let before = ids(&["a/x.md", "b/y.md", "n.md"]);
        let after = ids(&["a/y.md", "b/y.md", "n.md"]);
        let (out, _) =
            rewrite_links_to("[[x]]", "n.md", "a/x.md", "a/y.md", &before, &after).unwrap();
        // `[[y]]` from n.md could mean b/y.md too: the path says which.
        assert!(out == "[[a/y]]" || out == "[[y]]", "{out}");
        let (_, fragment) = render::resolve_wiki(
            &out[2..out.len() - 2],
            &LinkContext {
                note_id: "n.md",
                known_ids: &after,
                embeds: None,
            },
        );
        assert_eq!(fragment, None);
        assert_eq!(
            render::resolve_wiki(
                &out[2..out.len() - 2],
                &LinkContext {
                    note_id: "n.md",
                    known_ids: &after,
                    embeds: None,
                }
            )
            .0,
            "a/y.md"
        );
    }

    #[test]
    fn spaces_are_encoded_as_the_link_was() {
        let before = ids(&["my note.md", "i.md"]);
        let after = ids(&["sub/my note.md", "i.md"]);
        let (out, _) = rewrite_links_to(
            "[a](my%20note.md)",
            "i.md",
            "my note.md",
            "sub/my note.md",
            &before,
            &after,
        )
        .unwrap();
        assert_eq!(out, "[a](sub/my%20note.md)");
    }

    #[test]
    fn a_moved_note_keeps_its_own_links() {
        let source = "[up](../b.md) [img](pic.png) [web](https://x.org/a.md) [[wiki]] [here](#top)";
        let (out, n) = rebase_own_links(source, "a/n.md", "a/deeper/n.md").unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "[up](../../b.md) [img](../pic.png) [web](https://x.org/a.md) [[wiki]] [here](#top)"
        );
        assert!(rebase_own_links(source, "a/n.md", "a/m.md").is_none());
    }

    #[test]
    fn links_elsewhere_and_in_code_are_untouched() {
        let before = ids(&["t.md", "i.md"]);
        let after = ids(&["u.md", "i.md"]);
        let source = "```\n[x](t.md)\n```\n    [[t]]\n[y](other.md)";
        assert!(rewrite_links_to(source, "i.md", "t.md", "u.md", &before, &after).is_none());
    }
}
