//! How a `PlaygroundConfig` becomes a model: validation, the derived output layer, loss and
//! metrics, and the target encoding (TF Playground's ±1 labels for its tanh + MSE default).

use crate::data::Task;
use crate::nn::activation::Activation;
use crate::spec::{
    CompileSpec, DatasetKind, HiddenLayer, LayerSpec, LossKind, MetricKind, ModelSpec,
    PlaygroundConfig,
};
use crate::{config_err, Error, Matrix, Result};

/// Most hidden layers the playground offers.
pub const MAX_HIDDEN_LAYERS: usize = 16;
/// Most units in one playground hidden layer.
pub const MAX_HIDDEN_UNITS: usize = 256;
/// Largest playground batch size.
pub const MAX_BATCH_SIZE: usize = 4096;
/// Noise of the generated sets, in percent: 0 to this.
pub const MAX_NOISE: f32 = 50.0;
/// The share of points used for training, in percent: from this …
pub const MIN_TRAIN_RATIO: f32 = 10.0;
/// … to this.
pub const MAX_TRAIN_RATIO: f32 = 90.0;
/// Most of the training points a validation split may hold out, in percent (from 0).
pub const MAX_VALIDATION_RATIO: f32 = 50.0;
/// Most generated points.
pub const MAX_SAMPLES: usize = 100_000;
/// Largest epoch limit: far past any run in a page, and an exact `u32` on every target.
pub const MAX_EPOCH_LIMIT: usize = 1_000_000_000;
/// The paces the page offers, in epochs per second, slowest first; `None` is "max" (as fast
/// as the machine trains). A link may ask for any whole pace from 1 to [`MAX_SPEED`].
pub const SPEED_CHOICES: [Option<u32>; 7] = [
    Some(1),
    Some(5),
    Some(20),
    Some(60),
    Some(250),
    Some(1000),
    None,
];
/// The default pace, part of the config's default (defined in `spec`, which this module
/// builds on).
pub use crate::spec::DEFAULT_SPEED;
/// Fastest pace a link may ask for by number; past it only "max" is faster.
pub const MAX_SPEED: u32 = 100_000;
/// Most threads a config may ask for (more than any browser reports as its core count).
pub const MAX_THREADS: u32 = 256;
/// Largest seed: 2^53, so a seed survives the trip through a JS number and a link.
pub const MAX_SEED: u64 = 1 << 53;

impl PlaygroundConfig {
    /// True when `other` describes the same run as `self` but for its display settings (the
    /// pace, the language and the thread count, which keep the model): a link edited only
    /// there goes on with the run rather than starting it again.
    pub fn same_run_as(&self, other: &PlaygroundConfig) -> bool {
        let mut display_only = other.clone();
        display_only.speed = self.speed;
        display_only.lang = self.lang;
        display_only.threads = self.threads;
        &display_only == self
    }

    /// Checks every setting, with a message naming the setting and its allowed range.
    pub fn validate(&self) -> Result<()> {
        if !(self.noise.is_finite() && (0.0..=MAX_NOISE).contains(&self.noise)) {
            return Err(config_err!(
                "noise must be between 0 and {MAX_NOISE} %, got {}",
                self.noise
            ));
        }
        if !(self.train_ratio.is_finite()
            && (MIN_TRAIN_RATIO..=MAX_TRAIN_RATIO).contains(&self.train_ratio))
        {
            return Err(config_err!(
                "training ratio must be between {MIN_TRAIN_RATIO} and {MAX_TRAIN_RATIO} %, got {}",
                self.train_ratio
            ));
        }
        if !(self.validation_ratio.is_finite()
            && (0.0..=MAX_VALIDATION_RATIO).contains(&self.validation_ratio))
        {
            return Err(config_err!(
                "validation share must be between 0 and {MAX_VALIDATION_RATIO} %, got {}",
                self.validation_ratio
            ));
        }
        if self.batch_size == 0 {
            return Err(config_err!("batch size must be at least 1"));
        }
        if self.batch_size > MAX_BATCH_SIZE {
            return Err(Error::Limit(format!(
                "batch size {} exceeds {MAX_BATCH_SIZE}",
                self.batch_size
            )));
        }
        use crate::data::generators::{MAX_SPIRAL_CLASSES, MIN_SPIRAL_CLASSES};
        if self.dataset == DatasetKind::KSpiral
            && !(MIN_SPIRAL_CLASSES..=MAX_SPIRAL_CLASSES).contains(&self.classes)
        {
            return Err(config_err!(
                "the K-class spiral needs {MIN_SPIRAL_CLASSES} to {MAX_SPIRAL_CLASSES} classes, got {}",
                self.classes
            ));
        }
        if let Some(n) = self.num_samples {
            if n == 0 {
                return Err(config_err!("the number of points must be at least 1"));
            }
            if n > MAX_SAMPLES {
                return Err(Error::Limit(format!(
                    "{n} points; the limit is {MAX_SAMPLES}"
                )));
            }
        }
        if self.features.is_empty() && self.dataset != DatasetKind::Custom {
            return Err(config_err!("select at least one input feature"));
        }
        let mut seen = Vec::new();
        for f in &self.features {
            if seen.contains(f) {
                return Err(config_err!("feature {f:?} is selected twice"));
            }
            seen.push(*f);
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(Error::Limit(format!(
                "{} hidden layers; the limit is {MAX_HIDDEN_LAYERS}",
                self.hidden.len()
            )));
        }
        for (i, h) in self.hidden.iter().enumerate() {
            if h.units == 0 {
                return Err(config_err!(
                    "hidden layer {} has 0 neurons; remove the layer instead",
                    i + 1
                ));
            }
            if h.units > MAX_HIDDEN_UNITS {
                return Err(Error::Limit(format!(
                    "hidden layer {} has {} neurons; the limit is {MAX_HIDDEN_UNITS}",
                    i + 1,
                    h.units
                )));
            }
            if !(h.dropout.is_finite() && (0.0..1.0).contains(&h.dropout)) {
                return Err(config_err!(
                    "dropout of hidden layer {} must be in [0, 1), got {}",
                    i + 1,
                    h.dropout
                ));
            }
            if h.activation == Some(Activation::Softmax) {
                return Err(config_err!(
                    "softmax is only for the output layer (hidden layer {})",
                    i + 1
                ));
            }
        }
        if self.activation == Activation::Softmax {
            return Err(config_err!(
                "softmax is only for the output layer; pick another hidden activation"
            ));
        }
        crate::nn::optim::validate(&self.optimizer)?;
        let r = self.regularization.rate;
        if !(r.is_finite() && r >= 0.0) {
            return Err(config_err!("regularisation rate must be ≥ 0, got {r}"));
        }
        if let Some(n) = self.epoch_limit {
            if n == 0 || n > MAX_EPOCH_LIMIT {
                return Err(config_err!(
                    "the epoch limit must be a whole number from 1 to {MAX_EPOCH_LIMIT} (or none), got {n}"
                ));
            }
        }
        if let Some(v) = self.speed {
            if v == 0 || v > MAX_SPEED {
                return Err(config_err!(
                    "the speed must be a whole number of epochs per second from 1 to {MAX_SPEED}, or max, got {v}"
                ));
            }
        }
        if let Some(n) = self.threads {
            if n == 0 || n > MAX_THREADS {
                return Err(config_err!(
                    "threads must be auto or a whole number from 1 to {MAX_THREADS}, got {n}"
                ));
            }
        }
        if self.seed > MAX_SEED {
            return Err(config_err!(
                "the seed must be a whole number from 0 to {MAX_SEED} (2^53, the largest JavaScript keeps exact), got {}",
                self.seed
            ));
        }
        Ok(())
    }

