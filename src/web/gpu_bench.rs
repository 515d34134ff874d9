//! The WebGPU backend's kernels for the benchmark page (wasm32 + feature `webgpu`):
//! `GpuKernelBench` opens the device once and hands out `GpuMatmulBench` jobs (operands
//! uploaded once, N dispatches per submit, one read-back) and times nothing itself: the
//! page's clock measures each returned promise. Training throughput uses `GpuTrainer`.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::backend::webgpu::{DispatchJob, GpuContext, KernelRunner, MatmulJob, MatmulShape};
use crate::{Error, Rng};

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn js_val(e: Error) -> JsValue {
    JsValue::from(js_err(e))
}

/// The GPU device and compiled kernels for the benchmark (`GpuKernelBench` in JavaScript).
#[wasm_bindgen(js_name = GpuKernelBench)]
pub struct WebGpuKernelBench {
    runner: Rc<KernelRunner>,
    tiny: Rc<DispatchJob>,
    adapter: String,
}

#[wasm_bindgen(js_class = GpuKernelBench)]
impl WebGpuKernelBench {
    /// `await GpuKernelBench.create()`: opens the adapter; rejects with the reason when the
    /// page has no WebGPU (no `navigator.gpu`, no adapter).
    pub async fn create() -> Result<WebGpuKernelBench, JsError> {
        let ctx = GpuContext::new().await.map_err(js_err)?;
        let runner = KernelRunner::new(&ctx).map_err(js_err)?;
        let tiny = runner.dispatch_job().map_err(js_err)?;
        Ok(Self {
            adapter: ctx.adapter_name(),
            runner: Rc::new(runner),
            tiny: Rc::new(tiny),
        })
    }

    /// The adapter's name and backend as wgpu reports it.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// A matmul job: `shape` `"nn"` (C = A·B), `"tn"` (Aᵀ·B) or `"nt"` (A·Bᵀ), C m×n,
    /// operands uniform in [-1, 1) from `seed`.
    pub fn matmul(
        &self,
        shape: &str,
        m: usize,
        k: usize,
        n: usize,
        seed: u32,
    ) -> Result<GpuMatmulBench, JsError> {
        let shape = match shape {
            "nn" => MatmulShape::Nn,
            "tn" => MatmulShape::Tn,
            "nt" => MatmulShape::Nt,
            other => {
                return Err(js_err(Error::InvalidConfig(format!(
                    "unknown matmul shape {other:?}: use \"nn\", \"tn\" or \"nt\""
                ))))
            }
        };
        let mut rng = Rng::new(u64::from(seed));
        let mut fill = |len: usize| (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect::<Vec<_>>();
        // Every shape's operands hold m·k and k·n floats.
        let (a, b) = (fill(m * k), fill(k * n));
        let job = self
            .runner
            .matmul_job(shape, m, k, n, &a, &b)
            .map_err(js_err)?;
        Ok(GpuMatmulBench {
            runner: Rc::clone(&self.runner),
            job: Rc::new(job),
        })
    }

    /// `await bench.dispatches(count)`: one submit of `count` tiny dispatches (64 floats
    /// each), resolved when the queue has run them.
    pub fn dispatches(&self, count: usize) -> Promise {
        let (runner, job) = (Rc::clone(&self.runner), Rc::clone(&self.tiny));
        future_to_promise(async move {
            runner.run_dispatches(&job, count).await.map_err(js_val)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `await bench.readBack()`: one 4-byte read-back (copy, submit, map) of the tiny
    /// job's output; resolves to that float (3 once a dispatch has run, else 0).
    #[wasm_bindgen(js_name = readBack)]
    pub fn read_back(&self) -> Promise {
        let (runner, job) = (Rc::clone(&self.runner), Rc::clone(&self.tiny));
        future_to_promise(async move {
            let v = runner.read_back_one(&job).await.map_err(js_val)?;
            Ok(JsValue::from_f64(f64::from(v)))
        })
    }
}

/// One matmul on the GPU, operands uploaded once (`GpuMatmulBench` in JavaScript).
#[wasm_bindgen]
pub struct GpuMatmulBench {
    runner: Rc<KernelRunner>,
    job: Rc<MatmulJob>,
}

#[wasm_bindgen]
impl GpuMatmulBench {
    /// `await job.run(reps)`: `reps` products in one submit and one read-back of `C[0,0]`,
    /// which it resolves to.
    pub fn run(&self, reps: usize) -> Promise {
        let (runner, job) = (Rc::clone(&self.runner), Rc::clone(&self.job));
        future_to_promise(async move {
            let v = runner.run_matmul_job(&job, reps).await.map_err(js_val)?;
            Ok(JsValue::from_f64(f64::from(v)))
        })
    }

    /// Floating-point operations per product, `2·m·k·n`.
    #[wasm_bindgen(js_name = flopsPerIter)]
    pub fn flops_per_iter(&self) -> f64 {
        self.job.flops()
    }
}
