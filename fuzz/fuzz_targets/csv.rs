//! Fuzzes the CSV parser: any text, any label-column choice, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nn_playground::data::csv::{parse_csv, to_csv, CsvOptions};

fuzz_target!(|data: &[u8]| {
    let (opt, rest) = data.split_first().map_or((0, &[][..]), |(o, r)| (*o, r));
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let opts = CsvOptions {
        label_column: if opt & 1 == 0 { None } else { Some(((opt >> 1) % 4).to_string()) },
        has_header: match opt >> 4 & 3 {
            0 => None,
            1 => Some(true),
            _ => Some(false),
        },
        ..CsvOptions::default()
    };
    if let Ok(ds) = parse_csv(text, &opts) {
        // Whatever parses must survive its own round trip.
        let again = parse_csv(&to_csv(&ds), &CsvOptions::default());
        assert!(again.is_ok(), "round trip failed: {:?}", again.err());
    }
});
