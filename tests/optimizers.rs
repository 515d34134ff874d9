//! Each optimiser's first steps against its published update rule, evaluated independently
//! in f64, and the learning-rate schedules and clipping against hand-computed values.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::nn::layer::Param;
use nn_playground::nn::optim::Optimizer;
use nn_playground::{OptimizerKind, OptimizerSpec, Regularization, RegularizationKind, Schedule};

/// Runs three steps with a fixed gradient sequence on two parameters and returns the values.
fn run(spec: OptimizerSpec, reg: Regularization, is_weight: bool) -> Vec<[f32; 2]> {
    let mut opt = Optimizer::new(spec).unwrap();
    let mut w = [1.0f32, -2.0];
    let grads = [[0.5f32, 0.25], [-0.3, 0.1], [0.2, -0.4]];
    let mut out = Vec::new();
    for g in grads {
        let mut g = g;
        let ctx = opt.begin_step();
        opt.update(
            0,
            Param {
                value: &mut w,
                grad: &mut g,
                is_weight,
            },
            ctx,
            reg,
            1.0,
        );
        out.push(w);
    }
    out
}

const GRADS: [[f64; 2]; 3] = [[0.5, 0.25], [-0.3, 0.1], [0.2, -0.4]];

fn close(got: &[[f32; 2]], want: &[[f64; 2]]) {
    for (s, (g, w)) in got.iter().zip(want).enumerate() {
        for i in 0..2 {
            assert!(
                (g[i] as f64 - w[i]).abs() < 1e-6,
                "step {s} param {i}: got {} want {}",
                g[i],
                w[i]
            );
        }
    }
}

fn spec(kind: OptimizerKind, lr: f32) -> OptimizerSpec {
    OptimizerSpec {
        kind,
        learning_rate: lr,
        ..OptimizerSpec::default()
    }
}

/// Reference loop: `rule(w, g, state, t)` applied to both parameters over the three steps.
fn reference(mut rule: impl FnMut(usize, f64, f64, usize) -> f64) -> Vec<[f64; 2]> {
    let mut w = [1.0f64, -2.0];
    let mut out = Vec::new();
    for (t, g) in GRADS.iter().enumerate() {
        for i in 0..2 {
            w[i] = rule(i, w[i], g[i], t + 1);
        }
        out.push(w);
    }
    out
}

#[test]
fn sgd() {
    close(
        &run(
            spec(OptimizerKind::Sgd, 0.1),
            Regularization::default(),
            true,
        ),
        &reference(|_, w, g, _| w - 0.1 * g),
    );
}

#[test]
fn momentum_and_nesterov() {
    let mut v = [0.0f64; 2];
    let want = reference(|i, w, g, _| {
        v[i] = 0.9 * v[i] - 0.1 * g;
        w + v[i]
    });
    close(
        &run(
            spec(OptimizerKind::Momentum, 0.1),
            Regularization::default(),
            true,
        ),
        &want,
    );
    let mut v = [0.0f64; 2];
    let want = reference(|i, w, g, _| {
        v[i] = 0.9 * v[i] - 0.1 * g;
        w + 0.9 * v[i] - 0.1 * g
    });
    close(
        &run(
            spec(OptimizerKind::Nesterov, 0.1),
            Regularization::default(),
            true,
        ),
        &want,
    );
}

#[test]
fn rmsprop_and_adagrad() {
    let eps = 1e-7f64;
    let mut s = [0.0f64; 2];
    let want = reference(|i, w, g, _| {
        s[i] = 0.9 * s[i] + 0.1 * g * g;
        w - 0.01 * g / (s[i].sqrt() + eps)
    });
    close(
        &run(
            spec(OptimizerKind::Rmsprop, 0.01),
            Regularization::default(),
            true,
        ),
        &want,
    );
    let mut a = [0.1f64; 2];
    let want = reference(|i, w, g, _| {
        a[i] += g * g;
        w - 0.05 * g / (a[i].sqrt() + eps)
    });
    close(
        &run(
            spec(OptimizerKind::Adagrad, 0.05),
            Regularization::default(),
            true,
        ),
        &want,
    );
}

#[test]
fn adam_and_adamw() {
    close(
        &run(
            spec(OptimizerKind::Adam, 0.01),
            Regularization::default(),
            true,
        ),
        &adam_reference(0.0),
    );
    // AdamW: decoupled decay `w ← w − lr·λ·w` on weights, then the Adam step.
    close(
        &run(
            spec(OptimizerKind::Adamw, 0.01),
            Regularization::default(),
            true,
        ),
        &adam_reference(0.01),
    );
    // Biases are not decayed.
    close(
        &run(
            spec(OptimizerKind::Adamw, 0.01),
            Regularization::default(),
            false,
        ),
        &adam_reference(0.0),
    );
}

