//! Does search find what was meant? Two checks, each a number a change can move:
//!
//! - **CJK recall** on the corpus index: words (2–4 characters of a Chinese, Japanese or Korean
//!   run) taken from the corpus's `pages.zh`, `pages.zh_TW`, `pages.ja` and `pages.ko` pages;
//!   the truth is every page of those folders whose text holds the word (what grep finds);
//!   Margin's first 50 notes should hold them all (or 50 of them when there are more), and the
//!   first hit's snippet should mark the word.
//! - **Known item** on a book Margin has not been tuned on: The Rust Programming Language as
//!   rustup installs it (`share/doc/rust/html/book`, one note per chapter). Five words (3+
//!   letters, in order) of one sentence are the query; the reciprocal rank of the sentence's
//!   chapter, averaged (MRR) — as typed exactly, with one typo in one word, and with the last
//!   word cut to 4 letters as the window types it. Skipped, loudly, where the book is missing.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use margin_core::search::words::is_cjk;
use margin_core::search::SearchIndex;
use margin_core::Vault;
use serde_json::{json, Value};

use crate::Lcg;

/// Words drawn for the CJK check.
const CJK_WORDS: usize = 120;
/// Sentences drawn for the known-item check.
const SENTENCES: usize = 60;

/// Distinct notes of the hits for `query`, best first.
fn ranked_notes(index: &SearchIndex, query: &str, as_you_type: bool, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for hit in index
        .search(query, limit * 4, as_you_type)
        .unwrap_or_default()
    {
        if !out.contains(&hit.note) {
            out.push(hit.note);
            if out.len() == limit {
                break;
            }
        }
    }
    out
}

/// CJK recall over the corpus (`ids` of `vault`, indexed in `index`).
pub fn cjk(vault: &Vault, ids: &[String], index: &SearchIndex) -> Result<Value> {
    let pages: Vec<(String, String)> = ids
        .iter()
        .filter(|id| {
            ["pages.zh/", "pages.zh_TW/", "pages.ja/", "pages.ko/"]
                .iter()
                .any(|p| id.starts_with(p))
        })
        .filter_map(|id| Some((id.clone(), vault.read(id).ok()?)))
        .collect();
    if pages.is_empty() {
        return Ok(
            json!({ "skipped": "the corpus has no pages.zh, pages.zh_TW, pages.ja or pages.ko" }),
        );
    }
    let mut rng = Lcg(7);
    let mut words: Vec<String> = Vec::new();
    let mut tries = 0;
    while words.len() < CJK_WORDS && tries < CJK_WORDS * 50 {
        tries += 1;
        let (_, text) = rng.pick(&pages);
        let runs: Vec<Vec<char>> = text
            .split(|c: char| !is_cjk(c))
            .map(|r| r.chars().collect::<Vec<char>>())
            .filter(|r| r.len() >= 2)
            .collect();
        if runs.is_empty() {
            continue;
        }
        let run = rng.pick(&runs);
        let len = 2 + (rng.next() as usize) % 3;
        let len = len.min(run.len());
        let at = (rng.next() as usize) % (run.len() - len + 1);
        let word: String = run[at..at + len].iter().collect();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    let (mut recall_sum, mut complete, mut marked, mut truth_total) = (0.0, 0, 0, 0);
    let mut misses: Vec<Value> = Vec::new();
    for word in &words {
        let truth: HashSet<&str> = pages
            .iter()
            .filter(|(_, text)| text.contains(word.as_str()))
            .map(|(id, _)| id.as_str())
            .collect();
        truth_total += truth.len();
        let found = ranked_notes(index, word, false, 50);
        let got = found.iter().filter(|n| truth.contains(n.as_str())).count();
        let recall = got as f64 / truth.len().clamp(1, 50) as f64;
        recall_sum += recall.min(1.0);
        if recall >= 1.0 {
            complete += 1;
        } else if misses.len() < 10 {
            misses.push(json!({ "word": word, "pages": truth.len(), "found": got }));
        }
        let first = index.search(word, 1, false).unwrap_or_default();
        if let Some(hit) = first.first() {
            let chars: Vec<char> = hit.snippet.chars().collect();
            if hit.ranges.iter().any(|r| {
                chars
                    .get(r[0]..r[1])
                    .is_some_and(|m| m.iter().collect::<String>().contains(word.as_str()))
            }) {
                marked += 1;
            }
        }
    }
    let n = words.len().max(1) as f64;
    Ok(json!({
        "words": words.len(),
        "pages": pages.len(),
        "mean_pages_per_word": truth_total as f64 / n,
        "recall_top50": recall_sum / n,
        "words_fully_found": complete,
        "first_snippet_marks_word": marked as f64 / n,
        "misses": misses,
    }))
}

/// The Rust book's chapters as rustup installs them, if it does.
fn rust_book() -> Option<PathBuf> {
    let home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))?;
    let mut toolchains: Vec<PathBuf> = fs::read_dir(home.join("toolchains"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("share/doc/rust/html/book"))
        .filter(|p| p.join("ch01-00-getting-started.html").is_file())
        .collect();
    toolchains.sort();
    toolchains.pop()
}

