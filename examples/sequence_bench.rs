//! Sequence-model figures on this machine's CPU (one core): training throughput of the
//! 2-block, 4-head, width-64, length-16 transformer in tokens/s, and the steps and seconds
//! reverse and sort (length 8, 10 tokens) take to reach 99 % whole-sequence accuracy on
//! held-out sequences. `cargo run --release --example sequence_bench`.

use std::time::Instant;

use nn_playground::bench::sequence::{SequenceBench, SEQUENCE_BENCH_SHAPE};
use nn_playground::data::sequence::{SequenceTask, SequenceTaskSpec};
use nn_playground::session::sequence::SequenceSession;
use nn_playground::{OptimizerKind, OptimizerSpec, SequenceConfig};

fn throughput() -> nn_playground::Result<()> {
    let mut b = SequenceBench::new(1)?;
    b.run(5)?;
    let steps = 100;
    let start = Instant::now();
    let loss = b.run(steps)?;
    let secs = start.elapsed().as_secs_f64();
    let [blocks, heads, width, ff, length, vocab, batch] = SEQUENCE_BENCH_SHAPE;
    println!(
        "throughput: {blocks} blocks, {heads} heads, width {width}, ff {ff}, length {length}, vocab {vocab}, batch {batch}: {:.0} tokens/s ({:.2} ms/step, loss {loss:.3})",
        (steps * b.tokens_per_step()) as f64 / secs,
        secs * 1e3 / steps as f64
    );
    Ok(())
}

fn time_to_accuracy(task: SequenceTask) -> nn_playground::Result<()> {
    let config = SequenceConfig {
        task: SequenceTaskSpec {
            task,
            length: 8,
            vocab: 10,
            train: 4000,
            test: 500,
            seed: 1,
            ..Default::default()
        },
        blocks: 2,
        heads: 4,
        width: 64,
        ff_units: 128,
        batch_size: 64,
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 3e-3,
            warmup_steps: 100,
            ..OptimizerSpec::default()
        },
        seed: 1,
        ..SequenceConfig::default()
    };
    let mut s = SequenceSession::new(config)?;
    let start = Instant::now();
    let mut point = s.train_steps(0)?;
    println!(
        "{task:?} untrained: held-out token accuracy {:.3}",
        point.test_token_accuracy
    );
    while point.test_sequence_accuracy < 0.99 && point.step < 20_000 {
        point = s.train_steps(25)?;
        println!(
            "  step {}: held-out loss {:.3}, token {:.3}, sequence {:.3}",
            point.step, point.test_loss, point.test_token_accuracy, point.test_sequence_accuracy
        );
    }
    println!(
        "{task:?}: held-out sequence accuracy {:.3} (token {:.3}) after {} steps, {:.1} s",
        point.test_sequence_accuracy,
        point.test_token_accuracy,
        point.step,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> nn_playground::Result<()> {
    throughput()?;
    time_to_accuracy(SequenceTask::Reverse)?;
    time_to_accuracy(SequenceTask::Sort)?;
    Ok(())
}
