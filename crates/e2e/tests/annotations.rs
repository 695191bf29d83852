//! Highlights in the real window: selecting text and picking a colour stores exactly the
//! offsets Rust computes for the same passage (across code, tables, lists and inline markup);
//! comments survive a restart; edits on disk re-anchor; deleted text leaves an orphan.

use anyhow::{ensure, Context, Result};
use fantoccini::{Client, Locator};
use margin_core::annotations::find_quote;
use margin_core::Note;
use margin_e2e::{
    element, eventually, invoke, keys, open_in_tree, screenshot, settle_storage, text_of,
    vault_copy, with_app,
};
use serde_json::{json, Value};

const RICH: &str = "# Rich note\n\nPlain words with **bold and _italic_ inside** and `inline code` here.\n\n\
| Protocol | Port |\n|:--|--:|\n| HTTPS | 443 |\n| SSH | 22 |\n\n- first item of a list\n- second item of a list\n\n\
```rust\nfn main() { println!(\"hello\"); }\n```\n\n> A quoted line with a [link](https://example.com).\n\nCafé 🦀 end.\n";

/// Selects `phrase` in the open note with a real mouse drag and waits for the colour popover
/// the selection brings up.
async fn select(c: &Client, phrase: &str) -> Result<()> {
    margin_e2e::drag_select(c, phrase).await?;
    element(c, ".popover:not([hidden])").await?;
    Ok(())
}

