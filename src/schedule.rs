//! The daemon: every group's briefing at its schedule's times, one run per distinct
//! schedule (groups with the same cron and zone share a run).
//!
//! Built like mini-redis's server: [`run`] takes the shutdown as a future, so tests
//! pass their own and `main` passes SIGINT/SIGTERM. On shutdown a run in progress
//! finishes the messages in flight and starts no other; the ledger stays true. At
//! start-up, and after a reload, today's runs that have not reached everyone are made up
//! within `catch_up`.
//!
//! The timer is tokio-cron-scheduler, one job per distinct schedule (`schedule/jobs.rs`);
//! the times are the daemon's own, worked out on each zone's wall clock
//! (`schedule/plan.rs`) from [`clock::now`], so that a run happens once on both days of a
//! change of clocks and a daemon pinned by `BRIEFING_NOW` (whose clock starts at the
//! pinned instant and advances with real time, [`clock::follow_real_time`]) fires at
//! the pinned schedule: pinned at 06:59:58, its 07:00 run starts two seconds later, and
//! the briefing is dated by the pinned clock. The config in force is a [`watch`] value
//! that `schedule/reload.rs` replaces (SIGHUP, or an edit of the file); each run keeps
//! the config it started with.

mod jobs;
mod plan;
mod reload;

pub use plan::{last_due, next_run, next_runs};

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};
use std::task::Poll;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio::sync::{watch, Mutex};

