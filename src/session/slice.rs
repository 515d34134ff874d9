//! The 2-D slice through a table of many inputs that the decision map draws: which two
//! axes (two numeric columns, or the first two principal components of the standardised
//! training inputs), where every other input is held, and the mapping between the
//! playground's square `[−6, 6]²` and input space.

use serde::{Deserialize, Serialize};

use super::data::{TableData, TableSource, DOMAIN};
use crate::data::csv::encoding::ColumnEncoding;
use crate::data::pca::Pca;
use crate::data::slice::{map_coords, slice_grid, SliceAxes};
use crate::full_only::FullOnly;
use crate::{Error, Matrix, Result};

/// Rows the principal components are fitted on (an even subsample of larger tables).
const PCA_ROWS: usize = 5000;

/// Every `⌈n/limit⌉`-th row of `m`.
fn subsample(m: &Matrix, limit: usize) -> Matrix {
    let step = m.rows().div_ceil(limit).max(1);
    let idx: Vec<usize> = (0..m.rows()).step_by(step).collect();
    let mut out = Matrix::zeros(0, m.cols());
    out.gather_rows(m, &idx);
    out
}

/// One axis of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Axis {
    /// A numeric source column (index into the table's input columns).
    Column(usize),
    /// A principal component (0 = the first).
    Component(usize),
}

/// What the page needs to offer the slice controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceInfo {
    pub x: Axis,
    pub y: Axis,
    /// Every axis the map can take, with its name.
    pub choices: Vec<(Axis, String)>,
    /// One entry per input column, in the table's order.
    pub held: Vec<HeldValue>,
    /// The input-space range each axis spans across the square.
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
    /// Share of the training inputs' variance on each principal component (when fitted).
    pub explained: Vec<f32>,
}

/// Where one input column is held while the map varies the two axes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldValue {
    pub name: String,
    /// Numeric: the value; text: the category index.
    pub value: f32,
    pub min: f32,
    pub max: f32,
    pub median: f32,
    /// Text columns: their categories (the value indexes them).
    pub categories: Vec<String>,
}

/// The chosen slice; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceView {
    x: Axis,
    y: Axis,
    held: Vec<HeldValue>,
    pca: Option<Pca>,
    /// The rows' range on each principal component, measured once (it needs every row).
    pc_ranges: Vec<(f32, f32)>,
    /// Only a table has a slice (see [`crate::full_only`]).
    full: FullOnly,
}

