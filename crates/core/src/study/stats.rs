//! The numbers of the Study view: cards due per day for the next 30 days, reviews per day for
//! the last 90, and per topic (top-level folder) the cards, reviews, retention and time spent.
//! Days are the user's local days (the window passes its UTC offset), so "today" is theirs.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use super::{CardRow, Review, State};

/// Days ahead shown in the due forecast.
pub const FORECAST_DAYS: usize = 30;
/// Days back shown in the review heatmap.
pub const HISTORY_DAYS: usize = 90;

/// One topic's numbers (`topic: ""` is the whole vault; notes at the top of the vault are
/// the topic `"/"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Topic {
    /// The top-level folder.
    pub topic: String,
    /// Cards (suspended ones included).
    pub cards: usize,
    /// Cards due today (new ones included, suspended ones not).
    pub due: usize,
    /// Reviews ever given.
    pub reviews: usize,
    /// The share of reviews answered other than Again, counting only reviews a day or more
    /// after the card's previous one (as Anki's "true retention"); `None` without such reviews.
    pub retention: Option<f64>,
    /// Time spent answering, in milliseconds.
    pub time_ms: u64,
}

/// The Study view's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Cards due on each of the next [`FORECAST_DAYS`] days; `[0]` is today with the overdue
    /// and new cards.
    pub due_per_day: Vec<usize>,
    /// Of today's, how many are new.
    pub new_today: usize,
    /// Reviews on each of the last [`HISTORY_DAYS`] days, oldest first, today last.
    pub reviews_per_day: Vec<usize>,
    /// The date of `reviews_per_day[0]` (YYYY-MM-DD).
    pub first_day: String,
    /// The whole vault.
    pub total: Topic,
    /// Each topic, by name.
    pub topics: Vec<Topic>,
}

fn topic_of(note: &str) -> String {
    match note.split_once('/') {
        Some((top, _)) => top.to_string(),
        None => "/".to_string(),
    }
}

/// The Study view's numbers of `study` at `now`, in the local time `offset` (minutes east of
/// UTC): every card with its schedule and every review.
pub fn of_study(
    study: &super::Study,
    store: &crate::annotations::Store,
    now: OffsetDateTime,
    offset: i32,
) -> crate::error::Result<Stats> {
    let cards = super::list(study, store, "")?;
    Ok(compute(&cards, &study.reviews(), now, offset))
}

