//! The morning job, end to end: fetch, parse, summarize, render per group, deliver per
//! recipient, record. `briefing send` runs it once; the daemon runs it on the schedule.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, NaiveDate};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use lettre::message::Mailbox;

use crate::clock;
use crate::config::{Config, Group, OnEmpty};
use crate::deliver::{compose, DeliverError, Delivery, Transport};
use crate::digest::{self, Rendered, Templates};
use crate::dump::{self, Article};
use crate::fetch::{self, Fetched};
use crate::ledger::{self, BriefingLog, Event, Record, SendLock};
use crate::summary::{summarize, Summary};

/// How one run was asked to behave.
#[derive(Debug, Default)]
pub struct Options<'a> {
    /// Overrides `[source] location`.
    pub dump: Option<&'a str>,
    /// Build and report, deliver nothing.
    pub dry_run: bool,
    /// Send one test copy of the first group's briefing here, and record nothing.
    pub to: Option<Mailbox>,
    /// Send again to recipients already delivered today.
    pub force: bool,
    /// Set by a shutdown: finish the current message, start no other.
    pub stop: Option<&'a AtomicBool>,
}

/// The dump as parsed, with where it came from.
pub struct Loaded {
    pub fetched: Fetched,
    pub articles: Vec<Article>,
}

/// Fetches and parses the dump named by `dump` or by the config.
pub async fn load(config: &Config, dump: Option<&str>) -> Result<Loaded> {
    let location = dump.unwrap_or(&config.source.location);
    let fetched = fetch::fetch(location, &config.source).await?;
    let articles = dump::parse(&fetched.text, &fetched.origin)?;
    fetch::check_age(&fetched, &articles, &config.source, clock::now())?;
    clock::warn_if_far_from_articles(
        clock::today(config.schedule.timezone),
        config.schedule.timezone,
        &articles,
    );
    tracing::info!(
        "{}: {} articles ({})",
        fetched.origin,
        articles.len(),
        fetched.encoding
    );
    Ok(Loaded { fetched, articles })
}

/// Summaries by lines-per-article: groups may ask for a different number of lines.
pub fn summaries_by_k<'a>(
    config: &Config,
    articles: &'a [Article],
) -> BTreeMap<usize, Vec<Summary<'a>>> {
    let mut by_k = BTreeMap::new();
    for group in &config.groups {
        let k = config.lines_per_article(group);
        by_k.entry(k).or_insert_with(|| {
            let mut cfg = config.summary.clone();
            cfg.lines_per_article = k;
            summarize(articles, &cfg)
        });
    }
    by_k
}

/// The briefing of `group` on `date`.
pub fn render_group(
    config: &Config,
    templates: &Templates,
    by_k: &BTreeMap<usize, Vec<Summary>>,
    group: &Group,
    date: NaiveDate,
) -> Result<Rendered> {
    let k = config.lines_per_article(group);
    let summaries = by_k.get(&k).map(Vec::as_slice).unwrap_or_default();
    let digest = digest::build(summaries, group, date);
    let subject = group.subject.as_deref().unwrap_or(&config.mail.subject);
    templates
        .render(digest, subject)
        .with_context(|| format!("group {}", group.name))
}

/// What happened to one group.
#[derive(Debug, Default)]
pub struct GroupReport {
    pub group: String,
    pub subject: String,
    pub items: usize,
    pub recipients: usize,
    pub delivered: usize,
    /// Delivered by an earlier run today.
    pub already: usize,
    /// Address and last error.
    pub failed: Vec<(String, String)>,
    /// Not tried: the run stopped (fatal error or shutdown) before them.
    pub not_tried: usize,
    /// Nothing was sent because the dump had no article.
    pub skipped_empty: bool,
}

/// What happened to the whole run.
#[derive(Debug, Default)]
pub struct Report {
    pub date: String,
    pub origin: String,
    /// Articles in this briefing.
    pub articles: usize,
    /// Articles left out because an earlier briefing carried them, and its date.
    pub stale: Option<(usize, String)>,
    pub dry_run: bool,
    pub groups: Vec<GroupReport>,
    /// The error that stopped the run early (AUTH, TLS, outbox not writable).
    pub fatal: Option<String>,
    /// The run stopped because the server could not be reached: worth another run soon.
    pub server_down: bool,
}

