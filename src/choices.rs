//! The one description of what the playground page may choose and how far it may go: every
//! list its controls offer (datasets with their task, features with their formula,
//! activations, optimisers, schedules, penalties, initialisers, monitors, backends, paces,
//! table options, the metrics panel's rows, the labels a click on the map adds) and every cap
//! it checks before asking the engine; and the Sequences mode's ([`sequence_choices`]). The
//! lists come from the enums' own `ALL` constants and the caps from the constants that
//! enforce them, so the page copies none of them; the page's labels come from its string
//! tables, keyed by these ids.

use serde::Serialize;

use crate::data::csv::encoding::MissingPolicy;
use crate::data::csv::prepare::TaskKind;
use crate::data::features::{feature_name, feature_value};
use crate::spec::{
    BackendChoice, DatasetKind, EarlyStoppingSpec, Feature, HiddenLayer, Init, LossKind,
    MetricKind, Monitor, OptimizerKind, RegularizationKind, Schedule,
};
use crate::{Activation, Result};

// The rates are `f64` so that they reach the page as written (`0.03`, not the nearest `f32`);
// the config's `f32` takes the nearest.

/// The learning rates the page's select offers (TF Playground's, with 1e-5 and 1e-4 added).
pub const LEARNING_RATES: [f64; 11] = [
    0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
/// The L1/L2 rates the page's select offers (TF Playground's).
pub const REGULARIZATION_RATES: [f64; 10] =
    [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];
/// The learning-rate schedules the page's select offers, by the id its labels are keyed on;
/// a link may carry any other (see `url_state`), which the page then shows by its kind.
pub const SCHEDULE_PRESETS: [(&str, Schedule); 4] = [
    ("constant", Schedule::Constant),
    (
        "step",
        Schedule::Step {
            every: 1000,
            factor: 0.5,
        },
    ),
    (
        "exponential",
        Schedule::Exponential {
            decay_steps: 1000,
            rate: 0.96,
        },
    ),
    (
        "cosine",
        Schedule::Cosine {
            decay_steps: 20_000,
            min_lr: 0.0,
        },
    ),
];
/// The dropout rates the page's per-layer select offers.
pub const DROPOUT_RATES: [f64; 5] = [0.0, 0.1, 0.2, 0.3, 0.5];
/// Hidden layers the page's "+" button adds up to (a link or a config may hold up to
/// [`crate::playground::MAX_HIDDEN_LAYERS`]): TF Playground's six and two more.
pub const BUTTON_HIDDEN_LAYERS: usize = 8;
/// Units per hidden layer the page's "+" buttons add up to (a link or a config: up to
/// [`crate::playground::MAX_HIDDEN_UNITS`]), a size whose thumbnails still read.
pub const BUTTON_HIDDEN_UNITS: usize = 32;
/// Largest batch size the page's slider offers (TF Playground's); a link or a config may
/// hold up to [`crate::playground::MAX_BATCH_SIZE`].
pub const SLIDER_BATCH_SIZE: usize = 100;
/// Steps of the page's training-ratio and noise sliders, in percent (TF Playground's).
const RATIO_STEP: f32 = 10.0;
const NOISE_STEP: f32 = 5.0;
/// Units of a hidden layer the page's "+" button adds (TF Playground's two).
pub const NEW_LAYER_UNITS: usize = 2;
/// The feature thumbnails' grid side: fine enough for sin and cos to read at 34 px.
pub const FEATURE_GRID_RESOLUTION: usize = 16;

/// The metrics panel's rows, in the order it shows them: for classification the metrics
/// [`crate::PlaygroundConfig::compile_spec`] measures on a classification task, for
/// regression the error measures after the share of variance explained (`tests/choices.rs`
/// checks that each task's rows are exactly what it measures).
pub const PANEL_METRICS: [(MetricKind, &str); 7] = [
    (MetricKind::Accuracy, "classification"),
    (MetricKind::Precision, "classification"),
    (MetricKind::Recall, "classification"),
    (MetricKind::F1, "classification"),
    (MetricKind::R2, "regression"),
    (MetricKind::Mae, "regression"),
    (MetricKind::Mse, "regression"),
];

/// What a click on the map adds, by the id the page's labels are keyed on: on two-class data
/// a point of class 1 or 0 (the engine's class indices), on regression data a target at
/// either end of the playground's scale (its regression sets' targets lie in −1 … +1).
/// Shift-click adds the task's other label. Multi-class data adds its class indices.
pub const CLICK_LABELS: [(&str, &str, f32); 4] = [
    ("blue", "binary", 1.0),
    ("orange", "binary", 0.0),
    ("plus", "regression", 1.0),
    ("minus", "regression", -1.0),
];

/// A built-in dataset and the task it poses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DatasetChoice {
    pub id: DatasetKind,
    /// `classification` or `regression`.
    pub task: &'static str,
    /// True when the config's `classes` sets how many classes it has.
    pub class_count: bool,
}

