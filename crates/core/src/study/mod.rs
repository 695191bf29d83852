//! Studying from highlights: review cards made from them ([`cards`]), scheduled with FSRS-6
//! ([`schedule`]), and reading progress per topic ([`progress`]).
//!
//! Everything lives beside the annotations in `.margin/`, as files two computers syncing the
//! vault can both write without conflict:
//! - `cards/<note>.json`: the cards of a note (pretty JSON sorted by id, atomic writes; a
//!   removed card stays as a tombstone with `deleted` so a merge cannot bring it back);
//! - `reviews/<device>.jsonl`: this computer's review log, append-only, one JSON line per grade
//!   or undo; every device's log is read and joined by review id, and a card's schedule is
//!   recomputed from the joined log;
//! - `reading/<device>.jsonl`: notes marked read or unread, append-only, latest mark wins.

pub mod anki;
pub mod cards;
pub mod optimise;
pub mod progress;
pub mod schedule;
pub mod stats;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::annotations::Store;
use crate::error::{Error, Result};
use crate::vault::check_id;

pub use cards::{Card, Kind};
pub use schedule::{Grade, Reviewed, Schedule, Scheduler, State};

/// Version of the cards files: 2 writes one card per line and makes a card's id from what it
/// is of (version 1 files are read as they are).
const CARDS_VERSION: u32 = 2;

/// One line of a review log: a grade, or the undo of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// This review's id (unique across devices).
    pub id: String,
    /// The card graded (for an undo: the card of the undone review).
    pub card: String,
    /// The card's note when graded (for people reading the log, and Anki's export).
    pub note: String,
    /// When (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The answer (absent in an undo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    /// The interval given, in days.
    #[serde(default)]
    pub interval_days: f64,
    /// Milliseconds from the card shown to the grade (0 when unknown).
    #[serde(default)]
    pub took_ms: u64,
    /// The review this line undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
}

/// Desired retention and FSRS parameters of a vault (`.margin/study.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The probability of recall a review aims at (0.7–0.99).
    pub retention: f32,
    /// FSRS-6 parameters fitted to the user's reviews; empty: the defaults.
    #[serde(default)]
    pub parameters: Vec<f32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retention: 0.9,
            parameters: Vec::new(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CardsFile {
    version: u32,
    cards: Vec<Card>,
}

/// Reads a cards file; one with git's conflict markers is read as the merge of its sides.
pub(crate) fn parse_cards(bytes: &[u8]) -> std::result::Result<Vec<Card>, String> {
    crate::sync::parse_or_join_sides(bytes, |ours: CardsFile, theirs: CardsFile| CardsFile {
        version: ours.version.max(theirs.version),
        cards: merge_cards(ours.cards, theirs.cards),
    })
    .map(|file| file.cards)
}

/// Two versions of one note's cards as one, by id: a card's content never changes, only
/// whether it exists, so the later of its making and its deletion wins (on a tie, the
/// deletion).
fn merge_cards(ours: Vec<Card>, theirs: Vec<Card>) -> Vec<Card> {
    crate::sync::merge_records(ours, theirs)
}

impl crate::sync::Record for Card {
    fn id(&self) -> &str {
        &self.id
    }
    fn stamp(&self) -> Option<OffsetDateTime> {
        use crate::annotations::parse_time;
        parse_time(&self.created).max(self.deleted.as_deref().and_then(parse_time))
    }
    fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
}

#[derive(Serialize, Deserialize)]
struct ReadMark {
    note: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    read: bool,
}

/// A vault's study data, written as this device.
#[derive(Debug, Clone)]
pub struct Study {
    dir: PathBuf,
    device: String,
    /// The vault's own `.margin/` when it cannot be written: its cards and logs are read too.
    read_only_inside: Option<PathBuf>,
}

/// A device id fit for a file name: letters, digits and `-`.
fn clean_device(device: &str) -> String {
    let id: String = device
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    if id.is_empty() {
        "device".into()
    } else {
        id
    }
}

/// This computer's device id, kept in Margin's data folder `data_dir` (made on first use), so
/// each computer writes its own review log.
pub fn device_id(data_dir: &Path) -> Result<String> {
    let path = data_dir.join("device-id");
    if let Ok(id) = fs::read_to_string(&path) {
        let id = clean_device(id.trim());
        if id != "device" {
            return Ok(id);
        }
    }
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, e))?;
    crate::atomic::write_atomically(&path, id.as_bytes())?;
    Ok(id)
}