async fn annotations(c: &Client, note: &str) -> Result<Vec<Value>> {
    let reply = invoke(c, "list_annotations", json!({ "id": note })).await?;
    let value = reply.map_err(|e| anyhow::anyhow!("list_annotations: {e}"))?;
    Ok(value["annotations"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn selections_store_the_offsets_rust_computes() -> Result<()> {
    let vault = vault_copy();
    std::fs::write(vault.path().join("rich.md"), RICH)?;
    let text = Note::from_source("rich.md", RICH, &[]).text;
    let phrases = [
        "bold and italic inside",
        "words with bold",
        "inline code here",
        "HTTPS",
        "443",
        "first item of a list\nsecond item",
        "println!(\"hello\")",
        "quoted line with a link",
        "Café 🦀 end",
    ];
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-note[data-note-id='rich.md']").await?;
            open_in_tree(&c, "rich.md").await?;
            for (i, phrase) in phrases.iter().enumerate() {
                select(&c, phrase).await?;
                keys(&c, &((i % 5) + 1).to_string()).await?;
                eventually("the highlight", || async {
                    Ok((annotations(&c, "rich.md").await?.len() == i + 1).then_some(()))
                })
                .await?;
            }
            let stored = annotations(&c, "rich.md").await?;
            for phrase in phrases {
                let (start, end) = find_quote(&text, phrase, None)?;
                let a = stored
                    .iter()
                    .find(|a| a["quote"]["exact"] == phrase)
                    .with_context(|| format!("no annotation for {phrase:?}: {stored:?}"))?;
                ensure!(
                    a["position"]["start"] == start && a["position"]["end"] == end,
                    "{phrase:?}: window stored {}..{}, Rust says {start}..{end}",
                    a["position"]["start"],
                    a["position"]["end"]
                );
            }
            let marks = c
                .execute(
                    "return document.querySelectorAll('.note-body mark.anno').length",
                    vec![],
                )
                .await?;
            ensure!(
                marks.as_u64().unwrap_or(0) >= phrases.len() as u64,
                "{marks} marks drawn"
            );
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn comments_survive_restarts_edits_re_anchor_and_deletions_orphan() -> Result<()> {
    let vault = vault_copy();
    let args = ["--vault", vault.path().to_str().unwrap()];
    let note = "realtime/webrtc.md";
    with_app(&args, |c| async move {
        element(&c, ".tree-note").await?;
        open_in_tree(&c, note).await?;
        select(&c, "signalling servers").await?;
        keys(&c, "c").await?;
        element(&c, ".anno-edit textarea").await?;
        keys(&c, "Ask about STUN and TURN").await?;
        keys(&c, "\u{E009}\u{E007}\u{E000}").await?; // Ctrl+Enter saves
        eventually("the saved comment", || async {
            Ok(text_of(&c, ".anno-card .anno-comment")
                .await?
                .filter(|t| t.contains("STUN")))
        })
        .await?;
        // Search finds the comment, and `is:annotated` the highlighted passage.
        for query in ["TURN", "is:annotated"] {
            eventually(query, || async {
                let hits = invoke(
                    &c,
                    "search",
                    json!({ "query": query, "limit": 5, "asYouType": false }),
                )
                .await?;
                Ok(hits.ok().filter(|h| h[0]["note"] == note).map(|_| ()))
            })
            .await?;
        }
        settle_storage().await; // the restart below reopens the last note
        Ok(())
    })
    .await?;
    with_app(&args, |c| async move {
        // The last note reopens with its highlight and comment.
        element(&c, &format!(".note-body[data-note-id='{note}'] mark.anno")).await?;
        let comment = text_of(&c, ".anno-card .anno-comment")
            .await?
            .unwrap_or_default();
        // Rendered Markdown: a paragraph.
        let comment = comment.trim();
        ensure!(
            comment == "Ask about STUN and TURN",
            "comment after restart: {comment:?}"
        );
        screenshot(&c, "screenshot-annotations.png").await?;
        Ok(())
    })
    .await?;
    let file = vault.path().join(note);
    let source = std::fs::read_to_string(&file)?;
    let edited = source.replace(
        "# WebRTC\n",
        "# WebRTC\n\nA paragraph added in another editor.\n",
    );
    std::fs::write(&file, &edited)?;
    let (start, end) = find_quote(
        &Note::from_source(note, &edited, &[]).text,
        "signalling servers",
        None,
    )?;
    with_app(&args, |c| async move {
        let mark = element(&c, ".note-body mark.anno").await?;
        ensure!(mark.text().await? == "signalling servers");
        let list = annotations(&c, note).await?;
        ensure!(list.len() == 1 && list[0]["status"] != "orphan", "{list:?}");
        ensure!(
            list[0]["position"] == json!({ "start": start, "end": end }),
            "re-anchored at {}, Rust finds {start}..{end}",
            list[0]["position"]
        );
        Ok(())
    })
    .await?;
    std::fs::write(
        &file,
        "---\ntitle: WebRTC\n---\n# WebRTC\n\nRewritten without that passage.\n",
    )?;
    with_app(&args, |c| async move {
        element(&c, ".orphans-title").await?;
        let orphan = text_of(&c, ".anno-card blockquote")
            .await?
            .unwrap_or_default();
        ensure!(orphan == "signalling servers", "orphan: {orphan:?}");
        let marks = c
            .execute(
                "return document.querySelectorAll('mark.anno').length",
                vec![],
            )
            .await?;
        ensure!(marks == json!(0), "an orphan must not be drawn");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn deleting_can_be_undone() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".note-body").await?;
            select(&c, "owner's system-design").await?;
            keys(&c, "1").await?;
            element(&c, ".anno-card").await?;
            let mut delete = None;
            for button in c.find_all(Locator::Css(".anno-actions button")).await? {
                if button.text().await? == "Delete" {
                    delete = Some(button);
                }
            }
            delete
                .context("no Delete button on the highlight")?
                .click()
                .await?;
            element(&c, ".status .undo").await?.click().await?;
            element(&c, ".note-body mark.anno").await?;
            let list = annotations(&c, "sysdesignnotes.md").await?;
            ensure!(list.len() == 1, "{list:?}");
            // `t` highlights and puts the cursor in the tags box.
            select(&c, "one topic per note").await?;
            keys(&c, "t").await?;
            element(&c, ".anno-edit input").await?;
            keys(&c, "exam, review\u{E009}\u{E007}\u{E000}").await?;
            let tags = eventually("the tags", || async {
                let list = annotations(&c, "sysdesignnotes.md").await?;
                Ok(list
                    .iter()
                    .find(|a| a["quote"]["exact"] == "one topic per note")
                    .map(|a| a["tags"].clone()))
            })
            .await?;
            ensure!(tags == json!(["exam", "review"]), "tags: {tags}");
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn the_annotations_view_lists_filters_and_jumps() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".note-body").await?;
            select(&c, "owner's system-design").await?;
            keys(&c, "2").await?;
            element(&c, ".anno-card").await?;
            open_in_tree(&c, "realtime/sse.md").await?;
            select(&c, "one way comm").await?;
            keys(&c, "4").await?;
            element(&c, ".anno-card").await?;
            keys(&c, "\u{E009}\u{E008}a\u{E000}").await?; // Ctrl+Shift+A
            element(&c, ".library:not([hidden]) .library-item").await?;
            screenshot(&c, "screenshot-library.png").await?;
            let count = text_of(&c, ".library-count").await?.unwrap_or_default();
            ensure!(count == "2 of 2", "count: {count}");
            keys(&c, "one way").await?; // the filter box has the focus
            let count = eventually("the filtered list", || async {
                Ok(text_of(&c, ".library-count")
                    .await?
                    .filter(|t| t == "1 of 2"))
            })
            .await?;
            ensure!(count == "1 of 2");
            keys(&c, "\u{E015}\u{E007}").await?; // ↓ then Enter jumps to the passage
            element(&c, ".note-body[data-note-id='realtime/sse.md'] mark.anno").await?;
            element(&c, ".anno-card.current").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn colours_can_be_named_per_vault() -> Result<()> {
    let vault = vault_copy();
    let palette_file = vault.path().join(".margin/palette.json");
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".note-body").await?;
            element(&c, "[data-role='palette-button']")
                .await?
                .click()
                .await?;
            element(&c, ".palette-edit input").await?;
            keys(&c, "definition").await?;
            keys(&c, "\u{E007}").await?; // Enter saves
            eventually("the palette saved", || async {
                let gone = c
                    .execute(
                        "return document.querySelector('.palette-edit') === null",
                        vec![],
                    )
                    .await?;
                Ok(gone.as_bool().filter(|gone| *gone))
            })
            .await?;
            select(&c, "owner's system-design").await?;
            let title = c
                .execute(
                    "return document.querySelector('.popover .swatch').title",
                    vec![],
                )
                .await?;
            ensure!(title == json!("1: yellow — definition"), "swatch: {title}");
            keys(&c, "1").await?;
            let meta = eventually("the label on the card", || async {
                text_of(&c, ".anno-card .anno-tags").await
            })
            .await?;
            ensure!(meta == "definition", "card: {meta}");
            Ok(())
        },
    )
    .await?;
    let saved = std::fs::read_to_string(palette_file)?;
    ensure!(saved.contains("\"label\": \"definition\""), "{saved}");
    Ok(())
}

/// Export from the window: a highlight made with the mouse, the Markdown export button, the
/// system's save dialog (a real GTK window) given a path with the keyboard, and the file it
/// writes holds the highlight.
#[tokio::test]
async fn export_writes_the_file_chosen_in_the_save_dialog() -> Result<()> {
    let vault = vault_copy();
    let out = tempfile::tempdir()?;
    let target = out.path().join("exported.md");
    let typed = target.to_string_lossy().into_owned();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            margin_e2e::open_in_tree(&c, "networking/tcp-handshake-and-teardown.md").await?;
            margin_e2e::drag_select(&c, "FIN segment").await?;
            element(&c, ".popover:not([hidden])").await?;
            margin_e2e::press(&["1"])?;
            element(&c, ".anno-card").await?;
            element(&c, "[data-role='open-library']")
                .await?
                .click()
                .await?;
            element(&c, ".library-export button[data-format='md']")
                .await?
                .click()
                .await?;
            let dialog = eventually("the save dialog", || async {
                margin_e2e::visible_window("Export annotations")
            })
            .await?;
            if let Ok(dir) = std::env::var("MARGIN_SCREENSHOTS") {
                let _ = std::process::Command::new("import")
                    .args([
                        "-window",
                        "root",
                        &format!("{dir}/screenshot-export-dialog.png"),
                    ])
                    .status();
            }
            // The file name field has the focus: replace the name with a full path, Enter.
            margin_e2e::xdotool(&["windowfocus", "--sync", &dialog])?;
            margin_e2e::xdotool(&["key", "--window", &dialog, "ctrl+a"])?;
            margin_e2e::xdotool(&["type", "--delay", "20", &typed])?;
            margin_e2e::xdotool(&["key", "Return"])?;
            let written = eventually("the exported file", || async {
                Ok(std::fs::read_to_string(&target)
                    .ok()
                    .filter(|t| !t.is_empty()))
            })
            .await?;
            ensure!(written.contains("FIN segment"), "export: {written}");
            ensure!(
                written.contains("tcp-handshake-and-teardown"),
                "the export names the note: {written}"
            );
            Ok(())
        },
    )
    .await
}

