//! `cargo xtask mutants`: the tests that guard a promise, shown able to fail. Each mutant below
//! breaks one behaviour with a one-line change to the source, runs the test that claims to
//! guard it, and expects that test to fail; the source is put back afterwards whatever happens.
//! A mutant that no longer applies (its line changed) or that compiles but is not caught fails
//! the run, so the list cannot quietly rot. Not part of `cargo xtask test` (each mutant
//! rebuilds a crate); run it after touching a guarded part, and `--e2e` adds the mutants whose
//! guard is an end-to-end test in the real window.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::{cargo, root};

/// How a mutant is checked.
enum Guard {
    /// `cargo test` with these arguments (package, target, name filter).
    Cargo(&'static [&'static str]),
    /// The end-to-end test file of this name (the app rebuilt with the mutant in it).
    E2e(&'static str),
}

struct Mutant {
    /// The behaviour the change breaks.
    breaks: &'static str,
    file: &'static str,
    /// Text that occurs exactly once in `file`…
    from: &'static str,
    /// …and what it becomes.
    to: &'static str,
    guard: Guard,
}

const MUTANTS: &[Mutant] = &[
    Mutant {
        breaks: "notes inside the vault are read (the 100,000-id property test)",
        file: "crates/core/src/vault.rs",
        from: "        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;\n        decode_note(id, bytes)",
        to: "        let _ = &path;\n        Err(Error::io(&path, std::io::ErrorKind::PermissionDenied.into()))",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "properties::"]),
    },
    Mutant {
        breaks: "a read-only vault is noticed and its changes kept beside it",
        file: "crates/core/src/annotations.rs",
        from: "fn writable(dir: &Path) -> bool {\n    tempfile::Builder::new()",
        to: "fn writable(dir: &Path) -> bool {\n    true || tempfile::Builder::new()",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "read_only::"]),
    },
    Mutant {
        breaks: "the watcher hears a real write (positive control of the quiet-walk test)",
        file: "crates/core/src/watch.rs",
        from: "                if !changes.is_empty() {\n                    handler(changes);",
        to: "                if false && !changes.is_empty() {\n                    handler(changes);",
        guard: Guard::Cargo(&[
            "-p",
            "margin-core",
            "--test",
            "integration",
            "margins_own_walks_of_the_vault_wake_nothing",
        ]),
    },
    Mutant {
        breaks: "words near each other rank above the same words scattered",
        file: "crates/core/src/search/mod.rs",
        from: "const BOOST_NEAR: f32 = 8.0;\nconst BOOST_PHRASE: f32 = 8.0;",
        to: "const BOOST_NEAR: f32 = 0.0;\nconst BOOST_PHRASE: f32 = 0.0;",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "rank_above"]),
    },
    Mutant {
        breaks: "a long note edited in one section re-indexes only that section",
        file: "crates/core/src/search/mod.rs",
        from: "            if !old.contains(&key) {\n                writer.add_document(doc)?;",
        to: "            if true || !old.contains(&key) {\n                writer.add_document(doc)?;",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "a_long_note"]),
    },
    Mutant {
        breaks: "a note changed less than 2 s before the last walk is never trusted unseen",
        file: "crates/core/src/search/fresh.rs",
        from: "ms < self.racy_after_ms && folders.stamp(id) == Some((size, ms))",
        to: "folders.stamp(id) == Some((size, ms))",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "fresh::"]),
    },
    Mutant {
        breaks: "an image over the size limit is refused",
        file: "crates/core/src/vault.rs",
        from: "        if size > MAX_IMAGE_BYTES {",
        to: "        if size > MAX_IMAGE_BYTES * 1024 {",
        guard: Guard::Cargo(&[
            "-p",
            "margin-core",
            "--test",
            "integration",
            "images_are_served_with_their_type_up_to_the_size_limit",
        ]),
    },
    Mutant {
        breaks: "a note's own form controls are dropped by the sanitiser",
        file: "crates/core/src/render/mod.rs",
        from: "    b.rm_tags([\n        \"input\", ",
        to: "    b.add_tags([\"input\"]).rm_tags([\n        ",
        guard: Guard::Cargo(&["-p", "margin-core", "--lib", "form_controls"]),
    },
    Mutant {
        breaks: "a deletion on one computer beats an older edit on the other",
        file: "crates/core/src/annotations.rs",
        from: "    deleted.is_some_and(|d| parse_time(d) >= parse_time(updated))",
        to: "    deleted.is_some_and(|d| parse_time(d) >= parse_time(updated)) && updated.is_empty()",
        guard: Guard::Cargo(&["-p", "margin-core", "--test", "integration", "annotations::"]),
    },
    Mutant {
        breaks: "the editor's source map skips what the reader hides (a call-out's marker)",
        file: "crates/core/src/sourcemap.rs",
        from: "            out.push(start..start + marker.len);",
        to: "            let _ = (start, marker);",
        guard: Guard::Cargo(&["-p", "margin-core", "--lib", "sourcemap::"]),
    },
    Mutant {
        breaks: "a save killed half-way leaves the old or the new text (write in place instead \
                 of temp file + rename; the pause stands for a large file's write)",
        file: "crates/core/src/atomic.rs",
        from: "    let dir = path.parent().unwrap_or(Path::new(\".\")).to_path_buf();\n    fs::create_dir_all(&dir).map_err(failed)?;\n    let mut tmp",
        to: "    let dir = path.parent().unwrap_or(Path::new(\".\")).to_path_buf();\n    fs::create_dir_all(&dir).map_err(failed)?;\n    if path.extension().is_some_and(|e| e == \"md\") {\n        let mut f = fs::File::create(path).map_err(failed)?;\n        std::thread::sleep(std::time::Duration::from_millis(2));\n        return f.write_all(bytes).map_err(failed);\n    }\n    let mut tmp",
        guard: Guard::Cargo(&[
            "-p",
            "margin-cli",
            "--test",
            "writing",
            "killed_saves_leave_the_old_or_the_new_text",
        ]),
    },
    Mutant {
        breaks: "a week of log files is kept",
        file: "src-tauri/src/desktop.rs",
        from: "        .max_log_files(7)",
        to: "        .max_log_files(70)",
        guard: Guard::Cargo(&["-p", "margin-app", "--bin", "margin-app", "a_week_of_logs"]),
    },
    Mutant {
        breaks: "Ctrl+Q saves the editor's last words before quitting",
        file: "ui/main.js",
        from: "  const saved = editor.isOpen ? (await editor.save().then(() => true, () => false)) : true;",
        to: "  const saved = true;",
        guard: Guard::E2e("writing"),
    },
    Mutant {
        breaks: "a save that fails keeps the typed words as a draft for the next start",
        file: "src-tauri/src/writing.rs",
        from: "                if let Err(kept) = drafts.put(&id, &base, &text) {",
        to: "                if let Err(kept) = Ok::<(), margin_core::Error>(()) {",
        guard: Guard::E2e("writing"),
    },
    Mutant {
        breaks: "the tree's width is remembered",
        file: "ui/layout.js",
        from: "    settings.set('treeWidth', width);",
        to: "    void width;",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "the reading size is remembered",
        file: "ui/layout.js",
        from: "    settings.set('fontSize', fontSize);",
        to: "    void fontSize;",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "the tree is walked with the arrow keys",
        file: "ui/tree.js",
        from: "      case 'ArrowDown': focus(at + 1); break;",
        to: "      case 'ArrowDown': break;",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "Ctrl+Z brings back a deleted highlight",
        file: "ui/status.js",
        from: "        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z'",
        to: "        if (false && (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z'",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "the reading place is kept when the note changes on disk",
        file: "ui/main.js",
        from: "    if (keepScroll !== null) pane.scrollTop = keepScroll;",
        to: "    void keepScroll;",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "an orphan is attached to a new selection",
        file: "ui/annotations.js",
        from: "      const saved = await api.updateAnnotation(noteId, id, { range: offsets });",
        to: "      const saved = items.find((x) => x.id === id);",
        guard: Guard::E2e("promises"),
    },
    Mutant {
        breaks: "a highlight made with the mouse stores the offsets Rust computes",
        file: "ui/annotations.js",
        from: "    pending = offsets;\n",
        to: "    pending = { ...offsets, start: offsets.start + 1 };\n",
        guard: Guard::E2e("annotations"),
    },
];

