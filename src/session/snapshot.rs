//! The one snapshot of a session: a few bytes of envelope (magic, format version, which
//! session type, how the body is stored) around one JSON body with everything the session
//! is (config, data, model with its optimiser state, the run). The same bytes serve a move
//! between builds of the engine, a reload of the page, a restart after a crash and a thread
//! pool's death, so none of them loses the run.
//!
//! ```text
//! bytes 0..4   b"NNPS"
//! byte  4      format version (SNAPSHOT_VERSION)
//! byte  5      session type: b'p' playground (`Session`), b's' Sequences (`SequenceSession`)
//! byte  6      body: 0 = JSON text, 1 = JSON text deflated (raw DEFLATE)
//! byte  7      0 (reserved)
//! bytes 8..    the body (deflated as a whole when byte 6 says so):
//!                u32 LE n, n bytes of JSON text, then f32 LE values to the end
//!                (the replay's maps: megabytes of numbers that JSON would triple)
//! ```

use serde::{Deserialize, Serialize};

use super::RunState;
use crate::{Error, PlaygroundConfig, Result};

/// The snapshot format this engine writes and the newest it reads.
pub const SNAPSHOT_VERSION: u8 = 1;
const MAGIC: &[u8; 4] = b"NNPS";
const HEADER: usize = 8;
const BODY_JSON: u8 = 0;
const BODY_DEFLATED: u8 = 1;
/// The largest body a snapshot deflates (see [`seal`]).
const MAX_DEFLATED_BODY: usize = 4 << 20;
/// The largest body a snapshot may inflate to (a 64 MiB table and its replay fit).
const MAX_BODY: usize = 256 << 20;

/// Which session a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    Playground,
    Sequences,
}

impl SnapshotKind {
    fn byte(self) -> u8 {
        match self {
            SnapshotKind::Playground => b'p',
            SnapshotKind::Sequences => b's',
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        match b {
            b'p' => Some(SnapshotKind::Playground),
            b's' => Some(SnapshotKind::Sequences),
            _ => None,
        }
    }

    /// The mode's name as the page says it.
    pub fn name(self) -> &'static str {
        match self {
            SnapshotKind::Playground => "playground",
            SnapshotKind::Sequences => "sequences",
        }
    }
}

/// The envelope around `body`. `deflate`: store the body deflated (the core build writes it
/// plain, so that it carries no compressor; every build with the readers inflates).
pub(crate) fn seal(kind: SnapshotKind, json: &str, values: &[f32], deflate: bool) -> Vec<u8> {
    let mut body = Vec::with_capacity(4 + json.len() + 4 * values.len());
    body.extend_from_slice(&(json.len() as u32).to_le_bytes());
    body.extend_from_slice(json.as_bytes());
    for v in values {
        body.extend_from_slice(&v.to_le_bytes());
    }
    // A body past this many bytes is stored plain: the tab's storage could never hold it,
    // and deflating tens of megabytes of weights would stall a move or a frame for seconds.
    let deflate = deflate && body.len() <= MAX_DEFLATED_BODY;
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.push(SNAPSHOT_VERSION);
    out.push(kind.byte());
    out.push(if deflate { BODY_DEFLATED } else { BODY_JSON });
    out.push(0);
    if deflate {
        out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&body, 1));
    } else {
        out.extend_from_slice(&body);
    }
    out
}

/// A snapshot that does not hang together, said with `why`.
pub(crate) fn broken(why: &str) -> Error {
    Error::Format(format!("this snapshot is broken ({why})"))
}

const CUT_SHORT: &str = "it ends early: cut short?";

/// Which session `bytes` holds, checking only the envelope: a broken or newer snapshot is
/// refused in words.
pub fn snapshot_kind(bytes: &[u8]) -> Result<SnapshotKind> {
    if bytes.len() < HEADER || &bytes[..4] != MAGIC {
        return Err(broken(
            "it does not start as a snapshot of this engine does",
        ));
    }
    if bytes[4] > SNAPSHOT_VERSION {
        return Err(Error::Format(format!(
            "this snapshot was written by a newer version of the engine (format {}); this one reads formats up to {SNAPSHOT_VERSION}",
            bytes[4]
        )));
    }
    if bytes[4] == 0 {
        return Err(broken("format 0 does not exist"));
    }
    SnapshotKind::from_byte(bytes[5])
        .ok_or_else(|| broken("it names no session type this engine knows"))
}

