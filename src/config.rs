//! `config.toml` -> [`Config`].
//!
//! The file is read in two steps: serde turns the TOML into raw structs (unknown keys
//! are errors, not silently ignored), then [`Config::parse`] checks every value that can
//! be wrong in ways TOML cannot see (addresses, cron, time zone, TLS and AUTH together),
//! so that a typo is reported by `briefing check` with the file, line and key instead of
//! failing at seven in the morning.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use croner::Cron;
use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use crate::select::SummaryConfig;

mod sources;
pub use sources::{Format, SourceConfig};

// The accepted values of each numeric key, as config.toml and the README document
// them. A value outside is a typo or a misunderstanding (`timeout_secs = 0` is "never
// wait", not "wait forever"), refused by `check` rather than found at seven o'clock.

/// A hanging server must not hold the job for more than an hour; zero would fail every
/// connection at once.
const TIMEOUT_SECS: RangeInclusive<u64> = 1..=3600;
/// The dump is read into memory: past a few GiB it is not a day's news.
const MAX_BYTES: RangeInclusive<u64> = 1..=4 * 1024 * 1024 * 1024;
/// Tries per message: more than 20 only keeps the next recipients waiting.
const RETRIES: RangeInclusive<u32> = 0..=20;
/// The first pause doubles per retry: ten minutes is already a long first wait.
const RETRY_DELAY_MS: RangeInclusive<u64> = 0..=600_000;
/// More parallel connections than this is a flood to one relay, not a speed-up.
const CONNECTIONS: RangeInclusive<usize> = 1..=64;
/// Connections of the web endpoint: each is an open file, and the open-file limit is
/// shared with the runs (`web::descriptors` keeps room for them).
const MAX_CONNECTIONS: RangeInclusive<usize> = 1..=65_536;
/// Port 0 is "any port" to a listener, never a port to connect to.
const PORT: RangeInclusive<u16> = 1..=u16::MAX;
/// Zero lines is an empty item; past 20 an item is the article, not a briefing of it.
const LINES_PER_ARTICLE: RangeInclusive<usize> = 1..=20;
/// Zero would send "no news" although there is news; past 1000 it is not a briefing.
const MAX_ARTICLES: RangeInclusive<usize> = 1..=1000;
/// Every selection weight and penalty: a unit is the gap between the 1st and the 3rd
/// line, so 100 already drowns every other part of the score. Negative would turn a
/// penalty into a bonus, NaN or infinity would make every score equal.
const WEIGHT: RangeInclusive<f64> = 0.0..=100.0;
/// Figures that earn the full number bonus: zero would make `number_weight` do nothing.
const FIGURES_FULL: RangeInclusive<usize> = 1..=100;
/// Line lengths in characters (`short_chars`, `min_chars`, `max_chars`).
const LINE_CHARS: RangeInclusive<usize> = 0..=100_000;
/// Group names become file names (the ledger's `GROUP.jsonl`): this many characters.
const GROUP_NAME_CHARS: RangeInclusive<usize> = 1..=64;
/// `[merge] threshold`: a similarity, 0 to 1.
const MERGE_THRESHOLD: RangeInclusive<f64> = 0.0..=1.0;

/// A configuration error: where it is and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no config file at {} (name one with --config FILE or the BRIEFING_CONFIG variable; \
         without either it is config.toml in the current folder)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Every problem of the file (never none), one per line of the message.
    #[error("{}", list_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

/// One thing wrong in the file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based.
    pub line: usize,
    /// Dotted, as the file spells it: `groups.morning.cron`.
    pub key: String,
    pub message: String,
}

fn list_problems(path: &Path, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}: {}: {}", path.display(), p.line, p.key, p.message))
        .collect();
    lines.join("\n")
}

/// The resolved configuration: paths absolute, addresses and schedule parsed.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from, for messages.
    pub path: PathBuf,
    /// In the order of the file; at least one.
    pub sources: Vec<SourceConfig>,
    pub schedule: ScheduleConfig,
    pub summary: SummaryConfig,
    pub merge: MergeConfig,
    pub mail: MailConfig,
    pub smtp: Option<SmtpConfig>,
    pub web: Option<WebConfig>,
    /// Where the delivery ledger lives.
    pub state_dir: PathBuf,
    /// In the order of the file, which is also the order they are sent in.
    pub groups: Vec<Group>,
}

/// `[merge]` in config.toml.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MergeConfig {
    /// Two articles scoring this or more are one story. `scripts/eval-merge` chooses
    /// 0.31 and 0.36 on the two halves of the pair set; 0.40 sits above both, on the
    /// side of precision (1.00 at a recall of 0.92 on the whole set), because a false
    /// merge hides an event.
    pub threshold: f64,
}

