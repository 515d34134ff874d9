//! The page's ONNX export: the session's model with what turns the columns a user sees into
//! its inputs (the playground's features and scaler, or a table's fill values and scaler)
//! and, for a table's regression target, what turns its outputs back into the target's
//! units, all inside one graph. [`Session::predict_columns`] is the same computation by the
//! engine, so the two can be compared.

use super::Session;
use crate::data::csv::encoding::{ColumnEncoding, Preprocessing};
use crate::data::features::feature_matrix;
use crate::data::split::Standardizer;
use crate::data::{Point, Task};
use crate::model::onnx::{Attr, Graph};
use crate::spec::Feature;
use crate::{Error, Matrix, Result};

impl Session {
    /// The model as an ONNX file (see `Sequential::to_onnx`) whose input `input` holds the
    /// raw columns: `[N, 2]` coordinates `(x₁, x₂)` on the playground's square for points
    /// (the features and standardisation are in the graph); for a table, `[N, d]` in the
    /// order of [`input_names`](Self::input_names): numeric columns as written (NaN for a
    /// missing cell, which the graph fills as training did), each text column as its
    /// one-hot inputs `0/1` (a text column cannot be a float tensor): all zeros for a value
    /// not seen in training, NaN in each of them for a missing cell, which the graph fills
    /// with the column's most frequent value as the page does.
    /// The output is the model's (`predict`), in the target's own units for a table's
    /// regression. The column names are in the metadata (`input_columns`, `outputs`).
    ///
    /// Errors as `Sequential::to_onnx` (non-finite weights).
    pub fn export_onnx(&self) -> Result<Vec<u8>> {
        let mut g = Graph::new();
        let (x, columns, doc) = match self.preprocessing() {
            None => {
                let x = g.input("input", 2);
                let x = plane_features(&mut g, &x, &self.config.features);
                let x = standardize(&mut g, &x, self.data.standardizer.as_ref());
                (
                    x,
                    vec!["x1".to_string(), "x2".to_string()],
                    "x1, x2 on the playground's square",
                )
            }
            Some(prep) => {
                let x = g.input("input", prep.input_dim());
                let x = fill_missing(&mut g, &x, prep);
                let x = standardize(&mut g, &x, prep.scaler.as_ref());
                (
                    x,
                    prep.input_names(),
                    "the table's columns, text ones one-hot",
                )
            }
        };
        let mut y = self.model.append_onnx(&mut g, &x)?;
        if let Some(t) = self.target_scale() {
            let s = g.scalar(t.std);
            let m = g.scalar(t.mean);
            let scaled = g.op("Mul", &[&y, &s], &[]);
            y = g.op("Add", &[&scaled, &m], &[]);
        }
        let outputs = self.output_names();
        g.metadata(
            "input_columns",
            &serde_json::to_string(&columns).unwrap_or_default(),
        );
        g.metadata(
            "outputs",
            &serde_json::to_string(&outputs).unwrap_or_default(),
        );
        g.doc(&format!(
            "nn-playground: input [N, {}] = {doc}; output [N, {}] = {}",
            columns.len(),
            self.model.output_dim(),
            outputs.join(", ")
        ));
        Ok(g.finish(&y, self.model.output_dim()))
    }

    /// What [`export_onnx`](Self::export_onnx)'s graph computes for `raw` (rows of the raw
    /// columns it takes), by the engine: the reference its exports are tested against.
    pub fn predict_columns(&mut self, raw: &Matrix) -> Result<Matrix> {
        let x = match self.preprocessing() {
            None => {
                if raw.cols() != 2 {
                    return Err(Error::Shape(format!(
                        "points have 2 columns (x1, x2), not {}",
                        raw.cols()
                    )));
                }
                let pts: Vec<Point> = (0..raw.rows())
                    .map(|r| Point {
                        x: raw.get(r, 0),
                        y: raw.get(r, 1),
                        label: 0.0,
                    })
                    .collect();
                let mut x = feature_matrix(&pts, &self.config.features);
                if let Some(s) = &self.data.standardizer {
                    s.apply(&mut x)?;
                }
                x
            }
            Some(prep) => {
                if raw.cols() != prep.input_dim() {
                    return Err(Error::Shape(format!(
                        "this table's model reads {} columns, not {}",
                        prep.input_dim(),
                        raw.cols()
                    )));
                }
                let fill = fill_values(prep);
                let mut x = raw.clone();
                for r in 0..x.rows() {
                    for (v, f) in x.row_mut(r).iter_mut().zip(&fill) {
                        if v.is_nan() {
                            *v = *f;
                        }
                    }
                }
                prep.scale(&mut x)?;
                x
            }
        };
        let mut out = self.model.predict(&x)?;
        if let Some(t) = self.target_scale() {
            out.as_mut_slice()
                .iter_mut()
                .for_each(|v| *v = t.to_units(*v));
        }
        Ok(out)
    }

