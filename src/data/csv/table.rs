//! Reading an uploaded table as typed columns: numeric or text, with missing cells marked,
//! before any choice of label or features. The page's preview and the session's data both
//! come from this one reader.

use std::collections::HashMap;

use serde::Serialize;

use super::reader::{detect_delimiter, looks_like_header, scan, too_many_rows, Records};
use super::{MAX_CLASSES, MAX_CSV_BYTES, MAX_ROWS};
use crate::{Error, Result};

/// Code of a missing cell in a text column.
pub const MISSING_CODE: u32 = u32::MAX;
/// Code of a value past [`MAX_CLASSES`] distinct values in a text column (the column can be
/// neither a label nor a feature, but the file still loads for its other columns).
pub const OVERFLOW_CODE: u32 = u32::MAX - 1;
/// Longest excerpt of a user's value quoted in a message or a column name shown.
pub const MAX_EXCERPT_CHARS: usize = 40;

/// True for the spellings of a missing cell: empty, `NA`, `NaN`, `?`, `null` (any case).
pub fn is_missing(field: &str) -> bool {
    let f = field.trim();
    f.is_empty()
        || f == "?"
        || f.eq_ignore_ascii_case("na")
        || f.eq_ignore_ascii_case("nan")
        || f.eq_ignore_ascii_case("null")
}

/// At most [`MAX_EXCERPT_CHARS`] characters of `s`, with `…` when cut.
pub fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_EXCERPT_CHARS).collect();
    if s.chars().nth(MAX_EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// One column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum RawColumn {
    /// Every present cell is a number; missing cells are NaN.
    Numeric(Vec<f32>),
    /// Some present cell is not a number. `codes[i]` indexes `values` (first-appearance
    /// order), or is [`MISSING_CODE`] / [`OVERFLOW_CODE`].
    Text {
        codes: Vec<u32>,
        values: Vec<String>,
        /// More than [`MAX_CLASSES`] distinct values were seen.
        overflow: bool,
    },
}

impl RawColumn {
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            RawColumn::Numeric(v) => v[row].is_nan(),
            RawColumn::Text { codes, .. } => codes[row] == MISSING_CODE,
        }
    }

    pub fn missing_count(&self) -> usize {
        match self {
            RawColumn::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            RawColumn::Text { codes, .. } => codes.iter().filter(|&&c| c == MISSING_CODE).count(),
        }
    }

    /// The cell as text: a number in its shortest form, a text value, or `""` when missing.
    pub fn text(&self, row: usize) -> String {
        match self {
            RawColumn::Numeric(v) if v[row].is_nan() => String::new(),
            RawColumn::Numeric(v) => v[row].to_string(),
            RawColumn::Text { codes, values, .. } => match codes[row] {
                MISSING_CODE => String::new(),
                OVERFLOW_CODE => "…".into(),
                c => values[c as usize].clone(),
            },
        }
    }
}

/// A parsed table: column names (from the header, or `x1, x2, …`), typed columns and the
/// 1-based line each data row starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    pub names: Vec<String>,
    pub columns: Vec<RawColumn>,
    pub lines: Vec<usize>,
    pub delimiter: char,
    pub has_header: bool,
}

/// What the page shows per column before the user picks the label and features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    pub name: String,
    /// `"numeric"` or `"text"`.
    pub kind: &'static str,
    pub missing: usize,
    /// Numeric: smallest and largest present value.
    pub min: Option<f32>,
    pub max: Option<f32>,
    /// Distinct present values (numeric columns: counted up to 11, enough to tell classes).
    pub distinct: usize,
    /// Text: more distinct values than can be encoded.
    pub overflow: bool,
}

/// The preview: summaries, the first rows as text, and what was detected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TablePreview {
    pub rows: usize,
    pub delimiter: String,
    pub has_header: bool,
    pub columns: Vec<ColumnSummary>,
    /// Up to 5 rows, each cell cut to [`MAX_EXCERPT_CHARS`].
    pub head: Vec<Vec<String>>,
}

