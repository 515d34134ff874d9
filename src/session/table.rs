//! Session calls for uploaded tables: the load report, the input names, the map's slice,
//! the preprocessing kept in model files, and predictions written as CSV (of the session's
//! rows, or of a new file with the same columns).

use serde_json::Value;

use super::slice::{Axis, SliceInfo};
use super::Session;
use crate::data::csv::encoding::Preprocessing;
use crate::data::csv::prepare::LoadReport;
use crate::data::csv::table::{excerpt, read_table};
use crate::data::csv::write::CsvWriter;
use crate::data::features::feature_name;
use crate::data::Task;
use crate::{Error, Matrix, Result};

impl Session {
    /// True when the data is an uploaded table (not 2-D points).
    pub fn is_table(&self) -> bool {
        self.data.table().is_some()
    }

    /// Rows of the data, both splits.
    pub fn row_count(&self) -> usize {
        self.data.len()
    }

    /// What loading the table did to its rows and cells.
    pub fn load_report(&self) -> Option<&LoadReport> {
        match self.data.table() {
            Some(t) => Some(&t.prepared.report),
            None => self.load_report.as_ref(),
        }
    }

    /// The table's preprocessing (columns, encoding, fill values, scalers).
    pub fn preprocessing(&self) -> Option<&Preprocessing> {
        self.data.table().map(|t| &t.prepared.prep)
    }

    /// The rows the model trains and is tested on, as it reads them (features computed,
    /// inputs encoded and scaled, targets encoded): `(train_x, train_y, test_x, test_y)`.
    /// Fitting a copy of [`model`](Self::model) on them with the Keras-style API gives the
    /// session's own run.
    pub fn split_matrices(&self) -> (&Matrix, &Matrix, &Matrix, &Matrix) {
        let d = &self.data;
        (&d.train_x, &d.train_y, &d.test_x, &d.test_y)
    }

    /// The validation rows as the model reads them: `(x, y)`, empty without a split.
    pub fn validation_xy(&self) -> (&Matrix, &Matrix) {
        (&self.data.val_x, &self.data.val_y)
    }

    /// One name per model input: feature names for points, column names (or
    /// `column=category`) for a table.
    pub fn input_names(&self) -> Vec<String> {
        match self.data.table() {
            Some(t) => t.prepared.prep.input_names(),
            None => self
                .config
                .features
                .iter()
                .map(|&f| feature_name(f).to_string())
                .collect(),
        }
    }

    /// Class names of the data (empty for regression, or when the indices are the names).
    pub fn class_names(&self) -> Vec<String> {
        self.data
            .table()
            .map(|t| t.prepared.prep.class_names.clone())
            .unwrap_or_default()
    }

    /// The map's axes, their choices and the held values (tables only).
    pub fn slice_info(&self) -> Option<SliceInfo> {
        match (self.data.table(), &self.slice) {
            (Some(t), Some(s)) => Some(s.info(t)),
            _ => None,
        }
    }

    /// Chooses the map's axes and the held value of every input column (see
    /// [`SliceInfo::held`]). On error the slice stays as it was.
    pub fn set_slice(&mut self, x: Axis, y: Axis, held: &[f32]) -> Result<()> {
        let (Some(t), Some(s)) = (self.data.table(), self.slice.as_mut()) else {
            return Err(Error::InvalidData(
                "the map's axes can be chosen for uploaded tables; 2-D data always shows x₁ and x₂"
                    .into(),
            ));
        };
        s.set(t, x, y, held)?;
        self.grid_cache = None;
        Ok(())
    }

    /// `json` (a model file) with the table's preprocessing added under `"preprocessing"`.
    pub(super) fn with_preprocessing(&self, json: String) -> String {
        let Some(prep) = self.preprocessing() else {
            return json;
        };
        let Ok(mut doc) = serde_json::from_str::<Value>(&json) else {
            return json;
        };
        if let (Value::Object(map), Ok(p)) = (&mut doc, serde_json::to_value(prep)) {
            map.insert("preprocessing".into(), p);
        }
        serde_json::to_string(&doc).unwrap_or(json)
    }

