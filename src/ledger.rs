//! What was delivered to whom: one append-only log per briefing (date and group).
//!
//! Each line is a JSON [`Record`]. A recipient is marked `sending` before the message
//! leaves and `delivered` or `failed` after, so a run that crashed in between knows the
//! recipient is in doubt and resends with the same Message-ID (which lets the receiving
//! server drop a duplicate) rather than skipping them. Records are appended in batches
//! with one `fsync` per batch: the log is never rewritten, so a crash can only tear its
//! last line, which is ignored on reading (as bytes: a line torn inside a Korean
//! character is as harmless as one torn inside a word).
//!
//! Paths are built from a date and a group name only after both are checked
//! (`log_path`, `day_dir`): a name from the config must not reach outside the state
//! dir, and a folder name read back must not be taken for a date.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{address_key, check_group_name};
use crate::durable::{open_log, write_atomically};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Sending,
    Delivered,
    Failed,
    /// A temporary failure (4xx, server unreachable): to be tried again at `next_try`,
    /// until the daemon gives up at the end of `schedule.catch_up` and records `failed`.
    Deferred,
    /// Marked `sending` ahead of its turn, then held back because the run stopped: it
    /// never left, and is as if never sent.
    Unsent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The address by [`address_key`]: the key.
    pub recipient: String,
    pub event: Event,
    pub at: DateTime<Utc>,
    /// 1 for the first try of this recipient in this briefing.
    pub attempt: u32,
    /// The server's reply, or the error.
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub message_id: String,
    /// For `deferred`: the earliest time the next try is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_try: Option<DateTime<Utc>>,
}

/// The last known state of one recipient.
#[derive(Debug, Clone)]
pub struct Status {
    pub last: Record,
    pub delivered: bool,
    pub attempts: u32,
    /// `deferred` records so far: the retry schedule's step.
    pub deferrals: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("ledger {}: {source}", path.display())]
pub struct LedgerError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl LedgerError {
    /// Another send holds the lock: this one can go through once it is done.
    pub fn is_busy(&self) -> bool {
        self.source.kind() == std::io::ErrorKind::WouldBlock
    }

    /// A date or group name that cannot be part of a path under `path`.
    fn invalid(path: PathBuf, message: String) -> LedgerError {
        LedgerError {
            path,
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
        }
    }
}

/// Why a run may not go on with today's date.
#[derive(Debug, thiserror::Error)]
pub enum DateError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(
        "today is {today} by the clock, but the ledger already has the briefing of {newest} ({}): \
         the clock is wrong now or was then, and a run would send old news under a new date or \
         a second briefing. Fix the system clock, or pin the date with BRIEFING_NOW \
         (e.g. BRIEFING_NOW={today}T07:00:00+09:00 to rebuild that day); if the {newest} \
         briefing was made under a wrong clock, move that folder out of the ledger",
        dir.display()
    )]
    BeforeNewest {
        today: String,
        newest: String,
        dir: PathBuf,
    },
}

/// The last known state of every recipient of one briefing, by [`address_key`].
#[derive(Debug, Clone, Default)]
pub struct Recipients(BTreeMap<String, Status>);

impl Recipients {
    pub fn status(&self, recipient: &str) -> Option<&Status> {
        self.0.get(&address_key(recipient))
    }

    pub fn is_delivered(&self, recipient: &str) -> bool {
        self.status(recipient).is_some_and(|s| s.delivered)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Status)> {
        self.0.iter()
    }
}

/// The log of one briefing.
pub struct BriefingLog {
    path: PathBuf,
    file: File,
    recipients: Recipients,
}

