//! Sequence models as specs and files: the JSON layer names, clear errors for bad specs and
//! bad tokens, version-1 model files still loading, same seed ⇒ same weights, warm-up, and
//! the ONNX export refusing sequence layers by name.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::dense;
use nn_playground::data::sequence::{generate, SequenceTask, SequenceTaskSpec};
use nn_playground::nn::optim::Optimizer;
use nn_playground::{
    Activation, CompileSpec, Error, LayerSpec, LossKind, Matrix, MetricKind, ModelSpec,
    OptimizerKind, OptimizerSpec, Schedule, Sequential,
};

fn token_spec(input_dim: usize, layers: Vec<LayerSpec>) -> ModelSpec {
    let mut all = vec![LayerSpec::Embedding { vocab: 6, dim: 8 }];
    all.extend(layers);
    ModelSpec {
        input_dim,
        layers: all,
    }
}

fn block(heads: usize) -> LayerSpec {
    LayerSpec::TransformerBlock {
        heads,
        ff_units: 16,
        causal: false,
        dropout: 0.0,
    }
}

fn err_text(spec: ModelSpec) -> String {
    Sequential::new(spec, 1).unwrap_err().to_string()
}

#[test]
fn layer_specs_read_from_json_with_defaults() {
    let spec: ModelSpec = serde_json::from_str(
        r#"{"input_dim": 8, "layers": [
            {"type": "embedding", "vocab": 12, "dim": 32},
            {"type": "positional_embedding", "max_len": 16},
            {"type": "transformer_block", "heads": 2, "ff_units": 64},
            {"type": "multi_head_self_attention", "heads": 4, "causal": true},
            {"type": "layer_norm"},
            {"type": "global_average_pooling_1d"},
            {"type": "dense", "units": 3}
        ]}"#,
    )
    .unwrap();
    assert_eq!(
        spec.layers[2],
        LayerSpec::TransformerBlock {
            heads: 2,
            ff_units: 64,
            causal: false,
            dropout: 0.0
        }
    );
    assert_eq!(
        spec.layers[1],
        LayerSpec::PositionalEmbedding {
            max_len: 16,
            sinusoidal: false
        }
    );
    assert_eq!(spec.vocab(), Some(12));
    assert!(!spec.per_position());
    let model = Sequential::new(spec.clone(), 1).unwrap();
    assert_eq!(model.output_dim(), 3);
    let back: ModelSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(back, spec);
}

#[test]
fn bad_sequence_specs_say_what_is_wrong() {
    let text = err_text(token_spec(4, vec![block(3), dense(6, Activation::Linear)]));
    assert!(text.contains("not divisible by 3 heads"), "{text}");
    let text = err_text(token_spec(
        20,
        vec![
            LayerSpec::PositionalEmbedding {
                max_len: 16,
                sinusoidal: false,
            },
            dense(6, Activation::Linear),
        ],
    ));
    assert!(
        text.contains("up to 20 tokens") && text.contains("max_len 16"),
        "{text}"
    );
    let text = err_text(ModelSpec {
        input_dim: 4,
        layers: vec![
            dense(8, Activation::Relu),
            block(2),
            dense(2, Activation::Linear),
        ],
    });
    assert!(
        text.contains("layer 2 (transformer block)") && text.contains("starts with a dense layer"),
        "{text}"
    );
    let text = err_text(token_spec(
        4,
        vec![
            LayerSpec::GlobalAveragePooling1d,
            block(2),
            dense(2, Activation::Linear),
        ],
    ));
    assert!(text.contains("after the pooling"), "{text}");
    let text = err_text(ModelSpec {
        input_dim: 4,
        layers: vec![
            dense(8, Activation::Relu),
            LayerSpec::Embedding { vocab: 4, dim: 8 },
            dense(2, Activation::Linear),
        ],
    });
    assert!(text.contains("must be the first layer"), "{text}");
    let text = err_text(token_spec(4, vec![block(0), dense(2, Activation::Linear)]));
    assert!(text.contains("at least 1 attention head"), "{text}");
    let text = err_text(ModelSpec {
        input_dim: 4,
        layers: vec![
            LayerSpec::Embedding { vocab: 1, dim: 8 },
            dense(2, Activation::Linear),
        ],
    });
    assert!(text.contains("vocabulary"), "{text}");
}

