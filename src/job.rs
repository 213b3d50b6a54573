//! The morning job, end to end: fetch, parse, summarize, render per group, deliver per
//! recipient, record. `briefing send` runs it once; the daemon runs it on the schedule.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use lettre::message::Mailbox;

use crate::archive;
use crate::clock;
use crate::config::{address_key, Config, Group, OnEmpty, Order, SourceConfig};
use crate::day::{self, SourceFailure};
use crate::deliver::{
    archive_link, compose, footer_link, DeliverError, Delivery, Letterhead, Parts, Transport,
};
use crate::digest::{self, Cut, Digest, Rendered, Retold, Templates};
use crate::dump::Article;
use crate::feed::{self, SourceText};
use crate::fetch::{self, FetchError};
use crate::glance::Common;
use crate::ledger::{self, BriefingLog, Event, LedgerError, Recipients, Record, SendLock, Writer};
use crate::merge::{self, Story};
use crate::rank::{self, Ranked};
use crate::report::{one_line, plural, redact};
use crate::retry::{backoff, daemon_pause, is_passing, pause_unless_stopped};
use crate::summary::{Leads, Summary};
use crate::suppress::{SuppressError, Suppressed, Unreadable};

/// How one run was asked to behave.
#[derive(Debug, Default)]
pub struct Options<'a> {
    /// Overrides `[source] location`.
    pub dump: Option<&'a str>,
    /// Build and report, deliver nothing (whatever else is asked).
    pub dry_run: bool,
    /// Send one test copy of the first group's briefing here, and record nothing.
    pub to: Option<Mailbox>,
    /// Send again to recipients already delivered today.
    pub force: bool,
    /// Only this group (checked to exist by the caller); with `to`, the test copy's.
    pub group: Option<&'a str>,
    /// Set by a shutdown: end the current stage, start no other message.
    pub stop: Option<&'a AtomicBool>,
    /// Told of each outcome as it comes in, for `send`'s progress bar on a terminal.
    pub progress: Option<&'a dyn Progress>,
}

/// Watches a delivery as it goes; the [`Report`] at the end says the same in full.
pub trait Progress: fmt::Debug + Sync {
    /// A group's delivery starts, with this many messages to send.
    fn group(&self, name: &str, to_send: usize);
    /// One message has an outcome: delivered, or not (failed or deferred).
    fn outcome(&self, delivered: bool);
}

/// Why a run did not happen, shaped like lettre's error: the scheduler asks
/// [`Error::is_transient`] instead of reading the message.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    inner: anyhow::Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    /// May go through later: the dump server is down, another send holds the lock, or a
    /// local cause that passes ([`is_passing`]: no file descriptor or memory left for a
    /// moment, a full disk).
    Transient,
    /// Will fail the same way until someone changes the config, the templates or the
    /// files.
    Permanent,
    /// A shutdown signal ended the run before delivery.
    Shutdown,
}

impl Error {
    /// Worth another run within `schedule.catch_up`.
    pub fn is_transient(&self) -> bool {
        self.kind == ErrorKind::Transient
    }

    /// No retry will help until something is fixed.
    pub fn is_permanent(&self) -> bool {
        self.kind == ErrorKind::Permanent
    }

    /// The run was ended by SIGINT/SIGTERM: nothing failed.
    pub fn is_shutdown(&self) -> bool {
        self.kind == ErrorKind::Shutdown
    }

    /// Another send (`briefing send`) holds the state dir's lock: the web endpoint
    /// answers 409, as for its own send in progress.
    pub fn is_busy(&self) -> bool {
        self.inner.chain().any(|e| {
            e.downcast_ref::<LedgerError>()
                .is_some_and(LedgerError::is_busy)
        })
    }

    fn shutdown(stage: &str) -> Error {
        Error {
            kind: ErrorKind::Shutdown,
            inner: anyhow::anyhow!("shut down while {stage}; nothing was sent"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

/// Every stage's error becomes a job error here; the typed errors beneath it decide
/// whether a retry can help, so the decision made in `fetch` (5xx, timeouts) and the
/// operating system's own word on a file (a busy lock, too many open files, a full
/// disk: [`is_passing`]) reach the scheduler intact. Only types are read, never a
/// message's wording.
impl From<anyhow::Error> for Error {
    fn from(inner: anyhow::Error) -> Error {
        let transient = inner.chain().any(|e| {
            e.downcast_ref::<fetch::FetchError>()
                .is_some_and(fetch::FetchError::is_transient)
                || e.downcast_ref::<std::io::Error>().is_some_and(is_passing)
        });
        let kind = match transient {
            true => ErrorKind::Transient,
            false => ErrorKind::Permanent,
        };
        Error { kind, inner }
    }
}

macro_rules! job_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                anyhow::Error::from(e).into()
            }
        }
    )*};
}
job_error_from!(
    fetch::FetchError,
    LedgerError,
    DeliverError,
    crate::digest::DigestError,
    crate::dump::DumpError,
    ledger::DateError,
    SuppressError
);

/// The day's sources as parsed: what they gave and which gave nothing.
#[derive(Debug)]
pub struct Loaded {
    /// The texts that gave articles, in the config's order.
    pub texts: Vec<SourceText>,
    pub articles: Vec<Article>,
    pub failed: Vec<SourceFailure>,
}

impl Loaded {
    /// Where the articles came from, for reports: every answering source's origin.
    pub fn origin(&self) -> String {
        origins(&self.texts)
    }
}

fn origins(texts: &[SourceText]) -> String {
    let origins: Vec<&str> = texts.iter().map(|t| t.fetched.origin.as_str()).collect();
    origins.join("; ")
}

/// The day's sources as a build holds them until delivery: where they came from, which
/// gave nothing, and the texts to keep.
pub struct Sources {
    origin: String,
    /// The texts a delivery keeps ([`day::keep`]), deflated: from the parse on, the
    /// articles are what the build reads. None when the day was built from its kept
    /// copy, which is never kept again.
    pub texts: Vec<day::Held>,
    pub failed: Vec<SourceFailure>,
}

impl Sources {
    /// The texts of `loaded`, held to be kept unless they were `kept` already.
    fn hold(loaded: Loaded, kept: bool) -> Result<Sources> {
        let texts = match kept {
            true => Vec::new(),
            false => loaded
                .texts
                .iter()
                .map(day::Held::new)
                .collect::<std::io::Result<_>>()
                .context("holding the day's text to keep it")?,
        };
        Ok(Sources {
            origin: loaded.origin(),
            texts,
            failed: loaded.failed,
        })
    }

    /// Where the articles came from, for reports: every answering source's origin.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }
}

/// Fetches and parses the day's sources, or the one named by `dump`.
pub async fn load(config: &Config, dump: Option<&str>) -> Result<Loaded> {
    let sources = sources(config, dump);
    let answers = fetch_all(&sources).await;
    read_all(&sources, answers)
}

/// The sources of a run: the config's, or with `--dump` that one location, read as the
/// first source is.
fn sources(config: &Config, dump: Option<&str>) -> Vec<SourceConfig> {
    match dump {
        Some(location) => config
            .sources
            .iter()
            .take(1)
            .map(|first| SourceConfig {
                location: location.to_owned(),
                required: true,
                ..first.clone()
            })
            .collect(),
        None => config.sources.clone(),
    }
}

/// Every source at once: a slow server does not hold up the others.
async fn fetch_all(sources: &[SourceConfig]) -> Vec<Result<SourceText, FetchError>> {
    futures_util::future::join_all(sources.iter().map(|source| async move {
        Ok(SourceText {
            fetched: fetch::fetch(&source.location, source).await?,
            format: source.format,
            outlet: source.name.clone(),
        })
    }))
    .await
}

