//! Each GPU kernel against the CPU reference on odd shapes.

use nn_playground::backend::webgpu::MatmulShape;
use nn_playground::kernels::scalar;
use nn_playground::nn::layer::Param;
use nn_playground::nn::loss::loss_and_grad;
use nn_playground::nn::optim::Optimizer;
use nn_playground::{
    Activation, LossKind, Matrix, OptimizerKind, OptimizerSpec, Regularization, RegularizationKind,
};

use super::{assert_close, Gpu};
use crate::common::{random_classes, random_matrix};

/// Odd shapes take the scalar loads; multiples of 4 take vec4 loads of one or both operands.
const SHAPES: [(usize, usize, usize); 14] = [
    (1, 1, 1),
    (1, 3, 5),
    (3, 5, 1),
    (5, 17, 3),
    (17, 33, 5),
    (33, 1, 127),
    (127, 33, 17),
    (64, 64, 64),
    (130, 67, 129),
    (68, 36, 20),
    (12, 7, 8),
    (33, 12, 5),
    // Wide (128×128) tiles from 2048² outputs on, with ragged edges and scalar loads.
    (2049, 9, 2050),
    (2048, 20, 2048),
];

pub async fn matmul_matches_scalar_oracle_in_all_three_shapes(gpu: &Gpu) {
    let (_, run) = gpu;
    for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
        for shape in [MatmulShape::Nn, MatmulShape::Tn, MatmulShape::Nt] {
            let (la, lb) = match shape {
                MatmulShape::Nn => (m * k, k * n),
                MatmulShape::Tn => (k * m, k * n),
                MatmulShape::Nt => (m * k, n * k),
            };
            let a = random_matrix(1, la, -1.0, 1.0, 10 + s as u64).into_vec();
            let b = random_matrix(1, lb, -1.0, 1.0, 20 + s as u64).into_vec();
            let mut want = vec![f32::NAN; m * n];
            match shape {
                MatmulShape::Nn => scalar::gemm_nn(m, k, n, &a, &b, &mut want, false),
                MatmulShape::Tn => scalar::gemm_tn(m, k, n, &a, &b, &mut want, false),
                MatmulShape::Nt => scalar::gemm_nt(m, k, n, &a, &b, &mut want, false),
            }
            let got = run.matmul(shape, m, k, n, &a, &b).await.unwrap();
            // Summation order differs from the oracle's: allow k rounding steps.
            let tol = 2e-6 * k as f32;
            assert_close(&format!("{shape:?} {m}×{k}×{n}"), &got, &want, tol, 1e-5);
        }
    }
}

pub async fn matmul_rejects_wrong_lengths(gpu: &Gpu) {
    let (_, run) = gpu;
    let err = run
        .matmul(MatmulShape::Nn, 2, 3, 4, &[0.0; 5], &[0.0; 12])
        .await;
    assert!(
        matches!(err, Err(nn_playground::Error::Shape(_))),
        "{err:?}"
    );
}

/// Absolute tolerance of activation `act` against the CPU: WGSL lets `sin` and `cos` be off
/// by 2⁻¹¹ (SwiftShader is, by up to 1.5e-4); every other activation is held to 2e-6.
fn act_tolerance(act: Activation) -> f32 {
    if act == Activation::Sine {
        1.0 / 2048.0
    } else {
        2e-6
    }
}

pub async fn matmul_refuses_a_grid_larger_than_one_dispatch(gpu: &Gpu) {
    let (_, run) = gpu;
    // 2 097 121 columns need 65 536 blocks of 32: one more than a dispatch may have.
    let n = 32 * 65_535 + 1;
    let err = run
        .matmul(MatmulShape::Nn, 1, 1, n, &[1.0], &vec![0.0; n])
        .await;
    assert!(
        matches!(&err, Err(nn_playground::Error::Shape(m)) if m.contains("too large")),
        "{err:?}"
    );
}

pub async fn activations_forward_with_bias_match_cpu(gpu: &Gpu) {
    let (_, run) = gpu;
    let (rows, cols) = (5, 17);
    let z = random_matrix(rows, cols, -4.0, 4.0, 3).into_vec();
    let bias = random_matrix(1, cols, -0.5, 0.5, 4).into_vec();
    for act in Activation::ALL {
        let mut zb = z.clone();
        for row in zb.chunks_mut(cols) {
            row.iter_mut().zip(&bias).for_each(|(v, b)| *v += b);
        }
        let mut want = vec![0.0; rows * cols];
        act.forward(&zb, &mut want, cols);
        let got = run
            .activation_forward(act, &z, Some(&bias), rows, cols)
            .await
            .unwrap();
        assert_close(act.name(), &got, &want, act_tolerance(act), 2e-5);
    }
}

pub async fn activations_backward_match_cpu(gpu: &Gpu) {
    let (_, run) = gpu;
    let (rows, cols) = (3, 33);
    let z = random_matrix(rows, cols, -4.0, 4.0, 5).into_vec();
    let dy = random_matrix(rows, cols, -1.0, 1.0, 6).into_vec();
    for act in Activation::ALL {
        let mut y = vec![0.0; rows * cols];
        act.forward(&z, &mut y, cols);
        let mut want = vec![0.0; rows * cols];
        act.backward(&z, &y, &dy, &mut want, cols);
        let got = run
            .activation_backward(act, &z, &y, &dy, rows, cols)
            .await
            .unwrap();
        assert_close(act.name(), &got, &want, act_tolerance(act), 2e-5);
    }
}

