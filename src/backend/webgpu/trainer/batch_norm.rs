//! Batch-norm layers in the GPU trainer: per layer a stats buffer (running and batch
//! statistics, backward sums; see `backend::webgpu::batch_norm`) and an `X̂` buffer for
//! `max_batch` rows, all made at build time; the running statistics are read back with the
//! weights after every submit, so the CPU resume point includes them.

use super::Stage;
use crate::backend::webgpu::batch_norm::{
    initial_stats, BnShape, STAT_RUNNING_MEAN, STAT_RUNNING_VAR,
};
use crate::backend::webgpu::context::GpuContext;
use crate::{Error, Result, Sequential};

// The read-back and upload treat mean and variance as one contiguous run.
const _: () = assert!(STAT_RUNNING_VAR == STAT_RUNNING_MEAN + 1);

struct Layer {
    features: usize,
    stats: wgpu::Buffer,
    xhat: wgpu::Buffer,
}

/// The trainer's batch-norm buffers and the running statistics last read back.
pub(super) struct BnLayers {
    layers: Vec<Layer>,
    /// Per layer its running mean, then its running variance (`Sequential::running_stats`).
    last: Vec<Vec<f32>>,
}

impl BnLayers {
    /// Buffers for every batch-norm stage, starting from `model`'s running statistics.
    pub fn new(
        ctx: &GpuContext,
        model: &Sequential,
        stages: &[Stage],
        max_batch: usize,
    ) -> Result<Self> {
        let last = model.running_stats();
        let mut layers = Vec::new();
        for s in stages {
            if let Stage::BatchNorm { width, .. } = *s {
                let at = 2 * layers.len();
                let (mean, var) = last.get(at).zip(last.get(at + 1)).ok_or_else(|| {
                    Error::Shape("model has fewer batch-norm layers than its spec".into())
                })?;
                layers.push(Layer {
                    features: width,
                    stats: ctx.storage_init("batch-norm statistics", &initial_stats(mean, var)),
                    xhat: ctx.storage("batch-norm normalised inputs", max_batch * width)?,
                });
            }
        }
        Ok(Self { layers, last })
    }

    /// Layer `l`'s stats buffer.
    pub fn stats(&self, l: usize) -> &wgpu::Buffer {
        &self.layers[l].stats
    }

    /// Layer `l`'s `X̂` buffer.
    pub fn xhat(&self, l: usize) -> &wgpu::Buffer {
        &self.layers[l].xhat
    }

    /// The running statistics as last read back (or uploaded).
    pub fn last(&self) -> &[Vec<f32>] {
        &self.last
    }

    /// Floats the running statistics take in the read-back.
    pub fn readback_floats(&self) -> usize {
        self.layers.iter().map(|l| 2 * l.features).sum()
    }

    /// Records copies of every running mean and variance (contiguous at the start of each
    /// stats buffer) into `staging` from byte `at`; returns the byte after them.
    pub fn copy_running(
        &self,
        enc: &mut wgpu::CommandEncoder,
        staging: &wgpu::Buffer,
        at: u64,
    ) -> u64 {
        let mut at = at;
        for l in &self.layers {
            let bytes = (2 * l.features * 4) as u64;
            let from = (STAT_RUNNING_MEAN * l.features * 4) as u64;
            enc.copy_buffer_to_buffer(&l.stats, from, staging, at, Some(bytes));
            at += bytes;
        }
        at
    }

    /// Takes the running statistics from a read-back whose copies started at float `off`.
    pub fn store_running(&mut self, all: &[f32], off: usize) {
        let mut off = off;
        for (l, pair) in self.layers.iter().zip(self.last.chunks_exact_mut(2)) {
            let f = l.features;
            pair[0].copy_from_slice(&all[off..off + f]);
            pair[1].copy_from_slice(&all[off + f..off + 2 * f]);
            off += 2 * f;
        }
    }

    /// Checks running statistics for [`upload`](Self::upload).
    pub fn check(&self, values: &[Vec<f32>]) -> Result<()> {
        if values.len() != self.last.len()
            || values
                .iter()
                .zip(&self.last)
                .any(|(v, l)| v.len() != l.len())
        {
            return Err(Error::Shape(
                "running statistics do not match the model's batch-norm layers".into(),
            ));
        }
        crate::model::check_running_stats(values)
    }

    /// Replaces the running statistics on the GPU (already [`check`](Self::check)ed).
    pub fn upload(&mut self, ctx: &GpuContext, values: &[Vec<f32>]) {
        for (l, pair) in self.layers.iter().zip(values.chunks_exact(2)) {
            let running = [pair[0].as_slice(), pair[1].as_slice()].concat();
            let from = (STAT_RUNNING_MEAN * l.features * 4) as u64;
            ctx.queue
                .write_buffer(&l.stats, from, bytemuck::cast_slice(&running));
        }
        self.last = values.to_vec();
    }
}

impl Stage {
    /// The kernels' view of a batch-norm stage: the step's rows; `input_stride` floats per
    /// dataset row when it reads the dataset, else 0.
    pub(super) fn bn_shape(&self, input_stride: u32) -> Option<BnShape> {
        match *self {
            Stage::BatchNorm {
                width,
                momentum,
                epsilon,
                ..
            } => Some(BnShape {
                features: width,
                momentum,
                epsilon,
                rows: 0,
                input_stride,
            }),
            _ => None,
        }
    }
}
