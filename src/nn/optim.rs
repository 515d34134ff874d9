//! Optimisers (SGD, momentum, Nesterov, RMSProp, Adagrad, Adam, AdamW), learning-rate
//! schedules, gradient-norm clipping and L1/L2 weight penalties.

mod state;

pub use state::{initial_slot2, slot_usage, OptimizerState, MAX_ITERATIONS};

use crate::kernels::parallel;
use crate::nn::layer::Param;
use crate::spec::{OptimizerKind, OptimizerSpec, Regularization, RegularizationKind, Schedule};
use crate::{config_err, Result};

mod rule;
use rule::{Rule, UPDATE_WORK};

/// Adagrad's accumulator starts here (as in Keras) so the first steps are not `lr·sign(g)`.
pub const ADAGRAD_INITIAL_ACCUMULATOR: f32 = 0.1;

/// Longest learning-rate warm-up, in updates.
pub const MAX_WARMUP_STEPS: usize = 1_000_000;

/// Optimiser state: one or two slots per parameter tensor, created on first use.
#[derive(Debug, Clone)]
pub struct Optimizer {
    pub spec: OptimizerSpec,
    /// Number of updates applied so far.
    pub iterations: u64,
    slot1: Vec<Vec<f32>>,
    slot2: Vec<Vec<f32>>,
}

impl Optimizer {
    pub fn new(spec: OptimizerSpec) -> Result<Self> {
        validate(&spec)?;
        Ok(Self {
            spec,
            iterations: 0,
            slot1: Vec::new(),
            slot2: Vec::new(),
        })
    }

    /// Learning rate for update number `t` (0-based): the linear warm-up, then the schedule
    /// from its own step 0.
    pub fn learning_rate_at(&self, t: u64) -> f32 {
        let warmup = self.spec.warmup_steps as u64;
        if t < warmup {
            return self.spec.learning_rate * (t + 1) as f32 / warmup as f32;
        }
        self.scheduled_rate_at(t - warmup)
    }

    fn scheduled_rate_at(&self, t: u64) -> f32 {
        let lr = self.spec.learning_rate;
        let t = t as f32;
        match self.spec.schedule {
            Schedule::Constant => lr,
            Schedule::Step { every, factor } => {
                lr * factor.powi((t / every.max(1) as f32).floor() as i32)
            }
            Schedule::Exponential { decay_steps, rate } => {
                lr * rate.powf(t / decay_steps.max(1) as f32)
            }
            Schedule::Cosine {
                decay_steps,
                min_lr,
            } => {
                let p = (t / decay_steps.max(1) as f32).min(1.0);
                min_lr + (lr - min_lr) * 0.5 * (1.0 + (std::f32::consts::PI * p).cos())
            }
        }
    }

    /// Starts update number `iterations`: fixes the scheduled learning rate and Adam's bias
    /// corrections for every parameter updated in this step.
    pub fn begin_step(&mut self) -> StepContext {
        let lr = self.learning_rate_at(self.iterations);
        self.iterations += 1;
        let t = self.iterations as i32;
        // Only Adam reads the bias corrections; `powi` is a library call worth skipping in
        // the small playground steps.
        let adam = matches!(self.spec.kind, OptimizerKind::Adam | OptimizerKind::Adamw);
        StepContext {
            lr,
            bias1: if adam {
                1.0 - self.spec.beta1.powi(t)
            } else {
                1.0
            },
            bias2: if adam {
                1.0 - self.spec.beta2.powi(t)
            } else {
                1.0
            },
        }
    }

    /// Updates parameter number `idx` (a fixed order across steps) in place. The L1/L2 penalty
    /// gradient is added to weights; `grad_scale` multiplies the loss gradient (clipping).
    pub fn update(
        &mut self,
        idx: usize,
        p: Param<'_>,
        ctx: StepContext,
        reg: Regularization,
        grad_scale: f32,
    ) {
        if self.slot1.len() <= idx {
            self.slot1.resize_with(idx + 1, Vec::new);
            self.slot2.resize_with(idx + 1, Vec::new);
        }
        if self.slot1[idx].len() != p.value.len() {
            let init2 = initial_slot2(self.spec.kind);
            self.slot1[idx] = vec![0.0; p.value.len()];
            self.slot2[idx] = vec![init2; p.value.len()];
        }
        let (m, v) = (&mut self.slot1[idx], &mut self.slot2[idx]);
        let n = p.value.len();
        let rule = Rule {
            spec: &self.spec,
            ctx,
            reg,
            grad_scale,
            is_weight: p.is_weight,
        };
        // Element-wise, so large tensors are cut into bands for the thread pool (the same
        // arithmetic on every element whatever the cut).
        parallel::bands4(
            p.value,
            &mut m[..n],
            &mut v[..n],
            &p.grad[..n],
            n * UPDATE_WORK,
            |value, m, v, grad| rule.apply(value, m, v, grad),
        );
    }

