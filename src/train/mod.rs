//! One training path for every backend: the [`Trainer`] interface a backend implements, the
//! epoch bookkeeping both front doors share (one shuffle rule, row-weighted batch losses),
//! and the [`Engine`] that picks the backend (`cpu`, `webgpu`, `auto`) and falls back to the
//! CPU when the GPU goes away.
//!
//! ```text
//!  Session (page)        Sequential::fit / Keras fit (scripts)
//!        │ units of ≤ CHUNK_STEPS        │ epochs
//!        └──────────────┬────────────────┘
//!              epoch_order(seed, epoch)  ── the one shuffle
//!              EpochRun: rows → batches, losses weighted by rows
//!                       │
//!                    Engine ── auto: time a GPU and a CPU unit, keep the faster
//!                       │      a lost device: the unit again on the CPU, and a note
//!          ┌────────────┴─────────────┐
//!         Cpu                      GpuEngine (feature webgpu)
//!    Sequential::train_rows     upload the model when it moved, K steps per submit,
//!    (one step per batch)       weights + statistics + optimiser state back into it
//!                       │
//!          the CPU Sequential holds the truth after every unit: views, losses,
//!          metrics, files and the next unit read it, whichever backend trained
//! ```
//!
//! A trainer's calls are `async` because the GPU's are (a buffer map is a Promise on the
//! web); the CPU's futures are ready at once, and [`ready`] runs them from sync code.

mod engine;
mod fit;
#[cfg(feature = "webgpu")]
mod gpu;
mod news;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

pub use engine::{auto_verdict, Clock, Engine, NOT_IN_THIS_BUILD};
pub use fit::{epoch_logs, fit, FitRun};
#[cfg(feature = "webgpu")]
pub use gpu::GpuEngine;
pub use news::News;

use crate::{Matrix, Result, Rng, Sequential};

/// What runs optimiser steps for a model. The model passed in is the one truth: a call
/// starts from its weights, batch-norm statistics and optimiser state, and leaves its result
/// there (a GPU trainer uploads what moved and reads everything back).
#[allow(async_fn_in_trait)]
pub trait Trainer {
    /// `"cpu"`, or `"webgpu (adapter)"`, for reports.
    fn label(&self) -> String;

    /// One optimiser step per batch of `batch` consecutive entries of `rows` (row indices of
    /// `x` and `y`, which the caller has checked against the model); returns each batch's
    /// loss. `on_batch(b, loss)` is called for every batch trained, in order; a `false`
    /// stops at the trainer's grain (the CPU: after that batch; the GPU: after the submit
    /// that held it). The losses returned are those of the batches trained.
    async fn train_rows(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>>;

    /// The model's outputs for `x` in inference mode (as `Sequential::predict`).
    async fn predict(&mut self, model: &mut Sequential, x: &Matrix) -> Result<Matrix>;
}

/// The CPU engine: the model trains itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu;

impl Trainer for Cpu {
    fn label(&self) -> String {
        "cpu".into()
    }

    async fn train_rows(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>> {
        model.train_rows(x, y, rows, batch, on_batch)
    }

    async fn predict(&mut self, model: &mut Sequential, x: &Matrix) -> Result<Matrix> {
        model.predict(x)
    }
}

/// The order epoch `epoch` visits `rows` rows in, for a run seeded with `seed`: the one
/// shuffle rule of every front door and backend (identity without `shuffle`).
pub fn epoch_order(seed: u64, epoch: usize, rows: usize, shuffle: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows).collect();
    if shuffle {
        Rng::new(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9)).shuffle(&mut order);
    }
    order
}

