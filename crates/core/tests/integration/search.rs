use std::fs;
use std::path::Path;

use margin_core::search::{note_matches, OpenOutcome, SearchIndex};
use margin_core::{Note, Vault};

use crate::util::TestVault;

fn index(vault: &Vault, cache: &Path) -> (SearchIndex, OpenOutcome) {
    let (index, outcome, _) = SearchIndex::for_vault(vault, cache, None, &mut |_, _| true).unwrap();
    (index, outcome)
}

fn notes(index: &SearchIndex, q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for hit in index.search(q, 50, false).unwrap() {
        if !out.contains(&hit.note) {
            out.push(hit.note);
        }
    }
    out
}

#[test]
fn the_bundled_notes_answer_the_issue_queries() {
    let dir = TestVault::bundled();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    assert_eq!(
        notes(&index, "handshake")[0],
        "networking/tcp-handshake-and-teardown.md"
    );
    assert!(notes(&index, "signaling").contains(&"realtime/webrtc.md".to_string()));
    let realtime = notes(&index, "tag:realtime server");
    assert!(!realtime.is_empty());
    assert!(
        realtime.iter().all(|n| n.starts_with("realtime/")),
        "{realtime:?}"
    );
}

#[test]
fn hits_carry_heading_anchor_snippet_and_marked_ranges() {
    let dir = TestVault::bundled();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let hits = index.search("FIN segment", 10, false).unwrap();
    let hit = &hits[0];
    assert_eq!(hit.note, "networking/tcp-handshake-and-teardown.md");
    assert_eq!(hit.title, "TCP handshake and teardown");
    assert_eq!(hit.heading, "TCP handshake and teardown › Teardown");
    assert_eq!(hit.anchor, "teardown");
    let chars: Vec<char> = hit.snippet.chars().collect();
    let marked: Vec<String> = hit
        .ranges
        .iter()
        .map(|r| chars[r[0]..r[1]].iter().collect::<String>().to_lowercase())
        .collect();
    assert!(
        marked.contains(&"fin".to_string()) && marked.contains(&"segment".to_string()),
        "{marked:?}"
    );
    // The anchor is the id of the heading in the rendered note.
    let note = Note::load(&dir.open(), &hit.note, &[]).unwrap();
    assert!(note.html.contains("id=\"teardown\""));
}

#[test]
fn every_query_form_works() {
    let v = TestVault::new()
        .file("net/tcp.md", "---\ntags: [networking]\n---\n# TCP\n\nThree way handshake with SYN and ACK.\n\n## Teardown\n\nFIN then ACK.\n")
        .file("net/udp.md", "---\ntags: [networking]\n---\n# UDP\n\nNo handshake, datagrams only.\n")
        .file("web/http.md", "---\ntags: [web]\n---\n# HTTP\n\nRequest response over TCP. Café crème.\n");
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&v.open(), cache.path());
    let mut both = notes(&index, "handshake");
    both.sort();
    assert_eq!(both, ["net/tcp.md", "net/udp.md"]);
    assert_eq!(notes(&index, "handshake -datagrams"), ["net/tcp.md"]);
    assert_eq!(notes(&index, "\"three way handshake\""), ["net/tcp.md"]);
    assert!(notes(&index, "\"way three\"").is_empty());
    assert_eq!(notes(&index, "datag*"), ["net/udp.md"]);
    assert_eq!(notes(&index, "datagrams OR request").len(), 2);
    assert_eq!(notes(&index, "tag:web"), ["web/http.md"]);
    assert_eq!(notes(&index, "in:net ack"), ["net/tcp.md"]);
    assert!(notes(&index, "in:web ack").is_empty());
    assert_eq!(notes(&index, "title:udp"), ["net/udp.md"]);
    assert_eq!(notes(&index, "cafe"), ["web/http.md"]);
    assert_eq!(notes(&index, "CRÈME"), ["web/http.md"]);
    // Typo tolerance, only when exact words find little.
    assert_eq!(
        notes(&index, "handshke").len(),
        2,
        "8 letters: one typo allowed"
    );
    assert!(
        notes(&index, "hndshke").is_empty(),
        "7 letters: two typos are too many"
    );
    assert_eq!(notes(&index, "datagrms"), ["net/udp.md"]);
    // The word being typed is a prefix.
    let typing: Vec<String> = index
        .search("tear", 10, true)
        .unwrap()
        .into_iter()
        .map(|h| h.anchor)
        .collect();
    assert_eq!(typing, ["teardown"]);
    // Title matches outrank body matches.
    assert_eq!(notes(&index, "tcp")[0], "net/tcp.md");
}

