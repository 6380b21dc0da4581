//! Any bytes as one JSON Lines line: the parser returns a ticket or a reject, never panics,
//! and a reject keeps at most 512 bytes (plus an ellipsis) of the line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhijian::parse::parse_line;
use zhijian::read::InputLine;

fuzz_target!(|data: &[u8]| {
    let line =
        InputLine { file: 0, line_no: 1, bytes: data.to_vec(), too_long: false, rows: 1, reject: None };
    if let Err(reject) = parse_line(&line) {
        assert!(reject.raw.len() <= 512 + '…'.len_utf8());
    }
});
