//! The one place that reads the wall clock.
//!
//! `BRIEFING_NOW` (RFC 3339) pins the clock: tests get a fixed date in subjects and
//! ledgers, and an operator can rebuild the briefing of a past day. Everything else
//! asks [`now`]: `clippy.toml` forbids the clock functions of std and chrono elsewhere,
//! so a pinned run cannot carry the real date anywhere. In the daemon a pinned clock
//! starts at the pinned instant and advances with real time ([`follow_real_time`]), and
//! its timer fires at the pinned schedule ([`on_real_clock`]).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

const VAR: &str = "BRIEFING_NOW";

/// Fails when `BRIEFING_NOW` is set but not a time, so a typo is not silently "now";
/// or a time the message's `Date:` header cannot carry (it is a `SystemTime` written as
/// a four-digit year from 1970 on), which would otherwise fail only after delivering.
pub fn check() -> Result<(), String> {
    match std::env::var(VAR) {
        Ok(v) => {
            let t = DateTime::parse_from_rfc3339(&v).map_err(|e| {
                format!("{VAR}={v:?} is not an RFC 3339 time (e.g. 2025-09-07T07:00:00+09:00): {e}")
            })?;
            check_range(t.with_timezone(&Utc)).map_err(|m| format!("{VAR}={v:?}: {m}"))
        }
        Err(_) => Ok(()),
    }
}

/// From 1970-01-01T00:00:00Z, the first time a `Date:` header can show, to the last
/// whose date is still 9999-12-31 at most in every time zone (UTC+14 is a day ahead):
/// a briefing's date names its ledger folder, `YYYY-MM-DD`.
fn check_range(t: DateTime<Utc>) -> Result<(), String> {
    let first = DateTime::UNIX_EPOCH;
    let last = Utc
        .with_ymd_and_hms(9999, 12, 30, 23, 59, 59)
        .single()
        .ok_or("the last supported time is not a time")?;
    if (first..=last).contains(&t) {
        Ok(())
    } else {
        Err(format!(
            "out of range: a pinned time must lie between {} and {}",
            first.to_rfc3339(),
            last.to_rfc3339()
        ))
    }
}

/// Set once by the daemon ([`follow_real_time`]): the moment its pinned clock started.
static FOLLOWING: OnceLock<Instant> = OnceLock::new();

/// Makes a pinned clock advance with real time from the pinned instant, for the rest of
/// the process: the daemon's scheduler waits for times to come, and under a clock that
/// stood still its next run would never come. A command run once (`send`, `status`)
/// keeps the pinned instant itself, so what it writes carries exactly that time. True
/// when the clock is pinned.
pub fn follow_real_time() -> bool {
    FOLLOWING.get_or_init(Instant::now);
    pinned().is_some()
}

fn pinned() -> Option<DateTime<Utc>> {
    std::env::var(VAR)
        .ok()
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The current time (or the pinned one, advanced by the time the daemon has run).
#[allow(clippy::disallowed_methods)] // the one reading of the wall clock
pub fn now() -> DateTime<Utc> {
    match pinned() {
        Some(t) => {
            let run = FOLLOWING.get().map_or(Duration::ZERO, Instant::elapsed);
            t + chrono::Duration::from_std(run).unwrap_or_default()
        }
        None => Utc::now(),
    }
}

/// When the real clock shows what [`now`] shows at `t`: `t` itself, unless the clock is
/// pinned. The daemon's timer (tokio-cron-scheduler) waits on the real clock, so that is
/// where a pinned daemon's runs are placed.
#[allow(clippy::disallowed_methods)] // the distance of the pinned clock from the real one
pub fn on_real_clock(t: DateTime<Utc>) -> DateTime<Utc> {
    match pinned() {
        Some(_) => t + (Utc::now() - now()),
        None => t,
    }
}

/// Today's date in `tz`: the date a briefing is for.
pub fn today(tz: Tz) -> NaiveDate {
    now().with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_times_outside_what_a_date_header_carries_are_refused() {
        let at = |text: &str| check_range(DateTime::parse_from_rfc3339(text).unwrap().to_utc());
        for ok in [
            "1970-01-01T00:00:00Z",
            "1970-01-01T09:00:00+09:00",
            "2025-09-07T07:00:00+09:00",
            "9999-12-30T23:59:59Z",
            "9999-12-31T09:59:59+10:00",
        ] {
            assert_eq!(at(ok), Ok(()), "{ok}");
        }
        for bad in [
            "1969-12-31T23:59:59Z",
            "1970-01-01T08:59:59+09:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T00:00:00Z",
            "9999-12-31T23:59:59-00:01",
        ] {
            let err = at(bad).unwrap_err();
            assert!(err.contains("out of range"), "{bad}: {err}");
        }
    }
}
