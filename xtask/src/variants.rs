//! The extra wasm builds next to `pkg/`: `pkg-core/` (`--no-default-features`: the page's
//! first build, without the feature `full`'s tables, explain views, ONNX, Keras API and
//! file readers; the page moves its session into `pkg/` when one of them is first used),
//! `pkg-bench/` (features `bench,webgpu,sequences`: the benchmark pages' CPU and GPU entry
//! points, which the page's builds leave out, and the Sequences mode's for its benchmark) and `pkg-relaxed/` (`bench` with `+simd128,+relaxed-simd`, which the benchmark
//! loads where `WebAssembly.validate` accepts it). Each has its own target directory, so that
//! switching features or flags never invalidates the plain build's cache.

use crate::install::WASM_TARGET;
use crate::util::{cmd, note, repo_root, run, target_dir, Result};
use std::process::Stdio;
use std::time::Instant;

/// Rust flags of the relaxed build (they replace `.cargo/config.toml`'s `+simd128`).
/// The inline threshold is `.cargo/config.toml`'s (see there why).
pub const RELAXED_RUSTFLAGS: &str =
    "-C target-feature=+simd128,+relaxed-simd -C llvm-args=-inline-threshold=75";

/// One extra build: its output folder, target sub-directory, features and flags.
struct Variant {
    out_dir: &'static str,
    target_sub: &'static str,
    /// Without the crate's default feature `full` (only the core build).
    core: bool,
    features: Option<&'static str>,
    rustflags: Option<&'static str>,
}

const CORE: Variant = Variant {
    out_dir: "pkg-core",
    target_sub: "core",
    core: true,
    features: None,
    rustflags: None,
};

const BENCH: Variant = Variant {
    out_dir: "pkg-bench",
    target_sub: "bench",
    core: false,
    features: Some("bench,webgpu,sequences"),
    rustflags: None,
};

const RELAXED: Variant = Variant {
    out_dir: "pkg-relaxed",
    target_sub: "relaxed",
    core: false,
    features: Some("bench"),
    rustflags: Some(RELAXED_RUSTFLAGS),
};

/// Builds `pkg-core/`. Run after `build_pkg` (which installs the tools).
pub fn build_core_pkg() -> Result<()> {
    build_variant(&CORE)
}

/// Builds `pkg-bench/`. Run after `build_pkg` (which installs the tools).
pub fn build_bench_pkg() -> Result<()> {
    build_variant(&BENCH)
}

/// Builds `pkg-relaxed/`. Run after `build_pkg` (which installs the tools).
pub fn build_relaxed_pkg() -> Result<()> {
    build_variant(&RELAXED)
}

fn build_variant(v: &Variant) -> Result<()> {
    let start = Instant::now();
    let root = repo_root();
    let dir = target_dir(&root).join(v.target_sub);
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut args = crate::build::release_wasm_args();
    args.extend(["--target-dir", dir_arg.as_str()]);
    if v.core {
        args.push("--no-default-features");
    }
    if let Some(f) = v.features {
        args.extend(["--features", f]);
    }
    let mut build = cmd("cargo", &args);
    if let Some(flags) = v.rustflags {
        build.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", flags);
    }
    build.stdout(Stdio::from(std::io::stderr()));
    run(&mut build)?;
    let wasm = dir
        .join(WASM_TARGET)
        .join("release")
        .join("nn_playground.wasm");
    let wasm = wasm.to_string_lossy().into_owned();
    crate::build::run_wasm_bindgen(&wasm, v.out_dir)?;
    // A build output, like pkg/: keep it out of git without touching the shared ignore list.
    std::fs::write(root.join(v.out_dir).join(".gitignore"), "*\n")
        .map_err(|e| format!("cannot write {}/.gitignore: {e}", v.out_dir))?;
    let size = std::fs::metadata(root.join(v.out_dir).join("nn_playground_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    note(&format!(
        "{}/ built in {:.1} s (nn_playground_bg.wasm: {} KiB)",
        v.out_dir,
        start.elapsed().as_secs_f64(),
        size.div_ceil(1024)
    ));
    Ok(())
}
