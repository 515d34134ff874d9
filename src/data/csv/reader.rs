//! Reading records: the size-cap scan, line numbers that count blank lines, delimiter and
//! header detection, label-column lookup and number parsing.

use super::{MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS};
use crate::{Error, Result};

/// One early record kept from the scan for header detection.
pub(super) struct Row {
    pub(super) fields: Vec<String>,
}

/// First pass: enforces the row and column caps with one reused record, and keeps the
/// first two rows for header detection. Returns them and the number of records.
pub(super) fn scan(text: &str, delimiter: u8) -> Result<(Vec<Row>, usize)> {
    let mut records = Records::new(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::with_capacity(2);
    let mut count = 0usize;
    while let Some(line) = records.next(&mut record)? {
        count += 1;
        if record.len() > MAX_COLUMNS {
            return Err(Error::Limit(format!(
                "line {line} has {} columns; at most {MAX_COLUMNS} are allowed",
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

/// Refuses a text over [`MAX_CSV_BYTES`] before anything is read.
pub(super) fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_CSV_BYTES {
        return Err(Error::Limit(format!(
            "the file is {:.1} MB; files up to {} MB can be loaded",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_CSV_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// A data row whose width differs from the first row's.
pub(super) fn wrong_width(line: usize, found: usize, width: usize) -> Error {
    Error::Csv {
        line,
        column: None,
        message: format!("found {found} fields, expected {width} like the first row"),
    }
}

pub(super) fn too_many_rows() -> Error {
    Error::Limit(format!(
        "the file has more than {MAX_ROWS} data rows; keep at most {MAX_ROWS}"
    ))
}

/// Records with the 1-based line each starts on.
///
/// The csv crate's own line numbers skip blank lines, so lines are counted here from byte
/// offsets (`\n`, `\r\n` and a lone `\r` each end a line).
pub(super) struct Records<'a> {
    reader: csv::Reader<&'a [u8]>,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    pub(super) fn new(text: &'a str, delimiter: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        Records {
            reader,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// Reads the next record and returns its line; `None` at the end.
    pub(super) fn next(&mut self, record: &mut csv::StringRecord) -> Result<Option<usize>> {
        match self.reader.read_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(
                self.line_at(record.position().map_or(0, |p| p.byte())),
            )),
            Err(e) => Err(Error::Csv {
                line: self.line_at(e.position().map_or(0, |p| p.byte())),
                column: None,
                message: format!("the row cannot be read: {e}"),
            }),
        }
    }

    /// The line of the first non-newline byte at or after `byte` (a record's reported
    /// start can be the blank lines the reader skipped before it).
    fn line_at(&mut self, byte: u64) -> usize {
        let len = self.bytes.len();
        let mut start = usize::try_from(byte).map_or(len, |b| b.min(len));
        while start < len && matches!(self.bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if start < self.pos {
            (self.pos, self.line) = (0, 1);
        }
        while self.pos < start {
            let ends_line = match self.bytes[self.pos] {
                b'\n' => true,
                b'\r' => self.bytes.get(self.pos + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line += usize::from(ends_line);
            self.pos += 1;
        }
        self.line
    }
}

pub(super) fn detect_delimiter(text: &str) -> u8 {
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

pub(super) fn is_number(s: &str) -> bool {
    s.parse::<f32>().is_ok()
}

/// A value the data rows accept: a number of at most [`super::MAX_CELL_MAGNITUDE`] in
/// magnitude. Header detection uses this, not [`is_number`], so a name such as `1e99`,
/// `3e33` or `inf`, which no data row could hold, marks its row as a header.
fn is_data_value(s: &str) -> bool {
    s.parse::<f32>()
        .is_ok_and(|v| v.abs() <= super::MAX_CELL_MAGNITUDE)
}

pub(super) fn looks_like_header(rows: &[Row]) -> bool {
    match rows {
        [] => false,
        [only] => only
            .fields
            .iter()
            .all(|f| !f.is_empty() && !is_data_value(f)),
        [first, second, ..] => first
            .fields
            .iter()
            .zip(&second.fields)
            .any(|(a, b)| !a.is_empty() && !is_data_value(a) && is_number(b)),
    }
}

pub(super) fn resolve_label_column(
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
                .map(|s| format!("\"{}\"", crate::input::excerpt(s)))
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
        "label column \"{}\" does not exist; {choices}",
        crate::input::excerpt(wanted)
    )))
}

/// Parses one field as a finite `f32`; `column` is 0-based.
pub(super) fn parse_finite(field: &str, line: usize, column: usize) -> Result<f32> {
    let err = |message: String| Error::Csv {
        line,
        column: Some(column + 1),
        message,
    };
    // A field may be megabytes long; the message quotes only its start.
    let shown = crate::input::excerpt(field);
    match field.parse::<f32>() {
        Ok(v) if v.abs() <= super::MAX_CELL_MAGNITUDE => Ok(v),
        Ok(v) if v.is_finite() => Err(err(format!(
            "\"{shown}\" is too large for a number here (at most {:e} in magnitude); remove the row or scale the column",
            super::MAX_CELL_MAGNITUDE
        ))),
        Ok(_) => Err(err(format!(
            "expected a finite number, found \"{shown}\"; remove the row or fill in a value"
        ))),
        Err(_) if field.is_empty() => Err(err(
            "expected a number, found an empty field; remove the row or fill in a value".into(),
        )),
        Err(_) => Err(err(format!("expected a number, found \"{shown}\""))),
    }
}

/// Refuses a quoted cell that is never closed, naming the line and column it opens on.
///
/// The csv crate reads such a quote as a cell running to the end of the file, which then
/// surfaces as a puzzling later error (a ragged row, or no feature column left). A quote
/// opens a quoted cell only as a cell's first byte (the reader trims afterwards); inside,
/// `""` is a literal quote. Lines are counted as [`Records`] counts them.
pub(super) fn check_quotes(text: &str, delimiter: u8) -> Result<()> {
    let bytes = text.as_bytes();
    let (mut line, mut column) = (1usize, 1usize);
    let mut cell_start = true;
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let newline = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if open.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            }
        } else if b == delimiter {
            column += 1;
            cell_start = true;
        } else if newline {
            column = 1;
            cell_start = true;
        } else if b == b'"' && cell_start {
            open = Some((line, column));
            cell_start = false;
        } else if b != b'\r' {
            cell_start = false;
        }
        if newline {
            line += 1;
        }
        i += 1;
    }
    match open {
        Some((line, column)) => Err(Error::Csv {
            line,
            column: Some(column),
            message: "the quote that opens this cell is never closed; add the closing \" or remove the quote".into(),
        }),
        None => Ok(()),
    }
}
