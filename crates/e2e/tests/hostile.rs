//! The 72 hostile payloads of margin-core's fixture, each opened as a note in the real window
//! (also as title, tags, heading and annotation comment): no script runs (the sentinel every
//! payload would set stays unset, `alert` is never called), the window never navigates, no IPC
//! call is made but Margin's own, and clicking every link in them leaves the page where it is.

use anyhow::{ensure, Result};
use margin_e2e::{element, invoke, vault_copy, with_app};
use serde_json::json;

const PAYLOADS: &str = include_str!("../../core/tests/integration/fixtures/xss-payloads.txt");

#[tokio::test]
async fn hostile_notes_run_nothing_and_go_nowhere() -> Result<()> {
    let vault = vault_copy();
    let payloads: Vec<&str> = PAYLOADS
        .split("\n%%\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    ensure!(payloads.len() >= 60);
    std::fs::create_dir_all(vault.path().join("hostile"))?;
    for (i, p) in payloads.iter().enumerate() {
        std::fs::write(vault.path().join(format!("hostile/x{i:02}.md")), p)?;
    }
    let count = payloads.len();
    with_app(&["--vault", vault.path().to_str().unwrap()], |c| async move {
        element(&c, ".tree-folder[data-folder='hostile']").await?.click().await?;
        c.execute("window.__alerts = 0; window.alert = () => { window.__alerts += 1; };", vec![]).await?;
        // The app logs every command the page calls: from here on, only Margin's own calls for
        // opening notes and links may show up, none a payload made.
        let calls_before = ipc_calls()?.len();
        for i in 0..count {
            let id = format!("hostile/x{i:02}.md");
            element(&c, &format!(".tree-note[data-note-id='{id}']"))
                .await?
                .click()
                .await?;
            element(&c, &format!(".note-body[data-note-id='{id}']")).await?;
            // Click every link and hover every element, as a curious reader would. Synthetic
            // events on purpose: the sweep must reach every element's handlers, hidden and
            // zero-sized ones too, which a real pointer cannot; and a real click on an outside
            // link would start the system browser.
            c.execute(
                "for (const el of document.querySelectorAll('.note-body *')) {
                   el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
                   if (el.tagName === 'A') el.click();
                 }",
                vec![],
            )
            .await?;
        }
        // A comment carrying a payload is rendered too.
        let text = invoke(&c, "get_note", json!({ "id": "hostile/x00.md" })).await?;
        ensure!(text.is_ok());
        let added = invoke(&c, "add_annotation", json!({ "id": "sysdesignnotes.md", "start": 0, "end": 5, "color": "yellow" })).await?;
        let anno = added.map_err(|e| anyhow::anyhow!("{e}"))?;
        invoke(
            &c,
            "update_annotation",
            json!({ "id": "sysdesignnotes.md", "annotation": anno["id"], "patch": { "comment": payloads[2] } }),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        element(&c, ".tree-note[data-note-id='sysdesignnotes.md']").await?.click().await?;
        element(&c, ".anno-card .anno-comment").await?;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let state = c
            .execute("return { pwned: window.__pwned ?? null, alerts: window.__alerts, href: location.href }", vec![])
            .await?;
        ensure!(state["pwned"].is_null(), "a payload ran: {state}");
        ensure!(state["alerts"] == json!(0), "alert was called: {state}");
        ensure!(state["href"].as_str().is_some_and(|h| h.starts_with("tauri://localhost")), "navigated: {state}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await; // the log is written behind
        let calls: Vec<String> = ipc_calls()?.split_off(calls_before);
        ensure!(calls.iter().any(|c| c == "get_note"), "no call was logged: {calls:?}");
        let own = [
            "get_note", "list_annotations", "search_in_note", "open_external", "index_status",
            "get_palette", "add_annotation", "update_annotation", "all_annotations", "set_window_theme",
            // The margin's card marks, the tree's badges, a note read to its end.
            "study_cards", "study_progress", "study_mark_read",
        ];
        let strange: Vec<&String> = calls.iter().filter(|c| !own.contains(&c.as_str())).collect();
        ensure!(strange.is_empty(), "IPC calls no part of Margin makes when reading: {strange:?}");
        eprintln!("hostile notes: {count} payloads, {} IPC calls, all Margin's own", calls.len());
        Ok(())
    })
    .await
}

/// The commands the app logged so far in this run (`margin_app::ipc` lines of its log files).
fn ipc_calls() -> Result<Vec<String>> {
    let logs = margin_e2e::data_home()?
        .parent()
        .map(|scratch| scratch.join("state/margin/logs"))
        .ok_or_else(|| anyhow::anyhow!("no scratch folder"))?;
    let mut files: Vec<_> = std::fs::read_dir(&logs)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut calls = Vec::new();
    for file in files {
        for line in std::fs::read_to_string(file)?.lines() {
            if let Some(call) = line.split("margin_app::ipc: call ").nth(1) {
                calls.push(call.trim().to_string());
            }
        }
    }
    Ok(calls)
}
