//! Reading an uploaded table as typed columns: numeric or text, with missing cells marked,
//! before any choice of label or features. The page's preview and the session's data both
//! come from this one reader.

use std::collections::HashMap;

use serde::Serialize;

use super::reader::{
    check_quotes, check_size, detect_delimiter, looks_like_header, too_many_rows, wrong_width,
    Records, Row,
};
use super::{MAX_CLASSES, MAX_COLUMNS, MAX_ROWS};
use crate::{Error, Result};

/// Code of a missing cell in a text column.
pub const MISSING_CODE: u32 = u32::MAX;
/// Code of a value past [`MAX_CLASSES`] distinct values in a text column (the column can be
/// neither a label nor a feature, but the file still loads for its other columns).
pub const OVERFLOW_CODE: u32 = u32::MAX - 1;
/// Longest column name the preview hands back as the column's key (longer ones go by index).
pub const MAX_KEY_CHARS: usize = 256;
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
    /// The name to show (at most [`MAX_EXCERPT_CHARS`] characters).
    pub name: String,
    /// What picks this column in `CsvOptions` (label, features): the whole name, or its
    /// 0-based index as text when the name is too long to travel well.
    pub key: String,
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
    /// gives the same table (the snapshot over a reload).
    pub fn to_csv(&self) -> String {
        self.write(super::write::CsvWriter::exact())
    }

    /// The table as a person downloads it: as [`RawTable::to_csv`], with text cells a
    /// spreadsheet would evaluate as formulas neutralised (see [`super::write`]).
    pub fn to_download_csv(&self) -> String {
        self.write(super::write::CsvWriter::for_download())
    }

    fn write(&self, mut w: super::write::CsvWriter) -> String {
        w.record(&self.names);
        let mut row: Vec<String> = Vec::with_capacity(self.width());
        for r in 0..self.rows() {
            row.clear();
            row.extend(self.columns.iter().map(|c| c.text(r)));
            w.record(&row);
        }
        w.finish()
    }

    /// Per-column summaries and the first rows.
    pub fn preview(&self) -> TablePreview {
        let columns = self
            .names
            .iter()
            .zip(&self.columns)
            .enumerate()
            .map(|(i, (name, col))| ColumnSummary {
                key: if name.chars().count() <= MAX_KEY_CHARS {
                    name.clone()
                } else {
                    i.to_string()
                },
                ..summarise(name, col)
            })
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
                key: String::new(),
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
            key: String::new(),
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
/// One pass over the text: every cell is parsed as a number once; a column turns to text
/// at its first word (its earlier numbers kept as text in their shortest form), and at the
/// end a column is text when most of its present cells are words.
///
/// Errors: [`Error::Limit`] past the byte, row or column caps; [`Error::Csv`] (1-based line
/// and column) for a row of the wrong width, a number that overflows `f32` or a stray word
/// in a numeric column; [`Error::InvalidData`] for an empty file, a header without rows,
/// or a header that repeats a name.
pub fn read_table(text: &str, has_header: Option<bool>) -> Result<RawTable> {
    check_size(text)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    check_quotes(text, delimiter)?;
    let mut records = Records::new(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut first_rows: Vec<Row> = Vec::with_capacity(2);
    while first_rows.len() < 2 {
        let Some(line) = records.next(&mut record)? else {
            break;
        };
        check_width(line, record.len())?;
        first_rows.push(Row {
            fields: record.iter().map(str::to_string).collect(),
        });
    }
    let Some(first) = first_rows.first() else {
        return Err(Error::InvalidData(
            "the file is empty; expected a header and rows separated by commas".into(),
        ));
    };
    let width = first.fields.len();
    let has_header = has_header.unwrap_or_else(|| looks_like_header(&first_rows));
    let names = column_names(has_header.then_some(&first.fields[..]), width)?;

    let mut builders: Vec<Builder> = (0..width).map(|_| Builder::default()).collect();
    let mut lines = Vec::new();
    let mut records = Records::new(text, delimiter);
    let mut skip = has_header;
    while let Some(line) = records.next(&mut record)? {
        if std::mem::take(&mut skip) {
            continue;
        }
        if record.len() != width {
            check_width(line, record.len())?;
            return Err(wrong_width(line, record.len(), width));
        }
        if lines.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        let row = lines.len();
        for (b, f) in builders.iter_mut().zip(record.iter()) {
            b.push(f, row, line);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        return Err(Error::InvalidData(
            "the file has a header row but no data rows".into(),
        ));
    }
    let columns = builders
        .into_iter()
        .enumerate()
        .map(|(c, b)| b.finish(c))
        .collect::<Result<Vec<_>>>()?;
    Ok(RawTable {
        names,
        columns,
        lines,
        delimiter: char::from(delimiter),
        has_header,
    })
}

fn check_width(line: usize, fields: usize) -> Result<()> {
    if fields > MAX_COLUMNS {
        return Err(Error::Limit(format!(
            "line {line} has {fields} columns; at most {MAX_COLUMNS} are allowed"
        )));
    }
    Ok(())
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

/// One column as it is read: every cell as a number (NaN when missing or a word), and once
/// a word appears, every cell as text too.
#[derive(Default)]
struct Builder {
    nums: Vec<f32>,
    numbers: usize,
    words: usize,
    /// The first word's line and text, for the message when the column stays numeric.
    first_word: Option<(usize, String)>,
    /// The first number too large for `f32`.
    first_overflow: Option<(usize, String)>,
    text: Option<TextColumn>,
}

#[derive(Default)]
struct TextColumn {
    codes: Vec<u32>,
    index: HashMap<String, u32>,
    values: Vec<String>,
    overflow: bool,
}

impl TextColumn {
    fn code(&mut self, value: &str) -> u32 {
        if let Some(&c) = self.index.get(value) {
            return c;
        }
        if self.values.len() < MAX_CLASSES {
            let c = self.values.len() as u32;
            self.index.insert(value.to_string(), c);
            self.values.push(value.to_string());
            c
        } else {
            self.overflow = true;
            OVERFLOW_CODE
        }
    }
}

impl Builder {
    fn push(&mut self, field: &str, row: usize, line: usize) {
        if is_missing(field) {
            self.nums.push(f32::NAN);
            if let Some(t) = &mut self.text {
                t.codes.push(MISSING_CODE);
            }
            return;
        }
        match field.parse::<f32>() {
            Ok(v) => {
                self.numbers += 1;
                // Infinities, and NaN spelled in a way `is_missing` does not know, are too large.
                let too_large = v.is_nan() || v.abs() > super::MAX_CELL_MAGNITUDE;
                if too_large && self.first_overflow.is_none() {
                    self.first_overflow = Some((line, excerpt(field)));
                }
                self.nums.push(v);
                if let Some(t) = &mut self.text {
                    let code = t.code(&v.to_string());
                    t.codes.push(code);
                }
            }
            Err(_) => {
                self.words += 1;
                if self.first_word.is_none() {
                    self.first_word = Some((line, excerpt(field)));
                }
                let t = self.text.get_or_insert_with(|| {
                    // The numbers before the first word, as text in their shortest form.
                    let mut t = TextColumn::default();
                    t.codes.reserve(row + 1);
                    for &v in &self.nums[..row] {
                        let code = if v.is_nan() {
                            MISSING_CODE
                        } else {
                            t.code(&v.to_string())
                        };
                        t.codes.push(code);
                    }
                    t
                });
                let code = t.code(field);
                t.codes.push(code);
                self.nums.push(f32::NAN);
            }
        }
    }

    /// The column; `c` (0-based) names it in errors.
    fn finish(self, c: usize) -> Result<RawColumn> {
        let err = |line: usize, message: String| Error::Csv {
            line,
            column: Some(c + 1),
            message,
        };
        match self.text {
            Some(t) if self.words > self.numbers => Ok(RawColumn::Text {
                codes: t.codes,
                values: t.values,
                overflow: t.overflow,
            }),
            _ => {
                if let Some((line, word)) = self.first_word {
                    return Err(err(line, format!(
                        "expected a number like the rest of this column, found \"{word}\"; fix the cell, or leave it empty to mark it missing"
                    )));
                }
                if let Some((line, field)) = self.first_overflow {
                    return Err(err(line, format!(
                        "\"{field}\" is too large for a number here (at most {:e} in magnitude); remove the row or scale the column",
                        super::MAX_CELL_MAGNITUDE
                    )));
                }
                Ok(RawColumn::Numeric(self.nums))
            }
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
    fn long_names_are_shown_short_and_picked_by_index() {
        let long = "n".repeat(9000);
        let t = read_table(&format!("a,{long},c\n1,2,x\n3,4,y\n"), None).unwrap();
        let p = t.preview();
        assert_eq!(p.columns[0].key, "a");
        assert_eq!(p.columns[1].key, "1");
        assert!(p.columns[1].name.chars().count() <= MAX_EXCERPT_CHARS + 1);
        assert_eq!(t.find(&p.columns[1].key), Some(1));
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