impl Default for MergeConfig {
    fn default() -> Self {
        MergeConfig {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// See [`MergeConfig::threshold`].
pub const DEFAULT_THRESHOLD: f64 = 0.40;

/// `[schedule]` as a whole; the cron itself is each group's ([`Group::schedule`]).
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

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub from: Mailbox,
    /// Where messages are written as `.eml` files when there is no `[smtp]`.
    pub outbox: PathBuf,
    /// A folder whose templates override the built-in ones.
    pub templates: Option<PathBuf>,
    /// The subject line, a handlebars template (`{{date}}` is the Korean date).
    pub subject: String,
    /// What a day without articles sends.
    pub on_empty: OnEmpty,
    /// Where `mailto:` unsubscribe requests go (`List-Unsubscribe`); none without it.
    pub unsubscribe: Option<Mailbox>,
    /// A person readers can write to, named in the footer.
    pub contact: Option<Mailbox>,
    pub dkim: Option<DkimConfig>,
}

/// How messages are DKIM-signed: receivers that see no signature of the sender's domain
/// (Gmail and Yahoo, for bulk senders) file the briefing as spam.
#[derive(Debug, Clone)]
pub struct DkimConfig {
    pub key_file: PathBuf,
    pub selector: String,
    pub domain: String,
    pub algorithm: DkimAlgorithm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimAlgorithm {
    /// PKCS#1 PEM, what every receiver verifies.
    Rsa,
    /// The 32-byte seed in base64 (RFC 8463): small, but not verified everywhere yet.
    Ed25519,
}

/// `[web]`: the endpoint of `briefing run --listen`, and the one-click unsubscribe links
/// (RFC 8058) the messages carry. Either may be had without the other.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `base_url` and `secret_env`, which only the unsubscribe links need.
    pub links: Option<UnsubscribeLinks>,
    /// The name of the environment variable holding the bearer token of `POST /send`
    /// (which also reads `/status` and `/preview`): `briefing run --listen` refuses to
    /// start without it.
    pub token_env: Option<String>,
    /// The name of the environment variable holding a token that reads `/status` and
    /// `/preview` but cannot send, for a dashboard that should not hold the send token.
    pub read_token_env: Option<String>,
    /// `--listen` may bind a non-loopback address (behind a firewall or a proxy).
    pub allow_remote: bool,
    /// Connections the endpoint holds open at once; more are turned away at once, so
    /// that clients can never take the descriptors a run needs.
    pub max_connections: usize,
}

/// Where one-click unsubscribe links point, and the key that signs them.
#[derive(Debug, Clone)]
pub struct UnsubscribeLinks {
    /// `https://…`, without a trailing `/`.
    pub base_url: String,
    /// The name of the environment variable holding the key of the unsubscribe tokens.
    pub secret_env: String,
}

/// What to do when the dump has no article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnEmpty {
    /// Send nothing (and say so).
    Skip,
    /// Send a short "no news today" briefing.
    Send,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub username: Option<String>,
    /// The name of the environment variable holding the password.
    pub password_env: Option<String>,
    pub timeout_secs: u64,
    /// Extra PEM root certificate to trust (a private relay's own CA).
    pub ca_file: Option<PathBuf>,
    /// Tries per message after the first, for transient failures (4xx, timeouts).
    pub retries: u32,
    /// The pause before the first retry; it doubles (with jitter) after each.
    pub retry_delay_ms: u64,
    /// Messages in flight at once, each on its own pooled connection. It is also the
    /// ledger's batch: one fsync records a whole batch as sending, one its outcomes.
    pub connections: usize,
}

// The password never lives here, but keep Debug explicit so nobody adds it by accident.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password_env", &self.password_env)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

/// A named list of recipients who receive the same briefing.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub recipients: Vec<Mailbox>,
    /// At most this many articles (items) in the briefing.
    pub max_articles: Option<usize>,
    pub filter: Filter,
    /// Overrides `[summary] lines_per_article` for this group.
    pub lines_per_article: Option<usize>,
    /// Overrides `[mail] subject` for this group.
    pub subject: Option<String>,
    /// Who this list is for, in words readers understand, for the footer.
    pub description: Option<String>,
    /// The sender's display name for this group (default: `mail.from`'s).
    pub from_name: Option<String>,
    /// The day at a glance (keywords and figures) at the top of its briefing.
    pub glance: bool,
    /// The briefing's name, in its masthead, its default subject and the web pages
    /// (`칼럼 브리핑`): a list of columns should not arrive as the morning briefing.
    pub title: Option<String>,
    /// How its stories are ordered.
    pub order: Order,
    /// What this group gets when none of the day's articles is for it (default:
    /// `[mail] on_empty`): a filtered group can have nothing on a busy day.
    pub on_empty: OnEmpty,
    /// When it is sent: readers of an evening edition, or in another zone, are not
    /// sent the morning's at seven.
    pub schedule: Schedule,
}

/// How a group's briefing orders its stories (`[groups.NAME] order`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// By the day's rank (`crate::rank`): the biggest story first, opinion after the
    /// news.
    #[default]
    Rank,
    /// As the sources gave them.
    Source,
    /// Newest first.
    Time,
}

