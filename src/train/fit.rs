//! The Keras-style epoch loop, written once for every backend: validation split, the epoch's
//! row order, per-batch callbacks, the row-weighted epoch loss, logs evaluated on the CPU
//! model, early stopping with best-weight restore; and `Sequential::fit`, that loop on the
//! CPU (here rather than in `model`, so that `model` never calls up into `train`).

use super::{mean_batch_loss, ready, Cpu, EpochRun, Trainer};
use crate::model::fit::{split_validation, LabelledData};
use crate::model::EarlyStopper;
use crate::{Callback, FitOptions, History, Logs, Matrix, Result, Sequential};

/// Parameters and batch-norm running statistics.
type Weights = (Vec<Vec<f32>>, Vec<Vec<f32>>);

/// A `fit` in progress, an epoch at a time, so that a caller (the wasm `fit`) can hand the
/// model to a script between epochs.
#[derive(Debug)]
pub struct FitRun {
    train_x: Matrix,
    train_y: Matrix,
    val: Option<LabelledData>,
    batch: usize,
    shuffle: bool,
    stopper: Option<EarlyStopper>,
    /// The best epoch's weights, when restoring them.
    best: Option<Weights>,
    history: History,
}

impl FitRun {
    /// Checks data and options against `model` (compiled) and splits off validation rows.
    pub fn new(model: &Sequential, x: &Matrix, y: &Matrix, opts: &FitOptions) -> Result<Self> {
        let (train_x, train_y, val) = split_validation(x, y, opts)?;
        model.check_training_data(&train_x, &train_y, opts.batch_size)?;
        Ok(Self {
            batch: opts.batch_size.min(train_x.rows()),
            train_x,
            train_y,
            val,
            shuffle: opts.shuffle,
            stopper: opts.early_stopping.map(EarlyStopper::new).transpose()?,
            best: None,
            history: History::default(),
        })
    }

    /// The batch size steps run with (the option, at most the training rows).
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Trains one epoch (the model's next) and returns its logs, and whether `on_batch` asked
    /// to stop.
    pub async fn train_epoch<T: Trainer>(
        &mut self,
        trainer: &mut T,
        model: &mut Sequential,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<(Logs, bool)> {
        let rows = self.train_x.rows();
        let run = EpochRun::next_of(model, rows, self.batch, self.shuffle);
        let order = run.next_rows(usize::MAX);
        let losses = trainer
            .train_rows(
                model,
                &self.train_x,
                &self.train_y,
                order,
                self.batch,
                on_batch,
            )
            .await?;
        model.count_epoch();
        let stopped = losses.len() < rows.div_ceil(self.batch);
        let loss = mean_batch_loss(&losses, rows, self.batch);
        let logs = epoch_logs(model, loss, &self.train_x, &self.train_y, self.val.as_ref())?;
        Ok((logs, stopped))
    }

    /// Records an epoch's logs and applies early stopping; true when training must stop
    /// (the best weights are then back in `model` when the rule restores them).
    pub fn end_epoch(&mut self, model: &mut Sequential, logs: Logs) -> Result<bool> {
        let epoch = self.history.epochs.len();
        self.history.epochs.push(logs);
        let Some(st) = self.stopper.as_mut() else {
            return Ok(false);
        };
        let (improved, stop) = st.observe(epoch, self.history.epochs.last().expect("pushed"))?;
        if improved && st.restores_best() {
            self.best = Some((model.params(), model.running_stats()));
        }
        self.history.best_epoch = st.best_epoch;
        if stop {
            self.history.stopped_early = true;
            if let Some((params, stats)) = self.best.take() {
                model.set_params(&params)?;
                model.set_running_stats(&stats)?;
            }
        }
        Ok(stop)
    }

    pub fn into_history(self) -> History {
        self.history
    }
}

/// Trains `model` for `opts.epochs` epochs with `trainer`; returns the per-epoch history.
/// Callbacks returning `false` stop after the current batch (at the trainer's grain) or epoch.
pub async fn fit<T: Trainer>(
    trainer: &mut T,
    model: &mut Sequential,
    x: &Matrix,
    y: &Matrix,
    opts: &FitOptions,
    callbacks: &mut [&mut dyn Callback],
) -> Result<History> {
    let mut run = FitRun::new(model, x, y, opts)?;
    for epoch in 0..opts.epochs {
        let (logs, batch_stop) = run
            .train_epoch(trainer, model, &mut |b, l| {
                let mut ok = true;
                for cb in callbacks.iter_mut() {
                    ok &= cb.on_batch_end(b, l);
                }
                ok
            })
            .await?;
        let mut keep_going = !batch_stop;
        for cb in callbacks.iter_mut() {
            keep_going &= cb.on_epoch_end(epoch, &logs);
        }
        if run.end_epoch(model, logs)? || !keep_going {
            break;
        }
    }
    Ok(run.into_history())
}

impl Sequential {
    /// Trains for `opts.epochs` epochs on the CPU and returns the per-epoch history (the
    /// loop every backend shares: [`crate::train::fit`]).
    pub fn fit(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        opts: &FitOptions,
        callbacks: &mut [&mut dyn Callback],
    ) -> Result<History> {
        ready(fit(&mut Cpu, self, x, y, opts, callbacks))
    }
}

/// The logs of an epoch whose mean batch loss was `loss`: training metrics evaluated on the
/// training split after the epoch, validation loss and `val_` metrics on `val`.
pub fn epoch_logs(
    model: &mut Sequential,
    loss: f32,
    train_x: &Matrix,
    train_y: &Matrix,
    val: Option<&LabelledData>,
) -> Result<Logs> {
    let mut logs = Logs {
        loss,
        ..Logs::default()
    };
    if model.compile_spec().is_some_and(|c| !c.metrics.is_empty()) {
        logs.metrics = model.evaluate(train_x, train_y)?.metrics;
    }
    if let Some((vx, vy)) = val {
        let ev = model.evaluate(vx, vy)?;
        logs.val_loss = Some(ev.loss);
        logs.metrics
            .extend(ev.metrics.into_iter().map(|(k, v)| (format!("val_{k}"), v)));
    }
    Ok(logs)
}
