//! Training for the page: whole epochs, or time-boxed slices that check the clock between
//! epochs and, for large training sets, between chunks of an epoch; the time the training
//! itself took (for the speed readout's "max"); the loss history and the stopping rules
//! (epoch limit, early stopping on the chosen monitor).

use std::collections::BTreeMap;

use super::data::Split;
use super::{EarlyState, EpochLoss, Session};
use crate::model::EarlyStopper;
use crate::train::{ready, Cpu, Engine, EpochRun, Trainer};
use crate::{Error, Logs, Monitor, Result};

/// Optimiser steps per chunk: an epoch with more steps is trained in chunks of this many,
/// so that `train_for` can stop inside it and the worker stays responsive.
pub const CHUNK_STEPS: usize = 64;

/// Optimiser steps run by [`Session::train_for`] and [`Session::train_paced`] and the
/// milliseconds (on their clock) those steps and their epochs' losses took: no sleeping, no
/// replay snapshots, no drawing. `steps / ms` is what the machine reaches training flat out,
/// whatever pace the page trains at.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainTiming {
    pub steps: u64,
    pub ms: f64,
}

/// Why a stopping rule holds training back: English by `Display`, and a stable
/// [`code`](Stop::code) with its [`args`](Stop::args) for a page in another language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Stop {
    /// The config's epoch limit was reached.
    EpochLimit { limit: usize },
    /// Early stopping: `monitor` did not improve for `waited` epochs, watched on `split`;
    /// `restored` names the best epoch when its weights were put back.
    EarlyStopping {
        monitor: Monitor,
        waited: usize,
        #[serde(default)]
        split: Watched,
        #[serde(default)]
        restored: Option<usize>,
    },
}

/// The split early stopping read its monitor on: a `val_*` monitor watches the validation
/// split when there is one and the test split otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Watched {
    Training,
    #[default]
    Validation,
    Test,
}

impl Stop {
    /// `epoch_limit` or `early_stopping`; never renamed.
    pub fn code(&self) -> &'static str {
        match self {
            Stop::EpochLimit { .. } => "epoch_limit",
            Stop::EarlyStopping { .. } => "early_stopping",
        }
    }

    /// `limit`; or `monitor` (what was watched: `loss`, `val_loss`, `test_loss`, `accuracy`,
    /// `val_accuracy`, `test_accuracy`), `epochs` waited and, when the best weights were put
    /// back, `best` (that epoch).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match *self {
            Stop::EpochLimit { limit } => vec![("limit", limit.to_string())],
            Stop::EarlyStopping {
                monitor,
                waited,
                split,
                restored,
            } => {
                let mut args = vec![
                    ("monitor", watched_key(monitor, split).to_string()),
                    ("epochs", waited.to_string()),
                ];
                if let Some(best) = restored {
                    args.push(("best", best.to_string()));
                }
                args
            }
        }
    }
}

