//! `config.toml` -> [`Config`].
//!
//! The file is read in two steps: serde turns the TOML into raw structs (unknown keys
//! are errors, not silently ignored), then [`Config::parse`] checks every value that can
//! be wrong in ways TOML cannot see (addresses, cron, time zone, TLS and AUTH together),
//! so that a typo is reported by `briefing check` with the file, line and key instead of
//! failing at seven in the morning.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono_tz::Tz;
use croner::Cron;
use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use crate::merge::MergeConfig;
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
    #[error("{}:{line}: {key}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
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

#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// As written, for messages.
    pub cron_text: String,
    pub cron: Cron,
    /// The time zone of the cron and of "today" in every briefing.
    pub timezone: Tz,
    /// How late a run missed while the daemon was down may still be made up at start-up.
    /// Past it, a briefing would land in the middle of the day: it is reported instead.
    /// Zero when catching up is off.
    pub catch_up: Duration,
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

/// The web endpoint that takes one-click unsubscribes (RFC 8058).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `https://…`, without a trailing `/`.
    pub base_url: String,
    /// The name of the environment variable holding the key of the unsubscribe tokens.
    pub secret_env: String,
    /// The name of the environment variable holding the bearer token of `POST /send`:
    /// `briefing run --listen` refuses to start without it.
    pub token_env: Option<String>,
    /// `--listen` may bind a non-loopback address (behind a firewall or a proxy).
    pub allow_remote: bool,
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
    /// What this group gets when none of the day's articles is for it (default:
    /// `[mail] on_empty`): a filtered group can have nothing on a busy day.
    pub on_empty: OnEmpty,
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
}

