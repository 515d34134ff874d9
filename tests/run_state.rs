//! Moving a run into another build of the engine (the page's move into the GPU build): a
//! session read back from its snapshot (config, data, model file and the run's state) goes on
//! exactly as the one it came from — early stopping's best and patience, the replay, an
//! epoch in progress, the training time and a table's slice included — and a state that
//! does not fit is refused, changing nothing.

use nn_playground::data::csv::CsvOptions;
use nn_playground::session::{Axis, RunState, Session};
use nn_playground::spec::{EarlyStoppingSpec, Monitor};
use nn_playground::{DatasetKind, PlaygroundConfig};

/// The page's move: the session's one snapshot, read back as another build reads it.
fn moved(s: &Session, _csv: Option<(&str, &CsvOptions)>) -> Session {
    Session::from_snapshot(&s.snapshot()).unwrap()
}

/// Early stopping that waits, so that the run stops after some epochs of patience.
fn stopping_config() -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Circle,
        early_stopping: Some(EarlyStoppingSpec {
            monitor: Monitor::ValLoss,
            min_delta: 0.001,
            patience: 6,
            restore_best_weights: true,
        }),
        ..PlaygroundConfig::default()
    }
}

fn assert_same_run(a: &mut Session, b: &mut Session) {
    assert_eq!(a.epoch(), b.epoch());
    assert_eq!(a.history(), b.history());
    assert_eq!(a.stop(), b.stop());
    assert_eq!(a.run_state(), b.run_state());
    assert_eq!(a.export_model_with_state(), b.export_model_with_state());
}

#[test]
fn a_moved_run_stops_early_at_the_same_epoch_with_the_same_replay() {
    let mut a = Session::new(stopping_config()).unwrap();
    a.train_epochs(40).unwrap();
    assert!(
        a.stop().is_none(),
        "the run must still be going when it moves"
    );
    let waited = a
        .run_state()
        .early
        .expect("early stopping has started")
        .wait;
    let mut b = moved(&a, None);
    assert_eq!(b.run_state().early.unwrap().wait, waited);
    assert_eq!(b.replay().len(), a.replay().len());
    assert!(a.replay().len() > 5, "the replay has snapshots to carry");
    a.train_epochs(3000).unwrap();
    b.train_epochs(3000).unwrap();
    assert!(a.stop().is_some(), "early stopping ends the run");
    assert_same_run(&mut a, &mut b);
    let frames = |s: &Session| {
        s.replay()
            .iter()
            .map(|f| (f.epoch, f.grid.to_vec()))
            .collect::<Vec<_>>()
    };
    assert_eq!(frames(&a), frames(&b));
}

#[test]
fn a_run_moved_inside_an_epoch_finishes_that_epoch() {
    // Batch 1 over 250 rows: an epoch is trained in chunks, and one chunk leaves it partial.
    let cfg = PlaygroundConfig {
        batch_size: 1,
        ..PlaygroundConfig::default()
    };
    let mut a = Session::new(cfg).unwrap();
    a.train_epochs(2).unwrap();
    let mut clock = 0.0;
    a.train_paced(0.0, 1, &mut || {
        clock += 1.0;
        clock
    })
    .unwrap();
    assert!(
        a.mid_epoch(),
        "one chunk of a 250-step epoch leaves it in progress"
    );
    assert!(a.train_timing().ms > 0.0);
    let mut b = moved(&a, None);
    assert!(b.mid_epoch());
    assert_eq!(b.train_timing(), a.train_timing());
    a.train_epochs(3).unwrap();
    b.train_epochs(3).unwrap();
    assert_same_run(&mut a, &mut b);
}

#[test]
fn a_tables_slice_moves_with_it() {
    let text: String = std::iter::once("a,b,c,label".to_string())
        .chain((0..60).map(|i| {
            let x = i as f32 / 10.0;
            format!("{x},{},{},{}", (x * 1.3).sin(), x * x / 10.0, i % 2)
        }))
        .collect::<Vec<_>>()
        .join("\n");
    let opts = CsvOptions {
        label_column: Some("label".into()),
        ..CsvOptions::default()
    };
    let mut a = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    a.load_csv(&text, &opts).unwrap();
    let info = a.slice_info().unwrap();
    let mut held: Vec<f32> = info.held.iter().map(|h| h.value).collect();
    held[1] = info.held[1].max;
    a.set_slice(Axis::Column(0), Axis::Column(2), &held)
        .unwrap();
    a.train_epochs(4).unwrap();
    let mut b = moved(&a, Some((&text, &opts)));
    let (sa, sb) = (a.slice_info().unwrap(), b.slice_info().unwrap());
    assert_eq!((sb.x, sb.y), (Axis::Column(0), Axis::Column(2)));
    assert_eq!(sa, sb);
    assert_eq!(a.decision_grid(12).unwrap(), b.decision_grid(12).unwrap());
    a.train_epochs(2).unwrap();
    b.train_epochs(2).unwrap();
    assert_same_run(&mut a, &mut b);
}

#[test]
fn a_state_that_does_not_fit_is_refused_and_changes_nothing() {
    let mut a = Session::new(stopping_config()).unwrap();
    a.train_epochs(8).unwrap();
    let good = a.run_state();
    let mut target = Session::new(stopping_config()).unwrap();
    target.import_model(&a.export_model_with_state()).unwrap();
    let before = target.run_state();
    let mut cases: Vec<(&str, RunState)> = Vec::new();
    let mut s = good.clone();
    s.replay.grids.pop();
    cases.push(("a replay map cut short", s));
    let mut s = good.clone();
    s.replay.frames.reverse();
    cases.push(("snapshots out of order", s));
    let mut s = good.clone();
    s.replay.grids[0] = f32::NAN;
    cases.push(("a map value that is not a number", s));
    let mut s = good.clone();
    s.early.as_mut().unwrap().best_params.pop();
    cases.push(("best weights of another model", s));
    let mut s = good.clone();
    s.early.as_mut().unwrap().best = Some(f32::INFINITY);
    cases.push(("an infinite best", s));
    let mut s = good.clone();
    s.slice = Some(nn_playground::session::SliceChoice {
        x: Axis::Column(0),
        y: Axis::Column(1),
        held: vec![],
    });
    cases.push(("a slice through points", s));
    let mut s = good.clone();
    s.timing.ms = f64::NAN;
    cases.push(("a training time that is not a number", s));
    for (what, state) in cases {
        assert!(target.set_run_state(state).is_err(), "{what} was taken");
        assert_eq!(target.run_state(), before, "{what} changed the session");
    }
    // Early stopping's progress with early stopping switched off.
    let mut off = Session::new(PlaygroundConfig {
        early_stopping: None,
        ..stopping_config()
    })
    .unwrap();
    assert!(off.set_run_state(good.clone()).is_err());
    // An epoch in progress over other rows.
    let mut b = Session::new(PlaygroundConfig {
        batch_size: 1,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    let mut clock = 0.0;
    b.train_paced(0.0, 1, &mut || {
        clock += 1.0;
        clock
    })
    .unwrap();
    let mut partial = b.run_state();
    partial.partial.as_mut().unwrap().rows += 1;
    let mut c = Session::new(b.config().clone()).unwrap();
    assert!(c.set_run_state(partial).is_err());
    // And the good state is taken.
    target.set_run_state(good.clone()).unwrap();
    assert_eq!(target.run_state(), good);
}
