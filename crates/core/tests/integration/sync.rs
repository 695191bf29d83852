//! Two computers, one vault: a simulator of two devices working apart on copies of one vault
//! (1,000 random operations each: annotate, edit a comment, recolour, delete, make a card,
//! grade), brought together the ways sync tools do it (Syncthing's and Dropbox's conflict
//! copies, a `git merge` of two branches), then opened by Margin (`sync::merge_copies`).
//! After that: every annotation and card made on either side and not deleted is there exactly
//! once with its latest edit, every deletion holds, no review is lost, no conflict file is left.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use margin_core::annotations::{self, Annotation, Patch, Store};
use margin_core::note::Note;
use margin_core::study::{Card, Grade, Kind, Study};
use margin_core::Vault;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A small deterministic random source (xorshift): the same run every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const NOTES: [&str; 4] = ["net/tcp.md", "net/udp.md", "db/index.md", "cache.md"];

fn write_base(root: &Path) {
    for (i, id) in NOTES.iter().enumerate() {
        let path = root.join(id);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = format!("# Note {i}\n\n");
        for p in 0..12 {
            text.push_str(&format!(
                "Paragraph {p} of note {i}: the quick brown fox {p} jumps over lazy dog number {i}{p}, \
                 while packets {p} travel through routers and caches warm up slowly.\n\n"
            ));
        }
        fs::write(path, text).unwrap();
    }
}

/// The expected state of one annotation: its latest change (by the stamp it was written
/// with) and, per field, the last value written on either side.
#[derive(Debug, Clone)]
struct Expected {
    note: String,
    stamp: OffsetDateTime,
    deleted: bool,
    record: Option<Annotation>,
    comment: (OffsetDateTime, String),
    color: (OffsetDateTime, String),
}

struct Device {
    name: &'static str,
    skew: i64,
    vault: Vault,
    store: Store,
    study: Study,
    reviews: usize,
}

impl Device {
    fn at(root: &Path, name: &'static str, skew: i64) -> Device {
        let vault = Vault::open(root).unwrap();
        let store = Store::at(root.join(".margin/annotations"));
        let study = Study::of(&store, name);
        Device {
            name,
            skew,
            vault,
            store,
            study,
            reviews: 0,
        }
    }

    fn live(&self) -> Vec<(String, Annotation)> {
        self.store
            .all()
            .unwrap()
            .into_iter()
            .flat_map(|(note, list)| list.into_iter().map(move |a| (note.clone(), a)))
            .collect()
    }
}

fn stamp(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap()
}

