//! Promises of the README with real keys and the real mouse (xdotool on the X server), checked
//! on the screen: the tree from the keyboard, hiding and resizing it, the reading size, all of
//! it remembered after a restart; find in the note; deleting a highlight and Ctrl+Z; the
//! reader's place kept when the note changes on disk; an orphan attached to a new selection;
//! Ctrl+O's folder picker.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::Client;
use margin_e2e::{
    app_window, drag_select, element, eventually, open_in_tree, press, screen_center,
    settle_storage, text_of, vault_copy, with_app, xdotool,
};
use serde_json::Value;

/// What has the keyboard focus: its role, note id or folder, and expanded state.
async fn focused(c: &Client) -> Result<Value> {
    Ok(c.execute(
        "const a = document.activeElement;
         return [a.getAttribute('role'), a.dataset.noteId || a.dataset.folder || '', a.getAttribute('aria-expanded')];",
        vec![],
    )
    .await?)
}

async fn tree_width(c: &Client) -> Result<i64> {
    let w = c
        .execute(
            "return Math.round(document.querySelector('.tree-pane').getBoundingClientRect().width);",
            vec![],
        )
        .await?;
    w.as_i64().context("tree width")
}

async fn reading_size(c: &Client) -> Result<String> {
    let v = c
        .execute(
            "return getComputedStyle(document.querySelector('.note')).fontSize;",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

fn click_at((x, y): (i64, i64)) -> Result<()> {
    xdotool(&["windowfocus", "--sync", &app_window()?])?;
    xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
    xdotool(&["click", "1"])?;
    Ok(())
}

#[tokio::test]
async fn the_tree_by_keyboard_its_width_and_the_reading_size_survive_a_restart() -> Result<()> {
    let vault = vault_copy();
    let args = ["--vault", vault.path().to_str().unwrap()];
    let remembered = std::sync::Arc::new(std::sync::Mutex::new((0i64, String::new())));
    let keep = remembered.clone();
    with_app(&args, |c| async move {
        element(&c, ".note-body").await?;
        // Into the tree from the filter box, then arrows: Home, → opens, ↓ moves, Enter opens.
        click_at(screen_center(&c, "[data-role='tree-filter']").await?)?;
        press(&["Tab", "Home"])?;
        let at = focused(&c).await?;
        ensure!(at[0] == "treeitem" && at[1] == "api-design", "Home: {at}");
        press(&["Right"])?;
        ensure!(focused(&c).await?[2] == "true", "→ did not open the folder");
        press(&["Down"])?;
        let note = focused(&c).await?;
        let id = note[1].as_str().unwrap_or_default().to_string();
        ensure!(id.starts_with("api-design/"), "↓ went to {note}");
        press(&["Return"])?;
        element(&c, &format!(".note-body[data-note-id='{id}']")).await?;
        press(&["Up", "Left"])?;
        ensure!(
            focused(&c).await?[2] == "false",
            "← did not close the folder"
        );
        press(&["Right"])?; // left open, to be found open after the restart

        // Ctrl+\ hides the tree and shows it again.
        press(&["ctrl+backslash"])?;
        element(&c, ".app.tree-hidden").await?;
        press(&["ctrl+backslash"])?;
        element(&c, ".app:not(.tree-hidden)").await?;

        // Drag the tree's edge 120 px to the right with the mouse.
        let before = tree_width(&c).await?;
        let (x, y) = screen_center(&c, "[data-role='resizer']").await?;
        xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
        xdotool(&["mousedown", "1"])?;
        for step in 1..=6 {
            xdotool(&["mousemove", &(x + 20 * step).to_string(), &y.to_string()])?;
            std::thread::sleep(Duration::from_millis(30));
        }
        xdotool(&["mouseup", "1"])?;
        let after = tree_width(&c).await?;
        ensure!(
            (after - before - 120).abs() <= 8,
            "tree {before} → {after} px"
        );

        // Ctrl+= twice: the reading size grows by 2 px.
        let base = reading_size(&c).await?;
        press(&["ctrl+equal", "ctrl+equal"])?;
        let bigger = reading_size(&c).await?;
        ensure!(
            base == "18px" && bigger == "20px",
            "reading size {base} → {bigger}"
        );
        if let Ok(mut kept) = keep.lock() {
            *kept = (after, bigger);
        }
        settle_storage().await;
        Ok(())
    })
    .await?;
    let (width, size) = remembered.lock().map(|g| g.clone()).unwrap_or_default();
    with_app(&args, |c| async move {
        element(&c, ".note-body").await?;
        let now = (tree_width(&c).await?, reading_size(&c).await?);
        let open = element(&c, ".tree-folder[data-folder='api-design']")
            .await?
            .attr("aria-expanded")
            .await?;
        // Back to the usual reading size for the tests after this one.
        click_at(screen_center(&c, ".note-body").await?)?;
        press(&["ctrl+0"])?;
        ensure!(
            now == (width, size.clone()),
            "after a restart {now:?}, before ({width}, {size})"
        );
        ensure!(
            open.as_deref() == Some("true"),
            "api-design open after restart: {open:?}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_in_the_note_and_ctrl_z_after_deleting_a_highlight() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            open_in_tree(&c, "networking/tcp-handshake-and-teardown.md").await?;
            // Ctrl+F: the find bar counts the matches of what is typed; Esc closes it.
            press(&["ctrl+f"])?;
            element(&c, "[data-role='find-bar']:not([hidden]) input").await?;
            press(&["F", "I", "N"])?;
            let count = eventually("the find bar's count", || async {
                Ok(text_of(&c, "[data-role='find-bar']")
                    .await?
                    .filter(|t| t.contains(" of ")))
            })
            .await?;
            ensure!(
                c.find_all(fantoccini::Locator::Css(".note-body mark"))
                    .await?
                    .len()
                    >= 2,
                "matches not marked ({count})"
            );
            press(&["Escape"])?;
            element(&c, "[data-role='find-bar'][hidden]").await?;

            // A highlight, deleted from its card with the mouse, comes back with Ctrl+Z.
            drag_select(&c, "FIN segment").await?;
            element(&c, ".popover:not([hidden])").await?;
            press(&["1"])?;
            element(&c, ".note-body mark.anno").await?;
            // The card's Delete button, clicked with the mouse.
            click_at(screen_center(&c, ".anno-card button[data-action='delete']").await?)?;
            eventually("the highlight gone", || async {
                Ok(c.find_all(fantoccini::Locator::Css(".note-body mark.anno"))
                    .await?
                    .is_empty()
                    .then_some(()))
            })
            .await?;
            press(&["ctrl+z"])?;
            element(&c, ".note-body mark.anno").await?;
            let quote = text_of(&c, ".anno-card blockquote").await?;
            ensure!(
                quote.as_deref() == Some("FIN segment"),
                "restored: {quote:?}"
            );
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn the_reading_place_is_kept_when_the_note_changes_on_disk() -> Result<()> {
    let vault = vault_copy();
    let file = vault.path().join("method/long.md");
    let long: String = (1..=80)
        .map(|i| format!("## Part {i}\n\nParagraph {i} of a long note, long enough to scroll.\n\n"))
        .collect();
    std::fs::write(&file, format!("# Long\n\n{long}"))?;
    with_app(&["--vault", vault.path().to_str().unwrap()], |c| async move {
        open_in_tree(&c, "method/long.md").await?;
        let scroll = "return Math.round(document.querySelector('[data-role=\"reader-pane\"]').scrollTop);";
        c.execute(
            "document.querySelector('[data-role=\"reader-pane\"]').scrollTop = 600;",
            vec![],
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = c.execute(scroll, vec![]).await?.as_i64().unwrap_or(0);
        ensure!(before > 300, "the note is too short to scroll ({before})");
        // Another editor appends a line at the end.
        let mut text = std::fs::read_to_string(&file)?;
        text.push_str("\nA line added by another editor.\n");
        std::fs::write(&file, text)?;
        eventually("the note reloaded", || async {
            Ok(text_of(&c, ".note-body")
                .await?
                .filter(|t| t.contains("A line added by another editor.")))
        })
        .await?;
        let after = c.execute(scroll, vec![]).await?.as_i64().unwrap_or(0);
        ensure!((after - before).abs() <= 4, "scrolled from {before} to {after}");
        Ok(())
    })
    .await
}

/// A highlight whose text is deleted on disk becomes an orphan; a new selection made with the
/// mouse and the orphan's "Attach to selection" button put it back in the note.
#[tokio::test]
async fn an_orphan_is_attached_to_a_new_selection() -> Result<()> {
    let vault = vault_copy();
    let file = vault.path().join("method/orphan.md");
    std::fs::write(
        &file,
        "# Orphan\n\nThe first sentence goes away soon.\n\nThe second sentence stays here.\n",
    )?;
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            open_in_tree(&c, "method/orphan.md").await?;
            drag_select(&c, "goes away").await?;
            element(&c, ".popover:not([hidden])").await?;
            press(&["1"])?;
            element(&c, ".note-body mark.anno").await?;
            // Another editor removes the highlighted words.
            std::fs::write(&file, "# Orphan\n\nThe second sentence stays here.\n")?;
            element(&c, ".orphans-title").await?;
            ensure!(
                c.find_all(fantoccini::Locator::Css(".note-body mark.anno"))
                    .await?
                    .is_empty(),
                "an orphan is not drawn in the note"
            );
            // Select new words with the mouse, then the orphan's button.
            drag_select(&c, "stays here").await?;
            click_at(screen_center(&c, ".anno-card button[data-action='attach']").await?)?;
            let mark = element(&c, ".note-body mark.anno").await?.text().await?;
            ensure!(mark == "stays here", "attached to {mark:?}");
            ensure!(
                c.find_all(fantoccini::Locator::Css(".orphans-title"))
                    .await?
                    .is_empty(),
                "still listed as an orphan"
            );
            Ok(())
        },
    )
    .await
}

/// Ctrl+O opens the system's folder picker (a real GTK window); Esc closes it and the vault
/// stays as it was.
#[tokio::test]
async fn ctrl_o_opens_the_folder_picker() -> Result<()> {
    let vault = vault_copy();
    with_app(
        &["--vault", vault.path().to_str().unwrap()],
        |c| async move {
            element(&c, ".note-body").await?;
            click_at(screen_center(&c, ".note-body").await?)?;
            press(&["ctrl+o"])?;
            let picker = eventually("the folder picker", || async {
                margin_e2e::visible_window("Open a folder of notes")
            })
            .await?;
            xdotool(&["windowfocus", "--sync", &picker])?;
            xdotool(&["key", "Escape"])?;
            eventually("the picker closed", || async {
                Ok(margin_e2e::visible_window("Open a folder of notes")?
                    .is_none()
                    .then_some(()))
            })
            .await?;
            let name = text_of(&c, "[data-role='vault-name']").await?;
            ensure!(
                name.as_deref() == Some("notes"),
                "vault after Esc: {name:?}"
            );
            Ok(())
        },
    )
    .await
}
