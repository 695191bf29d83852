//! The window follows the vault on disk while it is open: a new note, an edit of the open note,
//! a rename and a deletion all show within a second or two, in the tree, the reader, search
//! and the highlights.

use std::time::Duration;

use anyhow::{ensure, Result};
use margin_e2e::{element, eventually, invoke, text_of, vault_copy, with_app};
use serde_json::json;

#[tokio::test]
async fn the_window_follows_changes_on_disk() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        element(&c, ".note-body[data-note-id='sysdesignnotes.md']").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;

        // A new note appears in the tree and in search.
        std::fs::write(root.join("networking/dns.md"), "# DNS\n\nResolvers cache answers for a TTL.\n")?;
        element(&c, ".tree-folder[data-folder='networking']").await?.click().await?;
        element(&c, ".tree-note[data-note-id='networking/dns.md']").await?;
        eventually("the new note in search", || async {
            let hits = invoke(&c, "search", json!({ "query": "resolvers", "limit": 5, "asYouType": false })).await?;
            Ok(hits.ok().filter(|h| h[0]["note"] == "networking/dns.md").map(|_| ()))
        })
        .await?;

        // The open note is edited in another editor: the reader shows the new text.
        let open = root.join("sysdesignnotes.md");
        let text = std::fs::read_to_string(&open)?;
        std::fs::write(&open, text.replace("one topic per note", "one topic per note, edited outside"))?;
        eventually("the edited note", || async {
            Ok(text_of(&c, ".note-body").await?.filter(|t| t.contains("edited outside")))
        })
        .await?;

        // Renamed and deleted notes leave the tree.
        std::fs::rename(root.join("realtime/sse.md"), root.join("realtime/server-sent-events.md"))?;
        std::fs::remove_file(root.join("realtime/long-polling.md"))?;
        element(&c, ".tree-folder[data-folder='realtime']").await?.click().await?;
        let ids = eventually("the tree after rename and delete", || async {
            let v = c
                .execute("return [...document.querySelectorAll('.tree-note')].map((e) => e.dataset.noteId).filter((id) => id.startsWith('realtime/'))", vec![])
                .await?;
            let ids: Vec<String> = serde_json::from_value(v)?;
            Ok(ids.contains(&"realtime/server-sent-events.md".to_string()).then_some(ids))
        })
        .await?;
        ensure!(!ids.iter().any(|i| i == "realtime/sse.md" || i == "realtime/long-polling.md"), "{ids:?}");
        Ok(())
    })
    .await
}

/// Issue 14: a sync tool's conflict copy of an annotation file, arriving while the window is
/// open, is merged (not shown twice, not ignored): its highlight appears in the open note, the
/// copy is removed, and the status line says what happened.
#[tokio::test]
async fn a_sync_conflict_copy_arriving_is_merged_and_its_highlight_shows() -> Result<()> {
    use margin_core::annotations::{find_quote, Annotation, Store};
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let note = "networking/tcp-handshake-and-teardown.md";
    let opened = margin_core::Vault::open(&root)?;
    let text = margin_core::Note::load(&opened, note, &[])?.text;
    let highlight = |quote: &str| -> Result<Annotation> {
        let (start, end) = find_quote(&text, quote, None)?;
        Ok(Annotation::new(&text, start, end, "yellow")?)
    };
    // This computer's highlight, in the vault before the window opens.
    let store = Store::at(root.join(".margin/annotations"));
    store.add(note, highlight("3 way handshake")?)?;
    // The other computer's, in the file Syncthing will leave beside this one.
    let theirs = highlight("Synchronize-Acknowledgement")?;
    let copy = root.join(
        ".margin/annotations/networking/tcp-handshake-and-teardown.md.sync-conflict-20261128-101010-ABCDEFG.json",
    );
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        margin_e2e::open_in_tree(&c, note).await?;
        let marks = format!(".note-body[data-note-id='{note}'] mark.anno");
        element(&c, &marks).await?;
        let body = serde_json::json!({ "version": 2, "note": note, "annotations": [theirs] });
        std::fs::write(&copy, serde_json::to_vec(&body)?)?;
        eventually(
            "the other computer's highlight in the open note",
            || async {
                let count = c.find_all(fantoccini::Locator::Css(&marks)).await?.len();
                Ok((count == 2).then_some(()))
            },
        )
        .await?;
        ensure!(!copy.exists(), "the conflict copy is still there");
        margin_e2e::status_with(&c, "Sync: merged 1 conflict copy").await?;
        Ok(())
    })
    .await
}

/// Issue 14: a sync tool's conflict copy of a *note* is shown in the tree marked as a conflict,
/// is not searched as a note of its own, and is settled from the bar above it: "Merge both"
/// writes what only the copy has into the note and sends the copy to the trash.
#[tokio::test]
async fn a_notes_conflict_copy_is_marked_compared_and_merged() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let note = "networking/tcp-handshake-and-teardown.md";
    let copy = "networking/tcp-handshake-and-teardown.sync-conflict-20261128-101010-ABCDEFG.md";
    let mut theirs = std::fs::read_to_string(root.join(note))?;
    theirs.push_str("\nZebrafish packets were seen on the other computer.\n");
    std::fs::write(root.join(copy), &theirs)?;
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        // Not a note of its own in search.
        let hits = invoke(
            &c,
            "search",
            json!({ "query": "zebrafish", "limit": 5, "asYouType": false }),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("search: {e}"))?;
        ensure!(
            hits.as_array().is_some_and(|h| h.is_empty()),
            "the copy was indexed: {hits}"
        );
        margin_e2e::open_in_tree(&c, copy).await?;
        element(
            &c,
            &format!(".tree-note.tree-conflict[data-note-id='{copy}'] .tree-conflict-badge"),
        )
        .await?;
        eventually("the conflict bar naming the tool and the note", || async {
            let bar = text_of(&c, "[data-role='conflict-bar']")
                .await?
                .unwrap_or_default();
            Ok((bar.contains("Syncthing") && bar.contains(note)).then_some(()))
        })
        .await?;
        // Side by side, then merged.
        element(&c, "[data-role='conflict-bar'] button[aria-expanded]")
            .await?
            .click()
            .await?;
        element(
            &c,
            "[data-role='conflict-bar'] .conflict-compare:not([hidden])",
        )
        .await?;
        margin_e2e::screenshot(&c, "screenshot-conflict.png").await?;
        c.find(fantoccini::Locator::XPath(
            "//section[@data-role='conflict-bar']//button[text()='Merge both']",
        ))
        .await?
        .click()
        .await?;
        eventually("the copy's line in the note, the copy gone", || async {
            let text = std::fs::read_to_string(root.join(note))?;
            Ok((text.contains("Zebrafish packets") && !root.join(copy).exists()).then_some(()))
        })
        .await?;
        margin_e2e::status_with(&c, "Merged into").await?;
        element(&c, &format!(".note-body[data-note-id='{note}']")).await?;
        eventually("the merged line in search", || async {
            let hits = invoke(
                &c,
                "search",
                json!({ "query": "zebrafish", "limit": 5, "asYouType": false }),
            )
            .await?;
            Ok(hits.ok().filter(|h| h[0]["note"] == note).map(|_| ()))
        })
        .await?;
        ensure!(
            c.find_all(fantoccini::Locator::Css(&format!(
                ".tree-note[data-note-id='{copy}']"
            )))
            .await?
            .is_empty(),
            "the copy is still in the tree"
        );
        Ok(())
    })
    .await
}
