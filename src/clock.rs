//! The one place that reads the wall clock.
//!
//! `BRIEFING_NOW` (RFC 3339) pins the clock: tests get a fixed date in subjects and
//! ledgers, and an operator can rebuild the briefing of a past day.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

const VAR: &str = "BRIEFING_NOW";

/// Fails when `BRIEFING_NOW` is set but not a time, so a typo is not silently "now".
pub fn check() -> Result<(), String> {
    match std::env::var(VAR) {
        Ok(v) => DateTime::parse_from_rfc3339(&v).map(drop).map_err(|e| {
            format!("{VAR}={v:?} is not an RFC 3339 time (e.g. 2025-09-07T07:00:00+09:00): {e}")
        }),
        Err(_) => Ok(()),
    }
}

/// The current time (or the pinned one).
pub fn now() -> DateTime<Utc> {
    std::env::var(VAR)
        .ok()
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

/// Today's date in `tz`: the date a briefing is for.
pub fn today(tz: Tz) -> NaiveDate {
    now().with_timezone(&tz).date_naive()
}
