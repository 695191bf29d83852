//! Studying from the command line (`margin cards`, `review`, `progress`, `read`) on a copy of
//! the bundled notes: cards made from a highlight and from headings, replayed reviews that
//! give the same schedule on two vaults, undo, progress rows, and the errors a script meets.

mod common;
use common::*;

const TCP: &str = "networking/tcp-handshake-and-teardown.md";

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

fn fails_with(out: &std::process::Output, words: &str) {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(words), "{err}");
}

/// Highlights "Synchronize-Acknowledgement" with a question as its comment; its id.
fn highlight(v: &Vault) -> String {
    ok(&margin(
        v,
        &[
            "annotate",
            TCP,
            "--quote",
            "Synchronize-Acknowledgement",
            "--comment",
            "What does the server answer a SYN with?",
        ],
    ))
    .trim()
    .to_string()
}

fn card_row(v: &Vault, id: &str) -> serde_json::Value {
    let rows = json(&margin(v, &["cards", "list", "--json"]));
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("card {id} not listed: {rows}"))
}

#[test]
fn a_cloze_card_from_a_highlight_is_listed_shown_and_scheduled_reproducibly() {
    let (one, two) = (vault(), vault());
    let mut cards = Vec::new();
    for v in [&one, &two] {
        let a = highlight(v);
        let card = ok(&margin(v, &["cards", "add", TCP, "--annotation", &a]));
        let card = card.trim().to_string();
        // The same highlight twice: the same card.
        assert_eq!(
            ok(&margin(v, &["cards", "add", TCP, "--annotation", &a])).trim(),
            card
        );
        let row = card_row(v, &card);
        assert_eq!(row["note"], TCP);
        assert_eq!(row["annotation"], a.as_str());
        assert_eq!(row["kind"], "cloze");
        assert_eq!(row["state"], "new");
        assert!(row["due"].is_null());
        for field in ["stability", "difficulty", "reps", "lapses", "last_review"] {
            assert!(row.get(field).is_some(), "{field} missing: {row}");
        }
        let face = ok(&margin(v, &["cards", "show", &card]));
        assert!(face.contains("Q: server sends SYN - ACK ([…])"), "{face}");
        assert!(
            face.contains("A: server sends SYN - ACK (Synchronize-Acknowledgement)"),
            "{face}"
        );
        cards.push(card);
    }
    // The same replayed history on both vaults: the same schedule, to the second.
    let history = [
        ("good", "2026-01-01T09:00:00Z"),
        ("good", "2026-01-01T15:00:00Z"),
        ("again", "2026-01-04T09:00:00Z"),
        ("easy", "2026-01-05T09:00:00Z"),
    ];
    let mut last = String::new();
    for (v, card) in [(&one, &cards[0]), (&two, &cards[1])] {
        for (grade, at) in history {
            let out = ok(&margin(v, &["review", "grade", card, grade, "--at", at]));
            last = out.lines().next().unwrap().to_string();
        }
    }
    let (a, b) = (card_row(&one, &cards[0]), card_row(&two, &cards[1]));
    for field in ["state", "due", "stability", "difficulty", "reps", "lapses"] {
        assert_eq!(a[field], b[field], "{field}: {a} vs {b}");
    }
    assert_eq!(a["reps"], 4);
    assert_eq!(a["lapses"], 1);
    assert_eq!(a["state"], "review");
    assert_eq!(a["last_review"], "2026-01-05T09:00:00Z");
    // Undo of the last grade (on vault two): the schedule of three reviews.
    ok(&margin(&two, &["review", "undo", &last]));
    let undone = card_row(&two, &cards[1]);
    assert_eq!(undone["reps"], 3);
    assert_eq!(undone["last_review"], "2026-01-04T09:00:00Z");
    // Overdue now (its due date is in January 2026): listed as due.
    let due = json(&margin(
        &one,
        &["cards", "list", "networking", "--due", "--json"],
    ));
    assert_eq!(due.as_array().unwrap().len(), 1);
}

#[test]
fn a_question_card_needs_a_comment_and_heading_cards_cover_a_note_without_highlights() {
    let v = vault();
    let a = highlight(&v);
    let qa = ok(&margin(
        &v,
        &["cards", "add", TCP, "--annotation", &a, "--kind", "qa"],
    ));
    let face = ok(&margin(&v, &["cards", "show", qa.trim()]));
    assert!(
        face.contains("Q: What does the server answer a SYN with?\nA: Synchronize-Acknowledgement"),
        "{face}"
    );
    // A highlight without a comment has no question.
    let bare = ok(&margin(&v, &["annotate", TCP, "--quote", "FIN segment"]));
    fails_with(
        &margin(
            &v,
            &[
                "cards",
                "add",
                TCP,
                "--annotation",
                bare.trim(),
                "--kind",
                "qa",
            ],
        ),
        "write the question as its comment",
    );
    // The note's cards switched on, for a note without highlights: one per section.
    let note = "infrastructure/load-balancer.md";
    let made = ok(&margin(&v, &["cards", "add", note]));
    assert!(!made.trim().is_empty());
    let rows = json(&margin(&v, &["cards", "list", note, "--json"]));
    assert_eq!(rows.as_array().unwrap().len(), made.lines().count());
    assert!(rows
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["kind"] == "heading"));
    // Removed: gone from the list.
    let first = made.lines().next().unwrap();
    ok(&margin(&v, &["cards", "rm", first]));
    assert!(!ok(&margin(&v, &["cards", "list", note])).contains(first));
}

