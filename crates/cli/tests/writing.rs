//! Writing from the command line (`margin new`, `mv`, `rm`, `edit --append`) on a copy of the
//! bundled notes, and the crash test of the note writer: a save killed at any moment leaves
//! the old or the new text, never an empty or partial file.

use std::process::Stdio;
use std::time::Duration;

mod common;
use common::*;

fn read(v: &Vault, id: &str) -> String {
    std::fs::read_to_string(v.path.join(id)).unwrap()
}

/// Highlights "Synchronize-Acknowledgement" in the TCP note (the issue-18 steps use it).
fn annotate_syn_ack(v: &Vault) {
    ok(&margin(
        v,
        &[
            "annotate",
            "networking/tcp-handshake-and-teardown.md",
            "--quote",
            "Synchronize-Acknowledgement",
            "--comment",
            "moved-test",
        ],
    ));
}

#[test]
fn new_note_gets_a_name_from_its_title_and_is_found_in_the_tree() {
    let v = vault();
    let id = ok(&margin(
        &v,
        &[
            "new",
            "Consistent Hashing: basics",
            "--folder",
            "infrastructure",
        ],
    ));
    assert_eq!(id.trim(), "infrastructure/Consistent Hashing basics.md");
    assert_eq!(
        read(&v, id.trim()),
        "---\ntitle: \"Consistent Hashing: basics\"\n---\n\n"
    );
    let tree = ok(&margin(&v, &["tree"]));
    assert!(tree.contains("Consistent Hashing: basics"), "{tree}");
    let out = margin(&v, &["new", "x", "--folder", "../outside"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid note id"));
}

#[test]
fn mv_rewrites_links_and_carries_annotations() {
    let v = vault();
    annotate_syn_ack(&v);
    let out = ok(&margin(
        &v,
        &[
            "mv",
            "networking/tcp-handshake-and-teardown.md",
            "transport/tcp.md",
        ],
    ));
    assert!(
        out.contains("moved networking/tcp-handshake-and-teardown.md -> transport/tcp.md"),
        "{out}"
    );
    assert!(
        out.contains("1 link rewritten in sysdesignnotes.md"),
        "{out}"
    );
    assert!(out.contains("1 annotation(s) moved"), "{out}");
    assert!(read(&v, "sysdesignnotes.md").contains("[[tcp|TCP handshake and teardown]]"));
    assert!(!v
        .path
        .join("networking/tcp-handshake-and-teardown.md")
        .exists());
    let list = ok(&margin(&v, &["annotations", "list", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&list).unwrap();
    let a = &json.as_array().unwrap()[0];
    assert_eq!(a["note"], "transport/tcp.md");
    assert_eq!(a["status"], "anchored");
    // The link still leads to the note: the reader resolves it.
    let html = ok(&margin(&v, &["show", "sysdesignnotes.md", "--html"]));
    assert!(html.contains("data-note=\"transport/tcp.md\""), "{html}");
    // A taken name is refused, nothing moves.
    let out = margin(&v, &["mv", "transport/tcp.md", "realtime/sse.md"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a note"));
    assert!(v.path.join("transport/tcp.md").exists());
}

#[test]
fn rm_sends_the_note_to_the_trash() {
    let v = vault();
    let text = read(&v, "realtime/sse.md");
    let out = ok(&margin(&v, &["rm", "realtime/sse.md"]));
    assert!(out.contains("moved to the trash"));
    assert!(!v.path.join("realtime/sse.md").exists());
    // The freedesktop trash of this (scratch) home holds it, byte for byte.
    let trashed = v._home.path().join("data/Trash/files/sse.md");
    assert_eq!(std::fs::read_to_string(trashed).unwrap(), text);
    assert!(!margin(&v, &["rm", "realtime/sse.md"]).status.success());
}

#[test]
fn edit_append_adds_a_line_and_keeps_crlf() {
    let v = vault();
    std::fs::write(v.path.join("crlf.md"), "\u{feff}# Title\r\nfirst\r\n").unwrap();
    ok(&margin(&v, &["edit", "crlf.md", "--append", "second"]));
    assert_eq!(
        std::fs::read(v.path.join("crlf.md")).unwrap(),
        "\u{feff}# Title\r\nfirst\r\nsecond\r\n".as_bytes()
    );
    ok(&margin(
        &v,
        &[
            "edit",
            "infrastructure/load-balancer.md",
            "--append",
            "- spreads load",
        ],
    ));
    assert!(read(&v, "infrastructure/load-balancer.md").ends_with("\n- spreads load\n"));
}

/// SIGKILL `margin edit --append` at random moments, 500 times: the note always parses as the
/// old text plus whole appended lines, never empty, never a partial line.
#[cfg(unix)]
#[test]
fn killed_saves_leave_the_old_or_the_new_text() {
    let v = vault();
    let id = "infrastructure/load-balancer.md";
    let original = read(&v, id);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let (mut killed, mut done) = (0, 0);
    for cycle in 0..500 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let line = format!("line {cycle} {}", "x".repeat(2000));
        let mut child = command(&v, &["edit", id, "--append", &line])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((seed >> 33) % 40_000));
        let _ = child.kill();
        if child.wait().unwrap().success() {
            done += 1;
        } else {
            killed += 1;
        }
        let now = read(&v, id);
        let rest = now
            .strip_prefix(original.as_str())
            .unwrap_or_else(|| panic!("cycle {cycle}: the note lost its old text"));
        for l in rest.lines() {
            assert!(
                l.starts_with("line ") && l.ends_with(&"x".repeat(2000)),
                "cycle {cycle}: a partial line"
            );
        }
        assert!(rest.is_empty() || rest.ends_with('\n'));
    }
    let temps: Vec<_> = std::fs::read_dir(v.path.join("infrastructure"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    println!(
        "note writer crash test: 500 cycles, {killed} killed, {done} completed, {} temp files left",
        temps.len()
    );
    assert!(killed > 50 && done > 10, "{killed} killed, {done} done");
}

/// Issue 18's steps: annotate between two `margin index` runs, rename the note with `mv` while
/// nothing watches; the next `margin index` moves the highlight with it, anchored.
#[test]
fn margin_index_follows_a_note_renamed_while_closed() {
    let v = vault();
    ok(&margin(&v, &["index"]));
    annotate_syn_ack(&v);
    std::fs::rename(
        v.path.join("networking/tcp-handshake-and-teardown.md"),
        v.path.join("networking/tcp.md"),
    )
    .unwrap();
    let out = ok(&margin(&v, &["index"]));
    assert!(out.contains("1 new") && out.contains("1 removed"), "{out}");
    let list = ok(&margin(&v, &["annotations", "list", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&list).unwrap();
    let a = &json.as_array().unwrap()[0];
    assert_eq!(a["note"], "networking/tcp.md", "{list}");
    assert_eq!(a["status"], "anchored", "{list}");
}

#[test]
fn the_attachments_folder_is_shown_set_and_checked() {
    let v = vault();
    assert_eq!(ok(&margin(&v, &["attachments"])).trim(), "attachments");
    assert_eq!(
        ok(&margin(&v, &["attachments", "/assets"])).trim(),
        "/assets"
    );
    assert_eq!(ok(&margin(&v, &["attachments"])).trim(), "/assets");
    let out = margin(&v, &["attachments", "../outside"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot hold attachments"));
    assert_eq!(ok(&margin(&v, &["attachments"])).trim(), "/assets");
}
