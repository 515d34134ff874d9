//! The ONNX export's Rust API from outside the crate: the file's header and metadata, what
//! the page's export names as its columns, and refusals with messages. onnxruntime runs the
//! graphs in the `onnx` stage of `cargo xtask test` (`tests/onnx/check.py`).

use nn_playground::data::csv::encoding::MissingPolicy;
use nn_playground::data::csv::CsvOptions;
use nn_playground::model::onnx::{IR_VERSION, OPSET};
use nn_playground::session::Session;
use nn_playground::{DatasetKind, Error, Matrix, PlaygroundConfig};

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn the_page_export_names_its_columns_and_states_the_opset() {
    let s = Session::new(PlaygroundConfig::default()).unwrap();
    let bytes = s.export_onnx().unwrap();
    assert_eq!(bytes[..2], [0x08, IR_VERSION as u8]);
    assert_eq!(OPSET, 17);
    assert!(contains(&bytes, r#"["x1","x2"]"#));
    assert!(contains(&bytes, "Gather") && contains(&bytes, "Concat"));
}

#[test]
fn a_table_export_takes_its_columns_with_text_one_hot() {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    let mut csv = String::from("a,b,colour,y\n");
    for r in 0..60 {
        let colour = ["red", "blue"][r % 2];
        let a = if r == 7 {
            String::new()
        } else {
            format!("{}", r as f32 * 0.1)
        };
        csv.push_str(&format!(
            "{a},{},{colour},{}\n",
            (r * 7 % 11) as f32,
            r as f32 * 2.5 + 1.0
        ));
    }
    let opts = CsvOptions {
        label_column: Some("y".into()),
        missing: MissingPolicy::Fill,
        ..CsvOptions::default()
    };
    s.load_csv(&csv, &opts).unwrap();
    let bytes = s.export_onnx().unwrap();
    assert!(contains(&bytes, r#"["a","b","colour=red","colour=blue"]"#));
    assert!(contains(&bytes, "IsNaN") && contains(&bytes, "Where"));

    // The engine's side of the comparison: a missing cell is filled, not refused.
    let raw = Matrix::from_vec(2, 4, vec![f32::NAN, 3.0, 1.0, 0.0, 0.5, 3.0, 0.0, 1.0]).unwrap();
    let out = s.predict_columns(&raw).unwrap();
    assert_eq!(out.shape(), (2, 1));
    assert!(out.as_slice().iter().all(|v| v.is_finite()));
    let err = s.predict_columns(&Matrix::zeros(1, 3)).unwrap_err();
    assert!(matches!(err, Error::Shape(_)), "{err:?}");
}

#[test]
fn points_take_two_columns() {
    let mut s = Session::new(PlaygroundConfig::default()).unwrap();
    let err = s.predict_columns(&Matrix::zeros(1, 3)).unwrap_err();
    assert!(err.to_string().contains("2 columns"), "{err}");
}

#[test]
fn a_missing_text_cell_is_filled_as_the_page_fills_it() {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    // "blue" is the most frequent colour, and the colour moves the target a lot.
    let mut csv = String::from("a,b,colour,y\n");
    for r in 0..90 {
        let colour = ["red", "blue", "blue"][r % 3];
        let a = r as f32 * 0.1;
        let y = a + if colour == "blue" { 40.0 } else { 0.0 };
        csv.push_str(&format!("{a},{},{colour},{y}\n", (r * 7 % 11) as f32));
    }
    let opts = CsvOptions {
        label_column: Some("y".into()),
        missing: MissingPolicy::Fill,
        ..CsvOptions::default()
    };
    s.load_csv(&csv, &opts).unwrap();
    s.train_epochs(20).unwrap();
    // The page's predictions for a file with a missing colour (and with each colour).
    let page = s
        .predict_csv("a,b,colour\n1.5,3,\n1.5,3,blue\n1.5,3,red\n")
        .unwrap();
    let page: Vec<f32> = page
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert!((page[0] - page[1]).abs() < 1e-4, "{page:?}");
    assert!(
        (page[1] - page[2]).abs() > 1.0,
        "the colour matters: {page:?}"
    );
    // The export's columns: a, b, colour=red, colour=blue; a missing colour is NaN in both.
    let raw =
        Matrix::from_vec(2, 4, vec![1.5, 3.0, f32::NAN, f32::NAN, 1.5, 3.0, 0.0, 1.0]).unwrap();
    let out = s.predict_columns(&raw).unwrap();
    assert!(
        (out.get(0, 0) - page[0]).abs() < 1e-3,
        "{out:?} vs {page:?}"
    );
    assert!(
        (out.get(1, 0) - page[1]).abs() < 1e-3,
        "{out:?} vs {page:?}"
    );
}