/// Puts a mutated file back when dropped (also when the run fails or panics).
struct Restore {
    path: PathBuf,
    original: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(&self.path, &self.original) {
            eprintln!(
                "xtask: COULD NOT RESTORE {} ({e}): `git checkout -- {}`",
                self.path.display(),
                self.path.display()
            );
        }
    }
}

/// Runs every mutant (those guarded by end-to-end tests only with `e2e`), or those whose
/// description contains `only`.
pub fn run(e2e: bool, only: Option<String>) -> Result<()> {
    let chosen: Vec<&Mutant> = MUTANTS
        .iter()
        .filter(|m| e2e || matches!(m.guard, Guard::Cargo(_)))
        .filter(|m| only.as_deref().is_none_or(|o| m.breaks.contains(o)))
        .collect();
    if chosen.is_empty() {
        bail!("no mutant matches");
    }
    let mut rows = Vec::new();
    for m in &chosen {
        let started = std::time::Instant::now();
        let outcome = try_mutant(m);
        let secs = started.elapsed().as_secs_f64();
        let line = match &outcome {
            Ok(()) => format!("caught    {secs:>6.0}s  {}", m.breaks),
            Err(e) => format!("PROBLEM   {secs:>6.0}s  {}: {e:#}", m.breaks),
        };
        eprintln!("xtask: {line}");
        rows.push((line, outcome.is_ok()));
    }
    eprintln!("\nxtask: ── mutants ──");
    for (line, _) in &rows {
        eprintln!("xtask: {line}");
    }
    let missed = rows.iter().filter(|(_, ok)| !ok).count();
    if missed > 0 {
        bail!(
            "{missed} of {} mutant(s) not caught or not applied",
            rows.len()
        );
    }
    eprintln!("xtask: all {} mutant(s) caught", rows.len());
    Ok(())
}

