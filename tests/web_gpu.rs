//! The WebGPU backend in a real browser (headless Chromium with `--enable-unsafe-webgpu`,
//! SwiftShader in CI): every shared body of `tests/gpu_cases/` (the kernels against the CPU
//! oracle on odd shapes, training runs against the CPU run, batch norm, the benchmark's
//! clock-free jobs; the same bodies the native suite `tests/gpu/` runs), then what only the
//! browser has: the JavaScript exports (`GpuTrainer`, the Keras `fit` with `backend`, the
//! benchmark page's). Without an adapter the tests fail with the reason.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features webgpu --test web_gpu`
#![cfg(all(feature = "webgpu", target_arch = "wasm32"))]

#[path = "common/mod.rs"]
mod common;
#[path = "gpu_cases/mod.rs"]
mod gpu_cases;

use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind,
    OptimizerSpec, Rng, Sequential,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod shared {
    crate::gpu_tests!(browser);
}

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

fn close(what: &str, got: &[f32], want: &[f32], abs: f32, rel: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= abs + rel * w.abs(),
            "{what}[{i}]: GPU {g} vs CPU {w}"
        );
    }
}

/// The JavaScript export, driven as the page's worker would: create from a model file, train,
/// download to continue on the CPU, upload the CPU's weights back and keep going. With SGD
/// (no optimiser state to carry) every switch keeps the two runs in step.
#[wasm_bindgen_test]
async fn js_trainer_switches_backends_mid_training_without_losing_steps() {
    use nn_playground::web::gpu_trainer::WebGpuTrainer;
    use wasm_bindgen_futures::JsFuture;

    let dense = |units, activation| LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    };
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![dense(6, Activation::Relu), dense(2, Activation::Linear)],
    };
    let mut cpu = Sequential::new(spec, 9).unwrap();
    cpu.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.05,
            ..Default::default()
        },
        loss: LossKind::Mse,
        ..Default::default()
    })
    .unwrap();
    let x = random(24 * 3, 11);
    let y = random(24 * 2, 12);
    let (xm, ym) = (
        Matrix::from_vec(24, 3, x.clone()).unwrap(),
        Matrix::from_vec(24, 2, y.clone()).unwrap(),
    );
    let Ok(gpu) = WebGpuTrainer::create(cpu.to_json(), 8).await else {
        panic!("GpuTrainer.create failed: no WebGPU adapter in this browser?");
    };
    assert!(!gpu.adapter().is_empty());
    assert!(gpu.set_data(&x, 24, &y, 2).is_ok());
    let train = |steps| JsFuture::from(gpu.train_steps(8, steps));
    let got = train(6).await.unwrap().as_f64().unwrap() as f32;
    let want = cpu.train_steps(&xm, &ym, 8, 6).unwrap();
    assert!(
        (got - want).abs() <= 1e-6 + 1e-3 * want.abs(),
        "GPU {got} vs CPU {want}"
    );
    // GPU → CPU: the downloaded file holds the GPU's weights.
    let Ok(json) = gpu.download() else {
        panic!("download failed")
    };
    let mut resumed = Sequential::from_json(&json).unwrap();
    for (g, c) in resumed.params().iter().zip(cpu.params()) {
        close("downloaded weights", g, &c, 1e-4, 1e-3);
    }
    // CPU trains on, then CPU → GPU: both continue from the same weights.
    resumed.train_steps(&xm, &ym, 8, 6).unwrap();
    cpu.train_steps(&xm, &ym, 8, 6).unwrap();
    assert!(gpu.upload(&resumed.to_json()).is_ok());
    let got = train(6).await.unwrap().as_f64().unwrap() as f32;
    let want = cpu.train_steps(&xm, &ym, 8, 6).unwrap();
    assert!(
        (got - want).abs() <= 1e-6 + 2e-3 * want.abs(),
        "after switching back: GPU {got} vs CPU {want}"
    );
    let pred = JsFuture::from(gpu.predict(x.clone(), 24)).await.unwrap();
    let pred = js_sys::Float32Array::from(pred).to_vec();
    close(
        "predictions",
        &pred,
        cpu.predict(&xm).unwrap().as_slice(),
        1e-3,
        1e-2,
    );
}

