//! The config reader under random input, in place of a separate fuzz run: any text,
//! and the repository's own `config.toml` mutated, must give a `Config` or an error
//! naming the file and a line of it, never a panic. The bounded case count keeps this a
//! second or two of the suite; `scripts/fuzz config` goes further on demand.

use std::path::Path;

use briefing::config::{Config, ConfigError};
use proptest::prelude::*;

const PATH: &str = "/props/config.toml";
const EXAMPLE: &str = include_str!("../config.toml");

/// `Config::parse` on `text` must not panic, and an error names the file and a line
/// that the text has (or the one just past its end, where a missing key is reported).
fn check_config(text: &str) -> Result<(), TestCaseError> {
    let Err(e) = Config::parse(text, Path::new(PATH)) else {
        return Ok(());
    };
    let message = e.to_string();
    prop_assert!(message.starts_with(PATH), "no file name: {message}");
    match e {
        ConfigError::Invalid { problems, .. } => {
            let lines = text.lines().count().max(1);
            prop_assert!(!problems.is_empty(), "no problem listed");
            for p in &problems {
                let line = p.line;
                prop_assert!(
                    line >= 1 && line <= lines + 1,
                    "line {line} of {lines}: {message}"
                );
                prop_assert!(
                    message.contains(&format!("{PATH}:{line}: {}: ", p.key)),
                    "{message}"
                );
            }
        }
        ConfigError::Read { .. } | ConfigError::Missing { .. } => {
            prop_assert!(false, "parse read a file: {message}")
        }
    }
    Ok(())
}

/// Values a careless or hostile hand may put on the right of `=`.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "-1",
            "18446744073709551616",
            "9223372036854775807",
            "1e400",
            "nan",
            "-inf",
            "0.0",
            "true",
            "\"\"",
            "\" \"",
            "\"아침\"",
            "\"off\"",
            "\"0s\"",
            "\"1d 12h\"",
            "\"* * * * * * *\"",
            "\"../../밖\"",
            "\"a@b\"",
            "\"<>\"",
            "[]",
            "[\"\"]",
            "{}",
            "'''\n'''",
            "\"\\u0000\"",
            "",
        ])
        .prop_map(str::to_owned),
        "[\"a-z0-9 .@<>가-힣{}\\\\/-]{0,20}\"",
        "[0-9]{1,25}",
    ]
}

/// The example config changed in one of the ways a config file goes wrong.
fn mutated_example() -> impl Strategy<Value = String> {
    let lines: Vec<&str> = EXAMPLE.lines().collect();
    let n = lines.len();
    let kept = lines.clone();
    prop_oneof![
        // A key's value replaced, or an optional key uncommented with an odd value.
        (0..n, value()).prop_map(move |(k, v)| {
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let line = lines[k].trim_start_matches("# ");
            out[k] = match line.split_once('=') {
                Some((key, _)) => format!("{key}= {v}"),
                None => format!("{line}{v}"),
            };
            out.join("\n")
        }),
        // A line lost, or written twice.
        (0..n, any::<bool>()).prop_map(move |(k, twice)| {
            let mut out = kept.clone();
            if twice {
                out.insert(k, kept[k]);
            } else {
                out.remove(k);
            }
            out.join("\n")
        }),
        // Arbitrary text spliced in at a char boundary, or the file cut short.
        (any::<prop::sample::Index>(), ".{0,12}", any::<bool>()).prop_map(|(at, junk, cut)| {
            let bounds: Vec<usize> = EXAMPLE
                .char_indices()
                .map(|(i, _)| i)
                .chain([EXAMPLE.len()])
                .collect();
            let at = bounds[at.index(bounds.len())];
            if cut {
                EXAMPLE[..at].to_owned()
            } else {
                format!("{}{junk}{}", &EXAMPLE[..at], &EXAMPLE[at..])
            }
        }),
    ]
}

#[test]
fn the_example_config_parses() {
    Config::parse(EXAMPLE, Path::new(PATH)).expect("config.toml is a working example");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn any_text_is_a_config_or_an_error_with_a_line(text in any::<String>()) {
        check_config(&text)?;
    }

    #[test]
    fn toml_shaped_text_is_a_config_or_an_error_with_a_line(
        text in "(\\[[a-z.\"가]{0,12}\\]\n|[a-z_]{1,12} = [\"0-9a-z가\\[\\]{}, .-]{0,16}\n|#[^\n]{0,8}\n){0,12}"
    ) {
        check_config(&text)?;
    }

    #[test]
    fn a_mutated_example_is_a_config_or_an_error_with_a_line(text in mutated_example()) {
        check_config(&text)?;
    }
}
