//! `OptimizerState`: a copy of an optimiser's mutable state (step count and moment slots),
//! to save with a model or to move training between the CPU and the GPU.

use super::{Optimizer, ADAGRAD_INITIAL_ACCUMULATOR};
use crate::spec::OptimizerKind;
use crate::{Error, Result};

/// Largest step count accepted: integers above 2⁵³ do not survive a trip through JavaScript.
pub const MAX_ITERATIONS: u64 = 1 << 53;

/// Which slots a kind's update rule reads: `(slot 1, slot 2)`.
///
/// Slot 1 is the velocity (momentum, Nesterov) or the first moment `m` (Adam, AdamW); slot 2
/// the second moment `v` (RMSProp, Adam, AdamW) or the squared-gradient sum (Adagrad). SGD
/// keeps neither.
pub fn slot_usage(kind: OptimizerKind) -> (bool, bool) {
    match kind {
        OptimizerKind::Sgd => (false, false),
        OptimizerKind::Momentum | OptimizerKind::Nesterov => (true, false),
        OptimizerKind::Rmsprop | OptimizerKind::Adagrad => (false, true),
        OptimizerKind::Adam | OptimizerKind::Adamw => (true, true),
    }
}

/// Value of slot 2 before the first update (slot 1 always starts at 0).
pub fn initial_slot2(kind: OptimizerKind) -> f32 {
    if kind == OptimizerKind::Adagrad {
        ADAGRAD_INITIAL_ACCUMULATOR
    } else {
        0.0
    }
}

/// An optimiser's state, independent of where it lives.
///
/// `slot1` / `slot2` hold one vector per parameter tensor (in `Sequential::params` order)
/// when the kind reads that slot (see [`slot_usage`]), and are empty otherwise. Both empty
/// means "not created yet": the first update starts them at their initial values, which is
/// only consistent with `iterations == 0` for a kind that keeps slots.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OptimizerState {
    /// Updates applied so far: the schedule's `t` and Adam's bias-correction exponent.
    pub iterations: u64,
    pub slot1: Vec<Vec<f32>>,
    pub slot2: Vec<Vec<f32>>,
}

impl OptimizerState {
    /// Whether the slots are still to be created (a fresh optimiser).
    pub fn slots_fresh(&self) -> bool {
        self.slot1.is_empty() && self.slot2.is_empty()
    }

    /// Checks the state fits parameter tensors of sizes `lens` under `kind`: the slots the
    /// kind reads are complete (one finite vector of the right length per tensor), the others
    /// are empty, second moments are ≥ 0 (they are square roots' arguments), and the step
    /// count is at most [`MAX_ITERATIONS`]. Messages name the slot and tensor.
    pub fn validate(&self, kind: OptimizerKind, lens: &[usize]) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidData(format!("optimizer state: {m}")));
        if self.iterations > MAX_ITERATIONS {
            return bad(format!(
                "{} iterations is more than the {MAX_ITERATIONS} supported",
                self.iterations
            ));
        }
        let (uses1, uses2) = slot_usage(kind);
        if (uses1 || uses2) && self.slots_fresh() {
            if self.iterations == 0 {
                return Ok(());
            }
            return bad(format!(
                "{} iterations but no moment slots; {kind:?} keeps them after its first step",
                self.iterations
            ));
        }
        for (name, uses, slots, moment2) in [
            ("slot1", uses1, &self.slot1, false),
            ("slot2", uses2, &self.slot2, true),
        ] {
            if !uses {
                if !slots.is_empty() {
                    return bad(format!(
                        "{kind:?} keeps no {name}, but {} tensors were given",
                        slots.len()
                    ));
                }
                continue;
            }
            if slots.len() != lens.len() {
                return bad(format!(
                    "{name} has {} tensors, the model has {} parameter tensors",
                    slots.len(),
                    lens.len()
                ));
            }
            for (i, (s, &len)) in slots.iter().zip(lens).enumerate() {
                if s.len() != len {
                    return bad(format!(
                        "{name} tensor {i} has {} values, the parameter has {len}",
                        s.len()
                    ));
                }
                if !crate::tensor::all_finite(s) {
                    return bad(format!("{name} tensor {i} contains non-finite values"));
                }
                if moment2 && s.iter().any(|&v| v < 0.0) {
                    return bad(format!("{name} tensor {i} holds a negative second moment"));
                }
            }
        }
        Ok(())
    }
}

impl Optimizer {
    /// A copy of the step count and the slots this kind reads (empty while not created).
    pub fn state(&self) -> OptimizerState {
        let (uses1, uses2) = slot_usage(self.spec.kind);
        let created = !self.slot1.is_empty();
        OptimizerState {
            iterations: self.iterations,
            slot1: if uses1 && created {
                self.slot1.clone()
            } else {
                Vec::new()
            },
            slot2: if uses2 && created {
                self.slot2.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// Replaces the state with `state` for parameter tensors of sizes `lens`, after
    /// [`OptimizerState::validate`]; on error nothing changes. The slots the kind does not
    /// read are set to their initial values, so the next update keeps the ones it does.
    pub fn set_state(&mut self, state: OptimizerState, lens: &[usize]) -> Result<()> {
        let kind = self.spec.kind;
        state.validate(kind, lens)?;
        self.iterations = state.iterations;
        if state.slots_fresh() {
            self.slot1.clear();
            self.slot2.clear();
            return Ok(());
        }
        let (uses1, uses2) = slot_usage(kind);
        let init2 = initial_slot2(kind);
        self.slot1 = if uses1 {
            state.slot1
        } else {
            lens.iter().map(|&n| vec![0.0; n]).collect()
        };
        self.slot2 = if uses2 {
            state.slot2
        } else {
            lens.iter().map(|&n| vec![init2; n]).collect()
        };
        Ok(())
    }
}
