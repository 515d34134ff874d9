//! The one training path on the GPU against the CPU: `fit` and the session through the
//! GPU engine visit the same rows, call `on_batch_end` as often, and reach the same
//! history (every optimiser, batch norm) within 2e-3 relative; `auto` decides by one rule
//! in both; a lost device hands the run to the CPU.

use nn_playground::backend::webgpu::GpuContext;
use nn_playground::session::Session;
use nn_playground::train::{fit, Clock, Engine, GpuEngine};
use nn_playground::{
    Activation, BackendChoice, CompileSpec, FitOptions, HiddenLayer, History, LayerSpec, LossKind,
    ModelSpec, OptimizerKind, OptimizerSpec, PlaygroundConfig, Sequential,
};

use crate::common::recording::{BatchCounter, Recording};
use crate::common::{dense, random_classes, random_matrix};
use crate::gpu;

/// Losses agree to f32 rounding compounded over the run.
const REL: f32 = 2e-3;

fn engine() -> GpuEngine {
    GpuEngine::new(gpu().0.clone())
}

fn model(kind: OptimizerKind, batch_norm: bool) -> Sequential {
    let mut layers = vec![dense(8, Activation::Tanh)];
    if batch_norm {
        layers.push(LayerSpec::BatchNorm {
            momentum: 0.9,
            epsilon: 1e-3,
        });
    }
    layers.extend([dense(6, Activation::Relu), dense(1, Activation::Sigmoid)]);
    let mut m = Sequential::new(
        ModelSpec {
            input_dim: 3,
            layers,
        },
        17,
    )
    .unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind,
            learning_rate: 0.02,
            ..OptimizerSpec::default()
        },
        loss: LossKind::BinaryCrossentropy,
        metrics: vec![nn_playground::MetricKind::Accuracy],
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

fn opts(epochs: usize) -> FitOptions {
    FitOptions {
        epochs,
        batch_size: 10,
        validation_split: 0.2,
        ..FitOptions::default()
    }
}

fn close(what: &str, gpu: f32, cpu: f32) {
    assert!(
        (gpu - cpu).abs() <= 1e-5 + REL * cpu.abs(),
        "{what}: GPU {gpu} vs CPU {cpu}"
    );
}

