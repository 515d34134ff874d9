//! The engine's one JSON reader: model files, saved sections, link names and (as JSON text)
//! every JS value the wasm API reads go through [`from_json`], so the wasm module holds one
//! deserialiser per spec type rather than one per input format. The setting a value failed
//! at (`layers[0].units`) is read back from the error's position in the text ([`path_at`]),
//! which costs no wrapper around every deserialiser.

/// Where and why JSON text did not read as the wanted type.
#[derive(Debug)]
pub struct JsonError {
    /// The setting it failed at, `layers[0].units` (`.` at the top); empty for an error in
    /// the text's syntax, which has no setting.
    pub path: String,
    pub error: serde_json::Error,
}

impl JsonError {
    /// serde's message without serde_json's "at line 1 column 9".
    pub fn message(&self) -> String {
        let full = self.error.to_string();
        let place = format!(
            " at line {} column {}",
            self.error.line(),
            self.error.column()
        );
        full.strip_suffix(&place).unwrap_or(&full).to_string()
    }
}

/// A `T` from JSON text (trailing text after the value is an error, as in
/// `serde_json::from_str`, which this is); the error names the setting it failed at.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    serde_json::from_str(text).map_err(|error| {
        let path = if error.is_data() && error.line() > 0 {
            path_at(text, offset_of(text, error.line(), error.column()))
        } else {
            String::new()
        };
        JsonError { path, error }
    })
}

/// The byte offset of serde_json's (1-based line, 0-based column in bytes) position.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(text.len())
}

/// One open container while scanning: an object with the key whose value is being read, or
/// an array with the index of the element being read.
enum Frame {
    Object(Option<String>),
    Array(usize),
}

/// The setting that JSON `text` is inside of at byte `at`, written as serde_path_to_error
/// writes paths: `.`-separated keys, `[i]` for array elements, `.` for the whole value.
///
/// serde_json reports a value of the wrong type just after that value (still inside its
/// key), and a missing field or a refused tagged object just after the object's `}` (so the
/// object itself is named, as serde knows no field there).
pub fn path_at(text: &str, at: usize) -> String {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    // A string read in an object where a key goes, waiting for its `:`.
    let mut key: Option<&str> = None;
    let mut i = 0;
    while i < at {
        match bytes[i] {
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object(k)) => *k = None,
                Some(Frame::Array(n)) => *n += 1,
                None => {}
            },
            b':' => {
                if let (Some(Frame::Object(k)), Some(name)) = (stack.last_mut(), key.take()) {
                    *k = Some(name.to_string());
                }
            }
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(Frame::Object(None)) = stack.last() {
                    key = text.get(i + 1..end.saturating_sub(1));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(k)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// The index just past the closing quote of the string opening at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Layer {
        units: u32,
        #[serde(default)]
        activation: Option<crate::Activation>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Config {
        epochs: usize,
        layers: Vec<Layer>,
        #[serde(default)]
        rate: f32,
    }

    fn failing_path(text: &str) -> String {
        from_json::<Config>(text).unwrap_err().path
    }

    #[test]
    fn a_wrong_value_is_named_by_its_setting() {
        assert_eq!(failing_path(r#"{"epochs":2.5,"layers":[]}"#), "epochs");
        assert_eq!(
            failing_path(r#"{"epochs":1,"layers":[{"units":1},{"units":-3}]}"#),
            "layers[1].units"
        );
        assert_eq!(
            failing_path(r#"{"epochs":1,"layers":[{"units":1,"activation":"nope"}]}"#),
            "layers[0].activation"
        );
        assert_eq!(
            failing_path(r#"{"epochs":1,"layers":[],"rate":null}"#),
            "rate"
        );
        // Keys with escapes and strings holding brackets do not confuse the scan.
        assert_eq!(
            failing_path(r#"{"x\"]":"[{","epochs":"3","layers":[]}"#),
            "epochs"
        );
    }

    #[test]
    fn a_missing_field_names_the_object_and_the_top_is_a_dot() {
        assert_eq!(
            failing_path(r#"{"epochs":1,"layers":[{"units":1},{}]}"#),
            "layers[1]"
        );
        assert_eq!(failing_path(r#"{"layers":[]}"#), ".");
    }

    #[test]
    fn positions_on_later_lines_are_found() {
        let text = "{\n  \"epochs\": 1,\n  \"layers\": [\n    {\"units\": true}\n  ]\n}";
        assert_eq!(failing_path(text), "layers[0].units");
    }

    #[test]
    fn syntax_errors_have_no_setting_and_the_message_drops_the_place() {
        let e = from_json::<Config>(r#"{"epochs": 1,"#).unwrap_err();
        assert_eq!(e.path, "");
        assert!(!e.message().contains("line"), "{}", e.message());
        let e = from_json::<Config>(r#"{"epochs":1,"layers":[]} x"#).unwrap_err();
        assert_eq!(e.path, "");
    }
}