/// Which articles a group wants. Labels are compared without their brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// When not empty, only articles with one of these labels.
    pub include_labels: Vec<String>,
    pub exclude_labels: Vec<String>,
    /// When not empty, only articles whose title or text mentions one of these.
    pub include_keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    source: Option<sources::RawSource>,
    sources: Option<Spanned<Vec<sources::RawSource>>>,
    #[serde(default)]
    schedule: RawSchedule,
    #[serde(default)]
    summary: SummaryConfig,
    #[serde(default)]
    merge: RawMerge,
    mail: RawMail,
    smtp: Option<RawSmtp>,
    web: Option<RawWeb>,
    #[serde(default)]
    state: RawState,
    /// Keys with their place, for a message about the name itself.
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSchedule {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawMerge {
    threshold: Spanned<f64>,
}

impl Default for RawMerge {
    fn default() -> Self {
        RawMerge {
            threshold: Spanned::new(0..0, MergeConfig::default().threshold),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    from: Spanned<String>,
    #[serde(default = "default_outbox")]
    outbox: PathBuf,
    templates: Option<PathBuf>,
    #[serde(default = "default_subject")]
    subject: String,
    #[serde(default = "default_on_empty")]
    on_empty: OnEmpty,
    unsubscribe: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    dkim: Option<Spanned<RawDkim>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDkim {
    key_file: PathBuf,
    selector: Spanned<String>,
    domain: Spanned<String>,
    #[serde(default = "default_dkim_algorithm")]
    algorithm: DkimAlgorithm,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeb {
    base_url: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
    token_env: Option<String>,
    read_token_env: Option<String>,
    #[serde(default)]
    allow_remote: bool,
    #[serde(default = "default_max_connections")]
    max_connections: Spanned<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: Spanned<String>,
    port: Option<Spanned<u16>>,
    #[serde(default = "default_tls")]
    tls: Tls,
    username: Option<Spanned<String>>,
    password_env: Option<String>,
    #[serde(default = "default_timeout")]
    timeout_secs: Spanned<u64>,
    #[serde(default)]
    allow_insecure_auth: bool,
    ca_file: Option<PathBuf>,
    #[serde(default = "default_retries")]
    retries: Spanned<u32>,
    #[serde(default = "default_retry_delay_ms")]
    retry_delay_ms: Spanned<u64>,
    #[serde(default = "default_connections")]
    connections: Spanned<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    dir: PathBuf,
}

impl Default for RawState {
    fn default() -> Self {
        RawState {
            dir: "state".into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    recipients: Spanned<Vec<Spanned<String>>>,
    max_articles: Option<Spanned<usize>>,
    #[serde(default)]
    include_labels: Vec<String>,
    #[serde(default)]
    exclude_labels: Vec<String>,
    #[serde(default)]
    include_keywords: Vec<String>,
    #[serde(default)]
    exclude_keywords: Vec<String>,
    lines_per_article: Option<Spanned<usize>>,
    subject: Option<String>,
    description: Option<String>,
    from_name: Option<String>,
    glance: Option<bool>,
    title: Option<String>,
    order: Option<Order>,
    on_empty: Option<OnEmpty>,
    cron: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    skip_weekends: Option<bool>,
    skip_dates: Option<Vec<Spanned<String>>>,
}

/// Where each key of `[summary]` was written. Its values are read into
/// [`SummaryConfig`], which has no room for positions; this second, lenient reading of
/// the same text lets a bad value be reported at its own line.
#[derive(Deserialize)]
struct SummarySpans {
    summary: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

fn default_timeout() -> Spanned<u64> {
    Spanned::new(0..0, 30)
}
fn default_outbox() -> PathBuf {
    "outbox".into()
}
/// The inbox row names the day's lead story and how many follow, which a fixed
/// "[아침 브리핑] date" never did; a group with a `title` is named first, so a list of
/// columns reads as one.
fn default_subject() -> String {
    "{{#if title}}[{{title}}] {{/if}}{{short_date}} {{#if top_title}}{{top_title}}{{#if more}} 외 {{more}}건{{/if}}{{else}}{{masthead}}: 새 기사 없음{{/if}}".into()
}
fn default_on_empty() -> OnEmpty {
    OnEmpty::Skip
}
fn default_retries() -> Spanned<u32> {
    Spanned::new(0..0, 3)
}
fn default_retry_delay_ms() -> Spanned<u64> {
    Spanned::new(0..0, 2000)
}
/// 10,000 messages into `smtp-sink` on loopback: 2,658 msgs/s over 1 connection, 5,696
/// over 4, 7,405 over 8, 8,407 over 16, 10,255 over 32. Eight takes most of the gain and
/// stays well inside what relays allow one client (Postfix: 50 by default).
fn default_connections() -> Spanned<usize> {
    Spanned::new(0..0, 8)
}
/// A quarter of the usual soft limit of open files (1,024): far more than an operator,
/// a proxy and the mail clients' one-click POSTs ever hold open at once, and far from
/// what would leave a run short of descriptors.
fn default_max_connections() -> Spanned<usize> {
    Spanned::new(0..0, 256)
}
fn default_dkim_algorithm() -> DkimAlgorithm {
    DkimAlgorithm::Rsa
}
fn default_tls() -> Tls {
    Tls::Starttls
}

/// The name of a briefing whose group has no `title`.
pub const DEFAULT_TITLE: &str = "아침 브리핑";

impl Group {
    /// What readers call this briefing: its `title`, else [`DEFAULT_TITLE`]. The group's
    /// name is an id for the ledger and the config, not for readers.
    pub fn masthead(&self) -> &str {
        self.title.as_deref().unwrap_or(DEFAULT_TITLE)
    }

    /// The recipients' addresses as written; the ledger keys them by [`address_key`].
    pub fn addresses(&self) -> Vec<String> {
        self.recipients
            .iter()
            .map(|r| r.email.to_string())
            .collect()
    }
}

impl Config {
    /// Reads and checks the configuration file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            match source.kind() {
                // Say where it looked: a relative default depends on the current folder.
                std::io::ErrorKind::NotFound => ConfigError::Missing {
                    path: std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
                },
                _ => ConfigError::Read {
                    path: path.to_owned(),
                    source,
                },
            }
        })?;
        Config::parse(&text, path)
    }

    /// Parses `text` as if read from `path`; relative paths resolve from its folder.
    /// Every value is checked even after one is wrong, so that the error lists all the
    /// problems of the file at once (a TOML syntax error stops the reading, so it comes
    /// alone).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |problems| ConfigError::Invalid {
            path: path.to_owned(),
            problems,
        };
        let c = Checker {
            text,
            problems: RefCell::new(Vec::new()),
        };
        let raw: Raw = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                c.report(
                    span.clone(),
                    &key_at(text, span.start),
                    e.message().to_owned(),
                );
                return Err(invalid(c.problems.into_inner()));
            }
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| -> PathBuf {
            if p.is_absolute() {
                p.to_owned()
            } else {
                base.join(p)
            }
        };
        let state_dir = resolve(&raw.state.dir);
        let sources = sources::resolve(&c, raw.source, raw.sources, &resolve, &state_dir);
        let (schedule, default) = c.schedule(&raw.schedule);
        c.summary(&raw.summary);
        let merge = MergeConfig {
            threshold: c.bounded(&raw.merge.threshold, &MERGE_THRESHOLD, "merge.threshold"),
        };
        let from = c.mailbox(&raw.mail.from, "mail.from");
        let mail = from.map(|from| MailConfig {
            from,
            outbox: resolve(&raw.mail.outbox),
            templates: raw.mail.templates.as_deref().map(resolve),
            subject: raw.mail.subject,
            on_empty: raw.mail.on_empty,
            unsubscribe: raw
                .mail
                .unsubscribe
                .as_ref()
                .and_then(|v| c.mailbox(v, "mail.unsubscribe")),
            contact: raw
                .mail
                .contact
                .as_ref()
                .and_then(|v| c.mailbox(v, "mail.contact")),
            dkim: raw.mail.dkim.map(|d| c.dkim(d, &resolve)),
        });
        let web = raw.web.map(|w| c.web(w));
        let smtp = raw.smtp.map(|s| c.smtp(s, &resolve));
        let on_empty = mail.as_ref().map_or(OnEmpty::Skip, |m| m.on_empty);
        let groups = c.groups(raw.groups, default.as_ref(), on_empty);

        let problems = c.problems.into_inner();
        match (mail, schedule, problems.is_empty()) {
            (Some(mail), Some(schedule), true) => Ok(Config {
                path: path.to_owned(),
                sources,
                schedule,
                summary: raw.summary,
                merge,
                mail,
                smtp,
                web,
                state_dir,
                groups,
            }),
            _ => Err(invalid(problems)),
        }
    }

    /// Key lines per article for `group`: its own setting, else `[summary]`'s.
    pub fn lines_per_article(&self, group: &Group) -> usize {
        group
            .lines_per_article
            .unwrap_or(self.summary.lines_per_article)
    }

    /// Who `group`'s briefing comes from: `mail.from`, under the group's own display
    /// name when it has one, so that a reader of two lists tells them apart in the inbox.
    pub fn sender(&self, group: &Group) -> Mailbox {
        match &group.from_name {
            Some(name) => Mailbox::new(Some(name.clone()), self.mail.from.email.clone()),
            None => self.mail.from.clone(),
        }
    }

    /// The group called `name`.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// Where one-click unsubscribe links point, when `[web]` has `base_url`.
    pub fn unsubscribe_links(&self) -> Option<&UnsubscribeLinks> {
        self.web.as_ref().and_then(|w| w.links.as_ref())
    }
}

/// Collects the problems of one file as [`Config::parse`] finds them, each at its line.
/// A check that fails reports and hands back what it has (the value as written, or
/// `None`): the config is refused at the end anyway, and the checks after it still run.
struct Checker<'a> {
    text: &'a str,
    problems: RefCell<Vec<Problem>>,
}

