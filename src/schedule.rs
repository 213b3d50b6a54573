//! The daemon: one tokio-cron-scheduler job that runs the morning job on `[schedule]`.
//!
//! Built like mini-redis's server: [`run`] takes the shutdown as a future, so tests
//! pass their own and `main` passes SIGINT/SIGTERM. On shutdown a run in progress
//! finishes the messages in flight and starts no other; the ledger stays true. At
//! start-up, a run missed while the daemon was down is made up within the grace window.

use std::future::Future;
use std::net::SocketAddr;
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
use crate::web;

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
/// the one read at start. With `listen`, the web endpoint ([`crate::web`]) serves
/// beside the scheduler, sharing its run mutex and stop flag.
pub async fn run(
    config_path: &Path,
    config: &Config,
    listen: Option<SocketAddr>,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let busy = Arc::new(Mutex::new(()));
    // Bound first: a listener that cannot start stops the daemon before any run.
    let web = match listen {
        None => None,
        Some(addr) => {
            let listener = web::Listener::bind(config, addr).await?;
            tracing::info!("listening on http://{}", listener.local_addr()?);
            let (tell, told) = tokio::sync::oneshot::channel::<()>();
            let daemon = web::Daemon {
                config_path: config_path.to_owned(),
                started_with: config.clone(),
                busy: busy.clone(),
                stop: stop.clone(),
            };
            let serving = tokio::spawn(web::serve(listener, daemon, async {
                let _ = told.await;
            }));
            Some((tell, serving))
        }
    };
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
    if let Some((tell, serving)) = web {
        let _ = tell.send(());
        match serving.await {
            Ok(Err(e)) => tracing::error!("{e:#}"),
            Err(e) => tracing::error!("the web endpoint failed: {e}"),
            Ok(Ok(())) => {}
        }
    }
    let _idle = busy.lock().await;
    scheduler.shutdown().await.context("scheduler shutdown")?;
    Ok(())
}

/// How long to wait before the `n`th retry (from 0) of a run or a deferred recipient:
/// 1, 5, 15, 30, then every 60 minutes, as MTAs space their queue runs, but never more
/// than an eighth of the window (`schedule.catch_up`), so that even a short window gets
/// several tries.
pub fn retry_pause(n: u32, window: Duration) -> Duration {
    const MINUTES: [u64; 5] = [1, 5, 15, 30, 60];
    let step = MINUTES[(n as usize).min(MINUTES.len() - 1)];
    Duration::from_secs(step * 60).min((window / 8).max(Duration::from_secs(1)))
}

/// What the daemon does after one try of a scheduled run.
enum Next {
    Done,
    /// Try again after this long, if the window allows.
    Retry(Duration, &'static str),
}

/// One scheduled run, tried again for as long as a missed run would still be caught up
/// (`schedule.catch_up`) while what stopped it may pass: a relay or a dump server that
/// is restarting at 07:00, a greylisting server, a manual `send` holding the lock. At
/// the end of that window, recipients still deferred are recorded as failed.
async fn scheduled_run(path: &Path, stop: &AtomicBool) {
    let started = std::time::Instant::now();
    let mut round = 0;
    loop {
        let config = match Config::from_file(path) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("scheduled run skipped: {e}");
                return;
            }
        };
        let grace = config.schedule.catch_up;
        let next = try_once(&config, stop, round).await;
        round += 1;
        if let Next::Retry(pause, why) = next {
            if started.elapsed() + pause <= grace {
                tracing::warn!(
                    "{why}; trying again in {} (within schedule.catch_up = {})",
                    format_duration(pause),
                    format_duration(grace)
                );
                if job::pause_unless_stopped(pause, Some(stop)).await {
                    continue;
                }
                return;
            }
            give_up(&config, why);
        }
        log_next(&config);
        return;
    }
}

async fn try_once(config: &Config, stop: &AtomicBool, round: u32) -> Next {
    let opts = Options {
        stop: Some(stop),
        ..Options::default()
    };
    let grace = config.schedule.catch_up;
    match job::send(config, &opts).await {
        Ok(report) if report.complete() => {
            tracing::info!("{}", report.summary());
            Next::Done
        }
        Ok(report) => {
            tracing::error!("{}", report.summary());
            if report.server_down {
                Next::Retry(
                    retry_pause(round, grace),
                    "the mail server could not be reached",
                )
            } else if let Some(due) = report.next_try() {
                let wait = (due - clock::now()).to_std().unwrap_or_default();
                Next::Retry(wait, "some recipients were deferred (a temporary failure)")
            } else {
                Next::Done
            }
        }
        Err(e) if e.is_shutdown() => Next::Done,
        Err(e) => {
            let line = crate::cmd::one_line(&e);
            tracing::error!("scheduled run failed: {line}");
            match e.is_transient() {
                true => Next::Retry(retry_pause(round, grace), "the run could not start"),
                false => Next::Done,
            }
        }
    }
}

/// The end of the window: every recipient still deferred is recorded as failed, so
/// that `status` says so and tomorrow's run does not keep trying yesterday's briefing.
fn give_up(config: &Config, why: &str) {
    let date = clock::today(config.schedule.timezone).to_string();
    match job::give_up_deferred(config, &date) {
        Ok(0) => tracing::error!(
            "{why}, and schedule.catch_up = {} is over: giving up on this run; `briefing send` retries by hand",
            format_duration(config.schedule.catch_up)
        ),
        Ok(n) => tracing::error!(
            "{why}, and schedule.catch_up = {} is over: {n} deferred recipients recorded as failed",
            format_duration(config.schedule.catch_up)
        ),
        Err(e) => tracing::error!("cannot record the deferred recipients as failed: {e}"),
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
