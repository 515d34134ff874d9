//! The optimiser state across backends: a run that trains k steps on the CPU, k on the GPU
//! and k on the CPU again matches the CPU-only run of 3k steps (within f32 rounding), for
//! several optimisers; dropping the state in either direction (today's plain weight hand-over)
//! is far outside that tolerance, so the comparison can fail. Also: the state round-trips
//! bit for bit, uploads with state, and what survives a lost device.

use nn_playground::backend::webgpu::{GpuContext, GpuTrainer};
use nn_playground::{
    Activation, CompileSpec, Error, LossKind, Matrix, ModelSpec, OptimizerKind, OptimizerSpec,
    Schedule, Sequential,
};

use crate::common::{dense, random_matrix};
use crate::gpu;

/// Steps per leg. 40 rows in batches of 8 is 5 steps per pass, so every leg starts its batch
/// walk at row 0 where the straight run is after 10 or 20 steps.
const K: usize = 10;
const BATCH: usize = 8;

/// Largest |Δ| allowed between a parameter of the switched run and the CPU-only run. GPU and
/// CPU may round f32 differently (fused multiply-adds, reduction order); over 30 steps the
/// largest difference measured on lavapipe was 6e-8 (the report each case prints), and
/// dropping the state in either direction moves parameters by 1e-2 or more.
const TOLERANCE: f32 = 2e-5;
/// The no-state runs must differ by at least this much, so the test could fail.
const MIN_EFFECT: f32 = 100.0 * TOLERANCE;

fn model(kind: OptimizerKind, lr: f32) -> Sequential {
    let spec = ModelSpec {
        input_dim: 3,
        layers: vec![dense(8, Activation::Tanh), dense(2, Activation::Linear)],
    };
    let mut m = Sequential::new(spec, 5).unwrap();
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind,
            learning_rate: lr,
            weight_decay: 0.01,
            // The step count sets the learning rate too, so it must travel.
            schedule: Schedule::Exponential {
                decay_steps: 10,
                rate: 0.7,
            },
            ..OptimizerSpec::default()
        },
        loss: LossKind::Mse,
        ..CompileSpec::default()
    })
    .unwrap();
    m
}

fn data() -> (Matrix, Matrix) {
    (
        random_matrix(40, 3, -1.0, 1.0, 21),
        random_matrix(40, 2, -1.0, 1.0, 22),
    )
}

