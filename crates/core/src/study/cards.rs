//! Review cards and what they show. A card stores only what it is made from (a highlight, or a
//! section heading); its text is taken from the note and the highlight each time it is shown,
//! so a card follows its highlight: an edited quote changes the card, an orphaned highlight
//! suspends it (and it is never deleted for that).

use serde::{Deserialize, Serialize};

use crate::anchor::Status;
use crate::annotations::Annotation;
use crate::error::{Error, Result};
use crate::note::Note;

/// What a card asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The highlighted words hidden in their sentence.
    Cloze,
    /// The highlight's comment asks; the highlighted passage answers.
    Qa,
    /// A section's heading asks; its text answers.
    Heading,
}

impl Kind {
    /// From `cloze|qa|heading`.
    pub fn parse(text: &str) -> Result<Kind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cloze" => Ok(Kind::Cloze),
            "qa" => Ok(Kind::Qa),
            "heading" => Ok(Kind::Heading),
            other => Err(Error::BadInput {
                message: format!("{other:?} is not a card kind; use cloze, qa or heading"),
            }),
        }
    }
}

/// A card as stored in `.margin/cards/<note>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Its id.
    pub id: String,
    /// The highlight it is made from (cloze and question/answer cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    /// The heading text whose section it is made from (heading cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// What it asks.
    pub kind: Kind,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it was removed: a tombstone, kept so a sync merge cannot bring it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
}

/// A card's id, made from what it is of (its highlight and kind, or its note's heading): two
/// computers that make the same card while apart make one card, which a sync merge joins (its
/// reviews from both included) instead of two duplicates.
fn card_id(of: &str) -> String {
    const CARDS: uuid::Uuid = uuid::uuid!("6f1c2a4e-9b0d-4c8e-a1f3-5d7e9b2c4a60");
    uuid::Uuid::new_v5(&CARDS, of.as_bytes()).to_string()
}

impl Card {
    /// A new card of highlight `annotation`.
    pub fn of_highlight(annotation: &Annotation, kind: Kind) -> Result<Card> {
        match kind {
            Kind::Heading => {
                return Err(Error::BadInput {
                    message: "a heading card is made from a heading, not a highlight".into(),
                })
            }
            Kind::Qa if annotation.comment.trim().is_empty() => {
                return Err(Error::BadInput {
                    message: "a question/answer card asks the highlight's comment: write the question as its comment first".into(),
                })
            }
            _ => {}
        }
        Ok(Card {
            id: card_id(&format!("{kind:?}\n{}", annotation.id)),
            annotation: Some(annotation.id.clone()),
            heading: None,
            kind,
            created: crate::annotations::now(),
            deleted: None,
        })
    }

    /// A new heading card of the section titled `heading` of `note`.
    pub fn of_heading(note: &Note, heading: &str) -> Result<Card> {
        if !note.outline.iter().any(|h| h.text == heading) {
            return Err(Error::BadInput {
                message: format!("{} has no heading {heading:?}", note.id),
            });
        }
        Ok(Card {
            id: card_id(&format!("heading\n{}\n{heading}", note.id)),
            annotation: None,
            heading: Some(heading.to_string()),
            kind: Kind::Heading,
            created: crate::annotations::now(),
            deleted: None,
        })
    }
}

/// What a card shows, from the note as it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Face {
    /// The question: for a cloze, its sentence with `[…]` where the words were.
    pub front: String,
    /// The answer.
    pub back: String,
    /// A cloze's sentence in three parts (before, hidden words, after), for showing the answer
    /// in place; empty for the other kinds.
    pub cloze: Vec<String>,
    /// The passage's section heading, to show where it comes from.
    pub heading: String,
    /// The highlight (to open the note at it), for highlight cards.
    pub annotation: Option<String>,
    /// Its highlight is orphaned or gone: the card is not shown for review.
    pub suspended: bool,
}

/// The longest sentence context shown around a cloze, each side, in characters.
const CONTEXT: usize = 300;
/// The longest section text shown as a heading card's answer, in characters.
const SECTION: usize = 2_000;

/// The sentence around characters `start..end` of `text`: from after the previous sentence
/// end (`.`, `!`, `?`, `。`, `！`, `？` followed by a space, or a line break) to the next one.
fn sentence(text: &[char], start: usize, end: usize) -> (usize, usize) {
    let ends_sentence = |i: usize| -> bool {
        let c = text[i];
        c == '\n'
            || matches!(c, '。' | '！' | '？')
            || (matches!(c, '.' | '!' | '?') && text.get(i + 1).is_none_or(|n| n.is_whitespace()))
    };
    let mut from = start;
    while from > 0 && start - from < CONTEXT && !ends_sentence(from - 1) {
        from -= 1;
    }
    while from < start && text[from].is_whitespace() {
        from += 1;
    }
    let mut to = end;
    while to < text.len() && to - end < CONTEXT {
        let stop = ends_sentence(to);
        if stop && text[to] != '\n' {
            to += 1;
        }
        if stop {
            break;
        }
        to += 1;
    }
    (from, to.min(text.len()))
}

