//! What makes Margin behave like a desktop app rather than a web page in a window: the native
//! menu (with Open Recent kept current), one instance per user (a second launch hands its
//! `--vault` to the first window and quits) and log files in the OS log folder.
//!
//! Menu items do not act here: they send a `menu` event with the item's id to the page, which
//! runs the same action as the keyboard shortcut (ui/actions.js), so each action exists once.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use margin_core::places::Places;
use tauri::menu::{
    AboutMetadataBuilder, Menu, MenuBuilder, MenuItemBuilder, Submenu, SubmenuBuilder,
};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::state::{recent, AppState};

/// The page listens for this: the payload is the id of the menu item chosen.
pub const MENU_EVENT: &str = "menu";
/// Sent when the vault changed from outside the page (a second launch, Open Recent): the page
/// reloads on the new vault.
pub const VAULT_OPENED: &str = "vault-opened";

/// Something went wrong outside any call of the page's: the payload is a message for the user.
pub const APP_ERROR: &str = "app-error";

/// Menu items the page handles, with their shortcut. The shortcut is the same key the page
/// listens to; the page runs an action at most once when both the menu and the key report it.
const PAGE_ITEMS: &[(&str, &str, Option<&str>)] = &[
    ("open-folder", "Open Folder…", Some("CmdOrCtrl+O")),
    ("new-note", "New Note…", Some("CmdOrCtrl+N")),
    ("new-folder", "New Folder…", Some("CmdOrCtrl+Shift+N")),
    ("rename-note", "Rename Note…", Some("F2")),
    ("move-note", "Move Note to…", Some("CmdOrCtrl+Shift+M")),
    // No accelerator: in the editor Ctrl+Delete deletes the next word, and a menu accelerator
    // would take the key from it. The reader's Ctrl+Delete is the page's own.
    ("delete-note", "Move Note to Trash", None),
    ("attachments-folder", "Attachments Folder…", None),
    ("edit", "Edit Note", Some("CmdOrCtrl+E")),
    ("save", "Save", Some("CmdOrCtrl+S")),
    ("export-markdown", "Export Annotations as Markdown…", None),
    ("export-json", "Export Annotations as JSON…", None),
    ("find", "Find in Note", Some("CmdOrCtrl+F")),
    ("search", "Search Notes", Some("CmdOrCtrl+K")),
    ("annotations", "All Annotations", Some("CmdOrCtrl+Shift+A")),
    (
        "toggle-tree",
        "Show or Hide Topic Tree",
        Some("CmdOrCtrl+\\"),
    ),
    ("zoom-in", "Zoom In", Some("CmdOrCtrl+=")),
    ("zoom-out", "Zoom Out", Some("CmdOrCtrl+-")),
    ("zoom-reset", "Actual Size", Some("CmdOrCtrl+0")),
    (
        "interface-zoom-in",
        "Larger Interface",
        Some("CmdOrCtrl+Alt+="),
    ),
    (
        "interface-zoom-out",
        "Smaller Interface",
        Some("CmdOrCtrl+Alt+-"),
    ),
    (
        "interface-zoom-reset",
        "Interface at 100 %",
        Some("CmdOrCtrl+Alt+0"),
    ),
    ("toggle-theme", "Toggle Theme", Some("CmdOrCtrl+Shift+L")),
    ("shortcuts", "Keyboard Shortcuts", Some("F1")),
    ("review", "Review Due Cards", Some("CmdOrCtrl+Shift+R")),
    ("study-view", "Study Progress", Some("CmdOrCtrl+Shift+Y")),
    // No accelerator: `m` is the page's own key (a menu accelerator without a modifier would
    // take it from every text field).
    ("mark-read", "Mark Note Read or Not Read", None),
];

/// Margin's own Quit: the predefined one does nothing on Linux. Exiting through the app lets
/// the window-state plugin save the window's size and place.
const QUIT: &str = "quit";

/// Prefix of the Open Recent items' ids; the rest is an index into [`RecentMenu::paths`].
const RECENT_PREFIX: &str = "recent:";

/// The Open Recent submenu and the folders its items stand for.
pub struct RecentMenu {
    submenu: Submenu<Wry>,
    paths: Mutex<Vec<PathBuf>>,
}

