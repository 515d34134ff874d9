//! Permutation importance of input features (or groups of input columns, such as the
//! one-hot columns of one text feature) for a trained [`Sequential`], one group per step so
//! that a worker can show progress and cancel between steps.
//!
//! Importance of a group is how much the score gets worse when that group's values are
//! shuffled across the rows of the evaluation set (breaking their link to the target while
//! keeping their distribution), averaged over `repeats` shuffles.

use serde::{Deserialize, Serialize};

use super::Sequential;
use crate::data::Task;
use crate::{metrics, Error, Matrix, Result, Rng};

/// Most shuffles per group accepted.
pub const MAX_REPEATS: usize = 100;

/// What "worse" is measured with (JSON: `"accuracy"`, `"r2"`, `"loss"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceScore {
    /// Accuracy from [`Sequential::evaluate`]'s confusion matrix (so the model's own
    /// class-decision rule); importance = baseline accuracy − shuffled accuracy.
    Accuracy,
    /// [`metrics::r2`] of `predict` against the targets (all output columns together);
    /// importance = baseline R² − shuffled R².
    R2,
    /// The compiled loss from [`Sequential::evaluate`] (no weight penalty); importance =
    /// shuffled loss − baseline loss. Smoother than accuracy on small sets.
    Loss,
}

impl ImportanceScore {
    /// Accuracy for classification, R² for regression.
    pub fn for_task(task: Task) -> ImportanceScore {
        if task.is_classification() {
            ImportanceScore::Accuracy
        } else {
            ImportanceScore::R2
        }
    }
}

/// Settings of a [`PermutationImportance`] run; fields missing from JSON take their
/// [`Default`] (accuracy, 5 shuffles, seed 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportanceOptions {
    pub score: ImportanceScore,
    /// Shuffles per group, `1..=MAX_REPEATS`.
    pub repeats: usize,
    /// Fixes every shuffle: group `g`'s shuffles depend only on `seed` and `g`.
    pub seed: u64,
}

impl Default for ImportanceOptions {
    fn default() -> Self {
        Self {
            score: ImportanceScore::Accuracy,
            repeats: 5,
            seed: 0,
        }
    }
}

/// The importance of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupImportance {
    /// Index of the group in the list given to [`PermutationImportance::new`].
    pub group: usize,
    /// Mean of `drops`: positive when shuffling the group hurts; near 0 (either sign) for a
    /// group the model ignores.
    pub mean: f32,
    /// Population standard deviation of `drops`.
    pub std: f32,
    /// The worsening of the score for each shuffle, in order.
    pub drops: Vec<f32>,
}

/// The groups measured so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    pub score: ImportanceScore,
    /// The score on the unshuffled data.
    pub baseline: f32,
    /// One entry per finished group, in group order.
    pub groups: Vec<GroupImportance>,
}

impl Importance {
    /// Group indices from most to least important (by `mean`; equal means, and NaN last,
    /// keep group order).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<&GroupImportance> = self.groups.iter().collect();
        order.sort_by(|a, b| {
            let key = |g: &GroupImportance| {
                if g.mean.is_nan() {
                    f32::NEG_INFINITY
                } else {
                    g.mean
                }
            };
            key(b).total_cmp(&key(a))
        });
        order.iter().map(|g| g.group).collect()
    }
}

/// Each input column as its own group: `[[0], [1], …, [d − 1]]`.
/// How many f32 roundings of the score count as no change (the score sums many rows).
const ROUNDING_ULPS: f32 = 8.0;

pub fn single_columns(d: usize) -> Vec<Vec<usize>> {
    (0..d).map(|c| vec![c]).collect()
}

/// An incremental permutation-importance run over a fixed evaluation set.
///
/// Pass the same, unchanged model to every [`step`](Self::step): a model that was trained
/// in between (its optimiser step count or epoch count moved) is refused.
#[derive(Debug, Clone)]
pub struct PermutationImportance {
    x: Matrix,
    y: Matrix,
    /// `x` with the current group shuffled; restored after each shuffle.
    work: Matrix,
    groups: Vec<Vec<usize>>,
    options: ImportanceOptions,
    baseline: f32,
    done: Vec<GroupImportance>,
    /// `(iterations, epochs_trained)` of the model when the run started.
    model_mark: (u64, usize),
}

