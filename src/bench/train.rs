//! Training and decision-grid benchmark problems: the fixed workloads of the side-by-side
//! browser benchmark, with no timing inside (the caller's clock measures `run`).
//!
//! ```
//! use nn_playground::bench::{GridBench, TrainBench};
//! let mut t = TrainBench::new("a", 1)?;
//! let loss = t.run(25)?; // time this call: 25 steps of `t.batch_size()` samples each
//! assert!(loss.is_finite());
//! let mut g = GridBench::new(100)?;
//! assert!(g.run(1)?.is_finite()); // one 100×100 decision grid
//! # Ok::<(), nn_playground::Error>(())
//! ```

use crate::data::{features, generators, split, Task};
use crate::{
    Activation, CompileSpec, DatasetKind, Error, HiddenLayer, Init, LayerSpec, LossKind, Matrix,
    ModelSpec, OptimizerKind, OptimizerSpec, PlaygroundConfig, Result, Rng, Sequential,
};

/// Samples in problem (b).
pub const MNIST_SAMPLES: usize = 2048;
/// Inputs, hidden widths and classes of problem (b).
pub const MNIST_SHAPE: [usize; 4] = [784, 256, 128, 10];
/// Largest decision grid side accepted by [`GridBench::new`] (1024² points is 4 M rows).
pub const MAX_GRID_SIDE: usize = 1024;
/// Half-width of the playground's input square: points and grids cover `[-6, 6]²`.
pub const PLAYGROUND_EXTENT: f32 = 6.0;

/// The names [`TrainBench::new`] accepts.
pub const PROBLEMS: [&str; 3] = ["a", "a-4-2", "b"];

/// The playground setup of problem (a): circle data, 500 points of which 50 % train (250),
/// tanh hidden layers of `hidden` units, tanh output on ±1 targets, MSE, SGD 0.03, batch 10.
pub fn playground_config(hidden: &[usize]) -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Circle,
        num_samples: Some(500),
        train_ratio: 50.0,
        hidden: hidden
            .iter()
            .map(|&units| HiddenLayer {
                units,
                ..HiddenLayer::default()
            })
            .collect(),
        activation: Activation::Tanh,
        output_activation: Some(Activation::Tanh),
        loss: Some(LossKind::Mse),
        batch_size: 10,
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.03,
            ..OptimizerSpec::default()
        },
        ..PlaygroundConfig::default()
    }
}

/// A compiled model, its training set and batch size; `run` is the call to time.
pub struct TrainBench {
    model: Sequential,
    x: Matrix,
    y: Matrix,
    batch: usize,
}

impl TrainBench {
    /// `problem`: `"a"` (2→8→8→1 tanh, MSE, SGD 0.03, batch 10, 250 circle points),
    /// `"a-4-2"` (the same with TF Playground's default 2→4→2→1) or `"b"` (784→256→128→10
    /// ReLU, softmax cross-entropy on one-hot targets, Adam 0.001, batch 64, 2048 uniform
    /// random samples with random labels). Deterministic in `seed`.
    pub fn new(problem: &str, seed: u64) -> Result<Self> {
        match problem {
            "a" => Self::playground(&[8, 8], seed),
            "a-4-2" => Self::playground(&[4, 2], seed),
            "b" => Self::mnist_mlp(seed),
            other => Err(Error::InvalidConfig(format!(
                "unknown benchmark problem {other:?}: use one of {PROBLEMS:?}"
            ))),
        }
    }

    fn playground(hidden: &[usize], seed: u64) -> Result<Self> {
        let config = PlaygroundConfig {
            seed,
            ..playground_config(hidden)
        };
        config.validate()?;
        let task = Task::for_kind(config.dataset, config.classes);
        let mut rng = Rng::new(seed);
        let points = generators::generate(config.dataset, 500, 0.0, 2, &mut rng)?;
        let (train, _) = split::shuffled_split(points.len(), config.train_ratio, &mut rng);
        let points: Vec<_> = train.iter().map(|&i| points[i]).collect();
        let x = features::feature_matrix(&points, &config.features);
        let y = config.encode_targets(&features::labels(&points), task);
        let mut model = Sequential::new(config.model_spec(x.cols(), task), seed)?;
        model.compile(CompileSpec {
            metrics: Vec::new(),
            ..config.compile_spec(task)
        })?;
        Ok(Self {
            model,
            x,
            y,
            batch: config.batch_size,
        })
    }

