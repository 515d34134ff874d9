//! What a run carries beyond its config, data and model file: the epoch count, the loss
//! history, why training stopped, early stopping's progress (best value, epochs waited, the
//! best weights), the replay's snapshots, an epoch in progress, the training time and the
//! map's slice through a table. The page moves a session into another build of the engine
//! (the GPU one) by rebuilding it from config, data and model file and setting this, so the
//! run goes on there exactly as it would have where it was.

use serde::{Deserialize, Serialize};

use super::replay::{Replay, ReplayState};
use super::slice::Axis;
use super::{EarlyState, EpochLoss, Session, Stop, TrainTiming, MAX_HISTORY};
use crate::model::EarlyStopper;
use crate::train::{EpochProgress, EpochRun};
use crate::{Error, Result};

/// See the module docs. The fields after `stop` may be left out (a run that has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub epoch: usize,
    pub history: Vec<EpochLoss>,
    pub history_stride: usize,
    pub latest: Option<EpochLoss>,
    pub stop: Option<Stop>,
    #[serde(default)]
    pub early: Option<EarlyProgress>,
    #[serde(default)]
    pub replay: ReplayState,
    #[serde(default)]
    pub partial: Option<EpochProgress>,
    #[serde(default)]
    pub timing: TrainTiming,
    #[serde(default)]
    pub slice: Option<SliceChoice>,
}

/// Early stopping's progress: the best value of the monitor so far, its epoch, the epochs
/// waited since, and the best epoch's weights (empty unless it restores them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyProgress {
    pub best: Option<f32>,
    pub best_epoch: Option<usize>,
    pub wait: usize,
    pub best_params: Vec<Vec<f32>>,
}

/// The map's slice through a table: its two axes and where every input column is held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceChoice {
    pub x: Axis,
    pub y: Axis,
    pub held: Vec<f32>,
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
            early: self.early.as_ref().map(|e| {
                let (best, best_epoch, wait) = e.stopper.progress();
                EarlyProgress {
                    best,
                    best_epoch,
                    wait,
                    best_params: e.best_params.clone(),
                }
            }),
            replay: self.replay.to_state(),
            partial: self.partial.as_ref().map(EpochRun::progress),
            timing: self.timing,
            slice: self.slice_info().map(|s| SliceChoice {
                x: s.x,
                y: s.y,
                held: s.held.iter().map(|h| h.value).collect(),
            }),
        }
    }

    /// Continues the run `state` describes on this session's model (rebuilt from the same
    /// config, data and model file). Refused, changing nothing, when it does not hang
    /// together: more entries than [`MAX_HISTORY`], a stride that is not a power of two, an
    /// epoch count below what the history covers, early-stopping progress without early
    /// stopping in the config or with weights of another model, a replay of another map (see
    /// [`Replay::from_state`]), an epoch in progress over other rows, or a slice the table
    /// cannot take.
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
        if !(state.timing.ms.is_finite() && state.timing.ms >= 0.0) {
            return bad("has a training time that is not a duration");
        }
        let early = match (state.early, self.config.early_stopping) {
            (None, _) => None,
            (Some(_), None) => return bad("has early stopping's progress, but it is off"),
            (Some(p), Some(spec)) => {
                let shapes = |ps: &[Vec<f32>]| ps.iter().map(Vec::len).collect::<Vec<_>>();
                let fits = p.best_params.is_empty()
                    || shapes(&p.best_params) == shapes(&self.model.params());
                if !fits || p.best_params.iter().flatten().any(|v| !v.is_finite()) {
                    return bad("has best weights that do not fit the model");
                }
                let stopper = EarlyStopper::resumed(spec, (p.best, p.best_epoch, p.wait))?;
                Some(EarlyState {
                    stopper,
                    best_params: p.best_params,
                })
            }
        };
        let replay = Replay::from_state(state.replay, self.grid_channels(), state.epoch)?;
        let rows = self.data.train_x.rows();
        let partial = state
            .partial
            .map(|p| EpochRun::resumed(&self.model, rows, true, p))
            .transpose()?;
        if let Some(s) = &state.slice {
            // Applied on a copy: a refusal must leave this session as it was.
            let mut slice = self.slice.clone();
            match (self.data.table(), slice.as_mut()) {
                (Some(t), Some(view)) => view.set(t, s.x, s.y, &s.held)?,
                _ => return bad("has a slice, but the data is not a table"),
            }
            self.slice = slice;
            self.grid_cache = None;
        }
        self.epoch = state.epoch;
        self.history = state.history;
        self.history_stride = state.history_stride;
        self.latest = state.latest;
        self.stop = state.stop;
        self.early = early;
        self.replay = replay;
        self.partial = partial;
        self.timing = state.timing;
        Ok(())
    }
}
