//! The learning-rate schedule's hand-written reader: every variant back from what the engine
//! writes, the defaults, and the messages an unknown type, a missing or a mistyped field get.

use nn_playground::input::from_json;
use nn_playground::{OptimizerSpec, Schedule};

fn read(json: &str) -> Result<Schedule, String> {
    from_json::<Schedule>(json).map_err(|e| e.message())
}

#[test]
fn every_schedule_reads_back_what_is_written() {
    for s in [
        Schedule::Constant,
        Schedule::Step {
            every: 7,
            factor: 0.5,
        },
        Schedule::Exponential {
            decay_steps: 100,
            rate: 0.25,
        },
        Schedule::Cosine {
            decay_steps: 30,
            min_lr: 1e-4,
        },
    ] {
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(read(&text).unwrap(), s, "{text}");
    }
}

#[test]
fn defaults_order_and_unknown_fields_are_as_with_the_derive() {
    assert_eq!(
        read(r#"{"decay_steps": 9, "type": "cosine", "note": "ignored"}"#).unwrap(),
        Schedule::Cosine {
            decay_steps: 9,
            min_lr: 0.0
        }
    );
    let opt: OptimizerSpec =
        from_json(r#"{"schedule": {"type": "step", "every": 3, "factor": 0.1}}"#).unwrap();
    assert_eq!(
        opt.schedule,
        Schedule::Step {
            every: 3,
            factor: 0.1
        }
    );
}

#[test]
fn bad_schedules_are_named_in_serdes_words() {
    let unknown = read(r#"{"type": "linear"}"#).unwrap_err();
    assert!(
        unknown.contains(
            "unknown variant `linear`, expected one of `constant`, `step`, `exponential`, `cosine`"
        ),
        "{unknown}"
    );
    let missing = read(r#"{"type": "step", "every": 3}"#).unwrap_err();
    assert!(missing.contains("missing field `factor`"), "{missing}");
    let no_type = read(r#"{"every": 3}"#).unwrap_err();
    assert!(no_type.contains("missing field `type`"), "{no_type}");
    let mistyped = read(r#"{"type": "step", "every": 2.5, "factor": 0.5}"#).unwrap_err();
    assert!(mistyped.contains("expected usize"), "{mistyped}");
    let not_object = read(r#""step""#).unwrap_err();
    assert!(
        not_object.contains("a schedule object with a `type`"),
        "{not_object}"
    );
}