fn close_histories(what: &str, gpu: &History, cpu: &History) {
    assert_eq!(gpu.epochs.len(), cpu.epochs.len(), "{what}: epochs");
    let rel = gpu
        .epochs
        .iter()
        .zip(&cpu.epochs)
        .map(|(g, c)| ((g.loss - c.loss) / c.loss).abs())
        .fold(0.0f32, f32::max);
    eprintln!("{what}: largest relative loss difference GPU vs CPU {rel:.1e}");
    for (e, (g, c)) in gpu.epochs.iter().zip(&cpu.epochs).enumerate() {
        close(&format!("{what} epoch {e} loss"), g.loss, c.loss);
        close(
            &format!("{what} epoch {e} val_loss"),
            g.val_loss.unwrap(),
            c.val_loss.unwrap(),
        );
        assert_eq!(
            g.metrics.keys().collect::<Vec<_>>(),
            c.metrics.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn fit_on_the_gpu_follows_the_cpu_history_for_every_optimiser_and_batch_norm() {
    // 129 rows: 103 train in 10 full batches and one of 3 (the weighting of the last batch
    // shows), 26 validate.
    let (x, y) = (
        random_matrix(129, 3, -1.0, 1.0, 31),
        random_classes(129, 2, 32),
    );
    use OptimizerKind::*;
    for (kind, bn) in [
        (Sgd, false),
        (Momentum, false),
        (Nesterov, false),
        (Rmsprop, false),
        (Adagrad, false),
        (Adam, false),
        (Adamw, false),
        (Adam, true),
        (Momentum, true),
    ] {
        let what = format!("{kind:?}{}", if bn { " + batch norm" } else { "" });
        let mut cpu_model = model(kind, bn);
        let mut cpu_count = BatchCounter::default();
        let cpu = cpu_model
            .fit(&x, &y, &opts(5), &mut [&mut cpu_count])
            .unwrap();
        let mut gpu_model = model(kind, bn);
        let mut gpu_count = BatchCounter::default();
        let mut rec_gpu = Recording::new(engine());
        let got = pollster::block_on(fit(
            &mut rec_gpu,
            &mut gpu_model,
            &x,
            &y,
            &opts(5),
            &mut [&mut gpu_count],
        ))
        .unwrap();
        close_histories(&what, &got, &cpu);
        assert_eq!(
            gpu_count.batches, cpu_count.batches,
            "{what}: batch callbacks"
        );
        assert_eq!(gpu_count.batches.len(), 5 * 11);
        assert_eq!(gpu_model.iterations(), cpu_model.iterations(), "{what}");
        assert_eq!(gpu_model.epochs_trained(), 5);
        // The rows each epoch visited are the CPU's order.
        let mut rec_cpu = Recording::new(nn_playground::train::Cpu);
        let mut again = model(kind, bn);
        pollster::block_on(fit(&mut rec_cpu, &mut again, &x, &y, &opts(5), &mut [])).unwrap();
        assert_eq!(rec_gpu.calls, rec_cpu.calls, "{what}: row order");
        // The optimiser state came back too: one more CPU epoch on each agrees.
        let one = FitOptions {
            epochs: 1,
            ..opts(1)
        };
        let a = cpu_model.fit(&x, &y, &one, &mut []).unwrap();
        let b = gpu_model.fit(&x, &y, &one, &mut []).unwrap();
        close(
            &format!("{what}: a CPU epoch after"),
            b.epochs[0].loss,
            a.epochs[0].loss,
        );
    }
}

fn session_config() -> PlaygroundConfig {
    PlaygroundConfig {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.03,
            ..OptimizerSpec::default()
        },
        hidden: vec![
            HiddenLayer {
                units: 4,
                batch_norm: true,
                ..HiddenLayer::default()
            },
            HiddenLayer {
                units: 2,
                ..HiddenLayer::default()
            },
        ],
        ..PlaygroundConfig::default()
    }
}

#[test]
fn the_session_trains_on_the_gpu_as_on_the_cpu() {
    let mut cpu = Session::new(session_config()).unwrap();
    cpu.train_epochs(6).unwrap();
    let mut on_gpu = Session::new(session_config()).unwrap();
    let mut e = Engine::on(engine(), BackendChoice::Webgpu, Box::new(|| 0.0));
    assert!(e.take_news().unwrap().starts_with("Training on WebGPU ("));
    let mut rec = Recording::new(e);
    pollster::block_on(on_gpu.train_epochs_with(&mut rec, 6)).unwrap();
    assert!(rec.inner.on_gpu() && !rec.inner.lost());
    assert_eq!(on_gpu.epoch(), 6);
    assert_eq!(on_gpu.model().iterations(), cpu.model().iterations());
    for (g, c) in on_gpu.history().iter().zip(cpu.history()) {
        close("session train loss", g.train, c.train);
        close("session test loss", g.test, c.test);
    }
    // The decision grid predicted on the GPU is the CPU model's.
    let want = on_gpu.decision_grid(12).unwrap();
    let got = pollster::block_on(on_gpu.decision_grid_with(&mut rec.inner, 12)).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-4, "grid GPU {g} vs CPU {w}");
    }
    // An edit on the CPU side reaches the GPU before its next unit.
    on_gpu.set_weight(0, 0, 0, 0.25).unwrap();
    cpu.set_weight(0, 0, 0, 0.25).unwrap();
    cpu.train_epochs(1).unwrap();
    pollster::block_on(on_gpu.train_epochs_with(&mut rec.inner, 1)).unwrap();
    close("after an edit", on_gpu.train_loss(), cpu.train_loss());
}