/// One random operation on `dev`, recorded in `expect` and `cards`.
fn operate(
    dev: &mut Device,
    rng: &mut Rng,
    expect: &mut HashMap<String, Expected>,
    cards: &mut HashMap<String, String>,
) {
    annotations::skew_clock_for_tests(dev.skew);
    let live = dev.live();
    let roll = rng.below(100);
    if roll < 30 || live.is_empty() {
        let note = NOTES[rng.below(NOTES.len())];
        let text = Note::load(&dev.vault, note, &[]).unwrap().text;
        let chars = text.chars().count();
        let start = rng.below(chars - 30);
        let Ok(mut a) = Annotation::new(&text, start, start + 3 + rng.below(20), "yellow") else {
            return;
        };
        a.color = ["yellow", "green", "blue"][rng.below(3)].to_string();
        dev.store.add(note, a.clone()).unwrap();
        let at = stamp(&a.updated);
        expect.insert(
            a.id.clone(),
            Expected {
                note: note.to_string(),
                stamp: at,
                deleted: false,
                comment: (at, a.comment.clone()),
                color: (at, a.color.clone()),
                record: Some(a),
            },
        );
        return;
    }
    let (note, a) = live[rng.below(live.len())].clone();
    let e = expect.get_mut(&a.id).unwrap();
    match roll {
        30..=64 => {
            let patch = if roll < 50 {
                Patch {
                    comment: Some(format!("{} says {}", dev.name, rng.next() % 1000)),
                    ..Patch::default()
                }
            } else {
                Patch {
                    color: Some(["yellow", "green", "blue", "pink"][rng.below(4)].to_string()),
                    ..Patch::default()
                }
            };
            let saved = dev.store.edit(&note, &a.id, patch, "").unwrap();
            let at = stamp(&saved.updated);
            if at > e.stamp {
                e.stamp = at;
                e.deleted = false;
                e.record = Some(saved.clone());
            }
            if roll < 50 && at > e.comment.0 {
                e.comment = (at, saved.comment.clone());
            }
            if roll >= 50 && at > e.color.0 {
                e.color = (at, saved.color.clone());
            }
        }
        65..=74 => {
            dev.store.remove(&note, &a.id).unwrap();
            let tomb = dev
                .store
                .records(&note)
                .unwrap()
                .into_iter()
                .find(|r| r.id == a.id)
                .unwrap();
            let at = stamp(tomb.deleted.as_deref().unwrap());
            if at >= e.stamp {
                e.stamp = at;
                e.deleted = true;
                e.record = None;
            }
        }
        75..=89 => {
            let card = Card::of_highlight(&a, Kind::Cloze).unwrap();
            let made = dev.study.add_card(&note, card).unwrap();
            cards.insert(made.id, note);
        }
        _ => {
            let mine = dev.study.cards(&note).unwrap();
            if let Some(card) = mine.first() {
                dev.study
                    .grade(
                        &note,
                        &card.id,
                        Grade::Good,
                        OffsetDateTime::now_utc(),
                        false,
                        0,
                    )
                    .unwrap();
                dev.reviews += 1;
            }
        }
    }
}

/// Both devices from one base, `ops` operations each (interleaved in time), with B's clock 3 s
/// ahead of A's. Returns how many reviews they gave.
fn diverge(
    a_root: &Path,
    b_root: &Path,
    ops: usize,
    expect: &mut HashMap<String, Expected>,
    cards: &mut HashMap<String, String>,
) -> usize {
    let mut a = Device::at(a_root, "devicea", 0);
    let mut b = Device::at(b_root, "deviceb", 3);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..ops {
        operate(&mut a, &mut rng, expect, cards);
        operate(&mut b, &mut rng, expect, cards);
    }
    annotations::skew_clock_for_tests(0);
    a.reviews + b.reviews
}

/// What both sides start with (some annotations, cards and reviews), so that both edit and
/// delete the same annotations. Returns how many reviews it gave.
fn seed_shared(
    root: &Path,
    expect: &mut HashMap<String, Expected>,
    cards: &mut HashMap<String, String>,
) -> usize {
    let mut dev = Device::at(root, "base", 0);
    let mut rng = Rng(42);
    for _ in 0..60 {
        operate(&mut dev, &mut rng, expect, cards);
    }
    dev.reviews
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with(".git") {
                    dirs.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for file in files_under(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&file, &dest).unwrap();
    }
}

/// What a file-syncing tool does when both computers changed a file: the later one keeps the
/// name, the other is renamed by `copy_name`.
fn sync_like_a_tool(a: &Path, b: &Path, into: &Path, copy_name: impl Fn(&str) -> String) {
    copy_tree(a, into);
    for file in files_under(b) {
        let rel = file.strip_prefix(b).unwrap();
        let dest = into.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        match fs::read(&dest) {
            Err(_) => {
                fs::copy(&file, &dest).unwrap();
            }
            Ok(bytes) if bytes == fs::read(&file).unwrap() => {}
            Ok(_) => {
                let a_time = fs::metadata(a.join(rel)).unwrap().modified().unwrap();
                let b_time = fs::metadata(&file).unwrap().modified().unwrap();
                let name = rel.file_name().unwrap().to_str().unwrap();
                let copy = dest.with_file_name(copy_name(name));
                if b_time > a_time {
                    fs::rename(&dest, &copy).unwrap();
                    fs::copy(&file, &dest).unwrap();
                } else {
                    fs::copy(&file, &copy).unwrap();
                }
            }
        }
    }
}

