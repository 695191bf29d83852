//! Call-outs: a quote whose first line is `[!kind]` — GitHub's alerts (`> [!NOTE]`) and
//! Obsidian's call-outs (`> [!tip] Custom title`, foldable with `[!tip]-` closed or `[!tip]+`
//! open) — become a titled box the theme colours by kind. Done over the event stream, after
//! the main pass, so every other rule (links, math, code) applies inside them unchanged.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// A call-out's first-line marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    /// The kind as written, lower-cased (`note`, `tldr`, `my-kind`).
    pub kind: String,
    /// `None`: not foldable; `Some(true)`: foldable, open; `Some(false)`: foldable, closed.
    pub open: Option<bool>,
    /// Bytes of the text the marker takes, its trailing spaces included.
    pub len: usize,
}

/// The marker at the start of a quote's first line, if there is one.
pub(crate) fn marker(text: &str) -> Option<Marker> {
    let rest = text.strip_prefix("[!")?;
    let end = rest.find(']')?;
    let kind = &rest[..end];
    if kind.is_empty()
        || kind.len() > 40
        || !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let mut len = 2 + end + 1;
    let open = match text[len..].chars().next() {
        Some('+') => Some(true),
        Some('-') => Some(false),
        _ => None,
    };
    len += usize::from(open.is_some());
    len += text[len..].len() - text[len..].trim_start_matches([' ', '\t']).len();
    Some(Marker {
        kind: kind.to_ascii_lowercase(),
        open,
        len,
    })
}

/// The theme's class for a kind: Obsidian's aliases folded onto its families; kinds nobody
/// defined look like notes.
fn family(kind: &str) -> &'static str {
    match kind {
        "abstract" | "summary" | "tldr" => "abstract",
        "info" => "info",
        "todo" => "todo",
        "tip" | "hint" => "tip",
        "important" => "important",
        "success" | "check" | "done" => "success",
        "question" | "help" | "faq" => "question",
        "warning" | "attention" => "warning",
        "caution" => "caution",
        "failure" | "fail" | "missing" => "failure",
        "danger" | "error" => "danger",
        "bug" => "bug",
        "example" => "example",
        "quote" | "cite" => "quote",
        _ => "note",
    }
}

/// Rewrites call-out quotes in `events` into call-out boxes; other quotes are left alone.
pub(crate) fn transform(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Text(t) if t.starts_with("[!") || t.as_ref() == "["))
    {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    // For each open quote: the HTML that closes it when it was made a call-out.
    let mut quotes: Vec<Option<&'static str>> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::BlockQuote(_)) => {
                if let Some(next) = callout_at(&events, i, &mut out) {
                    quotes.push(Some(next.1));
                    i = next.0;
                    continue;
                }
                quotes.push(None);
                out.push(events[i].clone());
            }
            Event::End(TagEnd::BlockQuote(_)) => match quotes.pop() {
                Some(Some(closing)) => out.push(Event::Html(closing.into())),
                _ => out.push(events[i].clone()),
            },
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

/// When the quote starting at `events[start]` is a call-out, writes its opening and title to
/// `out` and returns the index to continue from and the HTML that will close it.
fn callout_at<'s>(
    events: &[Event<'s>],
    start: usize,
    out: &mut Vec<Event<'s>>,
) -> Option<(usize, &'static str)> {
    if !matches!(events.get(start + 1), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    // The first line's leading text, which pulldown-cmark may split at `[` and `]`.
    let mut text = String::new();
    let mut j = start + 2;
    while let Some(Event::Text(t)) = events.get(j) {
        text.push_str(t);
        j += 1;
    }
    let marker = marker(&text)?;
    let family = family(&marker.kind);
    let (open_tag, title_tag, closing) = match marker.open {
        None => ("div", "div", "</div></div>"),
        Some(_) => ("details", "summary", "</div></details>"),
    };
    let open_attr = if marker.open == Some(true) {
        " open"
    } else {
        ""
    };
    out.push(Event::Html(
        format!("<{open_tag} class=\"callout callout-{family}\"{open_attr}>").into(),
    ));
    out.push(Event::Html(
        format!(
            "<{title_tag} class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>"
        )
        .into(),
    ));
    // The title: what follows the marker on its line.
    let mut title: Vec<Event<'s>> = Vec::new();
    let rest = text[marker.len..].to_string();
    if !rest.is_empty() {
        title.push(Event::Text(CowStr::from(rest)));
    }
    let mut k = j;
    let ends_paragraph = loop {
        match events.get(k) {
            None => break true,
            Some(Event::SoftBreak | Event::HardBreak) => break false,
            Some(Event::End(TagEnd::Paragraph)) => break true,
            Some(e) => title.push(e.clone()),
        }
        k += 1;
    };
    let title_is_empty = title
        .iter()
        .all(|e| matches!(e, Event::Text(t) if t.trim().is_empty()));
    if title_is_empty {
        let mut name = marker.kind.replace(['-', '_'], " ");
        if let Some(first) = name.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        out.push(Event::Text(name.into()));
    } else {
        out.extend(title);
    }
    out.push(Event::Html(
        format!("</{title_tag}><div class=\"callout-body\">").into(),
    ));
    if !ends_paragraph {
        out.push(Event::Start(Tag::Paragraph));
    }
    Some((k + 1, closing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_as_obsidian_and_github_write_them() {
        assert_eq!(
            marker("[!NOTE]"),
            Some(Marker {
                kind: "note".into(),
                open: None,
                len: 7
            })
        );
        assert_eq!(
            marker("[!tip]- Title"),
            Some(Marker {
                kind: "tip".into(),
                open: Some(false),
                len: 8
            })
        );
        assert_eq!(marker("[!faq]+").map(|m| m.open), Some(Some(true)));
        assert_eq!(
            marker("[!my-kind] x").map(|m| m.kind),
            Some("my-kind".into())
        );
        for not in ["[!]", "[! note]", "[note]", "[!a<b]", "x [!note]", "[!note"] {
            assert_eq!(marker(not), None, "{not}");
        }
        assert_eq!(family("tldr"), "abstract");
        assert_eq!(family("whatever"), "note");
    }
}
