//! CSV upload: detection, label columns, class mapping, exact error positions, limits and
//! the `parse_csv(to_csv(ds)) == ds` round trip.
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::csv::{
    parse_csv, points_to_csv, to_csv, CsvOptions, MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS,
};
use nn_playground::data::generators::generate;
use nn_playground::data::{Dataset, Task};
use nn_playground::{DatasetKind, Error, Feature, Matrix, Rng};
use proptest::prelude::*;

fn parse(text: &str) -> Dataset {
    parse_csv(text, &CsvOptions::default()).unwrap()
}

fn csv_err(text: &str, opts: &CsvOptions) -> (usize, Option<usize>, String) {
    match parse_csv(text, opts) {
        Err(Error::Csv {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a CSV error, got {other:?}"),
    }
}

fn label_opt(col: &str) -> CsvOptions {
    CsvOptions {
        label_column: Some(col.into()),
        ..CsvOptions::default()
    }
}

#[test]
fn header_is_detected_and_names_kept() {
    let ds = parse("x,y,label\n1,2,0\n3,4,1\n");
    assert_eq!(ds.feature_names, ["x", "y"]);
    assert_eq!(ds.x.as_slice(), &[1., 2., 3., 4.]);
    assert_eq!(ds.y.as_slice(), &[0., 1.]);
    assert_eq!(ds.task, Task::Binary);
    assert!(ds.class_names.is_empty());

    let ds = parse("1,2,0\n3,4,1\n");
    assert_eq!(ds.len(), 2, "no header: the first row is data");
    assert_eq!(ds.feature_names, ["x1", "x2"]);

    // A missing value in the first data row is not mistaken for a header.
    let err = csv_err("1,,0\n2,3,1\n", &CsvOptions::default());
    assert_eq!((err.0, err.1), (1, Some(2)));
    assert!(err.2.contains("empty field"), "{}", err.2);

    let forced = CsvOptions {
        has_header: Some(false),
        ..CsvOptions::default()
    };
    let (line, col, msg) = csv_err("a,b,c\n1,2,0\n", &forced);
    assert_eq!((line, col), (1, Some(1)));
    assert_eq!(msg, "expected a number, found \"a\"");
}

#[test]
fn label_column_by_name_and_index() {
    let text = "label,a,b\n1,2,3\n0,5,6\n";
    let by_name = parse_csv(text, &label_opt("label")).unwrap();
    let by_index = parse_csv(text, &label_opt("0")).unwrap();
    assert_eq!(by_name, by_index);
    assert_eq!(by_name.feature_names, ["a", "b"]);
    assert_eq!(by_name.x.as_slice(), &[2., 3., 5., 6.]);
    assert_eq!(by_name.y.as_slice(), &[1., 0.]);

    let b = parse_csv(text, &label_opt("b")).unwrap();
    assert_eq!(b.task, Task::Binary);
    assert_eq!(
        b.class_names,
        ["3", "6"],
        "non-contiguous integers keep their text"
    );

    match parse_csv(text, &label_opt("target")) {
        Err(Error::InvalidConfig(m)) => {
            assert!(
                m.contains("\"label\", \"a\", \"b\"") && m.contains("0 to 2"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    match parse_csv("1,2,0\n3,4,1\n", &label_opt("3")) {
        Err(Error::InvalidConfig(m)) => assert!(m.contains("no header") && m.contains("0 to 2")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn string_labels_map_in_order_of_first_appearance() {
    let ds = parse("w,h,kind\n1,2,dog\n3,4,cat\n5,6,dog\n7,8,bird\n");
    assert_eq!(ds.class_names, ["dog", "cat", "bird"]);
    assert_eq!(ds.y.as_slice(), &[0., 1., 0., 2.]);
    assert_eq!(ds.task, Task::MultiClass(3));

    let ds = parse("a,b\n1,yes\n2,no\n");
    assert_eq!(ds.task, Task::Binary);
    assert_eq!(ds.class_names, ["yes", "no"]);
}

#[test]
fn numeric_labels_pick_the_task() {
    let pm = parse("a,label\n1,1\n2,-1\n3,1\n");
    assert_eq!(pm.task, Task::Binary);
    assert_eq!(pm.class_names, ["-1", "1"], "playground's -1/+1 become 0/1");
    assert_eq!(pm.y.as_slice(), &[1., 0., 1.]);

    let three = parse("a,label\n1,2\n2,0\n3,1\n");
    assert_eq!(three.task, Task::MultiClass(3));
    assert_eq!(three.y.as_slice(), &[2., 0., 1.]);

    let reg = parse("a,label\n1,0.5\n2,-0.25\n");
    assert_eq!(reg.task, Task::Regression);
    assert_eq!(reg.y.as_slice(), &[0.5, -0.25]);

    let many: String = (0..11).map(|i| format!("{i},{i}\n")).collect();
    assert_eq!(parse(&many).task, Task::Regression, "11 distinct integers");

    let forced = CsvOptions {
        task: Some(Task::Regression),
        ..CsvOptions::default()
    };
    assert_eq!(
        parse_csv("a,b\n1,0\n2,1\n", &forced).unwrap().task,
        Task::Regression
    );
    let (line, col, msg) = csv_err("a,b\n1,0\n2,cat\n", &forced);
    assert_eq!(
        (line, col, msg.as_str()),
        (3, Some(2), "expected a number, found \"cat\"")
    );

    let multi = CsvOptions {
        task: Some(Task::MultiClass(4)),
        ..CsvOptions::default()
    };
    let ds = parse_csv("a,b\n1,x\n2,y\n", &multi).unwrap();
    assert_eq!(ds.task, Task::MultiClass(4));
    assert_eq!(ds.class_names, ["x", "y", "class 2", "class 3"]);

    let binary = CsvOptions {
        task: Some(Task::Binary),
        ..CsvOptions::default()
    };
    match parse_csv("a,b\n1,x\n2,y\n3,z\n", &binary) {
        Err(Error::InvalidData(m)) => assert!(m.contains("3 classes (x, y, z)"), "{m}"),
        other => panic!("{other:?}"),
    }
    match parse_csv("a,b\n1,x\n2,x\n", &CsvOptions::default()) {
        Err(Error::InvalidData(m)) => assert!(m.contains("at least two classes"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_rows_report_exact_line_and_column() {
    let opts = CsvOptions::default();
    // Header is line 1; a blank line still counts.
    let (line, col, msg) = csv_err("a,b,c\n1,2,0\n\n3,abc,1\n", &opts);
    assert_eq!((line, col), (4, Some(2)));
    assert_eq!(msg, "expected a number, found \"abc\"");

    let (line, col, msg) = csv_err("a,b,c\n1,2,0\n3,4\n", &opts);
    assert_eq!((line, col), (3, None));
    assert_eq!(msg, "found 2 fields, expected 3 like the first row");

    let (line, col, msg) = csv_err("a,b,c\n1,NaN,0\n", &opts);
    assert_eq!((line, col), (2, Some(2)));
    assert!(msg.contains("finite") && msg.contains("NaN"), "{msg}");

    let (line, col, _) = csv_err("a,b,c\n1,2,inf\n", &opts);
    assert_eq!((line, col), (2, Some(3)));

    let (line, col, msg) = csv_err("a,b,c\n1,2,x\n3,4,\n", &opts);
    assert_eq!((line, col), (3, Some(3)));
    assert!(msg.contains("label is empty"));

    // A quoted field spanning lines: the next record starts on line 4.
    let (line, col, _) = csv_err("a,b,c\n1,2,\"x\ny\"\n5,q,z\n", &opts);
    assert_eq!((line, col), (4, Some(2)));

    // Leading blank lines, CRLF and blank CRLF lines all count.
    let (line, col, _) = csv_err("\n\na,b\r\n\r\n1,2\r\nx,3\n", &opts);
    assert_eq!((line, col), (6, Some(1)));
    let (line, _, _) = csv_err("a,b\r1,2\rx,3\r", &opts);
    assert_eq!(line, 3);
}

#[test]
fn empty_files_and_single_columns_are_errors() {
    for text in ["", "\n\n", "\u{feff}"] {
        assert!(
            matches!(parse_csv(text, &CsvOptions::default()), Err(Error::InvalidData(m)) if m.contains("empty"))
        );
    }
    assert!(
        matches!(parse_csv("a,b,label\n", &CsvOptions::default()), Err(Error::InvalidData(m)) if m.contains("no data rows"))
    );
    assert!(
        matches!(parse_csv("1\n2\n", &CsvOptions::default()), Err(Error::InvalidData(m)) if m.contains("at least one feature"))
    );
}

#[test]
fn whitespace_bom_and_other_delimiters() {
    let ds = parse("\u{feff}x , y , label\r\n 1 , 2 , a\r\n3,4, b \r\n");
    assert_eq!(ds.feature_names, ["x", "y"]);
    assert_eq!(ds.class_names, ["a", "b"]);
    let tab = parse("x\ty\tlabel\n1\t2\t0\n3\t4\t1\n");
    assert_eq!(tab.x.as_slice(), &[1., 2., 3., 4.]);
    let semi = parse("x;label\n1.5;0\n2;1\n");
    assert_eq!(semi.x.as_slice(), &[1.5, 2.0]);
}

#[test]
fn size_limits_are_errors() {
    let big = "1,0\n".repeat(MAX_CSV_BYTES / 4 + 1);
    assert!(big.len() > MAX_CSV_BYTES);
    assert!(
        matches!(parse_csv(&big, &CsvOptions::default()), Err(Error::Limit(m)) if m.contains("MB"))
    );

    let wide = (0..=MAX_COLUMNS)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        matches!(parse_csv(&wide, &CsvOptions::default()), Err(Error::Limit(m)) if m.contains("257 columns"))
    );
    let row = |first: usize| {
        let fields: Vec<String> = (0..MAX_COLUMNS).map(|i| (i + first).to_string()).collect();
        fields.join(",")
    };
    let ds = parse_csv(&format!("{}\n{}\n", row(0), row(1)), &label_opt("0")).unwrap();
    assert_eq!(ds.x.shape(), (2, MAX_COLUMNS - 1));

    let rows = |n: usize| "1,0\n2,1\n".repeat(n / 2);
    assert!(parse_csv(&rows(MAX_ROWS), &CsvOptions::default()).is_ok());
    let with_header = format!("a,b\n{}", rows(MAX_ROWS));
    assert_eq!(parse(&with_header).len(), MAX_ROWS);
    let too_many = format!("{}1,0\n", rows(MAX_ROWS));
    assert!(
        matches!(parse_csv(&too_many, &CsvOptions::default()), Err(Error::Limit(m)) if m.contains("100000"))
    );
    let too_many = format!("a,b\n{}1,0\n", rows(MAX_ROWS));
    assert!(matches!(
        parse_csv(&too_many, &CsvOptions::default()),
        Err(Error::Limit(_))
    ));

    let classes: String = (0..300).map(|i| format!("1,c{i}\n")).collect();
    assert!(matches!(
        parse_csv(&classes, &CsvOptions::default()),
        Err(Error::Limit(_))
    ));
}

#[test]
fn generated_sets_round_trip_through_csv() {
    let pts = generate(DatasetKind::Spiral, 200, 10.0, 3, &mut Rng::new(4)).unwrap();
    let ds = Dataset::from_points(
        &pts,
        &[Feature::X1, Feature::X2, Feature::SinX1],
        Task::Binary,
    );
    assert_eq!(parse(&to_csv(&ds)), ds);

    let text = points_to_csv(&pts);
    assert!(text.starts_with("x1,x2,label\n"));
    let back = parse(&text);
    assert_eq!(back.len(), 200);
    assert_eq!(back.feature_names, ["x1", "x2"]);
    assert_eq!(back.y.as_slice(), ds.y.as_slice());

    let pts = generate(DatasetKind::Plane, 100, 10.0, 3, &mut Rng::new(4)).unwrap();
    let reg = Dataset::from_points(&pts, &[Feature::X1, Feature::X2], Task::Regression);
    assert_eq!(parse(&to_csv(&reg)), reg);

    let mut named = parse("a,b\n1,dog\n2,\"cat, black\"\n3,\"say \"\"hi\"\"\"\n");
    assert_eq!(named.class_names[1], "cat, black");
    assert_eq!(named.class_names[2], "say \"hi\"");
    assert_eq!(parse(&to_csv(&named)), named);
    named.feature_names = vec!["a, with comma".into()];
    assert_eq!(parse(&to_csv(&named)), named);
}

/// A dataset in the form `parse_csv` produces: alphabetic feature names, every class
/// present and numbered in order of first appearance, names that are not numbers.
fn canonical_dataset() -> impl Strategy<Value = Dataset> {
    (1usize..6, 1usize..40, 0usize..4)
        .prop_flat_map(|(d, n, kind)| {
            let values = proptest::collection::vec(
                prop_oneof![
                    -1.0e6f32..1.0e6,
                    Just(0.0f32),
                    any::<f32>().prop_filter("a cell the readers accept", |v| {
                        v.abs() <= nn_playground::data::csv::MAX_CELL_MAGNITUDE
                    }),
                ],
                n * d,
            );
            let names = proptest::collection::vec("[a-zA-Z][a-zA-Z0-9 _]{0,8}[a-zA-Z]", d);
            let k = 2 + kind;
            let raw_y = proptest::collection::vec(0..k, n.max(k));
            let class_names = proptest::collection::hash_set("[a-z]{1,6}", k);
            (Just(d), values, names, raw_y, class_names, Just(kind))
        })
        .prop_map(|(d, values, feature_names, raw_y, class_names, kind)| {
            let n = raw_y.len();
            let mut x = values;
            x.resize(n * d, 0.5);
            let k = class_names.len();
            // Classes 0..k open the column, so each is present and first appears in order.
            let mut y: Vec<usize> = raw_y;
            for (c, v) in y.iter_mut().take(k).enumerate() {
                *v = c;
            }
            let (task, y, class_names) = match kind {
                0 => (
                    Task::Regression,
                    y.iter().map(|&c| c as f32 * 0.37 - 0.1).collect(),
                    vec![],
                ),
                1 => (
                    Task::Binary,
                    y.iter().map(|&c| (c % 2) as f32).collect(),
                    vec![],
                ),
                _ => {
                    let names: Vec<String> = class_names.into_iter().collect();
                    let task = if k == 2 {
                        Task::Binary
                    } else {
                        Task::MultiClass(k)
                    };
                    (task, y.iter().map(|&c| c as f32).collect(), names)
                }
            };
            Dataset {
                x: Matrix::from_vec(n, d, x).unwrap(),
                y: Matrix::from_vec(n, 1, y).unwrap(),
                task,
                feature_names,
                class_names,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn to_csv_then_parse_is_the_identity(ds in canonical_dataset()) {
        let opts = CsvOptions { task: Some(ds.task), ..CsvOptions::default() };
        prop_assert_eq!(parse_csv(&to_csv(&ds), &opts).unwrap(), ds.clone());
        if ds.task != Task::Regression {
            prop_assert_eq!(parse_csv(&to_csv(&ds), &CsvOptions::default()).unwrap(), ds);
        }
    }

    #[test]
    fn any_text_gives_an_answer_not_a_panic(text in "[0-9a-z,;.\"\n\t -]{0,200}") {
        let _ = parse_csv(&text, &CsvOptions::default());
    }

    #[test]
    fn any_unicode_text_with_any_options_gives_an_answer(
        text in "\\PC{0,120}",
        label in proptest::option::of("[0-9a-z]{1,3}"),
        header in proptest::option::of(any::<bool>()),
        k in proptest::option::of(0usize..5),
    ) {
        let task = k.map(|k| match k {
            0 => Task::Regression,
            1 => Task::Binary,
            k => Task::MultiClass(k),
        });
        let opts = CsvOptions { label_column: label, has_header: header, task, ..CsvOptions::default() };
        if let Ok(ds) = parse_csv(&text, &opts) {
            prop_assert!(ds.validate().is_ok());
        }
    }
}

/// A number beyond `MAX_CELL_MAGNITUDE` is refused by both readers with its position, even
/// when it fits an f32 (3.3e38 did, and the map's range over it overflowed to infinity);
/// one at the limit loads.
#[test]
fn cells_past_the_magnitude_limit_are_refused_where_they_stand() {
    use nn_playground::data::csv::table::read_table;
    use nn_playground::data::csv::MAX_CELL_MAGNITUDE;
    let huge = "333333333333333333333333333333733333332";
    let (line, column, message) = csv_err(
        &format!("x,y,label\n1,2,0\n{huge},1,1\n"),
        &CsvOptions::default(),
    );
    assert_eq!((line, column), (3, Some(1)));
    assert!(
        message.contains("too large") && message.contains("1e30"),
        "{message}"
    );
    match read_table(&format!("a,b\n{huge},x\n2,y\n"), Some(true)) {
        Err(Error::Csv {
            line,
            column,
            message,
        }) => {
            assert_eq!((line, column), (2, Some(1)));
            assert!(message.contains("too large"), "{message}");
        }
        other => panic!("expected a CSV error, got {other:?}"),
    }
    let at_limit = format!("x,y,label\n{MAX_CELL_MAGNITUDE:e},2,0\n-1,2,1\n");
    assert_eq!(parse(&at_limit).x.rows(), 2);
}
