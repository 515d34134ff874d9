//! A model file's weight entries, read by hand: `type` anywhere in an entry, unknown fields
//! ignored, and errors that name the entry, its `type` or (after `type`) the failing number.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::{Activation, Init, LayerSpec, ModelSpec, Sequential};
use serde_json::Value;

fn model() -> Sequential {
    let dense = |units| LayerSpec::Dense {
        units,
        activation: Activation::Tanh,
        init: Init::GlorotUniform,
        use_bias: true,
    };
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            dense(2),
            LayerSpec::BatchNorm {
                momentum: 0.9,
                epsilon: 1e-3,
            },
            LayerSpec::Dropout { rate: 0.1 },
            dense(1),
        ],
    };
    Sequential::new(spec, 3).unwrap()
}

/// The file with each object's keys in alphabetical order (`serde_json::Value`'s): `type`
/// then sits between `b` and `w`, and after a batch norm's `beta`, `gamma` and `mean`.
fn sorted(json: &str) -> String {
    serde_json::from_str::<Value>(json).unwrap().to_string()
}

/// `json` with the first `from` in its `weights` replaced by `to`.
fn in_weights(json: &str, from: &str, to: &str) -> String {
    let at = json.find("\"weights\":").unwrap();
    format!("{}{}", &json[..at], json[at..].replacen(from, to, 1))
}

fn load_error(json: &str) -> String {
    Sequential::from_json(json).unwrap_err().to_string()
}

#[test]
fn type_anywhere_in_an_entry_reads_the_same_weights() {
    let m = model();
    let json = m.to_json();
    let again = sorted(&json);
    assert!(again.contains(r#"{"b":["#), "{again}");
    let mut back = Sequential::from_json(&again).unwrap();
    assert_eq!(back.params(), model().params());
    let extra = in_weights(
        &json,
        r#""type":"dropout""#,
        r#""type":"dropout","note":[1,{"a":2}]"#,
    );
    assert_eq!(
        Sequential::from_json(&extra).unwrap().params(),
        model().params()
    );
}

#[test]
fn errors_name_the_entry_its_type_or_the_number() {
    let json = model().to_json();
    // After `type`, the arrays are read where they stand.
    let m = load_error(&json.replacen(r#""w":["#, r#""w":["x","#, 1));
    assert!(
        m.contains("`weights[0].w[0]`") && m.contains("finite number"),
        "{m}"
    );
    // Before it, the entry is named, as serde's derive named it.
    let m = load_error(&sorted(&json).replacen(r#""b":["#, r#""b":[true,"#, 1));
    assert!(
        m.contains("`weights[0]`") && m.contains("finite number"),
        "{m}"
    );
    let m = load_error(&in_weights(
        &json,
        r#""type":"dense","#,
        r#""type":"conv","#,
    ));
    assert!(
        m.contains("`weights[0].type`") && m.contains("unknown variant `conv`"),
        "{m}"
    );
    let m = load_error(&in_weights(
        &json,
        r#""type":"dropout""#,
        r#""type":"batch_norm""#,
    ));
    assert!(
        m.contains("`weights[2]`") && m.contains("missing field `gamma`"),
        "{m}"
    );
    let m = load_error(&in_weights(
        &json,
        r#""type":"dropout""#,
        r#""kind":"dropout""#,
    ));
    assert!(
        m.contains("`weights[2]`") && m.contains("missing field `type`"),
        "{m}"
    );
    let m = load_error(&json.replacen(r#""b":["#, r#""b":[],"b":["#, 1));
    assert!(m.contains("duplicate field `b`"), "{m}");
}