use crate::clock;
use crate::config::{format_duration, Config, Group, Schedule};
use crate::job::{self, Options};
use crate::ledger::{self, Deferrals, DeferredRun, LedgerError, Standing};
use crate::retry::{daemon_pause, pause_unless_stopped};
use plan::{due_slot, whole_seconds, Slot};

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
/// recipient (per the ledger).
fn missed(config: &Config, now: DateTime<Utc>) -> Result<Vec<&Group>, LedgerError> {
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
            out.push(group);
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
                    if pause_unless_stopped(pause, Some(&self.stop)).await {
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

/// What the scheduler shares with what runs beside it (the web endpoint): the config
/// in force, the run mutex and the stop flag.
#[derive(Clone)]
pub struct Daemon {
    /// The config in force (the last valid one read): its schedules are the ones the
    /// scheduler follows.
    pub live: watch::Receiver<Arc<Config>>,
    /// Held for the whole of a run, scheduled or manual.
    pub busy: Arc<Mutex<()>>,
    /// Set by a shutdown: a send in progress finishes its messages in flight only.
    pub stop: Arc<AtomicBool>,
}

/// A service started beside the scheduler (`run --listen`'s web endpoint): at shutdown,
/// once no new run can start, it is told to end through `end`, and `serving` is awaited
/// before the daemon waits for the last run.
pub struct Beside {
    pub end: tokio::sync::oneshot::Sender<()>,
    pub serving: tokio::task::JoinHandle<Result<()>>,
}

/// Runs until `shutdown` completes. `beside` starts what serves beside the scheduler
/// (given the [`Daemon`] it shares), after the shutdown's signal handlers are in place
/// and before any job is made: one that cannot start stops the daemon before any run.
pub async fn run<F, Fut>(
    config_path: &Path,
    config: &Config,
    shutdown: impl Future<Output = ()>,
    beside: F,
) -> Result<()>
where
    F: FnOnce(Daemon) -> Fut,
    Fut: Future<Output = Result<Option<Beside>>>,
{
    // Polled once before anything starts, so that its signal handlers are in place
    // before the web endpoint answers anyone or the jobs are made: a SIGTERM meanwhile
    // is a shutdown, not the end of the process.
    let mut shutdown = std::pin::pin!(shutdown);
    let poll_once = std::future::poll_fn(|cx| Poll::Ready(shutdown.as_mut().poll(cx)));
    if poll_once.await.is_ready() {
        return Ok(());
    }
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
    let beside = beside(Daemon {
        live: live.clone(),
        busy: runner.busy.clone(),
        stop: runner.stop.clone(),
    })
    .await?;
    // Before the jobs are made, to listen for SIGHUP soon: a reload meanwhile is
    // followed once they are.
    let reloading = tokio::spawn(reload::watch(config_path.to_owned(), publish));
    let timetable = Arc::new(Timetable {
        live: live.clone(),
        runner: runner.clone(),
        ran: Default::default(),
        told: Default::default(),
    });
    let fire = timetable.clone();
    let mut jobs = jobs::Jobs::start(Arc::new(move |s: &Schedule| fire.fire(s))).await?;
    timetable.log_skips(config);
    jobs.follow(config).await?;
    timetable.catch_up(config);
    tokio::select! {
        () = &mut shutdown => {}
        () = follow(live, &mut jobs, &timetable) => {}
    }
    tracing::info!("shutting down");
    jobs.stop().await;
    runner.stop.store(true, Ordering::SeqCst);
    reloading.abort();
    if let Some(beside) = beside {
        end(beside).await;
    }
    let _idle = runner.busy.lock().await;
    runner.deferrals.clear_all();
    Ok(())
}

/// Tells `beside` to end, and waits until it has.
async fn end(beside: Beside) {
    let _ = beside.end.send(());
    match beside.serving.await {
        Ok(Err(e)) => tracing::error!("{e:#}"),
        Err(e) => tracing::error!("the web endpoint failed: {e}"),
        Ok(Ok(())) => {}
    }
}

/// Puts each new config in force: its schedules get jobs of their own at once, and its
/// runs due today are made up as a restart would make them up (a new schedule whose
/// time today has passed, a recipient added to a group already sent: the ledger leaves
/// out whoever has today's briefing already). Never returns.
async fn follow(
    mut live: watch::Receiver<Arc<Config>>,
    jobs: &mut jobs::Jobs,
    timetable: &Timetable,
) {
    while live.changed().await.is_ok() {
        let config = live.borrow_and_update().clone();
        timetable.log_skips(&config);
        if let Err(e) = jobs.follow(&config).await {
            tracing::error!("{e:#}");
        }
        timetable.catch_up(&config);
    }
    // The reloader is gone: keep the config in force.
    std::future::pending::<()>().await;
}

/// What a fire of the timer needs: the config in force, the runner, and what has run.
struct Timetable {
    live: watch::Receiver<Arc<Config>>,
    runner: Runner,
    /// The last slot each schedule ran (by [`key`]): a second fire for it (a timer that
    /// fires twice around a change of clocks) or for an earlier one is not a run.
    ran: std::sync::Mutex<HashMap<String, Slot>>,
    /// The days off already said, per group.
    told: std::sync::Mutex<HashSet<(NaiveDate, String)>>,
}

impl Timetable {
    /// `schedule`'s time has come (by the timer): its groups' run, once per slot.
    fn fire(&self, schedule: &Schedule) {
        let config = self.live.borrow().clone();
        self.log_skips(&config);
        let groups: Vec<String> = config
            .groups
            .iter()
            .filter(|g| g.schedule.same_run(schedule))
            .map(|g| g.name.clone())
            .collect();
        let Some((slot, due)) = due_slot(schedule, clock::now()) else {
            return tracing::debug!("{:?}: no run due today", schedule.cron_text);
        };
        // No groups: the job of a schedule a reload has just dropped.
        if groups.is_empty() || !self.claim(schedule, slot) {
            return tracing::debug!("{:?}: nothing new to run at {slot}", schedule.cron_text);
        }
        self.runner.start(config, groups, due.to_utc());
    }

    /// True if `slot` is later than the last slot `schedule` ran, which it becomes.
    fn claim(&self, schedule: &Schedule, slot: Slot) -> bool {
        claim(
            &mut self.ran.lock().unwrap_or_else(PoisonError::into_inner),
            schedule,
            slot,
        )
    }

    /// At start-up and after a reload: today's runs that have not reached everyone are
    /// made up within `catch_up` (one run per schedule), and reported past it. The
    /// ledger, not what has run, says who still needs the briefing.
    fn catch_up(&self, config: &Config) {
        let now = clock::now();
        let missed = match missed(config, now) {
            Ok(missed) => missed,
            Err(e) => return tracing::error!("cannot tell whether a run was missed: {e}"),
        };
        let catch_up = format_duration(config.schedule.catch_up);
        for (schedule, groups) in schedules(config) {
            let names: Vec<&str> = missed
                .iter()
                .filter(|g| groups.iter().any(|s| s.name == g.name))
                .map(|g| g.name.as_str())
                .collect();
            let due = due_slot(schedule, now).filter(|_| !names.is_empty());
            let Some((slot, at)) = due else {
                continue;
            };
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
                    crate::report::plural(names.len(), "group"),
                    schedule.cron_text
                );
                self.claim(schedule, slot);
                let names = names.into_iter().map(str::to_owned).collect();
                self.runner
                    .start(Arc::new(config.clone()), names, at.to_utc());
            }
        }
    }

    /// A day a group skips is said once per day and group, not at every fire.
    fn log_skips(&self, config: &Config) {
        let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
        for group in &config.groups {
            let today = clock::today(group.schedule.timezone);
            if let Some(why) = group.schedule.skips(today) {
                if told.insert((today, group.name.clone())) {
                    tracing::info!(
                        "groups.{}: no briefing on {today}: skipped ({why})",
                        group.name
                    );
                }
            }
        }
    }
}

