//! Bad input to the ONNX export (states no public API can reach: a non-finite weight, an
//! empty layer list) and the file's header fields. onnxruntime checks the graphs themselves
//! (`tests/onnx/check.py`, run by `cargo xtask test`).

use crate::nn::layer::Layer;
use crate::spec::{Init, LayerSpec, ModelSpec};
use crate::{Activation, Error, Sequential};

fn model() -> Sequential {
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            LayerSpec::Dense {
                units: 3,
                activation: Activation::Relu,
                init: Init::GlorotUniform,
                use_bias: true,
            },
            LayerSpec::BatchNorm {
                momentum: 0.9,
                epsilon: 1e-3,
            },
            LayerSpec::Dense {
                units: 1,
                activation: Activation::Sigmoid,
                init: Init::GlorotUniform,
                use_bias: true,
            },
        ],
    };
    Sequential::new(spec, 7).unwrap()
}

#[test]
fn a_model_exports_with_the_stated_ir_version_first() {
    let bytes = model().to_onnx().unwrap();
    // Field 1 (ir_version), varint 8.
    assert_eq!(&bytes[..2], &[0x08, super::IR_VERSION as u8]);
    let text = String::from_utf8_lossy(&bytes);
    for op in ["Gemm", "Relu", "BatchNormalization", "Sigmoid", "Identity"] {
        assert!(text.contains(op), "no {op} node");
    }
}

#[test]
fn a_non_finite_weight_is_refused_naming_the_layer() {
    let mut m = model();
    if let Layer::Dense(d) = &mut m.layers[2] {
        d.w.set(1, 0, f32::NAN);
    }
    let err = m.to_onnx().unwrap_err();
    let Error::InvalidData(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("layer 3 (dense, 1 unit, sigmoid)"), "{msg}");
    assert!(msg.contains("non-finite weight (NaN at index 1)"), "{msg}");

    let mut m = model();
    if let Layer::Dense(d) = &mut m.layers[0] {
        d.b[2] = f32::INFINITY;
    }
    let msg = m.to_onnx().unwrap_err().to_string();
    assert!(
        msg.contains("layer 1") && msg.contains("bias (inf"),
        "{msg}"
    );

    let mut m = model();
    if let Layer::BatchNorm(b) = &mut m.layers[1] {
        b.running_var[0] = f32::NEG_INFINITY;
    }
    let msg = m.to_onnx().unwrap_err().to_string();
    assert!(
        msg.contains("layer 2 (batch norm)") && msg.contains("running variance"),
        "{msg}"
    );
}

#[test]
fn an_empty_model_is_refused() {
    let mut m = model();
    m.layers.clear();
    let err = m.to_onnx().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig(_)), "{err:?}");
    assert!(err.to_string().contains("no layers"), "{err}");
}
