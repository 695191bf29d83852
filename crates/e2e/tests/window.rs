//! The real window, driven like a person would: open, click through the tree, follow links,
//! and poke the backend with bad input.

use anyhow::{ensure, Result};
use fantoccini::Locator;
use margin_e2e::{element, eventually, invoke, status_with, text_of, vault_copy, with_app};
use serde_json::json;

#[tokio::test]
async fn window_opens_with_the_tree_and_the_first_note() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-folder[data-folder='realtime']").await?;
            let folders = c.find_all(Locator::Css(".tree-folder")).await?;
            let mut names = Vec::new();
            for f in folders {
                names.push(f.text().await?);
            }
            ensure!(
                names
                    == [
                        "api-design",
                        "infrastructure",
                        "method",
                        "networking",
                        "realtime"
                    ],
                "folders: {names:?}"
            );
            let first = eventually("the first note", || async {
                text_of(&c, ".note-body h1").await
            })
            .await?;
            ensure!(first == "sysdesignnotes", "first note: {first}");
            let status = text_of(&c, "[data-role='status']")
                .await?
                .unwrap_or_default();
            ensure!(status.contains("12 notes"), "status: {status}");
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn clicking_webrtc_in_the_tree_shows_it() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-folder[data-folder='realtime']")
                .await?
                .click()
                .await?;
            element(&c, ".tree-note[data-note-id='realtime/webrtc.md']")
                .await?
                .click()
                .await?;
            let text = eventually("the WebRTC note", || async {
                text_of(&c, ".note-body[data-note-id='realtime/webrtc.md']").await
            })
            .await?;
            ensure!(text.contains("signalling servers"), "note text: {text}");
            let current = text_of(&c, ".tree-note.current").await?;
            ensure!(current.as_deref() == Some("WebRTC"), "current: {current:?}");
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_bad_note_id_is_an_error_not_a_crash() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-folder").await?;
            for id in [
                "../Cargo.toml",
                "/etc/passwd",
                "realtime/../../x.md",
                "nope.md",
            ] {
                let reply = invoke(&c, "get_note", json!({ "id": id })).await?;
                let err = match reply {
                    Ok(note) => anyhow::bail!("{id} returned a note: {note}"),
                    Err(err) => err,
                };
                ensure!(
                    err["code"].is_string() && err["message"].is_string(),
                    "{err}"
                );
            }
            // The window still answers.
            let tree = invoke(&c, "list_tree", json!({})).await?;
            ensure!(
                tree.is_ok_and(|t| t["note_count"] == 12),
                "list_tree after bad ids"
            );
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn links_between_notes_open_in_the_app_and_web_links_do_not_navigate() -> Result<()> {
    let vault = vault_copy();
    std::fs::write(
        vault.path().join("links.md"),
        "# Links\n\n[[webrtc|Peer to peer]] and [REST](api-design/rest.md) and [the web](https://example.com/).\n",
    )?;
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".tree-note[data-note-id='links.md']")
                .await?
                .click()
                .await?;
            element(&c, ".note-body[data-note-id='links.md'] a[href^='https']")
                .await?
                .click()
                .await?;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let url = c.current_url().await?;
            ensure!(
                url.as_str().starts_with("tauri://localhost"),
                "navigated to {url}"
            );
            element(&c, ".note-body[data-note-id='links.md']").await?;

            element(&c, ".note-body a[data-note='realtime/webrtc.md']")
                .await?
                .click()
                .await?;
            element(&c, ".note-body[data-note-id='realtime/webrtc.md']").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn without_a_vault_argument_the_bundled_notes_open_from_the_data_dir() -> Result<()> {
    let data = margin_e2e::data_home()?;
    with_app(&[], |c| async move {
        element(&c, ".tree-folder[data-folder='networking']").await?;
        let status = status_with(&c, "notes").await?;
        ensure!(status.contains("12 notes"), "status: {status}");
        Ok(())
    })
    .await?;
    ensure!(data.join("margin/notes/realtime/webrtc.md").is_file());
    Ok(())
}

#[tokio::test]
async fn images_show_from_inside_the_vault_only() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path();
    let icon = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/32x32.png");
    std::fs::create_dir_all(root.join("images"))?;
    std::fs::copy(&icon, root.join("images/dot.png"))?;
    // An image outside the vault, reachable by `..` and by a symlink inside the vault.
    std::fs::copy(&icon, root.join("../outside.png"))?;
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("../outside.png"), root.join("images/link.png"))?;
    std::fs::write(
        root.join("pics.md"),
        "# Pictures\n\n![inside](images/dot.png)\n\n![dotdot](../outside.png)\n\n![link](images/link.png)\n\n\
         <img alt=\"raw\" src=\"margin-asset://localhost/..%2F..%2Foutside.png\">\n",
    )?;
    with_app(&["--vault", root.to_str().unwrap()], |c| async move {
        element(&c, ".tree-note[data-note-id='pics.md']").await?.click().await?;
        element(&c, ".note-body[data-note-id='pics.md'] img").await?;
        let widths = eventually("the images to settle", || async {
            let v = c
                .execute(
                    "const imgs = [...document.querySelectorAll('.note-body img')];
                     return imgs.every((i) => i.complete) ? imgs.map((i) => [i.alt || i.id, i.naturalWidth]) : null;",
                    vec![],
                )
                .await?;
            Ok((!v.is_null()).then_some(v))
        })
        .await?;
        ensure!(
            widths == json!([["inside", 32], ["dotdot", 0], ["link", 0], ["raw", 0]]),
            "images: {widths}"
        );
        Ok(())
    })
    .await
}