/// What `card` of `note` shows, with the note's annotations anchored in its current text.
pub fn face(card: &Card, note: &Note, annotations: &[Annotation]) -> Face {
    let chars: Vec<char> = note.text.chars().collect();
    let text = |r: std::ops::Range<usize>| -> String { chars[r].iter().collect() };
    if card.kind == Kind::Heading {
        let heading = card.heading.clone().unwrap_or_default();
        let body = section_text(note, &heading);
        return Face {
            front: heading.clone(),
            suspended: body.is_none(),
            back: body.unwrap_or_default(),
            cloze: Vec::new(),
            heading,
            annotation: None,
        };
    }
    let found = card
        .annotation
        .as_deref()
        .and_then(|id| annotations.iter().find(|a| a.id == id));
    let Some(a) = found.filter(|a| a.status != Status::Orphan && a.position.end <= chars.len())
    else {
        // Gone or orphaned: shown (in lists) with its last quote, suspended.
        let quote = found.map(|a| a.text().to_string()).unwrap_or_default();
        return Face {
            front: found.map(|a| a.comment.clone()).unwrap_or_default(),
            back: quote,
            cloze: Vec::new(),
            heading: found.map(|a| a.heading.clone()).unwrap_or_default(),
            annotation: card.annotation.clone(),
            suspended: true,
        };
    };
    let (start, end) = (a.position.start, a.position.end);
    let (from, to) = sentence(&chars, start, end);
    let (before, hidden, after) = (text(from..start), text(start..end), text(end..to));
    let (front, back) = match card.kind {
        Kind::Qa => (a.comment.trim().to_string(), hidden.clone()),
        _ => (
            format!("{before}[…]{after}"),
            format!("{before}{hidden}{after}"),
        ),
    };
    Face {
        front,
        back,
        cloze: vec![before, hidden, after],
        heading: a.heading.clone(),
        annotation: Some(a.id.clone()),
        suspended: false,
    }
}

/// The visible text of the section under `heading` (to the next heading), at most
/// [`SECTION`] characters; `None` when the note has no such heading any more.
fn section_text(note: &Note, heading: &str) -> Option<String> {
    let at = note.outline.iter().position(|h| h.text == heading)?;
    let start = note.text.find(heading)? + heading.len();
    let end = note
        .outline
        .get(at + 1)
        .and_then(|next| note.text[start..].find(&next.text).map(|i| start + i))
        .unwrap_or(note.text.len());
    Some(note.text[start..end].trim().chars().take(SECTION).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotate(note: &Note, quote: &str, comment: &str) -> Annotation {
        let start_byte = note.text.find(quote).unwrap();
        let start = note.text[..start_byte].chars().count();
        let mut a =
            Annotation::in_note(note, start, start + quote.chars().count(), "yellow").unwrap();
        a.comment = comment.into();
        a
    }

    #[test]
    fn a_cloze_hides_the_words_inside_their_sentence_across_markdown() {
        let note = Note::from_source(
            "a.md",
            "# TCP\n\nIt starts. The **three-way** handshake uses [SYN](x.md) then `ACK`. After that, data flows.\n",
            &[],
        );
        let a = annotate(&note, "three-way handshake", "");
        let b = annotate(&note, "ACK", "");
        let card = Card::of_highlight(&a, Kind::Cloze).unwrap();
        let f = face(&card, &note, &[a.clone(), b.clone()]);
        assert_eq!(f.front, "The […] uses SYN then ACK.");
        assert_eq!(f.back, "The three-way handshake uses SYN then ACK.");
        assert_eq!(
            f.cloze,
            ["The ", "three-way handshake", " uses SYN then ACK."]
        );
        assert_eq!(f.heading, "TCP");
        assert!(!f.suspended);
        // Two highlights in one sentence: one cloze each.
        let other = face(
            &Card::of_highlight(&b, Kind::Cloze).unwrap(),
            &note,
            &[a, b],
        );
        assert_eq!(other.front, "The three-way handshake uses SYN then […].");
    }

    #[test]
    fn question_answer_cards_ask_the_comment_and_need_one() {
        let note = Note::from_source("a.md", "UDP has no handshake.\n", &[]);
        let bare = annotate(&note, "no handshake", "");
        assert!(Card::of_highlight(&bare, Kind::Qa).is_err());
        let asked = annotate(&note, "no handshake", "What does UDP lack?");
        let card = Card::of_highlight(&asked, Kind::Qa).unwrap();
        let f = face(&card, &note, &[asked]);
        assert_eq!(
            (f.front.as_str(), f.back.as_str()),
            ("What does UDP lack?", "no handshake")
        );
    }

    #[test]
    fn a_card_follows_its_highlight_and_is_suspended_when_it_is_gone() {
        let note = Note::from_source("a.md", "Caches hold hot keys.\n", &[]);
        let mut a = annotate(&note, "hot keys", "");
        let card = Card::of_highlight(&a, Kind::Cloze).unwrap();
        a.status = Status::Orphan;
        let f = face(&card, &note, &[a.clone()]);
        assert!(f.suspended);
        assert_eq!(f.back, "hot keys");
        assert!(face(&card, &note, &[]).suspended);
    }

    #[test]
    fn heading_cards_ask_the_heading_and_answer_with_the_section() {
        let note = Note::from_source(
            "a.md",
            "# DNS\n\nNames to addresses.\n\n## TTL\n\nHow long answers are cached.\n",
            &[],
        );
        let card = Card::of_heading(&note, "TTL").unwrap();
        let f = face(&card, &note, &[]);
        assert_eq!(
            (f.front.as_str(), f.back.as_str()),
            ("TTL", "How long answers are cached.")
        );
        let top = face(&Card::of_heading(&note, "DNS").unwrap(), &note, &[]);
        assert_eq!(top.back, "Names to addresses.");
        assert!(Card::of_heading(&note, "Nope").is_err());
        assert!(Kind::parse("flash").is_err());
    }
}
