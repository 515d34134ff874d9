//! Principal component analysis of a (standardised) input matrix: the axes the page's
//! decision map can use when a table has more than two features.
//!
//! ```
//! use nn_playground::data::pca::Pca;
//! use nn_playground::Matrix;
//!
//! // Points on the line y = x, plus a little spread across it.
//! let x = Matrix::from_rows(&[vec![-2., -2.], vec![-1., -1.1], vec![1., 1.1], vec![2., 2.]])?;
//! let pca = Pca::fit(&x, 2)?;
//! assert!(pca.explained_variance_ratio()[0] > 0.99);
//! let coords = pca.project(&x)?; // 4 × 2
//! let back = pca.unproject(x.row(1), coords.row(1))?; // every axis given: the row itself
//! assert!((back[1] - -1.1).abs() < 1e-5);
//! # Ok::<(), nn_playground::Error>(())
//! ```

use serde::Serialize;

use crate::linalg::{symmetric_eigen, MAX_EIGEN_DIM};
use crate::{Error, Matrix, Result};

/// The mean and the top `k` principal axes of a data matrix.
///
/// With `μ` the column means, `C = (1/n)·Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ` the population covariance
/// (as [`Standardizer`](super::split::Standardizer) uses), `C = Σⱼ λⱼ aⱼaⱼᵀ` with
/// `λ₁ ≥ λ₂ ≥ … ≥ 0`: axis `aⱼ` is a unit vector, the axes are orthonormal, and each is
/// signed so that its component of largest magnitude (the first such on ties) is positive.
/// Equal eigenvalues (e.g. several constant columns) keep the columns' order, so a fit is
/// deterministic down to the bit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pca {
    mean: Vec<f32>,
    /// `k` rows of `d` values: `components[j]` is axis `aⱼ₊₁`.
    components: Vec<Vec<f32>>,
    /// `λ₁ … λ_k` (the variance of the data along each axis; tiny negative rounding is 0).
    variance: Vec<f32>,
    /// `trace C = Σ_{all d} λⱼ`, the total variance.
    total_variance: f32,
}

impl Pca {
    /// Fits the top `k` axes of the rows of `x` (`n × d`).
    ///
    /// Cost: `O(n·d²)` for the covariance (upper triangle, in f64) plus `O(d³)` per Jacobi
    /// sweep; subsample the rows of very large tables before fitting.
    ///
    /// Errors: [`Error::InvalidData`] when `x` has no rows or columns or a non-finite value;
    /// [`Error::InvalidConfig`] when `k` is 0 or more than `d`; [`Error::Limit`] when
    /// `d > MAX_EIGEN_DIM`. Constant columns are fine: they carry zero variance, and when
    /// every column is constant all variances and ratios are 0.
    pub fn fit(x: &Matrix, k: usize) -> Result<Pca> {
        let (n, d) = x.shape();
        if n == 0 || d == 0 {
            return Err(Error::InvalidData(format!(
                "PCA needs at least one row and one column (got {n}×{d})"
            )));
        }
        if k == 0 || k > d {
            return Err(Error::InvalidConfig(format!(
                "{k} principal components of {d} columns (choose 1 to {d})"
            )));
        }
        if d > MAX_EIGEN_DIM {
            return Err(Error::Limit(format!(
                "PCA of {d} columns (at most {MAX_EIGEN_DIM})"
            )));
        }
        if !x.all_finite() {
            return Err(Error::InvalidData(
                "PCA input has a NaN or infinite value".into(),
            ));
        }
        let mut mean = vec![0.0f64; d];
        for r in 0..n {
            mean.iter_mut()
                .zip(x.row(r))
                .for_each(|(m, &v)| *m += f64::from(v));
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0.0f64; d * d];
        let mut centred = vec![0.0f64; d];
        for r in 0..n {
            for ((c, &v), m) in centred.iter_mut().zip(x.row(r)).zip(&mean) {
                *c = f64::from(v) - m;
            }
            for p in 0..d {
                let cp = centred[p];
                for (acc, cq) in cov[p * d + p..(p + 1) * d].iter_mut().zip(&centred[p..]) {
                    *acc += cp * cq;
                }
            }
        }
        cov.iter_mut().for_each(|c| *c /= n as f64);
        let total: f64 = (0..d).map(|p| cov[p * d + p]).sum();
        let eig = symmetric_eigen(&cov, d)?;
        Ok(Pca {
            mean: mean.iter().map(|&m| m as f32).collect(),
            components: (0..k)
                .map(|j| {
                    eig.vectors[j * d..(j + 1) * d]
                        .iter()
                        .map(|&v| v as f32)
                        .collect()
                })
                .collect(),
            variance: eig.values[..k].iter().map(|&l| l.max(0.0) as f32).collect(),
            total_variance: total.max(0.0) as f32,
        })
    }

