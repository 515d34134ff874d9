//! CSV in and out of the engine: downloads with formula cells neutralised (OWASP's
//! CSV-injection rule), files decoded from their bytes (UTF-8, UTF-16 with a BOM).
#![cfg(not(target_arch = "wasm32"))]

use nn_playground::data::csv::write::{is_formula, neutralise, CsvWriter};
use nn_playground::data::csv::CsvOptions;
use nn_playground::session::Session;
use nn_playground::{DatasetKind, PlaygroundConfig};

fn line(cells: &[&str]) -> String {
    let mut w = CsvWriter::for_download();
    w.record(cells);
    w.finish()
}

#[test]
fn formula_cells_are_written_as_quoted_text() {
    assert_eq!(line(&["=1+2"]), "\"'=1+2\"\n");
    assert_eq!(line(&["@SUM(A1)", "x"]), "\"'@SUM(A1)\",x\n");
    assert_eq!(line(&["=cmd|' /C calc'!A0"]), "\"'=cmd|' /C calc'!A0\"\n");
    assert_eq!(
        line(&["+a", "-b", "\tc", "\rd"]),
        "\"'+a\",\"'-b\",\"'\tc\",\"'\rd\"\n"
    );
    assert_eq!(line(&["=\"x\""]), "\"'=\"\"x\"\"\"\n");
}

#[test]
fn numbers_and_plain_text_are_written_as_they_are() {
    assert_eq!(
        line(&["-1.5", "+2", "-3e4", "0", "a b", ""]),
        "-1.5,+2,-3e4,0,a b,\n"
    );
    assert_eq!(line(&["a,b", "say \"hi\""]), "\"a,b\",\"say \"\"hi\"\"\"\n");
    assert_eq!(line(&[""]), "\"\"\n");
    // Not finite numbers are text a spreadsheet evaluates (`-inf` reads as a name).
    assert!(is_formula("-inf"));
    assert!(is_formula("-NaN"));
    assert!(!is_formula("a=1"));
    assert_eq!(neutralise("=1"), "'=1");
    assert_eq!(neutralise("-1"), "-1");
    // The snapshot's writer keeps every cell as it is.
    let mut w = CsvWriter::exact();
    w.record(["=1+2", "a,b"]);
    assert_eq!(w.finish(), "=1+2,\"a,b\"\n");
}

/// A table whose text column and class names are formulas, with negative numbers.
const HOSTILE: &str = "x,note,label\n\
-1.5,=cmd|' /C calc'!A0,=1+2\n\
2,@SUM(A1),@SUM(A1)\n\
-3,plain,=1+2\n\
4,-x,@SUM(A1)\n\
-5,=1+2,=1+2\n\
6,plain,@SUM(A1)\n";