/// An input feature with the formula the page shows for it (the same in every language).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FeatureChoice {
    pub id: Feature,
    pub label: &'static str,
}

/// A schedule the page offers, with the config value it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScheduleChoice {
    pub id: &'static str,
    pub schedule: Schedule,
}

/// A row of the metrics panel: the metric and the task it is shown for (`classification`
/// or `regression`); `percent` when it is a share (shown ×100 with `%`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricChoice {
    pub id: MetricKind,
    pub task: &'static str,
    pub percent: bool,
}

/// A label a click on the map adds: its id, the task (`binary` or `regression`, as the
/// session's `task`) and the label value the point gets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClickLabel {
    pub id: &'static str,
    pub task: &'static str,
    pub label: f32,
}

/// A slider's range, in the config's units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    pub min: f32,
    pub max: f32,
    pub step: f32,
}

/// The page's sliders and buttons: how far each goes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Controls {
    pub train_ratio: Range,
    /// The validation split's share of the training points (0: none).
    pub validation_ratio: Range,
    pub noise: Range,
    pub batch_size: Range,
    /// The "+" buttons' caps (see [`BUTTON_HIDDEN_LAYERS`], [`BUTTON_HIDDEN_UNITS`]).
    pub hidden_layers: usize,
    pub hidden_units: usize,
}

/// The caps the page checks before it hands the engine something (a file's size before it
/// is read), each the very constant the engine enforces.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    pub max_hidden_layers: usize,
    pub max_hidden_units: usize,
    pub max_batch_size: usize,
    pub max_samples: usize,
    pub max_model_bytes: usize,
    pub max_csv_bytes: usize,
    pub max_csv_rows: usize,
    pub max_csv_columns: usize,
    pub max_categories: usize,
    pub max_classes: usize,
    pub max_grid_resolution: usize,
    pub max_epoch_limit: usize,
}

/// See the module docs. Serialised with the config's names (`snake_case` ids).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choices {
    pub datasets: Vec<DatasetChoice>,
    pub features: Vec<FeatureChoice>,
    /// What a hidden layer may take (the output-only ones left out).
    pub activations: Vec<Activation>,
    /// What the output layer may take (a config without one derives it from the task).
    pub output_activations: Vec<Activation>,
    /// The losses a config may name (without one it is derived from the output activation).
    pub losses: Vec<LossKind>,
    pub optimizers: Vec<OptimizerKind>,
    pub schedules: Vec<ScheduleChoice>,
    pub regularizations: Vec<RegularizationKind>,
    pub learning_rates: Vec<f64>,
    pub regularization_rates: Vec<f64>,
    pub dropout_rates: Vec<f64>,
    pub inits: Vec<Init>,
    pub monitors: Vec<Monitor>,
    pub backends: Vec<BackendChoice>,
    /// Class counts of the datasets with `class_count`, fewest first.
    pub classes: Vec<usize>,
    /// Paces as the link writes them (`"1"` … `"max"`), slowest first.
    pub speeds: Vec<String>,
    /// An uploaded table's task overrides and missing-cell policies.
    pub table_tasks: Vec<TaskKind>,
    pub missing: Vec<MissingPolicy>,
    /// The metrics panel's rows, in order (see [`PANEL_METRICS`]).
    pub metrics: Vec<MetricChoice>,
    /// What a click on the map adds (see [`CLICK_LABELS`]).
    pub click_labels: Vec<ClickLabel>,
    pub controls: Controls,
    pub limits: Limits,
    /// The side of the feature thumbnails' grid (`featureGrids`).
    pub feature_grid_resolution: usize,
    /// Half the side of the map's square: inputs span `[−domain, domain]²`.
    pub domain: f32,
    /// What the page puts in the config when a person adds a layer or turns early stopping
    /// on (before the controls' own values apply).
    pub new_hidden_layer: HiddenLayer,
    pub early_stopping: EarlyStoppingSpec,
}

