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
        let mut e = JsonError {
            path: String::new(),
            error,
        };
        if e.error.is_data() && e.error.line() > 0 {
            let at = offset_of(text, e.error.line(), e.error.column());
            e.path = path_at(text, at, &e.message());
        }
        e
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

/// The setting that JSON `text` is inside of at byte `at`, where serde_json reported an
/// error with `message`, written as serde_path_to_error writes paths: `.`-separated keys,
/// `[i]` for array elements, `.` for the whole value.
///
/// serde_json reports a value of the wrong type just after that value (still inside its
/// key), and a missing field just after the object's `}` (so the object itself is named).
/// An error inside a value serde first buffers (an internally tagged or untagged enum, such
/// as a layer object) has no place of its own: the array or object around it gives it one
/// as it closes, after its `]` or `}` (the failing value was the last one) or after the `,`
/// that follows the failing element; those are undone here, so the element is named.
pub fn path_at(text: &str, at: usize, message: &str) -> String {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    // A string read in an object where a key goes, waiting for its `:`.
    let mut key: Option<&str> = None;
    // The container that closed last, while nothing else has been read since.
    let mut closed: Option<Frame> = None;
    let mut i = 0;
    while i < at {
        let b = bytes[i];
        if !b.is_ascii_whitespace() && b != b'}' && b != b']' {
            closed = None;
        }
        match b {
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => closed = stack.pop(),
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
    // Errors of a container itself: serde names the container, not a member.
    let of_container = ["missing field", "duplicate field", "invalid length"]
        .iter()
        .any(|p| message.starts_with(p));
    match bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace()) {
        Some(b',') => {
            if let Some(Frame::Array(n)) = stack.last_mut() {
                *n = n.saturating_sub(1);
            }
        }
        // An array has no fields: a missing or duplicate one after its `]` is its last
        // element's (a buffered element fails as its array closes).
        Some(b']' | b'}')
            if !of_container
                || (matches!(closed, Some(Frame::Array(_)))
                    && !message.starts_with("invalid length")) =>
        {
            if let Some(frame) = closed {
                let empty = matches!(frame, Frame::Object(None));
                if !empty {
                    stack.push(frame);
                }
            }
        }
        _ => {}
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

    #[derive(Debug, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Tagged {
        Dense { units: u32 },
        Dropout { rate: f32 },
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Model {
        layers: Vec<Tagged>,
        #[serde(default)]
        last: Option<Tagged>,
    }

    fn tagged_path(text: &str) -> String {
        from_json::<Model>(text).unwrap_err().path
    }

    #[test]
    fn a_buffered_tagged_object_is_named_as_an_element() {
        // serde knows the layer, not its field, inside a tagged object.
        assert_eq!(
            tagged_path(r#"{"layers":[{"type":"dense","units":2.5}]}"#),
            "layers[0]"
        );
        assert_eq!(
            tagged_path(
                r#"{"layers":[{"type":"dense","units":2.5},{"type":"dropout","rate":0.5}]}"#
            ),
            "layers[0]"
        );
        assert_eq!(
            tagged_path(
                r#"{"layers":[{"type":"dropout","rate":0.5},{"type":"dense"}, {"type":"dense","units":1}]}"#
            ),
            "layers[1]"
        );
        // The tag itself is read in place, so an unknown one is named down to its key.
        assert_eq!(
            tagged_path(r#"{"layers":[{"type":"conv"}]}"#),
            "layers[0].type"
        );
        assert_eq!(
            tagged_path(
                r#"{"layers":[{"type":"dropout","rate":0.5}],"last":{"type":"dense","units":-1}}"#
            ),
            "last"
        );
        // A missing field names the object that lacks it, a buffered one too.
        assert_eq!(tagged_path(r#"{"last":null}"#), ".");
        assert_eq!(tagged_path(r#"{"layers":[{"type":"dense"}]}"#), "layers[0]");
        assert_eq!(
            tagged_path(r#"{"layers":[{"type":"dense","units":1},{"type":"dropout"}]}"#),
            "layers[1]"
        );
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
