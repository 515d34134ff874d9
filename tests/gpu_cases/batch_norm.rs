//! Batch normalisation on the GPU against the CPU layer (`nn::batch_norm::BatchNorm`): the
//! kernels on odd shapes, and models with batch norm trained on both engines.
//!
//! The per-feature statistics and column sums add the rows in the CPU's order, so the kernels
//! can differ from the CPU only by the rounding of `/`, `sqrt` and fused multiply-adds (on
//! lavapipe they agree bit for bit). Elsewhere that is a few ulps, which dividing by σ can
//! magnify up to 10× for the narrowest feature here (spread 0.1): the kernel tolerance
//! 1e-5 + 1e-5·|cpu| allows ~100 ulps at magnitude 1, and is far below what a wrong formula
//! gives (an unbiased variance alone scales X̂ by √((m−1)/m): 1.7e-3 at m = 300).

use nn_playground::backend::webgpu::GpuTrainer;
use nn_playground::nn::batch_norm::BatchNorm;
use nn_playground::{
    Activation, CompileSpec, Error, Init, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind,
    OptimizerSpec, Regularization, RegularizationKind, Sequential,
};

use super::training::compare;
use super::{assert_close, Gpu};
use crate::common::{dense, random_matrix};

const TOL: f32 = 1e-5;

/// A layer with non-trivial γ, β and running statistics.
fn layer(features: usize, momentum: f32, seed: u64) -> BatchNorm {
    let mut bn = BatchNorm::new(features, momentum, 1e-3);
    bn.gamma = random_matrix(1, features, 0.5, 2.0, seed).into_vec();
    bn.beta = random_matrix(1, features, -1.0, 1.0, seed + 1).into_vec();
    bn.running_mean = random_matrix(1, features, -0.5, 0.5, seed + 2).into_vec();
    bn.running_var = random_matrix(1, features, 0.5, 1.5, seed + 3).into_vec();
    bn
}

