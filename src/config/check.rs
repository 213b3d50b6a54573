//! Checking the values TOML cannot check: the accepted range of each number, and the
//! [`Checker`] that collects every problem of a file with its line and key, so that
//! `briefing check` lists them all at once. Each section's own checks are in its file.

use std::cell::RefCell;
use std::fmt;
use std::ops::RangeInclusive;

use lettre::message::Mailbox;
use toml::Spanned;

use super::{parse_mailbox, Problem};

// The accepted values of each numeric key, as config.toml and the README document
// them. A value outside is a typo or a misunderstanding (`timeout_secs = 0` is "never
// wait", not "wait forever"), refused by `check` rather than found at seven o'clock.

/// A hanging server must not hold the job for more than an hour; zero would fail every
/// connection at once.
pub(super) const TIMEOUT_SECS: RangeInclusive<u64> = 1..=3600;
/// The dump is read into memory: past a few GiB it is not a day's news.
pub(super) const MAX_BYTES: RangeInclusive<u64> = 1..=4 * 1024 * 1024 * 1024;
/// Tries per message: more than 20 only keeps the next recipients waiting.
pub(super) const RETRIES: RangeInclusive<u32> = 0..=20;
/// The first pause doubles per retry: ten minutes is already a long first wait.
pub(super) const RETRY_DELAY_MS: RangeInclusive<u64> = 0..=600_000;
/// More parallel connections than this is a flood to one relay, not a speed-up.
pub(super) const CONNECTIONS: RangeInclusive<usize> = 1..=64;
/// Connections of the web endpoint: each is an open file, and the open-file limit is
/// shared with the runs (`web::descriptors` keeps room for them).
pub(super) const MAX_CONNECTIONS: RangeInclusive<usize> = 1..=65_536;
/// Port 0 is "any port" to a listener, never a port to connect to.
pub(super) const PORT: RangeInclusive<u16> = 1..=u16::MAX;
/// Zero lines is an empty item; past 20 an item is the article, not a briefing of it.
pub(super) const LINES_PER_ARTICLE: RangeInclusive<usize> = 1..=20;
/// Zero would send "no news" although there is news; past 1000 it is not a briefing.
pub(super) const MAX_ARTICLES: RangeInclusive<usize> = 1..=1000;
/// Every selection weight and penalty: a unit is the gap between the 1st and the 3rd
/// line, so 100 already drowns every other part of the score. Negative would turn a
/// penalty into a bonus, NaN or infinity would make every score equal.
pub(super) const WEIGHT: RangeInclusive<f64> = 0.0..=100.0;
/// Figures that earn the full number bonus: zero would make `number_weight` do nothing.
pub(super) const FIGURES_FULL: RangeInclusive<usize> = 1..=100;
/// Line lengths in characters (`short_chars`, `min_chars`, `max_chars`).
pub(super) const LINE_CHARS: RangeInclusive<usize> = 0..=100_000;
/// Group names become file names (the ledger's `GROUP.jsonl`): this many characters.
pub(super) const GROUP_NAME_CHARS: RangeInclusive<usize> = 1..=64;
/// `[merge] threshold`: a similarity, 0 to 1.
pub(super) const MERGE_THRESHOLD: RangeInclusive<f64> = 0.0..=1.0;

/// Every `timeout_secs`' default: a slow server gets half a minute.
pub(super) fn default_timeout() -> Spanned<u64> {
    Spanned::new(0..0, 30)
}

/// Collects the problems of one file as [`Config::parse`] finds them, each at its line.
/// A check that fails reports and hands back what it has (the value as written, or
/// `None`): the config is refused at the end anyway, and the checks after it still run.
pub(super) struct Checker<'a> {
    pub(super) text: &'a str,
    problems: RefCell<Vec<Problem>>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(text: &'a str) -> Checker<'a> {
        Checker {
            text,
            problems: RefCell::new(Vec::new()),
        }
    }

    /// Every problem reported, in the order found.
    pub(super) fn into_problems(self) -> Vec<Problem> {
        self.problems.into_inner()
    }
}

impl Checker<'_> {
    pub(super) fn report(&self, span: std::ops::Range<usize>, key: &str, message: String) {
        self.problems.borrow_mut().push(Problem {
            line: line_of(self.text, span.start),
            key: key.to_owned(),
            message,
        });
    }

    /// `result`'s value, or `None` with its message reported at `span`.
    pub(super) fn take<T>(
        &self,
        result: Result<T, String>,
        span: std::ops::Range<usize>,
        key: &str,
    ) -> Option<T> {
        result.map_err(|m| self.report(span, key, m)).ok()
    }

    /// The value of `key`, reported when `range` does not hold it. NaN is in no range,
    /// so a float key needs no check of its own.
    pub(super) fn bounded<T: PartialOrd + fmt::Display + Copy>(
        &self,
        value: &Spanned<T>,
        range: &RangeInclusive<T>,
        key: &str,
    ) -> T {
        let v = *value.get_ref();
        if !range.contains(&v) {
            self.report(
                value.span(),
                key,
                format!(
                    "{v} is out of range: must be between {} and {}",
                    range.start(),
                    range.end()
                ),
            );
        }
        v
    }

    pub(super) fn mailbox(&self, value: &Spanned<String>, key: &str) -> Option<Mailbox> {
        self.take(parse_mailbox(value.get_ref()), value.span(), key)
    }
}

/// The dotted key (`source.timeout_secs`) whose key or value is at `offset`: toml's own
/// errors point at the offending text but do not say which setting it belongs to. Read
/// back from the line at `offset` to the nearest `key =` and the table header above it.
pub(super) fn key_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let here = text.get(line_start..).unwrap_or("");
    let here = here.split('\n').next().unwrap_or("");
    let mut key = None;
    let mut table = None;
    for line in std::iter::once(here).chain(before[..line_start].lines().rev()) {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            table = Some(
                header
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .unwrap_or("")
                    .trim(),
            );
            break;
        }
        if key.is_none() {
            let name = line.split('=').next().unwrap_or("").trim();
            let bare = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'));
            if bare {
                key = Some(name.trim_matches('"'));
            }
        }
    }
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (Some(t), None) => t.to_owned(),
        (None, Some(k)) => k.to_owned(),
        (None, None) => "(toml)".to_owned(),
    }
}

/// 1-based line number of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
