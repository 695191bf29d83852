//! `cargo xtask bundle`: the release app and its installers, made by the Tauri bundler
//! (tauri-cli 2, installed here when missing): .deb and .rpm on Linux (and .AppImage where the
//! bundler can fetch its linuxdeploy tool), .msi and NSIS on Windows, .app and .dmg on macOS.
//!
//! tauri-cli looks for `tauri.conf.json` beside the app's own `Cargo.toml`, while Margin keeps
//! its config at the repository root. So the run writes a copy into `src-tauri/` with the paths
//! rewritten to point back at the root (`ui/`, `icons/`), and removes it afterwards: one config
//! in git, and no symlinks (which Windows only allows to administrators).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::{cargo, root, step, system, target_dir};

/// The installers made on this OS, with sizes: what `bundle` reports and the CI check installs.
#[derive(Debug, serde::Serialize)]
pub struct Bundle {
    /// `deb`, `rpm`, `appimage`, `msi`, `nsis`, `dmg`, `app`.
    pub kind: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// Builds the bundles and prints what was made.
pub fn run() -> Result<Vec<Bundle>> {
    if cfg!(target_os = "linux") {
        system::ensure_packages(system::BUILD_PACKAGES)?;
        system::ensure_packages(&["file"])?;
    }
    // About 12 minutes on 2 cores the first time.
    crate::ensure_cargo_tool("tauri", "tauri-cli 2", "tauri-cli", Some("^2"))?;
    let bundle_dir = target_dir()?.join("release").join("bundle");
    // Earlier versions' installers would be reported (and installed) as this one's.
    let _ = std::fs::remove_dir_all(&bundle_dir);
    {
        let _config = BundlerConfig::write()?;
        let mut build = tauri_cli();
        build.args(["build", "--ci"]);
        if cfg!(target_os = "linux") {
            build.args(["--bundles", "deb,rpm"]);
        }
        step(
            "build the release app and its bundles (cargo tauri build)",
            &mut build,
        )?;
        if cfg!(target_os = "linux") {
            // The AppImage bundler downloads linuxdeploy from GitHub; offline, say so and go on.
            let mut appimage = tauri_cli();
            appimage.args(["build", "--ci", "--bundles", "appimage"]);
            eprintln!("xtask: ▶ bundle the AppImage");
            let made = appimage.status().is_ok_and(|status| status.success());
            if !made {
                crate::report::skipped(
                    "the AppImage",
                    "its bundler downloads linuxdeploy from GitHub, which cannot be reached here; \
                     the .deb and .rpm are made (the release workflow builds the AppImage)",
                );
            }
        }
    }
    let bundles = list_bundles(&bundle_dir)?;
    if bundles.is_empty() {
        bail!(
            "the bundler ran but left no installer in {}",
            bundle_dir.display()
        );
    }
    eprintln!("xtask: bundles in {}:", bundle_dir.display());
    for b in &bundles {
        eprintln!(
            "    {:<9} {:>8.1} MB  {}",
            b.kind,
            b.bytes as f64 / 1e6,
            b.path.display()
        );
    }
    Ok(bundles)
}

/// `cargo tauri` run from `src-tauri/`, where it finds the generated config.
fn tauri_cli() -> Command {
    let mut cmd = cargo();
    cmd.arg("tauri").current_dir(root().join("src-tauri"));
    cmd
}

/// The root config, copied into `src-tauri/` for tauri-cli for as long as this value lives.
struct BundlerConfig {
    path: PathBuf,
}

impl BundlerConfig {
    fn write() -> Result<BundlerConfig> {
        let source = root().join("tauri.conf.json");
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("reading {}", source.display()))?;
        let mut config: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", source.display()))?;
        rebase(&mut config);
        let path = root().join("src-tauri").join("tauri.conf.json");
        std::fs::write(&path, serde_json::to_string_pretty(&config)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(BundlerConfig { path })
    }
}

impl Drop for BundlerConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Rewrites the root config's paths for a config file one folder down. The front end and icons
/// are relative to the config file; bundle resources are already relative to `src-tauri/`.
fn rebase(config: &mut Value) {
    if let Some(dist) = config.pointer_mut("/build/frontendDist") {
        if let Some(path) = dist.as_str() {
            *dist = Value::from(format!("../{path}"));
        }
    }
    if let Some(Value::Array(icons)) = config.pointer_mut("/bundle/icon") {
        for icon in icons.iter_mut() {
            if let Some(path) = icon.as_str() {
                *icon = Value::from(format!("../{path}"));
            }
        }
    }
}

fn list_bundles(dir: &Path) -> Result<Vec<Bundle>> {
    let mut bundles = Vec::new();
    let Ok(kinds) = std::fs::read_dir(dir) else {
        return Ok(bundles);
    };
    for kind in kinds.flatten() {
        let kind_name = kind.file_name().to_string_lossy().into_owned();
        for entry in std::fs::read_dir(kind.path())?.flatten() {
            let path = entry.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let wanted = [".deb", ".rpm", ".AppImage", ".msi", ".exe", ".dmg", ".app"];
            if name.is_some_and(|n| wanted.iter().any(|ext| n.ends_with(ext))) {
                bundles.push(Bundle {
                    kind: kind_name.clone(),
                    bytes: size_of(&path),
                    path,
                });
            }
        }
    }
    bundles.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(bundles)
}

/// Size of a file, or of everything in a folder (a macOS `.app`).
fn size_of(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|e| size_of(&e.path())).sum())
            .unwrap_or(0)
    } else {
        path.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_the_root_config_point_back_up() {
        let mut config = serde_json::json!({
            "build": { "frontendDist": "ui" },
            "bundle": { "icon": ["icons/32x32.png", "icons/icon.ico"], "resources": { "../notes/": "notes/" } }
        });
        rebase(&mut config);
        assert_eq!(config["build"]["frontendDist"], "../ui");
        assert_eq!(config["bundle"]["icon"][1], "../icons/icon.ico");
        assert_eq!(config["bundle"]["resources"]["../notes/"], "notes/");
    }
}
