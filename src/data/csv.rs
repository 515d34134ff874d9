//! CSV upload: parsing a table into a [`Dataset`] with line-and-column errors, and writing
//! one back so that `parse_csv(&to_csv(ds))` returns `ds`.
//!
//! Numbers are read with Rust's `f32` syntax (`1`, `-0.5`, `2e3`); fields are trimmed.
//! The delimiter is `,`, or a tab or `;` when the first line has no comma but one of those.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Dataset, Point, Task};
use crate::{Error, Matrix, Result};

/// Largest text accepted, in bytes.
pub const MAX_CSV_BYTES: usize = 10 * 1024 * 1024;
/// Most data rows (not counting a header).
pub const MAX_ROWS: usize = 100_000;
/// Most columns, label included.
pub const MAX_COLUMNS: usize = 256;
/// Most distinct classes in a label column.
pub const MAX_CLASSES: usize = 256;
/// Detection treats numeric labels as classes when they are integers with at most this
/// many distinct values.
pub const MAX_DETECTED_CLASSES: usize = 10;

/// How to read a table. `Default` detects everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvOptions {
    /// The label column: a header name, or a 0-based index written as text. `None` = last.
    pub label_column: Option<String>,
    /// `None` = detect: the first row is a header when one of its non-empty fields is not a
    /// number while the field below it is (with a single row: when no field is a number).
    pub has_header: Option<bool>,
    /// `None` = detect: classification when some label is not a number, or when all are
    /// integers with at most [`MAX_DETECTED_CLASSES`] distinct values; else regression.
    pub task: Option<Task>,
}

