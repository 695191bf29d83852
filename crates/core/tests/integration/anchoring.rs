//! The anchoring suite: realistic edits of real notes, each with the outcome a person would
//! expect. Prints the shares (run with `--nocapture` to see them) and requires ≥ 99 % right
//! when the quote itself is unchanged and no annotation landing silently in the wrong place.

use margin_core::anchor::{anchor, quote_at, Position, Status};
use margin_core::render::{render, LinkContext};

use crate::util::TestVault;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Edit {
    InsertBefore,
    InsertAfter,
    DeleteOtherLine,
    RenameHeading,
    ReorderLines,
    DuplicateElsewhere,
    EmojiBefore,
    CombiningMarksBefore,
    TypoInside,
    WhitespaceInside,
    DeleteQuote,
}

use Edit::*;

const EDITS: [Edit; 11] = [
    InsertBefore,
    InsertAfter,
    DeleteOtherLine,
    RenameHeading,
    ReorderLines,
    DuplicateElsewhere,
    EmojiBefore,
    CombiningMarksBefore,
    TypoInside,
    WhitespaceInside,
    DeleteQuote,
];

fn text_of(source: &str) -> String {
    render(source, &LinkContext::default()).text
}

fn char_pos(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|b| text[..b].chars().count())
}

/// Plain-text lines of a note's source (no markup inside), with their line index.
fn plain_lines(source: &str) -> Vec<(usize, String)> {
    let body_start = source.find("\n# ").map_or(0, |i| i + 1);
    source[body_start..]
        .lines()
        .enumerate()
        .map(|(i, l)| (i + source[..body_start].lines().count(), l))
        .filter(|(_, l)| {
            let t = l
                .trim_start_matches(['-', '*', ' '])
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
            t.len() > 24
                && !l.starts_with('#')
                && !t.contains(['*', '`', '[', '_', '<', '>', '&', '|'])
        })
        .map(|(i, l)| (i, l.to_string()))
        .collect()
}

/// A quote of 3–6 words from the middle of a line.
fn quote_from(line: &str) -> Option<String> {
    let words: Vec<&str> = line
        .split(' ')
        .filter(|w| !w.is_empty() && *w != "-" && *w != "*")
        .collect();
    if words.len() < 4 {
        return None;
    }
    let take = words.len().clamp(3, 6);
    let from = (words.len() - take) / 2;
    Some(words[from..from + take].join(" "))
}

struct Outcome {
    edit: Edit,
    quote_unchanged: bool,
    result: &'static str, // "right", "orphan", "wrong"
}

fn run_case(source: &str, line_no: usize, quote: &str, edit: Edit) -> Option<Outcome> {
    let old_text = text_of(source);
    let start = char_pos(&old_text, quote)?;
    if old_text.matches(quote).count() != 1 {
        return None;
    }
    let chars: Vec<char> = old_text.chars().collect();
    let end = start + quote.chars().count();
    let selector = quote_at(&chars, start, end);
    let hint = Position { start, end };

    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    let body = lines
        .iter()
        .position(|l| l.starts_with("# "))
        .map_or(0, |i| i + 1);
    let quote_line = lines[line_no].clone();
    // What the quote looks like after the edit (None: it is gone).
    let mut expected = Some(quote.to_string());
    let mut quote_unchanged = true;
    match edit {
        InsertBefore => lines.insert(
            body,
            "\nA paragraph written later, before everything else.\n".into(),
        ),
        InsertAfter => lines.push("\nA closing paragraph added at the end.".into()),
        DeleteOtherLine => {
            let other = (body..lines.len()).find(|&i| {
                i != line_no && !lines[i].trim().is_empty() && !lines[i].starts_with('#')
            })?;
            lines.remove(other);
        }
        RenameHeading => {
            let h = lines.iter().position(|l| l.starts_with('#'))?;
            lines[h].push_str(" (revised)");
        }
        ReorderLines => {
            let last = lines.len() - 1;
            if last == line_no || body >= last {
                return None;
            }
            let moved = lines.remove(line_no);
            lines.insert(body, format!("{moved}\n"));
        }
        DuplicateElsewhere => lines.insert(body, format!("\nSee also: {quote}.\n")),
        EmojiBefore => lines.insert(body, "\n🦀 🧠 notes 👩🏽‍💻\n".into()),
        CombiningMarksBefore => {
            lines.insert(body, "\nCafe\u{301} e\u{301}tude nai\u{308}ve.\n".into())
        }
        TypoInside => {
            let mid = quote.char_indices().nth(quote.chars().count() / 2)?.0;
            let c = quote[mid..].chars().next()?;
            if !c.is_alphanumeric() {
                return None;
            }
            let fixed = format!(
                "{}{}{}",
                &quote[..mid],
                if c == 'x' { 'y' } else { 'x' },
                &quote[mid + c.len_utf8()..]
            );
            lines[line_no] = quote_line.replacen(quote, &fixed, 1);
            expected = Some(fixed);
            quote_unchanged = false;
        }
        WhitespaceInside => {
            let spaced = quote.replacen(' ', "  ", 1);
            lines[line_no] = quote_line.replacen(quote, &spaced, 1);
            expected = Some(spaced);
            quote_unchanged = false;
        }
        DeleteQuote => {
            lines.remove(line_no);
            expected = None;
            quote_unchanged = false;
        }
    }
    let new_source = lines.join("\n");
    let new_text = text_of(&new_source);
    let got = anchor(&new_text, &selector, hint);
    let result = match (got, &expected) {
        (None, None) => "right",
        (None, Some(_)) => "orphan",
        (Some(_), None) => "wrong",
        (Some(a), Some(want)) => {
            let found: String = new_text
                .chars()
                .skip(a.position.start)
                .take(a.position.end - a.position.start)
                .collect();
            let before: String = new_text.chars().take(a.position.start).collect();
            let is_copy = edit == DuplicateElsewhere && before.ends_with("See also: ");
            if &found == want
                && !is_copy
                && (a.status == Status::Anchored || a.status == Status::Moved)
            {
                "right"
            } else {
                eprintln!("wrong: {edit:?} wanted {want:?}, found {found:?}");
                "wrong"
            }
        }
    };
    Some(Outcome {
        edit,
        quote_unchanged,
        result,
    })
}

