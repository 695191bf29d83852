//! Full-text search over a vault: a tantivy index of note sections, kept up to date
//! incrementally, answering lenient queries with ranked, grouped hits and snippets.
//!
//! - [`schema`]: fields and the analyzer; [`query`]: the query language;
//!   [`highlight`]: match ranges and snippets.
//! - The index lives in the OS cache folder, one per vault (`<cache>/index/<hash of the
//!   vault path>/`) with a schema version file and `state.json` (size, mtime and hash of each
//!   indexed note). It is only a cache: missing, corrupt, of another version → rebuilt.
//! - One `IndexWriter` behind a mutex; the reader is reloaded right after each of our commits
//!   so a change is searchable as soon as `update` returns.

mod exclude;
pub mod fresh;
pub mod highlight;
pub mod query;
pub mod schema;
pub mod words;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query as TQuery,
    TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::annotations::{Annotation, Store};
use crate::error::{Error, Result};
use crate::note::title_of;
use crate::render;
use crate::vault::{NoteFile, Vault};

pub use highlight::{Matcher, Range};
pub use query::{parse, Atom, Query, Scope};
use schema::{Fields, SCHEMA_VERSION};

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Below this many hits, words of 5+ letters are also matched with typos.
const FEW_HITS: usize = 5;
/// The fewest top documents a search fetches: far above [`FEW_HITS`], so the top itself tells
/// whether exact words found few (no count of every match needed).
const MIN_FETCH: usize = 30;
const _: () = assert!(FEW_HITS < MIN_FETCH);
/// Characters in a snippet.
const SNIPPET_CHARS: usize = 160;
/// Field weights: a word in a title says more than one in the body.
const BOOST_TITLE: f32 = 3.0;
const BOOST_HEADING: f32 = 2.0;
const BOOST_TAGS: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;
const BOOST_ANNOTATIONS: f32 = 1.2;
/// Typo and prefix matches count for less than exact words.
const BOOST_FUZZY: f32 = 0.3;
const BOOST_PREFIX: f32 = 0.6;
/// Extra score for a section holding the query's words near each other, in order ([`NEAR`]
/// positions apart at most), and again for holding them side by side (the exact phrase): a
/// passage with the words together ranks above one with them scattered. Tuned on the
/// known-item check of `cargo xtask bench` (five words of a sentence of the Rust book → its
/// chapter): MRR 0.74 without, 0.86 at 0.5, 0.95 at 4, 0.98 at 8.
const BOOST_NEAR: f32 = 8.0;
const BOOST_PHRASE: f32 = 8.0;
/// Queries with fewer words than this get no proximity scoring (see `SearchIndex::build`).
const MIN_NEAR_WORDS: usize = 3;
/// How far apart (in words) neighbouring query words may stand and still count as near.
const NEAR: u32 = 4;

/// One search hit: a section of a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The note id.
    pub note: String,
    /// The note's title.
    pub title: String,
    /// Heading path of the section (`TCP › Teardown`), empty before the first heading.
    pub heading: String,
    /// Id of the section's heading element in the rendered note ("" for the top).
    pub anchor: String,
    /// Relevance; higher is better.
    pub score: f32,
    /// Plain text around the match.
    pub snippet: String,
    /// Character ranges of the matches in `snippet`.
    pub ranges: Vec<Range>,
}

/// What an `update` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateStats {
    /// Notes indexed for the first time.
    pub added: usize,
    /// Notes indexed again because they changed.
    pub changed: usize,
    /// Notes taken out of the index.
    pub removed: usize,
    /// Notes left as they were.
    pub unchanged: usize,
    /// Notes that could not be read (binary, too large, …).
    pub skipped: Vec<String>,
    /// Notes found renamed or moved (old id, new id), whose annotations followed them.
    pub renamed: Vec<(String, String)>,
    /// Sections (index documents) written: a changed note writes only its changed sections.
    pub sections_written: usize,
    /// The update was stopped before the end (see [`Progress`]).
    pub cancelled: bool,
    /// The notes that are new, changed or gone (filled by [`SearchIndex::update_notes`]).
    pub touched: Touched,
    /// Wall time.
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Which notes an update touched.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Touched {
    /// New notes.
    pub added: Vec<String>,
    /// Notes whose text (or annotations) changed.
    pub changed: Vec<String>,
    /// Notes that are gone.
    pub removed: Vec<String>,
}

/// How [`SearchIndex::search_current`] knew its answer was about the vault as it is.
#[derive(Debug, Clone, Serialize)]
pub enum Freshness {
    /// A live watcher (the app, `margin watch`) keeps the index current.
    Watched,
    /// Nothing changed since the last update (its stamps hold).
    Unchanged,
    /// Another process was updating the index (without watching): changes it has not
    /// indexed yet are not found.
    Busy,
    /// The vault was walked and the index brought up to date first.
    Updated {
        /// Whether the index was reused, created or rebuilt.
        outcome: OpenOutcome,
        /// What the update did.
        stats: Box<UpdateStats>,
    },
}

/// Why an index was (re)built on open, for the log and the status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OpenOutcome {
    /// The existing index was usable.
    Reused,
    /// There was none.
    Created,
    /// It was unusable and was rebuilt; the reason says why.
    Rebuilt(String),
}

/// Progress of a long update: hears (notes done, total) and answers whether to go on; `false`
/// stops the update early (what was indexed so far is kept, the rest is done next time).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize) -> bool;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct NoteState {
    size: u64,
    modified_ms: u64,
    hash: u64,
    /// Last change of the note's annotation file (0: none).
    #[serde(default)]
    annotations_ms: u64,
    /// Hash of the note's text alone: a note that disappears while another with the same text
    /// appears was renamed or moved, and its annotations follow it.
    #[serde(default)]
    content: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexState {
    schema_version: u32,
    /// When the last update started (ms since epoch): notes modified within two seconds of
    /// it are compared by content hash too, as their mtime may not show a later edit.
    indexed_at_ms: u64,
    notes: BTreeMap<String, NoteState>,
}

