//! The morning job, end to end: fetch, parse, summarize, render per group, deliver per
//! recipient, record. `briefing send` runs it once; the daemon runs it on the schedule.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use lettre::message::Mailbox;

use crate::clock;
use crate::config::{Config, Group, OnEmpty};
use crate::deliver::{compose, Delivery, Transport};
use crate::digest::{self, Rendered, Templates};
use crate::dump::{self, Article};
use crate::fetch::{self, Fetched};
use crate::ledger::{BriefingLog, Event, Record, SendLock};
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
        let k = group
            .lines_per_article
            .unwrap_or(config.summary.lines_per_article);
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
    let k = group
        .lines_per_article
        .unwrap_or(config.summary.lines_per_article);
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
    pub articles: usize,
    pub dry_run: bool,
    pub groups: Vec<GroupReport>,
    /// The error that stopped the run early (AUTH, TLS, outbox not writable).
    pub fatal: Option<String>,
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
        writeln!(
            f,
            "briefing {} from {} ({} articles){}",
            self.date,
            self.origin,
            self.articles,
            if self.dry_run { ", dry run" } else { "" }
        )?;
        for g in &self.groups {
            write!(
                f,
                "  {}: {:?}, {} items, {} recipients: ",
                g.group, g.subject, g.items, g.recipients
            )?;
            if g.skipped_empty {
                writeln!(f, "no article, nothing sent (mail.on_empty = \"skip\")")?;
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
    let templates = Templates::load(config.mail.templates.as_deref())?;
    let loaded = load(config, opts.dump).await?;
    let date = clock::today(config.schedule.timezone);
    let by_k = summaries_by_k(config, &loaded.articles);
    let mut report = Report {
        date: date.to_string(),
        origin: loaded.fetched.origin.clone(),
        articles: loaded.articles.len(),
        dry_run: opts.dry_run,
        ..Report::default()
    };
    let empty = loaded.articles.is_empty() && config.mail.on_empty == OnEmpty::Skip;

    if let Some(to) = &opts.to {
        let group = &config.groups[0];
        let rendered = render_group(config, &templates, &by_k, group, date)?;
        let transport = Transport::new(config.smtp.as_ref(), &config.mail.outbox)?;
        let name = format!("{}-test", group.name);
        let delivery = Delivery {
            date: &report.date,
            group: &name,
            to,
        };
        let message = compose(&config.mail.from, delivery, &rendered, clock::now().into())?;
        let reply = transport.send(&message, &delivery.file_stem()).await?;
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
                let mut log = BriefingLog::open(&config.state_dir, &report.date, &group.name)?;
                report.fatal = deliver_group(
                    config,
                    &report.date,
                    opts,
                    transport,
                    &mut log,
                    group,
                    &rendered,
                    &mut g,
                )
                .await?;
            }
            (Some(_), Some(_)) => g.not_tried = group.recipients.len(),
            (None, _) if !empty => {
                let log = BriefingLog::open(&config.state_dir, &report.date, &group.name)?;
                g.already = group
                    .recipients
                    .iter()
                    .filter(|r| log.is_delivered(r.email.as_ref()))
                    .count();
            }
            (None, _) => {}
        }
        report.groups.push(g);
    }
    Ok(report)
}

/// Delivers one group's briefing to everyone who does not have it yet. Returns the
/// fatal error that should stop the whole run, if any; ledger failures are errors.
#[allow(clippy::too_many_arguments)]
async fn deliver_group(
    config: &Config,
    date: &str,
    opts: &Options<'_>,
    transport: &Transport,
    log: &mut BriefingLog,
    group: &Group,
    rendered: &Rendered,
    report: &mut GroupReport,
) -> Result<Option<String>> {
    for (n, to) in group.recipients.iter().enumerate() {
        let address = to.email.to_string();
        if log.is_delivered(&address) && !opts.force {
            report.already += 1;
            continue;
        }
        if opts.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
            report.not_tried = group.recipients.len() - n;
            return Ok(Some("shut down before every message was sent".into()));
        }
        let delivery = Delivery {
            date,
            group: &group.name,
            to,
        };
        let message_id = delivery.message_id(&config.mail.from);
        let attempts_before = log.status(&address).map_or(0, |s| s.attempts);
        let record = |event, attempt, detail: String| Record {
            recipient: address.to_lowercase(),
            event,
            at: Utc::now(),
            attempt,
            detail,
            message_id: message_id.clone(),
        };
        let message = compose(&config.mail.from, delivery, rendered, clock::now().into())?;
        let (retries, delay) = config
            .smtp
            .as_ref()
            .map_or((0, 0), |s| (s.retries, s.retry_delay_ms));
        let mut attempt = attempts_before;
        let outcome = loop {
            attempt += 1;
            log.append(&[record(Event::Sending, attempt, String::new())])?;
            match transport.send(&message, &delivery.file_stem()).await {
                Err(e) if e.is_transient() && attempt - attempts_before <= retries => {
                    let pause = backoff(delay, attempt - attempts_before, &address);
                    tracing::warn!("{address}: {e}; retry in {pause:?}");
                    log.append(&[record(Event::Failed, attempt, e.to_string())])?;
                    tokio::time::sleep(pause).await;
                }
                other => break other,
            }
        };
        match outcome {
            Ok(reply) => {
                log.append(&[record(Event::Delivered, attempt, reply.clone())])?;
                tracing::info!("{}: delivered to {address}: {reply}", group.name);
                report.delivered += 1;
            }
            Err(e) => {
                log.append(&[record(Event::Failed, attempt, e.to_string())])?;
                tracing::error!("{}: {address}: {e}", group.name);
                report.failed.push((address, e.to_string()));
                if e.stops_run() {
                    report.not_tried = group.recipients.len() - n - 1;
                    return Ok(Some(e.to_string()));
                }
            }
        }
    }
    Ok(None)
}

/// Exponential backoff with jitter, so that many clients retrying a busy server do not
/// come back in step. The jitter is derived from the address: no RNG needed.
fn backoff(base_ms: u64, retry: u32, address: &str) -> Duration {
    let exp = base_ms.saturating_mul(1 << retry.saturating_sub(1).min(10));
    let seed = address.bytes().fold(u64::from(retry), |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    Duration::from_millis(exp + seed % (exp / 2 + 1))
}
