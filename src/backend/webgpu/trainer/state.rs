//! The optimiser state on the GPU: taking it from a CPU model (so a run moved to the GPU
//! keeps its step count and moments), reading it back on demand, and handing it to a CPU
//! model again.
//!
//! Each parameter's `state` buffer holds `2·len` floats, slot 1 at `[0, len)` and slot 2 at
//! `[len, 2·len)` for every optimiser kind (see `optim.wgsl`); the CPU keeps only the slots a
//! kind reads ([`OptimizerState`]), so the other half is filled with its initial value going
//! up and dropped coming down. The step counter (the schedule's `t`, Adam's bias exponent
//! and the dropout seed) travels with them.
//!
//! The state is read back only when asked for ([`GpuTrainer::read_state`]), not with every
//! submit: a lost device therefore keeps only the weights of the last read-back
//! ([`GpuTrainer::download_into`]); the moments are gone and the CPU continues with fresh
//! ones.

use super::{GpuTrainer, Param};
use crate::backend::webgpu::codes::initial_state;
use crate::nn::optim::{slot_usage, OptimizerState};
use crate::spec::OptimizerKind;
use crate::{Error, Result, Sequential};

impl GpuTrainer {
    /// Builds the GPU copy of `model` (which must be compiled) for batches of up to
    /// `max_batch` rows, starting from the model's optimiser state: a model that trained on
    /// the CPU (or was loaded with `Sequential::to_json_with_state`'s section) continues with
    /// its step count and moments; a freshly compiled one starts fresh.
    pub fn new(ctx: &super::GpuContext, model: &Sequential, max_batch: usize) -> Result<Self> {
        let mut trainer = Self::new_fresh(ctx, model, max_batch)?;
        if model.has_optimizer_state() {
            let state = model
                .optimizer_state()
                .expect("a model with optimiser state is compiled");
            trainer.write_state(&state)?;
        }
        Ok(trainer)
    }

    /// Replaces the GPU weights and optimiser state with `model`'s (same architecture):
    /// the way back after the CPU trained on. A model without optimiser state (freshly
    /// compiled or loaded from a file without one) starts the optimiser fresh, as
    /// [`upload_params`](Self::upload_params) does. The model's optimiser must be the kind
    /// this trainer was built for, since the slots mean different things per kind.
    pub fn upload_model(&mut self, model: &Sequential) -> Result<()> {
        // The batch-norm running statistics go up with the weights (see `upload_params`).
        let mut values = model.clone().params();
        values.extend(model.running_stats());
        if !model.has_optimizer_state() {
            return self.upload_params(&values);
        }
        let kind = model
            .compile_spec()
            .map(|c| c.optimizer.kind)
            .expect("a model with optimiser state is compiled");
        let ours = self.compile.optimizer.kind;
        if kind != ours {
            return Err(Error::InvalidConfig(format!(
                "the model's optimiser state is for {kind:?}, but this GPU trainer runs {ours:?}; build a new trainer for it"
            )));
        }
        let state = model
            .optimizer_state()
            .expect("a model with optimiser state is compiled");
        // Checked before anything is written, so an error leaves the trainer as it was.
        state.validate(ours, &self.param_lens())?;
        self.upload_params(&values)?;
        self.write_state(&state)
    }

