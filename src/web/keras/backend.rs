//! The `backend` option of the Keras-style API (`'cpu' | 'webgpu' | 'auto'`), what a resolved
//! choice reports in the history (`backend`, `backendNote`), and what both builds share of it.

use wasm_bindgen::prelude::*;

use crate::Logs;

/// Which engine `fit` trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Backend {
    /// The CPU engine (WebAssembly SIMD128), as without the option.
    #[default]
    Cpu,
    /// The GPU; rejects when this build, the browser or the model cannot.
    WebGpu,
    /// The GPU when it can run the model, else the CPU (never fails for want of a GPU).
    Auto,
}

impl Backend {
    /// `"cpu"`, `"webgpu"` (also `"webGPU"`, `"gpu"`) or `"auto"`, in any case.
    pub(super) fn parse(name: &str) -> Result<Self, JsError> {
        match name.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "webgpu" | "gpu" => Ok(Self::WebGpu),
            "auto" => Ok(Self::Auto),
            _ => Err(JsError::new(&format!(
                "unknown backend {name:?}: use \"cpu\", \"webgpu\" or \"auto\""
            ))),
        }
    }
}

/// Why `'webgpu'` is refused by the CPU build: the user imported the wrong package.
pub(super) const NOT_IN_THIS_BUILD: &str = "this build has no WebGPU backend; import \
     pkg-webgpu/nn_playground.js (built by `cargo xtask build`) for backend \"webgpu\"";

/// What `fit` resolved the choice to before its first epoch.
pub(super) struct Opened<G> {
    /// The GPU run, when training starts on the GPU.
    pub run: Option<G>,
    /// `"webgpu (adapter)"` for a GPU run, else `"cpu"`.
    pub label: String,
    /// Why `'auto'` chose the CPU.
    pub note: Option<String>,
}

impl<G> Opened<G> {
    pub(super) fn cpu(note: Option<String>) -> Self {
        Self {
            run: None,
            label: "cpu".into(),
            note,
        }
    }
}

/// One epoch on the GPU.
// The CPU build matches on it but never makes one.
#[cfg_attr(not(all(feature = "webgpu", target_arch = "wasm32")), allow(dead_code))]
pub(super) enum Epoch {
    /// Trained; the weights are in the model. `last_batch`: index of the epoch's last batch.
    Trained { logs: Logs, last_batch: usize },
    /// The GPU stopped working (device lost or released, a failed read-back): the model
    /// still holds the previous epoch's weights; the reason says what happened.
    Lost(String),
}

/// Which backends trained the epochs of one `fit`, for the history.
pub(super) struct Report {
    label: String,
    note: Option<String>,
    gpu_epochs: usize,
    gpu_lost: bool,
}

impl Report {
    pub(super) fn new(label: String, note: Option<String>) -> Self {
        Self {
            label,
            note,
            gpu_epochs: 0,
            gpu_lost: false,
        }
    }

    pub(super) fn gpu_epoch(&mut self) {
        self.gpu_epochs += 1;
    }

    /// The GPU failed during 0-based `epoch`; that epoch and the rest run on the CPU.
    pub(super) fn lost(&mut self, epoch: usize, why: &str) {
        self.gpu_lost = true;
        let from = if epoch == 0 {
            "the initial weights".to_string()
        } else {
            format!("the weights of epoch {epoch}")
        };
        self.note = Some(format!(
            "the GPU stopped before finishing epoch {} ({why}); that epoch and the later ones ran on the CPU, from {from}",
            epoch + 1
        ));
    }

    /// `"cpu"`, `"webgpu (adapter)"`, or `"webgpu (adapter), then cpu"` after a loss.
    pub(super) fn label(&self) -> String {
        if !self.gpu_lost {
            self.label.clone()
        } else if self.gpu_epochs == 0 {
            "cpu".into()
        } else {
            format!("{}, then cpu", self.label)
        }
    }

    pub(super) fn note(&self) -> Option<String> {
        self.note.clone()
    }
}
