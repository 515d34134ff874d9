//! Prediction on the GPU: buffers for chunks of rows and the inference-mode forward recording
//! (dropout is the identity, batch norm uses the running statistics), used for the
//! decision-boundary grid.

use super::batch_norm::BnLayers;
use super::{GpuTrainer, Param, Stage};
use crate::backend::webgpu::batch_norm::BnBuf;
use crate::backend::webgpu::codes::activation_code;
use crate::backend::webgpu::context::GpuContext;
use crate::backend::webgpu::dispatch::{
    record, step_bytes, Bindings, Dispatch, Dummies, Extent, OpBuilder,
};
use crate::backend::webgpu::kernels::{Kernel, Kernels, Op, Step, STEP_STRIDE};
use crate::backend::webgpu::matmul::{matmul_kernel, MatmulShape};
use crate::{Activation, Error, Matrix, Result};

/// Floats of activations per prediction chunk (bounds the prediction buffers).
const PREDICT_BUDGET: usize = 1 << 22;

/// Prediction buffers and recording (inference mode: dropout is the identity, batch norm
/// reads the training stats buffers' running statistics).
pub(super) struct Predict {
    chunk: usize,
    input: wgpu::Buffer,
    output: usize,
    bufs: Vec<wgpu::Buffer>,
    _ops: wgpu::Buffer,
    dispatches: Vec<Dispatch>,
    steps: wgpu::Buffer,
    step_group: wgpu::BindGroup,
    staging: wgpu::Buffer,
}

impl GpuTrainer {
    /// Model outputs for `x` (`n×input_dim` → `n×outputs`, after the output activation), in
    /// inference mode, computed on the GPU in chunks.
    pub async fn predict(&self, x: &Matrix) -> Result<Matrix> {
        self.ctx.check_alive()?;
        if x.cols() != self.input_dim {
            return Err(Error::Shape(format!(
                "the model takes {} input features per row, but the data has {}",
                self.input_dim,
                x.cols()
            )));
        }
        if !x.all_finite() {
            return Err(Error::InvalidData(
                "inputs contain NaN or infinite values; clean or drop those rows".into(),
            ));
        }
        let p = &self.predict;
        let out_dim = self.output_dim;
        let mut out = Vec::with_capacity(x.rows() * out_dim);
        let mut start = 0;
        while start < x.rows() {
            let end = (start + p.chunk).min(x.rows());
            let m = (end - start) as u32;
            let q = &self.ctx.queue;
            q.write_buffer(
                &p.input,
                0,
                bytemuck::cast_slice(&x.as_slice()[start * self.input_dim..end * self.input_dim]),
            );
            q.write_buffer(
                &p.steps,
                0,
                &step_bytes(&[Step {
                    m,
                    ..Step::default()
                }]),
            );
            let mut enc = self.ctx.device.create_command_encoder(&Default::default());
            {
                let mut pass = enc.begin_compute_pass(&Default::default());
                record(&mut pass, &p.step_group, 0, m, &p.dispatches);
            }
            let len = (end - start) * out_dim;
            enc.copy_buffer_to_buffer(
                &p.bufs[p.output],
                0,
                &p.staging,
                0,
                Some((len.max(1) * 4) as u64),
            );
            q.submit([enc.finish()]);
            out.extend_from_slice(&self.ctx.read_staging(&p.staging, len).await?);
            start = end;
        }
        Matrix::from_vec(x.rows(), out_dim, out)
    }
}

