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
