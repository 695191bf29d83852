//! The end-to-end run: a virtual display (Xvfb), tauri-driver in front of WebKitWebDriver,
//! and the `margin-e2e` tests that drive the real app window through them.
//!
//! Everything started here runs in its own process group and is ended when the run ends,
//! on success, failure or panic (see [`Service`]'s `Drop`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{cargo, exe, step, system, target_dir};

/// A background process (and its process group) that is ended on drop.
struct Service {
    name: &'static str,
    child: Child,
}

impl Service {
    fn start(name: &'static str, cmd: &mut Command) -> Result<Service> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("could not start {name}"))?;
        Ok(Service { name, child })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            std::thread::sleep(Duration::from_millis(300));
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("xtask: stopped {}", self.name);
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn free_display() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .unwrap_or(99)
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} did not come up within {timeout:?}")
}

/// A bare HTTP GET of `/status`: enough to know that the WebDriver server answers.
fn driver_ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.1 200")
}

fn find_tauri_driver() -> Option<PathBuf> {
    let home_bin = crate::cargo_home().map(|d| d.join("bin").join(exe("tauri-driver")));
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(exe("tauri-driver")))
            .find(|p| p.is_file())
    });
    on_path.or(home_bin.filter(|p| p.is_file()))
}

fn ensure_tauri_driver() -> Result<PathBuf> {
    if let Some(path) = find_tauri_driver() {
        return Ok(path);
    }
    step(
        "install tauri-driver",
        cargo().args(["install", "tauri-driver", "--locked"]),
    )?;
    find_tauri_driver()
        .context("tauri-driver was installed but cannot be found; is ~/.cargo/bin on PATH?")
}

/// What a WebDriver client needs to reach the app: set as environment variables.
pub struct DriverEnv {
    vars: Vec<(&'static str, std::ffi::OsString)>,
    log: PathBuf,
}

impl DriverEnv {
    /// Puts the variables on a command.
    pub fn apply<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    fn print_log(&self) {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("xtask: last lines of tauri-driver's log:");
        for line in tail.into_iter().rev() {
            eprintln!("    {line}");
        }
    }
}

/// Builds the app, starts Xvfb and tauri-driver with a scratch home, runs `body`, and stops
/// everything again (also when `body` fails).
pub fn with_driver(body: impl FnOnce(&DriverEnv) -> Result<()>) -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("the end-to-end tests run on Linux (WebKitWebDriver); the release workflow covers other OSes");
    }
    system::ensure_packages(system::BUILD_PACKAGES)?;
    step("build the app", cargo().args(["build", "-p", "margin-app"]))?;
    let app = target_dir()?.join("debug").join(exe("margin-app"));
    with_driver_for(app, body)
}

