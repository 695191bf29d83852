//! What a run of xtask did, for the summary `cargo xtask test` ends with: each step with its
//! time, and every check that did not run with the reason, so a green run says what it did not
//! prove (a skip is never silent).

use std::sync::Mutex;
use std::time::Duration;

struct Step {
    name: String,
    took: Duration,
    ok: bool,
}

static STEPS: Mutex<Vec<Step>> = Mutex::new(Vec::new());
static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Records a finished step.
pub fn step(name: &str, took: Duration, ok: bool) {
    if let Ok(mut steps) = STEPS.lock() {
        steps.push(Step {
            name: name.to_string(),
            took,
            ok,
        });
    }
}

/// Records (and prints at once) a check that did not run, and why.
pub fn skipped(what: &str, why: &str) {
    eprintln!("xtask: SKIPPED {what}: {why}");
    if let Ok(mut skipped) = SKIPPED.lock() {
        skipped.push((what.to_string(), why.to_string()));
    }
}

/// Prints the table of steps (with times) and the list of skipped checks.
pub fn print_summary(total: Duration) {
    eprintln!();
    eprintln!("xtask: ── summary ──────────────────────────────────────────────");
    if let Ok(steps) = STEPS.lock() {
        for s in steps.iter() {
            eprintln!(
                "xtask: {} {:>7.1}s  {}",
                if s.ok { "ok  " } else { "FAIL" },
                s.took.as_secs_f64(),
                s.name
            );
        }
    }
    eprintln!("xtask:      {:>7.1}s  in all", total.as_secs_f64());
    match SKIPPED.lock() {
        Ok(skipped) if !skipped.is_empty() => {
            eprintln!(
                "xtask: {} check(s) SKIPPED — this run did not prove them:",
                skipped.len()
            );
            for (what, why) in skipped.iter() {
                eprintln!("xtask:   - {what}: {why}");
            }
        }
        _ => eprintln!("xtask: nothing skipped"),
    }
}
