//! The engine's stable error codes and the values each message is made of, which the page
//! uses to say an error in its own language (www/i18n/).

use nn_playground::data::csv::{parse_csv, CsvOptions};
use nn_playground::error::DIVERGENCE_HINT;
use nn_playground::Error;

fn arg(e: &Error, name: &str) -> Option<String> {
    e.args()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[test]
fn every_kind_has_its_own_stable_code() {
    let all = [
        (Error::InvalidConfig("a".into()), "config"),
        (Error::Shape("a".into()), "shape"),
        (Error::InvalidData("a".into()), "data"),
        (
            Error::Csv {
                line: 2,
                column: None,
                message: "a".into(),
            },
            "csv_line",
        ),
        (
            Error::Csv {
                line: 2,
                column: Some(3),
                message: "a".into(),
            },
            "csv_cell",
        ),
        (Error::Format("a".into()), "format"),
        (Error::Limit("a".into()), "limit"),
        (
            Error::Diverged {
                epoch: 1,
                step: 2,
                hint: DIVERGENCE_HINT.into(),
            },
            "diverged",
        ),
        (Error::NotCompiled("a".into()), "not_compiled"),
        (Error::Backend("a".into()), "backend"),
    ];
    for (e, code) in &all {
        assert_eq!(e.code(), *code, "{e}");
    }
    let mut codes: Vec<_> = all.iter().map(|(e, _)| e.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are distinct");
}

#[test]
fn the_values_rebuild_the_message() {
    let e = Error::Limit("the model has more than 10 parameters".into());
    assert_eq!(
        e.to_string(),
        format!("too large: {}", arg(&e, "detail").unwrap())
    );
    let d = Error::Diverged {
        epoch: 7,
        step: 3,
        hint: DIVERGENCE_HINT.into(),
    };
    assert_eq!(arg(&d, "epoch").as_deref(), Some("7"));
    assert_eq!(arg(&d, "step").as_deref(), Some("3"));
    // The usual hint is left to the translation; another one travels as it is.
    assert_eq!(arg(&d, "hint"), None);
    let other = Error::Diverged {
        epoch: 7,
        step: 3,
        hint: "Lower the noise.".into(),
    };
    assert_eq!(arg(&other, "hint").as_deref(), Some("Lower the noise."));
}

#[test]
fn a_bad_csv_cell_names_its_line_and_column() {
    let err = parse_csv("x,y,label\n1,2,0\n3,oops,1\n", &CsvOptions::default()).unwrap_err();
    assert_eq!(err.code(), "csv_cell", "{err}");
    assert_eq!(arg(&err, "line").as_deref(), Some("3"));
    assert_eq!(arg(&err, "column").as_deref(), Some("2"));
    let detail = arg(&err, "detail").unwrap();
    assert_eq!(err.to_string(), format!("CSV line 3, column 2: {detail}"));
}
