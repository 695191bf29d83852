//! `cargo xtask test --fresh`: the test command as a newcomer meets it. A fresh clone of the
//! committed HEAD, an empty `CARGO_HOME` (no registry cache, no installed cargo tools) and an
//! empty target folder; only the Rust toolchain (rustup's) and the system packages are kept.
//! The inner run's summary gives the time of each phase (build, tool installs, tests, E2E).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::root;

pub fn run(no_e2e: bool) -> Result<()> {
    let base = std::env::var_os("MARGIN_FRESH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&base)?;
    let scratch = tempfile::Builder::new()
        .prefix("margin-fresh-")
        .tempdir_in(&base)
        .context("making the scratch folder for the fresh run")?;
    let clone = scratch.path().join("margin");
    let cargo_home = scratch.path().join("cargo-home");
    let target = scratch.path().join("target");
    std::fs::create_dir_all(cargo_home.join("bin"))?;

    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(root())
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if dirty {
        eprintln!(
            "xtask: note: uncommitted changes are not part of the fresh run (it clones HEAD)"
        );
    }
    crate::step(
        "fresh clone of HEAD",
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(root())
            .arg(&clone),
    )?;

    // rustup's proxies find the toolchain through RUSTUP_HOME, which stays as it was.
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(
        std::iter::once(cargo_home.join("bin")).chain(std::env::split_paths(&path)),
    )?;
    let mut test = Command::new("cargo");
    test.current_dir(&clone)
        .args(["xtask", "test"])
        .args(no_e2e.then_some("--no-e2e"))
        .env("CARGO_HOME", &cargo_home)
        .env("CARGO_TARGET_DIR", &target)
        .env("PATH", path)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("CARGO_MANIFEST_DIR");
    if let Some(home) = rustup_home {
        test.env("RUSTUP_HOME", home);
    }
    eprintln!(
        "xtask: fresh run in {} (CARGO_HOME and target folder empty; removed afterwards)",
        scratch.path().display()
    );
    let started = Instant::now();
    let status = test.status().context("starting cargo in the fresh clone")?;
    eprintln!(
        "xtask: fresh run: {} in {:.0} s",
        if status.success() { "passed" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("the fresh-machine run failed ({status})");
    }
    Ok(())
}
