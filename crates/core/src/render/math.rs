//! `$…$` and `$$…$$` rendered to MathML in Rust (pulldown-latex), which WebKitGTK, WebView2
//! and WKWebView draw natively: no script, no web font download. The MathML still goes through
//! the sanitiser with the rest of the note, so a TeX command that produced markup we do not
//! allow loses it there.
//!
//! Bad TeX never breaks a note: the source is shown as code with a quiet error mark whose
//! tooltip says what is wrong. TeX is untrusted input like the rest of the note, so formulas
//! that could make the parser work without bound — very long ones, very deep nesting, macro
//! definitions (which can expand exponentially) — are shown as source too.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::code::escape_text;

/// Longer formulas are shown as source (a page-long matrix is ~3 KB).
const MAX_TEX_BYTES: usize = 16 * 1024;
/// Deeper `{` nesting is shown as source; no real formula nests this deep.
const MAX_NESTING: usize = 48;
/// More commands than this are shown as source: commands nest without braces
/// (`\frac\frac\frac…`), and the parser recurses for each (3,000 overflowed a 2 MB stack).
const MAX_COMMANDS: usize = 800;

/// MathML for `tex`, or the source marked as not rendered.
pub(crate) fn render(tex: &str, display: bool) -> String {
    match to_mathml(tex, display) {
        Ok(mathml) => mathml,
        Err(why) => {
            let delimiter = if display { "$$" } else { "$" };
            let mut html = String::from("<code class=\"math-error\" title=\"");
            super::escape_attr(&mut html, &format!("Not shown as math: {why}"));
            html.push_str("\">");
            escape_text(&mut html, &format!("{delimiter}{tex}{delimiter}"));
            html.push_str("</code>");
            html
        }
    }
}

fn to_mathml(tex: &str, display: bool) -> Result<String, String> {
    if tex.len() > MAX_TEX_BYTES {
        return Err(format!("longer than {} KB", MAX_TEX_BYTES / 1024));
    }
    if nesting(tex) > MAX_NESTING {
        return Err(format!("nested more than {MAX_NESTING} levels deep"));
    }
    if tex.matches('\\').count() > MAX_COMMANDS {
        return Err(format!("more than {MAX_COMMANDS} commands"));
    }
    for command in [
        "\\def",
        "\\newcommand",
        "\\renewcommand",
        "\\let",
        "\\gdef",
        "\\edef",
    ] {
        if let Some(at) = tex.find(command) {
            let after = tex[at + command.len()..].chars().next();
            if !after.is_some_and(|c| c.is_ascii_alphabetic()) {
                return Err(format!("{command} (macros are not run in notes)"));
            }
        }
    }
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        // The parser's message is a multi-line diagram; its first line says what is wrong.
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("not valid TeX");
        return Err(first.trim_start_matches("parsing error: ").to_string());
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut out = String::new();
    push_mathml(&mut out, events.into_iter(), config).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The deepest `{`/`\left` nesting of `tex`.
fn nesting(tex: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = tex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let rest = &tex[i..];
                if rest.starts_with("\\left") {
                    depth += 1;
                } else if rest.starts_with("\\right") {
                    depth = depth.saturating_sub(1);
                }
                i += 1; // the escaped character is skipped below
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
        i += 1;
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_inline_and_as_blocks() {
        let inline = render("O(n \\log n)", false);
        assert!(inline.starts_with("<math display=\"inline\">"), "{inline}");
        assert!(inline.contains("<mi>log</mi>"));
        let block = render("\\sum_{i=1}^n i = \\frac{n(n+1)}{2}", true);
        assert!(block.starts_with("<math display=\"block\">") && block.contains("<mfrac>"));
    }

    #[test]
    fn bad_tex_shows_its_source_with_a_quiet_mark() {
        let html = render("\\frac{1}{", false);
        assert!(html.starts_with("<code class=\"math-error\" title=\"Not shown as math: "));
        assert!(html.contains(">$\\frac{1}{$</code>"), "{html}");
        let html = render("x < y \\foo", true);
        assert!(html.contains("$$x &lt; y \\foo$$"), "{html}");
    }

    #[test]
    fn hostile_tex_is_bounded_and_never_markup() {
        // Links and scripts through TeX: no href or script survives; the text stays text.
        for tex in [
            "\\href{javascript:alert(1)}{x}",
            "\\url{javascript:alert(1)}",
            "\\text{<script>alert(1)</script>}",
            "\\htmlClass{x}{y}",
        ] {
            let html = render(tex, false);
            assert!(
                !html.contains("<script") && !html.contains("href="),
                "{tex}: {html}"
            );
        }
        // Macros could expand without bound; deep nesting and huge input are refused.
        let bomb = "\\def\\a{xx}\\def\\b{\\a\\a}\\def\\c{\\b\\b} \\c";
        assert!(render(bomb, false).contains("math-error"));
        assert!(render("\\newcommand{\\x}{y} \\x", false).contains("math-error"));
        assert!(
            render("\\defn", false).contains("math-error"),
            "an unknown command"
        );
        let deep = format!("{}x{}", "{".repeat(5000), "}".repeat(5000));
        assert!(render(&deep, false).contains("nested more than"));
        let deep_left = format!("{}x{}", "\\left(".repeat(200), "\\right)".repeat(200));
        assert!(render(&deep_left, false).contains("nested more than"));
        assert!(render(&"x+".repeat(20_000), true).contains("longer than"));
        let chain = "\\frac".repeat(MAX_COMMANDS + 1) + "12";
        assert!(render(&chain, true).contains("more than 800 commands"));
    }

    #[test]
    fn the_largest_accepted_formulas_render_on_a_small_stack() {
        // The app renders on threads with 2 MB stacks; the worst accepted input must fit.
        let at_limit = [
            format!("{}x{}", "{".repeat(MAX_NESTING), "}".repeat(MAX_NESTING)),
            format!(
                "{}x{}",
                "\\frac{1}{".repeat(MAX_NESTING),
                "}".repeat(MAX_NESTING)
            ),
            format!(
                "{}x{}",
                "\\sqrt{".repeat(MAX_NESTING),
                "}".repeat(MAX_NESTING)
            ),
            "x^".repeat(MAX_TEX_BYTES / 2 - 1) + "x",
            "\\frac".repeat(MAX_COMMANDS) + "12",
            "\\sqrt".repeat(MAX_COMMANDS) + "2",
            "\\hat".repeat(MAX_COMMANDS) + "x",
            "\\overline".repeat(MAX_COMMANDS) + "x",
            "a_".repeat(MAX_TEX_BYTES / 2 - 1) + "x",
        ];
        let worker = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                at_limit
                    .iter()
                    .map(|t| render(t, true).len())
                    .sum::<usize>()
            })
            .unwrap();
        assert!(worker.join().unwrap() > 0);
    }
}
