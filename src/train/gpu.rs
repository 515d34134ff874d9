//! `GpuEngine`: the [`Trainer`] on the GPU. It keeps a `GpuTrainer` matching the model it is
//! handed: built for the model's layers and compile settings (rebuilt when those change or
//! a batch outgrows it), uploaded when the model's weights, statistics or step count moved
//! since the GPU last wrote them, and read back into the model (weights, running
//! statistics, optimiser state) after every unit, so the CPU model stays the truth.

use super::Trainer;
use crate::backend::webgpu::{GpuContext, GpuTrainer};
use crate::spec::{CompileSpec, ModelSpec};
use crate::{Error, Matrix, Result, Sequential};

/// Smallest batch capacity a trainer is built with, so small batch changes reuse it.
const MIN_CAPACITY: usize = 32;

/// What the GPU holds: the model state it last wrote into (or took from) the CPU model.
#[derive(Debug, PartialEq)]
struct Held {
    params: Vec<Vec<f32>>,
    stats: Vec<Vec<f32>>,
    iterations: u64,
}

impl Held {
    fn of(model: &mut Sequential) -> Self {
        Self {
            params: model.params(),
            stats: model.running_stats(),
            iterations: model.iterations(),
        }
    }
}

/// A GPU device and the trainer built on it for the current model.
pub struct GpuEngine {
    ctx: GpuContext,
    trainer: Option<(GpuTrainer, ModelSpec)>,
    held: Option<Held>,
    /// A unit's rows in visiting order (reused buffers).
    x: Matrix,
    y: Matrix,
}

impl std::fmt::Debug for GpuEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuEngine")
            .field("adapter", &self.ctx.adapter_name())
            .finish()
    }
}

impl GpuEngine {
    /// Opens the GPU; the reason in words when there is none.
    pub async fn open() -> Result<Self> {
        Ok(Self::new(GpuContext::new().await?))
    }

    /// On a device already open.
    pub fn new(ctx: GpuContext) -> Self {
        Self {
            ctx,
            trainer: None,
            held: None,
            x: Matrix::default(),
            y: Matrix::default(),
        }
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// `"webgpu (adapter)"`.
    pub fn label(&self) -> String {
        format!("webgpu ({})", self.ctx.adapter_name())
    }

    /// Whether the GPU can train `model` with batches of `batch` rows; the reason in words
    /// (an [`Error::Backend`]) when it cannot. Builds the GPU copy, or brings it up to date.
    pub fn prepare(&mut self, model: &mut Sequential, batch: usize) -> Result<()> {
        self.ensure(model, batch).inspect_err(|_| self.held = None)
    }

    fn ensure(&mut self, model: &mut Sequential, batch: usize) -> Result<()> {
        self.ctx.check_alive()?;
        let compile = model.compile_spec().cloned();
        let fits = match (&mut self.trainer, &compile) {
            (Some((t, spec)), Some(c))
                if spec == model.spec()
                    && batch <= t.max_batch()
                    && same_but_rate(t.compile_spec(), c) =>
            {
                t.set_learning_rate(c.optimizer.learning_rate);
                true
            }
            _ => false,
        };
        if !fits {
            self.trainer = None;
            self.held = None;
            let capacity = batch.max(MIN_CAPACITY);
            let t = GpuTrainer::new(&self.ctx, model, capacity).map_err(|e| match e {
                e @ Error::Backend(_) => e,
                e => Error::Backend(format!("WebGPU cannot train this model: {e}")),
            })?;
            self.trainer = Some((t, model.spec().clone()));
            self.held = Some(Held::of(model));
            return Ok(());
        }
        let now = Held::of(model);
        if self.held.as_ref() != Some(&now) {
            let (t, _) = self.trainer.as_mut().expect("checked above");
            t.upload_model(model)?;
            self.held = Some(now);
        }
        Ok(())
    }

    async fn train_unit(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
    ) -> Result<Vec<f32>> {
        self.ensure(model, batch)?;
        self.x.gather_rows(x, rows);
        self.y.gather_rows(y, rows);
        let (t, _) = self.trainer.as_mut().expect("ensured");
        t.set_data(&self.x, &self.y)?;
        let losses = t
            .train_step_losses(batch, rows.len().div_ceil(batch))
            .await?;
        t.download_with_state_into(model).await?;
        self.held = Some(Held::of(model));
        Ok(losses)
    }
}

/// True when `a` and `b` differ at most in the learning rate (which steps carry along).
fn same_but_rate(a: &CompileSpec, b: &CompileSpec) -> bool {
    let mut b = b.clone();
    b.optimizer.learning_rate = a.optimizer.learning_rate;
    *a == b
}

impl Trainer for GpuEngine {
    fn label(&self) -> String {
        GpuEngine::label(self)
    }

    /// Batch callbacks follow the unit (all its steps ran on the GPU), so a `false` stops
    /// after it.
    async fn train_rows(
        &mut self,
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        rows: &[usize],
        batch: usize,
        on_batch: &mut dyn FnMut(usize, f32) -> bool,
    ) -> Result<Vec<f32>> {
        let losses = match self.train_unit(model, x, y, rows, batch).await {
            Ok(l) => l,
            Err(e) => {
                // The GPU copy may hold steps the model did not take: upload before the next.
                self.held = None;
                return Err(e);
            }
        };
        for (b, &l) in losses.iter().enumerate() {
            if !on_batch(b, l) {
                break;
            }
        }
        Ok(losses)
    }

    async fn predict(&mut self, model: &mut Sequential, x: &Matrix) -> Result<Matrix> {
        self.prepare(model, 1)?;
        let (t, _) = self.trainer.as_ref().expect("prepared");
        t.predict(x).await
    }
}