/// A clock that reads out a script: per unit, its start and end in milliseconds.
fn scripted(readings: Vec<f64>) -> Clock {
    let mut it = readings.into_iter();
    Box::new(move || it.next().unwrap_or(0.0))
}

/// Warm-up (untimed), a GPU unit of `gpu_ms`, a CPU unit of `cpu_ms`.
fn script(gpu_ms: f64, cpu_ms: f64) -> Vec<f64> {
    vec![0.0, 1000.0, 0.0, gpu_ms, 0.0, cpu_ms]
}

#[test]
fn auto_decides_by_one_rule_for_the_session_and_for_fit() {
    let (x, y) = (
        random_matrix(50, 3, -1.0, 1.0, 41),
        random_classes(50, 2, 42),
    );
    for (gpu_ms, cpu_ms, keeps_gpu) in [(5.0, 50.0, true), (50.0, 5.0, false)] {
        // `fit`: the units are epochs of 4 steps.
        let mut fit_engine = Engine::on(
            engine(),
            BackendChoice::Auto,
            scripted(script(gpu_ms, cpu_ms)),
        );
        let mut m = model(OptimizerKind::Adam, false);
        let fit_opts = FitOptions {
            epochs: 5,
            ..opts(5)
        };
        pollster::block_on(fit(&mut fit_engine, &mut m, &x, &y, &fit_opts, &mut [])).unwrap();
        // The session: the units are its epochs (of another size); the rule is per step.
        let mut s = Session::new(PlaygroundConfig::default()).unwrap();
        let per_step = s.steps_per_epoch() as f64 / 4.0;
        let mut page_engine = Engine::on(
            engine(),
            BackendChoice::Auto,
            scripted(script(gpu_ms * per_step, cpu_ms * per_step)),
        );
        pollster::block_on(s.train_epochs_with(&mut page_engine, 5)).unwrap();
        for (who, e) in [("fit", &mut fit_engine), ("session", &mut page_engine)] {
            assert_eq!(e.on_gpu(), keeps_gpu, "{who}");
            let note = e.note().unwrap();
            let want = if keeps_gpu {
                "Auto chose WebGPU ("
            } else {
                "Auto chose the CPU: "
            };
            assert!(note.starts_with(want), "{who}: {note}");
            assert!(note.contains("a training step took"), "{note}");
            assert_eq!(
                e.label().ends_with(", then cpu"),
                !keeps_gpu,
                "{who}: {}",
                e.label()
            );
        }
        assert_eq!(
            fit_engine.note(),
            page_engine.note(),
            "the same verdict in words"
        );
    }
}

#[test]
fn a_lost_device_hands_the_run_to_the_cpu_from_the_last_weights() {
    let ctx = pollster::block_on(GpuContext::new()).unwrap();
    let mut e = Engine::on(
        GpuEngine::new(ctx.clone()),
        BackendChoice::Webgpu,
        Box::new(|| 0.0),
    );
    let cfg = PlaygroundConfig {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.05,
            ..OptimizerSpec::default()
        },
        ..PlaygroundConfig::default()
    };
    let mut s = Session::new(cfg.clone()).unwrap();
    pollster::block_on(s.train_epochs_with(&mut e, 2)).unwrap();
    e.take_news();
    ctx.release();
    pollster::block_on(s.train_epochs_with(&mut e, 3)).unwrap();
    assert!(e.lost() && !e.on_gpu());
    assert_eq!(s.epoch(), 5);
    assert!(e.label().ends_with(", then cpu"), "{}", e.label());
    let news = e.take_news().unwrap();
    assert!(
        news.starts_with("WebGPU is not used: the GPU device was lost")
            && news.contains("on the CPU from the last weights read back"),
        "{news}"
    );
    // SGD carries no state to lose: the run is the CPU's, to rounding.
    let mut cpu = Session::new(cfg).unwrap();
    cpu.train_epochs(5).unwrap();
    for (g, c) in s.history().iter().zip(cpu.history()) {
        close("train loss", g.train, c.train);
    }
}
