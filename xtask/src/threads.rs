//! The multi-threaded wasm build `pkg-threads/`: the engine with the `threads` feature, a
//! shared memory (`+atomics,+bulk-memory,+mutable-globals`) and a standard library rebuilt
//! with those features, which only a nightly toolchain can do (`-Z build-std`). The nightly
//! is pinned here and installed (minimal profile plus `rust-src`) when missing; the stable
//! single-thread builds never use it.

use crate::install::WASM_TARGET;
use crate::util::{capture, cmd, note, repo_root, run, target_dir, Result};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The nightly the threads build was verified with (a date whose `rust-src` builds `std`
/// for wasm32 with atomics; its prebuilt wasm32 `rust-std` is not needed).
pub const NIGHTLY: &str = "nightly-2026-05-19";

/// Rust flags of the threads build; they replace `.cargo/config.toml`'s `+simd128`. The
/// target features alone leave the memory private to one instance: the linker arguments make
/// it an imported shared memory (with the maximum a shared memory must declare, 2 GiB here)
/// and export the thread-local-storage symbols wasm-bindgen sets up each worker's TLS with.
/// The inline threshold is `.cargo/config.toml`'s (see there why).
pub const THREADS_RUSTFLAGS: &str =
    "-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
-C link-arg=--shared-memory -C link-arg=--max-memory=2147483648 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base \
-C llvm-args=-inline-threshold=75";

/// The pinned nightly with `rust-src`, installed when missing (`allow`) or named in the
/// error otherwise.
pub fn ensure_nightly(allow: bool) -> Result<()> {
    if nightly_has_rust_src() {
        note(&format!("{NIGHTLY} with rust-src: present"));
        return Ok(());
    }
    let fix = format!("rustup toolchain install {NIGHTLY} --profile minimal -c rust-src");
    if !allow {
        return Err(format!(
            "the threads build needs {NIGHTLY} with rust-src; run `{fix}`"
        ));
    }
    note(&format!(
        "{NIGHTLY} with rust-src: missing, installing (`{fix}`)"
    ));
    run(&mut cmd(
        "rustup",
        &[
            "toolchain",
            "install",
            NIGHTLY,
            "--profile",
            "minimal",
            "-c",
            "rust-src",
        ],
    ))
}

/// Clippy for the pinned nightly (the threads build's lints), added when missing (`allow`)
/// or named in the error otherwise.
pub fn ensure_nightly_clippy(allow: bool) -> Result<()> {
    let has = capture(&mut cmd(
        "rustup",
        &["component", "list", "--installed", "--toolchain", NIGHTLY],
    ))
    .map(|list| list.lines().any(|l| l.starts_with("clippy")))
    .unwrap_or(false);
    if has {
        note(&format!("{NIGHTLY} with clippy: present"));
        return Ok(());
    }
    let args = ["component", "add", "clippy", "--toolchain", NIGHTLY];
    if !allow {
        return Err(format!(
            "the threads build's lints need clippy on {NIGHTLY}; run `rustup {}`",
            args.join(" ")
        ));
    }
    note(&format!("{NIGHTLY} with clippy: missing, installing"));
    run(&mut cmd("rustup", &args))
}

fn nightly_has_rust_src() -> bool {
    capture(&mut cmd(
        "rustc",
        &[&format!("+{NIGHTLY}"), "--print", "sysroot"],
    ))
    .map(|root| {
        std::path::Path::new(&root)
            .join("lib/rustlib/src/rust/library/std")
            .is_dir()
    })
    .unwrap_or(false)
}

/// `cargo` on the pinned nightly, clear of the variables the outer (stable) cargo and
/// rustup set for this process, which would otherwise pick the stable compiler.
fn nightly_cargo(args: &[&str]) -> Command {
    let mut c = cmd("rustup", &["run", NIGHTLY, "cargo"]);
    c.args(args);
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "CARGO",
        "RUSTC_WRAPPER",
    ] {
        c.env_remove(var);
    }
    c.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        THREADS_RUSTFLAGS,
    );
    c
}

/// Builds `pkg-threads/`. Run after `build_pkg` (which installs the wasm-bindgen CLI).
pub fn build_threads_pkg(install: bool) -> Result<()> {
    build_threads_variant(install, "pkg-threads", "threads", "threads")
}

/// Builds `pkg-threads-bench/`: the threads build with the benchmark exports, for
/// `bench/threads.html` (the page's `pkg-threads/` does not carry them).
pub fn build_threads_bench_pkg(install: bool) -> Result<()> {
    build_threads_variant(
        install,
        "pkg-threads-bench",
        "threads-bench",
        "threads,bench",
    )
}