/// The JSON text and the values of a snapshot of the `expected` kind.
pub(crate) fn open(bytes: &[u8], expected: SnapshotKind) -> Result<(String, Vec<f32>)> {
    let kind = snapshot_kind(bytes)?;
    if kind != expected {
        return Err(Error::Format(format!(
            "this is a snapshot of the {} mode, not of the {} mode",
            kind.name(),
            expected.name()
        )));
    }
    let body = &bytes[HEADER..];
    // A plain body is read in place: a table's snapshot can be tens of megabytes.
    let text: std::borrow::Cow<[u8]> = match bytes[6] {
        BODY_JSON => body.into(),
        BODY_DEFLATED => miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_BODY)
            .map_err(|_| broken("its body does not inflate: cut short?"))?
            .into(),
        other => return Err(broken(&format!("body encoding {other} is unknown"))),
    };
    let n = text
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| broken(CUT_SHORT))?;
    let json = text.get(4..4 + n).ok_or_else(|| broken(CUT_SHORT))?;
    let json = std::str::from_utf8(json)
        .map_err(|_| broken("its body is not text"))?
        .to_owned();
    let tail = &text[4 + n..];
    if !tail.len().is_multiple_of(4) {
        return Err(broken("it ends inside a number: cut short?"));
    }
    let values = tail
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok((json, values))
}

/// A body that does not read: said as a broken snapshot, naming where.
pub(crate) fn unreadable(e: serde_json::Error) -> Error {
    if e.is_eof() {
        broken(CUT_SHORT)
    } else {
        broken(&e.to_string())
    }
}

/// Whether this build stores bodies deflated (every build but the core, which has no
/// compressor).
pub(crate) fn deflate_bodies() -> bool {
    cfg!(feature = "full")
}

/// The playground session's body.
#[derive(Serialize, Deserialize)]
pub(crate) struct PlaygroundBody {
    pub config: PlaygroundConfig,
    /// Points added or uploaded as `x1,x2,label`, or a table as its own columns; none for
    /// generated data, which comes back from the config's seed.
    pub data: Option<SnapshotData>,
    /// The model file with its optimiser state.
    pub model: String,
    pub run: RunState,
}

/// The data of a snapshot that the config's seed does not make again.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SnapshotData {
    /// Points on the plane with their split, exactly as they were.
    Points {
        task: crate::data::Task,
        points: Vec<crate::data::Point>,
        is_test: Vec<bool>,
    },
    /// An uploaded table as its own columns (with a header).
    Table(String),
}

impl super::Session {
    /// Everything this session is, as one snapshot (see the module docs): the config, the
    /// data the seed does not make again, the model with its optimiser state and the run
    /// (epoch, history, stop, early stopping's progress, the replay, an epoch in progress,
    /// the training time, the map's slice).
    pub fn snapshot(&self) -> Vec<u8> {
        let data = if self.config.dataset == crate::DatasetKind::Custom {
            Some(match self.data.table() {
                Some(t) => SnapshotData::Table(t.raw.to_csv()),
                None => SnapshotData::Points {
                    task: self.data.task,
                    points: self.data.points().unwrap_or_default().to_vec(),
                    is_test: self.data.is_test.clone(),
                },
            })
        } else {
            None
        };
        let mut run = self.run_state();
        let grids = std::mem::take(&mut run.replay.grids);
        let body = PlaygroundBody {
            config: self.config.clone(),
            data,
            model: self.export_model_with_state(),
            run,
        };
        // Plain values and strings only: writing them cannot fail.
        let text = serde_json::to_string(&body).unwrap_or_default();
        seal(SnapshotKind::Playground, &text, &grids, deflate_bodies())
    }

    /// The session `bytes` (from [`snapshot`](Self::snapshot)) describes, going on exactly
    /// where it was. A broken snapshot, one from a newer engine, one of another mode or one
    /// whose parts do not hang together is refused in words.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Self> {
        let (text, grids) = open(bytes, SnapshotKind::Playground)?;
        let mut body: PlaygroundBody = serde_json::from_str(&text).map_err(unreadable)?;
        body.run.replay.grids = grids;
        let mut session = Self::new(body.config.clone())?;
        match &body.data {
            None => {}
            Some(SnapshotData::Points {
                task,
                points,
                is_test,
            }) => {
                if points.len() != is_test.len() {
                    return Err(broken("its points and their split differ in count"));
                }
                let data = super::data::SessionData::build(
                    points.clone(),
                    is_test.clone(),
                    *task,
                    &body.config,
                )?;
                let model = super::build_model(&body.config, &data)?;
                session.replace(body.config.clone(), data, model);
            }
            Some(SnapshotData::Table(csv)) => {
                // The table was written with its header, whatever the upload had.
                let table = crate::data::csv::CsvOptions {
                    has_header: Some(true),
                    ..body.config.table.clone()
                };
                session.load_csv(csv, &table)?;
            }
        }
        if body.data.is_some() {
            session.set_config(body.config)?;
        }
        session.import_model(&body.model)?;
        session.set_run_state(body.run)?;
        Ok(session)
    }
}
