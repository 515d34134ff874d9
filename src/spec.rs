//! The one description of a model and of a playground setup: the serde types the UI edits,
//! the URL hash encodes, saved files hold and the builder reads.

mod layer_read;
mod layers;
mod schedule_read;
mod sequence;
mod table;

use serde::{Deserialize, Serialize};

pub use layer_read::KerasLayer;
pub use layers::{Init, LayerSpec, ModelSpec};
pub use sequence::{
    SequenceConfig, SequencePooling, MAX_SEQUENCE_BATCH, MAX_SEQUENCE_BLOCKS, MAX_SEQUENCE_DROPOUT,
    MAX_SEQUENCE_FF, MAX_SEQUENCE_HEADS, MAX_SEQUENCE_LEARNING_RATE, MAX_SEQUENCE_WARMUP,
    MAX_SEQUENCE_WIDTH, MIN_SEQUENCE_LEARNING_RATE, SEQUENCE_TASKS,
};
pub use table::{CsvOptions, MissingPolicy, TaskKind};

use crate::activation::Activation;

fn is_zero(v: &usize) -> bool {
    *v == 0
}

/// The training objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Mean squared error, averaged over batch and outputs.
    #[default]
    Mse,
    /// Mean absolute error.
    Mae,
    /// Huber loss with `CompileSpec::huber_delta`.
    Huber,
    /// Binary cross-entropy on logits (targets 0/1); the output's sigmoid is fused.
    BinaryCrossentropy,
    /// Softmax cross-entropy on logits; targets are class indices (n×1) or one-hot (n×K).
    #[serde(alias = "sparse_categorical_crossentropy")]
    CategoricalCrossentropy,
}

impl LossKind {
    /// Every loss, in the order the UI lists them.
    pub const ALL: [LossKind; 5] = [
        LossKind::Mse,
        LossKind::Mae,
        LossKind::Huber,
        LossKind::BinaryCrossentropy,
        LossKind::CategoricalCrossentropy,
    ];

    /// True for the losses computed on logits with a fused output activation.
    pub fn is_cross_entropy(self) -> bool {
        matches!(
            self,
            LossKind::BinaryCrossentropy | LossKind::CategoricalCrossentropy
        )
    }
}

/// Which update rule the optimiser applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    #[default]
    Sgd,
    Momentum,
    Nesterov,
    #[serde(alias = "rms_prop")]
    Rmsprop,
    Adagrad,
    Adam,
    #[serde(alias = "adam_w")]
    Adamw,
}

impl OptimizerKind {
    /// Every update rule, in the order the page lists them.
    pub const ALL: [OptimizerKind; 7] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adagrad,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
    ];
}

/// Learning rate as a function of the optimiser step `t` (0-based). Written as a tagged
/// object (`{"type": "step", "every": 10, "factor": 0.5}`), read by hand (`schedule_read.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Schedule {
    /// `lr`.
    #[default]
    Constant,
    /// `lr · factor^⌊t / every⌋`.
    Step { every: usize, factor: f32 },
    /// `lr · rate^(t / decay_steps)`.
    Exponential { decay_steps: usize, rate: f32 },
    /// `min + (lr − min)·(1 + cos(π·min(t, decay_steps)/decay_steps))/2`.
    Cosine {
        decay_steps: usize,
        #[serde(default)]
        min_lr: f32,
    },
}

/// Optimiser and its hyper-parameters; fields a rule does not use are ignored by it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerSpec {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
    /// Momentum / Nesterov coefficient.
    pub momentum: f32,
    /// Adam/AdamW first-moment decay.
    pub beta1: f32,
    /// Adam/AdamW second-moment decay.
    pub beta2: f32,
    /// Denominator guard for RMSProp, Adagrad, Adam, AdamW.
    pub epsilon: f32,
    /// RMSProp decay of the squared-gradient average.
    pub rho: f32,
    /// AdamW decoupled weight decay.
    pub weight_decay: f32,
    pub schedule: Schedule,
    /// Updates over which the learning rate rises linearly to its value, before the
    /// schedule starts (update `t < warmup_steps` uses `lr·(t+1)/warmup_steps`).
    #[serde(skip_serializing_if = "is_zero")]
    pub warmup_steps: usize,
    /// When set, gradients are scaled so their global L2 norm is at most this.
    pub clip_norm: Option<f32>,
}

impl Default for OptimizerSpec {
    fn default() -> Self {
        Self {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.03,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            rho: 0.9,
            weight_decay: 0.01,
            schedule: Schedule::Constant,
            warmup_steps: 0,
            clip_norm: None,
        }
    }
}

