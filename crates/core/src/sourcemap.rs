//! Where the reader's text comes from in the Markdown source: the bridge between the two
//! coordinate spaces of DESIGN.md's "one text, two views". Highlights live in the visible text
//! (what the reader's `textContent` yields); the editor works on the source. A selection made
//! in the editor becomes a highlight through [`SourceMap::to_visible`], and a highlight is drawn
//! in the editor through [`SourceMap::to_source`].
//!
//! Built from the same parser as the renderer: each text and inline-code event whose source
//! bytes are its text one for one (no escapes, entities or soft breaks inside) is a *run*, found
//! in order in the visible text. Characters between runs (Markdown syntax, escapes) map to the
//! nearest run edge, so a selection that starts on `**` starts at the bold word.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// A stretch of source bytes whose characters are a stretch of the visible text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    /// Byte range in the source.
    source: Range<usize>,
    /// Character offset in the visible text where the run starts.
    visible: usize,
}

/// The runs of one note, in source order (also visible order).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    runs: Vec<Run>,
}

impl SourceMap {
    /// Maps `source` (the Markdown) onto `visible` (its rendered text, as
    /// [`crate::render::render`] returns it for the same source).
    pub fn build(source: &str, visible: &str) -> SourceMap {
        let mut runs = Vec::new();
        // Visible text searched forwards: (byte cursor, char count at the cursor).
        let mut cursor = 0usize;
        let mut cursor_chars = 0usize;
        let mut in_meta = false;
        // Text the reader never shows: an image's alt text (an attribute, or an embed's size)
        // and a call-out's `[!kind]` marker. Searched for, it would be found further on and
        // throw every run after it out of place.
        let mut in_image = 0usize;
        let events: Vec<_> = crate::render::parser(source).into_offset_iter().collect();
        let markers = callout_markers(&events);
        for (event, range) in &events {
            let range = range.clone();
            match event {
                Event::Start(Tag::Image { .. }) => in_image += 1,
                Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
                _ => {}
            }
            let (text, inner) = match event {
                Event::Text(_) if in_image > 0 => continue,
                Event::Text(t) if !in_meta => {
                    // Cut off the part of a call-out's marker this text holds.
                    let hidden = markers
                        .iter()
                        .find(|m| m.start <= range.start && range.start < m.end)
                        .map_or(0, |m| m.end - range.start);
                    let Some(shown) = t.get(hidden.min(t.len())..) else {
                        continue;
                    };
                    (shown, range.start + hidden..range.end)
                }
                Event::Start(Tag::MetadataBlock(_)) => {
                    in_meta = true;
                    continue;
                }
                Event::End(TagEnd::MetadataBlock(_)) => {
                    in_meta = false;
                    continue;
                }
                Event::Code(t) => {
                    // Inside the backticks: the first occurrence of the code in its range.
                    let Some(slice) = source.get(range.clone()) else {
                        continue;
                    };
                    let Some(at) = slice.find(t.as_ref()) else {
                        continue;
                    };
                    (t.as_ref(), range.start + at..range.start + at + t.len())
                }
                _ => continue,
            };
            if text.is_empty() || source.get(inner.clone()) != Some(text) {
                continue;
            }
            let Some(found) = visible.get(cursor..).and_then(|rest| rest.find(text)) else {
                continue;
            };
            let at = cursor + found;
            let visible_start = cursor_chars + visible[cursor..at].chars().count();
            runs.push(Run {
                source: inner,
                visible: visible_start,
            });
            cursor = at + text.len();
            cursor_chars = visible_start + text.chars().count();
        }
        SourceMap { runs }
    }

    /// The visible-text character range of source bytes `range` (a selection in the editor):
    /// its ends move to the nearest text inside it. `None` when it holds no visible text.
    pub fn to_visible(&self, source: &str, range: Range<usize>) -> Option<Range<usize>> {
        let chars = |r: &Run, byte: usize| source[r.source.start..byte].chars().count();
        let first = self.runs.iter().find(|r| r.source.end > range.start)?;
        let start = if range.start > first.source.start {
            first.visible + chars(first, range.start)
        } else {
            first.visible
        };
        let last = self
            .runs
            .iter()
            .rev()
            .find(|r| r.source.start < range.end)?;
        let end = if range.end < last.source.end {
            last.visible + chars(last, range.end)
        } else {
            last.visible + chars(last, last.source.end)
        };
        (start < end).then_some(start..end)
    }

