//! Reading fidelity in the real window: coloured code with a working copy button, MathML drawn
//! by the webview, call-outs (a folded one opened with the mouse), a section of another note
//! embedded in place. Checked on the screen (computed colours, layout boxes), not in the HTML.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use margin_e2e::{
    app_window, element, eventually, open_in_tree, screen_center, screenshot, vault_copy, with_app,
    xdotool,
};
use serde_json::json;

/// A study note with everything the reader draws beyond plain Markdown.
const STUDY_NOTE: &str = include_str!("reading_note.md");

#[tokio::test]
async fn code_math_callouts_and_embeds_are_drawn() -> Result<()> {
    let vault = vault_copy();
    std::fs::write(vault.path().join("method/sorting.md"), STUDY_NOTE)?;
    let arg = vault.path().to_string_lossy().into_owned();
    with_app(&["--vault", &arg], |c| async move {
        open_in_tree(&c, "method/sorting.md").await?;
        // Code: coloured by the theme (a keyword's colour is not the code's own).
        let colours = c
            .execute(
                "const pre = document.querySelector('.note-body pre[data-lang=\"rust\"]');
                 const kw = pre && pre.querySelector('.hl-keyword');
                 return pre && kw ? [getComputedStyle(pre).color, getComputedStyle(kw).color, kw.textContent] : null;",
                vec![],
            )
            .await?;
        let colours = colours.as_array().context("no coloured rust block")?;
        ensure!(colours[0] != colours[1], "keywords not coloured: {colours:?}");
        // Math: MathML elements the webview lays out (a real box, taller for the fraction).
        let boxes = c
            .execute(
                "return [...document.querySelectorAll('.note-body math')].map(m =>
                   [m.namespaceURI, m.getAttribute('display'), Math.round(m.getBoundingClientRect().height)]);",
                vec![],
            )
            .await?;
        let boxes = boxes.as_array().context("math boxes")?.clone();
        ensure!(boxes.len() == 3, "three formulas: {boxes:?}");
        for b in &boxes {
            ensure!(b[0] == json!("http://www.w3.org/1998/Math/MathML"), "not MathML: {b:?}");
            ensure!(b[2].as_i64().unwrap_or(0) > 8, "not laid out: {b:?}");
        }
        // Call-outs: titles shown, the folded one closed until clicked with the mouse.
        let tip = element(&c, ".callout-tip .callout-title").await?.text().await?;
        ensure!(tip.trim() == "Remember", "tip title: {tip:?}");
        let open = "return document.querySelector('details.callout-warning').open";
        ensure!(c.execute(open, vec![]).await? == json!(false), "folded call-out starts closed");
        let (x, y) = screen_center(&c, "details.callout-warning > summary").await?;
        xdotool(&["windowfocus", "--sync", &app_window()?])?;
        xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
        xdotool(&["click", "1"])?;
        eventually("the folded call-out opened by a click", || async {
            Ok((c.execute(open, vec![]).await? == json!(true)).then_some(()))
        })
        .await?;
        // The embedded section: the other note's text, with a link to it.
        let embed = element(&c, ".note-body .embed").await?.text().await?;
        ensure!(embed.contains("Load Balancer"), "embed: {embed:?}");
        element(&c, ".embed-title a[data-note='infrastructure/load-balancer.md']").await?;
        screenshot(&c, "reading.png").await?;
        // Copy: hover the code, click its button; the clipboard then holds the code.
        let (x, y) = screen_center(&c, ".code-wrap pre").await?;
        xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
        let (x, y) = screen_center(&c, ".code-copy").await?;
        xdotool(&["mousemove", &x.to_string(), &y.to_string()])?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        xdotool(&["click", "1"])?;
        let copied = eventually("the code on the clipboard", || async {
            let out = std::process::Command::new("timeout")
                .args(["5", "xclip", "-o", "-selection", "clipboard"])
                .output()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            Ok(text.contains("fn quicksort").then_some(text))
        })
        .await?;
        ensure!(
            copied.starts_with("/// Sorts in place.\nfn quicksort<T: Ord>(v: &mut [T]) {"),
            "clipboard: {copied:?}"
        );
        let label = element(&c, ".code-copy").await?.attr("aria-label").await?;
        ensure!(label.as_deref() == Some("Copied"), "button says {label:?}");
        // The dark theme colours the same note (for the README's picture).
        c.execute("document.documentElement.dataset.theme = 'dark'", vec![])
            .await?;
        screenshot(&c, "reading-dark.png").await?;
        Ok(())
    })
    .await
}
