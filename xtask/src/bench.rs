//! `cargo xtask bench`: builds the release `pkg/` (the full build, with WebGPU) and `pkg-threads/`, the
//! benchmark builds `pkg-bench/`, `pkg-threads-bench/` and `pkg-relaxed/`, and runs the
//! benchmark scripts in `bench/`, the threads page last.
//!
//! `bench/kernels.mjs` runs the wasm kernels in Node and prints its own table.
//! `bench/soak.mjs` trains 10⁶ steps in Node and checks that wasm memory stays flat.
//! `bench/browser.mjs` drives a benchmark page in headless Chromium; it gets the URL of a
//! server started here (loopback, free port) in `BENCH_URL`, so it never builds or serves.

use crate::build::{build_all, build_page, BuildOptions};
use crate::install::{ensure_browser, ensure_npm_deps};
use crate::serve::{bind, serve_forever, url_of};
use crate::util::{cmd, note, repo_root, run, Result};
use std::net::{IpAddr, Ipv4Addr};

#[derive(Debug, Clone, Default)]
pub struct BenchOptions {
    /// Reuse the existing `pkg/` (and the benchmark builds).
    pub no_build: bool,
    pub skip_install: bool,
}

/// The page's builds (the soak runs `pkg/`), with `benchmarks` also the benchmark builds.
fn build_unless(opts: &BenchOptions, benchmarks: bool) -> Result<()> {
    if opts.no_build {
        return Ok(());
    }
    let build = BuildOptions {
        features: None,
        install: !opts.skip_install,
    };
    if !benchmarks {
        return build_page(&build);
    }
    build_all(&build)?;
    crate::variants::build_relaxed_pkg()
}

/// `cargo xtask soak`: the long run alone (Node only, no npm packages needed).
pub fn run_soak(opts: &BenchOptions) -> Result<()> {
    build_unless(opts, false)?;
    println!("\n==> bench/soak.mjs (Node)");
    run(&mut cmd("node", &["bench/soak.mjs"]))
}

pub fn run_bench(opts: &BenchOptions) -> Result<()> {
    let root = repo_root();
    let install = !opts.skip_install;
    build_unless(opts, true)?;
    let kernels = root.join("bench/kernels.mjs");
    let browser = root.join("bench/browser.mjs");
    if !kernels.is_file() && !browser.is_file() && !root.join("bench/soak.mjs").is_file() {
        note("no benchmarks yet: none of bench/kernels.mjs, soak.mjs, browser.mjs exists");
        return Ok(());
    }
    // Peers (TF.js, brain.js …) are pinned dev dependencies of bench/.
    ensure_npm_deps(&root.join("bench"), install)?;

    if kernels.is_file() {
        println!("\n==> bench/kernels.mjs (Node)");
        run(&mut cmd("node", &["bench/kernels.mjs"]))?;
    }
    if root.join("bench/soak.mjs").is_file() {
        println!("\n==> bench/soak.mjs (Node)");
        run(&mut cmd("node", &["bench/soak.mjs"]))?;
    }
    if browser.is_file() {
        ensure_browser(install)?;
        let listener = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)?;
        let url = url_of(
            listener
                .local_addr()
                .map_err(|e| format!("no local address: {e}"))?,
        );
        let served = root.clone();
        std::thread::spawn(move || serve_forever(listener, served, false));
        println!("\n==> bench/browser.mjs (headless Chromium, {url})");
        let mut c = cmd("node", &["bench/browser.mjs"]);
        c.env("BENCH_URL", &url);
        run(&mut c)?;
        println!("\n==> bench/browser.mjs --only threads (headless Chromium, {url})");
        let mut c = cmd("node", &["bench/browser.mjs", "--only", "threads"]);
        c.env("BENCH_URL", &url);
        run(&mut c)?;
    }
    Ok(())
}
