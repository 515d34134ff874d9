//! Bindings for "one step, explained" (see `crate::session::ExplainedStep`).

use wasm_bindgen::prelude::*;

use super::{js_err, to_js, WebSession};

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// The engine's forward pass, backward pass and update for training row `row`:
    /// `{row, rows, input_names, loss, target, learning_rate, layers: [{inputs, units,
    /// activation, x, w, b, z, a, delta, dw, db, w_after, b_after}]}`.
    #[wasm_bindgen(js_name = explainStep)]
    pub fn explain_step(&self, row: u32) -> Result<JsValue, JsError> {
        to_js(&self.inner.explain_step(row as usize).map_err(js_err)?)
    }

    /// The training row nearest to `(x, y)` on the map, or `undefined` without one.
    #[wasm_bindgen(js_name = nearestTrainingRow)]
    pub fn nearest_training_row(&self, x: f32, y: f32) -> Option<u32> {
        self.inner.nearest_training_row(x, y).map(|r| r as u32)
    }
}
