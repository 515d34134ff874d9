//! The page's runtime calls: what this build can do, and the one snapshot every session
//! type writes (in every build) and reads back (in every build with `restore`), for a move
//! between builds, a reload and a restart after a crash alike.

use wasm_bindgen::prelude::*;

use super::{js_err, WebSession};
use crate::session::snapshot_kind;

/// What this build can do (see [`crate::capabilities::capabilities`]).
#[wasm_bindgen]
pub fn capabilities() -> Vec<String> {
    crate::capabilities::capabilities()
        .into_iter()
        .map(String::from)
        .collect()
}

/// Which mode a snapshot holds (`"playground"` or `"sequences"`), checking its envelope only;
/// a broken or newer snapshot is refused in words. Every build has it, so the core build can
/// say what a snapshot needs before the page moves anywhere.
#[wasm_bindgen(js_name = snapshotMode)]
pub fn snapshot_mode(bytes: &[u8]) -> Result<String, JsError> {
    snapshot_kind(bytes)
        .map(|k| k.name().to_string())
        .map_err(js_err)
}

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Everything the session is, as bytes (`Session.fromSnapshot` reads them back): the
    /// config, the data, the model with its optimiser state and the whole run.
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
    }

    /// The session a snapshot describes, going on where it was (on the CPU: the backend
    /// choice is opened again by `followBackend`). Refused in words when broken, cut short,
    /// newer or of another mode.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(bytes: &[u8]) -> Result<WebSession, JsError> {
        Ok(WebSession::wrap(
            crate::session::Session::from_snapshot(bytes).map_err(js_err)?,
        ))
    }
}

#[cfg(feature = "sequences")]
use super::WebSequenceSession;

#[cfg(feature = "sequences")]
#[wasm_bindgen(js_class = SequenceSession)]
impl WebSequenceSession {
    /// Everything the session is, as bytes (`SequenceSession.fromSnapshot` reads them back).
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
    }

    /// The session a snapshot describes, going on where it was; refused in words when
    /// broken, cut short, newer or of another mode.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(bytes: &[u8]) -> Result<WebSequenceSession, JsError> {
        Ok(WebSequenceSession::wrap(
            crate::session::sequence::SequenceSession::from_snapshot(bytes).map_err(js_err)?,
        ))
    }
}
