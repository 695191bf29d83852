//! "Optimise": fits the FSRS-6 parameters to the user's own review history with the `fsrs`
//! crate's optimiser (the one Anki runs), once there are enough reviews to learn from, and
//! saves them in the vault's study settings so both computers schedule with them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fsrs::{CombinedProgressState, ComputeParametersInput, FSRSItem, FSRSReview};
use serde::Serialize;

use super::{Review, Scheduler, Study};
use crate::error::{Error, Result};

/// Fewer reviews than this teach the optimiser too little; the defaults are better then.
pub const MINIMUM_REVIEWS: usize = 400;

/// What an optimisation did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Optimised {
    /// The 21 fitted parameters, now saved in `.margin/study.json`.
    pub parameters: Vec<f32>,
    /// Reviews learnt from.
    pub reviews: usize,
    /// Training items (one per review after a card's first).
    pub items: usize,
}

/// The training set: for every card, one item per review after its first, holding the
/// card's history up to and including that review (days between reviews, as FSRS counts
/// them); with the card of each item, so the optimiser can group them.
pub fn train_set(reviews: &[Review]) -> (Vec<FSRSItem>, Vec<i64>) {
    let mut by_card: HashMap<&str, Vec<&Review>> = HashMap::new();
    for r in reviews.iter().filter(|r| r.grade.is_some()) {
        by_card.entry(&r.card).or_default().push(r);
    }
    let mut cards: Vec<(&str, Vec<&Review>)> = by_card.into_iter().collect();
    cards.sort_by(|a, b| a.0.cmp(b.0));
    let (mut items, mut ids) = (Vec::new(), Vec::new());
    for (card, mut list) in cards {
        list.sort_by_key(|r| r.at);
        let mut history = Vec::with_capacity(list.len());
        let mut last = None;
        for r in list {
            let delta_t = last.map_or(0, |l: time::OffsetDateTime| {
                (r.at - l).whole_days().max(0) as u32
            });
            last = Some(r.at);
            history.push(FSRSReview {
                rating: r.grade.map_or(3, |g| g as u32),
                delta_t,
            });
            if history.len() > 1 {
                items.push(FSRSItem {
                    reviews: history.clone(),
                });
                ids.push((crate::fingerprint::fnv1a(card.as_bytes()) >> 1) as i64);
            }
        }
    }
    (items, ids)
}

/// Fits the parameters to every device's reviews and saves them (the desired retention is
/// kept). `progress(done, total)` is called as training goes; returning `false` stops it.
/// Refused, with the count, below [`MINIMUM_REVIEWS`].
pub fn optimise(
    study: &Study,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Optimised> {
    let reviews = study.reviews();
    if reviews.len() < MINIMUM_REVIEWS {
        return Err(Error::BadInput {
            message: format!(
                "optimising needs at least {MINIMUM_REVIEWS} reviews to learn from; this vault has {}. Until then the default parameters are the better choice.",
                reviews.len()
            ),
        });
    }
    let (train_set, card_ids) = train_set(&reviews);
    let items = train_set.len();
    let state = CombinedProgressState::new_shared();
    let input = ComputeParametersInput {
        train_set,
        card_ids: Some(card_ids),
        progress: Some(Arc::clone(&state)),
        ..ComputeParametersInput::default()
    };
    let worker = std::thread::spawn(move || fsrs::compute_parameters(input));
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
        let (done, total) = read(&state);
        if !progress(done, total) {
            if let Ok(mut s) = state.lock() {
                s.want_abort = true;
            }
        }
    }
    let fitted = worker
        .join()
        .map_err(|_| Error::BadInput {
            message: "the optimiser stopped unexpectedly; the parameters are unchanged".into(),
        })?
        .map_err(|e| Error::BadInput {
            message: format!(
                "the optimiser could not fit these reviews ({e}); the parameters are unchanged"
            ),
        })?;
    Scheduler::new(&fitted, study.settings().retention)?;
    let mut settings = study.settings();
    settings.parameters = fitted.clone();
    study.set_settings(&settings)?;
    Ok(Optimised {
        parameters: fitted,
        reviews: reviews.len(),
        items,
    })
}

fn read(state: &Mutex<CombinedProgressState>) -> (usize, usize) {
    state.lock().map_or((0, 0), |s| (s.current(), s.total()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::Store;
    use crate::study::{Card, Grade, Kind};
    use time::macros::datetime;

    #[test]
    fn training_items_hold_each_cards_history_and_optimising_needs_enough_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let study = Study::of(&Store::at(dir.path().join(".margin/annotations")), "laptop");
        let card = |i: usize| Card {
            id: format!("card-{i:03}"),
            annotation: Some(format!("a{i}")),
            heading: None,
            kind: Kind::Cloze,
            created: crate::annotations::now(),
            deleted: None,
        };
        let t0 = datetime!(2026-01-01 9:00 UTC);
        // A simple learner: recalls unless the gap is long for the card; 60 cards × 7 reviews.
        let mut seed: u64 = 7;
        for i in 0..60 {
            let c = study.add_card("a.md", card(i)).unwrap();
            let mut at = t0;
            let mut gap = 1;
            for _ in 0..7 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let forgot = (seed >> 33) % 100 < (5 + gap.min(60) as u64);
                let grade = if forgot { Grade::Again } else { Grade::Good };
                study.grade("a.md", &c.id, grade, at, false, 0).unwrap();
                gap = if forgot { 1 } else { gap * 3 };
                at += time::Duration::days(gap);
            }
        }
        let (items, ids) = train_set(&study.reviews());
        assert_eq!(items.len(), 60 * 6);
        assert_eq!(ids.len(), items.len());
        assert_eq!(items[0].reviews.len(), 2);
        assert!(items[0].reviews[1].delta_t >= 1);
        // 420 reviews: enough.
        let mut calls = 0;
        let fitted = optimise(&study, &mut |_, _| {
            calls += 1;
            true
        })
        .unwrap();
        assert_eq!(fitted.reviews, 420);
        assert_eq!(fitted.parameters.len(), 21);
        assert_ne!(fitted.parameters, fsrs::DEFAULT_PARAMETERS.to_vec());
        assert_eq!(study.settings().parameters, fitted.parameters);
        assert!(study.scheduler().is_ok());

        // Fewer than 400: refused with the count.
        let small = Study::of(&Store::at(dir.path().join("other/annotations")), "laptop");
        let c = small.add_card("a.md", card(0)).unwrap();
        small
            .grade("a.md", &c.id, Grade::Good, t0, false, 0)
            .unwrap();
        let err = optimise(&small, &mut |_, _| true).unwrap_err().to_string();
        assert!(
            err.contains("at least 400 reviews") && err.contains("has 1"),
            "{err}"
        );
    }
}
