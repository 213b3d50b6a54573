//! `briefing explain`: why each line was or was not picked.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{load_config, write_stdout};
use crate::config::Config;
use crate::dump::Article;
use crate::glance::glance;
use crate::job::load;
use crate::score::Idf;
use crate::select::explain;
use crate::split::split;
use crate::summary::{summarize, Summary};

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    article: Option<usize>,
    day: bool,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    let articles = &loaded.articles;
    if day {
        explain_day(&config, articles, &loaded.origin())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(n) = article {
        if n == 0 || n > articles.len() {
            bail!(
                "--article {n}: {} has articles 1 to {}",
                loaded.origin(),
                articles.len()
            );
        }
    }
    // The same rarity weights as the briefing: measured over the whole dump.
    let idf = Idf::from_texts(articles.iter().map(|a| a.body.as_str()));
    write_stdout(|out| {
        for (n, a) in articles.iter().enumerate() {
            if article.is_some_and(|want| want != n + 1) {
                continue;
            }
            let sentences = split(&a.body);
            let outlet = a.outlet.as_ref().map(|o| format!(" ({o})"));
            writeln!(out, "{}. {}{}", n + 1, a.title, outlet.unwrap_or_default())?;
            if let Some(url) = &a.url {
                writeln!(out, "   {url}")?;
            }
            let why = explain(
                &sentences,
                Some(&a.title),
                a.label.as_deref(),
                &idf,
                &config.summary,
            );
            writeln!(out, "{why}")?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The day at a glance of the whole dump, as a group without filters gets it, with the
/// stories behind each keyword and figure.
fn explain_day(config: &Config, articles: &[Article], origin: &str) -> Result<()> {
    let summaries = summarize(articles, &config.summary);
    let shown: Vec<&Summary> = summaries.iter().collect();
    let g = glance(&shown);
    let title = |n: usize| shown.get(n - 1).map_or("", |s| s.article.title.as_str());
    write_stdout(|out| {
        writeln!(
            out,
            "the day at a glance of {origin} ({} articles)",
            articles.len()
        )?;
        writeln!(out, "keywords: content words in at least two stories' titles and key lines, the most widely carried first")?;
        for k in &g.keywords {
            let items: Vec<String> = k.items.iter().map(usize::to_string).collect();
            writeln!(
                out,
                "  {} in {} stories: {}",
                k.word,
                k.articles,
                items.join(", ")
            )?;
        }
        writeln!(out, "figures: the first figure of each story's key lines that counts something (not a date, a time or an aside in brackets), with the words before it")?;
        for f in &g.figures {
            writeln!(out, "  {} from story {}: {}", f.text, f.item, title(f.item))?;
        }
        Ok(())
    })
}
