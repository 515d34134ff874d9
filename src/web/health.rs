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
}
