//! Timings of single kernels and of the fixed costs (dispatch, submit, read-back) for the
//! benchmark; native only (the web has no blocking wait).

use super::dispatch::{Bindings, Extent};
use super::kernels::{Kernel, Op, Step};
use super::matmul::MatmulShape;
use super::ops::KernelRunner;
use crate::{Error, Result};

impl KernelRunner {
    /// Seconds per `m×k×n` matmul: `reps` dispatches in one submit, after a warm-up.
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
    pub fn time_submit(&self) -> Result<f64> {
        let t = std::time::Instant::now();
        let enc = self.ctx.device.create_command_encoder(&Default::default());
        self.ctx.queue.submit([enc.finish()]);
        self.wait()?;
        Ok(t.elapsed().as_secs_f64())
    }

    /// Seconds to copy `len` floats to a staging buffer and map them (one read-back).
    pub fn time_readback(&self, len: usize) -> Result<f64> {
        let b = self.ctx.storage("src", len)?;
        pollster::block_on(self.ctx.read_buffer(&b, len))?;
        let t = std::time::Instant::now();
        pollster::block_on(self.ctx.read_buffer(&b, len))?;
        Ok(t.elapsed().as_secs_f64())
    }

    fn wait(&self) -> Result<()> {
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| Error::Backend(format!("waiting for the GPU failed: {e}")))
    }
}
