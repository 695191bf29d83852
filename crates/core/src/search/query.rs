//! The query language, parsed leniently: whatever a person types gives a query (possibly an
//! empty one), never an error.
//!
//! `word` (all words must match), `"exact phrase"`, `tcp*` (prefix), `-word` / `-"phrase"`
//! (exclude), `a OR b`, filters `tag:x`, `in:folder`, `title:word`, `is:annotated`, `color:x`. While typing, the last word
//! is also a prefix. Unbalanced quotes, lone `-`, empty filters and symbols are dropped.
//!
//! Hand-written because tantivy's own parser rejects such input and knows nothing of
//! `in:`/`tag:` or of the last word as a prefix.

use super::schema::analyze;

/// One thing to look for in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A whole word (already lower-cased and folded).
    Word(String),
    /// Words starting with this.
    Prefix(String),
    /// These words next to each other.
    Phrase(Vec<String>),
}

/// Which fields an atom is searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Title, headings, body, tags and annotations.
    All,
    /// The title only (`title:`).
    Title,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Each group must match; within a group, any atom may (`a OR b`).
    pub groups: Vec<Vec<(Atom, Scope)>>,
    /// None of these may match.
    pub exclude: Vec<Atom>,
    /// `tag:` filters (lower-case), all required.
    pub tags: Vec<String>,
    /// `in:` folder filters (lower-case, no trailing `/`), all required.
    pub folders: Vec<String>,
    /// `is:annotated`: only sections with highlights or comments.
    pub annotated: bool,
    /// `color:` filters on annotation colours (lower-case).
    pub colors: Vec<String>,
}

impl Query {
    /// True when the query asks for nothing (no words, exclusions or filters).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.exclude.is_empty()
            && self.tags.is_empty()
            && self.folders.is_empty()
            && !self.annotated
            && self.colors.is_empty()
    }

    /// Every atom that can produce a highlight (excluded ones never do).
    pub fn positive_atoms(&self) -> impl Iterator<Item = &Atom> {
        self.groups.iter().flatten().map(|(atom, _)| atom)
    }
}

/// The longest query that is looked at; the rest is ignored (a 10 KB paste stays fast).
const MAX_QUERY_CHARS: usize = 512;
/// At most this many words count.
const MAX_ATOMS: usize = 16;

#[derive(Debug)]
struct Lexeme {
    text: String,
    quoted: bool,
    negated: bool,
    /// The lexeme ends the input with no space after it: the word being typed.
    at_end: bool,
}

fn lex(input: &str) -> Vec<Lexeme> {
    let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        if chars[i] == '"' {
            let start = i + 1;
            match chars[start..].iter().position(|&c| c == '"') {
                Some(len) => {
                    out.push(Lexeme {
                        text: chars[start..start + len].iter().collect(),
                        quoted: true,
                        negated,
                        at_end: false,
                    });
                    i = start + len + 1;
                }
                None => {
                    // Unbalanced quote: the rest is plain words.
                    i = start;
                }
            }
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        out.push(Lexeme {
            text: chars[start..i].iter().collect(),
            quoted: false,
            negated,
            at_end: i == chars.len(),
        });
    }
    out
}

/// Turns words into an atom: one token is a word (or prefix), several are a phrase.
fn atom_of(text: &str, prefix: bool) -> Option<Atom> {
    let mut tokens = analyze(text);
    match tokens.len() {
        0 => None,
        1 => {
            let token = tokens.remove(0);
            // One Chinese/Japanese/Korean character is found where it starts a bigram.
            let lone_cjk = token.chars().count() == 1
                && token.chars().next().is_some_and(super::words::is_cjk);
            Some(if (prefix && token.chars().count() >= 2) || lone_cjk {
                Atom::Prefix(token)
            } else {
                Atom::Word(token)
            })
        }
        _ => Some(Atom::Phrase(tokens)),
    }
}

/// Number words and digits find each other (`three way handshake` finds "3 way handshake").
const NUMBERS: [&str; 13] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

/// The digit for a number word and the word for a digit (`three` ↔ `3`), searched as either.
pub(crate) fn number_alternative(atom: &Atom) -> Option<Atom> {
    let Atom::Word(w) = atom else {
        return None;
    };
    if let Some(n) = NUMBERS.iter().position(|name| name == w) {
        return Some(Atom::Word(n.to_string()));
    }
    w.parse::<usize>()
        .ok()
        .and_then(|n| NUMBERS.get(n))
        .map(|name| Atom::Word(name.to_string()))
}

