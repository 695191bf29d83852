use margin_core::places::seed_default_vault;

use crate::util::{bundled_notes, TestVault};

#[test]
fn first_launch_copies_the_notes_once() {
    let home = TestVault::new();
    let target = home.path().join("data/margin/notes");
    assert!(seed_default_vault(&bundled_notes(), &target).unwrap());
    assert!(target.join("realtime/webrtc.md").is_file());
    // The user's edits survive later launches.
    std::fs::write(target.join("realtime/webrtc.md"), "# mine\n").unwrap();
    assert!(!seed_default_vault(&bundled_notes(), &target).unwrap());
    assert_eq!(
        std::fs::read_to_string(target.join("realtime/webrtc.md")).unwrap(),
        "# mine\n"
    );
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".notes-seeding-")
        })
        .collect();
    assert!(leftovers.is_empty());
}