#[test]
fn junk_queries_never_fail() {
    let dir = TestVault::bundled();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let long = "x".repeat(10 * 1024);
    for q in [
        "",
        "\"",
        "\"unbalanced",
        "-",
        "tag:",
        "in:",
        "title:",
        "🦀 emoji",
        "OR",
        "a OR",
        "-only",
        "***",
        "\u{0}",
        long.as_str(),
    ] {
        for typing in [false, true] {
            index.search(q, 20, typing).unwrap();
        }
    }
    assert!(!index.search("-handshake", 50, false).unwrap().is_empty());
}

/// `-"a phrase"` drops the sections holding the phrase, alone or beside other words; once a
/// panic inside tantivy (found by the query fuzzer).
#[test]
fn excluded_phrases_drop_their_sections() {
    let dir = TestVault::bundled();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let with = notes(&index, "handshake");
    assert!(with.contains(&"networking/tcp-handshake-and-teardown.md".to_string()));
    let without = notes(&index, "handshake -\"tcp handshake\"");
    assert_eq!(without, vec!["realtime/websocket.md"]);
    for q in [
        "-\"s a\"",
        "tcp -s.a",
        "-\"tcp handshake\" -udp",
        "\"three way\" -\"tcp ip\"",
    ] {
        for typing in [false, true] {
            index.search(q, 20, typing).unwrap();
        }
    }
    assert!(!notes(&index, "-\"tcp handshake\"")
        .contains(&"networking/tcp-handshake-and-teardown.md".to_string()));
}

#[test]
fn incremental_updates_follow_add_edit_delete_rename() {
    let v = TestVault::new()
        .file("a.md", "# A\n\nalpha\n")
        .file("b.md", "# B\n\nbravo\n");
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, outcome) = index(&vault, cache.path());
    assert_eq!(outcome, OpenOutcome::Created);
    let nothing = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!((nothing.added, nothing.changed, nothing.removed), (0, 0, 0));

    fs::write(v.path().join("c.md"), "# C\n\ncharlie\n").unwrap();
    fs::write(v.path().join("a.md"), "# A\n\nalpha amended\n").unwrap();
    fs::remove_file(v.path().join("b.md")).unwrap();
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!((stats.added, stats.changed, stats.removed), (1, 1, 1));
    assert_eq!(notes(&index, "charlie"), ["c.md"]);
    assert_eq!(notes(&index, "amended"), ["a.md"]);
    assert!(notes(&index, "bravo").is_empty());

    fs::rename(v.path().join("c.md"), v.path().join("renamed.md")).unwrap();
    index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!(notes(&index, "charlie"), ["renamed.md"]);
    assert_eq!(index.note_count(), 2);

    // Reopening keeps the index and finds nothing to do.
    drop(index);
    let (index, outcome, stats) =
        SearchIndex::for_vault(&vault, cache.path(), None, &mut |_, _| true).unwrap();
    assert_eq!(outcome, OpenOutcome::Reused);
    assert_eq!(stats.added + stats.changed + stats.removed, 0);
    assert_eq!(notes(&index, "charlie"), ["renamed.md"]);
}

