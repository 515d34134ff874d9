//! `cargo xtask fuzz`: bounded coverage-guided fuzzing (cargo fuzz / libFuzzer) of the CSV
//! parser, the model-file loader, the URL state, the config → train path and sizes from
//! outside (shapes near overflow, the epoch-limit text).

use crate::util::{capture, cmd, note, repo_root, run, Result};
use std::fs;
use std::path::Path;

/// The fuzz targets in `fuzz/fuzz_targets/`.
pub const TARGETS: [&str; 5] = ["csv", "model_json", "config_train", "url_state", "shapes"];

/// `cargo install cargo-fuzz` unless `cargo fuzz` answers.
pub fn ensure_cargo_fuzz(allow: bool) -> Result<()> {
    if capture(&mut cmd("cargo", &["fuzz", "--version"])).is_some() {
        note("cargo-fuzz: present");
        return Ok(());
    }
    if !allow {
        return Err("cargo-fuzz is missing; run `cargo install cargo-fuzz`".into());
    }
    note("cargo-fuzz: missing, installing (`cargo install cargo-fuzz`)");
    run(&mut cmd("cargo", &["install", "cargo-fuzz"]))
}

/// Builds every target, then fuzzes each for `seconds`, starting from the committed seeds.
/// A crash fails with the path of the input that caused it.
pub fn run_fuzz(seconds: u32) -> Result<()> {
    let root = repo_root();
    // libFuzzer's instrumentation flags are unstable options; the stable toolchain accepts
    // them for this build only.
    let fuzz_cmd = |args: &[&str]| {
        let mut c = cmd("cargo", args);
        c.current_dir(&root).env("RUSTC_BOOTSTRAP", "1");
        c
    };
    run(&mut fuzz_cmd(&["fuzz", "build", "-s", "none"]))?;
    for target in TARGETS {
        let corpus = root.join("fuzz/corpus").join(target);
        let seeds = root.join("fuzz/seeds").join(target);
        fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let max_time = format!("-max_total_time={seconds}");
        let corpus_s = corpus.to_string_lossy().into_owned();
        let seeds_s = seeds.to_string_lossy().into_owned();
        let args = [
            "fuzz",
            "run",
            "-s",
            "none",
            target,
            &corpus_s,
            &seeds_s,
            "--",
            &max_time,
            "-rss_limit_mb=2048",
            "-timeout=10",
            "-print_final_stats=1",
        ];
        let output = fuzz_cmd(&args)
            .output()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let runs = log
            .lines()
            .find_map(|l| l.strip_prefix("Done "))
            .unwrap_or("no run count reported");
        println!("  fuzz {target:<13} {runs}");
        if !output.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            return Err(format!(
                "fuzz target {target} failed; the crashing input is under {}; copy it into {} as a regression seed once fixed\n{}",
                Path::new("fuzz/artifacts").join(target).display(),
                Path::new("fuzz/seeds").join(target).display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
    }
    Ok(())
}
