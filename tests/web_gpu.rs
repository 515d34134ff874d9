//! The WebGPU backend in a real browser (headless Chromium with `--enable-unsafe-webgpu`,
//! SwiftShader in CI): kernels against the CPU oracle and a short training run against the
//! CPU run, and the benchmark page's clock-free jobs. Without an adapter the tests fail with
//! the reason.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features webgpu --test web_gpu`
#![cfg(all(feature = "webgpu", target_arch = "wasm32"))]

use nn_playground::backend::webgpu::{GpuContext, GpuTrainer, KernelRunner, MatmulShape};
use nn_playground::kernels::scalar;
use nn_playground::nn::loss::loss_and_grad;
use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind,
    OptimizerSpec, Rng, Sequential,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn context() -> GpuContext {
    GpuContext::new().await.unwrap_or_else(|e| {
        panic!("browser WebGPU tests need an adapter (Chromium with --enable-unsafe-webgpu): {e}")
    })
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

#[wasm_bindgen_test]
async fn matmul_shapes_match_the_oracle_in_the_browser() {
    let ctx = context().await;
    let run = KernelRunner::new(&ctx).unwrap();
    for (m, k, n) in [(1, 1, 1), (17, 33, 5), (65, 3, 127)] {
        let a = random(m * k, 1);
        let b = random(k * n, 2);
        let mut want = vec![0.0; m * n];
        scalar::gemm_nn(m, k, n, &a, &b, &mut want, false);
        let got = run.matmul(MatmulShape::Nn, m, k, n, &a, &b).await.unwrap();
        close("NN", &got, &want, 2e-6 * k as f32, 1e-5);
        let mut want = vec![0.0; m * n];
        scalar::gemm_tn(m, k, n, &a, &b, &mut want, false);
        let got = run.matmul(MatmulShape::Tn, m, k, n, &a, &b).await.unwrap();
        close("TN", &got, &want, 2e-6 * k as f32, 1e-5);
        let bt = random(n * k, 3);
        let mut want = vec![0.0; m * n];
        scalar::gemm_nt(m, k, n, &a, &bt, &mut want, false);
        let got = run.matmul(MatmulShape::Nt, m, k, n, &a, &bt).await.unwrap();
        close("NT", &got, &want, 2e-6 * k as f32, 1e-5);
    }
}

#[wasm_bindgen_test]
async fn softmax_cross_entropy_matches_the_cpu_in_the_browser() {
    let ctx = context().await;
    let run = KernelRunner::new(&ctx).unwrap();
    let p = Matrix::from_vec(7, 3, random(21, 4).iter().map(|v| v * 5.0).collect()).unwrap();
    let t = Matrix::from_vec(7, 1, vec![0., 1., 2., 2., 1., 0., 1.]).unwrap();
    let mut want_g = Matrix::default();
    let want = loss_and_grad(LossKind::CategoricalCrossentropy, 1.0, &p, &t, &mut want_g);
    let (got, got_g) = run
        .loss_and_grad(LossKind::CategoricalCrossentropy, 1.0, &p, &t)
        .await
        .unwrap();
    assert!(
        (got - want).abs() < 1e-5 * (1.0 + want.abs()),
        "loss {got} vs {want}"
    );
    close("grad", got_g.as_slice(), want_g.as_slice(), 1e-7, 1e-4);
}

#[wasm_bindgen_test]
async fn training_follows_the_cpu_curve_in_the_browser() {
    let ctx = context().await;
    let dense = |units, activation| LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    };
    let spec = ModelSpec {
        input_dim: 2,
        layers: vec![
            dense(8, Activation::Tanh),
            dense(8, Activation::Tanh),
            dense(1, Activation::Sigmoid),
        ],
    };
    let mut cpu = Sequential::new(spec, 5).unwrap();
    cpu.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.02,
            ..Default::default()
        },
        loss: LossKind::BinaryCrossentropy,
        ..Default::default()
    })
    .unwrap();
    let x = Matrix::from_vec(30, 2, random(60, 6)).unwrap();
    let y = Matrix::from_vec(
        30,
        1,
        x.as_slice()
            .chunks(2)
            .map(|r| (r[0] * r[1] > 0.0) as u8 as f32)
            .collect(),
    )
    .unwrap();
    let mut gpu = GpuTrainer::new(&ctx, &cpu, 10).unwrap();
    gpu.set_data(&x, &y).unwrap();
    for call in 0..5 {
        let want = cpu.train_steps(&x, &y, 10, 6).unwrap();
        let got = gpu.train_steps(10, 6).await.unwrap();
        assert!(
            (got - want).abs() <= 1e-6 + 1e-3 * want.abs(),
            "call {call}: GPU {got} vs CPU {want}"
        );
    }
    let pred = gpu.predict(&x).await.unwrap();
    close(
        "predictions",
        pred.as_slice(),
        cpu.predict(&x).unwrap().as_slice(),
        1e-3,
        1e-2,
    );
}

/// The JavaScript export, driven as the page's worker would: create from a model file, train,
/// download to continue on the CPU, upload the CPU's weights back and keep going. With SGD
/// (no optimiser state to carry) every switch keeps the two runs in step.
#[wasm_bindgen_test]
async fn js_trainer_switches_backends_mid_training_without_losing_steps() {
    use nn_playground::web_gpu::WebGpuTrainer;
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

#[wasm_bindgen_test]
async fn benchmark_jobs_run_and_wait_in_the_browser() {
    use nn_playground::web_gpu_bench::WebGpuKernelBench;
    use wasm_bindgen_futures::JsFuture;

    // The kernel jobs: the product's C[0,0] and the tiny dispatch seen through read-backs
    // (the web's wait is the browser's onSubmittedWorkDone, not a poll).
    let ctx = context().await;
    let run = KernelRunner::new(&ctx).unwrap();
    let (m, k, n) = (9, 13, 5);
    let (a, b) = (random(m * k, 61), random(k * n, 62));
    let mut want = vec![0.0; m * n];
    scalar::gemm_nt(m, k, n, &a, &b, &mut want, false);
    let job = run.matmul_job(MatmulShape::Nt, m, k, n, &a, &b).unwrap();
    let got = run.run_matmul_job(&job, 3).await.unwrap();
    assert!(
        (got - want[0]).abs() < 1e-4,
        "C[0,0]: GPU {got} vs CPU {}",
        want[0]
    );
    let tiny = run.dispatch_job().unwrap();
    assert_eq!(run.read_back_one(&tiny).await.unwrap(), 0.0);
    run.run_dispatches(&tiny, 5).await.unwrap();
    assert_eq!(run.read_back_one(&tiny).await.unwrap(), 3.0);

    // The JS face the benchmark page drives.
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