#[test]
fn updating_named_notes_is_enough_for_a_watcher() {
    let v = TestVault::new()
        .file("a.md", "# A\n\nalpha\n")
        .file("b.md", "# B\n\nbravo\n");
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&vault, cache.path());
    fs::write(v.path().join("a.md"), "# A\n\nzulu\n").unwrap();
    fs::write(v.path().join("new.md"), "# New\n\nyankee\n").unwrap();
    fs::remove_file(v.path().join("b.md")).unwrap();
    let ids = ["a.md", "new.md", "b.md"].map(String::from);
    let stats = index.update_notes(&vault, &ids).unwrap();
    assert_eq!((stats.added, stats.changed, stats.removed), (1, 1, 1));
    assert_eq!(notes(&index, "zulu"), ["a.md"]);
    assert_eq!(notes(&index, "yankee"), ["new.md"]);
    assert!(notes(&index, "alpha").is_empty() && notes(&index, "bravo").is_empty());
}

/// A changed note is re-indexed by its sections: an edit in one section writes that section
/// only, and the note is found exactly as if it had been indexed whole (every section once,
/// the old words gone); a change every section carries (the title) writes them all.
#[test]
fn a_long_note_edited_in_one_section_writes_only_that_section() {
    // A word of its own per section, far from the others (typo tolerance would join near ones).
    let word = |i: u64| -> String {
        let mut h = margin_core::fingerprint::fnv1a(&i.to_le_bytes());
        (0..9)
            .map(|_| {
                let c = (b'a' + (h % 26) as u8) as char;
                h /= 26;
                c
            })
            .collect()
    };
    let sections: Vec<String> = (0..200)
        .map(|i| format!("## Part {i}\n\nWords of part {} stay here.\n", word(i)))
        .collect();
    let text = format!(
        "---\ntitle: Long\n---\n# Long\n\nOpening.\n\n{}",
        sections.join("\n")
    );
    let v = TestVault::new().file("long.md", &text);
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&vault, cache.path());
    let ids = ["long.md".to_string()];
    let sections_of = |q: &str| -> Vec<String> {
        index
            .search(q, 500, false)
            .unwrap()
            .into_iter()
            .map(|h| h.anchor)
            .collect()
    };
    assert_eq!(sections_of(&word(57)), ["part-57"]);

    // One word changed in part 57.
    let edited = text.replace(
        &format!("{} stay", word(57)),
        &format!("{} moved", word(57)),
    );
    fs::write(v.path().join("long.md"), &edited).unwrap();
    let stats = index.update_notes(&vault, &ids).unwrap();
    assert_eq!(stats.changed, 1);
    assert_eq!(
        stats.sections_written, 1,
        "only the edited section is written"
    );
    assert_eq!(sections_of("moved"), ["part-57"]);
    assert_eq!(sections_of("stay").len(), 199, "every other section once");
    assert_eq!(sections_of(&word(12)), ["part-12"]);
    assert_eq!(
        sections_of("part").len(),
        200,
        "no section twice, none lost"
    );

    // A section added in the middle: the ones after it move down (their place is in the key).
    let inserted = edited.replace(
        "## Part 150\n",
        "## Inserted\n\nNew words here.\n\n## Part 150\n",
    );
    fs::write(v.path().join("long.md"), &inserted).unwrap();
    let stats = index.update_notes(&vault, &ids).unwrap();
    assert!(stats.sections_written <= 51, "{}", stats.sections_written);
    assert_eq!(sections_of("inserted"), ["inserted"]);
    assert_eq!(sections_of("part").len(), 200);

    // The title is in every section: all are written again, and found by the new title.
    let retitled = inserted.replace("title: Long", "title: Lengthy");
    fs::write(v.path().join("long.md"), &retitled).unwrap();
    let stats = index.update_notes(&vault, &ids).unwrap();
    assert_eq!(stats.sections_written, 202);
    assert_eq!(sections_of(&format!("lengthy {}", word(99))), ["part-99"]);

    // Closed and opened again: the same answers from what was committed.
    drop(index);
    let (index, _) = self::index(&vault, cache.path());
    let hits = index.search("part", 500, false).unwrap();
    assert_eq!(hits.len(), 200);
}

fn index_folder(cache: &Path) -> std::path::PathBuf {
    let root = cache.join("index");
    fs::read_dir(&root).unwrap().next().unwrap().unwrap().path()
}

