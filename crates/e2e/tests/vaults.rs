//! Opening vaults: a missing one gets a message and the recent list, never a blank window;
//! switching through the recent list reloads the window on the other vault, which keeps its
//! own last note; and the next start opens the last vault used.

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use margin_e2e::{element, eventually, settle_storage, text_of, vault_copy, with_app};
use serde_json::json;

#[tokio::test]
async fn a_missing_vault_gets_a_message_and_the_recent_list() -> Result<()> {
    let known = vault_copy();
    with_app(
        &["--vault", known.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-note").await?;
            Ok(())
        },
    )
    .await?;
    let known_path = known.path().to_string_lossy().into_owned();
    with_app(&["--vault", "/no/such/folder/of/notes"], |c| async move {
        let message = element(&c, ".message").await?.text().await?;
        ensure!(message.contains("does not exist"), "message: {message}");
        element(&c, ".vault-choices .vault-open").await?;
        let recent = c
            .execute("return [...document.querySelectorAll('.vault-choices .vault-path')].map((e) => e.textContent)", vec![])
            .await?;
        ensure!(recent.as_array().is_some_and(|r| r.contains(&json!(known_path))), "recent: {recent}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn switching_vaults_keeps_each_vaults_state() -> Result<()> {
    let first = vault_copy();
    let second = vault_copy();
    std::fs::write(
        second.path().join("only-in-second.md"),
        "# Only in the second vault\n",
    )?;
    let first_path = first.path().to_string_lossy().into_owned();
    // Remember a last note in the first vault.
    with_app(&["--vault", &first_path], |c| async move {
        element(&c, ".tree-folder[data-folder='realtime']")
            .await?
            .click()
            .await?;
        element(&c, ".tree-note[data-note-id='realtime/websocket.md']")
            .await?
            .click()
            .await?;
        element(&c, ".note-body[data-note-id='realtime/websocket.md']").await?;
        settle_storage().await;
        Ok(())
    })
    .await?;
    with_app(&["--vault", second.path().to_str().unwrap()], |c| async move {
        element(&c, ".tree-note[data-note-id='only-in-second.md']").await?;
        element(&c, "[data-role='vault-name']").await?.click().await?;
        let item = element(&c, ".vault-menu:not([hidden]) .vault-item").await?;
        ensure!(item.text().await?.contains("notes"), "menu item");
        let mut first_item = None;
        for item in c.find_all(Locator::Css(".vault-menu .vault-item")).await? {
            let path = item.find(Locator::Css(".vault-path")).await?;
            // The whole path (the row may show it cut short with an ellipsis).
            if path.prop("textContent").await?.as_deref() == Some(first_path.as_str()) {
                first_item = Some(item);
            }
        }
        first_item
            .context("the first vault is not in the menu")?
            .click()
            .await?;
        // The window reloads on the first vault and reopens its own last note.
        element(&c, ".note-body[data-note-id='realtime/websocket.md']").await?;
        let title = eventually("the first vault's tree", || async {
            let ids = c.execute("return document.querySelectorAll(\".tree-note[data-note-id='only-in-second.md']\").length", vec![]).await?;
            Ok((ids == json!(0)).then_some(()))
        })
        .await;
        ensure!(title.is_ok(), "still showing the second vault");
        let name = text_of(&c, "[data-role='vault-name']").await?.unwrap_or_default();
        ensure!(name == "notes", "vault name: {name}");
        Ok(())
    })
    .await
}
