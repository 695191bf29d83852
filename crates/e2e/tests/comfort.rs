//! What makes long sessions pleasant, checked in the real window: the theme switch survives a
//! restart, the tree filter finds notes by title, the app reopens the last note read, and a
//! folder of thousands of notes makes its rows as they are needed.

use anyhow::{ensure, Result};
use fantoccini::Client;
use margin_e2e::{element, eventually, keys, settle_storage, text_of, vault_copy, with_app};

async fn theme(c: &Client) -> Result<String> {
    let v = c
        .execute(
            "return document.documentElement.dataset.theme || 'system'",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn theme_choice_and_last_note_survive_a_restart() -> Result<()> {
    let vault = vault_copy();
    let args = ["--vault", vault.path().to_str().unwrap()];
    with_app(&args, |c| async move {
        let button = element(&c, "[data-role='theme']").await?;
        for _ in 0..3 {
            if theme(&c).await? == "dark" {
                break;
            }
            button.click().await?;
        }
        ensure!(theme(&c).await? == "dark");
        element(&c, ".tree-folder[data-folder='realtime']")
            .await?
            .click()
            .await?;
        element(&c, ".tree-note[data-note-id='realtime/sse.md']")
            .await?
            .click()
            .await?;
        element(&c, ".note-body[data-note-id='realtime/sse.md']").await?;
        settle_storage().await;
        Ok(())
    })
    .await?;
    with_app(&args, |c| async move {
        element(&c, ".note-body[data-note-id='realtime/sse.md']").await?;
        let now = theme(&c).await?;
        // Back to the default so other tests see the usual look.
        let button = element(&c, "[data-role='theme']").await?;
        while theme(&c).await? != "system" {
            button.click().await?;
        }
        ensure!(now == "dark", "theme after restart: {now}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_filter_box_finds_notes_by_title() -> Result<()> {
    let vault = vault_copy();
    with_app(&["--vault", vault.path().to_str().unwrap()], |c| async move {
        let filter = element(&c, "[data-role='tree-filter']").await?;
        filter.send_keys("sock").await?;
        let titles = eventually("filtered notes", || async {
            let v = c
                .execute(
                    "return [...document.querySelectorAll('.tree .tree-note .tree-label')].map((e) => e.textContent)",
                    vec![],
                )
                .await?;
            let titles: Vec<String> = serde_json::from_value(v)?;
            Ok((titles.len() == 1).then_some(titles))
        })
        .await?;
        ensure!(titles == ["WebSocket"], "{titles:?}");
        filter.send_keys("\u{E007}").await?; // Enter opens it
        element(&c, ".note-body[data-note-id='realtime/websocket.md']").await?;
        let outline = text_of(&c, "[data-role='outline']").await?.unwrap_or_default();
        ensure!(outline.contains("WebSocket"), "outline: {outline}");
        Ok(())
    })
    .await
}

/// A folder of 1,500 notes: opening it makes the first rows only, scrolling makes more, and a
/// note far down the folder, opened from search, gets its row (marked current) all the same.
#[tokio::test]
async fn a_big_folder_makes_its_rows_as_they_are_needed() -> Result<()> {
    let home = tempfile::tempdir()?;
    let vault = home.path().join("big");
    std::fs::create_dir_all(vault.join("bulk"))?;
    std::fs::write(vault.join("index.md"), "# Index\n\nA big folder below.\n")?;
    for i in 0..1500 {
        std::fs::write(
            vault.join(format!("bulk/note{i:04}.md")),
            format!("# Bulk note {i:04}\n\nfiller text, marker{i:04}\n"),
        )?;
    }
    with_app(
        &["--vault", vault.to_str().unwrap_or_default()],
        |c| async move {
            let rows = || async {
                let n = c
                    .execute(
                        "return document.querySelectorAll('.tree .tree-note').length",
                        vec![],
                    )
                    .await?;
                Ok::<_, anyhow::Error>(n.as_u64().unwrap_or(0))
            };
            element(&c, ".note-body").await?;
            element(&c, ".tree-folder[data-folder='bulk']")
                .await?
                .click()
                .await?;
            element(&c, ".tree-more").await?;
            let first = rows().await?;
            ensure!(first > 100 && first < 800, "{first} rows made at once");
            for _ in 0..3 {
                c.execute(
                    "const t = document.querySelector('.tree'); t.scrollTop = t.scrollHeight;",
                    vec![],
                )
                .await?;
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
            let scrolled = rows().await?;
            ensure!(
                scrolled > first,
                "scrolling made no rows: {first} → {scrolled}"
            );

            // Far down the folder, from search: its row is made and marked.
            keys(&c, "\u{E009}k").await?;
            keys(&c, "marker1499").await?;
            element(&c, ".palette-hit").await?;
            keys(&c, "\u{E007}").await?;
            element(&c, ".tree-note.current[data-note-id='bulk/note1499.md']").await?;
            Ok(())
        },
    )
    .await
}

/// F1 and `?` open the sheet of keyboard shortcuts, Esc closes it and gives the focus back;
/// `?` typed in a text field stays a character.
#[tokio::test]
async fn f1_and_question_mark_show_the_keyboard_shortcuts() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap_or_default()],
        |c| async move {
            element(&c, ".note-body").await?;
            let open = || async {
                let v = c
                    .execute(
                        "return !document.querySelector('[data-role=\"shortcuts\"]').hidden",
                        vec![],
                    )
                    .await?;
                Ok::<_, anyhow::Error>(v.as_bool().unwrap_or(false))
            };
            c.execute(
                "document.querySelector('[data-role=\"reader-pane\"]').focus()",
                vec![],
            )
            .await?;
            keys(&c, "\u{E031}").await?; // F1
            element(&c, "[data-role='shortcuts']:not([hidden]) .shortcuts-list").await?;
            let text = text_of(&c, "[data-role='shortcuts']")
                .await?
                .unwrap_or_default();
            ensure!(
                text.contains("Ctrl+Shift+A") && text.contains("Find in the open note"),
                "{text}"
            );
            keys(&c, "\u{E00C}").await?; // Esc
            ensure!(!open().await?, "Esc left the sheet open");
            keys(&c, "?").await?;
            ensure!(open().await?, "? did not open the sheet");
            keys(&c, "\u{E00C}").await?;
            let filter = element(&c, "[data-role='tree-filter']").await?;
            filter.click().await?;
            filter.send_keys("?").await?;
            ensure!(!open().await?, "? in the filter box opened the sheet");
            Ok(())
        },
    )
    .await
}
