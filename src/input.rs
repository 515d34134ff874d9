//! Small checks on values that come from outside: a matrix dimension given as a JS number,
//! a short excerpt of offending text for a message, the one JSON reader every input goes
//! through ([`from_json`]), and deserialisation errors restated in the caller's words (the
//! setting's name, "a whole number", never `usize`).

mod json;
mod tag;
mod tagged;

pub use json::{from_json, path_at, JsonError};
pub use tag::TagSeed;
pub use tagged::{Fields, Read, TaggedVisitor};

use crate::{Error, Result};

/// Most characters of a caller's text quoted in a message; longer text ends with `…`.
pub const EXCERPT_CHARS: usize = 40;

/// Largest matrix dimension accepted from a caller: what a JS array index can reach.
pub const MAX_DIMENSION: usize = u32::MAX as usize;

/// At most [`EXCERPT_CHARS`] characters of `text`, with `…` when something was cut.
///
/// A 5 MB field or header name must not become a 5 MB message: every message that quotes
/// a caller's text goes through here.
pub fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A matrix dimension from a JS number: a whole number from 1 to [`MAX_DIMENSION`].
///
/// `name` is the argument (`x`); `None` means the entry was not a number at all. Negative,
/// fractional and non-finite values are refused rather than rounded or dropped, so
/// `[4, -1]` cannot turn into `[4]` and `[3.9, 2]` into three rows.
pub fn dimension(v: Option<f64>, name: &str) -> Result<usize> {
    let bad = |got: String| {
        Error::Shape(format!(
            "{name}.shape must hold whole numbers from 1 to {MAX_DIMENSION}, got {got}"
        ))
    };
    match v {
        None => Err(bad("a value that is not a number".into())),
        Some(d) if !d.is_finite() || d.fract() != 0.0 || d < 1.0 => Err(bad(format!("{d}"))),
        Some(d) if d > MAX_DIMENSION as f64 => Err(bad(format!("{d}"))),
        Some(d) => Ok(d as usize),
    }
}

/// Restates a serde message about the setting at `path` (`epochs`, `layers[0].units`) in a
/// person's terms: the setting is named, Rust type names become words ("a whole number"),
/// and a quoted value is cut to an [`excerpt`].
///
/// Messages of other shapes are kept, only shortened.
pub fn describe_field_error(path: &str, message: &str) -> String {
    let at = if path.is_empty() || path == "." {
        "a value ".to_string()
    } else {
        format!("`{path}` ")
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((got, expected)) = rest.rsplit_once(", expected ") {
                return format!(
                    "{at}must be {}, got {}",
                    words_for(expected),
                    shown_value(got)
                );
            }
        }
    }
    if let Some((what, expected)) = message.split_once(", expected ") {
        return format!("{at}{}: expected {}", excerpt(what), excerpt(expected));
    }
    format!("{at}{}", excerpt(message))
}

/// A serde "expected …" phrase in words.
fn words_for(expected: &str) -> String {
    match expected {
        "usize" | "u64" | "u32" | "u16" | "u8" => "a whole number ≥ 0".into(),
        "isize" | "i64" | "i32" | "i16" | "i8" => "a whole number".into(),
        "f32" | "f64" => "a finite number".into(),
        "a boolean" => "true or false".into(),
        "a string" => "text".into(),
        "a sequence" => "an array".into(),
        "a map" => "an object".into(),
        other => excerpt(other),
    }
}

/// serde's description of the value it got (`floating point \`2.5\``, `string "…"`), short.
fn shown_value(got: &str) -> String {
    for kind in ["floating point ", "integer "] {
        if let Some(v) = got.strip_prefix(kind) {
            return excerpt(v.trim_matches('`'));
        }
    }
    if let Some(v) = got.strip_prefix("string ") {
        return format!("the text {}", excerpt(v));
    }
    excerpt(got)
}

/// A [`from_json`] error for a person: the problem restated by [`describe_field_error`]
/// for the setting it failed at (so a megabyte string in the file is quoted as an excerpt),
/// then where it is in the text.
pub fn json_error(e: &JsonError) -> String {
    let what = describe_field_error(&e.path, &e.message());
    if e.error.line() == 0 {
        return what;
    }
    format!(
        "{what} (line {}, column {})",
        e.error.line(),
        e.error.column()
    )
}

/// The page's epoch-limit field: empty (or only spaces) for no limit, else a whole number
/// from 1 to [`crate::playground::MAX_EPOCH_LIMIT`], written any way a JS number may be
/// (`300`, `1e9`, `2.0`).
///
/// Refusals speak of the field ("the epoch limit …"), never of `usize`.
pub fn epoch_limit_from_text(text: &str) -> Result<Option<usize>> {
    use crate::playground::MAX_EPOCH_LIMIT;
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let want =
        format!("a whole number of epochs from 1 to {MAX_EPOCH_LIMIT}, or nothing for no limit");
    let bad = |why: &str| {
        Error::InvalidConfig(format!(
            "the epoch limit \"{}\" {why}; enter {want}",
            excerpt(t)
        ))
    };
    let v: f64 = t.parse().map_err(|_| bad("is not a number"))?;
    if !v.is_finite() {
        return Err(bad("is not a finite number"));
    }
    if v.fract() != 0.0 {
        return Err(bad("is not a whole number"));
    }
    if v < 1.0 {
        return Err(bad("is below 1"));
    }
    if v > MAX_EPOCH_LIMIT as f64 {
        return Err(bad("is above the largest limit"));
    }
    Ok(Some(v as usize))
}