/// A batch whose features have different means and spreads (feature j: centre j − f/2,
/// spread 0.1·(j + 1)), so normalising is far from the identity.
fn batch(rows: usize, features: usize, seed: u64) -> Matrix {
    let u = random_matrix(rows, features, -1.0, 1.0, seed);
    let data = u
        .as_slice()
        .iter()
        .enumerate()
        .map(|(e, v)| {
            let j = e % features;
            (j as f32 - features as f32 / 2.0) + 0.1 * (j + 1) as f32 * v
        })
        .collect();
    Matrix::from_vec(rows, features, data).unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

pub async fn batch_norm_training_step_matches_the_cpu_layer(gpu: &Gpu) {
    let (_, run) = gpu;
    // Odd shapes; a single row (zero variance); more rows than one workgroup has invocations.
    for (s, &(m, f)) in [(7, 13), (1, 5), (33, 3), (300, 17), (2, 257)]
        .iter()
        .enumerate()
    {
        let seed = 100 + 10 * s as u64;
        let mut cpu = layer(f, 0.9, seed);
        let start = cpu.clone();
        let x = batch(m, f, seed + 5);
        let dy = random_matrix(m, f, -1.0, 1.0, seed + 6);
        let mut y = Matrix::default();
        cpu.forward(&x, &mut y, true);
        let mut dx = Matrix::default();
        cpu.backward(&dy, &mut dx);
        let got = run.batch_norm_train(&start, &x, &dy, false).await.unwrap();
        let what = |t: &str| format!("{t} ({m}×{f})");
        assert_close(&what("Y"), got.y.as_slice(), y.as_slice(), TOL, TOL);
        assert_close(&what("dX"), got.dx.as_slice(), dx.as_slice(), TOL, TOL);
        assert_close(&what("dγ"), &got.dgamma, &cpu.dgamma, TOL, TOL);
        assert_close(&what("dβ"), &got.dbeta, &cpu.dbeta, TOL, TOL);
        assert_close(
            &what("running mean"),
            &got.running_mean,
            &cpu.running_mean,
            TOL,
            TOL,
        );
        assert_close(
            &what("running variance"),
            &got.running_var,
            &cpu.running_var,
            TOL,
            TOL,
        );
        eprintln!(
            "batch norm {m}×{f}: max |GPU − CPU| Y {:.1e}, dX {:.1e}, dγ {:.1e}, dβ {:.1e}, running {:.1e}/{:.1e}",
            max_abs_diff(got.y.as_slice(), y.as_slice()),
            max_abs_diff(got.dx.as_slice(), dx.as_slice()),
            max_abs_diff(&got.dgamma, &cpu.dgamma),
            max_abs_diff(&got.dbeta, &cpu.dbeta),
            max_abs_diff(&got.running_mean, &cpu.running_mean),
            max_abs_diff(&got.running_var, &cpu.running_var),
        );
    }
}

pub async fn batch_norm_inference_uses_the_running_statistics_like_the_cpu(gpu: &Gpu) {
    let (_, run) = gpu;
    for (m, f) in [(7, 13), (64, 1), (129, 6)] {
        let mut cpu = layer(f, 0.99, 7 + m as u64);
        let x = batch(m, f, 8 + m as u64);
        let got = run.batch_norm_infer(&cpu, &x).await.unwrap();
        let mut want = Matrix::default();
        cpu.forward(&x, &mut want, false);
        assert_close(
            &format!("inference {m}×{f}"),
            got.as_slice(),
            want.as_slice(),
            TOL,
            TOL,
        );
    }
}

pub async fn running_statistics_skip_non_finite_batches_and_diverged_submits(gpu: &Gpu) {
    let (_, run) = gpu;
    let (m, f) = (4, 3);
    let start = layer(f, 0.9, 300);
    // Feature 1's variance overflows f32: like the CPU, only that feature keeps its statistics.
    let mut x = batch(m, f, 301);
    for i in 0..m {
        x.set(i, 1, if i % 2 == 0 { 3e19 } else { -3e19 });
    }
    let dy = random_matrix(m, f, -1.0, 1.0, 302);
    let mut cpu = start.clone();
    let mut y = Matrix::default();
    cpu.forward(&x, &mut y, true);
    assert_eq!(
        cpu.running_var[1], start.running_var[1],
        "CPU kept feature 1"
    );
    assert_ne!(
        cpu.running_var[0], start.running_var[0],
        "CPU moved feature 0"
    );
    let got = run.batch_norm_train(&start, &x, &dy, false).await.unwrap();
    assert_close(
        "running mean",
        &got.running_mean,
        &cpu.running_mean,
        TOL,
        TOL,
    );
    assert_close(
        "running variance",
        &got.running_var,
        &cpu.running_var,
        TOL,
        TOL,
    );
    // After a diverged step of the same submit nothing moves (the CPU has stopped by then),
    // while the step itself is still computed.
    let x = batch(m, f, 303);
    let got = run.batch_norm_train(&start, &x, &dy, true).await.unwrap();
    assert_eq!(got.running_mean, start.running_mean);
    assert_eq!(got.running_var, start.running_var);
    let mut cpu = start.clone();
    cpu.forward(&x, &mut y, true);
    assert_close(
        "Y after divergence",
        got.y.as_slice(),
        y.as_slice(),
        TOL,
        TOL,
    );
}

fn bn(momentum: f32) -> LayerSpec {
    LayerSpec::BatchNorm {
        momentum,
        epsilon: 1e-3,
    }
}

fn model(input_dim: usize, layers: Vec<LayerSpec>, compile: CompileSpec) -> Sequential {
    let mut m = Sequential::new(ModelSpec { input_dim, layers }, 42).unwrap();
    m.compile(compile).unwrap();
    m
}

/// XOR-like quadrants: 47 rows, so batches of 10 end with a partial batch of 7.
fn quadrants() -> (Matrix, Matrix) {
    let x = random_matrix(47, 2, -1.0, 1.0, 1);
    let y = x
        .as_slice()
        .chunks(2)
        .map(|r| (r[0] * r[1] > 0.0) as u8 as f32)
        .collect();
    (x, Matrix::from_vec(47, 1, y).unwrap())
}

fn bce(kind: OptimizerKind, learning_rate: f32) -> CompileSpec {
    CompileSpec {
        optimizer: OptimizerSpec {
            kind,
            learning_rate,
            ..Default::default()
        },
        loss: LossKind::BinaryCrossentropy,
        ..Default::default()
    }
}

/// 2-8-BN-8-1: batch norm between two hidden layers.
fn hidden_bn(compile: CompileSpec) -> Sequential {
    model(
        2,
        vec![
            dense(8, Activation::Tanh),
            bn(0.9),
            dense(8, Activation::Relu),
            dense(1, Activation::Sigmoid),
        ],
        compile,
    )
}

// Loss tolerance: 1e-3 relative per call, as for the dense models. BN's own kernels match the
// CPU's operation order, but the matmuls sum in another, FMA contraction varies by driver,
// and dividing by the batch σ passes those differences on undamped as steps compound; the
// margin is for real GPUs. Measured on lavapipe: ≤ 1.6e-7 relative over 54–70 steps, while
// every deliberately broken batch-norm kernel or glue tried failed these tests.

pub async fn batch_norm_model_with_sgd_follows_the_cpu_curve(gpu: &Gpu) {
    let (x, y) = quadrants();
    compare(
        gpu,
        hidden_bn(bce(OptimizerKind::Sgd, 0.2)),
        (&x, &y),
        10,
        10,
        7,
        1e-3,
    )
    .await;
}

pub async fn batch_norm_model_with_adam_follows_the_cpu_curve(gpu: &Gpu) {
    let (x, y) = quadrants();
    compare(
        gpu,
        hidden_bn(bce(OptimizerKind::Adam, 0.02)),
        (&x, &y),
        10,
        10,
        7,
        1e-3,
    )
    .await;
}

pub async fn batch_norm_first_and_last_with_penalties_follows_the_cpu_curve(gpu: &Gpu) {
    // Batch norm straight on the dataset (reading it at each batch's row offset) and as the
    // output layer; L2 and AdamW's decay must not touch γ and β, as on the CPU.
    let x = random_matrix(50, 3, -1.0, 1.0, 4);
    let y = Matrix::from_vec(
        50,
        2,
        x.as_slice()
            .chunks(3)
            .flat_map(|r| [3.0 * r[0] - 2.0 * r[1] + 1.0, r[2] * r[0]])
            .collect(),
    )
    .unwrap();
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adamw,
            learning_rate: 0.01,
            weight_decay: 0.05,
            ..Default::default()
        },
        loss: LossKind::Mse,
        regularization: Regularization {
            kind: RegularizationKind::L2,
            rate: 1e-2,
        },
        ..Default::default()
    };
    // No bias before the last batch norm: its gradient would be 0 up to rounding, which Adam's
    // normalised step turns into lr-sized moves in a direction set by rounding noise.
    let m = model(
        3,
        vec![
            bn(0.8),
            dense(16, Activation::Elu),
            LayerSpec::Dense {
                units: 2,
                activation: Activation::Linear,
                init: Init::GlorotUniform,
                use_bias: false,
            },
            bn(0.8),
        ],
        compile,
    );
    compare(gpu, m, (&x, &y), 16, 6, 9, 1e-3).await;
}

