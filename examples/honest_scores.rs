//! What the validation split buys on a small noisy table: the test R² a run reports at its
//! end with the old defaults (no validation split, no early stopping), the best the test
//! split ever saw (what choosing by the test split would report), and what the new table
//! defaults report (early stopping on a validation split, best weights put back).
//!
//! `cargo run --release --example honest_scores`

use nn_playground::session::Session;
use nn_playground::{DatasetKind, PlaygroundConfig, Rng};

/// `rows` rows of 10 inputs; y depends on 3 of them, plus noise as large as the signal.
fn noisy_table(rows: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = (0..10)
        .map(|j| format!("x{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + ",y\n";
    for _ in 0..rows {
        let x: Vec<f32> = (0..10).map(|_| rng.normal()).collect();
        let y = 3.0 * x[0] - 2.0 * x[1] * x[2] + 4.0 * rng.normal();
        let cells: Vec<String> = x.iter().map(|v| format!("{v:.4}")).collect();
        out += &format!("{},{y:.4}\n", cells.join(","));
    }
    out
}

fn r2(s: &mut Session) -> f32 {
    s.metrics().map_or(f32::NAN, |m| {
        m.values.get("r2").copied().unwrap_or(f32::NAN)
    })
}

fn main() {
    const EPOCHS: usize = 1500;
    println!("| table seed | old defaults: test R² at epoch {EPOCHS} | best test R² seen (chosen by the test split) | new defaults: test R² (stopped at epoch, best epoch) |");
    println!("| ---: | ---: | ---: | ---: |");
    for seed in 1..=5 {
        let csv = noisy_table(442, seed);
        let fresh = || {
            Session::new(PlaygroundConfig {
                dataset: DatasetKind::Custom,
                ..PlaygroundConfig::default()
            })
            .unwrap()
        };
        let mut old = fresh();
        old.load_csv(&csv, &Default::default()).unwrap();
        let mut cfg = old.config().clone();
        cfg.validation_ratio = 0.0;
        cfg.early_stopping = None;
        old.set_config(cfg).unwrap();
        let mut best_seen = f32::NEG_INFINITY;
        for _ in 0..EPOCHS / 10 {
            old.train_epochs(10).unwrap();
            best_seen = best_seen.max(r2(&mut old));
        }
        let mut new = fresh();
        new.load_csv(&csv, &Default::default()).unwrap();
        new.train_epochs(EPOCHS).unwrap();
        let best = match new.stop() {
            Some(nn_playground::session::Stop::EarlyStopping { restored, .. }) => restored,
            _ => None,
        };
        println!(
            "| {seed} | {:.3} | {best_seen:.3} | {:.3} (epoch {}, best {}) |",
            r2(&mut old),
            r2(&mut new),
            new.epoch(),
            best.map_or("–".into(), |b| b.to_string())
        );
    }
}
