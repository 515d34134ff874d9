//! Matrix-multiply and element-wise kernels: the contract, and dispatch to the fastest
//! implementation compiled in (SIMD128 on wasm32, the portable blocked kernel natively).
//!
//! Shape legend for the three products (all row-major):
//! - NN: `A: m×k`, `B: k×n`, `C: m×n`, `C ← A·B (+ C)` — forward `Y = X·W`.
//! - TN: `A: k×m`, `B: k×n`, `C: m×n`, `C ← Aᵀ·B (+ C)` — weight gradient `dW = Xᵀ·dY`.
//! - NT: `A: m×k`, `B: n×k`, `C: m×n`, `C ← A·Bᵀ (+ C)` — input gradient `dX = dY·Wᵀ`.
//!
//! `C` must not alias `A` or `B`. With `accumulate == false` the old contents of `C` are
//! ignored (it may hold garbage, even NaN). Slices shorter than the shape needs panic: the
//! layers size every buffer, so that is a broken invariant, not bad user input.
//!
//! Implementations: [`scalar`] (naive, the oracle), [`portable`] (cache-blocked and packed,
//! vectorised by LLVM) and, on wasm32 with `+simd128`, `simd128` (the same driver with an
//! explicit `v128` 4×8 register tile; `+relaxed-simd` fuses its multiply-adds). Packing
//! turns NN, TN and NT into the same inner loop, so the transposed products are as fast as
//! NN. Products of at most 4096 multiply-adds (the playground's batch-10 layers), and
//! skinny ones with k ≤ 8 or n ≤ 8 at any size (its 2-input and 1-output layers over a
//! decision grid), skip packing and its bookkeeping. Every fast kernel is compared with [`scalar`] on odd shapes
//! by `tests/kernels.rs` (native) and `tests/wasm_kernels.rs` (wasm32, in Node).

mod blocked;
pub mod elementwise;
pub mod parallel;
pub mod portable;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;
#[cfg(feature = "threads")]
mod team;

/// The kernel family [`gemm_nn`], [`gemm_tn`] and [`gemm_nt`] dispatch to in this build.
pub const FAST_GEMM: &str = if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
    "simd128+relaxed"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "simd128"
} else {
    "portable"
};

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use portable as fast;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128 as fast;

/// Which operands a product reads transposed. The shape legend above gives how each layout
/// stores `A` and `B`; `C` is always `m×n`, row-major.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `C ← A·B`: `A: m×k`, `B: k×n`.
    Nn,
    /// `C ← Aᵀ·B`: `A: k×m`, `B: k×n`.
    Tn,
    /// `C ← A·Bᵀ`: `A: m×k`, `B: n×k`.
    Nt,
}

impl Layout {
    /// Every layout, in the legend's order.
    pub const ALL: [Layout; 3] = [Layout::Nn, Layout::Tn, Layout::Nt];

    /// `((row, column) stride of A, (row, column) stride of B)`: logical `A[i][p]` is
    /// `a[i·rs + p·cs]` and `B[p][j]` is `b[p·rs + j·cs]` in this layout's storage.
    pub(crate) fn strides(self, m: usize, k: usize, n: usize) -> ((usize, usize), (usize, usize)) {
        match self {
            Layout::Nn => ((k, 1), (n, 1)),
            Layout::Tn => ((1, m), (n, 1)),
            Layout::Nt => ((k, 1), (1, k)),
        }
    }
}

/// The one signature of every GEMM implementation (the oracle, the portable and the SIMD128
/// kernels, the dispatch): `(layout, m, k, n, a, b, c, accumulate)`.
pub type GemmFn = fn(Layout, usize, usize, usize, &[f32], &[f32], &mut [f32], bool);

/// `C ← op(A)·op(B)` (or `C +=` when `accumulate`) in `layout`, on the fastest kernel
/// compiled in. Large products split over the thread pool (see [`parallel`]).
#[allow(clippy::too_many_arguments)] // the product's shape, operands and mode, no fewer
pub fn gemm(
    layout: Layout,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    fast::gemm(layout, m, k, n, a, b, c, accumulate)
}

/// [`gemm`] in [`Layout::Nn`]: `C (+)= A·B`, A: m×k, B: k×n — the layers' forward `Y = X·W`.
pub fn gemm_nn(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], acc: bool) {
    gemm(Layout::Nn, m, k, n, a, b, c, acc)
}

/// [`gemm`] in [`Layout::Tn`]: `C (+)= Aᵀ·B`, A: k×m, B: k×n — the weight gradient `dW = Xᵀ·dY`.
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], acc: bool) {
    gemm(Layout::Tn, m, k, n, a, b, c, acc)
}

/// [`gemm`] in [`Layout::Nt`]: `C (+)= A·Bᵀ`, A: m×k, B: n×k — the input gradient `dX = dY·Wᵀ`.
pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32], acc: bool) {
    gemm(Layout::Nt, m, k, n, a, b, c, acc)
}

/// Adds `bias` (length n) to every row of `c` (m×n).
pub fn add_bias(c: &mut [f32], bias: &[f32]) {
    let n = bias.len();
    if n == 0 {
        return;
    }
    for row in c.chunks_exact_mut(n) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x += b;
        }
    }
}

/// `out[j] (+)= Σ_i src[i·n + j]`: column sums of an m×n matrix (bias gradients).
pub fn column_sums(src: &[f32], n: usize, out: &mut [f32], accumulate: bool) {
    if !accumulate {
        out.iter_mut().for_each(|v| *v = 0.0);
    }
    if n == 0 {
        return;
    }
    for row in src.chunks_exact(n) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// Panics unless the slices hold an `m×k` by `k×n` product in any layout (every layout
/// stores `m·k`, `k·n` and `m·n` values).
#[inline]
fn check(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &[f32]) {
    // Broken invariants, not user input: the layers size every buffer.
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm buffer too small"
    );
}