pub async fn running_statistics_upload_with_the_weights_and_download_back(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let (x, y) = quadrants();
    let fresh = hidden_bn(bce(OptimizerKind::Adam, 0.02));
    let mut cpu = fresh.clone();
    cpu.train_steps(&x, &y, 10, 30).unwrap();
    let mut t = GpuTrainer::new(ctx, &fresh, 16).unwrap();
    assert_eq!(t.last_running_stats(), fresh.running_stats().as_slice());
    // The CPU-trained weights and statistics replace the GPU's: predictions agree.
    let mut values = cpu.params();
    values.extend(cpu.running_stats());
    t.upload_params(&values).unwrap();
    let grid = random_matrix(200, 2, -2.0, 2.0, 5);
    let want = cpu.predict(&grid).unwrap();
    let got = t.predict(&grid).await.unwrap();
    assert_close("after upload", got.as_slice(), want.as_slice(), 1e-5, 1e-4);
    // A fresh model downloaded from the trainer takes both and predicts the same.
    let mut back = fresh.clone();
    t.download_into(&mut back).unwrap();
    assert_eq!(back.running_stats(), cpu.running_stats());
    assert_eq!(back.params(), cpu.params());
    // Weights alone leave the running statistics as they are.
    t.upload_params(&fresh.clone().params()).unwrap();
    assert_eq!(t.last_running_stats(), cpu.running_stats().as_slice());
    // Malformed statistics are refused before anything is written.
    let mut short = cpu.params();
    short.push(vec![0.0; 8]);
    assert!(matches!(t.upload_params(&short), Err(Error::Shape(_))));
    let mut negative = cpu.params();
    negative.extend([vec![0.0; 8], vec![-1.0; 8]]);
    assert!(matches!(
        t.upload_params(&negative),
        Err(Error::InvalidData(_))
    ));
    assert_eq!(t.last_running_stats(), cpu.running_stats().as_slice());
}