#[test]
fn damaged_indexes_are_rebuilt() {
    let dir = TestVault::bundled();
    let vault = dir.open();
    let cache = tempfile::tempdir().unwrap();
    drop(index(&vault, cache.path()));
    let folder = index_folder(cache.path());

    type Damage = fn(&Path);
    let damages: [(&str, Damage); 6] = [
        // tantivy's checksum check panics on this one (the footer's length is garbage).
        ("overwritten segment", |d| {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "term") {
                    fs::write(&p, b"garbage").unwrap();
                }
            }
        }),
        ("bad meta.json", |d| {
            fs::write(d.join("meta.json"), "{ not json").unwrap()
        }),
        ("schema bump", |d| {
            fs::write(d.join("schema-version"), "0").unwrap()
        }),
        ("truncated segment", |d| {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.extension()
                    .is_some_and(|x| x == "idx" || x == "pos" || x == "store")
                {
                    let len = fs::metadata(&p).unwrap().len();
                    let f = fs::OpenOptions::new().write(true).open(&p).unwrap();
                    f.set_len(len / 2).unwrap();
                }
            }
        }),
        ("deleted index", |d| fs::remove_dir_all(d).unwrap()),
        ("missing state", |d| {
            fs::remove_file(d.join("state.json")).unwrap()
        }),
    ];
    for (what, damage) in damages {
        damage(&folder);
        let (index, outcome) = index(&vault, cache.path());
        assert_ne!(outcome, OpenOutcome::Reused, "{what}");
        assert_eq!(
            notes(&index, "handshake")[0],
            "networking/tcp-handshake-and-teardown.md",
            "{what}"
        );
    }
    // A lock file left by a process that died does not block the next one.
    fs::write(folder.join(".tantivy-writer.lock"), "").unwrap();
    let (index, outcome) = index(&vault, cache.path());
    assert_eq!(outcome, OpenOutcome::Reused);
    assert!(index.is_writable());
}

#[test]
fn matches_in_the_open_note_use_visible_text_offsets() {
    let note = Note::from_source(
        "x.md",
        "# Signalling\n\nA *signalling* server — 🦀 signalling.\n",
        &[],
    );
    let ranges = note_matches("signaling", &note.text, false);
    assert_eq!(ranges.len(), 3);
    let chars: Vec<char> = note.text.chars().collect();
    for r in ranges {
        let word: String = chars[r[0]..r[1]].iter().collect();
        assert_eq!(word.to_lowercase(), "signalling");
    }
}

#[test]
fn annotations_are_searchable_and_filterable() {
    use margin_core::annotations::{Annotation, Store};
    let v = TestVault::new()
        .file(
            "a.md",
            "# Alpha\n\nThe quorum needs two replicas.\n\n## Later\n\nNothing here.\n",
        )
        .file("b.md", "# Bravo\n\nGossip spreads state.\n");
    let vault = v.open();
    let store = Store::for_vault(&vault, &v.path().join("fb"));
    let text = Note::load(&vault, "a.md", &[]).unwrap().text;
    let start = text.find("two replicas").unwrap();
    let mut a = Annotation::new(&text, start, start + 12, "red").unwrap();
    a.comment = "remember sloppy quorums".into();
    store.add("a.md", a).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (index, _, _) =
        SearchIndex::for_vault(&vault, cache.path(), Some(&store), &mut |_, _| true).unwrap();
    // The comment is found, and the snippet shows it.
    let hits = index.search("sloppy", 10, false).unwrap();
    assert_eq!(hits[0].note, "a.md");
    assert!(
        hits[0].snippet.contains("remember sloppy quorums"),
        "{}",
        hits[0].snippet
    );
    assert_eq!(notes(&index, "is:annotated"), ["a.md"]);
    assert_eq!(notes(&index, "color:red replicas"), ["a.md"]);
    assert!(notes(&index, "color:blue").is_empty());
    // A change made elsewhere (another process) is noticed by the next update.
    let text_b = Note::load(&vault, "b.md", &[]).unwrap().text;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut b = Annotation::new(&text_b, 0, 6, "blue").unwrap();
    b.comment = "epidemic protocols".into();
    store.add("b.md", b).unwrap();
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert_eq!(stats.changed, 1);
    assert_eq!(notes(&index, "epidemic"), ["b.md"]);
    // And a deletion, through the watcher path.
    store.update("b.md", |l| l.clear()).unwrap();
    index.update_notes(&vault, &["b.md".to_string()]).unwrap();
    assert!(notes(&index, "epidemic").is_empty());
}

