//! The one snapshot of a session (`snapshot()` / `from_snapshot(bytes)`): clicked points and
//! a Sequences run come back exactly and go on as they would have, and a broken, cut, newer
//! or other-mode snapshot is refused in words.

use nn_playground::session::sequence::SequenceSession;
use nn_playground::session::{snapshot_kind, Session, SnapshotKind, SNAPSHOT_VERSION};
use nn_playground::{DatasetKind, Error, PlaygroundConfig, SequenceConfig};

fn format_message(e: Error) -> String {
    match e {
        Error::Format(m) => m,
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn clicked_points_and_their_run_come_back() {
    let mut a = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    for i in 0..40 {
        let t = i as f32 / 40.0 * std::f32::consts::TAU;
        a.add_point(3.0 * t.cos(), 3.0 * t.sin(), (i % 2) as f32)
            .unwrap();
    }
    a.train_epochs(7).unwrap();
    let bytes = a.snapshot();
    assert_eq!(snapshot_kind(&bytes).unwrap(), SnapshotKind::Playground);
    let mut b = Session::from_snapshot(&bytes).unwrap();
    assert_eq!(b.points(), a.points());
    assert_eq!(b.epoch(), 7);
    // A split without points has NaN losses, which `==` never matches: compare the text.
    let history = |s: &Session| format!("{:?}", s.history());
    assert_eq!(history(&b), history(&a));
    assert_eq!(b.export_model_with_state(), a.export_model_with_state());
    a.train_epochs(5).unwrap();
    b.train_epochs(5).unwrap();
    assert_eq!(history(&b), history(&a));
    assert_eq!(b.export_model_with_state(), a.export_model_with_state());
}

#[test]
fn a_sequences_run_comes_back_and_goes_on_identically() {
    let mut a = SequenceSession::new(SequenceConfig::default()).unwrap();
    a.train_steps(23).unwrap();
    let bytes = a.snapshot();
    assert_eq!(snapshot_kind(&bytes).unwrap(), SnapshotKind::Sequences);
    let mut b = SequenceSession::from_snapshot(&bytes).unwrap();
    assert_eq!(b.step(), 23);
    assert_eq!(b.history(), a.history());
    let (pa, pb) = (a.train_steps(9).unwrap(), b.train_steps(9).unwrap());
    assert_eq!(pa, pb, "the moved run takes the same batches and updates");
    assert_eq!(
        b.model().to_json_with_state(),
        a.model().to_json_with_state()
    );
}

#[test]
fn broken_cut_newer_and_other_mode_snapshots_are_refused_in_words() {
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    s.train_epochs(2).unwrap();
    let bytes = s.snapshot();

    let cut = format_message(Session::from_snapshot(&bytes[..bytes.len() / 2]).unwrap_err());
    assert!(cut.contains("broken"), "{cut}");

    let mut newer = bytes.clone();
    newer[4] = SNAPSHOT_VERSION + 1;
    let msg = format_message(Session::from_snapshot(&newer).unwrap_err());
    assert!(msg.contains("newer version"), "{msg}");

    let msg = format_message(Session::from_snapshot(b"{\"config\":{}}").unwrap_err());
    assert!(msg.contains("broken"), "{msg}");
    let msg = format_message(Session::from_snapshot(&[]).unwrap_err());
    assert!(msg.contains("broken"), "{msg}");

    let msg = format_message(SequenceSession::from_snapshot(&bytes).err().unwrap());
    assert!(msg.contains("playground mode"), "{msg}");

    let mut garbled = bytes.clone();
    for b in garbled[8..].iter_mut().step_by(7) {
        *b ^= 0x5a;
    }
    assert!(Session::from_snapshot(&garbled).is_err());
}
