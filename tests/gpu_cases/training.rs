//! GPU training runs against the CPU engine from the same initial weights (no shuffling):
//! the loss curve, the final weights and the predictions must agree.

use nn_playground::backend::webgpu::{GpuTrainer, MAX_STEPS_PER_SUBMIT};
use nn_playground::{
    Activation, CompileSpec, Error, Init, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind,
    OptimizerSpec, Regularization, RegularizationKind, Sequential,
};

use super::{assert_close, Gpu};
use crate::common::{random_classes, random_matrix};

fn dense(units: usize, activation: Activation) -> LayerSpec {
    LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    }
}

fn model(input_dim: usize, layers: Vec<LayerSpec>, compile: CompileSpec) -> Sequential {
    let mut m = Sequential::new(ModelSpec { input_dim, layers }, 42).unwrap();
    m.compile(compile).unwrap();
    m
}

/// Trains a CPU copy and a GPU copy for `calls × steps` steps; asserts every call's mean loss
/// and the final weights (and batch-norm running statistics) agree within `rel` (relative) —
/// f32 rounding differs between the two, and the difference compounds over steps — and that
/// the untrained model, given the GPU's state, predicts as the GPU does.
pub async fn compare(
    gpu: &Gpu,
    mut cpu: Sequential,
    (x, y): (&Matrix, &Matrix),
    batch: usize,
    calls: usize,
    steps: usize,
    rel: f32,
) {
    let (ctx, _) = gpu;
    let untrained = cpu.clone();
    let mut gpu_model = GpuTrainer::new(ctx, &cpu, batch).unwrap();
    gpu_model.set_data(x, y).unwrap();
    let mut first = None;
    let mut last = 0.0;
    let mut worst = 0.0f32;
    for call in 0..calls {
        let want = cpu.train_steps(x, y, batch, steps).unwrap();
        let got = gpu_model.train_steps(batch, steps).await.unwrap();
        assert!(
            (got - want).abs() <= 1e-6 + rel * want.abs(),
            "call {call}: GPU loss {got} vs CPU {want} (relative tolerance {rel})"
        );
        worst = worst.max((got - want).abs() / want.abs().max(1e-6));
        first.get_or_insert(got);
        last = got;
    }
    assert!(
        last < first.unwrap(),
        "the loss went down ({first:?} → {last})"
    );
    let want = cpu.params();
    for (i, (g, w)) in gpu_model.last_params().iter().zip(&want).enumerate() {
        assert_close(&format!("parameter tensor {i}"), g, w, 1e-4, 10.0 * rel);
    }
    let want = cpu.running_stats();
    assert_eq!(gpu_model.last_running_stats().len(), want.len());
    for (i, (g, w)) in gpu_model.last_running_stats().iter().zip(&want).enumerate() {
        assert_close(&format!("running statistic {i}"), g, w, 1e-4, 10.0 * rel);
    }
    eprintln!(
        "{} steps: worst relative loss difference {worst:.1e}, last loss {last}",
        calls * steps
    );
    // Predictions on the GPU match the CPU model's.
    let grid = random_matrix(300, x.cols(), -2.0, 2.0, 77);
    let want = cpu.predict(&grid).unwrap();
    let got = gpu_model.predict(&grid).await.unwrap();
    assert_close("predictions", got.as_slice(), want.as_slice(), 1e-3, 1e-2);
    // Writing the GPU state into the untrained model reproduces the GPU predictions on the CPU.
    let mut back = untrained;
    gpu_model.download_into(&mut back).unwrap();
    let cpu_pred = back.predict(&grid).unwrap();
    assert_close(
        "downloaded model",
        cpu_pred.as_slice(),
        got.as_slice(),
        1e-5,
        1e-4,
    );
}

pub async fn small_classifier_adam_bce_follows_the_cpu_curve(gpu: &Gpu) {
    let x = random_matrix(47, 2, -1.0, 1.0, 1);
    let y = Matrix::from_vec(
        47,
        1,
        x.as_slice()
            .chunks(2)
            .map(|r| (r[0] * r[1] > 0.0) as u8 as f32)
            .collect(),
    )
    .unwrap();
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..Default::default()
        },
        loss: LossKind::BinaryCrossentropy,
        ..Default::default()
    };
    let m = model(
        2,
        vec![
            dense(8, Activation::Tanh),
            dense(8, Activation::Tanh),
            dense(1, Activation::Sigmoid),
        ],
        compile,
    );
    // 47 rows in batches of 10: every fifth batch is a partial one of 7 rows.
    compare(gpu, m, (&x, &y), 10, 10, 7, 1e-3).await;
}

