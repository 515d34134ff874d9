//! The WebAssembly SIMD128 GEMM: the blocked, packed driver with a 4×8 register tile in
//! eight `v128` accumulators. Shapes as in [`super`]: NN `A m×k, B k×n`; TN `A k×m, B k×n`;
//! NT `A m×k, B n×k`; `C m×n` always.
//!
//! Why 4×8: V8 maps `v128` values onto the 16 XMM registers of x86-64 (one kept as scratch).
//! Eight accumulators, two `B` vectors, one broadcast `A` value and one product temporary
//! fit with room to spare; a 6×8 or 8×8 tile spills in the inner loop.
//! With `+relaxed-simd` the multiply-add is one fused `f32x4.relaxed_madd`.

use super::blocked::{self, MicroKernel};
use super::Layout;
use core::arch::wasm32::*;

/// The 4×8 SIMD128 tile.
pub(crate) struct Simd128;

const MR: usize = 4;
const NR: usize = 8;

/// `acc + a·b`, fused where the build allows it (relaxed SIMD may or may not round once).
#[inline(always)]
pub(crate) fn madd(a: v128, b: v128, acc: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(acc, f32x4_mul(a, b))
    }
}

impl MicroKernel for Simd128 {
    const MR: usize = MR;
    const NR: usize = NR;

    #[inline(always)]
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
        let z = f32x4_splat(0.0);
        let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
        let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
        let (mut a, mut b) = (ap, bp);
        // SAFETY (whole loop): the driver hands over kc·MR and kc·NR packed floats, and
        // wasm loads have no alignment requirement.
        for _ in 0..kc {
            unsafe {
                let b0 = v128_load(b as *const v128);
                let b1 = v128_load(b.add(4) as *const v128);
                let a0 = v128_load32_splat(a as *const u32);
                c00 = madd(a0, b0, c00);
                c01 = madd(a0, b1, c01);
                let a1 = v128_load32_splat(a.add(1) as *const u32);
                c10 = madd(a1, b0, c10);
                c11 = madd(a1, b1, c11);
                let a2 = v128_load32_splat(a.add(2) as *const u32);
                c20 = madd(a2, b0, c20);
                c21 = madd(a2, b1, c21);
                let a3 = v128_load32_splat(a.add(3) as *const u32);
                c30 = madd(a3, b0, c30);
                c31 = madd(a3, b1, c31);
                a = a.add(MR);
                b = b.add(NR);
            }
        }
        let rows = [[c00, c01], [c10, c11], [c20, c21], [c30, c31]];
        if mr == MR && nr == NR {
            for (i, [lo, hi]) in rows.into_iter().enumerate() {
                // SAFETY: a full tile: row i has NR floats at c + i·ldc.
                unsafe {
                    let p = c.add(i * ldc);
                    let (lo, hi) = if accumulate {
                        (
                            f32x4_add(lo, v128_load(p as *const v128)),
                            f32x4_add(hi, v128_load(p.add(4) as *const v128)),
                        )
                    } else {
                        (lo, hi)
                    };
                    v128_store(p as *mut v128, lo);
                    v128_store(p.add(4) as *mut v128, hi);
                }
            }
        } else {
            // Edge tile: spill to the stack and copy the valid mr×nr corner.
            let mut tmp = [0.0f32; MR * NR];
            for (i, [lo, hi]) in rows.into_iter().enumerate() {
                // SAFETY: tmp has NR floats per row.
                unsafe {
                    v128_store(tmp.as_mut_ptr().add(i * NR) as *mut v128, lo);
                    v128_store(tmp.as_mut_ptr().add(i * NR + 4) as *mut v128, hi);
                }
            }
            // SAFETY: forwarded from the caller's contract.
            unsafe { blocked::store_edge::<Self>(&tmp, c, ldc, mr, nr, accumulate) };
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
    blocked::gemm_in::<Simd128>(layout, m, k, n, a, b, c, acc)
}
