//! `briefing preview`: render without sending.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::load_config;
use crate::clock;
use crate::digest::Templates;
use crate::job::{load, render_group, summaries_by_k};

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    group: Option<&str>,
    out: Option<&Path>,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    let group = match group {
        Some(name) => config.group(name).with_context(|| {
            let names: Vec<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
            format!(
                "--group {name}: no such group in {} (groups: {})",
                config.path.display(),
                names.join(", ")
            )
        })?,
        None => &config.groups[0],
    };
    let templates = Templates::load(config.mail.templates.as_deref())?;
    let loaded = load(&config, dump).await?;
    let by_k = summaries_by_k(&config, &loaded.articles);
    let rendered = render_group(
        &config,
        &templates,
        &by_k,
        group,
        clock::today(config.schedule.timezone),
    )?;
    match out {
        Some(path) => {
            std::fs::write(path, &rendered.html)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "{}: {} ({} items)",
                path.display(),
                rendered.subject,
                rendered.items
            );
        }
        None => print!("{}", rendered.text),
    }
    Ok(ExitCode::SUCCESS)
}