/// The articles of every source that answered, in the config's order. A source that
/// failed (fetch, parse or age) is logged and reported, and the day goes on without
/// it, unless it is `required` or no source answered at all: then its error stops the
/// run, transient or not as it was.
fn read_all(
    sources: &[SourceConfig],
    answers: Vec<Result<SourceText, FetchError>>,
) -> Result<Loaded> {
    let mut loaded = Loaded {
        texts: Vec::new(),
        articles: Vec::new(),
        failed: Vec::new(),
    };
    let mut first_error = None;
    for (source, answer) in sources.iter().zip(answers) {
        let read = answer
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok((parse(&text, Some(source))?, text)));
        match read {
            Ok((articles, text)) => {
                // The first source's articles are moved, not copied: on a big day the
                // copy beside them would be the largest thing in memory for a moment.
                match loaded.articles.is_empty() {
                    true => loaded.articles = articles,
                    false => loaded.articles.extend(articles),
                }
                loaded.texts.push(text);
            }
            Err(e) => {
                // Reported beside the source's label, which would say it twice.
                let failure = SourceFailure {
                    source: source.label(),
                    error: one_line(e.as_ref()),
                };
                // A named source is one of several: say which. A lone `[source]`'s
                // error names its location already.
                let e = match &source.name {
                    Some(name) => e.context(format!("source {name}")),
                    None => e,
                };
                if source.required {
                    return Err(e);
                }
                // A lone source's error is the run's: said once, by whoever reports it.
                if sources.len() > 1 {
                    let error = one_line(e.as_ref());
                    tracing::warn!("{error}; the briefing is built from the other sources");
                }
                loaded.failed.push(failure);
                first_error.get_or_insert(e);
            }
        }
    }
    // Grown by doubling: held for the whole day.
    loaded.articles.shrink_to_fit();
    match (loaded.texts.is_empty(), first_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(loaded),
    }
}

/// The articles of `text`, refused when older than its source's `max_age` (a kept
/// text, given no source, passed that check when its day began).
fn parse(text: &SourceText, age_of: Option<&SourceConfig>) -> Result<Vec<Article>> {
    let articles = feed::read(text)?;
    if let Some(source) = age_of {
        fetch::check_age(&text.fetched, &articles, source, clock::now())?;
    }
    tracing::info!(
        "{}: {} articles ({})",
        text.fetched.origin,
        articles.len(),
        text.fetched.encoding
    );
    Ok(articles)
}

/// One day's briefing of every group, built from one dump: what `send`, its dry run
/// and `preview` all show, so that none of them can tell a different story.
pub struct Day {
    pub date: NaiveDate,
    /// Where the day came from and which sources gave nothing.
    pub sources: Sources,
    /// The sources came from the copy kept by an earlier run of the same day.
    pub kept: bool,
    /// Articles in this briefing.
    pub articles: usize,
    /// Articles left out because an earlier briefing carried them, and its date.
    pub stale: Option<(usize, String)>,
    /// One per group of the config, in its order.
    pub rendered: Vec<Rendered>,
}

/// Builds the briefing of `date` for every group. Once a delivery of `date` has
/// started, the dump it came from is kept ([`day::keep`]) and every later run of that
/// date (a retry, a dry run, a preview) is built from that same dump: the recipients of
/// one day's briefing all read the same briefing, and what arrived in the dump since
/// goes into tomorrow's. A shutdown ends the fetch or the build at once.
pub async fn prepare(
    config: &Config,
    dump: Option<&str>,
    date: NaiveDate,
    whole_dump: bool,
    stop: Option<&AtomicBool>,
) -> Result<Day, Error> {
    let gathered = gather(config, dump, date, stop).await?;
    build_day(config, gathered, date, whole_dump, stop).await
}

/// What the briefing of `date` is built from: the copy kept since its delivery started,
/// else the sources as they answer now.
pub async fn gather(
    config: &Config,
    dump: Option<&str>,
    date: NaiveDate,
    stop: Option<&AtomicBool>,
) -> Result<Gathered, Error> {
    let date_text = date.to_string();
    Ok(match day::kept(&config.state_dir, &date_text)? {
        Some(kept) => {
            if let Some(dump) = dump {
                tracing::warn!(
                    "--dump {} ignored: today's briefing was started from {}, and is finished from it",
                    redact(dump),
                    origins(&kept.texts)
                );
            }
            Gathered::Kept(kept)
        }
        None => {
            let sources = sources(config, dump);
            let fetching = fetch_all(&sources);
            let answers = unless_stopped(fetching, stop, "fetching the dump").await?;
            Gathered::Fresh(sources, answers)
        }
    })
}

/// The [`Day`] of `date` from what [`gather`] found.
pub async fn build_day(
    config: &Config,
    gathered: Gathered,
    date: NaiveDate,
    whole_dump: bool,
    stop: Option<&AtomicBool>,
) -> Result<Day, Error> {
    let date_text = date.to_string();
    let since = match whole_dump {
        true => None,
        false => ledger::newest_before(&config.state_dir, &date_text)?,
    };
    // Parsing, splitting and scoring a large dump is seconds of CPU: on a thread of its
    // own, so that a shutdown does not wait for it.
    let building = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || build(&config, gathered, since, date))
    };
    let day = unless_stopped(building, stop, "building the briefing")
        .await?
        .context("the briefing build stopped")??;
    Ok(day)
}

/// What the day is built from: the sources as fetched now, or as an earlier run of the
/// same day kept them.
pub enum Gathered {
    Fresh(Vec<SourceConfig>, Vec<Result<SourceText, FetchError>>),
    Kept(day::Kept),
}

/// The CPU-bound part of [`prepare`]: parse, leave out what an earlier briefing
/// (`since`) carried, render every group.
fn build(
    config: &Config,
    gathered: Gathered,
    since: Option<(String, DateTime<FixedOffset>)>,
    date: NaiveDate,
) -> Result<Day> {
    let (mut sources, kept) = match gathered {
        Gathered::Fresh(sources, answers) => (read_all(&sources, answers)?, false),
        Gathered::Kept(kept) => {
            let mut articles = Vec::new();
            for text in &kept.texts {
                articles.extend(parse(text, None)?);
            }
            let loaded = Loaded {
                texts: kept.texts,
                articles,
                failed: kept.failed,
            };
            (loaded, true)
        }
    };
    let articles = std::mem::take(&mut sources.articles);
    let sources = Sources::hold(sources, kept)?;
    crate::dump::warn_if_far_from_articles(date, config.schedule.timezone, &articles);
    let mut stale = None;
    let articles = match since {
        Some((earlier, newest)) => {
            let total = articles.len();
            let fresh = newer_than(articles, newest);
            if fresh.len() < total {
                stale = Some((total - fresh.len(), earlier));
            }
            fresh
        }
        None => articles,
    };
    Ok(Day {
        date,
        kept,
        articles: articles.len(),
        stale,
        rendered: render_all(config, &articles, date)?,
        sources,
    })
}

fn render_all(config: &Config, articles: &[Article], date: NaiveDate) -> Result<Vec<Rendered>> {
    let templates = Templates::load(config.mail.templates.as_deref())?;
    let edition = Edition::of(config, articles, date)?;
    config
        .groups
        .iter()
        .map(|group| render_group(config, &templates, &edition, group, date))
        .collect()
}

/// What every group's briefing of a day draws on, worked out once: the stories with
/// their summaries made as asked, each story's rank, the stories an earlier briefing
/// told, and the words common to any day.
pub struct Edition<'a> {
    /// The stories in the sources' order, a story standing where its first article does.
    pub leads: Leads<'a>,
    /// Per story of `leads`, its rank and the signals behind it.
    pub ranked: Vec<Ranked>,
    pub retold: Vec<Retold<'a>>,
    pub common: Common,
}

