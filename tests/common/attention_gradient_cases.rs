//! Finite-difference checks of the sequence layers (embeddings, self-attention, layer norm,
//! transformer blocks, poolings) and of the token-level loss with its padding mask, as plain
//! functions. Run natively by `tests/attention_gradients.rs` and on the threads build, with
//! every product split, by `tests/wasm_threads.rs`.

use super::{dense, random_classes};
use nn_playground::{Activation, CompileSpec, LayerSpec, LossKind, Matrix, ModelSpec, Sequential};

/// As in `tests/gradients.rs`: central differences in f32 with `EPS = 1e-2`; the bound
/// `2e-3 + 2e-2·|g|` holds honest errors and fails a wrong term by far.
const EPS: f32 = 1e-2;

fn check(spec: ModelSpec, x: &Matrix, y: &Matrix, padding: Option<usize>, seed: u64) {
    let mut model = Sequential::new(spec, seed).unwrap();
    model
        .compile(CompileSpec {
            loss: LossKind::CategoricalCrossentropy,
            padding_token: padding,
            ..CompileSpec::default()
        })
        .unwrap();
    let (grads, _) = super::assert_gradients_match(&model, x, y, EPS);
    for (t, g) in grads.iter().enumerate() {
        assert!(
            g.iter().any(|v| v.abs() > 1e-5),
            "tensor {t} has no gradient: the check would be vacuous"
        );
    }
}

fn tokens(batch: usize, len: usize, vocab: usize, seed: u64) -> Matrix {
    let ids = random_classes(batch * len, vocab, seed);
    Matrix::from_vec(batch, len, ids.into_vec()).unwrap()
}

fn embedding(vocab: usize, dim: usize) -> LayerSpec {
    LayerSpec::Embedding { vocab, dim }
}

fn attention(heads: usize, causal: bool) -> LayerSpec {
    LayerSpec::MultiHeadSelfAttention {
        heads,
        causal,
        dropout: 0.0,
    }
}

pub fn embedding_and_dense_per_position() {
    // Vocab 4 over 15 positions: every token appears, so every table row has a gradient.
    let x = tokens(3, 5, 4, 1);
    let y = tokens(3, 5, 3, 2);
    let spec = ModelSpec {
        input_dim: 5,
        layers: vec![embedding(4, 3), dense(3, Activation::Linear)],
    };
    check(spec, &x, &y, None, 3);
}

pub fn learned_positional_embedding() {
    let x = tokens(2, 4, 3, 4);
    let y = tokens(2, 4, 3, 5);
    let spec = ModelSpec {
        input_dim: 4,
        layers: vec![
            embedding(3, 4),
            LayerSpec::PositionalEmbedding {
                max_len: 4,
                sinusoidal: false,
            },
            dense(5, Activation::Tanh),
            dense(3, Activation::Linear),
        ],
    };
    check(spec, &x, &y, None, 6);
}

pub fn self_attention_on_odd_shapes_plain_and_causal() {
    for (k, (batch, len, dim, heads, causal)) in [
        (3, 5, 6, 2, false),
        (2, 3, 6, 3, true),
        (1, 7, 5, 1, true),
        (2, 1, 4, 2, false),
    ]
    .into_iter()
    .enumerate()
    {
        let seed = 10 + k as u64;
        let x = tokens(batch, len, 5, seed);
        let y = tokens(batch, len, 4, seed + 1);
        let spec = ModelSpec {
            input_dim: len,
            layers: vec![
                embedding(5, dim),
                LayerSpec::PositionalEmbedding {
                    max_len: 8,
                    sinusoidal: true,
                },
                attention(heads, causal),
                dense(4, Activation::Linear),
            ],
        };
        // Vocab 5 on few positions may leave a token out: its embedding row then has no
        // gradient, which only the full check would count as vacuous.
        if x.as_slice().iter().fold(0u32, |m, &t| m | 1 << t as u32) == 0b11111 {
            check(spec, &x, &y, None, seed);
        } else {
            check_some(spec, &x, &y, seed);
        }
    }
}

/// [`check`] without requiring every tensor to have a gradient.
fn check_some(spec: ModelSpec, x: &Matrix, y: &Matrix, seed: u64) {
    let mut model = Sequential::new(spec, seed).unwrap();
    model
        .compile(CompileSpec {
            loss: LossKind::CategoricalCrossentropy,
            ..CompileSpec::default()
        })
        .unwrap();
    let (grads, _) = super::assert_gradients_match(&model, x, y, EPS);
    assert!(grads.iter().flatten().any(|g| g.abs() > 1e-4));
}

