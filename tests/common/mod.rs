//! Helpers shared by the integration tests (native, and the threads build's browser tests).
#![allow(dead_code)]

pub mod attention_gradient_cases;
pub mod gradient_cases;
pub mod recording;

use nn_playground::{Activation, Init, LayerSpec, Matrix, Rng};

/// An `rows × cols` matrix of U(lo, hi) values from `seed`.
pub fn random_matrix(rows: usize, cols: usize, lo: f32, hi: f32, seed: u64) -> Matrix {
    let mut rng = Rng::new(seed);
    let data = (0..rows * cols).map(|_| rng.uniform(lo, hi)).collect();
    Matrix::from_vec(rows, cols, data).unwrap()
}

/// Integer class labels 0..classes as an `rows × 1` matrix.
pub fn random_classes(rows: usize, classes: usize, seed: u64) -> Matrix {
    let mut rng = Rng::new(seed);
    let data = (0..rows).map(|_| rng.below(classes) as f32).collect();
    Matrix::from_vec(rows, 1, data).unwrap()
}

/// A Glorot-initialised dense layer with bias.
pub fn dense(units: usize, activation: Activation) -> LayerSpec {
    LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    }
}

/// Checks `model`'s analytic gradients on `(x, y)` against central differences with step
/// `eps`, element by element, within `2e-3 + 2e-2·|numeric|`; returns the analytic
/// gradients and the largest absolute difference seen.
pub fn assert_gradients_match(
    model: &nn_playground::Sequential,
    x: &Matrix,
    y: &Matrix,
    eps: f32,
) -> (Vec<Vec<f32>>, f32) {
    let (_, grads) = model.clone().gradients(x, y).unwrap();
    let params = model.clone().params();
    let mut worst = 0.0f32;
    for (t, tensor) in params.iter().enumerate() {
        for i in 0..tensor.len() {
            let loss_at = |delta: f32| {
                let mut m = model.clone();
                let mut p = params.clone();
                p[t][i] += delta;
                m.set_params(&p).unwrap();
                m.gradients(x, y).unwrap().0
            };
            let numeric = (loss_at(eps) - loss_at(-eps)) / (2.0 * eps);
            let analytic = grads[t][i];
            let err = (numeric - analytic).abs();
            worst = worst.max(err);
            assert!(
                err <= 2e-3 + 2e-2 * numeric.abs(),
                "tensor {t} element {i}: analytic {analytic} vs numeric {numeric}"
            );
        }
    }
    (grads, worst)
}
