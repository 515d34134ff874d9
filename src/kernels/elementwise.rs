//! Element-wise activation kernels on whole batches: the scalar slice loops (the oracle),
//! row-wise softmax, and dispatch to the SIMD128 versions where they exist.
//!
//! Shape legend: `z`, `y`, `dy`, `dz` are the same m×n row-major batch flattened to one
//! slice; only softmax looks at the row length `cols`.

use super::parallel;
use crate::activation::Activation;

/// Work of one element for [`parallel`]'s threshold, in multiply-add equivalents. A vector
/// `tanh` is a few dozen operations a lane, but four lanes at a time and with no packing, so
/// a value weighs about four multiply-adds of the packed GEMM. At 16 the 100×100 decision
/// grid's two tanh layers (8·10⁴ values each) were split and ran at 0.76× one thread on the
/// loaded 2-core machine; at 4 they stay whole, and batches from about 1.3·10⁵ values split.
const ELEMENT_WORK: usize = 4;

/// The row length a batch of `len` values may be cut at: whole rows of `cols` (softmax needs
/// them), or single values when `cols` does not divide the batch.
fn band_row(len: usize, cols: usize) -> usize {
    if cols > 0 && len.is_multiple_of(cols) {
        cols
    } else {
        1
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;

/// `y = act(z)` through the fastest kernel compiled in; see [`Activation::forward`].
///
/// Large batches are cut into bands of whole rows over the thread pool; every value gets the
/// same maths in any band.
pub fn forward(act: Activation, z: &[f32], y: &mut [f32], cols: usize) {
    assert_eq!(z.len(), y.len(), "activation buffers differ in length");
    let row = band_row(z.len(), cols);
    parallel::row_bands(y, row, 1, z.len() * ELEMENT_WORK, |r0, yb| {
        forward_one(act, &z[r0 * row..r0 * row + yb.len()], yb, cols)
    })
}

fn forward_one(act: Activation, z: &[f32], y: &mut [f32], cols: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if simd::forward(act, z, y) {
        return;
    }
    forward_scalar(act, z, y, cols)
}

/// `z += bias` on every row (`bias.len()` columns), then `y = act(z)`: the two passes of a
/// dense layer fused into one where a SIMD kernel allows it. Same results as [`super::add_bias`]
/// followed by [`forward`].
pub fn forward_biased(act: Activation, z: &mut [f32], bias: &[f32], y: &mut [f32], cols: usize) {
    assert_eq!(z.len(), y.len(), "activation buffers differ in length");
    if bias.is_empty() || !z.len().is_multiple_of(bias.len()) {
        return forward_biased_one(act, z, bias, y, cols);
    }
    // Bands of whole bias rows, so that every band starts at column 0.
    let work = z.len() * ELEMENT_WORK;
    parallel::row_bands2(z, y, bias.len(), work, |_, zb, yb| {
        forward_biased_one(act, zb, bias, yb, cols)
    })
}

fn forward_biased_one(act: Activation, z: &mut [f32], bias: &[f32], y: &mut [f32], cols: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if bias.len() == cols && simd::forward_biased(act, z, bias, y) {
        return;
    }
    super::add_bias(z, bias);
    forward_one(act, z, y, cols)
}

/// `dz = dy ⊙ act'(z)` through the fastest kernel compiled in; see [`Activation::backward`].
pub fn backward(act: Activation, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], cols: usize) {
    check4(z, y, dy, dz);
    let row = band_row(z.len(), cols);
    parallel::row_bands(dz, row, 1, z.len() * ELEMENT_WORK, |r0, db| {
        let r = r0 * row..r0 * row + db.len();
        backward_one(act, &z[r.clone()], &y[r.clone()], &dy[r], db, cols)
    })
}

fn backward_one(act: Activation, z: &[f32], y: &[f32], dy: &[f32], dz: &mut [f32], cols: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if simd::backward(act, z, y, dy, dz) {
        return;
    }
    backward_scalar(act, z, y, dy, dz, cols)
}

/// The scalar oracle of [`forward`]: [`Activation::apply_scalar`] per value, softmax per row.
pub fn forward_scalar(act: Activation, z: &[f32], y: &mut [f32], cols: usize) {
    assert_eq!(z.len(), y.len(), "activation buffers differ in length");
    if act == Activation::Softmax {
        return softmax_rows(z, y, cols);
    }
    for (o, &x) in y.iter_mut().zip(z) {
        *o = act.apply_scalar(x);
    }
}

/// The scalar oracle of [`backward`]. Derivatives that are cheaper from the output use `y`
/// (tanh `1 − y²`, sigmoid `y(1 − y)`, elu `y + 1` for `z ≤ 0`); the rest use `z`.
pub fn backward_scalar(
    act: Activation,
    z: &[f32],
    y: &[f32],
    dy: &[f32],
    dz: &mut [f32],
    cols: usize,
) {
    check4(z, y, dy, dz);
    let from_y = |dz: &mut [f32], f: &dyn Fn(f32, f32) -> f32| {
        for (((d, &g), &x), &o) in dz.iter_mut().zip(dy).zip(z).zip(y) {
            *d = g * f(x, o);
        }
    };
    match act {
        Activation::Softmax => softmax_rows_backward(y, dy, dz, cols),
        Activation::Tanh => from_y(dz, &|_, o| 1.0 - o * o),
        Activation::Sigmoid => from_y(dz, &|_, o| o * (1.0 - o)),
        Activation::Elu => from_y(dz, &|x, o| if x > 0.0 { 1.0 } else { o + 1.0 }),
        _ => from_y(dz, &|x, _| act.derivative_scalar(x)),
    }
}

fn check4(z: &[f32], y: &[f32], dy: &[f32], dz: &[f32]) {
    let n = z.len();
    assert!(
        y.len() == n && dy.len() == n && dz.len() == n,
        "activation buffers differ in length"
    );
}

/// Row-wise `y_i = e^(z_i − max) / Σ_j e^(z_j − max)` over rows of `cols` values.
fn softmax_rows(z: &[f32], y: &mut [f32], cols: usize) {
    if cols == 0 {
        return;
    }
    assert_eq!(
        z.len() % cols,
        0,
        "softmax row length must divide the batch"
    );
    for (zr, yr) in z.chunks_exact(cols).zip(y.chunks_exact_mut(cols)) {
        let max = zr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0f32;
        for (o, &x) in yr.iter_mut().zip(zr) {
            *o = (x - max).exp();
            sum += *o;
        }
        let inv = 1.0 / sum;
        yr.iter_mut().for_each(|o| *o *= inv);
    }
}

/// Row-wise softmax Jacobian-vector product `dz_i = y_i·(dy_i − Σ_j dy_j·y_j)`.
fn softmax_rows_backward(y: &[f32], dy: &[f32], dz: &mut [f32], cols: usize) {
    if cols == 0 {
        return;
    }
    assert_eq!(
        y.len() % cols,
        0,
        "softmax row length must divide the batch"
    );
    let rows = y.chunks_exact(cols).zip(dy.chunks_exact(cols));
    for ((yr, gr), dr) in rows.zip(dz.chunks_exact_mut(cols)) {
        let dot: f32 = yr.iter().zip(gr).map(|(a, b)| a * b).sum();
        for ((d, &o), &g) in dr.iter_mut().zip(yr).zip(gr) {
            *d = o * (g - dot);
        }
    }
}
