//! Writing CSV for download: RFC 4180 quoting, and text cells a spreadsheet would run as a
//! formula neutralised (OWASP's CSV-injection rule).
//!
//! A downloaded table goes back into Excel, LibreOffice or Google Sheets, which evaluate a
//! cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return (`=cmd|' /C calc'!A0`,
//! `@SUM(A1)`). Such a cell is written with a single quote in front and in double quotes, so
//! the spreadsheet shows it as text. Numbers (`-1.5`, `+2`, `-3e4`) are left as they are:
//! they are data, and a spreadsheet reads them as numbers.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A CSV text written record by record, `\n` between records.
#[derive(Debug, Default)]
pub struct CsvWriter {
    out: String,
    neutralise: bool,
}

impl CsvWriter {
    /// A writer for a file a person downloads: formulas neutralised.
    pub fn for_download() -> Self {
        Self {
            out: String::new(),
            neutralise: true,
        }
    }

    /// A writer whose text the engine reads back to the same cells (a snapshot, the
    /// `parse_csv(to_csv(ds))` round trip): quoting only.
    pub fn exact() -> Self {
        Self::default()
    }

    /// Appends one record: each cell neutralised where needed, quoted where it holds a
    /// comma, a double quote or a line break.
    pub fn record<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let start = self.out.len();
        for (i, c) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_cell(&mut self.out, c.as_ref(), self.neutralise);
        }
        // A record of one empty cell would read as a blank line.
        if self.out.len() == start {
            self.out.push_str("\"\"");
        }
        self.out.push('\n');
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// True when `cell` would be evaluated by a spreadsheet: it starts with a formula character
/// and is not a finite number.
pub fn is_formula(cell: &str) -> bool {
    cell.starts_with(FORMULA_START) && !cell.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

/// `cell` as a spreadsheet shows it as text: a single quote in front of a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn push_cell(out: &mut String, cell: &str, neutralise: bool) {
    let formula = neutralise && is_formula(cell);
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if !quote {
        out.push_str(cell);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for ch in cell.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}
