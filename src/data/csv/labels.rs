//! Turning the label column into targets: task detection, regression values and the
//! mapping of class labels to indices.

use std::collections::HashMap;

use super::reader::{is_number, parse_finite};
use super::{MAX_CLASSES, MAX_DETECTED_CLASSES};
use crate::data::Task;
use crate::{Error, Result};

/// True when the labels look like a regression target (see [`super::CsvOptions::task`]).
pub(super) fn detect_regression(
    labels: &[String],
    at: impl Fn(usize) -> (usize, usize),
) -> Result<bool> {
    if labels.iter().any(|s| !is_number(s)) {
        return Ok(false);
    }
    let mut distinct: Vec<f32> = Vec::new();
    for (i, s) in labels.iter().enumerate() {
        let (line, column) = at(i);
        let v = parse_finite(s, line, column - 1)? + 0.0;
        // Past 2^24 an f32 no longer holds every integer: such "labels" are measurements
        // (ids, timestamps, 1e18), not class numbers.
        if v.fract() != 0.0 || v.abs() > MAX_CLASS_VALUE {
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

/// Largest integer label magnitude still read as a class number (2^24).
const MAX_CLASS_VALUE: f32 = 16_777_216.0;

pub(super) fn regression_labels(
    labels: &[String],
    at: impl Fn(usize) -> (usize, usize),
) -> Result<Vec<f32>> {
    labels
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (line, column) = at(i);
            parse_finite(s, line, column - 1)
        })
        .collect()
}

/// Maps labels to class indices (see [`super::parse_csv`]) and settles the task: the `forced` one,
/// else binary for two classes and multi-class for more.
pub(super) fn class_labels(
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
            crate::input::excerpt(&labels[0])
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
            let shown: Vec<String> = names.iter().map(|n| crate::input::excerpt(n)).collect();
            shown.join(", ")
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

pub(super) fn numeric_classes(
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
pub(super) fn distinct_indexed(values: &[f32], distinct: &[f32]) -> Vec<f32> {
    values
        .iter()
        .map(|&v| {
            let v = v + 0.0;
            distinct.partition_point(|&d| d.total_cmp(&v).is_lt()) as f32
        })
        .collect()
}

pub(super) fn text_classes(
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

pub(super) fn too_many_classes(found: usize) -> Error {
    Error::Limit(format!(
        "the label column has {found} or more distinct classes; at most {MAX_CLASSES} are supported (is it a regression target?)"
    ))
}
