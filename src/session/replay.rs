//! The replay of a run: snapshots of the decision map (with the epoch and both losses) at
//! geometrically spaced epochs, bounded in count and in memory, so the page can scrub back
//! through how the boundary formed however long the run is.

use serde::{Deserialize, Serialize};

use super::Session;
use crate::{Error, Result};

/// Most snapshots kept; when full every second one goes (see [`Replay`]).
pub const MAX_REPLAY_FRAMES: usize = 200;
/// Most grid values (cells × channels) one snapshot holds: 32 KiB of `f32`, so a replay
/// holds at most [`MAX_REPLAY_BYTES`] of maps whatever the number of classes.
pub const REPLAY_FRAME_VALUES: usize = 8 * 1024;
/// Finest snapshot grid: 64 × 64 cells (a binary map; more classes get fewer cells).
pub const MAX_REPLAY_RESOLUTION: usize = 64;
/// The memory cap of a replay's maps: [`MAX_REPLAY_FRAMES`] × [`REPLAY_FRAME_VALUES`] `f32`s.
pub const MAX_REPLAY_BYTES: usize = MAX_REPLAY_FRAMES * REPLAY_FRAME_VALUES * 4;
/// Growth of the epoch between snapshots at first (5 % later, at least one epoch): every
/// early epoch, where the map changes most, then ever sparser.
const GROWTH: f64 = 1.05;

/// One snapshot: the map as [`Session::decision_grid`] draws it, at `res × res` cells of
/// `channels` values each.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReplayFrame<'a> {
    pub epoch: usize,
    pub train: f32,
    pub test: f32,
    pub res: usize,
    pub channels: usize,
    pub grid: &'a [f32],
}

/// A snapshot's epoch and losses (its map is in the replay's buffer).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReplayMeta {
    pub epoch: usize,
    #[serde(deserialize_with = "super::nan_for_null")]
    pub train: f32,
    #[serde(deserialize_with = "super::nan_for_null")]
    pub test: f32,
}

/// A [`Replay`] as plain data, to carry it into another build of the engine: the snapshots'
/// epochs and losses, their maps one after the other (`res² · channels` values each), and
/// when the next one is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayState {
    pub frames: Vec<ReplayMeta>,
    pub res: usize,
    pub channels: usize,
    pub growth: f64,
    pub next: usize,
    pub grids: Vec<f32>,
}

impl Default for ReplayState {
    fn default() -> Self {
        Replay::default().to_state()
    }
}

/// Snapshots at epochs 0, 1, 2, … then each about 5 % past the one before. When
/// [`MAX_REPLAY_FRAMES`] are kept, every second one is dropped (the first stays) and the
/// growth is squared, so what is kept stays geometrically spaced.
///
/// The maps live in one buffer sized for every snapshot at the first one: a long run's
/// memory stays flat from then on, however many snapshots come and go.
#[derive(Debug, Clone)]
pub struct Replay {
    meta: Vec<ReplayMeta>,
    grids: Vec<f32>,
    res: usize,
    channels: usize,
    growth: f64,
    next: usize,
}

impl Default for Replay {
    fn default() -> Self {
        Self {
            meta: Vec::new(),
            grids: Vec::new(),
            res: 0,
            channels: 0,
            growth: GROWTH,
            next: 0,
        }
    }
}

impl Replay {
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    fn per_frame(&self) -> usize {
        self.res * self.res * self.channels
    }

