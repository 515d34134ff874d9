//! Dense linear algebra the analytics need: the eigen-decomposition of a small symmetric
//! matrix (cyclic Jacobi, in f64), deterministic down to the sign of every eigenvector.

use crate::{Error, Result};

/// Largest side accepted by [`symmetric_eigen`]: a Jacobi sweep costs `O(d³)`, and 256 is
/// the widest table the playground reads.
pub const MAX_EIGEN_DIM: usize = 256;

/// Sweeps after which [`symmetric_eigen`] stops even if the off-diagonal mass is not yet
/// negligible (Jacobi converges quadratically; 6–10 sweeps are typical).
const MAX_SWEEPS: usize = 64;

/// Eigenvalues and unit eigenvectors of a symmetric matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricEigen {
    /// Eigenvalues in descending order (equal values keep their diagonal order).
    pub values: Vec<f64>,
    /// `d × d`, row-major: row `i` is the unit eigenvector of `values[i]`, signed so that its
    /// component of largest magnitude (the first such on ties) is positive.
    pub vectors: Vec<f64>,
}

/// Eigen-decomposition `A = Vᵀ·diag(λ)·V` of the symmetric `d × d` matrix `a` (row-major).
///
/// Only the upper triangle (`a[p·d + q]`, `p ≤ q`) is read; the lower one is taken to mirror
/// it. Cyclic Jacobi: each rotation in the `(p, q)` plane zeroes `a_pq`, sweeps run over all
/// `p < q` until `Σ_{p<q} a_pq² ≤ 10⁻³⁰·‖A‖_F²` (or 64 sweeps). The rows of `vectors` are
/// orthonormal to rounding; results are bit-for-bit reproducible (fixed order of operations,
/// fixed sign convention, stable ordering of equal eigenvalues).
///
/// Errors: [`Error::Shape`] when `a.len() != d²`, [`Error::InvalidData`] for a non-finite
/// entry, [`Error::Limit`] when `d > MAX_EIGEN_DIM`. `d = 0` gives empty results.
pub fn symmetric_eigen(a: &[f64], d: usize) -> Result<SymmetricEigen> {
    if a.len() != d * d {
        return Err(Error::Shape(format!(
            "{} values are not a {d}×{d} matrix",
            a.len()
        )));
    }
    if d > MAX_EIGEN_DIM {
        return Err(Error::Limit(format!(
            "an eigen-decomposition of {d} dimensions (at most {MAX_EIGEN_DIM})"
        )));
    }
    if a.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidData(
            "the matrix has a NaN or infinite entry".into(),
        ));
    }
    let mut m = vec![0.0f64; d * d];
    for p in 0..d {
        for q in p..d {
            m[p * d + q] = a[p * d + q];
            m[q * d + p] = a[p * d + q];
        }
    }
    // v is stored column-major in effect: column j of `v` (v[k·d + j]) is eigenvector j.
    let mut v = vec![0.0f64; d * d];
    (0..d).for_each(|i| v[i * d + i] = 1.0);
    let frob: f64 = m.iter().map(|x| x * x).sum();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..d)
            .flat_map(|p| (p + 1..d).map(move |q| (p, q)))
            .map(|(p, q)| m[p * d + q] * m[p * d + q])
            .sum();
        if off <= 1e-30 * frob {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                rotate(&mut m, &mut v, d, p, q);
            }
        }
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&i, &j| m[j * d + j].total_cmp(&m[i * d + i]));
    let values = order.iter().map(|&i| m[i * d + i]).collect();
    let mut vectors = Vec::with_capacity(d * d);
    for &j in &order {
        let col: Vec<f64> = (0..d).map(|k| v[k * d + j]).collect();
        let mut lead = 0;
        for (k, x) in col.iter().enumerate() {
            if x.abs() > col[lead].abs() {
                lead = k;
            }
        }
        let sign = if col[lead] < 0.0 { -1.0 } else { 1.0 };
        vectors.extend(col.iter().map(|x| sign * x));
    }
    Ok(SymmetricEigen { values, vectors })
}

