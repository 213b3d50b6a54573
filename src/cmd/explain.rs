//! `briefing explain`: why each line was or was not picked.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::load_config;
use crate::job::load;
use crate::score::Idf;
use crate::select::explain;
use crate::split::split;

pub async fn run(config: &Path, dump: Option<&str>, article: Option<usize>) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    let articles = &loaded.articles;
    if let Some(n) = article {
        if n == 0 || n > articles.len() {
            bail!(
                "--article {n}: {} has articles 1 to {}",
                loaded.fetched.origin,
                articles.len()
            );
        }
    }
    // The same rarity weights as the briefing: measured over the whole dump.
    let idf = Idf::from_texts(articles.iter().map(|a| a.body.as_str()));
    for (n, a) in articles.iter().enumerate() {
        if article.is_some_and(|want| want != n + 1) {
            continue;
        }
        let sentences = split(&a.body);
        println!("{}. {}", n + 1, a.title);
        println!(
            "{}",
            explain(
                &sentences,
                Some(&a.title),
                a.label.as_deref(),
                &idf,
                &config.summary
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}
