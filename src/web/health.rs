//! Binding for the training-health panel (see `crate::session::LayerHealth`).

use wasm_bindgen::prelude::*;

use super::{js_err, to_js, WebSession};

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Per dense layer: `{layer, units, activation, mean_abs_weight, mean_abs_grad,
    /// update_ratio, dead_share, saturated_share, hist, hist_range}`; measured on copies of
    /// the model, so it never changes the run.
    pub fn health(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.health().map_err(js_err)?)
    }

    /// `[weight, gradient]` of `W[from][to]` in dense layer `dense` (gradient on a sample of
    /// the training rows), for the network view's hover.
    #[wasm_bindgen(js_name = linkInfo)]
    pub fn link_info(&self, dense: u32, from: u32, to: u32) -> Result<Box<[f32]>, JsError> {
        let (w, g) = self
            .inner
            .link_info(dense as usize, from as usize, to as usize)
            .map_err(js_err)?;
        Ok(Box::new([w, g]))
    }

    /// `[min, max]` of a node's output on a sample of the training rows (`column` 0: inputs).
    #[wasm_bindgen(js_name = unitRange)]
    pub fn unit_range(&self, column: u32, unit: u32) -> Result<Box<[f32]>, JsError> {
        let (lo, hi) = self
            .inner
            .unit_range(column as usize, unit as usize)
            .map_err(js_err)?;
        Ok(Box::new([lo, hi]))
    }
}
