//! Leaving with your cards: an Anki-importable text file of the cards, and the review history
//! as CSV in the columns of Anki's `revlog` table, so a user can take both to Anki (or a
//! spreadsheet) and lose neither.
//!
//! Written by hand: these are two small line formats with no crate that writes them.

use std::collections::HashMap;

use super::{cards::Face, CardRow, Grade, Kind, Review};

/// The kind of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Cards as Anki's "Notes in plain text" (tab-separated, with Anki's header lines).
    Cards,
    /// Reviews as CSV in Anki's revlog columns.
    Reviews,
}

impl Format {
    /// From `cards` or `reviews`.
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "cards" | "anki" | "tsv" => Some(Format::Cards),
            "reviews" | "revlog" | "csv" => Some(Format::Reviews),
            _ => None,
        }
    }

    /// The usual file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Cards => "margin-cards.txt",
            Format::Reviews => "margin-revlog.csv",
        }
    }
}

/// The export of `study` in `format`, from the notes as they are now.
pub fn export(
    vault: &crate::Vault,
    store: &crate::annotations::Store,
    study: &super::Study,
    format: Format,
) -> crate::error::Result<String> {
    Ok(match format {
        Format::Cards => cards_tsv(&super::faces(vault, store, study)?),
        Format::Reviews => revlog_csv(&study.reviews()),
    })
}