    /// Forgets the moment estimates and the step count (after the weights are replaced).
    pub fn reset_state(&mut self) {
        self.iterations = 0;
        self.slot1.clear();
        self.slot2.clear();
    }
}

/// Per-step constants shared by every parameter update of one optimiser step.
#[derive(Debug, Clone, Copy)]
pub struct StepContext {
    pub lr: f32,
    pub bias1: f32,
    pub bias2: f32,
}

/// `∂/∂w` of the penalty: L1 `rate·Σ|w|` → `rate·sign(w)`; L2 `rate·Σw²` → `2·rate·w`.
pub fn penalty_grad(reg: Regularization, w: f32) -> f32 {
    match reg.kind {
        RegularizationKind::None => 0.0,
        RegularizationKind::L1 => {
            reg.rate
                * if w > 0.0 {
                    1.0
                } else if w < 0.0 {
                    -1.0
                } else {
                    0.0
                }
        }
        RegularizationKind::L2 => 2.0 * reg.rate * w,
    }
}

/// The penalty itself for one weight.
pub fn penalty(reg: Regularization, w: f32) -> f32 {
    match reg.kind {
        RegularizationKind::None => 0.0,
        RegularizationKind::L1 => reg.rate * w.abs(),
        RegularizationKind::L2 => reg.rate * w * w,
    }
}

/// Checks hyper-parameters, with messages that say what to change.
pub fn validate(s: &OptimizerSpec) -> Result<()> {
    if !(s.learning_rate.is_finite() && s.learning_rate > 0.0) {
        return Err(config_err!(
            "learning rate must be a positive finite number, got {}",
            s.learning_rate
        ));
    }
    let unit = |name: &str, v: f32| {
        if (0.0..1.0).contains(&v) {
            Ok(())
        } else {
            Err(config_err!("{name} must be in [0, 1), got {v}"))
        }
    };
    unit("momentum", s.momentum)?;
    unit("beta1", s.beta1)?;
    unit("beta2", s.beta2)?;
    unit("rho", s.rho)?;
    if !(s.epsilon.is_finite() && s.epsilon > 0.0) {
        return Err(config_err!(
            "epsilon must be a small positive number, got {}",
            s.epsilon
        ));
    }
    if !(s.weight_decay.is_finite() && s.weight_decay >= 0.0) {
        return Err(config_err!(
            "weight decay must be ≥ 0, got {}",
            s.weight_decay
        ));
    }
    if s.warmup_steps > MAX_WARMUP_STEPS {
        return Err(config_err!(
            "warm-up of {} steps; the limit is {MAX_WARMUP_STEPS}",
            s.warmup_steps
        ));
    }
    if let Some(c) = s.clip_norm {
        if !(c.is_finite() && c > 0.0) {
            return Err(config_err!(
                "gradient clip norm must be a positive number, got {c}"
            ));
        }
    }
    match s.schedule {
        Schedule::Constant => {}
        Schedule::Step { every, factor } => {
            if every == 0 || !(factor.is_finite() && factor > 0.0) {
                return Err(config_err!("step schedule needs every ≥ 1 and factor > 0"));
            }
        }
        Schedule::Exponential { decay_steps, rate } => {
            if decay_steps == 0 || !(rate.is_finite() && rate > 0.0) {
                return Err(config_err!(
                    "exponential schedule needs decay_steps ≥ 1 and rate > 0"
                ));
            }
        }
        Schedule::Cosine {
            decay_steps,
            min_lr,
        } => {
            if decay_steps == 0 || !(min_lr.is_finite() && min_lr >= 0.0) {
                return Err(config_err!(
                    "cosine schedule needs decay_steps ≥ 1 and min_lr ≥ 0"
                ));
            }
        }
    }
    Ok(())
}
