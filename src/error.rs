//! The crate's one error type: every user-facing failure, with a message a person can act on.

use std::fmt;

/// What to try after training diverged, shown with every [`Error::Diverged`].
pub const DIVERGENCE_HINT: &str =
    "Try a lower learning rate (e.g. ÷10), gradient clipping, or standardised inputs.";

/// Everything that can go wrong when a caller hands the engine a config, data or a file.
///
/// `panic!` is kept for broken internal invariants; anything reachable from user input
/// returns one of these.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A model, layer, optimiser or training setting is out of range or inconsistent.
    InvalidConfig(String),
    /// Two arrays that must agree in shape do not.
    Shape(String),
    /// Input data is unusable (NaN/Inf, empty, wrong label count …).
    InvalidData(String),
    /// A CSV row or field could not be read. `line` and `column` are 1-based.
    Csv {
        line: usize,
        column: Option<usize>,
        message: String,
    },
    /// A saved model / config file is malformed or from an unsupported version.
    Format(String),
    /// A size cap (rows, columns, units, file size, grid resolution) was exceeded.
    Limit(String),
    /// Training produced a non-finite loss; the weights were left at their last finite values.
    /// `hint` says what to change (usually [`DIVERGENCE_HINT`]).
    Diverged {
        epoch: usize,
        step: usize,
        hint: String,
    },
    /// The requested feature was not compiled into this build (e.g. the `webgpu` backend).
    NotCompiled(String),
    /// A backend (e.g. the GPU) failed or is unavailable at run time.
    Backend(String),
}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(m) => write!(f, "invalid configuration: {m}"),
            Error::Shape(m) => write!(f, "shape mismatch: {m}"),
            Error::InvalidData(m) => write!(f, "invalid data: {m}"),
            Error::Csv { line, column: Some(c), message } => {
                write!(f, "CSV line {line}, column {c}: {message}")
            }
            Error::Csv { line, column: None, message } => write!(f, "CSV line {line}: {message}"),
            Error::Format(m) => write!(f, "unreadable file: {m}"),
            Error::Limit(m) => write!(f, "too large: {m}"),
            Error::Diverged { epoch, step, hint } => write!(
                f,
                "training diverged (non-finite loss at epoch {epoch}, step {step}); the last finite weights were kept. {hint}"
            ),
            Error::NotCompiled(m) => write!(f, "not available in this build: {m}"),
            Error::Backend(m) => write!(f, "backend error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A stable name for what went wrong, for a page that says it in its own language:
    /// `config`, `shape`, `data`, `csv_line`, `csv_cell`, `format`, `limit`, `diverged`,
    /// `not_compiled` or `backend`. Codes are never renamed; a new kind gets a new code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidConfig(_) => "config",
            Error::Shape(_) => "shape",
            Error::InvalidData(_) => "data",
            Error::Csv {
                column: Some(_), ..
            } => "csv_cell",
            Error::Csv { column: None, .. } => "csv_line",
            Error::Format(_) => "format",
            Error::Limit(_) => "limit",
            Error::Diverged { .. } => "diverged",
            Error::NotCompiled(_) => "not_compiled",
            Error::Backend(_) => "backend",
        }
    }

    /// The values the message is made of, by name, so a translation can put them in its own
    /// order: `detail` (the engine's words after the kind), `line` and `column` of a CSV
    /// error, `epoch` and `step` of a divergence, with `hint` only when it is not
    /// [`DIVERGENCE_HINT`] (which a translation says in its own words). A detail of one of
    /// the common messages adds `detail_code` and its own values (see [`crate::error_detail`]).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let mut args = self.own_args();
        let detail = args.iter().find(|(n, _)| *n == "detail").map(|(_, d)| d);
        if let Some((code, values)) = detail.and_then(|d| crate::error_detail::detail_code(d)) {
            args.push(("detail_code", code.to_string()));
            add_values(&mut args, values);
        }
        // What a link setting must be has a code of its own (`want_code`).
        let want = args.iter().find(|(n, _)| *n == "want").map(|(_, w)| w);
        if let Some((code, values)) = want.and_then(|w| crate::error_detail::want_code(w)) {
            args.push(("want_code", code.to_string()));
            add_values(&mut args, values);
        }
        args
    }

    fn own_args(&self) -> Vec<(&'static str, String)> {
        match self {
            Error::InvalidConfig(m)
            | Error::Shape(m)
            | Error::InvalidData(m)
            | Error::Format(m)
            | Error::Limit(m)
            | Error::NotCompiled(m)
            | Error::Backend(m) => vec![("detail", m.clone())],
            Error::Csv {
                line,
                column,
                message,
            } => {
                let mut args = vec![("line", line.to_string()), ("detail", message.clone())];
                if let Some(c) = column {
                    args.push(("column", c.to_string()));
                }
                args
            }
            Error::Diverged { epoch, step, hint } => {
                let mut args = vec![("epoch", epoch.to_string()), ("step", step.to_string())];
                if hint != DIVERGENCE_HINT {
                    args.push(("hint", hint.clone()));
                }
                args
            }
        }
    }
}

/// Adds `values` not already named in `args`.
fn add_values(args: &mut Vec<(&'static str, String)>, values: Vec<(&'static str, String)>) {
    for (name, value) in values {
        if !args.iter().any(|(n, _)| *n == name) {
            args.push((name, value));
        }
    }
}

/// Builds an [`Error::InvalidConfig`] from format arguments.
#[macro_export]
macro_rules! config_err {
    ($($arg:tt)*) => { $crate::Error::InvalidConfig(format!($($arg)*)) };
}
