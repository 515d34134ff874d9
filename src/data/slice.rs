//! Slice grids: the model inputs behind a 2-D decision map of a table with any number of
//! features, two axes varying over the map and every other input held at a base row.
//!
//! Layout (the same as the playground's decision grid): row 0 is the top (highest `v`),
//! column 0 the left (lowest `u`); cell `(r, c)` is sampled at its centre and is row
//! `r·res + c` of the input matrix.
//!
//! ```
//! use nn_playground::data::slice::{slice_grid, SliceAxes};
//!
//! // Three features; the map varies 0 and 2 over [-1, 1]², feature 1 is held at 0.5.
//! let x = slice_grid(&[0.0, 0.5, 0.0], SliceAxes::Columns { u: 0, v: 2 }, (-1.0, 1.0), (-1.0, 1.0), 4)?;
//! assert_eq!(x.shape(), (16, 3));
//! assert_eq!(x.row(0), &[-0.75, 0.5, 0.75]); // top-left cell
//! assert_eq!(x.row(15), &[0.75, 0.5, -0.75]); // bottom-right cell
//! # Ok::<(), nn_playground::Error>(())
//! ```

use super::pca::Pca;
use crate::{Error, Matrix, Result};

/// Largest grid side accepted (as the session's decision grid).
pub const MAX_SLICE_RESOLUTION: usize = 512;

/// Largest grid accepted in values, `res²·d` (128 MiB of `f32`).
pub const MAX_SLICE_VALUES: usize = 1 << 25;

/// What the map's horizontal (`u`) and vertical (`v`) axes are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SliceAxes<'a> {
    /// Input columns: `u` is column `u`, `v` is column `v` (two different columns); every
    /// other column keeps the base row's value.
    Columns { u: usize, v: usize },
    /// The first two principal coordinates of a fitted [`Pca`] (which needs `k ≥ 2`): the
    /// cell at `(u, v)` is [`Pca::unproject`]`(base, [u, v])`, i.e. the base row with its
    /// own coordinates on the two axes replaced by `(u, v)`.
    Pca(&'a Pca),
}

/// The `res × res` slice grid as an `res² × d` input matrix, `d = base.len()`.
///
/// `u_range = (u_lo, u_hi)` spans the columns and `v_range = (v_lo, v_hi)` the rows: with
/// `su = (u_hi − u_lo)/res` and `sv = (v_hi − v_lo)/res` (in f32), cell `(r, c)` is at
/// `u = u_lo + c·su + su/2` and `v = v_hi − r·sv − sv/2`, evaluated in that order, so that
/// `d = 2`, [`SliceAxes::Columns`]` { u: 0, v: 1 }` and both ranges `(−6, 6)` give the
/// session's decision-grid points bit for bit.
///
/// Errors: [`Error::Limit`] when `res` is outside `1..=MAX_SLICE_RESOLUTION` or the grid
/// exceeds [`MAX_SLICE_VALUES`]; [`Error::InvalidConfig`] for a range that is not finite
/// with `lo < hi`, equal or out-of-range columns, or a PCA with fewer than two axes;
/// [`Error::Shape`] when the base row's width differs from the PCA's; [`Error::InvalidData`]
/// for a non-finite base value.
pub fn slice_grid(
    base: &[f32],
    axes: SliceAxes<'_>,
    u_range: (f32, f32),
    v_range: (f32, f32),
    res: usize,
) -> Result<Matrix> {
    let d = base.len();
    if res == 0 || res > MAX_SLICE_RESOLUTION {
        return Err(Error::Limit(format!(
            "grid resolution {res} is outside 1–{MAX_SLICE_RESOLUTION}"
        )));
    }
    if res * res * d > MAX_SLICE_VALUES {
        return Err(Error::Limit(format!(
            "a {res}×{res} grid of {d} inputs ({} values, at most {MAX_SLICE_VALUES})",
            res * res * d
        )));
    }
    check_axes(axes, d)?;
    if base.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidData(
            "the held input values must be finite".into(),
        ));
    }
    let su = cell_size(u_range, res, "horizontal")?;
    let sv = cell_size(v_range, res, "vertical")?;
    let us: Vec<f32> = (0..res)
        .map(|c| u_range.0 + c as f32 * su + su / 2.0)
        .collect();
    let vs: Vec<f32> = (0..res)
        .map(|r| v_range.1 - r as f32 * sv - sv / 2.0)
        .collect();
    let mut x = Matrix::zeros(res * res, d);
    let cells = vs.iter().flat_map(|&v| us.iter().map(move |&u| (u, v)));
    match axes {
        SliceAxes::Columns { u: cu, v: cv } => {
            for (i, (u, v)) in cells.enumerate() {
                let row = x.row_mut(i);
                row.copy_from_slice(base);
                row[cu] = u;
                row[cv] = v;
            }
        }
        SliceAxes::Pca(pca) => {
            let origin = pca.slice_origin(base, 2)?;
            for (i, (u, v)) in cells.enumerate() {
                pca.point_at(&origin, &[u, v], x.row_mut(i));
            }
        }
    }
    Ok(x)
}

