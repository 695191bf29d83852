//! Scheduling with FSRS-6 (the `fsrs` crate, the scheduler Anki uses): a card's memory state
//! (stability, difficulty) is recomputed from its review log every time, so merged logs of two
//! computers give the schedule both would have given. Each review stores the interval it was
//! given, so a due date never changes when the log is read again.

use fsrs::{MemoryState, FSRS};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result};

/// The answer to a card, as in Anki.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Forgotten.
    Again = 1,
    /// Remembered with difficulty.
    Hard = 2,
    /// Remembered.
    Good = 3,
    /// Remembered effortlessly.
    Easy = 4,
}

impl Grade {
    /// From `again|hard|good|easy` or `1`–`4`.
    pub fn parse(text: &str) -> Result<Grade> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1" | "again" => Ok(Grade::Again),
            "2" | "hard" => Ok(Grade::Hard),
            "3" | "good" => Ok(Grade::Good),
            "4" | "easy" => Ok(Grade::Easy),
            other => Err(Error::BadInput {
                message: format!("{other:?} is not a grade; use again, hard, good or easy (1–4)"),
            }),
        }
    }
}

/// Where a card stands in its learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Never reviewed.
    New,
    /// Reviewed; last answer not Again.
    Review,
    /// Last answer was Again: shown again soon.
    Relearning,
    /// Its highlight is gone (orphaned or deleted): not shown for review, never deleted.
    Suspended,
}

/// One review as the scheduler needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reviewed {
    /// When.
    pub at: OffsetDateTime,
    /// The answer.
    pub grade: Grade,
    /// The interval it was given, in days.
    pub interval_days: f64,
}

/// A card's schedule, recomputed from its reviews.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// New, review or relearning (suspension is decided by the card's highlight).
    pub state: State,
    /// When it is due (RFC 3339); new cards are due at once.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// FSRS stability: days until recall falls to 90 %.
    pub stability: f32,
    /// FSRS difficulty, 1–10.
    pub difficulty: f32,
    /// Reviews.
    pub reps: u32,
    /// Times forgotten after having been learnt.
    pub lapses: u32,
    /// The last review (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_review: Option<OffsetDateTime>,
}

/// How long a card answered Again waits before it is shown again.
const RELEARN_MINUTES: f64 = 10.0;
/// The longest interval given, as in Anki.
const MAXIMUM_INTERVAL_DAYS: f64 = 36_500.0;

/// The scheduler: FSRS-6 with the user's parameters (default ones until optimised) and the
/// desired retention.
pub struct Scheduler {
    fsrs: FSRS,
    retention: f32,
}

/// Whole days between two reviews, as FSRS counts them (py-fsrs: `timedelta.days`).
fn days_between(from: OffsetDateTime, to: OffsetDateTime) -> u32 {
    (to - from).whole_days().max(0) as u32
}

impl Scheduler {
    /// FSRS-6 with `parameters` (the 21 of FSRS-6; empty for the defaults) and `retention`
    /// (0.7–0.99).
    pub fn new(parameters: &[f32], retention: f32) -> Result<Scheduler> {
        let params = if parameters.is_empty() {
            fsrs::DEFAULT_PARAMETERS.to_vec()
        } else {
            parameters.to_vec()
        };
        let fsrs = FSRS::new(&params).map_err(|e| Error::BadInput {
            message: format!("the FSRS parameters cannot be used: {e}"),
        })?;
        if !(0.7..=0.99).contains(&retention) {
            return Err(Error::BadInput {
                message: format!("desired retention {retention} is outside 0.7–0.99"),
            });
        }
        Ok(Scheduler { fsrs, retention })
    }

    /// The memory state after `reviews` (in time order), and the FSRS step for each.
    fn replay(&self, reviews: &[Reviewed]) -> (Option<MemoryState>, u32, u32) {
        let mut state: Option<MemoryState> = None;
        let (mut reps, mut lapses) = (0, 0);
        let mut last: Option<OffsetDateTime> = None;
        for r in reviews {
            let elapsed = last.map_or(0, |l| days_between(l, r.at));
            let Ok(next) = self.fsrs.next_states(state, self.retention, elapsed) else {
                continue;
            };
            if state.is_some() && r.grade == Grade::Again {
                lapses += 1;
            }
            state = Some(pick(&next, r.grade).memory);
            reps += 1;
            last = Some(r.at);
        }
        (state, reps, lapses)
    }

    /// The schedule of a card reviewed `reviews` (any order; sorted here).
    pub fn schedule(&self, reviews: &[Reviewed]) -> Schedule {
        let mut sorted = reviews.to_vec();
        sorted.sort_by_key(|r| r.at);
        let (state, reps, lapses) = self.replay(&sorted);
        let last = sorted.last();
        Schedule {
            state: match last {
                None => State::New,
                Some(r) if r.grade == Grade::Again => State::Relearning,
                Some(_) => State::Review,
            },
            due: last.map(|r| r.at + time::Duration::seconds_f64(r.interval_days * 86_400.0)),
            stability: state.map_or(0.0, |s| s.stability),
            difficulty: state.map_or(0.0, |s| s.difficulty),
            reps,
            lapses,
            last_review: last.map(|r| r.at),
        }
    }