fn max_diff(a: &mut Sequential, b: &mut Sequential) -> f32 {
    a.params()
        .iter()
        .flatten()
        .zip(b.params().iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// CPU k → GPU k → CPU k, carrying the state to the GPU (`up`) and back (`down`), or only
/// the weights (what a plain model file carries).
fn switched(ctx: &GpuContext, kind: OptimizerKind, lr: f32, up: bool, down: bool) -> Sequential {
    let (x, y) = data();
    let mut m = model(kind, lr);
    m.train_steps(&x, &y, BATCH, K).unwrap();
    let on_gpu = if up {
        Sequential::from_json(&m.to_json_with_state()).unwrap()
    } else {
        Sequential::from_json(&m.to_json()).unwrap()
    };
    let mut t = GpuTrainer::new(ctx, &on_gpu, BATCH).unwrap();
    assert_eq!(t.iterations(), if up { K as u64 } else { 0 });
    t.set_data(&x, &y).unwrap();
    pollster::block_on(t.train_steps(BATCH, K)).unwrap();
    if down {
        pollster::block_on(t.download_with_state_into(&mut m)).unwrap();
        assert_eq!(m.iterations(), if up { 2 * K as u64 } else { K as u64 });
    } else {
        t.download_into(&mut m).unwrap();
        m = Sequential::from_json(&m.to_json()).unwrap();
    }
    m.train_steps(&x, &y, BATCH, K).unwrap();
    m
}

fn cpu_only(kind: OptimizerKind, lr: f32) -> Sequential {
    let (x, y) = data();
    let mut m = model(kind, lr);
    m.train_steps(&x, &y, BATCH, 3 * K).unwrap();
    m
}

fn case(kind: OptimizerKind, lr: f32) {
    let (ctx, _) = gpu();
    let mut want = cpu_only(kind, lr);
    let mut got = switched(ctx, kind, lr, true, true);
    let diff = max_diff(&mut got, &mut want);
    let mut without = Vec::new();
    for (up, down) in [(false, false), (false, true), (true, false)] {
        let mut lost = switched(ctx, kind, lr, up, down);
        without.push(max_diff(&mut lost, &mut want));
    }
    eprintln!(
        "{kind:?}: CPU→GPU→CPU vs CPU only, max |Δparam| = {diff:.1e} with the state; \
         {:.1e} / {:.1e} / {:.1e} dropping it both ways / going up / coming down",
        without[0], without[1], without[2]
    );
    assert!(
        diff <= TOLERANCE,
        "{kind:?}: switched run is {diff} from the CPU-only run (tolerance {TOLERANCE})"
    );
    for (w, how) in without.iter().zip(["both ways", "going up", "coming down"]) {
        assert!(
            *w >= MIN_EFFECT,
            "{kind:?}: dropping the state {how} should change the run (by ≥ {MIN_EFFECT}), got {w}"
        );
    }
    assert_eq!(got.iterations(), want.iterations());
    // The moments agree too, not only the weights.
    let (g, w) = (
        got.optimizer_state().unwrap(),
        want.optimizer_state().unwrap(),
    );
    for (gs, ws) in g
        .slot1
        .iter()
        .chain(&g.slot2)
        .zip(w.slot1.iter().chain(&w.slot2))
    {
        for (a, b) in gs.iter().zip(ws) {
            assert!(
                (a - b).abs() <= TOLERANCE + 1e-3 * b.abs(),
                "{kind:?}: moment {a} vs {b}"
            );
        }
    }
}

#[test]
fn momentum_carries_its_velocity_across_cpu_gpu_cpu() {
    case(OptimizerKind::Momentum, 0.05);
}

#[test]
fn nesterov_carries_its_velocity_across_cpu_gpu_cpu() {
    case(OptimizerKind::Nesterov, 0.05);
}

#[test]
fn adam_carries_its_moments_and_bias_correction_across_cpu_gpu_cpu() {
    case(OptimizerKind::Adam, 0.02);
}

#[test]
fn adamw_carries_its_moments_across_cpu_gpu_cpu() {
    case(OptimizerKind::Adamw, 0.02);
}

#[test]
fn rmsprop_carries_its_second_moment_across_cpu_gpu_cpu() {
    case(OptimizerKind::Rmsprop, 0.01);
}

#[test]
fn adagrad_carries_its_accumulator_across_cpu_gpu_cpu() {
    case(OptimizerKind::Adagrad, 0.1);
}

#[test]
fn state_round_trips_bit_for_bit_and_uploads_with_a_model() {
    let (ctx, _) = gpu();
    let (x, y) = data();
    let mut cpu = model(OptimizerKind::Adam, 0.02);
    cpu.train_steps(&x, &y, BATCH, 7).unwrap();
    let want = cpu.optimizer_state().unwrap();
    let t = GpuTrainer::new(ctx, &cpu, BATCH).unwrap();
    assert_eq!(pollster::block_on(t.read_state()).unwrap(), want, "new");

    // A trainer built fresh, then given the model with state.
    let fresh = model(OptimizerKind::Adam, 0.02);
    let mut t = GpuTrainer::new(ctx, &fresh, BATCH).unwrap();
    let zero = pollster::block_on(t.read_state()).unwrap();
    assert_eq!(zero.iterations, 0);
    assert!(zero
        .slot1
        .iter()
        .chain(&zero.slot2)
        .flatten()
        .all(|&v| v == 0.0));
    t.upload_model(&cpu).unwrap();
    assert_eq!(t.iterations(), 7);
    assert_eq!(
        pollster::block_on(t.read_state()).unwrap(),
        want,
        "upload_model"
    );
    assert_eq!(t.last_params(), cpu.params().as_slice());

    // A plain weight upload still starts the optimiser fresh; so does a model without state.
    t.upload_params(&cpu.params()).unwrap();
    assert_eq!(t.iterations(), 0);
    t.upload_model(&cpu).unwrap();
    t.upload_model(&Sequential::from_json(&cpu.to_json()).unwrap())
        .unwrap();
    assert_eq!(t.iterations(), 0);
    let s = pollster::block_on(t.read_state()).unwrap();
    assert!(s.slot2.iter().flatten().all(|&v| v == 0.0));

    // Adagrad's accumulator starts at its initial value, not 0, on both sides.
    let ada = model(OptimizerKind::Adagrad, 0.1);
    let t = GpuTrainer::new(ctx, &ada, BATCH).unwrap();
    let s = pollster::block_on(t.read_state()).unwrap();
    assert!(s.slot1.is_empty());
    assert!(s.slot2.iter().flatten().all(|&v| v == 0.1));

    // Another optimiser's state is refused, and leaves the trainer as it was.
    let mut t = GpuTrainer::new(ctx, &fresh, BATCH).unwrap();
    let mut momentum = model(OptimizerKind::Momentum, 0.05);
    momentum.train_steps(&x, &y, BATCH, 2).unwrap();
    let err = t.upload_model(&momentum).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig(m) if m.contains("Momentum") && m.contains("Adam")),
        "{err}"
    );
    assert_eq!(t.iterations(), 0);
}

