//! The dependency check of `cargo xtask test`: cargo-deny (installed when missing) holds every
//! crate to the licence allow-list, crates.io as the only source and no wildcard versions
//! (deny.toml). Security advisories need the RustSec database from GitHub: checked when it can
//! be fetched or a copy is cached on this machine, skipped loudly otherwise (the release
//! workflow checks them online on every push).
//!
//! cargo-deny reads `cargo metadata`, which needs the sources of every crate in the lock file,
//! for every target (Windows' and macOS' too), while a Linux build downloads only Linux's: so
//! `cargo fetch` runs first. Where the registry cannot be reached and something is missing,
//! the check is skipped with a line in the summary instead of failing the run.

use std::process::Command;

use anyhow::Result;

use crate::{cargo, report, step};

const POLICY: &str = "dependency policy (licences, sources, bans)";

pub fn check() -> Result<()> {
    if let Err(err) = crate::ensure_cargo_tool("deny", "cargo-deny", "cargo-deny", None) {
        report::skipped(
            POLICY,
            &format!("cargo-deny could not be installed ({err:#}); is crates.io reachable?"),
        );
        report::skipped("security advisories", "cargo-deny is not installed");
        return Ok(());
    }
    if !fetch_all_targets() {
        report::skipped(
            POLICY,
            "the crates of other targets (Windows, macOS) are not on this machine and crates.io \
             cannot be reached to fetch them (`cargo fetch` failed)",
        );
        report::skipped("security advisories", "the crate sources are incomplete");
        return Ok(());
    }
    step(
        "dependencies: licences, sources, bans (cargo deny, offline)",
        cargo().args(["deny", "--offline", "check", "licenses", "bans", "sources"]),
    )?;
    advisories()
}

/// Downloads the sources of every crate in the lock file for all targets; false when some
/// cannot be had (no registry and not cached).
fn fetch_all_targets() -> bool {
    let quiet = |cmd: &mut Command| cmd.output().is_ok_and(|o| o.status.success());
    let started = std::time::Instant::now();
    eprintln!("xtask: ▶ fetch the crates of every target (cargo fetch)");
    let fetched = quiet(cargo().args(["fetch", "--locked"]))
        || quiet(cargo().args(["fetch", "--locked", "--offline"]));
    report::step(
        "fetch the crates of every target",
        started.elapsed(),
        fetched,
    );
    fetched
}

fn advisories() -> Result<()> {
    let online = cargo().args(["deny", "check", "advisories"]).output()?;
    let log = String::from_utf8_lossy(&online.stderr);
    if online.status.success() {
        eprintln!("xtask: dependencies: no security advisory (RustSec database fetched)");
        return Ok(());
    }
    if !log.contains("failed to fetch advisory database") {
        eprintln!("{log}");
        anyhow::bail!("cargo deny found security advisories (above)");
    }
    if cached_database() {
        return step(
            "dependencies: security advisories (cached RustSec database)",
            cargo().args(["deny", "--offline", "check", "advisories"]),
        );
    }
    report::skipped(
        "security advisories (RustSec)",
        "the RustSec database cannot be fetched from GitHub here and no copy is cached (run \
         `cargo deny fetch` where there is network; the release workflow checks advisories online)",
    );
    Ok(())
}

/// True when cargo-deny has a copy of the advisory database on this machine.
fn cached_database() -> bool {
    crate::cargo_home()
        .map(|h| h.join("advisory-dbs"))
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.path().join("crates").is_dir()))
        })
}
