//! Token-level softmax cross-entropy with a padding mask, for models that predict a token at
//! every position.
//!
//! Shapes: logits `Z: (B·L)×V`, targets `T: B×L` (token ids, row-major, so position `r` of
//! the flattened batch is logit row `r`), gradient `G: (B·L)×V`.

use crate::Matrix;

/// Mean over the counted positions of `−log softmax(Z[r])[T[r]]`, where a position counts
/// unless its target is `padding`; writes `G[r] = (softmax(Z[r]) − onehot(T[r]))/count` for
/// counted rows and 0 for padded ones. With no counted position the loss is 0.
pub fn token_cross_entropy(
    logits: &Matrix,
    targets: &[f32],
    padding: Option<usize>,
    grad: &mut Matrix,
) -> f32 {
    let (rows, v) = logits.shape();
    grad.resize(rows, v);
    let counted = targets
        .iter()
        .filter(|&&t| Some(t as usize) != padding)
        .count();
    if counted == 0 || v == 0 {
        grad.fill(0.0);
        return 0.0;
    }
    let inv = 1.0 / counted as f32;
    let mut loss = 0.0f64;
    for (r, &t) in targets.iter().enumerate().take(rows) {
        let g = grad.row_mut(r);
        let target = t as usize;
        if Some(target) == padding {
            g.fill(0.0);
            continue;
        }
        let z = logits.row(r);
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum_exp: f32 = z.iter().map(|&x| (x - max).exp()).sum();
        let lse = max + sum_exp.ln();
        for (j, (gj, &zj)) in g.iter_mut().zip(z).enumerate() {
            let p = (zj - lse).exp();
            *gj = (p - if j == target { 1.0 } else { 0.0 }) * inv;
        }
        loss += (lse - z[target]) as f64;
    }
    (loss * inv as f64) as f32
}