impl RawTable {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// The column called `name`, or at the 0-based index `name` spells.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| name.parse::<usize>().ok().filter(|&c| c < self.width()))
    }

    /// The table as CSV with its header; missing cells are written empty, so reading it back
    /// gives the same table.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = w.write_record(&self.names);
        let mut row: Vec<String> = Vec::with_capacity(self.width());
        for r in 0..self.rows() {
            row.clear();
            row.extend(self.columns.iter().map(|c| c.text(r)));
            // Writing into memory cannot fail.
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Per-column summaries and the first rows.
    pub fn preview(&self) -> TablePreview {
        let columns = self
            .names
            .iter()
            .zip(&self.columns)
            .map(|(name, col)| summarise(name, col))
            .collect();
        let head = (0..self.rows().min(5))
            .map(|r| self.columns.iter().map(|c| excerpt(&c.text(r))).collect())
            .collect();
        TablePreview {
            rows: self.rows(),
            delimiter: match self.delimiter {
                '\t' => "tab".into(),
                d => d.to_string(),
            },
            has_header: self.has_header,
            columns,
            head,
        }
    }
}

fn summarise(name: &str, col: &RawColumn) -> ColumnSummary {
    let missing = col.missing_count();
    match col {
        RawColumn::Numeric(v) => {
            let present = v.iter().copied().filter(|x| !x.is_nan());
            let (lo, hi) = present
                .clone()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
            let mut distinct: Vec<f32> = Vec::new();
            for x in present {
                if distinct.len() > 10 {
                    break;
                }
                if !distinct.contains(&x) {
                    distinct.push(x);
                }
            }
            ColumnSummary {
                name: excerpt(name),
                kind: "numeric",
                missing,
                min: lo.is_finite().then_some(lo),
                max: hi.is_finite().then_some(hi),
                distinct: distinct.len(),
                overflow: false,
            }
        }
        RawColumn::Text {
            values, overflow, ..
        } => ColumnSummary {
            name: excerpt(name),
            kind: "text",
            missing,
            min: None,
            max: None,
            distinct: values.len(),
            overflow: *overflow,
        },
    }
}

