//! The app as a desktop app: one instance, the native menu reached by real key presses (GTK
//! accelerators and F10, which WebDriver's synthetic keys do not reach: xdotool presses them on
//! the X server), and the window's size remembered.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use fantoccini::Client;
use margin_e2e::{app_window, element, eventually, press, text_of, vault_copy, with_app, xdotool};
use serde_json::Value;

/// Records the page's `menu` events, to tell the menu's route from the page's own key handler.
async fn watch_menu_events(c: &Client) -> Result<()> {
    c.execute(
        "window.__menuSeen = [];
         window.__TAURI__.event.listen('menu', (e) => window.__menuSeen.push(e.payload));",
        vec![],
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_second_launch_opens_its_vault_in_the_first_window() -> Result<()> {
    let first = vault_copy();
    let other = tempfile::tempdir()?;
    let second = other.path().join("second-vault");
    std::fs::create_dir_all(&second)?;
    std::fs::write(
        second.join("only.md"),
        "# Only here\n\nA note of the second vault.\n",
    )?;
    let app = std::env::var("MARGIN_E2E_APP")?;
    with_app(
        &["--vault", first.path().to_str().unwrap_or_default()],
        |c| async move {
            element(&c, ".note-body").await?;
            let started = Instant::now();
            // The second launch runs from the vault's parent with a relative path, as from a shell.
            let mut launch = Command::new(&app)
                .args(["--vault", "second-vault"])
                .current_dir(other.path())
                .spawn()?;
            let status = loop {
                if let Some(status) = launch.try_wait()? {
                    break status;
                }
                if started.elapsed() > Duration::from_secs(20) {
                    let _ = launch.kill();
                    bail!("the second launch did not hand over and quit within 20 s");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            ensure!(status.success(), "second launch: {status}");
            let handed_over = started.elapsed();
            let title = eventually("the first window on the second vault", || async {
                Ok(text_of(&c, ".note-body h1")
                    .await?
                    .filter(|t| t == "Only here"))
            })
            .await?;
            ensure!(title == "Only here");
            let name = text_of(&c, "[data-role='vault-name']").await?;
            ensure!(name.as_deref() == Some("second-vault"), "vault: {name:?}");
            eprintln!("second launch handed over in {handed_over:?}");
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn menu_shortcuts_and_f10_reach_the_page_through_the_native_menu() -> Result<()> {
    let first = vault_copy();
    let second = vault_copy();
    let first_path = first.path().to_str().unwrap_or_default().to_string();
    // Two launches make two recent vaults: the second is on top of Open Recent, the first below.
    with_app(&["--vault", &first_path], |c| async move {
        element(&c, ".note-body").await?;
        Ok(())
    })
    .await?;
    with_app(
        &["--vault", second.path().to_str().unwrap_or_default()],
        |c| async move {
            element(&c, ".note-body").await?;
            watch_menu_events(&c).await?;
            let theme = || async {
                let v = c
                    .execute(
                        "return document.documentElement.dataset.theme || 'system'",
                        vec![],
                    )
                    .await?;
                Ok::<_, anyhow::Error>(v.as_str().unwrap_or_default().to_string())
            };
            let before = theme().await?;
            press(&["ctrl+shift+l"])?;
            let seen = eventually("the menu's toggle-theme event", || async {
                let seen = c.execute("return window.__menuSeen", vec![]).await?;
                Ok(seen
                    .as_array()
                    .filter(|s| s.contains(&Value::from("toggle-theme")))
                    .cloned())
            })
            .await?;
            ensure!(seen.len() == 1, "menu events: {seen:?}");
            tokio::time::sleep(Duration::from_millis(300)).await;
            let after = theme().await?;
            // One press, one step: system → light → dark (a double run would skip one).
            let expected = match before.as_str() {
                "system" => "light",
                "light" => "dark",
                _ => "system",
            };
            ensure!(after == expected, "theme went {before} → {after}");

            // File ▸ Open Recent ▸ the second entry: the first vault again. A menu opens at its
            // own pace under load; a key that came too early is tried again, from a closed menu.
            // (While the page reloads, a script may fail: that counts as not yet.)
            let on_first_vault = || async {
                let root = c
                    .execute(
                        "return document.querySelector('[data-role=\"vault-name\"]')?.title ?? null",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                Ok::<_, anyhow::Error>(root.as_str() == Some(first_path.as_str()))
            };
            for _attempt in 0..3 {
                // File ▸ (New Note, New Folder, Open Folder, Open Recent) ▸ second entry.
                press(&[
                    "F10", "Down", "Down", "Down", "Down", "Right", "Down", "Return",
                ])?;
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(5) && !on_first_vault().await? {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                if on_first_vault().await? {
                    break;
                }
                press(&["Escape", "Escape", "Escape"])?;
            }
            ensure!(on_first_vault().await?, "Open Recent did not switch to {first_path}");
            element(&c, ".note-body").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn the_window_comes_back_at_its_last_size() -> Result<()> {
    let vault = vault_copy();
    let args = ["--vault", vault.path().to_str().unwrap_or_default()];
    with_app(&args, |c| async move {
        element(&c, ".note-body").await?;
        let window = app_window()?;
        xdotool(&["windowsize", &window, "900", "640"])?;
        eventually("the window at 900×640", || async {
            let (_, _, w, h) = c.get_window_rect().await?;
            Ok((w as i64 == 900 && h as i64 == 640).then_some(()))
        })
        .await?;
        // Saved about half a second after the last change, not only at a clean exit.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Ok(())
    })
    .await?;
    with_app(&args, |c| async move {
        element(&c, ".note-body").await?;
        let (_, _, w, h) = c.get_window_rect().await?;
        ensure!(
            w as i64 == 900 && h as i64 == 640,
            "the window came back at {w}×{h}"
        );
        // Back to the configured size, for the tests that come after.
        xdotool(&["windowsize", &app_window()?, "1200", "780"])?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Ok(())
    })
    .await
}