/// The Study view's numbers at `now`, in the local time `offset` (minutes east of UTC), from
/// `cards` (as [`super::list`] gives them) and every review (as [`super::Study::reviews`]).
pub fn compute(cards: &[CardRow], reviews: &[Review], now: OffsetDateTime, offset: i32) -> Stats {
    let offset = UtcOffset::from_whole_seconds(offset.clamp(-18 * 60, 18 * 60) * 60)
        .unwrap_or(UtcOffset::UTC);
    let today = now.to_offset(offset).date();
    let day_of = |at: OffsetDateTime| (at.to_offset(offset).date() - today).whole_days();

    let mut due_per_day = vec![0; FORECAST_DAYS];
    let mut new_today = 0;
    let mut topics: BTreeMap<String, Topic> = BTreeMap::new();
    let mut total = Topic::default();
    for card in cards {
        let topic = topics.entry(topic_of(&card.note)).or_insert_with(|| Topic {
            topic: topic_of(&card.note),
            ..Topic::default()
        });
        topic.cards += 1;
        total.cards += 1;
        if card.state == State::Suspended {
            continue;
        }
        let day = card.due.map_or(0, |d| day_of(d).max(0));
        if let Some(slot) = usize::try_from(day)
            .ok()
            .and_then(|d| due_per_day.get_mut(d))
        {
            *slot += 1;
        }
        if day == 0 {
            topic.due += 1;
            total.due += 1;
            new_today += usize::from(card.due.is_none());
        }
    }

    let mut reviews_per_day = vec![0; HISTORY_DAYS];
    let mut sorted: Vec<&Review> = reviews.iter().collect();
    sorted.sort_by_key(|r| r.at);
    let mut last_of_card: HashMap<&str, OffsetDateTime> = HashMap::new();
    // Per topic (and the total): reviews counted for retention, and of them remembered.
    let mut counted: HashMap<String, (usize, usize)> = HashMap::new();
    for r in sorted {
        let back = -day_of(r.at);
        if (0..HISTORY_DAYS as i64).contains(&back) {
            reviews_per_day[HISTORY_DAYS - 1 - back as usize] += 1;
        }
        let name = topic_of(&r.note);
        let topic = topics.entry(name.clone()).or_insert_with(|| Topic {
            topic: name.clone(),
            ..Topic::default()
        });
        topic.reviews += 1;
        topic.time_ms += r.took_ms;
        total.reviews += 1;
        total.time_ms += r.took_ms;
        let spaced = last_of_card
            .get(r.card.as_str())
            .is_some_and(|last| (r.at - *last).whole_days() >= 1);
        last_of_card.insert(&r.card, r.at);
        if spaced {
            let remembered = usize::from(r.grade != Some(super::Grade::Again));
            for key in [name, String::new()] {
                let c = counted.entry(key).or_default();
                c.0 += 1;
                c.1 += remembered;
            }
        }
    }
    let retention = |key: &str| {
        counted
            .get(key)
            .filter(|(n, _)| *n > 0)
            .map(|(n, kept)| *kept as f64 / *n as f64)
    };
    total.retention = retention("");
    let topics = topics
        .into_values()
        .map(|mut t| {
            t.retention = retention(&t.topic);
            t
        })
        .collect();
    let first = today - time::Duration::days(HISTORY_DAYS as i64 - 1);
    Stats {
        due_per_day,
        new_today,
        reviews_per_day,
        first_day: format!(
            "{:04}-{:02}-{:02}",
            first.year(),
            u8::from(first.month()),
            first.day()
        ),
        total,
        topics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Grade, Kind};
    use time::macros::datetime;

    fn card(note: &str, due: Option<OffsetDateTime>, state: State) -> CardRow {
        CardRow {
            id: format!("c-{note}-{due:?}"),
            note: note.into(),
            annotation: None,
            heading: None,
            kind: Kind::Cloze,
            state,
            due,
            stability: 1.0,
            difficulty: 5.0,
            reps: 1,
            lapses: 0,
            last_review: None,
        }
    }

    fn review(card: &str, note: &str, at: OffsetDateTime, grade: Grade, took_ms: u64) -> Review {
        Review {
            id: format!("r-{card}-{at}"),
            card: card.into(),
            note: note.into(),
            at,
            grade: Some(grade),
            interval_days: 1.0,
            took_ms,
            undoes: None,
        }
    }

    #[test]
    fn days_are_the_users_local_days_and_topics_add_up() {
        // 23:30 UTC on Jan 10 is already Jan 11 in UTC+2.
        let now = datetime!(2026-01-10 23:30 UTC);
        let cards = vec![
            card("net/tcp.md", None, State::New),
            card(
                "net/tcp.md",
                Some(datetime!(2026-01-05 9:00 UTC)),
                State::Review,
            ),
            card(
                "net/dns.md",
                Some(datetime!(2026-01-11 20:00 UTC)),
                State::Review,
            ),
            card(
                "db/sql.md",
                Some(datetime!(2026-01-13 9:00 UTC)),
                State::Review,
            ),
            card(
                "db/sql.md",
                Some(datetime!(2026-03-01 9:00 UTC)),
                State::Review,
            ),
            card("db/sql.md", None, State::Suspended),
        ];
        let utc = compute(&cards, &[], now, 0);
        assert_eq!(utc.due_per_day[..4], [2, 1, 0, 1]);
        assert_eq!(
            utc.due_per_day.iter().sum::<usize>(),
            4,
            "March is beyond 30 days"
        );
        assert_eq!(utc.new_today, 1);
        let east = compute(&cards, &[], now, 120);
        assert_eq!(east.due_per_day[..3], [3, 0, 1], "Jan 11 is today in UTC+2");
        assert_eq!(utc.total.cards, 6);
        assert_eq!(utc.total.due, 2);
        let names: Vec<&str> = utc.topics.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(names, ["db", "net"]);
        assert_eq!((utc.topics[0].cards, utc.topics[0].due), (3, 0));
    }

    #[test]
    fn reviews_fill_the_heatmap_and_retention_counts_spaced_reviews_only() {
        let now = datetime!(2026-04-01 12:00 UTC);
        let t = |days_ago: i64, hours: i64| {
            now - time::Duration::days(days_ago) + time::Duration::hours(hours)
        };
        let reviews = vec![
            // First reviews and a same-day one: not counted for retention.
            review("a", "net/tcp.md", t(10, 0), Grade::Good, 4000),
            review("a", "net/tcp.md", t(10, 1), Grade::Again, 6000),
            // Spaced: remembered, forgotten, remembered.
            review("a", "net/tcp.md", t(5, 0), Grade::Good, 3000),
            review("a", "net/tcp.md", t(1, 0), Grade::Again, 2000),
            review("b", "db/sql.md", t(100, 0), Grade::Easy, 1000),
            review("b", "db/sql.md", t(0, 0), Grade::Hard, 1000),
        ];
        let s = compute(&[], &reviews, now, 0);
        assert_eq!(s.reviews_per_day.len(), HISTORY_DAYS);
        assert_eq!(s.reviews_per_day[HISTORY_DAYS - 1], 1, "today");
        assert_eq!(s.reviews_per_day[HISTORY_DAYS - 11], 2, "ten days ago");
        assert_eq!(
            s.reviews_per_day.iter().sum::<usize>(),
            5,
            "100 days ago is off the map"
        );
        assert_eq!(s.first_day, "2026-01-02");
        assert_eq!(s.total.reviews, 6);
        assert_eq!(s.total.time_ms, 17_000);
        let net = s.topics.iter().find(|t| t.topic == "net").unwrap();
        assert_eq!(net.retention, Some(0.5));
        let db = s.topics.iter().find(|t| t.topic == "db").unwrap();
        assert_eq!(db.retention, Some(1.0));
        assert_eq!(s.total.retention, Some(2.0 / 3.0));
        assert_eq!(compute(&[], &[], now, 0).total.retention, None);
    }
}