/// The merged vault, opened as Margin opens it, holds exactly what the operations left.
fn check_merged(
    root: &Path,
    expect: &HashMap<String, Expected>,
    cards: &HashMap<String, String>,
    reviews: usize,
    line_merge: bool,
) {
    let store = Store::at(root.join(".margin/annotations"));
    let report = margin_core::sync::merge_copies(&store);
    assert!(report.left.is_empty(), "left unmerged: {:?}", report.left);
    let leftovers: Vec<PathBuf> = files_under(&root.join(".margin"))
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            !name.starts_with('.')
                && !margin_core::sync::originals_of(&name).is_empty()
                && !name.ends_with(".md.json")
        })
        .collect();
    assert!(leftovers.is_empty(), "conflict files left: {leftovers:?}");
    let again = margin_core::sync::merge_copies(&store);
    assert!(again.is_empty(), "a second pass found more: {again:?}");

    let mut seen: HashMap<String, Annotation> = HashMap::new();
    for (note, list) in store.all().unwrap() {
        for a in list {
            assert_eq!(expect[&a.id].note, note);
            assert!(
                seen.insert(a.id.clone(), a).is_none(),
                "an annotation is there twice"
            );
        }
    }
    let (mut alive, mut deleted) = (0, 0);
    for (id, e) in expect {
        match seen.get(id) {
            Some(a) => {
                assert!(!e.deleted, "{id} was deleted last, yet it is back");
                let want = e.record.as_ref().unwrap();
                // A whole-record merge keeps the latest record; git may also join two edits
                // of different fields line by line.
                let comment_ok =
                    a.comment == want.comment || (line_merge && a.comment == e.comment.1);
                let color_ok = a.color == want.color || (line_merge && a.color == e.color.1);
                assert!(
                    comment_ok,
                    "{id}: comment {:?}, want {:?}: {e:#?} got {a:#?}",
                    a.comment, want.comment
                );
                assert!(
                    color_ok,
                    "{id}: colour {:?}, want {:?}",
                    a.color, want.color
                );
                alive += 1;
            }
            None => {
                assert!(e.deleted, "{id} was made (or edited last) and is lost");
                deleted += 1;
            }
        }
    }
    assert!(
        alive > 100 && deleted > 20,
        "{alive} alive, {deleted} deleted"
    );

    let study = Study::of(&store, "check");
    let mut card_ids: Vec<String> = study
        .all_cards()
        .unwrap()
        .into_iter()
        .map(|(_, c)| c.id)
        .collect();
    let total = card_ids.len();
    card_ids.sort();
    card_ids.dedup();
    assert_eq!(card_ids.len(), total, "a card is there twice");
    for id in cards.keys() {
        assert!(card_ids.contains(id), "card {id} is lost");
    }
    assert_eq!(study.reviews().len(), reviews, "reviews were lost");
}

/// A base vault, seeded, copied to two devices that then work apart.
struct Diverged {
    dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
    expect: HashMap<String, Expected>,
    cards: HashMap<String, String>,
    reviews: usize,
}

fn setup() -> Diverged {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    write_base(&base);
    let (mut expect, mut cards) = (HashMap::new(), HashMap::new());
    let mut reviews = seed_shared(&base, &mut expect, &mut cards);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    copy_tree(&base, &a);
    copy_tree(&base, &b);
    reviews += diverge(&a, &b, OPS, &mut expect, &mut cards);
    Diverged {
        dir,
        a,
        b,
        expect,
        cards,
        reviews,
    }
}

/// Operations per device.
const OPS: usize = 1000;