/// Starts Xvfb, a session bus and tauri-driver for the app binary `app` with a scratch home,
/// runs `body`, and stops everything again (also when `body` fails).
pub fn with_driver_for(app: PathBuf, body: impl FnOnce(&DriverEnv) -> Result<()>) -> Result<()> {
    system::ensure_packages(system::E2E_PACKAGES)?;
    let driver = ensure_tauri_driver()?;

    // The app's data, cache and config go to a scratch home, never the developer's own.
    let scratch = tempfile::tempdir()?;
    let display = free_display();
    let _xvfb = Service::start(
        "Xvfb",
        Command::new("Xvfb")
            .arg(format!(":{display}"))
            .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    wait_for("Xvfb", Duration::from_secs(10), || {
        Path::new(&format!("/tmp/.X11-unix/X{display}")).exists()
    })?;
    // A session bus of the run's own, as a desktop has: single-instance finds the first window
    // through it (and GTK stops asking for dbus-launch).
    let bus_address = format!("unix:path={}", scratch.path().join("session-bus").display());
    let _bus = Service::start(
        "dbus-daemon",
        Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nosyslog"])
            .arg(format!("--address={bus_address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    wait_for("dbus-daemon", Duration::from_secs(10), || {
        scratch.path().join("session-bus").exists()
    })?;
    let port = free_port()?;
    let native_port = free_port()?;
    // What the app sees of the desktop: the display, the bus and a scratch home for its data.
    let desktop_env: Vec<(&'static str, std::ffi::OsString)> = vec![
        ("DISPLAY", format!(":{display}").into()),
        ("DBUS_SESSION_BUS_ADDRESS", bus_address.clone().into()),
        ("XDG_DATA_HOME", scratch.path().join("data").into()),
        ("XDG_CACHE_HOME", scratch.path().join("cache").into()),
        ("XDG_CONFIG_HOME", scratch.path().join("config").into()),
        ("XDG_STATE_HOME", scratch.path().join("state").into()),
        // Every command the page calls goes to the app's log (the hostile-notes test reads it).
        (
            "RUST_LOG",
            "info,tao=warn,wry=warn,margin_app::ipc=debug".into(),
        ),
    ];
    let log_path = scratch.path().join("tauri-driver.log");
    let log = std::fs::File::create(&log_path)?;
    let _driver = Service::start(
        "tauri-driver",
        Command::new(&driver)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .envs(desktop_env.iter().map(|(k, v)| (k, v)))
            .stdout(log.try_clone()?)
            .stderr(log),
    )?;
    wait_for("tauri-driver", Duration::from_secs(20), || {
        driver_ready(port)
    })?;
    let env = DriverEnv {
        vars: vec![
            // The tests start a second app themselves (single instance): same desktop.
            ("MARGIN_E2E_APP", app.into_os_string()),
            (
                "MARGIN_E2E_WEBDRIVER",
                format!("http://127.0.0.1:{port}").into(),
            ),
            (
                "MARGIN_E2E_DATA_HOME",
                scratch.path().join("data").into_os_string(),
            ),
        ]
        .into_iter()
        .chain(desktop_env)
        .collect(),
        log: log_path,
    };
    let result = body(&env);
    if result.is_err() {
        env.print_log();
    }
    // `MARGIN_E2E_KEEP_LOG=FILE`: the app's whole log kept (its timings, every command called),
    // for looking into a run afterwards; the scratch home goes away.
    if let Some(keep) = std::env::var_os("MARGIN_E2E_KEEP_LOG") {
        if let Err(e) = std::fs::copy(&env.log, &keep) {
            eprintln!("xtask: could not keep the app's log: {e}");
        }
    }
    result
}

/// Runs the end-to-end tests (all, or those matching `filter`).
pub fn run(filter: Option<String>) -> Result<()> {
    step(
        "build the end-to-end tests",
        cargo().args(["test", "-p", "margin-e2e", "--no-run"]),
    )?;
    with_driver(|env| {
        let mut test = cargo();
        test.args(["test", "-p", "margin-e2e"]);
        // A filter that names a file of crates/e2e/tests runs that file; anything else filters
        // test names.
        let file = filter.as_deref().filter(|f| {
            crate::root()
                .join(format!("crates/e2e/tests/{f}.rs"))
                .is_file()
        });
        if let Some(file) = file {
            test.args(["--test", file, "--", "--test-threads=1"]);
        } else {
            test.args(["--", "--test-threads=1"]);
            test.args(filter);
        }
        step("end-to-end tests", env.apply(&mut test))
    })
}

/// The .deb as a user gets it: installed with apt, launched under Xvfb on the bundled notes
/// (time to the first note shown, and a screenshot, in `target/bundle-check/`), then removed.
pub fn check_installed_deb(deb: &Path) -> Result<()> {
    let deb = deb
        .canonicalize()
        .with_context(|| format!("no package at {}", deb.display()))?;
    if !system::is_root() {
        bail!(
            "installing {} needs root: run `sudo apt-get install {}` and try again",
            deb.display(),
            deb.display()
        );
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    let installed = apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        &deb.to_string_lossy(),
    ])?;
    if !installed.success() {
        bail!("apt-get install {} failed ({installed})", deb.display());
    }
    let checked = (|| {
        let app = PathBuf::from("/usr/bin/margin-app");
        for path in [
            app.as_path(),
            Path::new("/usr/share/applications/Margin.desktop"),
            Path::new("/usr/lib/Margin/notes/sysdesignnotes.md"),
        ] {
            if !path.exists() {
                bail!("the package did not install {}", path.display());
            }
        }
        let desktop = std::fs::read_to_string("/usr/share/applications/Margin.desktop")?;
        if !desktop.contains("Categories=Education;Office;") {
            bail!("the .desktop entry lacks its categories:\n{desktop}");
        }
        let out = target_dir()?.join("bundle-check");
        std::fs::create_dir_all(&out)?;
        let report = out.join("first-note-ms.txt");
        let _ = std::fs::remove_file(&report);
        with_driver_for(app, |env| {
            let mut test = cargo();
            test.args(["test", "-p", "margin-e2e", "--test", "installed", "--"])
                .args(["--ignored", "--test-threads=1"])
                .env("MARGIN_INSTALLED_REPORT", &out);
            step("launch the installed app", env.apply(&mut test))
        })?;
        let installed_kb = Command::new("dpkg-query")
            .args(["-W", "-f=${Installed-Size}", "margin"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let first_note = std::fs::read_to_string(&report).unwrap_or_default();
        eprintln!(
            "xtask: installed .deb: {:.1} MB package, {installed_kb} KiB installed, launch to first note {} ms (screenshot: {})",
            deb.metadata().map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
            first_note.trim(),
            out.join("installed.png").display()
        );
        Ok(())
    })();
    let removed = apt(&["remove", "-y", "margin"]);
    checked?;
    match removed {
        Ok(status) if status.success() => Ok(()),
        other => bail!("apt-get remove margin failed: {other:?}"),
    }
}
