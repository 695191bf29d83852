//! The dependency check of `cargo xtask test`: cargo-deny (installed when missing) holds every
//! crate to the licence allow-list, crates.io as the only source and no wildcard versions
//! (deny.toml), offline. Security advisories need the RustSec database from GitHub: checked
//! when it can be fetched or a copy is cached on this machine, skipped with a note otherwise
//! (the release workflow checks them online on every push).

use anyhow::Result;

use crate::{cargo, step};

pub fn check() -> Result<()> {
    crate::ensure_cargo_tool("deny", "cargo-deny", "cargo-deny", None)?;
    step(
        "dependencies: licences, sources, bans (cargo deny, offline)",
        cargo().args(["deny", "--offline", "check", "licenses", "bans", "sources"]),
    )?;
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
    eprintln!(
        "xtask: dependencies: security advisories skipped — the RustSec database cannot be \
         fetched from GitHub here and no copy is cached (run `cargo deny fetch` where there is \
         network; the release workflow checks advisories online)"
    );
    Ok(())
}

/// True when cargo-deny has a copy of the advisory database on this machine.
fn cached_database() -> bool {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")));
    home.map(|h| h.join("advisory-dbs"))
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.path().join("crates").is_dir()))
        })
}