impl BriefingLog {
    /// Opens (creating) `state_dir/ledger/DATE/GROUP.jsonl` and replays it.
    pub fn open(state_dir: &Path, date: &str, group: &str) -> Result<BriefingLog, LedgerError> {
        let path = log_path(state_dir, date, group)?;
        let err = |source| LedgerError {
            path: path.clone(),
            source,
        };
        let mut file = open_log(&path).map_err(err)?;
        let recipients = replay(&file, &path)?;
        // A crash can tear the last line; end it, so the next record starts a line of
        // its own instead of being glued to the fragment and lost with it.
        let len = file.metadata().map_err(err)?.len();
        if len > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::Start(len - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(err)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")
                    .and_then(|()| file.sync_data())
                    .map_err(err)?;
            }
        }
        Ok(BriefingLog {
            path,
            file,
            recipients,
        })
    }

    pub fn recipients(&self) -> &Recipients {
        &self.recipients
    }

    /// Appends `records` and makes them durable with one fsync.
    pub fn append(&mut self, records: &[Record]) -> Result<(), LedgerError> {
        self.write(records)?;
        for r in records {
            apply(&mut self.recipients.0, r.clone());
        }
        Ok(())
    }

    /// Appends `records` to the file alone, leaving the replayed state as it was.
    fn write(&mut self, records: &[Record]) -> Result<(), LedgerError> {
        let mut buf = Vec::new();
        for r in records {
            // A struct of strings and numbers always serialises; the error is mapped
            // rather than unwrapped so that a future field cannot turn into a panic.
            serde_json::to_writer(&mut buf, r).map_err(|e| LedgerError {
                path: self.path.clone(),
                source: e.into(),
            })?;
            buf.push(b'\n');
        }
        let err = |source| LedgerError {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&buf).map_err(err)?;
        self.file.sync_data().map_err(err)
    }
}

/// A briefing's log on a thread of its own, so that an `fsync` never stalls the SMTP
/// exchanges in flight: the delivery loop hands it records and goes on. Records queued
/// while a write is running are written and synced together (a group commit).
pub struct Writer {
    queue: std::sync::mpsc::Sender<Batch>,
}

/// Records, and who waits for them to be on disk.
struct Batch {
    records: Vec<Record>,
    durable: Option<tokio::sync::oneshot::Sender<Result<(), Failure>>>,
}

/// A write that failed, told to each waiter (an `io::Error` cannot be cloned). The OS
/// error number is kept with the kind: it is what tells a full disk or too many open
/// files (worth a retry) from a wrong permission.
#[derive(Clone)]
struct Failure {
    path: PathBuf,
    kind: std::io::ErrorKind,
    os_error: Option<i32>,
    message: String,
}

impl Failure {
    fn into_error(self) -> LedgerError {
        let source = match self.os_error {
            Some(n) => std::io::Error::from_raw_os_error(n),
            None => std::io::Error::new(self.kind, self.message),
        };
        LedgerError {
            path: self.path,
            source,
        }
    }
}

impl Writer {
    /// Takes over `log`, and hands back what it had recorded before. Only the file is
    /// kept up to date from then on: a replayed copy of every record would grow with
    /// the recipient list for nobody to read.
    ///
    /// A thread the system cannot give now (out of memory or of threads for a moment)
    /// is an error of the log's, which a later run may not meet, not a panic.
    pub fn start(mut log: BriefingLog) -> Result<(Writer, Recipients), LedgerError> {
        let recorded = std::mem::take(&mut log.recipients);
        let (queue, batches) = std::sync::mpsc::channel::<Batch>();
        let path = log.path.clone();
        let spawned = std::thread::Builder::new().spawn(move || {
            // After a failed write nothing more is written: the records after it would
            // describe sends whose `sending` mark may be missing.
            let mut failed: Option<Failure> = None;
            while let Ok(first) = batches.recv() {
                let mut group = vec![first];
                group.extend(batches.try_iter());
                let records: Vec<Record> =
                    group.iter_mut().flat_map(|b| b.records.drain(..)).collect();
                if failed.is_none() && !records.is_empty() {
                    if let Err(e) = log.write(&records) {
                        failed = Some(Failure {
                            kind: e.source.kind(),
                            os_error: e.source.raw_os_error(),
                            message: e.source.to_string(),
                            path: e.path,
                        });
                    }
                }
                for batch in group {
                    if let Some(durable) = batch.durable {
                        let _ = durable.send(failed.clone().map_or(Ok(()), Err));
                    }
                }
            }
        });
        match spawned {
            Ok(_) => Ok((Writer { queue }, recorded)),
            Err(source) => Err(LedgerError { path, source }),
        }
    }

