//! From a raw table and the user's column choices to training data: label and feature
//! columns, the task, missing cells, one-hot encoding, a seeded (stratified) split, and the
//! fitted [`Preprocessing`] that turns raw columns into model inputs.

use serde::Serialize;

use super::encoding::{ColumnEncoding, InputColumn, MissingPolicy, Preprocessing, TargetScale};
use super::labels::{class_labels, detect_regression, regression_labels};
use super::table::{excerpt, RawColumn, RawTable, MISSING_CODE, OVERFLOW_CODE};
use super::CsvOptions;
use crate::data::split::{shuffled_split, stratified_split, Standardizer};
use crate::data::Task;
use crate::{Error, Matrix, Result, Rng};

/// Most distinct values a text feature column may have (each becomes one input).
pub const MAX_CATEGORIES: usize = 32;

/// The task override is part of the table's options, a description in `spec`.
pub use crate::spec::TaskKind;

/// What loading did to the rows and cells, for the page to say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    pub rows_read: usize,
    pub rows_used: usize,
    /// Rows left out because their label was missing.
    pub dropped_missing_label: usize,
    /// Rows left out because a feature cell was missing (policy `drop`).
    pub dropped_missing_features: usize,
    /// Missing feature cells among the rows with a label.
    pub missing_cells: usize,
    /// Cells filled in (policy `fill`).
    pub filled_cells: usize,
    /// Columns left out of the default "all columns" choice, each with the reason.
    pub skipped: Vec<String>,
}

/// A table ready for the session: encoded inputs before scaling, targets, split, encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedTable {
    /// `n × d`: encoded and filled inputs of the rows used, unscaled.
    pub x: Matrix,
    /// Class index, or the target in its own units.
    pub y: Vec<f32>,
    /// The raw-table row of each used row.
    pub rows: Vec<usize>,
    pub is_test: Vec<bool>,
    pub prep: Preprocessing,
    pub report: LoadReport,
}

/// Applies `opts` to `raw`: see the module docs. `standardize` scales numeric inputs (and a
/// regression target) with training statistics; `split_rng` draws the split.
///
/// Errors name the column or setting: an unknown column, a label chosen as a feature, no
/// feature left, a chosen feature that is constant, all missing or text with more than
/// [`MAX_CATEGORIES`] values, a label with one class, a task override that does not fit.
pub fn prepare(
    raw: &RawTable,
    opts: &CsvOptions,
    train_ratio: f32,
    standardize: bool,
    split_rng: &mut Rng,
) -> Result<PreparedTable> {
    let label = label_column(raw, opts)?;
    let mut report = LoadReport {
        rows_read: raw.rows(),
        ..LoadReport::default()
    };
    let features = feature_columns(raw, opts, label, &mut report)?;
    let labelled: Vec<usize> = (0..raw.rows())
        .filter(|&r| !raw.columns[label].is_missing(r))
        .collect();
    report.dropped_missing_label = raw.rows() - labelled.len();
    report.missing_cells = labelled
        .iter()
        .map(|&r| {
            features
                .iter()
                .filter(|&&c| raw.columns[c].is_missing(r))
                .count()
        })
        .sum();
    let rows: Vec<usize> = match opts.missing {
        MissingPolicy::Fill => labelled,
        MissingPolicy::Drop => labelled
            .into_iter()
            .filter(|&r| features.iter().all(|&c| !raw.columns[c].is_missing(r)))
            .collect(),
    };
    report.dropped_missing_features = raw.rows() - report.dropped_missing_label - rows.len();
    if rows.len() < 2 {
        return Err(Error::InvalidData(format!(
            "only {} row(s) are left after leaving out rows with missing cells; choose \"fill\" for missing values or fewer columns",
            rows.len()
        )));
    }
    report.rows_used = rows.len();
    let (y, task, class_names) = targets(raw, opts, label, &rows)?;

    let is_test = split(&y, task, train_ratio, split_rng, rows.len());
    let train: Vec<usize> = (0..rows.len()).filter(|&i| !is_test[i]).collect();

    let columns: Vec<InputColumn> = features
        .iter()
        .map(|&c| fitted_column(raw, c, &rows, &train))
        .collect();
    if opts.missing == MissingPolicy::Fill {
        report.filled_cells = report.missing_cells;
    }
    let mut prep = Preprocessing {
        label: raw.names[label].clone(),
        task,
        class_names,
        columns,
        missing: opts.missing,
        scaler: None,
        target: None,
    };
    let x = prep.encode_rows(raw, &features, &rows);
    if standardize {
        let mut train_x = Matrix::zeros(0, x.cols());
        train_x.gather_rows(&x, &train);
        let mut s = Standardizer::fit(&train_x);
        for g in prep.groups().iter().zip(&prep.columns) {
            if matches!(g.1.encoding, ColumnEncoding::OneHot { .. }) {
                for &j in g.0 {
                    s.mean[j] = 0.0;
                    s.std[j] = 1.0;
                }
            }
        }
        prep.scaler = Some(s);
        if task == Task::Regression {
            prep.target = Some(target_scale(&y, &train));
        }
    }
    Ok(PreparedTable {
        x,
        y,
        rows,
        is_test,
        prep,
        report,
    })
}

