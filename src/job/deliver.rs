//! Delivering the day: each group's briefing to each recipient who does not have it
//! yet, within a window of messages in flight, every message marked `sending` in the
//! ledger before it leaves and its outcome recorded after; transient failures retried
//! ([`crate::retry`]), then deferred to the daemon's later tries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use lettre::message::Mailbox;

use super::{Day, Error, GroupReport, Options, Report};
use crate::archive;
use crate::clock;
use crate::config::{address_key, Config, Group, OnEmpty};
use crate::day;
use crate::deliver::{compose, DeliverError, Delivery, Letterhead, Parts, Transport};
use crate::digest::Rendered;
use crate::ledger::{self, BriefingLog, Event, LedgerError, Recipients, Record, SendLock, Writer};
use crate::retry::{backoff, daemon_pause, pause_unless_stopped};
use crate::suppress::Suppressed;

/// Delivers the day's briefing of every group (or only `--group`'s) to everyone who
/// does not have it yet, and reports it; a dry run reports from the ledger only.
pub(super) async fn deliver_day(
    config: &Config,
    day: &Day,
    opts: &Options<'_>,
    suppressed: &Suppressed,
    report: &mut Report,
) -> Result<(), Error> {
    // Per group: a group whose filters match none of the day's articles is as empty
    // as a day without articles. With every group skipped, no transport is opened.
    let skips: Vec<bool> = config
        .groups
        .iter()
        .zip(&day.rendered)
        .map(|(g, r)| r.items == 0 && g.on_empty == OnEmpty::Skip)
        .collect();
    let empty = skips.iter().all(|&skip| skip);
    let (_lock, transport) = open(config, day, opts.dry_run, empty)?;
    let mut carried = None;
    let mut refused = None;
    for ((group, rendered), &skip) in config.groups.iter().zip(&day.rendered).zip(&skips) {
        if opts.group.is_some_and(|only| only != group.name) {
            continue;
        }
        let mut g = GroupReport::of(group, rendered, skip);
        match (&transport, &report.fatal) {
            _ if skip => {}
            (Some(transport), None) => {
                keep_page(config, &report.date, group, rendered);
                let courier = Courier {
                    config,
                    date: &report.date,
                    opts,
                    transport,
                    suppressed,
                };
                if let Some(stop) = courier.deliver_group(group, rendered, &mut g).await? {
                    refused = refused.or(stopped_by(report, stop));
                }
            }
            // A dry run, or a run stopped before this group: report from the ledger.
            (stopped, _) => {
                let stopped = stopped.is_some();
                count_from_ledger(
                    config,
                    &report.date,
                    group,
                    opts,
                    suppressed,
                    stopped,
                    &mut g,
                )?;
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
    mark_carried(config, report, carried)
}

/// The send lock and the transport of a run that sends: neither for a dry run, and no
/// transport when every group is skipped. Once a transport is open, the day's sources
/// are kept ([`day::keep`]): every later run of the date is built from them.
fn open(
    config: &Config,
    day: &Day,
    dry_run: bool,
    empty: bool,
) -> Result<(Option<SendLock>, Option<Transport>), Error> {
    let lock = match dry_run {
        true => None,
        false => Some(SendLock::acquire(&config.state_dir)?),
    };
    let transport = match dry_run || empty {
        true => None,
        false => Some(Transport::new(config.smtp.as_ref(), &config.mail.outbox)?),
    };
    if transport.is_some() && !day.kept {
        let (date, sources) = (day.date.to_string(), &day.sources);
        day::keep(&config.state_dir, &date, &sources.texts, &sources.failed)?;
    }
    Ok((lock, transport))
}

/// The page "웹에서 보기" links to; a page that cannot be written costs the archive, not
/// the briefing.
fn keep_page(config: &Config, date: &str, group: &Group, rendered: &Rendered) {
    if let Err(e) = archive::keep(&config.state_dir, date, &group.name, &rendered.html) {
        tracing::warn!(
            "{}: the archive page of {} not written: {e}",
            config.state_dir.display(),
            group.name
        );
    }
}

/// Reports the stop that ended a group's delivery as the run's; a refused login is
/// handed back, to be the run's error once the transport is closed.
fn stopped_by(report: &mut Report, stop: Stop) -> Option<DeliverError> {
    report.server_down = matches!(stop, Stop::Delivery(DeliverError::Unavailable(_)));
    report.fatal = Some(stop.to_string());
    match stop {
        Stop::Delivery(e @ DeliverError::Auth(_)) => Some(e),
        _ => None,
    }
}

/// A group nothing is sent to (a dry run, or a run stopped before it), counted from
/// the ledger as [`Courier::deliver_group`] counts: `--force` resends to all but the
/// suppressed.
fn count_from_ledger(
    config: &Config,
    date: &str,
    group: &Group,
    opts: &Options<'_>,
    suppressed: &Suppressed,
    stopped: bool,
    g: &mut GroupReport,
) -> Result<(), Error> {
    let log = ledger::read(&config.state_dir, date, &group.name)?;
    for r in &group.recipients {
        let address = r.email.as_ref();
        if suppressed.contains(&group.name, address) {
            g.suppressed += 1;
        } else if !opts.force && log.is_delivered(address) {
            g.already += 1;
        }
    }
    if stopped {
        g.not_tried = group.recipients.len() - g.already - g.suppressed;
    }
    Ok(())
}

/// Only a run that went through to the end marks what it carried (the newest article
/// any group delivered): after a stop, the rerun that finishes the briefing marks it,
/// and until then nothing is left out. What no group carried (filtered out, past
/// `max_articles`) is not marked.
fn mark_carried(
    config: &Config,
    report: &Report,
    carried: Option<DateTime<FixedOffset>>,
) -> Result<(), Error> {
    if let (None, Some(newest)) = (&report.fatal, carried) {
        // A time stamp from the future (a typo in the dump) must not hide every article
        // until that day comes.
        let now = clock::now().with_timezone(newest.offset());
        ledger::mark_newest(&config.state_dir, &report.date, newest.min(now))?;
    }
    Ok(())
}

/// `send --to`: one copy of the first group's briefing, recorded nowhere; with
/// `--dry-run`, built and reported only.
pub(super) async fn send_test_copy(
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
        let pending = self.pending(group, &recorded, report);
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
                    in_flight.push(self.dispatch(&writer, letter, &exchanges, &halted));
                }
            }
            let Some(first) = in_flight.next().await else {
                break;
            };
            let mut done = vec![first?];
            while let Some(Some(more)) = in_flight.next().now_or_never() {
                done.push(more?);
            }
            writer.append_later(self.settle(group, done, report, &mut stop));
        }
        writer.finish().await?;
        report.not_tried += queue.len();
        Ok(stop)
    }

    /// The recipients of `group` still to send to, counting the others in `report`.
    /// Not even `--force` sends to someone who unsubscribed; one who had the briefing
    /// first counts as suppressed too, as `status` does.
    fn pending<'g>(
        &self,
        group: &'g Group,
        recorded: &Recipients,
        report: &mut GroupReport,
    ) -> Vec<&'g Mailbox> {
        let mut suppressed = 0;
        let pending: Vec<&Mailbox> = group
            .recipients
            .iter()
            .filter(|to| {
                let address = to.email.as_ref();
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
        pending
    }

    /// Marks `letter` as `sending`, then tries it once the mark is on disk and one of
    /// the `exchanges` is free, unless the run `halted` meanwhile: the exchanges
    /// already in flight go on while the mark is written.
    fn dispatch<'s>(
        &'s self,
        writer: &Writer,
        letter: Letter,
        exchanges: &'s tokio::sync::Semaphore,
        halted: &'s AtomicBool,
    ) -> impl std::future::Future<Output = Result<(Letter, Option<Outcome>), LedgerError>> + 's
    {
        let attempt = letter.attempts_before + 1;
        let mark = record(&letter, Event::Sending, attempt, String::new());
        let durable = writer.append(vec![mark]);
        async move {
            durable.await?;
            let _slot = exchanges.acquire().await;
            Ok(match halted.load(Ordering::SeqCst) {
                true => (letter, None),
                false => {
                    let (letter, outcome) = self.attempt(letter).await;
                    (letter, Some(outcome))
                }
            })
        }
    }

    /// The records of the letters `done`, reported; the first delivery error that
    /// stops the run becomes `stop`.
    fn settle(
        &self,
        group: &Group,
        done: Vec<(Letter, Option<Outcome>)>,
        report: &mut GroupReport,
        stop: &mut Option<Stop>,
    ) -> Vec<Record> {
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
                    *stop = Some(Stop::Delivery(e));
                }
            }
        }
        records
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
