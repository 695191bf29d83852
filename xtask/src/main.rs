//! `cargo xtask`: the project's tasks in Rust, so a newcomer needs only cargo.
//!
//! - `run`: installs missing system libraries (Debian/Ubuntu, as root), builds the app and opens
//!   it on the bundled notes (or `-- --vault DIR`).
//! - `test`: formatting, clippy, every crate's tests, then the end-to-end tests in the real window.
//! - `e2e`: only the end-to-end tests: Xvfb + tauri-driver + WebKitWebDriver + the app.
//! - `bench`: index and query benchmarks on the tldr corpus against ripgrep.
//! - `mutants`: breaks each guarded behaviour in turn and checks its test fails.

mod bench;
mod bundle;
mod deps;
mod e2e;
mod fresh;
mod fuzz;
mod mutants;
mod report;
mod system;
mod vendor;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build and open the app (arguments after `--` go to the app, e.g. `-- --vault DIR`).
    Run {
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Every check: fmt, clippy, dependency policy, unit + integration tests, UI module tests,
    /// end-to-end tests (and on CI the .deb installed and launched).
    Test {
        /// Skip the end-to-end tests (they need a display server, started here under Xvfb).
        #[arg(long)]
        no_e2e: bool,
        /// Run the whole test as a newcomer meets it: a fresh clone of HEAD with an empty
        /// CARGO_HOME and an empty target folder (the toolchain kept), timing each phase.
        #[arg(long)]
        fresh: bool,
    },
    /// Breaks each guarded behaviour with a one-line change and checks that its test fails
    /// (the source is restored after each).
    Mutants {
        /// Also the mutants guarded by end-to-end tests (each rebuilds the app).
        #[arg(long)]
        e2e: bool,
        /// Only mutants whose description contains this text.
        only: Option<String>,
    },
    /// Index and query benchmarks on the large corpus, side by side with ripgrep.
    Bench {
        /// A subset that runs in under two minutes.
        #[arg(long)]
        quick: bool,
        /// Also measure the real window (start-up, typing-to-results) on the corpus.
        #[arg(long)]
        window: bool,
        /// The corpus archive (default: ../shared/corpora/tldr-pages.tar.gz).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Only the window measures, on this vault (one a full run prepared: an unpacked
        /// corpus with the benchmark's cards), skipping the corpus benchmark.
        #[arg(long, value_name = "DIR", requires = "window")]
        window_only: Option<PathBuf>,
    },
    /// The release app and its installers (.deb/.rpm here; .msi/.exe on Windows, .dmg on macOS).
    Bundle {
        /// Then install the .deb with apt, launch it under Xvfb on the bundled notes, and remove it
        /// (Linux, as root; `cargo xtask test` does this when CI is set).
        #[arg(long)]
        check: bool,
    },
    /// Runs each fuzz target (render, query, anchoring, note_id) for a fixed time (cargo-fuzz).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only this target.
        target: Option<String>,
    },
    /// Rebuild the vendored editor (ui/vendor/) from xtask/vendor/package-lock.json, and copy
    /// axe-core (E2E accessibility checks) from crates/e2e/vendor/package-lock.json.
    Vendor {
        /// Only check that ui/vendor/ is what the lock file builds.
        #[arg(long)]
        check: bool,
    },
    /// Only the end-to-end tests in the real window.
    E2e {
        /// Only the tests of this file of crates/e2e/tests (`desktop`), or whose name contains this.
        filter: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.task {
        Task::Run { release, args } => {
            system::ensure_packages(system::BUILD_PACKAGES)?;
            let mut build = cargo();
            build.args(["build", "-p", "margin-app"]);
            if release {
                build.args(["--release", "--features", "custom-protocol"]);
            }
            step("build the app", &mut build)?;
            let bin = target_dir()?
                .join(if release { "release" } else { "debug" })
                .join(exe("margin-app"));
            eprintln!("xtask: starting {}", bin.display());
            let status = Command::new(&bin).args(&args).status()?;
            if !status.success() {
                bail!("the app exited with {status}");
            }
            Ok(())
        }
        Task::Test { no_e2e, fresh } => {
            if fresh {
                return fresh::run(no_e2e);
            }
            let started = std::time::Instant::now();
            report::start_skip_log();
            let result = test(no_e2e);
            report::print_summary(started.elapsed());
            result
        }
        Task::E2e { filter } => e2e::run(filter),
        Task::Mutants { e2e, only } => mutants::run(e2e, only),
        Task::Vendor { check } => vendor::run(check),
        Task::Fuzz { seconds, target } => fuzz::run(seconds, target),
        Task::Bundle { check } => {
            if check {
                bundle_and_check()
            } else {
                bundle::run().map(|_| ())
            }
        }
        Task::Bench {
            quick,
            window,
            corpus,
            window_only,
        } => match window_only {
            Some(vault) => bench::window_only(&vault),
            None => bench::run(quick, window, corpus),
        },
    }
}

