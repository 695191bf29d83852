//! Finds a stored quote in the current text of a note, so highlights survive edits.
//!
//! The steps follow the Hypothesis client's `match-quote`: the stored position if the quote is
//! still there → the exact quote elsewhere, chosen by its context and closeness to the old
//! position → an approximate match (at most one error per four characters of the quote) scored
//! the same way → otherwise an orphan. Scores use Hypothesis' weights: quote 50, prefix 20,
//! suffix 20, position 2. When two candidates score the same, the annotation is an orphan:
//! landing silently in the wrong place is worse than asking the user.
//!
//! Offsets count characters (Unicode scalar values), the unit of W3C text selectors.
//! The approximate search is Sellers' edit-distance scan, written here because it is a few
//! dozen lines and the crates that do it work on bytes, not characters.

use serde::{Deserialize, Serialize};

/// How much context is kept on each side of a quote.
pub const CONTEXT_CHARS: usize = 32;

const WEIGHT_QUOTE: f64 = 50.0;
const WEIGHT_PREFIX: f64 = 20.0;
const WEIGHT_SUFFIX: f64 = 20.0;
const WEIGHT_POSITION: f64 = 2.0;
/// Candidates closer than this in score are indistinguishable.
const TIE: f64 = 1e-6;
/// Beyond this many character comparisons, the approximate scan looks only near the old place.
const MAX_SCAN_WORK: usize = 40_000_000;

/// The quote with its context (W3C `TextQuoteSelector`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The highlighted text.
    pub exact: String,
    /// Up to [`CONTEXT_CHARS`] characters before it.
    pub prefix: String,
    /// Up to [`CONTEXT_CHARS`] characters after it.
    pub suffix: String,
}

/// Where the quote was (W3C `TextPositionSelector`), in characters of the visible text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// How an annotation relates to the current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Found where it was.
    #[default]
    Anchored,
    /// Found elsewhere, or with small differences; the selectors are updated on save.
    Moved,
    /// Not found (or not found unambiguously): kept, shown in the Orphans list.
    Orphan,
}

/// The outcome of anchoring: where, and how sure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// The range in the current text.
    pub position: Position,
    /// [`Status::Anchored`] or [`Status::Moved`].
    pub status: Status,
}

/// Builds the quote selector for `start..end` of `text` (character offsets).
pub fn quote_at(text: &[char], start: usize, end: usize) -> Quote {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    Quote {
        exact: text[start..end].iter().collect(),
        prefix: text[start.saturating_sub(CONTEXT_CHARS)..start]
            .iter()
            .collect(),
        suffix: text[end..(end + CONTEXT_CHARS).min(text.len())]
            .iter()
            .collect(),
    }
}

/// Anchors `quote` (last seen at `hint`) in `text`; `None` means orphan.
pub fn anchor(text: &str, quote: &Quote, hint: Position) -> Option<Anchor> {
    let text: Vec<char> = text.chars().collect();
    anchor_chars(&text, quote, hint)
}

/// [`anchor`] on text already split into characters (callers anchoring many quotes in one
/// note split it once).
pub fn anchor_chars(text: &[char], quote: &Quote, hint: Position) -> Option<Anchor> {
    let exact: Vec<char> = quote.exact.chars().collect();
    if exact.is_empty() || exact.len() > text.len() {
        return None;
    }
    // 1. Still where it was.
    if hint.start <= hint.end
        && hint.end <= text.len()
        && hint.end - hint.start == exact.len()
        && text[hint.start..hint.end] == exact[..]
    {
        return Some(Anchor {
            position: hint,
            status: Status::Anchored,
        });
    }
    let prefix: Vec<char> = quote.prefix.chars().collect();
    let suffix: Vec<char> = quote.suffix.chars().collect();
    let score = |start: usize, end: usize, errors: usize| -> f64 {
        let quote_sim = 1.0 - errors as f64 / exact.len() as f64;
        let before = &text[start.saturating_sub(prefix.len())..start];
        let after = &text[end..(end + suffix.len()).min(text.len())];
        let pos = 1.0 - (start.abs_diff(hint.start) as f64 / text.len().max(1) as f64);
        WEIGHT_QUOTE * quote_sim
            + WEIGHT_PREFIX * tail_similarity(&prefix, before)
            + WEIGHT_SUFFIX * head_similarity(&suffix, after)
            + WEIGHT_POSITION * pos
    };
    // 2. The exact quote elsewhere.
    let exact_hits = find_all(text, &exact);
    if !exact_hits.is_empty() {
        let scored: Vec<(f64, usize, usize)> = exact_hits
            .iter()
            .map(|&s| (score(s, s + exact.len(), 0), s, s + exact.len()))
            .collect();
        return pick(
            scored,
            context_only(&scored_context(
                text,
                &exact_hits,
                &prefix,
                &suffix,
                exact.len(),
            )),
        );
    }
    // 3. An approximate match.
    let max_errors = exact.len() / 4;
    if max_errors == 0 {
        return None;
    }
    let candidates = approximate(text, &exact, max_errors, hint.start);
    let scored: Vec<(f64, usize, usize)> = candidates
        .into_iter()
        .map(|(s, e, errors)| (score(s, e, errors), s, e))
        .collect();
    pick(scored, false)
}