    /// Refuses a model file whose preprocessing names columns the current table lacks.
    pub(super) fn check_preprocessing(&self, json: &str) -> Result<()> {
        let Some(prep) = read_preprocessing(json)? else {
            return Ok(());
        };
        match self.data.table() {
            Some(t) => {
                prep.locate(&t.raw)?;
                if prep.input_names() != t.prepared.prep.input_names() {
                    return Err(Error::Format(format!(
                        "this model reads the inputs {}, but the loaded table gives {}; load the table it was trained on, or choose the same columns",
                        short_list(&prep.input_names()),
                        short_list(&t.prepared.prep.input_names())
                    )));
                }
                Ok(())
            }
            None => {
                Err(Error::Format(format!(
                "this model was trained on a table with the columns {}; load such a table first",
                short_list(&prep.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
            )))
            }
        }
    }

    /// Predictions for the test rows (or all rows) of the current table or points, as CSV:
    /// the row's inputs as written, its truth, the prediction and, for classes, one
    /// probability column per class. Regression values are in the target's own units.
    pub fn predictions_csv(&mut self, all: bool) -> Result<String> {
        let chosen: Vec<usize> = (0..self.data.len())
            .filter(|&i| all || self.data.is_test[i])
            .collect();
        let x = self.model_inputs(&chosen)?;
        let out = self.model.predict(&x)?;
        let mut w = CsvWriter::for_download();
        let class_names = self.class_names();
        let task = self.data.task;
        let mut header: Vec<String> = self.row_input_header();
        header.extend(["truth".to_string(), "prediction".to_string()]);
        let k = task.classes();
        if task.is_classification() {
            header.extend((0..k).map(|c| format!("p({})", class_label(&class_names, c))));
        }
        write(&mut w, &header);
        let truths = self.truths();
        let probs = self.probabilities(out);
        for (j, &i) in chosen.iter().enumerate() {
            let mut row = self.row_inputs_text(i);
            if task.is_classification() {
                let p = &probs[j * k..(j + 1) * k];
                let best = (0..k).fold(0, |b, c| if p[c] > p[b] { c } else { b });
                row.push(class_label(&class_names, truths[i] as usize));
                row.push(class_label(&class_names, best));
                row.extend(p.iter().map(f32::to_string));
            } else {
                row.push(truths[i].to_string());
                row.push(probs[j].to_string());
            }
            write(&mut w, &row);
        }
        Ok(w.finish())
    }

    /// Predictions for every row of a new CSV file with the columns the table's model was
    /// trained on (extra columns are ignored; a missing one is named). The file's own label
    /// column is not needed.
    pub fn predict_csv(&mut self, text: &str) -> Result<String> {
        let Some(prep) = self.preprocessing().cloned() else {
            return Err(Error::InvalidData(
                "predicting on a file needs a model trained on an uploaded table; load one first"
                    .into(),
            ));
        };
        let raw = read_table(text, None)?;
        let x = prep.inputs_for(&raw)?;
        let out = self.model.predict(&x)?;
        let probs = self.probabilities(out);
        let k = self.data.task.classes();
        let names = &prep.class_names;
        let mut w = CsvWriter::for_download();
        let mut header = raw.names.clone();
        header.push("prediction".into());
        if k > 0 {
            header.extend((0..k).map(|c| format!("p({})", class_label(names, c))));
        }
        write(&mut w, &header);
        for r in 0..raw.rows() {
            let mut row: Vec<String> = raw.columns.iter().map(|c| c.text(r)).collect();
            if k > 0 {
                let p = &probs[r * k..(r + 1) * k];
                let best = (0..k).fold(0, |b, c| if p[c] > p[b] { c } else { b });
                row.push(class_label(names, best));
                row.extend(p.iter().map(f32::to_string));
            } else {
                row.push(probs[r].to_string());
            }
            write(&mut w, &row);
        }
        Ok(w.finish())
    }

    /// Model inputs (scaled) of the session's rows `idx` (indices over both splits).
    pub(super) fn model_inputs(&self, idx: &[usize]) -> Result<Matrix> {
        // Rows sit in the split matrices in order; map each row to its place there.
        let mut place = Vec::with_capacity(self.data.len());
        let mut next = [0usize; 3];
        for i in 0..self.data.len() {
            let split = self.data.split_of(i);
            let slot = &mut next[split as usize];
            place.push((split, *slot));
            *slot += 1;
        }
        let d = self.data.train_x.cols();
        let mut out = Vec::with_capacity(idx.len() * d);
        for &i in idx {
            let (split, at) = place[i];
            let (x, _) = self.data.part(split);
            out.extend_from_slice(x.row(at));
        }
        Matrix::from_vec(idx.len(), d, out)
    }

    /// Every row's truth: the class index, or the target in its own units.
    pub(super) fn truths(&self) -> Vec<f32> {
        match (self.data.table(), self.data.points()) {
            (Some(t), _) => t.prepared.y.clone(),
            (None, Some(p)) => p.iter().map(|p| p.label).collect(),
            _ => Vec::new(),
        }
    }

    /// Outputs as class probabilities (`rows × K`, binary as `[1 − p, p]`), or regression
    /// values in the target's units.
    pub(super) fn probabilities(&self, out: Matrix) -> Vec<f32> {
        let task = self.data.task;
        let target = self.preprocessing().and_then(|p| p.target);
        let display = self.to_display(out);
        match task {
            Task::Regression => match target {
                Some(t) => display.into_iter().map(|v| t.to_units(v)).collect(),
                None => display,
            },
            Task::Binary => display
                .into_iter()
                .flat_map(|v| {
                    let p = ((v + 1.0) / 2.0).clamp(0.0, 1.0);
                    [1.0 - p, p]
                })
                .collect(),
            Task::MultiClass(_) => display,
        }
    }

    fn row_input_header(&self) -> Vec<String> {
        match self.data.table() {
            Some(t) => t
                .prepared
                .prep
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect(),
            None => vec!["x1".into(), "x2".into()],
        }
    }

    fn row_inputs_text(&self, i: usize) -> Vec<String> {
        match (self.data.table(), self.data.points()) {
            (Some(t), _) => {
                let r = t.prepared.rows[i];
                t.prepared
                    .prep
                    .columns
                    .iter()
                    .map(|c| {
                        t.raw
                            .names
                            .iter()
                            .position(|n| n == &c.name)
                            .map_or_else(String::new, |j| t.raw.columns[j].text(r))
                    })
                    .collect()
            }
            (None, Some(p)) => vec![p[i].x.to_string(), p[i].y.to_string()],
            _ => Vec::new(),
        }
    }
}

fn class_label(names: &[String], c: usize) -> String {
    names.get(c).cloned().unwrap_or_else(|| c.to_string())
}

fn write(w: &mut CsvWriter, row: &[String]) {
    w.record(row);
}

fn short_list(names: &[String]) -> String {
    let mut s: Vec<String> = names
        .iter()
        .take(8)
        .map(|n| format!("\"{}\"", excerpt(n)))
        .collect();
    if names.len() > 8 {
        s.push(format!("and {} more", names.len() - 8));
    }
    s.join(", ")
}

/// The `"preprocessing"` section of a model file, if it has one.
pub(super) fn read_preprocessing(json: &str) -> Result<Option<Preprocessing>> {
    /// The one section, read by the engine's one JSON reader (the rest is skipped).
    #[derive(serde::Deserialize)]
    struct Section {
        #[serde(default)]
        preprocessing: Option<Preprocessing>,
    }
    match crate::input::from_json::<Section>(json) {
        Ok(doc) => Ok(doc.preprocessing),
        Err(e) if e.path.starts_with("preprocessing") => Err(Error::Format(format!(
            "the model file's \"preprocessing\" section cannot be read: {}",
            e.message()
        ))),
        Err(e) => Err(Error::Format(format!(
            "the model file is not JSON: {}",
            e.error
        ))),
    }
}