fn try_mutant(m: &Mutant) -> Result<()> {
    let path = root().join(m.file);
    let original = std::fs::read_to_string(&path).with_context(|| format!("reading {}", m.file))?;
    let found = original.matches(m.from).count();
    if found != 1 {
        bail!(
            "its text occurs {found} times in {} (must be once): update the list",
            m.file
        );
    }
    let mutated = original.replacen(m.from, m.to, 1);
    let restore = Restore { path, original };
    std::fs::write(&restore.path, mutated)?;
    eprintln!("xtask: ▶ mutant: {} ({})", m.breaks, m.file);
    match m.guard {
        Guard::Cargo(args) => {
            // Built first, so a mutant that does not compile is not counted as caught.
            let built = cargo().arg("test").args(args).arg("--no-run").status()?;
            if !built.success() {
                bail!("the mutant does not compile: fix the list");
            }
            let tested = cargo().arg("test").args(args).status()?;
            if tested.success() {
                bail!("SURVIVED: the guard passed with the behaviour broken");
            }
        }
        Guard::E2e(file) => {
            let built = cargo().args(["build", "-p", "margin-app"]).status()?;
            if !built.success() {
                bail!("the mutant does not compile: fix the list");
            }
            if crate::e2e::run(Some(file.to_string())).is_ok() {
                bail!("SURVIVED: the guard passed with the behaviour broken");
            }
        }
    }
    Ok(())
}
