//! The daemon: every group's briefing at its schedule's times, one run per distinct
//! schedule (groups with the same cron and zone share a run).
//!
//! Built like mini-redis's server: [`run`] takes the shutdown as a future, so tests
//! pass their own and `main` passes SIGINT/SIGTERM. On shutdown a run in progress
//! finishes the messages in flight and starts no other; the ledger stays true. At
//! start-up, a run missed while the daemon was down is made up within `catch_up`.
//!
//! The times come from [`clock::now`], not from a timer of their own: under a pinned
//! clock (`BRIEFING_NOW`) the daemon's clock starts at the pinned instant and advances
//! with real time ([`clock::follow_real_time`]), so a test that pins 06:59:58 sees the
//! 07:00 run two seconds later. The config in force is a [`watch`] value that
//! `schedule/reload.rs` replaces (SIGHUP, or an edit of the file); each run keeps the config it
//! started with.

mod reload;

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use tokio::sync::{watch, Mutex};

use crate::clock;
use crate::config::{format_duration, Config, Group, Schedule};
use crate::job::{self, Options};
use crate::ledger::{self, Deferrals, DeferredRun, LedgerError, Standing};
use crate::web;

/// Days a search for the next run jumps over before it gives up: two years of weekends
/// and holidays.
const SKIPPED_DAYS: usize = 731;

/// When `schedule` fires next after `after`, in its zone, on a day it does not skip.
pub fn next_run(schedule: &Schedule, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
    let mut from = whole_seconds(after).with_timezone(&schedule.timezone);
    let mut inclusive = false;
    for _ in 0..SKIPPED_DAYS {
        let next = schedule.cron.find_next_occurrence(&from, inclusive).ok()?;
        if schedule.skips(next.date_naive()).is_none() {
            return Some(next);
        }
        from = start_of(next.date_naive().succ_opt()?, schedule.timezone)?;
        inclusive = true;
    }
    None
}

/// The next `n` runs after `after`, for `check`.
pub fn next_runs(schedule: &Schedule, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
    std::iter::successors(next_run(schedule, after), |t| {
        next_run(schedule, t.to_utc())
    })
    .take(n)
    .collect()
}

/// The first moment of `date` in `tz` (a day that starts at 00:30 after a change of
/// clocks starts then).
fn start_of(date: NaiveDate, tz: Tz) -> Option<DateTime<Tz>> {
    (0..24).find_map(|h| {
        tz.from_local_datetime(&date.and_hms_opt(h, 0, 0)?)
            .earliest()
    })
}

/// Today's last time of `schedule` up to `now`, unless today is skipped. Only today's:
/// yesterday's news is not worth sending, and the ledger is per day.
pub fn last_due(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
    let local = whole_seconds(now).with_timezone(&schedule.timezone);
    let due = schedule.cron.find_previous_occurrence(&local, true).ok()?;
    let today = local.date_naive();
    (due.date_naive() == today && schedule.skips(today).is_none()).then_some(due)
}

/// Past `catch_up` after `due`: no run will send it any more.
pub fn is_late(config: &Config, due: DateTime<Tz>, now: DateTime<Utc>) -> bool {
    (now - due.to_utc()).to_std().unwrap_or_default() > config.schedule.catch_up
}

/// The command that sends `groups` by hand: `briefing send` for all of the config's
/// (when they all date their briefing in `[schedule]`'s zone, as a `send` of every
/// group does), else one `--group` each.
pub fn send_command(config: &Config, groups: &[&str]) -> String {
    let one_zone = config
        .groups
        .iter()
        .all(|g| g.schedule.timezone == config.schedule.timezone);
    if one_zone && groups.len() == config.groups.len() {
        "`briefing send`".into()
    } else {
        let each: Vec<String> = groups
            .iter()
            .map(|g| format!("`briefing send --group {g}`"))
            .collect();
        each.join(", ")
    }
}

/// The groups whose time today has passed and whose briefing has not reached every
/// recipient (per the ledger), with that time.
fn missed(config: &Config, now: DateTime<Utc>) -> Result<Vec<(&Group, DateTime<Tz>)>, LedgerError> {
    let mut out = Vec::new();
    for group in &config.groups {
        let Some(due) = last_due(&group.schedule, now) else {
            continue;
        };
        let date = due.date_naive().to_string();
        let standings =
            ledger::standings(&config.state_dir, &date, &group.name, &group.addresses())?;
        if standings
            .iter()
            .any(|(_, s)| !matches!(s, Standing::Delivered { .. }))
        {
            out.push((group, due));
        }
    }
    Ok(out)
}