fn page_item(app: &AppHandle, id: &str) -> tauri::Result<tauri::menu::MenuItem<Wry>> {
    let (id, text, accelerator) = PAGE_ITEMS
        .iter()
        .find(|(item, _, _)| *item == id)
        .copied()
        .unwrap_or((id, id, None));
    let mut item = MenuItemBuilder::with_id(id, text);
    if let Some(accelerator) = accelerator {
        item = item.accelerator(accelerator);
    }
    item.build(app)
}

/// Builds the window's menu bar and registers the Open Recent submenu with the app.
pub fn menu(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let item = |id: &str| page_item(app, id);
    let recent_menu = SubmenuBuilder::with_id(app, "recent", "Open Recent").build()?;
    let quit = MenuItemBuilder::with_id(QUIT, "Quit Margin")
        .accelerator("CmdOrCtrl+Q")
        .build(app)?;
    let mut file = SubmenuBuilder::new(app, "File")
        .item(&item("new-note")?)
        .item(&item("new-folder")?)
        .separator()
        .item(&item("open-folder")?)
        .item(&recent_menu)
        .separator()
        .item(&item("save")?)
        .item(&item("rename-note")?)
        .item(&item("move-note")?)
        .item(&item("delete-note")?)
        .item(&item("attachments-folder")?)
        .separator()
        .item(&item("export-markdown")?)
        .item(&item("export-json")?);
    if !cfg!(target_os = "macos") {
        file = file.separator().item(&quit);
    }
    let file = file.build()?;
    let mut edit = SubmenuBuilder::new(app, "Edit");
    if cfg!(target_os = "macos") {
        // Without these, Cmd+C/V/X/A/Z do nothing in a macOS web view.
        edit = edit
            .undo()
            .redo()
            .separator()
            .cut()
            .copy()
            .paste()
            .select_all()
            .separator();
    }
    let edit = edit
        .item(&item("edit")?)
        .separator()
        .item(&item("find")?)
        .item(&item("search")?)
        .item(&item("annotations")?)
        .build()?;
    let view = SubmenuBuilder::new(app, "View")
        .item(&item("toggle-tree")?)
        .separator()
        .item(&item("zoom-in")?)
        .item(&item("zoom-out")?)
        .item(&item("zoom-reset")?)
        .separator()
        .item(&item("interface-zoom-in")?)
        .item(&item("interface-zoom-out")?)
        .item(&item("interface-zoom-reset")?)
        .separator()
        .item(&item("toggle-theme")?)
        .build()?;
    let study = SubmenuBuilder::new(app, "Study")
        .item(&item("review")?)
        .item(&item("study-view")?)
        .item(&item("mark-read")?)
        .build()?;
    let package = app.package_info();
    let about = AboutMetadataBuilder::new()
        .name(Some("Margin"))
        .version(Some(package.version.to_string()))
        .comments(Some(
            "Study from your own Markdown notes: search, highlight, annotate.",
        ))
        .license(Some("MIT OR Apache-2.0"))
        .build();
    let mut help = SubmenuBuilder::new(app, "Help").item(&item("shortcuts")?);
    let menu = if cfg!(target_os = "macos") {
        // macOS shows the first submenu as the application menu, titled with the app's name.
        let app_menu = SubmenuBuilder::new(app, "Margin")
            .about_with_text("About Margin", Some(about))
            .separator()
            .services()
            .separator()
            .hide()
            .hide_others()
            .show_all()
            .separator()
            .item(&quit)
            .build()?;
        let help = help.build()?;
        MenuBuilder::new(app)
            .items(&[&app_menu, &file, &edit, &view, &study, &help])
            .build()?
    } else {
        help = help
            .separator()
            .about_with_text("About Margin", Some(about));
        let help = help.build()?;
        MenuBuilder::new(app)
            .items(&[&file, &edit, &view, &study, &help])
            .build()?
    };
    // Filled in by `refresh_recent` once the first vault is open (and after each switch).
    app.manage(RecentMenu {
        submenu: recent_menu,
        paths: Mutex::new(Vec::new()),
    });
    Ok(menu)
}

