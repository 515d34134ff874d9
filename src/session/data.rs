//! The session's data: points, their train/test split, and the feature / target matrices
//! the model trains on. Every change builds a new value, so a failure leaves the old one.

use crate::data::csv::{parse_csv, CsvOptions};
use crate::data::features::{feature_matrix, labels};
use crate::data::generators::{default_count, generate};
use crate::data::split::{shuffled_split, Standardizer};
use crate::data::{Point, Task};
use crate::spec::{HiddenLayer, LayerSpec, ModelSpec};
use crate::{DatasetKind, Error, Matrix, PlaygroundConfig, Result, Rng, Sequential};

/// Half-width of the square the playground draws: coordinates lie in `[-DOMAIN, DOMAIN]`.
pub const DOMAIN: f32 = 6.0;

#[derive(Debug, Clone)]
pub(super) struct SessionData {
    pub points: Vec<Point>,
    pub is_test: Vec<bool>,
    pub task: Task,
    pub standardizer: Option<Standardizer>,
    pub train_x: Matrix,
    pub train_y: Matrix,
    pub test_x: Matrix,
    pub test_y: Matrix,
}

impl SessionData {
    /// The points the config's dataset, noise, count and seed describe (none for `custom`).
    pub fn generate(cfg: &PlaygroundConfig) -> Result<Self> {
        let mut rng = Rng::new(cfg.seed);
        let mut gen_rng = rng.fork();
        let task = Task::for_kind(cfg.dataset, cfg.classes);
        let points = if cfg.dataset == DatasetKind::Custom {
            Vec::new()
        } else {
            let n = cfg
                .num_samples
                .unwrap_or_else(|| default_count(cfg.dataset));
            generate(cfg.dataset, n, cfg.noise, cfg.classes, &mut gen_rng)?
        };
        Self::split(points, task, cfg)
    }

    /// The same points, split anew with the config's seed and ratio.
    pub fn resplit(&self, cfg: &PlaygroundConfig) -> Result<Self> {
        Self::split(self.points.clone(), self.task, cfg)
    }

    fn split(points: Vec<Point>, task: Task, cfg: &PlaygroundConfig) -> Result<Self> {
        let mut rng = Rng::new(cfg.seed);
        let _data_stream = rng.fork();
        let mut split_rng = rng.fork();
        let (_, test) = shuffled_split(points.len(), cfg.train_ratio, &mut split_rng);
        let mut is_test = vec![false; points.len()];
        for i in test {
            is_test[i] = true;
        }
        Self::build(points, is_test, task, cfg)
    }

    /// Same points and split, matrices rebuilt for the config's features and scaling.
    pub fn with_features(&self, cfg: &PlaygroundConfig) -> Result<Self> {
        Self::build(self.points.clone(), self.is_test.clone(), self.task, cfg)
    }

    fn build(
        points: Vec<Point>,
        is_test: Vec<bool>,
        task: Task,
        cfg: &PlaygroundConfig,
    ) -> Result<Self> {
        let (train, test): (Vec<Point>, Vec<Point>) = {
            let mut tr = Vec::new();
            let mut te = Vec::new();
            for (p, &t) in points.iter().zip(&is_test) {
                if t {
                    te.push(*p)
                } else {
                    tr.push(*p)
                }
            }
            (tr, te)
        };
        let mut train_x = feature_matrix(&train, &cfg.features);
        let mut test_x = feature_matrix(&test, &cfg.features);
        let standardizer = if cfg.standardize {
            let s = Standardizer::fit(&train_x);
            s.apply(&mut train_x)?;
            s.apply(&mut test_x)?;
            Some(s)
        } else {
            None
        };
        let train_y = cfg.encode_targets(&labels(&train), task);
        let test_y = cfg.encode_targets(&labels(&test), task);
        Ok(Self {
            points,
            is_test,
            task,
            standardizer,
            train_x,
            train_y,
            test_x,
            test_y,
        })
    }

    pub fn input_dim(&self, cfg: &PlaygroundConfig) -> usize {
        cfg.features.len()
    }

    pub fn train_xy(&self) -> (&Matrix, &Matrix) {
        (&self.train_x, &self.train_y)
    }

    pub fn split_xy(&self, test: bool) -> (&Matrix, &Matrix) {
        if test {
            (&self.test_x, &self.test_y)
        } else {
            (&self.train_x, &self.train_y)
        }
    }

    /// Mean loss of `model` on one split; NaN when the split is empty or evaluation fails.
    pub fn loss(&self, model: &mut Sequential, test: bool) -> f32 {
        let (x, y) = self.split_xy(test);
        if x.rows() == 0 {
            return f32::NAN;
        }
        model.evaluate(x, y).map_or(f32::NAN, |e| e.loss)
    }

    /// Features of arbitrary 2-D points, scaled like the training data.
    pub fn inputs_for(&self, pts: &[Point], cfg: &PlaygroundConfig) -> Result<Matrix> {
        let mut x = feature_matrix(pts, &cfg.features);
        if let Some(s) = &self.standardizer {
            s.apply(&mut x)?;
        }
        Ok(x)
    }

