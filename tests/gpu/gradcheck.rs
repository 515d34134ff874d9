//! Finite-difference checks of the whole GPU backward pass: the gradient one plain SGD step
//! applies on the GPU (`w − w′` at learning rate 1) against central differences of the loss
//! the GPU's own forward pass reports (a step at a learning rate too small to move any
//! weight). Every parameter of small networks is checked, for each loss family.

use nn_playground::backend::webgpu::GpuTrainer;
use nn_playground::{
    Activation, CompileSpec, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind, OptimizerSpec,
    Sequential,
};

use crate::common::{dense, random_classes, random_matrix};
use crate::gpu;

/// Step for the central differences. The loss is f32 on the GPU (rounding ~1e-7 of a loss
/// near 1), so the quotient carries ~1e-5 of rounding noise; the truncation error is
/// O(ε²·f‴), about 1e-5 for these smooth networks. Measured worst errors are below 1e-5 +
/// 1e-4·|fd|, so 1e-4 + 1e-3·|fd| leaves a margin of ~8× while a derivative off by a few
/// percent (e.g. tanh′ = 1 − 0.9y²) fails.
const EPS: f32 = 1e-2;
const ABS_TOL: f32 = 1e-4;
const REL_TOL: f32 = 1e-3;

fn trainer(
    input_dim: usize,
    layers: &[LayerSpec],
    loss: LossKind,
    lr: f32,
    rows: usize,
) -> GpuTrainer {
    let mut m = Sequential::new(
        ModelSpec {
            input_dim,
            layers: layers.to_vec(),
        },
        7,
    )
    .unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: lr,
            ..OptimizerSpec::default()
        },
        loss,
        ..CompileSpec::default()
    })
    .unwrap();
    GpuTrainer::new(&gpu().0, &m, rows).unwrap()
}

/// Checks every parameter's GPU gradient on one full batch of `x`, `y`.
fn check(what: &str, layers: &[LayerSpec], loss: LossKind, x: &Matrix, y: &Matrix) {
    let rows = x.rows();
    let mut stepper = trainer(x.cols(), layers, loss, 1.0, rows);
    // At 1e-30 every update rounds away: the step only reports the loss at the given weights.
    let mut meter = trainer(x.cols(), layers, loss, 1e-30, rows);
    stepper.set_data(x, y).unwrap();
    meter.set_data(x, y).unwrap();
    let w0: Vec<Vec<f32>> = stepper.last_params().to_vec();

    pollster::block_on(stepper.train_steps(rows, 1)).unwrap();
    let grads: Vec<Vec<f32>> = w0
        .iter()
        .zip(stepper.last_params())
        .map(|(a, b)| a.iter().zip(b).map(|(a, b)| a - b).collect())
        .collect();

    let mut loss_at = |w: &[Vec<f32>]| -> f32 {
        meter.upload_params(w).unwrap();
        pollster::block_on(meter.train_steps(rows, 1)).unwrap()
    };
    let mut checked = 0;
    let mut largest = 0.0f32;
    let mut worst = 0.0f32;
    for t in 0..w0.len() {
        for i in 0..w0[t].len() {
            let mut w = w0.clone();
            w[t][i] = w0[t][i] + EPS;
            let up = loss_at(&w);
            w[t][i] = w0[t][i] - EPS;
            let down = loss_at(&w);
            let fd = (up - down) / (2.0 * EPS);
            let g = grads[t][i];
            assert!(
                (fd - g).abs() <= ABS_TOL + REL_TOL * fd.abs(),
                "{what}: tensor {t} element {i}: GPU gradient {g} vs finite difference {fd}"
            );
            largest = largest.max(g.abs());
            worst = worst.max((fd - g).abs() / (ABS_TOL + REL_TOL * fd.abs()));
            checked += 1;
        }
    }
    // A gradient of all zeros would pass trivially: the network must actually learn here.
    assert!(
        largest > 1e-2,
        "{what}: the gradients are all tiny ({largest})"
    );
    eprintln!(
        "{what}: {checked} parameters, worst error {worst:.3} of the tolerance {ABS_TOL} + {REL_TOL}·|fd|"
    );
}

#[test]
fn softmax_cross_entropy_gradients_match_finite_differences() {
    let x = random_matrix(7, 3, -1.5, 1.5, 1);
    let y = random_classes(7, 3, 2);
    let layers = [
        dense(5, Activation::Tanh),
        dense(4, Activation::Sigmoid),
        dense(3, Activation::Softmax),
    ];
    check(
        "softmax CE",
        &layers,
        LossKind::CategoricalCrossentropy,
        &x,
        &y,
    );
}

#[test]
fn binary_cross_entropy_gradients_match_finite_differences() {
    let x = random_matrix(9, 4, -1.0, 1.0, 3);
    let y = random_classes(9, 2, 4);
    let layers = [dense(5, Activation::Gelu), dense(1, Activation::Sigmoid)];
    check("sigmoid BCE", &layers, LossKind::BinaryCrossentropy, &x, &y);
}

#[test]
fn regression_gradients_match_finite_differences() {
    let x = random_matrix(6, 2, -1.0, 1.0, 5);
    let y = random_matrix(6, 2, -1.0, 1.0, 6);
    let layers = [
        dense(6, Activation::Elu),
        dense(3, Activation::Silu),
        dense(2, Activation::Linear),
    ];
    check("MSE", &layers, LossKind::Mse, &x, &y);
    check("MAE", &layers, LossKind::Mae, &x, &y);
}

#[test]
fn batch_norm_gradients_match_finite_differences() {
    // Batch norm on the dataset (no input gradient) and between hidden layers (through its
    // input gradient), differentiated through the batch statistics of the training forward.
    let x = random_matrix(8, 3, -1.0, 1.0, 7);
    let y = random_matrix(8, 2, -1.0, 1.0, 8);
    let bn = LayerSpec::BatchNorm {
        momentum: 0.9,
        epsilon: 1e-3,
    };
    let layers = [
        bn.clone(),
        dense(5, Activation::Tanh),
        bn,
        dense(2, Activation::Linear),
    ];
    check("batch norm", &layers, LossKind::Mse, &x, &y);
}