impl Report {
    /// True when every recipient has today's briefing (now or from an earlier run).
    pub fn complete(&self) -> bool {
        self.fatal.is_none()
            && self
                .groups
                .iter()
                .all(|g| g.failed.is_empty() && g.not_tried == 0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "briefing {} from {} ({} articles",
            self.date, self.origin, self.articles
        )?;
        if let Some((n, date)) = &self.stale {
            write!(f, "; {n} left out, already in the briefing of {date}")?;
        }
        writeln!(f, "){}", if self.dry_run { ", dry run" } else { "" })?;
        for g in &self.groups {
            write!(
                f,
                "  {}: {:?}, {} items, {} recipients: ",
                g.group, g.subject, g.items, g.recipients
            )?;
            if g.skipped_empty {
                let what = match &self.stale {
                    Some((_, date)) => format!("no article newer than the briefing of {date}"),
                    None => "no article".into(),
                };
                writeln!(f, "{what}, nothing sent (mail.on_empty = \"skip\")")?;
                continue;
            }
            if self.dry_run {
                writeln!(
                    f,
                    "{} would be sent, {} already delivered",
                    g.recipients - g.already,
                    g.already
                )?;
                continue;
            }
            writeln!(
                f,
                "{} delivered, {} already delivered earlier, {} failed, {} not tried",
                g.delivered,
                g.already,
                g.failed.len(),
                g.not_tried
            )?;
            for (who, why) in &g.failed {
                writeln!(f, "    failed {who}: {why}")?;
            }
        }
        if let Some(fatal) = &self.fatal {
            writeln!(f, "  stopped: {fatal}")?;
        }
        Ok(())
    }
}

