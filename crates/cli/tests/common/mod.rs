//! What the CLI's integration tests share: a scratch copy of the bundled notes and a way to
//! run `margin` on it with its own cache and data folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

pub struct Vault {
    pub _home: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn vault() -> Vault {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("notes");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../notes"),
        &path,
    );
    Vault { _home: home, path }
}

pub fn margin(v: &Vault, args: &[&str]) -> Output {
    command(v, args).output().unwrap()
}

pub fn command(v: &Vault, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_margin"));
    cmd.arg("--vault").arg(&v.path).args(args);
    cmd.env("XDG_CACHE_HOME", v._home.path().join("cache"))
        .env("XDG_DATA_HOME", v._home.path().join("data"));
    cmd
}

pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