    /// Appends `records`; completes once they are durable (or could not be written).
    pub fn append(
        &self,
        records: Vec<Record>,
    ) -> impl std::future::Future<Output = Result<(), LedgerError>> {
        let (durable, done) = tokio::sync::oneshot::channel();
        let sent = self.queue.send(Batch {
            records,
            durable: Some(durable),
        });
        let stopped = || Failure {
            path: PathBuf::from("ledger"),
            kind: std::io::ErrorKind::BrokenPipe,
            os_error: None,
            message: "the ledger writer stopped".into(),
        };
        async move {
            let answer = match sent {
                Ok(()) => done.await.unwrap_or_else(|_| Err(stopped())),
                Err(_) => Err(stopped()),
            };
            answer.map_err(Failure::into_error)
        }
    }

    /// Appends `records` without waiting: a failure shows in the next [`Writer::append`]
    /// or in [`Writer::finish`].
    pub fn append_later(&self, records: Vec<Record>) {
        let _ = self.queue.send(Batch {
            records,
            durable: None,
        });
    }

    /// Waits until everything handed over is durable.
    pub async fn finish(self) -> Result<(), LedgerError> {
        self.append(Vec::new()).await
    }
}

/// The recipients of one briefing as recorded, without creating anything: a dry run
/// or `briefing status` must not leave state behind. No log yet means nobody.
pub fn read(state_dir: &Path, date: &str, group: &str) -> Result<Recipients, LedgerError> {
    let path = log_path(state_dir, date, group)?;
    match File::open(&path) {
        Ok(file) => replay(&file, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recipients::default()),
        Err(source) => Err(LedgerError { path, source }),
    }
}

/// The dates with a briefing on record, newest first. Only names: a caller that wants
/// one day's groups lists that day alone ([`groups`]), not every day since the start.
/// A folder whose name is no date (a copy an operator made) is not a briefing.
pub fn dates(state_dir: &Path) -> Result<Vec<String>, LedgerError> {
    let mut dates = names(&state_dir.join("ledger"), |path| {
        path.is_dir().then(|| path.file_name()).flatten()
    })?;
    dates.retain(|d| is_date(d));
    dates.reverse();
    Ok(dates)
}

/// The groups with a log for the briefing of `date`, in name order. A file whose name
/// is no group name (left by an older version, which took any name) is reported and
/// passed over: reading it would need a path built from that name.
pub fn groups(state_dir: &Path, date: &str) -> Result<Vec<String>, LedgerError> {
    let dir = day_dir(state_dir, date)?;
    let mut groups = names(&dir, |path| {
        (path.extension().is_some_and(|x| x == "jsonl"))
            .then(|| path.file_stem())
            .flatten()
    })?;
    groups.retain(|g| match check_group_name(g) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("{}: {g}.jsonl passed over: {e}", dir.display());
            false
        }
    });
    Ok(groups)
}

/// Refuses a run dated `today` when the ledger has a newer briefing: the clock jumped
/// back (or was a day fast before), and going on would send yesterday's articles under
/// a new date or a second briefing of a day already done. Called before anything is
/// fetched, so nothing is sent.
pub fn check_clock(state_dir: &Path, today: NaiveDate) -> Result<(), DateError> {
    let today = today.format("%Y-%m-%d").to_string();
    match dates(state_dir)?.into_iter().next() {
        Some(newest) if newest > today => Err(DateError::BeforeNewest {
            dir: day_dir(state_dir, &newest)?,
            today,
            newest,
        }),
        _ => Ok(()),
    }
}

