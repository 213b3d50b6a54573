//! `briefing summarize`: the key lines of every article.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{load_config, write_stdout};
use crate::cli::Format;
use crate::job::load;
use crate::merge;
use crate::summary::{summarize_stories, JsonSummaries};

pub async fn run(config: &Path, dump: Option<&str>, format: Format) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    // One entry per story, as the briefing tells it; `explain --merges` says why.
    let stories = merge::stories(&loaded.articles, config.merge.threshold);
    let summaries = summarize_stories(&loaded.articles, &stories, &config.summary);
    // Streamed: the JSON of a large dump is bigger than the dump, and need not be held
    // whole before the first byte goes out.
    write_stdout(|out| match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &JsonSummaries::new(&summaries))?;
            writeln!(out)
        }
        Format::Text => {
            for (n, s) in summaries.iter().enumerate() {
                let a = s.article;
                let label = a
                    .label
                    .as_deref()
                    .map(|l| format!("[{l}] "))
                    .unwrap_or_default();
                let beside: Vec<String> = a
                    .published_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .into_iter()
                    .chain(a.outlet.clone())
                    .collect();
                let beside = match beside.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", beside.join(" · ")),
                };
                writeln!(out, "{}. {label}{}{beside}", n + 1, a.title)?;
                if let Some(url) = &a.url {
                    writeln!(out, "   {url}")?;
                }
                for line in s.key_lines() {
                    writeln!(out, "   - {line}")?;
                }
                if !s.also.is_empty() {
                    writeln!(out, "   {}건 보도 · 같은 소식:", 1 + s.also.len())?;
                }
                for other in &s.also {
                    let outlet = other
                        .outlet
                        .as_deref()
                        .map(|o| format!("{o} "))
                        .unwrap_or_default();
                    writeln!(out, "     {outlet}「{}」", other.title)?;
                    if let Some(url) = &other.url {
                        writeln!(out, "       {url}")?;
                    }
                }
            }
            Ok(())
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
