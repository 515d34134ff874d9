//! Benchmark entry points, all in this module: the kernels here, training and the decision
//! grid in [`train`] (their wasm faces are in `web::bench*`). Plain functions with no timing
//! inside, so that any caller (the Node script in `bench/`, a native harness, the page) times
//! them with its own clock.
//!
//! ```
//! use nn_playground::bench::GemmBench;
//! let mut b = GemmBench::new("tn", 64, 64, 64, "fast").unwrap();
//! let checksum = b.run(3); // time this call; it performs 3 × b.flops_per_iter() FLOPs
//! assert!(checksum.is_finite());
//! ```

pub mod sequence;
pub mod train;

pub use train::{GridBench, TrainBench};

use crate::kernels::{self, portable, scalar, GemmFn, Layout};
use crate::{Error, Result};

/// Largest side accepted by [`GemmBench::new`]: 4096³ is already minutes of scalar work.
pub const MAX_SIDE: usize = 4096;

/// A prepared GEMM problem: operands filled once, then the chosen kernel run on demand.
pub struct GemmBench {
    m: usize,
    k: usize,
    n: usize,
    f: GemmFn,
    layout: Layout,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl GemmBench {
    /// `shape` is `"nn"`, `"tn"` or `"nt"` (see [`crate::kernels`] for the layouts);
    /// `kernel` is `"scalar"` (the naive oracle), `"portable"` (the blocked plain-Rust
    /// kernel) or `"fast"` (what [`crate::kernels::gemm_nn`] dispatches to: SIMD128 on
    /// wasm32). Sides must lie in `1..=MAX_SIDE`.
    pub fn new(shape: &str, m: usize, k: usize, n: usize, kernel: &str) -> Result<Self> {
        if [m, k, n].iter().any(|&d| d == 0 || d > MAX_SIDE) {
            return Err(Error::Limit(format!(
                "benchmark sides must be between 1 and {MAX_SIDE}, got {m}×{k}×{n}"
            )));
        }
        let f: GemmFn = match kernel {
            "scalar" => scalar::gemm,
            "portable" => portable::gemm,
            "fast" => kernels::gemm,
            other => {
                return Err(Error::InvalidConfig(format!(
                    "unknown kernel {other:?}: use \"scalar\", \"portable\" or \"fast\""
                )))
            }
        };
        let layout = match shape {
            "nn" => Layout::Nn,
            "tn" => Layout::Tn,
            "nt" => Layout::Nt,
            other => {
                return Err(Error::InvalidConfig(format!(
                    "unknown GEMM shape {other:?}: use \"nn\", \"tn\" or \"nt\""
                )))
            }
        };
        let mut rng = crate::Rng::new(0xbe7c);
        let mut fill = |len: usize| (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect();
        Ok(Self {
            m,
            k,
            n,
            f,
            layout,
            a: fill(m * k),
            b: fill(k * n),
            c: vec![0.0; m * n],
        })
    }

    /// Runs the product `iters` times (overwriting `C`) and returns a checksum of `C`
    /// so the work cannot be optimised away.
    pub fn run(&mut self, iters: u32) -> f32 {
        for _ in 0..iters {
            let (m, k, n) = (self.m, self.k, self.n);
            (self.f)(self.layout, m, k, n, &self.a, &self.b, &mut self.c, false);
        }
        self.c.iter().sum()
    }

    /// [`run`](Self::run) with the pool kept awake through the `iters` products (see
    /// `kernels::parallel::with_team`), as a run of training steps keeps it.
    pub fn run_in_team(&mut self, iters: u32) -> f32 {
        let work = self.m * self.k * self.n;
        crate::kernels::parallel::with_team(work, || self.run(iters))
    }

    /// Floating-point operations in one product: `2·m·k·n` (a multiply and an add each).
    pub fn flops_per_iter(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

/// Independent accumulators in [`peak_simd_madd`]: enough that the multiply→add latency
/// chain of each (≈ 8 cycles) hides behind the others' issue slots.
pub const PEAK_ACCUMULATORS: usize = 12;

/// FLOPs in one iteration of [`peak_simd_madd`]: 12 accumulators × 4 lanes × (mul + add).
pub const PEAK_FLOPS_PER_ITER: f64 = (PEAK_ACCUMULATORS * 4 * 2) as f64;

/// [`PEAK_FLOPS_PER_ITER`], for callers that only see functions (wasm-bindgen).
pub fn peak_flops_per_iter() -> f64 {
    PEAK_FLOPS_PER_ITER
}

/// The calibration loop: `iters` rounds of `acc ← acc·x + y` on [`PEAK_ACCUMULATORS`]
/// four-lane vectors held in registers, with the same multiply-add the GEMM micro-kernel
/// uses (fused under `+relaxed-simd`). No memory traffic, so its rate is the attainable
/// arithmetic peak of one thread. Returns a sum of the accumulators.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub fn peak_simd_madd(iters: u32) -> f32 {
    use core::arch::wasm32::*;
    // acc converges to y / (1 − x) = 1: no overflow, no denormals.
    let x = f32x4_splat(0.999);
    let y = f32x4_splat(0.001);
    let mut acc = [f32x4_splat(0.5); PEAK_ACCUMULATORS];
    for (i, a) in acc.iter_mut().enumerate() {
        *a = f32x4_add(*a, f32x4_splat(i as f32 * 0.01));
    }
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = kernels::simd128::madd(*a, x, y);
        }
    }
    let s = acc.iter().fold(f32x4_splat(0.0), |s, &a| f32x4_add(s, a));
    f32x4_extract_lane::<0>(s)
        + f32x4_extract_lane::<1>(s)
        + f32x4_extract_lane::<2>(s)
        + f32x4_extract_lane::<3>(s)
}

/// The calibration loop (see the SIMD128 version) on plain arrays for LLVM to vectorise.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub fn peak_simd_madd(iters: u32) -> f32 {
    let mut acc = [[0.5f32; 4]; PEAK_ACCUMULATORS];
    for (i, a) in acc.iter_mut().enumerate() {
        a.iter_mut().for_each(|v| *v += i as f32 * 0.01);
    }
    for _ in 0..iters {
        for a in acc.iter_mut() {
            for v in a.iter_mut() {
                *v = *v * 0.999 + 0.001;
            }
        }
    }
    acc.iter().flatten().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_bench_runs_every_kernel_and_shape() {
        let mut sums = Vec::new();
        for kernel in ["scalar", "portable", "fast"] {
            for shape in ["nn", "tn", "nt"] {
                let mut b = GemmBench::new(shape, 9, 5, 7, kernel).unwrap();
                assert_eq!(b.flops_per_iter(), 630.0);
                sums.push((shape, b.run(2)));
            }
        }
        // Same operands, same shape: every kernel gives (nearly) the same checksum.
        for (shape, s) in &sums[3..] {
            let (_, want) = sums.iter().find(|(sh, _)| sh == shape).unwrap();
            assert!((s - want).abs() < 1e-4, "{shape}: {s} vs {want}");
        }
    }

    #[test]
    fn gemm_bench_rejects_bad_arguments() {
        assert!(matches!(
            GemmBench::new("nn", 0, 4, 4, "fast"),
            Err(Error::Limit(_))
        ));
        assert!(matches!(
            GemmBench::new("nn", 4, 4, 5000, "fast"),
            Err(Error::Limit(_))
        ));
        assert!(matches!(
            GemmBench::new("tt", 4, 4, 4, "fast"),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            GemmBench::new("nn", 4, 4, 4, "gpu"),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn peak_loop_converges_and_counts() {
        // Each lane tends to 1, so 12 × 4 lanes sum to about 48 after many rounds.
        let s = peak_simd_madd(20_000);
        assert!((s - 48.0).abs() < 0.01, "{s}");
        assert_eq!(peak_flops_per_iter(), 96.0);
    }
}
