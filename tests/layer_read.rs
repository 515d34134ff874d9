//! Layer objects read by hand: the model file's spelling and the Keras API's (`KerasLayer`),
//! their defaults and aliases, and errors that name the layer (or its `type`) and say what
//! was wrong in serde's words.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::input::{from_json, json_error};
use nn_playground::{Activation, Init, KerasLayer, LayerSpec, ModelSpec};

fn file_layer(json: &str) -> LayerSpec {
    from_json(json).unwrap_or_else(|e| panic!("{json}: {}", json_error(&e)))
}

fn keras_layer(json: &str) -> LayerSpec {
    from_json::<KerasLayer>(json)
        .unwrap_or_else(|e| panic!("{json}: {}", json_error(&e)))
        .0
}

/// The failing setting and the message, as `from_json` reports them inside a model.
fn model_error(json: &str) -> (String, String) {
    let e = from_json::<ModelSpec>(json).unwrap_err();
    (e.path.clone(), e.message())
}

#[test]
fn file_layers_take_their_defaults() {
    assert_eq!(
        file_layer(r#"{"type": "dense", "units": 3}"#),
        LayerSpec::Dense {
            units: 3,
            activation: Activation::default(),
            init: Init::default(),
            use_bias: true
        }
    );
    assert_eq!(
        file_layer(r#"{"units": 3, "use_bias": false, "type": "dense", "init": "he_normal"}"#),
        LayerSpec::Dense {
            units: 3,
            activation: Activation::default(),
            init: Init::HeNormal,
            use_bias: false
        }
    );
    assert_eq!(
        file_layer(r#"{"type": "batch_norm"}"#),
        LayerSpec::BatchNorm {
            momentum: 0.99,
            epsilon: 1e-3
        }
    );
    assert_eq!(
        file_layer(r#"{"type": "layer_norm"}"#),
        LayerSpec::LayerNorm { epsilon: 1e-5 }
    );
    assert_eq!(
        file_layer(r#"{"type": "global_average_pooling1d", "extra": [1, {"a": 2}]}"#),
        LayerSpec::GlobalAveragePooling1d
    );
    assert_eq!(
        file_layer(r#"{"type": "first_token_pooling"}"#),
        LayerSpec::FirstTokenPooling
    );
}

#[test]
fn every_layer_reads_back_what_it_writes() {
    let layers = vec![
        LayerSpec::Embedding { vocab: 7, dim: 4 },
        LayerSpec::PositionalEmbedding {
            max_len: 9,
            sinusoidal: true,
        },
        LayerSpec::MultiHeadSelfAttention {
            heads: 2,
            causal: true,
            dropout: 0.25,
        },
        LayerSpec::TransformerBlock {
            heads: 2,
            ff_units: 8,
            causal: false,
            dropout: 0.5,
        },
        LayerSpec::LayerNorm { epsilon: 1e-4 },
        LayerSpec::GlobalAveragePooling1d,
        LayerSpec::FirstTokenPooling,
        LayerSpec::Dense {
            units: 2,
            activation: Activation::Tanh,
            init: Init::Playground,
            use_bias: false,
        },
        LayerSpec::Dropout { rate: 0.5 },
        LayerSpec::BatchNorm {
            momentum: 0.9,
            epsilon: 1e-2,
        },
    ];
    for l in layers {
        let text = serde_json::to_string(&l).unwrap();
        assert_eq!(file_layer(&text), l, "{text}");
        assert_eq!(keras_layer(&text), l, "{text}");
    }
}

#[test]
fn keras_layers_take_tfjs_names_and_null_defaults() {
    assert_eq!(
        keras_layer(
            r#"{"type": "dense", "units": 4, "activation": "relu", "kernelInitializer": "he_uniform", "useBias": false}"#
        ),
        LayerSpec::Dense {
            units: 4,
            activation: Activation::Relu,
            init: Init::HeUniform,
            use_bias: false
        }
    );
    assert_eq!(
        keras_layer(r#"{"type": "batchNormalization", "momentum": null, "epsilon": 0.01}"#),
        LayerSpec::BatchNorm {
            momentum: 0.99,
            epsilon: 0.01
        }
    );
    assert_eq!(
        keras_layer(r#"{"type": "layerNorm", "epsilon": null}"#),
        LayerSpec::LayerNorm { epsilon: 1e-5 }
    );
    assert_eq!(
        keras_layer(r#"{"type": "embedding", "inputDim": 10, "outputDim": 3}"#),
        LayerSpec::Embedding { vocab: 10, dim: 3 }
    );
    assert_eq!(
        keras_layer(r#"{"type": "positionalEmbedding", "maxLen": 5}"#),
        LayerSpec::PositionalEmbedding {
            max_len: 5,
            sinusoidal: false
        }
    );
    assert_eq!(
        keras_layer(r#"{"type": "attention", "numHeads": 2}"#),
        LayerSpec::MultiHeadSelfAttention {
            heads: 2,
            causal: false,
            dropout: 0.0
        }
    );
    assert_eq!(
        keras_layer(r#"{"type": "transformerBlock", "numHeads": 1, "ffUnits": 6}"#),
        LayerSpec::TransformerBlock {
            heads: 1,
            ff_units: 6,
            causal: false,
            dropout: 0.0
        }
    );
    assert_eq!(
        keras_layer(r#"{"type": "globalAveragePooling1D"}"#),
        LayerSpec::GlobalAveragePooling1d
    );
    // The file's spelling does not take TF.js's names, nor `null` for a setting.
    assert!(from_json::<LayerSpec>(r#"{"type": "batchNormalization"}"#).is_err());
    assert!(from_json::<LayerSpec>(r#"{"type": "batch_norm", "momentum": null}"#).is_err());
    let e = from_json::<LayerSpec>(r#"{"type": "positional_embedding", "maxLen": 5}"#).unwrap_err();
    assert_eq!(e.message(), "missing field `max_len`");
}

#[test]
fn a_wrong_value_names_the_layer_and_an_unknown_type_its_key() {
    let (path, msg) =
        model_error(r#"{"input_dim": 2, "layers": [{"type": "dense", "units": 2.5}]}"#);
    assert_eq!(path, "layers[0]");
    assert_eq!(msg, "invalid type: floating point `2.5`, expected usize");
    let (path, msg) = model_error(
        r#"{"input_dim": 2, "layers": [{"type": "dropout", "rate": 0.5}, {"type": "dense", "units": -1}]}"#,
    );
    assert_eq!(path, "layers[1]");
    assert_eq!(msg, "invalid value: integer `-1`, expected usize");
    let (path, msg) = model_error(
        r#"{"input_dim": 2, "layers": [{"type": "dense", "units": 1, "activation": "nope"}]}"#,
    );
    assert_eq!(path, "layers[0]");
    assert!(msg.starts_with("unknown variant `nope`"), "{msg}");
    let (path, msg) = model_error(r#"{"input_dim": 2, "layers": [{"units": 1, "type": "conv"}]}"#);
    assert_eq!(path, "layers[0].type");
    assert!(
        msg.starts_with("unknown variant `conv`, expected one of `dense`"),
        "{msg}"
    );
    let (path, msg) = model_error(r#"{"input_dim": 2, "layers": [{"type": "dense"}]}"#);
    assert_eq!(
        (path.as_str(), msg.as_str()),
        ("layers[0]", "missing field `units`")
    );
    let (path, msg) = model_error(r#"{"input_dim": 2, "layers": [{"units": 1}]}"#);
    assert_eq!(
        (path.as_str(), msg.as_str()),
        ("layers[0]", "missing field `type`")
    );
    let (path, msg) = model_error(r#"{"input_dim": 2, "layers": [3]}"#);
    assert_eq!(path, "layers[0]");
    assert!(
        msg.starts_with("invalid type: integer `3`, expected a layer object"),
        "{msg}"
    );
    let (_, msg) =
        model_error(r#"{"input_dim": 2, "layers": [{"type": "dense", "type": "dense"}]}"#);
    assert_eq!(msg, "duplicate field `type`");
    let e = from_json::<KerasLayer>(
        r#"{"type": "dense", "units": 1, "useBias": true, "use_bias": false}"#,
    )
    .unwrap_err();
    assert_eq!(e.message(), "duplicate field `use_bias`");
    // The person's words: the setting named, the type in words.
    let e =
        from_json::<ModelSpec>(r#"{"input_dim": 2, "layers": [{"type": "dense", "units": 2.5}]}"#)
            .unwrap_err();
    let m = json_error(&e);
    assert!(
        m.starts_with("`layers[0]` must be a whole number ≥ 0, got 2.5 (line 1, column "),
        "{m}"
    );
}
