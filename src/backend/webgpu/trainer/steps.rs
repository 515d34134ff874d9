//! Running steps: K steps recorded into one command buffer (one step slot each), one submit,
//! one asynchronous read-back of the K losses, the divergence flag, the weights and the
//! batch-norm running statistics.

use super::{losses_len, GpuTrainer, MAX_STEPS_PER_SUBMIT};
use crate::backend::webgpu::dispatch::{record, step_bytes};
use crate::backend::webgpu::kernels::Step;
use crate::{Error, Result};

impl GpuTrainer {
    /// Runs `steps` optimiser steps on consecutive (wrapping) batches of `batch_size` rows
    /// of the uploaded data, exactly as `Sequential::train_steps` walks them; returns the mean
    /// batch loss. Up to [`MAX_STEPS_PER_SUBMIT`] steps share one submit and one read-back.
    pub async fn train_steps(&mut self, batch_size: usize, steps: usize) -> Result<f32> {
        let losses = self.train_step_losses(batch_size, steps).await?;
        let total: f64 = losses.iter().map(|&l| l as f64).sum();
        Ok(if steps == 0 {
            0.0
        } else {
            (total / steps as f64) as f32
        })
    }

    /// [`train_steps`](Self::train_steps), returning every step's batch loss.
    pub async fn train_step_losses(&mut self, batch_size: usize, steps: usize) -> Result<Vec<f32>> {
        self.ctx.check_alive()?;
        let rows = self
            .data
            .as_ref()
            .ok_or_else(|| {
                Error::InvalidConfig("no training data on the GPU: call set_data first".into())
            })?
            .rows;
        if batch_size == 0 || batch_size > self.max_batch {
            return Err(Error::InvalidConfig(format!(
                "batch size must be between 1 and {} (the size the GPU trainer was built for), got {batch_size}",
                self.max_batch
            )));
        }
        let mut all = Vec::with_capacity(steps);
        let mut done = 0;
        let mut start = 0;
        while done < steps {
            let k = (steps - done).min(MAX_STEPS_PER_SUBMIT);
            let mut slots = Vec::with_capacity(k);
            let mut row_counts = Vec::with_capacity(k);
            for s in 0..k {
                let end = (start + batch_size).min(rows);
                let ctx = self.optimizer.begin_step();
                slots.push(Step {
                    m: (end - start) as u32,
                    row_off: start as u32,
                    seed: self.step_seed(),
                    index: s as u32,
                    lr: ctx.lr,
                    bias1: ctx.bias1,
                    bias2: ctx.bias2,
                    pad: 0.0,
                });
                row_counts.push((end - start) as u32);
                start = if end == rows { 0 } else { end };
            }
            let per_epoch = rows.div_ceil(batch_size) as u64;
            let losses = self.submit_steps(&slots, &row_counts, per_epoch).await?;
            all.extend(losses);
            done += k;
        }
        Ok(all)
    }

    /// A fresh 32-bit dropout seed per step (splitmix64 over the model seed and step count).
    fn step_seed(&self) -> u32 {
        let mut z = self.seed
            ^ self
                .optimizer
                .iterations
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as u32
    }

    /// One submit of `slots.len()` steps, one read-back of their losses and the weights.
    /// `per_epoch`: steps per pass over the data, to say in which epoch a divergence happened.
    async fn submit_steps(
        &mut self,
        slots: &[Step],
        rows: &[u32],
        per_epoch: u64,
    ) -> Result<Vec<f32>> {
        let first_step = self.optimizer.iterations - slots.len() as u64;
        let data = self.data.as_ref().expect("checked by train_steps");
        let q = &self.ctx.queue;
        q.write_buffer(&self.steps, 0, &step_bytes(slots));
        q.write_buffer(&self.losses, 0, bytemuck::cast_slice(&[0.0f32]));
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("training steps"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("training steps"),
                timestamp_writes: None,
            });
            for (slot, &m) in rows.iter().enumerate() {
                record(
                    &mut pass,
                    &self.step_group,
                    slot as u32,
                    m,
                    &data.dispatches,
                );
            }
        }
        let head = (1 + slots.len()) as u64 * 4;
        enc.copy_buffer_to_buffer(&self.losses, 0, &self.staging, 0, Some(head));
        let mut at = (losses_len(self.params.len()) * 4) as u64;
        for p in &self.params {
            enc.copy_buffer_to_buffer(&p.value, 0, &self.staging, at, Some((p.len * 4) as u64));
            at += (p.len * 4) as u64;
        }
        let at = self.bn.copy_running(&mut enc, &self.staging, at);
        q.submit([enc.finish()]);
        let total = at as usize / 4;
        let all = self.ctx.read_staging(&self.staging, total).await?;
        let mut off = losses_len(self.params.len());
        for (dst, p) in self.last_params.iter_mut().zip(&self.params) {
            dst.copy_from_slice(&all[off..off + p.len]);
            off += p.len;
        }
        self.bn.store_running(&all, off);
        let status = all[0];
        if status != 0.0 {
            let step = first_step + status as u64;
            // The diverged step and those after it updated nothing: the step count (and
            // with it the state `read_state` reports) stays at the last applied update.
            self.optimizer.iterations = step - 1;
            return Err(Error::Diverged {
                epoch: ((step - 1) / per_epoch.max(1) + 1) as usize,
                step: step as usize,
                hint: "Try a lower learning rate (e.g. ÷10), gradient clipping, or standardised inputs."
                    .into(),
            });
        }
        Ok(all[1..1 + slots.len()].to_vec())
    }
}
