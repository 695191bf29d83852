//! Markdown → sanitised HTML, plus what the reader and the highlighter need from the same pass.
//!
//! The pipeline, in order:
//! 1. [`parser`] builds the one pulldown-cmark parser (tables, footnotes, strikethrough, task
//!    lists, heading attributes, YAML front matter, wiki links) used by every caller.
//! 2. One walk over the events takes the front matter out (it is data, not text), gives every
//!    heading a unique id (slug, then `-1`, `-2` for repeats; `{#custom}` ids kept) and turns
//!    links to other notes (relative `.md` links and `[[wiki links]]`) into `data-note` links.
//!    Fenced code is coloured ([`code`]), `$math$` becomes MathML ([`math`]), `![[embeds]]`
//!    bring images and other notes in ([`embed`]); then quotes that start with `[!kind]`
//!    become call-outs ([`callout`]).
//! 3. pulldown-cmark writes HTML; `ammonia` sanitises it with an explicit allow-list. Two
//!    things are put in only after sanitising, in place of placeholders a note cannot forge (a
//!    random nonce per render): coloured code, which we build from escaped text (safe by
//!    construction, and sanitising its thousands of spans would be most of the cost), and the
//!    checkboxes of task lists (the only form control a note may show, so the sanitiser can
//!    drop every `<input>` a note writes itself).
//! 4. The sanitised HTML is parsed again with html5ever — the HTML5 parser the browser also
//!    follows for `innerHTML` — and its text nodes are joined: that string is exactly the
//!    reader's `textContent`, the coordinate space of highlights. Deriving the text from the
//!    final HTML (rather than from Markdown events) is what makes Rust and the DOM agree.

pub(crate) mod callout;
pub(crate) mod code;
mod embed;
mod math;

pub use embed::Embeds;

use std::collections::{HashMap, HashSet};

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, LinkType, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};
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
    /// The vault, for `![[embeds]]`; `None` shows embedded notes as links and looks for
    /// embedded images beside the note only.
    pub embeds: Option<&'a dyn Embeds>,
}

/// The one parser configuration of Margin.
pub fn parser(source: &str) -> Parser<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_MATH;
    Parser::new_ext(source, options)
}

/// Front matter and headings only: what the topic tree needs, without building HTML.
pub fn outline(source: &str) -> Outline {
    let mut pass = Pass::new(true, false);
    pass.run(source, &LinkContext::default());
    pass.outline
}

/// Renders a note to sanitised HTML and its visible text.
pub fn render(source: &str, links: &LinkContext<'_>) -> Rendered {
    render_with(source, links, true)
}

/// [`render`], with or without heading ids (an embedded section has none, so that the host
/// note's anchors stay unique).
fn render_with(source: &str, links: &LinkContext<'_>, heading_ids: bool) -> Rendered {
    let mut pass = Pass::new(heading_ids, true);
    let events = pass.run(source, links);
    let events = unwrap_block_embeds(callout::transform(events));
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
    let (mut html, mut text) = pass.fill_slots(html, text);
    if pass.tasks {
        let (done, open) = (pass.task_placeholder(true), pass.task_placeholder(false));
        text = text.replace(&done, "").replace(&open, "");
        html = html
            .replace(
                &done,
                "<input type=\"checkbox\" disabled=\"\" checked=\"\">",
            )
            .replace(&open, "<input type=\"checkbox\" disabled=\"\">");
    }
    Rendered {
        outline: pass.outline,
        html,
        text,
    }
}

