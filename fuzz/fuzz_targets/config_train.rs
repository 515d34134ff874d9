//! Fuzzes configs end to end: any JSON config is refused with an error or builds a model that
//! trains a few steps (divergence is an error too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nn_playground::data::{features, generators, split, Task};
use nn_playground::{PlaygroundConfig, Rng, Sequential};

fn run(c: &PlaygroundConfig) -> nn_playground::Result<()> {
    c.validate()?;
    let task = Task::for_kind(c.dataset, c.classes);
    let mut rng = Rng::new(c.seed);
    let n = c.num_samples.unwrap_or(60).min(60);
    let points = generators::generate(c.dataset, n, c.noise, c.classes, &mut rng)?;
    let (train, _) = split::shuffled_split(points.len(), c.train_ratio, &mut rng);
    let pts: Vec<_> = train.iter().map(|&i| points[i]).collect();
    let x = features::feature_matrix(&pts, &c.features);
    let y = c.encode_targets(&features::labels(&pts), task);
    let mut m = Sequential::new(c.model_spec(c.features.len(), task), c.seed)?;
    m.compile(c.compile_spec(task))?;
    m.train_steps(&x, &y, c.batch_size.min(64), 5)?;
    m.predict(&x)?;
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = serde_json::from_str::<PlaygroundConfig>(text) {
        let _ = run(&config);
    }
});