/// Appends `line` and a newline to `path` durably, under an exclusive lock (the app and the
/// CLI may append to the same log). A line left unfinished by a process killed mid-write was
/// never acknowledged (it returns only after the sync), so it is cut off first: the log stays
/// whole lines only.
pub(crate) fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let failed = |cause: std::io::Error| Error::SaveFailed {
        path: path.to_path_buf(),
        cause,
    };
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.lock().map_err(failed)?;
    let mut existing = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut existing).map_err(failed)?;
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        let whole = existing
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        file.set_len(whole as u64).map_err(failed)?;
    }
    file.seek(SeekFrom::End(0)).map_err(failed)?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes)
        .and_then(|()| file.sync_data())
        .map_err(failed)
}

/// The notes with a cards file under folder `under` of the cards folder `root`.
fn card_files_under(root: &Path, under: &str) -> Vec<String> {
    let start = root.join(under);
    if !start.is_dir() {
        return Vec::new();
    }
    ignore::WalkBuilder::new(&start)
        .standard_filters(false)
        .follow_links(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|entry| {
            let rel = entry.path().strip_prefix(root).ok()?.to_str()?;
            let id = rel.strip_suffix(".json")?.replace('\\', "/");
            // A sync tool's conflict copy is not a note's file (`sync` merges it).
            let name = id.rsplit('/').next().unwrap_or("");
            (crate::vault::is_note_name(name) && !name.starts_with('.')).then_some(id)
        })
        .collect()
}

/// The JSON lines of every `.jsonl` file in `dir` that parse (a torn or foreign line is
/// skipped, not fatal).
fn read_lines<T: for<'de> Deserialize<'de>>(dir: &Path) -> Vec<T> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| fs::read_to_string(p).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str::<T>(l).ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

impl Study {
    /// The study data beside `store`'s annotations (`.margin/`, or the fallback folder of a
    /// read-only vault), written as `device`.
    pub fn of(store: &Store, device: &str) -> Study {
        Study {
            dir: store.dir().parent().unwrap_or(store.dir()).to_path_buf(),
            device: clean_device(device),
            read_only_inside: store.read_only_margin(),
        }
    }

    /// The study data beside `store`, written as this computer (its device id kept in the
    /// user's Margin data folder): what the app and the CLI both use.
    pub fn for_this_computer(store: &Store) -> Result<Study> {
        let places = crate::places::Places::for_user()?;
        Ok(Study::of(store, &device_id(&places.data_dir)?))
    }

    /// The lines of every device's log in folder `name` (of a read-only vault: the vault's
    /// own logs too).
    fn logs<T: for<'de> Deserialize<'de>>(&self, name: &str) -> Vec<T> {
        let mut lines = read_lines::<T>(&self.dir.join(name));
        if let Some(inside) = &self.read_only_inside {
            lines.extend(read_lines::<T>(&inside.join(name)));
        }
        lines
    }