pub async fn softmax_classifier_with_momentum_l2_and_clipping_follows_the_cpu_curve(gpu: &Gpu) {
    let x = random_matrix(64, 5, -1.0, 1.0, 2);
    let y = random_classes(64, 3, 3);
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Nesterov,
            learning_rate: 0.05,
            clip_norm: Some(0.5),
            ..Default::default()
        },
        loss: LossKind::CategoricalCrossentropy,
        regularization: Regularization {
            kind: RegularizationKind::L2,
            rate: 1e-3,
        },
        ..Default::default()
    };
    let m = model(
        5,
        vec![
            dense(17, Activation::Relu),
            dense(9, Activation::Gelu),
            dense(3, Activation::Softmax),
        ],
        compile,
    );
    compare(gpu, m, (&x, &y), 16, 8, 10, 1e-3).await;
}

pub async fn regression_with_rmsprop_huber_and_l1_follows_the_cpu_curve(gpu: &Gpu) {
    let x = random_matrix(50, 3, -1.0, 1.0, 4);
    let y = Matrix::from_vec(
        50,
        2,
        x.as_slice()
            .chunks(3)
            .flat_map(|r| [r[0] - 2.0 * r[1], r[2] * r[0]])
            .collect(),
    )
    .unwrap();
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Rmsprop,
            learning_rate: 0.01,
            ..Default::default()
        },
        loss: LossKind::Huber,
        huber_delta: 0.5,
        regularization: Regularization {
            kind: RegularizationKind::L1,
            rate: 1e-4,
        },
        ..Default::default()
    };
    let m = model(
        3,
        vec![dense(16, Activation::Elu), dense(2, Activation::Linear)],
        compile,
    );
    compare(gpu, m, (&x, &y), 50, 6, 20, 1e-3).await;
}

pub async fn mse_sgd_with_sigmoid_output_follows_the_cpu_curve_over_several_submits(gpu: &Gpu) {
    let x = random_matrix(40, 4, -1.0, 1.0, 5);
    let y = random_matrix(40, 1, 0.0, 1.0, 6);
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.1,
            ..Default::default()
        },
        loss: LossKind::Mse,
        ..Default::default()
    };
    let m = model(
        4,
        vec![dense(6, Activation::Silu), dense(1, Activation::Sigmoid)],
        compile,
    );
    // More steps than one submit holds: the run is split and still matches.
    compare(gpu, m, (&x, &y), 8, 2, MAX_STEPS_PER_SUBMIT + 3, 2e-3).await;
}

pub async fn dropout_model_trains_and_predicts_without_dropout(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let x = random_matrix(64, 4, -1.0, 1.0, 7);
    let y = random_classes(64, 2, 8);
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.01,
            ..Default::default()
        },
        loss: LossKind::CategoricalCrossentropy,
        ..Default::default()
    };
    let layers = vec![
        LayerSpec::Dropout { rate: 0.1 },
        dense(32, Activation::Relu),
        LayerSpec::Dropout { rate: 0.5 },
        dense(2, Activation::Softmax),
    ];
    let cpu = model(4, layers, compile);
    let mut t = GpuTrainer::new(ctx, &cpu, 64).unwrap();
    t.set_data(&x, &y).unwrap();
    let first = t.train_steps(64, 1).await.unwrap();
    let later = t.train_steps(64, 300).await.unwrap();
    assert!(later < first, "loss {first} → {later}");
    // Inference ignores dropout: the GPU prediction equals the CPU one with the same weights.
    let mut back = cpu.clone();
    t.download_into(&mut back).unwrap();
    let want = back.predict(&x).unwrap();
    let got = t.predict(&x).await.unwrap();
    assert_close("predictions", got.as_slice(), want.as_slice(), 1e-5, 1e-4);
}