/// A chapter's paragraphs as plain text (html5ever, through Margin's own reader of HTML).
fn paragraphs(html: &str) -> Vec<String> {
    let main = html
        .split_once("<main>")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map_or(html, |(m, _)| m);
    main.split("<p>")
        .skip(1)
        .filter_map(|p| p.split_once("</p>").map(|(inner, _)| inner))
        .map(|inner| {
            margin_core::render::visible_text(inner)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| p.len() > 40)
        .collect()
}

fn typo(word: &str, rng: &mut Lcg) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    // A letter in the middle replaced by its neighbour in the alphabet: one edit.
    let at = 1 + (rng.next() as usize) % (chars.len() - 2);
    chars[at] = if chars[at] == 'z' {
        'y'
    } else {
        ((chars[at] as u8) + 1) as char
    };
    chars.into_iter().collect()
}

/// Known-item MRR on the Rust book (a vault of its chapters made in `scratch`).
pub fn known_item(scratch: &Path) -> Result<Value> {
    let Some(book) = rust_book() else {
        eprintln!("bench: SKIPPED the known-item check: the Rust book is not installed (rustup component add rust-docs)");
        return Ok(json!({ "skipped": "the Rust book (rustup's rust-docs) is not installed" }));
    };
    let vault_dir = scratch.join("rust-book");
    let _ = fs::remove_dir_all(scratch);
    fs::create_dir_all(&vault_dir)?;
    let mut chapters: Vec<(String, Vec<String>)> = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(&book)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                (n.starts_with("ch") || n.starts_with("appendix")) && n.ends_with(".html")
            })
        })
        .collect();
    files.sort();
    for file in files {
        let html = fs::read_to_string(&file)?;
        let paras = paragraphs(&html);
        if paras.is_empty() {
            continue;
        }
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("chapter");
        let id = format!("{stem}.md");
        fs::write(vault_dir.join(&id), paras.join("\n\n"))?;
        chapters.push((id, paras));
    }
    let vault = Vault::open(&vault_dir)?;
    let (index, _, _) =
        SearchIndex::for_vault(&vault, &scratch.join("cache"), None, &mut |_, _| true)?;
    let mut rng = Lcg(11);
    let mut rr = [0.0f64; 3];
    let mut drawn = 0;
    let mut tries = 0;
    let mut misses: Vec<Value> = Vec::new();
    while drawn < SENTENCES && tries < SENTENCES * 40 {
        tries += 1;
        let (id, paras) = rng.pick(&chapters);
        let para = rng.pick(paras);
        let sentences: Vec<&str> = para.split(". ").filter(|s| s.len() > 30).collect();
        if sentences.is_empty() {
            continue;
        }
        let sentence = rng.pick(&sentences);
        let eligible: Vec<String> = sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 && w.chars().all(|c| c.is_alphabetic()))
            .map(str::to_lowercase)
            .collect();
        if eligible.len() < 5 {
            continue;
        }
        let start = (rng.next() as usize) % (eligible.len() - 4);
        let words: Vec<String> = eligible[start..start + 5].to_vec();
        drawn += 1;
        let exact = words.join(" ");
        let mut typo_words = words.clone();
        if let Some(w) = typo_words.iter_mut().find(|w| w.len() >= 5) {
            *w = typo(w, &mut rng);
        }
        let mut cut_words = words.clone();
        if let Some(last) = cut_words.last_mut() {
            *last = last.chars().take(4).collect();
        }
        let forms = [
            (exact, false),
            (typo_words.join(" "), false),
            (cut_words.join(" "), true),
        ];
        for (k, (query, typing)) in forms.iter().enumerate() {
            let ranked = ranked_notes(&index, query, *typing, 20);
            let r = ranked
                .iter()
                .position(|n| n == id)
                .map_or(0.0, |p| 1.0 / (p + 1) as f64);
            rr[k] += r;
            if k == 0 && r < 1.0 && misses.len() < 8 {
                misses.push(json!({ "query": query, "note": id, "first": ranked.first() }));
            }
        }
    }
    let n = drawn.max(1) as f64;
    Ok(json!({
        "book": book.display().to_string(),
        "chapters": chapters.len(),
        "sentences": drawn,
        "mrr_exact": rr[0] / n,
        "mrr_one_typo": rr[1] / n,
        "mrr_last_word_cut_to_4": rr[2] / n,
        "misses_exact": misses,
    }))
}
