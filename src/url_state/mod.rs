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

mod sequence;
mod values;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

pub use sequence::{
    is_sequence_hash, read_sequence_hash, sequence_to_hash, SequenceUrlState,
    DEFAULT_SEQUENCE_SPEED,
};
use values::{
    bad, list, name_of, num, parse_bool, parse_early_stopping, parse_name, parse_num,
    parse_positive, parse_range, parse_schedule, per_layer, percent_decode, percent_encode,
    schedule_key,
};
pub use values::{feature_key, parse_feature, parse_speed, parse_threads, speed_key, threads_key};

use crate::spec::{HiddenLayer, Init, PlaygroundConfig, Schedule};
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
    /// Settings that were given but not valid, and so not used (see [`read_hash`]); at most
    /// [`MAX_REJECTED`] and one count of the rest.
    pub rejected: Vec<Error>,
}

/// Encodes `cfg` (and the controls to hide) as `key=value&…`, without the leading `#`.
///
/// Core keys are always written so an old link keeps its meaning if defaults change;
/// rarely used ones only when they differ from the default.
pub fn to_hash(cfg: &PlaygroundConfig, hide: &[String]) -> String {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_string(), v));
    put("dataset", name_of(&cfg.dataset));
    // Also kept for other datasets when set: the link then still means the same config
    // (and switching to the K-class spiral later keeps the choice).
    if cfg.dataset == crate::spec::DatasetKind::KSpiral
        || cfg.classes != PlaygroundConfig::default().classes
    {
        put("classes", cfg.classes.to_string());
    }
    put("noise", num(cfg.noise));
    put("percTrainData", num(cfg.train_ratio));
    if cfg.validation_ratio != 0.0 {
        put("percValData", num(cfg.validation_ratio));
    }
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
    put("speed", speed_key(cfg.speed));
    if let Some(lang) = cfg.lang {
        put("lang", name_of(&lang));
    }
    if cfg.backend != crate::spec::BackendChoice::Cpu {
        put("backend", name_of(&cfg.backend));
    }
    if cfg.threads.is_some() {
        put("threads", threads_key(cfg.threads));
    }
    table_keys(&cfg.table, &mut put);
    if !hide.is_empty() {
        // Names are escaped: a hostile one must not add keys or change on the way back.
        let names: Vec<String> = hide.iter().map(|h| percent_encode(h)).collect();
        put("hide", names.join(","));
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

/// Parses a hash (with or without the leading `#`), refusing it whole at the first value
/// that is not valid (see [`read_hash`] for the forgiving reading the page uses). Keys not
/// given keep their defaults.
pub fn from_hash(hash: &str) -> Result<UrlState> {
    let st = read_hash(hash)?;
    match st.rejected.first() {
        Some(first) => Err(first.clone()),
        None => Ok(st),
    }
}

/// Most refused settings [`read_hash`] lists one by one; a further one ends the list with
/// a count, so a link of ten thousand bad pairs is one short message.
pub const MAX_REJECTED: usize = 8;

/// Parses a hash, keeping every valid setting and dropping only the bad ones, each listed
/// in [`UrlState::rejected`] with a message naming its key.
///
/// A value is kept when it parses and the config with it still passes
/// [`PlaygroundConfig::validate`]; otherwise the config stays as it was before that key
/// (so `noise=55` among good keys costs only the noise). Only a hash longer than
/// [`MAX_HASH_LEN`] is refused whole.
pub fn read_hash(hash: &str) -> Result<UrlState> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    if hash.len() > MAX_HASH_LEN {
        return Err(Error::Limit(format!(
            "the link's settings are {} characters long; at most {MAX_HASH_LEN} are read",
            hash.len()
        )));
    }
    let mut st = UrlState::default();
    let mut refused = 0usize;
    // Per-layer lists are applied after networkShape, whatever order the keys came in.
    let (mut acts, mut drops, mut bns) = (None, None, None);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw);
        match key {
            "layerActivations" => acts = Some(value),
            "dropout" => drops = Some(value),
            "batchNorm" => bns = Some(value),
            "hide" => st.hide = list(&value).map(str::to_string).collect(),
            "weights" => st.weights = Some(value),
            // Split before decoding: a column name may itself hold a comma.
            "columns" => {
                st.config.table.features = Some(raw.split(',').map(percent_decode).collect())
            }
            _ => {
                let mut cfg = st.config.clone();
                match apply(&mut cfg, key, &value) {
                    None => st.unknown.push(key.to_string()),
                    Some(r) => match r.and_then(|()| still_valid(&cfg, key, &value)) {
                        Ok(()) => st.config = cfg,
                        Err(e) => refuse(&mut st.rejected, &mut refused, e),
                    },
                }
            }
        }
    }
    for (key, list) in [
        ("layerActivations", acts),
        ("dropout", drops),
        ("batchNorm", bns),
    ] {
        let Some(v) = list else { continue };
        let mut cfg = st.config.clone();
        match apply_per_layer(&mut cfg, key, &v).and_then(|()| still_valid(&cfg, key, &v)) {
            Ok(()) => st.config = cfg,
            Err(e) => refuse(&mut st.rejected, &mut refused, e),
        }
    }
    if refused > MAX_REJECTED {
        st.rejected.push(Error::InvalidConfig(format!(
            "{} more link settings were not valid and were not used",
            refused - MAX_REJECTED
        )));
    }
    Ok(st)
}

