//! `briefing pick --jsonl`: the selection on pre-split articles, for evaluation; with
//! `--features`, the feature vectors the selection scores, for fitting its weights.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{stderr_line, write_stdout};
use crate::config::{Config, SummaryConfig};
use crate::score::Idf;
use crate::select::{analyse, select, FeatureRows, Heading, FEATURES};

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    sentences: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    label: Option<String>,
    /// For a story of a round-up, the round-up's title, as in a dump.
    #[serde(default)]
    roundup: Option<String>,
}

/// A title's leading `[label]`, as a dump would have split it off.
fn title_label(title: &str) -> Option<&str> {
    let rest = title.trim_start().strip_prefix('[')?;
    rest.split_once(']').map(|(label, _)| label.trim())
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    picked: Vec<usize>,
}

#[derive(Serialize)]
struct FeatureOutput<'a> {
    id: &'a serde_json::Value,
    /// The feature names and their weights' `[summary]` keys, so that a reader needs
    /// no copy of [`FEATURES`].
    names: Vec<&'static str>,
    keys: Vec<&'static str>,
    #[serde(flatten)]
    rows: FeatureRows,
}

/// The `[summary]` table of `path`. A full config is checked as `briefing check` would;
/// a file holding only `[summary]` (weights being tried out on an evaluation set) is
/// accepted too, since picking needs nothing else.
fn summary_config(path: &Path) -> Result<SummaryConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{}: not TOML", path.display()))?;
    if table.keys().any(|k| k != "summary") {
        return Ok(Config::from_file(path)?.summary);
    }
    let summary: SummaryConfig = match table.get("summary") {
        Some(v) => v
            .clone()
            .try_into()
            .with_context(|| format!("{}: [summary]", path.display()))?,
        None => SummaryConfig::default(),
    };
    anyhow::ensure!(
        summary.lines_per_article > 0,
        "{}: summary.lines_per_article must be at least 1",
        path.display()
    );
    Ok(summary)
}

pub fn run(config: &Path, jsonl: &Path, k: Option<usize>, features: bool) -> Result<ExitCode> {
    // The weights come from the config when there is one; evaluation runs often have none.
    let mut summary = if config.exists() {
        summary_config(config)?
    } else {
        SummaryConfig::default()
    };
    // `--k` is what every article is judged at, round-up items too.
    if let Some(k) = k {
        summary.lines_per_article = k;
        summary.roundup_lines = k;
    }
    let name = jsonl.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(BufReader::new(
            File::open(jsonl).with_context(|| format!("cannot open {name}"))?,
        ))
    };
    // A bad line is reported and skipped: the good lines still get their picks, and
    // the exit code says that something was left out.
    let mut articles = Vec::new();
    let mut bad = 0;
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}: line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Input>(&line) {
            Ok(input) => articles.push(input),
            Err(e) => {
                stderr_line(format_args!(
                    "briefing: {name}: line {}: not an article object: {e}",
                    n + 1
                ));
                bad += 1;
            }
        }
    }
    // Rarity is measured over the whole file, as it is over a whole dump.
    let joined: Vec<String> = articles.iter().map(|a| a.sentences.join(" ")).collect();
    let idf = Idf::from_texts(joined.iter().map(String::as_str));
    write_stdout(|out| {
        for a in &articles {
            write_pick(out, a, &idf, &summary, features)?;
        }
        Ok(())
    })?;
    if bad > 0 {
        stderr_line(format_args!("briefing: {name}: {bad} bad lines skipped"));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// One article's line: its picks, or with `features` its feature vectors.
fn write_pick(
    out: &mut dyn Write,
    a: &Input,
    idf: &Idf,
    summary: &SummaryConfig,
    features: bool,
) -> io::Result<()> {
    let sentences: Vec<&str> = a.sentences.iter().map(String::as_str).collect();
    let title = a.title.as_deref();
    let label = a.label.as_deref().or_else(|| title.and_then(title_label));
    let heading = Heading {
        title,
        label,
        roundup: a.roundup.is_some(),
    };
    if features {
        let analysis = analyse(&sentences, &heading, idf, summary);
        let output = FeatureOutput {
            id: &a.id,
            names: FEATURES.iter().map(|&(name, _)| name).collect(),
            keys: FEATURES.iter().map(|&(_, key)| key).collect(),
            rows: FeatureRows::from(&analysis),
        };
        serde_json::to_writer(&mut *out, &output)?;
    } else {
        let selection = select(&sentences, &heading, idf, summary);
        let output = Output {
            id: &a.id,
            picked: selection.picks,
        };
        serde_json::to_writer(&mut *out, &output)?;
    }
    out.write_all(b"\n")
}
