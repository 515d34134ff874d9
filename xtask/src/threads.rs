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
