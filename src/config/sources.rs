//! `[source]` and `[[sources]]` -> [`SourceConfig`]s.
//!
//! A briefing reads the feeds and dumps people already have: a news site's RSS or Atom
//! feed, a scraper's JSON lines, a folder of dumps. Each `[[sources]]` entry is one of
//! them; the older single `[source]` table still reads as one entry, and both at once
//! is refused, as it would be unclear which one the file meant.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::check::{default_timeout, Checker, MAX_BYTES, TIMEOUT_SECS};
use super::parse_duration;

/// How a source's text is read into articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Our text dump (`최신기사`, `-` lines, title, body, time stamp, optional URL).
    Dump,
    /// One JSON object per line.
    Jsonl,
    Rss,
    Atom,
    /// Decided from the text itself ([`crate::feed::detect`]).
    Auto,
}

/// Where one source's articles come from and how much of it we accept.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// The outlet shown in the email beside each article, and the source's name in
    /// reports; `None` only for a `[source]` without one.
    pub name: Option<String>,
    /// A file, a folder (its newest dump) or an http(s) URL.
    pub location: String,
    pub format: Format,
    /// A failing required source stops the run, as the only source did before; any
    /// other is reported and the briefing is built from the rest.
    pub required: bool,
    /// A hanging server must not hold the morning job forever.
    pub timeout_secs: u64,
    /// A dump larger than this is refused rather than read into memory.
    pub max_bytes: u64,
    /// A dump whose newest article is older than this is refused: yesterday's news
    /// sent as today's is worse than no briefing. `None` (the default) checks nothing.
    pub max_age: Option<Duration>,
    /// Where the last dump fetched over HTTP is kept with its ETag and Last-Modified,
    /// so that the next fetch can ask "changed since?": `[state] dir`/fetch.
    pub cache_dir: PathBuf,
    /// Which files of a folder are dumps (a glob of the name: `*`, `?`), so that a
    /// config file or a README beside them is never read as the news.
    pub pattern: String,
    /// HTTP basic auth for a URL source, with the password in the environment variable
    /// `password_env` names: never in a file, and never in the URL that messages show.
    pub username: Option<String>,
    pub password_env: Option<String>,
}

impl SourceConfig {
    /// How reports and the log name this source: its name, else its location.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => crate::report::redact(&self.location),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    name: Option<Spanned<String>>,
    location: Spanned<String>,
    #[serde(default = "default_format")]
    format: Format,
    #[serde(default)]
    required: bool,
    #[serde(default = "default_timeout")]
    timeout_secs: Spanned<u64>,
    #[serde(default = "default_max_bytes")]
    max_bytes: Spanned<u64>,
    /// Any TOML value, so that `max_age = 36` gets a message about the missing unit.
    max_age: Option<Spanned<toml::Value>>,
    #[serde(default = "default_pattern")]
    pattern: Spanned<String>,
    username: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
}

/// A `[source]` was always a dump; `[[sources]]` default the same way.
fn default_format() -> Format {
    Format::Dump
}
fn default_max_bytes() -> Spanned<u64> {
    Spanned::new(0..0, 256 * 1024 * 1024)
}
fn default_pattern() -> Spanned<String> {
    Spanned::new(0..0, "*.txt".into())
}

/// The sources of the file: `[source]` as one entry, or every `[[sources]]` entry;
/// `many` keeps its place for the message refusing both. Each problem is reported to
/// `c`, and the entries are handed back as written so that the checks go on.
pub(super) fn resolve(
    c: &Checker,
    single: Option<RawSource>,
    many: Option<Spanned<Vec<RawSource>>>,
    resolve_path: &dyn Fn(&Path) -> PathBuf,
    state_dir: &Path,
) -> Vec<SourceConfig> {
    let (raws, key) = match (single, many) {
        (Some(_), Some(many)) => {
            c.report(
                many.span(),
                "sources",
                "[source] and [[sources]] are both given: write every source as a [[sources]] entry"
                    .into(),
            );
            return Vec::new();
        }
        (Some(one), None) => (vec![one], "source"),
        (None, Some(many)) if !many.get_ref().is_empty() => (many.into_inner(), "sources"),
        (None, _) => {
            c.report(
                0..0,
                "source",
                "no [source] or [[sources]]: the briefing would have no news to read".into(),
            );
            return Vec::new();
        }
    };
    let mut sources: Vec<SourceConfig> = Vec::with_capacity(raws.len());
    for raw in raws {
        let name_span = raw.name.as_ref().map(Spanned::span);
        let source = one(c, raw, key, resolve_path, state_dir);
        if let (Some(name), Some(span)) = (&source.name, name_span) {
            if sources.iter().any(|s| s.name.as_ref() == Some(name)) {
                c.report(
                    span,
                    &format!("{key}.name"),
                    format!("{name:?} names two sources: reports could not tell them apart"),
                );
            }
        }
        sources.push(source);
    }
    sources
}

fn one(
    c: &Checker,
    raw: RawSource,
    key: &str,
    resolve_path: &dyn Fn(&Path) -> PathBuf,
    state_dir: &Path,
) -> SourceConfig {
    let k = |field: &str| format!("{key}.{field}");
    // A URL as written, a path resolved from the config's folder.
    let location = raw.location.get_ref();
    let location = if location.is_empty() {
        c.report(raw.location.span(), &k("location"), "is empty".into());
        location.clone()
    } else if location.starts_with("http://") || location.starts_with("https://") {
        location.clone()
    } else {
        resolve_path(Path::new(location))
            .to_string_lossy()
            .into_owned()
    };
    let max_age = raw.max_age.as_ref().and_then(|value| {
        let age = value
            .get_ref()
            .as_str()
            .ok_or_else(|| {
                format!(
                    "{} has no unit: write a string such as \"36h\" or \"1d 12h\"",
                    value.get_ref()
                )
            })
            .and_then(parse_duration);
        c.take(age, value.span(), &k("max_age"))
    });
    let pattern = raw.pattern.get_ref();
    if pattern.is_empty() || pattern.contains('/') {
        c.report(
            raw.pattern.span(),
            &k("pattern"),
            "must be a file name pattern such as \"*.txt\", without a folder".into(),
        );
    }
    let lone = match (&raw.username, &raw.password_env) {
        (Some(v), None) => Some((v.span(), "username", "password_env")),
        (None, Some(v)) => Some((v.span(), "password_env", "username")),
        _ => None,
    };
    if let Some((span, field, missing)) = lone {
        c.report(span, &k(field), format!("is set but {missing} is not: basic auth needs the user name and the name of the variable holding the password"));
    }
    if let Some(name) = raw.name.as_ref().filter(|n| n.get_ref().trim().is_empty()) {
        c.report(name.span(), &k("name"), "is empty".into());
    }
    SourceConfig {
        name: raw.name.map(|n| n.into_inner().trim().to_owned()),
        location,
        format: raw.format,
        required: raw.required,
        timeout_secs: c.bounded(&raw.timeout_secs, &TIMEOUT_SECS, &k("timeout_secs")),
        max_bytes: c.bounded(&raw.max_bytes, &MAX_BYTES, &k("max_bytes")),
        max_age,
        cache_dir: state_dir.join("fetch"),
        pattern: pattern.clone(),
        username: raw.username.map(Spanned::into_inner),
        password_env: raw.password_env.map(Spanned::into_inner),
    }
}
