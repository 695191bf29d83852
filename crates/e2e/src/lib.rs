//! The harness of Margin's end-to-end tests: start the real app through tauri-driver,
//! hand the test a WebDriver client, and always close the session afterwards.
//!
//! `cargo xtask e2e` sets `MARGIN_E2E_APP` (the app binary) and `MARGIN_E2E_WEBDRIVER`
//! (tauri-driver's URL); running these tests any other way fails with a message saying so.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long a condition may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// Longest a whole test body may run: a WebDriver call that never answers fails the test
/// instead of hanging the run.
const TEST_LIMIT: Duration = Duration::from_secs(180);
/// Longest the app may take to start or to close.
const START_LIMIT: Duration = Duration::from_secs(60);

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| {
        format!("{name} is not set: run the end-to-end tests with `cargo xtask e2e`")
    })
}

/// The bundled notes of the repository.
pub fn bundled_notes() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../notes")
}

/// A vault folder named `notes` inside a temp folder that is deleted on drop.
pub struct TempVault {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempVault {
    /// The vault folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A fresh copy of the bundled notes, for tests that change files.
pub fn vault_copy() -> TempVault {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes");
    std::fs::create_dir_all(&path).expect("mkdir");
    copy_dir(&bundled_notes(), &path);
    TempVault { _dir: dir, path }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read notes") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Where the app keeps its data during the run (a scratch folder set by xtask).
pub fn data_home() -> Result<PathBuf> {
    env("MARGIN_E2E_DATA_HOME").map(PathBuf::from)
}

/// Starts the app with `args`, runs `test` against its window, then closes the session
/// whether the test passed or not.
pub async fn with_app<F, Fut>(args: &[&str], test: F) -> Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let (app, client) = start_app(args).await?;
    let outcome = tokio::time::timeout(TEST_LIMIT, test(client.clone()))
        .await
        .unwrap_or_else(|_| Err(anyhow!("the test did not finish within {TEST_LIMIT:?}")));
    let closed = tokio::time::timeout(START_LIMIT, client.close()).await;
    // A restarted app must not meet its predecessor (they would share the web storage).
    end_leftover_apps(&app, args).await;
    let released = single_instance_released().await;
    outcome?;
    released?;
    closed
        .context("closing the app timed out")?
        .context("closing the app")?;
    Ok(())
}

/// Starts the app with `args` through tauri-driver: the app's path and the session.
async fn start_app(args: &[&str]) -> Result<(String, Client)> {
    let app = env("MARGIN_E2E_APP")?;
    let webdriver = env("MARGIN_E2E_WEBDRIVER")?;
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app, "args": args }),
    );
    let client = tokio::time::timeout(
        START_LIMIT,
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&webdriver),
    )
    .await
    .context("the app did not start within a minute")?
    .context("could not start the app through tauri-driver")?;
    Ok((app, client))
}

/// Like [`with_app`], for a test that ends the app itself (Quit, say): passes only when the
/// test passes and the app's process then exits on its own within `limit` — an app still
/// running is killed and the test fails.
pub async fn with_app_that_quits<F, Fut>(args: &[&str], limit: Duration, test: F) -> Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let (app, client) = start_app(args).await?;
    let outcome = tokio::time::timeout(TEST_LIMIT, test(client.clone()))
        .await
        .unwrap_or_else(|_| Err(anyhow!("the test did not finish within {TEST_LIMIT:?}")));
    let started = std::time::Instant::now();
    let mut exited = false;
    while started.elapsed() < limit {
        if app_processes(&app, args).is_empty() {
            exited = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The session's app is gone (or about to be killed): closing it can only fail.
    let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
    end_leftover_apps(&app, args).await;
    let released = single_instance_released().await;
    outcome?;
    ensure!(
        exited,
        "the app was still running {limit:?} after it was told to quit"
    );
    released
}

/// The D-Bus name by which a running Margin is found (identifier + `.SingleInstance`).
const SINGLE_INSTANCE_NAME: &str = "app.margin.desktop.SingleInstance";

/// Waits until the session bus has let go of the closed app's single-instance name: the bus
/// notices an exit a moment after it happens, and an app started before that would hand its
/// arguments to the one that just quit. Without a session bus (or `dbus-send`) this could not
/// wait, and the single-instance test would prove nothing: both are errors, not a quiet return
/// (`cargo xtask e2e` starts a private bus).
async fn single_instance_released() -> Result<()> {
    ensure!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session bus: the single-instance checks need one (cargo xtask e2e starts it)"
    );
    for _ in 0..50 {
        let owned = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{SINGLE_INSTANCE_NAME}"),
            ])
            .output();
        let out = owned.context("dbus-send is missing (cargo xtask e2e installs it)")?;
        ensure!(
            out.status.success(),
            "dbus-send could not ask the session bus: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !String::from_utf8_lossy(&out.stdout).contains("boolean true") {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the closed app still holds {SINGLE_INSTANCE_NAME} after 5 s")
}