impl<'a> Edition<'a> {
    /// The edition of `articles` on `date`.
    pub fn of(config: &Config, articles: &'a [Article], date: NaiveDate) -> Result<Edition<'a>> {
        let (told, retold, common) = stories(config, articles, date)?;
        Ok(Edition::new(config, articles, told, retold, common))
    }

    pub fn new(
        config: &Config,
        articles: &'a [Article],
        mut told: Vec<Story>,
        retold: Vec<Retold<'a>>,
        common: Common,
    ) -> Edition<'a> {
        told.sort_by_key(|s| s.members().min());
        let ranked = rank::rank(articles, &told);
        Edition {
            leads: leads_for(config, articles, told),
            ranked,
            retold,
            common,
        }
    }

    /// The stories `group` wants, in the order it asks for (`[groups.NAME] order`),
    /// decided here and nowhere else: every cut (`max_articles`, the size limit) takes
    /// the stories from the front of this order, so the least important go first.
    fn wanted(&self, group: &Group) -> Vec<usize> {
        rank::order(&self.ranked, group.order)
            .into_iter()
            .filter(|&i| digest::wants(&group.filter, self.leads.articles(i)))
            .collect()
    }
}

/// The summaries of the day's `stories`, made as the groups ask for them. A lead is
/// split and picked once, with the most lines any group asks for: picking is greedy, so
/// a group that wants fewer takes the first of them
/// ([`crate::select::Selection::first`]).
pub fn leads_for<'a>(config: &Config, articles: &'a [Article], stories: Vec<Story>) -> Leads<'a> {
    let mut cfg = config.summary.clone();
    cfg.lines_per_article = config
        .groups
        .iter()
        .map(|g| config.lines_per_article(g))
        .max()
        .unwrap_or(cfg.lines_per_article);
    Leads::new(articles, stories, cfg)
}

/// Stories summarised and rendered at first for a group that can show more: the
/// built-in templates fit about 400 stories as titles in [`digest::MAX_HTML_BYTES`]
/// (the table of contents lists ten).
/// A template that fits more is given four times as many, as often as it asks.
const FIRST_CUT: usize = 512;

/// The briefing of `group` on `date`. Only as many of the stories it wants as it can
/// show are summarised and rendered, the rest counted as left out: a day of tens of
/// thousands of stories costs what the reader gets. The cut is exact: the size limit
/// shortens a briefing from its end ([`Templates::render`]), so once the stories given
/// do not all fit, more would not have fitted either, and the same ones are shown.
pub fn render_group(
    config: &Config,
    templates: &Templates,
    edition: &Edition,
    group: &Group,
    date: NaiveDate,
) -> Result<Rendered> {
    let k = config.lines_per_article(group);
    let subject = group.subject.as_deref().unwrap_or(&config.mail.subject);
    let leads = &edition.leads;
    let wanted = edition.wanted(group);
    let newest = wanted
        .iter()
        .flat_map(|&i| leads.articles(i))
        .filter_map(|a| a.published_at)
        .max();
    let most = group
        .max_articles
        .map_or(wanted.len(), |m| m.min(wanted.len()));
    let mut built = FIRST_CUT.min(most);
    loop {
        let summaries: Vec<Summary> = wanted[..built]
            .iter()
            .map(|&i| {
                let s = leads.summary(i);
                Summary {
                    selection: s.selection.first(k),
                    ..s.clone()
                }
            })
            .collect();
        let cut = Cut {
            shown: summaries.iter().collect(),
            after: wanted.len() - built,
            newest,
            common: &edition.common,
            opinion_last: group.order == Order::Rank,
        };
        let mut digest = digest::assemble(cut, &edition.retold, group, date);
        add_footer(config, &mut digest);
        let rendered = templates
            .render(digest, subject)
            .with_context(|| format!("group {}", group.name))?;
        if built == most || rendered.items < built {
            return Ok(rendered);
        }
        built = built.saturating_mul(4).min(most);
    }
}

/// The footer's contact and unsubscribe link, from the config (the group's own
/// description is `digest::assemble`'s).
pub fn add_footer(config: &Config, digest: &mut Digest) {
    digest.contact = config.mail.contact.as_ref().map(|c| c.email.to_string());
    digest.unsubscribe_url = footer_link(config, &digest.group);
    digest.archive_url = archive_link(config, &digest.date_iso, &digest.group);
}

/// The day's articles as stories ([`merge::stories`]): those to tell, and those one of
/// the last briefings told already ([`merge::repeats`]), named at the end instead. Only
/// the days before `date` count, so a retry of `date` is built as its first run was.
fn stories<'a>(
    config: &Config,
    articles: &'a [Article],
    date: NaiveDate,
) -> Result<(Vec<Story>, Vec<Retold<'a>>, Common)> {
    let threshold = config.merge.threshold;
    // A kept day that no longer reads costs the closing section, not the briefing.
    let past = day::recent(&config.state_dir, &date.to_string()).unwrap_or_else(|e| {
        tracing::warn!("{e:#}; stories of the last briefings are not looked for");
        Vec::new()
    });
    let days: Vec<&[Article]> = std::iter::once(articles)
        .chain(past.iter().map(|(_, day)| day.as_slice()))
        .collect();
    let common = Common::learn(&days);
    let briefed: BTreeMap<usize, String> = merge::repeats(articles, &past, threshold)
        .into_iter()
        .map(|r| (r.today, r.date))
        .collect();
    let mut told = Vec::new();
    let mut retold = Vec::new();
    for story in merge::stories(articles, threshold) {
        let earlier = story.members().find_map(|i| briefed.get(&i));
        match earlier {
            Some(earlier) => retold.push(Retold {
                articles: story.members().map(|i| &articles[i]).collect(),
                date: earlier
                    .parse()
                    .with_context(|| format!("the ledger's briefing date {earlier}"))?,
            }),
            None => told.push(story),
        }
    }
    Ok((told, retold, common))
}

/// Runs `work` unless a shutdown comes first.
async fn unless_stopped<T>(
    work: impl std::future::Future<Output = T>,
    stop: Option<&AtomicBool>,
    stage: &str,
) -> Result<T, Error> {
    tokio::select! {
        out = work => Ok(out),
        () = stopped(stop) => Err(Error::shutdown(stage)),
    }
}

/// Completes once `stop` is set; never without one.
async fn stopped(stop: Option<&AtomicBool>) {
    let Some(stop) = stop else {
        return std::future::pending().await;
    };
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What happened to one group. Serialized for the web endpoint's `POST /send`, where a
/// script reads it instead of the text.
#[derive(Debug, Default, serde::Serialize)]
pub struct GroupReport {
    pub group: String,
    pub subject: String,
    pub items: usize,
    pub recipients: usize,
    pub delivered: usize,
    /// Delivered by an earlier run today.
    pub already: usize,
    /// Not sent: unsubscribed (`briefing unsubscribe`), neither failed nor pending.
    pub suppressed: usize,
    /// Address and last error.
    #[serde(serialize_with = "failed_json")]
    pub failed: Vec<(String, String)>,
    /// Address, last (temporary) error and the earliest next try: kept for a retry.
    #[serde(serialize_with = "deferred_json")]
    pub deferred: Vec<(String, String, DateTime<Utc>)>,
    /// Not tried: the run stopped (fatal error or shutdown) before them.
    pub not_tried: usize,
    /// Nothing was sent because the dump had no article.
    pub skipped_empty: bool,
}

/// What happened to the whole run.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub date: String,
    pub origin: String,
    /// Sources that gave nothing to this briefing, and why.
    pub failed_sources: Vec<SourceFailure>,
    /// Lines of the suppression list that could not be read: skipped, so that the rest
    /// of the list is honoured and the briefing goes out.
    pub unreadable_suppressions: Vec<Unreadable>,
    /// Articles in this briefing.
    pub articles: usize,
    /// Articles left out because an earlier briefing carried them, and its date.
    #[serde(serialize_with = "stale_json")]
    pub stale: Option<(usize, String)>,
    pub dry_run: bool,
    pub groups: Vec<GroupReport>,
    /// The error that stopped the run early (AUTH, TLS, outbox not writable).
    pub fatal: Option<String>,
    /// The run stopped because the server could not be reached: worth another run soon.
    pub server_down: bool,
}

