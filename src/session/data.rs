//! The session's data: its rows (2-D points or an uploaded table of any width), their
//! train/test split, and the feature / target matrices the model trains on. Every change
//! builds a new value, so a failure leaves the old one.

use std::sync::Arc;

use crate::data::csv::prepare::{prepare, LoadReport, PreparedTable};
use crate::data::csv::table::{read_table, RawTable};
use crate::data::csv::CsvOptions;
use crate::data::features::{feature_matrix, labels};
use crate::data::generators::{default_count, generate};
use crate::data::split::{shuffled_split, validation_rows, Standardizer};
use crate::data::{Point, Task};
use crate::full_only::{full_only, FullOnly};
use crate::spec::{HiddenLayer, LayerSpec, ModelSpec};
use crate::{DatasetKind, Error, Matrix, PlaygroundConfig, Result, Rng, Sequential};

/// Half-width of the square the playground draws: coordinates lie in `[-DOMAIN, DOMAIN]`.
pub const DOMAIN: f32 = 6.0;

/// Largest regression target a two-column upload keeps as points on the plane, whose model
/// learns the target as it is; larger ones train standardised, as a table.
pub const PLANE_TARGET_LIMIT: f32 = 10.0;

/// Where the session's rows come from. Either way they end up as the same train/test
/// matrices; only the way a row becomes model inputs differs.
#[derive(Debug, Clone)]
pub(super) enum Source {
    /// Rows of two coordinates (built-in sets, clicked points, two-column uploads); the
    /// config's features (x₁², sin x₁, …) are computed from them.
    Plane(Vec<Point>),
    /// An uploaded table of any width: its rows encoded by the table's preprocessing.
    Table(TableSource),
}

/// An uploaded table as the session's source, with the feature `full`'s token (see
/// [`crate::full_only`]): without that feature no value of it, and so no `Source::Table`,
/// exists.
#[derive(Debug, Clone)]
pub(super) struct TableSource {
    pub data: Arc<TableData>,
    pub full: FullOnly,
}

impl std::ops::Deref for TableSource {
    type Target = TableData;

    fn deref(&self) -> &TableData {
        &self.data
    }
}

/// An uploaded table with the choices applied.
#[derive(Debug, Clone)]
pub(super) struct TableData {
    pub raw: Arc<RawTable>,
    pub prepared: PreparedTable,
}

#[derive(Debug, Clone)]
pub(super) struct SessionData {
    pub source: Source,
    pub is_test: Vec<bool>,
    /// Rows held out of training to watch for overfitting (never a test row); derived from
    /// the seed and the training rows, so it is not stored anywhere.
    pub is_val: Vec<bool>,
    pub task: Task,
    pub standardizer: Option<Standardizer>,
    pub train_x: Matrix,
    pub train_y: Matrix,
    pub val_x: Matrix,
    pub val_y: Matrix,
    pub test_x: Matrix,
    pub test_y: Matrix,
}