    fn mnist_mlp(seed: u64) -> Result<Self> {
        let [inputs, h1, h2, classes] = MNIST_SHAPE;
        let dense = |units, activation| LayerSpec::Dense {
            units,
            activation,
            init: Init::GlorotUniform,
            use_bias: true,
        };
        let spec = ModelSpec {
            input_dim: inputs,
            layers: vec![
                dense(h1, Activation::Relu),
                dense(h2, Activation::Relu),
                dense(classes, Activation::Softmax),
            ],
        };
        let mut model = Sequential::new(spec, seed)?;
        model.compile(CompileSpec {
            optimizer: OptimizerSpec {
                kind: OptimizerKind::Adam,
                learning_rate: 0.001,
                ..OptimizerSpec::default()
            },
            loss: LossKind::CategoricalCrossentropy,
            ..CompileSpec::default()
        })?;
        let mut rng = Rng::new(seed ^ 0x6d6e_6973);
        let x: Vec<f32> = (0..MNIST_SAMPLES * inputs)
            .map(|_| rng.next_f32())
            .collect();
        let mut y = vec![0.0; MNIST_SAMPLES * classes];
        for row in y.chunks_mut(classes) {
            row[rng.below(classes)] = 1.0;
        }
        Ok(Self {
            model,
            x: Matrix::from_vec(MNIST_SAMPLES, inputs, x)?,
            y: Matrix::from_vec(MNIST_SAMPLES, classes, y)?,
            batch: 64,
        })
    }

    /// Runs `steps` full optimiser steps (forward, backward, update) on consecutive
    /// mini-batches, wrapping around the training set; returns the mean batch loss.
    pub fn run(&mut self, steps: usize) -> Result<f32> {
        self.model.train_steps(&self.x, &self.y, self.batch, steps)
    }

    /// Trains on mini-batches of `batch` samples from now on (the threads benchmark runs
    /// problem (b) at 256, where every product of a step is large enough to split).
    pub fn set_batch_size(&mut self, batch: usize) -> Result<()> {
        if batch == 0 || batch > self.samples() {
            return Err(Error::InvalidConfig(format!(
                "batch size must be between 1 and {}, got {batch}",
                self.samples()
            )));
        }
        self.batch = batch;
        Ok(())
    }

    /// Samples in one step.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// Training examples (rows of [`Self::x`]).
    pub fn samples(&self) -> usize {
        self.x.rows()
    }

    /// Steps in one pass over the training set.
    pub fn steps_per_epoch(&self) -> usize {
        self.samples().div_ceil(self.batch)
    }

    /// The training inputs, `samples × input_dim`, row-major: peers train on the same data.
    pub fn x(&self) -> &Matrix {
        &self.x
    }

    /// The training targets, `samples × output_dim` (±1 for (a), one-hot for (b)).
    pub fn y(&self) -> &Matrix {
        &self.y
    }