/// Named fields rather than arrays, so that a script reads `failed[0].address`.
fn failed_json<S: serde::Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        v.iter()
            .map(|(address, error)| serde_json::json!({ "address": address, "error": error })),
    )
}

fn deferred_json<S: serde::Serializer>(
    v: &[(String, String, DateTime<Utc>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|(address, error, next_try)| {
        serde_json::json!({ "address": address, "error": error, "next_try": next_try })
    }))
}

fn stale_json<S: serde::Serializer>(v: &Option<(usize, String)>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(
        &v.as_ref()
            .map(|(articles, date)| serde_json::json!({ "articles": articles, "briefing": date })),
        s,
    )
}

impl Report {
    /// True when every recipient has today's briefing (now or from an earlier run).
    pub fn complete(&self) -> bool {
        self.fatal.is_none()
            && self
                .groups
                .iter()
                .all(|g| g.failed.is_empty() && g.deferred.is_empty() && g.not_tried == 0)
    }

    /// The report for a script: what `POST /send` answers and `send --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        // Cannot fail: every key is a string and every value plain data.
        let mut body = serde_json::to_value(self).unwrap_or_default();
        body["complete"] = self.complete().into();
        body
    }

    /// The report as one log line (a log shipper reads one event per line); the full
    /// text goes to stdout, each failure has its own log line already.
    pub fn summary(&self) -> String {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let mut parts = Vec::new();
                if g.skipped_empty {
                    parts.push("nothing new, skipped".to_string());
                } else if self.dry_run {
                    let would = g.recipients - g.already - g.suppressed;
                    parts.push(format!("{would} would be sent"));
                } else {
                    let has = g.delivered + g.already;
                    parts.push(format!("{has}/{} delivered", g.recipients));
                }
                for (n, what) in [
                    (g.failed.len(), "failed"),
                    (g.deferred.len(), "deferred"),
                    (g.not_tried, "not tried"),
                ] {
                    if n > 0 {
                        parts.push(format!("{n} {what}"));
                    }
                }
                format!("{} {}", g.group, parts.join(", "))
            })
            .collect();
        let mut line = format!(
            "briefing {} ({}{}): {}",
            self.date,
            plural(self.articles, "article"),
            if self.dry_run { ", dry run" } else { "" },
            groups.join("; ")
        );
        if let Some(fatal) = &self.fatal {
            line.push_str(&format!("; stopped: {fatal}"));
        }
        line
    }

    /// The earliest time a deferred recipient is due another try.
    pub fn next_try(&self) -> Option<DateTime<Utc>> {
        self.groups
            .iter()
            .flat_map(|g| g.deferred.iter().map(|d| d.2))
            .min()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "briefing {} from {} ({}",
            self.date,
            self.origin,
            plural(self.articles, "article")
        )?;
        if let Some((n, date)) = &self.stale {
            write!(f, "; {n} left out, already in the briefing of {date}")?;
        }
        writeln!(f, "){}", if self.dry_run { ", dry run" } else { "" })?;
        for s in &self.failed_sources {
            writeln!(
                f,
                "  source {} failed: {}; the briefing was built from the other sources",
                s.source, s.error
            )?;
        }
        for line in &self.unreadable_suppressions {
            writeln!(f, "  {line}")?;
        }
        for g in &self.groups {
            write!(
                f,
                "  {}: {:?}, {}, {}: ",
                g.group,
                g.subject,
                plural(g.items, "item"),
                plural(g.recipients, "recipient")
            )?;
            if g.skipped_empty {
                let what = match &self.stale {
                    _ if self.articles > 0 => "no article for this group".into(),
                    Some((_, date)) => format!("no article newer than the briefing of {date}"),
                    None => "no article".into(),
                };
                writeln!(f, "{what}, nothing sent (on_empty = \"skip\")")?;
                continue;
            }
            if self.dry_run {
                writeln!(
                    f,
                    "{} would be sent, {} already delivered, {} suppressed",
                    g.recipients - g.already - g.suppressed,
                    g.already,
                    g.suppressed
                )?;
                continue;
            }
            write!(
                f,
                "{} delivered, {} already delivered earlier, {} failed",
                g.delivered,
                g.already,
                g.failed.len(),
            )?;
            if g.suppressed > 0 {
                write!(f, ", {} suppressed (unsubscribed)", g.suppressed)?;
            }
            if !g.deferred.is_empty() {
                write!(f, ", {} deferred", g.deferred.len())?;
            }
            writeln!(f, ", {} not tried", g.not_tried)?;
            for (who, why) in &g.failed {
                writeln!(f, "    failed {who}: {why}")?;
            }
            for (who, why, next) in &g.deferred {
                writeln!(
                    f,
                    "    deferred {who}: {why} (a temporary failure; the daemon tries again from {}, within schedule.catch_up)",
                    next.to_rfc3339()
                )?;
            }
        }
        if let Some(fatal) = &self.fatal {
            writeln!(f, "  stopped: {fatal}")?;
        }
        Ok(())
    }
}

/// Runs the morning job once.
pub async fn send(config: &Config, opts: &Options<'_>) -> Result<Report, Error> {
    // One group's run is dated in its zone, as the daemon's runs of it are, so that
    // `send --group` sends the briefing `status` calls missed.
    let zone = opts.group.and_then(|g| config.group(g));
    let date = clock::today(zone.map_or(config.schedule.timezone, |g| g.schedule.timezone));
    ledger::check_clock(&config.state_dir, date)?;
    // A test copy shows the whole dump; the groups get only what they have not seen.
    let day = prepare(config, opts.dump, date, opts.to.is_some(), opts.stop).await?;
    let mut report = Report {
        date: date.to_string(),
        origin: day.sources.origin(),
        failed_sources: day.sources.failed.clone(),
        articles: day.articles,
        stale: day.stale.clone(),
        dry_run: opts.dry_run,
        ..Report::default()
    };
    // Read once, before the first message: a request made during the run counts from
    // the next one.
    let suppressed = Suppressed::load(&config.state_dir)?;
    for line in &suppressed.unreadable {
        tracing::warn!("{line}");
    }
    report
        .unreadable_suppressions
        .clone_from(&suppressed.unreadable);
    if let Some(to) = &opts.to {
        send_test_copy(config, &day, opts, to, &suppressed, &mut report).await?;
        return Ok(report);
    }
    // Per group: a group whose filters match none of the day's articles is as empty
    // as a day without articles. With every group skipped, no transport is opened.
    let skips: Vec<bool> = config
        .groups
        .iter()
        .zip(&day.rendered)
        .map(|(g, r)| r.items == 0 && g.on_empty == OnEmpty::Skip)
        .collect();
    let empty = skips.iter().all(|&skip| skip);
    let _lock = match opts.dry_run {
        true => None,
        false => Some(SendLock::acquire(&config.state_dir)?),
    };
    let transport = match opts.dry_run || empty {
        true => None,
        false => Some(Transport::new(config.smtp.as_ref(), &config.mail.outbox)?),
    };
    if transport.is_some() && !day.kept {
        let sources = &day.sources;
        day::keep(
            &config.state_dir,
            &report.date,
            &sources.texts,
            &sources.failed,
        )?;
    }
    let mut carried = None;
    let mut refused = None;
    for ((group, rendered), &skip) in config.groups.iter().zip(&day.rendered).zip(&skips) {
        if opts.group.is_some_and(|only| only != group.name) {
            continue;
        }
        let mut g = GroupReport {
            group: group.name.clone(),
            subject: rendered.subject.clone(),
            items: rendered.items,
            recipients: group.recipients.len(),
            skipped_empty: skip,
            ..GroupReport::default()
        };
        match (&transport, &report.fatal) {
            _ if skip => {}
            (Some(transport), None) => {
                // The page "웹에서 보기" links to; a page that cannot be written costs
                // the archive, not the briefing.
                if let Err(e) =
                    archive::keep(&config.state_dir, &report.date, &group.name, &rendered.html)
                {
                    tracing::warn!(
                        "{}: the archive page of {} not written: {e}",
                        config.state_dir.display(),
                        group.name
                    );
                }
                let courier = Courier {
                    config,
                    date: &report.date,
                    opts,
                    transport,
                    suppressed: &suppressed,
                };
                if let Some(stop) = courier.deliver_group(group, rendered, &mut g).await? {
                    report.server_down =
                        matches!(stop, Stop::Delivery(DeliverError::Unavailable(_)));
                    report.fatal = Some(stop.to_string());
                    if let Stop::Delivery(e @ DeliverError::Auth(_)) = stop {
                        refused = Some(e);
                    }
                }
            }
            // A dry run, or a run stopped before this group: report from the ledger.
            (stopped, _) => {
                let log = ledger::read(&config.state_dir, &report.date, &group.name)?;
                for r in &group.recipients {
                    let address = r.email.as_ref();
                    // As `deliver_group` counts them: `--force` resends to all but
                    // the suppressed.
                    if suppressed.contains(&group.name, address) {
                        g.suppressed += 1;
                    } else if !opts.force && log.is_delivered(address) {
                        g.already += 1;
                    }
                }
                if stopped.is_some() {
                    g.not_tried = group.recipients.len() - g.already - g.suppressed;
                }
            }
        }
        if g.delivered > 0 {
            carried = carried.max(rendered.newest);
        }
        report.groups.push(g);
    }
    if let Some(transport) = &transport {
        transport.close().await;
    }
    // A refused login is the run's error, not a recipient's: `send` says it in one line
    // and exits 1, the daemon logs it once and does not retry what only a fix changes.
    if let Some(e) = refused {
        return Err(e.into());
    }
    // Only a run that went through to the end marks what it carried: after a stop, the
    // rerun that finishes the briefing marks it, and until then nothing is left out.
    // What no group carried (filtered out, past `max_articles`) is not marked.
    if let (None, Some(newest)) = (&report.fatal, carried) {
        // A time stamp from the future (a typo in the dump) must not hide every article
        // until that day comes.
        let now = clock::now().with_timezone(newest.offset());
        ledger::mark_newest(&config.state_dir, &report.date, newest.min(now))?;
    }
    Ok(report)
}

