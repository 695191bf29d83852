//! The 72 hostile payloads of margin-core's fixture, each opened as a note in the real window
//! (also as title, tags, heading and annotation comment): no script runs (the sentinel every
//! payload would set stays unset, `alert` is never called), the window never navigates, and
//! clicking every link in them leaves the page where it is.

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
        for i in 0..count {
            let id = format!("hostile/x{i:02}.md");
            c.execute(
                "document.querySelector(`.tree-note[data-note-id=\"${arguments[0]}\"]`).click()",
                vec![json!(id)],
            )
            .await?;
            element(&c, &format!(".note-body[data-note-id='{id}']")).await?;
            // Click every link and hover every element, as a curious reader would.
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
        c.execute("document.querySelector('.tree-note[data-note-id=\"sysdesignnotes.md\"]').click()", vec![]).await?;
        element(&c, ".anno-card .anno-comment").await?;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let state = c
            .execute("return { pwned: window.__pwned ?? null, alerts: window.__alerts, href: location.href }", vec![])
            .await?;
        ensure!(state["pwned"].is_null(), "a payload ran: {state}");
        ensure!(state["alerts"] == json!(0), "alert was called: {state}");
        ensure!(state["href"].as_str().is_some_and(|h| h.starts_with("tauri://localhost")), "navigated: {state}");
        Ok(())
    })
    .await
}