    /// The source byte range of visible characters `range` (a highlight to draw in the editor),
    /// when both ends fall in runs.
    pub fn to_source(&self, source: &str, range: Range<usize>) -> Option<Range<usize>> {
        let byte_of = |pos: usize, at_end: bool| -> Option<usize> {
            self.runs.iter().find_map(|r| {
                let len = source[r.source.clone()].chars().count();
                let inside = if at_end {
                    pos > r.visible && pos <= r.visible + len
                } else {
                    pos >= r.visible && pos < r.visible + len
                };
                inside.then(|| {
                    let n = pos - r.visible;
                    r.source.start
                        + source[r.source.clone()]
                            .char_indices()
                            .nth(n)
                            .map_or(r.source.end - r.source.start, |(b, _)| b)
                })
            })
        };
        let start = byte_of(range.start, false)?;
        let end = byte_of(range.end, true)?;
        (start < end).then_some(start..end)
    }
}

/// Source byte ranges of the `[!kind]` markers that start call-outs (see `render::callout`).
fn callout_markers(events: &[(Event<'_>, Range<usize>)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        if !matches!(event, Event::Start(Tag::BlockQuote(_)))
            || !matches!(events.get(i + 1), Some((Event::Start(Tag::Paragraph), _)))
        {
            continue;
        }
        let mut text = String::new();
        let mut start = None;
        for (event, range) in &events[i + 2..] {
            let Event::Text(t) = event else { break };
            start.get_or_insert(range.start);
            text.push_str(t);
        }
        if let (Some(start), Some(marker)) = (start, crate::render::callout::marker(&text)) {
            out.push(start..start + marker.len);
        }
    }
    out
}

/// Byte offset in `text` of UTF-16 code unit offset `units` (what a JavaScript editor counts);
/// clamped to the text.
pub fn byte_of_utf16(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (byte, c) in text.char_indices() {
        if seen >= units {
            return byte;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// UTF-16 code unit offset of byte offset `byte` in `text`.
pub fn utf16_of_byte(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())]
        .chars()
        .map(char::len_utf16)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{render, LinkContext};

    fn map(src: &str) -> (SourceMap, String) {
        let text = render(src, &LinkContext::default()).text;
        (SourceMap::build(src, &text), text)
    }

    fn visible_of(src: &str, needle: &str) -> String {
        let (m, text) = map(src);
        let at = src.find(needle).unwrap();
        let r = m.to_visible(src, at..at + needle.len()).unwrap();
        text.chars().skip(r.start).take(r.end - r.start).collect()
    }

    #[test]
    fn selections_in_the_source_become_visible_ranges() {
        let src =
            "---\ntitle: T\n---\n# Title\n\nSome **bold** words and `code` here.\n\n- item *one*\n";
        assert_eq!(visible_of(src, "bold"), "bold");
        assert_eq!(visible_of(src, "**bold**"), "bold");
        assert_eq!(visible_of(src, "Some **bold** words"), "Some bold words");
        assert_eq!(visible_of(src, "`code`"), "code");
        assert_eq!(visible_of(src, "item *one*"), "item one");
        assert_eq!(visible_of(src, "Title"), "Title");
        let (m, _) = map(src);
        assert_eq!(m.to_visible(src, 0..3), None, "front matter is not visible");
    }

    #[test]
    fn visible_ranges_are_drawn_back_in_the_source() {
        let src = "# Título\n\nThe três-way **hand**shake.\n";
        let (m, text) = map(src);
        let start = text
            .find("três")
            .map(|b| text[..b].chars().count())
            .unwrap();
        let r = m.to_source(src, start..start + 8).unwrap();
        assert_eq!(&src[r], "três-way");
        let start = text
            .find("hand")
            .map(|b| text[..b].chars().count())
            .unwrap();
        let r = m.to_source(src, start..start + 4).unwrap();
        assert_eq!(&src[r], "hand");
    }

    #[test]
    fn hidden_text_does_not_throw_the_runs_after_it_out_of_place() {
        // A call-out's marker and an image's alt text are not in the reader's text; a `[`
        // and an `a` further on must not be taken for them.
        let src = "> [!tip] Mind this\n> body\n\n![a diagram](d.png) after\n\nLater a [x] and a diagram.\n";
        let (m, text) = map(src);
        let at = |word: &str| text.find(word).map(|b| text[..b].chars().count()).unwrap();
        for word in ["Mind this", "body", "after", "Later a [x]", "a diagram."] {
            let start = at(word);
            let r = m.to_source(src, start..start + word.chars().count());
            assert_eq!(r.map(|r| &src[r]), Some(word), "{word:?} in {text:?}");
        }
    }

    #[test]
    fn utf16_offsets_round_trip() {
        let text = "a😀b é";
        assert_eq!(byte_of_utf16(text, 1), 1);
        assert_eq!(byte_of_utf16(text, 3), 5);
        assert_eq!(utf16_of_byte(text, 5), 3);
        assert_eq!(byte_of_utf16(text, 99), text.len());
    }
}
