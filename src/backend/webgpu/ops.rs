//! `KernelRunner`: single kernels run on their own (upload, one submit, read back), for the
//! tests that hold each kernel to the CPU oracle and for the benchmark's overhead figures.

use super::context::GpuContext;
use super::kernels::{
    activation_code, matmul_kernel, record, step_bytes, Bindings, Dispatch, Dummies, Extent,
    Kernel, Kernels, MatmulShape, Op, OpBuilder, Step,
};
use crate::nn::optim::ADAGRAD_INITIAL_ACCUMULATOR;
use crate::spec::{LossKind, OptimizerKind, OptimizerSpec, Regularization, RegularizationKind};
use crate::{Activation, Error, Matrix, Result};

/// Compiled kernels on a context, for running one kernel at a time.
pub struct KernelRunner {
    ctx: GpuContext,
    kernels: Kernels,
    dummies: Dummies,
}

/// One prepared run: its op buffer, dispatches and step slots.
struct Prepared {
    _ops: wgpu::Buffer,
    dispatches: Vec<Dispatch>,
    steps: wgpu::Buffer,
    step_group: wgpu::BindGroup,
}

impl KernelRunner {
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        Ok(Self {
            ctx: ctx.clone(),
            kernels: Kernels::new(ctx),
            dummies: Dummies::new(ctx)?,
        })
    }

    fn prepare<'a>(
        &self,
        ops: Vec<(Kernel, Op, Extent, Extent, Bindings<'a>)>,
        steps: &[Step],
    ) -> Prepared {
        let mut builder = OpBuilder::new();
        let mut binds = Vec::new();
        for (k, op, x, y, b) in ops {
            builder.push(k, op, x, y);
            binds.push(b);
        }
        let (ops, dispatches) = builder.finish(&self.ctx, &self.kernels, &self.dummies, |i| {
            let b = &binds[i];
            Bindings {
                in0: b.in0,
                in1: b.in1,
                out0: b.out0,
                out1: b.out1,
            }
        });
        let steps = wgpu::util::DeviceExt::create_buffer_init(
            &self.ctx.device,
            &wgpu::util::BufferInitDescriptor {
                label: Some("steps"),
                contents: &step_bytes(steps),
                usage: wgpu::BufferUsages::UNIFORM,
            },
        );
        let step_group = self.kernels.step_group(&self.ctx, &steps);
        Prepared {
            _ops: ops,
            dispatches,
            steps,
            step_group,
        }
    }

    /// Records every step slot of `p` (slot i with `rows[i]` batch rows) in one submit.
    fn submit(&self, p: &Prepared, rows: &[u32], repeat: usize) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            for _ in 0..repeat {
                for (slot, &m) in rows.iter().enumerate() {
                    record(&mut pass, &p.step_group, slot as u32, m, &p.dispatches);
                }
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        let _ = &p.steps;
    }

    /// `C = A·B` / `Aᵀ·B` / `A·Bᵀ` on the GPU (shapes as in [`MatmulShape`]).
    pub async fn matmul(
        &self,
        shape: MatmulShape,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
    ) -> Result<Vec<f32>> {
        let (la, lb) = match shape {
            MatmulShape::Nn => (m * k, k * n),
            MatmulShape::Tn => (k * m, k * n),
            MatmulShape::Nt => (m * k, n * k),
        };
        if a.len() != la || b.len() != lb {
            return Err(Error::Shape(format!(
                "matmul {shape:?} {m}×{k}×{n} needs {la} and {lb} values, got {} and {}",
                a.len(),
                b.len()
            )));
        }
        let ba = self.ctx.storage_init("a", a);
        let bb = self.ctx.storage_init("b", b);
        let bc = self.ctx.storage("c", m * n)?;
        let p = self.matmul_prepared(shape, m, k, n, &ba, &bb, &bc);
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&bc, m * n).await
    }

    #[allow(clippy::too_many_arguments)]
    fn matmul_prepared(
        &self,
        shape: MatmulShape,
        m: usize,
        k: usize,
        n: usize,
        a: &wgpu::Buffer,
        b: &wgpu::Buffer,
        c: &wgpu::Buffer,
    ) -> Prepared {
        let op = Op {
            m: m as u32,
            k: k as u32,
            n: n as u32,
            ..Op::default()
        };
        let kernel = matmul_kernel(shape, &op);
        let binds = Bindings {
            in0: Some(a),
            in1: Some(b),
            out0: Some(c),
            out1: None,
        };
        self.prepare(
            vec![(
                kernel,
                op,
                Extent::fixed(n as u32, 64),
                Extent::fixed(m as u32, 64),
                binds,
            )],
            &[Step::default()],
        )
    }

    /// `Z + bias` then the activation, for `rows×cols` pre-activations; returns `Y`.
    pub async fn activation_forward(
        &self,
        act: Activation,
        z: &[f32],
        bias: Option<&[f32]>,
        rows: usize,
        cols: usize,
    ) -> Result<Vec<f32>> {
        check_len("pre-activations", z.len(), rows * cols)?;
        let bz = self.ctx.storage_init("z", z);
        let by = self.ctx.storage("y", rows * cols)?;
        let bb = bias.map(|b| self.ctx.storage_init("bias", b));
        let (kernel, x) = if act == Activation::Softmax {
            (Kernel::BiasSoftmax, Extent::fixed(rows as u32, 256))
        } else {
            (Kernel::BiasAct, Extent::fixed((rows * cols) as u32, 256))
        };
        let op = Op {
            m: rows as u32,
            n: cols as u32,
            flags: bias.is_some() as u32,
            kind: activation_code(act),
            ..Op::default()
        };
        let binds = Bindings {
            in0: bb.as_ref(),
            in1: None,
            out0: Some(&bz),
            out1: Some(&by),
        };
        let p = self.prepare(
            vec![(kernel, op, x, Extent::fixed(1, 1), binds)],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&by, rows * cols).await
    }

    /// `dZ = dY ⊙ act'(Z)` (softmax: the row-wise Jacobian product), given `Z` and `Y`.
    pub async fn activation_backward(
        &self,
        act: Activation,
        z: &[f32],
        y: &[f32],
        dy: &[f32],
        rows: usize,
        cols: usize,
    ) -> Result<Vec<f32>> {
        for (what, v) in [("z", z), ("y", y), ("dy", dy)] {
            check_len(what, v.len(), rows * cols)?;
        }
        let bz = self.ctx.storage_init("z", z);
        let by = self.ctx.storage_init("y", y);
        let bg = self.ctx.storage_init("dy", dy);
        let (kernel, x) = if act == Activation::Softmax {
            (Kernel::SoftmaxBackward, Extent::fixed(rows as u32, 256))
        } else {
            (
                Kernel::ActBackward,
                Extent::fixed((rows * cols) as u32, 256),
            )
        };
        let op = Op {
            m: rows as u32,
            n: cols as u32,
            kind: activation_code(act),
            ..Op::default()
        };
        let binds = Bindings {
            in0: Some(&bz),
            in1: Some(&by),
            out0: Some(&bg),
            out1: None,
        };
        let p = self.prepare(
            vec![(kernel, op, x, Extent::fixed(1, 1), binds)],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&bg, rows * cols).await
    }

    /// Column sums of a `rows×cols` matrix (bias gradients).
    pub async fn column_sums(&self, src: &[f32], rows: usize, cols: usize) -> Result<Vec<f32>> {
        check_len("matrix", src.len(), rows * cols)?;
        let bs = self.ctx.storage_init("src", src);
        let bo = self.ctx.storage("sums", cols)?;
        let op = Op {
            m: rows as u32,
            n: cols as u32,
            ..Op::default()
        };
        let binds = Bindings {
            in0: Some(&bs),
            in1: None,
            out0: Some(&bo),
            out1: None,
        };
        let p = self.prepare(
            vec![(
                Kernel::ColSums,
                op,
                Extent::fixed(cols as u32, 256),
                Extent::fixed(1, 1),
                binds,
            )],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&bo, cols).await
    }

    /// Inverted dropout of `x` (rows×cols) with `rate` and a step seed; returns `x ⊙ mask`.
    pub async fn dropout(
        &self,
        rate: f32,
        seed: u32,
        x: &[f32],
        rows: usize,
        cols: usize,
    ) -> Result<Vec<f32>> {
        check_len("inputs", x.len(), rows * cols)?;
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::InvalidConfig(format!(
                "dropout rate must be in [0, 1), got {rate}"
            )));
        }
        let bx = self.ctx.storage_init("x", x);
        let by = self.ctx.storage("y", rows * cols)?;
        let mut op = Op {
            m: rows as u32,
            n: cols as u32,
            k: 1,
            ..Op::default()
        };
        op.f[0] = 1.0 - rate;
        let binds = Bindings {
            in0: Some(&bx),
            in1: None,
            out0: Some(&by),
            out1: None,
        };
        let step = Step {
            seed,
            ..Step::default()
        };
        let p = self.prepare(
            vec![(
                Kernel::DropoutForward,
                op,
                Extent::fixed((rows * cols) as u32, 256),
                Extent::fixed(1, 1),
                binds,
            )],
            &[step],
        );
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&by, rows * cols).await
    }

    /// Loss and gradient of predictions (logits for the cross-entropies) `p` against `t`, as
    /// `nn::loss::loss_and_grad` defines them.
    pub async fn loss_and_grad(
        &self,
        kind: LossKind,
        huber_delta: f32,
        p: &Matrix,
        t: &Matrix,
    ) -> Result<(f32, Matrix)> {
        let (m, n) = p.shape();
        if t.rows() != m
            || !(t.cols() == n || (kind == LossKind::CategoricalCrossentropy && t.cols() == 1))
        {
            return Err(Error::Shape(format!(
                "targets {}×{} do not match predictions {m}×{n}",
                t.rows(),
                t.cols()
            )));
        }
        let bp = self.ctx.storage_init("p", p.as_slice());
        let bt = self.ctx.storage_init("t", t.as_slice());
        let bg = self.ctx.storage("grad", m * n)?;
        let brows = self.ctx.storage("row terms", m)?;
        let blosses = self.ctx.storage("losses", 2)?;
        let mut op = Op {
            m: m as u32,
            n: n as u32,
            kind: loss_code(kind),
            extra: t.cols() as u32,
            ..Op::default()
        };
        op.f[0] = huber_delta;
        let reduce = Op {
            m: m as u32,
            ..Op::default()
        };
        let p = self.prepare(
            vec![
                (
                    Kernel::LossRows,
                    op,
                    Extent::fixed(m as u32, 256),
                    Extent::fixed(1, 1),
                    Bindings {
                        in0: Some(&bp),
                        in1: Some(&bt),
                        out0: Some(&bg),
                        out1: Some(&brows),
                    },
                ),
                (
                    Kernel::ReduceLoss,
                    reduce,
                    Extent::fixed(1, 1),
                    Extent::fixed(1, 1),
                    Bindings {
                        in0: Some(&brows),
                        in1: None,
                        out0: Some(&blosses),
                        out1: None,
                    },
                ),
            ],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        let loss = self.ctx.read_buffer(&blosses, 2).await?[1];
        let grad = self.ctx.read_buffer(&bg, m * n).await?;
        Ok((loss, Matrix::from_vec(m, n, grad)?))
    }

    /// Applies `grads.len()` optimiser steps (step t uses `grads[t]`, learning rate and bias
    /// corrections as `Optimizer::begin_step` gives them for a fresh optimiser) to `value`, all
    /// in one submit; returns the final values.
    pub async fn optimizer_steps(
        &self,
        spec: &OptimizerSpec,
        reg: Regularization,
        is_weight: bool,
        value: &[f32],
        grads: &[Vec<f32>],
    ) -> Result<Vec<f32>> {
        let len = value.len();
        if grads.iter().any(|g| g.len() != len) {
            return Err(Error::Shape(
                "every gradient must match the parameter".into(),
            ));
        }
        let mut opt = crate::nn::optim::Optimizer::new(spec.clone())?;
        let bv = self.ctx.storage_init("value", value);
        let bstate = self
            .ctx
            .storage_init("state", &initial_state(spec.kind, len));
        let status = self.ctx.storage("status", 1)?;
        // Each step reads its own gradient, so each gets its own buffer and dispatch.
        let per_step: Vec<wgpu::Buffer> = grads
            .iter()
            .map(|g| self.ctx.storage_init("grad", g))
            .collect();
        let op = update_op(spec, reg, is_weight, len);
        let mut steps = Vec::new();
        let mut ops = Vec::new();
        for (i, gbuf) in per_step.iter().enumerate() {
            let ctx = opt.begin_step();
            steps.push(Step {
                index: i as u32,
                lr: ctx.lr,
                bias1: ctx.bias1,
                bias2: ctx.bias2,
                ..Step::default()
            });
            ops.push((
                Kernel::Update,
                op,
                Extent::fixed(len as u32, 256),
                Extent::fixed(1, 1),
                Bindings {
                    in0: Some(gbuf),
                    in1: Some(&status),
                    out0: Some(&bv),
                    out1: Some(&bstate),
                },
            ));
        }
        let p = self.prepare(ops, &steps);
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&Default::default());
            for (i, d) in p.dispatches.iter().enumerate() {
                record(
                    &mut pass,
                    &p.step_group,
                    i as u32,
                    0,
                    std::slice::from_ref(d),
                );
            }
        }
        self.ctx.queue.submit([enc.finish()]);
        self.ctx.read_buffer(&bv, len).await
    }

    /// Seconds per `m×k×n` matmul: `reps` dispatches in one submit, after a warm-up.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn time_matmul(
        &self,
        shape: MatmulShape,
        m: usize,
        k: usize,
        n: usize,
        reps: usize,
    ) -> Result<f64> {
        let (la, lb) = match shape {
            MatmulShape::Nn => (m * k, k * n),
            MatmulShape::Tn => (k * m, k * n),
            MatmulShape::Nt => (m * k, n * k),
        };
        let fill = |len: usize| {
            (0..len)
                .map(|i| ((i * 7919) % 1000) as f32 * 1e-3)
                .collect::<Vec<f32>>()
        };
        let ba = self.ctx.storage_init("a", &fill(la));
        let bb = self.ctx.storage_init("b", &fill(lb));
        let bc = self.ctx.storage("c", m * n)?;
        let p = self.matmul_prepared(shape, m, k, n, &ba, &bb, &bc);
        self.submit(&p, &[0], 1);
        self.wait()?;
        let t = std::time::Instant::now();
        self.submit(&p, &[0], reps.max(1));
        self.wait()?;
        Ok(t.elapsed().as_secs_f64() / reps.max(1) as f64)
    }

    /// Seconds for one submit of `count` tiny dispatches (64 elements each), waited for.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn time_dispatches(&self, count: usize) -> Result<f64> {
        let bx = self.ctx.storage("x", 64)?;
        let by = self.ctx.storage("y", 64)?;
        let mut op = Op {
            m: 1,
            n: 64,
            k: 1,
            ..Op::default()
        };
        op.f[0] = 1.0;
        let binds = Bindings {
            in0: Some(&bx),
            in1: None,
            out0: Some(&by),
            out1: None,
        };
        let p = self.prepare(
            vec![(
                Kernel::DropoutForward,
                op,
                Extent::fixed(64, 256),
                Extent::fixed(1, 1),
                binds,
            )],
            &[Step::default()],
        );
        self.submit(&p, &[0], 1);
        self.wait()?;
        let t = std::time::Instant::now();
        self.submit(&p, &[0], count.max(1));
        self.wait()?;
        Ok(t.elapsed().as_secs_f64())
    }

    /// Seconds for an empty submit, waited for.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn time_submit(&self) -> Result<f64> {
        let t = std::time::Instant::now();
        let enc = self.ctx.device.create_command_encoder(&Default::default());
        self.ctx.queue.submit([enc.finish()]);
        self.wait()?;
        Ok(t.elapsed().as_secs_f64())
    }

    /// Seconds to copy `len` floats to a staging buffer and map them (one read-back).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn time_readback(&self, len: usize) -> Result<f64> {
        let b = self.ctx.storage("src", len)?;
        pollster::block_on(self.ctx.read_buffer(&b, len))?;
        let t = std::time::Instant::now();
        pollster::block_on(self.ctx.read_buffer(&b, len))?;
        Ok(t.elapsed().as_secs_f64())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn wait(&self) -> Result<()> {
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))
    }
}

