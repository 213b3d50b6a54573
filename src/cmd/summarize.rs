//! `briefing summarize`: the key lines of every article.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::load_config;
use crate::cli::Format;
use crate::job::load;
use crate::summary::{summarize, JsonSummaries};

pub async fn run(config: &Path, dump: Option<&str>, format: Format) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    let summaries = summarize(&loaded.articles, &config.summary);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&JsonSummaries::new(&summaries))?
        ),
        Format::Text => {
            for (n, s) in summaries.iter().enumerate() {
                let a = s.article;
                let label = a
                    .label
                    .as_deref()
                    .map(|l| format!("[{l}] "))
                    .unwrap_or_default();
                let time = a
                    .published_at
                    .map(|t| format!(" ({})", t.format("%Y-%m-%d %H:%M")))
                    .unwrap_or_default();
                println!("{}. {label}{}{time}", n + 1, a.title);
                for line in s.key_lines() {
                    println!("   - {line}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
