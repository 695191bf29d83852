//! Where a query matches in a text: character ranges for marking hits in snippets and in the
//! open note, and the snippet itself.
//!
//! Written here rather than taken from tantivy's `SnippetGenerator` because that one only knows
//! exact terms (not prefixes or typo matches) and works on stored fields, while Margin also
//! needs the same ranges in the note's visible text, to highlight and step through them.
//! Ranges are in characters (Unicode scalar values), the unit of W3C text selectors.

use super::query::{Atom, Query};
use super::schema::analyze_with_offsets;

/// A half-open range of character offsets.
pub type Range = [usize; 2];

/// How one query word matches a text word.
#[derive(Debug, Clone)]
enum Pattern {
    Exact(String),
    Prefix(String),
    Fuzzy(String, usize),
    Phrase(Vec<String>),
}

/// Matches the positive words of a query against any text.
#[derive(Debug, Clone)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

/// The edit distance allowed for a word of this many characters (0 = exact only).
pub fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

impl Matcher {
    /// A matcher for `query`; with `fuzzy`, words of 5+ letters also match near-misses.
    pub fn new(query: &Query, fuzzy: bool) -> Matcher {
        let mut patterns = Vec::new();
        for atom in query.positive_atoms() {
            match atom {
                Atom::Word(w) => {
                    patterns.push(Pattern::Exact(w.clone()));
                    let d = typo_distance(w) as usize;
                    if fuzzy && d > 0 {
                        patterns.push(Pattern::Fuzzy(w.clone(), d));
                    }
                }
                Atom::Prefix(p) => {
                    patterns.push(Pattern::Prefix(p.clone()));
                    let d = typo_distance(p) as usize;
                    if fuzzy && d > 0 {
                        patterns.push(Pattern::Fuzzy(p.clone(), d));
                    }
                }
                Atom::Phrase(words) => patterns.push(Pattern::Phrase(words.clone())),
            }
        }
        Matcher { patterns }
    }

    /// True when nothing can match.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Sorted, non-overlapping character ranges of every match in `text`.
    pub fn ranges(&self, text: &str) -> Vec<Range> {
        if self.patterns.is_empty() {
            return Vec::new();
        }
        self.ranges_in(text, &analyze_with_offsets(text))
    }

    /// [`Matcher::ranges`] over `text` already cut into words (`analyze_with_offsets`), for a
    /// caller that needs the words too.
    pub fn ranges_in(&self, text: &str, tokens: &[(usize, usize, String)]) -> Vec<Range> {
        let mut byte_ranges: Vec<(usize, usize)> = Vec::new();
        for (i, (from, to, word)) in tokens.iter().enumerate() {
            for pattern in &self.patterns {
                let end = match pattern {
                    Pattern::Exact(w) => (word == w).then_some(*to),
                    Pattern::Prefix(p) => word.starts_with(p.as_str()).then_some(*to),
                    Pattern::Fuzzy(w, d) => within_distance(word, w, *d).then_some(*to),
                    Pattern::Phrase(words) => {
                        let window = tokens.get(i..i + words.len());
                        window
                            .filter(|win| win.iter().zip(words).all(|(t, w)| &t.2 == w))
                            .and_then(|win| win.last().map(|t| t.1))
                    }
                };
                if let Some(end) = end {
                    byte_ranges.push((*from, end));
                    break;
                }
            }
        }
        byte_ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in byte_ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        to_char_ranges(text, &merged)
    }
}

/// How close, in order, the two words of a two-word query stand in a text's words (as
/// `analyze_with_offsets` cuts them): `Some(0)` side by
/// side, `Some(n)` with `n` other words between them, `None` when not within `slop`. The
/// second word may be a prefix (typed unfinished). Two-word queries are ranked by this over
/// the stored text of their best hits rather than by a phrase query over the whole index,
/// which cost 4 ms at p50 (see `search::MIN_NEAR_WORDS`).
pub fn pair_gap(
    tokens: &[(usize, usize, String)],
    first: &str,
    second: &str,
    prefix: bool,
    slop: usize,
) -> Option<usize> {
    let mut last_first: Option<usize> = None;
    let mut best: Option<usize> = None;
    for (i, (_, _, word)) in tokens.iter().enumerate() {
        let is_second = if prefix {
            word.starts_with(second)
        } else {
            word == second
        };
        if is_second {
            if let Some(at) = last_first {
                let gap = i - at - 1;
                if gap <= slop && best.is_none_or(|b| gap < b) {
                    best = Some(gap);
                }
            }
        }
        if word == first {
            last_first = Some(i);
        }
    }
    best
}

/// Converts sorted byte ranges to character ranges in one pass over `text`.
fn to_char_ranges(text: &str, ranges: &[(usize, usize)]) -> Vec<Range> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut chars = 0;
    let mut byte = 0;
    let mut iter = text.char_indices().peekable();
    let mut advance_to = |target: usize, chars: &mut usize, byte: &mut usize| {
        while *byte < target {
            match iter.next() {
                Some((_, c)) => {
                    *byte += c.len_utf8();
                    *chars += 1;
                }
                None => break,
            }
        }
    };
    for &(a, b) in ranges {
        advance_to(a, &mut chars, &mut byte);
        let start = chars;
        advance_to(b, &mut chars, &mut byte);
        out.push([start, chars]);
    }
    out
}