/// A file modified this close (ms) before an update started may have changed again in the
/// same instant without its mtime showing it: it is compared by content next time.
const RACY_MS: u64 = 2000;

/// Above this many new notes in one update, renamed-and-edited notes are not looked for.
const MAX_FUZZY_RENAME_CANDIDATES: usize = 300;

/// True when every annotation that was anchored is found in `text` (and there is one).
fn all_anchor(text: &str, annotations: &[Annotation]) -> bool {
    let live: Vec<&Annotation> = annotations
        .iter()
        .filter(|a| a.status != crate::anchor::Status::Orphan)
        .collect();
    let chars: Vec<char> = text.chars().collect();
    !live.is_empty()
        && live.iter().all(|a| {
            let quote = a.current.as_ref().unwrap_or(&a.quote);
            crate::anchor::anchor_chars(&chars, quote, a.position).is_some()
        })
}

/// The search index of one vault.
pub struct SearchIndex {
    dir: PathBuf,
    reader: IndexReader,
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    state: Mutex<IndexState>,
    /// The vault's annotations, indexed with the sections they highlight.
    annotations: Option<Store>,
}

/// The index folder for a vault under Margin's cache folder.
pub fn index_dir(cache_dir: &Path, vault: &Vault) -> PathBuf {
    let key = crate::fingerprint::fnv1a(vault.root().to_string_lossy().as_bytes());
    cache_dir.join("index").join(format!("{key:016x}"))
}

fn index_err(dir: &Path, err: impl std::fmt::Display) -> Error {
    Error::Index {
        path: dir.to_path_buf(),
        message: err.to_string(),
    }
}

