//! The wasm-bindgen face of [`crate::bench`]: the kernel benchmark entry points exported to
//! JavaScript, with no timing inside (the caller's clock measures the calls).

use super::WebSession;
use crate::bench::{self, GemmBench};
use wasm_bindgen::prelude::*;

/// A prepared GEMM problem (see [`GemmBench`]); `run` is the call to time.
#[wasm_bindgen]
pub struct WasmGemmBench {
    inner: GemmBench,
}

#[wasm_bindgen]
impl WasmGemmBench {
    /// `shape`: `"nn" | "tn" | "nt"`; `kernel`: `"scalar" | "portable" | "fast"`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        shape: &str,
        m: u32,
        k: u32,
        n: u32,
        kernel: &str,
    ) -> Result<WasmGemmBench, JsError> {
        GemmBench::new(shape, m as usize, k as usize, n as usize, kernel)
            .map(|inner| WasmGemmBench { inner })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Runs the product `iters` times; returns a checksum of the output.
    pub fn run(&mut self, iters: u32) -> f32 {
        self.inner.run(iters)
    }

    /// `run` with the pool kept awake through the products, as training keeps it.
    #[wasm_bindgen(js_name = runInTeam)]
    pub fn run_in_team(&mut self, iters: u32) -> f32 {
        self.inner.run_in_team(iters)
    }

    /// FLOPs per product, `2·m·k·n`.
    #[wasm_bindgen(js_name = flopsPerIter)]
    pub fn flops_per_iter(&self) -> f64 {
        self.inner.flops_per_iter()
    }
}

/// The register-only multiply-add calibration loop; time it for the arithmetic peak.
#[wasm_bindgen(js_name = peakSimdMadd)]
pub fn peak_simd_madd(iters: u32) -> f32 {
    bench::peak_simd_madd(iters)
}

/// The register-only loop once on each thread in use, all at once (one band each): what the
/// machine's cores give together at this moment, the ceiling of any split; returns the sum
/// of the loops' results. On one thread it is `peakSimdMadd`.
#[wasm_bindgen(js_name = peakSimdMaddEachThread)]
pub fn peak_simd_madd_each_thread(iters: u32) -> f32 {
    let threads = crate::kernels::parallel::threads();
    let mut out = vec![0.0f32; threads];
    crate::kernels::parallel::row_bands(&mut out, 1, 1, usize::MAX / 2, |_, band| {
        for v in band {
            *v = bench::peak_simd_madd(iters);
        }
    });
    out.iter().sum()
}

/// FLOPs in one iteration of `peakSimdMadd`.
#[wasm_bindgen(js_name = peakFlopsPerIter)]
pub fn peak_flops_per_iter() -> f64 {
    bench::peak_flops_per_iter()
}

/// Which kernel `"fast"` means in this build: `"simd128"`, `"simd128+relaxed"` or `"portable"`.
#[wasm_bindgen(js_name = fastGemmKernel)]
pub fn fast_gemm_kernel() -> String {
    crate::kernels::FAST_GEMM.to_string()
}

/// The table benchmark's view of a session: its training split as the model reads it, so
/// that TF.js can be fitted on the very same rows.
#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// `{x, y, rows, xCols, yCols, batch}`: the training split (`Float32Array`s, row-major,
    /// in split order; both trainers shuffle each epoch themselves) and the configured batch.
    #[wasm_bindgen(js_name = benchTrainingSet)]
    pub fn bench_training_set(&self) -> Result<JsValue, JsError> {
        let (x, y, _, _) = self.inner.split_matrices();
        let o = js_sys::Object::new();
        let fields: [(&str, JsValue); 6] = [
            ("rows", (x.rows() as u32).into()),
            ("xCols", (x.cols() as u32).into()),
            ("yCols", (y.cols() as u32).into()),
            ("batch", (self.inner.config().batch_size as u32).into()),
            ("x", js_sys::Float32Array::from(x.as_slice()).into()),
            ("y", js_sys::Float32Array::from(y.as_slice()).into()),
        ];
        for (key, value) in fields {
            js_sys::Reflect::set(&o, &key.into(), &value)
                .map_err(|_| JsError::new("cannot build the training-set object"))?;
        }
        Ok(o.into())
    }
}