    /// The interval (days) a card with `reviews` gets for `grade` at `at`. With `fuzz` (live
    /// reviews), intervals of 2.5 days and more are spread a little as FSRS does, so cards
    /// learnt together do not stay due together; `seed` makes the spread reproducible.
    pub fn interval(
        &self,
        reviews: &[Reviewed],
        grade: Grade,
        at: OffsetDateTime,
        fuzz: Option<u64>,
    ) -> Result<f64> {
        let mut sorted = reviews.to_vec();
        sorted.sort_by_key(|r| r.at);
        let (state, _, _) = self.replay(&sorted);
        let elapsed = sorted.last().map_or(0, |l| days_between(l.at, at));
        let next = self
            .fsrs
            .next_states(state, self.retention, elapsed)
            .map_err(|e| Error::BadInput {
                message: format!("this card's reviews cannot be scheduled: {e}"),
            })?;
        if grade == Grade::Again {
            return Ok(RELEARN_MINUTES / (24.0 * 60.0));
        }
        // Whole days, at least one, and Hard ≤ Good < Easy as every scheduler shows them.
        let days = |g: Grade| {
            (pick(&next, g).interval as f64)
                .round()
                .clamp(1.0, MAXIMUM_INTERVAL_DAYS)
        };
        let hard = days(Grade::Hard);
        let good = days(Grade::Good).max(hard);
        let easy = days(Grade::Easy).max(good + 1.0);
        let days = match grade {
            Grade::Hard => hard.min(good),
            Grade::Good => good,
            _ => easy,
        };
        Ok(match fuzz {
            Some(seed) => fuzzed(days, seed),
            None => days,
        })
    }
}

fn pick(next: &fsrs::NextStates, grade: Grade) -> &fsrs::ItemState {
    match grade {
        Grade::Again => &next.again,
        Grade::Hard => &next.hard,
        Grade::Good => &next.good,
        Grade::Easy => &next.easy,
    }
}

