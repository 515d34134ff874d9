//! Shared plumbing for the tasks: the repository root, running commands, log lines.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every task reports failure as a sentence a person can act on.
pub type Result<T> = std::result::Result<T, String>;

/// The repository root (the workspace that holds `xtask/`), wherever the binary is run from.
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR` as cargo itself does.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

/// Progress goes to stderr so that stdout stays machine-readable (`serve` prints its URL there).
pub fn note(msg: &str) {
    eprintln!("xtask: {msg}");
}

/// A `Command` running in the repository root.
pub fn cmd(program: impl AsRef<OsStr>, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(repo_root());
    c
}

/// Runs `c` with inherited stdio and turns a non-zero exit into an error naming the command.
pub fn run(c: &mut Command) -> Result<()> {
    let shown = describe(c);
    eprintln!("$ {shown}");
    let status = c
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `c` quietly and returns its trimmed stdout, or `None` if it cannot start or fails.
pub fn capture(c: &mut Command) -> Option<String> {
    let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Finds `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `cargo install` puts binaries here; a fresh shell may not have it on `PATH` yet.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home).join("bin"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo").join("bin"))
}

/// Puts cargo's bin directory on this process's `PATH` (children inherit it), so a tool that
/// was just installed is found by the commands we start, including cargo's test runner.
pub fn ensure_cargo_bin_on_path() {
    let Some(bin) = cargo_bin_dir() else { return };
    let current = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&current).any(|p| p == bin) {
        return;
    }
    let mut parts = vec![bin];
    parts.extend(std::env::split_paths(&current));
    if let Ok(joined) = std::env::join_paths(parts) {
        // Called once at start-up, before any thread exists.
        std::env::set_var("PATH", joined);
    }
}
