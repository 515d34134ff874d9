//! The page's one description of choices and limits (`choices()`, see [`crate::choices`])
//! and the feature maths it draws with (`featureGrids`), so that no list, rule, cap or
//! formula of the engine is copied into JS.

use wasm_bindgen::prelude::*;

use super::{js_err, to_js};

/// `{datasets: [{id, task, class_count}], features: [{id, label}], activations,
/// output_activations, losses, optimizers,
/// schedules: [{id, schedule}], regularizations, learning_rates, regularization_rates,
/// inits, monitors, backends, classes, speeds, table_tasks, missing, metrics: [{id, task,
/// percent}], click_labels: [{id, task, label}], controls, limits}`: every list the page's
/// controls offer and every cap it checks, by the config's ids.
#[wasm_bindgen]
pub fn choices() -> Result<JsValue, JsError> {
    to_js(&crate::choices::choices())
}

/// Every feature of `choices().features`, in that order, over the map's square at
/// `res × res` cell centres: `res²` values per feature (row-major, top row first).
#[wasm_bindgen(js_name = featureGrids)]
pub fn feature_grids(res: u32) -> Result<Box<[f32]>, JsError> {
    Ok(crate::choices::feature_grids(res as usize)
        .map_err(js_err)?
        .into_boxed_slice())
}