/// Runs the morning job once.
pub async fn send(config: &Config, opts: &Options<'_>) -> Result<Report> {
    ledger::check_clock(&config.state_dir, clock::today(config.schedule.timezone))?;
    let templates = Templates::load(config.mail.templates.as_deref())?;
    let Loaded { fetched, articles } = load(config, opts.dump).await?;
    let date = clock::today(config.schedule.timezone);
    let mut report = Report {
        date: date.to_string(),
        origin: fetched.origin,
        dry_run: opts.dry_run,
        ..Report::default()
    };
    // A test copy shows the whole dump; the groups get only what they have not seen.
    let since = match opts.to {
        Some(_) => None,
        None => ledger::newest_before(&config.state_dir, &report.date)?,
    };
    let articles = match &since {
        Some((earlier, newest)) => {
            let total = articles.len();
            let fresh = newer_than(articles, *newest);
            if fresh.len() < total {
                report.stale = Some((total - fresh.len(), earlier.clone()));
            }
            fresh
        }
        None => articles,
    };
    report.articles = articles.len();
    let by_k = summaries_by_k(config, &articles);
    let empty = articles.is_empty() && config.mail.on_empty == OnEmpty::Skip;

    if let Some(to) = &opts.to {
        // The config check refuses a config without groups.
        let group = &config.groups[0];
        let rendered = render_group(config, &templates, &by_k, group, date)?;
        let transport = Transport::new(config.smtp.as_ref(), &config.mail.outbox)?;
        let name = format!("{}-test", group.name);
        let now = clock::now();
        let delivery = Delivery {
            date: &report.date,
            group: &name,
            to,
            // Each test copy is a new message, not a duplicate of the last one.
            copy: now.timestamp().unsigned_abs(),
        };
        let message_id = delivery.message_id(&config.mail.from);
        let message = compose(&config.mail.from, to, message_id, &rendered, now.into())?;
        let reply = transport.send(&message, &delivery.file_stem()).await;
        transport.close().await;
        let reply = reply?;
        tracing::info!("test copy of {} to {to}: {reply}", group.name);
        report.groups.push(GroupReport {
            group: name,
            subject: rendered.subject,
            items: rendered.items,
            recipients: 1,
            delivered: 1,
            ..GroupReport::default()
        });
        return Ok(report);
    }

    let _lock = if opts.dry_run {
        None
    } else {
        Some(SendLock::acquire(&config.state_dir)?)
    };
    let transport = if opts.dry_run || empty {
        None
    } else {
        Some(Transport::new(config.smtp.as_ref(), &config.mail.outbox)?)
    };
    for group in &config.groups {
        let rendered = render_group(config, &templates, &by_k, group, date)?;
        let mut g = GroupReport {
            group: group.name.clone(),
            subject: rendered.subject.clone(),
            items: rendered.items,
            recipients: group.recipients.len(),
            skipped_empty: empty,
            ..GroupReport::default()
        };
        match (&transport, &report.fatal) {
            (Some(transport), None) => {
                let courier = Courier {
                    config,
                    date: &report.date,
                    opts,
                    transport,
                };
                if let Some(stop) = courier.deliver_group(group, &rendered, &mut g).await? {
                    report.server_down =
                        matches!(stop, Stop::Delivery(DeliverError::Unavailable(_)));
                    report.fatal = Some(stop.to_string());
                }
            }
            _ if empty => {}
            // A dry run, or a run stopped before this group: report from the ledger.
            (stopped, _) => {
                let log = ledger::read(&config.state_dir, &report.date, &group.name)?;
                g.already = group
                    .recipients
                    .iter()
                    .filter(|r| log.is_delivered(r.email.as_ref()))
                    .count();
                if stopped.is_some() {
                    g.not_tried = group.recipients.len() - g.already;
                }
            }
        }
        report.groups.push(g);
    }
    if let Some(transport) = &transport {
        transport.close().await;
    }
    // Only a run that went through to the end marks what it carried: after a stop, the
    // rerun that finishes the briefing marks it, and until then nothing is left out.
    if report.fatal.is_none() && report.groups.iter().any(|g| g.delivered > 0) {
        // A time stamp from the future (a typo in the dump) must not hide every article
        // until that day comes.
        if let Some(newest) = articles.iter().filter_map(|a| a.published_at).max() {
            let now = clock::now().with_timezone(newest.offset());
            ledger::mark_newest(&config.state_dir, &report.date, newest.min(now))?;
        }
    }
    Ok(report)
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

/// What every message of one run shares.
struct Courier<'a> {
    config: &'a Config,
    date: &'a str,
    opts: &'a Options<'a>,
    transport: &'a Transport,
}