/// Weight penalty kind (applied to weights, never biases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RegularizationKind {
    #[default]
    None,
    L1,
    L2,
}

impl RegularizationKind {
    /// Every penalty kind, in the order the page lists them.
    pub const ALL: [RegularizationKind; 3] = [
        RegularizationKind::None,
        RegularizationKind::L1,
        RegularizationKind::L2,
    ];
}

/// `rate·Σ|w|` (L1) or `rate·Σw²` (L2) added to the loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Regularization {
    pub kind: RegularizationKind,
    pub rate: f32,
}

/// A metric reported by `evaluate` and in the `History`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    Accuracy,
    Precision,
    Recall,
    F1,
    Mse,
    Mae,
    R2,
    /// Share of (non-padding) positions whose predicted token is right.
    TokenAccuracy,
    /// Share of sequences whose every (non-padding) position is right; for a model with
    /// one output per sequence, the plain accuracy.
    SequenceAccuracy,
}

impl MetricKind {
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Accuracy => "accuracy",
            MetricKind::Precision => "precision",
            MetricKind::Recall => "recall",
            MetricKind::F1 => "f1",
            MetricKind::Mse => "mse",
            MetricKind::Mae => "mae",
            MetricKind::R2 => "r2",
            MetricKind::TokenAccuracy => "token_accuracy",
            MetricKind::SequenceAccuracy => "sequence_accuracy",
        }
    }
}

/// What `compile` takes: optimiser, loss, metrics and weight penalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompileSpec {
    pub optimizer: OptimizerSpec,
    pub loss: LossKind,
    pub metrics: Vec<MetricKind>,
    pub regularization: Regularization,
    pub huber_delta: f32,
    /// For models that predict a token per position: target positions holding this token
    /// are left out of the loss and of the token and sequence accuracies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padding_token: Option<usize>,
}

impl Default for CompileSpec {
    fn default() -> Self {
        Self {
            optimizer: OptimizerSpec::default(),
            loss: LossKind::Mse,
            metrics: Vec::new(),
            regularization: Regularization::default(),
            huber_delta: 1.0,
            padding_token: None,
        }
    }
}

/// The quantity early stopping watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    Loss,
    #[default]
    ValLoss,
    Accuracy,
    ValAccuracy,
}

impl Monitor {
    /// Every monitor, in the order the page lists them (the default first).
    pub const ALL: [Monitor; 4] = [
        Monitor::ValLoss,
        Monitor::Loss,
        Monitor::ValAccuracy,
        Monitor::Accuracy,
    ];

    /// True when larger is better.
    pub fn maximise(self) -> bool {
        matches!(self, Monitor::Accuracy | Monitor::ValAccuracy)
    }
}

/// Keras-style early stopping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EarlyStoppingSpec {
    pub monitor: Monitor,
    pub min_delta: f32,
    pub patience: usize,
    pub restore_best_weights: bool,
}

impl Default for EarlyStoppingSpec {
    fn default() -> Self {
        Self {
            monitor: Monitor::ValLoss,
            min_delta: 0.0,
            patience: 10,
            restore_best_weights: true,
        }
    }
}

/// A built-in dataset (or `Custom` for uploaded / clicked data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    #[default]
    Circle,
    Xor,
    Gauss,
    Spiral,
    Plane,
    MultiGauss,
    Moons,
    Checkerboard,
    /// K-arm spiral for softmax (`PlaygroundConfig::classes` arms, 3–5).
    KSpiral,
    /// 1-D sine regression.
    Sine,
    /// Data the user uploaded or clicked in.
    Custom,
}

impl DatasetKind {
    /// The generated datasets (every kind but `Custom`), in the order the page shows them:
    /// TF Playground's classification sets, ours, then the regression sets.
    pub const BUILT_IN: [DatasetKind; 10] = [
        DatasetKind::Circle,
        DatasetKind::Xor,
        DatasetKind::Gauss,
        DatasetKind::Spiral,
        DatasetKind::Moons,
        DatasetKind::Checkerboard,
        DatasetKind::KSpiral,
        DatasetKind::Plane,
        DatasetKind::MultiGauss,
        DatasetKind::Sine,
    ];

    /// True when `PlaygroundConfig::classes` sets how many classes it generates.
    pub fn has_class_count(self) -> bool {
        self == DatasetKind::KSpiral
    }

    /// True for the regression sets.
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            DatasetKind::Plane | DatasetKind::MultiGauss | DatasetKind::Sine
        )
    }
}

/// An input feature computed from the two raw coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1X2,
    SinX1,
    SinX2,
    CosX1,
    CosX2,
}

