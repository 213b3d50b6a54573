//! `briefing split`: one document per input line, one sentence per output line.
//!
//! The whole input is read and checked as UTF-8 once, and the output is built in one
//! buffer: per-line reads and writes would cost more than the splitting itself.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::split::for_each_range;

pub fn run(file: Option<&Path>) -> Result<ExitCode> {
    let name = file.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let mut data = Vec::new();
    match file {
        Some(path) => File::open(path)
            .and_then(|mut f| f.read_to_end(&mut data))
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => io::stdin()
            .lock()
            .read_to_end(&mut data)
            .with_context(|| format!("cannot read {name}"))?,
    };
    let text = std::str::from_utf8(&data).map_err(|e| {
        let line = data[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        anyhow::anyhow!("{name}: line {line}: not UTF-8 text")
    })?;

    // Sentences never grow: the input size plus one newline per document is enough
    // for most inputs, and the buffer grows if a document has many short sentences.
    let mut out = Vec::with_capacity(text.len() + text.len() / 8 + 16);
    for line in text.lines() {
        for_each_range(line, |r| {
            out.extend_from_slice(&line.as_bytes()[r]);
            out.push(b'\n');
        });
        out.push(b'\n');
    }
    super::write_stdout(|stdout| stdout.write_all(&out))?;
    Ok(ExitCode::SUCCESS)
}
