//! The numeric codes and constants the WGSL kernels read from an `Op`: activation, loss and
//! optimiser kinds, and the optimiser's initial state.

use super::kernels::Op;
use crate::nn::optim::ADAGRAD_INITIAL_ACCUMULATOR;
use crate::spec::{LossKind, OptimizerKind, OptimizerSpec, Regularization, RegularizationKind};

/// The `Op::kind` code of an activation (its index in `Activation::ALL`).
pub(crate) fn activation_code(a: crate::Activation) -> u32 {
    crate::Activation::ALL
        .iter()
        .position(|x| *x == a)
        .expect("ALL lists every activation") as u32
}

/// `Op::kind` of a loss (see `loss.wgsl`).
pub(crate) fn loss_code(kind: LossKind) -> u32 {
    match kind {
        LossKind::Mse => 0,
        LossKind::Mae => 1,
        LossKind::Huber => 2,
        LossKind::BinaryCrossentropy => 3,
        LossKind::CategoricalCrossentropy => 4,
    }
}

/// Optimiser state of a fresh tensor: slot 1 zero; slot 2 zero (Adagrad: its initial
/// accumulator).
pub(crate) fn initial_state(kind: OptimizerKind, len: usize) -> Vec<f32> {
    let init2 = if kind == OptimizerKind::Adagrad {
        ADAGRAD_INITIAL_ACCUMULATOR
    } else {
        0.0
    };
    let mut s = vec![0.0; 2 * len];
    s[len..].iter_mut().for_each(|v| *v = init2);
    s
}

/// The `Op` of an update over a `len`-element tensor (see `optim.wgsl`).
pub(crate) fn update_op(
    spec: &OptimizerSpec,
    reg: Regularization,
    is_weight: bool,
    len: usize,
) -> Op {
    let kind = match spec.kind {
        OptimizerKind::Sgd => 0,
        OptimizerKind::Momentum => 1,
        OptimizerKind::Nesterov => 2,
        OptimizerKind::Rmsprop => 3,
        OptimizerKind::Adagrad => 4,
        OptimizerKind::Adam => 5,
        OptimizerKind::Adamw => 6,
    };
    let extra = match reg.kind {
        RegularizationKind::None => 0,
        RegularizationKind::L1 => 1,
        RegularizationKind::L2 => 2,
    };
    Op {
        n: len as u32,
        flags: is_weight as u32,
        kind,
        extra,
        f: [
            spec.momentum,
            spec.beta1,
            spec.beta2,
            spec.epsilon,
            spec.rho,
            spec.weight_decay,
            reg.rate,
            0.0,
        ],
        ..Op::default()
    }
}