/// Rewrites Open Recent from the recent-vaults list (after a vault was opened).
pub fn refresh_recent(app: &AppHandle) {
    let Some(menu) = app.try_state::<RecentMenu>() else {
        return;
    };
    let paths: Vec<PathBuf> = recent().paths.into_iter().filter(|p| p.is_dir()).collect();
    let result = (|| -> tauri::Result<()> {
        for old in menu.submenu.items()? {
            menu.submenu.remove(&old)?;
        }
        for (i, path) in paths.iter().enumerate() {
            let label = path.display().to_string();
            let item = MenuItemBuilder::with_id(format!("{RECENT_PREFIX}{i}"), label).build(app)?;
            menu.submenu.append(&item)?;
        }
        menu.submenu.set_enabled(!paths.is_empty())
    })();
    if let Err(err) = result {
        tracing::warn!("could not update Open Recent: {err}");
    }
    if let Ok(mut kept) = menu.paths.lock() {
        *kept = paths;
    };
}

/// Handles a menu choice: Open Recent switches the vault here, everything else goes to the page.
pub fn on_menu_event(app: &AppHandle, id: &str) {
    if id == QUIT {
        request_close(app);
        return;
    }
    if let Some(index) = id.strip_prefix(RECENT_PREFIX) {
        let path = app.try_state::<RecentMenu>().and_then(|menu| {
            let paths = menu.paths.lock().ok()?;
            index
                .parse::<usize>()
                .ok()
                .and_then(|i| paths.get(i).cloned())
        });
        if let Some(path) = path {
            open_vault(app, &path);
        }
        return;
    }
    if let Err(err) = app.emit(MENU_EVENT, id) {
        tracing::warn!("could not pass the menu choice {id} to the window: {err}");
    }
}

/// Opens `dir` as the vault from outside the page and tells the page to reload on it. A folder
/// that cannot be opened is reported on the page and leaves the current vault open.
pub fn open_vault(app: &AppHandle, dir: &Path) {
    if let Err(err) = margin_core::Vault::open(dir) {
        tracing::warn!("not opening {}: {err}", dir.display());
        let message = format!("{} could not be opened: {err}", dir.display());
        let _ = app.emit(APP_ERROR, message);
        return;
    }
    if let Some(state) = app.try_state::<AppState>() {
        state.switch(app, Some(dir.to_path_buf()));
        refresh_recent(app);
    }
    let _ = app.emit(VAULT_OPENED, dir.display().to_string());
}

/// A second launch of Margin: bring this window forward and open the folder it was given.
pub fn second_launch(app: &AppHandle, argv: Vec<String>, cwd: String) {
    tracing::info!("second launch: {argv:?} in {cwd}");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(dir) = crate::vault_argument(argv) {
        let dir = if dir.is_absolute() {
            dir
        } else {
            Path::new(&cwd).join(dir)
        };
        open_vault(app, &dir);
    }
}

/// A log file per day in `dir`, `margin.YYYY-MM-DD.log`; building it deletes all but the
/// newest six older days, so a week of logs is kept.
fn log_files(
    dir: &Path,
) -> Result<tracing_appender::rolling::RollingFileAppender, tracing_appender::rolling::InitError> {
    tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("margin")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)
}

/// Sends logs to stderr and to a daily file in the OS log folder (seven days kept). The returned
/// guard flushes the file when dropped, so `main` keeps it to the end.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{fmt, EnvFilter, Layer};

    let filter =
        || EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tao=warn,wry=warn".into());
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let file = Places::for_user().ok().and_then(|places| {
        if let Err(err) = std::fs::create_dir_all(&places.log_dir) {
            eprintln!("margin: no log file in {}: {err}", places.log_dir.display());
            return None;
        }
        log_files(&places.log_dir)
            .map_err(|err| eprintln!("margin: no log file in {}: {err}", places.log_dir.display()))
            .ok()
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .init();
    guard
}

/// What of the window is remembered between launches: size, place, maximised and full-screen
/// state; not visibility (a window saved while hidden must not come back hidden).
pub fn window_state_flags() -> tauri_plugin_window_state::StateFlags {
    use tauri_plugin_window_state::StateFlags;
    StateFlags::all() - StateFlags::VISIBLE
}

/// Saves the window's size and place shortly after it was last moved or resized, not only at a
/// clean exit: a crash, a kill or a logout then still reopens the window where the user left it.
pub fn save_window_state_when_settled(window: &tauri::WebviewWindow) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use tauri_plugin_window_state::AppHandleExt;

    let changes = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if !matches!(
            event,
            tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)
        ) {
            return;
        }
        let this_change = changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (changes, app) = (Arc::clone(&changes), app.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if changes.load(Ordering::SeqCst) == this_change {
                if let Err(err) = app.save_window_state(window_state_flags()) {
                    tracing::warn!("could not save the window's size and place: {err}");
                }
            }
        });
    });
}