    /// The vault's study settings (defaults when none are saved or the file does not parse).
    pub fn settings(&self) -> Settings {
        fs::read(self.dir.join("study.json"))
            .ok()
            .or_else(|| {
                let inside = self.read_only_inside.as_ref()?;
                fs::read(inside.join("study.json")).ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Saves the study settings, after checking them.
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        Scheduler::new(&settings.parameters, settings.retention)?;
        let json = serde_json::to_vec_pretty(settings).map_err(|e| Error::BadInput {
            message: e.to_string(),
        })?;
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        crate::atomic::replace_checked::<Settings>(&self.dir.join("study.json"), &json)
    }

    /// The scheduler with this vault's settings.
    pub fn scheduler(&self) -> Result<Scheduler> {
        let s = self.settings();
        Scheduler::new(&s.parameters, s.retention)
    }

    fn cards_file(&self, note: &str) -> Result<PathBuf> {
        crate::annotations::json_file_of(&self.dir.join("cards"), note)
    }

    /// Every card of `note`, tombstones included (of a read-only vault: its own file's
    /// merged with this computer's).
    fn load_cards(&self, note: &str) -> Result<Vec<Card>> {
        let mine = self.load_own_cards(note)?;
        let Some(inside) = &self.read_only_inside else {
            return Ok(mine);
        };
        let theirs = crate::annotations::json_file_of(&inside.join("cards"), note)
            .ok()
            .and_then(|p| fs::read(p).ok())
            .and_then(|b| parse_cards(&b).ok())
            .unwrap_or_default();
        Ok(merge_cards(mine, theirs))
    }

    fn load_own_cards(&self, note: &str) -> Result<Vec<Card>> {
        let path = self.cards_file(note)?;
        match fs::read(&path) {
            Ok(bytes) => parse_cards(&bytes).map_err(|message| Error::Annotations {
                path,
                message: format!("{message}; fix or remove the file (a copy of it is your cards)"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Runs a read-modify-write of cards files under the cards' lock (the app and the CLI
    /// take turns).
    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        crate::atomic::with_lock(&self.dir.join("cards").join(".lock"), f)
    }

    /// Merges `theirs` (the cards of a sync tool's conflict copy) into `note`'s cards file:
    /// by id, a deletion wins. Returns how many records came from `theirs`.
    pub(crate) fn merge_cards_in(&self, note: &str, theirs: Vec<Card>) -> Result<usize> {
        self.locked(|| {
            let ours = self.load_cards(note)?;
            let before = ours.clone();
            let merged = merge_cards(ours, theirs);
            let taken = merged.iter().filter(|c| !before.contains(c)).count();
            // Written even when nothing came in: the file may have held conflict markers.
            self.write_cards(note, merged)?;
            Ok(taken)
        })
    }

    fn write_cards(&self, note: &str, mut cards: Vec<Card>) -> Result<()> {
        let path = self.cards_file(note)?;
        cards.sort_by(|a, b| a.id.cmp(&b.id));
        // One card per line, as annotation files (git merges them line by line).
        let json =
            crate::sync::line_per_record(&[("version", CARDS_VERSION.into())], "cards", &cards)
                .map_err(|e| Error::BadInput {
                    message: e.to_string(),
                })?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        crate::atomic::write_atomically(&path, &json)
    }

    /// The cards of `note` (not deleted).
    pub fn cards(&self, note: &str) -> Result<Vec<Card>> {
        Ok(self
            .load_cards(note)?
            .into_iter()
            .filter(|c| c.deleted.is_none())
            .collect())
    }

    /// Adds a card to `note`; the same highlight (or heading) and kind twice gives the card
    /// made the first time.
    pub fn add_card(&self, note: &str, card: Card) -> Result<Card> {
        let mut made = self.add_cards(note, vec![card])?;
        made.pop().ok_or_else(|| Error::BadInput {
            message: "no card was made".into(),
        })
    }

    /// Adds several cards to `note` in one write (a card already there for the same highlight
    /// or heading and kind is given back instead of a new one), in the order given.
    pub fn add_cards(&self, note: &str, new: Vec<Card>) -> Result<Vec<Card>> {
        self.locked(|| self.add_cards_locked(note, new))
    }

    fn add_cards_locked(&self, note: &str, new: Vec<Card>) -> Result<Vec<Card>> {
        let mut cards = self.load_cards(note)?;
        let mut out = Vec::with_capacity(new.len());
        let mut changed = false;
        for card in new {
            let same = cards.iter().find(|c| {
                c.deleted.is_none()
                    && c.kind == card.kind
                    && c.annotation == card.annotation
                    && c.heading == card.heading
            });
            match same {
                Some(same) => out.push(same.clone()),
                None => {
                    // Made again after a deletion: the same id, alive from now on.
                    cards.retain(|c| c.id != card.id);
                    cards.push(card.clone());
                    out.push(card);
                    changed = true;
                }
            }
        }
        if changed {
            self.write_cards(note, cards)?;
        }
        Ok(out)
    }

    /// Removes card `id` of `note` (a tombstone stays, so a sync merge cannot revive it).
    pub fn remove_card(&self, note: &str, id: &str) -> Result<()> {
        self.locked(|| self.remove_card_locked(note, id))
    }

    fn remove_card_locked(&self, note: &str, id: &str) -> Result<()> {
        let mut cards = self.load_cards(note)?;
        let card = cards
            .iter_mut()
            .find(|c| c.id == id && c.deleted.is_none())
            .ok_or_else(|| Error::BadInput {
                message: format!("there is no card {id} on {note}"),
            })?;
        card.deleted = Some(crate::annotations::now());
        self.write_cards(note, cards)
    }

    /// Every note's cards (not deleted), by note id. The files are read on every core.
    pub fn all_cards(&self) -> Result<Vec<(String, Card)>> {
        self.cards_under("")
    }

    /// The cards of the notes under `under` (a note, a folder, or `""` for all), reading only
    /// that note's file or that folder's files.
    pub fn cards_under(&self, under: &str) -> Result<Vec<(String, Card)>> {
        use rayon::prelude::*;
        let under = under.trim_matches('/');
        if crate::vault::is_note_name(under.rsplit('/').next().unwrap_or("")) {
            return Ok(self
                .cards(under)?
                .into_iter()
                .map(|c| (under.to_string(), c))
                .collect());
        }
        let root = self.dir.join("cards");
        if under.split('/').any(|part| {
            part.is_empty() || part == "." || part == ".." || part.contains(['\\', ':'])
        }) && !under.is_empty()
        {
            return Err(Error::BadInput {
                message: format!("{under:?} is not a folder of this vault"),
            });
        }
        let mut notes = card_files_under(&root, under);
        if let Some(inside) = &self.read_only_inside {
            notes.extend(card_files_under(&inside.join("cards"), under));
            notes.sort();
            notes.dedup();
        }
        let per_note: Vec<Vec<(String, Card)>> = notes
            .into_par_iter()
            .map(|note| {
                Ok(self
                    .cards(&note)?
                    .into_iter()
                    .map(|c| (note.clone(), c))
                    .collect())
            })
            .collect::<Result<_>>()?;
        Ok(per_note.into_iter().flatten().collect())
    }

    /// Moves the cards of a renamed note.
    pub fn rename_note(&self, from: &str, to: &str) -> Result<()> {
        let old = self.cards_file(from)?;
        if !old.exists() {
            return Ok(());
        }
        self.locked(|| {
            let cards = merge_cards(self.load_cards(to)?, self.load_cards(from)?);
            self.write_cards(to, cards)?;
            fs::remove_file(&old).map_err(|e| Error::io(&old, e))
        })
    }

    /// Every review of every device, joined by id, without the undone ones (nor the undos).
    pub fn reviews(&self) -> Vec<Review> {
        let mut seen = HashSet::new();
        let all: Vec<Review> = self
            .logs::<Review>("reviews")
            .into_iter()
            .filter(|r| seen.insert(r.id.clone()))
            .collect();
        let undone: HashSet<&str> = all.iter().filter_map(|r| r.undoes.as_deref()).collect();
        let mut kept: Vec<Review> = all
            .iter()
            .filter(|r| r.grade.is_some() && !undone.contains(r.id.as_str()))
            .cloned()
            .collect();
        kept.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        kept
    }

    /// The reviews of each card, for [`Scheduler::schedule`].
    pub fn reviews_by_card(&self) -> HashMap<String, Vec<Reviewed>> {
        let mut by: HashMap<String, Vec<Reviewed>> = HashMap::new();
        for r in self.reviews() {
            if let Some(grade) = r.grade {
                by.entry(r.card).or_default().push(Reviewed {
                    at: r.at,
                    grade,
                    interval_days: r.interval_days,
                });
            }
        }
        by
    }

    /// Grades card `card` of `note` at `at` and appends the review to this device's log (synced
    /// to disk before it returns). `fuzz`: spread the interval (live reviews); replays with
    /// `--at` are not fuzzed, so they are reproducible.
    pub fn grade(
        &self,
        note: &str,
        card: &str,
        grade: Grade,
        at: OffsetDateTime,
        fuzz: bool,
        took_ms: u64,
    ) -> Result<Review> {
        if !self.cards(note)?.iter().any(|c| c.id == card) {
            return Err(Error::BadInput {
                message: format!("there is no card {card} on {note}"),
            });
        }
        let past = self.reviews_by_card().remove(card).unwrap_or_default();
        let id = uuid::Uuid::new_v4().to_string();
        let seed = crate::fingerprint::fnv1a(id.as_bytes());
        let interval_days = self
            .scheduler()?
            .interval(&past, grade, at, fuzz.then_some(seed))?;
        let review = Review {
            id,
            card: card.to_string(),
            note: note.to_string(),
            at,
            grade: Some(grade),
            interval_days,
            took_ms,
            undoes: None,
        };
        self.append_review(&review)?;
        Ok(review)
    }

    /// Undoes review `id` (an undo line is appended; the log keeps both).
    pub fn undo(&self, id: &str) -> Result<()> {
        let Some(done) = self.reviews().into_iter().find(|r| r.id == id) else {
            return Err(Error::BadInput {
                message: format!("there is no review {id} to undo"),
            });
        };
        self.append_review(&Review {
            id: uuid::Uuid::new_v4().to_string(),
            card: done.card,
            note: done.note,
            at: OffsetDateTime::now_utc(),
            grade: None,
            interval_days: 0.0,
            took_ms: 0,
            undoes: Some(id.to_string()),
        })
    }

    fn append_review(&self, review: &Review) -> Result<()> {
        let line = serde_json::to_string(review).map_err(|e| Error::BadInput {
            message: e.to_string(),
        })?;
        append_line(
            &self
                .dir
                .join("reviews")
                .join(format!("{}.jsonl", self.device)),
            &line,
        )
    }

    /// Marks `note` read (or not), as this device.
    pub fn mark_read(&self, note: &str, read: bool) -> Result<()> {
        check_id(note)?;
        let line = serde_json::to_string(&ReadMark {
            note: note.to_string(),
            at: OffsetDateTime::now_utc(),
            read,
        })
        .map_err(|e| Error::BadInput {
            message: e.to_string(),
        })?;
        append_line(
            &self
                .dir
                .join("reading")
                .join(format!("{}.jsonl", self.device)),
            &line,
        )
    }

    /// The notes marked read on any device (the latest mark of each note wins).
    pub fn read_notes(&self) -> HashSet<String> {
        let mut marks = self.logs::<ReadMark>("reading");
        marks.sort_by_key(|m| m.at);
        let mut latest: HashMap<String, bool> = HashMap::new();
        for m in marks {
            latest.insert(m.note, m.read);
        }
        latest
            .into_iter()
            .filter_map(|(note, read)| read.then_some(note))
            .collect()
    }
}

/// A card with its schedule: what `margin cards list` prints and the review queue holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardRow {
    /// The card id.
    pub id: String,
    /// Its note.
    pub note: String,
    /// Its highlight, for highlight cards.
    pub annotation: Option<String>,
    /// Its heading, for heading cards.
    pub heading: Option<String>,
    /// What it asks.
    pub kind: Kind,
    /// new, review, relearning, or suspended (its highlight is orphaned or gone).
    pub state: State,
    /// When due (RFC 3339); new cards: null, due at once.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// FSRS stability in days.
    pub stability: f32,
    /// FSRS difficulty, 1–10.
    pub difficulty: f32,
    /// Reviews.
    pub reps: u32,
    /// Times forgotten.
    pub lapses: u32,
    /// The last review.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_review: Option<OffsetDateTime>,
}

impl CardRow {
    /// Due at `now`: not suspended, and new or past its due time.
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        self.state != State::Suspended && self.due.is_none_or(|d| d <= now)
    }
}

/// The highlights present and not orphaned, as (note, id), from each note's ids and statuses.
pub(crate) fn live_highlights(
    notes: impl IntoIterator<Item = (String, Vec<(String, crate::anchor::Status)>)>,
) -> HashSet<(String, String)> {
    notes
        .into_iter()
        .flat_map(|(note, ids)| {
            ids.into_iter()
                .filter(|(_, status)| *status != crate::anchor::Status::Orphan)
                .map(move |(id, _)| (note.clone(), id))
        })
        .collect()
}

/// A card is suspended when its highlight is orphaned or gone (heading cards never are).
pub(crate) fn is_suspended(card: &Card, note: &str, live: &HashSet<(String, String)>) -> bool {
    card.annotation
        .as_ref()
        .is_some_and(|a| !live.contains(&(note.to_string(), a.clone())))
}

/// True when note id `note` is `under` (a note id or a folder; `""`: everything).
pub fn is_under(note: &str, under: &str) -> bool {
    let under = under.trim_matches('/');
    under.is_empty() || note == under || note.starts_with(&format!("{under}/"))
}

/// Every card of the notes `under` (a folder, a note, or `""`), with its schedule; a card
/// whose highlight is orphaned or gone is `suspended`. Sorted by note, then creation.
pub fn list(study: &Study, store: &Store, under: &str) -> Result<Vec<CardRow>> {
    let scheduler = study.scheduler()?;
    let reviews = study.reviews_by_card();
    let cards = study.cards_under(under)?;
    // Which highlights are live: the few notes' files, or one light pass over all of them.
    let notes: HashSet<&str> = cards
        .iter()
        .filter(|(_, c)| c.annotation.is_some())
        .map(|(n, _)| n.as_str())
        .collect();
    let live = if notes.len() <= 64 {
        live_highlights(notes.iter().map(|n| {
            let list = store.load(n).map(|l| l.annotations).unwrap_or_default();
            let ids = list.into_iter().map(|a| (a.id, a.status)).collect();
            (n.to_string(), ids)
        }))
    } else {
        live_highlights(store.summaries())
    };
    let mut rows = Vec::new();
    for (note, card) in cards {
        if !is_under(&note, under) {
            continue;
        }
        let suspended = is_suspended(&card, &note, &live);
        let s = scheduler.schedule(reviews.get(&card.id).map_or(&[][..], Vec::as_slice));
        rows.push(CardRow {
            id: card.id,
            note,
            annotation: card.annotation,
            heading: card.heading,
            kind: card.kind,
            state: if suspended { State::Suspended } else { s.state },
            due: s.due,
            stability: s.stability,
            difficulty: s.difficulty,
            reps: s.reps,
            lapses: s.lapses,
            last_review: s.last_review,
        });
    }
    Ok(rows)
}

/// The cards due at `now` under `under`, the most overdue first, new cards last (as Anki
/// shows reviews before new cards).
pub fn due(study: &Study, store: &Store, under: &str, now: OffsetDateTime) -> Result<Vec<CardRow>> {
    let mut rows: Vec<CardRow> = list(study, store, under)?
        .into_iter()
        .filter(|r| r.is_due(now))
        .collect();
    rows.sort_by_key(|r| (r.due.is_none(), r.due));
    Ok(rows)
}

/// What card `card` of `note` shows now: the note rendered and its annotations anchored.
pub fn face_of(
    vault: &crate::Vault,
    store: &Store,
    study: &Study,
    note: &str,
    card: &str,
) -> Result<cards::Face> {
    let card = study
        .cards(note)?
        .into_iter()
        .find(|c| c.id == card)
        .ok_or_else(|| Error::BadInput {
            message: format!("there is no card {card} on {note}"),
        })?;
    let rendered = crate::Note::load(vault, note, &[])?;
    let annotations = store.anchored(note, Some(&rendered.text))?.annotations;
    Ok(cards::face(&card, &rendered, &annotations))
}

/// Makes the card of kind `kind` of highlight `annotation` on `note` (or gives the one made
/// before).
pub fn add_highlight_card(
    study: &Study,
    store: &Store,
    note: &str,
    annotation: &str,
    kind: Kind,
) -> Result<Card> {
    let loaded = store.load(note)?;
    let found = loaded
        .annotations
        .iter()
        .find(|a| a.id == annotation)
        .ok_or_else(|| Error::BadInput {
            message: format!(
                "{note} has no highlight {annotation} (see `margin annotations list {note}`)"
            ),
        })?;
    study.add_card(note, Card::of_highlight(found, kind)?)
}

/// Makes the heading card of the section `heading` of `note` (or gives the one made before).
pub fn add_heading_card(
    study: &Study,
    vault: &crate::Vault,
    note: &str,
    heading: &str,
) -> Result<Card> {
    let rendered = crate::Note::load(vault, note, &[])?;
    study.add_card(note, Card::of_heading(&rendered, heading)?)
}

/// The "Cards" switch of a note turned on: a cloze card for each of its highlights that is
/// not an orphan, or, for a note without highlights, a heading card for each section heading
/// (below the title). Cards made before are kept, not doubled. Returns the note's cards.
pub fn add_note_cards(
    study: &Study,
    store: &Store,
    vault: &crate::Vault,
    note: &str,
) -> Result<Vec<Card>> {
    let rendered = crate::Note::load(vault, note, &[])?;
    let annotations = store.load(note)?.annotations;
    let live: Vec<_> = annotations
        .iter()
        .filter(|a| a.status != crate::anchor::Status::Orphan)
        .collect();
    let cards = if live.is_empty() {
        let top = rendered.outline.iter().map(|h| h.level).min().unwrap_or(1);
        rendered
            .outline
            .iter()
            .filter(|h| h.level > top || rendered.outline.len() == 1)
            .map(|h| Card::of_heading(&rendered, &h.text))
            .collect::<Result<Vec<_>>>()?
    } else {
        live.into_iter()
            .map(|a| Card::of_highlight(a, Kind::Cloze))
            .collect::<Result<Vec<_>>>()?
    };
    study.add_cards(note, cards)?;
    study.cards(note)
}

/// The "Cards" switch of a note turned off: every card of it removed (as tombstones, so a
/// sync merge cannot bring them back; the review log keeps their history). Returns how many.
pub fn remove_note_cards(study: &Study, note: &str) -> Result<usize> {
    let cards = study.cards(note)?;
    for c in &cards {
        study.remove_card(note, &c.id)?;
    }
    Ok(cards.len())
}

/// Every card with what it shows now (for the Anki export): each note is rendered once.
pub fn faces(
    vault: &crate::Vault,
    store: &Store,
    study: &Study,
) -> Result<Vec<(CardRow, cards::Face)>> {
    let rows = list(study, store, "")?;
    let mut all: HashMap<String, Card> = study
        .all_cards()?
        .into_iter()
        .map(|(_, c)| (c.id.clone(), c))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    let mut notes: HashMap<String, Option<(crate::Note, Vec<crate::annotations::Annotation>)>> =
        HashMap::new();
    for row in rows {
        let loaded = notes.entry(row.note.clone()).or_insert_with(|| {
            let note = crate::Note::load(vault, &row.note, &[]).ok()?;
            let annotations = store
                .anchored(&row.note, Some(&note.text))
                .ok()?
                .annotations;
            Some((note, annotations))
        });
        let Some(card) = all.remove(&row.id) else {
            continue;
        };
        let face = match loaded {
            Some((note, annotations)) => cards::face(&card, note, annotations),
            None => continue,
        };
        out.push((row, face));
    }
    Ok(out)
}

/// Card `id` wherever it is: its note and the card.
pub fn find_card(study: &Study, id: &str) -> Result<(String, Card)> {
    study
        .all_cards()?
        .into_iter()
        .find(|(_, c)| c.id == id)
        .ok_or_else(|| Error::BadInput {
            message: format!("there is no card {id} in this vault (see `margin cards list`)"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn setup() -> (tempfile::TempDir, Study, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join(".margin/annotations"));
        let study = Study::of(&store, "laptop");
        (dir, study, store)
    }

    fn card(annotation: &str) -> Card {
        Card {
            id: uuid::Uuid::new_v4().to_string(),
            annotation: Some(annotation.into()),
            heading: None,
            kind: Kind::Cloze,
            created: crate::annotations::now(),
            deleted: None,
        }
    }

    #[test]
    fn a_read_only_vaults_cards_and_reviews_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("vault/.margin/annotations");
        let study = Study::of(&Store::at(&inside), "desk");
        let card = card("a1");
        study.add_card("n.md", card.clone()).unwrap();
        study
            .grade(
                "n.md",
                &card.id,
                Grade::Good,
                OffsetDateTime::now_utc(),
                false,
                0,
            )
            .unwrap();
        let outside = dir.path().join("data/annotations");
        let here = Study::of(&Store::beside_read_only(outside, inside), "laptop");
        assert_eq!(here.cards("n.md").unwrap(), vec![card.clone()]);
        assert_eq!(here.all_cards().unwrap().len(), 1);
        assert_eq!(here.reviews().len(), 1);
        // This computer's grades go beside, and both count.
        here.grade(
            "n.md",
            &card.id,
            Grade::Good,
            OffsetDateTime::now_utc(),
            false,
            0,
        )
        .unwrap();
        assert_eq!(here.reviews().len(), 2);
        assert_eq!(study.reviews().len(), 1, "the read-only vault was written");
    }

    #[test]
    fn two_devices_logs_merge_into_one_schedule_and_undo_is_kept() {
        let (dir, laptop, _) = setup();
        let desktop = Study::of(
            &Store::at(dir.path().join(".margin/annotations")),
            "desktop",
        );
        let c = laptop.add_card("a.md", card("h1")).unwrap();
        let t0 = datetime!(2026-01-01 9:00 UTC);
        laptop
            .grade("a.md", &c.id, Grade::Good, t0, false, 0)
            .unwrap();
        let second = desktop
            .grade(
                "a.md",
                &c.id,
                Grade::Good,
                t0 + time::Duration::days(3),
                false,
                0,
            )
            .unwrap();
        assert!(dir.path().join(".margin/reviews/laptop.jsonl").is_file());
        assert!(dir.path().join(".margin/reviews/desktop.jsonl").is_file());
        // The same log copied to both (as a sync tool would): counted once.
        fs::copy(
            dir.path().join(".margin/reviews/laptop.jsonl"),
            dir.path().join(".margin/reviews/laptop-copy.jsonl"),
        )
        .unwrap();
        let by = laptop.reviews_by_card();
        assert_eq!(by[&c.id].len(), 2);
        let s = laptop.scheduler().unwrap().schedule(&by[&c.id]);
        assert_eq!(s.reps, 2);
        assert_eq!(
            s.due.unwrap(),
            second.at + time::Duration::seconds_f64(second.interval_days * 86_400.0)
        );
        laptop.undo(&second.id).unwrap();
        assert_eq!(laptop.reviews_by_card()[&c.id].len(), 1);
    }

    #[test]
    fn a_torn_last_line_is_skipped_then_cut_off_by_the_next_append() {
        let (dir, study, _) = setup();
        let c = study.add_card("a.md", card("h1")).unwrap();
        let t0 = datetime!(2026-01-01 9:00 UTC);
        study
            .grade("a.md", &c.id, Grade::Good, t0, false, 0)
            .unwrap();
        let log = dir.path().join(".margin/reviews/laptop.jsonl");
        let mut bytes = fs::read(&log).unwrap();
        bytes.extend_from_slice(b"{\"id\":\"torn");
        fs::write(&log, bytes).unwrap();
        assert_eq!(study.reviews().len(), 1, "the torn line is skipped");
        study
            .grade(
                "a.md",
                &c.id,
                Grade::Easy,
                t0 + time::Duration::days(2),
                false,
                0,
            )
            .unwrap();
        assert_eq!(study.reviews().len(), 2);
        let text = fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("torn"));
    }

    #[test]
    fn cards_are_listed_due_and_suspended_with_their_highlight() {
        let (_dir, study, store) = setup();
        let text = "Caches hold hot keys. Queues absorb bursts.";
        let a = crate::annotations::Annotation::new(text, 12, 20, "yellow").unwrap();
        let mut b = crate::annotations::Annotation::new(text, 29, 35, "yellow").unwrap();
        b.status = crate::anchor::Status::Orphan;
        store.add("net/a.md", a.clone()).unwrap();
        store.add("net/a.md", b.clone()).unwrap();
        let ca = study.add_card("net/a.md", card(&a.id)).unwrap();
        let cb = study.add_card("net/a.md", card(&b.id)).unwrap();
        // The same highlight twice: one card.
        assert_eq!(study.add_card("net/a.md", card(&a.id)).unwrap().id, ca.id);
        let now = datetime!(2026-01-01 9:00 UTC);
        let rows = list(&study, &store, "net").unwrap();
        assert_eq!(rows.len(), 2);
        let due_now = due(&study, &store, "", now).unwrap();
        assert_eq!(due_now.iter().map(|r| &r.id).collect::<Vec<_>>(), [&ca.id]);
        assert!(rows
            .iter()
            .any(|r| r.id == cb.id && r.state == State::Suspended));
        study
            .grade("net/a.md", &ca.id, Grade::Good, now, false, 0)
            .unwrap();
        assert!(due(&study, &store, "net", now).unwrap().is_empty());
        assert_eq!(
            due(&study, &store, "net", now + time::Duration::days(30))
                .unwrap()
                .len(),
            1
        );
        assert!(list(&study, &store, "other").unwrap().is_empty());
        study.remove_card("net/a.md", &cb.id).unwrap();
        assert_eq!(list(&study, &store, "").unwrap().len(), 1);
        assert_eq!(find_card(&study, &ca.id).unwrap().0, "net/a.md");
        study.mark_read("net/a.md", true).unwrap();
        assert!(study.read_notes().contains("net/a.md"));
        study.mark_read("net/a.md", false).unwrap();
        assert!(study.read_notes().is_empty());
    }

    #[test]
    fn the_tree_badges_and_the_queue_agree_on_a_card_whose_highlight_is_gone() {
        let (_dir, study, store) = setup();
        let text = "Caches hold hot keys.";
        let a = crate::annotations::Annotation::new(text, 0, 6, "yellow").unwrap();
        store.add("n.md", a.clone()).unwrap();
        study.add_card("n.md", card(&a.id)).unwrap();
        study.add_card("n.md", card("deleted-highlight")).unwrap();
        let now = datetime!(2026-01-01 9:00 UTC);
        let queue = due(&study, &store, "", now).unwrap();
        let badges = progress::per_note(&["n.md".to_string()], &study, &store, now).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(badges["n.md"].due, queue.len());
        assert_eq!((badges["n.md"].cards, badges["n.md"].highlights), (2, 1));
    }
}
