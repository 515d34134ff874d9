//! The JS API against misuse, in Node: shape lies that once wrapped on wasm32, non-string
//! arguments, the model used from inside `onBatchEnd`, two `fit`s at once, and messages
//! that name the setting instead of a Rust type.
#![cfg(target_arch = "wasm32")]

use nn_playground::web::{
    config_from_hash, decode_weights, epoch_limit_from_text, WebSequential, WebSession,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON parses")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn message(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

fn model() -> WebSequential {
    let m = WebSequential::new(json(
        r#"{"inputDim": 2, "seed": 3, "layers": [
            {"type": "dense", "units": 4, "activation": "tanh"},
            {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#,
    ))
    .unwrap();
    m.compile(json(
        r#"{"optimizer": "adam", "loss": "binaryCrossentropy"}"#,
    ))
    .unwrap();
    m
}

fn shaped(data: &[f32], shape: &str) -> JsValue {
    let x = js_sys::Object::new();
    js_sys::Reflect::set(&x, &"data".into(), &js_sys::Float32Array::from(data)).unwrap();
    js_sys::Reflect::set(&x, &"shape".into(), &json(shape)).unwrap();
    x.into()
}

fn xor() -> (JsValue, JsValue) {
    (json("[[0,0],[0,1],[1,0],[1,1]]"), json("[0,1,1,0]"))
}

#[wasm_bindgen_test]
fn a_shape_lie_is_an_error_and_the_model_keeps_working() {
    let m = model();
    // 2147483650 × 2 wraps to 4 in 32-bit arithmetic: it used to panic and poison the model.
    let err = m.predict(shaped(&[0.0; 4], "[2147483650, 2]")).unwrap_err();
    assert!(message(err.into()).contains("shape"));
    for bad in ["[4, -1]", "[3.9, 2]", "[0, 2]", "[2, \"2\"]", "[1e300, 2]"] {
        let err = m.predict(shaped(&[0.0; 4], bad)).unwrap_err();
        let msg = message(err.into());
        assert!(
            msg.contains("x.shape") && msg.contains("whole numbers"),
            "{bad}: {msg}"
        );
    }
    let out = m.predict(shaped(&[0.0; 4], "[2, 2]")).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&get(&out, "shape")).unwrap(),
        "[2,1]"
    );
    assert!(m.to_json().unwrap().contains("nn-playground-model"));
}

fn type_error_naming(e: JsValue, what: &str) {
    assert!(
        e.is_instance_of::<js_sys::TypeError>(),
        "not a TypeError: {e:?}"
    );
    let msg = message(e);
    assert!(
        msg.contains(what) && msg.contains("must be a string"),
        "{msg}"
    );
}

#[wasm_bindgen_test]
fn non_string_arguments_are_type_errors_naming_the_argument() {
    type_error_naming(
        WebSequential::from_json(json("{}")).err().unwrap(),
        "fromJSON",
    );
    type_error_naming(
        WebSequential::from_json(JsValue::from(123)).err().unwrap(),
        "fromJSON",
    );
    let mut s = WebSession::new(JsValue::UNDEFINED).unwrap();
    type_error_naming(s.import_model(json("{}")).unwrap_err(), "importModel");
    type_error_naming(
        s.load_csv(JsValue::from(42), JsValue::UNDEFINED)
            .unwrap_err(),
        "loadCsv",
    );
    for (e, what) in [
        (
            config_from_hash(JsValue::from(7)).unwrap_err(),
            "configFromHash",
        ),
        (decode_weights(json("[]")).unwrap_err(), "decodeWeights"),
        (
            epoch_limit_from_text(JsValue::NULL).unwrap_err(),
            "epochLimitFromText",
        ),
    ] {
        type_error_naming(e, what);
    }
    // The session is untouched and still trains.
    s.train_epochs(1).unwrap();
    let err = s.import_model("".into()).unwrap_err();
    assert!(message(err).contains("empty"));
}

#[wasm_bindgen_test]
async fn the_model_inside_on_batch_end_says_it_is_busy() {
    let m = std::rc::Rc::new(model());
    let seen = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (m2, seen2) = (m.clone(), seen.clone());
    let on_batch = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_b, _l| {
        if let Err(e) = m2.to_json() {
            *seen2.borrow_mut() = message(e.into());
        }
    });
    let opts = json(r#"{"epochs": 2, "batchSize": 2}"#);
    js_sys::Reflect::set(&opts, &"onBatchEnd".into(), on_batch.as_ref()).unwrap();
    let (x, y) = xor();
    JsFuture::from(m.fit(x, y, opts)).await.unwrap();
    assert!(
        seen.borrow().contains("busy inside fit"),
        "{}",
        seen.borrow()
    );

    // A callback that lets the error escape rejects fit with the same words.
    let m3 = m.clone();
    let throwing =
        Closure::<dyn FnMut(JsValue, JsValue) -> Result<(), JsValue>>::new(move |_b, _l| {
            m3.predict(json("[[0, 0]]"))?;
            Ok(())
        });
    let opts = json(r#"{"epochs": 1}"#);
    js_sys::Reflect::set(&opts, &"onBatchEnd".into(), throwing.as_ref()).unwrap();
    let (x, y) = xor();
    let err = JsFuture::from(m.fit(x, y, opts)).await.unwrap_err();
    assert!(message(err).contains("busy inside fit"));
    // And afterwards the model answers as ever.
    assert!(m.predict(json("[[0, 0]]")).is_ok());
}

#[wasm_bindgen_test]
async fn a_second_fit_while_one_runs_is_refused() {
    let m = model();
    let (x, y) = xor();
    let first = JsFuture::from(m.fit(x.clone(), y.clone(), json(r#"{"epochs": 5}"#)));
    let err = JsFuture::from(m.fit(x.clone(), y.clone(), json(r#"{"epochs": 5}"#)))
        .await
        .unwrap_err();
    assert!(message(err).contains("already training"));
    let h = first.await.unwrap();
    let epochs: js_sys::Array = get(&h, "epoch").dyn_into().unwrap();
    assert_eq!(epochs.length(), 5, "the first run is whole");
    // Once it settled, fit works again.
    JsFuture::from(m.fit(x, y, json(r#"{"epochs": 1}"#)))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn option_messages_name_the_setting_in_words() {
    let m = model();
    let (x, y) = xor();
    let err = JsFuture::from(m.fit(x, y, json(r#"{"epochs": 2.5}"#)))
        .await
        .unwrap_err();
    let msg = message(err);
    assert!(
        msg.contains("`epochs`") && msg.contains("whole number"),
        "{msg}"
    );
    assert!(!msg.contains("usize"), "{msg}");
    let err = WebSequential::new(json(
        r#"{"inputDim": 2, "layers": [{"type": "dense", "units": 2.5}]}"#,
    ))
    .err()
    .unwrap();
    let msg = message(err.into());
    // Inside a tagged layer object serde knows the layer, not the field.
    assert!(
        msg.contains("`layers[0]`") && msg.contains("whole number"),
        "{msg}"
    );
    assert!(!msg.contains("usize"), "{msg}");

    // A seed past 2^53 names the seed, from a link and from a config object.
    let st = config_from_hash("seed=9007199254740993&dataset=xor".into()).unwrap();
    let rejected = js_sys::JSON::stringify(&get(&st, "rejected")).unwrap();
    assert!(String::from(rejected).contains("seed"));
    let err = WebSession::new(json(r#"{"seed": 1e300}"#)).err().unwrap();
    assert!(message(err.into()).contains("seed"));
}