/// The sorted names `pick` takes from the entries of `dir`; none if `dir` is missing.
fn names(
    dir: &Path,
    pick: impl Fn(&Path) -> Option<&std::ffi::OsStr>,
) -> Result<Vec<String>, LedgerError> {
    let err = |source| LedgerError {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(err(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(err)?.path();
        if let Some(name) = pick(&path).and_then(|n| n.to_str()) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Where one recipient of a briefing stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    Delivered {
        record: Record,
    },
    /// The last try failed; `record.detail` is the error.
    Failed {
        record: Record,
    },
    /// A temporary failure; `record.next_try` says when it is due again.
    Deferred {
        record: Record,
    },
    /// Marked `sending` with no outcome: the run stopped in between. The next run resends
    /// it with the same Message-ID.
    InDoubt {
        record: Record,
    },
    /// A configured recipient with nothing on record.
    NotSent,
}

impl Standing {
    fn of(status: Option<&Status>) -> Standing {
        match status {
            None => Standing::NotSent,
            Some(s) if s.delivered => Standing::Delivered {
                record: s.last.clone(),
            },
            Some(s) => match s.last.event {
                Event::Failed => Standing::Failed {
                    record: s.last.clone(),
                },
                Event::Deferred => Standing::Deferred {
                    record: s.last.clone(),
                },
                Event::Unsent => Standing::NotSent,
                Event::Sending | Event::Delivered => Standing::InDoubt {
                    record: s.last.clone(),
                },
            },
        }
    }
}

/// Every recipient of one group's briefing: those `expected` (the group's recipients in
/// the config) and those on record, in address order.
pub fn standings(
    state_dir: &Path,
    date: &str,
    group: &str,
    expected: &[String],
) -> Result<Vec<(String, Standing)>, LedgerError> {
    let recorded = read(state_dir, date, group)?;
    let mut addresses: Vec<String> = expected
        .iter()
        .map(|a| address_key(a))
        .chain(recorded.iter().map(|(a, _)| a.clone()))
        .collect();
    addresses.sort();
    addresses.dedup();
    Ok(addresses
        .into_iter()
        .map(|a| {
            let standing = Standing::of(recorded.status(&a));
            (a, standing)
        })
        .collect())
}

/// Remembers the newest article a briefing carried, so the next day's briefing can leave
/// out what its readers have already seen. Written whole (temporary file, fsync, rename):
/// a crash leaves the old mark or the new one, never half of one. Groups on different
/// schedules mark the same date one after the other: the later article stays marked.
pub fn mark_newest(
    state_dir: &Path,
    date: &str,
    newest: DateTime<FixedOffset>,
) -> Result<(), LedgerError> {
    let path = day_dir(state_dir, date)?.join(NEWEST);
    let marked = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| DateTime::parse_from_rfc3339(text.trim()).ok());
    if marked.is_some_and(|m| m >= newest) {
        return Ok(());
    }
    write_atomically(&path, newest.to_rfc3339().as_bytes())
        .map_err(|source| LedgerError { path, source })
}

/// The newest article of the latest briefing before `date`, if one was marked.
pub fn newest_before(
    state_dir: &Path,
    date: &str,
) -> Result<Option<(String, DateTime<FixedOffset>)>, LedgerError> {
    for earlier in dates(state_dir)? {
        if earlier.as_str() >= date {
            continue;
        }
        let path = day_dir(state_dir, &earlier)?.join(NEWEST);
        match std::fs::read_to_string(&path) {
            Ok(text) => match DateTime::parse_from_rfc3339(text.trim()) {
                Ok(t) => return Ok(Some((earlier, t))),
                Err(e) => tracing::warn!("{}: unreadable, ignored: {e}", path.display()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(LedgerError { path, source }),
        }
    }
    Ok(None)
}

/// Beside the group logs of a briefing; not a `.jsonl`, so not taken for a group.
const NEWEST: &str = "newest-article";

/// `state_dir/ledger/DATE/GROUP.jsonl`, for a group name the config accepts only.
fn log_path(state_dir: &Path, date: &str, group: &str) -> Result<PathBuf, LedgerError> {
    let dir = day_dir(state_dir, date)?;
    check_group_name(group)
        .map_err(|m| LedgerError::invalid(dir.clone(), format!("group {group:?}: {m}")))?;
    Ok(dir.join(format!("{group}.jsonl")))
}

/// `state_dir/ledger/DATE`, for a date written `YYYY-MM-DD` only.
fn day_dir(state_dir: &Path, date: &str) -> Result<PathBuf, LedgerError> {
    let ledger = state_dir.join("ledger");
    if !is_date(date) {
        return Err(LedgerError::invalid(
            ledger,
            format!("{date:?} is not a date (YYYY-MM-DD)"),
        ));
    }
    Ok(ledger.join(date))
}

/// `YYYY-MM-DD` exactly: the form the job names briefings with, and no other spelling
/// of the same day (a second folder for it would be a second briefing). Four-digit
/// years only, so that names sort as the dates do.
pub fn is_date(text: &str) -> bool {
    text.len() == 10
        && NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .is_ok_and(|d| d.format("%Y-%m-%d").to_string() == text)
}

/// Reads bytes, not text: a line torn inside a multibyte character must be skipped
/// like any torn line, not stop every later read of the log.
fn replay(file: &File, path: &Path) -> Result<Recipients, LedgerError> {
    let mut recipients = BTreeMap::new();
    for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|source| LedgerError {
            path: path.to_owned(),
            source,
        })?;
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) => apply(&mut recipients, record),
            // A torn last line from a crash; anything else is damage worth a word.
            Err(e) => tracing::warn!(
                "{}:{}: unreadable record skipped: {e}",
                path.display(),
                n + 1
            ),
        }
    }
    Ok(Recipients(recipients))
}

