//! Two computers, one vault, from the command line (issue 14): a sync tool's conflict copy of
//! an annotation file is merged, not shown twice; annotations are edited and deleted as the
//! window does; `margin doctor` repairs and reports; `--prefix` forgives as Hypothesis does.

mod common;
use common::*;

const NOTE: &str = "networking/tcp-handshake-and-teardown.md";

fn list(v: &Vault) -> Vec<serde_json::Value> {
    serde_json::from_str(&ok(&margin(v, &["annotations", "list", "--json"]))).unwrap()
}

#[test]
fn a_syncthing_conflict_copy_is_merged_and_each_highlight_listed_once() {
    let (laptop, desktop) = (vault(), vault());
    let mine = ok(&margin(
        &laptop,
        &["annotate", NOTE, "--quote", "3 way handshake"],
    ))
    .trim()
    .to_string();
    let theirs = ok(&margin(
        &desktop,
        &["annotate", NOTE, "--quote", "Synchronize-Acknowledgement"],
    ))
    .trim()
    .to_string();
    // Syncthing brings the desktop's file over as a conflict copy beside the laptop's.
    let dir = laptop.path.join(".margin/annotations/networking");
    let copy = dir.join("tcp-handshake-and-teardown.md.sync-conflict-20261128-101010-ABCDEFG.json");
    std::fs::copy(
        desktop
            .path
            .join(".margin/annotations/networking/tcp-handshake-and-teardown.md.json"),
        &copy,
    )
    .unwrap();
    let out = margin(&laptop, &["annotations", "list", "--json"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("merged the Syncthing conflict copy"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{rows:#?}");
    assert!(ids.contains(&mine.as_str()) && ids.contains(&theirs.as_str()));
    assert!(!copy.exists(), "the merged copy is still there");
}

#[test]
fn annotations_are_edited_and_removed_from_the_command_line() {
    let v = vault();
    let id = ok(&margin(
        &v,
        &["annotate", NOTE, "--quote", "3 way handshake"],
    ))
    .trim()
    .to_string();
    // A unique start of the id is enough, as with git's hashes.
    ok(&margin(
        &v,
        &[
            "annotations",
            "edit",
            &id[..8],
            "--comment",
            "SYN, SYN-ACK, ACK",
            "--color",
            "green",
            "--tag",
            "tcp",
            "--tag",
            "exam",
        ],
    ));
    let row = &list(&v)[0];
    assert_eq!(row["comment"], "SYN, SYN-ACK, ACK");
    assert_eq!(row["color"], "green");
    assert_eq!(row["tags"], serde_json::json!(["tcp", "exam"]));
    let out = margin(&v, &["annotations", "edit", &id]);
    assert!(!out.status.success(), "an edit without a change is refused");
    ok(&margin(&v, &["annotations", "rm", &id]));
    assert!(list(&v).is_empty());
    // A tombstone stays in the file, so an older synced copy cannot bring it back.
    let file = v
        .path
        .join(".margin/annotations/networking/tcp-handshake-and-teardown.md.json");
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains(&id) && text.contains("\"deleted\":"),
        "{text}"
    );
    let out = margin(&v, &["annotations", "rm", &id]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&id));
}

#[test]
fn doctor_merges_sets_aside_and_then_finds_nothing() {
    let v = vault();
    ok(&margin(
        &v,
        &["annotate", NOTE, "--quote", "3 way handshake"],
    ));
    let dir = v.path.join(".margin/annotations/networking");
    let file = dir.join("tcp-handshake-and-teardown.md.json");
    std::fs::copy(
        &file,
        dir.join("tcp-handshake-and-teardown.md (Ann's conflicted copy 2026-11-28).json"),
    )
    .unwrap();
    let cards = v.path.join(".margin/cards/networking");
    std::fs::create_dir_all(&cards).unwrap();
    std::fs::write(cards.join("dns.md.json"), "{ torn by a crash").unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&ok(&margin(&v, &["doctor", "--json"]))).unwrap();
    assert_eq!(
        report["sync"]["merged"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert_eq!(report["sync"]["merged"][0]["tool"], "dropbox");
    assert_eq!(
        report["set_aside"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert_eq!(report["index"], "created");
    let aside = report["set_aside"][0].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(aside).unwrap(), "{ torn by a crash");
    let again = ok(&margin(&v, &["doctor"]));
    assert!(again.contains("nothing to repair"), "{again}");
}

#[test]
fn a_prefix_is_matched_forgivingly() {
    let v = vault();
    // "ACK" occurs several times; the prefix picks one, without its trailing space…
    ok(&margin(
        &v,
        &[
            "annotate",
            NOTE,
            "--quote",
            "ACK",
            "--prefix",
            "server recieves",
        ],
    ));
    // …or with a typing error in it.
    ok(&margin(
        &v,
        &[
            "annotate",
            NOTE,
            "--quote",
            "ACK",
            "--prefix",
            "servr recieves ",
        ],
    ));
    let out = margin(
        &v,
        &[
            "annotate",
            NOTE,
            "--quote",
            "ACK",
            "--prefix",
            "nothing like it at all",
        ],
    );
    assert!(!out.status.success());
}

#[test]
fn an_orphan_is_attached_again_and_colours_are_named() {
    let v = vault();
    let id = ok(&margin(
        &v,
        &["annotate", NOTE, "--quote", "3 way handshake"],
    ))
    .trim()
    .to_string();
    // The passage is rewritten: the highlight is an orphan, then attached to the new words.
    let path = v.path.join(NOTE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("3 way handshake", "Opening a connection"),
    )
    .unwrap();
    let row = &list(&v)[0];
    assert_eq!(row["status"], "orphan", "{row}");
    ok(&margin(
        &v,
        &[
            "annotations",
            "edit",
            &id,
            "--quote",
            "Opening a connection",
        ],
    ));
    let row = &list(&v)[0];
    assert_eq!(row["status"], "anchored", "{row}");
    assert_eq!(row["quote"], "Opening a connection");

    let out = ok(&margin(
        &v,
        &[
            "palette",
            "--set",
            "yellow=definition",
            "--set",
            "red=don't get it",
        ],
    ));
    assert!(
        out.contains("1 yellow  definition") && out.contains("6 red  don't get it"),
        "{out}"
    );
    assert!(ok(&margin(&v, &["palette"])).contains("definition"));
    let out = margin(&v, &["palette", "--set", "no-equals-sign"]);
    assert!(!out.status.success());
}

#[test]
fn a_notes_conflict_copy_is_listed_and_settled_from_the_command_line() {
    let v = vault();
    assert!(ok(&margin(&v, &["conflicts"])).contains("no conflict copies"));
    let copy = "networking/tcp-handshake-and-teardown (Ann's conflicted copy 2026-11-28).md";
    let mut theirs = std::fs::read_to_string(v.path.join(NOTE)).unwrap();
    theirs.push_str("\nA line from the other computer.\n");
    std::fs::write(v.path.join(copy), &theirs).unwrap();
    let listed = ok(&margin(&v, &["conflicts"]));
    assert!(
        listed.contains(copy) && listed.contains("Dropbox"),
        "{listed}"
    );
    ok(&margin(&v, &["conflicts", "keep", copy, "both"]));
    assert!(std::fs::read_to_string(v.path.join(NOTE))
        .unwrap()
        .contains("A line from the other computer."));
    assert!(!v.path.join(copy).exists());
    let out = margin(&v, &["conflicts", "keep", NOTE, "note"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a conflict copy"));
}