/// A long note's blocks and outline are grouped in runs (ui/grouping.js, for the repaint under
/// the search palette): the note must read and highlight exactly as before — the same spacing
/// across a group's edge as inside one, the outline's jump, and a highlight made with the
/// mouse in a later group storing Rust's offsets.
#[tokio::test]
async fn a_long_note_grouped_in_runs_reads_and_highlights_the_same() -> Result<()> {
    let vault = vault_copy();
    let mut long = String::from("# Long\n\n");
    for i in 1..=300 {
        long.push_str(&format!(
            "## Part {i}\n\nParagraph {i} says wordy{i} things.\n\n"
        ));
    }
    std::fs::write(vault.path().join("long.md"), &long)?;
    let text = Note::from_source("long.md", &long, &[]).text;
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            open_in_tree(&c, "long.md").await?;
            let shape = c
                .execute(
                    "const b = document.querySelector('.note-body');
                     const h = [...b.querySelectorAll('h2')].map((e) => e.getBoundingClientRect().top);
                     const gaps = h.slice(1).map((t, i) => Math.round(t - h[i]));
                     return [b.children.length, b.querySelectorAll(':scope > .note-chunk').length,
                       document.querySelectorAll('[data-role=outline] > .outline-group').length,
                       document.querySelectorAll('[data-role=outline] .outline-item').length,
                       Math.min(...gaps), Math.max(...gaps)];",
                    vec![],
                )
                .await?;
            let n = |i: usize| shape[i].as_i64().unwrap_or(-1);
            ensure!(
                n(0) > 2 && n(0) == n(1),
                "the note's blocks are not all in groups: {shape}"
            );
            ensure!(
                n(2) > 2 && n(3) == 301,
                "the outline is not grouped whole: {shape}"
            );
            ensure!(
                n(4) == n(5) && n(4) > 0,
                "parts are spaced differently across a group's edge: {shape}"
            );
            // The outline's jump to a part in a later group, then a highlight there.
            let anchor = c
                .execute(
                    "return [...document.querySelectorAll('.outline-item')]
                       .find((a) => a.textContent === 'Part 250')?.dataset.anchor ?? null",
                    vec![],
                )
                .await?;
            let anchor = anchor.as_str().context("no outline item for Part 250")?;
            element(&c, &format!(".outline-item[data-anchor='{anchor}']"))
                .await?
                .click()
                .await?;
            eventually("Part 250 at the top of the reader", || async {
                let top = c
                    .execute(
                        "const h = document.getElementById(arguments[0]);
                         const pane = document.querySelector('[data-role=\"reader-pane\"]');
                         return Math.round(h.getBoundingClientRect().top - pane.getBoundingClientRect().top);",
                        vec![json!(anchor)],
                    )
                    .await?;
                Ok(top.as_i64().is_some_and(|t| (0..80).contains(&t)).then_some(()))
            })
            .await?;
            let phrase = "Paragraph 250 says wordy250";
            select(&c, phrase).await?;
            keys(&c, "1").await?;
            let stored = eventually("the highlight", || async {
                let all = annotations(&c, "long.md").await?;
                Ok((all.len() == 1).then_some(all))
            })
            .await?;
            let (start, end) = find_quote(&text, phrase, None)?;
            ensure!(
                stored[0]["quote"]["exact"] == phrase
                    && stored[0]["position"]["start"] == start
                    && stored[0]["position"]["end"] == end,
                "stored {}, Rust says {start}..{end}",
                stored[0]
            );
            Ok(())
        },
    )
    .await
}