    fn target_scale(&self) -> Option<crate::data::csv::encoding::TargetScale> {
        self.preprocessing()
            .filter(|p| p.task == Task::Regression)
            .and_then(|p| p.target)
    }

    /// One name per output: the classes, or the label (`y` for points).
    fn output_names(&self) -> Vec<String> {
        let k = self.model.output_dim();
        let names = self.class_names();
        let label = self
            .preprocessing()
            .map_or("y".to_string(), |p| p.label.clone());
        match self.data.task {
            Task::MultiClass(_) => (0..k)
                .map(|c| names.get(c).cloned().unwrap_or_else(|| c.to_string()))
                .collect(),
            _ => vec![label],
        }
    }
}

/// The config's features of the two columns of `x`, concatenated in the config's order.
fn plane_features(g: &mut Graph, x: &str, features: &[Feature]) -> String {
    let i1 = g.ints("col_x1", &[0]);
    let i2 = g.ints("col_x2", &[1]);
    let x1 = g.op("Gather", &[x, &i1], &[("axis", Attr::Int(1))]);
    let x2 = g.op("Gather", &[x, &i2], &[("axis", Attr::Int(1))]);
    let cols: Vec<String> = features
        .iter()
        .map(|&f| match f {
            Feature::X1 => x1.clone(),
            Feature::X2 => x2.clone(),
            Feature::X1Squared => g.op("Mul", &[&x1, &x1], &[]),
            Feature::X2Squared => g.op("Mul", &[&x2, &x2], &[]),
            Feature::X1X2 => g.op("Mul", &[&x1, &x2], &[]),
            Feature::SinX1 => g.op("Sin", &[&x1], &[]),
            Feature::SinX2 => g.op("Sin", &[&x2], &[]),
            Feature::CosX1 => g.op("Cos", &[&x1], &[]),
            Feature::CosX2 => g.op("Cos", &[&x2], &[]),
        })
        .collect();
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    g.op("Concat", &refs, &[("axis", Attr::Int(1))])
}

/// `(x − mean) / std` with the scaler's statistics (a std that is not a positive finite
/// number counts as 1, as `Standardizer::apply` does); `x` itself without a scaler.
fn standardize(g: &mut Graph, x: &str, s: Option<&Standardizer>) -> String {
    let Some(s) = s else { return x.to_string() };
    let std: Vec<f32> = s
        .std
        .iter()
        .map(|&v| if v.is_finite() && v > 0.0 { v } else { 1.0 })
        .collect();
    let mean = g.constant("mean", &[s.mean.len()], &s.mean);
    let std = g.constant("std", &[std.len()], &std);
    let centred = g.op("Sub", &[x, &mean], &[]);
    g.op("Div", &[&centred, &std], &[])
}

/// The value a missing (NaN) input takes: a numeric column's fill; for a text column's
/// one-hot inputs, those of its fill value (the most frequent one), as the page encodes a
/// missing text cell.
fn fill_values(prep: &Preprocessing) -> Vec<f32> {
    let mut out = Vec::with_capacity(prep.input_dim());
    for c in &prep.columns {
        match &c.encoding {
            ColumnEncoding::Numeric { fill } => out.push(*fill),
            ColumnEncoding::OneHot { categories, fill } => {
                out.extend((0..categories.len()).map(|j| f32::from(j == *fill)))
            }
        }
    }
    out
}

/// `Where(IsNaN(x), fill, x)`: missing cells filled as the table's preprocessing does.
fn fill_missing(g: &mut Graph, x: &str, prep: &Preprocessing) -> String {
    let fill = fill_values(prep);
    let fill = g.constant("fill", &[fill.len()], &fill);
    let nan = g.op("IsNaN", &[x], &[]);
    g.op("Where", &[&nan, &fill, x], &[])
}