/// For exact duplicates, the context alone must tell them apart.
fn scored_context(
    text: &[char],
    starts: &[usize],
    prefix: &[char],
    suffix: &[char],
    len: usize,
) -> Vec<f64> {
    starts
        .iter()
        .map(|&s| {
            let before = &text[s.saturating_sub(prefix.len())..s];
            let after = &text[s + len..(s + len + suffix.len()).min(text.len())];
            tail_similarity(prefix, before) + head_similarity(suffix, after)
        })
        .collect()
}

/// True when the best two candidates have the same context: then position alone would decide,
/// and that is a guess.
fn context_only(context: &[f64]) -> bool {
    let mut sorted = context.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted.len() > 1 && (sorted[0] - sorted[1]).abs() < TIE
}

/// The best candidate, or `None` when there is none or the best is not clearly the best.
fn pick(mut scored: Vec<(f64, usize, usize)>, ambiguous: bool) -> Option<Anchor> {
    if scored.is_empty() || ambiguous {
        return None;
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    if scored.len() > 1 && (scored[0].0 - scored[1].0).abs() < TIE && scored[0].1 != scored[1].1 {
        return None;
    }
    let (_, start, end) = scored[0];
    Some(Anchor {
        position: Position { start, end },
        status: Status::Moved,
    })
}

fn find_all(text: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > text.len() {
        return Vec::new();
    }
    (0..=text.len() - needle.len())
        .filter(|&i| text[i] == needle[0] && text[i..i + needle.len()] == *needle)
        .collect()
}

/// How much of `expected` (context before a quote) matches the end of `actual`, 0..1,
/// counting matching characters from the quote outwards.
fn tail_similarity(expected: &[char], actual: &[char]) -> f64 {
    if expected.is_empty() {
        return 1.0;
    }
    let same = expected
        .iter()
        .rev()
        .zip(actual.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    same as f64 / expected.len() as f64
}

/// Like [`tail_similarity`] for context after a quote.
fn head_similarity(expected: &[char], actual: &[char]) -> f64 {
    if expected.is_empty() {
        return 1.0;
    }
    let same = expected
        .iter()
        .zip(actual.iter())
        .take_while(|(a, b)| a == b)
        .count();
    same as f64 / expected.len() as f64
}

/// Places where `pattern` occurs in `text` with at most `k` edits: `(start, end, errors)`,
/// the best local match of each region, at most a handful.
fn approximate(
    text: &[char],
    pattern: &[char],
    k: usize,
    near: usize,
) -> Vec<(usize, usize, usize)> {
    let m = pattern.len();
    // Limit the scan on huge notes to a window around where the quote was.
    let (lo, hi) = if text.len().saturating_mul(m) > MAX_SCAN_WORK {
        let reach = (MAX_SCAN_WORK / m.max(1)) / 2;
        (near.saturating_sub(reach), (near + reach).min(text.len()))
    } else {
        (0, text.len())
    };
    let window = &text[lo..hi];
    // Sellers: D[i][j] = edits to match pattern[..i] ending at window[j], free start.
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    let mut ends: Vec<(usize, usize)> = Vec::new(); // (end index exclusive, errors)
    for (j, &c) in window.iter().enumerate() {
        cur[0] = 0;
        for i in 1..=m {
            let cost = usize::from(pattern[i - 1] != c);
            cur[i] = (prev[i - 1] + cost).min(prev[i] + 1).min(cur[i - 1] + 1);
        }
        if cur[m] <= k {
            ends.push((j + 1, cur[m]));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    // Keep local minima: one end per run of neighbouring ends.
    let mut best_ends: Vec<(usize, usize)> = Vec::new();
    for (end, errors) in ends {
        match best_ends.last_mut() {
            Some(last) if end <= last.0 + m / 2 => {
                if errors < last.1 {
                    *last = (end, errors);
                }
            }
            _ => best_ends.push((end, errors)),
        }
    }
    best_ends.sort_by_key(|&(_, e)| e);
    best_ends.truncate(8);
    best_ends
        .into_iter()
        .flat_map(|(end, _)| {
            match_starts(window, pattern, end, k)
                .into_iter()
                .map(move |(start, errors)| (lo + start, lo + end, errors))
        })
        .collect()
}

/// For a match ending at `end`, every start with the fewest edits (backward DP). Several
/// starts can tie (`a  b` against `a b`: drop a space, or swap `a` for a space); the context
/// scoring then chooses among them.
fn match_starts(text: &[char], pattern: &[char], end: usize, k: usize) -> Vec<(usize, usize)> {
    let m = pattern.len();
    let from = end.saturating_sub(m + k);
    let seg = &text[from..end];
    // Reverse both: match the reversed pattern as a prefix of the reversed segment.
    let n = seg.len();
    let mut prev: Vec<usize> = (0..=m).collect(); // column for 0 text chars consumed
    let mut found: Vec<(usize, usize)> = Vec::new(); // (length, errors)
    if prev[m] <= k {
        found.push((0, prev[m]));
    }
    for j in 1..=n {
        let c = seg[n - j];
        let mut cur = vec![j; m + 1];
        for i in 1..=m {
            let cost = usize::from(pattern[m - i] != c);
            cur[i] = (prev[i - 1] + cost).min(prev[i] + 1).min(cur[i - 1] + 1);
        }
        if cur[m] <= k {
            found.push((j, cur[m]));
        }
        prev = cur;
    }
    let best = found.iter().map(|&(_, e)| e).min();
    found
        .into_iter()
        .filter(|&(len, e)| Some(e) == best && len > 0)
        .map(|(len, errors)| (end - len, errors))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn select(text: &str, quote: &str) -> (Quote, Position) {
        let t = chars(text);
        let byte = text.find(quote).expect("quote in text");
        let start = text[..byte].chars().count();
        let end = start + quote.chars().count();
        (quote_at(&t, start, end), Position { start, end })
    }

    fn found(text: &str, a: Option<Anchor>) -> Option<(String, Status)> {
        a.map(|a| {
            (
                text.chars()
                    .skip(a.position.start)
                    .take(a.position.end - a.position.start)
                    .collect(),
                a.status,
            )
        })
    }

    #[test]
    fn unchanged_text_anchors_in_place() {
        let text = "The server sends SYN - ACK back.";
        let (q, p) = select(text, "SYN - ACK");
        assert_eq!(
            anchor(text, &q, p).map(|a| a.status),
            Some(Status::Anchored)
        );
    }

    #[test]
    fn inserted_text_before_moves_it() {
        let old = "alpha beta gamma delta";
        let (q, p) = select(old, "gamma");
        let new = "A new first paragraph.\n\nalpha beta gamma delta";
        assert_eq!(
            found(new, anchor(new, &q, p)),
            Some(("gamma".into(), Status::Moved))
        );
    }

    #[test]
    fn a_typo_fix_inside_the_quote_is_found_approximately() {
        let old = "The server recieves ACK and the TCP connection is established.";
        let (q, p) = select(old, "server recieves ACK and the TCP connection");
        let new = "The server receives ACK and the TCP connection is established.";
        assert_eq!(
            found(new, anchor(new, &q, p)),
            Some((
                "server receives ACK and the TCP connection".into(),
                Status::Moved
            ))
        );
    }

    #[test]
    fn duplicates_are_told_apart_by_context_or_orphaned() {
        let old = "first: the same words here. second: the same words here.";
        // Pick the second occurrence.
        let t = chars(old);
        let second = old.rfind("the same words").unwrap();
        let start = old[..second].chars().count();
        let p = Position {
            start,
            end: start + 14,
        };
        let q = quote_at(&t, p.start, p.end);
        let new = format!("intro. {old}");
        let got = anchor(&new, &q, p).unwrap();
        let prefix: String = new.chars().take(got.position.start).collect();
        assert!(prefix.ends_with("second: "), "{prefix}");
        // Same context on both sides: orphan, not a guess.
        let same = "x the same words y\nx the same words y\n";
        let (q, _) = select(same, "the same words");
        let q = Quote {
            prefix: "x ".into(),
            suffix: " y".into(),
            ..q
        };
        let new_same = format!("zz{same}");
        assert_eq!(
            anchor(
                &new_same,
                &q,
                Position {
                    start: 900,
                    end: 914
                }
            ),
            None
        );
    }

    #[test]
    fn deleted_text_is_an_orphan() {
        let old = "Keep this. Delete this sentence entirely. Keep that.";
        let (q, p) = select(old, "Delete this sentence entirely.");
        let new = "Keep this. Keep that.";
        assert_eq!(anchor(new, &q, p), None);
    }

    #[test]
    fn unicode_offsets_are_characters() {
        let old = "🦀 café e\u{301}tude 🦀 naïve";
        let (q, p) = select(old, "naïve");
        // 🦀 and the combining accent count one character each, not 4 or 2 bytes.
        assert_eq!(p, Position { start: 16, end: 21 });
        let new = format!("🦀🦀 {old}");
        assert_eq!(
            found(&new, anchor(&new, &q, p)),
            Some(("naïve".into(), Status::Moved))
        );
    }
}
