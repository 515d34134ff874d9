//! `cargo xtask test`: every test suite, as stages that fail fast and end in one summary.

use crate::build::{build_page, BuildOptions};
use crate::install::{
    ensure_browser, ensure_firefox, ensure_npm_deps, ensure_rust_components, ensure_wasm_bindgen,
    ensure_wasm_target, CHROMEDRIVER, WASM_TARGET,
};
use crate::util::{cmd, repo_root, run, Result};
use std::time::{Duration, Instant};

/// Fuzzing time per target inside the test command; `cargo xtask fuzz` runs longer.
const FUZZ_SECONDS_PER_TARGET: u32 = 20;

/// The stages in the order they run; cheap checks first so a typo fails in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Setup,
    Fmt,
    Clippy,
    Native,
    Onnx,
    Fuzz,
    Wasm,
    Gpu,
    E2e,
    Package,
    Firefox,
}

pub const ALL: [Stage; 11] = [
    Stage::Setup,
    Stage::Fmt,
    Stage::Clippy,
    Stage::Native,
    Stage::Onnx,
    Stage::Fuzz,
    Stage::Wasm,
    Stage::Gpu,
    Stage::E2e,
    Stage::Package,
    Stage::Firefox,
];

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Setup => "setup",
            Stage::Fmt => "fmt",
            Stage::Clippy => "clippy",
            Stage::Native => "native",
            Stage::Onnx => "onnx",
            Stage::Fuzz => "fuzz",
            Stage::Wasm => "wasm",
            Stage::Gpu => "gpu",
            Stage::E2e => "e2e",
            Stage::Package => "package",
            Stage::Firefox => "firefox",
        }
    }

    pub fn parse(s: &str) -> Result<Stage> {
        ALL.into_iter().find(|st| st.name() == s).ok_or_else(|| {
            let names: Vec<_> = ALL.iter().map(|s| s.name()).collect();
            format!("unknown stage {s:?}; stages are {}", names.join(", "))
        })
    }

    fn what(self) -> &'static str {
        match self {
            Stage::Setup => "install what the selected stages need",
            Stage::Fmt => "cargo fmt --check",
            Stage::Clippy => "clippy, native (also with the threads feature), wasm32 (also the core build) and the wasm32 threads build, warnings denied",
            Stage::Native => "native cargo test --workspace, then the kernels and threads tests on a rayon pool",
            Stage::Onnx => "ONNX exports checked by onnx and onnxruntime (Python venv)",
            Stage::Fuzz => "bounded fuzzing of parsers and configs (cargo fuzz)",
            Stage::Wasm => "wasm-bindgen-test in Node and headless Chromium, and the threads build's pool tests",
            Stage::Gpu => "the webgpu feature: clippy, native wgpu tests on lavapipe, browser tests on SwiftShader",
            Stage::E2e => "release pkg/, pkg-core/ and pkg-threads/ + end-to-end tests in headless Chromium",
            Stage::Package => "npm pack, then the tarball in Vite, a static page and Node",
            Stage::Firefox => "wasm-bindgen browser tests and the page's smoke test in headless Firefox",
        }
    }
}

/// What the developer asked for.
#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    /// Fail instead of installing a missing tool.
    pub skip_install: bool,
    /// Run only these stages (setup still runs, for what they need).
    pub only: Vec<Stage>,
    /// Run the remaining stages after a failure.
    pub keep_going: bool,
}

enum Outcome {
    Passed(Duration),
    Failed(Duration, String),
    NotRun,
}

/// Runs the selected stages; prints one summary line per stage and, last, `N passed, N failed`.
pub fn run_tests(opts: &TestOptions) -> Result<()> {
    let selected: Vec<Stage> = ALL
        .into_iter()
        .filter(|s| *s == Stage::Setup || opts.only.is_empty() || opts.only.contains(s))
        .collect();
    let mut outcomes = Vec::new();
    let mut stop = false;
    for (i, &stage) in selected.iter().enumerate() {
        if stop {
            outcomes.push((stage, Outcome::NotRun));
            continue;
        }
        println!(
            "\n==> [{}/{}] {}: {}",
            i + 1,
            selected.len(),
            stage.name(),
            stage.what()
        );
        let start = Instant::now();
        let result = run_stage(stage, &selected, opts);
        let took = start.elapsed();
        match result {
            Ok(()) => outcomes.push((stage, Outcome::Passed(took))),
            Err(e) => {
                println!("\n!!! stage {} FAILED: {e}", stage.name());
                outcomes.push((stage, Outcome::Failed(took, e)));
                stop = !opts.keep_going;
            }
        }
    }

    println!("\n==> summary");
    let (mut passed, mut failed) = (0, 0);
    for (stage, outcome) in &outcomes {
        let name = stage.name();
        match outcome {
            Outcome::Passed(t) => {
                passed += 1;
                println!("  ok      {name:<7} {:>7.1} s", t.as_secs_f64());
            }
            Outcome::Failed(t, e) => {
                failed += 1;
                println!("  FAILED  {name:<7} {:>7.1} s  {e}", t.as_secs_f64());
            }
            Outcome::NotRun => println!("  -       {name:<7}    not run (an earlier stage failed)"),
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} stage(s) failed"))
    }
}

