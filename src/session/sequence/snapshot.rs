//! The Sequences session's snapshot: its config (the task comes back from the seed), the
//! model with its optimiser state, where the shuffled batches stand and the history, in the
//! one envelope of [`crate::session::snapshot`].

use serde::{Deserialize, Serialize};

use super::{SequencePoint, SequenceSession, MAX_SEQUENCE_HISTORY};
use crate::session::snapshot::{broken, deflate_bodies, open, seal, unreadable, SnapshotKind};
use crate::spec::SequenceConfig;
use crate::{Result, Rng, Sequential};

#[derive(Serialize, Deserialize)]
struct SequenceBody {
    config: SequenceConfig,
    /// The model file with its optimiser state.
    model: String,
    order: Vec<usize>,
    cursor: usize,
    /// The batch shuffler's position, as 4 words.
    shuffle: [u64; 4],
    history: Vec<SequencePoint>,
}

impl SequenceSession {
    /// Everything this session is, as one snapshot (see [`crate::session::snapshot`]).
    pub fn snapshot(&self) -> Vec<u8> {
        let body = SequenceBody {
            config: self.config.clone(),
            model: self.model.to_json_with_state(),
            order: self.order.clone(),
            cursor: self.cursor,
            shuffle: self.shuffle_rng.state(),
            history: self.history.clone(),
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        seal(SnapshotKind::Sequences, &text, &[], deflate_bodies())
    }

    /// The session `bytes` describes, going on exactly where it was; refused in words when
    /// broken, newer, of another mode or not of one piece.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Self> {
        let (text, values) = open(bytes, SnapshotKind::Sequences)?;
        if !values.is_empty() {
            return Err(broken("it carries values after its body"));
        }
        let body: SequenceBody = serde_json::from_str(&text).map_err(unreadable)?;
        let bad = |why: &str| Err(broken(why));
        let mut session = Self::new(body.config)?;
        let rows = session.split.train.inputs.rows();
        let permutation = body.order.len() == rows && {
            let mut seen = vec![false; rows];
            body.order
                .iter()
                .all(|&i| i < rows && !std::mem::replace(&mut seen[i], true))
        };
        if !(body.order.is_empty() || permutation) || body.cursor > body.order.len() {
            return bad("its batch order does not fit the task");
        }
        if body.history.len() > MAX_SEQUENCE_HISTORY {
            return bad("its history is longer than the engine keeps");
        }
        let Some(shuffle) = Rng::from_state(body.shuffle) else {
            return bad("its shuffler's state is all zero");
        };
        let mut model = Sequential::from_json(&body.model)?;
        if model.spec() != session.model.spec() {
            return bad("its model does not fit its config");
        }
        model.compile_keeping_state(session.config.compile_spec(&session.split))?;
        session.model = model;
        session.order = body.order;
        session.cursor = body.cursor;
        session.shuffle_rng = shuffle;
        session.history = body.history;
        Ok(session)
    }
}
