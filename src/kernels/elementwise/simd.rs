//! SIMD128 activation kernels (wasm32): relu, leaky relu, tanh, sigmoid and linear, with a
//! vector `exp` and `tanh` accurate to a few ulp. Shape legend: flat slices of equal length,
//! processed four lanes at a time; the tail goes through the same vector code on a padded
//! copy so every element sees identical maths.

use crate::nn::activation::{Activation, LEAKY_SLOPE};
use core::arch::wasm32::*;

/// Runs `act` forward if it has a SIMD version here; `false` leaves the work to the caller.
pub(super) fn forward(act: Activation, z: &[f32], y: &mut [f32]) -> bool {
    match act {
        Activation::Linear => y.copy_from_slice(z),
        Activation::Relu => map1(z, y, |x| v128_and(x, f32x4_gt(x, zero()))),
        Activation::LeakyRelu => map1(z, y, |x| {
            let neg = f32x4_mul(x, f32x4_splat(LEAKY_SLOPE));
            v128_bitselect(x, neg, f32x4_gt(x, zero()))
        }),
        Activation::Tanh => map1(z, y, tanh),
        Activation::Sigmoid => map1(z, y, sigmoid),
        _ => return false,
    }
    true
}

/// Runs `act` backward if it has a SIMD version here; `false` leaves the work to the caller.
pub(super) fn backward(act: Activation, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32]) -> bool {
    let one = f32x4_splat(1.0);
    match act {
        Activation::Linear => dz.copy_from_slice(dy),
        Activation::Relu => map3(z, y, dy, dz, |x, _, g| v128_and(g, f32x4_gt(x, zero()))),
        Activation::LeakyRelu => map3(z, y, dy, dz, |x, _, g| {
            let slope = v128_bitselect(one, f32x4_splat(LEAKY_SLOPE), f32x4_gt(x, zero()));
            f32x4_mul(g, slope)
        }),
        Activation::Tanh => map3(z, y, dy, dz, |_, o, g| {
            f32x4_mul(g, f32x4_sub(one, f32x4_mul(o, o)))
        }),
        Activation::Sigmoid => map3(z, y, dy, dz, |_, o, g| {
            f32x4_mul(g, f32x4_mul(o, f32x4_sub(one, o)))
        }),
        _ => return false,
    }
    true
}

#[inline(always)]
fn zero() -> v128 {
    f32x4_splat(0.0)
}

#[inline(always)]
fn load(s: &[f32]) -> v128 {
    debug_assert!(s.len() >= 4);
    // SAFETY: four floats are readable; wasm loads need no alignment.
    unsafe { v128_load(s.as_ptr() as *const v128) }
}

#[inline(always)]
fn store(s: &mut [f32], v: v128) {
    debug_assert!(s.len() >= 4);
    // SAFETY: four floats are writable.
    unsafe { v128_store(s.as_mut_ptr() as *mut v128, v) }
}

/// `y[i] = f(z[i])`, four lanes at a time.
#[inline(always)]
fn map1(z: &[f32], y: &mut [f32], f: impl Fn(v128) -> v128) {
    let mut zc = z.chunks_exact(4);
    let mut yc = y.chunks_exact_mut(4);
    for (zi, yi) in (&mut zc).zip(&mut yc) {
        store(yi, f(load(zi)));
    }
    let zr = zc.remainder();
    if !zr.is_empty() {
        let mut buf = [0.0f32; 4];
        buf[..zr.len()].copy_from_slice(zr);
        let out = f(load(&buf));
        store(&mut buf, out);
        yc.into_remainder().copy_from_slice(&buf[..zr.len()]);
    }
}

/// `dz[i] = f(z[i], y[i], dy[i])`, four lanes at a time.
#[inline(always)]
fn map3(z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], f: impl Fn(v128, v128, v128) -> v128) {
    let n4 = z.len() / 4 * 4;
    for i in (0..n4).step_by(4) {
        store(
            &mut dz[i..],
            f(load(&z[i..]), load(&y[i..]), load(&dy[i..])),
        );
    }
    let rest = z.len() - n4;
    if rest > 0 {
        let mut b = [[0.0f32; 4]; 4];
        b[0][..rest].copy_from_slice(&z[n4..]);
        b[1][..rest].copy_from_slice(&y[n4..]);
        b[2][..rest].copy_from_slice(&dy[n4..]);
        let out = f(load(&b[0]), load(&b[1]), load(&b[2]));
        store(&mut b[3], out);
        dz[n4..].copy_from_slice(&b[3][..rest]);
    }
}

/// `eˣ` per lane (Cephes `expf`: `x = n·ln2 + r`, degree-6 polynomial in `r`, scale by
/// `2ⁿ` through the exponent bits). Inputs are clamped to `[-87.3, 88.3]` so `2ⁿ` stays a
/// normal float; relative error ≲ 2 ulp inside that range.
#[inline(always)]
pub(crate) fn exp(x: v128) -> v128 {
    let x = f32x4_min(f32x4_max(x, f32x4_splat(-87.3)), f32x4_splat(88.3));
    let n = f32x4_nearest(f32x4_mul(x, f32x4_splat(std::f32::consts::LOG2_E)));
    // ln 2 split in two so `n·C1` is exact.
    let r = f32x4_sub(x, f32x4_mul(n, f32x4_splat(0.693_359_4)));
    let r = f32x4_sub(r, f32x4_mul(n, f32x4_splat(-2.121_944_4e-4)));
    let mut p = f32x4_splat(1.987_569_1e-4);
    for c in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        0.166_666_65,
        0.5,
    ] {
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(c));
    }
    let r2 = f32x4_mul(r, r);
    let e = f32x4_add(f32x4_add(f32x4_mul(p, r2), r), f32x4_splat(1.0));
    let bits = i32x4_shl(i32x4_add(i32x4_trunc_sat_f32x4(n), i32x4_splat(127)), 23);
    f32x4_mul(e, bits)
}

/// `1 / (1 + e^−x)` per lane. For `x < −87` the result bottoms out near `1e-38` instead of
/// reaching the true (smaller) value: an absolute error below `2e-38`.
#[inline(always)]
pub(crate) fn sigmoid(x: v128) -> v128 {
    let one = f32x4_splat(1.0);
    f32x4_div(one, f32x4_add(one, exp(f32x4_neg(x))))
}

/// `tanh x` per lane (Cephes `tanhf`): an odd polynomial for `|x| < 0.625`, where
/// `1 − 2/(e^{2|x|} + 1)` would cancel, and that formula with the sign restored above.
#[inline(always)]
pub(crate) fn tanh(x: v128) -> v128 {
    let ax = f32x4_abs(x);
    let z = f32x4_mul(x, x);
    let mut p = f32x4_splat(-5.704_988_7e-3);
    for c in [2.063_909e-2, -5.373_971_6e-2, 0.133_314_42, -0.333_332_8] {
        p = f32x4_add(f32x4_mul(p, z), f32x4_splat(c));
    }
    let small = f32x4_add(f32x4_mul(f32x4_mul(p, z), x), x);
    let one = f32x4_splat(1.0);
    let e = exp(f32x4_add(ax, ax));
    let big = f32x4_sub(one, f32x4_div(f32x4_splat(2.0), f32x4_add(e, one)));
    // Copy x's sign bit onto the magnitude.
    let sign = v128_and(x, f32x4_splat(-0.0));
    let big = v128_or(big, sign);
    v128_bitselect(small, big, f32x4_lt(ax, f32x4_splat(0.625)))
}
