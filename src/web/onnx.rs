//! ONNX export from JS: `model.toONNX()` on the Keras-style `Sequential` and
//! `session.exportOnnx()` on the page's `Session`, both the file's bytes as a `Uint8Array`
//! (opset and graph in `docs/onnx.md`).

use wasm_bindgen::prelude::*;

use super::keras::WebSequential;
use super::{js_err, WebSession};

#[wasm_bindgen(js_class = Sequential)]
impl WebSequential {
    /// The model as an ONNX file: input `input` `[N, inputDim]`, output `output`; throws
    /// for a non-finite weight.
    #[wasm_bindgen(js_name = toONNX)]
    pub fn to_onnx(&self) -> Result<Vec<u8>, JsError> {
        self.read()?.to_onnx().map_err(js_err)
    }
}

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// The model with the page's features and scalers as an ONNX file that takes the raw
    /// columns (`x1, x2`, or a table's columns with text one-hot); see `Session::export_onnx`.
    #[wasm_bindgen(js_name = exportOnnx)]
    pub fn export_onnx(&self) -> Result<Vec<u8>, JsError> {
        self.inner.export_onnx().map_err(js_err)
    }
}
