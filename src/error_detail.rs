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
        "csv_open_quote",
        "the quote that opens this cell is never closed; add the closing \" or remove the quote",
    ),
    (
        "csv_not_text",
        "the file is not UTF-8 or UTF-16 text (byte {at} cannot be read); save it as CSV UTF-8",
    ),
    (
        "csv_nul",
        "the file holds a NUL byte at byte {at}, so it is not a text table; save it as CSV UTF-8",
    ),
    (
        "csv_utf16_odd",
        "the file is UTF-16 text with an odd number of bytes ({bytes}); save it again as CSV UTF-8",
    ),
    (
        "csv_utf16_broken",
        "the UTF-16 file has a broken character at byte {at}; save it again as CSV UTF-8",
    ),
    (
        "csv_cell_too_large",
        "\"{value}\" is too large for a number here (at most {max} in magnitude); remove the row or scale the column",
    ),
    (
        "csv_not_finite",
        "expected a finite number, found \"{value}\"; remove the row or fill in a value",
    ),
    (
        "csv_empty_cell",
        "expected a number, found an empty field; remove the row or fill in a value",
    ),
    ("csv_not_number", "expected a number, found \"{value}\""),
    (
        "csv_label_one_class",
        "the label column \"{name}\" has a single class in the rows used; a classifier needs at least two (choose another label column)",
    ),
    (
        "csv_too_many_classes",
        "the label column has {found} or more distinct classes; at most {max} are supported (is it a regression target?)",
    ),
    (
        "csv_no_feature",
        "no feature column is left to learn from; tick at least one column besides the label",
    ),
    (
        "model_empty",
        "the model file is empty ({bytes} bytes); export a model again, or pick the file that export wrote",
    ),
    (
        "model_json_syntax",
        "not a JSON model file: the text stops being JSON at line {line}, column {column}",
    ),
    (
        "model_json_eof",
        "not a JSON model file: the text ends before its JSON does (line {line}, column {column})",
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
        "weights_not_base64",
        "the link's weights are not valid base64url text",
    ),
    (
        "weights_not_inflated",
        "the link's weights could not be decompressed",
    ),
    (
        "weights_too_big",
        "the link's weights inflate to more than {max} bytes",
    ),
    ("weights_not_utf8", "the link's weights are not UTF-8 text"),
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

/// `(code, template)` of what a link setting must be (the `{want}` of `link_value`), so a
/// page can say that in its own language too; codes are never renamed.
pub const WANTS: &[(&str, &str)] = &[
    ("whole", "a whole number"),
    ("whole_above_0", "a whole number above 0"),
    // Before `whole_range`, whose last value would take their words too.
    ("epoch_limit", "a whole number from {lo} to {hi} (or none)"),
    (
        "seed",
        "a whole number from {lo} to {hi} (2^53, the largest JavaScript keeps exact)",
    ),
    ("whole_range", "a whole number from {lo} to {hi}"),
    ("number_range", "a number from {lo} to {hi}"),
    ("positive", "a finite number above 0"),
    ("bool", "true or false"),
    ("known_name", "a known name"),
    ("threads", "auto or a whole number of threads"),
    ("threads_range", "auto or a whole number from {lo} to {hi}"),
    ("speed", "epochs per second (a whole number) or max"),
    (
        "speed_range",
        "a whole number of epochs per second from {lo} to {hi}, or max",
    ),
    (
        "speed_step",
        "one of the pace control's steps per second, or max",
    ),
    (
        "schedule",
        "constant, step:EVERY:FACTOR, exponential:STEPS:RATE or cosine:STEPS:MIN_LR",
    ),
    (
        "early_stopping",
        "MONITOR:PATIENCE[:MIN_DELTA], e.g. val_loss:10:0",
    ),
    (
        "per_layer",
        "{layers} comma-separated values, one per hidden layer",
    ),
    ("units", "{lo} to {hi} units in at most {layers} layers"),
    ("percent_range", "between {lo} and {hi} %"),
    ("at_least", "at least {lo}"),
    ("unit_interval", "in [0, 1)"),
    ("positive_number", "a positive finite number"),
    ("range", "{lo} to {hi}"),
];

/// The code of what a link setting must be (`want`) and its values, by [`WANTS`].
pub fn want_code(want: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    WANTS
        .iter()
        .find_map(|&(code, template)| read_as(template, want).map(|args| (code, args)))
}

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
