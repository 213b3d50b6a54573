//! Fuzz target for `briefing::dump`: any bytes go through the decoder `fetch` uses
//! (UTF-8, UTF-16 with a BOM, else EUC-KR/CP949) and then the parser. Neither may
//! panic; an error names its origin, and every article points at a line of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fetched = match briefing::fetch::decode(data, "fuzz.txt") {
        Ok(f) => f,
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.txt: "), "{e}");
            return;
        }
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if fetched.encoding == "UTF-8" {
            assert_eq!(fetched.text, text, "UTF-8 passes through unchanged");
        }
    }
    match briefing::dump::parse(&fetched.text, &fetched.origin) {
        Ok(articles) => {
            let lines = fetched.text.lines().count();
            for a in &articles {
                assert!(a.line >= 1 && a.line <= lines, "line {} of {lines}", a.line);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.txt: "), "{e}"),
    }
});
