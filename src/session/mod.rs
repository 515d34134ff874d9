//! `Session`: the UI-agnostic playground engine. Everything the page can do is a call here:
//! it owns the points and their train/test split, the input features, the model, the loss
//! history and the stopping rules. The wasm layer only translates.
//!
//! ```
//! use nn_playground::{session::Session, PlaygroundConfig};
//! let mut s = Session::new(PlaygroundConfig::default()).unwrap();
//! s.train_epochs(2).unwrap();
//! assert_eq!(s.epoch(), 2);
//! let grid = s.decision_grid(16).unwrap();
//! assert_eq!(grid.len(), 16 * 16);
//! ```

mod data;
mod explain;
mod health;
mod insight;
mod onnx;
mod overfit;
mod replay;
mod run_state;
pub mod sequence;
mod slice;
mod snapshot;
mod table;
mod train;
mod views;

pub use data::{scale_into_domain, DOMAIN};
pub use explain::ExplainedStep;
pub use health::{LayerHealth, HEALTH_BINS, HEALTH_ROWS};
pub use insight::{ImportanceReport, InsightReport, MAX_SCATTER_POINTS};
pub use overfit::Rising;
pub use replay::{
    replay_resolution, Replay, ReplayFrame, ReplayMeta, ReplayState, MAX_REPLAY_BYTES,
    MAX_REPLAY_FRAMES, MAX_REPLAY_RESOLUTION, REPLAY_FRAME_VALUES,
};
pub use run_state::{EarlyProgress, RunState, SliceChoice};
pub use slice::{Axis, HeldValue, SliceInfo};
pub use snapshot::{snapshot_kind, SnapshotKind, SNAPSHOT_VERSION};
pub use train::{Stop, TrainTiming, Watched, CHUNK_STEPS};
pub use views::{grid_points, DenseWeights, MetricsReport, NetworkWeights, MAX_GRID_RESOLUTION};

/// The validation split an uploaded table starts with, in percent of its training rows.
pub const TABLE_VALIDATION_RATIO: f32 = 20.0;
/// Epochs without a better validation loss before an uploaded table's run stops.
pub const TABLE_PATIENCE: usize = 30;

/// Most loss-history entries kept (see [`Session::history`]).
pub const MAX_HISTORY: usize = 4096;

use serde::Serialize;

use crate::data::{Point, Task};
use crate::{Error, Matrix, PlaygroundConfig, Result, Rng, Sequential};

/// What [`Session::set_config`] had to do to apply a new config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Weights kept (learning rate, batch size, optimiser, display settings such as the
    /// pace, or stopping settings).
    Kept,
    /// Same data, a freshly initialised model (architecture or features changed).
    Rebuilt,
    /// New data and a fresh model (dataset, noise, ratio, sample count or seed changed).
    Regenerated,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Kept => "kept",
            Change::Rebuilt => "rebuilt",
            Change::Regenerated => "regenerated",
        }
    }
}

/// Train, test and validation loss after one epoch (the data term, on every point of each
/// split). A split without points has a NaN loss; JSON, which values from JavaScript are
/// read through, writes NaN as `null`, so `null` reads back as NaN (and a run saved before
/// the validation split existed reads with a NaN validation loss).
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize)]
pub struct EpochLoss {
    #[serde(deserialize_with = "nan_for_null")]
    pub train: f32,
    #[serde(deserialize_with = "nan_for_null")]
    pub test: f32,
    #[serde(default = "nan", deserialize_with = "nan_for_null")]
    pub val: f32,
}

fn nan() -> f32 {
    f32::NAN
}

/// Equal when every loss is, a NaN (a split without rows) equal to a NaN: the same run
/// compares equal to itself.
impl PartialEq for EpochLoss {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: f32, b: f32| a == b || (a.is_nan() && b.is_nan());
        same(self.train, other.train) && same(self.test, other.test) && same(self.val, other.val)
    }
}