fn apply(recipients: &mut BTreeMap<String, Status>, record: Record) {
    let key = address_key(&record.recipient);
    let delivered = record.event == Event::Delivered;
    let deferral = u32::from(record.event == Event::Deferred);
    match recipients.get_mut(&key) {
        Some(s) => {
            s.delivered |= delivered;
            s.deferrals += deferral;
            // A letter held back after its mark gives its try back.
            s.attempts = match record.event {
                Event::Unsent => record.attempt,
                _ => s.attempts.max(record.attempt),
            };
            s.last = record;
        }
        None => {
            recipients.insert(
                key,
                Status {
                    delivered,
                    deferrals: deferral,
                    attempts: record.attempt,
                    last: record,
                },
            );
        }
    }
}

/// The daemon's note of the scheduled runs it is about to try again, for `status`: the
/// ledger says who has the briefing, the note says why the others do not have it yet
/// and when the next try is. `state_dir/deferred.json`, rewritten in place through a
/// handle opened when the daemon starts, because the cause may be that no file can be
/// opened (too many open files) or created (a full disk) and the note is wanted most
/// then. Only a hint: a note that cannot be written is logged, one that cannot be read
/// (being rewritten that instant) is no note.
pub struct Deferrals {
    path: PathBuf,
    /// The open note and the runs it holds; `None` if it could not be opened.
    note: Option<std::sync::Mutex<(File, BTreeMap<String, DeferredRun>)>>,
}

/// One scheduled run waiting for its next try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferredRun {
    /// The briefing's date, in the groups' zone.
    pub date: String,
    pub groups: Vec<String>,
    /// What stopped the last try.
    pub reason: String,
    pub next_try: DateTime<Utc>,
}

const DEFERRED: &str = "deferred.json";

