//! `[schedule]` and each group's own schedule: when briefings go out, in which zone,
//! which days are skipped, and how late a missed run may be made up; durations as the
//! file writes them (`36h`, `1d 12h`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use croner::Cron;
use serde::Deserialize;
use toml::Spanned;

use super::check::Checker;

/// `[schedule]` as a whole; the cron itself is each group's ([`super::Group::schedule`]).
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// The zone of "today" for what is not one group's: a `send` of every group, the
    /// ledger's dates in `status`.
    pub timezone: Tz,
    /// How late a run missed while the daemon was down may still be made up at start-up.
    /// Past it, a briefing would land in the middle of the day: it is reported instead.
    /// Zero when catching up is off. Counted from each schedule's own time.
    pub catch_up: Duration,
}

/// When one group's briefing goes out: its own `cron`, `timezone`, `skip_weekends`
/// and `skip_dates`, each defaulting to `[schedule]`'s.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// As written, for messages; with the zone, what tells two schedules apart.
    pub cron_text: String,
    pub cron: Cron,
    pub timezone: Tz,
    pub skip_weekends: bool,
    /// Days without a briefing (public holidays), in the schedule's zone.
    pub skip_dates: BTreeSet<NaiveDate>,
}

/// Why a day has no briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    Weekend,
    SkipDates,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Skip::Weekend => "weekend",
            Skip::SkipDates => "skip_dates",
        })
    }
}

impl Schedule {
    /// Why `date` has no briefing on this schedule, if it has none.
    pub fn skips(&self, date: NaiveDate) -> Option<Skip> {
        use chrono::Datelike;
        if self.skip_dates.contains(&date) {
            Some(Skip::SkipDates)
        } else if self.skip_weekends && date.weekday().number_from_monday() > 5 {
            Some(Skip::Weekend)
        } else {
            None
        }
    }

    /// `[schedule]`'s defaults: 07:00 in Seoul, every day.
    #[cfg(test)]
    pub fn for_test() -> Schedule {
        Schedule {
            cron_text: "0 0 7 * * *".into(),
            cron: parse_cron("0 0 7 * * *").unwrap(),
            timezone: chrono_tz::Asia::Seoul,
            skip_weekends: false,
            skip_dates: BTreeSet::new(),
        }
    }

    /// Groups whose cron and zone are the same share one run.
    pub fn same_run(&self, other: &Schedule) -> bool {
        self.cron_text
            .split_whitespace()
            .eq(other.cron_text.split_whitespace())
            && self.timezone == other.timezone
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSchedule {
    cron: Spanned<String>,
    timezone: Spanned<String>,
    catch_up: Spanned<String>,
    skip_weekends: bool,
    skip_dates: Vec<Spanned<String>>,
}

impl Default for RawSchedule {
    fn default() -> Self {
        RawSchedule {
            cron: Spanned::new(0..0, "0 0 7 * * *".into()),
            timezone: Spanned::new(0..0, "Asia/Seoul".into()),
            catch_up: Spanned::new(0..0, "2h".into()),
            skip_weekends: false,
            skip_dates: Vec::new(),
        }
    }
}

impl Checker<'_> {
    /// `[schedule]`: the zone of "today" and the catch-up window, and the schedule of
    /// every group that has none of its own.
    pub(super) fn schedule(&self, raw: &RawSchedule) -> (Option<ScheduleConfig>, Option<Schedule>) {
        let timezone = self.timezone(&raw.timezone, "schedule.timezone");
        let catch_up = match raw.catch_up.get_ref().trim() {
            "off" => Some(Duration::ZERO),
            text => self.take(
                parse_duration(text),
                raw.catch_up.span(),
                "schedule.catch_up",
            ),
        };
        let cron = self.cron(&raw.cron, "schedule.cron");
        let skip_dates = self.skip_dates(&raw.skip_dates, "schedule.skip_dates");
        let default = match (&cron, timezone) {
            (Some(cron), Some(timezone)) => Some(Schedule {
                cron_text: raw.cron.get_ref().clone(),
                cron: cron.clone(),
                timezone,
                skip_weekends: raw.skip_weekends,
                skip_dates,
            }),
            _ => None,
        };
        let config = match (timezone, catch_up) {
            (Some(timezone), Some(catch_up)) => Some(ScheduleConfig { timezone, catch_up }),
            _ => None,
        };
        (config, default)
    }

    pub(super) fn timezone(&self, value: &Spanned<String>, key: &str) -> Option<Tz> {
        let zone = Tz::from_str(value.get_ref()).map_err(|_| {
            format!(
                "unknown time zone {:?} (e.g. \"Asia/Seoul\")",
                value.get_ref()
            )
        });
        self.take(zone, value.span(), key)
    }

    /// A cron that parses but matches no date (`0 0 7 31 2 *`, February the 31st) is
    /// refused too: the daemon would wait for it forever. Searched from a fixed
    /// start, not from now, so that what the file means does not depend on the clock.
    pub(super) fn cron(&self, value: &Spanned<String>, key: &str) -> Option<Cron> {
        let cron = parse_cron(value.get_ref()).and_then(|cron| {
            match cron.find_next_occurrence(&chrono::DateTime::UNIX_EPOCH, false) {
                Ok(_) => Ok(cron),
                Err(_) => Err(format!(
                    "{:?} never fires: no date matches it (is the day of the month past the end of the month?)",
                    value.get_ref()
                )),
            }
        });
        self.take(cron, value.span(), key)
    }

    pub(super) fn skip_dates(&self, values: &[Spanned<String>], key: &str) -> BTreeSet<NaiveDate> {
        values
            .iter()
            .filter_map(|v| {
                let date = NaiveDate::parse_from_str(v.get_ref(), "%Y-%m-%d").map_err(|e| {
                    format!("{:?} is not a date written YYYY-MM-DD: {e}", v.get_ref())
                });
                self.take(date, v.span(), key)
            })
            .collect()
    }
}

/// Seconds first, as the daemon reads it; the same parser it uses, so what `check`
/// accepts is what the daemon runs.
pub fn parse_cron(text: &str) -> Result<Cron, String> {
    if text.split_whitespace().count() < 6 {
        return Err(format!(
            "{text:?} has {} fields; six are needed, seconds first (e.g. \"0 0 7 * * *\")",
            text.split_whitespace().count()
        ));
    }
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(text)
        .map_err(|e| format!("{text:?} is not a valid cron expression: {e}"))
}

/// A duration written as whole days, hours, minutes and seconds: `36h`, `1d 12h`,
/// `90m`. A unit is required, so that `36` cannot be read as seconds by one reader and
/// hours by another.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration (e.g. \"36h\", \"1d 12h\", \"90m\")");
    let mut secs: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let scale = match unit {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        secs = n
            .checked_mul(scale)
            .and_then(|s| s.checked_add(secs))
            .ok_or_else(bad)?;
        rest = rest[digits + unit.len_utf8()..].trim_start();
    }
    if secs == 0 {
        return Err(format!("{text:?}: must be longer than zero"));
    }
    Ok(Duration::from_secs(secs))
}

/// `duration` the way [`parse_duration`] reads it, to the minute: `1d 12h`, `45m`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let parts = [
        (secs / 86_400, 'd'),
        (secs / 3_600 % 24, 'h'),
        (secs / 60 % 60, 'm'),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if text.is_empty() {
        format!("{secs}s")
    } else {
        text.join(" ")
    }
}