/// The page's switch with a stateful optimiser (Adam): CPU → GPU → CPU → GPU through model
/// files with state (`create`, `downloadWithState`, `upload`) follows the CPU-only run,
/// moments and bias correction included.
#[wasm_bindgen_test]
async fn js_trainer_carries_adam_state_across_switches() {
    use nn_playground::web::gpu_trainer::WebGpuTrainer;
    use wasm_bindgen_futures::JsFuture;

    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![
            LayerSpec::Dense {
                units: 6,
                activation: Activation::Tanh,
                init: Init::GlorotUniform,
                use_bias: true,
            },
            LayerSpec::Dense {
                units: 2,
                activation: Activation::Linear,
                init: Init::GlorotUniform,
                use_bias: true,
            },
        ],
    };
    let mut cpu = Sequential::new(spec, 9).unwrap();
    cpu.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..Default::default()
        },
        loss: LossKind::Mse,
        ..Default::default()
    })
    .unwrap();
    // 24 rows in batches of 8: 3 steps per pass, so 6-step legs all start at row 0.
    let x = random(24 * 3, 11);
    let y = random(24 * 2, 12);
    let (xm, ym) = (
        Matrix::from_vec(24, 3, x.clone()).unwrap(),
        Matrix::from_vec(24, 2, y.clone()).unwrap(),
    );
    let mut straight = cpu.clone();
    straight.train_steps(&xm, &ym, 8, 24).unwrap();

    cpu.train_steps(&xm, &ym, 8, 6).unwrap();
    let Ok(gpu) = WebGpuTrainer::create(cpu.to_json_with_state(), 8).await else {
        panic!("GpuTrainer.create failed: no WebGPU adapter in this browser?");
    };
    assert_eq!(gpu.iterations(), 6.0);
    assert!(gpu.set_data(&x, 24, &y, 2).is_ok());
    let train = |steps| JsFuture::from(gpu.train_steps(8, steps));
    train(6).await.unwrap();
    let json = JsFuture::from(gpu.download_with_state())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let mut resumed = Sequential::from_json(&json).unwrap();
    assert_eq!(resumed.iterations(), 12);
    resumed.train_steps(&xm, &ym, 8, 6).unwrap();
    assert!(gpu.upload(&resumed.to_json_with_state()).is_ok());
    assert_eq!(gpu.iterations(), 18.0);
    train(6).await.unwrap();
    let json = JsFuture::from(gpu.download_with_state())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let mut done = Sequential::from_json(&json).unwrap();
    assert_eq!(done.iterations(), 24);
    for (g, c) in done.params().iter().zip(straight.params()) {
        close("switched run vs CPU only", g, &c, 2e-5, 1e-4);
    }
    // The sync download (the lost-device path) still hands over the weights.
    let Ok(plain) = gpu.download() else {
        panic!("download failed")
    };
    let mut weights_only = Sequential::from_json(&plain).unwrap();
    for (g, c) in weights_only.params().iter().zip(done.params()) {
        close("download()", g, &c, 0.0, 0.0);
    }
}

// The benchmark exports are in the benchmark builds only (the gpu stage tests with `bench`).
#[cfg(feature = "bench")]
#[wasm_bindgen_test]
async fn benchmark_page_exports_run_and_wait_in_the_browser() {
    use nn_playground::web::gpu_bench::WebGpuKernelBench;
    use wasm_bindgen_futures::JsFuture;

    // The JS face the benchmark page drives (the Rust jobs under it are a shared body,
    // `bench_jobs`).
    let bench = WebGpuKernelBench::create().await.unwrap();
    let mm = bench.matmul("tn", 8, 8, 8, 1).unwrap();
    assert_eq!(mm.flops_per_iter(), 1024.0);
    let c = JsFuture::from(mm.run(2)).await.unwrap().as_f64().unwrap();
    assert!(c.is_finite());
    JsFuture::from(bench.dispatches(3)).await.unwrap();
    let v = JsFuture::from(bench.read_back())
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(v, 3.0);
    assert!(bench.matmul("tt", 8, 8, 8, 1).is_err());
}

// ---- The Keras-style API's `backend` option (`Sequential.fit` on the GPU) ----

mod keras {
    use nn_playground::web::WebSequential;
    use nn_playground::Rng;
    use std::cell::Cell;
    use std::rc::Rc;
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

