//! Markdown → sanitised HTML, plus what the reader and the highlighter need from the same pass.
//!
//! The pipeline, in order:
//! 1. [`parser`] builds the one pulldown-cmark parser (tables, footnotes, strikethrough, task
//!    lists, heading attributes, YAML front matter, wiki links) used by every caller.
//! 2. One walk over the events takes the front matter out (it is data, not text), gives every
//!    heading a unique id (slug, then `-1`, `-2` for repeats; `{#custom}` ids kept) and turns
//!    links to other notes (relative `.md` links and `[[wiki links]]`) into `data-note` links.
//! 3. pulldown-cmark writes HTML; `ammonia` sanitises it with an explicit allow-list.
//! 4. The sanitised HTML is parsed again with html5ever — the HTML5 parser the browser also
//!    follows for `innerHTML` — and its text nodes are joined: that string is exactly the
//!    reader's `textContent`, the coordinate space of highlights. Deriving the text from the
//!    final HTML (rather than from Markdown events) is what makes Rust and the DOM agree.

use std::collections::{HashMap, HashSet};

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use pulldown_cmark::{CowStr, Event, LinkType, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

/// One heading of a note: its level (1–6), visible text and the id of its element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 1 for `#`, up to 6.
    pub level: u8,
    /// The heading's text.
    pub text: String,
    /// The `id` attribute of the heading element, unique in the note.
    pub id: String,
}

/// What the YAML front matter says, as far as Margin uses it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FrontMatter {
    /// `title:`
    pub title: Option<String>,
    /// `tags:` as a list or a comma/space separated string.
    pub tags: Vec<String>,
    /// Set when the block was present but not valid YAML.
    pub error: Option<String>,
}

/// What one pass over a note's source yields, without HTML.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Front matter data.
    pub front_matter: FrontMatter,
    /// Headings in document order.
    pub headings: Vec<Heading>,
}

/// A rendered note.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Front matter and headings.
    pub outline: Outline,
    /// Sanitised HTML of the note body.
    pub html: String,
    /// The `textContent` of `html`.
    pub text: String,
}

/// Where a note sits, so that links to other notes can be resolved.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkContext<'a> {
    /// Id of the note being rendered (relative links are resolved from its folder).
    pub note_id: &'a str,
    /// Every note id of the vault, for `[[wiki links]]`; empty to leave them unresolved.
    pub known_ids: &'a [String],
}

/// The one parser configuration of Margin.
pub fn parser(source: &str) -> Parser<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_WIKILINKS;
    Parser::new_ext(source, options)
}

/// Front matter and headings only: what the topic tree needs, without building HTML.
pub fn outline(source: &str) -> Outline {
    Pass::run(source, &LinkContext::default()).0
}

/// Renders a note to sanitised HTML and its visible text.
pub fn render(source: &str, links: &LinkContext<'_>) -> Rendered {
    let (outline, events) = Pass::run(source, links);
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    // Table alignment comes as `style="text-align: …"`; notes get no style attributes at all,
    // so it becomes a class before sanitising.
    let raw = raw
        .replace(" style=\"text-align: left\"", " class=\"align-left\"")
        .replace(" style=\"text-align: center\"", " class=\"align-center\"")
        .replace(" style=\"text-align: right\"", " class=\"align-right\"");
    let html = sanitize(&raw);
    let text = visible_text(&html);
    Rendered {
        outline,
        html,
        text,
    }
}

/// A heading and the text under it, down to the next heading: the unit search indexes, so a
/// hit can open the note at the right place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Id of the section's heading element (empty for text before the first heading).
    pub anchor: String,
    /// Headings from the top down to this one, joined by ` › `.
    pub heading_path: String,
    /// The section's text (its heading excluded), blocks separated by newlines.
    pub text: String,
}

