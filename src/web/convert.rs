//! Converting JS values for the Keras-style API: matrices from nested arrays or
//! `{data, shape}`, camelCase names, options without their callbacks, and yielding to the
//! event loop.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_err;
use crate::{Error, Matrix};

/// Accepts the camelCase and snake_case spellings of names (`binaryCrossentropy`, `rmsprop`).
pub(super) fn parse_name<T: serde::de::DeserializeOwned>(
    name: &str,
    what: &str,
) -> Result<T, JsError> {
    let mut snake = String::new();
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            snake.push('_');
            snake.push(ch.to_ascii_lowercase());
        } else {
            snake.push(ch);
        }
    }
    // Through the one JSON reader, so the name reads with the deserialiser every spec has.
    let quoted = serde_json::Value::String(snake).to_string();
    crate::input::from_json(&quoted).map_err(|_| JsError::new(&format!("unknown {what} {name:?}")))
}

/// The options object without its callbacks, so serde sees only data.
pub(super) fn strip_functions(v: &JsValue) -> JsValue {
    let out = js_sys::Object::new();
    for key in js_sys::Object::keys(&js_sys::Object::from(v.clone())).iter() {
        if let Ok(val) = js_sys::Reflect::get(v, &key) {
            if !val.is_function() {
                let _ = js_sys::Reflect::set(&out, &key, &val);
            }
        }
    }
    out.into()
}

/// A matrix from nested arrays, a flat array (one column) or `{data, shape: [rows, cols]}`.
pub(super) fn matrix_from_js(v: &JsValue, name: &str) -> Result<Matrix, JsError> {
    let bad = || {
        JsError::new(&format!("{name} must be nested arrays of numbers or {{data: Float32Array, shape: [rows, cols]}}"))
    };
    if js_sys::Array::is_array(v) {
        let arr = js_sys::Array::from(v);
        let rows: Vec<Vec<f32>> = arr
            .iter()
            .map(|r| {
                if js_sys::Array::is_array(&r) {
                    js_sys::Array::from(&r)
                        .iter()
                        .map(|c| c.as_f64().map(|f| f as f32).ok_or_else(bad))
                        .collect()
                } else {
                    r.as_f64().map(|f| vec![f as f32]).ok_or_else(bad)
                }
            })
            .collect::<Result<_, _>>()?;
        return Matrix::from_rows(&rows).map_err(js_err);
    }
    if v.is_object() {
        let data = js_sys::Reflect::get(v, &"data".into()).map_err(|_| bad())?;
        let shape = js_sys::Reflect::get(v, &"shape".into()).map_err(|_| bad())?;
        if !js_sys::Array::is_array(&shape) {
            return Err(bad());
        }
        let dims: Vec<usize> = js_sys::Array::from(&shape)
            .iter()
            .map(|d| crate::input::dimension(d.as_f64(), name))
            .collect::<crate::Result<_>>()
            .map_err(js_err)?;
        let values: Vec<f32> = if let Some(f) = data.dyn_ref::<js_sys::Float32Array>() {
            f.to_vec()
        } else if js_sys::Array::is_array(&data) {
            js_sys::Array::from(&data)
                .iter()
                .map(|c| c.as_f64().map(|f| f as f32).ok_or_else(bad))
                .collect::<Result<_, _>>()?
        } else {
            return Err(bad());
        };
        // The shape is checked before `data` is copied out of JS: a lie costs nothing.
        return match dims.as_slice() {
            [r, c] => Matrix::from_vec(*r, *c, values).map_err(js_err),
            [r] => Matrix::from_vec(*r, 1, values).map_err(js_err),
            _ => Err(js_err(Error::Shape(format!(
                "{name}.shape must be [rows, cols]"
            )))),
        };
    }
    Err(bad())
}

/// Resolves on the next macrotask (setTimeout 0), letting the page handle input and paint.
pub(super) async fn yield_to_event_loop() -> Result<(), JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        if let Ok(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from(0));
        } else {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
}
