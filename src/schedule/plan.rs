//! When a schedule fires, worked out on its zone's wall clock.
//!
//! A cron names wall-clock times ("01:30 every day"), so its occurrences are found on
//! the zone's local time line, where no clock ever changes (a [`Slot`]), and only then
//! placed in real time: a time the clocks show once is that instant; a time they show
//! twice (fall back) is the first of the two; a time they skip (spring forward) is the
//! first instant after the gap, when the clocks jump past it. Each slot is one run, so a
//! daily schedule runs once on both days of a change of clocks. croner, asked in the
//! zone itself, answers otherwise around a change (01:30 in New York is "next" at 01:30
//! EST and again at 03:00 EDT on the spring-forward day, and 02:30's "previous" that
//! day is 01:59:59): it is only ever asked on the local time line here.

use chrono::{DateTime, LocalResult, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono::{Timelike, Utc};
use chrono_tz::Tz;
use croner::Cron;

use crate::config::Schedule;

/// One occurrence of a cron: a date and time on the zone's wall clock. Two fires of a
/// schedule for the same slot are one run.
pub type Slot = NaiveDateTime;

/// Days a search for the next run jumps over before it gives up: two years of weekends
/// and holidays.
const SKIPPED_DAYS: usize = 731;

/// Occurrences a search walks over within one day: a cron that fires every second, for
/// the hour a fall back repeats (or a day, where a zone once repeated one).
const SLOTS_IN_A_DAY: usize = 86_400;

/// How far a gap in the wall clock is looked across: today's gaps are an hour or less;
/// Samoa skipped the whole of 2011-12-30.
const GAP_MINUTES: i64 = 48 * 60;

/// When `schedule` fires next after `after`, in its zone, on a day it does not skip.
pub fn next_run(schedule: &Schedule, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
    let tz = schedule.timezone;
    let mut from = local(tz, after);
    let mut inclusive = false;
    for _ in 0..SKIPPED_DAYS {
        let (slot, at) = first_after(&schedule.cron, tz, from, inclusive, after)?;
        if schedule.skips(slot.date()).is_none() {
            return Some(at.with_timezone(&tz));
        }
        from = slot.date().succ_opt()?.and_time(NaiveTime::MIN);
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

/// Today's last slot of `schedule` up to `now`, with when it happened, unless today is
/// skipped. Only today's: yesterday's news is not worth sending, and the ledger is per
/// day.
pub fn due_slot(schedule: &Schedule, now: DateTime<Utc>) -> Option<(Slot, DateTime<Tz>)> {
    let tz = schedule.timezone;
    let (slot, at) = last_slot(&schedule.cron, tz, now)?;
    let today = now.with_timezone(&tz).date_naive();
    (slot.date() == today && schedule.skips(today).is_none()).then(|| (slot, at.with_timezone(&tz)))
}

/// When today's last run of `schedule` up to `now` was due, unless today is skipped.
pub fn last_due(schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
    due_slot(schedule, now).map(|(_, at)| at)
}

/// When the wall clock of `tz` shows `slot`: the first time if it shows it twice, the
/// end of the gap if it skips it.
pub fn instant_of(tz: Tz, slot: Slot) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&slot) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
        LocalResult::None => after_gap(tz, slot),
    }
}