/// The mean of batch losses over `rows` rows cut into batches of `batch`, each batch
/// weighted by its rows (a short last batch counts for what it holds).
pub fn mean_batch_loss(losses: &[f32], rows: usize, batch: usize) -> f32 {
    let batch = batch.max(1);
    let mut weighted = 0.0f64;
    let mut seen = 0usize;
    for (b, &l) in losses.iter().enumerate() {
        let n = batch.min(rows.saturating_sub(b * batch));
        weighted += l as f64 * n as f64;
        seen += n;
    }
    (weighted / seen.max(1) as f64) as f32
}

/// An epoch in progress: its row order and how far training got.
#[derive(Debug, Clone)]
pub struct EpochRun {
    order: Vec<usize>,
    next: usize,
    batch: usize,
    weighted: f64,
    seen: usize,
}

impl EpochRun {
    /// `model`'s next epoch over `rows` rows in batches of `batch`: its order comes from
    /// the model's seed and epoch count, which its file carries, so that a loaded model
    /// shuffles on as the saved one would have.
    pub fn next_of(model: &Sequential, rows: usize, batch: usize, shuffle: bool) -> Self {
        Self {
            order: epoch_order(model.seed(), model.epochs_trained(), rows, shuffle),
            next: 0,
            batch: batch.max(1),
            weighted: 0.0,
            seen: 0,
        }
    }

    /// Rows in the epoch.
    pub fn rows(&self) -> usize {
        self.order.len()
    }

    /// The rows of the next `steps` batches (fewer at the end of the epoch).
    pub fn next_rows(&self, steps: usize) -> &[usize] {
        let end = (self.next + steps.saturating_mul(self.batch)).min(self.order.len());
        &self.order[self.next..end]
    }

    /// Records that the next `losses.len()` batches were trained with these losses.
    pub fn record(&mut self, losses: &[f32]) {
        for &l in losses {
            let n = self.batch.min(self.order.len() - self.next);
            self.weighted += l as f64 * n as f64;
            self.seen += n;
            self.next += n;
        }
    }

    /// True once every row was trained on.
    pub fn done(&self) -> bool {
        self.next >= self.order.len()
    }

    /// Batches trained so far.
    pub fn batches_done(&self) -> usize {
        self.next.div_ceil(self.batch)
    }

    /// The row-weighted mean loss of the batches trained so far.
    pub fn mean_loss(&self) -> f32 {
        (self.weighted / self.seen.max(1) as f64) as f32
    }

    /// How far this epoch got, without its order (see [`EpochProgress`]).
    pub fn progress(&self) -> EpochProgress {
        EpochProgress {
            rows: self.order.len(),
            next: self.next,
            batch: self.batch,
            weighted: self.weighted,
            seen: self.seen,
        }
    }

    /// `model`'s epoch in progress, continued from `p` (its batch size too): the order comes
    /// again from the model's seed and epoch count, as in [`next_of`](Self::next_of). Refused
    /// when `p` is not of an epoch over `rows` rows, or got to its end.
    pub fn resumed(
        model: &Sequential,
        rows: usize,
        shuffle: bool,
        p: EpochProgress,
    ) -> crate::Result<Self> {
        let fits = p.rows == rows && p.batch >= 1 && p.next < rows && p.seen == p.next;
        if !fits || !p.weighted.is_finite() {
            return Err(crate::Error::Format(
                "the epoch in progress does not fit this training set".into(),
            ));
        }
        let mut run = Self::next_of(model, rows, p.batch, shuffle);
        run.next = p.next;
        run.weighted = p.weighted;
        run.seen = p.seen;
        Ok(run)
    }
}

/// An [`EpochRun`] as plain data: rows in the epoch, rows trained, batch size, and the
/// row-weighted loss sum so far. Its order is not kept: it follows from the model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochProgress {
    pub rows: usize,
    pub next: usize,
    pub batch: usize,
    pub weighted: f64,
    pub seen: usize,
}

/// Runs a future that never waits (every CPU trainer call) to its end, from sync code.
///
/// # Panics
/// When the future waits: a GPU call must be awaited by an async caller instead.
pub fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a training call waited in sync code; await it instead"),
    }
}