/// The key naming what a stop watched (see [`Stop::args`]).
fn watched_key(monitor: Monitor, split: Watched) -> &'static str {
    match (monitor.maximise(), split) {
        (false, Watched::Training) => "loss",
        (false, Watched::Validation) => "val_loss",
        (false, Watched::Test) => "test_loss",
        (true, Watched::Training) => "accuracy",
        (true, Watched::Validation) => "val_accuracy",
        (true, Watched::Test) => "test_accuracy",
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Stop::EpochLimit { limit } => write!(f, "reached the epoch limit of {limit}"),
            Stop::EarlyStopping {
                monitor,
                waited,
                split,
                restored,
            } => {
                write!(
                    f,
                    "early stopping: the {} did not improve for {waited} epoch{}",
                    monitor_name(watched_key(monitor, split)),
                    if waited == 1 { "" } else { "s" }
                )?;
                match restored {
                    Some(best) => write!(f, "; the weights of its best epoch, {best}, are back"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Session {
    /// Trains `n` epochs (fewer when a stopping rule fires); an epoch already in progress
    /// counts as the first. Returns optimiser steps taken.
    pub fn train_epochs(&mut self, n: usize) -> Result<usize> {
        ready(self.train_epochs_with(&mut Cpu, n))
    }

    /// [`train_epochs`](Self::train_epochs) on `trainer`.
    pub async fn train_epochs_with<T: Trainer>(
        &mut self,
        trainer: &mut T,
        n: usize,
    ) -> Result<usize> {
        let mut steps = 0;
        let target = self.epoch + n;
        while self.epoch < target {
            // Untimed: only the page's slices feed the speed readout.
            match self.train_unit(trainer, None).await? {
                Some(s) => steps += s,
                None => break,
            }
        }
        Ok(steps)
    }

    /// Trains until `budget_ms` (read from `now`, in milliseconds) is spent, checking the
    /// clock after every epoch or chunk; at least one unit unless stopped. Returns optimiser
    /// steps taken.
    pub fn train_for(&mut self, budget_ms: f64, now: &mut dyn FnMut() -> f64) -> Result<usize> {
        ready(self.train_paced_with(&mut Cpu, budget_ms, usize::MAX, now))
    }

    /// Like [`train_for`](Self::train_for), but stops once `max_epochs` epochs have finished
    /// (an epoch already in progress counts when it finishes), for a pace slower than the
    /// machine: the page asks for as many epochs as its pace allows per tick. A large epoch
    /// is still trained in chunks within the budget, so a pace below one epoch per slice
    /// works too. At least one unit unless stopped; `max_epochs == 0` trains nothing.
    pub fn train_paced(
        &mut self,
        budget_ms: f64,
        max_epochs: usize,
        now: &mut dyn FnMut() -> f64,
    ) -> Result<usize> {
        ready(self.train_paced_with(&mut Cpu, budget_ms, max_epochs, now))
    }

    /// [`train_paced`](Self::train_paced) on `trainer` (`usize::MAX` epochs: as
    /// [`train_for`](Self::train_for)).
    pub async fn train_paced_with<T: Trainer>(
        &mut self,
        trainer: &mut T,
        budget_ms: f64,
        max_epochs: usize,
        now: &mut dyn FnMut() -> f64,
    ) -> Result<usize> {
        let start = now();
        let target = self.epoch.saturating_add(max_epochs);
        let mut steps = 0;
        while self.epoch < target {
            match self.train_unit(trainer, Some(&mut *now)).await? {
                Some(s) => steps += s,
                None => break,
            }
            if now() - start >= budget_ms {
                break;
            }
        }
        Ok(steps)
    }

    /// Steps trained in slices so far and the time they took (see [`TrainTiming`]).
    pub fn train_timing(&self) -> TrainTiming {
        self.timing
    }

    /// Builds `engine`'s copy of the model now (the GPU's), so that a model it cannot train
    /// is reported before training, and the CPU takes over with the reason.
    pub fn prepare_engine(&mut self, engine: &mut Engine) {
        let batch = self.config.batch_size.max(1);
        engine.prepare_or_fall_back(&mut self.model, batch);
    }

    /// True while an epoch is partly trained (large training sets train in chunks).
    pub fn mid_epoch(&self) -> bool {
        self.partial.is_some()
    }

    /// Optimiser steps in one epoch: batches of the configured size over the training split.
    pub fn steps_per_epoch(&self) -> usize {
        let rows = self.data.train_x.rows();
        rows.div_ceil(self.config.batch_size.clamp(1, rows.max(1)))
    }

    /// [`train_unit_unguarded`](Self::train_unit_unguarded), rolled back on divergence.
    ///
    /// The model stops at the first non-finite loss, but the update before it, though finite,
    /// may already hold weights so large that every prediction overflows. The weights from
    /// the start of the unit (≤ [`CHUNK_STEPS`] steps back, a finite loss then) are what a
    /// user can train on from at a lower rate, so those are restored.
    ///
    /// With a clock, the steps and the epoch's losses are timed on it (see [`TrainTiming`]);
    /// the replay's snapshots before and after are not, as "max" does not take one per epoch.
    async fn train_unit<T: Trainer>(
        &mut self,
        trainer: &mut T,
        mut clock: Option<&mut dyn FnMut() -> f64>,
    ) -> Result<Option<usize>> {
        if self.partial.is_none() && !self.may_start_epoch() {
            return Ok(None);
        }
        if self.data.train_x.rows() == 0 {
            return Err(Error::InvalidData(
                "there are no training points: add some by clicking the output, upload a CSV or pick a dataset".into(),
            ));
        }
        self.record_replay_start()?;
        let before = self.model.params();
        let t0 = clock.as_mut().map(|now| now());
        let (steps, finished) = match self.train_unit_unguarded(trainer).await {
            Err(e @ Error::Diverged { .. }) => {
                self.model.set_params(&before)?;
                self.grid_cache = None;
                return Err(e);
            }
            other => other?,
        };
        if let (Some(now), Some(t0)) = (clock, t0) {
            self.timing.steps += steps as u64;
            self.timing.ms += now() - t0;
        }
        if let Some(losses) = finished {
            self.after_epoch(losses)?;
        }
        Ok(Some(steps))
    }

    /// One epoch, or one chunk of [`CHUNK_STEPS`] steps of a large one: its steps, and the
    /// epoch's losses when it finished.
    async fn train_unit_unguarded<T: Trainer>(
        &mut self,
        trainer: &mut T,
    ) -> Result<(usize, Option<EpochLoss>)> {
        let rows = self.data.train_x.rows();
        let batch = self.config.batch_size.clamp(1, rows);
        let mut part = match self.partial.take() {
            Some(p) if p.rows() == rows => p,
            _ => EpochRun::next_of(&self.model, rows, batch, true),
        };
        let (x, y) = (&self.data.train_x, &self.data.train_y);
        let losses = trainer
            .train_rows(
                &mut self.model,
                x,
                y,
                part.next_rows(CHUNK_STEPS),
                batch,
                &mut |_, _| true,
            )
            .await?;
        part.record(&losses);
        if part.done() {
            self.model.count_epoch();
            return Ok((losses.len(), Some(self.end_epoch()?)));
        }
        self.partial = Some(part);
        Ok((losses.len(), None))
    }

    /// Applies the epoch limit; false when it is reached (and records why).
    pub(super) fn may_start_epoch(&mut self) -> bool {
        if self.stop.is_some() {
            return false;
        }
        if let Some(limit) = self.config.epoch_limit {
            if self.epoch >= limit {
                self.stop = Some(Stop::EpochLimit { limit });
                return false;
            }
        }
        true
    }

    /// The epoch's losses, counted and kept in the history.
    fn end_epoch(&mut self) -> Result<EpochLoss> {
        let train = self.data.loss(&mut self.model, false);
        // (The training split is never empty here, so NaN is arithmetic, not "no data".)
        // Every batch loss was finite, yet the whole set overflows: the last updates have
        // already diverged. Treated as divergence so the unit's weights are rolled back.
        if !train.is_finite() {
            return Err(Error::Diverged {
                epoch: self.epoch + 1,
                step: self.model.iterations() as usize,
                hint: crate::error::DIVERGENCE_HINT.into(),
            });
        }
        self.epoch += 1;
        let test = self.data.loss(&mut self.model, true);
        let val = self.data.loss_on(&mut self.model, Split::Validation);
        let losses = EpochLoss { train, test, val };
        self.record(losses);
        Ok(losses)
    }

    /// After an epoch's losses: the replay's snapshot when one is due, then early stopping.
    fn after_epoch(&mut self, losses: EpochLoss) -> Result<()> {
        self.record_replay(losses.train, losses.test)?;
        self.check_early_stopping(losses)
    }

    /// Keeps the epoch just finished in the bounded history (see [`Session::history`]).
    fn record(&mut self, e: EpochLoss) {
        self.latest = Some(e);
        if !self.epoch.is_multiple_of(self.history_stride) {
            return;
        }
        if self.history.len() >= super::MAX_HISTORY {
            // Entries are epochs s, 2s, 3s, …: keep the even multiples, in place.
            let mut i = 0;
            self.history.retain(|_| {
                i += 1;
                i % 2 == 0
            });
            self.history_stride *= 2;
            if !self.epoch.is_multiple_of(self.history_stride) {
                return;
            }
        }
        self.history.push(e);
    }

    /// Keras-style early stopping on the config's monitor, by the rule `fit` uses: stop once
    /// `patience` epochs in a row did not beat the best by `min_delta`, then (optionally)
    /// restore the best epoch's weights. A `val_*` monitor watches the validation split, or
    /// the test split when there is none; without either it falls back to the training one.
    fn check_early_stopping(&mut self, losses: EpochLoss) -> Result<()> {
        let Some(spec) = self.config.early_stopping else {
            return Ok(());
        };
        let split = self.watched_split(spec.monitor);
        let logs = self.monitor_logs(spec.monitor, split, losses)?;
        if self.early.is_none() {
            self.early = Some(EarlyState {
                stopper: EarlyStopper::new(spec)?,
                best_params: Vec::new(),
            });
        }
        let st = self.early.as_mut().expect("set just above");
        let (improved, stop) = st.stopper.observe(self.epoch, &logs)?;
        if improved && spec.restore_best_weights {
            st.best_params = self.model.params();
        }
        if stop {
            let mut restored = None;
            if spec.restore_best_weights && !st.best_params.is_empty() {
                let best = std::mem::take(&mut st.best_params);
                self.model.set_params(&best)?;
                self.grid_cache = None;
                restored = st.stopper.best_epoch;
                // The losses the page shows are the model's now: the best epoch's, not
                // those of the last epoch trained (the history keeps those).
                self.latest = Some(EpochLoss {
                    train: self.data.loss(&mut self.model, false),
                    test: self.data.loss(&mut self.model, true),
                    val: self.data.loss_on(&mut self.model, Split::Validation),
                });
            }
            // Keras counts the same way: patience 0 and 1 both stop at the first epoch
            // without improvement, so the message names the epochs actually waited.
            self.stop = Some(Stop::EarlyStopping {
                monitor: spec.monitor,
                waited: spec.patience.max(1),
                split,
                restored,
            });
        }
        Ok(())
    }

    /// Where `monitor` is read: `val_*` on the validation split if it has rows, else on the
    /// test split if it has rows, else on the training split.
    pub(super) fn watched_split(&self, monitor: Monitor) -> Watched {
        let watches_held_out = matches!(monitor, Monitor::ValLoss | Monitor::ValAccuracy);
        if !watches_held_out {
            Watched::Training
        } else if self.data.val_x.rows() > 0 {
            Watched::Validation
        } else if self.data.test_x.rows() > 0 {
            Watched::Test
        } else {
            Watched::Training
        }
    }

    /// The epoch's figures early stopping may watch; accuracy is evaluated only when watched.
    fn monitor_logs(
        &mut self,
        monitor: Monitor,
        split: Watched,
        losses: EpochLoss,
    ) -> Result<Logs> {
        let (watched_loss, part) = match split {
            Watched::Training => (losses.train, Split::Train),
            Watched::Validation => (losses.val, Split::Validation),
            Watched::Test => (losses.test, Split::Test),
        };
        let mut logs = Logs {
            loss: losses.train,
            val_loss: Some(watched_loss),
            metrics: BTreeMap::new(),
        };
        if monitor.maximise() {
            let (x, y) = self.data.part(part);
            let accuracy = self.model.evaluate(x, y)?.metrics.get("accuracy").copied();
            let accuracy = accuracy.ok_or_else(|| {
                Error::InvalidConfig(
                    "early stopping on accuracy needs a classification dataset; watch the loss instead"
                        .into(),
                )
            })?;
            let key = if monitor == Monitor::ValAccuracy {
                "val_accuracy"
            } else {
                "accuracy"
            };
            logs.metrics.insert(key.into(), accuracy);
        }
        Ok(logs)
    }
}

/// How the stop message names what it watched (a [`watched_key`]).
fn monitor_name(key: &str) -> &'static str {
    match key {
        "loss" => "training loss",
        "val_loss" => "validation loss",
        "test_loss" => "test loss",
        "accuracy" => "training accuracy",
        "val_accuracy" => "validation accuracy",
        _ => "test accuracy",
    }
}