/// Waits up to five seconds for app processes started with exactly these arguments to exit
/// after their session closed, then kills them (under heavy load an app can outlive its session).
async fn end_leftover_apps(app: &str, args: &[&str]) {
    for _ in 0..50 {
        if app_processes(app, args).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for pid in app_processes(app, args) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// The running processes of `app` started with exactly `args` (a zombie, exited but not yet
/// reaped, does not count).
fn app_processes(app: &str, args: &[&str]) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let parts: Vec<&[u8]> = cmdline
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .collect();
            let same = parts.first() == Some(&app.as_bytes())
                && parts.len() == args.len() + 1
                && parts[1..].iter().zip(args).all(|(a, b)| *a == b.as_bytes());
            same.then_some(pid)
        })
        .collect()
}

/// Waits until an element matches `css` and returns it.
pub async fn element(client: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element {css:?} appeared"))
}

/// The status line, once it mentions `word` (e.g. "notes": the note count is in).
pub async fn status_with(client: &Client, word: &str) -> Result<String> {
    eventually(&format!("{word:?} in the status line"), || async {
        Ok(text_of(client, "[data-role='status']")
            .await?
            .filter(|s| s.contains(word)))
    })
    .await
}

/// Types `keys` (WebDriver key codes allowed) into whatever has the focus.
pub async fn keys(client: &Client, keys: &str) -> Result<()> {
    client.active_element().await?.send_keys(keys).await?;
    Ok(())
}

/// Polls `check` until it returns `Some`, or fails after [`PATIENCE`] with `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let started = Instant::now();
    let mut last_error = None;
    while started.elapsed() < PATIENCE {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last_error = Some(err),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match last_error {
        Some(err) => Err(err.context(format!("timed out waiting for {what}"))),
        None => bail!("timed out waiting for {what}"),
    }
}

/// The `textContent` of the first element matching `css`, or `None` when there is none.
pub async fn text_of(client: &Client, css: &str) -> Result<Option<String>> {
    let value = client
        .execute(
            "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;",
            vec![json!(css)],
        )
        .await?;
    Ok(value.as_str().map(str::to_string))
}

/// Calls a Tauri command from the page, as the UI does; `Ok` with its value or `Err` with the
/// `{ code, message }` error it returned.
pub async fn invoke(client: &Client, command: &str, args: Value) -> Result<Result<Value, Value>> {
    let reply = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke(arguments[0], arguments[1])
               .then((ok) => done({ ok }), (err) => done({ err }));",
            vec![json!(command), args],
        )
        .await?;
    if let Some(err) = reply.get("err") {
        return Ok(Err(err.clone()));
    }
    reply
        .get("ok")
        .cloned()
        .map(Ok)
        .ok_or_else(|| anyhow!("unexpected reply from invoke: {reply}"))
}