/// The config's distinct schedules, each with its groups, in the order of the file.
pub fn schedules(config: &Config) -> Vec<(&Schedule, Vec<&Group>)> {
    let mut out: Vec<(&Schedule, Vec<&Group>)> = Vec::new();
    for group in &config.groups {
        match out.iter_mut().find(|(s, _)| s.same_run(&group.schedule)) {
            Some((_, groups)) => groups.push(group),
            None => out.push((&group.schedule, vec![group])),
        }
    }
    out
}

/// The earliest next run after `after` of any group, and the groups due then, one
/// list per schedule.
fn plan(config: &Config, after: DateTime<Utc>) -> Option<(DateTime<Utc>, Vec<Vec<String>>)> {
    let nexts: Vec<(&Group, DateTime<Utc>)> = config
        .groups
        .iter()
        .filter_map(|g| Some((g, next_run(&g.schedule, after)?.to_utc())))
        .collect();
    let at = nexts.iter().map(|(_, t)| *t).min()?;
    let mut runs: Vec<(&Schedule, Vec<String>)> = Vec::new();
    for (group, _) in nexts.iter().filter(|(_, t)| *t == at) {
        match runs.iter_mut().find(|(s, _)| s.same_run(&group.schedule)) {
            Some((_, names)) => names.push(group.name.clone()),
            None => runs.push((&group.schedule, vec![group.name.clone()])),
        }
    }
    Some((at, runs.into_iter().map(|(_, names)| names).collect()))
}

/// croner keeps the sub-second part of its start: cut it so 07:00 prints as 07:00.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// What every run shares: one run at a time (scheduled, from the web endpoint, or a
/// retry), and the stop flag of a shutdown.
#[derive(Clone)]
struct Runner {
    busy: Arc<Mutex<()>>,
    stop: Arc<AtomicBool>,
    /// One entry per schedule that has a run going (with its retries): a schedule
    /// that fires again before its run is over does not start a second one.
    going: Arc<std::sync::Mutex<HashSet<String>>>,
    /// The runs waiting for another try, noted for `status`.
    deferrals: Arc<Deferrals>,
}

impl Runner {
    /// Starts the run of `groups` due at `due`, unless their schedule has one going.
    fn start(&self, config: Arc<Config>, groups: Vec<String>, due: DateTime<Utc>) {
        let key = groups.join(", ");
        let fresh = self
            .going
            .lock()
            .map(|mut going| going.insert(key.clone()))
            .unwrap_or(false);
        if !fresh {
            tracing::warn!("the previous run of {key} is still going; this one is skipped");
            return;
        }
        let runner = self.clone();
        tokio::spawn(async move {
            runner.scheduled_run(&config, &groups, due).await;
            runner.deferrals.clear(&groups);
            if let Ok(mut going) = runner.going.lock() {
                going.remove(&key);
            }
        });
    }

    /// One scheduled run of `groups`, tried again for as long as `catch_up` after its
    /// time allows while what stopped it may pass: a relay or a dump server that is
    /// restarting at 07:00, a greylisting server, a manual `send` holding the lock. At
    /// the end of that window, recipients still deferred are recorded as failed. The
    /// run keeps the config it started with: a reload applies from the next run.
    async fn scheduled_run(&self, config: &Config, groups: &[String], due: DateTime<Utc>) {
        let Some(config) = for_groups(config, groups) else {
            return;
        };
        let deadline =
            due + chrono::Duration::from_std(config.schedule.catch_up).unwrap_or_default();
        let mut round = 0;
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let next = {
                let _running = self.busy.lock().await;
                try_once(&config, &self.stop, round).await
            };
            round += 1;
            if let Next::Retry(pause, why, reason) = next {
                let grace = format_duration(config.schedule.catch_up);
                let then = clock::now() + chrono::Duration::from_std(pause).unwrap_or_default();
                if then <= deadline {
                    let tz = config.schedule.timezone;
                    tracing::warn!(
                        "{why}; trying again in {} (within schedule.catch_up = {grace}): the run is deferred, next try at {}",
                        format_duration(pause),
                        then.with_timezone(&tz)
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
                    );
                    self.deferrals.note(DeferredRun {
                        date: clock::today(tz).to_string(),
                        groups: groups.to_vec(),
                        reason,
                        next_try: then,
                    });
                    if job::pause_unless_stopped(pause, Some(&self.stop)).await {
                        continue;
                    }
                    return;
                }
                let _running = self.busy.lock().await;
                give_up(&config, why);
            }
            return;
        }
    }
}

