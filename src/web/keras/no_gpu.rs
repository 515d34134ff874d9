//! The `backend` choice in builds without the GPU backend: `'webgpu'` rejects and names the
//! package that has it; `'auto'` trains on the CPU and says why. Mirrors `gpu.rs`'s interface
//! so that `fit` reads the same in both builds.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::backend::{Backend, Epoch, Opened, NOT_IN_THIS_BUILD};
use crate::{FitOptions, Matrix, Sequential};

/// Nothing to keep between `fit` calls.
#[derive(Clone)]
pub(super) struct Slot;

pub(super) fn new_slot() -> Slot {
    Slot
}

/// No GPU run can exist in this build.
pub(super) enum GpuFit {}

/// `'cpu'` and `'auto'` train on the CPU; `'webgpu'` rejects.
pub(super) async fn open(
    choice: Backend,
    _slot: &Slot,
    _model: &RefCell<Sequential>,
    _x: &Matrix,
    _y: &Matrix,
    _opts: &FitOptions,
) -> Result<Opened<GpuFit>, JsValue> {
    match choice {
        Backend::Cpu => Ok(Opened::cpu(None)),
        Backend::WebGpu => Err(JsError::new(NOT_IN_THIS_BUILD).into()),
        Backend::Auto => Ok(Opened::cpu(Some(format!(
            "{NOT_IN_THIS_BUILD}; trained on the CPU"
        )))),
    }
}

impl GpuFit {
    pub(super) async fn epoch(&mut self, _model: &RefCell<Sequential>) -> Result<Epoch, JsValue> {
        match *self {}
    }
}
