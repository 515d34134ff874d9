//! Finds the tools a task needs and installs the missing ones, saying what it does.
//!
//! Each `ensure_*` checks first and is silent about the install only when nothing is
//! missing, so that a warm machine pays a few milliseconds and a fresh one (or CI) needs
//! nothing done by hand. With `allow == false` a missing tool is an error that names the
//! command to run instead.

use crate::util::{capture, cmd, note, repo_root, run, which, Result};
use std::path::Path;
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// geckodriver's version from crates.io, the one the Firefox stage was written against.
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// `rustup target add wasm32-unknown-unknown` unless the target's standard library is there.
pub fn ensure_wasm_target(allow: bool) -> Result<()> {
    if wasm_target_installed() {
        note(&format!("{WASM_TARGET} target: present"));
        return Ok(());
    }
    let fix = format!("rustup target add {WASM_TARGET}");
    if !allow {
        return Err(format!("the {WASM_TARGET} target is missing; run `{fix}`"));
    }
    note(&format!(
        "{WASM_TARGET} target: missing, installing (`{fix}`)"
    ));
    run(&mut cmd("rustup", &["target", "add", WASM_TARGET]))
}

fn wasm_target_installed() -> bool {
    if let Some(list) = capture(&mut cmd("rustup", &["target", "list", "--installed"])) {
        return list.lines().any(|l| l.trim() == WASM_TARGET);
    }
    // Without rustup, look for the target's standard library in the sysroot.
    capture(&mut cmd("rustc", &["--print", "sysroot"]))
        .map(|root| {
            Path::new(&root)
                .join("lib/rustlib")
                .join(WASM_TARGET)
                .is_dir()
        })
        .unwrap_or(false)
}

/// `rustfmt` and `clippy`, which minimal rustup profiles leave out.
pub fn ensure_rust_components(allow: bool) -> Result<()> {
    let missing: Vec<&str> = [("rustfmt", "fmt"), ("clippy", "clippy")]
        .into_iter()
        .filter(|(_, sub)| capture(&mut cmd("cargo", &[sub, "--version"])).is_none())
        .map(|(component, _)| component)
        .collect();
    if missing.is_empty() {
        note("rustfmt, clippy: present");
        return Ok(());
    }
    let fix = format!("rustup component add {}", missing.join(" "));
    if !allow {
        return Err(format!("missing {}; run `{fix}`", missing.join(", ")));
    }
    note(&format!(
        "missing {}, installing (`{fix}`)",
        missing.join(", ")
    ));
    let mut args = vec!["component", "add"];
    args.extend(missing.iter().copied());
    run(&mut cmd("rustup", &args))
}

/// The `version` of the first package called `name` in a `Cargo.lock` text.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() != wanted {
            continue;
        }
        for field in lines.by_ref() {
            let field = field.trim();
            if field.is_empty() || field.starts_with('[') {
                break;
            }
            if let Some(v) = field.strip_prefix("version = \"") {
                return v.strip_suffix('"').map(str::to_string);
            }
        }
    }
    None
}

/// The `wasm-bindgen` crate version this repository is locked to.
pub fn wasm_bindgen_version() -> Result<String> {
    let path = repo_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_string())
}

/// `wasm-bindgen` and `wasm-bindgen-test-runner` at exactly the locked version: the CLI and
/// the crate must agree on the schema, or every build fails with a version-mismatch error.
pub fn ensure_wasm_bindgen(allow: bool) -> Result<()> {
    let version = wasm_bindgen_version()?;
    let cli = tool_version("wasm-bindgen");
    let runner = tool_version("wasm-bindgen-test-runner");
    if cli.as_deref() == Some(&version) && runner.as_deref() == Some(&version) {
        note(&format!("wasm-bindgen CLI {version}: present"));
        return Ok(());
    }
    // No `--locked`: the CLI's own lock file can name versions a lagging registry index
    // does not have yet, and then the install fails outright.
    let fix = format!("cargo install wasm-bindgen-cli --version {version}");
    let found = cli.unwrap_or_else(|| "none".into());
    if !allow {
        return Err(format!(
            "wasm-bindgen CLI {version} is needed (found: {found}); run `{fix}`"
        ));
    }
    note(&format!(
        "wasm-bindgen CLI {version}: missing (found: {found}), installing (`{fix}`, takes minutes)"
    ));
    run(&mut cmd(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
    ))?;
    match tool_version("wasm-bindgen") {
        Some(v) if v == version => Ok(()),
        other => Err(format!(
            "after installing, `wasm-bindgen --version` gives {other:?}, not {version}; \
             is another wasm-bindgen earlier on PATH?"
        )),
    }
}

/// `"wasm-bindgen 0.2.130"` → `"0.2.130"`.
fn tool_version(tool: &str) -> Option<String> {
    which(tool)?;
    let out = capture(Command::new(tool).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_string)
}

