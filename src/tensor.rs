//! `Matrix`: the row-major `f32` matrix every layer, kernel and dataset works on.

use crate::{Error, Result};

/// A dense row-major matrix: element `(r, c)` lives at `data[r * cols + c]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Wraps `data` (row-major) as a `rows × cols` matrix.
    ///
    /// `rows` and `cols` may come straight from a caller (a JS `shape`), so their product is
    /// checked: a product past `usize` is refused like any other mismatch, never wrapped.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self> {
        match rows.checked_mul(cols) {
            Some(n) if n == data.len() => Ok(Self { rows, cols, data }),
            Some(n) => Err(Error::Shape(format!(
                "{} values cannot fill a {rows}×{cols} matrix (needs {n})",
                data.len()
            ))),
            None => Err(Error::Shape(format!(
                "{} values cannot fill a {rows}×{cols} matrix (more elements than this machine can address)",
                data.len()
            ))),
        }
    }

    /// Builds a matrix from equal-length rows.
    pub fn from_rows(rows: &[Vec<f32>]) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != cols {
                return Err(Error::Shape(format!(
                    "row {i} has {} values but row 0 has {cols}",
                    r.len()
                )));
            }
            data.extend_from_slice(r);
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }

    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    pub fn get(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f32) {
        self.data[r * self.cols + c] = v;
    }

    /// Reshapes to `rows × cols`, reusing the allocation when it is large enough.
    /// Contents are unspecified afterwards (callers overwrite them).
    pub fn resize(&mut self, rows: usize, cols: usize) {
        self.rows = rows;
        self.cols = cols;
        self.data.resize(rows * cols, 0.0);
    }

    /// Copies the given rows of `src` (by index) into `self`, resizing it.
    pub fn gather_rows(&mut self, src: &Matrix, indices: &[usize]) {
        self.resize(indices.len(), src.cols);
        // Narrow rows (the playground's 1–8 features and targets) are copied as fixed-size
        // arrays: a run-time-length copy becomes a `memcpy` call per row, which costs more
        // than the row.
        match src.cols {
            1 => gather_fixed::<1>(&mut self.data, &src.data, indices),
            2 => gather_fixed::<2>(&mut self.data, &src.data, indices),
            3 => gather_fixed::<3>(&mut self.data, &src.data, indices),
            4 => gather_fixed::<4>(&mut self.data, &src.data, indices),
            cols => {
                for (dst, &i) in indices.iter().enumerate() {
                    self.data[dst * cols..(dst + 1) * cols].copy_from_slice(src.row(i));
                }
            }
        }
    }

    /// True when every element is finite.
    pub fn all_finite(&self) -> bool {
        all_finite(&self.data)
    }

    /// Fills every element with `v`.
    pub fn fill(&mut self, v: f32) {
        self.data.iter_mut().for_each(|x| *x = v);
    }
}

/// True when no value is NaN or infinite: `x·0` is `0` for finite `x` and NaN otherwise, and
/// eight independent sums of those let the loop vectorise (an early-exit `all` does not).
pub(crate) fn all_finite(values: &[f32]) -> bool {
    let mut acc = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks.remainder().iter().all(|v| v.is_finite());
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v * 0.0;
        }
    }
    tail && acc.iter().all(|a| *a == 0.0)
}

/// `dst` row `r` ← `src` row `indices[r]`, rows of `N` floats.
fn gather_fixed<const N: usize>(dst: &mut [f32], src: &[f32], indices: &[usize]) {
    for (d, &i) in dst.chunks_exact_mut(N).zip(indices) {
        let s: &[f32; N] = src[i * N..(i + 1) * N].try_into().expect("N floats");
        let d: &mut [f32; N] = d.try_into().expect("N floats");
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finite data passes; one NaN or infinity anywhere (vector body or tail) fails.
    #[test]
    fn all_finite_finds_every_non_finite_value() {
        for len in [0, 1, 7, 8, 9, 17] {
            let ok: Vec<f32> = (0..len).map(|i| i as f32 - 3.5).collect();
            assert!(all_finite(&ok), "len {len}");
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                for i in 0..len {
                    let mut v = ok.clone();
                    v[i] = bad;
                    assert!(!all_finite(&v), "len {len}, {bad} at {i}");
                }
            }
        }
        assert!(all_finite(&[f32::MAX, -f32::MAX, f32::MIN_POSITIVE, -0.0]));
    }

    /// Every row width (the fixed-size copies for 1–4 columns and the general one) gathers
    /// the same rows as indexing by hand, repeats and reordering included.
    #[test]
    fn gather_rows_copies_the_indexed_rows() {
        let idx = [4, 0, 4, 2, 1];
        for cols in 1..=6 {
            let src_data: Vec<f32> = (0..5 * cols).map(|v| v as f32 * 0.5 - 3.0).collect();
            let src = Matrix::from_vec(5, cols, src_data.clone()).unwrap();
            let mut dst = Matrix::zeros(1, 1);
            dst.gather_rows(&src, &idx);
            let want: Vec<f32> = idx
                .iter()
                .flat_map(|&i| src_data[i * cols..(i + 1) * cols].to_vec())
                .collect();
            assert_eq!(dst.shape(), (idx.len(), cols));
            assert_eq!(dst.as_slice(), &want[..], "{cols} columns");
        }
    }
}
