//! CSV upload: parsing a table into a [`Dataset`] with line-and-column errors, and writing
//! one back so that `parse_csv(&to_csv(ds))` returns `ds`.
//!
//! Numbers are read with Rust's `f32` syntax (`1`, `-0.5`, `2e3`); fields are trimmed.
//! The delimiter is `,`, or a tab or `;` when the first line has no comma but one of those.

pub mod decode;
pub mod encoding;
mod labels;
pub mod prepare;
mod reader;
pub mod table;
pub mod write;

/// The options of reading a table: a description, so it lives in `spec` (the config carries
/// it); re-exported here, where it is applied.
pub use crate::spec::CsvOptions;

use super::{Dataset, Point, Task};
use crate::{Error, Matrix, Result};
use labels::{class_labels, detect_regression, regression_labels};
use reader::{
    check_quotes, check_size, detect_delimiter, looks_like_header, resolve_label_column, scan,
    too_many_rows,
};
use reader::{parse_finite, wrong_width, Records};

/// Largest text accepted, in bytes.
/// (Room for 100 000 rows of 64 short numbers, the largest table the page is built for.)
pub const MAX_CSV_BYTES: usize = 32 * 1024 * 1024;
/// Most data rows (not counting a header).
pub const MAX_ROWS: usize = 100_000;
/// Most columns, label included.
pub const MAX_COLUMNS: usize = 256;
/// Largest magnitude a numeric cell may have. Cells near `f32::MAX` (3.4e38) load as finite
/// numbers, but the map's ranges, their margins and the gaps between cells then overflow
/// to infinity; far below that limit every one of those stays finite.
pub const MAX_CELL_MAGNITUDE: f32 = 1e30;
/// Most distinct classes in a label column.
pub const MAX_CLASSES: usize = 256;
/// Detection treats numeric labels as classes when they are integers with at most this
/// many distinct values.
pub const MAX_DETECTED_CLASSES: usize = 10;

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
    check_size(text)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    check_quotes(text, delimiter)?;
    let (first_rows, record_count) = scan(text, delimiter)?;
    let Some(first) = first_rows.first() else {
        return Err(Error::InvalidData(
            "the file is empty; expected rows of numbers separated by commas".into(),
        ));
    };
    let width = first.fields.len();
    let has_header = opts
        .has_header
        .unwrap_or_else(|| looks_like_header(&first_rows));
    let rows = record_count - usize::from(has_header);
    if rows > MAX_ROWS {
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
        // A blank name gets the header-less default, so every column can be told apart and a
        // written file is read back with its header (a blank one would not be detected).
        Some(h) => h
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != label_col)
            .enumerate()
            .map(|(j, (_, s))| {
                if s.trim().is_empty() {
                    format!("x{}", j + 1)
                } else {
                    s.clone()
                }
            })
            .collect(),
        None => (1..width).map(|j| format!("x{j}")).collect(),
    };

    let mut records = Records::new(text, delimiter);
    let mut record = csv::StringRecord::new();
    // Sizes are known and capped by now (the scan ran first).
    let mut x = Vec::with_capacity(rows * (width - 1));
    let mut labels: Vec<String> = Vec::with_capacity(rows);
    let mut lines: Vec<usize> = Vec::with_capacity(rows);
    let mut skip_header = has_header;
    while let Some(line) = records.next(&mut record)? {
        if std::mem::take(&mut skip_header) {
            continue;
        }
        if record.len() != width {
            return Err(wrong_width(line, record.len(), width));
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
    let mut w = write::CsvWriter::exact();
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
    w.finish()
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

fn write_row(w: &mut write::CsvWriter, row: &[String]) {
    w.record(row);
}