/// Reads `text` into typed columns. `has_header: None` detects it as [`super::parse_csv`] does.
///
/// Errors: [`Error::Limit`] past the byte, row or column caps; [`Error::Csv`] (1-based line
/// and column) for a row of the wrong width or a number that overflows `f32`;
/// [`Error::InvalidData`] for an empty file, a header without rows, or a header that repeats
/// a name.
pub fn read_table(text: &str, has_header: Option<bool>) -> Result<RawTable> {
    if text.len() > MAX_CSV_BYTES {
        return Err(Error::Limit(format!(
            "the file is {:.1} MB; files up to {} MB can be loaded",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_CSV_BYTES / (1024 * 1024)
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let (first_rows, record_count) = scan(text, delimiter)?;
    let Some(first) = first_rows.first() else {
        return Err(Error::InvalidData(
            "the file is empty; expected a header and rows separated by commas".into(),
        ));
    };
    let width = first.fields.len();
    let has_header = has_header.unwrap_or_else(|| looks_like_header(&first_rows));
    let rows = record_count - usize::from(has_header);
    if rows > MAX_ROWS {
        return Err(too_many_rows());
    }
    if rows == 0 {
        return Err(Error::InvalidData(
            "the file has a header row but no data rows".into(),
        ));
    }
    let names = column_names(has_header.then_some(&first.fields[..]), width)?;

    // Pass 1: which columns hold numbers. A column is text when most of its present cells
    // are not numbers; a few stray words in a numeric column are reported where they are.
    let mut numbers = vec![0usize; width];
    let mut words = vec![0usize; width];
    let mut records = Records::new(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut skip = has_header;
    while let Some(line) = records.next(&mut record)? {
        if std::mem::take(&mut skip) {
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
        for (c, f) in record.iter().enumerate() {
            if is_missing(f) {
                continue;
            }
            if f.parse::<f32>().is_ok() {
                numbers[c] += 1;
            } else {
                words[c] += 1;
            }
        }
    }
    let numeric: Vec<bool> = numbers.iter().zip(&words).map(|(n, w)| n >= w).collect();

    // Pass 2: the cells, typed.
    let mut builders: Vec<Builder> = numeric
        .iter()
        .map(|&num| {
            if num {
                Builder::Numeric(Vec::with_capacity(rows))
            } else {
                Builder::Text {
                    codes: Vec::with_capacity(rows),
                    index: HashMap::new(),
                    values: Vec::new(),
                    overflow: false,
                }
            }
        })
        .collect();
    let mut lines = Vec::with_capacity(rows);
    let mut records = Records::new(text, delimiter);
    let mut skip = has_header;
    while let Some(line) = records.next(&mut record)? {
        if std::mem::take(&mut skip) {
            continue;
        }
        for (c, f) in record.iter().enumerate() {
            builders[c].push(f, line, c)?;
        }
        lines.push(line);
    }
    Ok(RawTable {
        names,
        columns: builders.into_iter().map(Builder::finish).collect(),
        lines,
        delimiter: char::from(delimiter),
        has_header,
    })
}

fn column_names(header: Option<&[String]>, width: usize) -> Result<Vec<String>> {
    let Some(h) = header else {
        return Ok((1..=width).map(|j| format!("x{j}")).collect());
    };
    let names: Vec<String> = h
        .iter()
        .enumerate()
        .map(|(j, s)| {
            // A blank name gets the header-less default so every column can be told apart.
            if s.trim().is_empty() {
                format!("x{}", j + 1)
            } else {
                s.trim().to_string()
            }
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, n) in names.iter().enumerate() {
        if let Some(first) = seen.insert(n.as_str(), j) {
            return Err(Error::InvalidData(format!(
                "the header names column {} and column {} both \"{}\"; give every column its own name",
                first + 1,
                j + 1,
                excerpt(n)
            )));
        }
    }
    Ok(names)
}

enum Builder {
    Numeric(Vec<f32>),
    Text {
        codes: Vec<u32>,
        index: HashMap<String, u32>,
        values: Vec<String>,
        overflow: bool,
    },
}

impl Builder {
    fn push(&mut self, field: &str, line: usize, column: usize) -> Result<()> {
        match self {
            Builder::Numeric(v) => {
                if is_missing(field) {
                    v.push(f32::NAN);
                    return Ok(());
                }
                let err = |message: String| Error::Csv {
                    line,
                    column: Some(column + 1),
                    message,
                };
                match field.parse::<f32>() {
                    Ok(x) if x.is_finite() => v.push(x),
                    Ok(_) => {
                        return Err(err(format!(
                            "\"{}\" is too large for a number here; remove the row or scale the column",
                            excerpt(field)
                        )))
                    }
                    Err(_) => {
                        return Err(err(format!(
                            "expected a number like the rest of this column, found \"{}\"; fix the cell, or leave it empty to mark it missing",
                            excerpt(field)
                        )))
                    }
                }
            }
            Builder::Text {
                codes,
                index,
                values,
                overflow,
            } => {
                if is_missing(field) {
                    codes.push(MISSING_CODE);
                    return Ok(());
                }
                let code = match index.get(field) {
                    Some(&c) => c,
                    None if values.len() < MAX_CLASSES => {
                        let c = values.len() as u32;
                        index.insert(field.to_string(), c);
                        values.push(field.to_string());
                        c
                    }
                    None => {
                        *overflow = true;
                        OVERFLOW_CODE
                    }
                };
                codes.push(code);
            }
        }
        Ok(())
    }

    fn finish(self) -> RawColumn {
        match self {
            Builder::Numeric(v) => RawColumn::Numeric(v),
            Builder::Text {
                codes,
                values,
                overflow,
                ..
            } => RawColumn::Text {
                codes,
                values,
                overflow,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_missing_and_quotes() {
        let t = read_table("a;b;c\n1;\"x;y\";NA\n2;z;3\n?;z;4\n", None).unwrap();
        assert_eq!(t.names, ["a", "b", "c"]);
        assert_eq!(t.delimiter, ';');
        assert!(matches!(&t.columns[0], RawColumn::Numeric(v) if v[2].is_nan()));
        let RawColumn::Text { codes, values, .. } = &t.columns[1] else {
            panic!("b is text")
        };
        assert_eq!(values, &["x;y", "z"]);
        assert_eq!(codes, &[0, 1, 1]);
        assert_eq!(t.columns[2].missing_count(), 1);
        assert_eq!(t.lines, [2, 3, 4]);
    }

    #[test]
    fn repeated_header_is_named() {
        let e = read_table("a,b,a\n1,2,3\n", None).unwrap_err().to_string();
        assert!(
            e.contains("column 1 and column 3") && e.contains("\"a\""),
            "{e}"
        );
    }

    #[test]
    fn excerpts_are_short() {
        let long = "q".repeat(5000);
        assert_eq!(excerpt(&long).chars().count(), MAX_EXCERPT_CHARS + 1);
        let e = read_table(&format!("a,b\n1,2\n1e39,{long}\n"), None)
            .unwrap_err()
            .to_string();
        assert!(e.len() < 300, "{e}");
    }
}
