//! `briefing explain`: why each line was or was not picked.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::load_config;
use crate::job::load;
use crate::summary::summarize;

pub async fn run(config: &Path, dump: Option<&str>, article: Option<usize>) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    let summaries = summarize(&loaded.articles, &config.summary);
    if let Some(n) = article {
        if n == 0 || n > summaries.len() {
            bail!(
                "--article {n}: {} has articles 1 to {}",
                loaded.fetched.origin,
                summaries.len()
            );
        }
    }
    for (n, s) in summaries.iter().enumerate() {
        if article.is_some_and(|a| a != n + 1) {
            continue;
        }
        println!("{}. {}", n + 1, s.article.title);
        for (i, sentence) in s.sentences.iter().enumerate() {
            let mark = if s.selection.picks.contains(&i) {
                '*'
            } else {
                ' '
            };
            println!(
                "  {mark} [{i:>2}] {:>7.3}  {sentence}",
                s.selection.scores[i]
            );
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
