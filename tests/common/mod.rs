//! Helpers shared by the native integration tests.
#![allow(dead_code)]

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
