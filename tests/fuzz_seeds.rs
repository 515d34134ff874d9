//! Replays every committed fuzz seed (`fuzz/seeds/<target>/*`) through the same checks the
//! fuzz targets run, so an input that once crashed stays fixed under a plain `cargo test`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/checks.rs"]
mod checks;

use std::fs;
use std::path::Path;

/// A fuzz check: panics on a finding.
type Check = fn(&[u8]);

/// Every target in `fuzz/fuzz_targets/` with the check it runs.
const TARGETS: [(&str, Check); 5] = [
    ("csv", checks::csv),
    ("model_json", checks::model_json),
    ("config_train", checks::config_train),
    ("url_state", checks::url_state),
    ("shapes", checks::shapes),
];

fn seeds(target: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_check_and_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .expect("fuzz targets directory")
        .filter_map(|e| {
            let p = e.ok()?.path();
            Some(p.file_stem()?.to_str()?.to_string())
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "a fuzz target without a seed replay here (or the reverse)"
    );
    for (target, _) in TARGETS {
        assert!(!seeds(target).is_empty(), "no seeds for {target}");
    }
}

#[test]
fn committed_seeds_pass_their_checks() {
    for (target, check) in TARGETS {
        for path in seeds(target) {
            let bytes = fs::read(&path).expect("seed file");
            let outcome = std::panic::catch_unwind(|| check(&bytes));
            assert!(
                outcome.is_ok(),
                "seed {} fails the {target} check",
                path.display()
            );
        }
    }
}
