//! Search in the real window, with the keyboard only: the palette, results as you type,
//! opening a hit, and stepping through the matches highlighted in the note.

use anyhow::{ensure, Result};
use fantoccini::{Client, Locator};
use margin_e2e::{element, eventually, keys, screenshot, text_of, vault_copy, with_app};
use serde_json::json;

const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";
const ENTER: &str = "\u{E007}";
const DOWN: &str = "\u{E015}";
const F3: &str = "\u{E033}";

async fn count(c: &Client, css: &str) -> Result<usize> {
    Ok(c.find_all(Locator::Css(css)).await?.len())
}

#[tokio::test]
async fn find_three_way_handshake_with_the_keyboard_alone() -> Result<()> {
    let vault = vault_copy();
    with_app(&["--vault", vault.path().to_str().unwrap()], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        element(&c, ".note-body").await?;
        keys(&c, &format!("{CTRL}k{RELEASE}")).await?;
        element(&c, ".palette:not([hidden]) .palette-input").await?;
        keys(&c, "three way handshake").await?;
        let first = eventually("search results", || async {
            let v = c
                .execute("const r = document.querySelector('.palette-hit'); return r ? r.dataset.note : null;", vec![])
                .await?;
            Ok(v.as_str().map(str::to_string))
        })
        .await?;
        ensure!(first == "networking/tcp-handshake-and-teardown.md", "first hit: {first}");
        let marked = c
            .execute(
                "const row = document.querySelector('.palette-hit');
                 return [...row.querySelectorAll('mark')].map((m) => m.textContent).join(' ');",
                vec![],
            )
            .await?;
        ensure!(marked == "3 way handshake", "marked: {marked}");
        screenshot(&c, "screenshot-search.png").await?;
        keys(&c, ENTER).await?;
        element(&c, ".note-body[data-note-id='networking/tcp-handshake-and-teardown.md'] mark.hit").await?;
        let status = eventually("n of m", || async {
            Ok(text_of(&c, ".find-count").await?.filter(|t| t.contains(" of ")))
        })
        .await?;
        ensure!(status.starts_with("1 of "), "find bar: {status}");
        let total = count(&c, "mark.hit").await?;
        ensure!(total >= 2, "{total} marks");
        keys(&c, F3).await?;
        let second = text_of(&c, ".find-count").await?.unwrap_or_default();
        ensure!(second.starts_with("2 of "), "after F3: {second}");
        keys(&c, &format!("\u{E008}{ENTER}{RELEASE}")).await?; // Shift+Enter: back to 1
        let back = text_of(&c, ".find-count").await?.unwrap_or_default();
        ensure!(back.starts_with("1 of "), "after Shift+Enter: {back}");
        keys(&c, ENTER).await?;
        let again = text_of(&c, ".find-count").await?.unwrap_or_default();
        ensure!(again.starts_with("2 of "), "after Enter: {again}");
        screenshot(&c, "screenshot-reader.png").await?;
        // Dark for the screenshot only (not saved as the user's choice): the page and the menu bar.
        c.execute(
            "document.documentElement.dataset.theme = 'dark';
             window.__TAURI__.core.invoke('set_window_theme', { theme: 'dark' });",
            vec![],
        )
        .await?;
        screenshot(&c, "screenshot-dark.png").await?;
        c.execute(
            "window.__TAURI__.core.invoke('set_window_theme', { theme: 'system' })",
            vec![],
        )
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn results_come_as_you_type_and_arrows_pick_the_second() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".status-index[data-state='ready']").await?;
            keys(&c, &format!("{CTRL}k{RELEASE}")).await?;
            element(&c, ".palette:not([hidden]) .palette-input").await?;
            keys(&c, "serv").await?; // a prefix while typing
            eventually("several results", || async {
                Ok((count(&c, ".palette-hit").await? >= 2).then_some(()))
            })
            .await?;
            let second = c
                .execute(
                    "return document.querySelectorAll('.palette-hit')[1].dataset.note",
                    vec![],
                )
                .await?;
            keys(&c, DOWN).await?;
            keys(&c, ENTER).await?;
            let css = format!(
                ".note-body[data-note-id='{}'] mark.hit",
                second.as_str().unwrap_or_default()
            );
            element(&c, &css).await?;
            // The search command itself answers junk without failing.
            let reply = margin_e2e::invoke(
                &c,
                "search",
                json!({ "query": "\"unbalanced -", "limit": 5, "asYouType": true }),
            )
            .await?;
            ensure!(reply.is_ok(), "junk query: {reply:?}");
            Ok(())
        },
    )
    .await
}
