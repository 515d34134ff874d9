//! The `backend` choice in builds without the GPU backend: `'webgpu'` rejects and names the
//! package that has it; `'auto'` trains on the CPU and says why. Mirrors `gpu.rs`'s interface
//! so that `fit` reads the same in both builds.

use wasm_bindgen::prelude::*;

use crate::spec::BackendChoice;
use crate::train::Engine;
use crate::web::js_err;

/// Nothing to keep between `fit` calls.
#[derive(Clone)]
pub(super) struct Slot;

pub(super) fn new_slot() -> Slot {
    Slot
}

/// `'cpu'` and `'auto'` train on the CPU; `'webgpu'` rejects.
pub(super) async fn open(choice: BackendChoice, _slot: &Slot) -> Result<Engine, JsValue> {
    Engine::open(choice, crate::web::clock())
        .await
        .map_err(|e| js_err(e).into())
}