pub(crate) fn nan_for_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<f32, D::Error> {
    use serde::Deserialize;
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

/// The playground engine; see the module docs.
#[derive(Debug, Clone)]
pub struct Session {
    config: PlaygroundConfig,
    data: data::SessionData,
    model: Sequential,
    epoch: usize,
    /// One entry per `history_stride` epochs, at most [`MAX_HISTORY`].
    history: Vec<EpochLoss>,
    history_stride: usize,
    latest: Option<EpochLoss>,
    stop: Option<train::Stop>,
    early: Option<EarlyState>,
    grid_cache: Option<(usize, Matrix)>,
    partial: Option<crate::train::EpochRun>,
    /// The map's slice through a table's inputs (none for 2-D points).
    slice: Option<slice::SliceView>,
    /// What the last upload did to its rows and cells.
    load_report: Option<crate::data::csv::prepare::LoadReport>,
    /// A permutation-importance run in progress or finished.
    importance: Option<crate::model::importance::PermutationImportance>,
    /// Snapshots of the map for the page's replay of the run.
    replay: replay::Replay,
    /// Steps trained in the page's slices and the time they took (the readout's "max").
    timing: train::TrainTiming,
}

#[derive(Debug, Clone)]
struct EarlyState {
    stopper: crate::model::EarlyStopper,
    /// The weights of the best epoch so far (when restoring them).
    best_params: Vec<Vec<f32>>,
}

impl Session {
    /// Generates the data the config describes and builds a model for it.
    ///
    /// A `custom` dataset starts empty: add points or load a CSV before training.
    pub fn new(config: PlaygroundConfig) -> Result<Self> {
        config.validate()?;
        let data = data::SessionData::generate(&config)?;
        let model = build_model(&config, &data)?;
        Ok(Self {
            config,
            data,
            model,
            epoch: 0,
            history: Vec::with_capacity(MAX_HISTORY),
            history_stride: 1,
            latest: None,
            stop: None,
            early: None,
            grid_cache: None,
            partial: None,
            slice: None,
            load_report: None,
            importance: None,
            replay: replay::Replay::default(),
            timing: train::TrainTiming::default(),
        })
    }

    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }

    /// The task of the current data.
    pub fn task(&self) -> Task {
        self.data.task
    }

    /// Output units of the model (1, or K for K classes).
    pub fn outputs(&self) -> usize {
        self.model.output_dim()
    }

    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Whether this session's training or map would use more than one thread in the threads
    /// build: its model splits the work (see `Sequential::splits_over_threads`) and the
    /// config does not cap the threads at one. The page loads the threads build only then.
    pub fn would_use_threads(&mut self) -> bool {
        self.config.threads != Some(1) && self.model.splits_over_threads(self.config.batch_size)
    }

    /// Epochs trained since the model was (re)built.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Train / test loss since the model was (re)built: entry `i` is epoch
    /// `(i + 1) · history_stride()`. At most [`MAX_HISTORY`] entries: when full, every second
    /// one is dropped and the stride doubles, so a run of any length keeps bounded memory
    /// and an evenly spaced curve.
    pub fn history(&self) -> &[EpochLoss] {
        &self.history
    }

    /// Epochs per [`history`](Self::history) entry (1 until the history first fills up).
    pub fn history_stride(&self) -> usize {
        self.history_stride
    }

    /// Loss on the training points now (NaN without training points).
    pub fn train_loss(&mut self) -> f32 {
        self.latest
            .map_or_else(|| self.data.loss(&mut self.model, false), |h| h.train)
    }

    /// Loss on the validation points now (NaN without a validation split).
    pub fn validation_loss(&mut self) -> f32 {
        self.latest.map_or_else(
            || self.data.loss_on(&mut self.model, data::Split::Validation),
            |h| h.val,
        )
    }

    /// Rows in the training, validation and test splits.
    pub fn split_sizes(&self) -> [usize; 3] {
        [
            self.data.train_x.rows(),
            self.data.val_x.rows(),
            self.data.test_x.rows(),
        ]
    }

    /// Loss on the test points now (NaN without test points).
    pub fn test_loss(&mut self) -> f32 {
        self.latest
            .map_or_else(|| self.data.loss(&mut self.model, true), |h| h.test)
    }

    /// Why training stopped (epoch limit, early stopping), if it did.
    pub fn stop_reason(&self) -> Option<String> {
        self.stop.map(|s| s.to_string())
    }

    /// [`stop_reason`](Self::stop_reason) as a rule with its stable code and values.
    pub fn stop(&self) -> Option<Stop> {
        self.stop
    }

    /// Applies a new config, keeping the weights when only non-structural settings changed.
    /// On error nothing changes.
    pub fn set_config(&mut self, new: PlaygroundConfig) -> Result<Change> {
        new.validate()?;
        let old = &self.config;
        let data_changed = old.dataset != new.dataset
            || old.seed != new.seed
            || old.train_ratio != new.train_ratio
            || old.validation_ratio != new.validation_ratio
            || (new.dataset == crate::DatasetKind::Custom && old.table != new.table)
            || (new.dataset != crate::DatasetKind::Custom
                && (old.noise != new.noise
                    || old.num_samples != new.num_samples
                    || (new.dataset == crate::DatasetKind::KSpiral && old.classes != new.classes)));
        let model_changed = old.features != new.features
            || old.hidden != new.hidden
            || old.activation != new.activation
            || old.output_activation != new.output_activation
            || old.loss != new.loss
            || old.init != new.init
            || old.standardize != new.standardize;
        if data_changed {
            let data = if new.dataset == crate::DatasetKind::Custom
                && old.dataset == crate::DatasetKind::Custom
            {
                self.data.resplit(&new)?
            } else {
                data::SessionData::generate(&new)?
            };
            let model = build_model(&new, &data)?;
            self.replace(new, data, model);
            return Ok(Change::Regenerated);
        }
        if model_changed {
            let data = self.data.with_features(&new)?;
            let model = build_model(&new, &data)?;
            self.replace(new, data, model);
            return Ok(Change::Rebuilt);
        }
        let compile_changed = old.optimizer.kind != new.optimizer.kind
            || old.optimizer.schedule != new.optimizer.schedule
            || old.optimizer.clip_norm != new.optimizer.clip_norm
            || old.regularization != new.regularization;
        if compile_changed {
            // A new optimiser or penalty starts fresh optimiser state but keeps the weights.
            let mut model = self.model.clone();
            model.compile(new.compile_spec(self.data.task))?;
            self.model = model;
        } else if old.optimizer.learning_rate != new.optimizer.learning_rate {
            self.model.set_learning_rate(new.optimizer.learning_rate)?;
        }
        if new.epoch_limit != old.epoch_limit || new.early_stopping != old.early_stopping {
            self.stop = None;
            self.early = None;
        }
        self.config = new;
        Ok(Change::Kept)
    }

    fn replace(&mut self, config: PlaygroundConfig, data: data::SessionData, model: Sequential) {
        self.config = config;
        self.data = data;
        self.model = model;
        self.restart();
        self.reslice();
        self.load_report = None;
    }

    /// A fresh slice for table data (axes and held values at their defaults).
    fn reslice(&mut self) {
        self.slice = self
            .data
            .table()
            .map(|t| slice::SliceView::new(t, &self.data.train_x));
    }

    fn restart(&mut self) {
        self.epoch = 0;
        self.history.clear();
        self.history_stride = 1;
        self.latest = None;
        self.stop = None;
        self.early = None;
        self.grid_cache = None;
        self.partial = None;
        self.importance = None;
        self.replay = replay::Replay::default();
    }

    /// Re-initialises the weights (from the seed, so a reset run repeats exactly); same data.
    pub fn reset(&mut self) -> Result<()> {
        self.model = build_model(&self.config, &self.data)?;
        self.restart();
        Ok(())
    }

    /// New data from a new seed (kept in the config, so the link still reproduces it) and a
    /// fresh model. Custom data keeps its points and is split anew.
    pub fn regenerate(&mut self) -> Result<()> {
        let mut cfg = self.config.clone();
        cfg.seed = Rng::new(cfg.seed).next_u64() % 1_000_000;
        self.set_config(cfg).map(|_| ())
    }

    /// Sets one weight `W[from][to]` of dense layer `dense_index`; the replay's newest
    /// snapshot becomes the map as edited (see `record_replay_edit`).
    pub fn set_weight(
        &mut self,
        dense_index: usize,
        from: usize,
        to: usize,
        value: f32,
    ) -> Result<()> {
        self.model.set_weight(dense_index, from, to, value)?;
        self.record_replay_edit()
    }

    /// Sets the bias of `unit` in dense layer `dense_index` (the replay follows, as for
    /// [`set_weight`](Self::set_weight)).
    pub fn set_bias(&mut self, dense_index: usize, unit: usize, value: f32) -> Result<()> {
        self.model.set_bias(dense_index, unit, value)?;
        self.record_replay_edit()
    }

    /// Every row as a point on the square with its split: `(point, is_test)`. For a table the
    /// coordinates are the row's position on the map's two axes.
    pub fn points(&self) -> Vec<(Point, bool)> {
        let split = self.data.is_test.iter().copied();
        match (self.data.points(), self.data.table(), &self.slice) {
            (Some(p), _, _) => p.iter().copied().zip(split).collect(),
            (None, Some(t), Some(s)) => s
                .row_positions(t)
                .into_iter()
                .zip(&t.prepared.y)
                .map(|([x, y], &label)| Point { x, y, label })
                .zip(split)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Points as `[x, y, label, is_test]` per point, for drawing.
    pub fn points_flat(&self) -> Vec<f32> {
        self.points()
            .into_iter()
            .flat_map(|(p, t)| [p.x, p.y, p.label, if t { 1.0 } else { 0.0 }])
            .collect()
    }

    /// Adds a training point (the data becomes `custom`); the weights are kept.
    pub fn add_point(&mut self, x: f32, y: f32, label: f32) -> Result<()> {
        let data = self.data.with_point(&self.config, Point { x, y, label })?;
        self.adopt_custom(data)
    }

    /// Removes every point within `radius` of `(x, y)`; returns how many went.
    pub fn remove_points_near(&mut self, x: f32, y: f32, radius: f32) -> Result<usize> {
        let (data, removed) = self.data.without_points_near(&self.config, x, y, radius)?;
        if removed > 0 {
            self.adopt_custom(data)?;
        }
        Ok(removed)
    }

    fn adopt_custom(&mut self, data: data::SessionData) -> Result<()> {
        self.config.dataset = crate::DatasetKind::Custom;
        self.data = data;
        self.partial = None;
        Ok(())
    }

    /// Replaces the data with an uploaded table: any number of numeric or text columns, the
    /// label, features, task and missing-value policy chosen by `options` (kept in the
    /// config). On any error the current data and model stay as they were.
    ///
    /// A first table (the data was not a table before) also turns on what keeps its scores
    /// honest: a validation split of [`TABLE_VALIDATION_RATIO`] % of the training rows, and
    /// early stopping on it that puts back the best epoch's weights, so the test split only
    /// reports. Settings the user chose later (or a snapshot's) are kept on further loads.
    pub fn load_csv(&mut self, text: &str, options: &crate::data::csv::CsvOptions) -> Result<()> {
        let mut cfg = self.config.clone();
        if self.data.table().is_none() {
            if cfg.validation_ratio == 0.0 {
                cfg.validation_ratio = TABLE_VALIDATION_RATIO;
            }
            if cfg.early_stopping.is_none() {
                cfg.early_stopping = Some(crate::spec::EarlyStoppingSpec {
                    patience: TABLE_PATIENCE,
                    ..Default::default()
                });
            }
        }
        let (data, report) = data::SessionData::from_csv(&mut cfg, text, options)?;
        let model = build_model(&cfg, &data)?;
        self.replace(cfg, data, model);
        self.load_report = Some(report);
        Ok(())
    }

    /// The current data as CSV: points as `x1,x2,label`, a table with its own columns (text
    /// cells a spreadsheet would run as formulas neutralised).
    pub fn data_csv(&self) -> String {
        match (self.data.points(), self.data.table()) {
            (Some(p), _) => crate::data::csv::points_to_csv(p),
            (None, Some(t)) => t.raw.to_download_csv(),
            _ => String::new(),
        }
    }

    /// The model as the versioned JSON file format; a table's model also carries its
    /// preprocessing (columns, encoding, fill values, scalers).
    pub fn export_model(&self) -> String {
        self.with_preprocessing(self.model.to_json())
    }

    /// The model file with its training state (optimiser step count and moments), for
    /// moving the run to another backend (the GPU) and back without restarting them.
    pub fn export_model_with_state(&self) -> String {
        self.with_preprocessing(self.model.to_json_with_state())
    }

    /// Loads a model file. It must fit the playground (inputs = active features, outputs =
    /// the task's); its hidden layers replace the config's. The page's optimiser settings
    /// apply; a training state in the file (`export_model_with_state`) is kept when the
    /// page's optimiser is the same kind, and otherwise it starts fresh. On error nothing
    /// changes.
    pub fn import_model(&mut self, json: &str) -> Result<()> {
        let mut model = Sequential::from_json(json)?;
        self.check_preprocessing(json)?;
        let cfg = data::config_for_model(&self.config, model.spec(), self.data.task)?;
        let expected = cfg.model_spec(self.data.input_dim(&cfg), self.data.task);
        if &expected != model.spec() {
            return Err(Error::Format(format!(
                "this model's layers ({}) cannot be shown with the playground's {} input feature(s) and {} output(s)",
                views::describe(model.spec()),
                self.data.input_dim(&cfg),
                self.model.output_dim()
            )));
        }
        // The page's optimiser settings apply from here on; predictions do not depend on them.
        model.compile_keeping_state(cfg.compile_spec(self.data.task))?;
        let data = self.data.with_features(&cfg)?;
        self.config = cfg;
        self.data = data;
        self.model = model;
        self.restart();
        self.reslice();
        Ok(())
    }
}

/// Model seed: a fixed function of the config seed, separate from the data stream.
fn model_seed(seed: u64) -> u64 {
    let mut r = Rng::new(seed ^ 0x6D6F_6465_6C00_0000);
    r.next_u64()
}

fn build_model(cfg: &PlaygroundConfig, data: &data::SessionData) -> Result<Sequential> {
    let spec = cfg.model_spec(data.input_dim(cfg), data.task);
    let mut model = Sequential::new(spec, model_seed(cfg.seed))?;
    model.compile(cfg.compile_spec(data.task))?;
    Ok(model)
}