/// `send --to`: one copy of the first group's briefing, recorded nowhere; with
/// `--dry-run`, built and reported only.
async fn send_test_copy(
    config: &Config,
    day: &Day,
    opts: &Options<'_>,
    to: &Mailbox,
    suppressed: &Suppressed,
    report: &mut Report,
) -> Result<(), Error> {
    // `--group`, else the first group: the config check refuses a config without groups.
    let index = opts
        .group
        .and_then(|only| config.groups.iter().position(|g| g.name == only))
        .unwrap_or_default();
    let (group, rendered) = (&config.groups[index], &day.rendered[index]);
    let name = format!("{}-test", group.name);
    report.groups.push(GroupReport {
        group: name.clone(),
        subject: rendered.subject.clone(),
        items: rendered.items,
        recipients: 1,
        ..GroupReport::default()
    });
    if suppressed.contains(&group.name, to.email.as_ref()) {
        if let Some(g) = report.groups.last_mut() {
            g.suppressed = 1;
        }
        return Ok(());
    }
    if opts.dry_run {
        return Ok(());
    }
    let transport = Transport::new(config.smtp.as_ref(), &config.mail.outbox)?;
    let now = clock::now();
    let delivery = Delivery {
        date: &report.date,
        group: &name,
        to,
        // Each test copy is a new message, not a duplicate of the last one.
        copy: now.timestamp().unsigned_abs(),
    };
    let message_id = delivery.message_id(&config.mail.from);
    let parts = Parts::new(rendered);
    let head = Letterhead::new(config, &group.name)?;
    let message = compose(&config.sender(group), to, message_id, &parts, &head, now)?;
    let reply = transport.send(&message, &delivery.file_stem()).await;
    transport.close().await;
    let reply = reply?;
    tracing::info!("test copy of {} to {to}: {reply}", group.name);
    if let Some(g) = report.groups.last_mut() {
        g.delivered = 1;
    }
    Ok(())
}

/// Records every recipient of `date` still deferred as failed: the daemon's retry
/// window is over. Returns how many.
pub fn give_up_deferred(config: &Config, date: &str) -> Result<usize, Error> {
    let _lock = SendLock::acquire(&config.state_dir)?;
    let mut given_up = 0;
    for group in &config.groups {
        let mut log = BriefingLog::open(&config.state_dir, date, &group.name)?;
        let records: Vec<Record> = log
            .recipients()
            .iter()
            .filter(|(_, s)| !s.delivered && s.last.event == Event::Deferred)
            .map(|(_, s)| Record {
                event: Event::Failed,
                at: clock::now(),
                detail: format!(
                    "gave up at the end of schedule.catch_up after {} tries: {}",
                    s.attempts, s.last.detail
                ),
                next_try: None,
                ..s.last.clone()
            })
            .collect();
        log.append(&records)?;
        given_up += records.len();
    }
    Ok(given_up)
}

/// The articles published after `newest` (what an earlier briefing already carried).
/// An article without a timestamp stays: better seen twice than never.
fn newer_than(articles: Vec<Article>, newest: DateTime<FixedOffset>) -> Vec<Article> {
    articles
        .into_iter()
        .filter(|a| a.published_at.is_none_or(|t| t > newest))
        .collect()
}

/// Local files need no connection; this many in flight keeps the fsyncs per message low.
const OUTBOX_WINDOW: usize = 16;

/// Letters in the delivery loop per exchange slot, the rest marked `sending` and waiting
/// for a slot. Into `smtp-sink` on loopback, 10,000 messages over 20 connections, with the
/// ledger on disk: 2,937 messages/s with no letter marked ahead, 3,639 with one window
/// ahead, 5,252-6,113 with three, the rate of a ledger on tmpfs (6,142-6,218, where an
/// fsync costs nothing). A crash leaves at most that many letters in doubt; those that
/// never left are resent under the same Message-ID, so a server sees each once.
const MARKED_AHEAD: usize = 4;

/// What every message of one run shares.
struct Courier<'a> {
    config: &'a Config,
    date: &'a str,
    opts: &'a Options<'a>,
    transport: &'a Transport,
    suppressed: &'a Suppressed,
}

/// What every message of one group shares, made once per group.
struct GroupMail {
    parts: Parts,
    head: Letterhead,
    sender: Mailbox,
}

/// One recipient's message, ready to go.
struct Letter {
    address: String,
    message_id: String,
    message: lettre::Message,
    file_stem: String,
    /// Tries recorded by earlier runs of this briefing.
    attempts_before: u32,
    /// Times an earlier run deferred it: how far the next deferral looks ahead.
    deferrals: u32,
}

/// How the tries of one letter went: the transient errors on the way, then the end.
struct Outcome {
    retried: Vec<(u32, String)>,
    attempt: u32,
    result: Result<String, DeliverError>,
}

/// Why a group's delivery stopped before its last recipient.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error("{0}")]
    Delivery(DeliverError),
    #[error("shut down before every message was sent")]
    Shutdown,
}

