//! The reader's rendering of what study notes hold beyond prose: 100 KB of code coloured
//! (target ≤ 50 ms), a note of formulas, and the same code through syntect — the other
//! well-kept Rust highlighter — so the choice of tree-sitter stays measured.

use std::time::Instant;

use anyhow::Result;
use margin_core::render::{render, LinkContext};
use serde_json::{json, Value};

use crate::percentile;

/// 100 KB of real Rust (Margin's own annotation store, repeated) in one fenced block.
fn rust_100k() -> String {
    let source = include_str!("../../core/src/annotations.rs");
    let mut code = String::new();
    while code.len() < 100_000 {
        code.push_str(source);
    }
    let cut = code[..100_000].rfind('\n').unwrap_or(0) + 1;
    code.truncate(cut);
    code
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut run, mut longest) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn time_ms(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1000.0
}

/// First render (the grammar's query compiled then) and the p50/p95 of 20 more.
fn runs(mut f: impl FnMut()) -> (f64, f64, f64) {
    let first = time_ms(&mut f);
    let mut warm: Vec<f64> = (0..20).map(|_| time_ms(&mut f)).collect();
    warm.sort_by(f64::total_cmp);
    (first, percentile(&warm, 0.5), percentile(&warm, 0.95))
}

pub fn run() -> Result<Value> {
    let code = rust_100k();
    // A fence longer than any run of backticks in the code, so the code cannot close it.
    let fence = "`".repeat(longest_run(&code, '`').max(2) + 1);
    let note = format!("# Code\n\n{fence}rust\n{code}{fence}\n");
    let ctx = LinkContext::default();
    let coloured = render(&note, &ctx);
    anyhow::ensure!(
        coloured.html.contains("hl-keyword") && coloured.text == format!("Code\n{code}"),
        "the 100 KB block was not coloured whole"
    );
    // Each timed render colours new code (a line of its own at the end), as opening another
    // note would; the renderer keeps recent blocks, timed apart as a render of the same note
    // again (a save, an outside change, reopening).
    let mut round = 0;
    let (first, p50, p95) = runs(|| {
        round += 1;
        let fresh = format!("# Code\n\n{fence}rust\n{code}// round {round}\n{fence}\n");
        render(&fresh, &ctx);
    });
    let (_, again_p50, _) = runs(|| {
        render(&note, &ctx);
    });
    let plain_note = format!("# Code\n\n{fence}text\n{code}{fence}\n");
    let (_, plain_p50, _) = runs(|| {
        render(&plain_note, &ctx);
    });
    let formulas: String = (0..200)
        .map(|i| {
            format!("Step {i}: $\\sum_{{k=1}}^{{{i}}} \\frac{{k^2}}{{2}} = O(n^3)$ holds.\n\n")
        })
        .collect();
    let (_, math_p50, _) = runs(|| {
        render(&formulas, &ctx);
    });
    let syntect = {
        use syntect::html::{ClassStyle, ClassedHTMLGenerator};
        use syntect::parsing::SyntaxSet;
        use syntect::util::LinesWithEndings;
        let set = SyntaxSet::load_defaults_newlines();
        let rust = set.find_syntax_by_token("rust");
        rust.map(|syntax| {
            runs(|| {
                let mut html = ClassedHTMLGenerator::new_with_class_style(
                    syntax,
                    &set,
                    ClassStyle::SpacedPrefixed { prefix: "hl-" },
                );
                for line in LinesWithEndings::from(&code) {
                    let _ = html.parse_html_for_line_which_includes_newline(line);
                }
                html.finalize();
            })
        })
    };
    Ok(json!({
        "code_100k_first_ms": first,
        "code_100k_p50_ms": p50,
        "code_100k_p95_ms": p95,
        "code_100k_again_p50_ms": again_p50,
        "code_100k_plain_p50_ms": plain_p50,
        "syntect_100k_p50_ms": syntect.map(|s| s.1),
        "formulas_200_p50_ms": math_p50,
    }))
}
