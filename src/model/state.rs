//! The training state of a `Sequential` beyond its weights (optimiser step count and moment
//! slots, the shuffle/dropout generator, epochs trained): accessors, and the optional
//! `"training"` section of a model file that carries it.
//!
//! With the section, a saved model resumes `fit` / `train_steps` exactly as if it had never
//! been saved, and a run can move between the CPU and the GPU without restarting its
//! momentum or Adam moments. The file version stays 1: the section is optional (files
//! without it read as before, and read back fresh), and a build that predates it ignores
//! the unknown field and still loads the weights, only losing the state — the same as any
//! file before it. A version bump would make those builds refuse every new file instead.
//!
//! ```json
//! "training": {
//!   "iterations": 120,          // optimiser updates so far (schedule t, Adam's bias exponent)
//!   "epochs": 3,                // epochs trained (optional)
//!   "rng": "<64 hex digits>",   // the shuffle/dropout generator's position (optional)
//!   "slot1": [[…], …],          // per parameter tensor, when the optimiser reads slot 1
//!   "slot2": [[…], …]           // … and slot 2 (see `nn::optim::slot_usage`)
//! }
//! ```

use serde::{Deserialize, Serialize};

use super::Sequential;
use crate::nn::optim::{OptimizerState, MAX_ITERATIONS};
use crate::{Error, Result, Rng};

/// Largest epoch count a file may set: it counts on in a `usize`, 32 bits on wasm32.
const MAX_EPOCHS: u64 = 1 << 31;

impl Sequential {
    /// The optimiser's step count and moment slots; `None` until compiled.
    pub fn optimizer_state(&self) -> Option<OptimizerState> {
        self.compiled.as_ref().map(|c| c.optimizer.state())
    }

    /// True when the optimiser has something to carry over: a step taken or a state set.
    pub fn has_optimizer_state(&self) -> bool {
        self.optimizer_state()
            .is_some_and(|s| s.iterations > 0 || !s.slots_fresh())
    }

    /// Replaces the optimiser's state (see [`OptimizerState::validate`] for what must
    /// hold); the next update continues from it. On error nothing changes.
    pub fn set_optimizer_state(&mut self, state: OptimizerState) -> Result<()> {
        let lens = self.param_lens();
        self.compiled_mut()?.optimizer.set_state(state, &lens)
    }

    /// Compiles with `spec`, keeping the optimiser's state (a file's training section) when
    /// there is one and the update rule is the same kind: moments only mean the same under
    /// the same rule, so under another it starts fresh.
    pub fn compile_keeping_state(&mut self, spec: crate::spec::CompileSpec) -> Result<()> {
        let kept = self
            .optimizer_state()
            .filter(|_| self.has_optimizer_state())
            .filter(|_| self.compile_spec().map(|c| c.optimizer.kind) == Some(spec.optimizer.kind));
        self.compile(spec)?;
        match kept {
            Some(state) => self.set_optimizer_state(state),
            None => Ok(()),
        }
    }

    /// Element count of every trainable tensor, in [`params`](Self::params) order.
    pub fn param_lens(&mut self) -> Vec<usize> {
        let mut out = Vec::new();
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| out.push(p.value.len()));
        }
        out
    }

    /// The file section for this model's state; `None` until compiled.
    pub(super) fn training_section(&self) -> Option<TrainingSection> {
        let state = self.optimizer_state()?;
        let wrap = |slots: Vec<Vec<f32>>| -> Vec<Vec<Option<f32>>> {
            slots
                .into_iter()
                .map(|s| s.into_iter().map(Some).collect())
                .collect()
        };
        Some(TrainingSection {
            iterations: state.iterations.into(),
            epochs: Some((self.epochs_trained as u64).into()),
            rng: Some(
                self.rng
                    .state()
                    .iter()
                    .map(|w| format!("{w:016x}"))
                    .collect(),
            ),
            slot1: wrap(state.slot1),
            slot2: wrap(state.slot2),
        })
    }

    /// Restores a section read from a file into this (compiled) model; errors say which
    /// field is wrong. On error the model may be partly updated: callers discard it.
    pub(super) fn restore_training(&mut self, t: TrainingSection) -> Result<()> {
        let bad = |m: String| Error::Format(format!("training state: {m}"));
        let whole = |name: &str, n: &serde_json::Number, max: u64| {
            n.as_u64().filter(|&v| v <= max).ok_or_else(|| {
                bad(format!(
                    "\"{name}\" must be a whole number from 0 to {max}, got {n}"
                ))
            })
        };
        let iterations = whole("iterations", &t.iterations, MAX_ITERATIONS)?;
        let epochs = t
            .epochs
            .as_ref()
            .map(|e| whole("epochs", e, MAX_EPOCHS))
            .transpose()?;
        let unwrap = |name: &str, slots: Vec<Vec<Option<f32>>>| {
            slots
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    s.into_iter().collect::<Option<Vec<f32>>>().ok_or_else(|| {
                        bad(format!(
                            "{name} tensor {i} contains non-finite values (null)"
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()
        };
        let state = OptimizerState {
            iterations,
            slot1: unwrap("slot1", t.slot1)?,
            slot2: unwrap("slot2", t.slot2)?,
        };
        if self.compiled.is_none() {
            return Err(bad(
                "the file has no \"compile\" settings for the optimiser state to belong to".into(),
            ));
        }
        self.set_optimizer_state(state).map_err(|e| match e {
            Error::InvalidData(m) => Error::Format(m),
            other => other,
        })?;
        if let Some(hex) = t.rng {
            self.rng = parse_rng(&hex)
                .ok_or_else(|| bad("\"rng\" must be 64 hexadecimal digits, not all zero".into()))?;
        }
        if let Some(e) = epochs {
            self.epochs_trained = e as usize;
        }
        Ok(())
    }
}

/// The `"training"` section of a model file (see the module docs).
#[derive(Serialize, Deserialize)]
pub(super) struct TrainingSection {
    /// A JSON number rather than `u64`, so a negative or fractional count gets our message.
    iterations: serde_json::Number,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epochs: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rng: Option<String>,
    /// `Option` so that a `null` (what JavaScript writes for NaN) gets our message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    slot1: Vec<Vec<Option<f32>>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    slot2: Vec<Vec<Option<f32>>>,
}

fn parse_rng(hex: &str) -> Option<Rng> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut s = [0u64; 4];
    for (i, w) in s.iter_mut().enumerate() {
        *w = u64::from_str_radix(&hex[16 * i..16 * (i + 1)], 16).ok()?;
    }
    Rng::from_state(s)
}
