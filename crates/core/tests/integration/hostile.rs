//! Hostile notes: every payload of `fixtures/xss-payloads.txt` (72 vectors, separated by `%%`
//! lines) rendered through the real pipeline leaves nothing that can run, navigate or load
//! from elsewhere. The end-to-end suite renders the same file in the real window.

use margin_core::Note;

pub const PAYLOADS: &str = include_str!("fixtures/xss-payloads.txt");

pub fn payloads() -> Vec<&'static str> {
    PAYLOADS
        .split("\n%%\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn no_payload_survives_sanitising() {
    let all = payloads();
    assert!(all.len() >= 60, "{} payloads", all.len());
    for (i, payload) in all.iter().enumerate() {
        let note = Note::from_source("x.md", payload, &[]);
        let problems = margin_core::invariants::unsafe_parts(&note.html);
        assert!(
            problems.is_empty(),
            "payload {i} left {problems:?}: {payload:?} → {}",
            note.html
        );
    }
}

/// Notes built to hurt the parser: each renders (or is refused) quickly, and never crashes.
#[test]
fn pathological_notes_render_in_bounded_time() {
    let cases: Vec<(&str, String)> = vec![
        ("100k nested quotes", "> ".repeat(100_000) + "deep"),
        (
            "100k nested lists",
            (0..100_000)
                .map(|i| format!("{}- x\n", "  ".repeat(i % 200)))
                .collect(),
        ),
        ("deep list nesting", "- ".repeat(50_000) + "x"),
        ("1M lines", "a\n".repeat(1_000_000)),
        ("emphasis runs", "*a **a ***a ".repeat(50_000)),
        ("unclosed emphasis", "*".repeat(200_000)),
        ("brackets", "[".repeat(100_000) + &"]".repeat(100_000)),
        (
            "link refs",
            "[a]: b\n".repeat(50_000) + &"[a] ".repeat(50_000),
        ),
        ("html nesting", "<div>".repeat(50_000)),
        (
            "table",
            "|a|b|\n|-|-|\n".to_string() + &"|x|y|\n".repeat(100_000),
        ),
        (
            "front matter not yaml",
            "---\n: : : [\n---\n# Body\n".to_string(),
        ),
        ("empty", String::new()),
    ];
    for (what, source) in cases {
        let started = std::time::Instant::now();
        let note = Note::from_source("x.md", &source, &[]);
        let elapsed = started.elapsed();
        println!(
            "{what}: {} bytes → {} bytes of HTML in {elapsed:?}",
            source.len(),
            note.html.len()
        );
        assert!(
            elapsed < std::time::Duration::from_secs(10),
            "{what} took {elapsed:?}"
        );
    }
}
