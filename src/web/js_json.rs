//! JS values as JSON text, so that every value from JavaScript is read by the one serde path
//! the engine's files use ([`crate::input::from_json`]): one deserialiser per spec type in
//! the wasm module instead of one per input format.
//!
//! The text follows `JSON.stringify` where it has an answer (`undefined` and functions in an
//! object are left out, elsewhere they and non-finite numbers become `null`), and goes
//! further where the engine's callers pass more: typed arrays are written as arrays, BigInts
//! as integers.

use std::fmt::Write;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Deeper than any config or model description; a cycle is refused at this depth.
const MAX_DEPTH: usize = 64;

/// `v` as JSON text; an error says why in words (a cycle, a symbol).
pub(super) fn to_json_text(v: &JsValue) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, 0)?;
    Ok(out)
}

fn write_value(out: &mut String, v: &JsValue, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "nested more than {MAX_DEPTH} levels deep (does an object contain itself?)"
        ));
    }
    if v.is_null() || v.is_undefined() || v.is_function() {
        out.push_str("null");
    } else if let Some(b) = v.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if let Some(x) = v.as_f64() {
        write_number(out, x);
    } else if let Some(s) = v.as_string() {
        write_string(out, &s);
    } else if v.is_bigint() {
        let digits = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map_err(|_| "a BigInt that cannot be written out".to_string())?;
        out.push_str(&String::from(digits));
    } else if v.is_symbol() {
        return Err("a Symbol is not a setting".into());
    } else if js_sys::Array::is_array(v) {
        out.push('[');
        for (i, item) in js_sys::Array::from(v).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_value(out, &item, depth + 1)?;
        }
        out.push(']');
    } else if js_sys::ArrayBuffer::is_view(v) && !v.is_instance_of::<js_sys::DataView>() {
        // Any typed array, as numbers (a Float64Array holds every element type exactly).
        out.push('[');
        for (i, x) in js_sys::Float64Array::new(v)
            .to_vec()
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            write_number(out, x);
        }
        out.push(']');
    } else {
        write_object(out, v, depth)?;
    }
    Ok(())
}

fn write_object(out: &mut String, v: &JsValue, depth: usize) -> Result<(), String> {
    let entries = js_sys::Object::entries(v.unchecked_ref::<js_sys::Object>());
    out.push('{');
    let mut first = true;
    for entry in entries.iter() {
        let pair = js_sys::Array::from(&entry);
        let value = pair.get(1);
        if value.is_undefined() || value.is_function() {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        write_string(out, &pair.get(0).as_string().unwrap_or_default());
        out.push(':');
        write_value(out, &value, depth + 1)?;
    }
    out.push('}');
    Ok(())
}

/// Whole numbers as integers (`3`, not `3.0`: a count must read as one), others in Rust's
/// shortest round-trip form (`2.5`, `1e-7`), non-finite ones as `null`.
fn write_number(out: &mut String, x: f64) {
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
    if !x.is_finite() {
        out.push_str("null");
    } else if x.fract() == 0.0 && x.abs() <= EXACT_INTEGERS {
        let _ = write!(out, "{}", x as i64);
    } else {
        let _ = write!(out, "{x:?}");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn text(v: impl Into<JsValue>) -> String {
        to_json_text(&v.into()).unwrap()
    }

    #[wasm_bindgen_test]
    fn numbers_strings_and_holes() {
        assert_eq!(text(3.0), "3");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(2.5), "2.5");
        assert_eq!(text(1e-7), "1e-7");
        assert_eq!(text(1e300), "1e300");
        assert_eq!(text(f64::NAN), "null");
        assert_eq!(text(f64::INFINITY), "null");
        assert_eq!(text(JsValue::UNDEFINED), "null");
        assert_eq!(text("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\u0001é\"");
    }

    #[wasm_bindgen_test]
    fn arrays_objects_and_typed_arrays() {
        let obj = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&obj, &k.into(), &v).unwrap();
        set("units", 4.into());
        set("gone", JsValue::UNDEFINED);
        set("rate", 0.5.into());
        let arr = js_sys::Array::of2(&JsValue::TRUE, &JsValue::UNDEFINED);
        set("flags", arr.into());
        let f = js_sys::Float32Array::from(&[1.5f32, 2.0][..]);
        set("data", f.into());
        assert_eq!(
            text(obj),
            r#"{"units":4,"rate":0.5,"flags":[true,null],"data":[1.5,2]}"#
        );
    }

    #[wasm_bindgen_test]
    fn a_cycle_is_refused_in_words() {
        let obj = js_sys::Object::new();
        js_sys::Reflect::set(&obj, &"me".into(), &obj).unwrap();
        let err = to_json_text(&obj.into()).unwrap_err();
        assert!(err.contains("contain itself"), "{err}");
    }
}