#[test]
fn a_cancelled_update_keeps_what_it_did_and_finishes_next_time() {
    let mut v = TestVault::new();
    for i in 0..600 {
        v = v.file(&format!("n{i:03}.md"), format!("# Note {i}\n\nword{i}\n"));
    }
    let vault = v.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) =
        SearchIndex::open(&margin_core::search::index_dir(cache.path(), &vault)).unwrap();
    let stats = index.update(&vault, &mut |done, _| done < 256).unwrap();
    assert!(stats.cancelled);
    assert_eq!(index.note_count(), 256);
    let stats = index.update(&vault, &mut |_, _| true).unwrap();
    assert!(!stats.cancelled);
    assert_eq!((stats.added, index.note_count()), (344, 600));
}

#[test]
fn chinese_and_japanese_words_are_found_inside_runs_and_marked() {
    let dir = TestVault::new()
        .file("zh/tar.md", "# tar\n\n使用 tar 压缩文件到归档中。\n")
        .file("zh/gzip.md", "# gzip\n\n压缩或解压文件。\n")
        .file("zh/ls.md", "# ls\n\n列出目录内容。\n")
        .file(
            "ja/tar.md",
            "# tar\n\nファイルを圧縮してアーカイブを作成する。\n",
        )
        .file("ko/tar.md", "# tar\n\n파일을 압축합니다.\n");
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let mut found = notes(&index, "压缩");
    found.sort();
    assert_eq!(found, vec!["zh/gzip.md", "zh/tar.md"]);
    assert_eq!(notes(&index, "归档"), vec!["zh/tar.md"]);
    assert_eq!(
        notes(&index, "压缩文件"),
        vec!["zh/tar.md"],
        "three bigrams in a row"
    );
    assert_eq!(
        notes(&index, "tar 压缩"),
        vec!["zh/tar.md"],
        "mixed scripts"
    );
    assert_eq!(notes(&index, "圧縮"), vec!["ja/tar.md"]);
    assert_eq!(notes(&index, "アーカイブ"), vec!["ja/tar.md"]);
    assert_eq!(notes(&index, "압축"), vec!["ko/tar.md"]);
    assert!(notes(&index, "目录内").contains(&"zh/ls.md".to_string()));
    // A lone character finds the runs it starts a word in.
    assert!(notes(&index, "列").contains(&"zh/ls.md".to_string()));
    // The snippet marks exactly the word, not its neighbours.
    let hit = &index.search("归档", 5, false).unwrap()[0];
    let chars: Vec<char> = hit.snippet.chars().collect();
    let marked: Vec<String> = hit
        .ranges
        .iter()
        .map(|r| chars[r[0]..r[1]].iter().collect())
        .collect();
    assert_eq!(marked, vec!["归档"]);
    // As typed in the window, and in the open note's text.
    assert_eq!(
        index.search("压缩文", 5, true).unwrap()[0].note,
        "zh/tar.md"
    );
    let ranges = note_matches("压缩", "使用 tar 压缩文件", false);
    assert_eq!(ranges, vec![[7, 9]]);
}