fn run_stage(stage: Stage, selected: &[Stage], opts: &TestOptions) -> Result<()> {
    let install = !opts.skip_install;
    let wants = |any: &[Stage]| selected.iter().any(|s| any.contains(s));
    match stage {
        Stage::Setup => {
            if wants(&[Stage::Fmt, Stage::Clippy]) {
                ensure_rust_components(install)?;
            }
            if wants(&[
                Stage::Clippy,
                Stage::Wasm,
                Stage::Gpu,
                Stage::E2e,
                Stage::Package,
                Stage::Firefox,
            ]) {
                ensure_wasm_target(install)?;
            }
            if wants(&[
                Stage::Wasm,
                Stage::Gpu,
                Stage::E2e,
                Stage::Package,
                Stage::Firefox,
            ]) {
                ensure_wasm_bindgen(install)?;
                ensure_browser(install)?;
            }
            // The threads build (its browser tests, and pkg-threads/ for the page).
            if wants(&[Stage::Wasm, Stage::E2e, Stage::Package, Stage::Firefox]) {
                crate::threads::ensure_nightly(install)?;
            }
            // Its lints: the same nightly with clippy.
            if wants(&[Stage::Clippy]) {
                crate::threads::ensure_nightly(install)?;
                crate::threads::ensure_nightly_clippy(install)?;
            }
            if wants(&[Stage::Onnx]) {
                crate::onnx::ensure_onnx_venv(install)?;
            }
            if wants(&[Stage::Fuzz]) {
                crate::fuzz::ensure_cargo_fuzz(install)?;
            }
            // The package and Firefox tests share tests/e2e's harness (server, Chromium).
            if wants(&[Stage::E2e, Stage::Package, Stage::Firefox]) {
                ensure_npm_deps(&repo_root().join("tests/e2e"), install)?;
            }
            if wants(&[Stage::Package]) {
                ensure_npm_deps(&repo_root().join("tests/package"), install)?;
            }
            if wants(&[Stage::Firefox]) {
                ensure_firefox(install)?;
                ensure_npm_deps(&repo_root().join("tests/firefox"), install)?;
            }
            Ok(())
        }
        Stage::Fmt => run(&mut cmd("cargo", &["fmt", "--all", "--", "--check"])),
        Stage::Clippy => {
            let deny = ["--", "-D", "warnings"];
            let mut native = vec!["clippy", "--workspace", "--all-targets"];
            native.extend(deny);
            run(&mut cmd("cargo", &native))?;
            // Lints the wasm-only code (SIMD128 kernels, the wasm API, browser tests) too,
            // as the page builds it and with the benchmark exports.
            // `bench,sequences` lints the benchmark exports and the Sequences bindings at once.
            for features in ["", "bench,sequences"] {
                let mut wasm = vec![
                    "clippy",
                    "--package",
                    "nn-playground",
                    "--lib",
                    "--tests",
                    "--target",
                    WASM_TARGET,
                    "--features",
                    features,
                ];
                wasm.extend(deny);
                run(&mut cmd("cargo", &wasm))?;
            }
            // The page's first build, without the feature `full` (`pkg-core/`): the bindings
            // it leaves out must not leave unused code behind.
            let mut core = vec![
                "clippy",
                "--package",
                "nn-playground",
                "--lib",
                "--target",
                WASM_TARGET,
                "--no-default-features",
            ];
            core.extend(deny);
            run(&mut cmd("cargo", &core))?;
            // The pool's code paths and the threads test, natively.
            let mut threads = vec![
                "clippy",
                "--package",
                "nn-playground",
                "--features",
                "threads",
                "--all-targets",
            ];
            threads.extend(deny);
            run(&mut cmd("cargo", &threads))?;
            // The threads build itself (wasm32 with atomics, the pinned nightly).
            crate::threads::clippy_threads_wasm()
        }
        Stage::Native => {
            run(&mut cmd("cargo", &["test", "--workspace"]))?;
            // The same kernels on a rayon pool: oracle tests, and 1/2/3 threads bit-identical.
            run(&mut cmd(
                "cargo",
                &[
                    "test",
                    "--package",
                    "nn-playground",
                    "--features",
                    "threads",
                    "--test",
                    "kernels",
                    "--test",
                    "threads",
                ],
            ))
        }
        Stage::Onnx => crate::onnx::run_onnx_check(),
        Stage::Fuzz => crate::fuzz::run_fuzz(FUZZ_SECONDS_PER_TARGET),
        Stage::Wasm => {
            // Test files with `run_in_browser` go to headless Chromium (flags in
            // webdriver.json); the rest run in Node.
            let mut c = cmd(
                "cargo",
                &[
                    "test",
                    "--package",
                    "nn-playground",
                    "--target",
                    WASM_TARGET,
                    "--tests",
                    // The Sequences bindings too (the full build `pkg/` carries them).
                    "--features",
                    "sequences",
                ],
            );
            c.env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
            run(&mut c)?;
            crate::threads::test_threads_wasm(CHROMEDRIVER)
        }
        Stage::Gpu => {
            // Software adapters (lavapipe natively, SwiftShader in Chromium) prove correctness;
            // without one the tests fail loudly rather than skip.
            let deny = ["--", "-D", "warnings"];
            let mut lint = vec![
                "clippy",
                "--package",
                "nn-playground",
                "--features",
                "webgpu",
                "--all-targets",
            ];
            lint.extend(deny);
            run(&mut cmd("cargo", &lint))?;
            // `bench` too: the browser suite also drives the benchmark page's GPU jobs.
            let mut lint_wasm = vec![
                "clippy",
                "--package",
                "nn-playground",
                "--features",
                "webgpu,bench",
                "--lib",
                "--tests",
                "--target",
                WASM_TARGET,
            ];
            lint_wasm.extend(deny);
            run(&mut cmd("cargo", &lint_wasm))?;
            run(&mut cmd(
                "cargo",
                &[
                    "test",
                    "--package",
                    "nn-playground",
                    "--features",
                    "webgpu",
                    "--test",
                    "gpu",
                ],
            ))?;
            let mut browser = cmd(
                "cargo",
                &[
                    "test",
                    "--package",
                    "nn-playground",
                    "--features",
                    "webgpu,bench",
                    "--target",
                    WASM_TARGET,
                    "--test",
                    "web_gpu",
                ],
            );
            browser
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
            run(&mut browser)
        }
        Stage::E2e => {
            build_page(&BuildOptions {
                features: None,
                install,
            })?;
            run(&mut node_tests("tests/e2e/"))
        }
        Stage::Package => {
            // The release builds are the e2e stage's when it ran just before: cargo then
            // only checks them.
            build_page(&BuildOptions {
                features: None,
                install,
            })?;
            let tarball = crate::pack::pack_built()?;
            let mut c = node_tests("tests/package/");
            c.env("NNP_TARBALL", tarball);
            run(&mut c)
        }
        Stage::Firefox => {
            let geckodriver = ensure_firefox(false)?;
            // The browser test files alone (the Node ones ran in the wasm stage), in Firefox:
            // without CHROMEDRIVER the runner picks GECKODRIVER. web_gpu stays Chromium's:
            // Firefox on Linux has no navigator.gpu.
            let files = browser_test_files()?;
            let mut args = vec![
                "test",
                "--package",
                "nn-playground",
                "--target",
                WASM_TARGET,
                "--features",
                "sequences",
            ];
            for f in &files {
                args.extend(["--test", f.as_str()]);
            }
            let mut c = cmd("cargo", &args);
            c.env_remove("CHROMEDRIVER")
                .env("GECKODRIVER", &geckodriver)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
            run(&mut c)?;
            build_page(&BuildOptions {
                features: None,
                install,
            })?;
            let mut e2e = node_tests("tests/firefox/");
            e2e.env("GECKODRIVER", &geckodriver);
            run(&mut e2e)
        }
    }
}

