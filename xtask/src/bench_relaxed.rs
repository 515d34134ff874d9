//! The relaxed-SIMD build for the benchmark: `pkg-relaxed/`, the same crate compiled with
//! `+simd128,+relaxed-simd`. The benchmark page loads it only where `WebAssembly.validate`
//! accepts it, keeping `pkg/` (plain SIMD128) as the fallback.

use crate::install::WASM_TARGET;
use crate::util::{cmd, note, repo_root, run, target_dir, Result};
use std::process::Stdio;

/// Rust flags of the relaxed build (they replace `.cargo/config.toml`'s `+simd128`).
pub const RELAXED_RUSTFLAGS: &str = "-C target-feature=+simd128,+relaxed-simd";

/// Builds `pkg-relaxed/` in its own target directory, so that switching flags never
/// invalidates the plain build's cache. Run after `build_pkg` (which installs the tools).
pub fn build_relaxed_pkg() -> Result<()> {
    let root = repo_root();
    let dir = target_dir(&root).join("relaxed");
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut build = cmd(
        "cargo",
        &[
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "--package",
            "nn-playground",
            "--lib",
            "--target-dir",
            &dir_arg,
        ],
    );
    build
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            RELAXED_RUSTFLAGS,
        )
        .stdout(Stdio::from(std::io::stderr()));
    run(&mut build)?;
    let wasm = dir
        .join(WASM_TARGET)
        .join("release")
        .join("nn_playground.wasm");
    let wasm = wasm.to_string_lossy().into_owned();
    crate::build::run_wasm_bindgen(&wasm, "pkg-relaxed")?;
    // A build output, like pkg/: keep it out of git without touching the shared ignore list.
    std::fs::write(root.join("pkg-relaxed/.gitignore"), "*\n")
        .map_err(|e| format!("cannot write pkg-relaxed/.gitignore: {e}"))?;
    note("pkg-relaxed/ built (+simd128,+relaxed-simd)");
    Ok(())
}
