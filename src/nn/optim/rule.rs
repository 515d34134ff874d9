//! The per-element update rules of every optimiser, applied to one band of a parameter
//! tensor and its two state slots.

use super::{penalty_grad, StepContext};
use crate::spec::{OptimizerKind, OptimizerSpec, Regularization, RegularizationKind};

/// Cost of updating one parameter, in multiply-adds, for the thread pool's band threshold:
/// Adam's update is about a dozen operations with a square root and two divisions.
pub(super) const UPDATE_WORK: usize = 16;

/// Everything one update step needs besides the tensors.
pub(super) struct Rule<'a> {
    pub spec: &'a OptimizerSpec,
    pub ctx: StepContext,
    pub reg: Regularization,
    pub grad_scale: f32,
    pub is_weight: bool,
}

/// `x`, or 0 where `x` is subnormal (|x| < 2⁻¹²⁶). A moment estimate that decays toward
/// zero (momentum's and Adam's first moment of a unit whose gradient stays 0, such as a
/// dead ReLU) shrinks into the subnormal range and, at 0.9 a step, sticks at the smallest
/// subnormal for good: arithmetic on subnormals takes a slow microcode path on x86, in
/// native code and wasm alike, and made Adam's update half of a 784-256-128-10 training
/// step after a few thousand steps. A value this small moves no weight (it is below 10⁻³⁷
/// of the step), so flushing it changes nothing a run can show.
#[inline(always)]
fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

impl Rule<'_> {
    /// One Adam (AdamW with `decay > 0`) step of weight `w` with gradient `g` and moments
    /// `m`, `v`: returns the new `(m, v, w)`.
    #[inline(always)]
    fn adam(&self, w: f32, g: f32, m: f32, v: f32, decay: f32) -> (f32, f32, f32) {
        let s = self.spec;
        let StepContext { lr, bias1, bias2 } = self.ctx;
        let m = flush(s.beta1 * m + (1.0 - s.beta1) * g);
        let v = flush(s.beta2 * v + (1.0 - s.beta2) * g * g);
        let decayed = if decay > 0.0 { w - lr * decay * w } else { w };
        (
            m,
            v,
            decayed - lr * (m / bias1) / ((v / bias2).sqrt() + s.epsilon),
        )
    }

    /// Updates `value` in place from `grad`, with the optimiser's state `m` (first slot)
    /// and `v` (second slot); the four slices have equal lengths.
    // The loops index four equal-length slices in step; indices read clearer than zips.
    #[allow(clippy::needless_range_loop)]
    pub fn apply(&self, value: &mut [f32], m: &mut [f32], v: &mut [f32], grad: &[f32]) {
        let s = self.spec;
        let n = value.len();
        // Equal lengths up front, so the loops below carry no bounds checks.
        let (grad, m, v) = (&grad[..n], &mut m[..n], &mut v[..n]);
        let lr = self.ctx.lr;
        let (reg, grad_scale) = (self.reg, self.grad_scale);
        // The loss gradient plus the penalty's; weights only. Inlined into each loop below.
        let penalise = self.is_weight && reg.kind != RegularizationKind::None;
        let g_at = |i: usize, w: f32| {
            let g = grad[i] * grad_scale;
            if penalise {
                g + penalty_grad(reg, w)
            } else {
                g
            }
        };
        // One loop per kind rather than a `match` per element, so each loop is branch-free
        // and vectorises.
        match s.kind {
            OptimizerKind::Sgd => {
                for i in 0..n {
                    let w = value[i];
                    value[i] = w - lr * g_at(i, w);
                }
            }
            OptimizerKind::Momentum => {
                for i in 0..n {
                    let w = value[i];
                    m[i] = flush(s.momentum * m[i] - lr * g_at(i, w));
                    value[i] = w + m[i];
                }
            }
            OptimizerKind::Nesterov => {
                for i in 0..n {
                    let (w, g) = (value[i], g_at(i, value[i]));
                    m[i] = flush(s.momentum * m[i] - lr * g);
                    value[i] = w + s.momentum * m[i] - lr * g;
                }
            }
            OptimizerKind::Rmsprop => {
                for i in 0..n {
                    let (w, g) = (value[i], g_at(i, value[i]));
                    v[i] = flush(s.rho * v[i] + (1.0 - s.rho) * g * g);
                    value[i] = w - lr * g / (v[i].sqrt() + s.epsilon);
                }
            }
            OptimizerKind::Adagrad => {
                // The accumulator only grows from its positive start: never subnormal.
                for i in 0..n {
                    let (w, g) = (value[i], g_at(i, value[i]));
                    v[i] += g * g;
                    value[i] = w - lr * g / (v[i].sqrt() + s.epsilon);
                }
            }
            OptimizerKind::Adam | OptimizerKind::Adamw => {
                let decay = if s.kind == OptimizerKind::Adamw && self.is_weight {
                    s.weight_decay
                } else {
                    0.0
                };
                // Adam is the update large models use: without a penalty its loop gets no
                // penalty select at all, which lets LLVM vectorise it.
                if penalise {
                    for i in 0..n {
                        let (w, g) = (value[i], g_at(i, value[i]));
                        (m[i], v[i], value[i]) = self.adam(w, g, m[i], v[i], decay);
                    }
                } else {
                    for i in 0..n {
                        let (w, g) = (value[i], grad[i] * grad_scale);
                        (m[i], v[i], value[i]) = self.adam(w, g, m[i], v[i], decay);
                    }
                }
            }
        }
    }
}