impl Deferrals {
    /// Opens the note of a daemon starting, empty: what an earlier daemon deferred is
    /// this one's catch-up now.
    pub fn open(state_dir: &Path) -> Deferrals {
        let path = state_dir.join(DEFERRED);
        let opened = std::fs::create_dir_all(state_dir).and_then(|()| {
            OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(&path)
        });
        let note = match opened {
            Ok(file) => Some(std::sync::Mutex::new((file, BTreeMap::new()))),
            Err(e) => {
                tracing::warn!(
                    "{}: {e}; `briefing status` will not show why a run is deferred",
                    path.display()
                );
                None
            }
        };
        Deferrals { path, note }
    }

    /// Notes `run`, in place of an earlier note of the same groups.
    pub fn note(&self, run: DeferredRun) {
        self.update(|runs| {
            runs.insert(run.groups.join(", "), run);
        });
    }

    /// The run of `groups` is over (delivered, given up, or failed for good).
    pub fn clear(&self, groups: &[String]) {
        self.update(|runs| {
            runs.remove(&groups.join(", "));
        });
    }

    /// The daemon stops: no run of its will be tried again.
    pub fn clear_all(&self) {
        self.update(BTreeMap::clear);
    }

    fn update(&self, change: impl FnOnce(&mut BTreeMap<String, DeferredRun>)) {
        let Some(note) = &self.note else {
            return;
        };
        // A panic elsewhere while holding it leaves only a list of runs, still usable.
        let mut note = note
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (file, runs) = &mut *note;
        change(runs);
        let runs: Vec<&DeferredRun> = runs.values().collect();
        // Over the old text, then cut to length: no new file, no new block for a note
        // no longer than the last.
        let written = serde_json::to_vec(&runs)
            .map_err(std::io::Error::from)
            .and_then(|bytes| {
                file.seek(SeekFrom::Start(0))?;
                file.write_all(&bytes)?;
                file.set_len(bytes.len() as u64)
            });
        if let Err(e) = written {
            tracing::warn!(
                "{}: cannot note the deferred runs: {e}",
                self.path.display()
            );
        }
    }
}