/// One recipient's message, ready to go.
struct Letter {
    address: String,
    message_id: String,
    message: lettre::Message,
    file_stem: String,
    /// Tries recorded by earlier runs of this briefing.
    attempts_before: u32,
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
    /// `smtp.connections` messages in flight. Group commits keep the ledger off the
    /// critical path without weakening it: one append marks every letter about to leave
    /// `sending`, before any of them is handed to the server, and one append records
    /// every outcome that has come in meanwhile. A crash in between leaves those letters
    /// in doubt, to be resent with the same Message-IDs. A slow recipient holds only its
    /// own slot. Ledger failures are errors.
    async fn deliver_group(
        &self,
        group: &Group,
        rendered: &Rendered,
        report: &mut GroupReport,
    ) -> Result<Option<Stop>> {
        let mut log = BriefingLog::open(&self.config.state_dir, self.date, &group.name)?;
        let pending: Vec<&Mailbox> = group
            .recipients
            .iter()
            .filter(|to| self.opts.force || !log.recipients().is_delivered(to.email.as_ref()))
            .collect();
        report.already = group.recipients.len() - pending.len();
        let window = self
            .config
            .smtp
            .as_ref()
            .map_or(OUTBOX_WINDOW, |s| s.connections);
        let mut queue = pending.into_iter();
        let mut in_flight = FuturesUnordered::new();
        let mut stop = None;
        loop {
            if stop.is_none() && self.stopping() {
                stop = Some(Stop::Shutdown);
            }
            if stop.is_none() {
                let letters = queue
                    .by_ref()
                    .take(window - in_flight.len())
                    .map(|to| self.letter(&log, group, to, rendered))
                    .collect::<Result<Vec<_>>>()?;
                if !letters.is_empty() {
                    let sending: Vec<Record> = letters
                        .iter()
                        .map(|l| record(l, Event::Sending, l.attempts_before + 1, String::new()))
                        .collect();
                    log.append(&sending)?;
                    in_flight.extend(letters.into_iter().map(|l| self.attempt(l)));
                }
            }
            let Some(first) = in_flight.next().await else {
                break;
            };
            let mut done = vec![first];
            while let Some(Some(more)) = in_flight.next().now_or_never() {
                done.push(more);
            }
            let mut records = Vec::new();
            for (letter, outcome) in done {
                for (attempt, error) in outcome.retried {
                    records.push(record(&letter, Event::Failed, attempt, error));
                }
                let address = &letter.address;
                match outcome.result {
                    Ok(reply) => {
                        tracing::info!("{}: delivered to {address}: {reply}", group.name);
                        records.push(record(&letter, Event::Delivered, outcome.attempt, reply));
                        report.delivered += 1;
                    }
                    Err(e) => {
                        tracing::error!("{}: {address}: {e}", group.name);
                        records.push(record(
                            &letter,
                            Event::Failed,
                            outcome.attempt,
                            e.to_string(),
                        ));
                        report.failed.push((address.clone(), e.to_string()));
                        if e.stops_run() && !matches!(stop, Some(Stop::Delivery(_))) {
                            stop = Some(Stop::Delivery(e));
                        }
                    }
                }
            }
            log.append(&records)?;
        }
        report.not_tried = queue.len();
        Ok(stop)
    }

    fn letter(
        &self,
        log: &BriefingLog,
        group: &Group,
        to: &Mailbox,
        rendered: &Rendered,
    ) -> Result<Letter> {
        let address = to.email.to_string();
        let status = log.recipients().status(&address);
        let attempts_before = status.map_or(0, |s| s.attempts);
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
            message: compose(
                &self.config.mail.from,
                to,
                message_id.clone(),
                rendered,
                clock::now().into(),
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

/// Sleeps for `pause`, in short steps so a shutdown is noticed; false if it was.
pub async fn pause_unless_stopped(pause: Duration, stop: Option<&AtomicBool>) -> bool {
    const STEP: Duration = Duration::from_millis(100);
    let stopping = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let deadline = tokio::time::Instant::now() + pause;
    while tokio::time::Instant::now() < deadline {
        if stopping() {
            return false;
        }
        tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + STEP)).await;
    }
    !stopping()
}

fn record(letter: &Letter, event: Event, attempt: u32, detail: String) -> Record {
    Record {
        recipient: letter.address.to_lowercase(),
        event,
        at: clock::now(),
        attempt,
        detail,
        message_id: letter.message_id.clone(),
    }
}

/// Exponential backoff with jitter, so that many clients retrying a busy server do not
/// come back in step. The jitter is derived from the address: no RNG needed.
fn backoff(base_ms: u64, retry: u32, address: &str) -> Duration {
    let exp = base_ms.saturating_mul(1 << retry.saturating_sub(1).min(10));
    let seed = address.bytes().fold(u64::from(retry), |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    Duration::from_millis(exp.saturating_add(seed % (exp / 2 + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_never_overflows() {
        let cases = [
            // (base, retry, at least, at most)
            (2000, 1, 2000, 3000),
            (2000, 2, 4000, 6000),
            (0, 3, 0, 0),
            (600_000, 20, 600_000 << 10, (600_000 << 10) * 3 / 2),
            (u64::MAX / 2, 2, u64::MAX, u64::MAX),
            (u64::MAX, u32::MAX, u64::MAX, u64::MAX),
        ];
        for (base, retry, lo, hi) in cases {
            let pause = backoff(base, retry, "김하늘@example.com");
            let ms = u64::try_from(pause.as_millis()).unwrap();
            assert!((lo..=hi).contains(&ms), "{base} {retry}: {ms}");
        }
    }
}