impl Checker<'_> {
    fn report(&self, span: std::ops::Range<usize>, key: &str, message: String) {
        self.problems.borrow_mut().push(Problem {
            line: line_of(self.text, span.start),
            key: key.to_owned(),
            message,
        });
    }

    /// `result`'s value, or `None` with its message reported at `span`.
    fn take<T>(
        &self,
        result: Result<T, String>,
        span: std::ops::Range<usize>,
        key: &str,
    ) -> Option<T> {
        result.map_err(|m| self.report(span, key, m)).ok()
    }

    /// The value of `key`, reported when `range` does not hold it. NaN is in no range,
    /// so a float key needs no check of its own.
    fn bounded<T: PartialOrd + fmt::Display + Copy>(
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

    fn mailbox(&self, value: &Spanned<String>, key: &str) -> Option<Mailbox> {
        self.take(parse_mailbox(value.get_ref()), value.span(), key)
    }

    /// `[schedule]`: the zone of "today" and the catch-up window, and the schedule of
    /// every group that has none of its own.
    fn schedule(&self, raw: &RawSchedule) -> (Option<ScheduleConfig>, Option<Schedule>) {
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

    fn timezone(&self, value: &Spanned<String>, key: &str) -> Option<Tz> {
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
    fn cron(&self, value: &Spanned<String>, key: &str) -> Option<Cron> {
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

    fn skip_dates(&self, values: &[Spanned<String>], key: &str) -> BTreeSet<NaiveDate> {
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

    /// `[summary]`'s ranges, each at the line of its key (read again from the text,
    /// since [`SummaryConfig`] keeps no positions).
    fn summary(&self, summary: &SummaryConfig) {
        let spans: SummarySpans = match toml::from_str(self.text) {
            Ok(spans) => spans,
            Err(e) => return self.report(0..0, "summary", e.message().to_owned()),
        };
        let table = spans.summary;
        let at = |key: &str| {
            table.as_ref().map_or(0..0, |t| {
                t.get_ref().get(key).map_or_else(|| t.span(), Spanned::span)
            })
        };
        let key = |name: &str| format!("summary.{name}");
        let counts = [
            (
                "lines_per_article",
                summary.lines_per_article,
                &LINES_PER_ARTICLE,
            ),
            ("figures_full", summary.figures_full, &FIGURES_FULL),
            ("short_chars", summary.short_chars, &LINE_CHARS),
            ("min_chars", summary.min_chars, &LINE_CHARS),
            ("max_chars", summary.max_chars, &LINE_CHARS),
        ];
        for (name, v, range) in counts {
            self.bounded(&Spanned::new(at(name), v), range, &key(name));
        }
        for (name, v) in summary.weights() {
            self.bounded(&Spanned::new(at(name), v), &WEIGHT, &key(name));
        }
        if summary.min_chars > summary.max_chars {
            self.report(
                at("min_chars"),
                &key("min_chars"),
                format!(
                    "{} is more than max_chars ({}): every line would be a fragment or a run-on",
                    summary.min_chars, summary.max_chars
                ),
            );
        }
    }

    fn dkim(&self, raw: Spanned<RawDkim>, resolve: &dyn Fn(&Path) -> PathBuf) -> DkimConfig {
        let span = raw.span();
        let d = raw.into_inner();
        for (value, key) in [(&d.selector, "selector"), (&d.domain, "domain")] {
            if !is_dns_name(value.get_ref()) {
                self.report(
                    value.span(),
                    &format!("mail.dkim.{key}"),
                    format!("{:?} is not an ASCII DNS name", value.get_ref()),
                );
            }
        }
        if d.key_file.as_os_str().is_empty() {
            self.report(span, "mail.dkim.key_file", "is empty".into());
        }
        DkimConfig {
            key_file: resolve(&d.key_file),
            selector: d.selector.into_inner(),
            domain: d.domain.into_inner(),
            algorithm: d.algorithm,
        }
    }

    fn web(&self, w: RawWeb) -> WebConfig {
        let max_connections =
            self.bounded(&w.max_connections, &MAX_CONNECTIONS, "web.max_connections");
        WebConfig {
            links: self.unsubscribe_links(w.base_url, w.secret_env),
            token_env: w.token_env,
            read_token_env: w.read_token_env,
            allow_remote: w.allow_remote,
            max_connections,
        }
    }

    /// `base_url` and `secret_env` go together: one without the other is a half-done
    /// setup, refused rather than sending messages without the link the operator meant.
    fn unsubscribe_links(
        &self,
        base_url: Option<Spanned<String>>,
        secret_env: Option<Spanned<String>>,
    ) -> Option<UnsubscribeLinks> {
        let (base_url, secret_env) = match (base_url, secret_env) {
            (None, None) => return None,
            (Some(base_url), Some(secret_env)) => (base_url, secret_env),
            (Some(base_url), None) => {
                self.report(
                    base_url.span(),
                    "web.secret_env",
                    "base_url is set but secret_env (the name of the variable holding the unsubscribe token key) is not".into(),
                );
                return None;
            }
            (None, Some(secret_env)) => {
                self.report(
                    secret_env.span(),
                    "web.base_url",
                    "secret_env is set but base_url (the https:// address the unsubscribe links point to) is not".into(),
                );
                return None;
            }
        };
        let url = base_url.get_ref().trim().trim_end_matches('/');
        let host = url.strip_prefix("https://").unwrap_or("");
        if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>']) {
            self.report(
                base_url.span(),
                "web.base_url",
                format!("{url:?} must be an https:// URL without query (one-click unsubscribe needs HTTPS, RFC 8058)"),
            );
        }
        Some(UnsubscribeLinks {
            base_url: url.to_owned(),
            secret_env: secret_env.into_inner(),
        })
    }

    fn smtp(&self, s: RawSmtp, resolve: &dyn Fn(&Path) -> PathBuf) -> SmtpConfig {
        let host = s.host.get_ref().trim().to_owned();
        if host.is_empty() {
            self.report(s.host.span(), "smtp.host", "is empty".into());
        }
        if let Some(user) = &s.username {
            if s.password_env.is_none() {
                self.report(
                    user.span(),
                    "smtp.password_env",
                    "username is set but password_env (the name of the variable holding the password) is not".into(),
                );
            }
            if s.tls == Tls::None && !(s.allow_insecure_auth && is_loopback(&host)) {
                self.report(
                    user.span(),
                    "smtp.username",
                    "AUTH over an unencrypted connection is refused; use tls = \"starttls\" or \"tls\" (or, for a relay on this machine only, allow_insecure_auth = true)".into(),
                );
            }
        }
        let port = match &s.port {
            Some(port) => self.bounded(port, &PORT, "smtp.port"),
            None => match s.tls {
                Tls::Starttls => 587,
                Tls::Tls => 465,
                Tls::None => 25,
            },
        };
        SmtpConfig {
            port,
            host,
            tls: s.tls,
            username: s.username.map(Spanned::into_inner),
            password_env: s.password_env,
            timeout_secs: self.bounded(&s.timeout_secs, &TIMEOUT_SECS, "smtp.timeout_secs"),
            ca_file: s.ca_file.as_deref().map(resolve),
            retries: self.bounded(&s.retries, &RETRIES, "smtp.retries"),
            retry_delay_ms: self.bounded(&s.retry_delay_ms, &RETRY_DELAY_MS, "smtp.retry_delay_ms"),
            connections: self.bounded(&s.connections, &CONNECTIONS, "smtp.connections"),
        }
    }

    /// In the order of the file: the first group written is the one `preview` and
    /// `send --to` take by default, and the order they are sent in.
    fn groups(
        &self,
        raw: BTreeMap<Spanned<String>, RawGroup>,
        default: Option<&Schedule>,
        on_empty: OnEmpty,
    ) -> Vec<Group> {
        if raw.is_empty() {
            self.report(
                0..0,
                "groups",
                "no [groups.NAME] with recipients: nobody would get the briefing".into(),
            );
        }
        let mut raw: Vec<_> = raw.into_iter().collect();
        raw.sort_by_key(|(name, _)| name.span().start);
        raw.into_iter()
            .filter_map(|(name, g)| self.group(name, g, default, on_empty))
            .collect()
    }

    fn group(
        &self,
        name: Spanned<String>,
        g: RawGroup,
        default: Option<&Schedule>,
        on_empty: OnEmpty,
    ) -> Option<Group> {
        let group = group_key(name.get_ref());
        self.take(check_group_name(name.get_ref()), name.span(), &group);
        if g.from_name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            let m = "must be one line of text, without control characters".into();
            self.report(name.span(), &format!("{group}.from_name"), m);
        }
        let schedule = self.group_schedule(&g, &group, default);
        let recipients = self.recipients(g.recipients, &format!("{group}.recipients"));
        let max_articles = g
            .max_articles
            .map(|n| self.bounded(&n, &MAX_ARTICLES, &format!("{group}.max_articles")));
        let lines_per_article = g.lines_per_article.map(|n| {
            self.bounded(
                &n,
                &LINES_PER_ARTICLE,
                &format!("{group}.lines_per_article"),
            )
        });
        Some(Group {
            name: name.into_inner(),
            recipients,
            max_articles,
            filter: Filter {
                include_labels: g.include_labels,
                exclude_labels: g.exclude_labels,
                include_keywords: g.include_keywords,
                exclude_keywords: g.exclude_keywords,
            },
            lines_per_article,
            subject: g.subject,
            description: g.description,
            from_name: g.from_name,
            glance: g.glance.unwrap_or(true),
            title: g.title.filter(|t| !t.trim().is_empty()),
            order: g.order.unwrap_or_default(),
            on_empty: g.on_empty.unwrap_or(on_empty),
            schedule: schedule?,
        })
    }

    /// The group's own `cron`, `timezone`, `skip_weekends` and `skip_dates`, each
    /// falling back to `[schedule]`'s.
    fn group_schedule(
        &self,
        g: &RawGroup,
        group: &str,
        default: Option<&Schedule>,
    ) -> Option<Schedule> {
        let cron = match &g.cron {
            Some(text) => self
                .cron(text, &format!("{group}.cron"))
                .map(|cron| (text.get_ref().clone(), cron)),
            None => default.map(|d| (d.cron_text.clone(), d.cron.clone())),
        };
        let timezone = match &g.timezone {
            Some(zone) => self.timezone(zone, &format!("{group}.timezone")),
            None => default.map(|d| d.timezone),
        };
        let skip_dates = match &g.skip_dates {
            Some(dates) => self.skip_dates(dates, &format!("{group}.skip_dates")),
            None => default.map(|d| d.skip_dates.clone()).unwrap_or_default(),
        };
        let ((cron_text, cron), timezone) = (cron?, timezone?);
        Some(Schedule {
            cron_text,
            cron,
            timezone,
            skip_weekends: g
                .skip_weekends
                .or(default.map(|d| d.skip_weekends))
                .unwrap_or(false),
            skip_dates,
        })
    }

    /// Compared as the ledger keys them: two entries with one key would share one
    /// ledger record, and the second would never get a briefing. A set keeps the check
    /// linear: lists of 100,000 recipients are read by every command.
    fn recipients(&self, raw: Spanned<Vec<Spanned<String>>>, key: &str) -> Vec<Mailbox> {
        if raw.get_ref().is_empty() {
            self.report(raw.span(), key, "has no recipients".into());
        }
        let count = raw.get_ref().len();
        let mut recipients: Vec<Mailbox> = Vec::with_capacity(count);
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(count);
        for r in raw.into_inner() {
            let Some(mailbox) = self.mailbox(&r, key) else {
                continue;
            };
            let this = address_key(mailbox.email.as_ref());
            if let Some(&earlier) = seen.get(&this) {
                self.report(
                    r.span(),
                    key,
                    format!(
                        "{} is listed twice: {} is the same address, {this} (a domain's case does not matter)",
                        mailbox.email, recipients[earlier].email
                    ),
                );
                continue;
            }
            seen.insert(this, recipients.len());
            recipients.push(mailbox);
        }
        recipients
    }
}

/// Group names become file names in the ledger (`DATE/GROUP.jsonl`), so only what is a
/// plain file name on every system: letters of any script (Hangul too), digits, `_` and
/// `-`, 1 to 64 characters, not starting with `-` (an option to every tool that lists
/// the folder). No `/`, `\`, `.`, space or control character: a name can neither climb
/// out of the state dir, nor make a sub-folder or a hidden file.
pub fn check_group_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a group name cannot be empty".into());
    }
    if !GROUP_NAME_CHARS.contains(&name.chars().count()) {
        return Err(format!(
            "a group name has at most {} characters",
            GROUP_NAME_CHARS.end()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(format!(
            "{c:?} is not allowed in a group name: use letters (any script), digits, `_` and `-`"
        ));
    }
    if name.starts_with('-') {
        return Err("a group name cannot start with `-`".into());
    }
    Ok(())
}

/// `groups.morning`, or `groups."아침 독자"` for a name that is not a bare TOML key: the
/// key as the file spells it.
fn group_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        format!("groups.{name}")
    } else {
        format!("groups.{name:?}")
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

/// One mailbox, `Name <user@host>` or `user@host`. A header must never receive CR or
/// LF from config, and lettre's parser stops quietly at a comma, so both are refused.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    if text.contains(['\r', '\n']) {
        return Err(format!("{text:?} contains a line break"));
    }
    if text.contains([',', ';']) && !text.trim_start().starts_with('"') {
        return Err(format!("{text:?}: one address per entry"));
    }
    Mailbox::from_str(text.trim()).map_err(|e| format!("{text:?} is not a valid address: {e}"))
}