impl PermutationImportance {
    /// Checks the inputs and measures the baseline score of `model` on `(x, y)`.
    ///
    /// Errors: [`Error::Shape`] when `x` and `y` differ in rows, `x` is not the model's
    /// input width, or (R²) `y` is not the output's shape; [`Error::InvalidData`] with fewer
    /// than 2 rows; [`Error::InvalidConfig`] for an empty group, a column out of range or
    /// repeated within a group, `repeats` outside `1..=MAX_REPEATS`, accuracy for a model
    /// whose outputs are not a classifier's, or a model that is not compiled (accuracy,
    /// loss); and any error of `predict` / `evaluate`.
    pub fn new(
        model: &mut Sequential,
        x: &Matrix,
        y: &Matrix,
        groups: &[Vec<usize>],
        options: ImportanceOptions,
    ) -> Result<PermutationImportance> {
        let (n, d) = x.shape();
        if y.rows() != n {
            return Err(Error::Shape(format!(
                "{n} input rows but {} target rows",
                y.rows()
            )));
        }
        if d != model.input_dim() {
            return Err(Error::Shape(format!(
                "the model takes {} inputs but the data has {d} columns",
                model.input_dim()
            )));
        }
        if n < 2 {
            return Err(Error::InvalidData(format!(
                "permutation importance needs at least 2 rows (got {n})"
            )));
        }
        if options.repeats == 0 || options.repeats > MAX_REPEATS {
            return Err(Error::InvalidConfig(format!(
                "{} shuffles per feature (choose 1 to {MAX_REPEATS})",
                options.repeats
            )));
        }
        for (g, cols) in groups.iter().enumerate() {
            if cols.is_empty() {
                return Err(Error::InvalidConfig(format!(
                    "feature group {g} has no columns"
                )));
            }
            for (i, &c) in cols.iter().enumerate() {
                if c >= d {
                    return Err(Error::InvalidConfig(format!(
                        "feature group {g} names column {c} of {d}"
                    )));
                }
                if cols[..i].contains(&c) {
                    return Err(Error::InvalidConfig(format!(
                        "feature group {g} names column {c} twice"
                    )));
                }
            }
        }
        let mut run = PermutationImportance {
            x: x.clone(),
            y: y.clone(),
            work: x.clone(),
            groups: groups.to_vec(),
            options,
            baseline: 0.0,
            done: Vec::with_capacity(groups.len()),
            model_mark: (model.iterations(), model.epochs_trained()),
        };
        run.baseline = run.score(model)?;
        Ok(run)
    }

    /// Measures the next group (`repeats` shuffles). Returns `Ok(true)` once every group is
    /// done (then further calls do nothing and return `Ok(true)` again), `Ok(false)` while
    /// groups remain. [`Error::InvalidConfig`] when the model was trained since
    /// [`new`](Self::new).
    pub fn step(&mut self, model: &mut Sequential) -> Result<bool> {
        let g = self.done.len();
        if g == self.groups.len() {
            return Ok(true);
        }
        if (model.iterations(), model.epochs_trained()) != self.model_mark
            || model.input_dim() != self.x.cols()
        {
            return Err(Error::InvalidConfig(
                "the model changed during the importance run; start it again".into(),
            ));
        }
        let n = self.x.rows();
        let mut rng =
            Rng::new(self.options.seed ^ (g as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut perm: Vec<usize> = (0..n).collect();
        let mut drops = Vec::with_capacity(self.options.repeats);
        for _ in 0..self.options.repeats {
            rng.shuffle(&mut perm);
            for (r, &src) in perm.iter().enumerate() {
                for &c in &self.groups[g] {
                    self.work.set(r, c, self.x.get(src, c));
                }
            }
            let s = self.score(model);
            for r in 0..n {
                for &c in &self.groups[g] {
                    self.work.set(r, c, self.x.get(r, c));
                }
            }
            let s = s?;
            let drop = match self.options.score {
                ImportanceScore::Loss => s - self.baseline,
                _ => self.baseline - s,
            };
            // A score that moved by no more than f32 rounding of the baseline did not move:
            // 2e-8 on a loss of 0.3 is the arithmetic's noise, not an importance.
            let noise = ROUNDING_ULPS * f32::EPSILON * s.abs().max(self.baseline.abs());
            drops.push(if drop.abs() <= noise { 0.0 } else { drop });
        }
        let k = drops.len() as f64;
        let mean = drops.iter().map(|&v| f64::from(v)).sum::<f64>() / k;
        let var = drops
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / k;
        self.done.push(GroupImportance {
            group: g,
            mean: mean as f32,
            std: var.sqrt() as f32,
            drops,
        });
        Ok(self.done.len() == self.groups.len())
    }

    /// `(groups done, groups in all)`.
    pub fn progress(&self) -> (usize, usize) {
        (self.done.len(), self.groups.len())
    }

    /// True once every group is measured.
    pub fn is_done(&self) -> bool {
        self.done.len() == self.groups.len()
    }

    /// The baseline and the groups measured so far (all of them once [`is_done`](Self::is_done)).
    pub fn result(&self) -> Importance {
        Importance {
            score: self.options.score,
            baseline: self.baseline,
            groups: self.done.clone(),
        }
    }

    /// The score of `model` on `(work, y)`.
    fn score(&self, model: &mut Sequential) -> Result<f32> {
        match self.options.score {
            ImportanceScore::R2 => {
                let out = model.predict(&self.work)?;
                if out.shape() != self.y.shape() {
                    return Err(Error::Shape(format!(
                        "the model gives {} outputs per row but the targets have {}",
                        out.cols(),
                        self.y.cols()
                    )));
                }
                Ok(metrics::r2(out.as_slice(), self.y.as_slice()))
            }
            ImportanceScore::Loss => Ok(model.evaluate(&self.work, &self.y)?.loss),
            ImportanceScore::Accuracy => match model.evaluate(&self.work, &self.y)?.confusion {
                Some(cm) => Ok(cm.accuracy()),
                None => Err(Error::InvalidConfig(
                    "accuracy needs a classifier's outputs; use R² or the loss".into(),
                )),
            },
        }
    }
}
