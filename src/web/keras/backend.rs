//! The `backend` option of the Keras-style API (`'cpu' | 'webgpu' | 'auto'`), read into the
//! engine's own [`BackendChoice`], which the page's config uses too.

use wasm_bindgen::prelude::*;

use crate::spec::BackendChoice;
use crate::train::NOT_IN_THIS_BUILD;

/// `"cpu"`, `"webgpu"` (also `"webGPU"`, `"gpu"`) or `"auto"`, in any case; `'webgpu'` is
/// refused up front in a build without the GPU backend.
pub(super) fn parse(name: &str) -> Result<BackendChoice, JsError> {
    let choice = match name.to_ascii_lowercase().as_str() {
        "cpu" => BackendChoice::Cpu,
        "webgpu" | "gpu" => BackendChoice::Webgpu,
        "auto" => BackendChoice::Auto,
        _ => {
            return Err(JsError::new(&format!(
                "unknown backend {name:?}: use \"cpu\", \"webgpu\" or \"auto\""
            )))
        }
    };
    if choice == BackendChoice::Webgpu && !cfg!(all(feature = "webgpu", target_arch = "wasm32")) {
        return Err(JsError::new(NOT_IN_THIS_BUILD));
    }
    Ok(choice)
}
