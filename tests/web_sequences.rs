//! The wasm API with sequence layers, in headless Chromium: the JS `Sequential` builds a
//! transformer from TF.js-style layer objects, fits token data, predicts per position and
//! gives attention maps; bad layers and tokens throw messages that name them; the
//! `SequenceSession` trains, shows an example and refuses bad typed input (with the feature
//! `sequences`, which the full builds `pkg/` and `pkg-threads/` carry (not the core build); the layers
//! themselves are in every build).
#![cfg(target_arch = "wasm32")]

use nn_playground::web::WebSequential;
#[cfg(feature = "sequences")]
use nn_playground::web::{default_sequence_config, sequence_choices, WebSequenceSession};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

fn transformer() -> WebSequential {
    WebSequential::new(json(
        r#"{"inputDim": 4, "seed": 3, "layers": [
            {"type": "embedding", "vocab": 5, "dim": 8},
            {"type": "positionalEmbedding", "maxLen": 4},
            {"type": "transformer_block", "heads": 2, "ffUnits": 16},
            {"type": "layerNormalization"},
            {"type": "dense", "units": 5}]}"#,
    ))
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_transformer_fits_tokens_and_shows_its_attention() {
    let m = transformer();
    m.compile(json(
        r#"{"optimizer": "adam", "learningRate": 0.01, "warmupSteps": 5,
            "loss": "categorical_crossentropy", "metrics": ["tokenAccuracy", "sequenceAccuracy"]}"#,
    ))
    .unwrap();
    // Reverse four tokens.
    let x = json("[[0,1,2,3],[4,3,2,1],[1,1,0,2],[3,0,4,4]]");
    let y = json("[[3,2,1,0],[1,2,3,4],[2,0,1,1],[4,4,0,3]]");
    let history = JsFuture::from(m.fit(
        x.clone(),
        y.clone(),
        json(r#"{"epochs": 3, "batchSize": 2}"#),
    ))
    .await
    .unwrap();
    let logs = get(&history, "history");
    assert!(
        get(&logs, "token_accuracy").is_object(),
        "{:?}",
        js_sys::JSON::stringify(&logs)
    );
    let out = m.predict(x.clone()).unwrap();
    let shape: js_sys::Array = get(&out, "shape").dyn_into().unwrap();
    assert_eq!(
        (shape.get(0).as_f64(), shape.get(1).as_f64()),
        (Some(16.0), Some(5.0))
    );
    let maps = m.attention_maps(x).unwrap();
    assert_eq!(maps.length(), 1);
    let map = maps.get(0);
    assert_eq!(get(&map, "heads").as_f64(), Some(2.0));
    assert_eq!(get(&map, "len").as_f64(), Some(4.0));
    let weights: js_sys::Float32Array = get(&map, "weights").dyn_into().unwrap();
    assert_eq!(weights.length(), 4 * 2 * 4 * 4);
    let text = message(m.predict(json("[[0,1,7,3]]")).unwrap_err().into());
    assert!(text.contains("token 7") && text.contains("0..5"), "{text}");
    let text = message(m.predict(json("[[0,1,2,3,4]]")).unwrap_err().into());
    assert!(
        text.contains("5 tokens") && text.contains("1 to 4"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn bad_sequence_layers_throw_messages_that_name_them() {
    let bad = |layers: &str| {
        let args = format!(r#"{{"inputDim": 4, "layers": {layers}}}"#);
        message(WebSequential::new(json(&args)).err().unwrap().into())
    };
    let text = bad(r#"[{"type": "embedding", "vocab": 5, "dim": 6},
        {"type": "transformerBlock", "heads": 4, "ffUnits": 8}, {"type": "dense", "units": 5}]"#);
    assert!(text.contains("not divisible by 4 heads"), "{text}");
    let text = bad(r#"[{"type": "dense", "units": 8},
        {"type": "multiHeadSelfAttention", "heads": 2}, {"type": "dense", "units": 2}]"#);
    assert!(
        text.contains("start the model with an embedding layer"),
        "{text}"
    );
    let text = bad(r#"[{"type": "embedding", "vocab": 5, "dim": 6},
        {"type": "positionalEmbedding", "maxLen": 3}, {"type": "dense", "units": 5}]"#);
    assert!(text.contains("max_len 3"), "{text}");
}

#[cfg(feature = "sequences")]
#[wasm_bindgen_test]
fn the_sequence_session_trains_and_answers_typed_input() {
    let cfg = default_sequence_config().unwrap();
    let task = get(&cfg, "task");
    js_sys::Reflect::set(&task, &"length".into(), &JsValue::from(5)).unwrap();
    js_sys::Reflect::set(&task, &"train".into(), &JsValue::from(200)).unwrap();
    js_sys::Reflect::set(&cfg, &"width".into(), &JsValue::from(16)).unwrap();
    let mut s = WebSequenceSession::new(cfg).unwrap();
    let point = s.train_steps(4.0).unwrap();
    assert_eq!(get(&point, "step").as_f64(), Some(4.0));
    assert!(get(&point, "test_token_accuracy").as_f64().is_some());
    let e = s.example(0.0).unwrap();
    let attention: js_sys::Array = get(&e, "attention").dyn_into().unwrap();
    assert_eq!(attention.length(), 1);
    let typed = s.predict_text("3 1 4".into()).unwrap();
    assert!(get(&typed, "target").is_null());
    let text = message(s.predict_text("1 2 3 4 5 6".into()).unwrap_err());
    assert!(text.contains("too long"), "{text}");
    let text = message(s.predict_text("1 q".into()).unwrap_err());
    assert!(text.contains("\"q\" is not a token"), "{text}");
    assert!(s.predict_text(JsValue::from(3)).is_err());
    assert_eq!(s.step(), 4.0, "errors keep the model");
    let map = s.embedding_map().unwrap();
    let xs: js_sys::Array = get(&map, "x").dyn_into().unwrap();
    assert_eq!(xs.length(), 10);
    let choices = sequence_choices().unwrap();
    let tasks: js_sys::Array = get(&choices, "tasks").dyn_into().unwrap();
    assert_eq!(tasks.length(), 7);
    let bad = json(r#"{"heads": 3}"#);
    let text = message(WebSequenceSession::new(bad).err().unwrap().into());
    assert!(text.contains("not divisible by 3 heads"), "{text}");
}

fn code(e: &JsValue) -> String {
    get(e, "code").as_string().unwrap_or_default()
}

#[cfg(feature = "sequences")]
#[wasm_bindgen_test]
fn a_script_s_bad_numbers_are_refused_in_words_and_keep_the_session() {
    let cfg = default_sequence_config().unwrap();
    let task = get(&cfg, "task");
    js_sys::Reflect::set(&task, &"length".into(), &JsValue::from(4)).unwrap();
    js_sys::Reflect::set(&task, &"train".into(), &JsValue::from(100)).unwrap();
    js_sys::Reflect::set(&cfg, &"width".into(), &JsValue::from(16)).unwrap();
    let mut s = WebSequenceSession::new(cfg).unwrap();
    // NaN and Infinity would never reach their budget: refused at once, no step taken.
    let t0 = js_sys::Date::now();
    for ms in [f64::NAN, f64::INFINITY] {
        let e: JsValue = s.train_for(ms).unwrap_err().into();
        assert_eq!(code(&e), "config");
        assert!(message(e).contains("trainFor's milliseconds must be a number from 0 to"));
    }
    assert!(js_sys::Date::now() - t0 < 1000.0);
    for (x, said) in [(-1.0, "-1"), (1.5, "1.5"), (f64::NAN, "NaN")] {
        let e: JsValue = s.train_steps(x).unwrap_err().into();
        assert_eq!(
            get(&get(&e, "args"), "detail_code").as_string().as_deref(),
            Some("api_whole_number")
        );
        let text = message(e);
        assert!(
            text.contains(&format!(
                "trainSteps's steps must be a whole number from 0 to 100000, got {said}"
            )),
            "{text}"
        );
        let text = message(s.example(x).unwrap_err().into());
        assert!(
            text.contains(&format!(
                "example's index must be a whole number from 0 to 4294967295, got {said}"
            )),
            "{text}"
        );
    }
    for (tokens, said) in [
        (vec![f64::NAN], "token 1 must be a whole number"),
        (
            vec![1.0, 1.5],
            "token 2 must be a whole number from 0 to 4294967295, got 1.5",
        ),
        (vec![-1.0], "got -1"),
    ] {
        let arr: js_sys::Array = tokens.iter().map(|&x| JsValue::from(x)).collect();
        let text = message(s.predict_tokens(arr.into()).unwrap_err());
        assert!(text.contains(said), "{tokens:?}: {text}");
    }
    let text = message(s.predict_tokens(json("[\"1\"]")).unwrap_err());
    assert!(
        text.contains("token 1 must be a number, got string"),
        "{text}"
    );
    let text = message(s.predict_tokens(JsValue::from(3)).unwrap_err());
    assert!(text.contains("must be an array of token ids"), "{text}");
    // Good ids still work, typed arrays too, and nothing trained.
    assert!(s.predict_tokens(json("[1, 2, 3]")).is_ok());
    assert!(s
        .predict_tokens(js_sys::Uint32Array::from(&[1u32, 2][..]).into())
        .is_ok());
    let text = message(s.predict_tokens(json("[10]")).unwrap_err());
    assert!(
        text.contains("token 10 at position 1 is out of range"),
        "{text}"
    );
    assert_eq!(s.step(), 0.0);
}

#[wasm_bindgen_test]
fn compile_refuses_a_learning_rate_that_is_not_a_finite_number() {
    for (lr, said) in [
        (JsValue::from(f64::NAN), "NaN"),
        (JsValue::from(f64::INFINITY), "Infinity"),
        (JsValue::from(f64::NEG_INFINITY), "-Infinity"),
        (JsValue::NULL, "null"),
    ] {
        let top = js_sys::Object::new();
        js_sys::Reflect::set(&top, &"learningRate".into(), &lr).unwrap();
        let optimizer = json(r#"{"kind": "adam"}"#);
        js_sys::Reflect::set(&optimizer, &"learning_rate".into(), &lr).unwrap();
        let nested = js_sys::Object::new();
        js_sys::Reflect::set(&nested, &"optimizer".into(), &optimizer).unwrap();
        for args in [JsValue::from(top), JsValue::from(nested)] {
            let e: JsValue = transformer().compile(args).unwrap_err().into();
            assert_eq!(code(&e), "config");
            let text = message(e);
            assert!(
                text.contains("must be a finite number, got") && text.ends_with(said),
                "{text}"
            );
        }
    }
    let m = transformer();
    m.compile(json(
        r#"{"learningRate": 0.01, "loss": "categorical_crossentropy"}"#,
    ))
    .unwrap();
}