/// Where rows of data sit on the map: `(n × d) → (n × 2)`, row `i` is `(u, v)` (the two
/// columns, or the first two principal coordinates, [`Pca::project`]). Same errors as
/// [`slice_grid`] for the axes, and [`Error::Shape`] for a PCA of another width.
pub fn map_coords(x: &Matrix, axes: SliceAxes<'_>) -> Result<Matrix> {
    check_axes(axes, x.cols())?;
    match axes {
        SliceAxes::Columns { u, v } => {
            let data = (0..x.rows())
                .flat_map(|r| [x.get(r, u), x.get(r, v)])
                .collect();
            Matrix::from_vec(x.rows(), 2, data)
        }
        SliceAxes::Pca(pca) => {
            let p = pca.project(x)?;
            let data = (0..p.rows())
                .flat_map(|r| [p.get(r, 0), p.get(r, 1)])
                .collect();
            Matrix::from_vec(p.rows(), 2, data)
        }
    }
}

/// Per-column medians of `x` (the default held values): the middle value, or the mean of
/// the two middle values for an even count. NaNs are ignored; a column with no other
/// value (or a matrix with no rows) gives 0.
pub fn column_medians(x: &Matrix) -> Vec<f32> {
    let mut col = Vec::with_capacity(x.rows());
    (0..x.cols())
        .map(|c| {
            col.clear();
            col.extend((0..x.rows()).map(|r| x.get(r, c)).filter(|v| !v.is_nan()));
            col.sort_by(f32::total_cmp);
            match col.len() {
                0 => 0.0,
                n if n % 2 == 1 => col[n / 2],
                n => ((f64::from(col[n / 2 - 1]) + f64::from(col[n / 2])) / 2.0) as f32,
            }
        })
        .collect()
}

fn check_axes(axes: SliceAxes<'_>, d: usize) -> Result<()> {
    match axes {
        SliceAxes::Columns { u, v } => {
            if u == v || u >= d || v >= d {
                return Err(Error::InvalidConfig(format!(
                    "map axes must be two different columns of {d} (got {u} and {v})"
                )));
            }
        }
        SliceAxes::Pca(pca) => {
            if pca.k() < 2 {
                return Err(Error::InvalidConfig(format!(
                    "a map on principal axes needs two of them (the PCA has {})",
                    pca.k()
                )));
            }
            if pca.dim() != d {
                return Err(Error::Shape(format!(
                    "the PCA was fitted on {} columns but the data has {d}",
                    pca.dim()
                )));
            }
        }
    }
    Ok(())
}

/// The side `(hi − lo)/res` of one of `res` equal cells over `(lo, hi)`.
fn cell_size((lo, hi): (f32, f32), res: usize, which: &str) -> Result<f32> {
    let step = (hi - lo) / res as f32;
    if lo.is_finite() && hi.is_finite() && lo < hi && step.is_finite() {
        Ok(step)
    } else {
        Err(Error::InvalidConfig(format!(
            "the {which} axis range must be finite with low < high (got {lo} to {hi})"
        )))
    }
}