fn build_threads_variant(
    install: bool,
    out_dir: &str,
    target_sub: &str,
    features: &str,
) -> Result<()> {
    ensure_nightly(install)?;
    let start = Instant::now();
    let root = repo_root();
    let dir = target_dir(&root).join(target_sub);
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut args = crate::build::release_wasm_args();
    args.extend([
        "--target-dir",
        dir_arg.as_str(),
        "--features",
        features,
        "-Z",
        "build-std=panic_abort,std",
    ]);
    let mut build = nightly_cargo(&args);
    build.stdout(Stdio::from(std::io::stderr()));
    run(&mut build)?;
    let wasm = dir
        .join(WASM_TARGET)
        .join("release")
        .join("nn_playground.wasm");
    crate::build::run_wasm_bindgen(&wasm.to_string_lossy(), out_dir)?;
    fix_pool_worker_init(&root.join(out_dir))?;
    std::fs::write(root.join(out_dir).join(".gitignore"), "*\n")
        .map_err(|e| format!("cannot write {out_dir}/.gitignore: {e}"))?;
    let size = std::fs::metadata(root.join(out_dir).join("nn_playground_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    note(&format!(
        "{out_dir}/ built in {:.1} s (nn_playground_bg.wasm: {} KiB)",
        start.elapsed().as_secs_f64(),
        size.div_ceil(1024)
    ));
    Ok(())
}

/// Clippy on the threads build as `build_threads_pkg` compiles it (wasm32, atomics, the
/// pinned nightly), library and tests, warnings denied.
pub fn clippy_threads_wasm() -> Result<()> {
    run(&mut threads_cargo(
        &["clippy", "--package", "nn-playground"],
        &["--lib", "--tests", "--", "-D", "warnings"],
    ))
}

/// `cargo +NIGHTLY <head> … <tail>` for the wasm32 threads build of the engine, in its own
/// target folder (`target/threads`): the target, the feature and the rebuilt standard
/// library every threads command shares.
fn threads_cargo(head: &[&str], tail: &[&str]) -> Command {
    let dir = target_dir(&repo_root()).join("threads");
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut args: Vec<&str> = head.to_vec();
    args.extend([
        "--target",
        WASM_TARGET,
        "--target-dir",
        dir_arg.as_str(),
        "--features",
        "threads",
        "-Z",
        "build-std=panic_abort,std",
    ]);
    args.extend(tail);
    nightly_cargo(&args)
}

/// `tests/wasm_threads.rs` on the threads build in a dedicated worker of headless Chromium
/// (the test runner serves it cross-origin isolated, so the pool can start).
pub fn test_threads_wasm(chromedriver: &str) -> Result<()> {
    let mut test = threads_cargo(&["test"], &["--test", "wasm_threads"]);
    test.env("CHROMEDRIVER", chromedriver);
    run(&mut test)
}

/// The pool's worker script (wasm-bindgen-rayon's `workerHelpers.no-bundler.js`, copied under `snippets/`) starts each
/// worker with `pkg.default(module, memory)`, the init call's deprecated form: every pool
/// worker then logs "using deprecated parameters for the initialization function". The
/// bindings want one object, `{module_or_path, memory}`; this rewrites the call in the
/// copy. A script that has neither form any more fails the build, so a new version of the
/// crate is looked at rather than left warning.
fn fix_pool_worker_init(pkg: &std::path::Path) -> Result<()> {
    let snippets = pkg.join("snippets");
    let Ok(dirs) = std::fs::read_dir(&snippets) else {
        return Err(format!(
            "{} is missing: no pool worker script to start workers with",
            snippets.display()
        ));
    };
    let mut fixed = 0;
    for dir in dirs.flatten() {
        let file = dir.path().join("src").join("workerHelpers.no-bundler.js");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let new = pool_init_call(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        std::fs::write(&file, new).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        fixed += 1;
    }
    if fixed == 0 {
        return Err(format!(
            "no workerHelpers.no-bundler.js under {}",
            snippets.display()
        ));
    }
    Ok(())
}

const POOL_INIT_OLD: &str = "pkg.default(data.module, data.memory)";
const POOL_INIT_NEW: &str = "pkg.default({ module_or_path: data.module, memory: data.memory })";

/// The script's text with its init call in the one-object form (see `fix_pool_worker_init`).
fn pool_init_call(text: &str) -> Result<String> {
    if text.contains(POOL_INIT_NEW) {
        return Ok(text.to_string());
    }
    if !text.contains(POOL_INIT_OLD) {
        return Err(format!(
            "the pool worker script's init call is neither `{POOL_INIT_OLD}` nor `{POOL_INIT_NEW}`"
        ));
    }
    Ok(text.replace(POOL_INIT_OLD, POOL_INIT_NEW))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_worker_script_calls_init_with_one_object() {
        let script = "const pkg = await import(data.mainJS);\n  await pkg.default(data.module, data.memory);\n";
        let fixed = pool_init_call(script).unwrap();
        assert!(
            fixed.contains(
                "await pkg.default({ module_or_path: data.module, memory: data.memory });"
            ),
            "{fixed}"
        );
        assert!(!fixed.contains(POOL_INIT_OLD));
        // Already fixed (a rebuild over the same folder): unchanged.
        assert_eq!(pool_init_call(&fixed).unwrap(), fixed);
        // A script that changed its call is not silently left as it is.
        assert!(pool_init_call("await pkg.default(something_else);").is_err());
    }
}