/// Levenshtein distance ≤ `max`, with an early exit; words are short, so a row DP is plenty.
pub fn within_distance(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

/// A short passage of `text` around its best match, white space folded, with the match ranges
/// re-based onto the passage. `ranges` are character ranges in `text`.
pub fn snippet(text: &str, ranges: &[Range], max_chars: usize) -> (String, Vec<Range>) {
    let chars: Vec<char> = text.chars().collect();
    // Start a little before the window holding the most matches.
    let mut best = (0usize, 0usize);
    for (i, r) in ranges.iter().enumerate() {
        let count = ranges[i..]
            .iter()
            .take_while(|x| x[1] <= r[0] + max_chars)
            .count();
        if count > best.1 {
            best = (i, count);
        }
    }
    let lead = max_chars / 5;
    let mut start = ranges.get(best.0).map_or(0, |r| r[0].saturating_sub(lead));
    // Begin at a word boundary.
    while start > 0 && start < chars.len() && !chars[start - 1].is_whitespace() {
        start -= 1;
        if ranges.get(best.0).is_some_and(|r| r[0] - start > lead * 2) {
            break;
        }
    }
    let mut out = String::new();
    let mut out_ranges = Vec::new();
    let mut map = Vec::new(); // position in `out` (chars) of each source char taken
    let mut last_space = true;
    let mut taken = 0;
    let mut i = start;
    if start > 0 {
        out.push('…');
        taken += 1;
    }
    while i < chars.len() && taken < max_chars {
        let c = chars[i];
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                taken += 1;
            }
            last_space = true;
        } else {
            out.push(c);
            taken += 1;
            last_space = false;
        }
        map.push((i, taken));
        i += 1;
    }
    let end = i;
    let trimmed = out.trim_end().chars().count();
    if end < chars.len() {
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    // Map ranges: a source char at index s ends at output position map[s - start].1.
    for r in ranges {
        if r[0] < start || r[1] > end {
            continue;
        }
        let a = if r[0] == start {
            usize::from(start > 0)
        } else {
            map[r[0] - start - 1].1
        };
        let b = map[r[1] - start - 1].1.min(trimmed);
        if a < b {
            out_ranges.push([a, b]);
        }
    }
    (out, out_ranges)
}

#[cfg(test)]
mod tests {
    use super::super::query::parse;
    use super::*;

    #[test]
    fn the_gap_between_two_words_counts_the_words_between_in_order() {
        let text = analyze_with_offsets(
            "Load balancers: a load, then the balancer spreads load over servers.",
        );
        let text = text.as_slice();
        assert_eq!(pair_gap(text, "load", "balancer", false, 4), Some(2));
        assert_eq!(pair_gap(text, "load", "balanc", true, 4), Some(0));
        assert_eq!(pair_gap(text, "servers", "load", false, 4), None);
        assert_eq!(pair_gap(text, "load", "servers", false, 0), None);
        assert_eq!(pair_gap(text, "load", "servers", false, 1), Some(1));
    }

    fn marked(text: &str, ranges: &[Range]) -> String {
        let chars: Vec<char> = text.chars().collect();
        ranges
            .iter()
            .map(|r| chars[r[0]..r[1]].iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn exact_prefix_phrase_and_fuzzy_matches() {
        let text = "The 3 way handshake: Client sends SYN. Signalling servers help WebRTC.";
        let m = Matcher::new(&parse("handshake sign* \"client sends\"", false), false);
        assert_eq!(
            marked(text, &m.ranges(text)),
            "handshake|Client sends|Signalling"
        );
        let m = Matcher::new(&parse("signaling", false), true);
        assert_eq!(marked(text, &m.ranges(text)), "Signalling");
        let m = Matcher::new(&parse("signaling", false), false);
        assert!(m.ranges(text).is_empty());
    }

    #[test]
    fn ranges_count_characters_not_bytes() {
        let text = "Ünïcode 🦀 café and CAFE";
        let m = Matcher::new(&parse("cafe", false), false);
        let r = m.ranges(text);
        assert_eq!(r, vec![[10, 14], [19, 23]]);
        assert_eq!(marked(text, &r), "café|CAFE");
    }

    #[test]
    fn distance() {
        assert!(within_distance("signaling", "signalling", 1));
        assert!(!within_distance("signal", "signalling", 2));
        assert!(within_distance("recieves", "receives", 2));
    }

    #[test]
    fn snippets_keep_marks_on_the_words() {
        let text = format!(
            "{} the key word is here {}",
            "lead ".repeat(60),
            "tail ".repeat(60)
        );
        let m = Matcher::new(&parse("key", false), false);
        let (snip, ranges) = snippet(&text, &m.ranges(&text), 80);
        assert!(snip.starts_with('…') && snip.ends_with('…'), "{snip}");
        assert_eq!(marked(&snip, &ranges), "key");
        let short = "Key\n\n  words  key";
        let (snip, ranges) = snippet(short, &m.ranges(short), 80);
        assert_eq!(snip, "Key words key");
        assert_eq!(marked(&snip, &ranges), "Key|key");
    }
}
