//! SIMD128 activation kernels (wasm32): relu, leaky relu, tanh, sigmoid and linear, with a
//! vector `exp` and a rational `tanh`, both accurate to a few ulp, and the fused
//! bias-add + activation of a dense layer. Shape legend: flat slices of equal length,
//! processed four lanes at a time; the tail goes through the same vector code on a padded
//! copy so every element sees identical maths.

use crate::activation::{Activation, LEAKY_SLOPE};
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
        Activation::Tanh => {
            let t = Tanh::new();
            map1(z, y, |x| t.eval(x))
        }
        Activation::Sigmoid => map1(z, y, sigmoid),
        _ => return false,
    }
    true
}

/// `z += bias` per row, then `y = act(z)`, in one pass, if `act` has a SIMD version here and
/// the row length (`bias.len()`) is a multiple of four or one; `false` leaves both undone.
pub(super) fn forward_biased(act: Activation, z: &mut [f32], bias: &[f32], y: &mut [f32]) -> bool {
    let n = bias.len();
    if n == 0 || !(n == 1 || n.is_multiple_of(4)) || !z.len().is_multiple_of(n) {
        return false;
    }
    match act {
        Activation::Linear => map_biased(z, bias, y, |x| x),
        Activation::Relu => map_biased(z, bias, y, |x| v128_and(x, f32x4_gt(x, zero()))),
        Activation::LeakyRelu => map_biased(z, bias, y, |x| {
            let neg = f32x4_mul(x, f32x4_splat(LEAKY_SLOPE));
            v128_bitselect(x, neg, f32x4_gt(x, zero()))
        }),
        Activation::Tanh => {
            let t = Tanh::new();
            map_biased(z, bias, y, |x| t.eval(x))
        }
        Activation::Sigmoid => map_biased(z, bias, y, sigmoid),
        _ => return false,
    }
    true
}

/// `z ← z + bias` (per row of `bias.len()` values, a multiple of four or one) and
/// `y = f(z)`, four lanes at a time.
#[inline(always)]
fn map_biased(z: &mut [f32], bias: &[f32], y: &mut [f32], f: impl Fn(v128) -> v128) {
    if bias.len() == 1 {
        // One column: every element takes the same bias, so rows do not matter.
        let b = f32x4_splat(bias[0]);
        let mut zc = z.chunks_exact_mut(4);
        let mut yc = y.chunks_exact_mut(4);
        for (zi, yi) in (&mut zc).zip(&mut yc) {
            let v = f32x4_add(load(zi), b);
            store(zi, v);
            store(yi, f(v));
        }
        let zr = zc.into_remainder();
        if !zr.is_empty() {
            let mut buf = [0.0f32; 4];
            buf[..zr.len()].copy_from_slice(zr);
            let v = f32x4_add(load(&buf), b);
            store(&mut buf, v);
            zr.copy_from_slice(&buf[..zr.len()]);
            store(&mut buf, f(v));
            yc.into_remainder().copy_from_slice(&buf[..zr.len()]);
        }
        return;
    }
    // Index loops rather than nested zips of chunk iterators, whose setup V8 was left
    // calling once per row.
    let (n, len) = (bias.len(), z.len());
    assert!(n % 4 == 0 && len % n == 0 && y.len() == len);
    let (zp, yp, bp) = (z.as_mut_ptr(), y.as_mut_ptr(), bias.as_ptr());
    let mut row = 0;
    while row < len {
        let mut j = 0;
        while j < n {
            // SAFETY: `row + j + 4 ≤ len` and `j + 4 ≤ n` by the assert above; wasm loads
            // need no alignment.
            unsafe {
                let v = f32x4_add(
                    v128_load(zp.add(row + j) as *const v128),
                    v128_load(bp.add(j) as *const v128),
                );
                v128_store(zp.add(row + j) as *mut v128, v);
                v128_store(yp.add(row + j) as *mut v128, f(v));
            }
            j += 4;
        }
        row += n;
    }
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

/// `tanh x` per lane as one rational function `x·P(x²) / Q(x²)` (degrees 13/6, the minimax
/// fit Eigen uses for `float`), clamped to `|x| ≤ 7.9053`, where it reaches ±1 exactly in
/// f32. Against f64 `tanh` its relative error stays below 4e-7 (about 3 ulp) for
/// `|x| ≥ 1e-30` (checked on a dense sweep); below that the absolute error is under 1e-37.
/// One division and eleven multiply-adds: about a third of the cost of the `exp` form.
/// The clamp uses `pmin`/`pmax` (one instruction each on x86, unlike `min`/`max`); NaN still
/// comes out NaN because both return their first operand when a comparison is false.
#[derive(Clone, Copy)]
pub(crate) struct Tanh {
    clamp: v128,
    p: [v128; 7],
    q: [v128; 4],
}

impl Tanh {
    /// The coefficients, built once per slice: V8 rematerialises every `v128.const` where
    /// it is used (three instructions each), so inside the loop the thirteen constants
    /// would cost more than the arithmetic. `black_box` keeps LLVM from folding them back
    /// into constants; the loop then reads them from registers or the stack.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        let v = |c: f32| f32x4_splat(core::hint::black_box(c));
        Self {
            clamp: v(7.905_311),
            p: [
                v(-2.760_768_5e-16),
                v(2.000_188e-13),
                v(-8.604_672e-11),
                v(5.122_297e-8),
                v(1.485_722_4e-5),
                v(6.372_619_3e-4),
                v(4.893_524_6e-3),
            ],
            q: [
                v(1.198_258_4e-6),
                v(1.185_347_1e-4),
                v(2.268_434_6e-3),
                v(4.893_525e-3),
            ],
        }
    }

    #[inline(always)]
    pub(crate) fn eval(&self, x: v128) -> v128 {
        let xc = f32x4_pmin(f32x4_pmax(x, f32x4_neg(self.clamp)), self.clamp);
        let x2 = f32x4_mul(xc, xc);
        let mut p = self.p[0];
        for &c in &self.p[1..] {
            p = f32x4_add(f32x4_mul(p, x2), c);
        }
        let p = f32x4_mul(p, xc);
        let mut q = self.q[0];
        for &c in &self.q[1..] {
            q = f32x4_add(f32x4_mul(q, x2), c);
        }
        f32x4_div(p, q)
    }
}