/// The runs the daemon's note says it will try again; none without a readable note.
pub fn deferred_runs(state_dir: &Path) -> Vec<DeferredRun> {
    std::fs::read(state_dir.join(DEFERRED))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Keeps a manual `send` and the daemon from sending the same briefing at once.
pub struct SendLock {
    _file: File,
}

impl SendLock {
    pub fn acquire(state_dir: &Path) -> Result<SendLock, LedgerError> {
        let path = state_dir.join("send.lock");
        let err = |source| LedgerError {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(state_dir).map_err(err)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(err)?;
        match file.try_lock() {
            Ok(()) => Ok(SendLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(err(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "another briefing send is running (held by `briefing send` or `briefing run`)",
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(who: &str, event: Event, attempt: u32) -> Record {
        Record {
            recipient: who.into(),
            event,
            at: crate::clock::now(),
            attempt,
            detail: String::new(),
            message_id: "<id>".into(),
            next_try: None,
        }
    }

    /// The note holds one entry per run, replaced by its next deferral and gone once the
    /// run is over; a note that does not parse (caught mid-rewrite) is no note.
    #[test]
    fn the_deferral_note_follows_the_runs_and_a_garbled_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let run = |groups: &[&str], reason: &str| DeferredRun {
            date: "2025-09-07".into(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            reason: reason.into(),
            next_try: crate::clock::now(),
        };
        let note = Deferrals::open(&state);
        note.note(run(&["morning", "columns"], "too many open files"));
        note.note(run(&["tokyo"], "the relay is down"));
        note.note(run(&["morning", "columns"], "no space left on device"));
        let runs: Vec<(String, String)> = deferred_runs(&state)
            .into_iter()
            .map(|r| (r.groups.join(", "), r.reason))
            .collect();
        assert_eq!(
            runs,
            [
                ("morning, columns".into(), "no space left on device".into()),
                ("tokyo".into(), "the relay is down".into())
            ]
        );
        note.clear(&["morning".into(), "columns".into()]);
        assert_eq!(deferred_runs(&state).len(), 1);
        note.clear_all();
        assert!(deferred_runs(&state).is_empty());
        // A new daemon starts with an empty note, whatever the last one left.
        note.note(run(&["tokyo"], "the relay is down"));
        drop(note);
        let _fresh = Deferrals::open(&state);
        assert!(deferred_runs(&state).is_empty());
        std::fs::write(state.join(DEFERRED), "[{\"date\":\"2025-").unwrap();
        assert!(deferred_runs(&state).is_empty());
    }

    #[tokio::test]
    async fn the_writer_makes_every_record_durable_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
        let (writer, _) = Writer::start(log).unwrap();
        let marks: Vec<_> = (0..20)
            .map(|n| {
                writer.append(vec![record(
                    &format!("r{n}@example.com"),
                    Event::Sending,
                    1,
                )])
            })
            .collect();
        for mark in marks {
            mark.await.unwrap();
        }
        writer.append_later(vec![record("r0@example.com", Event::Delivered, 1)]);
        writer.append_later(vec![record("r1@example.com", Event::Failed, 1)]);
        writer.finish().await.unwrap();
        let got = read(dir.path(), "2025-09-07", "morning").unwrap();
        assert_eq!(got.iter().count(), 20);
        assert!(got.is_delivered("r0@example.com"));
        assert_eq!(
            got.status("r1@example.com").unwrap().last.event,
            Event::Failed
        );
        assert_eq!(
            got.status("r7@example.com").unwrap().last.event,
            Event::Sending
        );
    }

    #[test]
    fn replays_what_was_appended_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
            log.append(&[
                record("ceo@EXAMPLE.com", Event::Sending, 1),
                record("ceo@example.com", Event::Delivered, 1),
            ])
            .unwrap();
            log.append(&[record("cfo@example.com", Event::Sending, 1)])
                .unwrap();
        }
        let path = dir.path().join("ledger/2025-09-07/morning.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"recipient\":\"cfo@exa").unwrap();
        let seen = read(dir.path(), "2025-09-07", "morning").unwrap();
        assert!(seen.is_delivered("ceo@example.com"));
        assert!(
            !seen.is_delivered("cfo@example.com"),
            "in doubt, not delivered"
        );
        assert_eq!(
            seen.status("cfo@example.com").unwrap().last.event,
            Event::Sending
        );
        assert_eq!(seen.iter().count(), 2);
        assert_eq!(
            (
                dates(dir.path()).unwrap(),
                groups(dir.path(), "2025-09-07").unwrap()
            ),
            (vec!["2025-09-07".to_owned()], vec!["morning".to_owned()])
        );

        // The next run's first record must not be glued to the torn fragment.
        let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
        log.append(&[record("cfo@example.com", Event::Delivered, 2)])
            .unwrap();
        let seen = read(dir.path(), "2025-09-07", "morning").unwrap();
        assert!(seen.is_delivered("cfo@example.com"));
    }

    #[test]
    fn paths_are_never_built_from_unchecked_names_or_dates() {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("state");
        for group in ["../../../escaped", "sub/dir", "", ".hidden", "a b"] {
            let err = BriefingLog::open(&state, "2025-09-07", group)
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(&format!("group {group:?}: ")), "{err}");
            assert!(read(&state, "2025-09-07", group).is_err(), "{group:?}");
        }
        for date in [
            "../2025-09-07",
            "2025-9-7",
            "+10000-01-01",
            "2025-09-07/..",
            "",
        ] {
            let err = BriefingLog::open(&state, date, "morning")
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("is not a date (YYYY-MM-DD)"), "{err}");
            assert!(groups(&state, date).is_err(), "{date:?}");
            let newest = DateTime::parse_from_rfc3339("2025-09-07T10:00:00+09:00").unwrap();
            assert!(mark_newest(&state, date, newest).is_err(), "{date:?}");
        }
        let nothing: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(nothing, Vec::<std::ffi::OsString>::new(), "nothing written");

        // A Korean name is a name; a folder or file that is no date or group is passed over.
        let log = BriefingLog::open(&state, "2025-09-07", "아침독자").unwrap();
        drop(log);
        std::fs::create_dir_all(state.join("ledger/copy-of-ledger")).unwrap();
        std::fs::write(state.join("ledger/2025-09-07/news kr.jsonl"), "").unwrap();
        assert_eq!(dates(&state).unwrap(), ["2025-09-07"]);
        assert_eq!(groups(&state, "2025-09-07").unwrap(), ["아침독자"]);
    }

    #[test]
    fn a_line_torn_inside_a_korean_character_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
        log.append(&[record("ceo@example.com", Event::Delivered, 1)])
            .unwrap();
        drop(log);
        let torn = serde_json::to_vec(&record("김하늘@example.com", Event::Sending, 1)).unwrap();
        let cut = torn.windows(3).position(|w| w == "김".as_bytes()).unwrap() + 2;
        let path = dir.path().join("ledger/2025-09-07/morning.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&torn[..cut]).unwrap();
        drop(f);

        let seen = read(dir.path(), "2025-09-07", "morning").unwrap();
        assert!(seen.is_delivered("ceo@example.com"));
        assert_eq!(seen.iter().count(), 1);
        let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
        log.append(&[record("김하늘@example.com", Event::Delivered, 1)])
            .unwrap();
        let seen = read(dir.path(), "2025-09-07", "morning").unwrap();
        assert!(seen.is_delivered("김하늘@example.com"));
    }

    #[test]
    fn a_run_dated_before_the_newest_briefing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 9, d).unwrap();
        assert!(check_clock(dir.path(), day(7)).is_ok(), "an empty ledger");
        BriefingLog::open(dir.path(), "2025-09-08", "morning").unwrap();
        assert!(
            check_clock(dir.path(), day(8)).is_ok(),
            "the same day, resumed"
        );
        assert!(check_clock(dir.path(), day(9)).is_ok());
        let err = check_clock(dir.path(), day(7)).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "today is 2025-09-07 by the clock, but the ledger already has the briefing of 2025-09-08"
            ) && err.contains("BRIEFING_NOW"),
            "{err}"
        );
    }

    proptest::proptest! {
        /// Whatever a full disk or a crash leaves after the last whole record (bytes cut
        /// anywhere, in a character or not), reading and reopening the log works and
        /// keeps every record before it.
        #[test]
        fn garbage_after_the_records_never_fails_a_read(
            garbage in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            korean in proptest::bool::ANY,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let who = if korean { "김하늘@example.com" } else { "ceo@example.com" };
            {
                let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
                log.append(&[
                    record(who, Event::Delivered, 1),
                    record("cfo@example.com", Event::Sending, 1),
                ])
                .unwrap();
            }
            let path = dir.path().join("ledger/2025-09-07/morning.jsonl");
            let mut f = OpenOptions::new().append(true).open(&path).unwrap();
            f.write_all(&garbage).unwrap();
            drop(f);
            let seen = read(dir.path(), "2025-09-07", "morning").unwrap();
            proptest::prop_assert!(seen.is_delivered(who));
            proptest::prop_assert!(seen.status("cfo@example.com").is_some());
            let log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
            proptest::prop_assert!(log.recipients().is_delivered(who));
        }
    }

    #[test]
    fn the_send_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let held = SendLock::acquire(dir.path()).unwrap();
        let err = SendLock::acquire(dir.path()).err().unwrap().to_string();
        assert!(err.contains("another briefing send is running"), "{err}");
        drop(held);
        assert!(SendLock::acquire(dir.path()).is_ok());
    }
}