    /// This data with one more training point.
    pub fn with_point(&self, cfg: &PlaygroundConfig, p: Point) -> Result<Self> {
        if !(p.x.is_finite() && p.y.is_finite() && p.label.is_finite()) {
            return Err(Error::InvalidData(
                "a point needs finite coordinates and label".into(),
            ));
        }
        if self.points.len() >= crate::data::generators::MAX_POINTS {
            return Err(Error::Limit(format!(
                "the playground holds at most {} points",
                crate::data::generators::MAX_POINTS
            )));
        }
        let k = self.task.classes();
        if k > 0 && (p.label < 0.0 || p.label.fract() != 0.0 || p.label as usize >= k) {
            return Err(Error::InvalidData(format!(
                "class {} does not exist; this data has classes 0 to {}",
                p.label,
                k - 1
            )));
        }
        let mut points = self.points.clone();
        let mut is_test = self.is_test.clone();
        points.push(p);
        is_test.push(false);
        Self::build(points, is_test, self.task, cfg)
    }

    /// This data without the points within `r` of `(x, y)`, and how many were removed.
    pub fn without_points_near(
        &self,
        cfg: &PlaygroundConfig,
        x: f32,
        y: f32,
        r: f32,
    ) -> Result<(Self, usize)> {
        if !(x.is_finite() && y.is_finite() && r.is_finite() && r >= 0.0) {
            return Err(Error::InvalidData(
                "removal needs a finite position and radius".into(),
            ));
        }
        let keep: Vec<bool> = self
            .points
            .iter()
            .map(|p| (p.x - x).hypot(p.y - y) > r)
            .collect();
        let removed = keep.iter().filter(|k| !**k).count();
        let points = self
            .points
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p)
            .collect();
        let is_test = self
            .is_test
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(t, _)| *t)
            .collect();
        Ok((Self::build(points, is_test, self.task, cfg)?, removed))
    }

    /// Data from an uploaded table; updates `cfg` to a custom dataset of the file's task.
    pub fn from_csv(cfg: &mut PlaygroundConfig, text: &str, options: &CsvOptions) -> Result<Self> {
        let ds = parse_csv(text, options)?;
        if ds.dim() != 2 {
            return Err(Error::InvalidData(format!(
                "the playground draws 2-D data: the file has {} feature column(s) besides the label; keep exactly two",
                ds.dim()
            )));
        }
        let mut points: Vec<Point> = (0..ds.len())
            .map(|r| Point {
                x: ds.x.get(r, 0),
                y: ds.x.get(r, 1),
                label: ds.y.get(r, 0),
            })
            .collect();
        scale_into_domain(&mut points);
        cfg.dataset = DatasetKind::Custom;
        if let Task::MultiClass(k) = ds.task {
            cfg.classes = k;
        }
        cfg.validate()?;
        Self::split(points, ds.task, cfg)
    }
}

/// Scales coordinates per axis into `[-5, 5]` when any lies outside the drawn square, so
/// uploaded data of any unit shows up and trains at the playground's scale.
pub fn scale_into_domain(points: &mut [Point]) {
    let fits = |v: f32| (-DOMAIN..=DOMAIN).contains(&v);
    if points.iter().all(|p| fits(p.x) && fits(p.y)) {
        return;
    }
    let range = |f: fn(&Point) -> f32| {
        points
            .iter()
            .map(f)
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x0, x1) = range(|p| p.x);
    let (y0, y1) = range(|p| p.y);
    let map = |v: f32, lo: f32, hi: f32| {
        if hi > lo {
            (v - lo) / (hi - lo) * 10.0 - 5.0
        } else {
            0.0
        }
    };
    for p in points.iter_mut() {
        p.x = map(p.x, x0, x1);
        p.y = map(p.y, y0, y1);
    }
}

/// `base` with its hidden layers read from a model spec (dense units and activations,
/// dropout and batch norm flags). The output layer is the spec's last dense layer.
pub(super) fn config_for_model(
    base: &PlaygroundConfig,
    spec: &ModelSpec,
    _task: Task,
) -> Result<PlaygroundConfig> {
    let mut cfg = base.clone();
    let mut hidden: Vec<HiddenLayer> = Vec::new();
    let dense_count = spec
        .layers
        .iter()
        .filter(|l| matches!(l, LayerSpec::Dense { .. }))
        .count();
    if dense_count == 0 {
        return Err(Error::Format("the model has no dense layer".into()));
    }
    let mut seen = 0;
    for layer in &spec.layers {
        match layer {
            LayerSpec::Dense {
                units,
                activation,
                init,
                ..
            } => {
                seen += 1;
                cfg.init = *init;
                if seen < dense_count {
                    let activation = (*activation != base.activation).then_some(*activation);
                    hidden.push(HiddenLayer {
                        units: *units,
                        activation,
                        dropout: 0.0,
                        batch_norm: false,
                    });
                }
            }
            LayerSpec::Dropout { rate } => {
                if let Some(h) = hidden.last_mut() {
                    h.dropout = *rate;
                }
            }
            LayerSpec::BatchNorm { .. } => {
                if let Some(h) = hidden.last_mut() {
                    h.batch_norm = true;
                }
            }
        }
    }
    cfg.hidden = hidden;
    cfg.validate()?;
    Ok(cfg)
}