/// The three parts of the rows: what the model trains on, what early stopping watches and
/// what only reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Validation,
    Test,
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

    /// The split's generator for the config's seed: the second stream after the data's.
    fn split_rng(cfg: &PlaygroundConfig) -> Rng {
        let mut rng = Rng::new(cfg.seed);
        let _data_stream = rng.fork();
        rng.fork()
    }

    /// The validation split's generator: the third stream, so adding it changed neither the
    /// data nor the test split of any seed.
    fn validation_rng(cfg: &PlaygroundConfig) -> Rng {
        let mut rng = Rng::new(cfg.seed);
        let _data_stream = rng.fork();
        let _split_stream = rng.fork();
        rng.fork()
    }

    /// The same rows, split (and for a table, prepared) anew with the config's settings.
    pub fn resplit(&self, cfg: &PlaygroundConfig) -> Result<Self> {
        match &self.source {
            Source::Plane(points) => Self::split(points.clone(), self.task, cfg),
            Source::Table(t) => Self::from_raw_table(cfg, t.raw.clone()),
        }
    }

    fn split(points: Vec<Point>, task: Task, cfg: &PlaygroundConfig) -> Result<Self> {
        let mut split_rng = Self::split_rng(cfg);
        let (_, test) = shuffled_split(points.len(), cfg.train_ratio, &mut split_rng);
        let mut is_test = vec![false; points.len()];
        for i in test {
            is_test[i] = true;
        }
        Self::build(points, is_test, task, cfg)
    }

    /// Same rows and split, matrices rebuilt for the config's features and scaling.
    pub fn with_features(&self, cfg: &PlaygroundConfig) -> Result<Self> {
        match &self.source {
            Source::Plane(points) => {
                Self::build(points.clone(), self.is_test.clone(), self.task, cfg)
            }
            Source::Table(t) => Self::from_raw_table(cfg, t.raw.clone()),
        }
    }

    pub(super) fn build(
        points: Vec<Point>,
        is_test: Vec<bool>,
        task: Task,
        cfg: &PlaygroundConfig,
    ) -> Result<Self> {
        let x = feature_matrix(&points, &cfg.features);
        let y = labels(&points);
        Self::assemble(
            Source::Plane(points),
            x,
            y,
            is_test,
            task,
            cfg,
            cfg.standardize,
        )
    }

    /// Splits `x`/`y` by `is_test`, scales (fitting on the training rows when `fit_scaler`)
    /// and encodes the targets for the config's output layer.
    fn assemble(
        source: Source,
        x: Matrix,
        y: Matrix,
        is_test: Vec<bool>,
        task: Task,
        cfg: &PlaygroundConfig,
        fit_scaler: bool,
    ) -> Result<Self> {
        let not_test: Vec<usize> = (0..is_test.len()).filter(|&i| !is_test[i]).collect();
        let test: Vec<usize> = (0..is_test.len()).filter(|&i| is_test[i]).collect();
        // Classes keep their shares in the validation rows, as in the test split.
        let classes: Option<Vec<f32>> =
            (task.classes() > 0).then(|| not_test.iter().map(|&i| y.get(i, 0)).collect());
        let held = validation_rows(
            not_test.len(),
            classes.as_deref(),
            cfg.validation_ratio,
            &mut Self::validation_rng(cfg),
        );
        let mut is_val = vec![false; is_test.len()];
        for k in held {
            is_val[not_test[k]] = true;
        }
        let train: Vec<usize> = not_test.iter().copied().filter(|&i| !is_val[i]).collect();
        let val: Vec<usize> = not_test.iter().copied().filter(|&i| is_val[i]).collect();
        let rows = |m: &Matrix, idx: &[usize]| {
            let mut out = Matrix::zeros(0, m.cols());
            out.gather_rows(m, idx);
            out
        };
        let (mut train_x, mut val_x, mut test_x) =
            (rows(&x, &train), rows(&x, &val), rows(&x, &test));
        let (mut train_t, mut val_t, mut test_t) =
            (rows(&y, &train), rows(&y, &val), rows(&y, &test));
        let standardizer = match &source {
            Source::Table(t) => t.prepared.prep.scaler.clone(),
            Source::Plane(_) if fit_scaler => Some(Standardizer::fit(&train_x)),
            Source::Plane(_) => None,
        };
        if let Some(s) = &standardizer {
            s.apply(&mut train_x)?;
            s.apply(&mut val_x)?;
            s.apply(&mut test_x)?;
        }
        if let Source::Table(t) = &source {
            if let Some(ts) = t.prepared.prep.target {
                for m in [&mut train_t, &mut val_t, &mut test_t] {
                    m.as_mut_slice()
                        .iter_mut()
                        .for_each(|v| *v = (*v - ts.mean) / ts.std);
                }
            }
        }
        let train_y = cfg.encode_targets(&train_t, task);
        let val_y = cfg.encode_targets(&val_t, task);
        let test_y = cfg.encode_targets(&test_t, task);
        Ok(Self {
            source,
            is_test,
            is_val,
            task,
            standardizer,
            train_x,
            train_y,
            val_x,
            val_y,
            test_x,
            test_y,
        })
    }

    pub fn input_dim(&self, cfg: &PlaygroundConfig) -> usize {
        match &self.source {
            Source::Plane(_) => cfg.features.len(),
            Source::Table(t) => t.prepared.prep.input_dim(),
        }
    }

    /// The 2-D points, when the rows are points.
    pub fn points(&self) -> Option<&[Point]> {
        match &self.source {
            Source::Plane(p) => Some(p),
            Source::Table(_) => None,
        }
    }

    /// The uploaded table, when the rows come from one.
    pub fn table(&self) -> Option<&TableSource> {
        match &self.source {
            Source::Plane(_) => None,
            Source::Table(t) => Some(t),
        }
    }

    /// Number of rows (every split).
    pub fn len(&self) -> usize {
        self.is_test.len()
    }

    pub fn train_xy(&self) -> (&Matrix, &Matrix) {
        (&self.train_x, &self.train_y)
    }

    pub fn split_xy(&self, test: bool) -> (&Matrix, &Matrix) {
        self.part(if test { Split::Test } else { Split::Train })
    }

    /// The inputs and targets of one split.
    pub fn part(&self, split: Split) -> (&Matrix, &Matrix) {
        match split {
            Split::Train => (&self.train_x, &self.train_y),
            Split::Validation => (&self.val_x, &self.val_y),
            Split::Test => (&self.test_x, &self.test_y),
        }
    }

    /// Which split row `i` (over every row) is in.
    pub fn split_of(&self, i: usize) -> Split {
        if self.is_test[i] {
            Split::Test
        } else if self.is_val[i] {
            Split::Validation
        } else {
            Split::Train
        }
    }

    /// Mean loss of `model` on the training or test split (see [`loss_on`](Self::loss_on)).
    pub fn loss(&self, model: &mut Sequential, test: bool) -> f32 {
        self.loss_on(model, if test { Split::Test } else { Split::Train })
    }

    /// Mean loss of `model` on one split; NaN when the split is empty or evaluation fails.
    pub fn loss_on(&self, model: &mut Sequential, split: Split) -> f32 {
        let (x, y) = self.part(split);
        if x.rows() == 0 {
            return f32::NAN;
        }
        model.evaluate(x, y).map_or(f32::NAN, |e| e.loss)
    }

    /// Features of arbitrary 2-D points, scaled like the training data.
    pub fn inputs_for(&self, pts: &[Point], cfg: &PlaygroundConfig) -> Result<Matrix> {
        if self.table().is_some() {
            return Err(Error::InvalidData(
                "this data is a table of many columns; points of two coordinates do not apply"
                    .into(),
            ));
        }
        let mut x = feature_matrix(pts, &cfg.features);
        if let Some(s) = &self.standardizer {
            s.apply(&mut x)?;
        }
        Ok(x)
    }

    fn plane_or_refuse(&self, what: &str) -> Result<&[Point]> {
        self.points().ok_or_else(|| {
            Error::InvalidData(format!(
                "{what} works on 2-D data; this table has {} input columns (load a two-column table or pick a dataset)",
                self.table().map_or(0, |t| t.prepared.prep.input_dim())
            ))
        })
    }

    /// This data with one more training point.
    pub fn with_point(&self, cfg: &PlaygroundConfig, p: Point) -> Result<Self> {
        let current = self.plane_or_refuse("adding points by clicking")?;
        if !(p.x.is_finite() && p.y.is_finite() && p.label.is_finite()) {
            return Err(Error::InvalidData(
                "a point needs finite coordinates and label".into(),
            ));
        }
        if current.len() >= crate::data::generators::MAX_POINTS {
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
        let mut points = current.to_vec();
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
        let current = self.plane_or_refuse("removing points by clicking")?;
        if !(x.is_finite() && y.is_finite() && r.is_finite() && r >= 0.0) {
            return Err(Error::InvalidData(
                "removal needs a finite position and radius".into(),
            ));
        }
        let keep: Vec<bool> = current
            .iter()
            .map(|p| (p.x - x).hypot(p.y - y) > r)
            .collect();
        let removed = keep.iter().filter(|k| !**k).count();
        let points = current
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

    /// Data from an uploaded table and the config's table choices; updates `cfg` to a custom
    /// dataset of the file's task. Two numeric feature columns become points on the
    /// playground's square (so features and clicks work as for a built-in set); any other
    /// choice trains on the table's encoded columns.
    pub fn from_csv(
        cfg: &mut PlaygroundConfig,
        text: &str,
        options: &CsvOptions,
    ) -> Result<(Self, LoadReport)> {
        let raw = Arc::new(read_table(text, options.has_header)?);
        cfg.dataset = DatasetKind::Custom;
        cfg.table = options.clone();
        cfg.table.has_header = Some(raw.has_header);
        let mut probe = Self::split_rng(cfg);
        let prepared = prepare(&raw, &cfg.table, cfg.train_ratio, true, &mut probe)?;
        // A regression target the plane would train on as it is (the toy's labels lie in
        // [-1, 1]) only when it is of that scale: a larger one (1e18, say) takes the table's
        // path, whose loss is in standardised units, instead of a loss of 1e36 that
        // overflows into "diverged".
        let small_target = prepared.prep.task != Task::Regression
            || prepared.y.iter().all(|v| v.abs() <= PLANE_TARGET_LIMIT);
        let plane = prepared.prep.columns.len() == 2
            && prepared.prep.input_dim() == 2
            && prepared.report.filled_cells == 0
            && small_target;
        if let Task::MultiClass(k) = prepared.prep.task {
            cfg.classes = k;
        }
        if plane {
            let mut points: Vec<Point> = (0..prepared.x.rows())
                .map(|r| Point {
                    x: prepared.x.get(r, 0),
                    y: prepared.x.get(r, 1),
                    label: prepared.y[r],
                })
                .collect();
            scale_into_domain(&mut points);
            cfg.validate()?;
            let report = prepared.report;
            return Ok((Self::split(points, prepared.prep.task, cfg)?, report));
        }
        // Wide tables train on standardised inputs unless the user turns it off later.
        cfg.standardize = true;
        cfg.validate()?;
        let report = prepared.report.clone();
        Ok((Self::from_prepared(cfg, raw, prepared)?, report))
    }

    /// The table path: `raw` prepared with the config's choices, seed and ratio.
    fn from_raw_table(cfg: &PlaygroundConfig, raw: Arc<RawTable>) -> Result<Self> {
        let mut split_rng = Self::split_rng(cfg);
        let prepared = prepare(
            &raw,
            &cfg.table,
            cfg.train_ratio,
            cfg.standardize,
            &mut split_rng,
        )?;
        Self::from_prepared(cfg, raw, prepared)
    }

    fn from_prepared(
        cfg: &PlaygroundConfig,
        raw: Arc<RawTable>,
        prepared: PreparedTable,
    ) -> Result<Self> {
        let task = prepared.prep.task;
        let x = prepared.x.clone();
        let y = Matrix::from_vec(prepared.y.len(), 1, prepared.y.clone())?;
        let is_test = prepared.is_test.clone();
        let source = Source::Table(TableSource {
            data: Arc::new(TableData { raw, prepared }),
            full: full_only("an uploaded table")?,
        });
        Self::assemble(source, x, y, is_test, task, cfg, false)
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
            other => {
                return Err(Error::Format(format!(
                    "the model has a {} layer, which reads token sequences; the 2-D playground holds dense models only",
                    other.name()
                )))
            }
        }
    }
    cfg.hidden = hidden;
    cfg.validate()?;
    Ok(cfg)
}
