//! Fuzz target for `briefing::config`: any text parsed as if read from a file. No
//! panic; an error names the file and a line that exists.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const PATH: &str = "/fuzz/config.toml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match briefing::config::Config::parse(text, Path::new(PATH)) {
        Ok(config) => assert!(!config.groups.is_empty()),
        Err(e) => {
            let message = e.to_string();
            let rest = message
                .strip_prefix(PATH)
                .and_then(|r| r.strip_prefix(':'))
                .unwrap_or_else(|| panic!("no file name: {message}"));
            let line: usize = rest
                .split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no line number: {message}"));
            assert!(
                line >= 1 && line <= text.lines().count().max(1) + 1,
                "line {line} of {}: {message}",
                text.lines().count()
            );
        }
    }
});
