//! `margin`: the same core as the app, from a terminal — for scripts, tests and quick looks.
//! It only parses arguments and prints what margin-core returns.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use margin_core::places::{seed_default_vault, Places};
use margin_core::search::{Hit, SearchIndex, UpdateStats};
use margin_core::{tree, Note, Tree, TreeNode, Vault};

#[derive(Debug, Parser)]
#[command(name = "margin", version, about = "Study from your own Markdown notes")]
struct Cli {
    /// The vault folder (default: the app's default vault, the bundled notes on first use).
    #[arg(long, global = true, value_name = "DIR")]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the topic tree: folders, notes and their headings.
    Tree {
        /// Print JSON instead of an indented outline.
        #[arg(long)]
        json: bool,
    },
    /// Build or update the search index (only changed notes are indexed again).
    Index,
    /// Search the notes; hits of one note are adjacent, best section first.
    Search {
        /// The query: words, "phrases", prefix*, -exclude, a OR b, tag:x, in:folder, title:x.
        query: String,
        /// How many hits to print.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON: an array of {note, title, heading, anchor, score, snippet, ranges}.
        #[arg(long)]
        json: bool,
    },
    /// Print one note.
    Show {
        /// The note id, e.g. `realtime/webrtc.md`.
        note: String,
        /// Print the sanitised HTML.
        #[arg(long, conflicts_with_all = ["text", "json"])]
        html: bool,
        /// Print the visible text (the default).
        #[arg(long, conflicts_with = "json")]
        text: bool,
        /// Print the note as JSON (id, title, tags, outline, html, text).
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("margin: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn open_vault(explicit: Option<PathBuf>) -> anyhow::Result<Vault> {
    if let Some(dir) = explicit {
        return Ok(Vault::open(dir)?);
    }
    let target = Places::for_user()?.default_vault();
    let bundled = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../notes");
    if !target.exists() && bundled.is_dir() {
        seed_default_vault(&bundled, &target)?;
    }
    Vault::open(&target)
        .with_context(|| "no default vault yet: open the app once, or pass --vault DIR")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let vault = open_vault(cli.vault)?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Tree { json } => {
            let tree = tree::build(&vault);
            for warning in &tree.warnings {
                eprintln!("margin: warning: {warning}");
            }
            if json {
                serde_json::to_writer_pretty(&mut out, &tree)?;
                writeln!(out)?;
            } else {
                print_tree(&mut out, &tree)?;
            }
        }
        Command::Index => {
            let (index, stats) = open_index(&vault, true)?;
            report_skipped(&stats);
            writeln!(
                out,
                "{} notes indexed ({} new, {} changed, {} removed, {} unchanged) in {:.2}s; index at {}",
                index.note_count(),
                stats.added,
                stats.changed,
                stats.removed,
                stats.unchanged,
                stats.elapsed.as_secs_f64(),
                index.dir().display()
            )?;
        }
        Command::Search { query, limit, json } => {
            let (index, _) = open_index(&vault, false)?;
            let hits = index.search(&query, limit, false)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &hits)?;
                writeln!(out)?;
            } else {
                print_hits(&mut out, &hits)?;
            }
        }
        Command::Show {
            note,
            html,
            text: _,
            json,
        } => {
            let known = vault
                .scan()
                .notes
                .into_iter()
                .map(|n| n.id)
                .collect::<Vec<_>>();
            let note = Note::load(&vault, &note, &known)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &note)?;
                writeln!(out)?;
            } else if html {
                writeln!(out, "{}", note.html)?;
            } else {
                write!(out, "{}", note.text)?;
            }
        }
    }
    Ok(())
}

/// Opens the vault's index and brings it up to date, with a progress bar on a terminal when
/// `verbose` (the first index of a big vault takes seconds).
fn open_index(vault: &Vault, verbose: bool) -> anyhow::Result<(SearchIndex, UpdateStats)> {
    let cache = Places::for_user()?.cache_dir;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} notes ({eta})")?
            .progress_chars("=> "),
    );
    bar.set_message("indexing");
    if !verbose || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let (index, outcome, stats) = SearchIndex::for_vault(vault, &cache, &mut progress)?;
    bar.finish_and_clear();
    if let margin_core::search::OpenOutcome::Rebuilt(reason) = outcome {
        eprintln!("margin: the search index was rebuilt ({reason})");
    }
    if !index.is_writable() {
        eprintln!("margin: another Margin is updating this index; results may be a little behind");
    }
    Ok((index, stats))
}

fn report_skipped(stats: &UpdateStats) {
    for skipped in &stats.skipped {
        eprintln!("margin: warning: skipped {skipped}");
    }
}

/// Hits as text: a note line, then one line per section with the matches in [brackets].
fn print_hits(out: &mut impl Write, hits: &[Hit]) -> std::io::Result<()> {
    if hits.is_empty() {
        return writeln!(out, "no matches");
    }
    let mut last_note = "";
    for hit in hits {
        if hit.note != last_note {
            writeln!(out, "{}  ({})", hit.title, hit.note)?;
            last_note = &hit.note;
        }
        let mut snippet = String::new();
        let chars: Vec<char> = hit.snippet.chars().collect();
        let mut at = 0;
        for r in &hit.ranges {
            snippet.extend(&chars[at..r[0]]);
            snippet.push('[');
            snippet.extend(&chars[r[0]..r[1]]);
            snippet.push(']');
            at = r[1];
        }
        snippet.extend(&chars[at..]);
        let heading = if hit.heading.is_empty() {
            "(top)"
        } else {
            &hit.heading
        };
        writeln!(out, "  § {heading}  {:.2}\n    {snippet}", hit.score)?;
    }
    Ok(())
}

fn print_tree(out: &mut impl Write, tree: &Tree) -> std::io::Result<()> {
    fn walk(out: &mut impl Write, nodes: &[TreeNode], depth: usize) -> std::io::Result<()> {
        for node in nodes {
            let pad = "  ".repeat(depth);
            match node {
                TreeNode::Folder { name, children, .. } => {
                    writeln!(out, "{pad}{name}/")?;
                    walk(out, children, depth + 1)?;
                }
                TreeNode::Note {
                    id,
                    title,
                    headings,
                    ..
                } => {
                    writeln!(out, "{pad}{title}  ({id})")?;
                    for h in headings.iter().filter(|h| h.level > 1) {
                        writeln!(
                            out,
                            "{pad}  {}# {}",
                            "#".repeat(h.level as usize - 1),
                            h.text
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
    writeln!(out, "{} — {} notes", tree.name, tree.note_count)?;
    walk(out, &tree.children, 0)
}