pub async fn a_diverging_batch_norm_model_stops_where_the_cpu_does_with_its_statistics(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let x = random_matrix(20, 2, -1.0, 1.0, 9);
    let y = random_matrix(20, 1, 1e3, 1e4, 10);
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 10.0,
            ..Default::default()
        },
        loss: LossKind::Mse,
        ..Default::default()
    };
    let fresh = model(
        2,
        vec![
            dense(4, Activation::Relu),
            bn(0.5),
            dense(1, Activation::Linear),
        ],
        compile,
    );
    let mut cpu = fresh.clone();
    let Err(Error::Diverged { step: cpu_step, .. }) = cpu.train_steps(&x, &y, 5, 200) else {
        panic!("the CPU run diverges")
    };
    // Early in the submit (at step 3 here), so most of its steps run after the divergence.
    assert!(cpu_step < 100, "diverged only at step {cpu_step}");
    let mut t = GpuTrainer::new(ctx, &fresh, 5).unwrap();
    t.set_data(&x, &y).unwrap();
    let err = t.train_steps(5, 200).await.unwrap_err();
    assert!(
        matches!(err, Error::Diverged { step, .. } if step == cpu_step),
        "GPU: {err}; CPU stopped at step {cpu_step}"
    );
    // The steps after the diverged one (same submit) left the statistics where the CPU has
    // them, and the resume point is finite and loads.
    for (i, (g, w)) in t
        .last_running_stats()
        .iter()
        .zip(cpu.running_stats())
        .enumerate()
    {
        assert_close(&format!("running statistic {i}"), g, &w, 1e-4, 1e-3);
    }
    let mut back = fresh.clone();
    t.download_into(&mut back).unwrap();
    assert_eq!(back.running_stats(), t.last_running_stats());
}

pub async fn model_uploads_and_downloads_with_state_carry_the_running_statistics(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let (x, y) = quadrants();
    let fresh = hidden_bn(bce(OptimizerKind::Adam, 0.02));
    let mut cpu = fresh.clone();
    cpu.train_steps(&x, &y, 10, 20).unwrap();
    // CPU → GPU with the optimiser state: the statistics go up with the weights.
    let mut t = GpuTrainer::new(ctx, &fresh, 16).unwrap();
    t.upload_model(&cpu).unwrap();
    assert_eq!(t.last_running_stats(), cpu.running_stats().as_slice());
    t.set_data(&x, &y).unwrap();
    t.train_steps(10, 5).await.unwrap();
    cpu.train_steps(&x, &y, 10, 5).unwrap();
    // GPU → CPU with the state: they come back, matching the CPU that trained on.
    let mut back = fresh.clone();
    t.download_with_state_into(&mut back).await.unwrap();
    assert_eq!(back.running_stats(), t.last_running_stats());
    for (i, (g, w)) in back
        .running_stats()
        .iter()
        .zip(cpu.running_stats())
        .enumerate()
    {
        assert_close(&format!("running statistic {i}"), g, &w, 1e-4, 1e-3);
    }
    let grid = random_matrix(100, 2, -2.0, 2.0, 6);
    let want = t.predict(&grid).await.unwrap();
    let got = back.predict(&grid).unwrap();
    assert_close("predictions", got.as_slice(), want.as_slice(), 1e-5, 1e-4);
}
