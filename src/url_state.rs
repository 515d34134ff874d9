//! The URL hash form of a [`PlaygroundConfig`]: readable `key=value&…` pairs in the style of
//! TensorFlow Playground's links, hide-controls keys, and optional compressed weights.
//!
//! ```
//! use nn_playground::{url_state, PlaygroundConfig};
//! let cfg = PlaygroundConfig::default();
//! let hash = url_state::to_hash(&cfg, &[]);
//! assert!(hash.contains("dataset=circle"));
//! assert_eq!(url_state::from_hash(&hash).unwrap().config, cfg);
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::spec::{
    EarlyStoppingSpec, Feature, HiddenLayer, Init, Monitor, PlaygroundConfig, Schedule,
};
use crate::{Activation, Error, Result};

/// Most characters a hash may have; keeps a hostile link from costing more than a glance.
pub const MAX_HASH_LEN: usize = 64 * 1024;
/// Most bytes a compressed blob may inflate to.
pub const MAX_BLOB_BYTES: usize = 4 * 1024 * 1024;
/// Most hidden layers / units per layer a link may ask for.
pub const MAX_LAYERS: usize = 16;
pub const MAX_UNITS: usize = 256;

/// What a hash decodes to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UrlState {
    pub config: PlaygroundConfig,
    /// Controls the page should hide (e.g. `"noise"`, `"regularization"`).
    pub hide: Vec<String>,
    /// Deflated + base64url model JSON, still encoded (see [`decode_blob`]).
    pub weights: Option<String>,
    /// Keys that were not understood; the page may warn about them.
    pub unknown: Vec<String>,
}