fn refuse(list: &mut Vec<Error>, count: &mut usize, e: Error) {
    *count += 1;
    if list.len() < MAX_REJECTED {
        list.push(e);
    }
}

/// The config with one more key must still be a config the engine runs.
fn still_valid(cfg: &PlaygroundConfig, key: &str, v: &str) -> Result<()> {
    cfg.validate().map_err(|e| match e {
        Error::InvalidConfig(m) | Error::Limit(m) => bad(key, v, want_of(&m)),
        other => other,
    })
}

/// What a setting must be, from a config message "X must be WANT, got V": the link's notice
/// already names the key and the value, so saying them again would repeat them.
fn want_of(message: &str) -> &str {
    let Some(at) = message.find(" must be ") else {
        return message;
    };
    let want = &message[at + " must be ".len()..];
    want.rfind(", got ").map_or(want, |end| &want[..end])
}

/// Applies one `key=value`; `None` for a key this format does not have.
fn apply(cfg: &mut PlaygroundConfig, key: &str, v: &str) -> Option<Result<()>> {
    let r = (|| -> Result<bool> {
        match key {
            // The Sequences mode has its own keys (see `sequence`); a playground link may name
            // its mode.
            "mode" if v == "playground" => {}
            "dataset" => cfg.dataset = parse_name(key, v)?,
            "classes" => cfg.classes = parse_num(key, v)?,
            "noise" => cfg.noise = parse_range(key, v, 0.0, 100.0)?,
            "percTrainData" => cfg.train_ratio = parse_range(key, v, 10.0, 90.0)?,
            "percValData" => {
                cfg.validation_ratio =
                    parse_range(key, v, 0.0, crate::playground::MAX_VALIDATION_RATIO)?
            }
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
            "speed" => cfg.speed = parse_speed(v)?,
            "lang" => cfg.lang = Some(parse_name(key, v)?),
            "backend" => cfg.backend = parse_name(key, v)?,
            "threads" => cfg.threads = parse_threads(v)?,
            "label" => cfg.table.label_column = Some(v.to_string()),
            "task" => cfg.table.kind = Some(parse_name(key, v)?),
            "missing" => cfg.table.missing = parse_name(key, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    })();
    match r {
        Ok(false) => None,
        Ok(true) => Some(Ok(())),
        Err(e) => Some(Err(e)),
    }
}

/// Applies a per-layer list (`layerActivations`, `dropout`, `batchNorm`) to the layers the
/// config has.
fn apply_per_layer(cfg: &mut PlaygroundConfig, key: &str, v: &str) -> Result<()> {
    let items = per_layer(key, v, cfg.hidden.len())?;
    for (h, s) in cfg.hidden.iter_mut().zip(items) {
        match key {
            "layerActivations" => {
                h.activation = if s == "-" {
                    None
                } else {
                    Some(parse_name::<Activation>(key, s)?)
                }
            }
            "dropout" => h.dropout = parse_range(key, s, 0.0, 0.95)?,
            _ => h.batch_norm = parse_bool(key, s)?,
        }
    }
    Ok(())
}

/// Deflates `text` and encodes it as unpadded base64url, safe in a URL hash.
pub fn encode_blob(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9))
}

/// Reverses [`encode_blob`]; refuses output larger than [`MAX_BLOB_BYTES`].
pub fn decode_blob(blob: &str) -> Result<String> {
    inflate(blob, MAX_BLOB_BYTES, "the link's weights")
}

/// `text` deflated at `level` (1 fast … 9 small) as unpadded base64url: the compact form the
/// page keeps its uploaded data in over a reload.
pub fn pack_text(text: &str, level: u8) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
        text.as_bytes(),
        level.clamp(1, 9),
    ))
}

/// Reverses [`pack_text`] (and [`encode_blob`]); refuses output larger than `max_bytes`.
pub fn unpack_text(blob: &str, max_bytes: usize) -> Result<String> {
    inflate(blob, max_bytes, "the saved data")
}

fn inflate(blob: &str, max_bytes: usize, what: &str) -> Result<String> {
    // The base64 crate's and the inflater's own reasons are left out: English words a page
    // in another language could not say (the messages are codes in `error_detail`).
    let bytes = URL_SAFE_NO_PAD
        .decode(blob.trim_end_matches('='))
        .map_err(|_| Error::Format(format!("{what} are not valid base64url text")))?;
    // Only the status goes into the message: the error also carries the partial output (up
    // to the whole limit), whose debug form would be a message of tens of megabytes.
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, max_bytes).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                Error::Limit(format!("{what} inflate to more than {max_bytes} bytes"))
            }
            _ => Error::Format(format!("{what} could not be decompressed")),
        },
    )?;
    String::from_utf8(raw).map_err(|_| Error::Format(format!("{what} are not UTF-8 text")))
}

/// The table choices of an upload, written only where they differ from the defaults.
fn table_keys(t: &crate::data::csv::CsvOptions, put: &mut impl FnMut(&str, String)) {
    if let Some(label) = &t.label_column {
        put("label", percent_encode(label));
    }
    if let Some(cols) = &t.features {
        let names: Vec<String> = cols.iter().map(|c| percent_encode(c)).collect();
        put("columns", names.join(","));
    }
    if let Some(kind) = &t.kind {
        put("task", name_of(kind));
    }
    if t.missing != crate::data::csv::encoding::MissingPolicy::Drop {
        put("missing", name_of(&t.missing));
    }
}