    /// Input width `d`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Number of axes `k`.
    pub fn k(&self) -> usize {
        self.components.len()
    }

    /// Column means `μ` of the fitted data.
    pub fn mean(&self) -> &[f32] {
        &self.mean
    }

    /// Axis `j` (0-based: `axis(0)` is the first principal axis), `d` values; `None` past `k`.
    pub fn axis(&self, j: usize) -> Option<&[f32]> {
        self.components.get(j).map(Vec::as_slice)
    }

    /// `λ₁ … λ_k`: the variance along each axis.
    pub fn explained_variance(&self) -> &[f32] {
        &self.variance
    }

    /// `λⱼ / trace C` for each of the `k` axes; all 0 when the total variance is 0.
    pub fn explained_variance_ratio(&self) -> Vec<f32> {
        self.variance
            .iter()
            .map(|&l| {
                if self.total_variance > 0.0 {
                    l / self.total_variance
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Coordinates of each row on the axes: `(n × d) → (n × k)`, row `i` is
    /// `(aⱼ · (xᵢ − μ))ⱼ`. [`Error::Shape`] when `x` is not `d` columns wide.
    pub fn project(&self, x: &Matrix) -> Result<Matrix> {
        self.check_width(x.cols(), "data")?;
        let k = self.k();
        let mut out = Matrix::zeros(x.rows(), k);
        for r in 0..x.rows() {
            let row = x.row(r);
            for (j, o) in out.row_mut(r).iter_mut().enumerate() {
                *o = self.coordinate(j, row);
            }
        }
        Ok(out)
    }

    /// The input-space point at map coordinates `coords` (one per axis, `coords.len() ≤ k`)
    /// whose other directions are taken from the base row `b` (e.g. the held values):
    ///
    /// `x = b + Σⱼ (coordsⱼ − aⱼ·(b − μ))·aⱼ`
    ///
    /// i.e. `b` with its own coordinates on the given axes replaced by `coords`. So
    /// [`project`](Self::project) of `x` gives back `coords` on those axes (to rounding), and
    /// `x − b` lies in their span: the component of `b` orthogonal to them is kept as is.
    /// Errors: [`Error::Shape`] when `b` is not `d` long or `coords` is longer than `k`.
    pub fn unproject(&self, b: &[f32], coords: &[f32]) -> Result<Vec<f32>> {
        let origin = self.slice_origin(b, coords.len())?;
        let mut x = vec![0.0; self.dim()];
        self.point_at(&origin, coords, &mut x);
        Ok(x)
    }

    /// `b − Σ_{j<m} (aⱼ·(b − μ))·aⱼ`: the base row with its coordinates on the first `m`
    /// axes set to 0. Adding `Σⱼ uⱼaⱼ` to it ([`point_at`](Self::point_at)) gives
    /// [`unproject`](Self::unproject)'s point.
    pub(crate) fn slice_origin(&self, b: &[f32], m: usize) -> Result<Vec<f32>> {
        self.check_width(b.len(), "base row")?;
        if m > self.k() {
            return Err(Error::Shape(format!(
                "{m} map coordinates for {} principal axes",
                self.k()
            )));
        }
        let mut origin: Vec<f64> = b.iter().map(|&v| f64::from(v)).collect();
        for j in 0..m {
            let c = f64::from(self.coordinate(j, b));
            for (o, &a) in origin.iter_mut().zip(&self.components[j]) {
                *o -= c * f64::from(a);
            }
        }
        Ok(origin.into_iter().map(|v| v as f32).collect())
    }

    /// `out = origin + Σⱼ coordsⱼ·aⱼ` (in f32, axes in order).
    pub(crate) fn point_at(&self, origin: &[f32], coords: &[f32], out: &mut [f32]) {
        out.copy_from_slice(origin);
        for (axis, &u) in self.components.iter().zip(coords) {
            for (o, &a) in out.iter_mut().zip(axis) {
                *o += u * a;
            }
        }
    }

    /// `aⱼ · (row − μ)`, accumulated in f64.
    fn coordinate(&self, j: usize, row: &[f32]) -> f32 {
        self.components[j]
            .iter()
            .zip(row)
            .zip(&self.mean)
            .map(|((&a, &v), &m)| f64::from(a) * (f64::from(v) - f64::from(m)))
            .sum::<f64>() as f32
    }

    fn check_width(&self, got: usize, what: &str) -> Result<()> {
        if got == self.dim() {
            Ok(())
        } else {
            Err(Error::Shape(format!(
                "the PCA was fitted on {} columns but the {what} has {got}",
                self.dim()
            )))
        }
    }
}
