//! `margin annotate`, `annotations list` and `annotations export` on a copy of the bundled
//! notes, and the crash test: writers killed at random moments lose nothing acknowledged.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::*;

/// `margin annotate` of "bidirectional connection" in the WebSocket note, with `comment`
/// (the writer the crash and full-disk tests interrupt).
fn comment_on_websocket(v: &Vault, comment: &str) -> Command {
    command(
        v,
        &[
            "annotate",
            "realtime/websocket.md",
            "--quote",
            "bidirectional connection",
            "--comment",
            comment,
        ],
    )
}

/// Where the vault keeps the annotations of `note`.
fn annotation_file(v: &Vault, note: &str) -> PathBuf {
    v.path.join(format!(".margin/annotations/{note}.json"))
}

/// Names of the files beside `file` that `pick` keeps (temp files, set-aside copies).
fn names_beside(file: &Path, pick: impl Fn(&str) -> bool) -> Vec<String> {
    std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| pick(n))
        .collect()
}

#[test]
fn annotate_list_and_export() {
    let v = vault();
    let id = ok(&margin(
        &v,
        &[
            "annotate",
            "realtime/webrtc.md",
            "--quote",
            "signalling servers",
            "--comment",
            "STUN and TURN",
            "--color",
            "green",
            "--tag",
            "p2p",
        ],
    ));
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&margin(&v, &["annotations", "list", "--json"]))).unwrap();
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert_eq!(a["id"], id.trim());
    assert_eq!(a["note"], "realtime/webrtc.md");
    assert_eq!(a["quote"], "signalling servers");
    assert_eq!(a["status"], "anchored");
    assert_eq!(a["color"], "green");
    assert_eq!(a["comment"], "STUN and TURN");
    assert_eq!(a["tags"], serde_json::json!(["p2p"]));
    let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["color", "comment", "end", "id", "note", "quote", "start", "status", "tags"]
    );

    let md = ok(&margin(&v, &["annotations", "export", "--format", "md"]));
    assert!(
        md.contains("## realtime")
            && md.contains("### WebRTC")
            && md.contains("> signalling servers")
            && md.contains("STUN and TURN"),
        "{md}"
    );

    let out = v.path.join("../export.jsonld");
    ok(&margin(
        &v,
        &[
            "annotations",
            "export",
            "--format",
            "w3c",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let w3c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    let item = &w3c["first"]["items"][0];
    assert_eq!(item["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(item["type"], "Annotation");
    assert_eq!(item["target"]["selector"][0]["type"], "TextQuoteSelector");
    assert_eq!(item["target"]["selector"][0]["exact"], "signalling servers");
    assert_eq!(
        item["target"]["selector"][1]["type"],
        "TextPositionSelector"
    );
    assert!(item["target"]["source"]
        .as_str()
        .unwrap()
        .starts_with("file://"));
    assert_eq!(item["body"][0]["value"], "STUN and TURN");
}

#[test]
fn an_edit_moves_the_annotation_and_a_deletion_orphans_it() {
    let v = vault();
    ok(&margin(
        &v,
        &[
            "annotate",
            "networking/tcp-handshake-and-teardown.md",
            "--quote",
            "FIN segment",
        ],
    ));
    let note = v.path.join("networking/tcp-handshake-and-teardown.md");
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(
        &note,
        text.replace("## Teardown", "## Teardown\n\nA new line first."),
    )
    .unwrap();
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&margin(&v, &["annotations", "list", "--json"]))).unwrap();
    assert_eq!(list[0]["status"], "moved");
    std::fs::write(&note, "# TCP\n\nNothing left.\n").unwrap();
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&margin(&v, &["annotations", "list", "--json"]))).unwrap();
    assert_eq!(list[0]["status"], "orphan");
    assert_eq!(list[0]["quote"], "FIN segment");
}

#[test]
fn ambiguous_or_missing_quotes_are_refused_clearly() {
    let v = vault();
    let out = margin(
        &v,
        &[
            "annotate",
            "networking/tcp-handshake-and-teardown.md",
            "--quote",
            "ACK",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--prefix"));
    ok(&margin(
        &v,
        &[
            "annotate",
            "networking/tcp-handshake-and-teardown.md",
            "--quote",
            "ACK",
            "--prefix",
            "server recieves ",
        ],
    ));
    let out = margin(
        &v,
        &[
            "annotate",
            "realtime/webrtc.md",
            "--quote",
            "not in the note",
        ],
    );
    assert!(!out.status.success());
}

/// SIGKILL a writer at random moments, 500 times: every annotation file still parses and every
/// annotation whose id was printed (acknowledged) is there.
#[cfg(unix)]
#[test]
fn killed_writers_never_lose_acknowledged_annotations() {
    let v = vault();
    let note = "realtime/websocket.md";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut acknowledged = Vec::new();
    let mut killed = 0;
    let cycles = 500;
    for cycle in 0..cycles {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_micros((seed >> 33) % 12_000);
        let mut child = comment_on_websocket(&v, &format!("cycle {cycle}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            acknowledged.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        } else {
            killed += 1;
        }
    }
    let file = annotation_file(&v, note);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("the file parses");
    let ids: Vec<&str> = json["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(ids.contains(&id.as_str()), "acknowledged {id} was lost");
    }
    let strays = names_beside(&file, |n| n.contains(".corrupt-"));
    assert!(strays.is_empty(), "{strays:?}");
    println!(
        "crash test: {cycles} cycles, {killed} writers killed, {} acknowledged, {} stored",
        acknowledged.len(),
        ids.len()
    );
    assert!(
        killed > 50 && !acknowledged.is_empty(),
        "the kills must land at varied moments: {killed} killed"
    );
}

/// A disk that fills up while an annotation is saved: the writer is limited to files of 4 KiB
/// (`RLIMIT_FSIZE`, which binds root too; SIGXFSZ ignored so the write fails with EFBIG as on a
/// full disk). The save fails with a message that says what to do, and the previous file is
/// byte for byte what it was, with no temp file left beside it.
#[cfg(unix)]
#[test]
fn a_full_disk_fails_the_save_clearly_and_keeps_the_previous_file() {
    use std::os::unix::process::CommandExt;

    let v = vault();
    let note = "realtime/websocket.md";
    for _ in 0..3 {
        ok(&margin(
            &v,
            &["annotate", note, "--quote", "bidirectional connection"],
        ));
    }
    let file = annotation_file(&v, note);
    let before = std::fs::read(&file).unwrap();
    assert!(before.len() < 4096, "the starting file must fit the limit");

    let long_comment = "a comment that does not fit on the disk ".repeat(200);
    let mut cmd = comment_on_websocket(&v, &long_comment);
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "the save cannot have succeeded");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("could not save") && message.contains("previous version is kept"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the previous file changed"
    );
    let leftovers = names_beside(&file, |n| n.starts_with(".tmp-"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
    println!("full disk: {}", message.trim());
}
