//! Margin's desktop window: a thin Tauri shell that turns UI calls into margin-core calls.
//! Everything testable without a window lives in margin-core.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod desktop;
mod state;
mod study;
mod writing;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tauri::Manager;

/// Command line of the app. Unknown arguments are ignored with a warning so that an OS that
/// adds its own (old macOS launchers do) never stops the app from starting.
#[derive(Debug, Parser)]
#[command(
    name = "margin-app",
    about = "Margin: study from your own Markdown notes"
)]
struct Args {
    /// Open this folder as the vault instead of the default notes.
    #[arg(long, value_name = "DIR")]
    vault: Option<PathBuf>,
}

/// The `--vault` of a command line (this launch's or a second launch's), if any.
fn vault_argument(argv: impl IntoIterator<Item = String>) -> Option<PathBuf> {
    match Args::try_parse_from(argv) {
        Ok(args) => args.vault,
        Err(err) => {
            tracing::warn!("ignoring command line: {err}");
            None
        }
    }
}

fn main() -> ExitCode {
    state::limit_malloc_arenas();
    desktop::choose_web_rendering();
    let _log_guard = desktop::init_logging();
    let args = Args {
        vault: vault_argument(std::env::args_os().map(|a| a.to_string_lossy().into_owned())),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("margin: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    tauri::Builder::default()
        // First, so that a second launch hands over its arguments before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            desktop::second_launch(app, argv, cwd)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(desktop::window_state_flags())
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(navigation_guard())
        .menu(desktop::menu)
        .on_menu_event(|app, event| desktop::on_menu_event(app, event.id().as_ref()))
        .setup(move |app| {
            let bundled = app
                .path()
                .resource_dir()
                .map(|dir| dir.join("notes"))
                .ok()
                .filter(|dir| dir.is_dir())
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../notes"));
            let state = state::AppState::open(args.vault.clone(), &bundled);
            state.session().spawn_indexer(app.handle());
            if let Some(window) = app.get_webview_window("main") {
                desktop::save_window_state_when_settled(&window);
                let handle = app.handle().clone();
                window.on_window_event(move |event| {
                    if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                        api.prevent_close();
                        desktop::request_close(&handle);
                    }
                });
            }
            app.manage(state);
            desktop::refresh_recent(app.handle());
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(
            margin_core::render::ASSET_SCHEME,
            |ctx, request, responder| {
                let app = ctx.app_handle().clone();
                let path = request.uri().path().to_string();
                tauri::async_runtime::spawn_blocking(move || {
                    responder.respond(commands::serve_image(&app, &path));
                });
            },
        )
        .invoke_handler(log_calls(tauri::generate_handler![
            commands::vault_info,
            commands::list_tree,
            commands::get_note,
            commands::open_external,
            commands::index_status,
            commands::search,
            commands::search_in_note,
            commands::list_annotations,
            commands::add_annotation,
            commands::update_annotation,
            commands::delete_annotation,
            commands::restore_annotation,
            commands::all_annotations,
            commands::get_palette,
            commands::set_palette,
            commands::export_annotations,
            commands::recent_vaults,
            commands::open_vault,
            commands::set_window_theme,
            commands::set_interface_zoom,
            writing::note_source,
            writing::save_note,
            writing::put_draft,
            writing::drop_draft,
            writing::create_note,
            writing::create_folder,
            writing::move_note,
            writing::trash_note,
            writing::untrash_note,
            writing::compare_conflict,
            writing::keep_conflict,
            writing::annotate_source,
            writing::save_attachment,
            writing::paste_image,
            writing::attachments_folder,
            writing::set_attachments_folder,
            study::study_queue,
            study::study_cards,
            study::study_face,
            study::study_grade,
            study::study_undo,
            study::study_add_card,
            study::study_remove_card,
            study::study_note_cards,
            study::study_mark_read,
            study::study_progress,
            study::study_stats,
            study::study_export,
            study::study_optimise,
            desktop::close_now,
            desktop::cancel_close,
        ]))
        .run(tauri::generate_context!("../tauri.conf.json"))?;
    Ok(())
}

/// Logs each command the page calls (target `margin_app::ipc`, debug level: off unless asked
/// for with `RUST_LOG`), so a test can show that hostile notes make no call of their own.
fn log_calls(
    handler: impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static,
) -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    move |invoke| {
        tracing::debug!(target: "margin_app::ipc", "call {}", invoke.message.command());
        handler(invoke)
    }
}

/// The window only ever shows Margin's own pages: any attempt to navigate elsewhere (a link in
/// a note, a redirect) is refused here, whatever the page does.
fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let allowed = url.scheme() == "tauri"
                || matches!(url.host_str(), Some("tauri.localhost") | Some("localhost"))
                    && matches!(url.scheme(), "http" | "https");
            if !allowed {
                tracing::warn!("blocked navigation to {url}");
            }
            allowed
        })
        .build()
}