    /// Reads the optimiser state back from the GPU (one copy of every state buffer into one
    /// staging buffer, one submit, one map): the step count and, per parameter tensor, the
    /// slots this optimiser reads. Fails once the device is lost.
    pub async fn read_state(&self) -> Result<OptimizerState> {
        self.ctx.check_alive()?;
        let total: usize = self.params.iter().map(|p| 2 * p.len).sum();
        let staging = self
            .ctx
            .staging("optimiser state read-back", (total * 4) as u64);
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("optimiser state read-back"),
            });
        let mut at = 0u64;
        for p in &self.params {
            let bytes = (2 * p.len * 4) as u64;
            enc.copy_buffer_to_buffer(&p.state, 0, &staging, at, Some(bytes));
            at += bytes;
        }
        self.ctx.queue.submit([enc.finish()]);
        let states = self.ctx.read_staging(&staging, total).await?;
        Ok(from_gpu_layout(
            self.compile.optimizer.kind,
            self.optimizer.iterations,
            &states,
            &self.params,
        ))
    }

    /// Writes the weights and batch-norm running statistics (as read back with the last
    /// submit: only training steps and uploads change them, and both keep that copy current)
    /// and the optimiser state, read back now, into `model` (same architecture), so that it
    /// continues training on the CPU exactly where the GPU stopped (up to f32 rounding). A model not compiled for this trainer's optimiser kind is
    /// first compiled with the trainer's settings, since the state only means something for
    /// that kind. After a lost device this fails; [`download_into`](Self::download_into)
    /// still hands over the last weights.
    pub async fn download_with_state_into(&self, model: &mut Sequential) -> Result<()> {
        let ours = self.compile.optimizer.kind;
        let state = self.read_state().await?;
        let weights = &self.last_params;
        // Both are checked before either is written, so an error leaves the model as it was.
        let lens = model.param_lens();
        if lens != self.param_lens() {
            return Err(Error::Shape(
                "parameter list does not match the model".into(),
            ));
        }
        if weights.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Error::InvalidData("parameters must be finite".into()));
        }
        // The running statistics read back with the last submit are current: only training
        // steps change them.
        let running = self.last_running_stats();
        let model_running = model.running_stats();
        if running.len() != model_running.len()
            || running
                .iter()
                .zip(&model_running)
                .any(|(a, b)| a.len() != b.len())
        {
            return Err(Error::Shape(
                "batch-norm layers do not match the model".into(),
            ));
        }
        crate::model::check_running_stats(running)?;
        state
            .validate(ours, &lens)
            .map_err(|e| Error::Backend(format!("the GPU returned an unusable state: {e}")))?;
        if model.compile_spec().map(|c| c.optimizer.kind) != Some(ours) {
            model.compile(self.compile.clone())?;
        }
        model.set_params(weights)?;
        model.set_running_stats(running)?;
        model.set_optimizer_state(state)
    }

    fn param_lens(&self) -> Vec<usize> {
        self.params.iter().map(|p| p.len).collect()
    }

    /// Uploads `state` (already fitting this trainer) into the state buffers and the step
    /// counter.
    fn write_state(&mut self, state: &OptimizerState) -> Result<()> {
        self.ctx.check_alive()?;
        let kind = self.compile.optimizer.kind;
        state.validate(kind, &self.param_lens())?;
        for (i, p) in self.params.iter().enumerate() {
            let buf = gpu_layout(kind, state, i, p.len);
            self.ctx
                .queue
                .write_buffer(&p.state, 0, bytemuck::cast_slice(&buf));
        }
        self.optimizer.iterations = state.iterations;
        Ok(())
    }
}

/// Per parameter, `stride·len` consecutive floats of `all` (an empty list for empty `all`).
fn split(all: &[f32], params: &[Param], stride: usize) -> Vec<Vec<f32>> {
    if all.is_empty() {
        return Vec::new();
    }
    let mut off = 0;
    params
        .iter()
        .map(|p| {
            let v = all[off..off + stride * p.len].to_vec();
            off += stride * p.len;
            v
        })
        .collect()
}

/// The `2·len` floats of tensor `i`'s state buffer for `state`: slot 1 then slot 2, the ones
/// `kind` does not read (or not created yet) at their initial values.
fn gpu_layout(kind: OptimizerKind, state: &OptimizerState, i: usize, len: usize) -> Vec<f32> {
    let mut buf = initial_state(kind, len);
    if let Some(s1) = state.slot1.get(i) {
        buf[..len].copy_from_slice(s1);
    }
    if let Some(s2) = state.slot2.get(i) {
        buf[len..].copy_from_slice(s2);
    }
    buf
}

/// The CPU form of the state buffers' contents `all` (every tensor's `2·len` floats in turn).
fn from_gpu_layout(
    kind: OptimizerKind,
    iterations: u64,
    all: &[f32],
    params: &[Param],
) -> OptimizerState {
    let (uses1, uses2) = slot_usage(kind);
    let per_tensor = split(all, params, 2);
    let pick = |uses: bool, second: bool| -> Vec<Vec<f32>> {
        if !uses {
            return Vec::new();
        }
        per_tensor
            .iter()
            .zip(params)
            .map(|(s, p)| {
                if second {
                    s[p.len..].to_vec()
                } else {
                    s[..p.len].to_vec()
                }
            })
            .collect()
    };
    OptimizerState {
        iterations,
        slot1: pick(uses1, false),
        slot2: pick(uses2, true),
    }
}
