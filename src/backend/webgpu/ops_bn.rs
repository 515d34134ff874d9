//! The batch-normalisation kernels run on their own (`KernelRunner`), for the tests that hold
//! them to `nn::batch_norm::BatchNorm`.

use super::batch_norm::{initial_stats, BnBuf, BnDispatch, BnShape};
use super::dispatch::{Bindings, Extent};
use super::kernels::{Kernel, Op, Step};
use super::ops::{check_len, KernelRunner};
use crate::nn::batch_norm::BatchNorm;
use crate::{Matrix, Result};

/// What one training step of a batch-norm layer computes on the GPU.
#[derive(Debug, Clone)]
pub struct BatchNormStep {
    /// `Y = γ⊙X̂ + β` with the batch statistics (`m×f`).
    pub y: Matrix,
    /// The input gradient (`m×f`).
    pub dx: Matrix,
    pub dgamma: Vec<f32>,
    pub dbeta: Vec<f32>,
    /// The running statistics after the step.
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
}

/// The buffers of one batch-norm run (those a plan does not use stay `None`).
#[derive(Default)]
struct BnBuffers {
    input: Option<wgpu::Buffer>,
    output: Option<wgpu::Buffer>,
    grad: Option<wgpu::Buffer>,
    gamma: Option<wgpu::Buffer>,
    beta: Option<wgpu::Buffer>,
    dgamma: Option<wgpu::Buffer>,
    dbeta: Option<wgpu::Buffer>,
    stats: Option<wgpu::Buffer>,
    xhat: Option<wgpu::Buffer>,
    status: Option<wgpu::Buffer>,
}

impl BnBuffers {
    fn get(&self, b: BnBuf) -> Option<&wgpu::Buffer> {
        match b {
            BnBuf::Input => self.input.as_ref(),
            BnBuf::Output => self.output.as_ref(),
            BnBuf::Grad => self.grad.as_ref(),
            BnBuf::Gamma => self.gamma.as_ref(),
            BnBuf::Beta => self.beta.as_ref(),
            BnBuf::GammaGrad => self.dgamma.as_ref(),
            BnBuf::BetaGrad => self.dbeta.as_ref(),
            BnBuf::Stats => self.stats.as_ref(),
            BnBuf::Xhat => self.xhat.as_ref(),
            BnBuf::Status => self.status.as_ref(),
        }
    }
}

fn allocated(b: &Option<wgpu::Buffer>) -> &wgpu::Buffer {
    b.as_ref()
        .expect("the run allocates every buffer it reads back")
}

impl KernelRunner {
    /// One training step of `layer` (its γ, β, running statistics, momentum and ε) on the
    /// batch `x` (`m×f`) with output gradient `dy`: forward with the batch statistics,
    /// running update, backward. `diverged`: run as after a diverged step of the same submit,
    /// when the running statistics must not move.
    pub async fn batch_norm_train(
        &self,
        layer: &BatchNorm,
        x: &Matrix,
        dy: &Matrix,
        diverged: bool,
    ) -> Result<BatchNormStep> {
        let (m, f) = x.shape();
        self.check_layer(layer, x)?;
        check_len("output gradient", dy.as_slice().len(), m * f)?;
        let ctx = &self.ctx;
        let bufs = BnBuffers {
            input: Some(ctx.storage_init("x", x.as_slice())),
            output: Some(ctx.storage("y", m * f)?),
            grad: Some(ctx.storage_init("dy", dy.as_slice())),
            gamma: Some(ctx.storage_init("gamma", &layer.gamma)),
            beta: Some(ctx.storage_init("beta", &layer.beta)),
            dgamma: Some(ctx.storage("dgamma", f)?),
            dbeta: Some(ctx.storage("dbeta", f)?),
            stats: Some(ctx.storage_init(
                "stats",
                &initial_stats(&layer.running_mean, &layer.running_var),
            )),
            xhat: Some(ctx.storage("xhat", m * f)?),
            status: Some(ctx.storage_init("status", &[diverged as u32 as f32])),
        };
        let shape = Self::bn_shape(layer, m);
        let plan: Vec<BnDispatch> = shape
            .training_forward()
            .into_iter()
            .chain(shape.backward(true))
            .collect();
        self.run_bn_plan(&plan, &bufs);
        let y = ctx.read_buffer(allocated(&bufs.output), m * f).await?;
        let dx = ctx.read_buffer(allocated(&bufs.grad), m * f).await?;
        let running = ctx.read_buffer(allocated(&bufs.stats), 2 * f).await?;
        Ok(BatchNormStep {
            y: Matrix::from_vec(m, f, y)?,
            dx: Matrix::from_vec(m, f, dx)?,
            dgamma: ctx.read_buffer(allocated(&bufs.dgamma), f).await?,
            dbeta: ctx.read_buffer(allocated(&bufs.dbeta), f).await?,
            running_mean: running[..f].to_vec(),
            running_var: running[f..].to_vec(),
        })
    }

    /// Inference-mode output of `layer` on `x` (`m×f`), with its running statistics.
    pub async fn batch_norm_infer(&self, layer: &BatchNorm, x: &Matrix) -> Result<Matrix> {
        let (m, f) = x.shape();
        self.check_layer(layer, x)?;
        let ctx = &self.ctx;
        let bufs = BnBuffers {
            input: Some(ctx.storage_init("x", x.as_slice())),
            output: Some(ctx.storage("y", m * f)?),
            gamma: Some(ctx.storage_init("gamma", &layer.gamma)),
            beta: Some(ctx.storage_init("beta", &layer.beta)),
            stats: Some(ctx.storage_init(
                "stats",
                &initial_stats(&layer.running_mean, &layer.running_var),
            )),
            xhat: Some(ctx.storage("xhat", m * f)?),
            ..BnBuffers::default()
        };
        self.run_bn_plan(&Self::bn_shape(layer, m).inference_forward(), &bufs);
        let y = ctx.read_buffer(allocated(&bufs.output), m * f).await?;
        Matrix::from_vec(m, f, y)
    }

    fn check_layer(&self, layer: &BatchNorm, x: &Matrix) -> Result<()> {
        let f = x.cols();
        check_len("gamma", layer.gamma.len(), f)?;
        check_len("beta", layer.beta.len(), f)?;
        check_len("running mean", layer.running_mean.len(), f)?;
        check_len("running variance", layer.running_var.len(), f)
    }

    fn bn_shape(layer: &BatchNorm, rows: usize) -> BnShape {
        BnShape {
            features: layer.gamma.len(),
            momentum: layer.momentum,
            epsilon: layer.epsilon,
            rows: rows as u32,
            input_stride: 0,
        }
    }

    fn run_bn_plan(&self, plan: &[BnDispatch], bufs: &BnBuffers) {
        let ops: Vec<(Kernel, Op, Extent, Extent, Bindings<'_>)> = plan
            .iter()
            .map(|d| {
                let [a, b, c, e] = d.binds.map(|b| b.and_then(|b| bufs.get(b)));
                let binds = Bindings {
                    in0: a,
                    in1: b,
                    out0: c,
                    out1: e,
                };
                (d.kernel, d.op, d.x, Extent::fixed(1, 1), binds)
            })
            .collect();
        let p = self.prepare(ops, &[Step::default()]);
        self.submit(&p, &[0], 1);
    }
}
