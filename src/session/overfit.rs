//! The chart's overfitting note: whether the held-out loss (validation, or test without a
//! validation split) has risen well above its best for a while.

use serde::Serialize;

use super::train::Watched;
use super::Session;
use crate::Monitor;

/// Epochs the held-out loss must have stayed past its best before the page says so: at
/// least this many …
const MIN_EPOCHS_SINCE_BEST: usize = 10;
/// … and at least this share of the run, so a short dip early on does not count.
const MIN_SHARE_SINCE_BEST: f64 = 0.2;
/// How far above its best the loss must be now, relative to the best.
const RISE: f32 = 0.05;

/// The held-out loss has risen: its best, when it was, and where it is now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rising {
    /// `validation` or `test`.
    pub split: Watched,
    pub best_epoch: usize,
    pub best: f32,
    pub now: f32,
    /// Epochs trained since the best one.
    pub epochs_since: usize,
}

impl Session {
    /// `Some` while the held-out loss has been more than 5 % above its best for at least
    /// max(10 epochs, a fifth of the run), read from the history (its thinned entries and
    /// the latest epoch); `None` otherwise or without held-out rows.
    pub fn overfitting(&self) -> Option<Rising> {
        // The split early stopping on the validation loss would watch.
        let split = self.watched_split(Monitor::ValLoss);
        if split == Watched::Training {
            return None;
        }
        let pick = |e: &super::EpochLoss| match split {
            Watched::Validation => e.val,
            _ => e.test,
        };
        let now = pick(&self.latest?);
        let stride = self.history_stride;
        let mut best: Option<(usize, f32)> = None;
        let entries = self
            .history
            .iter()
            .enumerate()
            .map(|(i, e)| ((i + 1) * stride, pick(e)));
        for (epoch, v) in entries.chain(std::iter::once((self.epoch, now))) {
            if v.is_finite() && best.is_none_or(|(_, b)| v < b) {
                best = Some((epoch, v));
            }
        }
        let (best_epoch, best) = best?;
        let epochs_since = self.epoch.saturating_sub(best_epoch);
        let wait = MIN_EPOCHS_SINCE_BEST.max((self.epoch as f64 * MIN_SHARE_SINCE_BEST) as usize);
        (epochs_since >= wait && now > best + RISE * best.abs()).then_some(Rising {
            split,
            best_epoch,
            best,
            now,
            epochs_since,
        })
    }
}
