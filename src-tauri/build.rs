//! Reads the app config at the repository root and declares the app's own commands, so the
//! capability file can grant exactly those and nothing else.

fn main() {
    println!("cargo:rerun-if-changed=../ui");
    println!("cargo:rerun-if-changed=../icons");
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "vault_info",
            "list_tree",
            "get_note",
            "open_external",
            "index_status",
            "search",
            "search_in_note",
            "list_annotations",
            "add_annotation",
            "update_annotation",
            "delete_annotation",
            "restore_annotation",
            "all_annotations",
            "get_palette",
            "set_palette",
            "export_annotations",
            "recent_vaults",
            "open_vault",
            "set_window_theme",
            "note_source",
            "save_note",
            "put_draft",
            "drop_draft",
            "create_note",
            "create_folder",
            "move_note",
            "trash_note",
            "untrash_note",
            "compare_conflict",
            "keep_conflict",
            "annotate_source",
            "save_attachment",
            "paste_image",
            "set_interface_zoom",
            "attachments_folder",
            "set_attachments_folder",
            "study_queue",
            "study_cards",
            "study_face",
            "study_grade",
            "study_undo",
            "study_add_card",
            "study_remove_card",
            "study_note_cards",
            "study_mark_read",
            "study_progress",
            "study_stats",
            "study_export",
            "study_optimise",
            "close_now",
            "cancel_close",
        ]));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {err:#}");
    }
}
