//! The ONNX export through the wasm API (in Node): `Sequential.toONNX()` and
//! `Session.exportOnnx()` return the file's bytes; onnxruntime checks the graphs natively
//! (the `onnx` stage of `cargo xtask test`).
#![cfg(target_arch = "wasm32")]

use nn_playground::web::{WebSequential, WebSession};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

/// `ir_version` (field 1) = 8, the first field of every export.
const HEADER: [u8; 2] = [0x08, 0x08];

#[wasm_bindgen_test]
fn sequential_to_onnx_returns_the_file() {
    let spec = js_sys::JSON::parse(
        r#"{"inputDim": 3, "layers": [
            {"type": "dense", "units": 4, "activation": "gelu"},
            {"type": "dense", "units": 2, "activation": "softmax"}]}"#,
    )
    .unwrap();
    let m = WebSequential::new(spec).unwrap();
    let bytes = m.to_onnx().unwrap();
    assert_eq!(bytes[..2], HEADER);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("Softmax") && text.contains("Tanh"), "{text}");
}

#[wasm_bindgen_test]
fn session_export_onnx_holds_the_features() {
    let s = WebSession::new(JsValue::UNDEFINED).unwrap();
    let bytes = s.export_onnx().unwrap();
    assert_eq!(bytes[..2], HEADER);
    assert!(String::from_utf8_lossy(&bytes).contains("input_columns"));
}