/// What tells schedules apart (see [`Schedule::same_run`]).
fn key(schedule: &Schedule) -> String {
    let cron: Vec<&str> = schedule.cron_text.split_whitespace().collect();
    format!("{} {}", cron.join(" "), schedule.timezone)
}

/// True if `slot` is later than the last slot of `schedule` in `ran`, which it becomes.
fn claim(ran: &mut HashMap<String, Slot>, schedule: &Schedule, slot: Slot) -> bool {
    let last = ran.entry(key(schedule)).or_insert(Slot::MIN);
    let new = slot > *last;
    *last = (*last).max(slot);
    new
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
    let key = config
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
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
                    daemon_pause(round, grace, &key),
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
            let line = crate::report::one_line(&e);
            tracing::error!("scheduled run failed: {line}");
            match e.is_transient() {
                true => Next::Retry(
                    daemon_pause(round, grace, &key),
                    "the run could not start",
                    line,
                ),
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

        // 06:30 in Seoul is 06:30 in Tokyo too: both 07:00 runs are due at once (two
        // runs, one per zone's schedule), the evening one later.
        let next = |group: &str| {
            let schedule = &c.group(group).unwrap().schedule;
            next_run(schedule, at("2025-09-09T06:30:00+09:00"))
                .unwrap()
                .to_utc()
        };
        assert_eq!(next("morning"), at("2025-09-09T07:00:00+09:00"));
        assert_eq!(next("tokyo"), at("2025-09-09T07:00:00+09:00"));
        assert_eq!(next("weekdays"), at("2025-09-09T18:30:00+09:00"));
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

    /// The runs a timer firing at `fires` starts for `schedule` (every fire asks what is
    /// due, as [`Timetable::fire`] does): each as "due at, started at".
    fn runs_of(schedule: &Schedule, fires: &[DateTime<Utc>]) -> Vec<String> {
        let mut ran = HashMap::new();
        let tz = schedule.timezone;
        fires
            .iter()
            .filter_map(|&t| {
                let (slot, due) = due_slot(schedule, t)?;
                claim(&mut ran, schedule, slot).then(|| {
                    format!(
                        "{} at {}",
                        due.to_rfc3339(),
                        t.with_timezone(&tz).to_rfc3339()
                    )
                })
            })
            .collect()
    }

    /// A fire every `step` seconds from `from` for a day.
    fn every(from: &str, step: i64) -> Vec<DateTime<Utc>> {
        (0..24 * 3600 / step)
            .map(|n| at(from) + chrono::Duration::seconds(n * step))
            .collect()
    }

    /// What croner, asked in the zone, gives as the next times (what the crate's jobs
    /// would fire at on their own).
    fn croner_in_zone(schedule: &Schedule, from: &str, n: usize) -> Vec<DateTime<Utc>> {
        let start = at(from).with_timezone(&schedule.timezone);
        std::iter::successors(Some(start), |t| {
            schedule.cron.find_next_occurrence(t, false).ok()
        })
        .skip(1)
        .take(n)
        .map(|t| t.to_utc())
        .collect()
    }

    #[test]
    fn whatever_the_timer_fires_a_daily_slot_runs_once_on_the_days_clocks_change() {
        let schedule = |cron: &str, tz: Tz| Schedule {
            cron_text: cron.into(),
            cron: crate::config::parse_cron(cron).unwrap(),
            timezone: tz,
            ..Schedule::for_test()
        };
        let new_york = chrono_tz::America::New_York;
        let one_thirty = schedule("0 30 1 * * *", new_york);
        let two_thirty = schedule("0 30 2 * * *", new_york);
        // Spring forward (2025-03-09, 02:00 EST -> 03:00 EDT), a fire every minute.
        let spring = every("2025-03-09T00:00:00-05:00", 60);
        assert_eq!(
            runs_of(&one_thirty, &spring),
            ["2025-03-09T01:30:00-05:00 at 2025-03-09T01:30:00-05:00"]
        );
        assert_eq!(
            runs_of(&two_thirty, &spring),
            ["2025-03-09T03:00:00-04:00 at 2025-03-09T03:00:00-04:00"]
        );
        // croner in the zone fires 01:30 at 01:30 EST and again at 03:00 EDT: one run.
        let fires = croner_in_zone(&one_thirty, "2025-03-09T00:00:00-05:00", 3);
        assert_eq!(
            fires[..2],
            [
                at("2025-03-09T01:30:00-05:00"),
                at("2025-03-09T03:00:00-04:00")
            ]
        );
        assert_eq!(
            runs_of(&one_thirty, &fires).len(),
            2,
            "the 9th's and the 10th's"
        );
        // Fall back (2025-11-02, 02:00 EDT -> 01:00 EST): the hour 01:00-02:00 twice.
        let fall = every("2025-11-02T00:00:00-04:00", 60);
        assert_eq!(
            runs_of(&one_thirty, &fall),
            ["2025-11-02T01:30:00-04:00 at 2025-11-02T01:30:00-04:00"]
        );
        assert_eq!(
            runs_of(&two_thirty, &fall),
            ["2025-11-02T02:30:00-05:00 at 2025-11-02T02:30:00-05:00"]
        );
        // A zone without changes of clocks, on the same days: each run once, on time.
        let seoul = schedule("0 30 1 * * *", chrono_tz::Asia::Seoul);
        for from in ["2025-03-09T00:00:00+09:00", "2025-11-02T00:00:00+09:00"] {
            let runs = runs_of(&seoul, &every(from, 60));
            assert_eq!(runs.len(), 1, "{runs:?}");
            assert!(runs[0].ends_with("T01:30:00+09:00"), "{runs:?}");
        }
        // A second-level cron: every slot once, however often the timer fires.
        let each_second = schedule("*/2 * * * * *", chrono_tz::Asia::Seoul);
        let fires: Vec<_> = (0..20)
            .map(|n| at("2025-09-07T07:00:00+09:00") + chrono::Duration::milliseconds(n * 500))
            .collect();
        assert_eq!(runs_of(&each_second, &fires).len(), 5);
    }
}