/// The playground's [`Choices`].
pub fn choices() -> Choices {
    use crate::data::generators::{MAX_SPIRAL_CLASSES, MIN_SPIRAL_CLASSES};
    use crate::playground::{
        MAX_NOISE, MAX_TRAIN_RATIO, MAX_VALIDATION_RATIO, MIN_TRAIN_RATIO, SPEED_CHOICES,
    };
    Choices {
        datasets: DatasetKind::BUILT_IN
            .iter()
            .map(|&id| DatasetChoice {
                id,
                task: if id.is_regression() {
                    "regression"
                } else {
                    "classification"
                },
                class_count: id.has_class_count(),
            })
            .collect(),
        features: Feature::ALL
            .iter()
            .map(|&id| FeatureChoice {
                id,
                label: feature_name(id),
            })
            .collect(),
        activations: Activation::ALL
            .into_iter()
            .filter(|a| !a.output_only())
            .collect(),
        output_activations: Activation::ALL.to_vec(),
        losses: LossKind::ALL.to_vec(),
        optimizers: OptimizerKind::ALL.to_vec(),
        schedules: SCHEDULE_PRESETS
            .iter()
            .map(|&(id, schedule)| ScheduleChoice { id, schedule })
            .collect(),
        regularizations: RegularizationKind::ALL.to_vec(),
        learning_rates: LEARNING_RATES.to_vec(),
        regularization_rates: REGULARIZATION_RATES.to_vec(),
        dropout_rates: DROPOUT_RATES.to_vec(),
        inits: Init::ALL.to_vec(),
        monitors: Monitor::ALL.to_vec(),
        backends: BackendChoice::ALL.to_vec(),
        classes: (MIN_SPIRAL_CLASSES..=MAX_SPIRAL_CLASSES).collect(),
        speeds: SPEED_CHOICES
            .iter()
            .map(|s| crate::url_state::speed_key(*s))
            .collect(),
        table_tasks: TaskKind::ALL.to_vec(),
        missing: MissingPolicy::ALL.to_vec(),
        metrics: PANEL_METRICS
            .iter()
            .map(|&(id, task)| MetricChoice {
                id,
                task,
                percent: is_share(id),
            })
            .collect(),
        click_labels: CLICK_LABELS
            .iter()
            .map(|&(id, task, label)| ClickLabel { id, task, label })
            .collect(),
        controls: Controls {
            train_ratio: Range {
                min: MIN_TRAIN_RATIO,
                max: MAX_TRAIN_RATIO,
                step: RATIO_STEP,
            },
            validation_ratio: Range {
                min: 0.0,
                max: MAX_VALIDATION_RATIO,
                step: RATIO_STEP / 2.0,
            },
            noise: Range {
                min: 0.0,
                max: MAX_NOISE,
                step: NOISE_STEP,
            },
            batch_size: Range {
                min: 1.0,
                max: SLIDER_BATCH_SIZE as f32,
                step: 1.0,
            },
            hidden_layers: BUTTON_HIDDEN_LAYERS,
            hidden_units: BUTTON_HIDDEN_UNITS,
        },
        limits: limits(),
        feature_grid_resolution: FEATURE_GRID_RESOLUTION,
        domain: crate::session::DOMAIN,
        new_hidden_layer: HiddenLayer {
            units: NEW_LAYER_UNITS,
            ..HiddenLayer::default()
        },
        early_stopping: EarlyStoppingSpec::default(),
    }
}

/// True for a metric that is a share of the examples (0 … 1), false for an error or R².
fn is_share(m: MetricKind) -> bool {
    match m {
        MetricKind::Accuracy
        | MetricKind::Precision
        | MetricKind::Recall
        | MetricKind::F1
        | MetricKind::TokenAccuracy
        | MetricKind::SequenceAccuracy => true,
        MetricKind::Mse | MetricKind::Mae | MetricKind::R2 => false,
    }
}

fn limits() -> Limits {
    use crate::data::csv::{prepare::MAX_CATEGORIES, MAX_CLASSES, MAX_COLUMNS, MAX_CSV_BYTES};
    use crate::playground::{
        MAX_BATCH_SIZE, MAX_EPOCH_LIMIT, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_SAMPLES,
    };
    Limits {
        max_hidden_layers: MAX_HIDDEN_LAYERS,
        max_hidden_units: MAX_HIDDEN_UNITS,
        max_batch_size: MAX_BATCH_SIZE,
        max_samples: MAX_SAMPLES,
        max_model_bytes: crate::model::MAX_MODEL_BYTES,
        max_csv_bytes: MAX_CSV_BYTES,
        max_csv_rows: crate::data::csv::MAX_ROWS,
        max_csv_columns: MAX_COLUMNS,
        max_categories: MAX_CATEGORIES,
        max_classes: MAX_CLASSES,
        max_grid_resolution: crate::session::MAX_GRID_RESOLUTION,
        max_epoch_limit: MAX_EPOCH_LIMIT,
    }
}

