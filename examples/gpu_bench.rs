//! GPU benchmark: matmul GFLOPS in the three shapes, the fixed costs (dispatch, submit,
//! read-back) and training throughput GPU vs CPU, printed as Markdown with the adapter name.
//!
//! `cargo run --release --features webgpu --example gpu_bench [-- --big] [-- --quick]`
//! (`--big` adds 4096³, where the goal on a real GPU is ≥ 10 TFLOPS f32; `--quick` stops at
//! 1024 and trains fewer steps). It also prints the training recording's dispatches per step
//! and submits per run (the goal: one submit per K steps). On a software adapter (lavapipe,
//! SwiftShader) the figures show overheads only.

use std::time::Instant;

use nn_playground::backend::webgpu::{
    GpuContext, GpuTrainer, KernelRunner, MatmulShape, MAX_STEPS_PER_SUBMIT,
};
use nn_playground::{
    Activation, CompileSpec, Init, LayerSpec, LossKind, Matrix, ModelSpec, OptimizerKind,
    OptimizerSpec, Result, Rng, Sequential,
};

/// The matmul size and rate the backend aims at on a real GPU.
const GOAL_SIZE: usize = 4096;
const GOAL_GFLOPS: f64 = 10_000.0;

fn main() {
    if let Err(e) = run() {
        eprintln!("gpu_bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let big = args.iter().any(|a| a == "--big");
    let quick = args.iter().any(|a| a == "--quick");
    let ctx = pollster::block_on(GpuContext::new())?;
    let runner = KernelRunner::new(&ctx)?;
    println!("# GPU benchmark on {}\n", ctx.adapter_name());

    println!("## Matmul (f32, GFLOPS)\n");
    println!("| size | NN | TN | NT |");
    println!("| ---: | ---: | ---: | ---: |");
    let mut sizes = vec![256, 512, 1024];
    if !quick {
        sizes.push(2048);
    }
    if big {
        sizes.push(4096);
    }
    let mut best_at_goal = None;
    for &s in &sizes {
        let flops = 2.0 * (s as f64).powi(3);
        let mut row = format!("| {s}³ |");
        for shape in [MatmulShape::Nn, MatmulShape::Tn, MatmulShape::Nt] {
            // About 1 GFLOP of work per measurement, at least one dispatch.
            let reps = ((1e9 / flops) as usize).clamp(1, 64);
            let secs = runner.time_matmul(shape, s, s, s, reps)?;
            let gflops = flops / secs / 1e9;
            if s == GOAL_SIZE {
                best_at_goal = Some(gflops.max(best_at_goal.unwrap_or(0.0)));
            }
            row += &format!(" {gflops:.1} |");
        }
        println!("{row}");
    }
    match best_at_goal {
        Some(g) => println!(
            "\nGoal at {GOAL_SIZE}³: ≥ {:.0} TFLOPS f32; best shape {:.2} TFLOPS {}",
            GOAL_GFLOPS / 1e3,
            g / 1e3,
            if g >= GOAL_GFLOPS { "✔" } else { "✘" }
        ),
        None => println!(
            "\nGoal at {GOAL_SIZE}³ (≥ {:.0} TFLOPS f32): not measured, pass --big",
            GOAL_GFLOPS / 1e3
        ),
    }

    println!("\n## Fixed costs\n");
    println!("| what | time |");
    println!("| --- | ---: |");
    let one = median(5, || runner.time_dispatches(1))?;
    let many = median(3, || runner.time_dispatches(1000))?;
    println!("| submit + wait, 1 tiny dispatch | {} |", us(one));
    println!("| submit + wait, 1000 tiny dispatches | {} |", us(many));
    println!(
        "| cost of one more dispatch in a submit | {} |",
        us((many - one) / 999.0)
    );
    println!(
        "| empty submit + wait | {} |",
        us(median(9, || runner.time_submit())?)
    );
    println!(
        "| read-back of 1 float (copy, map) | {} |",
        us(median(9, || runner.time_readback(1))?)
    );
    println!(
        "| read-back of 1 M floats | {} |",
        us(median(3, || runner.time_readback(1 << 20))?)
    );

    println!("\n## Training throughput (samples/s)\n");
    println!("| model | batch | GPU | CPU | GPU/CPU |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let small = [8, 8];
    let mnist = [256, 128];
    let batches: &[usize] = if quick {
        &[64, 512]
    } else {
        &[16, 64, 128, 512, 1024]
    };
    let mut cases = vec![(2, &small[..], 1, 10, 400)];
    for &b in batches {
        // About 10⁴ samples per measurement.
        cases.push((784, &mnist[..], 10, b, (10_000 / b).clamp(10, 100)));
    }
    let mut ratios = Vec::new();
    let mut dispatches = 0;
    for (input, hidden, out, batch, steps) in cases {
        let steps = if quick { steps / 4 + 1 } else { steps };
        let (gpu, cpu, d) = throughput(&ctx, input, hidden, out, batch, steps)?;
        if input == 784 {
            ratios.push((batch, gpu / cpu));
            dispatches = d;
        }
        let name = format!(
            "{input}-{}-{out}",
            hidden
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join("-")
        );
        println!(
            "| {name} | {batch} | {gpu:.0} | {cpu:.0} | {:.2} |",
            gpu / cpu
        );
    }
    ratios.sort_by_key(|r| r.0);
    match ratios.iter().find(|r| r.1 > 1.0) {
        Some((b, _)) => {
            println!("\nCrossover (784-256-128-10): the GPU is faster from batch {b} on.")
        }
        None => println!(
            "\nCrossover (784-256-128-10): not reached up to batch {}.",
            ratios.last().map_or(0, |r| r.0)
        ),
    }
    println!(
        "Recording (784-256-128-10, Adam): {dispatches} dispatches per step; K steps (up to \
         {MAX_STEPS_PER_SUBMIT}) are one command buffer, one submit and one read-back."
    );
    println!(
        "CPU: this build's native kernels on one thread (the browser runs the SIMD128 build)."
    );
    Ok(())
}

/// Samples per second of `steps` Adam steps on random data, GPU (one submit) and CPU, and
/// the GPU recording's dispatches per step.
fn throughput(
    ctx: &GpuContext,
    input: usize,
    hidden: &[usize],
    out: usize,
    batch: usize,
    steps: usize,
) -> Result<(f64, f64, usize)> {
    let dense = |units, activation| LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias: true,
    };
    let mut layers: Vec<LayerSpec> = hidden.iter().map(|&h| dense(h, Activation::Relu)).collect();
    let (loss, last) = if out == 1 {
        (LossKind::BinaryCrossentropy, Activation::Sigmoid)
    } else {
        (LossKind::CategoricalCrossentropy, Activation::Softmax)
    };
    layers.push(dense(out, last));
    let mut model = Sequential::new(
        ModelSpec {
            input_dim: input,
            layers,
        },
        1,
    )?;
    model.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 1e-3,
            ..Default::default()
        },
        loss,
        ..Default::default()
    })?;
    let rows = (batch * 4).max(256);
    let mut rng = Rng::new(3);
    let x = Matrix::from_vec(
        rows,
        input,
        (0..rows * input).map(|_| rng.uniform(-1.0, 1.0)).collect(),
    )?;
    let y = Matrix::from_vec(
        rows,
        1,
        (0..rows).map(|_| rng.below(out.max(2)) as f32).collect(),
    )?;
    let mut trainer = GpuTrainer::new(ctx, &model, batch)?;
    trainer.set_data(&x, &y)?;
    let dispatches = trainer.dispatches_per_step().unwrap_or(0);
    pollster::block_on(trainer.train_steps(batch, 2))?;
    let t = Instant::now();
    pollster::block_on(trainer.train_steps(batch, steps))?;
    let gpu = (steps * batch) as f64 / t.elapsed().as_secs_f64();
    model.train_steps(&x, &y, batch, 1)?;
    let cpu_steps = steps.div_ceil(4).max(2);
    let t = Instant::now();
    model.train_steps(&x, &y, batch, cpu_steps)?;
    let cpu = (cpu_steps * batch) as f64 / t.elapsed().as_secs_f64();
    Ok((gpu, cpu, dispatches))
}

fn median(n: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut v = (0..n).map(|_| f()).collect::<Result<Vec<f64>>>()?;
    v.sort_by(|a, b| a.total_cmp(b));
    Ok(v[n / 2])
}

fn us(secs: f64) -> String {
    format!("{:.1} µs", secs * 1e6)
}