/// Reads a table whose columns are numeric features plus one label column.
///
/// Class labels map to indices as follows: when they are exactly the integers `0..K` they
/// are the indices themselves (and `class_names` stays empty); other numeric labels are
/// ranked in ascending order (`-1, 1` → `0, 1`); text labels are numbered in order of first
/// appearance. `class_names` then holds the labels as written. Feature names come from the
/// header, or are `x1, x2, …` without one.
///
/// Errors: [`Error::Limit`] for a text over [`MAX_CSV_BYTES`], more than [`MAX_ROWS`] rows,
/// more than [`MAX_COLUMNS`] columns or [`MAX_CLASSES`] classes (checked before any
/// per-row storage); [`Error::Csv`] (1-based line and column, header counted) for a field
/// that is not a finite number, an empty label or a row with the wrong number of fields;
/// [`Error::InvalidData`] for an empty file, a header without rows, fewer than two columns,
/// a single class, or more classes than the chosen task has; [`Error::InvalidConfig`] for a
/// label column that does not exist.
pub fn parse_csv(text: &str, opts: &CsvOptions) -> Result<Dataset> {
    if text.len() > MAX_CSV_BYTES {
        return Err(Error::Limit(format!(
            "the file is {:.1} MB; files up to {} MB can be loaded",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_CSV_BYTES / (1024 * 1024)
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let (first_rows, records) = scan(text, delimiter)?;
    let Some(first) = first_rows.first() else {
        return Err(Error::InvalidData(
            "the file is empty; expected rows of numbers separated by commas".into(),
        ));
    };
    let width = first.fields.len();
    let has_header = opts
        .has_header
        .unwrap_or_else(|| looks_like_header(&first_rows));
    if records - usize::from(has_header) > MAX_ROWS {
        return Err(too_many_rows());
    }
    let header: Option<Vec<String>> = has_header.then(|| first.fields.clone());
    if width < 2 {
        return Err(Error::InvalidData(format!(
            "the table has {width} column; it needs at least one feature column and a label column"
        )));
    }
    let label_col = resolve_label_column(opts.label_column.as_deref(), header.as_deref(), width)?;
    let feature_names: Vec<String> = match &header {
        Some(h) => h
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != label_col)
            .map(|(_, s)| s.clone())
            .collect(),
        None => (1..width).map(|j| format!("x{j}")).collect(),
    };

    let mut reader = reader(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut x = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut skip_header = has_header;
    while read(&mut reader, &mut record)? {
        let line = line_of(&record);
        if std::mem::take(&mut skip_header) {
            continue;
        }
        if record.len() != width {
            return Err(Error::Csv {
                line,
                column: None,
                message: format!(
                    "found {} fields, expected {width} like the first row",
                    record.len()
                ),
            });
        }
        for (c, field) in record.iter().enumerate() {
            if c == label_col {
                labels.push(field.to_string());
            } else {
                x.push(parse_finite(field, line, c)?);
            }
        }
        lines.push(line);
    }
    let n = labels.len();
    if n == 0 {
        return Err(Error::InvalidData(
            "the file has a header row but no data rows".into(),
        ));
    }
    let x = Matrix::from_vec(n, width - 1, x)?;
    let at = |i: usize| (lines[i], label_col + 1);
    let regression = match opts.task {
        Some(t) => t == Task::Regression,
        None => detect_regression(&labels, at)?,
    };
    let (y, class_names, task) = if regression {
        (
            regression_labels(&labels, at)?,
            Vec::new(),
            Task::Regression,
        )
    } else {
        class_labels(&labels, at, opts.task)?
    };
    let ds = Dataset {
        x,
        y: Matrix::from_vec(n, 1, y)?,
        task,
        feature_names,
        class_names,
    };
    ds.validate()?;
    Ok(ds)
}

/// Writes `ds` as CSV: a header of the feature names (or `x1, x2, …` where missing) and
/// `label`, then one row per example. Class labels are written as their class names when
/// `class_names` has them, else as the index. Floats use the shortest text that reads back
/// to the same `f32`.
pub fn to_csv(ds: &Dataset) -> String {
    let d = ds.x.cols();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = (0..d).map(|j| {
        ds.feature_names
            .get(j)
            .cloned()
            .unwrap_or_else(|| format!("x{}", j + 1))
    });
    let mut row: Vec<String> = header.chain(["label".to_string()]).collect();
    write_row(&mut w, &row);
    for r in 0..ds.len().min(ds.y.rows()) {
        row.clear();
        row.extend(ds.x.row(r).iter().map(f32::to_string));
        let v = ds.y.get(r, 0);
        let label = if ds.task.is_classification() && v >= 0.0 && v.fract() == 0.0 {
            ds.class_names
                .get(v as usize)
                .cloned()
                .unwrap_or_else(|| v.to_string())
        } else {
            v.to_string()
        };
        row.push(label);
        write_row(&mut w, &row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes generated points as `x1,x2,label`.
pub fn points_to_csv(points: &[Point]) -> String {
    let mut out = String::with_capacity(16 + points.len() * 24);
    out.push_str("x1,x2,label\n");
    for p in points {
        out.push_str(&format!("{},{},{}\n", p.x, p.y, p.label));
    }
    out
}

fn write_row(w: &mut csv::Writer<Vec<u8>>, row: &[String]) {
    // Writing into memory cannot fail; a failure would only drop the row.
    let _ = w.write_record(row);
}

/// One early record kept from the scan for header detection.
struct Row {
    fields: Vec<String>,
}

/// First pass: enforces the row and column caps with one reused record, and keeps the
/// first two rows for header detection. Returns them and the number of records.
fn scan(text: &str, delimiter: u8) -> Result<(Vec<Row>, usize)> {
    let mut reader = reader(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::with_capacity(2);
    let mut count = 0usize;
    while read(&mut reader, &mut record)? {
        count += 1;
        if record.len() > MAX_COLUMNS {
            return Err(Error::Limit(format!(
                "line {} has {} columns; at most {MAX_COLUMNS} are allowed",
                line_of(&record),
                record.len()
            )));
        }
        // One extra row for a possible header.
        if count > MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
        if rows.len() < 2 {
            rows.push(Row {
                fields: record.iter().map(str::to_string).collect(),
            });
        }
    }
    Ok((rows, count))
}

fn too_many_rows() -> Error {
    Error::Limit(format!(
        "the file has more than {MAX_ROWS} data rows; keep at most {MAX_ROWS}"
    ))
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// Reads the next record; `false` at the end.
fn read(reader: &mut csv::Reader<&[u8]>, record: &mut csv::StringRecord) -> Result<bool> {
    reader.read_record(record).map_err(|e| Error::Csv {
        line: e.position().map_or(0, |p| p.line() as usize),
        column: None,
        message: format!("the row cannot be read: {e}"),
    })
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| p.line() as usize)
}

fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
        b';'
    } else {
        b','
    }
}

fn is_number(s: &str) -> bool {
    s.parse::<f32>().is_ok()
}

fn looks_like_header(rows: &[Row]) -> bool {
    match rows {
        [] => false,
        [only] => only.fields.iter().all(|f| !f.is_empty() && !is_number(f)),
        [first, second, ..] => first
            .fields
            .iter()
            .zip(&second.fields)
            .any(|(a, b)| !a.is_empty() && !is_number(a) && is_number(b)),
    }
}

fn resolve_label_column(
    wanted: Option<&str>,
    header: Option<&[String]>,
    width: usize,
) -> Result<usize> {
    let Some(wanted) = wanted.map(str::trim) else {
        return Ok(width - 1);
    };
    if let Some(h) = header {
        if let Some(c) = h.iter().position(|name| name == wanted) {
            return Ok(c);
        }
    }
    if let Ok(c) = wanted.parse::<usize>() {
        if c < width {
            return Ok(c);
        }
    }
    let choices = match header {
        Some(h) => format!(
            "the columns are {}, or give a 0-based index from 0 to {}",
            h.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", "),
            width - 1
        ),
        None => format!(
            "the file has no header, so give a 0-based index from 0 to {}",
            width - 1
        ),
    };
    Err(Error::InvalidConfig(format!(
        "label column \"{wanted}\" does not exist; {choices}"
    )))
}

/// Parses one field as a finite `f32`; `column` is 0-based.
fn parse_finite(field: &str, line: usize, column: usize) -> Result<f32> {
    let err = |message: String| Error::Csv {
        line,
        column: Some(column + 1),
        message,
    };
    match field.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(err(format!(
            "expected a finite number, found \"{field}\"; remove the row or fill in a value"
        ))),
        Err(_) if field.is_empty() => Err(err(
            "expected a number, found an empty field; remove the row or fill in a value".into(),
        )),
        Err(_) => Err(err(format!("expected a number, found \"{field}\""))),
    }
}

/// True when the labels look like a regression target (see [`CsvOptions::task`]).
fn detect_regression(labels: &[String], at: impl Fn(usize) -> (usize, usize)) -> Result<bool> {
    if labels.iter().any(|s| !is_number(s)) {
        return Ok(false);
    }
    let mut distinct: Vec<f32> = Vec::new();
    for (i, s) in labels.iter().enumerate() {
        let (line, column) = at(i);
        let v = parse_finite(s, line, column - 1)? + 0.0;
        if v.fract() != 0.0 {
            return Ok(true);
        }
        if !distinct.contains(&v) {
            distinct.push(v);
            if distinct.len() > MAX_DETECTED_CLASSES {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn regression_labels(labels: &[String], at: impl Fn(usize) -> (usize, usize)) -> Result<Vec<f32>> {
    labels
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (line, column) = at(i);
            parse_finite(s, line, column - 1)
        })
        .collect()
}

/// Maps labels to class indices (see [`parse_csv`]) and settles the task: the `forced` one,
/// else binary for two classes and multi-class for more.
fn class_labels(
    labels: &[String],
    at: impl Fn(usize) -> (usize, usize),
    forced: Option<Task>,
) -> Result<(Vec<f32>, Vec<String>, Task)> {
    let numeric: Option<Vec<f32>> = labels.iter().map(|s| s.parse::<f32>().ok()).collect();
    let (y, mut names) = match numeric {
        Some(values) => numeric_classes(labels, &values, &at)?,
        None => text_classes(labels, &at)?,
    };
    let found = if names.is_empty() {
        y.iter().fold(0.0f32, |m, &v| m.max(v)) as usize + 1
    } else {
        names.len()
    };
    if found < 2 {
        return Err(Error::InvalidData(format!(
            "every row has the label \"{}\"; a classifier needs at least two classes",
            labels[0]
        )));
    }
    let task = match forced {
        Some(Task::MultiClass(k)) if k < 2 => {
            return Err(Error::InvalidConfig(format!(
                "a multi-class task needs at least 2 classes, not {k}"
            )))
        }
        Some(t) => t,
        None if found == 2 => Task::Binary,
        None => Task::MultiClass(found),
    };
    let wanted = task.classes();
    if found > wanted {
        let list = if names.is_empty() {
            format!("0 to {}", found - 1)
        } else {
            names.join(", ")
        };
        return Err(Error::InvalidData(format!(
            "the label column has {found} classes ({list}) but the task has {wanted}; choose a multi-class task with at least {found} classes"
        )));
    }
    if !names.is_empty() {
        names.extend((names.len()..wanted).map(|i| format!("class {i}")));
    }
    Ok((y, names, task))
}

fn numeric_classes(
    labels: &[String],
    values: &[f32],
    at: impl Fn(usize) -> (usize, usize),
) -> Result<(Vec<f32>, Vec<String>)> {
    for (i, s) in labels.iter().enumerate() {
        let (line, column) = at(i);
        parse_finite(s, line, column - 1)?;
    }
    // Rows sorted by value (stable, so each run starts with the value's first appearance).
    let mut order: Vec<usize> = (0..values.len()).collect();
    let key = |i: usize| values[i] + 0.0; // folds -0 into 0
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    order.dedup_by(|b, a| key(*a) == key(*b));
    if order.len() > MAX_CLASSES {
        return Err(too_many_classes(order.len()));
    }
    let distinct: Vec<f32> = order.iter().map(|&i| key(i)).collect();
    let contiguous = distinct.iter().enumerate().all(|(k, &v)| v == k as f32);
    if contiguous {
        return Ok((distinct_indexed(values, &distinct), Vec::new()));
    }
    let names = order.iter().map(|&i| labels[i].clone()).collect();
    Ok((distinct_indexed(values, &distinct), names))
}

/// Each value's rank among the sorted `distinct` values.
fn distinct_indexed(values: &[f32], distinct: &[f32]) -> Vec<f32> {
    values
        .iter()
        .map(|&v| {
            let v = v + 0.0;
            distinct.partition_point(|&d| d.total_cmp(&v).is_lt()) as f32
        })
        .collect()
}

fn text_classes(
    labels: &[String],
    at: impl Fn(usize) -> (usize, usize),
) -> Result<(Vec<f32>, Vec<String>)> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::new();
    let mut y = Vec::with_capacity(labels.len());
    for (i, s) in labels.iter().enumerate() {
        if s.is_empty() {
            let (line, column) = at(i);
            return Err(Error::Csv {
                line,
                column: Some(column),
                message: "the label is empty; give every row a class".into(),
            });
        }
        let next = index.len();
        let k = *index.entry(s.as_str()).or_insert(next);
        if k == next {
            if next == MAX_CLASSES {
                return Err(too_many_classes(next + 1));
            }
            names.push(s.clone());
        }
        y.push(k as f32);
    }
    Ok((y, names))
}

fn too_many_classes(found: usize) -> Error {
    Error::Limit(format!(
        "the label column has {found} or more distinct classes; at most {MAX_CLASSES} are supported (is it a regression target?)"
    ))
}