/// Checks every file of the index against its checksum. tantivy panics on some damage (a
/// file cut shorter than its footer says) instead of returning an error: that is caught and
/// reported as damage too, so a broken index is rebuilt rather than crashing Margin.
fn validate(index: &Index) -> std::result::Result<(), String> {
    let checked =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| index.validate_checksum()));
    match checked {
        Ok(Ok(damaged)) if damaged.is_empty() => Ok(()),
        Ok(Ok(damaged)) => Err(format!("damaged files: {damaged:?}")),
        Ok(Err(e)) => Err(format!("cannot check: {e}")),
        Err(_) => Err("a file is cut short or overwritten".into()),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A section found by a search, before its snippet is made: its note and final score decide
/// whether it is among the hits returned.
struct Candidate {
    score: f32,
    doc: TantivyDocument,
    note: String,
    /// The body cut into words, when the score needed them already.
    body_words: Option<Vec<(usize, usize, String)>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it or rebuilding it from scratch when it is missing,
    /// unreadable, damaged or of another schema version. Does not index anything: call
    /// [`SearchIndex::update`] next.
    pub fn open(dir: &Path) -> Result<(SearchIndex, OpenOutcome)> {
        match Self::try_open(dir) {
            Ok(Some(index)) => Ok((index, OpenOutcome::Reused)),
            Ok(None) => {
                let index = Self::create(dir)?;
                Ok((index, OpenOutcome::Created))
            }
            Err(reason) => {
                tracing::warn!("rebuilding the search index in {}: {reason}", dir.display());
                let index = Self::create(dir)?;
                Ok((index, OpenOutcome::Rebuilt(reason)))
            }
        }
    }

    /// `Ok(None)`: nothing there. `Err(reason)`: something there, but unusable.
    fn try_open(dir: &Path) -> std::result::Result<Option<SearchIndex>, String> {
        let version_file = dir.join("schema-version");
        if !dir.join("meta.json").exists() {
            return if dir.exists() && fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
                Err("the index has no meta.json".into())
            } else {
                Ok(None)
            };
        }
        let version = fs::read_to_string(&version_file).unwrap_or_default();
        if version.trim() != SCHEMA_VERSION.to_string() {
            return Err(format!(
                "schema version {:?}, this Margin uses {SCHEMA_VERSION}",
                version.trim()
            ));
        }
        let index = Index::open_in_dir(dir).map_err(|e| format!("cannot open: {e}"))?;
        validate(&index)?;
        let state: IndexState = fs::read(dir.join("state.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or("state.json is missing or unreadable")?;
        if state.schema_version != SCHEMA_VERSION {
            return Err("state.json is of another schema version".into());
        }
        Self::from_index(dir, index, state, true).map(Some)
    }

    fn create(dir: &Path) -> Result<SearchIndex> {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let (schema, _) = Fields::schema();
        let index = Index::create_in_dir(dir, schema).map_err(|e| index_err(dir, e))?;
        crate::atomic::write_atomically(
            &dir.join("schema-version"),
            SCHEMA_VERSION.to_string().as_bytes(),
        )?;
        let state = IndexState {
            schema_version: SCHEMA_VERSION,
            ..IndexState::default()
        };
        Self::from_index(dir, index, state, true).map_err(|e| index_err(dir, e))
    }

    /// `writable`: take the writer too (read-only without it, or when another process has it).
    fn from_index(
        dir: &Path,
        index: Index,
        state: IndexState,
        writable: bool,
    ) -> std::result::Result<SearchIndex, String> {
        schema::register(&index);
        let (_, fields) = Fields::schema();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer = match writable.then(|| index.writer_with_num_threads(threads, WRITER_MEMORY)) {
            None => None,
            Some(Ok(w)) => Some(Mutex::new(w)),
            Some(Err(tantivy::TantivyError::LockFailure(..))) => {
                tracing::warn!("another Margin is updating this index; searching it read-only");
                None
            }
            Some(Err(e)) => return Err(format!("cannot write: {e}")),
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| format!("cannot read: {e}"))?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            reader,
            writer,
            fields,
            state: Mutex::new(state),
            annotations: None,
        })
    }

    /// Opens the index of `vault` under Margin's cache folder and brings it up to date;
    /// with `annotations`, highlighted text and comments are searchable too.
    pub fn for_vault(
        vault: &Vault,
        cache_dir: &Path,
        annotations: Option<&Store>,
        progress: Progress<'_>,
    ) -> Result<(SearchIndex, OpenOutcome, UpdateStats)> {
        Self::open_and_update(vault, cache_dir, annotations, progress, true)
    }

    /// [`SearchIndex::for_vault`]; without `trust_stamps` the update walks at once (the caller
    /// has just found the stamps do not hold: checking them again is a stat per note for
    /// nothing).
    fn open_and_update(
        vault: &Vault,
        cache_dir: &Path,
        annotations: Option<&Store>,
        progress: Progress<'_>,
        trust_stamps: bool,
    ) -> Result<(SearchIndex, OpenOutcome, UpdateStats)> {
        let (mut index, outcome) = SearchIndex::open(&index_dir(cache_dir, vault))?;
        index.annotations = annotations.cloned();
        let stats = if trust_stamps {
            index.update(vault, progress)?
        } else {
            index.walk(vault, progress)?
        };
        Ok((index, outcome, stats))
    }

    /// Searches the index of `vault` as `margin search` does: at once when a live watcher keeps
    /// the index current or nothing changed since the last update (see [`fresh`]), after an
    /// update otherwise. If the quick way fails, the index is opened the careful way (rebuilt
    /// when damaged) and brought up to date.
    pub fn search_current(
        vault: &Vault,
        cache_dir: &Path,
        annotations: Option<&Store>,
        query: &str,
        limit: usize,
        progress: Progress<'_>,
    ) -> Result<(Vec<Hit>, Freshness)> {
        let dir = index_dir(cache_dir, vault);
        // Not checksummed (that reads every byte: 8–20 ms on 38k notes), as an app open for
        // hours does not check again either. tantivy panics on some damage rather than
        // failing, so a panic, like an error, means: open it the careful way.
        let quick = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut index = Self::open_for_search(&dir)?;
            let freshness = if fresh::WatchLease::is_held(&dir) {
                Freshness::Watched
            } else {
                index.annotations = annotations.cloned();
                index.unchanged_since_stamps(vault)?;
                Freshness::Unchanged
            };
            match index.search(query, limit, true) {
                Ok(hits) => Some((hits, freshness)),
                Err(err) => {
                    tracing::warn!("searching unchecked failed: {err}");
                    None
                }
            }
        }));
        match quick {
            Ok(Some(answer)) => return Ok(answer),
            Ok(None) => {}
            Err(_) => tracing::warn!("searching unchecked failed: the index is damaged"),
        }
        let (index, outcome, stats) =
            Self::open_and_update(vault, cache_dir, annotations, progress, false)?;
        let hits = index.search(query, limit, true)?;
        if !index.is_writable() {
            return Ok((hits, Freshness::Busy));
        }
        Ok((
            hits,
            Freshness::Updated {
                outcome,
                stats: Box::new(stats),
            },
        ))
    }

    /// The index in `dir` opened for searching only: no writer, no state, no checksum; `None`
    /// when it is missing or of another version.
    fn open_for_search(dir: &Path) -> Option<SearchIndex> {
        let version = fs::read_to_string(dir.join("schema-version")).ok()?;
        if version.trim() != SCHEMA_VERSION.to_string() {
            return None;
        }
        let index = Index::open_in_dir(dir).ok()?;
        Self::from_index(dir, index, IndexState::default(), false).ok()
    }

    /// Claims that this process keeps the index current by watching the vault, until the
    /// lease is dropped (or the process ends): `margin search` then answers without walking.
    /// Take it once the watcher runs and an update after its start is done.
    pub fn lease_watch(&self) -> Option<fresh::WatchLease> {
        fresh::WatchLease::take(&self.dir)
    }

    /// The folder the index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// False when another process holds the writer: searches work, updates are skipped.
    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    /// How many notes are indexed.
    pub fn note_count(&self) -> usize {
        self.state.lock().map_or(0, |s| s.notes.len())
    }

    /// Brings the index up to date with the vault: indexes new and changed notes, drops
    /// removed ones, leaves the rest. `progress` hears (done, total) for the notes to index.
    pub fn update(&self, vault: &Vault, progress: Progress<'_>) -> Result<UpdateStats> {
        let started = Instant::now();
        if let Some(unchanged) = self.unchanged_since_stamps(vault) {
            return Ok(UpdateStats {
                unchanged,
                elapsed: started.elapsed(),
                ..UpdateStats::default()
            });
        }
        self.walk(vault, progress)
    }

    /// [`SearchIndex::update`] by walking the vault, whatever the stamps say.
    fn walk(&self, vault: &Vault, progress: Progress<'_>) -> Result<UpdateStats> {
        let started = Instant::now();
        let mut stats = UpdateStats::default();
        let walked_from_ms = now_ms();
        let scan = vault.scan();
        let Some(writer) = &self.writer else {
            stats.unchanged = scan.notes.len();
            return Ok(stats);
        };
        let mut state = self.state.lock().map_err(|_| self.poisoned())?;
        let racy_after = state.indexed_at_ms.saturating_sub(RACY_MS);
        let annotated = self.annotation_times();
        let mut todo = Vec::new();
        let mut seen: HashSet<&str> = HashSet::with_capacity(scan.notes.len());
        for file in &scan.notes {
            // A sync tool's conflict copy of a note is not searched as a note of its own (the
            // tree shows it as a conflict to settle); it stays out, or leaves, the index.
            if crate::sync::note_conflict(&file.id).is_some() {
                continue;
            }
            seen.insert(String::as_str(&file.id));
            match state.notes.get(&file.id) {
                Some(old)
                    if old.size == file.size
                        && old.modified_ms == file.modified_ms
                        && file.modified_ms < racy_after
                        && old.annotations_ms == annotated.get(&file.id).copied().unwrap_or(0) =>
                {
                    stats.unchanged += 1
                }
                Some(_) => todo.push((file, false)),
                None => todo.push((file, true)),
            }
        }
        let removed: Vec<String> = state
            .notes
            .keys()
            .filter(|id| !seen.contains(String::as_str(id)))
            .cloned()
            .collect();
        let writer = writer.lock().map_err(|_| self.poisoned())?;
        let indexed_at = now_ms();
        let mut gone_with_annotations = Vec::new();
        for id in &removed {
            writer.delete_term(Term::from_field_text(self.fields.note, id));
            if let Some(old) = state.notes.remove(id) {
                // Annotated when last indexed, or since (the CLI or another app wrote them).
                if old.annotations_ms != 0 || annotated.contains_key(id) {
                    gone_with_annotations.push((id.clone(), old.content));
                }
            }
            stats.removed += 1;
        }
        let total = todo.len();
        let mut added = Vec::new();
        for (done, (file, is_new)) in todo.into_iter().enumerate() {
            if done % 256 == 0 && !progress(done, total) {
                stats.cancelled = true;
                break;
            }
            self.index_one(&writer, &mut state, vault, file, is_new, &mut stats)?;
            if is_new {
                added.push(file);
            }
        }
        self.follow_renames(
            &writer,
            &mut state,
            vault,
            gone_with_annotations,
            &added,
            &mut stats,
        )?;
        if !stats.cancelled {
            progress(total, total);
            state.indexed_at_ms = indexed_at;
        }
        self.commit(writer, &state, &stats)?;
        if stats.cancelled {
            fresh::Stamps::remove(&self.dir);
        } else {
            self.save_stamps(vault, &scan, &annotated, walked_from_ms);
        }
        stats.elapsed = started.elapsed();
        Ok(stats)
    }

    /// The number of notes when the stamps of the last full update still hold (nothing in the
    /// vault changed since, see [`fresh`]); `None` when the vault must be walked.
    fn unchanged_since_stamps(&self, vault: &Vault) -> Option<usize> {
        let stamps = fresh::Stamps::load(&self.dir)?;
        let opstamp = self.opstamp()?;
        stamps
            .hold(vault, self.annotations.as_ref(), opstamp)
            .then(|| stamps.note_count())
    }

    /// Records what this full update saw, so the next one can tell at once that nothing
    /// changed. Best effort: without stamps the next update walks, as it always did.
    fn save_stamps(
        &self,
        vault: &Vault,
        scan: &crate::vault::Scan,
        annotated: &HashMap<String, u64>,
        walked_from_ms: u64,
    ) {
        let racy_after = walked_from_ms.saturating_sub(RACY_MS);
        let stamps = self
            .opstamp()
            .and_then(|op| fresh::Stamps::of_scan(vault, scan, annotated, op, racy_after));
        let saved = match stamps {
            Some(stamps) => stamps.save(&self.dir),
            None => {
                fresh::Stamps::remove(&self.dir);
                Ok(())
            }
        };
        if let Err(err) = saved {
            tracing::warn!("index stamps not saved: {err}");
            fresh::Stamps::remove(&self.dir);
        }
    }

    /// The index's last commit, as on disk (another process may have committed since).
    fn opstamp(&self) -> Option<u64> {
        let searcher = self.reader.searcher();
        searcher.index().load_metas().ok().map(|meta| meta.opstamp)
    }

    /// Moves the annotations of notes that vanished to the new note they became (a rename or
    /// move done outside Margin: a file manager, `git mv`, a sync from another computer), then
    /// re-indexes that note with them. The same on every update path: the start-up update,
    /// `margin index`, the watcher and a rescan all come here.
    ///
    /// A new note is the renamed one when it has the same text, or — renamed and edited a
    /// little — when it is the only new note in which every highlight of the old one is found
    /// again by the anchoring (exact or approximate, as when a note changes in place).
    /// Ambiguous cases (two candidates) move nothing: the highlights stay orphans to re-attach.
    fn follow_renames(
        &self,
        writer: &IndexWriter,
        state: &mut IndexState,
        vault: &Vault,
        gone: Vec<(String, u64)>,
        added: &[&NoteFile],
        stats: &mut UpdateStats,
    ) -> Result<()> {
        let Some(store) = &self.annotations else {
            return Ok(());
        };
        let mut claimed: HashSet<String> = HashSet::new();
        let mut texts: HashMap<String, Option<String>> = HashMap::new();
        for (old_id, content) in gone {
            let unclaimed = || added.iter().filter(|f| !claimed.contains(&f.id));
            let mut same = unclaimed()
                .filter(|f| state.notes.get(&f.id).is_some_and(|s| s.content == content));
            let new = match (same.next(), same.next()) {
                (Some(new), None) => Some(*new),
                (Some(_), Some(_)) => None,
                // Reading every new note for every vanished one is bounded: past a few hundred
                // new notes (a big checkout) only exact renames are followed.
                (None, _) if added.len() > MAX_FUZZY_RENAME_CANDIDATES => None,
                (None, _) => {
                    let Some((annotations, _, _)) = store.load_quietly(&old_id) else {
                        continue;
                    };
                    let mut fits = unclaimed().filter(|f| {
                        let text = texts.entry(f.id.clone()).or_insert_with(|| {
                            crate::Note::load(vault, &f.id, &[]).ok().map(|n| n.text)
                        });
                        text.as_deref()
                            .is_some_and(|text| all_anchor(text, &annotations))
                    });
                    match (fits.next(), fits.next()) {
                        (Some(new), None) => Some(*new),
                        _ => None,
                    }
                }
            };
            let Some(new) = new else {
                continue;
            };
            let moved = store.rename(&old_id, &new.id)?;
            if moved > 0 {
                tracing::info!(
                    "{old_id} became {}: {moved} annotations moved with it",
                    new.id
                );
                claimed.insert(new.id.clone());
                stats.renamed.push((old_id, new.id.clone()));
                self.index_one(
                    writer,
                    state,
                    vault,
                    new,
                    false,
                    &mut UpdateStats::default(),
                )?;
            }
        }
        Ok(())
    }

    /// Applies a batch from the vault watcher: just the named notes (and those whose annotations
    /// changed), or a walk of the whole vault when a folder changed.
    pub fn apply(&self, vault: &Vault, changes: &crate::watch::Changes) -> Result<UpdateStats> {
        if changes.rescan {
            return self.update(vault, &mut |_, _| true);
        }
        let mut ids: Vec<String> = changes.notes.clone();
        for id in &changes.annotations {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        self.update_notes(vault, &ids)
    }

    /// Re-reads just these notes (changed, added or deleted on disk) and commits: what a file
    /// watcher calls, without walking the whole vault.
    pub fn update_notes(&self, vault: &Vault, ids: &[String]) -> Result<UpdateStats> {
        let started = Instant::now();
        let mut stats = UpdateStats::default();
        let Some(writer) = &self.writer else {
            return Ok(stats);
        };
        let mut state = self.state.lock().map_err(|_| self.poisoned())?;
        let writer = writer.lock().map_err(|_| self.poisoned())?;
        let mut gone_with_annotations = Vec::new();
        let mut added_files = Vec::new();
        // Once each: a changed note's sections are compared with the last commit's.
        let mut seen = HashSet::new();
        for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
            let meta = vault
                .path_of(id)
                .ok()
                .filter(|_| crate::sync::note_conflict(id).is_none())
                .and_then(|path| std::fs::metadata(path).ok());
            match meta {
                Some(meta) => {
                    let file = NoteFile {
                        id: id.clone(),
                        size: meta.len(),
                        modified_ms: crate::vault::modified_ms(&meta),
                    };
                    let is_new = !state.notes.contains_key(id);
                    let before = (stats.added, stats.changed);
                    self.index_one(&writer, &mut state, vault, &file, is_new, &mut stats)?;
                    if stats.added > before.0 {
                        stats.touched.added.push(id.clone());
                        added_files.push(file);
                    } else if stats.changed > before.1 {
                        stats.touched.changed.push(id.clone());
                    }
                }
                None => {
                    if let Some(old) = state.notes.remove(id) {
                        writer.delete_term(Term::from_field_text(self.fields.note, id));
                        stats.removed += 1;
                        stats.touched.removed.push(id.clone());
                        let annotated_now = self
                            .annotations
                            .as_ref()
                            .is_some_and(|store| store.load_quietly(id).is_some());
                        if old.annotations_ms != 0 || annotated_now {
                            gone_with_annotations.push((id.clone(), old.content));
                        }
                    }
                }
            }
        }
        let added_refs: Vec<&NoteFile> = added_files.iter().collect();
        self.follow_renames(
            &writer,
            &mut state,
            vault,
            gone_with_annotations,
            &added_refs,
            &mut stats,
        )?;
        self.commit(writer, &state, &stats)?;
        stats.elapsed = started.elapsed();
        Ok(stats)
    }

    /// Commits (when anything changed), reloads the reader and saves the state.
    fn commit(
        &self,
        mut writer: std::sync::MutexGuard<'_, IndexWriter>,
        state: &IndexState,
        stats: &UpdateStats,
    ) -> Result<()> {
        if stats.added + stats.changed + stats.removed > 0 {
            writer.commit().map_err(|e| index_err(&self.dir, e))?;
            self.reader.reload().map_err(|e| index_err(&self.dir, e))?;
        }
        self.save_state(state)
    }

    /// Indexes one note file if its content changed; counts what it did in `stats`.
    fn index_one(
        &self,
        writer: &IndexWriter,
        state: &mut IndexState,
        vault: &Vault,
        file: &NoteFile,
        is_new: bool,
        stats: &mut UpdateStats,
    ) -> Result<()> {
        let source = match vault.read(&file.id) {
            Ok(source) => source,
            Err(err) => {
                stats.skipped.push(err.to_string());
                if state.notes.remove(&file.id).is_some() {
                    writer.delete_term(Term::from_field_text(self.fields.note, &file.id));
                    stats.removed += 1;
                }
                return Ok(());
            }
        };
        let (annotations, annotations_ms, annotations_hash) = self.annotations_of(&file.id);
        let content = crate::fingerprint::fnv1a(source.as_bytes());
        let hash = content ^ annotations_hash;
        let entry = NoteState {
            size: file.size,
            modified_ms: file.modified_ms,
            hash,
            annotations_ms,
            content,
        };
        if !is_new
            && state
                .notes
                .get(&file.id)
                .is_some_and(|old| old.hash == hash)
        {
            state.notes.insert(file.id.clone(), entry);
            stats.unchanged += 1;
            return Ok(());
        }
        let written = if is_new {
            self.add_note(writer, &file.id, &source, &annotations)
        } else {
            self.replace_note(writer, &file.id, &source, &annotations)
        };
        stats.sections_written += written.map_err(|e| index_err(&self.dir, e))?;
        state.notes.insert(file.id.clone(), entry);
        if is_new {
            stats.added += 1;
        } else {
            stats.changed += 1;
        }
        Ok(())
    }

    /// When each annotated note's annotation file last changed, by note id.
    fn annotation_times(&self) -> HashMap<String, u64> {
        let Some(store) = &self.annotations else {
            return HashMap::new();
        };
        store.modified_times()
    }

    /// The annotations of a note, the file's mtime and a hash of its content (0s when none).
    fn annotations_of(&self, id: &str) -> (Vec<Annotation>, u64, u64) {
        let Some(store) = &self.annotations else {
            return (Vec::new(), 0, 0);
        };
        match store.load_quietly(id) {
            Some((list, modified_ms, bytes)) => (
                list,
                modified_ms,
                crate::fingerprint::fnv1a(&bytes).rotate_left(1),
            ),
            None => (Vec::new(), 0, 0),
        }
    }

    fn poisoned(&self) -> Error {
        index_err(&self.dir, "a previous update panicked; restart Margin")
    }

    fn save_state(&self, state: &IndexState) -> Result<()> {
        let bytes = serde_json::to_vec(state).map_err(|e| index_err(&self.dir, e))?;
        crate::atomic::replace_cache_file(&self.dir.join("state.json"), &bytes)
    }

    fn add_note(
        &self,
        writer: &IndexWriter,
        id: &str,
        source: &str,
        annotations: &[Annotation],
    ) -> tantivy::Result<usize> {
        let docs = self.section_docs(id, source, annotations);
        let written = docs.len();
        for (_, doc) in docs {
            writer.add_document(doc)?;
        }
        Ok(written)
    }

    /// Re-indexes a changed note by its sections: those whose key is new are added, those
    /// whose key is gone are deleted, the rest stay as they are. Typing in one section of a
    /// 1 MB note (1,954 sections) writes one section, not the note: its commit took 80–90 ms
    /// with the whole note, 30–35 ms with the one section (in-process, release).
    /// Keys are read from the last commit, so a batch must not hold the same note twice.
    fn replace_note(
        &self,
        writer: &IndexWriter,
        id: &str,
        source: &str,
        annotations: &[Annotation],
    ) -> tantivy::Result<usize> {
        let old = self.section_keys(id)?;
        let new = self.section_docs(id, source, annotations);
        let new_keys: HashSet<u64> = new.iter().map(|(key, _)| *key).collect();
        if old.is_empty() {
            // Nothing keyed (cannot happen with this schema; cheap insurance).
            writer.delete_term(Term::from_field_text(self.fields.note, id));
        }
        for key in old.difference(&new_keys) {
            writer.delete_term(Term::from_field_u64(self.fields.key, *key));
        }
        let mut written = 0;
        for (key, doc) in new {
            if !old.contains(&key) {
                writer.add_document(doc)?;
                written += 1;
            }
        }
        Ok(written)
    }

    /// The keys of note `id`'s sections in the last commit.
    fn section_keys(&self, id: &str) -> tantivy::Result<HashSet<u64>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.note, id),
            IndexRecordOption::Basic,
        );
        let mut keys = HashSet::new();
        let mut columns = HashMap::new();
        for address in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .u64("key")?,
                ),
            };
            if let Some(key) = column.first(address.doc_id) {
                keys.insert(key);
            }
        }
        Ok(keys)
    }

    /// The sections of note `id` as documents, each with its key: a fingerprint of everything
    /// the document holds (so an unchanged section keeps its key, and a change to its text,
    /// its place, the note's title, tags or folders, or its highlights gives a new one).
    fn section_docs(
        &self,
        id: &str,
        source: &str,
        annotations: &[Annotation],
    ) -> Vec<(u64, TantivyDocument)> {
        let f = &self.fields;
        let (outline, sections) = render::sections(source);
        let fm = &outline.front_matter;
        let title = title_of(id, fm.title.as_deref(), &outline.headings);
        let mut folders = Vec::new();
        let mut path = String::new();
        for part in id
            .split('/')
            .rev()
            .skip(1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(&part.to_lowercase());
            folders.push(path.clone());
        }
        // Each annotation goes with the section holding its quote (else the heading it was
        // under, else the first section).
        let mut per_section: Vec<Vec<&Annotation>> = vec![Vec::new(); sections.len()];
        for a in annotations {
            let at = sections
                .iter()
                .position(|s| s.text.contains(a.text().trim()))
                .or_else(|| {
                    (!a.heading.is_empty())
                        .then(|| {
                            sections
                                .iter()
                                .position(|s| s.heading_path.ends_with(&a.heading))
                        })
                        .flatten()
                })
                .unwrap_or(0);
            if let Some(list) = per_section.get_mut(at) {
                list.push(a);
            }
        }
        let mut docs = Vec::with_capacity(sections.len());
        for (ord, section) in sections.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            let notes = &per_section[ord];
            if !notes.is_empty() {
                let text: Vec<String> = notes
                    .iter()
                    .map(|a| {
                        let mut t = format!("“{}”", a.text());
                        if !a.comment.trim().is_empty() {
                            t.push_str(" — ");
                            t.push_str(a.comment.trim());
                        }
                        t
                    })
                    .collect();
                doc.add_text(f.annotations, text.join("\n"));
                doc.add_text(f.annotated, "yes");
                for a in notes.iter() {
                    doc.add_text(f.colors, a.color.to_lowercase());
                    for tag in &a.tags {
                        doc.add_text(f.tags, tag);
                    }
                }
            }
            doc.add_text(f.note, id);
            doc.add_text(f.anchor, &section.anchor);
            doc.add_text(f.heading, &section.heading_path);
            doc.add_text(f.title, &title);
            doc.add_text(f.body, &section.text);
            for tag in &fm.tags {
                doc.add_text(f.tags, tag);
            }
            for folder in &folders {
                doc.add_text(f.folders, folder);
            }
            doc.add_u64(f.ord, ord as u64);
            // Every value the document holds, in field order, each closed by a separator.
            let mut held = crate::fingerprint::Fnv1a::default();
            for (_, value) in doc.field_values() {
                if let Some(text) = value.as_str() {
                    held.write(text.as_bytes());
                } else if let Some(n) = value.as_u64() {
                    held.write(&n.to_le_bytes());
                }
                held.write(&[0x1f]);
            }
            let key = held.finish();
            doc.add_u64(f.key, key);
            docs.push((key, doc));
        }
        docs
    }

    /// Searches; `limit` is the number of hits returned. Hits of one note are adjacent, best
    /// section first, notes in order of their best section. Never fails on odd input.
    pub fn search(&self, input: &str, limit: usize, as_you_type: bool) -> Result<Vec<Hit>> {
        Ok(self
            .search_unless(input, limit, as_you_type, &|| false)?
            .unwrap_or_default())
    }

    /// [`SearchIndex::search`] that gives up, with `None`, once `superseded` says a newer
    /// query replaced this one (the window searches at every key press: a stale query stops
    /// before its typo pass and its snippets instead of delaying the next one).
    pub fn search_unless(
        &self,
        input: &str,
        limit: usize,
        as_you_type: bool,
        superseded: &dyn Fn() -> bool,
    ) -> Result<Option<Vec<Hit>>> {
        let parsed = parse(input, as_you_type);
        if parsed.is_empty() || limit == 0 {
            return Ok(Some(Vec::new()));
        }
        let searcher = self.reader.searcher();
        let fetch = (limit * 3).max(MIN_FETCH);
        let exact = self.build(&parsed, false);
        // Documents holding an excluded phrase, found once for both passes.
        let excluded = match self.excluded_phrases(&parsed) {
            Some(phrases) => exclude::Excluded::find(&searcher, phrases.as_ref())
                .map_err(|e| index_err(&self.dir, e))?,
            None => exclude::Excluded::default(),
        };
        // No `Count` beside the top documents: "few hits" is told by the top itself (see
        // `MIN_FETCH`), and a count would make the collector visit every match of a short
        // prefix being typed instead of letting the top documents skip blocks.
        let mut top = searcher
            .search(
                &exact,
                &excluded.around(TopDocs::with_limit(fetch).order_by_score()),
            )
            .map_err(|e| index_err(&self.dir, e))?;
        if superseded() {
            return Ok(None);
        }
        let mut fuzzy = false;
        if top.len() < FEW_HITS
            && parsed.positive_atoms().any(
                |a| matches!(a, Atom::Word(w) | Atom::Prefix(w) if highlight::typo_distance(w) > 0),
            )
        {
            fuzzy = true;
            top = searcher
                .search(
                    &self.build(&parsed, true),
                    &excluded.around(TopDocs::with_limit(fetch).order_by_score()),
                )
                .map_err(|e| index_err(&self.dir, e))?;
        }
        let matcher = Matcher::new(&parsed, fuzzy);
        let pair = word_pair(&parsed);
        // First every candidate's note and final score (`fetch` of them: the extra ones feed
        // a note's group and a two-word query's rerank); then the marks and snippet, the costly
        // part, only for the `limit` hits returned.
        let text = |doc: &TantivyDocument, field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let mut scored: Vec<Candidate> = Vec::with_capacity(top.len());
        for (score, address) in top {
            if superseded() {
                return Ok(None);
            }
            let doc: TantivyDocument =
                searcher.doc(address).map_err(|e| index_err(&self.dir, e))?;
            let note = text(&doc, self.fields.note);
            // Two words near each other, in order, as for longer queries (see `build`): the
            // nearer, the higher; side by side (the phrase) highest.
            let (score, body_words) = match &pair {
                Some((first, second, prefix)) => {
                    let words = schema::analyze_with_offsets(&text(&doc, self.fields.body));
                    let score =
                        match highlight::pair_gap(&words, first, second, *prefix, NEAR as usize) {
                            Some(0) => score * (1.0 + BOOST_NEAR + BOOST_PHRASE),
                            Some(_) => score * (1.0 + BOOST_NEAR),
                            None => score,
                        };
                    (score, Some(words))
                }
                None => (score, None),
            };
            scored.push(Candidate {
                score,
                doc,
                note,
                body_words,
            });
        }
        if pair.is_some() {
            scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        let mut by_note: Vec<(String, Vec<Candidate>)> = Vec::new();
        for found in scored {
            match by_note.iter_mut().find(|(id, _)| *id == found.note) {
                Some((_, group)) => group.push(found),
                None => by_note.push((found.note.clone(), vec![found])),
            }
        }
        let mut hits = Vec::with_capacity(limit);
        for found in by_note.into_iter().flat_map(|(_, group)| group).take(limit) {
            if superseded() {
                return Ok(None);
            }
            let body = text(&found.doc, self.fields.body);
            let notes = text(&found.doc, self.fields.annotations);
            // Cut into words once: for the marks (a two-word query's were cut for its rerank).
            let body_words = match (found.body_words, matcher.is_empty()) {
                (Some(words), _) => words,
                (None, true) => Vec::new(),
                (None, false) => schema::analyze_with_offsets(&body),
            };
            let body_ranges = matcher.ranges_in(&body, &body_words);
            let note_ranges = if body_ranges.is_empty() {
                matcher.ranges(&notes)
            } else {
                Vec::new()
            };
            // When only the user's own annotation matched, show it: the quote and the comment.
            let (snippet, ranges) =
                if !note_ranges.is_empty() || (parsed.annotated && body_ranges.is_empty()) {
                    highlight::snippet(&notes, &note_ranges, SNIPPET_CHARS)
                } else {
                    highlight::snippet(&body, &body_ranges, SNIPPET_CHARS)
                };
            hits.push(Hit {
                title: text(&found.doc, self.fields.title),
                heading: text(&found.doc, self.fields.heading),
                anchor: text(&found.doc, self.fields.anchor),
                score: found.score,
                snippet,
                ranges,
                note: found.note,
            });
        }
        Ok(Some(hits))
    }

    fn text_fields(&self, scope: Scope) -> Vec<(tantivy::schema::Field, f32)> {
        let f = &self.fields;
        match scope {
            Scope::Title => vec![(f.title, BOOST_TITLE)],
            Scope::All => vec![
                (f.title, BOOST_TITLE),
                (f.heading, BOOST_HEADING),
                (f.body, BOOST_BODY),
                (f.annotations, BOOST_ANNOTATIONS),
            ],
        }
    }

    fn atom_query(&self, atom: &Atom, scope: Scope, fuzzy: bool) -> Box<dyn TQuery> {
        let mut should: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for (field, boost) in self.text_fields(scope) {
            let term = |w: &str| Term::from_field_text(field, w);
            let q: Box<dyn TQuery> = match atom {
                Atom::Word(w) => {
                    let exact: Box<dyn TQuery> =
                        Box::new(TermQuery::new(term(w), IndexRecordOption::WithFreqs));
                    let d = highlight::typo_distance(w);
                    if fuzzy && d > 0 {
                        let near = Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(term(w), d, true)),
                            BOOST_FUZZY,
                        ));
                        Box::new(BooleanQuery::new(vec![
                            (Occur::Should, exact),
                            (Occur::Should, near),
                        ]))
                    } else {
                        exact
                    }
                }
                Atom::Prefix(p) => {
                    let mut forms: Vec<(Occur, Box<dyn TQuery>)> = vec![
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(term(p), IndexRecordOption::WithFreqs)),
                        ),
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new_prefix(term(p), 0, false)),
                                BOOST_PREFIX,
                            )),
                        ),
                    ];
                    // An unfinished last word may also be a whole word typed with a typo
                    // (`signaling` → signalling), as a finished one may.
                    let d = highlight::typo_distance(p);
                    if fuzzy && d > 0 {
                        forms.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new(term(p), d, true)),
                                BOOST_FUZZY,
                            )),
                        ));
                    }
                    Box::new(BooleanQuery::new(forms))
                }
                Atom::Phrase(words) => {
                    Box::new(PhraseQuery::new(words.iter().map(|w| term(w)).collect()))
                }
            };
            should.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
        }
        if scope == Scope::All {
            if let Atom::Word(w) = atom {
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.tags, w),
                            IndexRecordOption::Basic,
                        )),
                        BOOST_TAGS,
                    )),
                ));
            }
        }
        Box::new(BooleanQuery::new(should))
    }

    fn build(&self, q: &Query, fuzzy: bool) -> Box<dyn TQuery> {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for group in &q.groups {
            let alternatives: Vec<(Occur, Box<dyn TQuery>)> = group
                .iter()
                .map(|(atom, scope)| (Occur::Should, self.atom_query(atom, *scope, fuzzy)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        // Filters: exact terms in keyword fields, all required.
        let filters = q
            .tags
            .iter()
            .map(|tag| (self.fields.tags, tag.as_str()))
            .chain(q.folders.iter().map(|f| (self.fields.folders, f.as_str())))
            .chain(q.annotated.then_some((self.fields.annotated, "yes")))
            .chain(q.colors.iter().map(|c| (self.fields.colors, c.as_str())));
        for (field, value) in filters {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if q.groups.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        // Proximity: scored only, never required.
        // With typos allowed, a word the index does not hold is a typo: the others still count
        // as near each other (the slop spans the gap it leaves).
        let searcher = self.reader.searcher();
        let words: Vec<String> = proximity_words(q)
            .into_iter()
            .filter(|w| {
                !fuzzy
                    || searcher
                        .doc_freq(&Term::from_field_text(self.fields.body, w))
                        .map_or(true, |n| n > 0)
            })
            .collect();
        // From three words: two-word queries are the common ones, their sections many, and
        // reading positions for all of them cost 15 ms at p50 on the corpus (bench, two-word
        // kind); three words meet in few sections, where it costs little.
        if words.len() >= MIN_NEAR_WORDS {
            for (field, boost) in [
                (self.fields.body, 1.0),
                (self.fields.annotations, BOOST_ANNOTATIONS),
            ] {
                let terms: Vec<Term> = words
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect();
                let mut near = PhraseQuery::new(terms.clone());
                near.set_slop(NEAR);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(near), BOOST_NEAR * boost)),
                ));
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(PhraseQuery::new(terms)),
                        BOOST_PHRASE * boost,
                    )),
                ));
            }
        }
        // Phrases are excluded by a collector instead (see `exclude`).
        for atom in q.exclude.iter().filter(|a| !matches!(a, Atom::Phrase(_))) {
            clauses.push((Occur::MustNot, self.atom_query(atom, Scope::All, false)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The documents holding any excluded phrase of `q`, as a query of its own.
    fn excluded_phrases(&self, q: &Query) -> Option<Box<dyn TQuery>> {
        let phrases: Vec<(Occur, Box<dyn TQuery>)> = q
            .exclude
            .iter()
            .filter(|a| matches!(a, Atom::Phrase(_)))
            .map(|a| (Occur::Should, self.atom_query(a, Scope::All, false)))
            .collect();
        (!phrases.is_empty()).then(|| Box::new(BooleanQuery::new(phrases)) as Box<dyn TQuery>)
    }
}

/// The query's words in the order typed, for the proximity boost: whole words and the words of
/// phrases, up to the first word that is not one (a prefix being typed, an `OR`, a `title:`).
fn proximity_words(q: &Query) -> Vec<String> {
    let mut words = Vec::new();
    for group in &q.groups {
        if let Some(w) = plain_word(group) {
            words.push(w);
            continue;
        }
        match group.as_slice() {
            [(Atom::Phrase(ws), Scope::All)] => words.extend(ws.iter().cloned()),
            _ => break,
        }
    }
    words
}

/// The two words of a query of exactly two plain words (the second possibly unfinished):
/// (first, second, second is a prefix). Longer queries get their proximity from the index.
fn word_pair(q: &Query) -> Option<(String, String, bool)> {
    let [a, b] = q.groups.as_slice() else {
        return None;
    };
    let first = plain_word(a)?;
    match b.as_slice() {
        [(Atom::Prefix(p), Scope::All)] => Some((first, p.clone(), true)),
        _ => plain_word(b).map(|w| (first, w, false)),
    }
}

/// The word of a group that is one plain word — or a number word with its digit alternative,
/// which still counts as the word typed.
fn plain_word(group: &[(Atom, Scope)]) -> Option<String> {
    match group.first() {
        Some((Atom::Word(w), Scope::All)) if group.len() == 1 || number_pair(group) => {
            Some(w.clone())
        }
        _ => None,
    }
}

fn number_pair(group: &[(Atom, Scope)]) -> bool {
    group.len() == 2 && query::number_alternative(&group[0].0).as_ref() == Some(&group[1].0)
}

/// Character ranges of every match of `input` in a note's visible text, for highlighting the
/// open note and stepping through its hits. Uses typo matching when exact words find nothing.
pub fn note_matches(input: &str, text: &str, as_you_type: bool) -> Vec<Range> {
    let parsed = parse(input, as_you_type);
    let exact = Matcher::new(&parsed, false).ranges(text);
    if !exact.is_empty() {
        return exact;
    }
    Matcher::new(&parsed, true).ranges(text)
}