    /// Snapshot `i`, oldest first.
    pub fn get(&self, i: usize) -> Option<ReplayFrame<'_>> {
        let m = self.meta.get(i)?;
        let n = self.per_frame();
        Some(ReplayFrame {
            epoch: m.epoch,
            train: m.train,
            test: m.test,
            res: self.res,
            channels: self.channels,
            grid: &self.grids[i * n..(i + 1) * n],
        })
    }

    /// Every snapshot, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = ReplayFrame<'_>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// True when `epoch` should be kept.
    pub fn due(&self, epoch: usize) -> bool {
        epoch >= self.next
    }

    /// Keeps a snapshot (thinning first when full) and sets the next epoch due. Every
    /// snapshot of one replay has the first one's `res` and `channels` (one model's map).
    fn push(
        &mut self,
        epoch: usize,
        train: f32,
        test: f32,
        res: usize,
        channels: usize,
        grid: &[f32],
    ) {
        if self.meta.is_empty() {
            self.res = res;
            self.channels = channels;
            let n = self.per_frame();
            self.grids = Vec::with_capacity(MAX_REPLAY_FRAMES * n);
            self.meta = Vec::with_capacity(MAX_REPLAY_FRAMES);
        }
        let n = self.per_frame();
        if grid.len() != n {
            return;
        }
        if self.meta.len() >= MAX_REPLAY_FRAMES {
            // Keep snapshots 0, 2, 4, …, moved down in place.
            let kept = self.meta.len().div_ceil(2);
            for k in 0..kept {
                self.meta[k] = self.meta[2 * k];
                self.grids.copy_within(2 * k * n..(2 * k + 1) * n, k * n);
            }
            self.meta.truncate(kept);
            self.grids.truncate(kept * n);
            self.growth *= self.growth;
        }
        self.meta.push(ReplayMeta { epoch, train, test });
        self.grids.extend_from_slice(grid);
        let grown = (epoch as f64 * self.growth).ceil();
        self.next = (epoch + 1).max(if grown.is_finite() && grown < usize::MAX as f64 {
            grown as usize
        } else {
            usize::MAX
        });
    }

    /// Puts `grid` and the losses in place of the newest snapshot when it is of `epoch`;
    /// false (nothing changed) otherwise.
    fn replace_newest(&mut self, epoch: usize, train: f32, test: f32, grid: &[f32]) -> bool {
        let n = self.per_frame();
        let Some(last) = self.meta.last_mut() else {
            return false;
        };
        if last.epoch != epoch || grid.len() != n {
            return false;
        }
        *last = ReplayMeta { epoch, train, test };
        let at = self.grids.len() - n;
        self.grids[at..].copy_from_slice(grid);
        true
    }

    /// This replay as plain data (see [`ReplayState`]).
    pub fn to_state(&self) -> ReplayState {
        ReplayState {
            frames: self.meta.clone(),
            res: self.res,
            channels: self.channels,
            growth: self.growth,
            next: self.next,
            grids: self.grids.clone(),
        }
    }

    /// The replay `state` describes, for a map of `channels` values per cell; refused when it
    /// does not hang together (more than [`MAX_REPLAY_FRAMES`] snapshots, maps of another
    /// size than [`replay_resolution`] gives, a buffer of the wrong length, a non-finite
    /// value, epochs out of order or past `epoch`, a spacing below 1).
    pub fn from_state(state: ReplayState, channels: usize, epoch: usize) -> Result<Replay> {
        let bad = |why: &str| Err(Error::Format(format!("the replay {why}")));
        if state.frames.is_empty() {
            return Ok(Replay::default());
        }
        if state.frames.len() > MAX_REPLAY_FRAMES {
            return bad(&format!("has more than {MAX_REPLAY_FRAMES} snapshots"));
        }
        let res = replay_resolution(channels);
        if state.res != res || state.channels != channels {
            return bad("is of another model's map");
        }
        if state.grids.len() != state.frames.len() * res * res * channels {
            return bad("has maps of the wrong size");
        }
        if !(state.growth.is_finite() && state.growth >= 1.0) {
            return bad("has a snapshot spacing below 1");
        }
        // (Losses may be NaN: a split without points has none.)
        if state.grids.iter().any(|v| !v.is_finite()) {
            return bad("has a map value that is not a finite number");
        }
        let ordered = state.frames.windows(2).all(|w| w[0].epoch < w[1].epoch);
        if !ordered || state.frames.last().is_some_and(|m| m.epoch > epoch) {
            return bad("has snapshots out of order or past the run's epoch");
        }
        let mut grids = Vec::with_capacity(MAX_REPLAY_FRAMES * res * res * channels);
        grids.extend_from_slice(&state.grids);
        Ok(Replay {
            meta: state.frames,
            grids,
            res,
            channels,
            growth: state.growth,
            next: state.next,
        })
    }

    /// Bytes of map data held now (at most [`MAX_REPLAY_BYTES`]; the buffer is reserved
    /// for all of them at the first snapshot).
    pub fn bytes(&self) -> usize {
        self.grids.len() * 4
    }
}

/// The snapshot grid's side for `channels` values per cell: as fine as the per-frame
/// budget allows, at most [`MAX_REPLAY_RESOLUTION`], at least one cell.
pub fn replay_resolution(channels: usize) -> usize {
    let per_side = ((REPLAY_FRAME_VALUES / channels.max(1)) as f64).sqrt() as usize;
    per_side.clamp(1, MAX_REPLAY_RESOLUTION)
}

impl Session {
    /// The run's snapshots (cleared whenever the model is rebuilt or reset).
    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    /// Bytes of map data the replay holds (see [`MAX_REPLAY_BYTES`]).
    pub fn replay_bytes(&self) -> usize {
        self.replay.bytes()
    }

    /// Keeps a snapshot of the map now when the epoch is due. The grid's inputs are built
    /// afresh: the page's own grid (another resolution) keeps its cache.
    pub(super) fn record_replay(&mut self, train: f32, test: f32) -> Result<()> {
        if !self.replay.due(self.epoch) {
            return Ok(());
        }
        let (res, channels, grid) = self.replay_map()?;
        self.replay
            .push(self.epoch, train, test, res, channels, &grid);
        Ok(())
    }

    /// The map at the replay's resolution: `(res, channels, grid)`.
    fn replay_map(&mut self) -> Result<(usize, usize, Vec<f32>)> {
        let channels = self.grid_channels();
        let res = replay_resolution(channels);
        let x = self.grid_inputs_uncached(res)?;
        let out = self.model.predict(&x)?;
        Ok((res, channels, self.to_display(out)))
    }

    /// After a weight or bias was edited in place: the replay's newest snapshot is the map
    /// as it is now, so the replay ends on what the page shows. A snapshot of this epoch is
    /// replaced (its losses too); otherwise one is added. An empty replay stays empty: the
    /// first epoch trained takes the map it starts from.
    pub(super) fn record_replay_edit(&mut self) -> Result<()> {
        if self.replay.is_empty() {
            return Ok(());
        }
        let train = self.data.loss(&mut self.model, false);
        let test = self.data.loss(&mut self.model, true);
        let (res, channels, grid) = self.replay_map()?;
        if !self.replay.replace_newest(self.epoch, train, test, &grid) {
            self.replay
                .push(self.epoch, train, test, res, channels, &grid);
        }
        Ok(())
    }

    /// The map before the first epoch, so a replay starts from the untrained network.
    pub(super) fn record_replay_start(&mut self) -> Result<()> {
        if self.epoch == 0 && self.partial.is_none() && self.replay.is_empty() {
            let train = self.data.loss(&mut self.model, false);
            let test = self.data.loss(&mut self.model, true);
            self.record_replay(train, test)?;
        }
        Ok(())
    }
}
