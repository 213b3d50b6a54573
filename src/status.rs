//! Where each briefing stands, read from the ledger alone (with the suppression list,
//! the kept days and the daemon's note of deferred runs), so that `briefing status` and
//! the web endpoint's `GET /status` can run beside the daemon, or after a crash,
//! without touching anything, and never disagree.

use std::fmt::Write as _;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock;
use crate::config::{Config, Group, Skip};
use crate::ledger::{self, DeferredRun, Record, Standing};
use crate::schedule::{is_late, last_due, next_run, send_command};
use crate::suppress;

/// One day's briefing as `status --format json` prints it and `GET /status` answers.
#[derive(Serialize)]
pub struct Briefing {
    date: String,
    /// Sources that gave nothing to this briefing, as its first delivering run found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failed_sources: Vec<crate::day::SourceFailure>,
    /// Today's briefing only: the lines of the suppression list its sends skip.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable_suppressions: Vec<suppress::Unreadable>,
    groups: Vec<GroupStatus>,
}

#[derive(Serialize)]
struct GroupStatus {
    group: String,
    recipients: Vec<RecipientStatus>,
    /// Today's briefing only: what becomes of it (`"state"`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    today: Option<Today>,
    /// Today's briefing only: the group's next run, RFC 3339 in its zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_run: Option<String>,
}

/// Where today's briefing of a group stands, so that nobody waits for a run that
/// will not come.
#[derive(Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum Today {
    /// Every recipient has it (or unsubscribed).
    Complete,
    /// Its time has not come, or a run (a retry within `catch_up`) will still send it.
    Pending,
    /// Its time passed more than `catch_up` ago: only this command sends it now.
    Missed { due: String, send_with: String },
    /// The daemon's run stopped on a passing cause and is tried again at `next_try`
    /// (RFC 3339, the group's zone), within `catch_up`.
    Deferred { reason: String, next_try: String },
    /// No briefing today.
    Skipped { reason: Skip },
}

#[derive(Serialize)]
struct RecipientStatus {
    address: String,
    #[serde(flatten)]
    state: State,
}