/// Encodes `cfg` (and the controls to hide) as `key=value&…`, without the leading `#`.
///
/// Core keys are always written so an old link keeps its meaning if defaults change;
/// rarely used ones only when they differ from the default.
pub fn to_hash(cfg: &PlaygroundConfig, hide: &[String]) -> String {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_string(), v));
    put("dataset", name_of(&cfg.dataset));
    if cfg.dataset == crate::spec::DatasetKind::KSpiral {
        put("classes", cfg.classes.to_string());
    }
    put("noise", num(cfg.noise));
    put("percTrainData", num(cfg.train_ratio));
    if let Some(n) = cfg.num_samples {
        put("samples", n.to_string());
    }
    put("seed", cfg.seed.to_string());
    put(
        "features",
        cfg.features
            .iter()
            .map(|f| feature_key(*f))
            .collect::<Vec<_>>()
            .join(","),
    );
    put(
        "networkShape",
        cfg.hidden
            .iter()
            .map(|h| h.units.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    put("activation", name_of(&cfg.activation));
    if cfg.hidden.iter().any(|h| h.activation.is_some()) {
        let acts: Vec<String> = cfg
            .hidden
            .iter()
            .map(|h| {
                h.activation
                    .map_or_else(|| "-".to_string(), |a| name_of(&a))
            })
            .collect();
        put("layerActivations", acts.join(","));
    }
    if cfg.hidden.iter().any(|h| h.dropout != 0.0) {
        put(
            "dropout",
            cfg.hidden
                .iter()
                .map(|h| num(h.dropout))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    if cfg.hidden.iter().any(|h| h.batch_norm) {
        let bn: Vec<&str> = cfg
            .hidden
            .iter()
            .map(|h| if h.batch_norm { "1" } else { "0" })
            .collect();
        put("batchNorm", bn.join(","));
    }
    if let Some(a) = cfg.output_activation {
        put("outputActivation", name_of(&a));
    }
    if let Some(l) = cfg.loss {
        put("loss", name_of(&l));
    }
    if cfg.init != Init::Playground {
        put("init", name_of(&cfg.init));
    }
    put("batchSize", cfg.batch_size.to_string());
    put("optimizer", name_of(&cfg.optimizer.kind));
    put("learningRate", num(cfg.optimizer.learning_rate));
    if cfg.optimizer.schedule != Schedule::Constant {
        put("schedule", schedule_key(&cfg.optimizer.schedule));
    }
    put("regularization", name_of(&cfg.regularization.kind));
    put("regularizationRate", num(cfg.regularization.rate));
    if let Some(n) = cfg.epoch_limit {
        put("epochLimit", n.to_string());
    }
    if let Some(es) = cfg.early_stopping {
        put(
            "earlyStopping",
            format!(
                "{}:{}:{}",
                name_of(&es.monitor),
                es.patience,
                num(es.min_delta)
            ),
        );
    }
    put("standardize", cfg.standardize.to_string());
    put("discretize", cfg.discretize.to_string());
    put("showTestData", cfg.show_test.to_string());
    if cfg.backend != crate::spec::BackendChoice::Cpu {
        put("backend", name_of(&cfg.backend));
    }
    if !hide.is_empty() {
        put("hide", hide.join(","));
    }
    out.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Like [`to_hash`], with the model's weights appended as a compressed `weights=` blob.
pub fn to_hash_with_weights(cfg: &PlaygroundConfig, hide: &[String], model_json: &str) -> String {
    format!("{}&weights={}", to_hash(cfg, hide), encode_blob(model_json))
}

/// Parses a hash (with or without the leading `#`). Keys not given keep their defaults.
pub fn from_hash(hash: &str) -> Result<UrlState> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    if hash.len() > MAX_HASH_LEN {
        return Err(Error::Limit(format!(
            "the link's settings are {} characters long; at most {MAX_HASH_LEN} are read",
            hash.len()
        )));
    }
    let mut st = UrlState::default();
    let cfg = &mut st.config;
    // Per-layer lists are applied after networkShape, whatever order the keys came in.
    let (mut acts, mut drops, mut bns) = (None, None, None);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw);
        let v = value.as_str();
        match key {
            "dataset" => cfg.dataset = parse_name(key, v)?,
            "classes" => cfg.classes = parse_num(key, v)?,
            "noise" => cfg.noise = parse_range(key, v, 0.0, 100.0)?,
            "percTrainData" => cfg.train_ratio = parse_range(key, v, 10.0, 90.0)?,
            "samples" => cfg.num_samples = Some(parse_num(key, v)?),
            "seed" => cfg.seed = parse_num(key, v)?,
            "features" => cfg.features = list(v).map(parse_feature).collect::<Result<_>>()?,
            "networkShape" => {
                let units: Vec<usize> =
                    list(v).map(|u| parse_num(key, u)).collect::<Result<_>>()?;
                if units.len() > MAX_LAYERS || units.iter().any(|&u| u == 0 || u > MAX_UNITS) {
                    return Err(bad(
                        key,
                        v,
                        &format!("1 to {MAX_UNITS} units in at most {MAX_LAYERS} layers"),
                    ));
                }
                cfg.hidden = units
                    .into_iter()
                    .map(|units| HiddenLayer {
                        units,
                        ..HiddenLayer::default()
                    })
                    .collect();
            }
            "activation" => cfg.activation = parse_name(key, v)?,
            "layerActivations" => acts = Some(value.clone()),
            "dropout" => drops = Some(value.clone()),
            "batchNorm" => bns = Some(value.clone()),
            "outputActivation" => cfg.output_activation = Some(parse_name(key, v)?),
            "loss" => cfg.loss = Some(parse_name(key, v)?),
            "init" => cfg.init = parse_name(key, v)?,
            "batchSize" => cfg.batch_size = parse_num(key, v)?,
            "optimizer" => cfg.optimizer.kind = parse_name(key, v)?,
            "learningRate" => cfg.optimizer.learning_rate = parse_positive(key, v)?,
            "schedule" => cfg.optimizer.schedule = parse_schedule(v)?,
            "regularization" => cfg.regularization.kind = parse_name(key, v)?,
            "regularizationRate" => cfg.regularization.rate = parse_range(key, v, 0.0, 10.0)?,
            "epochLimit" => cfg.epoch_limit = Some(parse_num(key, v)?),
            "earlyStopping" => cfg.early_stopping = Some(parse_early_stopping(v)?),
            "standardize" => cfg.standardize = parse_bool(key, v)?,
            "discretize" => cfg.discretize = parse_bool(key, v)?,
            "showTestData" => cfg.show_test = parse_bool(key, v)?,
            "backend" => cfg.backend = parse_name(key, v)?,
            "hide" => st.hide = list(v).map(str::to_string).collect(),
            "weights" => st.weights = Some(value.clone()),
            _ => st.unknown.push(key.to_string()),
        }
    }
    let layers = st.config.hidden.len();
    if let Some(a) = acts {
        let items = per_layer("layerActivations", &a, layers)?;
        for (h, s) in st.config.hidden.iter_mut().zip(items) {
            h.activation = if s == "-" {
                None
            } else {
                Some(parse_name::<Activation>("layerActivations", s)?)
            };
        }
    }
    if let Some(d) = drops {
        let items = per_layer("dropout", &d, layers)?;
        for (h, s) in st.config.hidden.iter_mut().zip(items) {
            h.dropout = parse_range("dropout", s, 0.0, 0.95)?;
        }
    }
    if let Some(b) = bns {
        let items = per_layer("batchNorm", &b, layers)?;
        for (h, s) in st.config.hidden.iter_mut().zip(items) {
            h.batch_norm = parse_bool("batchNorm", s)?;
        }
    }
    Ok(st)
}

/// Deflates `text` and encodes it as unpadded base64url, safe in a URL hash.
pub fn encode_blob(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9))
}

/// Reverses [`encode_blob`]; refuses output larger than [`MAX_BLOB_BYTES`].
pub fn decode_blob(blob: &str) -> Result<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(blob.trim_end_matches('='))
        .map_err(|e| Error::Format(format!("the link's weights are not valid base64url: {e}")))?;
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_BLOB_BYTES).map_err(
        |e| {
            Error::Format(format!(
                "the link's weights could not be decompressed: {e:?}"
            ))
        },
    )?;
    String::from_utf8(raw)
        .map_err(|_| Error::Format("the link's weights are not UTF-8 text".into()))
}