impl Courier<'_> {
    fn stopping(&self) -> bool {
        self.opts.stop.is_some_and(|s| s.load(Ordering::SeqCst))
    }

    /// Delivers one group's briefing to everyone who does not have it yet, with up to
    /// `smtp.connections` messages in flight. The ledger is written by a [`Writer`] of
    /// its own, off the critical path without weakening it: a letter is handed to the
    /// server only once its `sending` mark is on disk, and outcomes are recorded as they
    /// come in, while other exchanges go on; marks and outcomes queued during one write
    /// share the next fsync. A crash in between leaves letters in doubt, to be resent
    /// with the same Message-IDs. A slow recipient holds only its own slot. Ledger
    /// failures are errors.
    async fn deliver_group(
        &self,
        group: &Group,
        rendered: &Rendered,
        report: &mut GroupReport,
    ) -> Result<Option<Stop>> {
        let log = BriefingLog::open(&self.config.state_dir, self.date, &group.name)?;
        let (writer, recorded) = Writer::start(log)?;
        let mut suppressed = 0;
        let pending: Vec<&Mailbox> = group
            .recipients
            .iter()
            .filter(|to| {
                let address = to.email.as_ref();
                // Not even `--force` sends to someone who unsubscribed; one who had
                // the briefing first counts as suppressed too, as `status` does.
                if self.suppressed.contains(&group.name, address) {
                    suppressed += 1;
                    return false;
                }
                self.opts.force || !recorded.is_delivered(address)
            })
            .collect();
        report.suppressed = suppressed;
        report.already = group.recipients.len() - pending.len() - suppressed;
        if let Some(progress) = self.opts.progress {
            progress.group(&group.name, pending.len());
        }
        let mail = GroupMail {
            parts: Parts::new(rendered),
            head: Letterhead::new(self.config, &group.name)?,
            sender: self.config.sender(group),
        };
        let window = self
            .config
            .smtp
            .as_ref()
            .map_or(OUTBOX_WINDOW, |s| s.connections);
        // Up to `window` exchanges at once, with letters marked `sending` ahead of them
        // (see [`MARKED_AHEAD`]): a slot that frees up starts the next letter at once
        // instead of waiting for its mark's fsync.
        let exchanges = tokio::sync::Semaphore::new(window);
        let halted = AtomicBool::new(false);
        let mut queue = pending.into_iter();
        let mut in_flight = FuturesUnordered::new();
        let mut stop = None;
        loop {
            if stop.is_none() && self.stopping() {
                stop = Some(Stop::Shutdown);
            }
            if stop.is_some() {
                halted.store(true, Ordering::SeqCst);
            } else {
                for to in queue.by_ref().take(MARKED_AHEAD * window - in_flight.len()) {
                    let letter = self.letter(&recorded, group, to, &mail)?;
                    let attempt = letter.attempts_before + 1;
                    // The letter leaves only once its `sending` mark is on disk; the
                    // exchanges already in flight go on meanwhile.
                    let durable = writer.append(vec![record(
                        &letter,
                        Event::Sending,
                        attempt,
                        String::new(),
                    )]);
                    let (exchanges, halted) = (&exchanges, &halted);
                    in_flight.push(async move {
                        durable.await?;
                        let _slot = exchanges.acquire().await;
                        Ok::<_, LedgerError>(match halted.load(Ordering::SeqCst) {
                            true => (letter, None),
                            false => {
                                let (letter, outcome) = self.attempt(letter).await;
                                (letter, Some(outcome))
                            }
                        })
                    });
                }
            }
            let Some(first) = in_flight.next().await else {
                break;
            };
            let mut done = vec![first?];
            while let Some(Some(more)) = in_flight.next().now_or_never() {
                done.push(more?);
            }
            let mut records = Vec::new();
            for (letter, outcome) in done {
                let Some(outcome) = outcome else {
                    // Marked, then held back by the stop: it never left.
                    records.push(record(
                        &letter,
                        Event::Unsent,
                        letter.attempts_before,
                        "not sent: the run stopped first".into(),
                    ));
                    report.not_tried += 1;
                    continue;
                };
                if let Some(e) = self.outcome(group, letter, outcome, report, &mut records) {
                    if !matches!(stop, Some(Stop::Delivery(_))) {
                        stop = Some(Stop::Delivery(e));
                    }
                }
            }
            writer.append_later(records);
        }
        writer.finish().await?;
        report.not_tried += queue.len();
        Ok(stop)
    }

    /// Records how one letter's tries went, and reports it; returns the error that
    /// stops the run, if it was one.
    fn outcome(
        &self,
        group: &Group,
        letter: Letter,
        outcome: Outcome,
        report: &mut GroupReport,
        records: &mut Vec<Record>,
    ) -> Option<DeliverError> {
        for (attempt, error) in outcome.retried {
            records.push(record(&letter, Event::Failed, attempt, error));
        }
        let address = &letter.address;
        // A message the run did not really try (the last branch below) is no outcome.
        let untried = outcome
            .result
            .as_ref()
            .is_err_and(|e| !e.is_transient() && !e.blames_recipient());
        if let (Some(progress), false) = (self.opts.progress, untried) {
            progress.outcome(outcome.result.is_ok());
        }
        let e = match outcome.result {
            Ok(reply) => {
                // `-v`: a long list stays out of the default log.
                tracing::debug!("{}: delivered to {address}: {reply}", group.name);
                records.push(record(&letter, Event::Delivered, outcome.attempt, reply));
                report.delivered += 1;
                return None;
            }
            Err(e) => e,
        };
        let failed = record(&letter, Event::Failed, outcome.attempt, e.to_string());
        if e.is_transient() {
            // Greylisting and busy servers answer 4xx for minutes: kept for the
            // daemon's later tries, like an MTA's queue.
            let pause = daemon_pause(letter.deferrals, self.config.schedule.catch_up, address);
            let next = clock::now() + pause;
            tracing::warn!(
                "{}: {address}: {e}; deferred to {}",
                group.name,
                next.to_rfc3339()
            );
            records.push(Record {
                event: Event::Deferred,
                next_try: Some(next),
                ..failed
            });
            report.deferred.push((address.clone(), e.to_string(), next));
        } else if e.blames_recipient() {
            tracing::error!("{}: {address}: {e}", group.name);
            records.push(failed);
            report.failed.push((address.clone(), e.to_string()));
        } else {
            // The login, TLS or a local file failed, not this recipient: the message
            // counts as not tried, and the error is told once, for the run.
            records.push(record(
                &letter,
                Event::Unsent,
                letter.attempts_before,
                format!("not sent: {e}"),
            ));
            report.not_tried += 1;
        }
        e.stops_run().then_some(e)
    }

    fn letter(
        &self,
        recorded: &Recipients,
        group: &Group,
        to: &Mailbox,
        mail: &GroupMail,
    ) -> Result<Letter> {
        let address = to.email.to_string();
        let status = recorded.status(&address);
        let attempts_before = status.map_or(0, |s| s.attempts);
        let deferrals = status.map_or(0, |s| s.deferrals);
        let delivery = Delivery {
            date: self.date,
            group: &group.name,
            to,
            // Resent on purpose: a new message. Otherwise the briefing itself.
            copy: match status {
                Some(s) if s.delivered => u64::from(attempts_before) + 1,
                _ => 0,
            },
        };
        // A message in doubt goes again under the ID it left with, even if `mail.from`
        // or the group's name changed since: that ID is what lets a server drop it.
        let message_id = match status {
            Some(s) if !s.delivered && !s.last.message_id.is_empty() => s.last.message_id.clone(),
            _ => delivery.message_id(&self.config.mail.from),
        };
        Ok(Letter {
            attempts_before,
            deferrals,
            message: compose(
                &mail.sender,
                to,
                message_id.clone(),
                &mail.parts,
                &mail.head,
                clock::now(),
            )?,
            message_id,
            file_stem: delivery.file_stem(),
            address,
        })
    }

    /// Sends one letter, retrying transient failures with backoff, unless a shutdown
    /// asks to stop: then no new try starts (a pause is cut short) and the message is
    /// left undelivered, to be resent next run.
    async fn attempt(&self, letter: Letter) -> (Letter, Outcome) {
        let (retries, delay) = self
            .config
            .smtp
            .as_ref()
            .map_or((0, 0), |s| (s.retries, s.retry_delay_ms));
        let mut retried = Vec::new();
        let mut retry = 0;
        loop {
            let attempt = letter.attempts_before + 1 + retry;
            let result = self
                .transport
                .send(&letter.message, &letter.file_stem)
                .await;
            match result {
                Err(e) if e.is_transient() && retry < retries && !self.stopping() => {
                    let pause = backoff(delay, retry + 1, &letter.address);
                    tracing::warn!("{}: {e}; retry in {pause:?}", letter.address);
                    retried.push((attempt, e.to_string()));
                    if !self.pause(pause).await {
                        let outcome = Outcome {
                            retried,
                            attempt,
                            result: Err(e),
                        };
                        return (letter, outcome);
                    }
                    retry += 1;
                }
                result => {
                    let outcome = Outcome {
                        retried,
                        attempt,
                        result,
                    };
                    return (letter, outcome);
                }
            }
        }
    }

    async fn pause(&self, pause: Duration) -> bool {
        pause_unless_stopped(pause, self.opts.stop).await
    }
}