/// Parses what the user typed. `as_you_type`: the last word, if no space follows it, also
/// matches longer words.
pub fn parse(input: &str, as_you_type: bool) -> Query {
    let mut query = Query::default();
    let mut pending_or = false;
    let mut atoms = 0;
    for lex in lex(input) {
        if atoms >= MAX_ATOMS {
            break;
        }
        if !lex.quoted && !lex.negated && lex.text == "OR" {
            pending_or = !query.groups.is_empty();
            continue;
        }
        let (filter, value) = match lex.text.split_once(':') {
            Some((f, v)) if !lex.quoted => (f.to_ascii_lowercase(), v),
            _ => (String::new(), lex.text.as_str()),
        };
        let mut scope = Scope::All;
        let mut text = lex.text.as_str();
        match filter.as_str() {
            "tag" | "tags" => {
                let tag = value.trim_start_matches('#').to_lowercase();
                if !tag.is_empty() {
                    query.tags.push(tag);
                }
                continue;
            }
            "in" => {
                let folder = value.trim_matches('/').to_lowercase();
                if !folder.is_empty() {
                    query.folders.push(folder);
                }
                continue;
            }
            "is" if value.eq_ignore_ascii_case("annotated") => {
                query.annotated = true;
                continue;
            }
            "color" | "colour" => {
                let color = value.to_lowercase();
                if !color.is_empty() {
                    query.colors.push(color);
                }
                continue;
            }
            "title" => {
                scope = Scope::Title;
                text = value;
            }
            _ => {}
        }
        let star = !lex.quoted && text.ends_with('*');
        let prefix = star || (as_you_type && lex.at_end && !lex.quoted);
        let atom = if lex.quoted {
            let tokens = analyze(text);
            match tokens.len() {
                0 => None,
                1 => tokens.into_iter().next().map(Atom::Word),
                _ => Some(Atom::Phrase(tokens)),
            }
        } else {
            atom_of(text.trim_end_matches('*'), prefix)
        };
        let Some(atom) = atom else {
            continue;
        };
        atoms += 1;
        if lex.negated {
            query.exclude.push(atom);
            pending_or = false;
            continue;
        }
        let alternative = number_alternative(&atom);
        match query.groups.last_mut() {
            Some(group) if pending_or => group.push((atom, scope)),
            _ => query.groups.push(vec![(atom, scope)]),
        }
        if let (Some(alt), Some(group)) = (alternative, query.groups.last_mut()) {
            group.push((alt, scope));
        }
        pending_or = false;
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> (Atom, Scope) {
        (Atom::Word(s.into()), Scope::All)
    }

    #[test]
    fn words_are_all_required() {
        let q = parse("TCP Handshake", false);
        assert_eq!(q.groups, vec![vec![w("tcp")], vec![w("handshake")]]);
    }

    #[test]
    fn last_word_is_a_prefix_while_typing() {
        let q = parse("tcp hand", true);
        assert_eq!(q.groups[1], vec![(Atom::Prefix("hand".into()), Scope::All)]);
        let q = parse("tcp hand ", true);
        assert_eq!(q.groups[1], vec![w("hand")]);
    }

    #[test]
    fn phrases_prefixes_exclusions_or_and_filters() {
        let q = parse(
            "\"three way\" sync* -udp a OR b tag:Realtime in:networking/ title:rest",
            false,
        );
        assert_eq!(
            q.groups[0],
            vec![(Atom::Phrase(vec!["three".into(), "way".into()]), Scope::All)]
        );
        assert_eq!(q.groups[1], vec![(Atom::Prefix("sync".into()), Scope::All)]);
        assert_eq!(q.exclude, vec![Atom::Word("udp".into())]);
        assert_eq!(q.groups[2], vec![w("a"), w("b")]);
        assert_eq!(q.tags, vec!["realtime"]);
        assert_eq!(q.folders, vec!["networking"]);
        assert_eq!(q.groups[3], vec![(Atom::Word("rest".into()), Scope::Title)]);
    }

    #[test]
    fn accents_fold_and_hyphenated_words_become_phrases() {
        assert_eq!(parse("Café", false).groups[0], vec![w("cafe")]);
        assert_eq!(
            parse("tcp-handshake", false).groups[0],
            vec![(
                Atom::Phrase(vec!["tcp".into(), "handshake".into()]),
                Scope::All
            )]
        );
    }

    #[test]
    fn number_words_and_digits_are_alternatives() {
        let q = parse("three way", false);
        assert_eq!(q.groups[0], vec![w("three"), w("3")]);
        assert_eq!(parse("3", false).groups[0], vec![w("3"), w("three")]);
        assert_eq!(parse("42", false).groups[0], vec![w("42")]);
    }

    #[test]
    fn junk_never_fails() {
        for junk in [
            "",
            " ",
            "\"",
            "\"unclosed words",
            "-",
            "- -",
            "tag:",
            "in:",
            "title:",
            "OR",
            "OR OR a",
            "🦀🦀",
            "***",
            "a\"b\"c",
            ":::",
            "-\"\"",
        ] {
            let _ = parse(junk, true);
        }
        assert_eq!(parse("\"unclosed words", false).groups.len(), 2);
        assert!(parse("🦀 - tag: OR", true).is_empty());
        let long = "word ".repeat(2048);
        assert!(parse(&long, true).groups.len() <= MAX_ATOMS);
    }
}