/// Chromium and ChromeDriver for the browser tests, and lavapipe (`mesa-vulkan-drivers`) so
/// that native wgpu has a Vulkan device on a machine without a GPU.
pub fn ensure_browser(allow: bool) -> Result<()> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).is_file() {
        missing.push("chromium");
    }
    if !Path::new(CHROMEDRIVER).is_file() {
        missing.push("chromium-driver");
    }
    if debian_package_missing("mesa-vulkan-drivers") {
        missing.push("mesa-vulkan-drivers");
    }
    if missing.is_empty() {
        note("chromium, chromedriver, mesa-vulkan-drivers: present");
        return Ok(());
    }
    let list = missing.join(" ");
    let fix = format!("apt-get update && apt-get install -y {list}");
    if !allow {
        return Err(format!("missing system packages: {list}; run `{fix}`"));
    }
    if which("apt-get").is_none() {
        return Err(format!(
            "missing {list} and there is no apt-get here; install Chromium at {CHROMIUM} and \
             ChromeDriver at {CHROMEDRIVER} by hand"
        ));
    }
    note(&format!("missing {list}, installing (`{fix}`)"));
    let sudo = !is_root();
    if sudo && which("sudo").is_none() {
        return Err(format!("not root and no sudo: run `{fix}` as root"));
    }
    run(&mut apt(sudo, &["update"]))?;
    let mut args = vec!["install", "-y"];
    args.extend(missing.iter().copied());
    run(&mut apt(sudo, &args))
}

/// Debian's Firefox ESR and geckodriver (from crates.io; Debian does not package it) for
/// the Firefox stage. Returns geckodriver's path.
pub fn ensure_firefox(allow: bool) -> Result<std::path::PathBuf> {
    if !Path::new(FIREFOX).is_file() {
        let fix = "apt-get update && apt-get install -y firefox-esr";
        if !allow {
            return Err(format!("Firefox ESR is missing at {FIREFOX}; run `{fix}`"));
        }
        if which("apt-get").is_none() {
            return Err(format!(
                "Firefox ESR is missing and there is no apt-get here; install it at {FIREFOX}"
            ));
        }
        note(&format!("firefox-esr: missing, installing (`{fix}`)"));
        let sudo = !is_root();
        if sudo && which("sudo").is_none() {
            return Err(format!("not root and no sudo: run `{fix}` as root"));
        }
        run(&mut apt(sudo, &["update"]))?;
        run(&mut apt(sudo, &["install", "-y", "firefox-esr"]))?;
    } else {
        note("firefox-esr: present");
    }
    if let Some(path) = which("geckodriver") {
        note("geckodriver: present");
        return Ok(path);
    }
    let fix = format!("cargo install geckodriver --version {GECKODRIVER_VERSION}");
    if !allow {
        return Err(format!("geckodriver is missing; run `{fix}`"));
    }
    note(&format!(
        "geckodriver: missing, installing (`{fix}`, about 3 minutes)"
    ));
    run(&mut cmd(
        "cargo",
        &["install", "geckodriver", "--version", GECKODRIVER_VERSION],
    ))?;
    which("geckodriver").ok_or_else(|| {
        "geckodriver was installed but is not on PATH (is cargo's bin directory on it?)".into()
    })
}

fn apt(sudo: bool, args: &[&str]) -> Command {
    let mut c = if sudo {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    } else {
        Command::new("apt-get")
    };
    c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    c
}

fn is_root() -> bool {
    capture(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// True only when dpkg is there and says the package is not installed (elsewhere we
/// cannot tell, and the package is optional there).
fn debian_package_missing(pkg: &str) -> bool {
    if which("dpkg-query").is_none() {
        return false;
    }
    let status = capture(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]));
    status.as_deref() != Some("install ok installed")
}

/// `npm ci` in `dir` when its `node_modules` is missing or older than its lock file.
pub fn ensure_npm_deps(dir: &Path, allow: bool) -> Result<()> {
    let rel = dir.strip_prefix(repo_root()).unwrap_or(dir).display();
    if !dir.join("package.json").is_file() {
        return Ok(());
    }
    if !npm_deps_stale(dir) {
        note(&format!("{rel}/node_modules: present"));
        return Ok(());
    }
    let fix = format!("(cd {rel} && npm ci)");
    if !allow {
        return Err(format!(
            "{rel}/node_modules is missing or stale; run `{fix}`"
        ));
    }
    if which("npm").is_none() {
        return Err("npm is not on PATH; install Node.js 20 and npm".into());
    }
    note(&format!(
        "{rel}/node_modules: missing or stale, installing (`{fix}`)"
    ));
    let mut c = Command::new("npm");
    c.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
    run(&mut c)
}

fn npm_deps_stale(dir: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    // npm writes this hidden lock file on every install; it is older than the real one
    // exactly when someone changed the dependencies since.
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    let wanted = modified(&dir.join("package-lock.json"));
    match (installed, wanted) {
        (None, _) => true,
        (Some(i), Some(w)) => w > i,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn finds_the_exact_package_not_a_prefix() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.80")
        );
        assert_eq!(locked_version(LOCK, "serde"), None);
    }

    #[test]
    fn the_repository_lock_names_a_wasm_bindgen_version() {
        let v = wasm_bindgen_version().expect("Cargo.lock readable");
        let parts: Vec<&str> = v.split('.').collect();
        assert_eq!(parts.len(), 3, "not a semver version: {v}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{v}");
    }
}