pub async fn column_sums_match_cpu(gpu: &Gpu) {
    let (_, run) = gpu;
    for (rows, cols) in [(1, 1), (17, 3), (127, 33), (5, 300)] {
        let src = random_matrix(rows, cols, -1.0, 1.0, 7).into_vec();
        let mut want = vec![0.0; cols];
        nn_playground::kernels::column_sums(&src, cols, &mut want, false);
        let got = run.column_sums(&src, rows, cols).await.unwrap();
        assert_close(
            &format!("{rows}×{cols}"),
            &got,
            &want,
            1e-5 * rows as f32,
            1e-5,
        );
    }
}

pub async fn losses_and_gradients_match_cpu(gpu: &Gpu) {
    let (_, run) = gpu;
    let (m, n) = (33, 5);
    let p = random_matrix(m, n, -6.0, 6.0, 8);
    let reg_t = random_matrix(m, n, -2.0, 2.0, 9);
    let bin_t = Matrix::from_vec(
        m,
        n,
        reg_t
            .as_slice()
            .iter()
            .map(|v| (*v > 0.0) as u8 as f32)
            .collect(),
    )
    .unwrap();
    let sparse = random_classes(m, n, 10);
    let mut onehot = Matrix::zeros(m, n);
    for i in 0..m {
        onehot.set(i, sparse.get(i, 0) as usize, 1.0);
    }
    let cases = [
        (LossKind::Mse, &reg_t),
        (LossKind::Mae, &reg_t),
        (LossKind::Huber, &reg_t),
        (LossKind::BinaryCrossentropy, &bin_t),
        (LossKind::CategoricalCrossentropy, &sparse),
        (LossKind::CategoricalCrossentropy, &onehot),
    ];
    for (kind, t) in cases {
        let mut want_g = Matrix::default();
        let want = loss_and_grad(kind, 1.5, &p, t, &mut want_g);
        let (got, got_g) = run.loss_and_grad(kind, 1.5, &p, t).await.unwrap();
        let what = format!("{kind:?} with {}-column targets", t.cols());
        assert!(
            (got - want).abs() <= 1e-5 + 1e-5 * want.abs(),
            "{what}: loss GPU {got} vs CPU {want}"
        );
        assert_close(&what, got_g.as_slice(), want_g.as_slice(), 1e-7, 1e-4);
    }
}

pub async fn extreme_logits_stay_finite(gpu: &Gpu) {
    let (_, run) = gpu;
    let p = Matrix::from_vec(2, 3, vec![500.0, -500.0, 0.0, -800.0, 800.0, 1.0]).unwrap();
    let t = Matrix::from_vec(2, 1, vec![1.0, 0.0]).unwrap();
    let (loss, g) = run
        .loss_and_grad(LossKind::CategoricalCrossentropy, 1.0, &p, &t)
        .await
        .unwrap();
    assert!(
        loss.is_finite() && g.all_finite(),
        "loss {loss}, grad {:?}",
        g.as_slice()
    );
    let tb = Matrix::from_vec(2, 3, vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0]).unwrap();
    let (loss, g) = run
        .loss_and_grad(LossKind::BinaryCrossentropy, 1.0, &p, &tb)
        .await
        .unwrap();
    assert!(
        loss.is_finite() && g.all_finite(),
        "loss {loss}, grad {:?}",
        g.as_slice()
    );
}

pub async fn optimizer_updates_match_cpu_for_every_kind_and_penalty(gpu: &Gpu) {
    let (_, run) = gpu;
    let len = 37;
    let value = random_matrix(1, len, -1.0, 1.0, 11).into_vec();
    let grads: Vec<Vec<f32>> = (0..6)
        .map(|s| random_matrix(1, len, -1.0, 1.0, 100 + s).into_vec())
        .collect();
    let kinds = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adagrad,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
    ];
    for kind in kinds {
        for (reg_kind, is_weight) in [
            (RegularizationKind::None, true),
            (RegularizationKind::L1, true),
            (RegularizationKind::L2, true),
            (RegularizationKind::L2, false),
        ] {
            let spec = OptimizerSpec {
                kind,
                learning_rate: 0.05,
                ..Default::default()
            };
            let reg = Regularization {
                kind: reg_kind,
                rate: 0.01,
            };
            let mut opt = Optimizer::new(spec.clone()).unwrap();
            let mut want = value.clone();
            for g in &grads {
                let ctx = opt.begin_step();
                let mut gc = g.clone();
                opt.update(
                    0,
                    Param {
                        value: &mut want,
                        grad: &mut gc,
                        is_weight,
                    },
                    ctx,
                    reg,
                    1.0,
                );
            }
            let got = run
                .optimizer_steps(&spec, reg, is_weight, &value, &grads)
                .await
                .unwrap();
            assert_close(
                &format!("{kind:?} {reg_kind:?} weight={is_weight}"),
                &got,
                &want,
                2e-6,
                1e-5,
            );
        }
    }
}

pub async fn dropout_keeps_the_expected_fraction_scaled_and_is_seeded(gpu: &Gpu) {
    let (_, run) = gpu;
    let (rows, cols) = (100, 100);
    let ones = vec![1.0; rows * cols];
    let rate = 0.3;
    let a = run.dropout(rate, 1, &ones, rows, cols).await.unwrap();
    let b = run.dropout(rate, 1, &ones, rows, cols).await.unwrap();
    let c = run.dropout(rate, 2, &ones, rows, cols).await.unwrap();
    assert_eq!(a, b, "same seed, same mask");
    assert_ne!(a, c, "another seed, another mask");
    let dropped = a.iter().filter(|&&v| v == 0.0).count() as f32 / a.len() as f32;
    assert!(
        (dropped - rate).abs() < 0.02,
        "dropped fraction {dropped}, rate {rate}"
    );
    let scale = 1.0 / (1.0 - rate);
    assert!(
        a.iter().all(|&v| v == 0.0 || (v - scale).abs() < 1e-6),
        "survivors are scaled by 1/keep"
    );
}