#[test]
fn realistic_edits_keep_annotations_in_the_right_place() {
    let dir = TestVault::bundled();
    let vault = dir.open();
    let mut sources: Vec<String> = vault
        .scan()
        .notes
        .iter()
        .map(|n| vault.read(&n.id).unwrap())
        .collect();
    sources.push(
        "---\ntitle: Synthetic\n---\n# Synthetic\n\nThe first paragraph talks about consistent hashing rings.\n\n## Part two\n\nReplicas are placed on the next three nodes clockwise.\nEach write goes to a quorum of two replicas before it is acknowledged.\n\n## Part three\n\nRead repair fixes stale replicas when a read sees different versions.\n"
            .into(),
    );
    let mut outcomes = Vec::new();
    for source in &sources {
        for (line_no, line) in plain_lines(source).into_iter().take(4) {
            let Some(quote) = quote_from(&line) else {
                continue;
            };
            for edit in EDITS {
                if let Some(o) = run_case(source, line_no, &quote, edit) {
                    outcomes.push(o);
                }
            }
        }
    }
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let unchanged = count(&|o| o.quote_unchanged);
    let unchanged_right = count(&|o| o.quote_unchanged && o.result == "right");
    let changed = count(&|o| !o.quote_unchanged);
    let changed_right = count(&|o| !o.quote_unchanged && o.result == "right");
    let orphans = count(&|o| o.result == "orphan");
    let wrong = count(&|o| o.result == "wrong");
    println!("anchoring suite: {} cases", outcomes.len());
    println!(
        "  quote unchanged: {unchanged_right}/{unchanged} right ({:.1} %)",
        100.0 * unchanged_right as f64 / unchanged as f64
    );
    println!(
        "  quote edited or deleted: {changed_right}/{changed} right ({:.1} %)",
        100.0 * changed_right as f64 / changed.max(1) as f64
    );
    println!("  orphaned although findable: {orphans}; silently wrong: {wrong}");
    for edit in EDITS {
        let of = |r: &str| {
            outcomes
                .iter()
                .filter(|o| o.edit == edit && o.result == r)
                .count()
        };
        println!(
            "  {edit:?}: {} right, {} orphan, {} wrong",
            of("right"),
            of("orphan"),
            of("wrong")
        );
    }
    assert!(outcomes.len() >= 200, "only {} cases", outcomes.len());
    assert_eq!(wrong, 0, "annotations landed in the wrong place");
    assert!(
        unchanged_right as f64 >= 0.99 * unchanged as f64,
        "{unchanged_right}/{unchanged}"
    );
}
