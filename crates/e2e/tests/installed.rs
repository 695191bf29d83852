//! The app as a user gets it: installed from the .deb (`cargo xtask test` on CI builds the
//! package, installs it with apt, points `MARGIN_E2E_APP` at `/usr/bin/margin-app` and runs
//! this with `--ignored`, then removes the package).

use std::time::Instant;

use anyhow::{ensure, Result};
use margin_e2e::{data_home, element, status_with, with_app};

#[tokio::test]
#[ignore = "needs the installed package: run by `cargo xtask test` when CI is set"]
async fn the_installed_app_opens_the_bundled_notes() -> Result<()> {
    let app = std::env::var("MARGIN_E2E_APP")?;
    ensure!(
        app.starts_with("/usr/"),
        "MARGIN_E2E_APP={app} is not an installed app"
    );
    let data = data_home()?;
    let started = Instant::now();
    with_app(&[], |c| async move {
        element(&c, ".note-body h1").await?;
        let first_note = started.elapsed();
        element(&c, ".tree-folder[data-folder='networking']").await?;
        let status = status_with(&c, "notes").await?;
        ensure!(status.contains("12 notes"), "status: {status}");
        eprintln!("installed app: launch to first note shown in {first_note:?}");
        if let Ok(dir) = std::env::var("MARGIN_INSTALLED_REPORT") {
            let dir = std::path::Path::new(&dir);
            std::fs::write(
                dir.join("first-note-ms.txt"),
                format!("{}\n", first_note.as_millis()),
            )?;
            margin_e2e::capture_window(&dir.join("installed.png"))?;
        }
        Ok(())
    })
    .await?;
    // The bundled notes were copied from /usr/lib/Margin/notes into the user's data folder.
    ensure!(data.join("margin/notes/realtime/webrtc.md").is_file());
    Ok(())
}
