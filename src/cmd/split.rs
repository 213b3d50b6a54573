//! `briefing split`: one document per input line, one sentence per output line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::split::split;

pub fn run(file: Option<&Path>) -> Result<ExitCode> {
    let input: Box<dyn BufRead> = match file {
        Some(path) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        None => Box::new(BufReader::with_capacity(1 << 20, io::stdin().lock())),
    };
    let name = file.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    for (n, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("{name}: line {}: not UTF-8 text", n + 1))?;
        for sentence in split(line.trim_end_matches('\r')) {
            out.write_all(sentence.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