/// Text as one HTML field of a tab-separated line: escaped, tabs as spaces, line breaks as
/// `<br>`.
fn field(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\t', " ")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// Anki tags of a note: `margin` and its folder path (`net/dns/ttl.md` → `net::dns`).
fn tags(note: &str) -> String {
    let folder = note.rsplit_once('/').map_or("", |(dir, _)| dir);
    let folder: String = folder
        .split('/')
        .map(|part| part.replace(char::is_whitespace, "_"))
        .collect::<Vec<_>>()
        .join("::");
    if folder.is_empty() {
        "margin".into()
    } else {
        format!("margin {folder}")
    }
}

/// The cards as Anki's plain-text import: a Cloze note per cloze card (`{{c1::…}}` around the
/// hidden words), a Basic note per question or heading card; tags from the folders. Suspended
/// cards (their highlight is gone) are left out: their text is not in the note any more.
pub fn cards_tsv(cards: &[(CardRow, Face)]) -> String {
    let mut out = String::from("#separator:tab\n#html:true\n#notetype column:1\n#tags column:4\n");
    for (row, face) in cards {
        if face.suspended {
            continue;
        }
        let source = field(&format!(
            "{}{}",
            row.note,
            if face.heading.is_empty() {
                String::new()
            } else {
                format!(" › {}", face.heading)
            }
        ));
        let line = match row.kind {
            Kind::Cloze if face.cloze.len() == 3 => format!(
                "Cloze\t{}{{{{c1::{}}}}}{}\t{source}",
                field(&face.cloze[0]),
                field(&face.cloze[1]),
                field(&face.cloze[2])
            ),
            _ => format!(
                "Basic\t{}\t{}<br><br><small>{source}</small>",
                field(&face.front),
                field(&face.back)
            ),
        };
        out.push_str(&line);
        out.push('\t');
        out.push_str(&tags(&row.note));
        out.push('\n');
    }
    out
}

/// A stable integer id for a card (Anki's `cid` is an integer; Margin's ids are UUIDs): 53 bits
/// of its hash, so it survives a spreadsheet's floating-point numbers.
fn card_number(id: &str) -> u64 {
    crate::fingerprint::fnv1a(id.as_bytes()) & ((1 << 53) - 1)
}

/// Anki's `ivl`: whole days, or negative seconds for intervals under a day.
fn anki_interval(days: f64) -> i64 {
    if days >= 1.0 {
        days.round() as i64
    } else {
        -((days * 86_400.0).round() as i64)
    }
}

/// Every review as CSV in Anki's revlog columns (`id` = the time in milliseconds, `cid`,
/// `usn`, `ease` 1–4, `ivl`, `lastIvl`, `factor` (0: FSRS has no ease factor), `time` in ms,
/// `type` 0 learn / 1 review / 2 relearn), then Margin's own card id and note.
pub fn revlog_csv(reviews: &[Review]) -> String {
    let mut out =
        String::from("id,cid,usn,ease,ivl,lastIvl,factor,time,type,margin_card,margin_note\n");
    let mut sorted: Vec<&Review> = reviews.iter().filter(|r| r.grade.is_some()).collect();
    sorted.sort_by_key(|r| r.at);
    let mut last: HashMap<&str, (i64, Grade)> = HashMap::new();
    for r in sorted {
        let Some(grade) = r.grade else { continue };
        let ivl = anki_interval(r.interval_days);
        let (last_ivl, kind) = match last.get(r.card.as_str()) {
            None => (0, 0),
            Some((ivl, Grade::Again)) => (*ivl, 2),
            Some((ivl, _)) => (*ivl, 1),
        };
        let quoted_note = format!("\"{}\"", r.note.replace('"', "\"\""));
        out.push_str(&format!(
            "{},{},-1,{},{ivl},{last_ivl},0,{},{kind},{},{quoted_note}\n",
            r.at.unix_timestamp_nanos() / 1_000_000,
            card_number(&r.card),
            grade as u8,
            r.took_ms.min(60_000),
            r.card,
        ));
        last.insert(&r.card, (ivl, grade));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::State;
    use time::macros::datetime;

    fn row(note: &str, kind: Kind) -> CardRow {
        CardRow {
            id: "c1".into(),
            note: note.into(),
            annotation: Some("a".into()),
            heading: None,
            kind,
            state: State::New,
            due: None,
            stability: 0.0,
            difficulty: 0.0,
            reps: 0,
            lapses: 0,
            last_review: None,
        }
    }

    fn face(front: &str, back: &str, cloze: &[&str], suspended: bool) -> Face {
        Face {
            front: front.into(),
            back: back.into(),
            cloze: cloze.iter().map(|s| s.to_string()).collect(),
            heading: "Handshake".into(),
            annotation: Some("a".into()),
            suspended,
        }
    }

    #[test]
    fn cards_import_as_cloze_and_basic_notes_with_folder_tags() {
        let tsv = cards_tsv(&[
            (
                row("net/tcp basics/a.md", Kind::Cloze),
                face("", "", &["Server sends ", "SYN<ACK>", "\tnext"], false),
            ),
            (
                row("top.md", Kind::Qa),
                face("What?\nReally?", "This & that", &[], false),
            ),
            (row("gone.md", Kind::Cloze), face("", "", &[], true)),
        ]);
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "#separator:tab",
                "#html:true",
                "#notetype column:1",
                "#tags column:4"
            ]
        );
        assert_eq!(
            lines[4],
            "Cloze\tServer sends {{c1::SYN&lt;ACK&gt;}} next\tnet/tcp basics/a.md › Handshake\tmargin net::tcp_basics"
        );
        assert_eq!(
            lines[5],
            "Basic\tWhat?<br>Really?\tThis &amp; that<br><br><small>top.md › Handshake</small>\tmargin"
        );
        assert_eq!(lines.len(), 6, "the suspended card is left out");
        for line in &lines[4..] {
            assert_eq!(line.split('\t').count(), 4, "{line}");
        }
    }

    #[test]
    fn reviews_follow_anki_revlog_columns() {
        let review = |id: &str, at, grade, days: f64| Review {
            id: id.into(),
            card: "card-1".into(),
            note: "net/\"q\".md".into(),
            at,
            grade: Some(grade),
            interval_days: days,
            took_ms: 4200,
            undoes: None,
        };
        let csv = revlog_csv(&[
            review("r2", datetime!(2026-01-01 9:10 UTC), Grade::Good, 3.0),
            review(
                "r1",
                datetime!(2026-01-01 9:00 UTC),
                Grade::Again,
                10.0 / 1440.0,
            ),
            review("r3", datetime!(2026-01-04 9:00 UTC), Grade::Easy, 12.4),
        ]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "id,cid,usn,ease,ivl,lastIvl,factor,time,type,margin_card,margin_note"
        );
        let cid = card_number("card-1");
        assert_eq!(
            lines[1],
            format!("1767258000000,{cid},-1,1,-600,0,0,4200,0,card-1,\"net/\"\"q\"\".md\"")
        );
        assert_eq!(
            lines[2],
            format!("1767258600000,{cid},-1,3,3,-600,0,4200,2,card-1,\"net/\"\"q\"\".md\"")
        );
        assert!(lines[3].contains(",-1,4,12,3,0,4200,1,"), "{}", lines[3]);
    }
}