#[test]
fn words_near_each_other_rank_above_the_same_words_scattered() {
    // The same words in every note, as many times: word counts alone cannot tell them apart.
    let pad: Vec<String> = (0..40).map(|i| format!("pad{i}")).collect();
    let note = |arranged: Vec<&str>| format!("# Notes\n\n{}\n", arranged.join(" "));
    let words = ["cache", "database", "writes", "consistency"];
    let mut scattered: Vec<&str> = pad.iter().map(String::as_str).collect();
    for (i, w) in words.iter().enumerate() {
        scattered.insert(i * 11, w);
    }
    let mut together: Vec<&str> = pad.iter().map(String::as_str).collect();
    for (i, w) in words.iter().enumerate() {
        together.insert(20 + i * 2, w);
    }
    let mut exact: Vec<&str> = pad.iter().map(String::as_str).collect();
    for (i, w) in words.iter().enumerate() {
        exact.insert(20 + i, w);
    }
    let dir = TestVault::new()
        .file("scattered.md", note(scattered))
        .file("together.md", note(together))
        .file("exact.md", note(exact));
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let ranked = notes(&index, "cache database writes consistency");
    assert_eq!(ranked, vec!["exact.md", "together.md", "scattered.md"]);
    // As typed, with the last word unfinished, the order holds.
    let typing: Vec<String> = index
        .search("cache database writes consis", 10, true)
        .unwrap()
        .into_iter()
        .map(|h| h.note)
        .collect();
    assert_eq!(typing, vec!["exact.md", "together.md", "scattered.md"]);
}

#[test]
fn two_words_side_by_side_rank_above_near_and_near_above_scattered() {
    let pad: Vec<String> = (0..40).map(|i| format!("pad{i}")).collect();
    let note = |at: [usize; 2]| {
        let mut words: Vec<&str> = pad.iter().map(String::as_str).collect();
        words.insert(at[0], "load");
        words.insert(at[1], "balancer");
        format!("# Notes\n\n{}\n", words.join(" "))
    };
    let dir = TestVault::new()
        .file("a-scattered.md", note([3, 30]))
        .file("b-reversed.md", note([20, 20]))
        .file("c-near.md", note([20, 23]))
        .file("d-phrase.md", note([20, 21]));
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&dir.open(), cache.path());
    let want = [
        "d-phrase.md",
        "c-near.md",
        "a-scattered.md",
        "b-reversed.md",
    ];
    assert_eq!(notes(&index, "load balancer")[..2], want[..2]);
    // As typed, the second word unfinished.
    let typing: Vec<String> = index
        .search("load bala", 10, true)
        .unwrap()
        .into_iter()
        .map(|h| h.note)
        .collect();
    assert_eq!(typing[..2], want[..2]);
}

#[test]
fn a_search_overtaken_by_a_newer_one_gives_up() {
    let dir = TestVault::bundled();
    let vault = dir.open();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&vault, cache.path());
    let never = || false;
    let hits = index.search_unless("handshake", 10, true, &never).unwrap();
    assert!(hits.is_some_and(|h| !h.is_empty()));
    // A newer query arrives while this one builds its snippets.
    let asked = std::cell::Cell::new(0);
    let later = || {
        asked.set(asked.get() + 1);
        asked.get() > 2
    };
    assert!(index
        .search_unless("handshake", 10, true, &later)
        .unwrap()
        .is_none());
    // Nothing to search is an answer (empty), not a give-up.
    let always = || true;
    assert_eq!(
        index.search_unless("  ", 10, true, &always).unwrap(),
        Some(vec![])
    );
}

#[test]
fn code_blocks_and_formulas_are_searched_by_their_source() {
    let v = TestVault::new()
        .file(
            "sorting.md",
            "# Sorting\n## Code\n```python\ndef quicksort(items):\n    pivot = items[0]\n```\n## Cost\nOn average $O(n \\log n)$, at worst $$O(n^2)$$.\n",
        )
        .file("other.md", "# Other\nNothing about sorting here.\n");
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = index(&v.open(), cache.path());
    let hits = index.search("quicksort", 10, false).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].note.as_str(), hits[0].anchor.as_str()),
        ("sorting.md", "code")
    );
    let hits = index.search("log", 10, false).unwrap();
    assert_eq!(
        hits.first().map(|h| h.anchor.as_str()),
        Some("cost"),
        "{hits:?}"
    );
    assert_eq!(notes(&index, "pivot"), ["sorting.md"]);
}
