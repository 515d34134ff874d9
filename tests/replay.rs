//! The replay's snapshots (geometric spacing, count and memory bounds, cleared with the
//! model) and paced training (`train_paced` stops at its epoch count, also mid-epoch).

use nn_playground::session::{
    replay_resolution, Session, MAX_REPLAY_BYTES, MAX_REPLAY_FRAMES, MAX_REPLAY_RESOLUTION,
    REPLAY_FRAME_VALUES,
};
use nn_playground::*;

fn session(cfg: PlaygroundConfig) -> Session {
    Session::new(cfg).unwrap()
}

#[test]
fn snapshots_start_untrained_and_thin_out_geometrically() {
    let mut s = session(PlaygroundConfig::default());
    assert!(s.replay().is_empty());
    s.train_epochs(30).unwrap();
    let epochs: Vec<usize> = s.replay().iter().map(|f| f.epoch).collect();
    // Every early epoch (the untrained map first), then about 5 % apart.
    assert_eq!(&epochs[..21], &(0..=20).collect::<Vec<_>>()[..]);
    assert_eq!(&epochs[21..], &[21, 23, 25, 27, 29]);
    let first = s.replay().get(0).unwrap();
    let last = s.replay().get(s.replay().len() - 1).unwrap();
    assert_eq!((first.res, first.channels), (MAX_REPLAY_RESOLUTION, 1));
    assert_eq!(first.grid.len(), first.res * first.res);
    assert_ne!(first.grid, last.grid, "the map moved while training");
    // A snapshot's losses are that epoch's (history entry i is epoch i + 1).
    let at = s.replay().iter().find(|f| f.epoch == 29).unwrap();
    assert_eq!(
        (at.train, at.test),
        (s.history()[28].train, s.history()[28].test)
    );
    // And its map is the one the session draws: the next one is at epoch 31.
    s.train_epochs(1).unwrap();
    assert!(s.replay().iter().all(|f| f.epoch != 30));
    let grid = s.decision_grid(MAX_REPLAY_RESOLUTION).unwrap();
    let newest = s.replay().get(s.replay().len() - 1).unwrap();
    assert_eq!(newest.epoch, 31);
    assert_eq!(newest.grid, &grid[..]);
}

#[test]
fn an_edited_weight_is_the_replays_newest_map() {
    let mut s = session(PlaygroundConfig::default());
    // Nothing trained, nothing replayed: the first epoch takes the map it starts from.
    s.set_weight(0, 0, 0, 0.5).unwrap();
    assert!(s.replay().is_empty());
    s.train_epochs(30).unwrap();
    let n = s.replay().len();
    assert_eq!(s.replay().get(n - 1).unwrap().epoch, 29);
    let before = s.decision_grid(MAX_REPLAY_RESOLUTION).unwrap();
    // An edit at epoch 30 (no snapshot of its own) adds one of the map as edited.
    s.set_weight(0, 0, 0, 4.0).unwrap();
    let edited = s.decision_grid(MAX_REPLAY_RESOLUTION).unwrap();
    assert_ne!(edited, before, "the edit moved the map");
    assert_eq!(s.replay().len(), n + 1);
    let newest = s.replay().get(n).unwrap();
    assert_eq!(newest.epoch, 30);
    assert_eq!(newest.grid, &edited[..]);
    // A second edit in the same epoch replaces that snapshot, losses included.
    s.set_bias(0, 0, -3.0).unwrap();
    let again = s.decision_grid(MAX_REPLAY_RESOLUTION).unwrap();
    assert_ne!(again, edited);
    assert_eq!(s.replay().len(), n + 1);
    let newest = s.replay().get(n).unwrap();
    assert_eq!(newest.grid, &again[..]);
    assert_ne!(newest.train, s.replay().get(n - 1).unwrap().train);
    // A refused edit leaves the replay alone.
    assert!(s.set_weight(0, 99, 0, 1.0).is_err());
    assert_eq!(s.replay().get(n).unwrap().grid, &again[..]);
}

