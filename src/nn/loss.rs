//! Losses and their gradients over a batch: MSE, MAE, Huber, and the cross-entropies on logits.
//!
//! Shapes: predictions or logits `P: m×n`, targets `T: m×n` (or `m×1` class indices for
//! categorical cross-entropy). Every loss is a mean over the batch.

use crate::spec::LossKind;
use crate::Matrix;

/// Computes the batch loss and writes `G = ∂loss/∂P` into `grad` (resized to `m×n`).
///
/// For the cross-entropies `P` are logits and `G` is the gradient w.r.t. the logits:
/// BCE `σ(z) − t`, softmax CE `softmax(z) − onehot(t)`, each divided by the batch size
/// (BCE also by `n`). The logits form is what keeps them stable: BCE uses
/// `max(z,0) − z·t + ln(1 + e^{−|z|})`, CE uses log-sum-exp with the row max subtracted.
pub fn loss_and_grad(
    kind: LossKind,
    huber_delta: f32,
    p: &Matrix,
    t: &Matrix,
    grad: &mut Matrix,
) -> f32 {
    let (m, n) = p.shape();
    grad.resize(m, n);
    if m == 0 || n == 0 {
        return 0.0;
    }
    let g = grad.as_mut_slice();
    let (ps, ts) = (p.as_slice(), t.as_slice());
    let count = (m * n) as f32;
    match kind {
        LossKind::Mse => {
            let mut s = 0.0;
            for ((gi, &pi), &ti) in g.iter_mut().zip(ps).zip(ts) {
                let d = pi - ti;
                s += d * d;
                *gi = 2.0 * d / count;
            }
            s / count
        }
        LossKind::Mae => {
            let mut s = 0.0;
            for ((gi, &pi), &ti) in g.iter_mut().zip(ps).zip(ts) {
                let d = pi - ti;
                s += d.abs();
                *gi = if d > 0.0 {
                    1.0
                } else if d < 0.0 {
                    -1.0
                } else {
                    0.0
                } / count;
            }
            s / count
        }
        LossKind::Huber => {
            let delta = huber_delta;
            let mut s = 0.0;
            for ((gi, &pi), &ti) in g.iter_mut().zip(ps).zip(ts) {
                let d = pi - ti;
                if d.abs() <= delta {
                    s += 0.5 * d * d;
                    *gi = d / count;
                } else {
                    s += delta * (d.abs() - 0.5 * delta);
                    *gi = delta * d.signum() / count;
                }
            }
            s / count
        }
        LossKind::BinaryCrossentropy => {
            let mut s = 0.0;
            for ((gi, &z), &ti) in g.iter_mut().zip(ps).zip(ts) {
                s += z.max(0.0) - z * ti + (-z.abs()).exp().ln_1p();
                *gi = (sigmoid(z) - ti) / count;
            }
            s / count
        }
        LossKind::CategoricalCrossentropy => {
            let sparse = t.cols() == 1 && n > 1;
            let mut s = 0.0;
            for i in 0..m {
                let z = p.row(i);
                let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let sum_exp: f32 = z.iter().map(|&v| (v - max).exp()).sum();
                let lse = max + sum_exp.ln();
                let gr = &mut g[i * n..(i + 1) * n];
                for (j, gj) in gr.iter_mut().enumerate() {
                    let target = if sparse {
                        if t.get(i, 0) as usize == j {
                            1.0
                        } else {
                            0.0
                        }
                    } else {
                        t.get(i, j)
                    };
                    *gj = ((z[j] - lse).exp() - target) / m as f32;
                    s -= target * (z[j] - lse);
                }
            }
            s / m as f32
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