/// The one form of an address that the config's duplicate check, the ledger's keys,
/// Message-IDs and `status` all compare: the domain lower-cased, since domain names are
/// case-insensitive, and the local part exactly as written, since RFC 5321 §2.4 lets the
/// receiving host tell `CEO@` from `ceo@` (two entries that may be one mailbox cost a
/// second copy; folding two mailboxes into one key would cost one of them its briefing).
pub fn address_key(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => address.to_owned(),
    }
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

/// Labels of ASCII letters, digits and `-`, joined by dots: what DNS can look up.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// 1-based line number of byte `offset` in `text`.
/// The dotted key (`source.timeout_secs`) whose key or value is at `offset`: toml's own
/// errors point at the offending text but do not say which setting it belongs to. Read
/// back from the line at `offset` to the nearest `key =` and the table header above it.
fn key_at(text: &str, offset: usize) -> String {
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

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[source]
location = "dump.txt"

[mail]
from = "아침 브리핑 <briefing@example.com>"

[groups.morning]
recipients = ["김하늘 <ceo@example.com>", "cfo@example.com"]
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/briefing/config.toml"))
    }

    #[test]
    fn the_listener_keys_are_read_and_remote_is_off_by_default() {
        let web = "[web]\nbase_url = \"https://news.example.com\"\nsecret_env = \"K\"\n";
        let off = parse(&format!("{MINIMAL}{web}token_env = \"T\"\n")).unwrap();
        let off = off.web.unwrap();
        assert_eq!(off.token_env.as_deref(), Some("T"));
        assert!(!off.allow_remote);
        assert_eq!(off.max_connections, 256);
        assert_eq!(off.links.unwrap().base_url, "https://news.example.com");
        let on = parse(&format!("{MINIMAL}{web}allow_remote = true\n")).unwrap();
        let on = on.web.unwrap();
        assert!(on.allow_remote && on.token_env.is_none());
    }

    #[test]
    fn the_endpoint_alone_needs_no_unsubscribe_keys() {
        let c = parse(&format!(
            "{MINIMAL}[web]\ntoken_env = \"T\"\nread_token_env = \"R\"\nmax_connections = 32\n"
        ))
        .unwrap();
        let web = c.web.as_ref().unwrap();
        assert_eq!(web.token_env.as_deref(), Some("T"));
        assert_eq!(web.read_token_env.as_deref(), Some("R"));
        assert_eq!(web.max_connections, 32);
        assert!(web.links.is_none() && c.unsubscribe_links().is_none());
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn sources_are_read_in_order_and_source_still_reads_as_one() {
        let many = MINIMAL.replace(
            "[source]\nlocation = \"dump.txt\"\n",
            "[[sources]]\nname = \"바다일보\"\nlocation = \"https://sea.example/rss\"\nformat = \"rss\"\nmax_age = \"1d\"\n\n\
             [[sources]]\nname = \"구청소식\"\nlocation = \"dumps\"\nrequired = true\n",
        );
        let c = parse(&many).unwrap();
        let got: Vec<_> = c
            .sources
            .iter()
            .map(|s| (s.label(), s.location.as_str(), s.format, s.required))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "바다일보".into(),
                    "https://sea.example/rss",
                    Format::Rss,
                    false
                ),
                ("구청소식".into(), "/etc/briefing/dumps", Format::Dump, true),
            ]
        );
        assert_eq!(c.sources[0].max_age, Some(Duration::from_secs(86_400)));
        let one = parse(MINIMAL).unwrap();
        assert_eq!(one.sources.len(), 1);
        assert_eq!(
            (one.sources[0].name.as_ref(), one.sources[0].format),
            (None, Format::Dump)
        );
    }

    #[test]
    fn source_and_sources_at_once_or_twice_one_name_are_refused_at_their_line() {
        let both = format!("{MINIMAL}\n[[sources]]\nlocation = \"b.txt\"\n");
        let err = error(&both);
        assert!(
            err.contains(":11: sources: [source] and [[sources]] are both given"),
            "{err}"
        );
        let twice = MINIMAL.replace(
            "[source]\nlocation = \"dump.txt\"\n",
            "[[sources]]\nname = \"같은 이름\"\nlocation = \"a.txt\"\n[[sources]]\nname = \"같은 이름\"\nlocation = \"b.txt\"\n",
        );
        let err = error(&twice);
        assert!(
            err.contains(":6: sources.name: \"같은 이름\" names two sources"),
            "{err}"
        );
        let unknown = MINIMAL.replace(
            "location = \"dump.txt\"",
            "location = \"dump.txt\"\nformat = \"csv\"",
        );
        let err = error(&unknown);
        assert!(err.contains(":4: source.format:"), "{err}");
        let none = MINIMAL.replace("[source]\nlocation = \"dump.txt\"\n", "");
        assert!(error(&none).contains("no [source] or [[sources]]"));
    }

    #[test]
    fn minimal_config_gets_defaults_and_resolves_paths() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.sources[0].location, "/etc/briefing/dump.txt");
        assert_eq!(c.mail.outbox, Path::new("/etc/briefing/outbox"));
        assert_eq!(c.state_dir, Path::new("/etc/briefing/state"));
        assert_eq!(c.schedule.timezone, chrono_tz::Asia::Seoul);
        assert_eq!(c.summary.lines_per_article, 3);
        assert!(c.smtp.is_none());
        let g = c.group("morning").unwrap();
        assert_eq!(g.recipients[0].name.as_deref(), Some("김하늘"));
        assert_eq!(g.recipients[1].email.to_string(), "cfo@example.com");
        assert_eq!(c.mail.from.name.as_deref(), Some("아침 브리핑"));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let cases = [
            ("unknown key", MINIMAL.replace("[mail]", "[mail]\nfrm = 1"), ":6: mail.frm: unknown field"),
            ("wrong type", MINIMAL.replace("[mail]", "timeout_secs = \"x\"\n[mail]"), ":5: source.timeout_secs: invalid type"),
            ("bad value in a list", MINIMAL.replace("max_articles", "x").replace("[groups.morning]", "[groups.morning]\nmax_articles = -1"), ":9: groups.morning.max_articles: invalid value"),
            ("bad address", MINIMAL.replace("cfo@example.com", "cfo@"), ":9: groups.morning.recipients:"),
            ("five-field cron", format!("{MINIMAL}[schedule]\ncron = \"0 7 * * *\"\n"), ":11: schedule.cron: \"0 7 * * *\" has 5 fields"),
            ("bad zone", format!("{MINIMAL}[schedule]\ntimezone = \"Seoul\"\n"), ":11: schedule.timezone: unknown time zone"),
            ("duplicate", MINIMAL.replace("cfo@example.com", "ceo@example.com"), "ceo@example.com is listed twice"),
            ("duplicate in other case", MINIMAL.replace("cfo@example.com", "ceo@EXAMPLE.com"), ":9: groups.morning.recipients: ceo@EXAMPLE.com is listed twice: ceo@example.com is the same address, ceo@example.com"),
            ("two in one", MINIMAL.replace("cfo@example.com", "a@x.com, b@x.com"), "one address per entry"),
            ("bad grace", format!("{MINIMAL}[schedule]\ncatch_up = \"soon\"\n"), ":11: schedule.catch_up: \"soon\" is not a duration"),
            ("no connection", format!("{MINIMAL}[smtp]\nhost = \"h\"\nconnections = 0\n"), ":12: smtp.connections: 0 is out of range: must be between 1 and 64"),
            ("http unsubscribe", format!("{MINIMAL}[web]\nbase_url = \"http://news.example.com\"\nsecret_env = \"K\"\n"), ":11: web.base_url: \"http://news.example.com\" must be an https:// URL"),
            ("no token key", format!("{MINIMAL}[web]\nbase_url = \"https://news.example.com\"\n"), ":11: web.secret_env: base_url is set but secret_env"),
            ("no link base", format!("{MINIMAL}[web]\nsecret_env = \"K\"\n"), ":11: web.base_url: secret_env is set but base_url"),
            ("no connection to serve", format!("{MINIMAL}[web]\ntoken_env = \"T\"\nmax_connections = 0\n"), ":12: web.max_connections: 0 is out of range: must be between 1 and 65536"),
            ("bad unsubscribe", MINIMAL.replace("[mail]", "[mail]\nunsubscribe = \"수신거부\""), ":6: mail.unsubscribe: \"수신거부\" is not a valid address"),
            ("bad selector", format!("{MINIMAL}[mail.dkim]\nkey_file = \"k.pem\"\nselector = \"아침\"\ndomain = \"example.com\"\n"), ":12: mail.dkim.selector: \"아침\" is not an ASCII DNS name"),
            ("no groups", MINIMAL.replace("[groups.morning]\nrecipients = [\"김하늘 <ceo@example.com>\", \"cfo@example.com\"]", ""), "groups: no [groups.NAME]"),
        ];
        for (name, text, want) in cases {
            let got = error(&text);
            assert!(
                got.starts_with("/etc/briefing/config.toml:"),
                "{name}: {got}"
            );
            assert!(
                got.contains(want),
                "{name}: {got:?} should contain {want:?}"
            );
        }
    }

    #[test]
    fn auth_in_clear_text_is_refused_unless_loopback_and_explicit() {
        let smtp = |host: &str, extra: &str| {
            format!("{MINIMAL}[smtp]\nhost = \"{host}\"\ntls = \"none\"\nusername = \"u\"\npassword_env = \"P\"\n{extra}")
        };
        assert!(error(&smtp("mail.example.com", ""))
            .contains("smtp.username: AUTH over an unencrypted"));
        assert!(error(&smtp("127.0.0.1", "")).contains("AUTH over an unencrypted"));
        assert!(
            error(&smtp("mail.example.com", "allow_insecure_auth = true")).contains("AUTH over")
        );
        let ok = parse(&smtp("127.0.0.1", "allow_insecure_auth = true")).unwrap();
        assert_eq!(ok.smtp.unwrap().port, 25);
        let no_env = format!("{MINIMAL}[smtp]\nhost = \"h\"\nusername = \"u\"\n");
        assert!(error(&no_env).contains("smtp.password_env"));
    }

    #[test]
    fn max_age_is_a_duration_with_units_and_off_by_default() {
        assert_eq!(parse(MINIMAL).unwrap().sources[0].max_age, None);
        let with = |age: &str| MINIMAL.replace("[mail]", &format!("max_age = {age}\n[mail]"));
        let c = parse(&with("\"36h\"")).unwrap();
        assert_eq!(c.sources[0].max_age, Some(Duration::from_secs(36 * 3600)));
        assert_eq!(
            c.sources[0].cache_dir,
            Path::new("/etc/briefing/state/fetch")
        );
        assert!(error(&with("\"36\"")).contains(":5: source.max_age: \"36\" is not a duration"));
        assert!(error(&with("36")).contains(":5: source.max_age: 36 has no unit"));
        let cases = [
            ("36h", Some(36 * 3600)),
            ("1d 12h", Some(36 * 3600)),
            (" 90m ", Some(90 * 60)),
            ("1d12h30m15s", Some(86_400 + 12 * 3600 + 30 * 60 + 15)),
            ("0h", None),
            ("", None),
            ("h", None),
            ("3 h", None),
            ("1.5h", None),
            ("2w", None),
            ("36시", None),
            ("99999999999999999999d", None),
            ("999999999999999999d", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_duration(text).ok(),
                want.map(Duration::from_secs),
                "{text:?}"
            );
        }
        for secs in [36 * 3600, 86_400 + 60, 45 * 60, 7] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{secs}");
        }
        assert_eq!(format_duration(Duration::from_secs(36 * 3600)), "1d 12h");
    }

    /// The local part is kept exactly: `CEO@` and `ceo@` may be two mailboxes, and each
    /// gets a briefing; `Ä@` and `ä@` likewise.
    #[test]
    fn addresses_differing_only_in_the_local_part_case_are_two_recipients() {
        for pair in ["CEO@example.com", "Ä@example.com\", \"ä@example.com"] {
            let text = MINIMAL.replace("cfo@example.com", pair);
            assert!(parse(&text).is_ok(), "{pair}: {}", error(&text));
        }
        assert_eq!(address_key("Ä@예시.KR"), "Ä@예시.kr");
        assert_eq!(address_key("CEO@EXAMPLE.com"), "CEO@example.com");
    }

    /// `MINIMAL` with the group called `name` (a TOML basic string, quoted here).
    fn with_group_name(name: &str) -> String {
        MINIMAL.replace("[groups.morning]", &format!("[groups.{name}]"))
    }

    #[test]
    fn group_names_that_would_escape_or_hide_a_ledger_file_are_refused() {
        let cases = [
            (
                r#""../../../escaped""#,
                r#":8: groups."../../../escaped": '.' is not allowed"#,
            ),
            (
                r#""sub/dir""#,
                r#":8: groups."sub/dir": '/' is not allowed"#,
            ),
            (r#""""#, r#":8: groups."": a group name cannot be empty"#),
            (
                r#"".hidden""#,
                r#":8: groups.".hidden": '.' is not allowed"#,
            ),
            (
                r#""아침 독자""#,
                r#":8: groups."아침 독자": ' ' is not allowed"#,
            ),
            (r#""back\\slash""#, r#"'\\' is not allowed"#),
            (r#""tab\there""#, r#"'\t' is not allowed"#),
            (
                "-dash",
                ":8: groups.-dash: a group name cannot start with `-`",
            ),
            (&format!("{:?}", "가".repeat(65)), "at most 64 characters"),
        ];
        for (name, want) in cases {
            let got = error(&with_group_name(name));
            assert!(
                got.starts_with("/etc/briefing/config.toml:") && got.contains(want),
                "{name}: {got:?} should contain {want:?}"
            );
        }
        for name in ["아침독자", "morning_2", "칼럼-readers", &"가".repeat(64)] {
            let c = parse(&with_group_name(&format!("{name:?}"))).unwrap();
            assert_eq!(c.groups[0].name, name);
            assert_eq!(check_group_name(name), Ok(()));
        }
    }

    #[test]
    fn lines_per_article_of_zero_is_reported_at_its_own_line() {
        let summary = MINIMAL.replace("[mail]", "[summary]\nlines_per_article = 0\n\n[mail]");
        let got = error(&summary);
        assert!(
            got.contains("config.toml:6: summary.lines_per_article: 0 is out of range"),
            "{got}"
        );
        let group = format!("{MINIMAL}lines_per_article = 0\n");
        let got = error(&group);
        assert!(
            got.contains("config.toml:10: groups.morning.lines_per_article: 0 is out of range"),
            "{got}"
        );
        let korean = with_group_name("\"아침독자\"") + "max_articles = 0\n";
        let got = error(&korean);
        assert!(
            got.contains(r#"config.toml:10: groups."아침독자".max_articles: 0 is out of range"#),
            "{got}"
        );
    }

    #[test]
    fn numeric_keys_outside_their_range_are_refused_with_key_and_line() {
        let source = |kv: &str| MINIMAL.replace("[mail]", &format!("{kv}\n[mail]"));
        let summary = |kv: &str| MINIMAL.replace("[mail]", &format!("[summary]\n{kv}\n[mail]"));
        let smtp = |kv: &str| format!("{MINIMAL}[smtp]\nhost = \"h\"\n{kv}\n");
        let group = |kv: &str| format!("{MINIMAL}{kv}\n");
        // (config, the line and key expected in the error, or None when it is accepted)
        let cases: Vec<(String, Option<&str>)> = vec![
            (source("timeout_secs = 0"), Some(":5: source.timeout_secs: 0 is out of range: must be between 1 and 3600")),
            (source("timeout_secs = 3601"), Some(":5: source.timeout_secs:")),
            (source("timeout_secs = 3600"), None),
            (source("max_bytes = 0"), Some(":5: source.max_bytes: 0 is out of range")),
            (source("max_bytes = 1"), None),
            (smtp("timeout_secs = 0"), Some(":12: smtp.timeout_secs: 0 is out of range: must be between 1 and 3600")),
            (smtp("timeout_secs = 1"), None),
            (smtp("retry_delay_ms = 600001"), Some(":12: smtp.retry_delay_ms: 600001 is out of range: must be between 0 and 600000")),
            (smtp("retry_delay_ms = 0"), None),
            (smtp("retries = 21"), Some(":12: smtp.retries: 21 is out of range: must be between 0 and 20")),
            (smtp("retries = 0"), None),
            (smtp("connections = 65"), Some(":12: smtp.connections: 65 is out of range: must be between 1 and 64")),
            (smtp("connections = 64"), None),
            (smtp("port = 0"), Some(":12: smtp.port: 0 is out of range")),
            (smtp("port = 2525"), None),
            (summary("lines_per_article = 21"), Some(":6: summary.lines_per_article: 21 is out of range: must be between 1 and 20")),
            (summary("lines_per_article = 20"), None),
            (summary("position_weight = nan"), Some(":6: summary.position_weight: NaN is out of range: must be between 0 and 100")),
            (summary("keyword_weight = inf"), Some(":6: summary.keyword_weight: inf is out of range")),
            (summary("number_weight = -inf"), Some(":6: summary.number_weight: -inf is out of range")),
            (summary("quote_penalty = -0.5"), Some(":6: summary.quote_penalty: -0.5 is out of range")),
            (summary("redundancy_weight = 100.5"), Some(":6: summary.redundancy_weight: 100.5 is out of range")),
            (summary("long_penalty = 100.0"), None),
            (summary("figures_full = 0"), Some(":6: summary.figures_full: 0 is out of range: must be between 1 and 100")),
            (summary("max_chars = 100001"), Some(":6: summary.max_chars:")),
            (summary("min_chars = 20\nmax_chars = 10"), Some(":6: summary.min_chars: 20 is more than max_chars (10)")),
            (summary("min_chars = 301"), Some(":6: summary.min_chars: 301 is more than max_chars (300)")),
            (group("max_articles = 0"), Some(":10: groups.morning.max_articles: 0 is out of range: must be between 1 and 1000")),
            (group("max_articles = 1001"), Some(":10: groups.morning.max_articles:")),
            (group("max_articles = 1000"), None),
            (group("lines_per_article = 21"), Some(":10: groups.morning.lines_per_article: 21 is out of range")),
            (group("lines_per_article = 1"), None),
        ];
        for (text, want) in cases {
            match (parse(&text), want) {
                (Ok(_), None) => {}
                (Err(e), Some(want)) => {
                    let got = e.to_string();
                    assert!(
                        got.starts_with("/etc/briefing/config.toml:") && got.contains(want),
                        "{got:?} should contain {want:?}"
                    );
                }
                (got, want) => panic!("{text}\ngot {:?}, want {want:?}", got.map(|_| "accepted")),
            }
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_each_at_its_line() {
        let text = MINIMAL
            .replace("cfo@example.com", "cfo@")
            .replace("[mail]", "timeout_secs = 0\n[mail]")
            + "[schedule]\ncron = \"0 0 7 31 2 *\"\ntimezone = \"Seoul\"\n";
        let Err(ConfigError::Invalid { problems, .. }) = parse(&text) else {
            panic!("accepted: {text}");
        };
        let keys: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.key.as_str())).collect();
        assert_eq!(
            keys,
            [
                (5, "source.timeout_secs"),
                (13, "schedule.timezone"),
                (12, "schedule.cron"),
                (10, "groups.morning.recipients"),
            ],
            "{problems:?}"
        );
        let message = error(&text);
        assert_eq!(message.lines().count(), 4, "{message}");
        assert!(
            message.contains(":12: schedule.cron: \"0 0 7 31 2 *\" never fires"),
            "{message}"
        );
    }

    #[test]
    fn a_group_schedule_overrides_the_default_key_by_key() {
        let text = format!(
            "{MINIMAL}cron = \"0 30 18 * * *\"\nskip_dates = [\"2026-01-01\"]\n\n[groups.tokyo]\nrecipients = [\"a@example.jp\"]\ntimezone = \"Asia/Tokyo\"\n\n[schedule]\nskip_weekends = true\nskip_dates = [\"2025-12-25\"]\n"
        );
        let c = parse(&text).unwrap();
        let (morning, tokyo) = (
            &c.group("morning").unwrap().schedule,
            &c.group("tokyo").unwrap().schedule,
        );
        assert_eq!(morning.cron_text, "0 30 18 * * *");
        assert_eq!(morning.timezone, chrono_tz::Asia::Seoul);
        assert!(morning.skip_weekends);
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(morning.skips(date("2026-01-01")), Some(Skip::SkipDates));
        assert_eq!(
            morning.skips(date("2025-12-25")),
            None,
            "the group's own list replaces the default"
        );
        assert_eq!(tokyo.cron_text, "0 0 7 * * *");
        assert_eq!(tokyo.timezone, chrono_tz::Asia::Tokyo);
        assert_eq!(tokyo.skips(date("2025-12-25")), Some(Skip::SkipDates));
        assert_eq!(tokyo.skips(date("2025-12-27")), Some(Skip::Weekend));
        assert_eq!(tokyo.skips(date("2025-12-26")), None);
        assert!(!morning.same_run(tokyo));

        let bad = format!("{MINIMAL}skip_dates = [\"2026-02-30\"]\ncron = \"0 0 7 30 2 *\"\n");
        let got = error(&bad);
        assert!(
            got.contains(":10: groups.morning.skip_dates: \"2026-02-30\" is not a date"),
            "{got}"
        );
        assert!(
            got.contains(":11: groups.morning.cron: \"0 0 7 30 2 *\" never fires"),
            "{got}"
        );
    }

    #[test]
    fn header_injection_through_addresses_is_refused() {
        let text = MINIMAL.replace("cfo@example.com", "cfo@example.com\\r\\nBcc: x@evil.com");
        assert!(error(&text).contains("line break"));
    }
}