impl SliceView {
    /// The first two numeric columns (or principal components when fewer than two columns
    /// are numeric), every other input at its median or most frequent value.
    pub fn new(t: &TableSource, train_x: &Matrix) -> SliceView {
        let prep = &t.prepared.prep;
        let groups = prep.groups();
        let x = &t.prepared.x;
        let held: Vec<HeldValue> = prep
            .columns
            .iter()
            .zip(&groups)
            .map(|(c, g)| match &c.encoding {
                ColumnEncoding::Numeric { .. } => {
                    let mut v: Vec<f32> = (0..x.rows()).map(|r| x.get(r, g[0])).collect();
                    v.sort_by(f32::total_cmp);
                    let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
                    HeldValue {
                        name: c.name.clone(),
                        value: median,
                        min: v.first().copied().unwrap_or(0.0),
                        max: v.last().copied().unwrap_or(0.0),
                        median,
                        categories: Vec::new(),
                    }
                }
                ColumnEncoding::OneHot { categories, fill } => HeldValue {
                    name: c.name.clone(),
                    value: *fill as f32,
                    min: 0.0,
                    max: categories.len().saturating_sub(1) as f32,
                    median: *fill as f32,
                    categories: categories.clone(),
                },
            })
            .collect();
        let pca = (train_x.cols() >= 2 && train_x.rows() >= 2)
            .then(|| Pca::fit(&subsample(train_x, PCA_ROWS), 2).ok())
            .flatten();
        let numeric: Vec<usize> = prep
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.encoding, ColumnEncoding::Numeric { .. }))
            .map(|(i, _)| i)
            .collect();
        // More than two input columns: a slice through two of them, the rest held at their
        // medians, can miss whole classes, so the map opens on the two directions of largest
        // spread (each axis says its share of the variance); the slice stays a choice.
        let wide = prep.columns.len() > 2;
        let (ax, ay) = match (numeric.as_slice(), &pca) {
            (_, Some(_)) if wide => (Axis::Component(0), Axis::Component(1)),
            ([a, b, ..], _) => (Axis::Column(*a), Axis::Column(*b)),
            (_, Some(_)) => (Axis::Component(0), Axis::Component(1)),
            ([a], None) => (Axis::Column(*a), Axis::Column(*a)),
            ([], None) => (Axis::Component(0), Axis::Component(0)),
        };
        let mut view = SliceView {
            x: ax,
            y: ay,
            held,
            pca,
            pc_ranges: Vec::new(),
            full: t.full,
        };
        view.pc_ranges = (0..view.pca.as_ref().map_or(0, Pca::k))
            .map(|k| {
                view.component_coords(t, k)
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    })
            })
            .collect();
        view
    }

    fn choices(&self, t: &TableData) -> Vec<(Axis, String)> {
        let mut out: Vec<(Axis, String)> = t
            .prepared
            .prep
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.encoding, ColumnEncoding::Numeric { .. }))
            .map(|(i, c)| (Axis::Column(i), c.name.clone()))
            .collect();
        if let Some(p) = &self.pca {
            for k in 0..p.k() {
                out.push((Axis::Component(k), format!("PC{}", k + 1)));
            }
        }
        out
    }

    /// The controls' view of this slice.
    pub fn info(&self, t: &TableData) -> SliceInfo {
        SliceInfo {
            x: self.x,
            y: self.y,
            choices: self.choices(t),
            held: self.held.clone(),
            x_range: self.range(self.x),
            y_range: self.range(self.y),
            explained: self
                .pca
                .as_ref()
                .map(Pca::explained_variance_ratio)
                .unwrap_or_default(),
        }
    }

    /// Chooses the axes and held values (one per input column; text columns take a
    /// category index). On error the slice stays as it was.
    pub fn set(&mut self, t: &TableData, x: Axis, y: Axis, held: &[f32]) -> Result<()> {
        let choices = self.choices(t);
        for a in [x, y] {
            if !choices.iter().any(|(c, _)| *c == a) {
                return Err(Error::InvalidConfig(format!(
                    "the map cannot use {a:?} as an axis; choose a numeric column or a principal component"
                )));
            }
        }
        let pair_ok = match (x, y) {
            (Axis::Column(a), Axis::Column(b)) => a != b || self.held.len() == 1,
            (Axis::Component(0), Axis::Component(1)) => true,
            _ => false,
        };
        if !pair_ok {
            return Err(Error::InvalidConfig(
                "the map's axes must be two different columns, or PC1 across and PC2 up".into(),
            ));
        }
        if held.len() != self.held.len() {
            return Err(Error::InvalidConfig(format!(
                "{} held values for {} input columns; give one per column",
                held.len(),
                self.held.len()
            )));
        }
        for (h, &v) in self.held.iter().zip(held) {
            let ok = v.is_finite()
                && (h.categories.is_empty()
                    || (v >= 0.0 && v.fract() == 0.0 && (v as usize) < h.categories.len()));
            if !ok {
                return Err(Error::InvalidConfig(format!(
                    "the held value of \"{}\" must be {}, got {v}",
                    h.name,
                    if h.categories.is_empty() {
                        "a finite number".to_string()
                    } else {
                        format!("a category index 0 to {}", h.categories.len() - 1)
                    }
                )));
            }
        }
        self.x = x;
        self.y = y;
        for (h, &v) in self.held.iter_mut().zip(held) {
            h.value = v;
        }
        Ok(())
    }

    /// The input range an axis spans: a column's range over every row, or the range of the
    /// rows' coordinates on a component; 5 % margin each side.
    fn range(&self, a: Axis) -> (f32, f32) {
        let (lo, hi) = match a {
            Axis::Column(c) => (self.held[c].min, self.held[c].max),
            Axis::Component(k) => self
                .pc_ranges
                .get(k)
                .copied()
                .unwrap_or((f32::NAN, f32::NAN)),
        };
        if !(lo.is_finite() && hi.is_finite()) {
            return (-1.0, 1.0);
        }
        let pad = if hi > lo { (hi - lo) * 0.05 } else { 1.0 };
        (lo - pad, hi + pad)
    }

    /// Every row's coordinate on component `k` (rows scaled like the model's inputs).
    fn component_coords(&self, t: &TableData, k: usize) -> Vec<f32> {
        let Some(p) = &self.pca else {
            return Vec::new();
        };
        let mut x = t.prepared.x.clone();
        if t.prepared.prep.scale(&mut x).is_err() {
            return Vec::new();
        }
        match p.project(&x) {
            Ok(proj) => (0..proj.rows()).map(|r| proj.get(r, k)).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The held values as one encoded, unscaled input row.
    fn base_row(&self, t: &TableData) -> Vec<f32> {
        let mut row = Vec::with_capacity(t.prepared.prep.input_dim());
        for (c, h) in t.prepared.prep.columns.iter().zip(&self.held) {
            match &c.encoding {
                ColumnEncoding::Numeric { .. } => row.push(h.value),
                ColumnEncoding::OneHot { categories, .. } => {
                    let at = row.len();
                    row.resize(at + categories.len(), 0.0);
                    row[at + h.value as usize] = 1.0;
                }
            }
        }
        row
    }

    /// The axes as the slice module takes them: two different numeric columns (model
    /// input indices) or the first two principal components; `None` when the table has a
    /// single input, so only the horizontal axis varies.
    fn slice_axes(&self, t: &TableData) -> Option<SliceAxes<'_>> {
        let groups = t.prepared.prep.groups();
        match (self.x, self.y, &self.pca) {
            (Axis::Column(a), Axis::Column(b), _) if a != b => Some(SliceAxes::Columns {
                u: groups[a][0],
                v: groups[b][0],
            }),
            (Axis::Component(_), Axis::Component(_), Some(p)) => Some(SliceAxes::Pca(p)),
            _ => None,
        }
    }

    /// Model inputs (scaled) at the centres of a `res × res` grid over the square (row 0 at
    /// the top), and the same inputs before scaling (for the input thumbnails).
    pub fn grid_inputs(&self, t: &TableData, res: usize) -> Result<(Matrix, Matrix)> {
        let prep = &t.prepared.prep;
        let (xr, yr) = (self.range(self.x), self.range(self.y));
        let base = self.base_row(t);
        match self.slice_axes(t) {
            Some(axes @ SliceAxes::Columns { .. }) => {
                let raw = slice_grid(&base, axes, xr, yr, res)?;
                let mut scaled = raw.clone();
                prep.scale(&mut scaled)?;
                Ok((scaled, raw))
            }
            Some(axes @ SliceAxes::Pca(_)) => {
                // Components live in the scaled space the model reads.
                let mut b = Matrix::from_vec(1, base.len(), base)?;
                prep.scale(&mut b)?;
                let scaled = slice_grid(b.row(0), axes, xr, yr, res)?;
                Ok((scaled.clone(), scaled))
            }
            None => {
                // No two axes: the held row everywhere, with the horizontal axis's column
                // (if it is a column) varied across; the map is constant upwards.
                let (lo, hi) = xr;
                let step = (hi - lo) / res as f32;
                let d = base.len();
                let varied = match self.x {
                    Axis::Column(c) => prep.groups().get(c).map(|g| g[0]),
                    Axis::Component(_) => None,
                };
                let mut raw = Vec::with_capacity(res * res * d);
                for i in 0..res * res {
                    let at = raw.len();
                    raw.extend_from_slice(&base);
                    if let Some(j) = varied {
                        raw[at + j] = lo + (i % res) as f32 * step + step / 2.0;
                    }
                }
                let raw = Matrix::from_vec(res * res, d, raw)?;
                let mut scaled = raw.clone();
                prep.scale(&mut scaled)?;
                Ok((scaled, raw))
            }
        }
    }

    /// Each row's position on the square along the two axes: `[u, v]` per row, in `[−6, 6]`
    /// for rows inside the axes' ranges.
    pub fn row_positions(&self, t: &TableData) -> Vec<[f32; 2]> {
        let (xr, yr) = (self.range(self.x), self.range(self.y));
        let to_square = |v: f32, (lo, hi): (f32, f32)| {
            (v - lo) / (hi - lo).max(f32::MIN_POSITIVE) * 2.0 * DOMAIN - DOMAIN
        };
        let coords = match self.slice_axes(t) {
            Some(axes @ SliceAxes::Pca(_)) => {
                let mut x = t.prepared.x.clone();
                t.prepared
                    .prep
                    .scale(&mut x)
                    .ok()
                    .and_then(|()| map_coords(&x, axes).ok())
            }
            Some(axes) => map_coords(&t.prepared.x, axes).ok(),
            None => None,
        };
        match coords {
            Some(c) => (0..c.rows())
                .map(|r| [to_square(c.get(r, 0), xr), to_square(c.get(r, 1), yr)])
                .collect(),
            None => (0..t.prepared.x.rows())
                .map(|r| [to_square(t.prepared.x.get(r, 0), xr), 0.0])
                .collect(),
        }
    }
}