#[test]
fn download_with_state_compiles_a_model_for_the_trainers_optimizer() {
    let (ctx, _) = gpu();
    let (x, y) = data();
    let m = model(OptimizerKind::Rmsprop, 0.01);
    let mut t = GpuTrainer::new(ctx, &m, BATCH).unwrap();
    t.set_data(&x, &y).unwrap();
    pollster::block_on(t.train_steps(BATCH, 3)).unwrap();
    // An uncompiled copy of the architecture takes the trainer's settings with the state.
    let mut back = Sequential::new(m.spec().clone(), 1).unwrap();
    pollster::block_on(t.download_with_state_into(&mut back)).unwrap();
    assert_eq!(back.compile_spec(), m.compile_spec());
    assert_eq!(back.iterations(), 3);
    assert_eq!(back.params(), t.last_params());
}

#[test]
fn a_lost_device_loses_the_moments_but_not_the_weights() {
    // Its own device: releasing it must not disturb the other tests.
    let ctx = pollster::block_on(GpuContext::new()).unwrap();
    let (x, y) = data();
    let mut cpu = model(OptimizerKind::Adam, 0.02);
    let mut t = GpuTrainer::new(&ctx, &cpu, BATCH).unwrap();
    t.set_data(&x, &y).unwrap();
    pollster::block_on(t.train_steps(BATCH, 4)).unwrap();
    let kept = t.last_params().to_vec();
    ctx.release();
    let err = pollster::block_on(t.download_with_state_into(&mut cpu)).unwrap_err();
    assert!(
        matches!(&err, Error::Backend(m) if m.contains("lost")),
        "{err}"
    );
    assert!(pollster::block_on(t.read_state()).is_err());
    assert_eq!(cpu.iterations(), 0, "a failed download changes nothing");
    t.download_into(&mut cpu).unwrap();
    assert_eq!(cpu.params(), kept);
}

#[test]
fn after_a_divergence_the_step_count_matches_the_updates_applied() {
    let (ctx, _) = gpu();
    let x = random_matrix(20, 3, -1.0, 1.0, 9);
    let y = random_matrix(20, 2, 1e3, 1e4, 10);
    let m = model(OptimizerKind::Momentum, 10.0);
    let mut t = GpuTrainer::new(ctx, &m, 20).unwrap();
    t.set_data(&x, &y).unwrap();
    let err = pollster::block_on(t.train_steps(20, 200)).unwrap_err();
    let Error::Diverged { step, .. } = err else {
        panic!("expected a divergence, got {err}")
    };
    // The diverged step and the ones recorded after it in the same submit updated nothing.
    assert_eq!(t.iterations(), step as u64 - 1);
    let mut back = model(OptimizerKind::Momentum, 10.0);
    pollster::block_on(t.download_with_state_into(&mut back)).unwrap();
    assert_eq!(back.iterations(), step as u64 - 1);
    assert!(back.params().iter().flatten().all(|v| v.is_finite()));
}
