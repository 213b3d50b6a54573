//! `briefing send`: the manual trigger.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;

use super::{load_config, named_group, EXIT_INCOMPLETE};
use crate::config::parse_mailbox;
use crate::job::{self, Options};
use crate::schedule::signals;

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    dry_run: bool,
    to: Option<&str>,
    force: bool,
    group: Option<&str>,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    if let Some(name) = group {
        named_group(&config, name)?;
    }
    let to = to
        .map(|t| parse_mailbox(t).map_err(|e| anyhow::anyhow!("--to: {e}")))
        .transpose()?;
    let stop = AtomicBool::new(false);
    let opts = Options {
        dump,
        dry_run,
        to,
        force,
        group,
        stop: Some(&stop),
    };
    // On SIGINT/SIGTERM the messages in flight finish (or are recorded as failed) and no
    // new one starts, so the ledger stays true and a rerun completes the briefing.
    let job = job::send(&config, &opts);
    tokio::pin!(job);
    let report = tokio::select! {
        report = &mut job => report,
        () = signals() => {
            tracing::warn!("shutting down: finishing the messages in flight, starting no other");
            stop.store(true, Ordering::SeqCst);
            job.await
        }
    };
    let report = match report {
        Ok(report) => report,
        // Stopped before delivery: nobody got anything, and a rerun does it all.
        Err(e) if e.is_shutdown() => {
            eprintln!("briefing: {e}");
            return Ok(ExitCode::from(EXIT_INCOMPLETE));
        }
        Err(e) => return Err(e.into()),
    };
    print!("{report}");
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INCOMPLETE)
    })
}
