//! The replay of a run: snapshots of the decision map (with the epoch and both losses) at
//! geometrically spaced epochs, bounded in count and in memory, so the page can scrub back
//! through how the boundary formed however long the run is.

use serde::Serialize;

use super::Session;
use crate::Result;

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayFrame {
    pub epoch: usize,
    pub train: f32,
    pub test: f32,
    pub res: usize,
    pub channels: usize,
    pub grid: Vec<f32>,
}

/// Snapshots at epochs 0, 1, 2, … then each about 5 % past the one before. When
/// [`MAX_REPLAY_FRAMES`] are kept, every second one is dropped (the first stays) and the
/// growth is squared, so what is kept stays geometrically spaced.
#[derive(Debug, Clone)]
pub struct Replay {
    frames: Vec<ReplayFrame>,
    growth: f64,
    next: usize,
}

impl Default for Replay {
    fn default() -> Self {
        Self {
            frames: Vec::new(),
            growth: GROWTH,
            next: 0,
        }
    }
}

impl Replay {
    pub fn frames(&self) -> &[ReplayFrame] {
        &self.frames
    }

    /// True when `epoch` should be kept.
    pub fn due(&self, epoch: usize) -> bool {
        epoch >= self.next
    }

    /// Keeps `frame` (thinning first when full) and sets the next epoch due.
    pub fn push(&mut self, frame: ReplayFrame) {
        if self.frames.len() >= MAX_REPLAY_FRAMES {
            let mut i = 0;
            self.frames.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.growth *= self.growth;
        }
        let e = frame.epoch;
        self.frames.push(frame);
        let grown = (e as f64 * self.growth).ceil();
        self.next = (e + 1).max(if grown.is_finite() && grown < usize::MAX as f64 {
            grown as usize
        } else {
            usize::MAX
        });
    }

    /// Bytes of map data held now (at most [`MAX_REPLAY_BYTES`]).
    pub fn bytes(&self) -> usize {
        self.frames.iter().map(|f| f.grid.len() * 4).sum()
    }
}

/// The snapshot grid's side for `channels` values per cell: as fine as the per-frame
/// budget allows, at most [`MAX_REPLAY_RESOLUTION`], at least one cell.
pub fn replay_resolution(channels: usize) -> usize {
    let per_side = ((REPLAY_FRAME_VALUES / channels.max(1)) as f64).sqrt() as usize;
    per_side.clamp(1, MAX_REPLAY_RESOLUTION)
}

impl Session {
    /// The run's snapshots, oldest first (cleared whenever the model is rebuilt or reset).
    pub fn replay(&self) -> &[ReplayFrame] {
        self.replay.frames()
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
        let channels = self.grid_channels();
        let res = replay_resolution(channels);
        let x = self.grid_inputs_uncached(res)?;
        let out = self.model.predict(&x)?;
        let grid = self.to_display(out);
        self.replay.push(ReplayFrame {
            epoch: self.epoch,
            train,
            test,
            res,
            channels,
            grid,
        });
        Ok(())
    }

    /// The map before the first epoch, so a replay starts from the untrained network.
    pub(super) fn record_replay_start(&mut self) -> Result<()> {
        if self.epoch == 0 && self.partial.is_none() && self.replay.frames().is_empty() {
            let train = self.data.loss(&mut self.model, false);
            let test = self.data.loss(&mut self.model, true);
            self.record_replay(train, test)?;
        }
        Ok(())
    }
}