/// Every check, in order; stops at the first failure.
fn test(no_e2e: bool) -> Result<()> {
    system::ensure_packages(system::BUILD_PACKAGES)?;
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    step(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    deps::check()?;
    step(
        "unit and integration tests",
        cargo().args(["test", "--workspace", "--exclude", "margin-e2e"]),
    )?;
    if !cfg!(unix) {
        report::skipped(
            "the Unix-only tests",
            "compiled out on this system: kill -9 in the middle of a save, an annotation, an \
             index update and a grade (500-cycle loops), file permissions, a truly read-only \
             vault, symlinks out of the vault, non-UTF-8 file names",
        );
    }
    ui_tests()?;
    vendor::run(true)?;
    if no_e2e {
        report::skipped("end-to-end tests", "--no-e2e was given");
        return Ok(());
    }
    e2e::run(None)?;
    if on_ci() && cfg!(target_os = "linux") {
        bundle_and_check()
    } else {
        report::skipped(
            "the .deb built, installed and launched (crates/e2e/tests/installed.rs, #[ignore] \
             in plain `cargo test`)",
            "runs when CI is set on Linux (`cargo xtask bundle --check` runs it here)",
        );
        Ok(())
    }
}

/// True on a CI machine (`CI` set to anything but empty, `0` or `false`).
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Builds the bundles, then installs, launches and removes the .deb.
fn bundle_and_check() -> Result<()> {
    let bundles = bundle::run()?;
    let deb = bundles
        .iter()
        .find(|b| b.kind == "deb")
        .ok_or_else(|| anyhow::anyhow!("the bundler made no .deb"))?;
    e2e::check_installed_deb(&deb.path)
}

/// `node --test` over the UI's pure modules (Node.js is installed from Debian when missing).
fn ui_tests() -> Result<()> {
    if Command::new("node").arg("--version").output().is_err() {
        system::ensure_packages(&["nodejs"])?;
    }
    step(
        "UI module tests (node --test)",
        Command::new("node")
            .arg("--test")
            .arg(root().join("ui/tests")),
    )
}

/// Makes sure the cargo subcommand `cargo <name>` exists (its `--version` output contains
/// `expect`), installing crate `krate` (at `version`, e.g. `^2`) from crates.io when it does not:
/// once per machine, as a fresh one has none of them.
pub fn ensure_cargo_tool(
    name: &str,
    expect: &str,
    krate: &str,
    version: Option<&str>,
) -> Result<()> {
    let installed = cargo()
        .args([name, "--version"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(expect));
    if installed {
        return Ok(());
    }
    let mut install = cargo();
    install.args(["install", krate, "--locked"]);
    if let Some(version) = version {
        install.args(["--version", version]);
    }
    step(&format!("install {krate} (once per machine)"), &mut install)
}

/// Cargo's home (`CARGO_HOME`, else `~/.cargo`): where `cargo install` puts tools.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// `cargo` as the one running xtask, from the workspace root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where cargo puts builds (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> Result<PathBuf> {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata has no target_directory")
}

/// A binary's file name on this OS.
pub fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Runs one step, printing what it is and how long it took; fails with its name.
pub fn step(name: &str, cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: ▶ {name}");
    let started = std::time::Instant::now();
    let status = cmd.status();
    report::step(
        name,
        started.elapsed(),
        status.as_ref().is_ok_and(|s| s.success()),
    );
    let status = status.with_context(|| format!("could not start: {name}"))?;
    eprintln!("xtask: {name}: {:.1}s", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}
