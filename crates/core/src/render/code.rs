//! Fenced code coloured by language, at render time, in Rust.
//!
//! tree-sitter grammars are compiled into the binary (no files to find at run time, nothing
//! downloaded) and their highlight queries name what each token is (`keyword`, `string`, …).
//! The output is `<span class="hl-keyword">` and the like, never an inline colour, so the
//! theme's CSS colours it and light and dark follow the window. A language without a grammar
//! here is shown plain. The HTML is built from the code's text escaped by us, so it is safe by
//! construction; the renderer still sanitises the plain version of each block and swaps the
//! coloured one in afterwards (see `render::render`), which keeps the sanitiser's work small.

use std::sync::OnceLock;

use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

/// The token kinds the theme colours. A query's capture (`function.method.call`) takes the
/// longest of these that prefixes it (`function`); captures matching none stay uncoloured.
const KINDS: &[&str] = &[
    "attribute",
    "boolean",
    "comment",
    "constant",
    "constant.builtin",
    "constructor",
    "embedded",
    "escape",
    "function",
    "function.builtin",
    "keyword",
    "label",
    "module",
    "number",
    "operator",
    "property",
    "punctuation",
    "string",
    "string.special",
    "tag",
    "type",
    "type.builtin",
    "variable.builtin",
    "variable.parameter",
];

/// Blocks larger than this are shown plain: colouring is linear but a 5 MB log pasted into a
/// note should not hold the reader for a quarter of a second.
const MAX_CODE_BYTES: usize = 512 * 1024;

/// One language: the names a fence may give it and how to build its configuration.
struct Language {
    names: &'static [&'static str],
    build: fn() -> Option<HighlightConfiguration>,
}

fn config(
    language: tree_sitter_language::LanguageFn,
    name: &str,
    highlights: &[&str],
    injections: &str,
) -> Option<HighlightConfiguration> {
    let query = highlights.concat();
    match HighlightConfiguration::new(language.into(), name, &query, injections, "") {
        Ok(mut c) => {
            c.configure(KINDS);
            Some(c)
        }
        Err(e) => {
            // A grammar whose query does not compile is shown plain; the unit tests catch it.
            tracing::warn!("highlighting for {name} is off: {e}");
            None
        }
    }
}