fn check_len(what: &str, got: usize, want: usize) -> Result<()> {
    if got == want {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "{what}: expected {want} values, got {got}"
        )))
    }
}

/// `Op::kind` of a loss (see `loss.wgsl`).
pub(crate) fn loss_code(kind: LossKind) -> u32 {
    match kind {
        LossKind::Mse => 0,
        LossKind::Mae => 1,
        LossKind::Huber => 2,
        LossKind::BinaryCrossentropy => 3,
        LossKind::CategoricalCrossentropy => 4,
    }
}

/// Optimiser state of a fresh tensor: slot 1 zero; slot 2 zero (Adagrad: its initial
/// accumulator).
pub(crate) fn initial_state(kind: OptimizerKind, len: usize) -> Vec<f32> {
    let init2 = if kind == OptimizerKind::Adagrad {
        ADAGRAD_INITIAL_ACCUMULATOR
    } else {
        0.0
    };
    let mut s = vec![0.0; 2 * len];
    s[len..].iter_mut().for_each(|v| *v = init2);
    s
}

/// The `Op` of an update over a `len`-element tensor (see `optim.wgsl`).
pub(crate) fn update_op(
    spec: &OptimizerSpec,
    reg: Regularization,
    is_weight: bool,
    len: usize,
) -> Op {
    let kind = match spec.kind {
        OptimizerKind::Sgd => 0,
        OptimizerKind::Momentum => 1,
        OptimizerKind::Nesterov => 2,
        OptimizerKind::Rmsprop => 3,
        OptimizerKind::Adagrad => 4,
        OptimizerKind::Adam => 5,
        OptimizerKind::Adamw => 6,
    };
    let extra = match reg.kind {
        RegularizationKind::None => 0,
        RegularizationKind::L1 => 1,
        RegularizationKind::L2 => 2,
    };
    Op {
        n: len as u32,
        flags: is_weight as u32,
        kind,
        extra,
        f: [
            spec.momentum,
            spec.beta1,
            spec.beta2,
            spec.epsilon,
            spec.rho,
            spec.weight_decay,
            reg.rate,
            0.0,
        ],
        ..Op::default()
    }
}
