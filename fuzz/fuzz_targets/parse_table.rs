//! Any bytes as a whole table file (the first byte picks delimiter, quoting and header): both
//! passes never panic, every row is either in an emitted ticket or refused with a reason, and
//! every emitted ticket parses (the default agent guarantees an owner).
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use zhijian::parse::parse_line;
use zhijian::table::mapping::{list_pairs, TableMapping};
use zhijian::table::TableReader;

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, table)) = data.split_first() else { return };
    let delimiter = if knobs & 1 == 0 { "comma" } else { "tab" };
    let quote = knobs & 2 != 0;
    let header = knobs & 4 != 0;
    let ts = ["rfc3339", "unix", "unix_ms", "%Y-%m-%d %H:%M:%S"][(knobs >> 3) as usize & 3];
    let list = format!(
        "ticket=0,role=1,text=2,agent=3,ts=4,delimiter={delimiter},quote={quote},\
         header={header},default_agent=jd"
    );
    let mut pairs = list_pairs("fuzz", &list).unwrap();
    pairs.extend(list_pairs("fuzz", &format!("ts_format={ts}")).unwrap());
    let mapping = TableMapping::from_pairs(&pairs).unwrap();

    let path = std::env::temp_dir().join(format!("zhijian-fuzz-{}.tsv", std::process::id()));
    std::fs::write(&path, table).unwrap();
    let source = Box::new(BufReader::new(std::fs::File::open(&path).unwrap()));
    let Ok(mut reader) = TableReader::index(0, "t.tsv", source, path.clone(), None, &mapping)
    else {
        return; // a header that cannot be read is a fatal error, not a panic
    };
    let rows = reader.rows;
    let mut seen = 0;
    while let Some(line) = reader.next_line().expect("pass 2 agrees with pass 1") {
        seen += line.rows;
        let refused = line.reject.is_some();
        let parsed = parse_line(&line, mapping.ts_format.as_ref().unwrap_or(&Default::default()));
        assert_eq!(parsed.is_err(), refused, "an emitted ticket did not parse: {parsed:?}");
    }
    assert_eq!(seen, rows, "rows lost between the passes");
});
