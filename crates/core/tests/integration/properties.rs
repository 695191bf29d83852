//! Property tests: anchoring and id checking never panic and never answer out of bounds,
//! whatever text, quote, position or id they are given.

use margin_core::anchor::{anchor, quote_at, Position, Quote};
use margin_core::vault::check_id;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Small alphabets make repeats and near-matches common; emoji and combining marks included.
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just(' '),
            Just('\n'),
            Just('é'),
            Just('\u{301}'),
            Just('🦀'),
            any::<char>()
        ],
        0..200,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn anchoring_never_panics_or_leaves_the_text(t in text(), q in text(), p in text(), s in text(), start in 0usize..300, len in 0usize..300) {
        let quote = Quote { exact: q, prefix: p, suffix: s };
        let hint = Position { start, end: start.saturating_add(len) };
        if let Some(a) = anchor(&t, &quote, hint) {
            let n = t.chars().count();
            prop_assert!(a.position.start < a.position.end && a.position.end <= n);
        }
    }

    #[test]
    fn a_quote_taken_from_a_text_is_found_in_it(t in text(), a in 0usize..200, b in 0usize..200) {
        let chars: Vec<char> = t.chars().collect();
        let (start, end) = (a.min(b).min(chars.len()), a.max(b).min(chars.len()));
        prop_assume!(start < end);
        let quote = quote_at(&chars, start, end);
        let found = anchor(&t, &quote, Position { start, end });
        prop_assert_eq!(found.map(|f| f.position), Some(Position { start, end }));
    }

    #[test]
    fn accepted_ids_stay_relative_plain_paths(id in "[a-z./\\\\:\\x00-\\x1f]{0,24}(\\.md)?") {
        if let Ok(path) = check_id(&id) {
            prop_assert!(path.is_relative());
            prop_assert!(path.components().all(|c| matches!(c, std::path::Component::Normal(_))));
        }
    }
}

/// 100,000 generated ids against a real vault with a symlink leading out and a secret next to
/// it: none reads a file outside the vault.
#[test]
fn a_hundred_thousand_ids_never_escape_the_vault() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let outer = tempfile::tempdir().unwrap();
    let vault_dir = outer.path().join("vault");
    std::fs::create_dir_all(vault_dir.join("sub")).unwrap();
    std::fs::write(vault_dir.join("a.md"), "# in").unwrap();
    std::fs::write(vault_dir.join("sub/b.md"), "# in").unwrap();
    std::fs::write(outer.path().join("secret.md"), "SECRET").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("secret.md"), vault_dir.join("link.md"))
            .unwrap();
        std::os::unix::fs::symlink(outer.path(), vault_dir.join("up")).unwrap();
    }
    let vault = margin_core::Vault::open(&vault_dir).unwrap();
    let parts = prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just("".to_string()),
        Just("a.md".to_string()),
        Just("sub".to_string()),
        Just("b.md".to_string()),
        Just("link.md".to_string()),
        Just("up".to_string()),
        Just("secret.md".to_string()),
        Just("C:".to_string()),
        Just("\\\\".to_string()),
        Just("%2e%2e".to_string()),
        "[a-z.\\\\/:\\x00]{0,6}",
    ];
    let ids = proptest::collection::vec(parts, 1..6).prop_map(|p| {
        let mut id = p.join("/");
        if id.len() % 3 == 0 {
            id.insert(0, '/');
        }
        id
    });
    let mut runner = TestRunner::deterministic();
    let (mut tried, mut read) = (0, 0);
    for _ in 0..100_000 {
        let id = ids.new_tree(&mut runner).unwrap().current();
        tried += 1;
        if let Ok(text) = vault.read(&id) {
            read += 1;
            assert_ne!(text, "SECRET", "{id:?} escaped the vault");
        }
        if let Ok(path) = vault.path_of(&id) {
            assert!(
                path.starts_with(vault.root()),
                "{id:?} → {}",
                path.display()
            );
        }
    }
    println!("ids tried: {tried}, notes read inside the vault: {read}, escapes: 0");
    assert_eq!(tried, 100_000);
    // The ids that stay inside must be read: a `read` that refused everything would make the
    // loop above pass without checking anything (mutant: `Vault::read` always `Err`).
    assert!(
        read >= 1_000,
        "only {read} of {tried} ids read a note inside the vault"
    );
}
