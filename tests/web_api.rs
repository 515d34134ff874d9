//! The wasm API in headless Chromium: configs round-trip, errors carry messages, `fit`
//! resolves with a History, `predict` has the right shape, the session trains and draws.
#![cfg(target_arch = "wasm32")]

use nn_playground::web::{
    config_from_hash, config_to_hash, default_config, WebSequential, WebSession,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON parses")
}

fn stringify(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn message(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn config_round_trips_through_session_and_hash() {
    let cfg = default_config().unwrap();
    js_sys::Reflect::set(&cfg, &"dataset".into(), &"spiral".into()).unwrap();
    js_sys::Reflect::set(&cfg, &"seed".into(), &JsValue::from(42)).unwrap();
    let s = WebSession::new(cfg.clone()).unwrap();
    assert_eq!(stringify(&s.config().unwrap()), stringify(&cfg));

    let hash = config_to_hash(cfg.clone(), json(r#"["noise"]"#)).unwrap();
    assert!(
        hash.contains("dataset=spiral") && hash.contains("seed=42") && hash.contains("hide=noise"),
        "{hash}"
    );
    let back = config_from_hash(hash.into()).unwrap();
    assert_eq!(stringify(&get(&back, "config")), stringify(&cfg));
    assert_eq!(stringify(&get(&back, "hide")), r#"["noise"]"#);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_with_a_message() {
    let cfg = default_config().unwrap();
    let opt = get(&cfg, "optimizer");
    js_sys::Reflect::set(&opt, &"learning_rate".into(), &JsValue::from(-1.0)).unwrap();
    let err = WebSession::new(cfg)
        .err()
        .expect("negative learning rate is refused");
    assert!(message(err.into()).contains("learning rate"));

    let err = WebSession::new(json(r#"{"dataset": "moon"}"#))
        .err()
        .expect("unknown dataset is refused");
    assert!(message(err.into()).contains("configuration"));

    // A bad link value is left out and explained; the rest of the link is kept.
    let st = config_from_hash("activation=nope&dataset=xor".into()).unwrap();
    assert!(stringify(&get(&st, "rejected")).contains("activation"));
    assert_eq!(
        get(&get(&st, "config"), "dataset").as_string().unwrap(),
        "xor"
    );

    let mut s = WebSession::new(JsValue::UNDEFINED).unwrap();
    let err = s
        .load_csv("x,y,label\n1,2,0\n3,oops,1\n".into(), JsValue::UNDEFINED)
        .err()
        .unwrap();
    // The page says it in its own language from the stable code and the values.
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("csv_cell"));
    assert_eq!(
        get(&get(&err, "args"), "line").as_string().as_deref(),
        Some("3")
    );
    assert!(get(&get(&err, "args"), "detail").as_string().is_some());
    assert!(message(err).contains("line 3"));
    let err: JsValue = s.decision_grid(100_000).err().unwrap().into();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("limit"));
    assert!(message(err).contains("resolution"));
}

#[wasm_bindgen_test]
fn session_trains_and_draws() {
    let mut s = WebSession::new(JsValue::UNDEFINED).unwrap();
    let steps = s.train_epochs(3).unwrap();
    assert_eq!(s.epoch(), 3);
    assert_eq!(steps, 3 * 25);
    assert_eq!(s.decision_grid(10).unwrap().len(), 100);
    assert_eq!(s.neuron_grids(4).unwrap().len(), 9 * 16);
    assert_eq!(s.points().len(), 500 * 4);
    // Entries 1 and 2 as [train, test, validation] triples (NaN without a validation split).
    let history = s.loss_history_from(1);
    assert_eq!(history.len(), 6);
    assert!(history[2].is_nan() && history[5].is_nan());
    assert_eq!(s.split_sizes().to_vec(), vec![250, 0, 250]);
    assert!(s.train_loss().is_finite() && s.test_loss().is_finite());
    let metrics = s.metrics().unwrap();
    assert!(get(&metrics, "accuracy").as_f64().is_some());
    let layers: js_sys::Array = get(&s.network().unwrap(), "layers").dyn_into().unwrap();
    assert_eq!(layers.length(), 3);
    let json = s.export_model();
    let mut t = WebSession::new(JsValue::UNDEFINED).unwrap();
    t.import_model(json.into()).unwrap();
    assert_eq!(t.decision_grid(8).unwrap(), s.decision_grid(8).unwrap());
}

#[wasm_bindgen_test]
fn session_export_with_state_carries_the_optimizer_through_import() {
    // Adam: moments and the bias-correction step count must travel.
    let cfg = default_config().unwrap();
    js_sys::Reflect::set(&get(&cfg, "optimizer"), &"kind".into(), &"adam".into()).unwrap();
    let mut s = WebSession::new(cfg.clone()).unwrap();
    s.train_epochs(2).unwrap();
    let with_state = s.export_model_with_state();
    let state = get(&json(&with_state), "training");
    assert_eq!(get(&state, "iterations").as_f64(), Some(50.0));
    assert!(get(&json(&s.export_model()), "training").is_undefined());
    // Imported with its state, the run continues as the exporting session's does.
    let mut t = WebSession::new(cfg).unwrap();
    t.import_model(with_state.into()).unwrap();
    s.train_epochs(1).unwrap();
    t.train_epochs(1).unwrap();
    assert_eq!(t.decision_grid(8).unwrap(), s.decision_grid(8).unwrap());
    let after = get(&json(&t.export_model_with_state()), "training");
    assert_eq!(get(&after, "iterations").as_f64(), Some(75.0));
}

fn xor_data() -> (JsValue, JsValue) {
    (json("[[0,0],[0,1],[1,0],[1,1]]"), json("[0,1,1,0]"))
}

fn small_model() -> WebSequential {
    let m = WebSequential::new(json(
        r#"{"inputDim": 2, "seed": 3, "layers": [
            {"type": "dense", "units": 8, "activation": "tanh"},
            {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#,
    ))
    .unwrap();
    m.compile(json(r#"{"optimizer": "adam", "learningRate": 0.05, "loss": "binaryCrossentropy", "metrics": ["accuracy"]}"#))
        .unwrap();
    m
}

#[wasm_bindgen_test]
async fn fit_resolves_with_a_history_and_calls_back() {
    let m = small_model();
    let (x, y) = xor_data();
    let seen = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let seen2 = seen.clone();
    let on_epoch = Closure::<dyn FnMut(u32, JsValue)>::new(move |_e: u32, _logs: JsValue| {
        seen2.set(seen2.get() + 1)
    });
    let opts = json(r#"{"epochs": 5, "batchSize": 4}"#);
    js_sys::Reflect::set(&opts, &"onEpochEnd".into(), on_epoch.as_ref()).unwrap();
    let history = JsFuture::from(m.fit(x.clone(), y.clone(), opts))
        .await
        .unwrap();
    assert_eq!(seen.get(), 5);
    let epochs: js_sys::Array = get(&history, "epoch").dyn_into().unwrap();
    assert_eq!(epochs.length(), 5);
    let loss: js_sys::Array = get(&get(&history, "history"), "loss").dyn_into().unwrap();
    assert_eq!(loss.length(), 5);
    assert!(get(&get(&history, "history"), "accuracy").is_object());
    let eval = m.evaluate(x, y).unwrap();
    assert!(get(&eval, "loss").as_f64().unwrap().is_finite());
}

#[wasm_bindgen_test]
async fn fit_rejects_bad_data_with_a_message() {
    let m = small_model();
    let err = JsFuture::from(m.fit(json(r#""not data""#), json("[1]"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(message(err).contains("x must be"));
    let err = JsFuture::from(m.fit(json("[[1,2],[3]]"), json("[1,0]"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(message(err).contains("row 1"));
    let uncompiled = WebSequential::new(json(
        r#"{"inputDim": 2, "layers": [{"type": "dense", "units": 1}]}"#,
    ))
    .unwrap();
    let (x, y) = xor_data();
    let err = JsFuture::from(uncompiled.fit(x, y, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(!message(err).is_empty());
    assert!(WebSequential::new(json(
        r#"{"inputDim": 2, "layers": [{"type": "dense", "units": 0}]}"#
    ))
    .is_err());
}

#[wasm_bindgen_test]
fn predict_has_rows_by_outputs_and_json_round_trips() {
    let m = WebSequential::new(json(
        r#"{"inputDim": 3, "layers": [{"type": "dense", "units": 5, "activation": "relu"},
            {"type": "dropout", "rate": 0.2}, {"type": "dense", "units": 4, "activation": "softmax"}]}"#,
    ))
    .unwrap();
    let x = js_sys::Object::new();
    js_sys::Reflect::set(
        &x,
        &"data".into(),
        &js_sys::Float32Array::from(&[0.5f32; 6][..]),
    )
    .unwrap();
    js_sys::Reflect::set(&x, &"shape".into(), &json("[2, 3]")).unwrap();
    let out = m.predict(x.clone().into()).unwrap();
    assert_eq!(stringify(&get(&out, "shape")), "[2,4]");
    let data: js_sys::Float32Array = get(&out, "data").dyn_into().unwrap();
    assert_eq!(data.length(), 8);
    let copy = WebSequential::from_json(m.to_json().unwrap().into()).unwrap();
    let again = copy.predict(x.into()).unwrap();
    let d2: js_sys::Float32Array = get(&again, "data").dyn_into().unwrap();
    assert_eq!(data.to_vec(), d2.to_vec());
    assert!(WebSequential::from_json("{}".into()).is_err());
}

fn fit_with(m: &WebSequential, opts: &str) -> JsFuture {
    let (x, y) = xor_data();
    JsFuture::from(m.fit(x, y, json(opts)))
}

#[cfg(not(feature = "webgpu"))]
fn losses(history: &JsValue) -> Vec<f64> {
    let arr: js_sys::Array = get(&get(history, "history"), "loss").dyn_into().unwrap();
    arr.iter().map(|v| v.as_f64().unwrap()).collect()
}

/// The CPU package has no GPU backend: asking for it names the package that has it, in `fit`
/// and already in `compile`.
#[cfg(not(feature = "webgpu"))]
#[wasm_bindgen_test]
async fn backend_webgpu_is_refused_by_the_cpu_build_naming_pkg_webgpu() {
    let m = small_model();
    let err = fit_with(&m, r#"{"epochs": 2, "backend": "webgpu"}"#)
        .await
        .unwrap_err();
    let msg = message(err);
    assert!(
        msg.contains("no WebGPU backend") && msg.contains("pkg/nn_playground.js"),
        "{msg}"
    );
    let err = m
        .compile(json(r#"{"optimizer": "adam", "backend": "webgpu"}"#))
        .expect_err("compile refuses backend webgpu in the CPU build");
    assert!(message(err.into()).contains("pkg/nn_playground.js"));
}

/// `'auto'` never fails for want of a GPU: it trains on the CPU, says so, and trains exactly
/// as `'cpu'` does.
#[cfg(not(feature = "webgpu"))]
#[wasm_bindgen_test]
async fn backend_auto_trains_on_the_cpu_in_the_cpu_build() {
    let auto = fit_with(&small_model(), r#"{"epochs": 4, "backend": "auto"}"#)
        .await
        .unwrap();
    assert_eq!(get(&auto, "backend").as_string().unwrap(), "cpu");
    let note = get(&auto, "backendNote").as_string().unwrap_or_default();
    assert!(note.contains("no WebGPU backend"), "{note}");
    let cpu = fit_with(&small_model(), r#"{"epochs": 4, "backend": "cpu"}"#)
        .await
        .unwrap();
    assert_eq!(get(&cpu, "backend").as_string().unwrap(), "cpu");
    assert!(get(&cpu, "backendNote").is_undefined());
    assert_eq!(losses(&auto).len(), 4);
    assert_eq!(losses(&auto), losses(&cpu));

    // The same through compile's default.
    let m = small_model();
    m.compile(json(
        r#"{"optimizer": "adam", "loss": "binaryCrossentropy", "backend": "auto"}"#,
    ))
    .unwrap();
    let h = fit_with(&m, r#"{"epochs": 1}"#).await.unwrap();
    assert_eq!(get(&h, "backend").as_string().unwrap(), "cpu");
    assert!(get(&h, "backendNote").is_string());
}

#[wasm_bindgen_test]
async fn unknown_backend_is_a_clear_error() {
    let m = small_model();
    let err = fit_with(&m, r#"{"backend": "tpu"}"#).await.unwrap_err();
    let msg = message(err);
    assert!(
        msg.contains("unknown backend \"tpu\"") && msg.contains("\"auto\""),
        "{msg}"
    );
    let err = m
        .compile(json(r#"{"backend": "quantum"}"#))
        .expect_err("compile refuses an unknown backend");
    assert!(message(err.into()).contains("unknown backend"));
    // Without the option the history still says what trained.
    let h = fit_with(&m, r#"{"epochs": 1}"#).await.unwrap();
    assert_eq!(get(&h, "backend").as_string().unwrap(), "cpu");
}

#[wasm_bindgen_test]
fn a_session_moves_by_its_snapshot_and_a_cut_one_is_refused_in_words() {
    // The same bytes serve a move between builds, a reload and a crash restart: read back,
    // the session writes the very same snapshot (its run, model and optimiser state).
    let mut s = WebSession::new(JsValue::UNDEFINED).unwrap();
    s.train_epochs(3).unwrap();
    let bytes = s.snapshot();
    let next = WebSession::from_snapshot(&bytes).unwrap();
    assert_eq!(next.epoch(), 3);
    assert_eq!(next.snapshot(), bytes);
    let err = WebSession::from_snapshot(&bytes[..bytes.len() - 9])
        .err()
        .expect("a cut snapshot is refused");
    assert!(message(err.into()).contains("broken"));
    let caps = nn_playground::web::capabilities();
    assert!(caps.iter().any(|c| c == "restore"), "{caps:?}");
}