/// The config of a run of `groups`: only they are sent (another group's time has not
/// come), and "today" is the date in their schedule's zone.
fn for_groups(config: &Config, groups: &[String]) -> Option<Config> {
    let mut config = config.clone();
    config.groups.retain(|g| groups.contains(&g.name));
    config.schedule.timezone = config.groups.first()?.schedule.timezone;
    Some(config)
}

/// Runs until `shutdown` completes. With `listen`, the web endpoint ([`crate::web`])
/// serves beside the scheduler, sharing its run mutex and stop flag.
pub async fn run(
    config_path: &Path,
    config: &Config,
    listen: Option<SocketAddr>,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    if clock::follow_real_time() {
        let pinned = whole_seconds(clock::now()).with_timezone(&config.schedule.timezone);
        tracing::info!(
            "the clock is pinned (BRIEFING_NOW) at {}: the daemon's clock advances with real time from there",
            pinned.to_rfc3339()
        );
    }
    let runner = Runner {
        busy: Arc::new(Mutex::new(())),
        stop: Arc::new(AtomicBool::new(false)),
        going: Arc::default(),
        deferrals: Arc::new(Deferrals::open(&config.state_dir)),
    };
    let (publish, live) = watch::channel(Arc::new(config.clone()));
    // Bound first: a listener that cannot start stops the daemon before any run.
    let web = match listen {
        None => None,
        Some(addr) => {
            let listener = web::Listener::bind(config, addr).await?;
            tracing::info!("listening on http://{}", listener.local_addr()?);
            let (tell, told) = tokio::sync::oneshot::channel::<()>();
            let daemon = web::Daemon {
                live: live.clone(),
                busy: runner.busy.clone(),
                stop: runner.stop.clone(),
            };
            let serving = tokio::spawn(web::serve(listener, daemon, async {
                let _ = told.await;
            }));
            Some((tell, serving))
        }
    };
    let reloading = tokio::spawn(reload::watch(config_path.to_owned(), publish));
    catch_up(config, &runner);
    tokio::select! {
        () = shutdown => {}
        () = schedule(live, &runner) => {}
    }
    tracing::info!("shutting down");
    runner.stop.store(true, Ordering::SeqCst);
    reloading.abort();
    if let Some((tell, serving)) = web {
        let _ = tell.send(());
        match serving.await {
            Ok(Err(e)) => tracing::error!("{e:#}"),
            Err(e) => tracing::error!("the web endpoint failed: {e}"),
            Ok(Ok(())) => {}
        }
    }
    let _idle = runner.busy.lock().await;
    runner.deferrals.clear_all();
    Ok(())
}

/// At start-up and after a reload: today's runs that have not reached everyone are
/// made up within `catch_up` (one run per schedule), and reported past it.
fn catch_up(config: &Config, runner: &Runner) {
    let now = clock::now();
    let missed = match missed(config, now) {
        Ok(missed) => missed,
        Err(e) => return tracing::error!("cannot tell whether a run was missed: {e}"),
    };
    let catch_up = format_duration(config.schedule.catch_up);
    for (schedule, groups) in schedules(config) {
        let due: Vec<(&str, DateTime<Tz>)> = missed
            .iter()
            .filter(|(g, _)| groups.iter().any(|s| s.name == g.name))
            .map(|(g, at)| (g.name.as_str(), *at))
            .collect();
        let Some(&(_, at)) = due.first() else {
            continue;
        };
        let names: Vec<&str> = due.iter().map(|(g, _)| *g).collect();
        if is_late(config, at, now) {
            tracing::warn!(
                "missed: the briefing due at {} has not reached everyone, and it is past schedule.catch_up = {catch_up}; {} sends it by hand",
                at.to_rfc3339(),
                send_command(config, &names)
            );
        } else {
            tracing::info!(
                "the briefing due at {} has not reached everyone: catching up now (schedule.catch_up = {catch_up}; {} on {:?})",
                at.to_rfc3339(),
                crate::job::plural(names.len(), "group"),
                schedule.cron_text
            );
            let names = names.into_iter().map(str::to_owned).collect();
            runner.start(Arc::new(config.clone()), names, at.to_utc());
        }
    }
}