/// Saves a screenshot of the window when `MARGIN_SCREENSHOTS` names a folder (for the README).
pub async fn screenshot(_c: &Client, name: &str) -> Result<()> {
    if let Ok(dir) = std::env::var("MARGIN_SCREENSHOTS") {
        // Let the last frame paint first.
        tokio::time::sleep(Duration::from_millis(400)).await;
        capture_window(&Path::new(&dir).join(name))?;
    }
    Ok(())
}

/// Runs xdotool against the app's window (found by its title, which ends in "Margin").
/// Bounded by `timeout`: a blocking call that hung would stall the whole run, as the test's own
/// time limit only acts when the test yields.
pub fn xdotool(args: &[&str]) -> Result<String> {
    let out = std::process::Command::new("timeout")
        .args(["10", "xdotool"])
        .args(args)
        .output()
        .context("xdotool is missing (cargo xtask e2e installs it)")?;
    ensure!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Presses keys on the app's window as a person would: real key events on the X server (XTEST),
/// not events sent to the window, which GTK ignores.
pub fn press(keys: &[&str]) -> Result<()> {
    xdotool(&["windowfocus", "--sync", &app_window()?])?;
    for key in keys {
        xdotool(&["key", key])?;
        std::thread::sleep(Duration::from_millis(250));
    }
    Ok(())
}

/// The X window id of the app's window (its title ends in "Margin").
pub fn app_window() -> Result<String> {
    visible_window("Margin$")?.context("no visible Margin window")
}

/// The X window id of the newest visible window whose title matches `title` (a regular
/// expression, as xdotool takes it): the app's, or a dialog it opened. `None` when none is shown.
pub fn visible_window(title: &str) -> Result<Option<String>> {
    let search = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .output()
        .context("xdotool is missing (cargo xtask e2e installs it)")?;
    Ok(String::from_utf8_lossy(&search.stdout)
        .lines()
        .last()
        .map(str::to_string))
}

/// Writes a PNG of the app's window as the X server shows it, menu bar included. (WebDriver's
/// own screenshot needs WebKit's compositing, which Margin turns off where there is no GPU.)
pub fn capture_window(png: &Path) -> Result<()> {
    let window = app_window()?;
    let status = std::process::Command::new("import")
        .args(["-window", &window])
        .arg(png)
        .status()
        .context("imagemagick's import is missing (cargo xtask e2e installs it)")?;
    if !status.success() {
        bail!("import could not capture the window: {status}");
    }
    Ok(())
}

/// Gives WebKit time to write the page's local storage to disk: it does so on its own schedule,
/// and a session closed by WebDriver ends the app without the flush a normal quit does.
pub async fn settle_storage() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

/// Opens note `id` as a person does: clicks each closed folder on its path in the tree, then
/// the note's row (WebDriver clicks: real pointer events), waits for it to show, and gives the
/// reader the keyboard.
pub async fn open_in_tree(client: &Client, id: &str) -> Result<()> {
    let mut folder = String::new();
    for part in id.split('/').collect::<Vec<_>>().iter().rev().skip(1).rev() {
        folder = if folder.is_empty() {
            (*part).to_string()
        } else {
            format!("{folder}/{part}")
        };
        let row = element(client, &format!(".tree-folder[data-folder='{folder}']")).await?;
        if row.attr("aria-expanded").await?.as_deref() != Some("true") {
            row.click().await?;
        }
    }
    element(client, &format!(".tree-note[data-note-id='{id}']"))
        .await?
        .click()
        .await?;
    element(client, &format!(".note-body[data-note-id='{id}']")).await?;
    client
        .execute(
            "document.querySelector('[data-role=\"reader-pane\"]').focus()",
            vec![],
        )
        .await?;
    Ok(())
}

/// Script that finds the first `phrase` (`arguments[0]`) in the note body's text, across
/// elements: sets `at` (its offset, or returns `missing` when absent) and `locate(pos)` (the
/// text node and offset of a position). Scripts that select or measure text start with it.
pub fn find_phrase_js(missing: &str) -> String {
    format!(
        r#"
const [phrase] = arguments;
const root = document.querySelector('.note-body');
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const nodes = []; let text = '';
for (let n = walker.nextNode(); n; n = walker.nextNode()) {{ nodes.push([n, text.length]); text += n.data; }}
const at = text.indexOf(phrase);
if (at < 0) return {missing};
const locate = (pos) => {{ for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i][1] <= pos) return [nodes[i][0], pos - nodes[i][1]]; }};
"#
    )
}

