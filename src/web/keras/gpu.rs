//! The GPU device a Keras-style model keeps between `fit` calls (wasm32 + feature `webgpu`):
//! finding an adapter is slow, so it is found once and given up by `releaseGpu`. `fit`
//! trains through an [`Engine`] opened on it, the same engine the page's session holds.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::WebSequential;
use crate::backend::webgpu::GpuContext;
use crate::spec::BackendChoice;
use crate::train::{Engine, GpuEngine};
use crate::web::js_err;

/// The model's GPU device, kept between `fit` calls.
pub(super) type Slot = Rc<RefCell<Option<GpuContext>>>;

pub(super) fn new_slot() -> Slot {
    Slot::default()
}

/// The engine `choice` names, on the slot's device while it works, else on a new one
/// (stored for the next `fit`). `'webgpu'` rejects without a GPU; `'auto'` then trains on
/// the CPU and its note says why.
pub(super) async fn open(choice: BackendChoice, slot: &Slot) -> Result<Engine, JsValue> {
    if choice == BackendChoice::Cpu {
        return Ok(Engine::cpu());
    }
    let cached = slot.borrow().clone();
    let ctx = match cached {
        Some(ctx) if ctx.check_alive().is_ok() => Ok(ctx),
        _ => GpuContext::new().await,
    };
    match ctx {
        Ok(ctx) => {
            *slot.borrow_mut() = Some(ctx.clone());
            Ok(Engine::on(GpuEngine::new(ctx), choice, crate::web::clock()))
        }
        Err(e) => Engine::unavailable(choice, &e.to_string()).map_err(|e| js_err(e).into()),
    }
}

#[wasm_bindgen(js_class = Sequential)]
impl WebSequential {
    /// `model.releaseGpu()`: gives this model's GPU device up now, as if it were lost. A
    /// `fit` on the GPU finishes its remaining epochs on the CPU (from the last finished
    /// epoch's weights); a later `fit` opens the GPU afresh. No effect without a device.
    #[wasm_bindgen(js_name = releaseGpu)]
    pub fn release_gpu(&self) {
        if let Some(ctx) = self.gpu.borrow_mut().take() {
            ctx.release();
        }
    }
}
