//! The engine's stable error codes and the values each message is made of, which the page
//! uses to say an error in its own language (www/i18n/).

use nn_playground::data::csv::{parse_csv, CsvOptions};
use nn_playground::error::DIVERGENCE_HINT;
use nn_playground::{Error, PlaygroundConfig, Sequential};

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

/// The engine's message for `text` loaded as a table in the page, and as points.
fn page_csv_error(text: &str) -> Error {
    page_csv_error_with(text, &CsvOptions::default())
}

fn page_csv_error_with(text: &str, opts: &CsvOptions) -> Error {
    let mut s = nn_playground::session::Session::new(PlaygroundConfig::default()).unwrap();
    s.load_csv(text, opts).unwrap_err()
}

fn detail_code_of(e: &Error) -> (String, Vec<(&'static str, String)>) {
    let code = arg(e, "detail_code").unwrap_or_else(|| panic!("no detail code for: {e}"));
    (code, e.args())
}

#[test]
fn the_common_messages_are_read_back_as_their_codes() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use nn_playground::data::csv::decode::decode_text;
    use nn_playground::data::csv::{table::read_table, MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS};
    use nn_playground::error_detail::DETAILS;
    use nn_playground::url_state::{
        decode_blob, encode_blob, read_hash, MAX_BLOB_BYTES, MAX_HASH_LEN,
    };
    let mut many_rows = String::from("x,y,label\n");
    for i in 0..MAX_ROWS + 2 {
        many_rows.push_str(&format!("{i},1,0\n"));
    }
    let wide = (0..=MAX_COLUMNS)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut many_classes = String::from("x,y,z,label\n");
    for i in 0..300 {
        many_classes.push_str(&format!("{i},{},1,c{i}\n", i % 7));
    }
    let errors = [
        page_csv_error("x,y,label\n1,2,0\n3,4\n"),
        read_table("", None).unwrap_err(),
        parse_csv("", &CsvOptions::default()).unwrap_err(),
        read_table("x,y,label\n", Some(true)).unwrap_err(),
        page_csv_error(&"1".repeat(MAX_CSV_BYTES + 1)),
        page_csv_error(&many_rows),
        page_csv_error(&format!("{wide}\n")),
        read_table("a,b,a\n1,2,3\n", Some(true)).unwrap_err(),
        parse_csv(
            "x,label\n1,a\n2,a\n",
            &CsvOptions {
                kind: Some(nn_playground::data::csv::prepare::TaskKind::Classification),
                ..CsvOptions::default()
            },
        )
        .unwrap_err(),
        page_csv_error("x,y,label\n1,\"2,0\n3,4,1\n"),
        decode_text(&[b'a', 0xff, b'b']).unwrap_err(),
        decode_text(b"x,y\n1,\0\n").unwrap_err(),
        decode_text(&[0xff, 0xfe, b'a']).unwrap_err(),
        decode_text(&[0xff, 0xfe, 0x00, 0xd8, b'a', 0]).unwrap_err(),
        parse_csv("x,label\n1e35,0\n2,1\n", &CsvOptions::default()).unwrap_err(),
        parse_csv("x,label\n1e40,0\n2,1\n", &CsvOptions::default()).unwrap_err(),
        parse_csv("x,y,label\n1,,0\n2,3,1\n", &CsvOptions::default()).unwrap_err(),
        parse_csv("x,y,label\n1,2,0\n3,oops,1\n", &CsvOptions::default()).unwrap_err(),
        page_csv_error("x,y,z,label\n1,2,3,a\n2,3,4,a\n3,4,5,a\n4,5,7,a\n"),
        page_csv_error(&many_classes),
        page_csv_error_with(
            "x,y,z,label\n1,2,3,a\n2,3,4,b\n3,4,5,a\n4,5,7,b\n",
            &CsvOptions {
                features: Some(Vec::new()),
                ..CsvOptions::default()
            },
        ),
        Sequential::from_json(" ").unwrap_err(),
        Sequential::from_json("{x").unwrap_err(),
        Sequential::from_json("{").unwrap_err(),
        Sequential::from_json(r#"{"format": 5}"#).unwrap_err(),
        Sequential::from_json("{}").unwrap_err(),
        Sequential::from_json(&format!(
            r#"{{"format":"{}","version":999}}"#,
            nn_playground::model::MODEL_FORMAT
        ))
        .unwrap_err(),
        Sequential::from_json(&" ".repeat(nn_playground::model::MAX_MODEL_BYTES + 1)).unwrap_err(),
        read_hash("noise=abc").unwrap().rejected[0].clone(),
        decode_blob("!!").unwrap_err(),
        decode_blob(&URL_SAFE_NO_PAD.encode([0u8, 0, 0, 0, 0])).unwrap_err(),
        decode_blob(&encode_blob(&"a".repeat(MAX_BLOB_BYTES + 1))).unwrap_err(),
        decode_blob(
            &URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 6)),
        )
        .unwrap_err(),
        read_hash(&"a".repeat(MAX_HASH_LEN + 1)).unwrap_err(),
        nn_playground::url_state::read_sequence_hash(
            "mode=sequence&task=balanced_brackets&length=7",
        )
        .unwrap()
        .rejected[0]
            .clone(),
        nn_playground::session::sequence::whole_number(-1.0, "example's index", 9).unwrap_err(),
        nn_playground::session::sequence::SequenceSession::new(Default::default())
            .unwrap()
            .train_for(f64::NAN, &mut || 0.0)
            .unwrap_err(),
    ];
    let mut seen: Vec<String> = Vec::new();
    for e in &errors {
        let (code, args) = detail_code_of(e);
        // The values put back into the template give the engine's words again.
        let template = DETAILS.iter().find(|(c, _)| *c == code).unwrap().1;
        let mut said = template.to_string();
        for (name, value) in &args {
            said = said.replace(&format!("{{{name}}}"), value);
        }
        assert_eq!(Some(said), arg(e, "detail"), "{code}");
        seen.push(code);
    }
    let all: Vec<String> = DETAILS.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(
        seen, all,
        "every template is produced by the engine, in order"
    );
}