fn record(letter: &Letter, event: Event, attempt: u32, detail: String) -> Record {
    Record {
        recipient: address_key(&letter.address),
        event,
        at: clock::now(),
        attempt,
        detail,
        message_id: letter.message_id.clone(),
        next_try: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, required: bool) -> SourceConfig {
        let config = Config::parse(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\n",
            std::path::Path::new("/x/config.toml"),
        )
        .unwrap();
        SourceConfig {
            name: Some(name.into()),
            required,
            ..config.sources[0].clone()
        }
    }

    fn answer(body: &str) -> Result<SourceText, FetchError> {
        Ok(SourceText {
            fetched: crate::fetch::Fetched {
                origin: "시험".into(),
                text: body.into(),
                encoding: "UTF-8",
                modified: None,
            },
            format: crate::config::Format::Dump,
            outlet: Some("바다일보".into()),
        })
    }

    fn down() -> Result<SourceText, FetchError> {
        Err(FetchError::Status {
            url: "http://127.0.0.1:1/down".into(),
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
        })
    }

    #[test]
    fn a_failing_source_is_left_out_unless_required_or_alone() {
        let dump = "최신기사\n---\n항구 새 단장\n항구가 새로 단장했다.\n2026-12-01 06:00:00\n";
        let two = [source("바다일보", false), source("하늘방송", false)];
        let loaded = read_all(&two, vec![answer(dump), down()]).unwrap();
        assert_eq!(loaded.articles.len(), 1);
        assert_eq!(loaded.articles[0].outlet.as_deref(), Some("바다일보"));
        assert_eq!(loaded.failed.len(), 1);
        assert_eq!(loaded.failed[0].source, "하늘방송");
        assert!(
            loaded.failed[0].error.contains("503"),
            "{:?}",
            loaded.failed
        );
        // A source that answers with no dump at all fails too.
        let loaded = read_all(&two, vec![answer(dump), answer("그냥 메모")]).unwrap();
        assert!(
            loaded.failed[0].error.contains("no article found"),
            "{:?}",
            loaded.failed
        );

        let required = [source("바다일보", false), source("하늘방송", true)];
        let err = Error::from(read_all(&required, vec![answer(dump), down()]).unwrap_err());
        assert!(err.is_transient(), "a 503 may pass: {err}");
        assert!(err.to_string().starts_with("source 하늘방송"), "{err}");

        let err = Error::from(read_all(&two, vec![down(), down()]).unwrap_err());
        assert!(
            err.is_transient() && err.to_string().starts_with("source 바다일보"),
            "{err}"
        );
    }

    fn article(title: &str, label: Option<&str>, body: &str) -> Article {
        Article::of(title, label, body)
    }

    /// Scored once for every group: each group's picks are what a summary made for its
    /// own `lines_per_article` would pick, and articles no group shows are not picked.
    #[test]
    fn one_selection_serves_groups_of_every_line_count() {
        let text = "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n\
            [groups.brief]\nrecipients = [\"a@example.com\"]\nlines_per_article = 1\n\
            [groups.columns]\nrecipients = [\"c@example.com\"]\ninclude_labels = [\"칼럼\"]\nlines_per_article = 4\n";
        let mut config = Config::parse(text, std::path::Path::new("/x/config.toml")).unwrap();
        let body = "구는 공원 세 곳에 야간 조명을 새로 단다고 밝혔다. 공사는 다음 달 시작된다. \
                    예산은 12억 원이다. 주민 설명회는 오는 9일 열린다. 조명은 밤 11시에 꺼진다.";
        let articles = [
            article("공원 야간 조명 설치", None, body),
            article("골목길이 밝아지면", Some("칼럼"), body),
        ];
        // Each its own story, so that the picks compare with `summarize`'s.
        let alone: Vec<Story> = (0..articles.len())
            .map(|lead| Story {
                lead,
                others: vec![],
            })
            .collect();
        let leads = leads_for(&config, &articles, alone.clone());
        for k in [1, 4] {
            let mut cfg = config.summary.clone();
            cfg.lines_per_article = k;
            let alone = crate::summary::summarize(&articles, &cfg);
            for (i, a) in alone.iter().enumerate() {
                let picks = leads.summary(i).selection.first(k).picks;
                assert_eq!(picks, a.selection.picks, "k = {k}");
            }
        }
        // With only the columns group, the other article is never split or scored.
        config.groups.retain(|g| g.name == "columns");
        let edition = Edition::new(&config, &articles, alone, vec![], Common::default());
        let templates = Templates::load(None).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let r = render_group(&config, &templates, &edition, &config.groups[0], date).unwrap();
        assert_eq!(r.items, 1);
        assert!(r.text.contains("골목길이 밝아지면"), "{}", r.text);
        assert_eq!(edition.leads.made(), 1);
    }

    /// One warehouse fire told by three outlets, and a fire drill in the same district.
    fn fire_day() -> Vec<Article> {
        let told = |title: &str, body: &str, outlet: &str, n: u32| Article {
            url: Some(format!("https://{n}.example/news")),
            outlet: Some(outlet.into()),
            ..Article::of(title, None, body)
        };
        vec![
            told(
                "새벽 강변 물류창고 화재…소방관 120명 투입",
                "18일 새벽 3시 20분께 강변구 물류창고에서 불이 나 소방관 120명과 장비 35대가 투입됐다. \
                 불은 창고 2개 동을 태우고 4시간 만에 꺼졌다. 야간 근무자 8명은 모두 스스로 대피해 다친 사람은 없었다. \
                 소방당국은 냉동설비 배선에서 불이 시작된 것으로 보고 정확한 원인을 조사하고 있다.",
                "바다일보",
                1,
            ),
            told(
                "강변구 물류창고서 큰불, 4시간 만에 진화",
                "강변구의 한 물류창고에서 18일 새벽 큰불이 났다. 소방당국은 소방관 120명과 장비 35대를 동원해 \
                 4시간 만에 불길을 잡았다. 창고 안에 있던 근무자 8명은 불이 나자 곧바로 빠져나왔다. \
                 당국은 냉동설비 쪽 배선을 발화 지점으로 의심하고 있다.",
                "하늘방송",
                2,
            ),
            told(
                "강변구, 전통시장 세 곳서 화재 대비 훈련",
                "강변구는 19일 전통시장 세 곳에서 화재 대비 합동 훈련을 연다고 밝혔다. 상인 200여 명과 \
                 소방서 직원 40명이 참여해 소화기 사용법과 대피 경로를 익힌다. \
                 구는 훈련 뒤 시장마다 자동 확산 소화기 50대를 새로 설치할 계획이다.",
                "구청소식",
                3,
            ),
            told(
                "물류창고 화재로 2개 동 전소…인명 피해 없어",
                "강변구 물류창고 화재로 창고 2개 동이 모두 탔다. 18일 새벽 시작된 불은 소방관 120명이 \
                 투입된 끝에 4시간 뒤 꺼졌다. 근무자 8명은 대피했고 다친 사람은 없었다. 냉동설비 배선이 원인으로 꼽힌다.",
                "들판신문",
                4,
            ),
        ]
    }

    /// The three tellings become one item naming the two others; a group whose
    /// keyword only the third telling carries still gets the story; `max_articles` and
    /// "외 N건" count stories.
    #[test]
    fn a_story_told_by_three_outlets_is_one_item_naming_the_other_two() {
        let state = tempfile::tempdir().unwrap();
        let text = format!(
            "[source]\nlocation = \"d.txt\"\n[state]\ndir = \"{}\"\n[mail]\nfrom = \"b@example.com\"\n\
            [groups.all]\nrecipients = [\"a@example.com\"]\n\
            [groups.safety]\nrecipients = [\"c@example.com\"]\ninclude_keywords = [\"인명 피해\"]\n\
            [groups.one]\nrecipients = [\"d@example.com\"]\nmax_articles = 1\n",
            state.path().display()
        );
        let config = Config::parse(&text, std::path::Path::new("/x/config.toml")).unwrap();
        let articles = fire_day();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let (told, retold, _) = stories(&config, &articles, date).unwrap();
        assert!(retold.is_empty(), "no earlier briefing");
        assert_eq!(told.len(), 2, "{told:?}");
        let leads = leads_for(&config, &articles, told);
        let summaries: Vec<Summary> = (0..leads.count())
            .map(|i| leads.summary(i).clone())
            .collect();
        let titles: Vec<&str> = summaries.iter().map(|s| s.article.title.as_str()).collect();
        assert_eq!(titles.len(), 2, "only the leads are summarized: {titles:?}");
        let digest = |name: &str| {
            let group = config.groups.iter().find(|g| g.name == name).unwrap();
            digest::build(&summaries, &[], group, date)
        };

        let all = digest("all");
        assert_eq!(all.count, 2);
        let fire = &all.items[0];
        assert!(fire.title.contains("물류창고"), "{}", fire.title);
        assert_eq!((fire.reports, fire.also.len()), (3, 2));
        let mut outlets: Vec<&str> = std::iter::once(&fire.outlet)
            .chain(fire.also.iter().map(|a| &a.outlet))
            .flatten()
            .map(String::as_str)
            .collect();
        outlets.sort_unstable();
        assert_eq!(outlets, ["들판신문", "바다일보", "하늘방송"]);
        for also in &fire.also {
            let original = articles.iter().find(|a| a.title == also.title).unwrap();
            assert_eq!(also.url, original.url);
        }
        assert!(!all.items[1].merged && all.items[1].also.is_empty());
        assert!(all.items[1].title.contains("훈련"));

        let safety = digest("safety");
        assert_eq!(safety.count, 1, "the drill does not mention 인명 피해");
        assert!(
            !safety.items[0].title.contains("인명 피해"),
            "the lead tells it, though only another telling has the keyword"
        );

        let one = digest("one");
        assert_eq!((one.count, one.left_out, one.more), (1, 1, 1));
    }

    /// Told by the kind and the OS error number, whatever the message says: a message
    /// that reads like EMFILE is not one.
    #[test]
    fn passing_local_causes_are_told_by_their_os_error_not_their_message() {
        use std::io::{Error as Io, ErrorKind};
        for n in [
            libc::EMFILE,
            libc::ENFILE,
            libc::ENOMEM,
            libc::ENOSPC,
            libc::EDQUOT,
            libc::EBUSY,
            libc::EWOULDBLOCK,
        ] {
            assert!(is_passing(&Io::from_raw_os_error(n)), "errno {n}");
        }
        for n in [libc::EACCES, libc::ENOENT, libc::EROFS, libc::EISDIR] {
            assert!(!is_passing(&Io::from_raw_os_error(n)), "errno {n}");
        }
        assert!(is_passing(&Io::from(ErrorKind::OutOfMemory)));
        assert!(!is_passing(&Io::other("Too many open files (os error 24)")));

        let ledger = |n| LedgerError {
            path: "/srv/briefing/state/ledger".into(),
            source: Io::from_raw_os_error(n),
        };
        let err = Error::from(anyhow::Error::from(ledger(libc::EMFILE)).context("the run"));
        assert!(err.is_transient() && !err.is_busy(), "{err}");
        assert!(Error::from(ledger(libc::EACCES)).is_permanent());
        let full = DeliverError::Local {
            what: "cannot write to the outbox /srv/outbox".into(),
            source: Io::from_raw_os_error(libc::ENOSPC),
        };
        assert!(full.is_transient() && full.stops_run() && !full.blames_recipient());
        assert!(Error::from(full).is_transient());
        let denied = SuppressError::Io {
            path: "/srv/briefing/state/suppressed.jsonl".into(),
            source: Io::from_raw_os_error(libc::EACCES),
        };
        assert!(Error::from(denied).is_permanent());
    }

    /// A day of `n` articles, each a story of its own, in the dump's order.
    fn numbered_day(n: usize) -> (Vec<Article>, Vec<Story>) {
        let articles: Vec<Article> = (0..n)
            .map(|i| {
                let body = format!(
                    "항만공사는 {i}번 부두의 하역 물량이 {}% 늘었다고 밝혔다. 새 크레인 {}대가 다음 달 들어온다.",
                    i % 40 + 1,
                    i % 7 + 2
                );
                let title = format!("{i}번 부두 하역 물량 늘어, 새 크레인도 다음 달 들어와");
                article(&title, None, &body)
            })
            .collect();
        let alone = (0..n)
            .map(|lead| Story {
                lead,
                others: vec![],
            })
            .collect();
        (articles, alone)
    }

    /// The cut is exact: a group given only as many stories as its briefing can show
    /// gets the briefing the whole day rendered and cut for size would be, with the
    /// built-in templates (about 400 fit) and with one that fits thousands, for which
    /// the stories built grow until they no longer all fit.
    #[test]
    fn a_briefing_built_from_what_fits_is_the_whole_day_cut_for_size() {
        let config = Config::parse(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\norder = \"source\"\n",
            std::path::Path::new("/x/config.toml"),
        )
        .unwrap();
        let group = &config.groups[0];
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let dense = tempfile::tempdir().unwrap();
        std::fs::write(
            dense.path().join("briefing.html.hbs"),
            "{{#each items}}<p>{{number}} {{title}}: {{title}}</p>{{/each}}{{#if left_out}}외 {{left_out}}건{{/if}}",
        )
        .unwrap();
        for (n, dir, most_built) in [(1000, None, FIRST_CUT), (2500, Some(dense.path()), 2048)] {
            let templates = Templates::load(dir).unwrap();
            let (articles, stories) = numbered_day(n);
            let edition = Edition::new(&config, &articles, stories, vec![], Common::default());
            let cut = render_group(&config, &templates, &edition, group, date).unwrap();
            assert!(cut.items < n, "{n}: {} items", cut.items);
            let leads = &edition.leads;
            assert_eq!(leads.made(), most_built, "{n} stories");

            let whole: Vec<Summary> = (0..n).map(|i| leads.summary(i).clone()).collect();
            let mut digest = digest::build(&whole, &[], group, date);
            add_footer(&config, &mut digest);
            let whole = templates.render(digest, &config.mail.subject).unwrap();
            assert_eq!(
                (&cut.subject, cut.items, cut.newest),
                (&whole.subject, whole.items, whole.newest)
            );
            assert_eq!(cut.text, whole.text);
            assert_eq!(cut.html, whole.html);
        }
    }
}
