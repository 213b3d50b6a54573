//! `briefing pick --jsonl`: the selection on pre-split articles, for evaluation.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::score::Idf;
use crate::select::{select, SummaryConfig};

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    sentences: Vec<String>,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    picked: Vec<usize>,
}

pub fn run(config: &Path, jsonl: &Path, k: Option<usize>) -> Result<ExitCode> {
    // The weights come from the config when there is one; evaluation runs often have none.
    let mut summary = if config.exists() {
        Config::from_file(config)?.summary
    } else {
        SummaryConfig::default()
    };
    if let Some(k) = k {
        summary.lines_per_article = k;
    }
    let name = jsonl.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(BufReader::new(
            File::open(jsonl).with_context(|| format!("cannot open {name}"))?,
        ))
    };
    let mut articles = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}: line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = serde_json::from_str(&line)
            .with_context(|| format!("{name}: line {}: not an article object", n + 1))?;
        articles.push(input);
    }
    // Rarity is measured over the whole file, as it is over a whole dump.
    let joined: Vec<String> = articles.iter().map(|a| a.sentences.join(" ")).collect();
    let idf = Idf::from_texts(joined.iter().map(String::as_str));
    let mut out = BufWriter::new(io::stdout().lock());
    for a in &articles {
        let sentences: Vec<&str> = a.sentences.iter().map(String::as_str).collect();
        let selection = select(&sentences, a.title.as_deref(), &idf, &summary);
        serde_json::to_writer(
            &mut out,
            &Output {
                id: &a.id,
                picked: selection.picks,
            },
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