/// Front matter, headings and the plain text of each section, without building HTML.
/// Anchors are the same ids [`render`] gives the heading elements.
pub fn sections(source: &str) -> (Outline, Vec<Section>) {
    let (outline, events) = Pass::run(source, &LinkContext::default());
    let mut sections = vec![Section::default()];
    let mut path: Vec<(u8, String)> = Vec::new();
    let mut headings = outline.headings.iter();
    let mut in_heading = false;
    for event in events {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = true;
                let level = level as u8;
                if let Some(h) = headings.next() {
                    while path.last().is_some_and(|(l, _)| *l >= level) {
                        path.pop();
                    }
                    path.push((level, h.text.clone()));
                    sections.push(Section {
                        anchor: h.id.clone(),
                        heading_path: path
                            .iter()
                            .map(|(_, t)| t.as_str())
                            .collect::<Vec<_>>()
                            .join(" › "),
                        text: String::new(),
                    });
                }
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            _ if in_heading => {}
            Event::Text(t) | Event::Code(t) => {
                if let Some(s) = sections.last_mut() {
                    s.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(s) = sections.last_mut() {
                    s.text.push(' ');
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => {
                if let Some(s) = sections.last_mut() {
                    if !s.text.ends_with('\n') {
                        s.text.push('\n');
                    }
                }
            }
            _ => {}
        }
    }
    if sections.first().is_some_and(|s| s.text.trim().is_empty()) && sections.len() > 1 {
        sections.remove(0);
    }
    (outline, sections)
}

/// Deeper nesting of quotes and lists is flattened: the HTML parser's work grows with the square
/// of the depth (100k nested quotes took minutes), and no note needs more.
const MAX_DEPTH: usize = 64;
/// Past this many `<` in raw HTML, a note's raw HTML is shown as text, for the same reason.
const MAX_RAW_TAGS: usize = 20_000;

/// The event walk of step 2 of the pipeline.
#[derive(Default)]
struct Pass {
    outline: Outline,
    used_ids: HashSet<String>,
}

impl Pass {
    fn run<'s>(source: &'s str, links: &LinkContext<'_>) -> (Outline, Vec<Event<'s>>) {
        let mut pass = Pass::default();
        let mut events: Vec<Event<'s>> = Vec::new();
        let mut meta: Option<String> = None;
        let mut heading: Option<(usize, String)> = None;
        // For each open link: was its start replaced by raw HTML (so its end must be too)?
        let mut link_stack: Vec<bool> = Vec::new();
        // For each open container: was it kept (false: dropped for being too deep)?
        let mut containers: Vec<bool> = Vec::new();
        let mut kept = 0;
        let raw_html_as_text = source.matches('<').count() > MAX_RAW_TAGS;
        for event in parser(source) {
            let event = match event {
                Event::Html(html) | Event::InlineHtml(html) if raw_html_as_text => {
                    Event::Text(html)
                }
                Event::Start(
                    tag @ (Tag::BlockQuote(_)
                    | Tag::List(_)
                    | Tag::Item
                    | Tag::FootnoteDefinition(_)),
                ) => {
                    let keep = kept < MAX_DEPTH;
                    kept += usize::from(keep);
                    containers.push(keep);
                    if !keep {
                        continue;
                    }
                    Event::Start(tag)
                }
                Event::End(
                    end @ (TagEnd::BlockQuote(_)
                    | TagEnd::List(_)
                    | TagEnd::Item
                    | TagEnd::FootnoteDefinition),
                ) => {
                    match containers.pop() {
                        Some(false) => continue,
                        Some(true) => kept -= 1,
                        None => {}
                    }
                    Event::End(end)
                }
                other => other,
            };
            match event {
                Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                    meta = Some(String::new());
                }
                Event::End(TagEnd::MetadataBlock(_)) => {
                    if let Some(yaml) = meta.take() {
                        pass.outline.front_matter = parse_front_matter(&yaml);
                    }
                }
                Event::Text(text) if meta.is_some() => {
                    if let Some(yaml) = meta.as_mut() {
                        yaml.push_str(&text);
                    }
                }
                Event::Start(Tag::MetadataBlock(_)) => meta = Some(String::new()),
                Event::Start(Tag::Heading { .. }) => {
                    heading = Some((events.len(), String::new()));
                    events.push(event);
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some((start, text)) = heading.take() {
                        let text = text.trim().to_string();
                        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                            let wanted = match id.as_deref() {
                                Some(custom) if !custom.trim().is_empty() => custom.trim().into(),
                                _ => slug(&text),
                            };
                            let unique = pass.unique_id(wanted);
                            *id = Some(CowStr::from(unique.clone()));
                            pass.outline.headings.push(Heading {
                                level: level as u8,
                                text,
                                id: unique,
                            });
                        }
                    }
                    events.push(event);
                }
                Event::Text(ref t) | Event::Code(ref t) => {
                    if let Some((_, text)) = heading.as_mut() {
                        text.push_str(t);
                    }
                    events.push(event);
                }
                Event::Start(Tag::Link {
                    link_type,
                    ref dest_url,
                    ..
                }) => {
                    let target = match link_type {
                        LinkType::WikiLink { .. } => Some(resolve_wiki(dest_url, links)),
                        _ => resolve_relative(dest_url, links.note_id),
                    };
                    match target {
                        Some((id, fragment)) => {
                            let mut html = String::from("<a href=\"#\" data-note=\"");
                            escape_attr(&mut html, &id);
                            if let Some(fragment) = fragment {
                                html.push_str("\" data-anchor=\"");
                                escape_attr(&mut html, &fragment);
                            }
                            html.push_str("\">");
                            events.push(Event::InlineHtml(html.into()));
                            link_stack.push(true);
                        }
                        None => {
                            events.push(event);
                            link_stack.push(false);
                        }
                    }
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    // Images next to the note are served by the app from inside the vault only.
                    let dest_url = match resolve_image(&dest_url, links.note_id) {
                        Some(src) => CowStr::from(src),
                        None => dest_url,
                    };
                    events.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                Event::End(TagEnd::Link) => {
                    if link_stack.pop() == Some(true) {
                        events.push(Event::InlineHtml("</a>".into()));
                    } else {
                        events.push(event);
                    }
                }
                other => events.push(other),
            }
        }
        (pass.outline, events)
    }

    fn unique_id(&mut self, wanted: String) -> String {
        let mut candidate = wanted.clone();
        let mut n = 1;
        while self.used_ids.contains(&candidate) {
            candidate = format!("{wanted}-{n}");
            n += 1;
        }
        self.used_ids.insert(candidate.clone());
        candidate
    }
}