fn label_column(raw: &RawTable, opts: &CsvOptions) -> Result<usize> {
    match opts.label_column.as_deref() {
        None => Ok(raw.width() - 1),
        Some(name) => raw.find(name).ok_or_else(|| {
            Error::InvalidConfig(format!(
                "label column \"{}\" does not exist; the columns are {}",
                excerpt(name),
                list(&raw.names)
            ))
        }),
    }
}

fn list(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(20)
        .map(|n| format!("\"{}\"", excerpt(n)))
        .collect();
    let more = names.len().saturating_sub(20);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Why a column cannot be a feature, if it cannot.
fn unusable(raw: &RawTable, c: usize) -> Option<String> {
    let name = excerpt(&raw.names[c]);
    match &raw.columns[c] {
        RawColumn::Numeric(v) => {
            let mut present = v.iter().filter(|x| !x.is_nan());
            let Some(first) = present.next() else {
                return Some(format!(
                    "column \"{name}\" has no values (every cell is missing)"
                ));
            };
            present.all(|x| x == first).then(|| {
                format!("column \"{name}\" is {first} in every row, so it cannot tell rows apart")
            })
        }
        RawColumn::Text {
            codes,
            values,
            overflow,
        } => {
            if *overflow || values.len() > MAX_CATEGORIES {
                Some(format!(
                    "text column \"{name}\" has {}{} distinct values; at most {MAX_CATEGORIES} can be one-hot encoded",
                    if *overflow { "more than " } else { "" },
                    values.len()
                ))
            } else if codes.iter().all(|&k| k == MISSING_CODE) {
                Some(format!(
                    "column \"{name}\" has no values (every cell is missing)"
                ))
            } else if values.len() == 1 {
                Some(format!(
                    "column \"{name}\" is \"{}\" in every row, so it cannot tell rows apart",
                    excerpt(&values[0])
                ))
            } else {
                None
            }
        }
    }
}

fn feature_columns(
    raw: &RawTable,
    opts: &CsvOptions,
    label: usize,
    report: &mut LoadReport,
) -> Result<Vec<usize>> {
    let chosen: Vec<usize> = match &opts.features {
        None => {
            let mut out = Vec::new();
            for c in (0..raw.width()).filter(|&c| c != label) {
                match unusable(raw, c) {
                    Some(why) => report.skipped.push(why),
                    None => out.push(c),
                }
            }
            out
        }
        Some(names) => {
            let mut out = Vec::with_capacity(names.len());
            for n in names {
                let c = raw.find(n).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "feature column \"{}\" does not exist; the columns are {}",
                        excerpt(n),
                        list(&raw.names)
                    ))
                })?;
                if c == label {
                    return Err(Error::InvalidConfig(format!(
                        "column \"{}\" is the label, so it cannot also be a feature; untick it",
                        excerpt(n)
                    )));
                }
                if let Some(why) = unusable(raw, c) {
                    return Err(Error::InvalidData(format!("{why}; untick it")));
                }
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        }
    };
    if chosen.is_empty() {
        return Err(Error::InvalidConfig(
            "no feature column is left to learn from; tick at least one column besides the label"
                .into(),
        ));
    }
    Ok(chosen)
}