const LANGUAGES: &[Language] = &[
    Language {
        names: &["rust", "rs"],
        build: || {
            config(
                tree_sitter_rust::LANGUAGE,
                "rust",
                &[tree_sitter_rust::HIGHLIGHTS_QUERY],
                tree_sitter_rust::INJECTIONS_QUERY,
            )
        },
    },
    Language {
        names: &["python", "py", "python3"],
        build: || {
            config(
                tree_sitter_python::LANGUAGE,
                "python",
                &[tree_sitter_python::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["javascript", "js", "jsx", "mjs", "cjs", "node"],
        build: || {
            config(
                tree_sitter_javascript::LANGUAGE,
                "javascript",
                &[
                    tree_sitter_javascript::JSX_HIGHLIGHT_QUERY,
                    tree_sitter_javascript::HIGHLIGHT_QUERY,
                ],
                "",
            )
        },
    },
    Language {
        names: &["typescript", "ts"],
        build: || {
            config(
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
                "typescript",
                &[
                    tree_sitter_typescript::HIGHLIGHTS_QUERY,
                    tree_sitter_javascript::HIGHLIGHT_QUERY,
                ],
                "",
            )
        },
    },
    Language {
        names: &["tsx"],
        build: || {
            config(
                tree_sitter_typescript::LANGUAGE_TSX,
                "tsx",
                &[
                    tree_sitter_typescript::HIGHLIGHTS_QUERY,
                    tree_sitter_javascript::JSX_HIGHLIGHT_QUERY,
                    tree_sitter_javascript::HIGHLIGHT_QUERY,
                ],
                "",
            )
        },
    },
    Language {
        names: &["go", "golang"],
        build: || {
            config(
                tree_sitter_go::LANGUAGE,
                "go",
                &[tree_sitter_go::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["java"],
        build: || {
            config(
                tree_sitter_java::LANGUAGE,
                "java",
                &[tree_sitter_java::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["c", "h"],
        build: || {
            config(
                tree_sitter_c::LANGUAGE,
                "c",
                &[tree_sitter_c::HIGHLIGHT_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["cpp", "c++", "cc", "cxx", "hpp"],
        build: || {
            config(
                tree_sitter_cpp::LANGUAGE,
                "cpp",
                &[
                    tree_sitter_cpp::HIGHLIGHT_QUERY,
                    tree_sitter_c::HIGHLIGHT_QUERY,
                ],
                "",
            )
        },
    },
    Language {
        names: &["csharp", "cs", "c#"],
        build: || {
            config(
                tree_sitter_c_sharp::LANGUAGE,
                "csharp",
                &[tree_sitter_c_sharp::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["bash", "sh", "shell", "zsh"],
        build: || {
            config(
                tree_sitter_bash::LANGUAGE,
                "bash",
                &[tree_sitter_bash::HIGHLIGHT_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["json", "jsonc"],
        build: || {
            config(
                tree_sitter_json::LANGUAGE,
                "json",
                &[tree_sitter_json::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["html", "htm", "xhtml"],
        build: || {
            config(
                tree_sitter_html::LANGUAGE,
                "html",
                &[tree_sitter_html::HIGHLIGHTS_QUERY],
                tree_sitter_html::INJECTIONS_QUERY,
            )
        },
    },
    Language {
        names: &["css"],
        build: || {
            config(
                tree_sitter_css::LANGUAGE,
                "css",
                &[tree_sitter_css::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["yaml", "yml"],
        build: || {
            config(
                tree_sitter_yaml::LANGUAGE,
                "yaml",
                &[tree_sitter_yaml::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["toml"],
        build: || {
            config(
                tree_sitter_toml_ng::LANGUAGE,
                "toml",
                &[tree_sitter_toml_ng::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
    Language {
        names: &["ruby", "rb"],
        build: || {
            config(
                tree_sitter_ruby::LANGUAGE,
                "ruby",
                &[tree_sitter_ruby::HIGHLIGHTS_QUERY],
                "",
            )
        },
    },
];

/// Each language's configuration, built the first time a note uses it (a query compiles in
/// 5–40 ms; most notes use one or two languages).
fn configuration(index: usize) -> Option<&'static HighlightConfiguration> {
    static BUILT: OnceLock<Vec<OnceLock<Option<HighlightConfiguration>>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| LANGUAGES.iter().map(|_| OnceLock::new()).collect());
    built
        .get(index)?
        .get_or_init(|| (LANGUAGES[index].build)())
        .as_ref()
}

fn language_index(name: &str) -> Option<usize> {
    let name = name.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .position(|l| l.names.contains(&name.as_str()))
}

/// The language a fence's info string names (its first word, `{.rust}` and `rust,ignore`
/// forms included), lower-cased; empty when none.
pub(crate) fn fence_language(info: &str) -> String {
    let first = info.split_whitespace().next().unwrap_or("");
    let first = first.trim_start_matches('{').trim_start_matches('.');
    let first = first.split([',', '{', '}']).next().unwrap_or("");
    first.to_ascii_lowercase()
}

/// The inner HTML of a `<code>` element showing `code` coloured as `language`: escaped text and
/// `<span class="hl-…">` elements only. `None` when the language is unknown, the block too big,
/// or the grammar gave up (the caller then shows the code plain).
pub(crate) fn highlight(language: &str, code: &str) -> Option<String> {
    if code.len() > MAX_CODE_BYTES {
        return None;
    }
    let index = language_index(language)?;
    let key = (index, crate::fingerprint::fnv1a(code.as_bytes()));
    if let Some(html) = recent::get(key, code) {
        return Some(html);
    }
    let html = colour(index, code)?;
    recent::put(key, code, &html);
    Some(html)
}

/// Blocks coloured lately, by language and text: a note is rendered again on every save,
/// outside change and reopening, and its code rarely changed (100 KB of Rust takes ~50 ms to
/// colour, ~0.1 ms to find here). Bounded by bytes; the oldest go first. A hit compares the
/// code itself, not only its hash: FNV collisions can be made on purpose, and a note must never
/// show another note's code.
mod recent {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    type Key = (usize, u64);
    type Entry = (Key, String, String);
    const MAX_BYTES: usize = 16 * 1024 * 1024;
    static CACHE: Mutex<(VecDeque<Entry>, usize)> = Mutex::new((VecDeque::new(), 0));

    pub(super) fn get(key: Key, code: &str) -> Option<String> {
        let cache = CACHE.lock().ok()?;
        cache
            .0
            .iter()
            .find(|(k, c, _)| *k == key && c == code)
            .map(|(_, _, html)| html.clone())
    }

    pub(super) fn put(key: Key, code: &str, html: &str) {
        let size = code.len() + html.len();
        if size > MAX_BYTES / 4 {
            return;
        }
        let Ok(mut cache) = CACHE.lock() else {
            return;
        };
        let (entries, bytes) = &mut *cache;
        entries.push_back((key, code.to_string(), html.to_string()));
        *bytes += size;
        while *bytes > MAX_BYTES {
            match entries.pop_front() {
                Some((_, c, h)) => *bytes -= c.len() + h.len(),
                None => break,
            }
        }
    }
}

/// Blocks larger than this are coloured in pieces, on every core.
const PIECE_BYTES: usize = 24 * 1024;

/// Colours `code` with language `index` of [`LANGUAGES`]. A large block is cut at blank lines
/// followed by a line that starts at the margin (where top-level items begin in most
/// languages) and its pieces coloured in parallel: 100 KB of Rust took ~55 ms on one core. A
/// string or comment spanning such a cut is coloured as code after it — a cosmetic slip in
/// blocks this large; the text is never changed.
fn colour(index: usize, code: &str) -> Option<String> {
    if code.len() <= PIECE_BYTES {
        return colour_piece(index, code);
    }
    use rayon::prelude::*;
    let pieces = pieces(code, PIECE_BYTES);
    let coloured: Option<Vec<String>> = pieces
        .par_iter()
        .map(|piece| colour_piece(index, piece))
        .collect();
    Some(coloured?.concat())
}

/// `code` cut into pieces of about `size` bytes, each ending just before a line that starts at
/// the margin after a blank line (or where no such place comes, left whole).
fn pieces(code: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while code.len() - start > size {
        let Some(cut) = code[start + size / 2..]
            .match_indices("\n\n")
            .map(|(at, _)| start + size / 2 + at + 2)
            .find(|&at| {
                code[at..]
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_whitespace())
            })
        else {
            break;
        };
        out.push(&code[start..cut]);
        start = cut;
    }
    out.push(&code[start..]);
    out
}

fn colour_piece(index: usize, code: &str) -> Option<String> {
    let config = configuration(index)?;
    thread_local! {
        static HIGHLIGHTER: std::cell::RefCell<Highlighter> =
            std::cell::RefCell::new(Highlighter::new());
    }
    HIGHLIGHTER.with(|h| {
        let mut highlighter = h.try_borrow_mut().ok()?;
        let events = highlighter
            .highlight(config, code.as_bytes(), None, None, |injected| {
                configuration(language_index(injected)?)
            })
            .ok()?;
        let mut out = String::with_capacity(code.len() * 3);
        for event in events {
            match event.ok()? {
                HighlightEvent::Source { start, end } => {
                    escape_text(&mut out, code.get(start..end)?)
                }
                HighlightEvent::HighlightStart(kind) => {
                    out.push_str("<span class=\"hl-");
                    out.push_str(&KINDS.get(kind.0)?.replace('.', "-"));
                    out.push_str("\">");
                }
                HighlightEvent::HighlightEnd => out.push_str("</span>"),
            }
        }
        Some(out)
    })
}

/// Escapes text for an HTML text node.
pub(crate) fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of highlighted HTML (tags dropped, the three escapes undone).
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    #[test]
    fn every_language_builds_and_keeps_the_code_text_exactly() {
        let samples = [
            ("rust", "fn main() { let s = \"<b>&\"; // done\n}\n"),
            ("python", "def f(x):\n    return x < 2 and 'a&b'\n"),
            ("js", "const a = b => `x${b}` < 3; // c\n"),
            ("jsx", "const a = <div className=\"x\">{y}</div>;\n"),
            (
                "ts",
                "let n: number = 1 as any; interface A { b?: string }\n",
            ),
            ("tsx", "const a: JSX.Element = <A b={1} />;\n"),
            ("go", "package main\nfunc main() { fmt.Println(\"hi\") }\n"),
            (
                "java",
                "class A { public static void main(String[] a) {} }\n",
            ),
            ("c", "#include <stdio.h>\nint main(void) { return 0; }\n"),
            ("cpp", "template<class T> T f(T x) { return x; }\n"),
            ("cs", "class A { static void Main() { var x = 1; } }\n"),
            ("bash", "for f in *.md; do echo \"$f\" > /dev/null; done\n"),
            ("json", "{\"a\": [1, true, null, \"x\"]}\n"),
            (
                "html",
                "<p class=\"x\">a &amp; b</p><script>let a = 1;</script>\n",
            ),
            ("css", "a:hover { color: #fff; }\n"),
            ("yaml", "a: 1\nb: [x, \"y\"]\n"),
            ("toml", "[package]\nname = \"x\"\n"),
            ("ruby", "def f(x) = x.map { |y| y * 2 }\n"),
        ];
        for (lang, code) in samples {
            let html = highlight(lang, code)
                .unwrap_or_else(|| panic!("{lang} has no working highlighter"));
            assert!(
                html.contains("<span class=\"hl-"),
                "{lang}: nothing coloured: {html}"
            );
            assert_eq!(text_of(&html), code, "{lang}: text changed");
        }
        // Every language of the table is reachable and builds.
        for (i, language) in LANGUAGES.iter().enumerate() {
            assert!(
                configuration(i).is_some(),
                "{:?} does not build",
                language.names
            );
        }
    }

    #[test]
    fn large_blocks_are_cut_at_top_level_blank_lines_and_keep_their_text() {
        let item = "fn item() {\n    let s = \"a\";\n\n    call(s);\n}\n\n";
        let code = item.repeat(4 * PIECE_BYTES / item.len());
        let parts = pieces(&code, PIECE_BYTES);
        assert!(parts.len() >= 3, "{} pieces", parts.len());
        assert_eq!(parts.concat(), code);
        for part in &parts[1..] {
            assert!(
                part.starts_with("fn item()"),
                "cut inside an item: {:?}",
                &part[..20]
            );
        }
        let html = highlight("rust", &code).unwrap();
        assert_eq!(text_of(&html), code);
        assert_eq!(
            html.matches("<span class=\"hl-keyword\">fn</span>").count(),
            code.matches("fn item").count()
        );
        // No place to cut: one piece.
        assert_eq!(pieces(&"x".repeat(3 * PIECE_BYTES), PIECE_BYTES).len(), 1);
    }

    #[test]
    fn hostile_code_stays_text() {
        let code = "</code></pre><script>alert(1)</script><img src=x onerror=alert(1)>";
        for lang in ["html", "rust", "js"] {
            let html = highlight(lang, code).unwrap();
            assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("</pre"));
            assert_eq!(text_of(&html), code);
        }
    }

    #[test]
    fn fences_name_their_language_in_many_forms() {
        assert_eq!(fence_language("rust"), "rust");
        assert_eq!(fence_language("Rust ignore"), "rust");
        assert_eq!(fence_language("rust,no_run"), "rust");
        assert_eq!(fence_language("{.python}"), "python");
        assert_eq!(fence_language(""), "");
        for (name, known) in [("PY", true), ("c++", true), ("brainfuck", false)] {
            assert_eq!(language_index(name).is_some(), known, "{name}");
        }
        assert!(highlight("brainfuck", "+++").is_none());
        assert!(highlight("rust", &"x".repeat(MAX_CODE_BYTES + 1)).is_none());
    }
}