#[test]
fn other_messages_have_no_detail_code() {
    let e = Error::InvalidData("something else entirely".into());
    assert_eq!(arg(&e, "detail_code"), None);
    // Close to a template is not the template.
    let e = Error::Format("not a JSON model file".into());
    assert_eq!(arg(&e, "detail_code"), None);
    let e = Error::Limit("the file has more than 5 data rows; keep at most 6".into());
    assert_eq!(
        arg(&e, "detail_code"),
        None,
        "a value named twice reads the same twice"
    );
}

#[test]
fn what_a_link_setting_must_be_is_read_back_as_its_code() {
    use nn_playground::error_detail::WANTS;
    use nn_playground::url_state::read_hash;
    for (hash, code) in [
        ("threads=0", "threads_range"),
        ("threads=many", "threads"),
        ("noise=55", "percent_range"),
        ("batchSize=ten", "whole"),
        ("seed=-3", "whole"),
        ("speed=fast", "speed"),
        ("learningRate=-1", "positive"),
        ("showTestData=maybe", "bool"),
        ("activation=tanhh", "known_name"),
        ("networkShape=4,100000", "units"),
        ("schedule=sometimes", "schedule"),
        ("earlyStopping=val_loss", "early_stopping"),
        ("networkShape=4,2&dropout=0.1", "per_layer"),
        ("percTrainData=95", "number_range"),
    ] {
        let st = read_hash(hash).unwrap();
        let e = st
            .rejected
            .first()
            .unwrap_or_else(|| panic!("{hash} was accepted"));
        assert_eq!(
            arg(e, "detail_code").as_deref(),
            Some("link_value"),
            "{hash}: {e}"
        );
        assert_eq!(arg(e, "want_code").as_deref(), Some(code), "{hash}: {e}");
    }
    // Every template reads back as its own code with sample values.
    for (code, template) in WANTS {
        let sample = template
            .replace("{lo}", "1")
            .replace("{hi}", "9")
            .replace("{layers}", "3");
        let e = Error::InvalidConfig(format!(
            "link setting noise=\"55\" is not valid: expected {sample}"
        ));
        assert_eq!(arg(&e, "want_code").as_deref(), Some(*code), "{sample}");
    }
}
