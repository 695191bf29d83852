//! Studying in the real window, through a real mouse drag and real key presses: a passage
//! selected with the mouse becomes a highlight and a cloze card with `r`; the topic's badge in
//! the tree counts it due; Ctrl+Shift+R shows the card with its words hidden, Space shows them,
//! 3 grades it Good (a line in this computer's review log), `u` undoes that, 1 grades it Again;
//! the badge goes; `m` marks the note read (a ✓ in the tree and a line in the reading log).

use anyhow::{ensure, Result};
use margin_e2e::{
    drag_select, element, eventually, open_in_tree, press, screenshot, text_of, vault_copy,
    with_app,
};

const TCP: &str = "networking/tcp-handshake-and-teardown.md";

/// Every line of every review log of the vault (one file per computer).
fn review_lines(root: &std::path::Path) -> Vec<serde_json::Value> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(root.join(".margin/reviews"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        lines.extend(text.lines().filter_map(|l| serde_json::from_str(l).ok()));
    }
    lines
}

#[tokio::test]
async fn a_highlight_becomes_a_card_reviewed_with_the_keys() -> Result<()> {
    let vault = vault_copy();
    let root = vault.path().to_path_buf();
    let arg = root.to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        element(&c, ".status-index[data-state='ready']").await?;
        open_in_tree(&c, TCP).await?;
        ensure!(
            c.find_all(fantoccini::Locator::Css(".tree-due"))
                .await?
                .is_empty(),
            "a due badge before any card"
        );

        // Select "FIN segment" with the mouse; r in the popover: a highlight and a cloze card.
        drag_select(&c, "FIN segment").await?;
        element(&c, ".popover:not([hidden])").await?;
        press(&["r"])?;
        element(&c, ".anno-card[data-card='cloze']").await?;
        let quote = text_of(&c, ".anno-card[data-card='cloze'] blockquote").await?;
        ensure!(quote.as_deref() == Some("FIN segment"), "quote: {quote:?}");
        let cards = root.join(".margin/cards/networking/tcp-handshake-and-teardown.md.json");
        ensure!(cards.is_file(), "no cards file at {}", cards.display());
        let badge = eventually("the networking badge", || async {
            text_of(&c, ".tree-folder[data-folder='networking'] .tree-due").await
        })
        .await?;
        ensure!(badge == "1", "badge: {badge}");

        // Ctrl+Shift+R: the card, its words hidden.
        press(&["ctrl+shift+r"])?;
        element(&c, ".review-box[data-answered='false'] .review-front").await?;
        let front = text_of(&c, ".review-front").await?.unwrap_or_default();
        ensure!(
            front == "client sends a […] to server (with sequence number)",
            "front: {front}"
        );
        press(&["space"])?;
        let answer = eventually("the answer", || async {
            text_of(&c, ".review-box[data-answered='true'] .review-answer").await
        })
        .await?;
        ensure!(answer == "FIN segment", "answer: {answer}");
        screenshot(&c, "review.png").await?;

        // 3: Good, written to this computer's log; the session ends with its summary.
        press(&["3"])?;
        element(&c, ".review-box[data-summary='true']").await?;
        let summary = text_of(&c, ".review-summary-main")
            .await?
            .unwrap_or_default();
        ensure!(
            summary.starts_with("1 card in") && summary.contains("100 % remembered"),
            "summary: {summary}"
        );
        let lines = review_lines(&root);
        ensure!(
            lines.len() == 1 && lines[0]["grade"] == "good",
            "log: {lines:?}"
        );

        // u: the grade undone (an undo line), the card shown again; 1: Again.
        press(&["u"])?;
        element(&c, ".review-box[data-answered='false'] .review-front").await?;
        let lines = review_lines(&root);
        ensure!(
            lines.len() == 2 && lines[1]["undoes"] == lines[0]["id"],
            "log after undo: {lines:?}"
        );
        press(&["space", "1"])?;
        element(&c, ".review-box[data-summary='true']").await?;
        let summary = text_of(&c, ".review-summary-main")
            .await?
            .unwrap_or_default();
        ensure!(summary.contains("1 again"), "summary: {summary}");
        ensure!(
            review_lines(&root).last().map(|l| l["grade"].clone()) == Some("again".into()),
            "the Again grade is not in the log"
        );

        // Closed: the card comes back in 10 minutes, so nothing is due now and the badge goes.
        press(&["Escape"])?;
        eventually("the badge gone", || async {
            let gone = c
                .find_all(fantoccini::Locator::Css(".tree-due"))
                .await?
                .is_empty();
            Ok(gone.then_some(()))
        })
        .await?;

        // Ctrl+Shift+Y: the Study view counts that one review (the undone one is not), today's
        // square of the heatmap is filled, the networking topic lists the card.
        press(&["ctrl+shift+y"])?;
        let totals = eventually("the Study view", || async {
            text_of(&c, ".study-view:not([hidden]) .study-totals").await
        })
        .await?;
        ensure!(
            totals.contains("1 card ·") && totals.contains("1 review ·"),
            "totals: {totals}"
        );
        let today = c
            .execute(
                "const days = document.querySelectorAll('.heatmap .day'); \
                 const last = days[days.length - 1]; return [last.getAttribute('class'), last.textContent];",
                vec![],
            )
            .await?;
        ensure!(
            today[0] != "day level-0" && today[1].as_str().is_some_and(|t| t.ends_with(": 1 review")),
            "today's square: {today}"
        );
        let topic = text_of(&c, ".study-topics tbody th").await?;
        ensure!(topic.as_deref() == Some("networking"), "topic: {topic:?}");
        screenshot(&c, "study-view.png").await?;
        press(&["Escape"])?;
        element(&c, ".study-view[hidden]").await?;

        // m: the note counts as read.
        c.execute(
            "document.querySelector('[data-role=\"reader-pane\"]').focus()",
            vec![],
        )
        .await?;
        press(&["m"])?;
        element(&c, &format!(".tree-note[data-note-id='{TCP}'] .tree-read")).await?;
        let reading = std::fs::read_dir(root.join(".margin/reading"))?
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<String>();
        ensure!(
            reading.contains(TCP) && reading.contains("\"read\":true"),
            "reading log: {reading}"
        );
        Ok(())
    })
    .await
}