#[test]
fn progress_rows_count_notes_read_highlights_cards_and_due() {
    let v = vault();
    let a = highlight(&v);
    ok(&margin(&v, &["cards", "add", TCP, "--annotation", &a]));
    ok(&margin(&v, &["read", TCP]));
    let rows = json(&margin(&v, &["progress", "--json"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0]["folder"], "");
    let notes = ok(&margin(&v, &["tree", "--json"]));
    let total: serde_json::Value = serde_json::from_str(&notes).unwrap();
    assert_eq!(rows[0]["notes"], total["note_count"]);
    let net = rows.iter().find(|r| r["folder"] == "networking").unwrap();
    assert_eq!(
        (net["read"].clone(), net["highlights"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(
        (net["cards"].clone(), net["due"].clone()),
        (1.into(), 1.into())
    );
    // Asked for one folder: that folder first.
    let only = json(&margin(&v, &["progress", "networking", "--json"]));
    assert_eq!(only[0]["folder"], "networking");
    ok(&margin(&v, &["read", TCP, "--unread"]));
    let only = json(&margin(&v, &["progress", "networking", "--json"]));
    assert_eq!(only[0]["read"], 0);
    // Graded good: no longer due.
    let card = json(&margin(&v, &["cards", "list", "--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&margin(&v, &["review", "grade", &card, "good"]));
    let only = json(&margin(&v, &["progress", "networking", "--json"]));
    assert_eq!(only[0]["due"], 0);
}

#[test]
fn scripts_get_clear_errors() {
    let v = vault();
    fails_with(
        &margin(&v, &["review", "grade", "no-such-card", "good"]),
        "no card no-such-card",
    );
    fails_with(
        &margin(&v, &["cards", "add", TCP, "--annotation", "nope"]),
        "has no highlight nope",
    );
    fails_with(&margin(&v, &["cards", "add", "missing.md"]), "missing.md");
    fails_with(
        &margin(&v, &["cards", "add", TCP, "--heading", "No Such Heading"]),
        "has no heading",
    );
    fails_with(&margin(&v, &["read", "../outside.md"]), "invalid note id");
    let a = highlight(&v);
    let card = ok(&margin(&v, &["cards", "add", TCP, "--annotation", &a]));
    fails_with(
        &margin(
            &v,
            &["review", "grade", card.trim(), "good", "--at", "yesterday"],
        ),
        "not an RFC 3339 time",
    );
    fails_with(
        &margin(&v, &["review", "grade", card.trim(), "meh"]),
        "invalid value",
    );
    fails_with(&margin(&v, &["review", "undo", "nope"]), "no review nope");
    fails_with(&margin(&v, &["review", "optimise"]), "at least 400 reviews");
    // A cards file that does not parse is reported with its path, not silently emptied.
    let file = v.path.join(".margin/cards").join(format!("{TCP}.json"));
    std::fs::write(&file, b"{ not json").unwrap();
    fails_with(&margin(&v, &["cards", "list"]), "fix or remove the file");
}

/// SIGKILL `margin review grade` at random moments, 500 times: every review it acknowledged
/// (printed its id and exited) is in the log; a line torn by a kill mid-write is cut off by
/// the next grade, so after one more grade every line of the log parses; and the card's
/// schedule counts exactly the reviews in the log.
#[cfg(unix)]
#[test]
fn killed_grades_lose_no_acknowledged_review_and_corrupt_nothing() {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::Duration;

    let v = vault();
    let a = highlight(&v);
    let card = ok(&margin(&v, &["cards", "add", TCP, "--annotation", &a]));
    let card = card.trim();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut killed, mut acknowledged) = (0, Vec::new());
    for _ in 0..500 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut child = command(&v, &["review", "grade", card, "good"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((seed >> 33) % 30_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        if status.success() {
            acknowledged.push(out.lines().next().unwrap().to_string());
        } else {
            killed += 1;
        }
    }
    let last = ok(&margin(&v, &["review", "grade", card, "good"]));
    acknowledged.push(last.lines().next().unwrap().to_string());
    let mut logged = Vec::new();
    for entry in std::fs::read_dir(v.path.join(".margin/reviews")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let review: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a corrupt log line {line:?}: {e}"));
            logged.push(review["id"].as_str().unwrap().to_string());
        }
    }
    for id in &acknowledged {
        assert!(
            logged.contains(id),
            "acknowledged review {id} is not in the log"
        );
    }
    let row = card_row(&v, card);
    assert_eq!(row["reps"], logged.len(), "{row}");
    println!(
        "review crash test: 500 cycles, {killed} killed, {} acknowledged, {} in the log",
        acknowledged.len(),
        logged.len()
    );
    assert!(killed > 50 && acknowledged.len() > 10, "{killed} killed");
}

#[test]
fn cards_and_reviews_export_for_anki() {
    let v = vault();
    let a = highlight(&v);
    let card = ok(&margin(&v, &["cards", "add", TCP, "--annotation", &a]));
    ok(&margin(&v, &["cards", "add", "realtime/sse.md"]));
    ok(&margin(
        &v,
        &[
            "review",
            "grade",
            card.trim(),
            "good",
            "--at",
            "2026-01-01T09:00:00Z",
        ],
    ));
    let tsv = ok(&margin(&v, &["cards", "export"]));
    assert!(tsv.starts_with("#separator:tab\n#html:true\n"), "{tsv}");
    assert!(
        tsv.contains("Cloze\tserver sends SYN - ACK ({{c1::Synchronize-Acknowledgement}})\t"),
        "{tsv}"
    );
    assert!(tsv.contains("\tmargin networking\n"), "{tsv}");
    assert!(tsv.lines().any(|l| l.starts_with("Basic\t")), "{tsv}");
    let out = v._home.path().join("revlog.csv");
    ok(&margin(
        &v,
        &[
            "cards",
            "export",
            "--format",
            "reviews",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("1767258000000,"), "{csv}");
    assert!(lines[1].contains(",-1,3,"), "{csv}");
}