/// Adam's published rule (bias-corrected moments) at lr 0.01, with decoupled weight decay
/// `decay` (AdamW; 0 for Adam and for biases).
fn adam_reference(decay: f64) -> Vec<[f64; 2]> {
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-7f64, 0.01f64);
    let mut m = [0.0f64; 2];
    let mut v = [0.0f64; 2];
    reference(|i, w, g, t| {
        m[i] = b1 * m[i] + (1.0 - b1) * g;
        v[i] = b2 * v[i] + (1.0 - b2) * g * g;
        let mh = m[i] / (1.0 - b1.powi(t as i32));
        let vh = v[i] / (1.0 - b2.powi(t as i32));
        w - lr * decay * w - lr * mh / (vh.sqrt() + eps)
    })
}

#[test]
fn l1_and_l2_penalties_apply_to_weights_only() {
    let l2 = Regularization {
        kind: RegularizationKind::L2,
        rate: 0.1,
    };
    close(
        &run(spec(OptimizerKind::Sgd, 0.1), l2, true),
        &reference(|_, w, g, _| w - 0.1 * (g + 0.2 * w)),
    );
    close(
        &run(spec(OptimizerKind::Sgd, 0.1), l2, false),
        &reference(|_, w, g, _| w - 0.1 * g),
    );
    let l1 = Regularization {
        kind: RegularizationKind::L1,
        rate: 0.05,
    };
    close(
        &run(spec(OptimizerKind::Sgd, 0.1), l1, true),
        &reference(|_, w, g, _| w - 0.1 * (g + 0.05 * w.signum())),
    );
}

#[test]
fn schedules() {
    let mk = |schedule| {
        Optimizer::new(OptimizerSpec {
            learning_rate: 0.1,
            schedule,
            ..OptimizerSpec::default()
        })
        .unwrap()
    };
    let step = mk(Schedule::Step {
        every: 10,
        factor: 0.5,
    });
    assert!((step.learning_rate_at(9) - 0.1).abs() < 1e-7);
    assert!((step.learning_rate_at(10) - 0.05).abs() < 1e-7);
    assert!((step.learning_rate_at(25) - 0.025).abs() < 1e-7);
    let exp = mk(Schedule::Exponential {
        decay_steps: 100,
        rate: 0.5,
    });
    assert!((exp.learning_rate_at(100) - 0.05).abs() < 1e-7);
    assert!((exp.learning_rate_at(50) - 0.1 * 0.5f32.sqrt()).abs() < 1e-7);
    let cos = mk(Schedule::Cosine {
        decay_steps: 100,
        min_lr: 0.01,
    });
    assert!((cos.learning_rate_at(0) - 0.1).abs() < 1e-7);
    assert!((cos.learning_rate_at(50) - 0.055).abs() < 1e-6);
    assert!((cos.learning_rate_at(500) - 0.01).abs() < 1e-7);
    assert!((mk(Schedule::Constant).learning_rate_at(1_000_000) - 0.1).abs() < 1e-9);
}

#[test]
fn invalid_hyper_parameters_are_errors() {
    for lr in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let err = Optimizer::new(OptimizerSpec {
            learning_rate: lr,
            ..OptimizerSpec::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("learning rate"), "{err}");
    }
    assert!(Optimizer::new(OptimizerSpec {
        beta2: 1.0,
        ..OptimizerSpec::default()
    })
    .is_err());
    assert!(Optimizer::new(OptimizerSpec {
        clip_norm: Some(0.0),
        ..OptimizerSpec::default()
    })
    .is_err());
    assert!(Optimizer::new(OptimizerSpec {
        schedule: Schedule::Step {
            every: 0,
            factor: 0.5
        },
        ..OptimizerSpec::default()
    })
    .is_err());
}

/// A unit whose gradient stops (a dead ReLU) has moments that decay toward zero: they must
/// reach 0, not stay in the subnormal range, where every later update of them would run on
/// x86's slow subnormal path (it made Adam half of a large training step).
#[test]
fn decaying_moments_never_stay_subnormal() {
    let kinds = [
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
    ];
    for kind in kinds {
        let spec = OptimizerSpec {
            kind,
            learning_rate: 0.01,
            ..OptimizerSpec::default()
        };
        let mut opt = Optimizer::new(spec).unwrap();
        let mut w = [0.5f32; 3];
        let mut subnormal_steps = 0;
        for step in 0..3000 {
            // A gradient for 5 steps, then none: 0.9ⁿ takes a first moment from 0.1 into the
            // subnormal range after about 830 steps, and 0.99ⁿ after about 8,000.
            let mut g = if step < 5 {
                [0.1f32, 1e-3, 1e-20]
            } else {
                [0.0; 3]
            };
            let ctx = opt.begin_step();
            let p = Param {
                value: &mut w,
                grad: &mut g,
                is_weight: true,
            };
            opt.update(0, p, ctx, Regularization::default(), 1.0);
            let state = opt.state();
            let slots = state.slot1.iter().chain(&state.slot2).flatten();
            if slots.clone().any(|x| x.is_subnormal()) {
                subnormal_steps += 1;
            }
        }
        assert_eq!(subnormal_steps, 0, "{kind:?} kept subnormal moments");
        assert!(w.iter().all(|x| x.is_finite()), "{kind:?}: {w:?}");
    }
}