fn hostile_session() -> Session {
    let mut s = Session::new(PlaygroundConfig {
        dataset: DatasetKind::Custom,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    s.load_csv(
        HOSTILE,
        &CsvOptions {
            label_column: Some("label".into()),
            ..CsvOptions::default()
        },
    )
    .unwrap();
    s
}

/// Every cell of `csv` (read back as CSV) that a spreadsheet would evaluate.
fn formulas_in(csv: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    r.records()
        .flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|c| is_formula(c))
        .collect()
}

#[test]
fn data_download_neutralises_formulas_and_keeps_numbers() {
    let s = hostile_session();
    let csv = s.data_csv();
    assert!(formulas_in(&csv).is_empty(), "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "x,note,label");
    assert_eq!(lines[1], "-1.5,\"'=cmd|' /C calc'!A0\",\"'=1+2\"");
    assert_eq!(lines[2], "2,\"'@SUM(A1)\",\"'@SUM(A1)\"");
    assert_eq!(lines[4], "4,\"'-x\",\"'@SUM(A1)\"");
}

#[test]
fn predictions_download_neutralises_class_names() {
    let mut s = hostile_session();
    let csv = s.predictions_csv(true).unwrap();
    assert!(formulas_in(&csv).is_empty(), "{csv}");
    // The class names in the header's probability columns and in truth/prediction.
    assert!(csv.lines().next().unwrap().contains("p(=1+2)"), "{csv}");
    assert!(csv.contains(",\"'=1+2\","), "{csv}");
    assert!(csv.contains("\"'@SUM(A1)\""), "{csv}");
    // Negative inputs stay numbers.
    assert!(csv.lines().any(|l| l.starts_with("-1.5,")), "{csv}");
    let file = s.predict_csv(HOSTILE).unwrap();
    assert!(formulas_in(&file).is_empty(), "{file}");
    assert!(file.lines().any(|l| l.starts_with("-5,")), "{file}");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom.then_some(0xfeff).into_iter().chain(text.encode_utf16());
    for u in units {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

const TABLE: &str = "x,colour,label\r\n1.5,红,a\r\n-2,blue,b\r\n3,红,a\r\n4,blue,b\r\n";

#[test]
fn utf8_and_utf16_files_decode_to_the_same_text() {
    use nn_playground::data::csv::decode::decode_text;
    let plain = decode_text(TABLE.as_bytes()).unwrap();
    assert_eq!(plain, TABLE);
    let bom8 = [&[0xef, 0xbb, 0xbf][..], TABLE.as_bytes()].concat();
    assert_eq!(decode_text(&bom8).unwrap(), TABLE);
    for big_endian in [false, true] {
        for bom in [true, false] {
            let bytes = utf16(TABLE, big_endian, bom);
            assert_eq!(
                decode_text(&bytes).unwrap(),
                TABLE,
                "BE {big_endian} BOM {bom}"
            );
            // Without the trailing newline too (the case another browser read as NULs).
            let bytes = utf16(TABLE.trim_end(), big_endian, bom);
            assert_eq!(decode_text(&bytes).unwrap(), TABLE.trim_end());
        }
    }
    // Characters outside the basic plane (surrogate pairs) decode.
    assert_eq!(
        decode_text(&utf16("a,🙂\n", false, true)).unwrap(),
        "a,🙂\n"
    );
    // The decoded UTF-16 table reads as the UTF-8 one does, without NUL characters.
    let table = nn_playground::data::csv::table::read_table(
        &decode_text(&utf16(TABLE, false, true)).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(table.names, ["x", "colour", "label"]);
    assert_eq!(table.rows(), 4);
    assert!(!table.to_csv().contains('\0'));
}

#[test]
fn other_bytes_are_refused_in_words() {
    use nn_playground::data::csv::decode::decode_text;
    let latin1 = b"x,name,label\n1,caf\xe9,a\n";
    let e = decode_text(latin1).unwrap_err().to_string();
    assert!(e.contains("not UTF-8 or UTF-16 text (byte 19"), "{e}");
    let e = decode_text(b"x,y\n1,\0\n").unwrap_err().to_string();
    assert!(e.contains("NUL byte at byte 7"), "{e}");
    let e = decode_text(&[0xfe, 0xff, 0, b'a', 0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("odd number of bytes (5)"), "{e}");
    let e = decode_text(&[0xff, 0xfe, b'a', 0, 0x00, 0xdc])
        .unwrap_err()
        .to_string();
    assert!(e.contains("broken character at byte 5"), "{e}");
    let big = vec![b'1'; nn_playground::data::csv::MAX_CSV_BYTES + 1];
    assert_eq!(decode_text(&big).unwrap_err().code(), "limit");
}

#[test]
fn an_unclosed_quote_is_named_with_its_line_and_column() {
    use nn_playground::data::csv::table::read_table;
    use nn_playground::data::csv::{parse_csv, CsvOptions};
    use nn_playground::Error;
    let cases = [
        ("x,y,label\n1,2,a\n3,\"4,b\n5,6,a\n", 3, 2),
        ("x,\"y,label\n1,2,a\n", 1, 2),
        ("x,y,label\r\n1,2,a\r\n3,4,\"b\r\n", 3, 3),
        // A closed quote with a quote inside ("") and one inside a plain cell are fine
        // until a later cell opens one that never closes.
        ("x,y,label\n1,\"a \"\" b\",c\"d\n\"2", 3, 1),
    ];
    for (text, line, column) in cases {
        for e in [
            read_table(text, None).unwrap_err(),
            parse_csv(text, &CsvOptions::default()).unwrap_err(),
        ] {
            match &e {
                Error::Csv {
                    line: l,
                    column: Some(c),
                    message,
                } => {
                    assert_eq!((*l, *c), (line, column), "{text:?}: {e}");
                    assert!(message.contains("never closed"), "{e}");
                }
                other => panic!("{text:?}: expected the open quote, got {other}"),
            }
        }
    }
    // Quotes that close read as before.
    let t = read_table("x,y,label\n1,\"a,\"\"b\"\"\",c\n2,d,e\n", None).unwrap();
    assert_eq!(t.rows(), 2);
}

/// A regression table whose target is `scale` times a smooth function of `x`, plus noise.
fn huge_target_table(scale: f64) -> String {
    let mut rng = nn_playground::Rng::new(11);
    let mut text = String::from("x,z,y\n");
    for i in 0..200 {
        let x = f64::from(i) / 50.0 - 2.0;
        let z = f64::from(rng.normal());
        let y = scale * (3.0 + x + 0.01 * z);
        text.push_str(&format!("{x},{z},{y:e}\n"));
    }
    text
}

#[test]
fn targets_the_reader_accepts_train_in_standardised_units() {
    for scale in [1.0, 1e17, 1e18, 1e20, 1e28] {
        let mut s = Session::new(PlaygroundConfig {
            dataset: DatasetKind::Custom,
            standardize: true,
            ..PlaygroundConfig::default()
        })
        .unwrap();
        s.load_csv(&huge_target_table(scale), &CsvOptions::default())
            .unwrap();
        s.train_epochs(30)
            .unwrap_or_else(|e| panic!("targets near {scale:e}: {e}"));
        let m = s.metrics().unwrap();
        assert!(m.loss.is_finite() && m.loss < 0.2, "{scale:e}: {m:?}");
        assert!(m.values["r2"] > 0.8, "{scale:e}: {m:?}");
        // Errors in the target's units stay finite numbers.
        assert!(m.values["mae"].is_finite(), "{scale:e}: {m:?}");
        let csv = s.predictions_csv(false).unwrap();
        assert!(!csv.contains("inf") && !csv.contains("NaN"), "{csv}");
    }
}
