//! Datasets: labelled points, the `Dataset` the model trains on, and its invariants.
//!
//! Built-in sets come from [`generators`] as 2-D [`Point`]s and become feature matrices
//! through [`features`]; uploaded files come from [`csv`]. Either way the result is a
//! [`Dataset`] whose [`Dataset::validate`] has passed.
//!
//! ```
//! use nn_playground::data::{generators, split, Dataset, Task};
//! use nn_playground::{DatasetKind, Feature, Rng};
//!
//! let mut rng = Rng::new(1);
//! let points = generators::generate(DatasetKind::Circle, 500, 10.0, 2, &mut rng)?;
//! let ds = Dataset::from_points(&points, &[Feature::X1, Feature::X2], Task::Binary);
//! ds.validate()?;
//! let (train, test) = split::shuffled_split(ds.len(), 50.0, &mut rng);
//! let (train, test) = (ds.subset(&train), ds.subset(&test));
//! let scaler = split::Standardizer::fit(&train.x);
//! let mut x = test.x.clone();
//! scaler.apply(&mut x)?;
//! assert_eq!((train.len(), test.len()), (250, 250));
//! # Ok::<(), nn_playground::Error>(())
//! ```

pub mod csv;
pub mod features;
pub mod generators;
pub mod pca;
pub mod sequence;
pub mod slice;
pub mod split;

use serde::{Deserialize, Serialize};

use crate::spec::{DatasetKind, Feature};
use crate::{Error, Matrix, Result};

/// One 2-D example. For classification `label` is the class index (0 or 1 for the binary
/// sets, `0..K` for the K-class spiral); for regression it is the target value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    pub label: f32,
}

/// What the labels mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A real-valued target.
    Regression,
    /// Two classes, indices 0 and 1 (1 is the positive class).
    Binary,
    /// `K` classes, indices `0..K`.
    MultiClass(usize),
}

impl Task {
    /// Number of classes: 2 for [`Task::Binary`], `K` for [`Task::MultiClass`], 0 for regression.
    pub fn classes(self) -> usize {
        match self {
            Task::Regression => 0,
            Task::Binary => 2,
            Task::MultiClass(k) => k,
        }
    }

    /// True for [`Task::Binary`] and [`Task::MultiClass`].
    pub fn is_classification(self) -> bool {
        !matches!(self, Task::Regression)
    }

    /// The task a built-in dataset poses; `classes` is only read for [`DatasetKind::KSpiral`].
    /// `Custom` data has no fixed task and is reported as [`Task::Binary`].
    pub fn for_kind(kind: DatasetKind, classes: usize) -> Task {
        match kind {
            _ if kind.is_regression() => Task::Regression,
            DatasetKind::KSpiral => Task::MultiClass(classes),
            _ => Task::Binary,
        }
    }
}