/// The scheduler proper: waits for the next run of the config in force, starts it, and
/// plans again; a new config plans again at once. Never returns.
async fn schedule(mut live: watch::Receiver<Arc<Config>>, runner: &Runner) {
    let mut after = clock::now();
    let mut logged_next = None;
    let mut logged_skips = HashSet::new();
    loop {
        let config = live.borrow_and_update().clone();
        log_skips(&config, &mut logged_skips);
        after = after.max(clock::now());
        let plan = plan(&config, after);
        let at = plan.as_ref().map(|(at, _)| *at);
        if at != logged_next {
            log_next(&config, plan.as_ref());
            logged_next = at;
        }
        // A year at most: a plan is made again on every reload anyway.
        let wait = at.map_or(Duration::ZERO, |at| {
            let wait = (at - clock::now()).to_std().unwrap_or_default();
            wait.min(Duration::from_secs(86_400 * 365))
        });
        tokio::select! {
            changed = live.changed() => {
                if changed.is_err() {
                    // The reloader is gone: keep the config in force.
                    std::future::pending::<()>().await;
                }
                // A new schedule whose time today has passed, or a recipient added to
                // a group already sent, is made up as a restart would make it up: the
                // ledger leaves out whoever has today's briefing already.
                let config = live.borrow().clone();
                catch_up(&config, runner);
            }
            () = tokio::time::sleep(wait), if plan.is_some() => {
                if let Some((at, runs)) = plan {
                    for groups in runs {
                        runner.start(config.clone(), groups, at);
                    }
                    after = at;
                }
            }
        }
    }
}

/// A day a group skips is said once per day and group, not at every tick of its cron.
fn log_skips(config: &Config, logged: &mut HashSet<(NaiveDate, String)>) {
    for group in &config.groups {
        let today = clock::today(group.schedule.timezone);
        if let Some(why) = group.schedule.skips(today) {
            if logged.insert((today, group.name.clone())) {
                tracing::info!(
                    "groups.{}: no briefing on {today}: skipped ({why})",
                    group.name
                );
            }
        }
    }
}

