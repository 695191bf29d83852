//! Accessibility in the real window: axe-core (vendored in `crates/e2e/vendor/`, never shipped
//! in the app) checks each screen — the reader on a note with code, math and call-outs, search
//! open with results, the annotations view, the study view, review, the editor — in the light
//! and the dark theme. Any serious or critical violation fails, named with where it is.
//! Screens are reached with real key presses, as a keyboard user would.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use fantoccini::Client;
use margin_e2e::{
    app_window, drag_select, element, open_in_tree, press, screen_center, vault_copy, with_app,
    xdotool,
};
use serde_json::Value;

const AXE: &str = include_str!("../vendor/axe.min.js");

/// Serious and critical violations of axe's WCAG 2.x A/AA rules on the page as it is now.
async fn violations(c: &Client) -> Result<Vec<String>> {
    let loaded = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await?;
    if loaded != Value::Bool(true) {
        c.execute(&format!("{AXE}\n;window.axe = axe; return true;"), vec![])
            .await
            .context("injecting axe-core")?;
    }
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) + ']' : '')).join(' | '))))
               .catch(e => done(['axe could not run: ' + e]));",
            vec![],
        )
        .await?;
    Ok(found
        .as_array()
        .context("axe's answer")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect())
}

async fn check_both_themes(c: &Client, screen: &str, found: &mut Vec<String>) -> Result<()> {
    margin_e2e::screenshot(c, &format!("a11y-{}.png", screen.replace([' ', '%'], "-"))).await?;
    for theme in ["light", "dark"] {
        c.execute(
            "document.documentElement.dataset.theme = arguments[0];",
            vec![Value::String(theme.into())],
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        for v in violations(c).await? {
            found.push(format!("{screen}, {theme}: {v}"));
        }
    }
    Ok(())
}

/// Clicks the tree's filter box and presses Tab (into the tree).
async fn click_filter_then_tab(c: &Client) -> Result<()> {
    let (x, y) = screen_center(c, "[data-role='tree-filter']").await?;
    xdotool(&["windowfocus", "--sync", &app_window()?])?;
    xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
    xdotool(&["click", "1"])?;
    press(&["Tab"])
}

#[tokio::test]
async fn every_screen_has_no_serious_accessibility_violation() -> Result<()> {
    let vault = vault_copy();
    std::fs::write(
        vault.path().join("method/sorting.md"),
        include_str!("reading_note.md"),
    )?;
    let arg = vault.path().to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        let mut found = Vec::new();
        open_in_tree(&c, "method/sorting.md").await?;
        // A highlight made with the mouse and `r` (it also makes a card for review below): its
        // colour is not its only cue, and text on it must meet contrast too.
        drag_select(&c, "merge sort").await?;
        element(&c, ".popover:not([hidden])").await?;
        press(&["r"])?;
        let mark = element(&c, ".note-body mark.anno").await?;
        let said = mark.attr("aria-description").await?.unwrap_or_default();
        if !said.starts_with("highlight, yellow") {
            found.push(format!("a highlight says {said:?} to a screen reader"));
        }
        check_both_themes(&c, "reader", &mut found).await?;

        // The tree is one Tab stop, on the open note's row (the roving tab index).
        click_filter_then_tab(&c).await?;
        let focused = "const a = document.activeElement;
             return [a.getAttribute('role'), a.dataset.noteId || a.dataset.folder || '', a.tabIndex,
                     !!a.closest('.palette'), a.className];";
        let at = c.execute(focused, vec![]).await?;
        if at[0] != "treeitem" || at[1] != "method/sorting.md" || at[2] != 0 {
            found.push(format!("Tab from the filter lands on {at}, not the open note's row"));
        }

        // Focus is always visible: Tab through the window; each stop draws an outline or a
        // ring (box-shadow) of its own.
        let mut stops = Vec::new();
        for _ in 0..14 {
            press(&["Tab"])?;
            let seen = c
                .execute(
                    "const a = document.activeElement, s = getComputedStyle(a);
                     const drawn = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
                     return [a.tagName.toLowerCase() + (a.className ? '.' + String(a.className).split(' ')[0] : '') + (a.getAttribute('aria-label') ? '[' + a.getAttribute('aria-label') + ']' : ''), drawn];",
                    vec![],
                )
                .await?;
            if seen[1] != true {
                found.push(format!("focus not visible on {}", seen[0]));
            }
            stops.push(seen[0].to_string());
        }
        eprintln!("tab stops: {}", stops.join(" → "));

        // Search: a dialog that keeps Tab inside and gives focus back when closed.
        click_filter_then_tab(&c).await?;
        press(&["ctrl+k"])?;
        element(&c, ".palette:not([hidden]) input").await?;
        press(&["c", "a", "c", "h", "e"])?;
        element(&c, ".palette-hit").await?;
        check_both_themes(&c, "search", &mut found).await?;
        for _ in 0..4 {
            press(&["Tab"])?;
            let inside = c.execute(focused, vec![]).await?;
            if inside[3] != true {
                found.push(format!("Tab left the search dialog for {inside}"));
                break;
            }
        }
        press(&["Escape"])?;
        let back = c.execute(focused, vec![]).await?;
        if back[1] != "method/sorting.md" {
            found.push(format!("closing search left focus on {back}, not where it was"));
        }

        press(&["ctrl+shift+a"])?;
        element(&c, "[data-role='library']:not([hidden])").await?;
        check_both_themes(&c, "annotations view", &mut found).await?;
        press(&["Escape"])?;

        press(&["ctrl+shift+y"])?;
        element(&c, "[data-role='study-view']:not([hidden])").await?;
        check_both_themes(&c, "study view", &mut found).await?;
        press(&["Escape"])?;

        open_in_tree(&c, "method/sorting.md").await?;
        press(&["ctrl+shift+r"])?;
        element(&c, "[data-role='review']:not([hidden]) .review-box").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        check_both_themes(&c, "review", &mut found).await?;
        // Esc ends the session with its summary; Esc again closes it.
        press(&["Escape"])?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        check_both_themes(&c, "review summary", &mut found).await?;
        press(&["Escape"])?;
        element(&c, "[data-role='review'][hidden]").await?;

        press(&["ctrl+e"])?;
        element(&c, "[data-role='editor']:not([hidden]) .cm-content").await?;
        check_both_themes(&c, "editor", &mut found).await?;
        press(&["ctrl+e"])?;
        element(&c, "[data-role='editor'][hidden]").await?;

        // The whole interface zoomed to 200 % with Ctrl+Alt+= (WebKit's page zoom, as a
        // browser's): nothing may scroll sideways, and the note keeps most of the width.
        for _ in 0..5 {
            press(&["ctrl+alt+equal"])?;
        }
        let said = margin_e2e::status_with(&c, "Interface at").await?;
        if !said.contains("200 %") {
            found.push(format!("five Ctrl+Alt+= say {said:?}, not 200 %"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        margin_e2e::screenshot(&c, "zoom-200.png").await?;
        let fit = c
            .execute(
                "const se = document.scrollingElement, pane = document.querySelector('.reader-pane');
                 const p = document.querySelector('.note-body');
                 return [se.scrollWidth - se.clientWidth, pane.scrollWidth - pane.clientWidth,
                         p.getBoundingClientRect().width / document.querySelector('.app').getBoundingClientRect().width];",
                vec![],
            )
            .await?;
        let fit = fit.as_array().context("zoom measures")?.clone();
        let number = |i: usize| fit.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
        if number(0) > 1.0 || number(1) > 1.0 || number(2) < 0.45 {
            let wide = c
                .execute(
                    "const w = document.documentElement.clientWidth;
                     return [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
                       .slice(0, 6).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
                    vec![],
                )
                .await?;
            found.push(format!("zoom 200 %: wider than the window: {wide}"));
            found.push(format!(
                "zoom 200 %: page overflows by {} px, reader by {} px, note {:.0} % of the window",
                number(0),
                number(1),
                number(2) * 100.0
            ));
        }
        check_both_themes(&c, "reader at 200 %", &mut found).await?;
        press(&["ctrl+alt+0"])?;
        margin_e2e::status_with(&c, "Interface at 100 %").await?;

        if !found.is_empty() {
            bail!(
                "{} serious or critical accessibility violations:\n{}",
                found.len(),
                found.join("\n")
            );
        }
        Ok(())
    })
    .await
}
