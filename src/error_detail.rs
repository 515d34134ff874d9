//! Stable codes for the engine's most common messages (bad CSV files, model files and link
//! values, size caps), read back from the English words with the values they name, so a page
//! can say the whole message in its own language.
//!
//! Each entry is the exact template the engine formats its message from, `{name}` standing
//! for a value; `tests/error_codes.rs` produces every one of these messages from the engine
//! and checks that it is read back, so a message reworded without its template fails there.

/// `(code, template)`; codes are never renamed (a reworded message keeps its code).
pub const DETAILS: &[(&str, &str)] = &[
    (
        "csv_ragged",
        "found {found} fields, expected {width} like the first row",
    ),
    (
        "csv_empty",
        "the file is empty; expected a header and rows separated by commas",
    ),
    (
        "csv_empty_points",
        "the file is empty; expected rows of numbers separated by commas",
    ),
    ("csv_no_rows", "the file has a header row but no data rows"),
    (
        "csv_too_big",
        "the file is {size} MB; files up to {max} MB can be loaded",
    ),
    (
        "csv_too_many_rows",
        "the file has more than {max} data rows; keep at most {max}",
    ),
    (
        "csv_too_many_columns",
        "line {line} has {columns} columns; at most {max} are allowed",
    ),
    (
        "csv_duplicate_header",
        "the header names column {first} and column {second} both \"{name}\"; give every column its own name",
    ),
    (
        "csv_one_class",
        "every row has the label \"{label}\"; a classifier needs at least two classes",
    ),
    (
        "model_empty",
        "the model file is empty ({bytes} bytes); export a model again, or pick the file that export wrote",
    ),
    ("model_not_json", "not a JSON model file ({why})"),
    (
        "model_no_format",
        "missing \"format\": \"{format}\"; is this a model exported from nn-playground?",
    ),
    (
        "model_newer",
        "the file is version {version}, made by a newer nn-playground; this one reads up to version {max}",
    ),
    ("model_too_big", "model file is {bytes} bytes; the limit is {max}"),
    (
        "link_value",
        "link setting {key}={value} is not valid: expected {want}",
    ),
    (
        "link_too_long",
        "the link's settings are {length} characters long; at most {max} are read",
    ),
    ("link_not_fitting", "link setting {key}={value} was not used: {why}"),
    (
        "api_whole_number",
        "{what} must be a whole number from 0 to {max}, got {value}",
    ),
    (
        "api_train_for",
        "trainFor's milliseconds must be a number from 0 to {max}, got {value}",
    ),
];

/// The code of `detail` (an engine message's words after its kind) and the values in it,
/// by the first template of [`DETAILS`] it reads as; `None` for any other message.
pub fn detail_code(detail: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    DETAILS
        .iter()
        .find_map(|&(code, template)| read_as(template, detail).map(|args| (code, args)))
}

/// The values of `text` read as `template`: each `{name}` takes the shortest run up to the
/// words after it (the last one up to the end); a name used twice must read the same twice.
fn read_as(template: &'static str, text: &str) -> Option<Vec<(&'static str, String)>> {
    let mut args: Vec<(&'static str, String)> = Vec::new();
    let mut rest = text;
    let mut tpl = template;
    while !tpl.is_empty() {
        let Some(open) = tpl.find('{') else {
            // Only words left: they must be all that is left of the text.
            return (rest == tpl).then_some(args);
        };
        rest = rest.strip_prefix(&tpl[..open])?;
        let close = open + tpl[open..].find('}')?;
        let name = &tpl[open + 1..close];
        tpl = &tpl[close + 1..];
        let next = tpl.find('{').unwrap_or(tpl.len());
        let words = &tpl[..next];
        let end = if words.is_empty() {
            rest.len()
        } else if next == tpl.len() {
            // The template's last words end the text: the value runs up to them.
            if !rest.ends_with(words) {
                return None;
            }
            rest.len() - words.len()
        } else {
            rest.find(words)?
        };
        let value = &rest[..end];
        if value.is_empty() {
            return None;
        }
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, seen)) if seen != value => return None,
            Some(_) => {}
            None => args.push((name, value.to_string())),
        }
        rest = &rest[end..];
    }
    rest.is_empty().then_some(args)
}
