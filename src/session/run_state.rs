//! What a run carries beyond its config, data and model file: the epoch count, the loss
//! history and why training stopped. The page moves a session into another build of the
//! engine (the GPU one) by rebuilding it from those and setting this, so the chart, the
//! epoch counter and the stopping rules go on. The replay and early stopping's patience
//! start over there.

use serde::{Deserialize, Serialize};

use super::{EpochLoss, Session, Stop, MAX_HISTORY};
use crate::{Error, Result};

/// See the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub epoch: usize,
    pub history: Vec<EpochLoss>,
    pub history_stride: usize,
    pub latest: Option<EpochLoss>,
    pub stop: Option<Stop>,
}

impl Session {
    /// This run's [`RunState`].
    pub fn run_state(&self) -> RunState {
        RunState {
            epoch: self.epoch,
            history: self.history.clone(),
            history_stride: self.history_stride,
            latest: self.latest,
            stop: self.stop,
        }
    }

    /// Continues the run `state` describes on this session's model (rebuilt from the same
    /// config, data and model file). Refused, changing nothing, when it does not hang
    /// together: more entries than [`MAX_HISTORY`], a stride that is not a power of two, or
    /// an epoch count below what the history covers.
    pub fn set_run_state(&mut self, state: RunState) -> Result<()> {
        let bad = |why: &str| Err(Error::Format(format!("the run's state {why}")));
        if state.history.len() > MAX_HISTORY {
            return bad(&format!("has more than {MAX_HISTORY} history entries"));
        }
        if !state.history_stride.is_power_of_two() {
            return bad("has a history stride that is not a power of two");
        }
        if state.history.len().saturating_mul(state.history_stride) > state.epoch {
            return bad("has a history longer than its epochs");
        }
        self.epoch = state.epoch;
        self.history = state.history;
        self.history_stride = state.history_stride;
        self.latest = state.latest;
        self.stop = state.stop;
        self.partial = None;
        Ok(())
    }
}