pub fn attention_dropout_backpropagates_through_its_mask() {
    let x = tokens(2, 4, 3, 20);
    let y = tokens(2, 4, 3, 21);
    let spec = ModelSpec {
        input_dim: 4,
        layers: vec![
            embedding(3, 4),
            LayerSpec::MultiHeadSelfAttention {
                heads: 2,
                causal: false,
                dropout: 0.3,
            },
            dense(3, Activation::Linear),
        ],
    };
    check(spec, &x, &y, None, 22);
}

pub fn layer_norm() {
    let x = tokens(3, 3, 3, 30);
    let y = tokens(3, 3, 3, 31);
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![
            embedding(3, 5),
            dense(5, Activation::Tanh),
            LayerSpec::LayerNorm { epsilon: 1e-5 },
            dense(3, Activation::Linear),
        ],
    };
    check(spec, &x, &y, None, 32);
}

pub fn whole_transformer_block_with_both_poolings() {
    for (k, pooling) in [
        LayerSpec::GlobalAveragePooling1d,
        LayerSpec::FirstTokenPooling,
    ]
    .into_iter()
    .enumerate()
    {
        let seed = 40 + 3 * k as u64;
        let x = tokens(4, 5, 4, seed);
        let y = random_classes(4, 3, seed + 1);
        let spec = ModelSpec {
            input_dim: 5,
            layers: vec![
                embedding(4, 4),
                LayerSpec::PositionalEmbedding {
                    max_len: 6,
                    sinusoidal: false,
                },
                LayerSpec::TransformerBlock {
                    heads: 2,
                    ff_units: 6,
                    causal: k == 1,
                    dropout: 0.0,
                },
                pooling,
                dense(3, Activation::Linear),
            ],
        };
        // First-token pooling reads position 0 only: later positional rows get no gradient.
        if k == 0 {
            check(spec, &x, &y, None, seed + 2);
        } else {
            check_some(spec, &x, &y, seed + 2);
        }
    }
}

pub fn causal_block_with_dropout_per_position() {
    let x = tokens(2, 4, 3, 50);
    let y = tokens(2, 4, 3, 51);
    let spec = ModelSpec {
        input_dim: 4,
        layers: vec![
            embedding(3, 4),
            LayerSpec::TransformerBlock {
                heads: 1,
                ff_units: 5,
                causal: true,
                dropout: 0.2,
            },
            LayerSpec::LayerNorm { epsilon: 1e-5 },
            dense(3, Activation::Linear),
        ],
    };
    check(spec, &x, &y, None, 52);
}

pub fn padding_positions_carry_no_loss_and_no_gradient() {
    let x = tokens(3, 4, 4, 60);
    let mut y = tokens(3, 4, 4, 61);
    // Token 3 is padding in the targets: mark a few positions with it.
    for &(r, c) in &[(0, 3), (1, 2), (1, 3), (2, 0)] {
        y.set(r, c, 3.0);
    }
    for r in 0..3 {
        for c in 0..4 {
            if y.get(r, c) == 3.0 && ![(0, 3), (1, 2), (1, 3), (2, 0)].contains(&(r, c)) {
                y.set(r, c, 0.0);
            }
        }
    }
    let spec = ModelSpec {
        input_dim: 4,
        layers: vec![embedding(4, 3), dense(4, Activation::Linear)],
    };
    check(spec.clone(), &x, &y, Some(3), 62);
    // The padded targets' outputs do not move the loss: changing those targets to any
    // other padding-free value changes it, changing nothing else does not.
    let mut model = Sequential::new(spec, 62).unwrap();
    model
        .compile(CompileSpec {
            loss: LossKind::CategoricalCrossentropy,
            padding_token: Some(3),
            ..CompileSpec::default()
        })
        .unwrap();
    let (padded, _) = model.clone().gradients(&x, &y).unwrap();
    let mut unpadded = y.clone();
    unpadded.set(2, 0, 1.0);
    let (changed, _) = model.gradients(&x, &unpadded).unwrap();
    assert_ne!(
        padded, changed,
        "un-padding a position must change the loss"
    );
}