fn per_position_model() -> Sequential {
    let mut m = Sequential::new(
        token_spec(5, vec![block(2), dense(6, Activation::Linear)]),
        3,
    )
    .unwrap();
    m.compile(CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        metrics: vec![MetricKind::TokenAccuracy, MetricKind::SequenceAccuracy],
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

#[test]
fn bad_tokens_and_lengths_are_clear_errors_and_keep_the_model() {
    let mut model = per_position_model();
    let before = model.params();
    let good = Matrix::from_vec(1, 5, vec![0., 1., 2., 3., 4.]).unwrap();
    for (x, want) in [
        (
            Matrix::from_vec(1, 5, vec![0., 1., 6., 3., 4.]).unwrap(),
            "token 6 at sequence 1, position 3",
        ),
        (
            Matrix::from_vec(1, 5, vec![0., 1., 2.5, 3., 4.]).unwrap(),
            "not a token id in 0..6",
        ),
        (
            Matrix::from_vec(1, 5, vec![0., -1., 2., 3., 4.]).unwrap(),
            "not a token id",
        ),
        (
            Matrix::zeros(1, 6),
            "sequences of 6 tokens; this model takes 1 to 5",
        ),
    ] {
        let text = model.predict(&x).unwrap_err().to_string();
        assert!(text.contains(want), "{text}");
        let text = model.train_steps(&x, &x, 1, 1).unwrap_err().to_string();
        assert!(text.contains(want), "{text}");
    }
    let wrong_targets = Matrix::from_vec(1, 5, vec![0., 1., 9., 3., 4.]).unwrap();
    let text = model
        .train_steps(&good, &wrong_targets, 1, 1)
        .unwrap_err()
        .to_string();
    assert!(text.contains("target token 9"), "{text}");
    let text = model
        .train_steps(&good, &Matrix::zeros(1, 1), 1, 1)
        .unwrap_err()
        .to_string();
    assert!(text.contains("one target token per input token"), "{text}");
    assert_eq!(model.params(), before, "errors leave the weights alone");
    // Shorter sequences than `input_dim` are fine: one output row per token.
    let short = Matrix::from_vec(2, 3, vec![0., 1., 2., 3., 4., 5.]).unwrap();
    assert_eq!(model.predict(&short).unwrap().shape(), (6, 6));
    assert_eq!(model.attention_maps(&short).unwrap()[0].len, 3);
}

#[test]
fn a_dense_model_fed_tokens_is_told_to_start_with_an_embedding() {
    let task = generate(&SequenceTaskSpec {
        task: SequenceTask::Reverse,
        length: 4,
        vocab: 5,
        train: 20,
        test: 5,
        ..Default::default()
    })
    .unwrap();
    let mut dense_model = Sequential::new(
        ModelSpec {
            input_dim: 4,
            layers: vec![dense(5, Activation::Linear)],
        },
        1,
    )
    .unwrap();
    let text = dense_model.expect_token_model().unwrap_err().to_string();
    assert!(
        text.contains("starts with a dense layer") && text.contains("embedding"),
        "{text}"
    );
    let text = dense_model
        .attention_maps(&task.test.inputs)
        .unwrap_err()
        .to_string();
    assert!(text.contains("embedding"), "{text}");
    // A per-position model needs the token loss.
    let mut m = Sequential::new(token_spec(4, vec![dense(5, Activation::Linear)]), 1).unwrap();
    let text = m
        .compile(CompileSpec {
            loss: LossKind::Mse,
            ..CompileSpec::default()
        })
        .unwrap_err()
        .to_string();
    assert!(text.contains("categorical cross-entropy"), "{text}");
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    let spec = token_spec(
        5,
        vec![
            LayerSpec::PositionalEmbedding {
                max_len: 5,
                sinusoidal: false,
            },
            block(2),
            dense(6, Activation::Linear),
        ],
    );
    let mut a = Sequential::new(spec.clone(), 11).unwrap();
    let mut b = Sequential::new(spec.clone(), 11).unwrap();
    let mut c = Sequential::new(spec, 12).unwrap();
    assert_eq!(a.params(), b.params());
    assert_ne!(a.params(), c.params());
}

/// A version-1 file, as the previous release wrote it (a dense classifier).
const VERSION_1_FILE: &str = r#"{"format":"nn-playground-model","version":1,
  "spec":{"input_dim":2,"layers":[
    {"type":"dense","units":2,"activation":"tanh","init":"glorot_uniform","use_bias":true},
    {"type":"batch_norm","momentum":0.9,"epsilon":0.001},
    {"type":"dropout","rate":0.1},
    {"type":"dense","units":1,"activation":"sigmoid","init":"glorot_uniform","use_bias":true}]},
  "compile":{"optimizer":{"kind":"adam","learning_rate":0.01,"momentum":0.9,"beta1":0.9,
    "beta2":0.999,"epsilon":1e-7,"rho":0.9,"weight_decay":0.01,"schedule":{"type":"constant"},
    "clip_norm":null},"loss":"binary_crossentropy","metrics":["accuracy"],
    "regularization":{"kind":"none","rate":0.0},"huber_delta":1.0},
  "seed":4,
  "weights":[{"type":"dense","w":[0.5,-0.25,1.0,0.75],"b":[0.1,-0.1]},
    {"type":"batch_norm","gamma":[1.0,1.5],"beta":[0.0,0.2],"mean":[0.1,0.0],"var":[1.0,2.0]},
    {"type":"dropout"},
    {"type":"dense","w":[2.0,-1.0],"b":[0.5]}]}"#;

#[test]
fn a_version_1_file_still_loads() {
    let mut model = Sequential::from_json(VERSION_1_FILE).unwrap();
    assert_eq!(
        model.compile_spec().unwrap().loss,
        LossKind::BinaryCrossentropy
    );
    assert_eq!(model.params()[0], vec![0.5, -0.25, 1.0, 0.75]);
    let x = Matrix::from_vec(1, 2, vec![1.0, -1.0]).unwrap();
    // By hand: h = tanh([0.5−1.0, −0.25−0.75] + b) = tanh([−0.4, −1.1]); batch norm with
    // the running statistics; dropout is the identity; then σ(2·n₀ − n₁ + 0.5).
    let h = [(-0.4f32).tanh(), (-1.1f32).tanh()];
    let n0 = (h[0] - 0.1) / (1.0f32 + 0.001).sqrt();
    let n1 = 1.5 * (h[1] - 0.0) / (2.0f32 + 0.001).sqrt() + 0.2;
    let want = 1.0 / (1.0 + (-(2.0 * n0 - n1 + 0.5)).exp());
    let got = model.predict(&x).unwrap().get(0, 0);
    assert!((got - want).abs() < 1e-5, "{got} vs {want}");
    // Saved again, it is a current-version file that reads back the same.
    let again = Sequential::from_json(&model.to_json()).unwrap();
    assert_eq!(again.spec(), model.spec());
}

#[test]
fn warm_up_rises_linearly_then_the_schedule_starts() {
    let opt = Optimizer::new(OptimizerSpec {
        learning_rate: 0.1,
        warmup_steps: 4,
        schedule: Schedule::Step {
            every: 2,
            factor: 0.5,
        },
        ..OptimizerSpec::default()
    })
    .unwrap();
    let rates: Vec<f32> = (0..8).map(|t| opt.learning_rate_at(t)).collect();
    let want = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.05, 0.05];
    for (r, w) in rates.iter().zip(want) {
        assert!((r - w).abs() < 1e-7, "{rates:?}");
    }
    let text = Optimizer::new(OptimizerSpec {
        warmup_steps: 10_000_000,
        ..OptimizerSpec::default()
    })
    .unwrap_err()
    .to_string();
    assert!(text.contains("warm-up"), "{text}");
    // Specs without the field read as no warm-up.
    let spec: OptimizerSpec = serde_json::from_str(r#"{"kind": "adam"}"#).unwrap();
    assert_eq!((spec.kind, spec.warmup_steps), (OptimizerKind::Adam, 0));
}

#[test]
fn onnx_export_refuses_sequence_layers_by_name() {
    let model = per_position_model();
    let err = model.to_onnx().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig(_)));
    let text = err.to_string();
    assert!(text.contains("layer 1 (embedding)"), "{text}");
}