fn escape_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// A heading's id: lower-cased letters and digits of any script, words joined by `-`
/// (GitHub's scheme, so links written for GitHub keep working).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

fn parse_front_matter(yaml: &str) -> FrontMatter {
    let value: serde_yaml_ng::Value = match serde_yaml_ng::from_str(yaml) {
        Ok(value) => value,
        Err(err) => {
            return FrontMatter {
                error: Some(format!("front matter is not valid YAML: {err}")),
                ..FrontMatter::default()
            }
        }
    };
    let text_of = |v: &serde_yaml_ng::Value| -> Option<String> {
        match v {
            serde_yaml_ng::Value::String(s) => Some(s.clone()),
            serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
            serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let title = value
        .get("title")
        .and_then(text_of)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let mut tags: Vec<String> = match value.get("tags") {
        Some(serde_yaml_ng::Value::Sequence(items)) => items.iter().filter_map(text_of).collect(),
        Some(other) => text_of(other)
            .map(|s| {
                s.split(|c: char| c == ',' || c.is_whitespace())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    tags = tags
        .into_iter()
        .map(|t| t.trim().trim_start_matches('#').to_string())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    FrontMatter {
        title,
        tags,
        error: None,
    }
}

/// Splits `path#fragment`.
fn split_fragment(dest: &str) -> (&str, Option<String>) {
    match dest.split_once('#') {
        Some((path, frag)) if !frag.is_empty() => (path, Some(frag.to_string())),
        Some((path, _)) => (path, None),
        None => (dest, None),
    }
}

/// `path` relative to the folder of note `note_id`, as vault-relative components; `None` when
/// `..` climbs above the vault root.
pub(crate) fn join_relative<'a>(note_id: &'a str, path: &'a str) -> Option<Vec<&'a str>> {
    let mut parts: Vec<&str> = note_id.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts)
}

/// A relative link to a `.md` file, resolved from the current note's folder to a note id.
pub(crate) fn resolve_relative(dest: &str, note_id: &str) -> Option<(String, Option<String>)> {
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with('/') || dest.contains(':') {
        return None;
    }
    let (path, fragment) = split_fragment(dest);
    let path = percent_decode(path)?;
    if !crate::vault::is_note_name(&path) {
        return None;
    }
    Some((join_relative(note_id, &path)?.join("/"), fragment))
}

/// The URL scheme the app serves vault images under.
pub const ASSET_SCHEME: &str = "margin-asset";

/// A relative image path → `margin-asset://localhost/<vault-relative path>`; `None` for
/// anything else (web images stay as they are, `..` past the vault root is left broken).
fn resolve_image(dest: &str, note_id: &str) -> Option<String> {
    if dest.is_empty() || dest.starts_with('/') || dest.contains(':') || dest.starts_with('#') {
        return None;
    }
    let path = percent_decode(dest.split(['?', '#']).next().unwrap_or(dest))?;
    if !crate::vault::is_image_name(&path) {
        return None;
    }
    let encoded: Vec<String> = join_relative(note_id, &path)?
        .iter()
        .map(|p| {
            url::form_urlencoded::byte_serialize(p.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect();
    Some(format!("{ASSET_SCHEME}://localhost/{}", encoded.join("/")))
}

/// `%XX` escapes → bytes → UTF-8 (`None` when the result is not UTF-8).
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `[[name]]` or `[[folder/name#heading]]` → the best matching note id: an exact id, else
/// notes whose file stem matches (case-insensitive, `-`/`_`/space alike), nearest to the
/// current note's folder first. Unknown names resolve to `name.md` so the reader can say
/// that the note does not exist.
pub(crate) fn resolve_wiki(target: &str, links: &LinkContext<'_>) -> (String, Option<String>) {
    let (name, fragment) = split_fragment(target.trim());
    let fragment = fragment.map(|f| slug(&f));
    let norm = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '-' | '_' => ' ',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = norm(name.trim_end_matches(".md"));
    let here: Vec<&str> = links.note_id.split('/').collect();
    let best = links
        .known_ids
        .iter()
        .filter(|id| {
            let stem = id.rsplit_once('.').map_or(id.as_str(), |(s, _)| s);
            norm(stem) == wanted || norm(stem.rsplit('/').next().unwrap_or(stem)) == wanted
        })
        .max_by_key(|id| {
            let shared = id
                .split('/')
                .zip(here.iter())
                .take_while(|(a, b)| a == *b)
                .count();
            (shared, std::cmp::Reverse(id.len()))
        });
    let id = best
        .cloned()
        .unwrap_or_else(|| format!("{}.md", name.trim_end_matches(".md")));
    (id, fragment)
}

/// The allow-list sanitiser. Kept explicit so a review can see everything a note may contain.
fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("a", ["data-note", "data-anchor", "id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("pre", ["class"])
        .add_tag_attributes("div", ["class", "id"])
        .add_tag_attributes("sup", ["class", "id"])
        .add_tag_attributes("span", ["class"])
        .add_tag_attributes("li", ["class", "id"])
        .add_tag_attributes("ol", ["class"])
        .add_tag_attributes("ul", ["class"])
        .add_tag_attributes("section", ["class"])
        .add_tags(["section"])
        .add_tag_attributes("th", ["class"])
        .add_tag_attributes("td", ["class"])
        .url_schemes(
            ["http", "https", "mailto", "data", ASSET_SCHEME]
                .into_iter()
                .collect(),
        )
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Task-list boxes only, and never editable.
            ("input", "type") if value != "checkbox" => None,
            // Vault images only as images, never as links.
            (el, "href" | "src") if value.starts_with(ASSET_SCHEME) && el != "img" => None,
            // `data:` only for images, never for links.
            (el, "href" | "src")
                if value.trim_start().to_ascii_lowercase().starts_with("data:") =>
            {
                (el == "img" && value.trim_start()[5..].starts_with("image/")).then(|| value.into())
            }
            _ => Some(value.into()),
        });
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(heading, ["id"]);
    }
    b
}

/// Sanitises HTML produced from a note.
pub fn sanitize(raw: &str) -> String {
    thread_local! {
        static SANITIZER: ammonia::Builder<'static> = sanitizer();
    }
    SANITIZER.with(|s| s.clean(raw).to_string())
}

/// Parses an HTML fragment as a browser does for `innerHTML` on a `<div>` (html5ever, the
/// HTML5 algorithm). The fragment's nodes sit under a synthetic `<html>` element.
pub fn parse_fragment(html: &str) -> RcDom {
    html5ever::parse_fragment(
        RcDom::default(),
        html5ever::ParseOpts::default(),
        html5ever::QualName::new(None, html5ever::ns!(html), html5ever::local_name!("div")),
        Vec::new(),
        false,
    )
    .one(html)
}

/// The `textContent` of an HTML fragment, as a browser computes it after `innerHTML = html`.
pub fn visible_text(html: &str) -> String {
    let dom = parse_fragment(html);
    let mut out = String::with_capacity(html.len());
    collect_text(&dom.document, &mut out);
    out
}

fn collect_text(node: &Handle, out: &mut String) {
    // An explicit stack: deeply nested notes must not overflow the thread's stack.
    let mut stack: Vec<Handle> = vec![node.clone()];
    while let Some(node) = stack.pop() {
        match &node.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Comment { .. } | NodeData::ProcessingInstruction { .. } => {}
            _ => {
                let children = node.children.borrow();
                stack.extend(children.iter().rev().cloned());
            }
        }
    }
}

/// Counts how many times each heading id occurs; used by tests and by callers that check input.
#[doc(hidden)]
pub fn id_counts(html: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for part in html.split(" id=\"").skip(1) {
        if let Some(end) = part.find('"') {
            *counts.entry(part[..end].to_string()).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(src: &str) -> Rendered {
        render(src, &LinkContext::default())
    }

    #[test]
    fn front_matter_is_data_not_text() {
        let out = r("---\ntitle: Hello\ntags: [a, b]\n---\n# Head\n\nBody\n");
        assert_eq!(out.outline.front_matter.title.as_deref(), Some("Hello"));
        assert_eq!(out.outline.front_matter.tags, vec!["a", "b"]);
        assert!(!out.html.contains("title:"));
        assert!(!out.text.contains("title:"));
    }

    #[test]
    fn bad_front_matter_is_reported_not_fatal() {
        let out = r("---\ntitle: [unclosed\n---\nBody\n");
        assert!(out.outline.front_matter.error.is_some());
        assert!(out.text.contains("Body"));
    }

    #[test]
    fn tags_as_string() {
        let out = r("---\ntags: \"#x, y z\"\n---\n");
        assert_eq!(out.outline.front_matter.tags, vec!["x", "y", "z"]);
    }

    #[test]
    fn heading_ids_are_unique_and_unicode() {
        let out = r("# Intro\n## Intro\n## Intro\n# Ünïcödé Straße!\n# 日本語 見出し\n# ???\n# Custom {#mine}\n");
        let ids: Vec<_> = out.outline.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "intro",
                "intro-1",
                "intro-2",
                "ünïcödé-straße",
                "日本語-見出し",
                "section",
                "mine"
            ]
        );
        for id in ids {
            assert_eq!(
                id_counts(&out.html).get(id),
                Some(&1),
                "{id} in {}",
                out.html
            );
        }
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let out = r("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) <a href=\"data:text/html,x\">d</a>\n\n<iframe src=x></iframe><form><input type=text></form><p style=\"color:red\">s</p>");
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "data:text",
            "<iframe",
            "<form",
            "style=",
            "type=\"text\"",
        ] {
            assert!(!out.html.contains(bad), "{bad} survived in {}", out.html);
        }
    }

    #[test]
    fn extensions_render() {
        let out = r("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n\nNote[^1]\n\n[^1]: The foot.\n");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("class=\"align-right\""), "{}", out.html);
        assert!(!out.html.contains("style="));
        assert!(out.html.contains("<del>gone</del>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("footnote"));
        assert!(out.text.contains("The foot."));
    }

    #[test]
    fn text_matches_entities_and_pre() {
        let out = r("a &amp; b &lt;c&gt;\n\n```\nfn x() {}\n```\n");
        assert!(out.text.contains("a & b <c>"));
        assert!(out.text.contains("fn x() {}\n"));
    }

    #[test]
    fn note_links_become_data_note() {
        let known = vec![
            "realtime/webrtc.md".to_string(),
            "networking/osi-layers.md".to_string(),
        ];
        let ctx = LinkContext {
            note_id: "realtime/sse.md",
            known_ids: &known,
        };
        let out = render("[[webrtc]] [x](../networking/osi-layers.md#top) [[Missing Note]] [web](https://example.com)", &ctx);
        assert!(
            out.html.contains("data-note=\"realtime/webrtc.md\""),
            "{}",
            out.html
        );
        assert!(out
            .html
            .contains("data-note=\"networking/osi-layers.md\" data-anchor=\"top\""));
        assert!(out.html.contains("data-note=\"Missing Note.md\""));
        assert!(out.html.contains("href=\"https://example.com\""));
        assert!(out.html.contains("noopener"));
    }

    #[test]
    fn sections_follow_headings() {
        let (_, secs) =
            sections("intro text\n\n# A\n\none\n\n## B\n\ntwo `code`\n\n# C\n\n- x\n- y\n");
        let got: Vec<(&str, &str, &str)> = secs
            .iter()
            .map(|s| (s.anchor.as_str(), s.heading_path.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("", "", "intro text\n"),
                ("a", "A", "one\n"),
                ("b", "A › B", "two code\n"),
                ("c", "C", "x\ny\n"),
            ]
        );
    }

    #[test]
    fn images_next_to_the_note_are_served_from_the_vault() {
        let ctx = LinkContext {
            note_id: "net/tcp.md",
            known_ids: &[],
        };
        let out = render("![a](<img/my diagram.png>) ![b](../top.jpg) ![c](../../escape.png) ![d](https://x.org/i.png) [e](margin-asset://localhost/x.png)", &ctx);
        assert!(
            out.html
                .contains("src=\"margin-asset://localhost/net/img/my%20diagram.png\""),
            "{}",
            out.html
        );
        assert!(out
            .html
            .contains("src=\"margin-asset://localhost/top.jpg\""));
        assert!(
            !out.html.contains("margin-asset://localhost/escape"),
            "{}",
            out.html
        );
        assert!(out.html.contains("src=\"https://x.org/i.png\""));
        assert!(!out.html.contains("href=\"margin-asset"), "{}", out.html);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = "> ".repeat(5000) + "deep";
        let out = r(&src);
        assert!(out.text.contains("deep"));
    }
}

/// Checks a link a user clicked before the OS opens it: only `http`, `https` and `mailto`
/// URLs leave the app; everything else (`file:`, `javascript:`, custom schemes) is refused.
pub fn external_url(href: &str) -> Option<String> {
    let url = url::Url::parse(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

#[cfg(test)]
mod external_tests {
    use super::external_url;

    #[test]
    fn only_web_and_mail_links_leave_the_app() {
        assert!(external_url("https://example.com/x").is_some());
        assert!(external_url("mailto:a@b.c").is_some());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "smb://h/s",
            "relative.md",
            "",
        ] {
            assert!(external_url(bad).is_none(), "{bad}");
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flattened_but_keeps_the_text() {
        let out = render(&("> ".repeat(1000) + "deep words"), &LinkContext::default());
        assert_eq!(out.html.matches("<blockquote>").count(), MAX_DEPTH);
        assert!(out.text.contains("deep words"));
        let raw = "<b>".repeat(MAX_RAW_TAGS + 1);
        let out = render(&raw, &LinkContext::default());
        assert!(!out.html.contains("<b>"), "raw HTML shown as text");
        assert!(out.text.starts_with("<b><b>"));
    }
}
