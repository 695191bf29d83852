//! `margin`: the same core as the app, from a terminal — for scripts, tests and quick looks.
//! It only parses arguments and prints what margin-core returns.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use margin_core::places::{seed_default_vault, Places};
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
