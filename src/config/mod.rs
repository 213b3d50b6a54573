//! `config.toml` -> [`Config`].
//!
//! The file is read in two steps: serde turns the TOML into raw structs (unknown keys
//! are errors, not silently ignored), then [`Config::parse`] checks every value that can
//! be wrong in ways TOML cannot see (addresses, cron, time zone, TLS and AUTH together),
//! so that a typo is reported by `briefing check` with the file, line and key instead of
//! failing at seven in the morning.
//!
//! One file per section, each with its types, its raw form and its checks: `sources`,
//! `schedule`, `mail` (and addresses), `smtp`, `web`, `groups`, `summary`, `merge`;
//! `check` holds the accepted range of every number and the `Checker` that collects
//! the problems. This module joins them. Config imports no pipeline stage: a stage's
//! settings live here, so that the config can be read and checked before any stage is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

mod check;
mod groups;
mod mail;
mod merge;
mod schedule;
mod smtp;
mod sources;
pub mod summary;
mod web;

use check::{key_at, Checker};
pub use groups::{check_group_name, Filter, Group, Order, DEFAULT_TITLE};
pub use mail::{address_key, parse_mailbox, DkimAlgorithm, DkimConfig, MailConfig, OnEmpty};
pub use merge::{MergeConfig, DEFAULT_THRESHOLD};
pub use schedule::{format_duration, parse_cron, parse_duration, Schedule, ScheduleConfig, Skip};
pub use smtp::{SmtpConfig, Tls};
pub use sources::{Format, SourceConfig};
pub use summary::SummaryConfig;
pub use web::{UnsubscribeLinks, WebConfig};

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    source: Option<sources::RawSource>,
    sources: Option<Spanned<Vec<sources::RawSource>>>,
    #[serde(default)]
    schedule: schedule::RawSchedule,
    #[serde(default)]
    summary: SummaryConfig,
    #[serde(default)]
    merge: merge::RawMerge,
    mail: mail::RawMail,
    smtp: Option<smtp::RawSmtp>,
    web: Option<web::RawWeb>,
    #[serde(default)]
    state: RawState,
    /// Keys with their place, for a message about the name itself.
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, groups::RawGroup>,
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
        let c = Checker::new(text);
        let raw: Raw = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                c.report(
                    span.clone(),
                    &key_at(text, span.start),
                    e.message().to_owned(),
                );
                return Err(invalid(c.into_problems()));
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
        let merge = c.merge(&raw.merge);
        let mail = c.mail(raw.mail, &resolve);
        let web = raw.web.map(|w| c.web(w));
        let smtp = raw.smtp.map(|s| c.smtp(s, &resolve));
        let on_empty = mail.as_ref().map_or(OnEmpty::Skip, |m| m.on_empty);
        let groups = c.groups(raw.groups, default.as_ref(), on_empty);

        let problems = c.into_problems();
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::time::Duration;

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
            (summary("roundup_lines = 0"), Some(":6: summary.roundup_lines: 0 is out of range: must be between 1 and 20")),
            (summary("roundup_lines = 2"), None),
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
            (summary("[summary.kinds.column]\nnumber_weight = -1.0"), Some("summary.kinds.column.number_weight: -1 is out of range")),
            (summary("[summary.kinds.column]\nclaim_weight = 2.0"), None),
            (summary("[summary.kinds.poem]\nnumber_weight = 1.0"), Some("unknown field `poem`")),
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