    fn series(history: &JsValue, key: &str) -> Vec<f32> {
        let arr: js_sys::Array = get(&get(history, "history"), key)
            .dyn_into()
            .unwrap_or_else(|_| panic!("history.{key} is missing"));
        arr.iter().map(|v| v.as_f64().unwrap() as f32).collect()
    }

    fn text(v: &JsValue, key: &str) -> String {
        get(v, key).as_string().unwrap_or_default()
    }

    fn history_keys(history: &JsValue) -> Vec<String> {
        let mut keys: Vec<String> = js_sys::Object::keys(&get(history, "history").into())
            .iter()
            .map(|k| k.as_string().unwrap())
            .collect();
        keys.sort();
        keys
    }

    /// 32 rows of an XOR-like task on [-1, 1]²: `({data, shape}, {data, shape})`.
    fn quadrants(rows: usize, seed: u64) -> (JsValue, JsValue) {
        let mut rng = Rng::new(seed);
        let x: Vec<f32> = (0..rows * 2).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let y: Vec<f32> = x
            .chunks(2)
            .map(|r| (r[0] * r[1] > 0.0) as u8 as f32)
            .collect();
        let matrix = |data: &[f32], cols: u32| {
            let o = js_sys::Object::new();
            js_sys::Reflect::set(&o, &"data".into(), &js_sys::Float32Array::from(data)).unwrap();
            js_sys::Reflect::set(
                &o,
                &"shape".into(),
                &js_sys::Array::of2(&JsValue::from(rows as u32), &JsValue::from(cols)),
            )
            .unwrap();
            JsValue::from(o)
        };
        (matrix(&x, 2), matrix(&y, 1))
    }

