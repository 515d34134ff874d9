//! The preprocessing a table-trained model needs to read raw columns again: which columns,
//! how each is encoded (number or one-hot), what fills a missing cell, the input scaler and
//! the target's scale. Saved in model files beside the weights.

use serde::{Deserialize, Serialize};

use super::table::{excerpt, RawColumn, RawTable, MISSING_CODE, OVERFLOW_CODE};
use crate::data::split::Standardizer;
use crate::data::Task;
use crate::{Error, Matrix, Result};

/// The missing-cell policy is part of the table's options, a description in `spec`.
pub use crate::spec::MissingPolicy;

/// How one source column becomes model inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "encoding", rename_all = "snake_case")]
pub enum ColumnEncoding {
    /// One input: the value, or `fill` when missing.
    Numeric { fill: f32 },
    /// One input per category, 1 for the row's value; a missing cell counts as `fill`, a
    /// value not seen in training is all zeros.
    OneHot {
        categories: Vec<String>,
        fill: usize,
    },
}

/// One source column of the table and its encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    pub name: String,
    #[serde(flatten)]
    pub encoding: ColumnEncoding,
}

impl InputColumn {
    /// Model inputs this column becomes.
    pub fn width(&self) -> usize {
        match &self.encoding {
            ColumnEncoding::Numeric { .. } => 1,
            ColumnEncoding::OneHot { categories, .. } => categories.len(),
        }
    }
}

/// A regression target's training mean and deviation: the model learns `(y − mean)/std`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetScale {
    pub mean: f32,
    pub std: f32,
}

impl TargetScale {
    /// From model units back to the target's own.
    pub fn to_units(&self, v: f32) -> f32 {
        v * self.std + self.mean
    }
}

/// Everything between a raw table and the model's input matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    pub label: String,
    pub task: Task,
    #[serde(default)]
    pub class_names: Vec<String>,
    pub columns: Vec<InputColumn>,
    pub missing: MissingPolicy,
    /// Fitted on the encoded training inputs (one-hot inputs keep mean 0, std 1).
    #[serde(default)]
    pub scaler: Option<Standardizer>,
    #[serde(default)]
    pub target: Option<TargetScale>,
}

impl Preprocessing {
    /// Width of the model's input.
    pub fn input_dim(&self) -> usize {
        self.columns.iter().map(InputColumn::width).sum()
    }

    /// One name per model input: the column name, or `name=category` for one-hot inputs.
    pub fn input_names(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.input_dim());
        for c in &self.columns {
            match &c.encoding {
                ColumnEncoding::Numeric { .. } => out.push(c.name.clone()),
                ColumnEncoding::OneHot { categories, .. } => {
                    out.extend(categories.iter().map(|v| format!("{}={v}", c.name)))
                }
            }
        }
        out
    }

    /// The model inputs of each source column, in order (`[[0], [1, 2, 3], …]`).
    pub fn groups(&self) -> Vec<Vec<usize>> {
        let mut at = 0;
        self.columns
            .iter()
            .map(|c| {
                let g = (at..at + c.width()).collect();
                at += c.width();
                g
            })
            .collect()
    }

    /// Source-column indices of `raw` for each input column, refusing a table that lacks
    /// one (naming every missing column) or holds text where a number was trained.
    pub fn locate(&self, raw: &RawTable) -> Result<Vec<usize>> {
        let mut missing = Vec::new();
        let mut found = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            match raw.names.iter().position(|n| n == &c.name) {
                Some(j) => found.push(j),
                None => missing.push(format!("\"{}\"", excerpt(&c.name))),
            }
        }
        if !missing.is_empty() {
            return Err(Error::InvalidData(format!(
                "the file lacks the column(s) {} that this model was trained on; its columns are {}",
                missing.join(", "),
                raw.names
                    .iter()
                    .take(20)
                    .map(|n| format!("\"{}\"", excerpt(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        for (c, &j) in self.columns.iter().zip(&found) {
            if matches!(c.encoding, ColumnEncoding::Numeric { .. })
                && matches!(raw.columns[j], RawColumn::Text { .. })
            {
                return Err(Error::InvalidData(format!(
                    "column \"{}\" holds text in this file, but the model was trained on numbers there",
                    excerpt(&c.name)
                )));
            }
        }
        Ok(found)
    }

    /// Encoded, filled, unscaled inputs of `rows` of `raw` (`sources` from [`locate`](Self::locate)).
    pub fn encode_rows(&self, raw: &RawTable, sources: &[usize], rows: &[usize]) -> Matrix {
        let d = self.input_dim();
        let mut out = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            for (c, &j) in self.columns.iter().zip(sources) {
                encode_cell(&c.encoding, &raw.columns[j], r, &mut out);
            }
        }
        Matrix::from_vec(rows.len(), d, out).expect("one value per input by construction")
    }

    /// Applies the input scaler in place (no-op without one).
    pub fn scale(&self, m: &mut Matrix) -> Result<()> {
        match &self.scaler {
            Some(s) => s.apply(m),
            None => Ok(()),
        }
    }

    /// The model's input matrix for every row of a new table with the same columns.
    pub fn inputs_for(&self, raw: &RawTable) -> Result<Matrix> {
        let sources = self.locate(raw)?;
        let rows: Vec<usize> = (0..raw.rows()).collect();
        let mut m = self.encode_rows(raw, &sources, &rows);
        self.scale(&mut m)?;
        Ok(m)
    }
}

fn encode_cell(enc: &ColumnEncoding, col: &RawColumn, r: usize, out: &mut Vec<f32>) {
    match (enc, col) {
        (ColumnEncoding::Numeric { fill }, RawColumn::Numeric(v)) => {
            out.push(if v[r].is_nan() { *fill } else { v[r] })
        }
        (ColumnEncoding::OneHot { categories, fill }, col) => {
            let start = out.len();
            out.resize(start + categories.len(), 0.0);
            let hot = match col {
                RawColumn::Text { codes, values, .. } => match codes[r] {
                    MISSING_CODE => Some(*fill),
                    OVERFLOW_CODE => None,
                    c => categories.iter().position(|k| k == &values[c as usize]),
                },
                RawColumn::Numeric(v) if v[r].is_nan() => Some(*fill),
                RawColumn::Numeric(v) => {
                    let s = v[r].to_string();
                    categories.iter().position(|k| k == &s)
                }
            };
            if let Some(k) = hot.filter(|&k| k < categories.len()) {
                out[start + k] = 1.0;
            }
        }
        // `locate` refuses text where a number was trained.
        (ColumnEncoding::Numeric { fill }, RawColumn::Text { .. }) => out.push(*fill),
    }
}