#[test]
fn a_long_run_keeps_at_most_the_cap_and_stays_spread() {
    let cfg = PlaygroundConfig {
        hidden: vec![HiddenLayer {
            units: 2,
            ..HiddenLayer::default()
        }],
        num_samples: Some(20),
        batch_size: 20,
        ..PlaygroundConfig::default()
    };
    let mut s = session(cfg);
    let mut most = 0;
    for _ in 0..40 {
        s.train_epochs(5_000).unwrap();
        most = most.max(s.replay().len());
    }
    assert!(most <= MAX_REPLAY_FRAMES, "{most} snapshots");
    let epochs: Vec<usize> = s.replay().iter().map(|f| f.epoch).collect();
    assert_eq!(epochs[0], 0, "the untrained map stays");
    assert!(epochs.windows(2).all(|w| w[0] < w[1]));
    // Spread over the whole run: something from the last third of 200 000 epochs, and
    // still the first few epochs.
    assert!(*epochs.last().unwrap() > 130_000, "{epochs:?}");
    assert!(
        epochs.iter().filter(|&&e| e <= 20).count() >= 5,
        "{epochs:?}"
    );
    assert!(s.replay_bytes() <= MAX_REPLAY_BYTES);
}

#[test]
fn many_classes_get_coarser_snapshots_within_the_same_budget() {
    for channels in [1, 3, 8, 256, 100_000] {
        let res = replay_resolution(channels);
        assert!((1..=MAX_REPLAY_RESOLUTION).contains(&res));
        assert!(
            res * res * channels <= REPLAY_FRAME_VALUES.max(channels),
            "{channels}"
        );
    }
    let mut s = session(PlaygroundConfig {
        dataset: DatasetKind::KSpiral,
        classes: 5,
        ..PlaygroundConfig::default()
    });
    s.train_epochs(2).unwrap();
    let f = s.replay().get(1).unwrap();
    assert_eq!(f.channels, 5);
    assert_eq!(f.grid.len(), f.res * f.res * 5);
    assert!(f.grid.len() <= REPLAY_FRAME_VALUES);
}

#[test]
fn rebuilding_or_resetting_clears_the_replay_and_the_pace_keeps_it() {
    let mut s = session(PlaygroundConfig::default());
    s.train_epochs(5).unwrap();
    assert_eq!(s.replay().len(), 6);
    let cfg = PlaygroundConfig {
        speed: Some(5),
        ..s.config().clone()
    };
    s.set_config(cfg).unwrap();
    assert_eq!(s.replay().len(), 6, "a pace change keeps the run");
    s.reset().unwrap();
    assert!(s.replay().is_empty());
    s.train_epochs(2).unwrap();
    let cfg = PlaygroundConfig {
        hidden: vec![HiddenLayer::default()],
        ..s.config().clone()
    };
    s.set_config(cfg).unwrap();
    assert!(s.replay().is_empty());
}

#[test]
fn paced_training_stops_at_its_epoch_count() {
    let mut s = session(PlaygroundConfig::default());
    let mut now = || 0.0;
    s.train_paced(1e9, 3, &mut now).unwrap();
    assert_eq!(s.epoch(), 3);
    assert_eq!(s.train_paced(1e9, 0, &mut now).unwrap(), 0);
    assert_eq!(s.epoch(), 3);
}

#[test]
fn a_pace_below_one_epoch_per_slice_trains_large_epochs_in_chunks() {
    // 4 000 training rows at batch 1: an epoch of 4 000 steps, trained in 64-step chunks.
    let mut s = session(PlaygroundConfig {
        num_samples: Some(8_000),
        batch_size: 1,
        ..PlaygroundConfig::default()
    });
    // A clock that moves 1 ms per reading: a 5 ms slice stops inside the first epoch.
    let mut t = 0.0;
    let mut clock = move || {
        t += 1.0;
        t
    };
    let steps = s.train_paced(5.0, 1, &mut clock).unwrap();
    assert!(steps > 0 && steps < s.steps_per_epoch());
    assert!(s.mid_epoch() && s.epoch() == 0);
    while s.mid_epoch() || s.epoch() == 0 {
        s.train_paced(5.0, 1, &mut clock).unwrap();
    }
    assert_eq!(
        s.epoch(),
        1,
        "the epoch finished and the count held the next back"
    );
    assert!(!s.mid_epoch());
}