/// The ledger's word, unless the recipient unsubscribed: then no send will try, and
/// "pending" would be a promise the next run does not keep. One who had this briefing
/// before unsubscribing counts as suppressed too, as in `send`'s report (`--force`
/// included), with the delivery kept in `record`.
#[derive(Serialize)]
#[serde(untagged)]
enum State {
    Ledger(Standing),
    Suppressed {
        state: Suppressed,
        #[serde(skip_serializing_if = "Option::is_none")]
        record: Option<Record>,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Suppressed {
    Suppressed,
}

/// The last `days` briefings on record, newest first. Today's is always there, with the
/// configured recipients, so a briefing that has not gone out yet shows as not sent.
/// The command and the web endpoint share it, so that they never disagree.
pub fn collect(config: &Config, days: usize) -> Result<Vec<Briefing>> {
    let now = clock::now();
    let mut on_record = ledger::dates(&config.state_dir)?;
    for today in config.groups.iter().map(today_of) {
        if !on_record.contains(&today) {
            on_record.push(today);
        }
    }
    on_record.sort_by(|a, b| b.cmp(a));
    let looked_up = LookedUp {
        suppressed: suppress::Suppressed::load(&config.state_dir)?,
        deferred: ledger::deferred_runs(&config.state_dir),
        now,
    };
    on_record
        .into_iter()
        .take(days)
        .map(|date| briefing(config, &looked_up, date))
        .collect()
}

/// What every day's status reads once.
struct LookedUp {
    suppressed: suppress::Suppressed,
    deferred: Vec<DeferredRun>,
    now: DateTime<Utc>,
}

/// Each group's today is the date in its own zone, as its runs date it: a group in Los
/// Angeles is still on yesterday's briefing when Seoul's morning begins.
fn today_of(group: &Group) -> String {
    clock::today(group.schedule.timezone).to_string()
}

/// The briefing of `date`: every group the ledger has for it, and the groups whose
/// today it is.
fn briefing(config: &Config, looked_up: &LookedUp, date: String) -> Result<Briefing> {
    let mut groups = ledger::groups(&config.state_dir, &date)?;
    let todays: Vec<&Group> = config
        .groups
        .iter()
        .filter(|g| today_of(g) == date)
        .collect();
    groups.extend(todays.iter().map(|g| g.name.clone()));
    groups.sort();
    groups.dedup();
    let statuses = groups
        .into_iter()
        .map(|group| group_status(config, looked_up, &date, &todays, group))
        .collect::<Result<_>>()?;
    let unreadable_suppressions = match todays.is_empty() {
        true => Vec::new(),
        false => looked_up.suppressed.unreadable.clone(),
    };
    Ok(Briefing {
        failed_sources: crate::day::failed_sources(&config.state_dir, &date)?,
        unreadable_suppressions,
        date,
        groups: statuses,
    })
}

/// One group's recipients on `date`, and for today's groups where the briefing stands.
fn group_status(
    config: &Config,
    looked_up: &LookedUp,
    date: &str,
    todays: &[&Group],
    group: String,
) -> Result<GroupStatus> {
    // A recipient the run never reached has no record: the config says who should
    // have had it.
    let expected = config
        .group(&group)
        .map(Group::addresses)
        .unwrap_or_default();
    let recipients: Vec<RecipientStatus> =
        ledger::standings(&config.state_dir, date, &group, &expected)?
            .into_iter()
            .map(|(address, standing)| {
                let state = match standing {
                    _ if !looked_up.suppressed.contains(&group, &address) => {
                        State::Ledger(standing)
                    }
                    Standing::Delivered { record } => State::Suppressed {
                        state: Suppressed::Suppressed,
                        record: Some(record),
                    },
                    _ => State::Suppressed {
                        state: Suppressed::Suppressed,
                        record: None,
                    },
                };
                RecipientStatus { address, state }
            })
            .collect();
    let (today, next_run) = match config.group(&group) {
        Some(g) if todays.iter().any(|t| t.name == g.name) => {
            let now = looked_up.now;
            let next = next_run(&g.schedule, now).map(|t| t.to_rfc3339());
            let run = looked_up
                .deferred
                .iter()
                .find(|r| r.date == date && r.groups.contains(&g.name));
            (Some(standing_today(config, g, &recipients, run, now)), next)
        }
        _ => (None, None),
    };
    Ok(GroupStatus {
        group,
        recipients,
        today,
        next_run,
    })
}

fn standing_today(
    config: &Config,
    group: &Group,
    recipients: &[RecipientStatus],
    deferred: Option<&DeferredRun>,
    now: DateTime<Utc>,
) -> Today {
    let local = now.with_timezone(&group.schedule.timezone).date_naive();
    if let Some(reason) = group.schedule.skips(local) {
        return Today::Skipped { reason };
    }
    let has_it = |r: &RecipientStatus| {
        matches!(
            r.state,
            State::Ledger(Standing::Delivered { .. }) | State::Suppressed { .. }
        )
    };
    if recipients.iter().all(has_it) {
        return Today::Complete;
    }
    match last_due(&group.schedule, now) {
        Some(due) if is_late(config, due, now) => Today::Missed {
            due: due.to_rfc3339(),
            send_with: send_command(config, &[&group.name]).replace('`', ""),
        },
        _ => match deferred {
            Some(run) => Today::Deferred {
                reason: run.reason.clone(),
                next_try: run
                    .next_try
                    .with_timezone(&group.schedule.timezone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            },
            None => Today::Pending,
        },
    }
}

/// The text of `briefing status`.
pub fn render(config: &Config, briefings: &[Briefing]) -> String {
    let tz = config.schedule.timezone;
    let time = |at: &DateTime<Utc>| at.with_timezone(&tz).format("%H:%M:%S").to_string();
    let mut out = String::new();
    // Writing into a String cannot fail.
    for b in briefings {
        let _ = writeln!(out, "briefing {}", b.date);
        for s in &b.failed_sources {
            let _ = writeln!(
                out,
                "  source {} failed: {} (built without it)",
                s.source, s.error
            );
        }
        for line in &b.unreadable_suppressions {
            let _ = writeln!(out, "  {line}");
        }
        for g in &b.groups {
            let count = |f: fn(&State) -> bool| g.recipients.iter().filter(|r| f(&r.state)).count();
            let delivered = count(|s| matches!(s, State::Ledger(Standing::Delivered { .. })));
            let failed = count(|s| matches!(s, State::Ledger(Standing::Failed { .. })));
            let deferred = count(|s| matches!(s, State::Ledger(Standing::Deferred { .. })));
            let suppressed = count(|s| matches!(s, State::Suppressed { .. }));
            let unsent = g.recipients.len() - delivered - failed - deferred - suppressed;
            let (pending, missed) = match &g.today {
                Some(Today::Missed { .. }) => (0, unsent),
                _ => (unsent, 0),
            };
            let state = match &g.today {
                Some(Today::Missed { due, send_with }) => format!(
                    ", {missed} missed: due at {due}, past schedule.catch_up, so no run sends it; `{send_with}` does"
                ),
                Some(Today::Skipped { reason }) => format!("; skipped ({reason})"),
                Some(Today::Deferred { reason, next_try }) => format!(
                    "; the run is deferred: {reason}; next try at {next_try}, by the daemon within schedule.catch_up"
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {}: {delivered} delivered, {pending} pending, {deferred} deferred, {failed} failed, {suppressed} suppressed{state}",
                g.group
            );
            if let Some(next) = &g.next_run {
                let _ = writeln!(out, "    next run at {next}");
            }
            let skipped = matches!(g.today, Some(Today::Skipped { .. }));
            for r in &g.recipients {
                let deferred = matches!(g.today, Some(Today::Deferred { .. }));
                if let Some(line) = recipient_line(r, skipped, missed > 0, deferred, &time) {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }
    let now = clock::now();
    let next = config
        .groups
        .iter()
        .filter_map(|g| next_run(&g.schedule, now))
        .min_by_key(DateTime::to_utc);
    if let Some(next) = next {
        let _ = writeln!(out, "next briefing at {}", next.to_rfc3339());
    }
    out
}

/// A recipient's line under its group's counts; none for one who has the briefing, or
/// is waiting for none (a day off).
fn recipient_line(
    r: &RecipientStatus,
    skipped: bool,
    missed: bool,
    deferred: bool,
    time: &dyn Fn(&DateTime<Utc>) -> String,
) -> Option<String> {
    let standing = match &r.state {
        State::Ledger(standing) => standing,
        State::Suppressed { record, .. } => {
            let had = match record {
                Some(record) => format!(", this briefing delivered at {}", time(&record.at)),
                None => String::new(),
            };
            return Some(format!(
                "suppressed {}: unsubscribed{had} (briefing resubscribe undoes it)",
                r.address
            ));
        }
    };
    Some(match standing {
        Standing::Delivered { .. } => return None,
        Standing::Failed { record } => format!(
            "failed   {}: {} (try {}, {})",
            r.address,
            record.detail,
            record.attempt,
            time(&record.at)
        ),
        Standing::Deferred { record } => format!(
            "deferred {}: {} (try {}, {}; next try from {}, by the daemon within schedule.catch_up)",
            r.address,
            record.detail,
            record.attempt,
            time(&record.at),
            record.next_try.as_ref().map_or_else(|| "the next run".to_owned(), time)
        ),
        Standing::InDoubt { record } => format!(
            "pending  {}: in doubt since {} (sending, no reply recorded; the next run resends it with the same Message-ID)",
            r.address,
            time(&record.at)
        ),
        Standing::NotSent if skipped => return None,
        Standing::NotSent if missed => format!("missed   {}: not sent", r.address),
        Standing::NotSent if deferred => {
            format!("pending  {}: not sent yet, the run is deferred", r.address)
        }
        Standing::NotSent => format!("pending  {}: not sent yet", r.address),
    })
}