pub async fn divergence_is_reported_and_keeps_finite_weights(gpu: &Gpu) {
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
    let cpu = model(
        2,
        vec![dense(4, Activation::Relu), dense(1, Activation::Linear)],
        compile,
    );
    let mut t = GpuTrainer::new(ctx, &cpu, 20).unwrap();
    t.set_data(&x, &y).unwrap();
    let err = t.train_steps(20, 200).await.unwrap_err();
    assert!(
        matches!(err, Error::Diverged { epoch, step, .. } if epoch == step && step >= 1),
        "{err}"
    );
    assert!(
        t.last_params().iter().flatten().all(|v| v.is_finite()),
        "weights stayed finite"
    );
    let mut back = cpu.clone();
    t.download_into(&mut back).unwrap();
}

pub async fn invalid_use_gives_clear_errors(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let compile = CompileSpec::default();
    let uncompiled = Sequential::new(
        ModelSpec {
            input_dim: 2,
            layers: vec![dense(1, Activation::Linear)],
        },
        1,
    )
    .unwrap();
    assert!(matches!(
        GpuTrainer::new(ctx, &uncompiled, 8),
        Err(Error::InvalidConfig(_))
    ));
    let m = model(2, vec![dense(1, Activation::Linear)], compile);
    let mut t = GpuTrainer::new(ctx, &m, 8).unwrap();
    assert!(
        matches!(t.train_steps(8, 1).await, Err(Error::InvalidConfig(_))),
        "no data yet"
    );
    let x = random_matrix(10, 3, -1.0, 1.0, 1);
    let y = random_matrix(10, 1, -1.0, 1.0, 1);
    assert!(
        matches!(t.set_data(&x, &y), Err(Error::Shape(_))),
        "wrong input width"
    );
    let x = random_matrix(10, 2, -1.0, 1.0, 1);
    t.set_data(&x, &y).unwrap();
    assert!(
        matches!(t.train_steps(9, 1).await, Err(Error::InvalidConfig(_))),
        "batch above capacity"
    );
    assert!(matches!(
        t.upload_params(&[vec![0.0; 3]]),
        Err(Error::Shape(_))
    ));
}

pub async fn sequence_layers_are_refused_by_name(gpu: &Gpu) {
    let (ctx, _) = gpu;
    let layers = vec![
        LayerSpec::Embedding { vocab: 5, dim: 8 },
        LayerSpec::TransformerBlock {
            heads: 2,
            ff_units: 16,
            causal: false,
            dropout: 0.0,
        },
        dense(5, Activation::Linear),
    ];
    let compile = CompileSpec {
        loss: LossKind::CategoricalCrossentropy,
        ..CompileSpec::default()
    };
    let m = model(4, layers, compile);
    match GpuTrainer::new(ctx, &m, 8) {
        Err(Error::InvalidConfig(text)) => assert!(
            text.contains("no embedding layer") && text.contains("CPU"),
            "{text}"
        ),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a token model must not reach the GPU trainer"),
    }
}

pub async fn a_lost_device_keeps_the_last_weights_for_the_cpu(_: &Gpu) {
    // Its own device: releasing it must not disturb the other tests.
    let ctx = nn_playground::backend::webgpu::GpuContext::new()
        .await
        .unwrap();
    let x = random_matrix(30, 2, -1.0, 1.0, 11);
    let y = random_matrix(30, 1, -1.0, 1.0, 12);
    let compile = CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.01,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut cpu = model(
        2,
        vec![dense(5, Activation::Tanh), dense(1, Activation::Linear)],
        compile,
    );
    let mut t = GpuTrainer::new(&ctx, &cpu, 10).unwrap();
    t.set_data(&x, &y).unwrap();
    t.train_steps(10, 9).await.unwrap();
    let kept = t.last_params().to_vec();
    ctx.release();
    let err = t.train_steps(10, 1).await.unwrap_err();
    assert!(
        matches!(&err, Error::Backend(m) if m.contains("lost") && m.contains("CPU")),
        "{err}"
    );
    assert!(t.predict(&x).await.is_err());
    // The CPU resumes from the weights read back before the loss, and keeps training.
    t.download_into(&mut cpu).unwrap();
    assert_eq!(cpu.params(), kept);
    let before = cpu.evaluate(&x, &y).unwrap().loss;
    cpu.train_steps(&x, &y, 10, 60).unwrap();
    let after = cpu.evaluate(&x, &y).unwrap().loss;
    assert!(after < before, "CPU training continues: {before} → {after}");
}