/// Prediction buffers for chunks of rows, and the forward recording over them.
pub(super) fn build_predict(
    ctx: &GpuContext,
    kernels: &Kernels,
    dummies: &Dummies,
    stages: &[Stage],
    params: &[Param],
    bn: &BnLayers,
    input_dim: usize,
) -> Result<Predict> {
    let widest: usize = input_dim + stages.iter().map(|s| 2 * s.width()).sum::<usize>();
    let chunk = (PREDICT_BUDGET / widest.max(1)).clamp(64, 16_384);
    let input = ctx.storage("prediction inputs", chunk * input_dim)?;
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Input,
        Param(usize),
        Buf(usize),
        BnStats(usize),
    }
    let mut bufs = Vec::new();
    let mut ops = OpBuilder::new();
    let mut binds: Vec<[Option<P>; 4]> = Vec::new();
    let mut cur = P::Input;
    for s in stages {
        if let Stage::BatchNorm {
            width,
            param,
            layer,
            ..
        } = *s
        {
            bufs.push(ctx.storage("prediction normalised inputs", chunk * width)?);
            let xhat = P::Buf(bufs.len() - 1);
            bufs.push(ctx.storage("prediction outputs", chunk * width)?);
            let y = P::Buf(bufs.len() - 1);
            let shape = s.bn_shape(0).expect("a batch-norm stage");
            for d in shape.inference_forward() {
                ops.push(d.kernel, d.op, d.x, Extent::fixed(1, 1));
                binds.push(d.binds.map(|b| {
                    b.map(|b| match b {
                        BnBuf::Input => cur,
                        BnBuf::Output => y,
                        BnBuf::Gamma => P::Param(param),
                        BnBuf::Beta => P::Param(param + 1),
                        BnBuf::Stats => P::BnStats(layer),
                        BnBuf::Xhat => xhat,
                        other => unreachable!("inference binds no {other:?}"),
                    })
                }));
            }
            cur = y;
        }
        if let Stage::Dense {
            inputs,
            units,
            activation,
            use_bias,
            param,
        } = *s
        {
            bufs.push(ctx.storage("prediction pre-activations", chunk * units)?);
            let z = P::Buf(bufs.len() - 1);
            bufs.push(ctx.storage("prediction outputs", chunk * units)?);
            let y = P::Buf(bufs.len() - 1);
            let op = Op {
                m: 0,
                k: inputs as u32,
                n: units as u32,
                ..Op::default()
            };
            ops.push(
                matmul_kernel(MatmulShape::Nn, &op),
                op,
                Extent::fixed(units as u32, 64),
                Extent::batch(1, 64),
            );
            binds.push([Some(cur), Some(P::Param(param)), Some(z), None]);
            let op = Op {
                n: units as u32,
                flags: use_bias as u32,
                kind: activation_code(activation),
                ..Op::default()
            };
            let bias = use_bias.then_some(P::Param(param + 1));
            if activation == Activation::Softmax {
                ops.push(
                    Kernel::BiasSoftmax,
                    op,
                    Extent::batch(1, 256),
                    Extent::fixed(1, 1),
                );
            } else {
                ops.push(
                    Kernel::BiasAct,
                    op,
                    Extent::batch(units as u32, 256),
                    Extent::fixed(1, 1),
                );
            }
            binds.push([bias, None, Some(z), Some(y)]);
            cur = y;
        }
    }
    // Dropout is the identity at inference, so the last dense or batch-norm output is the
    // model's.
    let P::Buf(output) = cur else {
        return Err(Error::InvalidConfig("the model has no dense layer".into()));
    };
    let resolve = |b: Option<P>| -> Option<&wgpu::Buffer> {
        b.map(|b| match b {
            P::Input => &input,
            P::Param(j) => &params[j].value,
            P::Buf(i) => &bufs[i],
            P::BnStats(l) => bn.stats(l),
        })
    };
    let (ops_buf, dispatches) = ops.finish(ctx, kernels, dummies, |i| {
        let [a, b, c, d] = binds[i];
        Bindings {
            in0: resolve(a),
            in1: resolve(b),
            out0: resolve(c),
            out1: resolve(d),
        }
    });
    let steps = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("prediction step"),
        size: STEP_STRIDE,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let step_group = kernels.step_group(ctx, &steps);
    let out_width = stages.iter().rev().find_map(|s| match *s {
        Stage::Dense { units, .. } => Some(units),
        Stage::BatchNorm { width, .. } => Some(width),
        Stage::Dropout { .. } => None,
    });
    let staging = ctx.staging(
        "prediction read-back",
        (chunk * out_width.unwrap_or(1) * 4) as u64,
    );
    Ok(Predict {
        chunk,
        input,
        output,
        bufs,
        _ops: ops_buf,
        dispatches,
        steps,
        step_group,
        staging,
    })
}