/// The short key a feature has in links and in the page (`x1`, `x1sq`, `sinx2` …).
pub fn feature_key(f: Feature) -> &'static str {
    match f {
        Feature::X1 => "x1",
        Feature::X2 => "x2",
        Feature::X1Squared => "x1sq",
        Feature::X2Squared => "x2sq",
        Feature::X1X2 => "x1x2",
        Feature::SinX1 => "sinx1",
        Feature::SinX2 => "sinx2",
        Feature::CosX1 => "cosx1",
        Feature::CosX2 => "cosx2",
    }
}

/// Parses a [`feature_key`] back; also accepts the serde name (`x1_squared`).
pub fn parse_feature(s: &str) -> Result<Feature> {
    const ALL: [Feature; 9] = [
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
    ALL.into_iter()
        .find(|f| feature_key(*f) == s)
        .map_or_else(|| parse_name("features", s), Ok)
}

fn schedule_key(s: &Schedule) -> String {
    match *s {
        Schedule::Constant => "constant".into(),
        Schedule::Step { every, factor } => format!("step:{every}:{}", num(factor)),
        Schedule::Exponential { decay_steps, rate } => {
            format!("exponential:{decay_steps}:{}", num(rate))
        }
        Schedule::Cosine {
            decay_steps,
            min_lr,
        } => format!("cosine:{decay_steps}:{}", num(min_lr)),
    }
}

fn parse_schedule(v: &str) -> Result<Schedule> {
    let parts: Vec<&str> = v.split(':').collect();
    let want = "constant, step:EVERY:FACTOR, exponential:STEPS:RATE or cosine:STEPS:MIN_LR";
    match parts.as_slice() {
        ["constant"] => Ok(Schedule::Constant),
        ["step", a, b] => Ok(Schedule::Step {
            every: pos_int("schedule", a)?,
            factor: parse_positive("schedule", b)?,
        }),
        ["exponential", a, b] => Ok(Schedule::Exponential {
            decay_steps: pos_int("schedule", a)?,
            rate: parse_positive("schedule", b)?,
        }),
        ["cosine", a, b] => Ok(Schedule::Cosine {
            decay_steps: pos_int("schedule", a)?,
            min_lr: parse_range("schedule", b, 0.0, f32::MAX)?,
        }),
        _ => Err(bad("schedule", v, want)),
    }
}

fn parse_early_stopping(v: &str) -> Result<EarlyStoppingSpec> {
    let parts: Vec<&str> = v.split(':').collect();
    let (monitor, patience, min_delta) = match parts.as_slice() {
        [m, p, d] => (*m, *p, *d),
        [m, p] => (*m, *p, "0"),
        _ => {
            return Err(bad(
                "earlyStopping",
                v,
                "MONITOR:PATIENCE[:MIN_DELTA], e.g. val_loss:10:0",
            ))
        }
    };
    Ok(EarlyStoppingSpec {
        monitor: parse_name::<Monitor>("earlyStopping", monitor)?,
        patience: parse_num("earlyStopping", patience)?,
        min_delta: parse_range("earlyStopping", min_delta, 0.0, f32::MAX)?,
        restore_best_weights: true,
    })
}

/// The serde (snake_case) name of a unit enum variant.
fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        // Tagged enums are not written by name; callers only pass unit variants.
        other => format!("{other:?}"),
    }
}

fn parse_name<T: DeserializeOwned>(key: &str, v: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(v.to_string()))
        .map_err(|_| bad(key, v, "a known name"))
}

fn parse_num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
    v.parse().map_err(|_| bad(key, v, "a whole number"))
}

fn pos_int(key: &str, v: &str) -> Result<usize> {
    match parse_num::<usize>(key, v)? {
        0 => Err(bad(key, v, "a whole number above 0")),
        n => Ok(n),
    }
}

fn parse_range(key: &str, v: &str, lo: f32, hi: f32) -> Result<f32> {
    match v.parse::<f32>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(bad(key, v, &format!("a number from {lo} to {hi}"))),
    }
}

fn parse_positive(key: &str, v: &str) -> Result<f32> {
    match v.parse::<f32>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(bad(key, v, "a finite number above 0")),
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(bad(key, v, "true or false")),
    }
}

fn per_layer<'a>(key: &str, v: &'a str, layers: usize) -> Result<Vec<&'a str>> {
    let items: Vec<&str> = list(v).collect();
    if items.len() != layers {
        return Err(bad(
            key,
            v,
            &format!("{layers} comma-separated values, one per hidden layer"),
        ));
    }
    Ok(items)
}

fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Shortest text that parses back to the same `f32`.
fn num(x: f32) -> String {
    format!("{x}")
}

fn bad(key: &str, v: &str, want: &str) -> Error {
    let shown: String = v.chars().take(40).collect();
    Error::InvalidConfig(format!(
        "link setting {key}={shown:?} is not valid: expected {want}"
    ))
}

/// Decodes `%XX` escapes (browsers escape `,` and `:` in some copy paths); bad escapes stay.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