impl Default for RawSchedule {
    fn default() -> Self {
        RawSchedule {
            cron: Spanned::new(0..0, "0 0 7 * * *".into()),
            timezone: Spanned::new(0..0, "Asia/Seoul".into()),
            catch_up: Spanned::new(0..0, "2h".into()),
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
    base_url: Spanned<String>,
    secret_env: Option<String>,
    token_env: Option<String>,
    #[serde(default)]
    allow_remote: bool,
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
    on_empty: Option<OnEmpty>,
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
/// "[아침 브리핑] date" never did.
fn default_subject() -> String {
    "{{short_date}} {{#if top_title}}{{top_title}}{{#if more}} 외 {{more}}건{{/if}}{{else}}아침 브리핑: 새 기사 없음{{/if}}".into()
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
fn default_dkim_algorithm() -> DkimAlgorithm {
    DkimAlgorithm::Rsa
}
fn default_tls() -> Tls {
    Tls::Starttls
}

impl Group {
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
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let fail =
            |span: std::ops::Range<usize>, key: &str, message: String| ConfigError::Invalid {
                path: path.to_owned(),
                line: line_of(text, span.start),
                key: key.to_owned(),
                message,
            };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            fail(
                span.clone(),
                &key_at(text, span.start),
                e.message().to_owned(),
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| -> PathBuf {
            if p.is_absolute() {
                p.to_owned()
            } else {
                base.join(p)
            }
        };

        let state_dir = resolve(&raw.state.dir);
        let sources = sources::resolve(raw.source, raw.sources, base, &state_dir, &fail)?;

        let cron_text = raw.schedule.cron.get_ref().clone();
        let cron = parse_cron(&cron_text)
            .map_err(|m| fail(raw.schedule.cron.span(), "schedule.cron", m))?;
        let timezone = Tz::from_str(raw.schedule.timezone.get_ref()).map_err(|_| {
            fail(
                raw.schedule.timezone.span(),
                "schedule.timezone",
                format!(
                    "unknown time zone {:?} (e.g. \"Asia/Seoul\")",
                    raw.schedule.timezone.get_ref()
                ),
            )
        })?;
        let schedule = ScheduleConfig {
            cron_text,
            cron,
            timezone,
            catch_up: match raw.schedule.catch_up.get_ref().trim() {
                "off" => Duration::ZERO,
                text => parse_duration(text)
                    .map_err(|m| fail(raw.schedule.catch_up.span(), "schedule.catch_up", m))?,
            },
        };

        check_summary(&raw.summary, text, &fail)?;
        let merge = MergeConfig {
            threshold: bounded(
                &raw.merge.threshold,
                &MERGE_THRESHOLD,
                "merge.threshold",
                &fail,
            )?,
        };

        let from = parse_mailbox(raw.mail.from.get_ref())
            .map_err(|m| fail(raw.mail.from.span(), "mail.from", m))?;
        let optional_mailbox = |value: &Option<Spanned<String>>, key: &str| {
            value
                .as_ref()
                .map(|v| parse_mailbox(v.get_ref()).map_err(|m| fail(v.span(), key, m)))
                .transpose()
        };
        let dkim = match raw.mail.dkim {
            None => None,
            Some(d) => {
                let span = d.span();
                let d = d.into_inner();
                for (value, key) in [(&d.selector, "selector"), (&d.domain, "domain")] {
                    if !is_dns_name(value.get_ref()) {
                        return Err(fail(
                            value.span(),
                            &format!("mail.dkim.{key}"),
                            format!("{:?} is not an ASCII DNS name", value.get_ref()),
                        ));
                    }
                }
                if d.key_file.as_os_str().is_empty() {
                    return Err(fail(span, "mail.dkim.key_file", "is empty".into()));
                }
                Some(DkimConfig {
                    key_file: resolve(&d.key_file),
                    selector: d.selector.into_inner(),
                    domain: d.domain.into_inner(),
                    algorithm: d.algorithm,
                })
            }
        };
        let mail = MailConfig {
            from,
            outbox: resolve(&raw.mail.outbox),
            templates: raw.mail.templates.as_deref().map(resolve),
            subject: raw.mail.subject,
            on_empty: raw.mail.on_empty,
            unsubscribe: optional_mailbox(&raw.mail.unsubscribe, "mail.unsubscribe")?,
            contact: optional_mailbox(&raw.mail.contact, "mail.contact")?,
            dkim,
        };
        let web = match raw.web {
            None => None,
            Some(w) => {
                let url = w.base_url.get_ref().trim().trim_end_matches('/');
                let host = url.strip_prefix("https://").unwrap_or("");
                if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>']) {
                    return Err(fail(
                        w.base_url.span(),
                        "web.base_url",
                        format!("{url:?} must be an https:// URL without query (one-click unsubscribe needs HTTPS, RFC 8058)"),
                    ));
                }
                let Some(secret_env) = w.secret_env else {
                    return Err(fail(
                        w.base_url.span(),
                        "web.secret_env",
                        "base_url is set but secret_env (the name of the variable holding the unsubscribe token key) is not".into(),
                    ));
                };
                Some(WebConfig {
                    base_url: url.to_owned(),
                    secret_env,
                    token_env: w.token_env,
                    allow_remote: w.allow_remote,
                })
            }
        };

        let smtp = match raw.smtp {
            None => None,
            Some(s) => {
                let host = s.host.get_ref().trim().to_owned();
                if host.is_empty() {
                    return Err(fail(s.host.span(), "smtp.host", "is empty".into()));
                }
                if let Some(user) = &s.username {
                    if s.password_env.is_none() {
                        return Err(fail(
                            user.span(),
                            "smtp.password_env",
                            "username is set but password_env (the name of the variable holding the password) is not".into(),
                        ));
                    }
                    if s.tls == Tls::None && !(s.allow_insecure_auth && is_loopback(&host)) {
                        return Err(fail(
                            user.span(),
                            "smtp.username",
                            "AUTH over an unencrypted connection is refused; use tls = \"starttls\" or \"tls\" (or, for a relay on this machine only, allow_insecure_auth = true)".into(),
                        ));
                    }
                }
                let port = match &s.port {
                    Some(port) => bounded(port, &PORT, "smtp.port", &fail)?,
                    None => match s.tls {
                        Tls::Starttls => 587,
                        Tls::Tls => 465,
                        Tls::None => 25,
                    },
                };
                Some(SmtpConfig {
                    port,
                    host,
                    tls: s.tls,
                    username: s.username.map(Spanned::into_inner),
                    password_env: s.password_env,
                    timeout_secs: bounded(
                        &s.timeout_secs,
                        &TIMEOUT_SECS,
                        "smtp.timeout_secs",
                        &fail,
                    )?,
                    ca_file: s.ca_file.as_deref().map(resolve),
                    retries: bounded(&s.retries, &RETRIES, "smtp.retries", &fail)?,
                    retry_delay_ms: bounded(
                        &s.retry_delay_ms,
                        &RETRY_DELAY_MS,
                        "smtp.retry_delay_ms",
                        &fail,
                    )?,
                    connections: bounded(&s.connections, &CONNECTIONS, "smtp.connections", &fail)?,
                })
            }
        };

        let mut groups = Vec::with_capacity(raw.groups.len());
        // In the order of the file: the first group written is the one `preview` and
        // `send --to` take by default, and the order they are sent in.
        let mut raw_groups: Vec<_> = raw.groups.into_iter().collect();
        raw_groups.sort_by_key(|(name, _)| name.span().start);
        for (name, g) in raw_groups {
            let group = group_key(name.get_ref());
            check_group_name(name.get_ref()).map_err(|m| fail(name.span(), &group, m))?;
            if g.from_name
                .as_deref()
                .is_some_and(|n| n.chars().any(char::is_control))
            {
                let m = "must be one line of text, without control characters".into();
                return Err(fail(name.span(), &format!("{group}.from_name"), m));
            }
            let name = name.into_inner();
            let key = format!("{group}.recipients");
            if g.recipients.get_ref().is_empty() {
                return Err(fail(g.recipients.span(), &key, "has no recipients".into()));
            }
            let count = g.recipients.get_ref().len();
            let mut recipients: Vec<Mailbox> = Vec::with_capacity(count);
            // Compared as the ledger keys them: two entries with one key would share one
            // ledger record, and the second would never get a briefing. A set keeps the
            // check linear: lists of 100,000 recipients are read by every command.
            let mut seen: HashMap<String, usize> = HashMap::with_capacity(count);
            for r in g.recipients.into_inner() {
                let mailbox = parse_mailbox(r.get_ref()).map_err(|m| fail(r.span(), &key, m))?;
                let this = address_key(mailbox.email.as_ref());
                if let Some(&earlier) = seen.get(&this) {
                    return Err(fail(
                        r.span(),
                        &key,
                        format!(
                            "{} is listed twice: {} is the same address, {this} (a domain's case does not matter)",
                            mailbox.email, recipients[earlier].email
                        ),
                    ));
                }
                seen.insert(this, recipients.len());
                recipients.push(mailbox);
            }
            let max_articles = g
                .max_articles
                .map(|n| bounded(&n, &MAX_ARTICLES, &format!("{group}.max_articles"), &fail))
                .transpose()?;
            let lines_per_article = g
                .lines_per_article
                .map(|n| {
                    let key = format!("{group}.lines_per_article");
                    bounded(&n, &LINES_PER_ARTICLE, &key, &fail)
                })
                .transpose()?;
            groups.push(Group {
                name,
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
                on_empty: g.on_empty.unwrap_or(mail.on_empty),
            });
        }
        if groups.is_empty() {
            return Err(fail(
                0..0,
                "groups",
                "no [groups.NAME] with recipients: nobody would get the briefing".into(),
            ));
        }

        Ok(Config {
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
        })
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
}

/// How `fail` in [`Config::parse`] turns a place, a key and a message into an error.
type Fail<'a> = dyn Fn(std::ops::Range<usize>, &str, String) -> ConfigError + 'a;

/// The value of `key` if `range` holds it; else an error at the value's line. NaN is in
/// no range, so a float key needs no check of its own.
fn bounded<T: PartialOrd + fmt::Display + Copy>(
    value: &Spanned<T>,
    range: &RangeInclusive<T>,
    key: &str,
    fail: &Fail,
) -> Result<T, ConfigError> {
    let v = *value.get_ref();
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(fail(
            value.span(),
            key,
            format!(
                "{v} is out of range: must be between {} and {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// The ranges of `[summary]`, each error at the line of its key (read again from `text`,
/// since [`SummaryConfig`] keeps no positions).
fn check_summary(summary: &SummaryConfig, text: &str, fail: &Fail) -> Result<(), ConfigError> {
    let spans: SummarySpans =
        toml::from_str(text).map_err(|e| fail(0..0, "summary", e.message().to_owned()))?;
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
        bounded(&Spanned::new(at(name), v), range, &key(name), fail)?;
    }
    let weights = summary.weights();
    for (name, v) in weights {
        bounded(&Spanned::new(at(name), v), &WEIGHT, &key(name), fail)?;
    }
    if summary.min_chars > summary.max_chars {
        return Err(fail(
            at("min_chars"),
            &key("min_chars"),
            format!(
                "{} is more than max_chars ({}): every line would be a fragment or a run-on",
                summary.min_chars, summary.max_chars
            ),
        ));
    }
    Ok(())
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

/// Seconds first, as tokio-cron-scheduler reads it; the same parser it uses, so what
/// `check` accepts is what the daemon runs.
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
        let on = parse(&format!("{MINIMAL}{web}allow_remote = true\n")).unwrap();
        let on = on.web.unwrap();
        assert!(on.allow_remote && on.token_env.is_none());
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
    fn header_injection_through_addresses_is_refused() {
        let text = MINIMAL.replace("cfo@example.com", "cfo@example.com\\r\\nBcc: x@evil.com");
        assert!(error(&text).contains("line break"));
    }
}