/// One Jacobi rotation `A ← JᵀAJ`, `V ← VJ` that zeroes `a_pq` (Numerical Recipes' form:
/// `θ = (a_qq − a_pp)/(2a_pq)`, `t = sgn θ/(|θ| + √(θ²+1))`, `c = 1/√(t²+1)`, `s = t·c`).
fn rotate(m: &mut [f64], v: &mut [f64], d: usize, p: usize, q: usize) {
    let apq = m[p * d + q];
    if apq == 0.0 {
        return;
    }
    let theta = (m[q * d + q] - m[p * d + p]) / (2.0 * apq);
    let t = if theta.abs() > 1e150 {
        0.5 / theta
    } else {
        theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
    };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..d {
        let (kp, kq) = (m[k * d + p], m[k * d + q]);
        m[k * d + p] = c * kp - s * kq;
        m[k * d + q] = s * kp + c * kq;
    }
    for k in 0..d {
        let (pk, qk) = (m[p * d + k], m[q * d + k]);
        m[p * d + k] = c * pk - s * qk;
        m[q * d + k] = s * pk + c * qk;
    }
    m[p * d + q] = 0.0;
    m[q * d + p] = 0.0;
    for k in 0..d {
        let (kp, kq) = (v[k * d + p], v[k * d + q]);
        v[k * d + p] = c * kp - s * kq;
        v[k * d + q] = s * kp + c * kq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// [[2, 1], [1, 2]]: eigenvalues 3 and 1, axes (1, 1)/√2 and (1, −1)/√2 (first
    /// component positive: the two magnitudes tie and the first wins).
    #[test]
    fn two_by_two_by_hand() {
        let e = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        assert!(close(e.values[0], 3.0, 1e-12) && close(e.values[1], 1.0, 1e-12));
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let want = [h, h, h, -h];
        for (got, want) in e.vectors.iter().zip(want) {
            assert!(close(*got, want, 1e-12), "{:?}", e.vectors);
        }
    }

    /// A diagonal matrix is already decomposed: its entries sorted, unit axes; ties keep
    /// their order and zero is fine.
    #[test]
    fn diagonal_and_zero_matrices() {
        let e = symmetric_eigen(&[1.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 1.0], 3).unwrap();
        assert_eq!(e.values, [5.0, 1.0, 1.0]);
        assert_eq!(e.vectors, [0., 1., 0., 1., 0., 0., 0., 0., 1.]);
        let z = symmetric_eigen(&[0.0; 4], 2).unwrap();
        assert_eq!(
            (z.values, z.vectors),
            (vec![0.0, 0.0], vec![1., 0., 0., 1.])
        );
        let empty = symmetric_eigen(&[], 0).unwrap();
        assert!(empty.values.is_empty() && empty.vectors.is_empty());
    }

    /// A random symmetric 12×12 matrix: `A·v = λ·v` for every pair, orthonormal rows,
    /// descending values, the sign convention, and the same bits on a second run.
    #[test]
    fn random_symmetric_matrix_is_reconstructed() {
        let d = 12;
        let mut rng = Rng::new(5);
        let mut a = vec![0.0f64; d * d];
        for p in 0..d {
            for q in p..d {
                let x = f64::from(rng.uniform(-1.0, 1.0));
                a[p * d + q] = x;
                a[q * d + p] = x;
            }
        }
        let e = symmetric_eigen(&a, d).unwrap();
        assert_eq!(e, symmetric_eigen(&a, d).unwrap());
        for i in 0..d {
            let vi = &e.vectors[i * d..(i + 1) * d];
            for r in 0..d {
                let av: f64 = (0..d).map(|c| a[r * d + c] * vi[c]).sum();
                assert!(close(av, e.values[i] * vi[r], 1e-10), "pair {i}, row {r}");
            }
            for j in 0..d {
                let vj = &e.vectors[j * d..(j + 1) * d];
                let dot: f64 = vi.iter().zip(vj).map(|(x, y)| x * y).sum();
                assert!(close(dot, f64::from(u8::from(i == j)), 1e-12));
            }
            let lead = vi.iter().copied().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(
                vi.contains(&lead),
                "largest component of axis {i} is positive"
            );
            if i > 0 {
                assert!(e.values[i - 1] >= e.values[i]);
            }
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            symmetric_eigen(&[1.0; 3], 2),
            Err(Error::Shape(_))
        ));
        assert!(matches!(
            symmetric_eigen(&[1.0, f64::NAN, f64::NAN, 1.0], 2),
            Err(Error::InvalidData(_))
        ));
        let d = MAX_EIGEN_DIM + 1;
        assert!(matches!(
            symmetric_eigen(&vec![0.0; d * d], d),
            Err(Error::Limit(_))
        ));
    }
}
