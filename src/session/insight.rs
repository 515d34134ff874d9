//! The views that explain a model beyond the map: the per-class table and ROC curve, the
//! predicted-versus-actual scatter of a regression, and permutation importance of each
//! input column, run one column per call so the worker can show progress and cancel.

use serde::Serialize;

use super::Session;
use crate::data::Task;
use crate::metrics::report::{class_report, regression_report, ClassReport, RegressionReport};
use crate::metrics::roc::{roc_curve, RocCurve, DEFAULT_ROC_POINTS};
use crate::metrics::ConfusionMatrix;
use crate::model::importance::{
    single_columns, ImportanceOptions, ImportanceScore, PermutationImportance,
};
use crate::{Error, Result};

/// Most points of the regression scatter (an even subsample of larger test sets).
pub const MAX_SCATTER_POINTS: usize = 2000;

/// The panel beside the metrics, measured on the test rows (the training rows when there
/// are none). Regression values are in the target's own units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InsightReport {
    pub split: &'static str,
    pub classes: Option<ClassReport>,
    /// Two classes: the ROC of the positive class's probability.
    pub roc: Option<RocCurve>,
    pub regression: Option<RegressionReport>,
    /// `[actual, predicted]` pairs for the scatter.
    pub scatter: Vec<[f32; 2]>,
}

/// Permutation importance so far: one entry per finished input column (or text column's
/// one-hot group), in column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportanceReport {
    pub score: ImportanceScore,
    pub baseline: f32,
    pub done: usize,
    pub total: usize,
    /// `(name, mean drop, std)` of each finished column.
    pub columns: Vec<(String, f32, f32)>,
}

impl Session {
    /// See [`InsightReport`].
    pub fn insight(&mut self) -> Result<InsightReport> {
        let use_test = self.data.is_test.iter().any(|&t| t);
        let idx: Vec<usize> = (0..self.data.len())
            .filter(|&i| self.data.is_test[i] == use_test)
            .collect();
        let split = if use_test { "test" } else { "train" };
        if idx.is_empty() {
            return Ok(InsightReport {
                split: "none",
                classes: None,
                roc: None,
                regression: None,
                scatter: Vec::new(),
            });
        }
        let x = self.model_inputs(&idx)?;
        let out = self.model.predict(&x)?;
        let probs = self.probabilities(out);
        let truths = self.truths();
        let truth: Vec<f32> = idx.iter().map(|&i| truths[i]).collect();
        match self.data.task {
            Task::Regression => {
                let step = idx.len().div_ceil(MAX_SCATTER_POINTS).max(1);
                let scatter = (0..idx.len())
                    .step_by(step)
                    .map(|j| [truth[j], probs[j]])
                    .collect();
                Ok(InsightReport {
                    split,
                    classes: None,
                    roc: None,
                    regression: Some(regression_report(&probs, &truth)),
                    scatter,
                })
            }
            task => {
                let k = task.classes();
                let t: Vec<usize> = truth.iter().map(|&v| v as usize).collect();
                let pred: Vec<usize> = probs
                    .chunks(k)
                    .map(|p| (0..k).fold(0, |b, c| if p[c] > p[b] { c } else { b }))
                    .collect();
                let cm = ConfusionMatrix::from_labels(&t, &pred, k);
                let mut names = self.class_names();
                names.resize_with(k, String::new);
                let names: Vec<String> = names
                    .into_iter()
                    .enumerate()
                    .map(|(c, n)| if n.is_empty() { c.to_string() } else { n })
                    .collect();
                let roc = (k == 2).then(|| {
                    let scores: Vec<f32> = probs.chunks(2).map(|p| p[1]).collect();
                    roc_curve(&scores, &t, DEFAULT_ROC_POINTS)
                });
                Ok(InsightReport {
                    split,
                    classes: Some(class_report(&cm, &names)?),
                    roc,
                    regression: None,
                    scatter: Vec::new(),
                })
            }
        }
    }

    /// Starts permutation importance on the test rows (each text column's one-hot inputs
    /// shuffled together), replacing a run in progress. `repeats` shuffles per column.
    pub fn start_importance(&mut self, repeats: usize) -> Result<()> {
        let (x, y) = self.data.split_xy(self.data.test_x.rows() >= 2);
        let groups = match self.preprocessing() {
            Some(p) => p.groups(),
            None => single_columns(x.cols()),
        };
        let (x, y) = (x.clone(), y.clone());
        let options = ImportanceOptions {
            score: ImportanceScore::for_task(self.data.task),
            repeats,
            seed: self.config.seed,
        };
        self.importance = Some(PermutationImportance::new(
            &mut self.model,
            &x,
            &y,
            &groups,
            options,
        )?);
        Ok(())
    }

    /// Measures the next column; true when every column is done. Training the model in
    /// between ends the run with an error that says so.
    pub fn importance_step(&mut self) -> Result<bool> {
        let Some(run) = self.importance.as_mut() else {
            return Err(Error::InvalidData(
                "no feature importance run is in progress; start one first".into(),
            ));
        };
        match run.step(&mut self.model) {
            Ok(done) => Ok(done),
            Err(e) => {
                self.importance = None;
                Err(e)
            }
        }
    }

    /// Stops a run in progress (its finished columns are dropped).
    pub fn cancel_importance(&mut self) {
        self.importance = None;
    }

    /// The run's finished columns, if a run was started.
    pub fn importance(&self) -> Option<ImportanceReport> {
        let run = self.importance.as_ref()?;
        let names: Vec<String> = match self.preprocessing() {
            Some(p) => p.columns.iter().map(|c| c.name.clone()).collect(),
            None => self.input_names(),
        };
        let r = run.result();
        let (done, total) = run.progress();
        Some(ImportanceReport {
            score: r.score,
            baseline: r.baseline,
            done,
            total,
            columns: r
                .groups
                .iter()
                .map(|g| {
                    (
                        names.get(g.group).cloned().unwrap_or_default(),
                        g.mean,
                        g.std,
                    )
                })
                .collect(),
        })
    }
}
