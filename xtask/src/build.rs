//! `cargo xtask build`: the page's three builds — the full release wasm (SIMD128 through
//! `.cargo/config.toml`; tables, ONNX, the Sequences mode and WebGPU) into `pkg/`, the first
//! visit's `pkg-core/` and the threads build `pkg-threads/` — then
//! the benchmark pages' builds `pkg-bench/` and `pkg-threads-bench/` (feature `bench`).

use crate::install::{ensure_wasm_bindgen, ensure_wasm_target, WASM_TARGET};
use crate::util::{cmd, note, repo_root, run, target_dir, Result};
use std::process::Stdio;
use std::time::Instant;

/// Set (to anything) to keep the wasm `name` section, for CPU profiles with function names.
pub const KEEP_NAMES: &str = "NN_PLAYGROUND_KEEP_NAMES";

/// What `build` may change from the defaults.
#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    /// Cargo features for the engine, e.g. `webgpu`.
    pub features: Option<String>,
    /// Install the wasm target and the wasm-bindgen CLI when missing.
    pub install: bool,
}

/// Builds `target/wasm32-unknown-unknown/release/nn_playground.wasm` and binds it into `pkg/`
/// (`nn_playground.js` + `nn_playground_bg.wasm`, ES-module output for the page and workers).
pub fn build_pkg(opts: &BuildOptions) -> Result<()> {
    ensure_wasm_target(opts.install)?;
    ensure_wasm_bindgen(opts.install)?;
    let start = Instant::now();
    let mut args = release_wasm_args();
    let features = match &opts.features {
        Some(f) => format!("{FULL_FEATURES},{f}"),
        None => FULL_FEATURES.to_string(),
    };
    args.extend(["--features", features.as_str()]);
    // Keep stdout for `serve`'s URL line: the build's own output goes to stderr.
    run(cmd("cargo", &args).stdout(Stdio::from(std::io::stderr())))?;

    let root = repo_root();
    let wasm = target_dir(&root)
        .join(WASM_TARGET)
        .join("release")
        .join("nn_playground.wasm");
    let wasm = wasm.to_string_lossy().into_owned();
    run_wasm_bindgen(&wasm, "pkg")?;

    let size = std::fs::metadata(root.join("pkg/nn_playground_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    note(&format!(
        "pkg/ built in {:.1} s (nn_playground_bg.wasm: {} KiB)",
        start.elapsed().as_secs_f64(),
        size.div_ceil(1024)
    ));
    Ok(())
}

/// The features of the full build `pkg/` besides the default `full`: it is the one build
/// with everything (the npm package's too), so the page never holds two copies of it.
pub const FULL_FEATURES: &str = "webgpu,sequences";

/// `cargo` arguments of the engine's release wasm build (the library only).
pub fn release_wasm_args() -> Vec<&'static str> {
    vec![
        "build",
        "--release",
        "--target",
        WASM_TARGET,
        "--package",
        "nn-playground",
        "--lib",
    ]
}

/// Everything the page loads, three builds: `pkg-core/` (the first visit's, without the
/// feature `full`), `pkg/` (everything: tables, explain views, ONNX, file readers, the
/// Sequences mode, WebGPU; moved into on first use of one of them) and the threads build
/// `pkg-threads/` (the playground's `full` on a pool of threads: no WebGPU, no Sequences), which a cross-origin
/// isolated page on more than one core moves into instead of `pkg/` when it can.
pub fn build_page(opts: &BuildOptions) -> Result<()> {
    build_pkg(opts)?;
    crate::variants::build_core_pkg()?;
    crate::threads::build_threads_pkg(opts.install)
}

/// The page's builds, then the benchmark pages' own: `pkg-bench/` (CPU and GPU benchmark
/// exports) and `pkg-threads-bench/` (the threads build with them). The test stages build
/// only the page's ([`build_page`]).
pub fn build_all(opts: &BuildOptions) -> Result<()> {
    build_page(opts)?;
    build_benchmarks(opts.install)
}

/// `pkg-bench/` and `pkg-threads-bench/`. Run after `build_pkg` (which installs the tools).
pub fn build_benchmarks(install: bool) -> Result<()> {
    crate::variants::build_bench_pkg()?;
    crate::threads::build_threads_bench_pkg(install)
}

/// `wasm-bindgen --target web` of `wasm` into `out_dir` (relative to the repository root).
/// Function names are ~100 KiB of the module and only serve profilers: dropped unless asked
/// for (`NN_PLAYGROUND_KEEP_NAMES=1 cargo xtask build`).
pub fn run_wasm_bindgen(wasm: &str, out_dir: &str) -> Result<()> {
    let mut bindgen = vec!["--target", "web", "--out-dir", out_dir];
    if std::env::var_os(KEEP_NAMES).is_none() {
        bindgen.extend(["--remove-name-section", "--remove-producers-section"]);
    }
    bindgen.push(wasm);
    run(cmd("wasm-bindgen", &bindgen)
        .current_dir(repo_root())
        .stdout(Stdio::from(std::io::stderr())))
}
