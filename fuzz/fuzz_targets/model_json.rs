//! Fuzzes the model-file loader: any bytes are either a model that predicts or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nn_playground::{Matrix, Sequential};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut model) = Sequential::from_json(text) {
        let x = Matrix::zeros(2, model.input_dim());
        let _ = model.predict(&x);
        let _ = Sequential::from_json(&model.to_json()).expect("a loaded model re-loads");
    }
});