    /// The compiled model (its file, `to_json`, lets another engine train the same network
    /// from the same initial weights).
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Layer widths, input first: `[2, 8, 8, 1]`, `[2, 4, 2, 1]` or `[784, 256, 128, 10]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut w = vec![self.model.input_dim()];
        w.extend(self.model.spec().layers.iter().filter_map(|l| match l {
            LayerSpec::Dense { units, .. } => Some(*units),
            _ => None,
        }));
        w
    }
}

/// The decision grid of problem (a)'s 2→8→8→1 network: `side²` points spread over the
/// playground square, evaluated as one batched forward pass.
pub struct GridBench {
    model: Sequential,
    grid: Matrix,
}

impl GridBench {
    /// A `side × side` grid (`1..=MAX_GRID_SIDE`) for a freshly initialised 2-8-8-1 network.
    pub fn new(side: usize) -> Result<Self> {
        if side == 0 || side > MAX_GRID_SIDE {
            return Err(Error::Limit(format!(
                "grid side must be between 1 and {MAX_GRID_SIDE}, got {side}"
            )));
        }
        let config = playground_config(&[8, 8]);
        let task = Task::for_kind(config.dataset, config.classes);
        let model = Sequential::new(config.model_spec(2, task), config.seed)?;
        let step = if side > 1 {
            2.0 * PLAYGROUND_EXTENT / (side - 1) as f32
        } else {
            0.0
        };
        let mut cells = Vec::with_capacity(side * side * 2);
        for r in 0..side {
            for c in 0..side {
                cells.push(-PLAYGROUND_EXTENT + c as f32 * step);
                cells.push(PLAYGROUND_EXTENT - r as f32 * step);
            }
        }
        Ok(Self {
            model,
            grid: Matrix::from_vec(side * side, 2, cells)?,
        })
    }

    /// Computes the grid's network outputs `iters` times; returns the sum of the last
    /// outputs so that the work cannot be skipped.
    pub fn run(&mut self, iters: usize) -> Result<f32> {
        let mut sum = 0.0;
        for _ in 0..iters {
            sum = self.model.predict(&self.grid)?.as_slice().iter().sum();
        }
        Ok(sum)
    }

    /// Points in one grid.
    pub fn points(&self) -> usize {
        self.grid.rows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_have_the_issue_shapes() {
        let cases: [(&str, &[usize], usize, usize); 3] = [
            ("a", &[2, 8, 8, 1], 250, 10),
            ("a-4-2", &[2, 4, 2, 1], 250, 10),
            ("b", &MNIST_SHAPE, MNIST_SAMPLES, 64),
        ];
        for (name, widths, samples, batch) in cases {
            let t = TrainBench::new(name, 3).unwrap();
            assert_eq!(t.widths(), widths, "{name}");
            assert_eq!((t.samples(), t.batch_size()), (samples, batch), "{name}");
            assert_eq!(t.x().shape(), (samples, widths[0]), "{name}");
            assert_eq!(t.y().shape(), (samples, widths[3]), "{name}");
        }
        assert_eq!(TrainBench::new("a", 3).unwrap().steps_per_epoch(), 25);
    }

    #[test]
    fn playground_targets_are_plus_minus_one_and_mnist_one_hot() {
        let a = TrainBench::new("a", 5).unwrap();
        assert!(a.y().as_slice().iter().all(|&v| v == 1.0 || v == -1.0));
        let b = TrainBench::new("b", 5).unwrap();
        for row in b.y().as_slice().chunks(10) {
            assert_eq!(row.iter().filter(|&&v| v == 1.0).count(), 1);
            assert_eq!(row.iter().sum::<f32>(), 1.0);
        }
    }

    #[test]
    fn training_lowers_the_loss_of_problem_a() {
        let mut t = TrainBench::new("a", 1).unwrap();
        let first = t.run(25).unwrap();
        t.run(25 * 200).unwrap();
        let last = t.run(25).unwrap();
        assert!(last < 0.5 * first, "loss went from {first} to {last}");
    }

    #[test]
    fn problem_b_steps_are_finite_and_deterministic() {
        let mut p = TrainBench::new("b", 9).unwrap();
        let mut q = TrainBench::new("b", 9).unwrap();
        let (lp, lq) = (p.run(3).unwrap(), q.run(3).unwrap());
        assert!(lp.is_finite() && lp > 0.0);
        assert_eq!(lp, lq);
    }

    #[test]
    fn model_file_trains_like_the_bench() {
        for problem in ["a", "b"] {
            let mut t = TrainBench::new(problem, 4).unwrap();
            let mut copy = Sequential::from_json(&t.model().to_json()).unwrap();
            let (x, y, batch) = (t.x().clone(), t.y().clone(), t.batch_size());
            let want = t.run(3).unwrap();
            assert_eq!(
                copy.train_steps(&x, &y, batch, 3).unwrap(),
                want,
                "{problem}"
            );
        }
    }

    #[test]
    fn unknown_problem_and_bad_grid_are_errors() {
        assert!(matches!(
            TrainBench::new("c", 1),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(GridBench::new(0), Err(Error::Limit(_))));
        assert!(matches!(
            GridBench::new(MAX_GRID_SIDE + 1),
            Err(Error::Limit(_))
        ));
    }

    #[test]
    fn grid_covers_the_playground_square_and_matches_predict() {
        let mut g = GridBench::new(3).unwrap();
        assert_eq!(g.points(), 9);
        let cells = g.grid.as_slice().to_vec();
        assert_eq!(&cells[..2], &[-6.0, 6.0]);
        assert_eq!(&cells[16..], &[6.0, -6.0]);
        let expected: f32 = g.model.predict(&g.grid).unwrap().as_slice().iter().sum();
        assert_eq!(g.run(2).unwrap(), expected);
        assert!(g
            .model
            .predict(&g.grid)
            .unwrap()
            .as_slice()
            .iter()
            .all(|v| v.abs() <= 1.0));
    }
}
