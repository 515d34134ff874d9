//! Benchmark jobs with no clock inside, for targets where nothing may block (the browser):
//! a matmul uploaded once and dispatched N times per submit, a tiny dispatch, and a
//! one-float read-back. The caller's clock (`performance.now()` in the page) times the
//! `run_*` futures; the native benchmark's blocking timers live in `timing`.

use super::dispatch::{Bindings, Extent};
use super::kernels::{Kernel, Op, Step};
use super::matmul::{check_matmul_grid, MatmulShape};
use super::ops::{check_len, KernelRunner, Prepared};
use crate::{Error, Result};

/// Floats the tiny dispatch touches (one workgroup's worth of elements).
const TINY: usize = 64;

/// One `m×k×n` matmul with its operands on the GPU, ready to dispatch again and again.
pub struct MatmulJob {
    m: usize,
    k: usize,
    n: usize,
    _a: wgpu::Buffer,
    _b: wgpu::Buffer,
    c: wgpu::Buffer,
    staging: wgpu::Buffer,
    prepared: Prepared,
}

impl MatmulJob {
    /// Floating-point operations of one product: `2·m·k·n`.
    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.k as f64 * self.n as f64
    }
}

/// The smallest useful dispatch: `y = x` over 64 floats (the dropout kernel with keep
/// probability 1), and a staging buffer for one-float read-backs of `y`.
pub struct DispatchJob {
    _x: wgpu::Buffer,
    y: wgpu::Buffer,
    staging: wgpu::Buffer,
    prepared: Prepared,
}

impl KernelRunner {
    /// Uploads `a` and `b` once (layouts as in [`MatmulShape`]: NN a: m×k, b: k×n;
    /// TN a: k×m; NT b: n×k) and records the product `C` (m×n) for [`Self::run_matmul_job`].
    pub fn matmul_job(
        &self,
        shape: MatmulShape,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
    ) -> Result<MatmulJob> {
        if m == 0 || k == 0 || n == 0 {
            return Err(Error::Shape(format!(
                "matmul job {m}×{k}×{n}: every dimension must be at least 1"
            )));
        }
        let (la, lb) = match shape {
            MatmulShape::Nn => (m * k, k * n),
            MatmulShape::Tn => (k * m, k * n),
            MatmulShape::Nt => (m * k, n * k),
        };
        check_len("matmul operand a", a.len(), la)?;
        check_len("matmul operand b", b.len(), lb)?;
        check_matmul_grid(m, n)?;
        let ba = self.ctx.storage_init("a", a);
        let bb = self.ctx.storage_init("b", b);
        let c = self.ctx.storage("c", m * n)?;
        let prepared = self.matmul_prepared(shape, m, k, n, &ba, &bb, &c);
        Ok(MatmulJob {
            m,
            k,
            n,
            _a: ba,
            _b: bb,
            staging: self.ctx.staging("c[0]", 4),
            c,
            prepared,
        })
    }

    /// `reps` products in one submit, then one read-back of `C[0,0]` (which waits for all of
    /// them: the queue runs in order). Returns `C[0,0]`, so the work cannot be skipped.
    pub async fn run_matmul_job(&self, job: &MatmulJob, reps: usize) -> Result<f32> {
        self.ctx.check_alive()?;
        self.submit(&job.prepared, &[0], reps.max(1));
        self.read_first(&job.c, &job.staging).await
    }

    /// Records the tiny dispatch (`y = x`, 64 floats, `x` all 3.0, `y` zeroed).
    pub fn dispatch_job(&self) -> Result<DispatchJob> {
        let x = self.ctx.storage_init("x", &[3.0; TINY]);
        let y = self.ctx.storage("y", TINY)?;
        let mut op = Op {
            m: 1,
            n: TINY as u32,
            k: 1,
            ..Op::default()
        };
        // Keep probability 1: the dropout kernel copies.
        op.f[0] = 1.0;
        let binds = Bindings {
            in0: Some(&x),
            in1: None,
            out0: Some(&y),
            out1: None,
        };
        let prepared = self.prepare(
            vec![(
                Kernel::DropoutForward,
                op,
                Extent::fixed(TINY as u32, 256),
                Extent::fixed(1, 1),
                binds,
            )],
            &[Step::default()],
        );
        Ok(DispatchJob {
            _x: x,
            staging: self.ctx.staging("y[0]", 4),
            y,
            prepared,
        })
    }

    /// `count` tiny dispatches in one submit, awaited until the queue has finished them
    /// (no read-back).
    pub async fn run_dispatches(&self, job: &DispatchJob, count: usize) -> Result<()> {
        self.ctx.check_alive()?;
        self.submit(&job.prepared, &[0], count.max(1));
        self.work_done().await
    }

    /// One read-back of the tiny job's `y[0]`: a 4-byte copy to the staging buffer, one
    /// submit, one map. 0.0 before any dispatch of the job, 3.0 after.
    pub async fn read_back_one(&self, job: &DispatchJob) -> Result<f32> {
        self.ctx.check_alive()?;
        self.read_first(&job.y, &job.staging).await
    }

    /// Copies the first float of `src` into `staging` and maps it.
    async fn read_first(&self, src: &wgpu::Buffer, staging: &wgpu::Buffer) -> Result<f32> {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(src, 0, staging, 0, Some(4));
        self.ctx.queue.submit([enc.finish()]);
        let v = self.ctx.read_staging(staging, 1).await?;
        Ok(v[0])
    }

    /// Resolves once the queue has finished everything submitted so far.
    async fn work_done(&self) -> Result<()> {
        let (tx, rx) = futures_channel::oneshot::channel();
        self.ctx.queue.on_submitted_work_done(move || {
            let _ = tx.send(());
        });
        // Natively the callback only fires from a poll; on the web the browser resolves it.
        #[cfg(not(target_arch = "wasm32"))]
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))?;
        rx.await
            .map_err(|_| Error::Backend("the GPU never reported the work done".into()))?;
        self.ctx.check_alive()
    }
}
