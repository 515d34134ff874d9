//! `fit`'s options, callbacks, logs and `History`, the early-stopping rule and the
//! validation split; the loop itself, and `Sequential::fit` that runs it on the CPU, are in
//! `crate::train::fit` (the layer above), shared by every backend.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::spec::{EarlyStoppingSpec, Monitor};
use crate::{config_err, Error, Matrix, Result};

/// Options of [`Sequential::fit`](super::Sequential::fit).
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub shuffle: bool,
    /// Fraction of rows (taken from the end, before shuffling, as Keras does) held out for
    /// validation; ignored when `validation_data` is given.
    pub validation_split: f32,
    pub validation_data: Option<(Matrix, Matrix)>,
    pub early_stopping: Option<EarlyStoppingSpec>,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            validation_split: 0.0,
            validation_data: None,
            early_stopping: None,
        }
    }
}

/// Hooks called during `fit`; returning `false` stops training after the current batch/epoch.
pub trait Callback {
    fn on_epoch_end(&mut self, _epoch: usize, _logs: &Logs) -> bool {
        true
    }
    fn on_batch_end(&mut self, _batch: usize, _loss: f32) -> bool {
        true
    }
}

/// What one epoch produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Logs {
    pub loss: f32,
    pub val_loss: Option<f32>,
    /// Training metrics by name, validation ones prefixed with `val_`.
    pub metrics: BTreeMap<String, f32>,
}

impl Logs {
    fn monitored(&self, m: Monitor) -> Option<f32> {
        match m {
            Monitor::Loss => Some(self.loss),
            Monitor::ValLoss => self.val_loss,
            Monitor::Accuracy => self.metrics.get("accuracy").copied(),
            Monitor::ValAccuracy => self.metrics.get("val_accuracy").copied(),
        }
    }
}

/// Per-epoch logs of a `fit` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct History {
    pub epochs: Vec<Logs>,
    /// Set when early stopping ended the run; the 0-based epoch whose weights were kept
    /// (when restoring) or the best epoch seen.
    pub stopped_early: bool,
    pub best_epoch: Option<usize>,
}

/// Early-stopping bookkeeping shared by `fit` and the playground session.
#[derive(Debug, Clone)]
pub struct EarlyStopper {
    spec: EarlyStoppingSpec,
    best: Option<f32>,
    pub best_epoch: Option<usize>,
    wait: usize,
}

impl EarlyStopper {
    pub fn new(spec: EarlyStoppingSpec) -> Result<Self> {
        if !(spec.min_delta.is_finite() && spec.min_delta >= 0.0) {
            return Err(config_err!(
                "early stopping min_delta must be ≥ 0, got {}",
                spec.min_delta
            ));
        }
        Ok(Self {
            spec,
            best: None,
            best_epoch: None,
            wait: 0,
        })
    }

    /// Records an epoch; returns (improved, should_stop).
    ///
    /// Keras's rule: an epoch that beats the best by more than `min_delta` resets the wait;
    /// any other adds one, and training stops once the wait reaches `patience`. With
    /// `patience` 0 that is the first epoch without improvement, as with 1 (Keras checks
    /// `wait >= patience` only after a non-improving epoch has raised the wait).
    pub fn observe(&mut self, epoch: usize, logs: &Logs) -> Result<(bool, bool)> {
        let Some(value) = logs.monitored(self.spec.monitor) else {
            return Err(config_err!(
                "early stopping monitors {:?}, which this run does not report (add validation data or the accuracy metric)",
                self.spec.monitor
            ));
        };
        let improved = match self.best {
            None => true,
            Some(b) if self.spec.monitor.maximise() => value > b + self.spec.min_delta,
            Some(b) => value < b - self.spec.min_delta,
        };
        if improved {
            self.best = Some(value);
            self.best_epoch = Some(epoch);
            self.wait = 0;
        } else {
            self.wait += 1;
        }
        Ok((improved, self.wait >= self.spec.patience.max(1)))
    }

    /// How far the rule got: the best value so far, its epoch, and epochs waited since.
    pub fn progress(&self) -> (Option<f32>, Option<usize>, usize) {
        (self.best, self.best_epoch, self.wait)
    }

    /// A stopper for `spec` that goes on from `progress` (as [`progress`](Self::progress)
    /// gave it), e.g. after the run moved into another build of the engine. A non-finite
    /// best is refused.
    pub fn resumed(
        spec: EarlyStoppingSpec,
        (best, best_epoch, wait): (Option<f32>, Option<usize>, usize),
    ) -> Result<Self> {
        if best.is_some_and(|b| !b.is_finite()) {
            return Err(config_err!("early stopping's best value must be finite"));
        }
        let mut s = Self::new(spec)?;
        s.best = best;
        s.best_epoch = best_epoch;
        s.wait = wait;
        Ok(s)
    }

    pub fn restores_best(&self) -> bool {
        self.spec.restore_best_weights
    }
}

/// Inputs and targets of one split.
pub(crate) type LabelledData = (Matrix, Matrix);

/// The training split and the validation data `opts` asks for (the last rows when
/// `validation_split` is set, as Keras takes them).
pub(crate) fn split_validation(
    x: &Matrix,
    y: &Matrix,
    opts: &FitOptions,
) -> Result<(Matrix, Matrix, Option<LabelledData>)> {
    if !(opts.validation_split.is_finite() && (0.0..1.0).contains(&opts.validation_split)) {
        return Err(config_err!(
            "validation split must be in [0, 1), got {}",
            opts.validation_split
        ));
    }
    if x.rows() != y.rows() {
        return Err(Error::Shape(format!(
            "{} input rows but {} label rows",
            x.rows(),
            y.rows()
        )));
    }
    if let Some((vx, vy)) = &opts.validation_data {
        return Ok((x.clone(), y.clone(), Some((vx.clone(), vy.clone()))));
    }
    if opts.validation_split == 0.0 {
        return Ok((x.clone(), y.clone(), None));
    }
    let n = x.rows();
    let n_val = ((n as f32) * opts.validation_split).floor() as usize;
    if n_val == 0 || n_val >= n {
        return Err(config_err!(
            "validation split {} leaves no rows on one side ({n} rows in all)",
            opts.validation_split
        ));
    }
    let train: Vec<usize> = (0..n - n_val).collect();
    let valid: Vec<usize> = (n - n_val..n).collect();
    let take = |m: &Matrix, idx: &[usize]| {
        let mut out = Matrix::default();
        out.gather_rows(m, idx);
        out
    };
    Ok((
        take(x, &train),
        take(y, &train),
        Some((take(x, &valid), take(y, &valid))),
    ))
}
