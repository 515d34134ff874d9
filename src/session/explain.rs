//! "One step, explained": the engine's own forward and backward pass and update for one
//! training example of the session, with the names of its inputs, and the training example
//! nearest to a point on the map (for picking one with a click).

use serde::Serialize;

use super::Session;
use crate::model::trace::StepTrace;
use crate::{Error, Matrix, Result};

/// A traced step (see [`StepTrace`]) on training row `row`, with the row's inputs' names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedStep {
    /// Index among the training rows, and how many there are.
    pub row: usize,
    pub rows: usize,
    pub input_names: Vec<String>,
    #[serde(flatten)]
    pub step: StepTrace,
}

impl Session {
    /// See [`ExplainedStep`]. Errors name the row range, or why the network cannot be traced.
    pub fn explain_step(&self, row: usize) -> Result<ExplainedStep> {
        let (tx, ty) = self.data.train_xy();
        let rows = tx.rows();
        if row >= rows {
            return Err(Error::InvalidConfig(format!(
                "training example {row} does not exist; there are {rows} (0 to {})",
                rows.saturating_sub(1)
            )));
        }
        let x = Matrix::from_vec(1, tx.cols(), tx.row(row).to_vec())?;
        let y = Matrix::from_vec(1, ty.cols(), ty.row(row).to_vec())?;
        Ok(ExplainedStep {
            row,
            rows,
            input_names: self.input_names(),
            step: self.model.trace_step(&x, &y)?,
        })
    }

    /// The training row whose point on the map is nearest to `(x, y)`, if any.
    pub fn nearest_training_row(&self, x: f32, y: f32) -> Option<usize> {
        self.points()
            .into_iter()
            .filter(|(_, test)| !test)
            .map(|(p, _)| (p.x - x).hypot(p.y - y))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }
}
