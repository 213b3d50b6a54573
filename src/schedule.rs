//! The daemon: one tokio-cron-scheduler job that runs the morning job on `[schedule]`.
//!
//! Built like mini-redis's server: [`run`] takes the shutdown as a future, so tests
//! pass their own and `main` passes SIGINT/SIGTERM. On shutdown a run in progress
//! finishes the messages in flight and starts no other; the ledger stays true. At
//! start-up, a run missed while the daemon was down is made up within the grace window.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Timelike, Utc};
use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock;
use crate::config::{format_duration, Config};
use crate::job::{self, Options};
use crate::ledger::{self, LedgerError, Standing};

/// When the schedule fires next after `after`, in the schedule's time zone.
pub fn next_run(config: &Config, after: DateTime<Utc>) -> Option<DateTime<chrono_tz::Tz>> {
    config
        .schedule
        .cron
        .find_next_occurrence(
            &whole_seconds(after).with_timezone(&config.schedule.timezone),
            false,
        )
        .ok()
}

/// Today's last scheduled time up to `now`, if today's briefing has not reached every
/// configured recipient (per the ledger). Only today's: yesterday's news is not worth
/// sending at start-up, and the ledger is per day, so this never makes two briefings.
pub fn missed(
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<chrono_tz::Tz>>, LedgerError> {
    let local = whole_seconds(now).with_timezone(&config.schedule.timezone);
    let Ok(due) = config.schedule.cron.find_previous_occurrence(&local, true) else {
        return Ok(None);
    };
    if due.date_naive() != local.date_naive() {
        return Ok(None);
    }
    let date = local.date_naive().to_string();
    for group in &config.groups {
        let standings =
            ledger::standings(&config.state_dir, &date, &group.name, &group.addresses())?;
        if standings
            .iter()
            .any(|(_, s)| !matches!(s, Standing::Delivered { .. }))
        {
            return Ok(Some(due));
        }
    }
    Ok(None)
}

/// croner keeps the sub-second part of its start: cut it so 07:00 prints as 07:00.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
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
    let run_once = {
        let (path, stop, busy) = (config_path.to_owned(), stop.clone(), busy.clone());
        move || {
            let (path, stop, busy) = (path.clone(), stop.clone(), busy.clone());
            Box::pin(async move {
                // A run that overlaps the previous one would only find it holding the lock.
                let Ok(_running) = busy.try_lock() else {
                    tracing::warn!("the previous briefing run is still going; this one is skipped");
                    return;
                };
                if !stop.load(Ordering::SeqCst) {
                    scheduled_run(&path, &stop).await;
                }
            })
        }
    };
    let job = {
        let run_once = run_once.clone();
        Job::new_async_tz(
            config.schedule.cron_text.as_str(),
            config.schedule.timezone,
            move |_, _| run_once(),
        )
        .with_context(|| format!("schedule.cron {:?}", config.schedule.cron_text))?
    };
    scheduler.add(job).await.context("cannot add the job")?;
    scheduler
        .start()
        .await
        .context("cannot start the scheduler")?;
    let now = clock::now();
    let catch_up = config.schedule.catch_up;
    match missed(config, now) {
        Ok(Some(at)) if (now - at.to_utc()).to_std().unwrap_or_default() <= catch_up => {
            tracing::info!(
                "the briefing due at {} has not reached everyone: catching up now (schedule.catch_up = {})",
                at.to_rfc3339(),
                format_duration(catch_up)
            );
            tokio::spawn(run_once());
        }
        Ok(Some(at)) => tracing::warn!(
            "missed: the briefing due at {} has not reached everyone, and it is past schedule.catch_up = {}; `briefing send` sends it by hand",
            at.to_rfc3339(),
            format_duration(catch_up)
        ),
        Ok(None) => {}
        Err(e) => tracing::error!("cannot tell whether a run was missed: {e}"),
    }
    log_next(config);

    shutdown.await;
    tracing::info!("shutting down");
    stop.store(true, Ordering::SeqCst);
    let _idle = busy.lock().await;
    scheduler.shutdown().await.context("scheduler shutdown")?;
    Ok(())
}

/// One scheduled run. When the relay cannot be reached (its retries spent), the run is
/// tried again for as long as a missed run would still be caught up (`schedule.catch_up`),
/// so a relay restarting at 07:00 does not cost the day's briefing.
async fn scheduled_run(path: &Path, stop: &AtomicBool) {
    let started = std::time::Instant::now();
    loop {
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
        let server_down = match job::send(&config, &opts).await {
            Ok(report) if report.complete() => {
                tracing::info!("{}", report.to_string().trim_end());
                false
            }
            Ok(report) => {
                tracing::error!("{}", report.to_string().trim_end());
                report.server_down
            }
            Err(e) => {
                tracing::error!("scheduled run failed: {e:#}");
                false
            }
        };
        let grace = config.schedule.catch_up;
        let pause = (grace / 8).clamp(Duration::from_secs(1), Duration::from_secs(300));
        if server_down && started.elapsed() + pause <= grace {
            tracing::warn!(
                "the mail server could not be reached; trying the rest again in {} (within schedule.catch_up = {})",
                format_duration(pause),
                format_duration(grace)
            );
            if job::pause_unless_stopped(pause, Some(stop)).await {
                continue;
            }
        }
        log_next(&config);
        return;
    }
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
