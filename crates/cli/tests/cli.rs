//! The `margin` binary as a user runs it, on the bundled notes and on hostile input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bundled() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../notes")
}

fn margin(args: &[&str]) -> Output {
    // Each run gets its own cache and data folders: tests never touch the user's.
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_margin"))
        .args(args)
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .expect("the margin binary runs")
}

fn vault_args<'a>(vault: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--vault", vault];
    args.extend_from_slice(rest);
    args
}

#[test]
fn tree_json_lists_every_bundled_note() {
    let vault = bundled();
    let out = margin(&vault_args(vault.to_str().unwrap(), &["tree", "--json"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["note_count"], 12);
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "method/interview-steps.md",
        "infrastructure/api-gateway.md",
        "infrastructure/load-balancer.md",
        "networking/osi-layers.md",
        "networking/tcp-handshake-and-teardown.md",
        "networking/http-and-https.md",
        "api-design/rest.md",
        "realtime/long-polling.md",
        "realtime/sse.md",
        "realtime/websocket.md",
        "realtime/webrtc.md",
        "sysdesignnotes.md",
    ] {
        assert!(text.contains(&format!("\"{id}\"")), "{id} missing");
    }
}

#[test]
fn show_text_prints_the_note() {
    let vault = bundled();
    let out = margin(&vault_args(
        vault.to_str().unwrap(),
        &["show", "realtime/webrtc.md", "--text"],
    ));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("using signalling servers"));
    assert!(!text.contains("tags:"), "front matter leaked: {text}");
}

#[test]
fn show_outside_the_vault_fails_clearly() {
    let vault = bundled();
    for id in ["../Cargo.toml", "/etc/passwd", "nope/missing.md"] {
        let out = margin(&vault_args(vault.to_str().unwrap(), &["show", id]));
        assert!(!out.status.success(), "{id} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("margin: "), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn missing_vault_fails_clearly() {
    let out = margin(&["--vault", "/definitely/not/here", "tree"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

fn search_json(query: &str) -> Vec<serde_json::Value> {
    let vault = bundled();
    let out = margin(&vault_args(
        vault.to_str().unwrap(),
        &["search", query, "--json"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

#[test]
fn search_ranks_and_reports_with_the_documented_fields() {
    let hits = search_json("handshake");
    assert_eq!(hits[0]["note"], "networking/tcp-handshake-and-teardown.md");
    let mut keys: Vec<&str> = hits[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["anchor", "heading", "note", "ranges", "score", "snippet", "title"]
    );
    assert!(search_json("signaling")
        .iter()
        .any(|h| h["note"] == "realtime/webrtc.md"));
    let realtime = search_json("tag:realtime server");
    assert!(!realtime.is_empty());
    assert!(realtime
        .iter()
        .all(|h| h["note"].as_str().unwrap().starts_with("realtime/")));
}

#[test]
fn index_reports_what_it_did() {
    let vault = bundled();
    let out = margin(&vault_args(vault.to_str().unwrap(), &["index"]));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("12 notes indexed (12 new"), "{text}");
}

#[test]
fn search_text_marks_matches() {
    let vault = bundled();
    let out = margin(&vault_args(
        vault.to_str().unwrap(),
        &["search", "signalling servers"],
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[signalling] [servers]"), "{text}");
}

/// `margin watch` prints one line per change while files change on disk.
#[test]
fn watch_prints_one_line_per_change() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    let vault = home.path().join("v");
    std::fs::create_dir_all(&vault).unwrap();
    std::fs::write(vault.join("a.md"), "# A\n").unwrap();
    std::fs::write(vault.join("b.md"), "# B\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_margin"))
        .args(["--vault", vault.to_str().unwrap(), "watch"])
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it watches.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("watching"), "{line}");
    std::fs::write(vault.join("c.md"), "# C\n").unwrap();
    std::fs::write(vault.join("a.md"), "# A, edited\n").unwrap();
    std::fs::remove_file(vault.join("b.md")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while lines.len() < 3 && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            lines.push(line);
        }
    }
    // While it watches, `margin search` answers from its index without walking the vault,
    // and the index it answers from has the changes.
    let search = |query: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_margin"))
            .args([
                "--vault",
                vault.to_str().unwrap(),
                "search",
                "--json",
                query,
            ])
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        hits.iter()
            .map(|h| h["note"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(search("edited"), ["a.md"]);
    assert!(search("B").is_empty());
    let _ = child.kill();
    let _ = child.wait();
    lines.sort();
    assert_eq!(lines, ["added c.md", "changed a.md", "removed b.md"]);
}

/// The CLI reads a query as the window does: the last word may be unfinished, and a word typed
/// whole ranks the note that has it above notes with longer words it starts.
#[test]
fn search_takes_an_unfinished_last_word_as_the_window_does() {
    let hits = search_json("three way handsh");
    assert_eq!(
        hits.first().map(|h| h["note"].clone()),
        Some("networking/tcp-handshake-and-teardown.md".into()),
        "{hits:?}"
    );
    let hits = search_json("webso");
    assert!(
        hits.iter().any(|h| h["note"] == "realtime/websocket.md"),
        "{hits:?}"
    );
}
