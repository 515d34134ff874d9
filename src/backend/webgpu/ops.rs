//! `KernelRunner`: single kernels run on their own (upload, one submit, read back), for the
//! tests that hold each kernel to the CPU oracle and for the benchmark's overhead figures.

use super::codes::activation_code;
use super::context::GpuContext;
use super::dispatch::{record, step_bytes, Bindings, Dispatch, Dummies, Extent, OpBuilder};
use super::kernels::{Kernel, Kernels, Op, Step};
use super::matmul::{check_matmul_grid, matmul_kernel, MatmulShape};
use crate::{Activation, Error, Result};

/// Compiled kernels on a context, for running one kernel at a time.
pub struct KernelRunner {
    pub(super) ctx: GpuContext,
    kernels: Kernels,
    dummies: Dummies,
}

/// One prepared run: its op buffer, dispatches and step slots.
pub(super) struct Prepared {
    _ops: wgpu::Buffer,
    pub(super) dispatches: Vec<Dispatch>,
    steps: wgpu::Buffer,
    pub(super) step_group: wgpu::BindGroup,
}

impl KernelRunner {
    pub fn new(ctx: &GpuContext) -> Result<Self> {
        Ok(Self {
            ctx: ctx.clone(),
            kernels: Kernels::new(ctx),
            dummies: Dummies::new(ctx)?,
        })
    }

    pub(super) fn prepare<'a>(
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
    pub(super) fn submit(&self, p: &Prepared, rows: &[u32], repeat: usize) {
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
        check_matmul_grid(m, n)?;
        let ba = self.ctx.storage_init("a", a);
        let bb = self.ctx.storage_init("b", b);
        let bc = self.ctx.storage("c", m * n)?;
        let p = self.matmul_prepared(shape, m, k, n, &ba, &bb, &bc);
        self.submit(&p, &[0], 1);
        self.ctx.read_buffer(&bc, m * n).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn matmul_prepared(
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
}

pub(super) fn check_len(what: &str, got: usize, want: usize) -> Result<()> {
    if got == want {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "{what}: expected {want} values, got {got}"
        )))
    }
}
