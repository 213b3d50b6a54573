//! `briefing send`: the manual trigger.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{load_config, EXIT_INCOMPLETE};
use crate::config::parse_mailbox;
use crate::job::{self, Options};

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    dry_run: bool,
    to: Option<&str>,
    force: bool,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    let to = to
        .map(|t| parse_mailbox(t).map_err(|e| anyhow::anyhow!("--to: {e}")))
        .transpose()?;
    let opts = Options {
        dump,
        dry_run,
        to,
        force,
        stop: None,
    };
    let report = job::send(&config, &opts).await?;
    print!("{report}");
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INCOMPLETE)
    })
}
