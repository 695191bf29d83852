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
        if !skipped.iter().any(|(w, _)| w == what) {
            skipped.push((what.to_string(), why.to_string()));
        }
    }
}

/// The environment variable naming the file in which tests record the checks they could not
/// make on this machine (one `what<TAB>why` line each): a test that cannot prove its point
/// here — no way to make a folder read-only as root without mounts, say — writes a line, and
/// the summary lists it with xtask's own skips.
pub const SKIP_LOG_VAR: &str = "MARGIN_SKIP_LOG";

/// Points the tests run from now on at a fresh skip log (inherited by every child process).
pub fn start_skip_log() {
    let log = std::env::temp_dir().join(format!("margin-xtask-skips-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&log);
    std::env::set_var(SKIP_LOG_VAR, &log);
}

/// Moves the tests' recorded skips (see [`SKIP_LOG_VAR`]) into this run's list.
fn collect_test_skips() {
    let Some(log) = std::env::var_os(SKIP_LOG_VAR) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&log) else {
        return;
    };
    let _ = std::fs::remove_file(&log);
    for line in text.lines() {
        let (what, why) = line.split_once('\t').unwrap_or((line, "no reason given"));
        skipped(&format!("test: {what}"), why);
    }
}

/// Prints the table of steps (with times) and the list of skipped checks.
pub fn print_summary(total: Duration) {
    collect_test_skips();
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

#[cfg(test)]
mod tests {
    /// A test's recorded skip reaches the summary's list once, named as a test's.
    #[test]
    fn skips_recorded_by_tests_join_the_summary_once() {
        let log = std::env::temp_dir().join(format!("margin-skip-test-{}.txt", std::process::id()));
        std::fs::write(
            &log,
            "read-only vault\tno mount here\nread-only vault\tno mount here\nbare line\n",
        )
        .unwrap();
        std::env::set_var(super::SKIP_LOG_VAR, &log);
        super::collect_test_skips();
        let skipped = super::SKIPPED.lock().unwrap().clone();
        assert!(skipped.contains(&("test: read-only vault".into(), "no mount here".into())));
        assert!(skipped.contains(&("test: bare line".into(), "no reason given".into())));
        assert_eq!(
            skipped
                .iter()
                .filter(|(w, _)| w == "test: read-only vault")
                .count(),
            1
        );
        assert!(!log.exists(), "the log is consumed");
    }
}
