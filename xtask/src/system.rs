//! System packages: on Debian/Ubuntu, checks with dpkg and installs what is missing with apt
//! (as root), or prints the exact command to run. Elsewhere it only says what is needed.

use std::process::Command;

use anyhow::{bail, Result};

/// What building the app needs (Tauri's WebKitGTK stack).
pub const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libssl-dev",
    "libxdo-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
];

/// What the end-to-end tests need on top: a virtual display and the WebDriver for WebKitGTK.
/// `dbus` gives the session bus that single-instance needs; `xdotool` presses real keys (menu
/// accelerators go through GTK, which WebDriver's synthetic keys do not reach); imagemagick
/// takes screenshots of the window; xclip puts an image on the clipboard for the paste test.
pub const E2E_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "x11-utils",
    "dbus",
    "xdotool",
    "imagemagick",
    "xclip",
];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Makes sure the Debian packages are installed.
pub fn ensure_packages(packages: &[&str]) -> Result<()> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::report::skipped(
            &format!("system packages ({})", packages.join(" ")),
            "not a Debian-like system (no dpkg): not checked or installed; install these or \
             your distribution's equivalents",
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let command = format!(
        "apt-get update && apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        bail!("missing system packages; run:\n    sudo sh -c '{command}'");
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    let status = Command::new("sh")
        .args(["-c", &command])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !status.success() {
        bail!("apt-get failed ({status}); try by hand: {command}");
    }
    Ok(())
}