/// Every feature of [`Feature::ALL`] over the map's square at `res × res` cell centres, one
/// run of `res²` values per feature (row-major, top row first, as the decision grid), for
/// the thumbnails of inputs that are switched off. `res` is 1 to
/// [`MAX_GRID_RESOLUTION`](crate::session::MAX_GRID_RESOLUTION).
pub fn feature_grids(res: usize) -> Result<Vec<f32>> {
    let points = crate::session::grid_points(res)?;
    Ok(Feature::ALL
        .iter()
        .flat_map(|&f| points.iter().map(move |p| feature_value(f, p.x, p.y)))
        .collect())
}

/// A number input's range and step, in the config's units (`f64`: as written).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NumberRange {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// The step of the Sequences mode's learning-rate input.
pub const SEQUENCE_LEARNING_RATE_STEP: f64 = 0.0001;

/// What the Sequences mode's controls offer and how far each goes (its lists are the
/// playground's), so its page copies no list or cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceChoices {
    pub tasks: Vec<crate::data::sequence::SequenceTask>,
    pub max_length: usize,
    pub max_vocab: usize,
    /// Modular addition's `p`, the range the link reader and the task take.
    pub modulus: NumberRange,
    pub max_blocks: usize,
    pub max_heads: usize,
    pub max_width: usize,
    pub max_ff_units: usize,
    pub max_batch_size: usize,
    pub max_dropout: f32,
    pub optimizers: Vec<OptimizerKind>,
    pub backends: Vec<BackendChoice>,
    pub speeds: Vec<String>,
    /// The learning rate, the warm-up (steps) and the model's seed: what the link takes.
    pub learning_rate: NumberRange,
    pub warmup: NumberRange,
    pub seed: NumberRange,
}

/// The Sequences mode's [`SequenceChoices`].
pub fn sequence_choices() -> SequenceChoices {
    use crate::data::sequence::{
        MAX_TASK_LENGTH, MAX_TASK_MODULUS, MAX_TASK_VOCAB, MIN_TASK_MODULUS,
    };
    use crate::spec::{
        MAX_SEQUENCE_BATCH, MAX_SEQUENCE_BLOCKS, MAX_SEQUENCE_DROPOUT, MAX_SEQUENCE_FF,
        MAX_SEQUENCE_HEADS, MAX_SEQUENCE_LEARNING_RATE, MAX_SEQUENCE_WARMUP, MAX_SEQUENCE_WIDTH,
        MIN_SEQUENCE_LEARNING_RATE, SEQUENCE_TASKS,
    };
    SequenceChoices {
        tasks: SEQUENCE_TASKS.to_vec(),
        max_length: MAX_TASK_LENGTH,
        max_vocab: MAX_TASK_VOCAB,
        modulus: NumberRange {
            min: MIN_TASK_MODULUS as f64,
            max: MAX_TASK_MODULUS as f64,
            step: 1.0,
        },
        max_blocks: MAX_SEQUENCE_BLOCKS,
        max_heads: MAX_SEQUENCE_HEADS,
        max_width: MAX_SEQUENCE_WIDTH,
        max_ff_units: MAX_SEQUENCE_FF,
        max_batch_size: MAX_SEQUENCE_BATCH,
        max_dropout: MAX_SEQUENCE_DROPOUT,
        optimizers: OptimizerKind::ALL.to_vec(),
        backends: BackendChoice::ALL.to_vec(),
        speeds: choices().speeds,
        learning_rate: NumberRange {
            min: MIN_SEQUENCE_LEARNING_RATE,
            max: MAX_SEQUENCE_LEARNING_RATE,
            step: SEQUENCE_LEARNING_RATE_STEP,
        },
        warmup: NumberRange {
            min: 0.0,
            max: MAX_SEQUENCE_WARMUP as f64,
            step: 1.0,
        },
        seed: NumberRange {
            min: 0.0,
            max: crate::playground::MAX_SEED as f64,
            step: 1.0,
        },
    }
}