/// One line per run of the plan, each time in its groups' zone.
fn log_next(config: &Config, plan: Option<&(DateTime<Utc>, Vec<Vec<String>>)>) {
    let Some((at, runs)) = plan else {
        return tracing::warn!("no group's schedule fires again");
    };
    for groups in runs {
        let tz = groups
            .first()
            .and_then(|g| config.group(g))
            .map_or(config.schedule.timezone, |g| g.schedule.timezone);
        tracing::info!(
            "next briefing at {} ({})",
            at.with_timezone(&tz).to_rfc3339(),
            groups.join(", ")
        );
    }
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
    /// Try again after this long, if the window allows; why, and what stopped the try.
    Retry(Duration, &'static str, String),
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
            let first_deferred = report.groups.iter().flat_map(|g| &g.deferred).next();
            if report.server_down {
                Next::Retry(
                    retry_pause(round, grace),
                    "the mail server could not be reached",
                    report.fatal.unwrap_or_default(),
                )
            } else if let (Some(due), Some((_, error, _))) = (report.next_try(), first_deferred) {
                let wait = (due - clock::now()).to_std().unwrap_or_default();
                Next::Retry(
                    wait,
                    "some recipients were deferred (a temporary failure)",
                    error.clone(),
                )
            } else {
                Next::Done
            }
        }
        Err(e) if e.is_shutdown() => Next::Done,
        Err(e) => {
            let line = crate::cmd::one_line(&e);
            tracing::error!("scheduled run failed: {line}");
            match e.is_transient() {
                true => Next::Retry(retry_pause(round, grace), "the run could not start", line),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(groups: &str) -> Config {
        let text = format!(
            "[source]\nlocation = \"dump.txt\"\n\n[mail]\nfrom = \"아침 <briefing@example.com>\"\n\n[schedule]\ncatch_up = \"1h\"\n\n{groups}"
        );
        Config::parse(&text, Path::new("/srv/briefing/config.toml")).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    const GROUPS: &str = r#"
[groups.morning]
recipients = ["ceo@example.com"]

[groups.columns]
recipients = ["desk@example.com"]
cron = "0 0  7 * * *"

[groups.weekdays]
recipients = ["cfo@example.com"]
cron = "0 30 18 * * *"
skip_weekends = true
skip_dates = ["2025-09-08"]

[groups.tokyo]
recipients = ["tokyo@example.jp"]
timezone = "Asia/Tokyo"
"#;

    #[test]
    fn groups_with_one_cron_and_zone_share_a_run_and_skipped_days_are_jumped() {
        let c = config(GROUPS);
        let names: Vec<Vec<&str>> = schedules(&c)
            .into_iter()
            .map(|(_, gs)| gs.iter().map(|g| g.name.as_str()).collect())
            .collect();
        // The same cron with other spacing is the same schedule; Tokyo's 07:00 is not Seoul's.
        assert_eq!(
            names,
            [vec!["morning", "columns"], vec!["weekdays"], vec!["tokyo"]]
        );

        let weekdays = &c.group("weekdays").unwrap().schedule;
        // Saturday 2025-09-06: Sunday is a weekend, Monday the 8th is in skip_dates.
        let next = next_run(weekdays, at("2025-09-06T12:00:00+09:00")).unwrap();
        assert_eq!(next.to_rfc3339(), "2025-09-09T18:30:00+09:00");
        let runs: Vec<String> = next_runs(weekdays, at("2025-09-11T19:00:00+09:00"), 3)
            .iter()
            .map(|t| t.to_rfc3339())
            .collect();
        assert_eq!(
            runs,
            [
                "2025-09-12T18:30:00+09:00",
                "2025-09-15T18:30:00+09:00",
                "2025-09-16T18:30:00+09:00"
            ]
        );

        // 06:30 in Seoul is 06:30 in Tokyo too: both 07:00 runs are due at once, as
        // two runs (one per zone's schedule), and the evening one is not.
        let (when, runs) = plan(&c, at("2025-09-09T06:30:00+09:00")).unwrap();
        assert_eq!(when, at("2025-09-09T07:00:00+09:00"));
        assert_eq!(runs, [vec!["morning", "columns"], vec!["tokyo"]]);
        let (when, runs) = plan(&c, when).unwrap();
        assert_eq!(when, at("2025-09-09T18:30:00+09:00"));
        assert_eq!(runs, [vec!["weekdays"]]);
    }

    #[test]
    fn a_days_due_run_is_late_once_its_window_is_over_and_none_is_due_on_a_day_off() {
        let c = config(GROUPS);
        let morning = &c.group("morning").unwrap().schedule;
        assert_eq!(last_due(morning, at("2025-09-09T06:59:59+09:00")), None);
        let due = last_due(morning, at("2025-09-09T08:00:00+09:00")).unwrap();
        assert_eq!(due.to_rfc3339(), "2025-09-09T07:00:00+09:00");
        assert!(!is_late(&c, due, at("2025-09-09T08:00:00+09:00")));
        assert!(is_late(&c, due, at("2025-09-09T08:00:01+09:00")));
        let weekdays = &c.group("weekdays").unwrap().schedule;
        assert_eq!(last_due(weekdays, at("2025-09-07T20:00:00+09:00")), None);
        assert_eq!(last_due(weekdays, at("2025-09-08T20:00:00+09:00")), None);
        assert!(last_due(weekdays, at("2025-09-09T20:00:00+09:00")).is_some());

        assert_eq!(
            send_command(&c, &["weekdays"]),
            "`briefing send --group weekdays`"
        );
        // Tokyo's briefing is dated in Tokyo: a `send` of every group would date it in
        // Seoul, so each group is named.
        let all: Vec<&str> = c.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(send_command(&c, &all).matches("--group").count(), 4);
        let seoul = config("[groups.a]\nrecipients = [\"a@example.com\"]\n[groups.b]\nrecipients = [\"b@example.com\"]\ncron = \"0 0 9 * * *\"\n");
        assert_eq!(send_command(&seoul, &["a", "b"]), "`briefing send`");
        assert_eq!(send_command(&seoul, &["b"]), "`briefing send --group b`");
    }
}