fn targets(
    raw: &RawTable,
    opts: &CsvOptions,
    label: usize,
    rows: &[usize],
) -> Result<(Vec<f32>, Task, Vec<String>)> {
    let col = &raw.columns[label];
    let labels: Vec<String> = rows.iter().map(|&r| col.text(r)).collect();
    if matches!(col, RawColumn::Text { overflow: true, .. }) {
        return Err(super::labels::too_many_classes(super::MAX_CLASSES + 1));
    }
    let at = |i: usize| (raw.lines[rows[i]], label + 1);
    let name = excerpt(&raw.names[label]);
    let regression = match (opts.kind, opts.task) {
        (Some(TaskKind::Regression), _) | (None, Some(Task::Regression)) => {
            if let RawColumn::Text { values, .. } = col {
                return Err(Error::InvalidConfig(format!(
                    "the label column \"{name}\" holds text (\"{}\"), so it cannot be a regression target; choose classification",
                    excerpt(&values[0])
                )));
            }
            true
        }
        (Some(TaskKind::Classification), _) | (None, Some(_)) => false,
        (None, None) => detect_regression(&labels, at)?,
    };
    if regression {
        return Ok((
            regression_labels(&labels, at)?,
            Task::Regression,
            Vec::new(),
        ));
    }
    let forced = opts
        .task
        .filter(|t| t.is_classification() && opts.kind.is_none());
    let (y, names, task) = class_labels(&labels, at, forced).map_err(|e| match e {
        Error::InvalidData(m) if m.contains("at least two classes") => Error::InvalidData(
            format!("the label column \"{name}\" has a single class in the rows used; a classifier needs at least two (choose another label column)"),
        ),
        other => other,
    })?;
    Ok((y, task, names))
}

fn split(y: &[f32], task: Task, ratio: f32, rng: &mut Rng, n: usize) -> Vec<bool> {
    let (_, test) = if task.is_classification() {
        let classes: Vec<usize> = y.iter().map(|&v| v as usize).collect();
        stratified_split(&classes, task.classes(), ratio, rng)
    } else {
        shuffled_split(n, ratio, rng)
    };
    let mut is_test = vec![false; n];
    for i in test {
        is_test[i] = true;
    }
    is_test
}

/// The encoding of source column `c` with its fill value from the training rows
/// (`train` indexes `rows`).
fn fitted_column(raw: &RawTable, c: usize, rows: &[usize], train: &[usize]) -> InputColumn {
    let encoding = match &raw.columns[c] {
        RawColumn::Numeric(v) => {
            let mean = |idx: &mut dyn Iterator<Item = usize>| {
                let (s, n) = idx
                    .map(|r| v[r])
                    .filter(|x| !x.is_nan())
                    .fold((0.0f64, 0usize), |(s, n), x| (s + f64::from(x), n + 1));
                (n > 0).then(|| (s / n as f64) as f32)
            };
            let fill = mean(&mut train.iter().map(|&i| rows[i]))
                .or_else(|| mean(&mut rows.iter().copied()))
                .unwrap_or(0.0);
            ColumnEncoding::Numeric { fill }
        }
        RawColumn::Text { codes, values, .. } => {
            let mut counts = vec![0usize; values.len()];
            for &i in train {
                let k = codes[rows[i]];
                if k != MISSING_CODE && k != OVERFLOW_CODE {
                    counts[k as usize] += 1;
                }
            }
            // Most frequent; ties go to the value seen first.
            let fill = (0..counts.len())
                .max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))
                .unwrap_or(0);
            ColumnEncoding::OneHot {
                categories: values.clone(),
                fill,
            }
        }
    };
    InputColumn {
        name: raw.names[c].clone(),
        encoding,
    }
}

fn target_scale(y: &[f32], train: &[usize]) -> TargetScale {
    let n = train.len().max(1) as f64;
    let mean = train.iter().map(|&i| f64::from(y[i])).sum::<f64>() / n;
    let var = train
        .iter()
        .map(|&i| (f64::from(y[i]) - mean).powi(2))
        .sum::<f64>()
        / n;
    let std = var.sqrt() as f32;
    TargetScale {
        mean: mean as f32,
        std: if std.is_finite() && std > 0.0 {
            std
        } else {
            1.0
        },
    }
}