    fn model(optimizer: &str, backend: Option<&str>) -> WebSequential {
        let m = WebSequential::new(json(
            r#"{"inputDim": 2, "seed": 7, "layers": [
                {"type": "dense", "units": 8, "activation": "tanh"},
                {"type": "dense", "units": 8, "activation": "tanh"},
                {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#,
        ))
        .unwrap();
        let backend = backend.map_or(String::new(), |b| format!(r#", "backend": "{b}""#));
        m.compile(json(&format!(
            r#"{{"optimizer": "{optimizer}", "learningRate": 0.05, "loss": "binaryCrossentropy",
                "metrics": ["accuracy"]{backend}}}"#
        )))
        .unwrap();
        m
    }

    async fn fit(m: &WebSequential, x: &JsValue, y: &JsValue, opts: JsValue) -> JsValue {
        match JsFuture::from(m.fit(x.clone(), y.clone(), opts)).await {
            Ok(h) => h,
            Err(e) => panic!("fit rejected: {}", js_sys::JSON::stringify(&e).unwrap()),
        }
    }

    fn close_series(what: &str, gpu: &[f32], cpu: &[f32], rel: f32) {
        assert_eq!(gpu.len(), cpu.len(), "{what}: epochs");
        for (e, (g, c)) in gpu.iter().zip(cpu).enumerate() {
            assert!(
                (g - c).abs() <= 1e-5 + rel * c.abs(),
                "{what} epoch {e}: GPU {g} vs CPU {c} (GPU {gpu:?}, CPU {cpu:?})"
            );
        }
    }

    /// Same initial weights, same shuffles (the GPU path draws them from the model's own
    /// generator), so the per-epoch losses agree to float rounding: within 0.2 % relative.
    /// Validation loss and metrics come from the CPU on the downloaded weights.
    #[wasm_bindgen_test]
    async fn fit_on_webgpu_follows_the_cpu_fit_epoch_by_epoch() {
        let (x, y) = quadrants(40, 21);
        let opts = |backend: &str| {
            json(&format!(
                r#"{{"epochs": 12, "batchSize": 8, "validationSplit": 0.2, "backend": "{backend}"}}"#
            ))
        };
        let cpu_model = model("adam", None);
        let cpu = fit(&cpu_model, &x, &y, opts("cpu")).await;
        let gpu_model = model("adam", None);
        let gpu = fit(&gpu_model, &x, &y, opts("webgpu")).await;

        assert_eq!(text(&cpu, "backend"), "cpu");
        let backend = text(&gpu, "backend");
        assert!(
            backend.starts_with("webgpu (") && backend.ends_with(')'),
            "{backend}"
        );
        assert!(get(&gpu, "backendNote").is_undefined());
        assert_eq!(history_keys(&gpu), history_keys(&cpu));
        assert_eq!(
            history_keys(&gpu),
            ["accuracy", "loss", "val_accuracy", "val_loss"]
        );
        let (g, c) = (series(&gpu, "loss"), series(&cpu, "loss"));
        console_log!("loss per epoch, GPU {g:?}, CPU {c:?}");
        close_series("loss", &g, &c, 2e-3);
        close_series(
            "val_loss",
            &series(&gpu, "val_loss"),
            &series(&cpu, "val_loss"),
            2e-3,
        );
        assert!(
            g[g.len() - 1] < 0.8 * g[0],
            "the GPU loss should fall: {g:?}"
        );
        // The trained weights are in the model: predict agrees with the CPU-trained one.
        let p = |m: &WebSequential| {
            js_sys::Float32Array::from(get(&m.predict(x.clone()).unwrap(), "data")).to_vec()
        };
        for (a, b) in p(&gpu_model).iter().zip(p(&cpu_model)) {
            assert!((a - b).abs() < 1e-3, "prediction GPU {a} vs CPU {b}");
        }
    }

    /// Adam's moments cross backends between `fit` calls: 4 epochs on the GPU, then 4 on the
    /// CPU, match 8 on the CPU. Without the moments the first CPU epochs after the switch
    /// would take un-bias-corrected steps from zero moments and drift off (measured: epochs
    /// 5–8 then differ by 2–3 %).
    #[wasm_bindgen_test]
    async fn adam_moments_carry_from_a_gpu_fit_to_a_cpu_fit() {
        let (x, y) = quadrants(40, 5);
        let opts = |epochs: u32, backend: &str| {
            json(&format!(
                r#"{{"epochs": {epochs}, "batchSize": 8, "backend": "{backend}"}}"#
            ))
        };
        let straight = model("adam", None);
        let all = series(&fit(&straight, &x, &y, opts(8, "cpu")).await, "loss");
        let switched = model("adam", None);
        let first = fit(&switched, &x, &y, opts(4, "webgpu")).await;
        assert!(text(&first, "backend").starts_with("webgpu ("));
        let mut both = series(&first, "loss");
        both.extend(series(
            &fit(&switched, &x, &y, opts(4, "cpu")).await,
            "loss",
        ));
        console_log!("Adam GPU then CPU {both:?}, CPU only {all:?}");
        close_series("GPU then CPU", &both, &all, 2e-3);
    }

    /// `compile({backend: 'auto'})` trains on the GPU here, times a GPU and a CPU epoch after
    /// the first (which compiles the pipelines) and keeps the faster, saying so;
    /// `onBatchEnd` follows every batch as on the CPU, and `onEpochEnd` returning false stops
    /// after that epoch.
    #[wasm_bindgen_test]
    async fn auto_trains_on_webgpu_and_on_epoch_end_false_stops() {
        let (x, y) = quadrants(32, 22);
        let m = model("adam", Some("auto"));
        let seen = Rc::new(Cell::new(0u32));
        let seen2 = Rc::clone(&seen);
        let on_epoch =
            Closure::<dyn FnMut(u32, JsValue) -> bool>::new(move |e: u32, logs: JsValue| {
                seen2.set(seen2.get() + u32::from(get(&logs, "loss").as_f64().is_some()));
                e < 2
            });
        // Once per batch (32 rows / 8 → batches 0–3), on either backend.
        let batches = Rc::new(std::cell::RefCell::new(Vec::new()));
        let batches2 = Rc::clone(&batches);
        let on_batch = Closure::<dyn FnMut(u32, f32)>::new(move |b: u32, loss: f32| {
            batches2.borrow_mut().push((b, loss.is_finite()));
        });
        let opts = json(r#"{"epochs": 10, "batchSize": 8}"#);
        js_sys::Reflect::set(&opts, &"onEpochEnd".into(), on_epoch.as_ref()).unwrap();
        js_sys::Reflect::set(&opts, &"onBatchEnd".into(), on_batch.as_ref()).unwrap();
        let h = fit(&m, &x, &y, opts).await;
        assert_eq!(seen.get(), 3, "onEpochEnd returned false at epoch 2");
        let each: Vec<(u32, bool)> = (0..4).map(|b| (b, true)).collect();
        assert_eq!(
            *batches.borrow(),
            [each.clone(), each.clone(), each].concat()
        );
        assert_eq!(series(&h, "loss").len(), 3);
        let (backend, note) = (text(&h, "backend"), text(&h, "backendNote"));
        console_log!("{backend} · {note}");
        assert!(backend.starts_with("webgpu ("), "{backend}");
        let chose_cpu = note.starts_with("Auto chose the CPU: a training step took");
        assert!(
            chose_cpu || note.starts_with("Auto chose WebGPU ("),
            "{note}"
        );
        assert_eq!(backend.ends_with(", then cpu"), chose_cpu, "{backend}");
    }

    /// The device given up after epoch 2: epochs 3 and 4 run on the CPU from epoch 2's
    /// weights. With SGD (no optimiser state to lose) and no shuffle the whole run matches a
    /// CPU-only run.
    #[wasm_bindgen_test]
    async fn fit_finishes_on_the_cpu_when_the_gpu_is_lost() {
        let (x, y) = quadrants(32, 23);
        let opts = |backend: &str| {
            json(&format!(
                r#"{{"epochs": 4, "batchSize": 8, "shuffle": false, "backend": "{backend}"}}"#
            ))
        };
        let m = Rc::new(model("sgd", None));
        let m2 = Rc::clone(&m);
        let on_epoch = Closure::<dyn FnMut(u32, JsValue)>::new(move |e: u32, _logs: JsValue| {
            if e == 1 {
                m2.release_gpu();
            }
        });
        let o = opts("webgpu");
        js_sys::Reflect::set(&o, &"onEpochEnd".into(), on_epoch.as_ref()).unwrap();
        let h = fit(&m, &x, &y, o).await;
        let backend = text(&h, "backend");
        assert!(
            backend.starts_with("webgpu (") && backend.ends_with("), then cpu"),
            "{backend}"
        );
        let note = text(&h, "backendNote");
        assert!(
            note.contains("device was lost")
                && note.contains("on the CPU from the last weights read back (epoch 3,"),
            "{note}"
        );
        let cpu = fit(&model("sgd", None), &x, &y, opts("cpu")).await;
        close_series("loss", &series(&h, "loss"), &series(&cpu, "loss"), 2e-3);
        // A later fit opens the GPU afresh.
        let again = fit(&m, &x, &y, opts("webgpu")).await;
        assert!(text(&again, "backend").starts_with("webgpu ("));
        assert!(get(&again, "backendNote").is_undefined());
    }

    /// Without `navigator.gpu` (hidden here by an own property shadowing the prototype's
    /// getter), `'webgpu'` rejects with the reason and `'auto'` trains on the CPU, exactly as
    /// `'cpu'` does, saying why.
    #[wasm_bindgen_test]
    async fn without_navigator_gpu_webgpu_rejects_and_auto_trains_on_the_cpu() {
        let (x, y) = quadrants(16, 25);
        let opts = |backend: &str| {
            json(&format!(
                r#"{{"epochs": 3, "batchSize": 8, "backend": "{backend}"}}"#
            ))
        };
        let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
        let navigator = js_sys::Object::from(navigator);
        let hidden = js_sys::Object::new();
        js_sys::Reflect::set(&hidden, &"value".into(), &JsValue::UNDEFINED).unwrap();
        js_sys::Reflect::set(&hidden, &"configurable".into(), &JsValue::TRUE).unwrap();
        js_sys::Object::define_property(&navigator, &"gpu".into(), &hidden);
        // Fresh models: no device kept from earlier tests.
        let rejected =
            JsFuture::from(model("adam", None).fit(x.clone(), y.clone(), opts("webgpu"))).await;
        let auto =
            JsFuture::from(model("adam", None).fit(x.clone(), y.clone(), opts("auto"))).await;
        js_sys::Reflect::delete_property(&navigator, &"gpu".into()).unwrap();
        assert!(
            !get(&navigator, "gpu").is_undefined(),
            "navigator.gpu is back"
        );

        let err = rejected.expect_err("backend webgpu without navigator.gpu rejects");
        let msg = err
            .dyn_into::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        assert!(
            msg.contains("webgpu") && msg.contains("navigator.gpu is missing"),
            "{msg}"
        );
        let auto = auto.expect("auto trains without a GPU");
        assert_eq!(text(&auto, "backend"), "cpu");
        assert!(
            text(&auto, "backendNote").contains("navigator.gpu is missing"),
            "{}",
            text(&auto, "backendNote")
        );
        let cpu = fit(&model("adam", None), &x, &y, opts("cpu")).await;
        assert_eq!(series(&auto, "loss"), series(&cpu, "loss"));
    }

    /// Bad names and bad data are errors whichever backend is asked for.
    #[wasm_bindgen_test]
    async fn webgpu_fit_rejects_bad_options_with_a_message() {
        let (x, y) = quadrants(16, 24);
        let m = model("adam", None);
        let message = |e: JsValue| {
            e.dyn_into::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default()
        };
        let err = JsFuture::from(m.fit(x.clone(), y.clone(), json(r#"{"backend": "tpu"}"#)))
            .await
            .unwrap_err();
        assert!(message(err).contains("unknown backend \"tpu\""));
        let err = JsFuture::from(m.fit(
            x.clone(),
            y.clone(),
            json(r#"{"backend": "webgpu", "validationSplit": 1.5}"#),
        ))
        .await
        .unwrap_err();
        assert!(message(err).contains("validation split"));
        let err = JsFuture::from(m.fit(
            json("[[1, 2, 3]]"),
            json("[1]"),
            json(r#"{"backend": "auto"}"#),
        ))
        .await
        .unwrap_err();
        assert!(message(err).contains("input features"));
    }
}

/// A batch-norm model through the JavaScript export: the downloaded file carries the GPU's
/// running statistics, and an uploaded file replaces them (inference depends on them).
#[wasm_bindgen_test]
async fn js_trainer_carries_batch_norm_statistics_both_ways() {
    use nn_playground::web::gpu_trainer::WebGpuTrainer;
    use wasm_bindgen_futures::JsFuture;

    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            LayerSpec::Dense {
                units: 6,
                activation: Activation::Tanh,
                init: Init::GlorotUniform,
                use_bias: true,
            },
            LayerSpec::BatchNorm {
                momentum: 0.8,
                epsilon: 1e-3,
            },
            LayerSpec::Dense {
                units: 1,
                activation: Activation::Linear,
                init: Init::GlorotUniform,
                use_bias: true,
            },
        ],
    };
    let mut cpu = Sequential::new(spec, 13).unwrap();
    cpu.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.05,
            ..Default::default()
        },
        loss: LossKind::Mse,
        ..Default::default()
    })
    .unwrap();
    let x = random(20 * 2, 14);
    let y = random(20, 15);
    let (xm, ym) = (
        Matrix::from_vec(20, 2, x.clone()).unwrap(),
        Matrix::from_vec(20, 1, y.clone()).unwrap(),
    );
    let Ok(gpu) = WebGpuTrainer::create(cpu.to_json(), 8).await else {
        panic!("GpuTrainer.create failed: no WebGPU adapter in this browser?");
    };
    assert!(gpu.set_data(&x, 20, &y, 1).is_ok());
    let got = JsFuture::from(gpu.train_steps(8, 9))
        .await
        .unwrap()
        .as_f64()
        .unwrap() as f32;
    let want = cpu.train_steps(&xm, &ym, 8, 9).unwrap();
    assert!(
        (got - want).abs() <= 1e-6 + 1e-3 * want.abs(),
        "GPU {got} vs CPU {want}"
    );
    let Ok(json) = gpu.download() else {
        panic!("download failed")
    };
    let mut resumed = Sequential::from_json(&json).unwrap();
    for (g, c) in resumed.running_stats().iter().zip(cpu.running_stats()) {
        close("downloaded running statistics", g, &c, 1e-5, 1e-3);
    }
    resumed.train_steps(&xm, &ym, 8, 5).unwrap();
    assert!(gpu.upload(&resumed.to_json()).is_ok());
    let pred = JsFuture::from(gpu.predict(x.clone(), 20)).await.unwrap();
    let pred = js_sys::Float32Array::from(pred).to_vec();
    close(
        "predictions after upload",
        &pred,
        resumed.predict(&xm).unwrap().as_slice(),
        1e-5,
        1e-4,
    );
}