/// On Linux without a GPU device (a VM, a remote desktop, Xvfb), WebKitGTK's compositing runs
/// on software OpenGL, which holds ~80 MB in the web process and draws nothing faster than
/// plain rendering: measured on the 38k-note vault, 195 → 115 MB PSS for the web process with
/// compositing off, and the same pages on screen. With a GPU, WebKit's own choice stands, as
/// does any `WEBKIT_DISABLE_COMPOSITING_MODE` the user set. Runs before any thread starts.
pub fn choose_web_rendering() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux")
        && std::env::var_os(VAR).is_none()
        && !Path::new("/dev/dri").exists()
    {
        std::env::set_var(VAR, "1");
    }
}

/// The page is asked to save before the app ends (`close-requested`): the editor may hold text
/// typed in the last second. It answers with `close_now` once saved, or `cancel_close` when the
/// save failed (the window stays, saying why). A page that does not answer within
/// [`CLOSE_GRACE`], or a second close while one is pending, ends the app anyway: a hung page
/// never keeps Margin from quitting (and the draft written at 1 s idle still holds the text).
pub const CLOSE_REQUESTED: &str = "close-requested";
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
/// 0: no close pending; 1: the page was asked; 2: its save failed, the next close quits.
static CLOSING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static CLOSE_ROUND: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The window's close button or Quit: ask the page to save first.
pub fn request_close(app: &AppHandle) {
    use std::sync::atomic::Ordering;
    if CLOSING.swap(1, Ordering::SeqCst) != 0 {
        app.exit(0);
        return;
    }
    let round = CLOSE_ROUND.fetch_add(1, Ordering::SeqCst) + 1;
    if app.emit(CLOSE_REQUESTED, ()).is_err() {
        app.exit(0);
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLOSE_GRACE).await;
        if CLOSING.load(Ordering::SeqCst) == 1 && CLOSE_ROUND.load(Ordering::SeqCst) == round {
            tracing::warn!("the page did not answer the close request; quitting");
            app.exit(0);
        }
    });
}

/// The page saved what it had: end the app.
#[tauri::command]
pub fn close_now(app: AppHandle) {
    app.exit(0);
}

/// The page could not save: the window stays open; closing it again quits.
#[tauri::command]
pub fn cancel_close() {
    use std::sync::atomic::Ordering;
    CLOSING.store(2, Ordering::SeqCst);
    CLOSE_ROUND.fetch_add(1, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_week_of_logs_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=12 {
            let name = format!("margin.2026-10-{day:02}.log");
            std::fs::write(dir.path().join(name), format!("day {day}\n")).unwrap();
            // Distinct creation times: the appender keeps the newest.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        std::fs::write(dir.path().join("notes.txt"), "not a log").unwrap();
        let _appender = super::log_files(dir.path()).unwrap();
        let mut logs: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("margin.") && n.ends_with(".log"))
            .collect();
        logs.sort();
        assert_eq!(logs.len(), 7, "{logs:?}");
        // The six newest old days and today's file; the other file of the folder untouched.
        assert!(
            logs.contains(&"margin.2026-10-12.log".to_string()),
            "{logs:?}"
        );
        assert!(
            !logs.contains(&"margin.2026-10-06.log".to_string()),
            "{logs:?}"
        );
        assert!(dir.path().join("notes.txt").is_file());
    }
}