/// FSRS's interval fuzz (py-fsrs / Anki): ±15 % of the part between 2.5 and 7 days, ±10 % of
/// 7–20 days, ±5 % beyond; nothing below 2.5 days.
pub fn fuzzed(days: f64, seed: u64) -> f64 {
    if days < 2.5 {
        return days;
    }
    let delta = 1.0
        + [
            (2.5, 7.0, 0.15),
            (7.0, 20.0, 0.1),
            (20.0, f64::INFINITY, 0.05),
        ]
        .iter()
        .map(|(start, end, factor)| factor * (days.min(*end) - start).max(0.0))
        .sum::<f64>();
    let low = (days - delta).round().max(2.0);
    let high = (days + delta).round();
    // splitmix64: a reproducible number in [0, 1) from the seed.
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let unit = ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64;
    (unit * (high - low + 1.0) + low)
        .floor()
        .min(MAXIMUM_INTERVAL_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn review(at: OffsetDateTime, grade: Grade) -> Reviewed {
        Reviewed {
            at,
            grade,
            interval_days: 1.0,
        }
    }

    #[test]
    fn a_new_card_gets_fsrs6s_first_states() {
        // The values fsrs-rs documents for FSRS-6's default parameters.
        let s = Scheduler::new(&[], 0.9).unwrap();
        let at = datetime!(2026-01-01 9:00 UTC);
        for (grade, stability, difficulty) in [
            (Grade::Again, 0.212, 6.4133),
            (Grade::Hard, 1.2931, 5.1121707),
            (Grade::Good, 2.3065, 2.118104),
            (Grade::Easy, 8.2956, 1.0),
        ] {
            let got = s.schedule(&[review(at, grade)]);
            assert!(
                (got.stability - stability).abs() < 1e-3,
                "{grade:?}: {got:?}"
            );
            assert!(
                (got.difficulty - difficulty).abs() < 1e-3,
                "{grade:?}: {got:?}"
            );
            assert_eq!(got.reps, 1);
        }
    }

    #[test]
    fn replay_matches_fsrs_rs_memory_state_days_apart_and_same_day() {
        let s = Scheduler::new(&[], 0.9).unwrap();
        let t0 = datetime!(2026-01-01 9:00 UTC);
        let day = time::Duration::days(1);
        let hour = time::Duration::hours(1);
        let histories: Vec<Vec<(OffsetDateTime, Grade)>> = vec![
            vec![
                (t0, Grade::Good),
                (t0 + 3 * day, Grade::Good),
                (t0 + 10 * day, Grade::Hard),
            ],
            vec![
                (t0, Grade::Again),
                (t0 + hour, Grade::Good),
                (t0 + 2 * day, Grade::Easy),
            ],
            vec![
                (t0, Grade::Good),
                (t0 + 2 * hour, Grade::Again),
                (t0 + 5 * hour, Grade::Good),
                (t0 + 30 * day, Grade::Again),
            ],
        ];
        for history in histories {
            let reviews: Vec<Reviewed> = history.iter().map(|(at, g)| review(*at, *g)).collect();
            let ours = s.schedule(&reviews);
            let mut last = history[0].0;
            let item = fsrs::FSRSItem {
                reviews: history
                    .iter()
                    .map(|(at, g)| {
                        let delta_t = days_between(last, *at);
                        last = *at;
                        fsrs::FSRSReview {
                            rating: *g as u32,
                            delta_t,
                        }
                    })
                    .collect(),
            };
            let reference = fsrs::FSRS::new(&fsrs::DEFAULT_PARAMETERS)
                .unwrap()
                .memory_state(item, None)
                .unwrap();
            assert!(
                (ours.stability - reference.stability).abs() < 1e-4,
                "{ours:?} vs {reference:?}"
            );
            assert!(
                (ours.difficulty - reference.difficulty).abs() < 1e-4,
                "{ours:?} vs {reference:?}"
            );
        }
    }

    /// Stability and difficulty recorded from py-fsrs 6.3.2 (`Scheduler(enable_fuzzing=False,
    /// desired_retention=0.9)`, FSRS-6 default parameters, `review_card` with each review's
    /// time): reviews days apart, same-day reviews (short-term stability), lapses, and a card
    /// reviewed over 200 days. The script is `xtask/fsrs/py_fsrs_reference.py`.
    #[test]
    fn replay_matches_py_fsrs_recorded_values() {
        let s = Scheduler::new(&[], 0.9).unwrap();
        let t0 = datetime!(2026-01-01 9:00 UTC);
        let day = time::Duration::days(1);
        let hour = time::Duration::hours(1);
        let minute = time::Duration::minutes(1);
        use Grade::{Again, Easy, Good, Hard};
        type History = Vec<(OffsetDateTime, Grade)>;
        let cases: Vec<(History, f64, f64)> = vec![
            (
                vec![(t0, Good), (t0 + 3 * day, Good), (t0 + 10 * day, Hard)],
                29.071234551936158,
                4.748284761594571,
            ),
            (
                vec![(t0, Again), (t0 + hour, Good), (t0 + 2 * day, Easy)],
                3.5706897525837857,
                5.18509795619045,
            ),
            (
                vec![
                    (t0, Good),
                    (t0 + 2 * hour, Again),
                    (t0 + 5 * hour, Good),
                    (t0 + 30 * day, Again),
                ],
                0.45281067326041474,
                9.12482021240336,
            ),
            (
                vec![
                    (t0, Easy),
                    (t0 + 15 * day, Good),
                    (t0 + 60 * day, Good),
                    (t0 + 200 * day, Hard),
                    (t0 + 201 * day, Easy),
                ],
                394.49665156003965,
                1.994461961754711,
            ),
            (
                vec![
                    (t0, Hard),
                    (t0 + 10 * minute, Hard),
                    (t0 + day, Again),
                    (t0 + day + hour, Good),
                    (t0 + 8 * day, Good),
                ],
                2.7598682643823054,
                8.886482320295077,
            ),
        ];
        for (history, stability, difficulty) in cases {
            let reviews: Vec<Reviewed> = history.iter().map(|(at, g)| review(*at, *g)).collect();
            let ours = s.schedule(&reviews);
            let close = |a: f32, b: f64| ((a as f64 - b) / b).abs() < 1e-4;
            assert!(
                close(ours.stability, stability) && close(ours.difficulty, difficulty),
                "{history:?}: ours {} / {}, py-fsrs {stability} / {difficulty}",
                ours.stability,
                ours.difficulty
            );
        }
    }

    #[test]
    fn intervals_grow_with_the_grade_and_fuzz_is_bounded_and_reproducible() {
        let s = Scheduler::new(&[], 0.9).unwrap();
        let t0 = datetime!(2026-01-01 9:00 UTC);
        let past = [review(t0, Grade::Good)];
        let at = t0 + time::Duration::days(3);
        let i = |g| s.interval(&past, g, at, None).unwrap();
        assert!(i(Grade::Again) < 0.01);
        assert!(i(Grade::Hard) <= i(Grade::Good) && i(Grade::Good) < i(Grade::Easy));
        for seed in 0..200 {
            let f = fuzzed(30.0, seed);
            // 30 days: ±(1 + 0.15·4.5 + 0.1·13 + 0.05·10) = ±3.475 → 27..=33.
            assert!((27.0..=33.0).contains(&f), "{f}");
            assert_eq!(f, fuzzed(30.0, seed));
        }
        assert_eq!(fuzzed(2.0, 7), 2.0);
    }

    #[test]
    fn grades_parse_and_bad_settings_are_refused() {
        assert_eq!(Grade::parse("Good").unwrap(), Grade::Good);
        assert_eq!(Grade::parse("1").unwrap(), Grade::Again);
        assert!(Grade::parse("meh").is_err());
        assert!(Scheduler::new(&[], 1.5).is_err());
        assert!(Scheduler::new(&[1.0, 2.0], 0.9).is_err());
    }
}
