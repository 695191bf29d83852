//! `cargo xtask fuzz`: runs each libFuzzer target of `fuzz/` (cargo-fuzz, installed when
//! missing) for a fixed time, starting from the kept seeds, and reports executions per target.
//! An input that breaks an invariant is copied to `fuzz/regressions/<target>/`, where the regular
//! tests replay it from then on (crates/core/tests/integration/fuzz_corpus.rs).
//!
//! cargo-fuzz needs nightly compiler flags; on a stable toolchain the run sets
//! `RUSTC_BOOTSTRAP=1` for the fuzz build only (the rest of Margin never uses unstable features).

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::{cargo, root, step, target_dir};

/// The targets, in the order they run.
pub const TARGETS: &[&str] = &["render", "query", "anchoring", "note_id"];

/// What one target did.
struct Outcome {
    target: &'static str,
    runs: u64,
    seconds: u64,
    broke: Option<String>,
}

pub fn run(seconds: u64, only: Option<String>) -> Result<()> {
    crate::ensure_cargo_tool("fuzz", "cargo-fuzz", "cargo-fuzz", None)?;
    let targets: Vec<&'static str> = TARGETS
        .iter()
        .copied()
        .filter(|t| only.as_deref().is_none_or(|o| o == *t))
        .collect();
    if targets.is_empty() {
        bail!(
            "no fuzz target {only:?}; the targets are {}",
            TARGETS.join(", ")
        );
    }
    let fuzz_dir = root().join("fuzz");
    // Where the fuzz build goes: outside the clone when CARGO_TARGET_DIR says so.
    let fuzz_target = target_dir()?.join("fuzz");
    step(
        "build the fuzz targets (cargo fuzz build)",
        fuzz_command(&fuzz_target).args(["build", "--sanitizer", "none"]),
    )?;
    let mut outcomes = Vec::new();
    for target in targets {
        let corpus = fuzz_target.join("corpus").join(target);
        let artifacts = fuzz_target.join("artifacts").join(target);
        std::fs::create_dir_all(&corpus)?;
        std::fs::create_dir_all(&artifacts)?;
        eprintln!("xtask: ▶ fuzz {target} for {seconds} s");
        let out = fuzz_command(&fuzz_target)
            .args(["run", "--sanitizer", "none", target])
            .arg(&corpus)
            .arg(fuzz_dir.join("seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=65536")
            .arg("-rss_limit_mb=4096")
            .arg("-timeout=10")
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("running the {target} fuzzer"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let runs = done_runs(&log).unwrap_or(0);
        let broke = if out.status.success() {
            None
        } else {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            Some(keep_regressions(target, &artifacts, &fuzz_dir)?)
        };
        outcomes.push(Outcome {
            target,
            runs,
            seconds,
            broke,
        });
    }
    eprintln!("\nxtask: fuzzing");
    eprintln!(
        "    {:<10} {:>12} {:>8} {:>10}  result",
        "target", "executions", "seconds", "per second"
    );
    for o in &outcomes {
        eprintln!(
            "    {:<10} {:>12} {:>8} {:>10}  {}",
            o.target,
            o.runs,
            o.seconds,
            o.runs / o.seconds.max(1),
            o.broke.as_deref().unwrap_or("no failure")
        );
    }
    let broken: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.broke.is_some())
        .map(|o| o.target)
        .collect();
    if !broken.is_empty() {
        bail!(
            "{} broke; the inputs are in fuzz/regressions/ (commit them once fixed)",
            broken.join(", ")
        );
    }
    Ok(())
}

/// `cargo fuzz` from the repository root, building into `fuzz_target`.
fn fuzz_command(fuzz_target: &Path) -> Command {
    let mut cmd = cargo();
    cmd.arg("fuzz")
        .env("CARGO_TARGET_DIR", fuzz_target.join("build"))
        .env("RUSTC_BOOTSTRAP", "1");
    cmd
}

/// libFuzzer's last line: `Done 123456 runs in 60 second(s)`.
fn done_runs(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|line| {
        line.strip_prefix("Done ")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// Copies the crash inputs of `artifacts` to `fuzz/regressions/<target>/`; returns a summary.
fn keep_regressions(target: &str, artifacts: &Path, fuzz_dir: &Path) -> Result<String> {
    let keep = fuzz_dir.join("regressions").join(target);
    std::fs::create_dir_all(&keep)?;
    let mut kept = Vec::new();
    for entry in std::fs::read_dir(artifacts)?.flatten() {
        let name = entry.file_name();
        std::fs::copy(entry.path(), keep.join(&name))?;
        kept.push(name.to_string_lossy().into_owned());
    }
    Ok(format!("FAILED: kept {}", kept.join(", ")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_run_count() {
        let log = "#1024 pulse\nDone 98765 runs in 60 second(s)\n";
        assert_eq!(super::done_runs(log), Some(98765));
        assert_eq!(super::done_runs("crashed"), None);
    }
}
