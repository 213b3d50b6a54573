//! `briefing preview`: render without sending.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{load_config, named_group, stderr_line, write_stdout};
use crate::clock;
use crate::job::prepare;

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    group: Option<&str>,
    out: Option<&Path>,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    let group = match group {
        Some(name) => named_group(&config, name)?,
        None => &config.groups[0],
    };
    // The same briefing `send` (and its dry run) would deliver now: from the dump kept
    // for today once delivery started, without what earlier briefings carried.
    let date = clock::today(config.schedule.timezone);
    let day = prepare(&config, dump, date, false, None).await?;
    let index = config
        .groups
        .iter()
        .position(|g| g.name == group.name)
        .unwrap_or_default();
    let rendered = &day.rendered[index];
    match out {
        Some(path) => {
            std::fs::write(path, &rendered.html)
                .with_context(|| format!("cannot write {}", path.display()))?;
            stderr_line(format_args!(
                "{}: {} ({} items)",
                path.display(),
                rendered.subject,
                rendered.items
            ));
        }
        None => write_stdout(|out| out.write_all(rendered.text.as_bytes()))?,
    }
    Ok(ExitCode::SUCCESS)
}