/// The first instant whose wall-clock time is `slot` or later, for a `slot` in a gap:
/// the moment the clocks jump forward.
fn after_gap(tz: Tz, slot: Slot) -> Option<DateTime<Utc>> {
    let shifted = |minutes: i64| tz.from_local_datetime(&(slot + TimeDelta::minutes(minutes)));
    // The valid wall-clock times on either side of the gap, a minute at a time; between
    // them the clocks only jump forward, so the wall clock rises with real time.
    let mut before = (1..=GAP_MINUTES)
        .find_map(|m| shifted(-m).latest())?
        .timestamp();
    let mut after = (1..=GAP_MINUTES)
        .find_map(|m| shifted(m).earliest())?
        .timestamp();
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        if local(tz, DateTime::from_timestamp(mid, 0)?) >= slot {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(after, 0)
}

/// The last slot of `cron` that has happened by `now`, with when it happened.
fn last_slot(cron: &Cron, tz: Tz, now: DateTime<Utc>) -> Option<(Slot, DateTime<Utc>)> {
    let shown = local(tz, now);
    let mut last = previous_slot(cron, shown).and_then(|s| Some((s, instant_of(tz, s)?)));
    // In the hour a fall back repeats, the later wall-clock times of its first pass have
    // happened too.
    let mut from = last.map_or(shown, |(s, _)| s);
    for _ in 0..SLOTS_IN_A_DAY {
        let Some(slot) = next_slot(cron, from, false) else {
            break;
        };
        match instant_of(tz, slot) {
            Some(at) if at <= now => last = Some((slot, at)),
            _ => break,
        }
        from = slot;
    }
    last
}

/// The first slot of `cron` from `from` on that happens after `after`, with when.
fn first_after(
    cron: &Cron,
    tz: Tz,
    mut from: Slot,
    mut inclusive: bool,
    after: DateTime<Utc>,
) -> Option<(Slot, DateTime<Utc>)> {
    for _ in 0..SLOTS_IN_A_DAY {
        let slot = next_slot(cron, from, inclusive)?;
        let at = instant_of(tz, slot)?;
        if at > after {
            return Some((slot, at));
        }
        // A slot of the first pass of a repeated hour, seen from its second pass.
        from = slot;
        inclusive = false;
    }
    None
}

/// The wall-clock time of `t` in `tz`, to the second (croner keeps the sub-second part
/// of its start, and a cron has none).
fn local(tz: Tz, t: DateTime<Utc>) -> Slot {
    whole_seconds(t).with_timezone(&tz).naive_local()
}

/// `t` without its sub-second part, so that 07:00 prints as 07:00.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// croner on the local time line: a naive time is carried as UTC, which has no changes
/// of clocks.
fn next_slot(cron: &Cron, from: Slot, inclusive: bool) -> Option<Slot> {
    cron.find_next_occurrence(&from.and_utc(), inclusive)
        .ok()
        .map(|t| t.naive_utc())
}

fn previous_slot(cron: &Cron, from: Slot) -> Option<Slot> {
    cron.find_previous_occurrence(&from.and_utc(), true)
        .ok()
        .map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn schedule(cron: &str, tz: Tz) -> Schedule {
        Schedule {
            cron_text: cron.into(),
            cron: crate::config::parse_cron(cron).unwrap(),
            timezone: tz,
            skip_weekends: false,
            skip_dates: BTreeSet::new(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn next(cron: &str, tz: Tz, after: &str, n: usize) -> Vec<String> {
        next_runs(&schedule(cron, tz), at(after), n)
            .iter()
            .map(|t| t.to_rfc3339())
            .collect()
    }

    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn spring_forward_runs_a_skipped_time_once_at_the_end_of_the_gap_and_no_time_twice() {
        // 2025-03-09: at 02:00 EST the clocks go to 03:00 EDT.
        let before = "2025-03-08T12:00:00-05:00";
        assert_eq!(
            next("0 30 1 * * *", NEW_YORK, before, 3),
            [
                "2025-03-09T01:30:00-05:00",
                "2025-03-10T01:30:00-04:00",
                "2025-03-11T01:30:00-04:00"
            ]
        );
        assert_eq!(
            next("0 30 2 * * *", NEW_YORK, before, 2),
            ["2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"]
        );
        assert_eq!(
            next("0 0 7 * * *", NEW_YORK, before, 2),
            ["2025-03-09T07:00:00-04:00", "2025-03-10T07:00:00-04:00"]
        );
        // 02:00, 02:30 and 03:00 all come at 03:00 EDT: one run.
        assert_eq!(
            next("0 */30 * * * *", NEW_YORK, "2025-03-09T00:45:00-05:00", 4),
            [
                "2025-03-09T01:00:00-05:00",
                "2025-03-09T01:30:00-05:00",
                "2025-03-09T03:00:00-04:00",
                "2025-03-09T03:30:00-04:00"
            ]
        );
        // After the gap, today's 02:30 was due at 03:00 EDT (croner's previous 02:30 is
        // 01:59:59 EST).
        let due = last_due(
            &schedule("0 30 2 * * *", NEW_YORK),
            at("2025-03-09T04:00:00-04:00"),
        );
        assert_eq!(due.unwrap().to_rfc3339(), "2025-03-09T03:00:00-04:00");
        let due = last_due(
            &schedule("0 30 2 * * *", NEW_YORK),
            at("2025-03-09T01:59:59-05:00"),
        );
        assert_eq!(due, None);
    }

    #[test]
    fn fall_back_runs_a_repeated_time_once_at_its_first_pass() {
        // 2025-11-02: at 02:00 EDT the clocks go back to 01:00 EST.
        assert_eq!(
            next("0 30 1 * * *", NEW_YORK, "2025-11-01T12:00:00-04:00", 3),
            [
                "2025-11-02T01:30:00-04:00",
                "2025-11-03T01:30:00-05:00",
                "2025-11-04T01:30:00-05:00"
            ]
        );
        // Seen from the second pass, 01:30 has been: next is tomorrow's.
        assert_eq!(
            next("0 30 1 * * *", NEW_YORK, "2025-11-02T01:40:00-05:00", 1),
            ["2025-11-03T01:30:00-05:00"]
        );
        assert_eq!(
            next("0 */30 * * * *", NEW_YORK, "2025-11-02T00:45:00-04:00", 4),
            [
                "2025-11-02T01:00:00-04:00",
                "2025-11-02T01:30:00-04:00",
                "2025-11-02T02:00:00-05:00",
                "2025-11-02T02:30:00-05:00"
            ]
        );
        // At 01:40 EST, 01:45 (EDT, an hour ago) is the last run due, though the wall
        // clock has not reached 01:45 again.
        let due = last_due(
            &schedule("0 45 1 * * *", NEW_YORK),
            at("2025-11-02T01:40:00-05:00"),
        );
        assert_eq!(due.unwrap().to_rfc3339(), "2025-11-02T01:45:00-04:00");
        assert_eq!(
            next("0 0 7 * * *", NEW_YORK, "2025-11-01T12:00:00-04:00", 2),
            ["2025-11-02T07:00:00-05:00", "2025-11-03T07:00:00-05:00"]
        );
    }

    #[test]
    fn a_zone_without_changes_of_clocks_keeps_its_times_on_those_days() {
        let seoul = chrono_tz::Asia::Seoul;
        for after in ["2025-03-08T12:00:00+09:00", "2025-11-01T12:00:00+09:00"] {
            let runs = next("0 30 1 * * *", seoul, after, 3);
            assert!(
                runs.iter().all(|r| r.ends_with("T01:30:00+09:00")),
                "{runs:?}"
            );
            let runs = next("0 30 2 * * *", seoul, after, 3);
            assert!(
                runs.iter().all(|r| r.ends_with("T02:30:00+09:00")),
                "{runs:?}"
            );
        }
        assert_eq!(
            next("0 */30 * * * *", seoul, "2025-03-09T00:45:00+09:00", 4),
            [
                "2025-03-09T01:00:00+09:00",
                "2025-03-09T01:30:00+09:00",
                "2025-03-09T02:00:00+09:00",
                "2025-03-09T02:30:00+09:00"
            ]
        );
    }

    #[test]
    fn a_gap_is_found_to_the_second_even_a_whole_day() {
        // Samoa went from 2011-12-29 23:59:59 -10:00 to 2011-12-31 00:00:00 +14:00.
        let apia = chrono_tz::Pacific::Apia;
        let slot = "2011-12-30T07:00:00".parse().unwrap();
        let when = instant_of(apia, slot).unwrap().with_timezone(&apia);
        assert_eq!(when.to_rfc3339(), "2011-12-31T00:00:00+14:00");
    }
}
