//! `margin`: the same core as the app, from a terminal — for scripts, tests and quick looks.
//! It only parses arguments and prints what margin-core returns.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use margin_core::annotations::{self, Annotation, Store};
use margin_core::edit;
use margin_core::places::{seed_default_vault, Places};
use margin_core::search::{Freshness, Hit, OpenOutcome, SearchIndex, UpdateStats};
use margin_core::study::{self, Study};
use margin_core::{tree, Note, Tree, TreeNode, Vault};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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
        /// The query: words, "phrases", prefix*, -exclude, a OR b, tag:x, in:folder, title:x;
        /// the last word may be unfinished, as in the window.
        query: String,
        /// How many hits to print.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON: an array of {note, title, heading, anchor, score, snippet, ranges}.
        #[arg(long)]
        json: bool,
    },
    /// Highlight a passage of a note, optionally with a comment, colour and tags.
    Annotate {
        /// The note id.
        note: String,
        /// The exact text to highlight, as it reads in the note.
        #[arg(long)]
        quote: String,
        /// The text just before the quote, when the quote occurs more than once.
        #[arg(long)]
        prefix: Option<String>,
        /// A comment (Markdown).
        #[arg(long)]
        comment: Option<String>,
        /// A colour name (yellow, green, blue, pink, purple, or your own).
        #[arg(long, default_value = "yellow")]
        color: String,
        /// A tag; repeat for several.
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// The vault's colours and what they mean; `--set yellow=definition` names one.
    Palette {
        /// COLOUR=LABEL; repeat for several (an empty label clears it).
        #[arg(long = "set")]
        set: Vec<String>,
    },
    /// Conflict copies of notes a sync tool left (`NAME.sync-conflict-….md`, …): list them, or
    /// settle one as the window's bar does.
    Conflicts {
        #[command(subcommand)]
        action: Option<ConflictsAction>,
    },
    /// Check the vault's Margin files and repair what can be repaired without losing
    /// anything: conflict copies of sync tools merged, unreadable files set aside (bytes
    /// kept), a corrupt search index rebuilt; annotations of notes that are gone are listed.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List or export annotations.
    Annotations {
        #[command(subcommand)]
        action: AnnotationsAction,
    },
    /// Keep the search index current while notes change; prints one line per change.
    Watch,
    /// Make a new note (front matter with its title); prints its id.
    New {
        /// The note's title; the file name is made from it.
        title: String,
        /// The folder to put it in (default: the vault's top folder).
        #[arg(long, default_value = "")]
        folder: String,
    },
    /// Rename or move a note: links to it are rewritten across the vault, its annotations
    /// move with it; prints what changed.
    Mv {
        /// The note's id now.
        from: String,
        /// Its new id (folders are made as needed).
        to: String,
    },
    /// Send a note to the trash (your system's; restore it from there).
    Rm {
        /// The note id.
        note: String,
    },
    /// Change a note from a script.
    Edit {
        /// The note id.
        note: String,
        /// Add this text at the end, on a line of its own.
        #[arg(long, required = true, allow_hyphen_values = true)]
        append: String,
    },
    /// Review cards made from highlights and headings: add, list, remove.
    Cards {
        #[command(subcommand)]
        action: CardsAction,
    },
    /// Grade a card (FSRS-6 schedules it), or undo a grade.
    Review {
        #[command(subcommand)]
        action: ReviewAction,
    },
    /// Progress per folder: notes, read, highlights, cards, cards due now.
    Progress {
        /// Only this folder and the folders below it (default: the whole vault).
        #[arg(default_value = "")]
        folder: String,
        /// Print JSON: an array of {folder, notes, read, highlights, cards, due}, the asked
        /// folder first (`""` is the whole vault).
        #[arg(long)]
        json: bool,
    },
    /// The Study view's numbers: cards due per day (30 days), reviews per day (90 days, UTC),
    /// and per topic cards, due, reviews, retention and time spent.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Mark a note read (or, with --unread, not read).
    Read {
        /// The note id.
        note: String,
        /// Mark it not read.
        #[arg(long)]
        unread: bool,
    },
    /// Print where pasted and dropped images go, or set it: a folder name (made beside each
    /// note; `attachments` by default), `.` (the note's folder) or /path (one vault folder).
    Attachments {
        /// The new setting.
        folder: Option<String>,
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

#[derive(Debug, Subcommand)]
enum AnnotationsAction {
    /// List the annotations of one note, or of the whole vault.
    List {
        /// Only this note.
        note: Option<String>,
        /// Print JSON: id, note, quote, start, end, status, color, comment, tags.
        #[arg(long)]
        json: bool,
    },
    /// Change an annotation: its comment, colour or tags (what the window's edit form does).
    Edit {
        /// The annotation's id (or a unique start of it, 4 characters or more).
        id: String,
        /// The new comment (Markdown); `""` removes it.
        #[arg(long)]
        comment: Option<String>,
        /// The new colour.
        #[arg(long)]
        color: Option<String>,
        /// The tags, replacing the old ones; repeat for several.
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
        /// Attach it (an orphan, say) to this text of its note, as it reads now.
        #[arg(long)]
        quote: Option<String>,
        /// The text just before `--quote`, when it occurs more than once.
        #[arg(long, requires = "quote")]
        prefix: Option<String>,
    },
    /// Delete an annotation (a tombstone stays in its file, so a sync tool's older copy
    /// cannot bring it back).
    Rm {
        /// The annotation's id (or a unique start of it).
        id: String,
    },
    /// Export every annotation.
    Export {
        /// `md`: grouped by topic and note, quotes as block quotes; `w3c`: Web Annotation JSON-LD.
        #[arg(long, default_value = "md", value_parser = ["md", "w3c"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ConflictsAction {
    /// Keep the note (`note`), the copy's text (`copy`) or both merged (`both`: what only one
    /// has is kept, differing places between conflict markers); the copy goes to the trash.
    Keep {
        /// The conflict copy's note id.
        copy: String,
        /// What to keep.
        #[arg(value_parser = ["note", "copy", "both"])]
        keep: String,
    },
}

#[derive(Debug, Subcommand)]
enum CardsAction {
    /// Make a card (prints its id): from a highlight (`--annotation`), from a section
    /// (`--heading`), or, with neither, the note's cards switched on (a cloze per highlight, or
    /// a heading card per section for a note without highlights).
    Add {
        /// The note id.
        note: String,
        /// The highlight's id (see `margin annotations list NOTE --json`).
        #[arg(long, conflicts_with = "heading")]
        annotation: Option<String>,
        /// A section heading of the note, as it reads.
        #[arg(long)]
        heading: Option<String>,
        /// For a highlight: `cloze` (its words hidden in their sentence) or `qa` (its comment
        /// asks, the passage answers).
        #[arg(long, default_value = "cloze", value_parser = ["cloze", "qa"])]
        kind: String,
    },
    /// List cards with their schedules.
    List {
        /// Only the cards of this note or folder.
        #[arg(default_value = "")]
        under: String,
        /// Only the cards due now.
        #[arg(long)]
        due: bool,
        /// Print JSON: id, note, annotation, kind, state, due, stability, difficulty, reps,
        /// lapses, last_review.
        #[arg(long)]
        json: bool,
    },
    /// Remove a card (its reviews stay in the log).
    Rm {
        /// The card id.
        card: String,
    },
    /// Export for Anki: `cards` as Anki's plain-text import (Cloze and Basic notes, folder
    /// tags), `reviews` as CSV in Anki's revlog columns.
    Export {
        /// `cards` or `reviews`.
        #[arg(long, default_value = "cards", value_parser = ["cards", "reviews"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print what a card asks and answers now.
    Show {
        /// The card id.
        card: String,
    },
}

#[derive(Debug, Subcommand)]
enum ReviewAction {
    /// Grade a card; prints the review id (for `undo`) and when the card is due again.
    Grade {
        /// The card id.
        card: String,
        /// How well you remembered.
        #[arg(value_parser = ["again", "hard", "good", "easy", "1", "2", "3", "4"])]
        grade: String,
        /// Replay a review at this time (RFC 3339); replays are not fuzzed, so reproducible.
        #[arg(long)]
        at: Option<String>,
    },
    /// Fit the FSRS parameters to this vault's reviews (at least 400) and save them.
    Optimise,
    /// Undo a grade.
    Undo {
        /// The review id `grade` printed.
        review: String,
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
    // Buffered: a long listing is written in a few system calls, not one per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
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
            // The window's query language: the last word may be unfinished (`"smart poin"`),
            // exact words ranking above the longer words it starts. No walk of the vault when
            // a watcher keeps the index current or nothing changed since the last update.
            let cache = Places::for_user()?.cache_dir;
            let (hits, freshness) = SearchIndex::search_current(
                &vault,
                &cache,
                Some(&store(&vault)?),
                &query,
                limit,
                &mut |_, _| true,
            )?;
            match freshness {
                Freshness::Updated {
                    outcome: OpenOutcome::Rebuilt(reason),
                    ..
                } => eprintln!("margin: the search index was rebuilt ({reason})"),
                Freshness::Busy => eprintln!(
                    "margin: another Margin is updating this index; results may be a little behind"
                ),
                _ => {}
            }
            if json {
                serde_json::to_writer_pretty(&mut out, &hits)?;
                writeln!(out)?;
            } else {
                print_hits(&mut out, &hits)?;
            }
        }
        Command::Annotate {
            note,
            quote,
            prefix,
            comment,
            color,
            tags,
        } => {
            let text = Note::load(&vault, &note, &[])?.text;
            let (start, end) = annotations::find_quote(&text, &quote, prefix.as_deref())?;
            let mut annotation = Annotation::new(&text, start, end, &color)?;
            annotation.comment = comment.unwrap_or_default();
            annotation.tags = tags;
            let id = annotation.id.clone();
            store(&vault)?.update(&note, |list| list.push(annotation))?;
            // Printed only once the file is safely on disk: scripts may rely on it.
            writeln!(out, "{id}")?;
        }
        Command::Annotations { action } => annotations_command(&vault, action, &mut out)?,
        Command::Doctor { json } => doctor(&vault, json, &mut out)?,
        Command::Palette { set } => {
            let store = store(&vault)?;
            let mut palette = store.palette();
            for pair in &set {
                let (color, label) = pair
                    .split_once('=')
                    .with_context(|| format!("{pair:?}: give COLOUR=LABEL"))?;
                match palette.colors.iter_mut().find(|c| c.color == color.trim()) {
                    Some(c) => c.label = label.trim().to_string(),
                    None => palette.colors.push(annotations::PaletteColor {
                        color: color.trim().to_string(),
                        label: label.trim().to_string(),
                    }),
                }
            }
            if !set.is_empty() {
                store.set_palette(&palette)?;
            }
            for (i, c) in palette.colors.iter().enumerate() {
                writeln!(out, "{} {}  {}", i + 1, c.color, c.label)?;
            }
        }
        Command::Conflicts { action } => match action {
            None => {
                let copies: Vec<_> = vault
                    .note_ids()
                    .iter()
                    .filter_map(|id| margin_core::sync::note_conflict(id))
                    .collect();
                if copies.is_empty() {
                    writeln!(out, "no conflict copies")?;
                }
                for c in copies {
                    writeln!(out, "{}  ({:?} copy of {})", c.copy, c.tool, c.original)?;
                }
            }
            Some(ConflictsAction::Keep { copy, keep }) => {
                use margin_core::sync::Keep;
                let keep = match keep.as_str() {
                    "note" => Keep::Original,
                    "copy" => Keep::Copy,
                    _ => Keep::Merged(margin_core::sync::compare_note(&vault, &copy)?.merged),
                };
                margin_core::sync::keep_note(&vault, &copy, keep)?;
                writeln!(out, "settled; {copy} went to the trash")?;
            }
        },
        Command::New { title, folder } => {
            let id = edit::create_note(&vault, &folder, &title)?;
            writeln!(out, "{id}")?;
        }
        Command::Mv { from, to } => {
            let moved = edit::move_note(&vault, &store(&vault)?, &from, &to)?;
            writeln!(out, "moved {from} -> {}", moved.id)?;
            for (note, count) in &moved.links {
                let s = if *count == 1 { "" } else { "s" };
                writeln!(out, "  {count} link{s} rewritten in {note}")?;
            }
            if moved.annotations > 0 {
                writeln!(out, "  {} annotation(s) moved with it", moved.annotations)?;
            }
        }
        Command::Rm { note } => {
            edit::trash_note(&vault, &note)?;
            writeln!(out, "{note} moved to the trash")?;
        }
        Command::Edit { note, append } => edit::append(&vault, &note, &append)?,
        Command::Attachments { folder } => {
            if let Some(folder) = folder {
                edit::set_attachments_folder(&vault, &folder)?;
            }
            writeln!(out, "{}", edit::attachments_folder(&vault))?;
        }
        Command::Watch => watch(&vault)?,
        Command::Cards { action } => cards_command(&vault, action, &mut out)?,
        Command::Review { action } => review_command(&vault, action, &mut out)?,
        Command::Progress { folder, json } => {
            let store = store(&vault)?;
            let rows = study::progress::of_vault(
                &vault,
                &study_of(&store)?,
                &store,
                &folder,
                OffsetDateTime::now_utc(),
            )?;
            if json {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<40} {:>6} {:>6} {:>10} {:>6} {:>6}",
                    "folder", "notes", "read", "highlights", "cards", "due"
                )?;
                for r in rows {
                    let name = if r.folder.is_empty() {
                        "(vault)"
                    } else {
                        &r.folder
                    };
                    writeln!(
                        out,
                        "{name:<40} {:>6} {:>6} {:>10} {:>6} {:>6}",
                        r.notes, r.read, r.highlights, r.cards, r.due
                    )?;
                }
            }
        }
        Command::Stats { json } => {
            let store = store(&vault)?;
            let study = study_of(&store)?;
            let stats = study::stats::of_study(&study, &store, OffsetDateTime::now_utc(), 0)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &stats)?;
                writeln!(out)?;
            } else {
                let pct =
                    |r: Option<f64>| r.map_or("—".into(), |r| format!("{:.0} %", r * 100.0));
                writeln!(
                    out,
                    "{} due today ({} new), {} in the next 7 days; {} reviews in the last 90 days",
                    stats.due_per_day[0],
                    stats.new_today,
                    stats.due_per_day[..7].iter().sum::<usize>(),
                    stats.reviews_per_day.iter().sum::<usize>()
                )?;
                writeln!(
                    out,
                    "{:<30} {:>6} {:>6} {:>8} {:>10} {:>8}",
                    "topic", "cards", "due", "reviews", "retention", "minutes"
                )?;
                for t in stats.topics.iter().chain([&stats.total]) {
                    let name = if t.topic.is_empty() {
                        "(all)"
                    } else {
                        &t.topic
                    };
                    writeln!(
                        out,
                        "{name:<30} {:>6} {:>6} {:>8} {:>10} {:>8.1}",
                        t.cards,
                        t.due,
                        t.reviews,
                        pct(t.retention),
                        t.time_ms as f64 / 60_000.0
                    )?;
                }
            }
        }
        Command::Read { note, unread } => {
            vault.path_of(&note)?;
            study_of(&store(&vault)?)?.mark_read(&note, !unread)?;
            let what = if unread { "not read" } else { "read" };
            writeln!(out, "{note} marked {what}")?;
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
    out.flush()?;
    Ok(())
}

/// Follows the vault until interrupted, printing `added|changed|removed|renamed …` lines.
fn watch(vault: &Vault) -> anyhow::Result<()> {
    let store = store(vault)?;
    // Watching first, then the update: a change made while the vault is walked arrives as an
    // event, not lost between the two.
    let (tx, rx) = std::sync::mpsc::channel();
    let _watcher = margin_core::watch::watch(vault, Some(store.dir().to_path_buf()), move |c| {
        let _ = tx.send(c);
    })?;
    let (index, _) = open_index(vault, true)?;
    // From here on `margin search` in another terminal answers from the index at once.
    let _lease = index.lease_watch();
    eprintln!(
        "margin: watching {} ({} notes); Ctrl+C stops",
        vault.root().display(),
        index.note_count()
    );
    let mut out = std::io::stdout().lock();
    for changes in rx {
        let stats = match index.apply(vault, &changes) {
            Ok(stats) => stats,
            Err(err) => {
                eprintln!("margin: {err}");
                continue;
            }
        };
        let t = &stats.touched;
        for (what, ids) in [
            ("added", &t.added),
            ("changed", &t.changed),
            ("removed", &t.removed),
        ] {
            for id in ids {
                writeln!(out, "{what} {id}")?;
            }
        }
        for (from, to) in &stats.renamed {
            writeln!(out, "renamed {from} -> {to}")?;
        }
        if changes.rescan {
            writeln!(
                out,
                "rescanned: {} added, {} changed, {} removed",
                stats.added, stats.changed, stats.removed
            )?;
        }
        out.flush()?;
    }
    Ok(())
}

/// The vault's study data, written as this computer.
fn study_of(store: &Store) -> anyhow::Result<Study> {
    Ok(Study::for_this_computer(store)?)
}

fn cards_command(vault: &Vault, action: CardsAction, out: &mut impl Write) -> anyhow::Result<()> {
    let store = store(vault)?;
    let study = study_of(&store)?;
    match action {
        CardsAction::Add {
            note,
            annotation,
            heading,
            kind,
        } => {
            vault.path_of(&note)?;
            let made = match (annotation, heading) {
                (Some(a), _) => vec![study::add_highlight_card(
                    &study,
                    &store,
                    &note,
                    &a,
                    study::Kind::parse(&kind)?,
                )?],
                (None, Some(h)) => vec![study::add_heading_card(&study, vault, &note, &h)?],
                (None, None) => study::add_note_cards(&study, &store, vault, &note)?,
            };
            for card in made {
                writeln!(out, "{}", card.id)?;
            }
        }
        CardsAction::List { under, due, json } => {
            let now = OffsetDateTime::now_utc();
            let rows = if due {
                study::due(&study, &store, &under, now)?
            } else {
                study::list(&study, &store, &under)?
            };
            if json {
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            } else if rows.is_empty() {
                writeln!(out, "no cards")?;
            } else {
                for r in rows {
                    let state = serde_json::to_value(r.state)?;
                    let kind = serde_json::to_value(r.kind)?;
                    let when = match r.due {
                        Some(d) => d.format(&Rfc3339)?,
                        None => "now".into(),
                    };
                    writeln!(
                        out,
                        "{}  {:<7} {:<10} due {:<25} {}",
                        r.id,
                        kind.as_str().unwrap_or(""),
                        state.as_str().unwrap_or(""),
                        when,
                        r.note
                    )?;
                }
            }
        }
        CardsAction::Rm { card } => {
            let (note, _) = study::find_card(&study, &card)?;
            study.remove_card(&note, &card)?;
            writeln!(out, "card {card} of {note} removed")?;
        }
        CardsAction::Export { format, output } => {
            let format =
                study::anki::Format::parse(&format).context("the format is cards or reviews")?;
            let text = study::anki::export(vault, &store, &study, format)?;
            match output {
                Some(path) => annotations::write_export(&path, &text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        CardsAction::Show { card } => {
            let (note, _) = study::find_card(&study, &card)?;
            let face = study::face_of(vault, &store, &study, &note, &card)?;
            writeln!(
                out,
                "{note}{}",
                if face.suspended {
                    "  (suspended: its highlight is gone)"
                } else {
                    ""
                }
            )?;
            writeln!(out, "Q: {}\nA: {}", face.front, face.back)?;
        }
    }
    Ok(())
}

fn review_command(vault: &Vault, action: ReviewAction, out: &mut impl Write) -> anyhow::Result<()> {
    let store = store(vault)?;
    let study = study_of(&store)?;
    match action {
        ReviewAction::Grade { card, grade, at } => {
            let (note, _) = study::find_card(&study, &card)?;
            let (at, fuzz) = match at {
                Some(text) => (
                    OffsetDateTime::parse(&text, &Rfc3339)
                        .with_context(|| format!("--at {text:?} is not an RFC 3339 time"))?,
                    false,
                ),
                None => (OffsetDateTime::now_utc(), true),
            };
            let grade = study::Grade::parse(&grade)?;
            let review = study.grade(&note, &card, grade, at, fuzz, 0)?;
            let due = at + time::Duration::seconds_f64(review.interval_days * 86_400.0);
            writeln!(
                out,
                "{}\ndue {} (in {:.2} days)",
                review.id,
                due.format(&Rfc3339)?,
                review.interval_days
            )?;
        }
        ReviewAction::Optimise => {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("optimising [{bar:40}] {pos}/{len}")?
                    .progress_chars("=> "),
            );
            if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            let fitted = study::optimise::optimise(&study, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                true
            });
            bar.finish_and_clear();
            let fitted = fitted?;
            writeln!(
                out,
                "fitted to {} reviews ({} training items); saved in .margin/study.json:\n{:?}",
                fitted.reviews, fitted.items, fitted.parameters
            )?;
        }
        ReviewAction::Undo { review } => {
            study.undo(&review)?;
            writeln!(out, "review {review} undone")?;
        }
    }
    Ok(())
}

fn store(vault: &Vault) -> anyhow::Result<Store> {
    Ok(Store::for_vault(vault, &Places::for_user()?.data_dir))
}

/// Merges the conflict copies a sync tool left of Margin's files before they are listed, and
/// says so on stderr.
fn merge_sync_copies(store: &Store) {
    let report = margin_core::sync::merge_copies(store);
    for m in &report.merged {
        eprintln!(
            "margin: merged the {:?} conflict copy {} into {}",
            m.tool,
            m.copy.display(),
            m.into.display()
        );
    }
    for (path, why) in &report.left {
        eprintln!("margin: warning: {} was not merged: {why}", path.display());
    }
}

/// Every annotated note with its title and annotations, anchored in the current text.
fn anchored_all(vault: &Vault, only: Option<&str>) -> anyhow::Result<annotations::Collected> {
    let store = store(vault)?;
    merge_sync_copies(&store);
    let (all, set_aside) = annotations::collect(&store, vault, only)?;
    for path in set_aside {
        eprintln!(
            "margin: warning: an annotation file did not parse; it was moved to {}",
            path.display()
        );
    }
    Ok(all)
}

fn annotations_command(
    vault: &Vault,
    action: AnnotationsAction,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match action {
        AnnotationsAction::List { note, json } => {
            let all = anchored_all(vault, note.as_deref())?;
            let rows: Vec<serde_json::Value> = all
                .iter()
                .flat_map(|(id, _, list)| list.iter().map(move |a| (id, a)))
                .map(|(id, a)| {
                    serde_json::json!({
                        "id": a.id, "note": id, "quote": a.text(),
                        "start": a.position.start, "end": a.position.end, "status": a.status,
                        "color": a.color, "comment": a.comment, "tags": a.tags,
                    })
                })
                .collect();
            if json {
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            } else if rows.is_empty() {
                writeln!(out, "no annotations")?;
            } else {
                for (id, title, list) in &all {
                    writeln!(out, "{title}  ({id})")?;
                    for a in list {
                        let status = serde_json::to_value(a.status)?;
                        writeln!(
                            out,
                            "  [{}] {:?} {} {}-{}",
                            a.color,
                            a.text(),
                            status.as_str().unwrap_or(""),
                            a.position.start,
                            a.position.end
                        )?;
                        if !a.comment.is_empty() {
                            writeln!(out, "      {}", a.comment)?;
                        }
                    }
                }
            }
        }
        AnnotationsAction::Edit {
            id,
            comment,
            color,
            tags,
            no_tags,
            quote,
            prefix,
        } => {
            let store = store(vault)?;
            let (note, found) = store.find(&id)?;
            if comment.is_none()
                && color.is_none()
                && tags.is_empty()
                && !no_tags
                && quote.is_none()
            {
                anyhow::bail!(
                    "nothing to change: give --comment, --color, --tag, --no-tags or --quote"
                );
            }
            let text = match &quote {
                Some(_) => Note::load(vault, &note, &[])?.text,
                None => String::new(),
            };
            let range = quote
                .as_deref()
                .map(|q| annotations::find_quote(&text, q, prefix.as_deref()))
                .transpose()?;
            let patch = annotations::Patch {
                color: color
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
                comment,
                tags: (no_tags || !tags.is_empty()).then_some(tags),
                range,
            };
            let saved = store.edit(&note, &found.id, patch, &text)?;
            writeln!(out, "{}", saved.id)?;
        }
        AnnotationsAction::Rm { id } => {
            let store = store(vault)?;
            let (note, found) = store.find(&id)?;
            store.remove(&note, &found.id)?;
            writeln!(out, "removed {} from {note}", found.id)?;
        }
        AnnotationsAction::Export { format, output } => {
            let format =
                annotations::ExportFormat::parse(&format).context("the format is md or w3c")?;
            let store = store(vault)?;
            merge_sync_copies(&store);
            let text = annotations::export(&store, vault, format)?;
            match output {
                Some(path) => annotations::write_export(&path, &text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
    }
    Ok(())
}

/// `margin doctor`: the Margin files checked and repaired, then the index.
fn doctor(vault: &Vault, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let store = store(vault)?;
    let report = margin_core::doctor::check(vault, &store);
    let cache = Places::for_user()?.cache_dir;
    let index = match SearchIndex::for_vault(vault, &cache, Some(&store), &mut |_, _| true) {
        Ok((_, margin_core::search::OpenOutcome::Rebuilt(reason), _)) => {
            format!("rebuilt ({reason})")
        }
        Ok((_, margin_core::search::OpenOutcome::Created, _)) => "created".to_string(),
        Ok(_) => "ok".to_string(),
        Err(err) => format!("failed: {err}"),
    };
    if json {
        let mut value = serde_json::to_value(&report)?;
        value["index"] = serde_json::Value::String(index);
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} annotation files, {} cards files checked; search index {index}",
        report.annotation_files, report.card_files
    )?;
    for m in &report.sync.merged {
        writeln!(
            out,
            "merged the {:?} conflict copy {} into {} ({} records taken)",
            m.tool,
            m.copy.display(),
            m.into.display(),
            m.taken
        )?;
    }
    for path in &report.sync.git_merged {
        writeln!(out, "merged git's conflict markers in {}", path.display())?;
    }
    for path in &report.set_aside {
        writeln!(
            out,
            "did not parse, set aside (bytes kept): {}",
            path.display()
        )?;
    }
    for (note, n) in &report.orphaned_files {
        writeln!(
            out,
            "{note}: the note is gone; its {n} annotation(s) are kept (rename the note back, or delete them)"
        )?;
    }
    for (path, why) in &report.sync.left {
        writeln!(out, "left as it is: {}: {why}", path.display())?;
    }
    if report.is_clean() && report.orphaned_files.is_empty() {
        writeln!(out, "nothing to repair")?;
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
        true
    };
    let (index, outcome, stats) =
        SearchIndex::for_vault(vault, &cache, Some(&store(vault)?), &mut progress)?;
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
