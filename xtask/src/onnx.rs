//! The `onnx` stage: a Python virtual environment from PyPI with pinned `onnx`,
//! `onnxruntime` and `numpy` (made when missing), the engine's exports written by the
//! `onnx_cases` example, and `tests/onnx/check.py` comparing onnxruntime with the engine.

use crate::util::{capture, cmd, note, repo_root, run, target_dir, Result};
use std::path::PathBuf;

/// The packages `check.py` imports, pinned so that a run today and one next year compare
/// against the same runtime.
const PINS: [&str; 3] = ["onnx==1.23.2", "onnxruntime==1.31.1", "numpy==2.4.6"];

/// `target/onnx-venv` (under `CARGO_TARGET_DIR` when set): kept between runs, like builds.
fn venv() -> PathBuf {
    target_dir(&repo_root()).join("onnx-venv")
}

fn venv_python() -> PathBuf {
    venv().join("bin").join("python")
}

/// True when the venv's Python imports the pinned versions.
fn venv_ready() -> bool {
    let probe = "import onnx, onnxruntime, numpy; print(f'onnx=={onnx.__version__} onnxruntime=={onnxruntime.__version__} numpy=={numpy.__version__}')";
    let python = venv_python();
    capture(&mut cmd(python.as_os_str(), &["-c", probe])).is_some_and(|v| v == PINS.join(" "))
}

/// Makes the venv and installs [`PINS`] unless they are there already.
pub fn ensure_onnx_venv(allow: bool) -> Result<()> {
    let dir = venv();
    if venv_ready() {
        note(&format!("onnx venv: present ({})", PINS.join(", ")));
        return Ok(());
    }
    let shown = dir.display().to_string();
    let fix = format!(
        "python3 -m venv {shown} && {shown}/bin/pip install {}",
        PINS.join(" ")
    );
    if !allow {
        return Err(format!(
            "the onnx check's Python environment is missing; run `{fix}`"
        ));
    }
    note(&format!("onnx venv: missing, installing (`{fix}`)"));
    run(&mut cmd("python3", &["-m", "venv", &shown]))?;
    let pip = dir.join("bin").join("pip");
    let mut args = vec!["install", "--disable-pip-version-check", "--quiet"];
    args.extend(PINS);
    run(&mut cmd(pip.as_os_str(), &args))?;
    if venv_ready() {
        Ok(())
    } else {
        Err(format!(
            "installed {} into {shown}, but its Python does not import them",
            PINS.join(", ")
        ))
    }
}

/// Writes the cases into a fresh `target/onnx-cases` and checks them with onnxruntime.
pub fn run_onnx_check() -> Result<()> {
    let cases = target_dir(&repo_root()).join("onnx-cases");
    if cases.exists() {
        std::fs::remove_dir_all(&cases)
            .map_err(|e| format!("could not clear {}: {e}", cases.display()))?;
    }
    let dir = cases.display().to_string();
    // The test profile: the `native` stage has built the library that way already.
    run(&mut cmd(
        "cargo",
        &[
            "run",
            "--quiet",
            "--profile",
            "test",
            "--example",
            "onnx_cases",
            "--",
            &dir,
        ],
    ))?;
    let python = venv_python();
    run(&mut cmd(python.as_os_str(), &["tests/onnx/check.py", &dir]))
}