#[test]
fn attention_memory_is_capped_before_it_is_allocated() {
    use nn_playground::model::{MAX_ATTENTION_WEIGHTS, MAX_HEADS};
    let text = err_text(ModelSpec {
        input_dim: 4,
        layers: vec![
            LayerSpec::Embedding { vocab: 4, dim: 64 },
            LayerSpec::MultiHeadSelfAttention {
                heads: 32,
                causal: false,
                dropout: 0.0,
            },
            dense(4, Activation::Linear),
        ],
    });
    assert!(
        text.contains(&format!("the limit is {MAX_HEADS}")),
        "{text}"
    );
    // 16 heads over 256 positions: 16 sequences fill the cap exactly, 17 do not fit.
    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 256,
            layers: vec![
                LayerSpec::Embedding { vocab: 4, dim: 16 },
                LayerSpec::MultiHeadSelfAttention {
                    heads: 16,
                    causal: false,
                    dropout: 0.0,
                },
                dense(4, Activation::Linear),
            ],
        },
        1,
    )
    .unwrap();
    m.compile(CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        ..CompileSpec::default()
    })
    .unwrap();
    assert_eq!(16 * 16 * 256 * 256, MAX_ATTENTION_WEIGHTS);
    let x = Matrix::zeros(17, 256);
    let text = m.train_steps(&x, &x, 17, 1).unwrap_err().to_string();
    assert!(text.contains("use batches of at most 16"), "{text}");
    // Prediction splits the rows instead: 17 sequences come back whole.
    assert_eq!(m.predict(&x).unwrap().rows(), 17 * 256);
}