/// Where the first occurrence of `phrase` in the note body starts and ends on the screen
/// (the middle of its first and last characters), for a real mouse drag; after
/// [`find_phrase_js`].
const PHRASE_ON_SCREEN: &str = r#"
const charRect = (pos) => { const [n, o] = locate(pos); const r = document.createRange(); r.setStart(n, o); r.setEnd(n, o + 1); return r.getBoundingClientRect(); };
const first = charRect(at); const last = charRect(at + phrase.length - 1);
const dx = window.screenX + (window.outerWidth - window.innerWidth);
const dy = window.screenY + (window.outerHeight - window.innerHeight);
return [Math.round(dx + first.left + 1), Math.round(dy + first.top + first.height / 2),
        Math.round(dx + last.right - 1), Math.round(dy + last.top + last.height / 2)];
"#;

/// Selects `phrase` in the open note with a real mouse drag on the X server (press on its
/// first character, move, release on its last), as a person selects text.
pub async fn drag_select(client: &Client, phrase: &str) -> Result<()> {
    let script = format!("{}{PHRASE_ON_SCREEN}", find_phrase_js("null"));
    let at = client.execute(&script, vec![json!(phrase)]).await?;
    let xy: Vec<String> = at
        .as_array()
        .with_context(|| format!("{phrase:?} is not in the note"))?
        .iter()
        .map(|v| v.to_string())
        .collect();
    ensure!(xy.len() == 4, "no screen place for {phrase:?}: {at}");
    xdotool(&["windowfocus", "--sync", &app_window()?])?;
    xdotool(&["mousemove", &xy[0], &xy[1]])?;
    xdotool(&["mousedown", "1"])?;
    xdotool(&["mousemove", &xy[2], &xy[3]])?;
    std::thread::sleep(Duration::from_millis(100));
    xdotool(&["mouseup", "1"])?;
    Ok(())
}

/// The middle of the first element matching `css`, on the screen (for xdotool).
pub async fn screen_center(client: &Client, css: &str) -> Result<(i64, i64)> {
    element(client, css).await?;
    let at = client
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();
             const dx = window.screenX + (window.outerWidth - window.innerWidth);
             const dy = window.screenY + (window.outerHeight - window.innerHeight);
             return [Math.round(dx + r.left + r.width / 2), Math.round(dy + r.top + r.height / 2)];",
            vec![json!(css)],
        )
        .await?;
    let xy = at
        .as_array()
        .and_then(|a| Some((a.first()?.as_i64()?, a.get(1)?.as_i64()?)))
        .with_context(|| format!("no screen place for {css}: {at}"))?;
    Ok(xy)
}

/// Drags the element `from` onto the element `to` with the real mouse (press, move in steps,
/// release), as a person drags a row.
pub async fn mouse_drag(client: &Client, from: &str, to: &str) -> Result<()> {
    let (x0, y0) = screen_center(client, from).await?;
    let (x1, y1) = screen_center(client, to).await?;
    xdotool(&["windowfocus", "--sync", &app_window()?])?;
    xdotool(&["mousemove", &x0.to_string(), &y0.to_string()])?;
    xdotool(&["mousedown", "1"])?;
    for step in 1..=8 {
        let x = x0 + (x1 - x0) * step / 8;
        let y = y0 + (y1 - y0) * step / 8;
        xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
        std::thread::sleep(Duration::from_millis(30));
    }
    xdotool(&["mouseup", "1"])?;
    Ok(())
}
