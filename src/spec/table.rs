//! How an uploaded table is to be read: the label and feature columns, the task, what a
//! missing cell does. A description the config, the URL hash and the page carry; the reader
//! that applies it is `data::csv`, which re-exports these under their old paths.

use serde::{Deserialize, Serialize};

use crate::data::Task;

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
    /// integers with at most `MAX_DETECTED_CLASSES` (the CSV reader's) distinct values; else
    /// regression.
    pub task: Option<Task>,
    /// Tables: the feature columns by name (or 0-based index), `None` = every usable column
    /// besides the label.
    pub features: Option<Vec<String>>,
    /// Tables: the user's override of the detected task (wins over `task`).
    pub kind: Option<TaskKind>,
    /// Tables: rows with a missing feature cell are dropped or filled.
    pub missing: MissingPolicy,
}

/// The user's override of the detected task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Classification,
    Regression,
}

impl TaskKind {
    /// Both overrides, in the order the page lists them.
    pub const ALL: [TaskKind; 2] = [TaskKind::Classification, TaskKind::Regression];
}

/// What to do with a row that has a missing feature cell (a missing label always drops it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Leave the row out.
    #[default]
    Drop,
    /// Fill numbers with the column's training mean, text with its most frequent value.
    Fill,
}

impl MissingPolicy {
    /// Both policies, in the order the page lists them (the default first).
    pub const ALL: [MissingPolicy; 2] = [MissingPolicy::Drop, MissingPolicy::Fill];
}