/// Examples as a feature matrix `x: n×d` and a label column `y: n×1`.
///
/// For classification `y` holds the class index `0..K` as `f32`; for regression the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub x: Matrix,
    pub y: Matrix,
    pub task: Task,
    /// One name per column of `x`, or empty.
    pub feature_names: Vec<String>,
    /// One name per class, or empty (then the index is the name). Empty for regression.
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Turns generated points into a dataset with the given input features.
    pub fn from_points(points: &[Point], features: &[Feature], task: Task) -> Dataset {
        Dataset {
            x: features::feature_matrix(points, features),
            y: features::labels(points),
            task,
            feature_names: features
                .iter()
                .map(|&f| features::feature_name(f).to_string())
                .collect(),
            class_names: Vec::new(),
        }
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.x.rows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of input columns.
    pub fn dim(&self) -> usize {
        self.x.cols()
    }

    /// The examples at `indices`, in that order (repeats allowed).
    ///
    /// # Panics
    /// If an index is `>= self.len()`: indices come from [`split`], so that is a broken
    /// invariant, not a user error.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut x = Matrix::zeros(0, self.x.cols());
        x.gather_rows(&self.x, indices);
        let mut y = Matrix::zeros(0, self.y.cols());
        y.gather_rows(&self.y, indices);
        Dataset {
            x,
            y,
            task: self.task,
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
        }
    }

    /// Checks every invariant the model relies on, naming the first offending row and column.
    ///
    /// Rows and columns in messages are 1-based, as a person counts them in a table.
    pub fn validate(&self) -> Result<()> {
        let (n, d) = self.x.shape();
        if self.y.rows() != n || self.y.cols() != 1 {
            return Err(Error::InvalidData(format!(
                "{n} examples but {} labels in a {}×{} label matrix; give exactly one label per example",
                self.y.rows() * self.y.cols(),
                self.y.rows(),
                self.y.cols()
            )));
        }
        if !self.feature_names.is_empty() && self.feature_names.len() != d {
            return Err(Error::InvalidData(format!(
                "{} feature names for {d} feature columns; give one name per column or none",
                self.feature_names.len()
            )));
        }
        for r in 0..n {
            if let Some(c) = self.x.row(r).iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidData(format!(
                    "row {}, feature column {} ({}) is {}; remove the row or replace the value with a finite number",
                    r + 1,
                    c + 1,
                    self.feature_names.get(c).map_or("unnamed", String::as_str),
                    self.x.get(r, c)
                )));
            }
        }
        if let Some(r) = self.y.as_slice().iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidData(format!(
                "row {}: the label is {}; remove the row or give a finite label",
                r + 1,
                self.y.get(r, 0)
            )));
        }
        match self.task {
            Task::Regression => {
                if !self.class_names.is_empty() {
                    return Err(Error::InvalidData(
                        "a regression dataset cannot have class names; choose a classification task or drop them".into(),
                    ));
                }
            }
            Task::Binary | Task::MultiClass(_) => self.validate_classes()?,
        }
        Ok(())
    }

    fn validate_classes(&self) -> Result<()> {
        let k = self.task.classes();
        if k < 2 {
            return Err(Error::InvalidData(format!(
                "a classification task needs at least 2 classes, not {k}"
            )));
        }
        if !self.class_names.is_empty() && self.class_names.len() != k {
            return Err(Error::InvalidData(format!(
                "{} class names for {k} classes; give one name per class or none",
                self.class_names.len()
            )));
        }
        for (r, &v) in self.y.as_slice().iter().enumerate() {
            if v < 0.0 || v.fract() != 0.0 || v >= k as f32 {
                return Err(Error::InvalidData(format!(
                    "row {}: label {v} is not a class index 0..{}; classification labels must be whole numbers from 0 to {}",
                    r + 1,
                    k,
                    k - 1
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        Dataset {
            x: Matrix::from_vec(3, 2, vec![1., 2., 3., 4., 5., 6.]).unwrap(),
            y: Matrix::from_vec(3, 1, vec![0., 1., 1.]).unwrap(),
            task: Task::Binary,
            feature_names: vec!["a".into(), "b".into()],
            class_names: vec![],
        }
    }

    #[test]
    fn subset_picks_rows_in_order() {
        let s = tiny().subset(&[2, 0]);
        assert_eq!(s.x.as_slice(), &[5., 6., 1., 2.]);
        assert_eq!(s.y.as_slice(), &[1., 0.]);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn validate_names_the_bad_cell() {
        let mut d = tiny();
        assert!(d.validate().is_ok());
        d.x.set(1, 1, f32::NAN);
        let Err(Error::InvalidData(m)) = d.validate() else {
            panic!("NaN accepted")
        };
        assert!(m.contains("row 2") && m.contains("column 2"), "{m}");
    }

    #[test]
    fn validate_rejects_class_out_of_range() {
        let mut d = tiny();
        d.y.set(0, 0, 2.0);
        assert!(matches!(d.validate(), Err(Error::InvalidData(m)) if m.contains("row 1")));
        d.y.set(0, 0, 0.5);
        assert!(d.validate().is_err());
    }
}
