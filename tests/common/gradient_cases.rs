//! Finite-difference checks of every layer, activation and loss, as plain functions: the
//! analytic gradients from backpropagation must match central differences of the
//! training-mode loss. Run natively by `tests/gradients.rs` and on the threads build, with
//! every product split, by `tests/wasm_threads.rs`.

use super::{dense, random_classes, random_matrix};
use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, Matrix, ModelSpec, Sequential,
};

/// Central differences in f32. With `EPS = 1e-2` the truncation error is O(EPS²·f''') ≈ 1e-4
/// for these smooth, O(1)-scaled losses, and f32 rounding in the loss (≈1e-7·|L|) contributes
/// ≈1e-5 after dividing by 2·EPS; so `2e-3 + 2e-2·|g|` bounds the honest error with margin
/// while a wrong gradient (off by a factor, a sign or a missing term) fails by far more.
const EPS: f32 = 1e-2;

fn check(spec: ModelSpec, loss: LossKind, x: &Matrix, y: &Matrix, seed: u64) {
    let mut model = Sequential::new(spec, seed).unwrap();
    model
        .compile(CompileSpec {
            loss,
            ..CompileSpec::default()
        })
        .unwrap();
    let (grads, worst) = super::assert_gradients_match(&model, x, y, EPS);
    assert!(
        grads.iter().flatten().any(|g| g.abs() > 1e-4),
        "all gradients vanished: the check would be vacuous"
    );
    let _ = worst;
}

pub fn every_activation_backpropagates_correctly() {
    for (k, act) in Activation::ALL
        .iter()
        .copied()
        .filter(|a| *a != Activation::Softmax)
        .enumerate()
    {
        // Shapes vary per activation so odd sizes are covered too.
        let (batch, inputs, hidden) = (3 + k % 4, 2 + k % 3, 3 + k % 5);
        let x = random_matrix(batch, inputs, -1.5, 1.5, 10 + k as u64);
        let y = random_matrix(batch, 2, -1.0, 1.0, 20 + k as u64);
        let spec = ModelSpec {
            input_dim: inputs,
            layers: vec![dense(hidden, act), dense(2, Activation::Linear)],
        };
        check(spec, LossKind::Mse, &x, &y, 3 + k as u64);
    }
}

pub fn regression_losses_have_correct_gradients() {
    let x = random_matrix(5, 3, -1.0, 1.0, 1);
    let y = random_matrix(5, 2, -2.0, 2.0, 2);
    for loss in [LossKind::Mse, LossKind::Mae, LossKind::Huber] {
        let spec = ModelSpec {
            input_dim: 3,
            layers: vec![dense(4, Activation::Tanh), dense(2, Activation::Linear)],
        };
        check(spec, loss, &x, &y, 7);
    }
}

pub fn binary_cross_entropy_on_logits_and_sigmoid() {
    let x = random_matrix(7, 2, -2.0, 2.0, 3);
    let y = Matrix::from_vec(7, 1, vec![0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0]).unwrap();
    for out in [Activation::Sigmoid, Activation::Linear] {
        let spec = ModelSpec {
            input_dim: 2,
            layers: vec![dense(5, Activation::Tanh), dense(1, out)],
        };
        check(spec, LossKind::BinaryCrossentropy, &x, &y, 11);
    }
}

pub fn softmax_cross_entropy_sparse_and_one_hot() {
    let x = random_matrix(6, 3, -1.0, 1.0, 4);
    let sparse = random_classes(6, 4, 5);
    let mut one_hot = Matrix::zeros(6, 4);
    for i in 0..6 {
        one_hot.set(i, sparse.get(i, 0) as usize, 1.0);
    }
    for y in [&sparse, &one_hot] {
        let spec = ModelSpec {
            input_dim: 3,
            layers: vec![dense(5, Activation::Relu), dense(4, Activation::Softmax)],
        };
        check(spec, LossKind::CategoricalCrossentropy, &x, y, 13);
    }
}

pub fn softmax_output_under_mse_uses_the_jacobian() {
    let x = random_matrix(4, 2, -1.0, 1.0, 6);
    let y = random_matrix(4, 3, 0.0, 1.0, 7);
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![dense(3, Activation::Tanh), dense(3, Activation::Softmax)],
    };
    check(spec, LossKind::Mse, &x, &y, 17);
}

pub fn batch_norm_backpropagates_through_batch_statistics() {
    let x = random_matrix(8, 3, -2.0, 2.0, 8);
    let y = random_matrix(8, 1, -1.0, 1.0, 9);
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![
            dense(4, Activation::Tanh),
            LayerSpec::BatchNorm {
                momentum: 0.9,
                epsilon: 1e-3,
            },
            dense(1, Activation::Linear),
        ],
    };
    check(spec, LossKind::Mse, &x, &y, 19);
}

pub fn dropout_gradients_follow_the_sampled_mask() {
    let x = random_matrix(6, 3, -1.0, 1.0, 10);
    let y = random_matrix(6, 2, -1.0, 1.0, 11);
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![
            dense(6, Activation::Tanh),
            LayerSpec::Dropout { rate: 0.4 },
            dense(2, Activation::Linear),
        ],
    };
    check(spec, LossKind::Mse, &x, &y, 23);
}

pub fn layers_without_bias_have_no_bias_gradient() {
    let x = random_matrix(4, 2, -1.0, 1.0, 12);
    let y = random_matrix(4, 1, -1.0, 1.0, 13);
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            LayerSpec::Dense {
                units: 3,
                activation: Activation::Elu,
                init: Init::HeNormal,
                use_bias: false,
            },
            dense(1, Activation::Linear),
        ],
    };
    let mut m = Sequential::new(spec.clone(), 1).unwrap();
    assert_eq!(m.params().len(), 3, "W1, W2, b2");
    check(spec, LossKind::Mse, &x, &y, 29);
}
