//! Seeded train/test splits and per-column standardisation.

use serde::{Deserialize, Serialize};

use crate::{Error, Matrix, Result, Rng};

/// Shuffles `0..n` with `rng` and cuts it into `(train, test)` index lists.
///
/// The train share is `⌊n·train_percent/100⌋` as in the playground, but at least one point
/// when `n ≥ 1`. `train_percent` is clamped to [0, 100]; NaN counts as 0.
pub fn shuffled_split(n: usize, train_percent: f32, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut idx);
    let p = if train_percent.is_nan() {
        0.0
    } else {
        f64::from(train_percent.clamp(0.0, 100.0))
    };
    let cut = ((n as f64 * p / 100.0).floor() as usize).clamp(n.min(1), n);
    let test = idx.split_off(cut);
    (idx, test)
}

/// A split that keeps each class's share: within every class (`classes[i]` in `0..k`) the
/// rows are shuffled with `rng` and the first `round(n_c·train_percent/100)` go to training
/// (at least one when the class has two or more rows). Both lists come out in row order of
/// the shuffle, class by class, so the same seed gives the same split.
pub fn stratified_split(
    classes: &[usize],
    k: usize,
    train_percent: f32,
    rng: &mut Rng,
) -> (Vec<usize>, Vec<usize>) {
    let p = if train_percent.is_nan() {
        0.0
    } else {
        f64::from(train_percent.clamp(0.0, 100.0)) / 100.0
    };
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k.max(1)];
    for (i, &c) in classes.iter().enumerate() {
        by_class[c.min(k.max(1) - 1)].push(i);
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut rows in by_class {
        rng.shuffle(&mut rows);
        let n = rows.len();
        let lo = usize::from(n >= 2);
        let cut = ((n as f64 * p).round() as usize).clamp(lo, n);
        test.extend(rows.split_off(cut));
        train.extend(rows);
    }
    (train, test)
}

/// The rows (indices into `0..n`) to hold out of training as a validation split:
/// `round(n_c·percent/100)` of each class `n_c` when `labels` are given (labels compared by
/// value, as the test split keeps class shares), else of all `n` rows; at least one row when
/// `percent > 0` and `n ≥ 2`, and never every row, so training keeps at least one. Sorted.
/// `percent` is clamped to [0, 100]; NaN or 0 holds out nothing.
pub fn validation_rows(
    n: usize,
    labels: Option<&[f32]>,
    percent: f32,
    rng: &mut Rng,
) -> Vec<usize> {
    if percent.is_nan() || percent <= 0.0 || n < 2 {
        return Vec::new();
    }
    let p = f64::from(percent.min(100.0)) / 100.0;
    let mut groups: Vec<(u32, Vec<usize>)> = Vec::new();
    for i in 0..n {
        let key = labels.map_or(0, |l| l[i].to_bits());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    groups.sort_by_key(|(k, _)| *k);
    let mut held = Vec::new();
    for (_, mut rows) in groups {
        rng.shuffle(&mut rows);
        let take = (rows.len() as f64 * p).round() as usize;
        held.extend(rows.into_iter().take(take));
    }
    if held.is_empty() {
        held.push(rng.below(n));
    }
    if held.len() >= n {
        held.truncate(n - 1);
    }
    held.sort_unstable();
    held
}

/// Per-column affine scaling `x' = (x − mean)/std`, fitted on training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Column means and population standard deviations of `m` (accumulated in f64).
    ///
    /// A column whose deviation is 0 or not a positive finite number gets `std = 1`, so it
    /// is only centred; with no rows every mean is 0 and every std 1.
    pub fn fit(m: &Matrix) -> Standardizer {
        let (n, d) = m.shape();
        let mut mean = vec![0.0f64; d];
        for r in 0..n {
            for (acc, &v) in mean.iter_mut().zip(m.row(r)) {
                *acc += f64::from(v);
            }
        }
        let inv_n = if n == 0 { 0.0 } else { 1.0 / n as f64 };
        mean.iter_mut().for_each(|v| *v *= inv_n);
        let mut var = vec![0.0f64; d];
        for r in 0..n {
            for ((acc, &v), mu) in var.iter_mut().zip(m.row(r)).zip(&mean) {
                let dv = f64::from(v) - mu;
                *acc += dv * dv;
            }
        }
        let std = var
            .iter()
            .map(|v| {
                let s = (v * inv_n).sqrt() as f32;
                if s.is_finite() && s > 0.0 {
                    s
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer {
            mean: mean.into_iter().map(|v| v as f32).collect(),
            std,
        }
    }

    /// Scales `m` in place. Errors with [`Error::Shape`] when `m` has a different number of
    /// columns from the data the scaler was fitted on. A std that is not a positive finite
    /// number (possible only in a hand-edited file) is treated as 1.
    pub fn apply(&self, m: &mut Matrix) -> Result<()> {
        let d = m.cols();
        if d != self.mean.len() || d != self.std.len() {
            return Err(Error::Shape(format!(
                "the scaler was fitted on {} columns but the data has {d}",
                self.mean.len()
            )));
        }
        for r in 0..m.rows() {
            for ((v, mu), s) in m.row_mut(r).iter_mut().zip(&self.mean).zip(&self.std) {
                let s = if s.is_finite() && *s > 0.0 { *s } else { 1.0 };
                *v = (*v - mu) / s;
            }
        }
        Ok(())
    }
}
