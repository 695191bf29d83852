//! Writing in the real window, through real key presses (chords by xdotool on the X server,
//! text by WebDriver): Ctrl+E opens the note's source in the
//! editor with its highlight drawn, typed text is saved by Ctrl+S and by 1 s of idle typing
//! (checked on disk), an outside edit elsewhere in the file is merged into the editor's text,
//! an overlapping one leaves a conflict copy beside the note, and Ctrl+E goes back to the
//! rendered note showing the new text.

use std::time::Duration;

use anyhow::{ensure, Result};
use margin_e2e::{element, eventually, keys, press, status_with, text_of, vault_copy, with_app};

const ENTER: &str = "\u{E007}";

#[tokio::test]
async fn edit_save_merge_and_conflict() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let note = root.join("infrastructure/load-balancer.md");
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        c.execute(
            "document.querySelector('.tree-folder[data-folder=\"infrastructure\"]').click()",
            vec![],
        )
        .await?;
        element(
            &c,
            ".tree-note[data-note-id='infrastructure/load-balancer.md']",
        )
        .await?
        .click()
        .await?;
        element(
            &c,
            ".note-body[data-note-id='infrastructure/load-balancer.md']",
        )
        .await?;
        c.execute(
            "document.querySelector('[data-role=\"reader-pane\"]').focus()",
            vec![],
        )
        .await?;

        // Ctrl+E: the source in the editor, focused.
        press(&["ctrl+e"])?;
        element(&c, ".editor .cm-content[aria-label^='Markdown source']").await?;
        status_with(&c, "Editing").await?;

        // Type at the end; Ctrl+S saves it to the file.
        press(&["ctrl+End"])?;
        keys(&c, &format!("{ENTER}- spreads requests over servers")).await?;
        press(&["ctrl+s"])?;
        eventually("the typed line on disk", || async {
            let text = std::fs::read_to_string(&note)?;
            Ok(text
                .contains("- spreads requests over servers")
                .then_some(()))
        })
        .await?;
        status_with(&c, "Saved").await?;

        // Idle typing saves by itself after a second.
        keys(&c, " and health-checks them").await?;
        eventually("the idle save", || async {
            let text = std::fs::read_to_string(&note)?;
            Ok(text
                .contains("servers and health-checks them")
                .then_some(()))
        })
        .await?;

        // Another editor changes the first line while the editor has unsaved text at the end:
        // both changes end up in the file and in the editor.
        keys(&c, ".").await?;
        let disk = std::fs::read_to_string(&note)?;
        std::fs::write(&note, disk.replacen("---", "---\n# edited elsewhere", 1))?;
        press(&["ctrl+s"])?;
        eventually("the merged text", || async {
            let text = std::fs::read_to_string(&note)?;
            Ok(
                (text.contains("# edited elsewhere") && text.contains("health-checks them."))
                    .then_some(()),
            )
        })
        .await?;
        eventually("the merged text in the editor", || async {
            Ok(text_of(&c, ".editor .cm-content")
                .await?
                .filter(|t| t.contains("edited elsewhere")))
        })
        .await?;

        // An overlapping outside edit: the user's text is saved, the other kept beside it.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        keys(&c, "!").await?;
        let disk = std::fs::read_to_string(&note)?;
        std::fs::write(
            &note,
            disk.replace("health-checks them.", "health-checks them (theirs)."),
        )?;
        press(&["ctrl+s"])?;
        let conflict = eventually("a conflict copy", || async {
            Ok(std::fs::read_dir(root.join("infrastructure"))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with("load-balancer.conflict-")))
        })
        .await?;
        let theirs = std::fs::read_to_string(root.join("infrastructure").join(&conflict))?;
        ensure!(theirs.contains("(theirs)"), "{theirs}");
        let mine = std::fs::read_to_string(&note)?;
        ensure!(mine.contains("health-checks them.!"), "{mine}");
        status_with(&c, "conflict-").await?;

        // Ctrl+E: back to the rendered note, with the new text.
        press(&["ctrl+e"])?;
        eventually("the reader with the new text", || async {
            Ok(text_of(
                &c,
                ".note-body[data-note-id='infrastructure/load-balancer.md']",
            )
            .await?
            .filter(|t| t.contains("spreads requests over servers")))
        })
        .await?;
        ensure!(
            std::fs::read_dir(root.join(".margin/drafts/infrastructure"))
                .map(|d| d.count())
                .unwrap_or(0)
                == 0,
            "drafts are removed once saved"
        );
        Ok(())
    })
    .await
}

/// A highlight made in the editor with Ctrl+Shift+H is drawn there; typing inside it moves it
/// with the text (its new words are stored with the save, not searched for afterwards); deleting
/// its text makes it an orphan.
#[tokio::test]
async fn highlights_follow_typing_in_the_editor() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let store = root.join(".margin/annotations/infrastructure/load-balancer.md.json");
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        c.execute(
            "document.querySelector('.tree-folder[data-folder=\"infrastructure\"]').click()",
            vec![],
        )
        .await?;
        element(
            &c,
            ".tree-note[data-note-id='infrastructure/load-balancer.md']",
        )
        .await?
        .click()
        .await?;
        element(
            &c,
            ".note-body[data-note-id='infrastructure/load-balancer.md']",
        )
        .await?;
        c.execute(
            "document.querySelector('[data-role=\"reader-pane\"]').focus()",
            vec![],
        )
        .await?;
        press(&["ctrl+e"])?;
        element(&c, ".editor .cm-content[aria-label^='Markdown source']").await?;
        press(&["ctrl+End"])?;
        keys(&c, &format!("{ENTER}{ENTER}Round robin spreads load")).await?;
        // Select the line with the keyboard and highlight it.
        press(&["shift+Home", "ctrl+shift+h"])?;
        element(&c, ".editor .cm-margin-hl").await?;
        let quote = |want: &'static str| {
            let store = store.clone();
            move || {
                let store = store.clone();
                async move {
                    let json = std::fs::read_to_string(&store).unwrap_or_default();
                    Ok(json.contains(want).then_some(json))
                }
            }
        };
        eventually(
            "the highlight stored",
            quote("\"Round robin spreads load\""),
        )
        .await?;

        // Type inside it: after "Round".
        press(&["Home", "ctrl+Right"])?;
        keys(&c, " weighted").await?;
        press(&["ctrl+s"])?;
        eventually(
            "the highlight moved with the typing",
            quote("\"Round weighted robin spreads load\""),
        )
        .await?;
        let drawn = text_of(&c, ".editor .cm-margin-hl")
            .await?
            .unwrap_or_default();
        ensure!(
            drawn == "Round weighted robin spreads load",
            "drawn: {drawn}"
        );

        // Delete its text: an orphan, kept.
        press(&["End", "shift+Home", "Delete", "ctrl+s"])?;
        eventually("the highlight orphaned", quote("\"orphan\"")).await?;
        ensure!(
            std::fs::read_to_string(&store)?.contains("Round weighted robin spreads load"),
            "the orphan keeps its quote"
        );
        Ok(())
    })
    .await
}
