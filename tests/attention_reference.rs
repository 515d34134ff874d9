//! Self-attention against a naive per-element reference on odd shapes, and the causal mask
//! checked on gradients: no gradient reaches a position from the outputs before it. Natively
//! and on wasm32 (the SIMD128 kernels, in Node).

mod common;

use common::random_matrix;
use nn_playground::nn::sequence::MultiHeadSelfAttention;
use nn_playground::{Matrix, Rng};

/// `Y` of multi-head self-attention computed one element at a time, in f64.
fn naive_attention(att: &MultiHeadSelfAttention, x: &Matrix, len: usize) -> (Vec<f64>, Vec<f64>) {
    let (rows, d) = x.shape();
    let (h, dh) = (att.heads, d / att.heads);
    let batch = rows / len;
    let proj = |r: usize, c: usize| -> f64 {
        let mut s = att.b_qkv[c] as f64;
        for i in 0..d {
            s += x.get(r, i) as f64 * att.w_qkv.get(i, c) as f64;
        }
        s
    };
    let mut o = vec![0.0f64; rows * d];
    let mut weights = vec![0.0f64; batch * h * len * len];
    for b in 0..batch {
        for head in 0..h {
            for qi in 0..len {
                let mut scores = vec![f64::NEG_INFINITY; len];
                for (kj, score) in scores.iter_mut().enumerate() {
                    if att.causal && kj > qi {
                        continue;
                    }
                    let mut s = 0.0;
                    for c in 0..dh {
                        s += proj(b * len + qi, head * dh + c)
                            * proj(b * len + kj, d + head * dh + c);
                    }
                    *score = s / (dh as f64).sqrt();
                }
                let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
                for kj in 0..len {
                    let a = (scores[kj] - max).exp() / sum;
                    weights[((b * h + head) * len + qi) * len + kj] = a;
                    for c in 0..dh {
                        o[(b * len + qi) * d + head * dh + c] +=
                            a * proj(b * len + kj, 2 * d + head * dh + c);
                    }
                }
            }
        }
    }
    let mut y = vec![0.0f64; rows * d];
    for r in 0..rows {
        for c in 0..d {
            let mut s = att.b_o[c] as f64;
            for i in 0..d {
                s += o[r * d + i] * att.w_o.get(i, c) as f64;
            }
            y[r * d + c] = s;
        }
    }
    (y, weights)
}

fn layer(dim: usize, heads: usize, causal: bool, seed: u64) -> MultiHeadSelfAttention {
    let mut rng = Rng::new(seed);
    let mut att = MultiHeadSelfAttention::new(dim, heads, causal, 0.0, &mut rng);
    // Non-zero biases, so that a dropped bias term shows.
    att.b_qkv
        .iter_mut()
        .for_each(|b| *b = rng.uniform(-0.5, 0.5));
    att.b_o.iter_mut().for_each(|b| *b = rng.uniform(-0.5, 0.5));
    att
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn forward_matches_the_naive_reference_on_odd_shapes() {
    let mut k = 0;
    for (batch, len, dim, heads) in [
        (1, 1, 1, 1),
        (3, 5, 6, 2),
        (2, 7, 9, 3),
        (1, 17, 5, 1),
        (5, 3, 12, 4),
        (2, 33, 8, 2),
    ] {
        for causal in [false, true] {
            k += 1;
            let mut att = layer(dim, heads, causal, k);
            let x = random_matrix(batch * len, dim, -2.0, 2.0, 100 + k);
            let mut y = Matrix::default();
            att.forward(&x, &mut y, len, false, &mut Rng::new(0));
            let (want, want_weights) = naive_attention(&att, &x, len);
            for (i, (&got, &w)) in y.as_slice().iter().zip(&want).enumerate() {
                assert!(
                    (got as f64 - w).abs() <= 1e-4 * (1.0 + w.abs()),
                    "B={batch} L={len} d={dim} H={heads} causal={causal}: y[{i}] = {got}, reference {w}"
                );
            }
            let (weights, b, h, l) = att.attention();
            assert_eq!((b, h, l), (batch, heads, len));
            for (&got, &w) in weights.iter().zip(&want_weights) {
                assert!(
                    (got as f64 - w).abs() <= 1e-5,
                    "attention weight {got} vs {w}"
                );
            }
        }
    }
}

/// Rows of `dX` for positions after `last` when only positions `..=last` have an output
/// gradient.
fn late_input_gradient(causal: bool, last: usize) -> f32 {
    let (batch, len, dim) = (2, 6, 6);
    let mut att = layer(dim, 2, causal, 77);
    let x = random_matrix(batch * len, dim, -1.0, 1.0, 78);
    let mut y = Matrix::default();
    att.forward(&x, &mut y, len, true, &mut Rng::new(1));
    let mut dy = random_matrix(batch * len, dim, -1.0, 1.0, 79);
    for r in 0..batch * len {
        if r % len > last {
            dy.row_mut(r).fill(0.0);
        }
    }
    let mut dx = Matrix::default();
    att.backward(&x, &dy, Some(&mut dx));
    (0..batch * len)
        .filter(|r| r % len > last)
        .flat_map(|r| dx.row(r).to_vec())
        .map(f32::abs)
        .fold(0.0, f32::max)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_causal_mask_lets_no_gradient_flow_from_later_positions() {
    for last in 0..5 {
        assert_eq!(
            late_input_gradient(true, last),
            0.0,
            "causal, outputs up to {last}"
        );
        // Without the mask later inputs do shape earlier outputs: the check can fail.
        assert!(
            late_input_gradient(false, last) > 1e-4,
            "plain, outputs up to {last}"
        );
    }
}