/// `node --test` of one test folder; the harness starts this very binary as the server
/// instead of another `cargo run`.
fn node_tests(dir: &str) -> std::process::Command {
    let mut c = cmd("node", &["--test", "--test-reporter=spec", dir]);
    if let Ok(me) = std::env::current_exe() {
        c.env("XTASK_BIN", me);
    }
    c
}

/// The test targets under tests/ that run in a browser (`run_in_browser`), except the GPU
/// ones, which need the `webgpu` feature and a WebGPU adapter.
/// A test file compiled only with the `webgpu` feature (its `#![cfg(...)]` names it); files
/// that merely skip a test or two without the feature still run in Firefox.
fn gated_on_webgpu(text: &str) -> bool {
    text.lines()
        .filter(|l| l.trim_start().starts_with("#![cfg("))
        .any(|l| l.contains("feature = \"webgpu\""))
}

fn browser_test_files() -> Result<Vec<String>> {
    let dir = repo_root().join("tests");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot list tests/: {e}"))?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("wasm_bindgen_test_configure!(run_in_browser)") && !gated_on_webgpu(&text)
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    if names.is_empty() {
        return Err("no browser test files (run_in_browser) under tests/".into());
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip_and_unknown_names_are_refused() {
        for s in ALL {
            assert_eq!(Stage::parse(s.name()), Ok(s));
        }
        let err = Stage::parse("lint").unwrap_err();
        assert!(err.contains("fmt, clippy"), "{err}");
    }

    #[test]
    fn firefox_runs_the_browser_suites_but_not_the_gpu_one() {
        let files = browser_test_files().expect("tests/ lists");
        assert!(files.iter().any(|f| f == "web_smoke"), "{files:?}");
        assert!(files.iter().any(|f| f == "web_api"), "{files:?}");
        assert!(!files.iter().any(|f| f == "web_gpu"), "{files:?}");
    }
}
