//! `cargo xtask vendor`: rebuilds `ui/vendor/codemirror.js` (the editor, CodeMirror 6) from
//! the versions pinned in `xtask/vendor/package-lock.json`: `npm ci` then esbuild, one ES
//! module with no imports, plus `ui/vendor/LICENSES.md` with the licence of every package in
//! it. The app loads that file as it is: no npm, no network and no build step at run time.
//! `--check` rebuilds into a scratch file and fails when it differs from the committed one
//! (`cargo xtask test` runs it, skipped loudly when the npm registry cannot be reached).
//! The same command pins axe-core, which only the end-to-end tests use (`crates/e2e/vendor/`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{report, root, step};

fn source_dir() -> PathBuf {
    root().join("xtask/vendor")
}

/// Rebuilds the bundle into `ui/vendor/` (or, with `check`, compares a rebuild with it).
pub fn run(check: bool) -> Result<()> {
    let dir = source_dir();
    let npm_ok = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !npm_ok {
        crate::system::ensure_packages(&["npm"])?;
    }
    if !npm_ci(
        &dir,
        check,
        "the vendored editor rebuilt from its lock file",
    )? {
        return Ok(());
    }
    let out_dir = root().join("ui/vendor");
    let target = if check {
        crate::target_dir()?.join("vendor-check/codemirror.js")
    } else {
        out_dir.join("codemirror.js")
    };
    step(
        "bundle the editor (esbuild)",
        Command::new(dir.join("node_modules/.bin/esbuild"))
            .current_dir(&dir)
            .args([
                "entry.js",
                "--bundle",
                "--format=esm",
                "--minify",
                "--legal-comments=none",
                "--target=safari15",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", target.display())),
    )?;
    let licences = licences(&dir.join("node_modules"))?;
    if check {
        let built = std::fs::read(&target)?;
        let committed = std::fs::read(out_dir.join("codemirror.js")).unwrap_or_default();
        let committed_licences =
            std::fs::read_to_string(out_dir.join("LICENSES.md")).unwrap_or_default();
        if built != committed || licences != committed_licences {
            bail!("ui/vendor/ differs from a rebuild from xtask/vendor/package-lock.json; run `cargo xtask vendor` and commit the result");
        }
        eprintln!("xtask: ui/vendor/codemirror.js is what its lock file builds");
        return axe(true);
    }
    std::fs::write(out_dir.join("LICENSES.md"), licences)?;
    eprintln!(
        "xtask: wrote {} ({} KB) and its licences",
        target.display(),
        std::fs::metadata(&target)?.len() / 1024
    );
    axe(false)
}

/// `npm ci` in `dir`, from its lock file. `Ok(false)` when it failed during a check, which is
/// then reported as the skipped check `what` (the registry may be unreachable offline).
fn npm_ci(dir: &Path, check: bool, what: &str) -> Result<bool> {
    let installed = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .with_context(|| format!("running npm ci in {}", dir.display()))?;
    if installed.success() {
        return Ok(true);
    }
    if check {
        report::skipped(what, "npm ci failed (is the npm registry reachable?)");
        return Ok(false);
    }
    bail!("npm ci failed in {}", dir.display());
}

/// axe-core for the accessibility checks of the end-to-end tests: `crates/e2e/vendor/`'s lock
/// file pins it; its `axe.min.js` and licence are copied beside it as they are (never shipped
/// in the app). With `check`, fails when the committed copy is not what the lock file gives.
fn axe(check: bool) -> Result<()> {
    let dir = root().join("crates/e2e/vendor");
    if !npm_ci(
        &dir,
        check,
        "the vendored axe-core checked against its lock file",
    )? {
        return Ok(());
    }
    let package = dir.join("node_modules/axe-core");
    for (from, to) in [
        ("axe.min.js", "axe.min.js"),
        ("LICENSE", "LICENSE-axe-core.txt"),
    ] {
        let fresh = std::fs::read(package.join(from))?;
        if check {
            if std::fs::read(dir.join(to)).unwrap_or_default() != fresh {
                bail!("crates/e2e/vendor/{to} is not what its lock file installs; run `cargo xtask vendor` and commit the result");
            }
        } else {
            std::fs::write(dir.join(to), fresh)?;
        }
    }
    eprintln!("xtask: crates/e2e/vendor/axe.min.js is what its lock file installs");
    Ok(())
}

/// The licence texts of the packages bundled (every installed package but the bundler).
fn licences(modules: &Path) -> Result<String> {
    let mut packages = Vec::new();
    for entry in std::fs::read_dir(modules)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if name.starts_with('.') || name == "esbuild" {
            continue;
        }
        if name.starts_with('@') {
            for sub in std::fs::read_dir(&path)? {
                let sub = sub?.path();
                let sub_name = sub
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                if name == "@esbuild" {
                    continue;
                }
                packages.push((format!("{name}/{sub_name}"), sub));
            }
        } else {
            packages.push((name, path));
        }
    }
    packages.sort();
    let mut out = String::from(
        "# Licences of the third-party code in ui/vendor/\n\nBuilt by `cargo xtask vendor` from `xtask/vendor/package-lock.json`.\n",
    );
    for (name, path) in packages {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path.join("package.json"))?)?;
        let version = manifest["version"].as_str().unwrap_or("?");
        let licence = manifest["license"].as_str().unwrap_or("see text");
        out.push_str(&format!("\n## {name} {version} ({licence})\n\n"));
        let text = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"]
            .iter()
            .find_map(|f| std::fs::read_to_string(path.join(f)).ok())
            .unwrap_or_else(|| {
                format!("(no licence file in the package; package.json says {licence})")
            });
        out.push_str("```\n");
        out.push_str(text.trim());
        out.push_str("\n```\n");
    }
    Ok(out)
}