impl Feature {
    /// Every feature, in the order the page lists them (and a config orders its inputs).
    pub const ALL: [Feature; 9] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
        Feature::CosX1,
        Feature::CosX2,
    ];
}

/// A hidden layer of the playground network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HiddenLayer {
    pub units: usize,
    /// Overrides `PlaygroundConfig::activation` for this layer.
    pub activation: Option<Activation>,
    /// Dropout rate after this layer (0 = none).
    pub dropout: f32,
    /// Batch normalisation before the activation's output feeds on.
    pub batch_norm: bool,
}

impl Default for HiddenLayer {
    fn default() -> Self {
        Self {
            units: 4,
            activation: None,
            dropout: 0.0,
            batch_norm: false,
        }
    }
}

/// Where training runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackendChoice {
    #[default]
    Cpu,
    Webgpu,
    Auto,
}

impl BackendChoice {
    /// Every backend choice, in the order the page lists them.
    pub const ALL: [BackendChoice; 3] = [
        BackendChoice::Cpu,
        BackendChoice::Webgpu,
        BackendChoice::Auto,
    ];
}

/// The languages the page's text comes in (`lang=en|zh` in a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Zh,
}

/// The default pace: about one epoch per displayed frame, as TF Playground trains, so the
/// boundary forms over seconds instead of settling before the first glance.
pub const DEFAULT_SPEED: u32 = 60;

/// Everything the playground page shows and a share link reproduces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaygroundConfig {
    pub dataset: DatasetKind,
    /// Arms of the K-class spiral.
    pub classes: usize,
    /// Noise in percent, 0–50.
    pub noise: f32,
    /// Share of points used for training, in percent, 10–90.
    pub train_ratio: f32,
    /// Share of the training points held out as a validation split, in percent, 0–50
    /// (stratified like the test split). Early stopping watches it when it is not empty, so
    /// the test split only reports; 0 trains on every training point.
    pub validation_ratio: f32,
    /// Points to generate; `None` uses the playground's 500 (classification) / 1200 (regression).
    pub num_samples: Option<usize>,
    pub seed: u64,
    pub features: Vec<Feature>,
    pub hidden: Vec<HiddenLayer>,
    pub activation: Activation,
    /// `None` derives it: tanh for binary sets (MSE on ±1), linear for regression, softmax for K classes.
    pub output_activation: Option<Activation>,
    /// `None` derives it from the output activation.
    pub loss: Option<LossKind>,
    pub init: Init,
    pub batch_size: usize,
    pub optimizer: OptimizerSpec,
    pub regularization: Regularization,
    pub epoch_limit: Option<usize>,
    pub early_stopping: Option<EarlyStoppingSpec>,
    /// Standardise inputs with statistics of the training split.
    pub standardize: bool,
    pub discretize: bool,
    pub show_test: bool,
    /// The page's training pace in epochs per second; `None` trains as fast as it can. A
    /// display setting: changing it keeps the model (see `playground::SPEED_CHOICES`).
    pub speed: Option<u32>,
    /// The page's language; `None` follows the browser's. A display setting: changing it
    /// keeps the model.
    pub lang: Option<Lang>,
    pub backend: BackendChoice,
    /// Threads the CPU engine may use: `None` is auto (every thread of the pool the page
    /// started: `navigator.hardwareConcurrency` in a cross-origin isolated page, else 1), a
    /// number caps it. A display setting: results are bit-identical at any count.
    pub threads: Option<u32>,
    /// How an uploaded table was read: label and feature columns, task, missing cells.
    pub table: CsvOptions,
}

impl Default for PlaygroundConfig {
    fn default() -> Self {
        Self {
            dataset: DatasetKind::Circle,
            classes: 3,
            noise: 0.0,
            train_ratio: 50.0,
            validation_ratio: 0.0,
            num_samples: None,
            seed: 1,
            features: vec![Feature::X1, Feature::X2],
            hidden: vec![
                HiddenLayer {
                    units: 4,
                    ..HiddenLayer::default()
                },
                HiddenLayer {
                    units: 2,
                    ..HiddenLayer::default()
                },
            ],
            activation: Activation::Tanh,
            output_activation: None,
            loss: None,
            init: Init::Playground,
            batch_size: 10,
            optimizer: OptimizerSpec::default(),
            regularization: Regularization::default(),
            epoch_limit: None,
            early_stopping: None,
            standardize: false,
            discretize: false,
            show_test: false,
            speed: Some(DEFAULT_SPEED),
            lang: None,
            backend: BackendChoice::Cpu,
            threads: None,
            table: CsvOptions::default(),
        }
    }
}
