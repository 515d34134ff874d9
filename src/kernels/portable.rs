//! The portable fast GEMM: the blocked, packed driver with a plain-Rust 4×8 register tile
//! written so that LLVM vectorises it for whatever the target offers (SSE/AVX natively,
//! SIMD128 on wasm). Shapes as in [`super`]: NN `A m×k, B k×n`; TN `A k×m, B k×n`;
//! NT `A m×k, B n×k`; `C m×n` always.

use super::blocked::{self, MicroKernel};
use super::Layout;

/// A 4×8 tile held in 32 scalar accumulators that LLVM keeps in vector registers.
pub(crate) struct Portable;

const MR: usize = 4;
const NR: usize = 8;

impl MicroKernel for Portable {
    const MR: usize = MR;
    const NR: usize = NR;

    unsafe fn run(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
        accumulate: bool,
    ) {
        // SAFETY: the driver hands over kc·MR and kc·NR packed floats.
        let (ap, bp) = unsafe {
            (
                std::slice::from_raw_parts(ap, kc * MR),
                std::slice::from_raw_parts(bp, kc * NR),
            )
        };
        let mut acc = [[0.0f32; NR]; MR];
        for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
            // Fixed-size views let LLVM drop the bounds checks and vectorise over `j`.
            let a: &[f32; MR] = a.try_into().expect("chunk of MR");
            let b: &[f32; NR] = b.try_into().expect("chunk of NR");
            for (row, &ai) in acc.iter_mut().zip(a) {
                for (x, &bj) in row.iter_mut().zip(b) {
                    *x += ai * bj;
                }
            }
        }
        if mr == MR && nr == NR {
            for (i, row) in acc.iter().enumerate() {
                // SAFETY: a full tile: row i has NR floats at c + i·ldc.
                let dst = unsafe { &mut *(c.add(i * ldc) as *mut [f32; NR]) };
                if accumulate {
                    dst.iter_mut().zip(row).for_each(|(d, v)| *d += v);
                } else {
                    *dst = *row;
                }
            }
        } else {
            // SAFETY: forwarded from the caller's contract.
            unsafe { blocked::store_edge::<Self>(acc.as_flattened(), c, ldc, mr, nr, accumulate) };
        }
    }
}

/// `C ← op(A)·op(B)` (or `+=`) in `layout` (see [`super::Layout`]) on this kernel.
/// Panics if a slice is too small.
#[allow(clippy::too_many_arguments)] // the product's shape, operands and mode, no fewer
pub fn gemm(
    layout: Layout,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    acc: bool,
) {
    blocked::gemm_in::<Portable>(layout, m, k, n, a, b, c, acc)
}