/// A paragraph holding nothing but an embedded note becomes the embed itself (a `<div>` in a
/// `<p>` would be split by the HTML parser into empty paragraphs around it).
fn unwrap_block_embeds(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let (
            Event::Start(Tag::Paragraph),
            Some(Event::Html(h)),
            Some(Event::End(TagEnd::Paragraph)),
        ) = (&events[i], events.get(i + 1), events.get(i + 2))
        {
            if h.starts_with(SLOT_DIV) {
                out.push(events[i + 1].clone());
                i += 3;
                continue;
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// How an embedded note's box starts.
const EMBED_OPEN: &str = "<div class=\"embed\">";
/// How the placeholder of an embedded note starts (how [`unwrap_block_embeds`] finds it).
const SLOT_DIV: &str = "<div class=\"slot-";

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
    let mut pass = Pass::new(true, false);
    let events = pass.run(source, &LinkContext::default());
    let outline = pass.outline;
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
            // Math comes as `Code` (its TeX) from the pass without HTML.
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
struct Pass {
    outline: Outline,
    used_ids: HashSet<String>,
    /// Give headings ids (off for an embedded section).
    heading_ids: bool,
    /// Build what only HTML needs (coloured code, math, embeds); off for [`outline`].
    html: bool,
    /// Random per render: placeholders carry it, so a note cannot write one.
    nonce: String,
    /// HTML put in after sanitising, in order of their placeholders.
    slots: Vec<Slot>,
    /// Whether the note has task-list checkboxes.
    tasks: bool,
}

/// HTML that replaces a placeholder element after sanitising.
struct Slot {
    /// The placeholder's element name.
    tag: &'static str,
    /// The HTML that replaces it.
    html: String,
    /// The visible text of `html` when the placeholder's own text is a token standing for it
    /// (embeds); `None` when the placeholder already holds the same text (code).
    text: Option<String>,
}

impl Pass {
    fn new(heading_ids: bool, html: bool) -> Pass {
        Pass {
            outline: Outline::default(),
            used_ids: HashSet::new(),
            heading_ids,
            html,
            nonce: if html {
                uuid::Uuid::new_v4().simple().to_string()
            } else {
                String::new()
            },
            slots: Vec::new(),
            tasks: false,
        }
    }

    fn run<'s>(&mut self, source: &'s str, links: &LinkContext<'_>) -> Vec<Event<'s>> {
        let mut events: Vec<Event<'s>> = Vec::new();
        let mut meta: Option<String> = None;
        let mut heading: Option<(usize, String)> = None;
        // For each open link: was its start replaced by raw HTML (so its end must be too)?
        let mut link_stack: Vec<bool> = Vec::new();
        // For each open container: was it kept (false: dropped for being too deep)?
        let mut containers: Vec<bool> = Vec::new();
        let mut kept = 0;
        // An open code block: its fence's language and its text so far.
        let mut code: Option<(String, String)> = None;
        // An open `![[embed]]`: its target and the text after its `|`.
        let mut embed: Option<(String, String)> = None;
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
            if let Some((_, alt)) = embed.as_mut() {
                match event {
                    Event::End(TagEnd::Image) => {
                        if let Some((dest, alt)) = embed.take() {
                            events.push(self.embed(&dest, &alt, links));
                        }
                    }
                    Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                    _ => {}
                }
                continue;
            }
            if let Some((_, text)) = code.as_mut() {
                match event {
                    Event::End(TagEnd::CodeBlock) => {
                        if let Some((language, text)) = code.take() {
                            events.push(self.code_block(&language, &text));
                        }
                    }
                    Event::Text(t) => text.push_str(&t),
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                    meta = Some(String::new());
                }
                Event::End(TagEnd::MetadataBlock(_)) => {
                    if let Some(yaml) = meta.take() {
                        self.outline.front_matter = parse_front_matter(&yaml);
                    }
                }
                Event::Text(text) if meta.is_some() => {
                    if let Some(yaml) = meta.as_mut() {
                        yaml.push_str(&text);
                    }
                }
                Event::Start(Tag::MetadataBlock(_)) => meta = Some(String::new()),
                Event::Start(Tag::CodeBlock(kind)) if self.html => {
                    let language = match kind {
                        CodeBlockKind::Fenced(info) => code::fence_language(&info),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((language, String::new()));
                }
                Event::InlineMath(tex) | Event::DisplayMath(tex)
                    if heading.is_some() || !self.html =>
                {
                    if let Some((_, text)) = heading.as_mut() {
                        text.push_str(&tex);
                    }
                    events.push(Event::Code(tex));
                }
                Event::InlineMath(tex) => {
                    events.push(Event::InlineHtml(math::render(&tex, false).into()))
                }
                Event::DisplayMath(tex) => {
                    events.push(Event::InlineHtml(math::render(&tex, true).into()))
                }
                Event::TaskListMarker(_) if !self.html => {}
                Event::TaskListMarker(done) => {
                    self.tasks = true;
                    events.push(Event::Text(self.task_placeholder(done).into()));
                }
                Event::Start(Tag::Heading { .. }) => {
                    heading = Some((events.len(), String::new()));
                    events.push(event);
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some((start, text)) = heading.take() {
                        let text = text.trim().to_string();
                        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                            let wanted = heading_id(id.as_deref(), &text);
                            let unique = unique(&mut self.used_ids, wanted);
                            *id = self.heading_ids.then(|| CowStr::from(unique.clone()));
                            self.outline.headings.push(Heading {
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
                            events.push(Event::InlineHtml(
                                note_link(&id, fragment.as_deref()).into(),
                            ));
                            link_stack.push(true);
                        }
                        None => {
                            events.push(event);
                            link_stack.push(false);
                        }
                    }
                }
                Event::Start(Tag::Image {
                    link_type: LinkType::WikiLink { .. },
                    dest_url,
                    ..
                }) if self.html => embed = Some((dest_url.to_string(), String::new())),
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
        // A note ending inside a code block (no closing fence) still shows its code.
        if let Some((language, text)) = code.take() {
            events.push(self.code_block(&language, &text));
        }
        events
    }

    /// A fenced or indented code block: coloured when its language is known (through a
    /// placeholder, see [`Pass::fill_slots`]), plain otherwise; Mermaid as its source with a
    /// word on why.
    fn code_block<'s>(&mut self, language: &str, text: &str) -> Event<'s> {
        let mut plain = String::with_capacity(text.len() + 64);
        code::escape_text(&mut plain, text);
        let class = if language.is_empty() {
            String::new()
        } else {
            let mut class = String::from(" class=\"language-");
            escape_attr(&mut class, language);
            class.push('"');
            class
        };
        if language == "mermaid" {
            return Event::Html(
                format!(
                    "<pre class=\"code mermaid\"><code{class}>{plain}</code></pre>\
                     <p class=\"render-note\">A Mermaid diagram, shown as its source: \
                     drawing it would run a script, and Margin runs none from notes.</p>"
                )
                .into(),
            );
        }
        if self.html {
            if let Some(coloured) = code::highlight(language, text) {
                let mut lang = String::new();
                escape_attr(&mut lang, language);
                let index = self.slots.len();
                self.slots.push(Slot {
                    tag: "pre",
                    html: format!(
                        "<pre class=\"code\" data-lang=\"{lang}\"><code{class}>{coloured}</code></pre>"
                    ),
                    text: None,
                });
                return Event::Html(
                    format!(
                        "<pre class=\"{}\"><code>{plain}</code></pre>",
                        self.slot_class(index)
                    )
                    .into(),
                );
            }
        }
        Event::Html(format!("<pre class=\"code\"><code{class}>{plain}</code></pre>").into())
    }

    /// `![[target|alt]]`: an image of the vault, another note (or one of its sections) shown in
    /// place, or a link when it cannot be shown.
    fn embed<'s>(&mut self, dest: &str, alt: &str, links: &LinkContext<'_>) -> Event<'s> {
        let dest = dest.trim();
        let (path, _) = split_fragment(dest);
        let name = crate::vault::percent_decode(path).unwrap_or_else(|| path.to_string());
        if crate::vault::is_image_name(&name) {
            let Some(rel) = embed::image_path(&name, links.note_id, links.embeds) else {
                return Event::Text(dest.to_string().into());
            };
            let mut html = String::from("<img src=\"");
            escape_attr(&mut html, &asset_url(&rel));
            html.push_str("\" alt=\"");
            escape_attr(&mut html, &name);
            html.push('"');
            if let Some((width, height)) = embed::size(alt) {
                html.push_str(&format!(" width=\"{width}\""));
                if let Some(height) = height {
                    html.push_str(&format!(" height=\"{height}\""));
                }
            }
            html.push('>');
            return Event::InlineHtml(html.into());
        }
        // Resolved against every note even when the caller gave no ids (the list is then
        // asked of the vault, once per embed): the embedded text must be the same for the
        // reader and for re-anchoring, which renders without them.
        let listed;
        let resolving = match links.embeds {
            Some(embeds) if links.known_ids.is_empty() && self.html => {
                listed = embeds.note_ids();
                LinkContext {
                    known_ids: &listed,
                    ..*links
                }
            }
            _ => *links,
        };
        let (id, fragment) = resolve_wiki(dest, &resolving);
        let label = if alt.trim().is_empty() || alt.trim() == dest {
            dest.replace('#', " › ")
        } else {
            alt.trim().to_string()
        };
        let mut link = note_link(&id, fragment.as_deref());
        code::escape_text(&mut link, &label);
        link.push_str("</a>");
        let shown = links
            .embeds
            .filter(|_| self.html && id != links.note_id)
            .and_then(|embeds| embeds.note_source(&id))
            .and_then(|source| {
                let part = embed::section(&source, fragment.as_deref())?.to_string();
                let inner = LinkContext {
                    note_id: &id,
                    known_ids: links.known_ids,
                    embeds: None,
                };
                Some(render_with(&part, &inner, false))
            });
        let Some(shown) = shown else {
            // Not shown (missing, itself, too deep): a link says where it points.
            return Event::InlineHtml(link.into());
        };
        let index = self.slots.len();
        let token = self.slot_token(index);
        self.slots.push(Slot {
            tag: "div",
            html: format!(
                "{EMBED_OPEN}<div class=\"embed-title\">{link}</div><div class=\"embed-body\">{}</div></div>",
                shown.html
            ),
            text: Some(format!("{label}{}", shown.text)),
        });
        Event::Html(format!("<div class=\"{}\">{token}</div>", self.slot_class(index)).into())
    }

    fn slot_class(&self, index: usize) -> String {
        format!("slot-{}-{index}", self.nonce)
    }

    fn slot_token(&self, index: usize) -> String {
        format!("\u{E000}{}-{index}\u{E000}", self.nonce)
    }

    fn task_placeholder(&self, done: bool) -> String {
        format!(
            "\u{E000}{}-{}\u{E000}",
            self.nonce,
            if done { "x" } else { "o" }
        )
    }

    /// Puts each slot's HTML in place of its placeholder in sanitised `html`, and its text in
    /// place of its token in the visible `text`.
    fn fill_slots(&mut self, html: String, mut text: String) -> (String, String) {
        if self.slots.is_empty() {
            return (html, text);
        }
        let mut out = String::with_capacity(html.len() * 2);
        let mut rest = html.as_str();
        for (index, slot) in std::mem::take(&mut self.slots).into_iter().enumerate() {
            let open = format!("<{} class=\"{}\">", slot.tag, self.slot_class(index));
            let close = format!("</{}>", slot.tag);
            let Some(start) = rest.find(&open) else {
                continue;
            };
            let Some(end) = rest[start..].find(&close).map(|e| start + e + close.len()) else {
                continue;
            };
            out.push_str(&rest[..start]);
            out.push_str(&slot.html);
            rest = &rest[end..];
            if let Some(shown) = slot.text {
                text = text.replace(&self.slot_token(index), &shown);
            }
        }
        out.push_str(rest);
        (out, text)
    }
}

/// The id a heading asks for: its `{#custom}` id, else the slug of its text. ([`unique`] then
/// makes it unique in the note.)
fn heading_id(custom: Option<&str>, text: &str) -> String {
    match custom {
        Some(custom) if !custom.trim().is_empty() => custom.trim().to_string(),
        _ => slug(text.trim()),
    }
}

/// `wanted`, or `wanted-1`, `wanted-2`… when taken: the heading-id rule.
fn unique(used: &mut HashSet<String>, wanted: String) -> String {
    let mut candidate = wanted.clone();
    let mut n = 1;
    while used.contains(&candidate) {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// The opening of a link to note `id` (at `fragment`), which the reader follows in place.
fn note_link(id: &str, fragment: Option<&str>) -> String {
    let mut html = String::from("<a href=\"#\" data-note=\"");
    escape_attr(&mut html, id);
    if let Some(fragment) = fragment {
        html.push_str("\" data-anchor=\"");
        escape_attr(&mut html, fragment);
    }
    html.push_str("\">");
    html
}

pub(crate) fn escape_attr(out: &mut String, value: &str) {
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
    let path = crate::vault::percent_decode(path)?;
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
    let path = crate::vault::percent_decode(dest.split(['?', '#']).next().unwrap_or(dest))?;
    if !crate::vault::is_image_name(&path) {
        return None;
    }
    Some(asset_url(&join_relative(note_id, &path)?.join("/")))
}

/// The URL the app serves vault-relative file `rel` at.
fn asset_url(rel: &str) -> String {
    let encoded: Vec<String> = rel
        .split('/')
        .map(|p| {
            url::form_urlencoded::byte_serialize(p.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect();
    format!("{ASSET_SCHEME}://localhost/{}", encoded.join("/"))
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
    // No form control at all: a note's own `<input>` (a text field in the reader) is dropped;
    // task-list checkboxes are put in after sanitising (see the module doc).
    b.rm_tags([
        "input", "select", "textarea", "button", "form", "option", "optgroup",
    ])
    .add_tags(MATHML_TAGS.iter().copied())
    .add_tag_attributes("a", ["data-note", "data-anchor", "id"])
    .add_tag_attributes("code", ["class", "title"])
    .add_tag_attributes("pre", ["class", "data-lang"])
    .add_tag_attributes("details", ["class", "open"])
    .add_tag_attributes("summary", ["class"])
    .add_tag_attributes("p", ["class"])
    .add_tag_attributes("div", ["class", "id"])
    .add_tag_attributes("sup", ["class", "id"])
    .add_tag_attributes("span", ["class", "aria-hidden"])
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
        // Vault images only as images, never as links.
        (el, "href" | "src") if value.starts_with(ASSET_SCHEME) && el != "img" => None,
        // `data:` only for images, never for links.
        (el, "href" | "src") if value.trim_start().to_ascii_lowercase().starts_with("data:") => {
            (el == "img" && value.trim_start()[5..].starts_with("image/")).then(|| value.into())
        }
        _ => Some(value.into()),
    });
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(heading, ["id"]);
    }
    for tag in MATHML_TAGS {
        b.add_tag_attributes(tag, MATHML_ATTRIBUTES.iter().copied());
    }
    b
}

/// MathML Core's presentation elements: what `$math$` renders to (and all a note may write).
const MATHML_TAGS: &[&str] = &[
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

/// Presentation attributes only: no `href`, no events, no style.
const MATHML_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "symmetric",
    "movablelimits",
    "largeop",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "form",
    "fence",
    "separator",
    "accent",
    "accentunder",
    "width",
    "height",
    "depth",
    "voffset",
    "linethickness",
    "displaystyle",
    "scriptlevel",
    "columnspan",
    "rowspan",
    "columnalign",
    "rowalign",
];

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
            embeds: None,
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
            embeds: None,
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

#[cfg(test)]
mod fidelity_tests {
    use super::*;

    fn r(src: &str) -> Rendered {
        render(src, &LinkContext::default())
    }

    /// The renderer's text must be what the webview's `textContent` will be for its HTML.
    fn agreed(out: &Rendered) {
        assert_eq!(
            visible_text(&out.html),
            out.text,
            "text differs from the HTML's"
        );
        assert!(
            !out.html.contains("slot-") && !out.text.contains('\u{E000}'),
            "{}",
            out.html
        );
    }

    #[test]
    fn fenced_code_is_coloured_by_language_and_stays_text() {
        let out = r("```rust\nfn main() { let s = \"</pre><script>x</script>\"; }\n```\n");
        agreed(&out);
        assert!(
            out.html.starts_with("<pre class=\"code\" data-lang=\"rust\"><code class=\"language-rust\"><span class=\"hl-keyword\">fn</span>"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("<script") && out.html.contains("&lt;/pre&gt;&lt;script&gt;"));
        assert_eq!(
            out.text,
            "fn main() { let s = \"</pre><script>x</script>\"; }\n"
        );
        // Unknown languages and indented code: plain, same text.
        let out = r("```brainfuck\n+[>]\n```\n\n    indented <b>\n");
        agreed(&out);
        assert!(
            out.html.contains(
                "<pre class=\"code\"><code class=\"language-brainfuck\">+[&gt;]\n</code></pre>"
            ),
            "{}",
            out.html
        );
        assert!(out
            .html
            .contains("<pre class=\"code\"><code>indented &lt;b&gt;\n</code></pre>"));
        // Several blocks, in lists and quotes, unclosed at the end of the note.
        let out = r("- a\n  ```py\n  x = 1\n  ```\n> ```js\n> let y\n> ```\n\n```go\nfunc f() {\n");
        agreed(&out);
        assert_eq!(out.html.matches("data-lang=").count(), 3, "{}", out.html);
        assert!(
            out.text.contains("x = 1")
                && out.text.contains("let y")
                && out.text.contains("func f() {")
        );
    }

    #[test]
    fn a_note_cannot_forge_a_placeholder() {
        let forged = "<pre class=\"slot-0-0\"><code>mine</code></pre>\n\n\u{E000}0-x\u{E000}\n\n```rust\nfn a() {}\n```\n";
        let out = r(forged);
        assert!(out
            .html
            .contains("<pre class=\"slot-0-0\"><code>mine</code></pre>"));
        assert!(!out.html.contains("<input"), "{}", out.html);
        assert!(out.html.contains("data-lang=\"rust\""));
    }

    #[test]
    fn math_becomes_mathml_and_bad_tex_its_source() {
        let out = r("Sorting is $O(n \\log n)$.\n\n$$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$\n");
        agreed(&out);
        assert!(
            out.html.contains("<math display=\"inline\"><mi>O</mi>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<math display=\"block\">") && out.html.contains("<mfrac>"));
        let out = r("Bad: $\\frac{1}{$ and $$\\href{javascript:alert(1)}{x}$$ costs $5 and $10.\n");
        agreed(&out);
        assert!(
            out.html
                .contains("<code class=\"math-error\" title=\"Not shown as math: "),
            "{}",
            out.html
        );
        assert!(out.text.contains("$\\frac{1}{$"));
        assert!(!out.html.contains("href=\"javascript") && !out.html.contains("style="));
        assert!(
            out.text.contains("costs $5 and $10"),
            "prices are not math: {}",
            out.text
        );
        // A formula written in raw MathML keeps only presentation.
        let out = r("<math><mi href=\"javascript:alert(1)\" onclick=\"x\" style=\"x\">a</mi><maction actiontype=\"x\">b</maction></math>");
        assert!(
            out.html.contains("<math><mi>a</mi>b</math>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn callouts_of_github_and_obsidian_become_titled_boxes() {
        let out = r("> [!NOTE]\n> Useful to know.\n");
        agreed(&out);
        assert_eq!(
            out.html,
            "<div class=\"callout callout-note\"><div class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Note</div><div class=\"callout-body\">\n<p>Useful to know.</p>\n</div></div>"
        );
        let out = r("> [!warning] Mind the *gap* <img src=x onerror=alert(1)>\n> Body [[x]].\n>\n> More.\n\n> plain quote\n");
        agreed(&out);
        assert!(out.html.contains("<div class=\"callout callout-warning\"><div class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Mind the <em>gap</em> <img src=\"x\"></div><div class=\"callout-body\">\n<p>Body"), "{}", out.html);
        assert!(out
            .html
            .contains("<blockquote>\n<p>plain quote</p>\n</blockquote>"));
        assert!(!out.text.contains("[!"), "{}", out.text);
        let out = r("> [!tip]- Folded\n> hidden\n\n> [!faq]+\n> shown\n\n> [!tldr] Short\n");
        agreed(&out);
        assert!(
            out.html.contains(
                "<details class=\"callout callout-tip\"><summary class=\"callout-title\">"
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains("<details class=\"callout callout-question\" open=\"\"><summary class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Faq</summary>"), "{}", out.html);
        assert!(out.html.contains("<div class=\"callout callout-abstract\"><div class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Short</div><div class=\"callout-body\"></div></div>"), "{}", out.html);
        // Nested: a call-out inside a call-out, and a quote inside one.
        let out = r("> [!note] Outer\n> > [!bug] Inner\n> > x\n> > > deep quote\n");
        agreed(&out);
        assert_eq!(out.html.matches("class=\"callout ").count(), 2);
        assert!(out.html.contains("<blockquote>"));
    }

    #[test]
    fn form_controls_other_than_task_boxes_are_dropped() {
        let out = r("<input>\n<input type=text value=x> <textarea>t</textarea> <select><option>o</option></select> <button>b</button> <input type=checkbox>\n\n- [x] done\n- [ ] open\n");
        agreed(&out);
        assert_eq!(out.html.matches("<input").count(), 2, "{}", out.html);
        assert!(
            out.html
                .contains("<li><input type=\"checkbox\" disabled=\"\" checked=\"\">\ndone</li>")
                || out
                    .html
                    .contains("<input type=\"checkbox\" disabled=\"\" checked=\"\">")
        );
        assert!(out.html.contains("<input type=\"checkbox\" disabled=\"\">"));
        assert!(
            !out.html.contains("<textarea")
                && !out.html.contains("<select")
                && !out.html.contains("<button")
        );
    }

    #[test]
    fn mermaid_is_shown_as_source_with_a_word_on_why() {
        let out = r("```mermaid\ngraph TD; A-->B\n```\n");
        agreed(&out);
        assert!(out.html.starts_with("<pre class=\"code mermaid\"><code class=\"language-mermaid\">graph TD; A--&gt;B\n</code></pre><p class=\"render-note\">A Mermaid diagram"), "{}", out.html);
    }

    #[test]
    fn search_sections_hold_the_source_of_code_and_math() {
        let (_, sections) = sections("# Sort\n```python\ndef quicksort(a):\n    pass\n```\nCost $O(n \\log n)$.\n$$e^{i\\pi}$$\n- [x] task\n");
        assert!(
            sections[0].text.contains("def quicksort(a):"),
            "{:?}",
            sections
        );
        assert!(
            sections[0].text.contains("O(n \\log n)") && sections[0].text.contains("e^{i\\pi}")
        );
        assert!(!sections[0].text.contains('\u{E000}'));
    }

    #[derive(Debug)]
    struct Vault(&'static [(&'static str, &'static str)]);
    impl Embeds for Vault {
        fn note_source(&self, id: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, s)| s.to_string())
        }
        fn file_exists(&self, rel: &str) -> bool {
            self.0.iter().any(|(i, _)| *i == rel)
        }
    }

    #[test]
    fn embeds_show_notes_sections_and_images_one_level_deep() {
        let vault = Vault(&[
            ("a.md", "# A\nSee ![[b#Two]] and\n\n![[b]]\n\n![[a]]\n"),
            (
                "b.md",
                "---\ntitle: B\n---\n# One\nfirst ![[a]]\n## Two\nsecond `code`\n# Three\nthird\n",
            ),
            ("img/pic.png", ""),
            ("attachments/d.png", ""),
        ]);
        let known = ["a.md".to_string(), "b.md".to_string()];
        let ctx = LinkContext {
            note_id: "a.md",
            known_ids: &known,
            embeds: Some(&vault),
        };
        let out = render(vault.0[0].1, &ctx);
        agreed(&out);
        // The section alone, inline (inside its sentence)…
        assert!(out.html.contains("<div class=\"embed\"><div class=\"embed-title\"><a href=\"#\" data-note=\"b.md\" data-anchor=\"two\">b › Two</a></div><div class=\"embed-body\"><h2>Two</h2>\n<p>second <code>code</code></p>\n</div></div>"), "{}", out.html);
        // …the whole note as a block, its own embed of `a` left a link (one level deep)…
        assert!(
            out.html.contains(
                "first <a href=\"#\" data-note=\"a.md\" rel=\"noopener noreferrer\">a</a>"
            ),
            "{}",
            out.html
        );
        assert!(
            !out.html.contains("<p><div"),
            "a block embed is not inside a paragraph"
        );
        // …and `a` embedding itself: a link.
        assert!(
            out.html.contains(
                "<p><a href=\"#\" data-note=\"a.md\" rel=\"noopener noreferrer\">a</a></p>"
            ),
            "{}",
            out.html
        );
        // Embedded headings have no ids: the host's anchors stay unique.
        assert_eq!(out.html.matches(" id=\"").count(), 1, "{}", out.html);
        assert!(out.text.contains("second code") && out.text.contains("third"));
        assert!(!out.text.contains("title: B"));

        let out = render("![[pic.png|300]] ![[d.png|30x20]] ![[missing.png]] ![[../../x.png]] ![[nowhere]] ![[b#no-such]]", &LinkContext { note_id: "img/n.md", known_ids: &known, embeds: Some(&vault) });
        agreed(&out);
        assert!(
            out.html.contains(
                "<img src=\"margin-asset://localhost/img/pic.png\" alt=\"pic.png\" width=\"300\">"
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains("<img src=\"margin-asset://localhost/attachments/d.png\" alt=\"d.png\" width=\"30\" height=\"20\">"));
        assert!(out.html.contains(
            "<img src=\"margin-asset://localhost/img/missing.png\" alt=\"missing.png\">"
        ));
        assert!(
            !out.html.contains("x.png\""),
            "no image outside the vault: {}",
            out.html
        );
        assert!(
            out.html
                .contains("data-note=\"nowhere.md\" rel=\"noopener noreferrer\">nowhere</a>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("data-note=\"b.md\" data-anchor=\"no-such\" rel=\"noopener noreferrer\">b › no-such</a>"), "{}", out.html);
    }

    #[test]
    fn a_hundred_kilobytes_of_code_render_quickly_enough_to_test() {
        // The speed goal (≤ 50 ms, release build) is measured by `cargo xtask bench`; this
        // only checks that a large block is coloured whole and its text kept.
        let line = "    let total: u64 = items.iter().map(|x| x.size * 2).sum(); // sum\n";
        let code = line.repeat(100_000 / line.len());
        let out = r(&format!("```rust\n{code}```\n"));
        assert!(out.html.matches("hl-keyword").count() >= 100_000 / line.len());
        assert_eq!(out.text, code);
    }
}
