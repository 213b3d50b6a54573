//! The daemon: one tokio-cron-scheduler job that runs the morning job on `[schedule]`.
//!
//! Built like mini-redis's server: [`run`] takes the shutdown as a future, so tests
//! pass their own and `main` passes SIGINT/SIGTERM. On shutdown a run in progress
//! finishes the message it is sending and starts no other; the ledger stays true.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock;
use crate::config::Config;
use crate::job::{self, Options};

/// When the schedule fires next after `after`, in the schedule's time zone.
pub fn next_run(config: &Config, after: DateTime<Utc>) -> Option<DateTime<chrono_tz::Tz>> {
    config
        .schedule
        .cron
        .find_next_occurrence(&after.with_timezone(&config.schedule.timezone), false)
        .ok()
}

/// Runs until `shutdown` completes. The config file is read again at every run, so
/// recipients and options can be edited without a restart; the schedule itself is
/// the one read at start.
pub async fn run(
    config_path: &Path,
    config: &Config,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let busy = Arc::new(Mutex::new(()));
    let mut scheduler = JobScheduler::new()
        .await
        .context("cannot start the scheduler")?;
    let job = {
        let (path, stop, busy) = (config_path.to_owned(), stop.clone(), busy.clone());
        Job::new_async_tz(
            config.schedule.cron_text.as_str(),
            config.schedule.timezone,
            move |_, _| {
                let (path, stop, busy) = (path.clone(), stop.clone(), busy.clone());
                Box::pin(async move {
                    // A run that overlaps the previous one would only find it holding the lock.
                    let Ok(_running) = busy.try_lock() else {
                        tracing::warn!(
                            "the previous briefing run is still going; this one is skipped"
                        );
                        return;
                    };
                    if !stop.load(Ordering::SeqCst) {
                        scheduled_run(&path, &stop).await;
                    }
                })
            },
        )
        .with_context(|| format!("schedule.cron {:?}", config.schedule.cron_text))?
    };
    scheduler.add(job).await.context("cannot add the job")?;
    scheduler
        .start()
        .await
        .context("cannot start the scheduler")?;
    log_next(config);

    shutdown.await;
    tracing::info!("shutting down");
    stop.store(true, Ordering::SeqCst);
    let _idle = busy.lock().await;
    scheduler.shutdown().await.context("scheduler shutdown")?;
    Ok(())
}

async fn scheduled_run(path: &Path, stop: &AtomicBool) {
    let config = match Config::from_file(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("scheduled run skipped: {e}");
            return;
        }
    };
    let opts = Options {
        stop: Some(stop),
        ..Options::default()
    };
    match job::send(&config, &opts).await {
        Ok(report) if report.complete() => tracing::info!("{}", report.to_string().trim_end()),
        Ok(report) => tracing::error!("{}", report.to_string().trim_end()),
        Err(e) => tracing::error!("scheduled run failed: {e:#}"),
    }
    log_next(&config);
}

fn log_next(config: &Config) {
    match next_run(config, clock::now()) {
        Some(next) => tracing::info!("next briefing at {}", next.to_rfc3339()),
        None => tracing::warn!(
            "schedule.cron {:?} never fires again",
            config.schedule.cron_text
        ),
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn signals() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM ({e}); only SIGINT stops the daemon");
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