    /// The output activation: the configured one, or tanh for binary sets (the playground's
    /// choice), linear for regression and softmax for several classes.
    pub fn output_activation_for(&self, task: Task) -> Activation {
        self.output_activation.unwrap_or(match task {
            Task::Binary => Activation::Tanh,
            Task::Regression => Activation::Linear,
            Task::MultiClass(_) => Activation::Softmax,
        })
    }

    /// The loss: the configured one, or cross-entropy for softmax/sigmoid outputs and MSE
    /// otherwise.
    pub fn loss_for(&self, task: Task) -> LossKind {
        self.loss
            .unwrap_or(match (task, self.output_activation_for(task)) {
                (Task::MultiClass(_), _) | (_, Activation::Softmax) => {
                    LossKind::CategoricalCrossentropy
                }
                (Task::Binary, Activation::Sigmoid) => LossKind::BinaryCrossentropy,
                _ => LossKind::Mse,
            })
    }

    /// The network: hidden layers (dense, then batch norm and dropout when asked) and an
    /// output layer sized for the task.
    pub fn model_spec(&self, input_dim: usize, task: Task) -> ModelSpec {
        let mut layers = Vec::new();
        for h in &self.hidden {
            let HiddenLayer {
                units,
                activation,
                dropout,
                batch_norm,
            } = *h;
            layers.push(LayerSpec::Dense {
                units,
                activation: activation.unwrap_or(self.activation),
                init: self.init,
                use_bias: true,
            });
            if batch_norm {
                layers.push(LayerSpec::BatchNorm {
                    momentum: 0.9,
                    epsilon: 1e-3,
                });
            }
            if dropout > 0.0 {
                layers.push(LayerSpec::Dropout { rate: dropout });
            }
        }
        let outputs = match task {
            Task::MultiClass(k) => k,
            _ => 1,
        };
        layers.push(LayerSpec::Dense {
            units: outputs,
            activation: self.output_activation_for(task),
            init: self.init,
            use_bias: true,
        });
        ModelSpec { input_dim, layers }
    }

    /// Optimiser, loss, penalty and the metrics that fit the task.
    pub fn compile_spec(&self, task: Task) -> CompileSpec {
        let metrics = if task.is_classification() {
            vec![
                MetricKind::Accuracy,
                MetricKind::Precision,
                MetricKind::Recall,
                MetricKind::F1,
            ]
        } else {
            vec![MetricKind::Mse, MetricKind::Mae, MetricKind::R2]
        };
        CompileSpec {
            optimizer: self.optimizer.clone(),
            loss: self.loss_for(task),
            metrics,
            regularization: self.regularization,
            huber_delta: 1.0,
            padding_token: None,
        }
    }

    /// Turns dataset labels (class indices or values, `n×1`) into training targets: ±1 for a
    /// binary task under MSE-type losses with a symmetric output (tanh, linear…), 0/1 for
    /// sigmoid/BCE, class indices for softmax, values for regression.
    pub fn encode_targets(&self, labels: &Matrix, task: Task) -> Matrix {
        let mut t = labels.clone();
        if task == Task::Binary
            && !self.loss_for(task).is_cross_entropy()
            && self.output_activation_for(task) != Activation::Sigmoid
        {
            t.as_mut_slice()
                .iter_mut()
                .for_each(|v| *v = 2.0 * *v - 1.0);
        }
        t
    }
}