#[test]
fn syncthing_conflict_copies_merge_without_loss() {
    let d = setup();
    let merged = d.dir.path().join("merged");
    sync_like_a_tool(&d.a, &d.b, &merged, |name| {
        let (stem, ext) = name.rsplit_once('.').unwrap();
        format!("{stem}.sync-conflict-20261128-101010-ABCDEFG.{ext}")
    });
    let copies = files_under(&merged)
        .iter()
        .filter(|p| p.to_string_lossy().contains("sync-conflict"))
        .count();
    assert!(
        copies >= 4,
        "{copies} conflict copies: the devices hardly touched the same files"
    );
    check_merged(&merged, &d.expect, &d.cards, d.reviews, false);
}

#[test]
fn dropbox_conflicted_copies_merge_without_loss() {
    let d = setup();
    let merged = d.dir.path().join("merged");
    sync_like_a_tool(&d.a, &d.b, &merged, |name| {
        let (stem, ext) = name.rsplit_once('.').unwrap();
        format!("{stem} (Ann's conflicted copy 2026-11-28).{ext}")
    });
    check_merged(&merged, &d.expect, &d.cards, d.reviews, false);
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Margin Test",
            "-c",
            "user.email=test@example.org",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
}

#[test]
fn a_git_merge_of_two_branches_merges_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    write_base(&base);
    let (mut expect, mut cards) = (HashMap::new(), HashMap::new());
    let mut reviews = seed_shared(&base, &mut expect, &mut cards);
    git(&base, &["init", "-q"]);
    git(&base, &["add", "-A"]);
    assert!(git(&base, &["commit", "-qm", "base"]).status.success());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(git(dir.path(), &["clone", "-q", "base", "a"])
        .status
        .success());
    assert!(git(dir.path(), &["clone", "-q", "base", "b"])
        .status
        .success());
    reviews += diverge(&a, &b, OPS, &mut expect, &mut cards);
    for side in [&a, &b] {
        git(side, &["add", "-A"]);
        assert!(git(side, &["commit", "-qm", "work"]).status.success());
    }
    let pulled = git(
        &a,
        &["pull", "-q", "--no-rebase", "--no-edit", "../b", "main"],
    );
    let conflicted = !pulled.status.success();
    assert!(
        conflicted,
        "git merged everything by itself: the test proves nothing about markers"
    );
    check_merged(&a, &expect, &cards, reviews, false);
}

/// A sync tool's conflict copy of a *note* is marked in the tree, kept out of search, and
/// settled without losing either side: the note is written first, the copy trashed after.
#[test]
fn a_notes_conflict_copy_is_marked_unsearched_and_settled() {
    use margin_core::search::SearchIndex;
    use margin_core::sync::{keep_note, note_conflict, Keep};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("net")).unwrap();
    fs::write(root.join("net/tcp.md"), "# TCP\n\nSYN, SYN-ACK, ACK.\n").unwrap();
    let copy = "net/tcp.sync-conflict-20261128-101010-ABCDEFG.md";
    fs::write(
        root.join(copy),
        "# TCP\n\nSYN, SYN-ACK, ACK.\n\nZebrafish on the other computer.\n",
    )
    .unwrap();
    let vault = Vault::open(root).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), None, &mut |_, _| true).unwrap();
    assert!(index.search("zebrafish", 5, false).unwrap().is_empty());
    let tree = serde_json::to_string(&margin_core::tree::build(&vault)).unwrap();
    assert!(tree.contains("\"conflict_of\":\"net/tcp.md\""), "{tree}");
    assert_eq!(note_conflict(copy).unwrap().original, "net/tcp.md");

    let compare = margin_core::sync::compare_note(&vault, copy).unwrap();
    assert!(!compare.has_markers);
    assert!(compare
        .merged
        .ends_with("Zebrafish on the other computer.\n"));
    keep_note(&vault, copy, Keep::Merged(compare.merged.clone())).unwrap();
    assert_eq!(
        fs::read_to_string(root.join("net/tcp.md")).unwrap(),
        compare.merged
    );
    assert!(!root.join(copy).exists(), "the copy is still there");
    // Settling a copy that is not one is refused, and says why.
    let err = keep_note(&vault, "net/tcp.md", Keep::Original).unwrap_err();
    assert!(err.to_string().contains("not a conflict copy"), "{err}");
}
