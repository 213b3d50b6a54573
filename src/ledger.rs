//! What was delivered to whom: one append-only log per briefing (date and group).
//!
//! Each line is a JSON [`Record`]. A recipient is marked `sending` before the message
//! leaves and `delivered` or `failed` after, so a run that crashed in between knows the
//! recipient is in doubt and resends with the same Message-ID (which lets the receiving
//! server drop a duplicate) rather than skipping them. Records are appended in batches
//! with one `fsync` per batch: the log is never rewritten, so a crash can only tear its
//! last line, which is ignored on reading.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Sending,
    Delivered,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The address, lower-cased: the key.
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
}

/// The last known state of one recipient.
#[derive(Debug, Clone)]
pub struct Status {
    pub last: Record,
    pub delivered: bool,
    pub attempts: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("ledger {}: {source}", path.display())]
pub struct LedgerError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The log of one briefing.
pub struct BriefingLog {
    path: PathBuf,
    file: File,
    recipients: BTreeMap<String, Status>,
}

impl BriefingLog {
    /// Opens (creating) `state_dir/ledger/DATE/GROUP.jsonl` and replays it.
    pub fn open(state_dir: &Path, date: &str, group: &str) -> Result<BriefingLog, LedgerError> {
        let path = state_dir
            .join("ledger")
            .join(date)
            .join(format!("{group}.jsonl"));
        let err = |source| LedgerError {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(err)?;
        let mut recipients: BTreeMap<String, Status> = BTreeMap::new();
        for (n, line) in BufReader::new(&file).lines().enumerate() {
            let line = line.map_err(err)?;
            match serde_json::from_str::<Record>(&line) {
                Ok(record) => apply(&mut recipients, record),
                // A torn last line from a crash; anything else is damage worth a word.
                Err(e) => tracing::warn!(
                    "{}:{}: unreadable record skipped: {e}",
                    path.display(),
                    n + 1
                ),
            }
        }
        Ok(BriefingLog {
            path,
            file,
            recipients,
        })
    }

    pub fn status(&self, recipient: &str) -> Option<&Status> {
        self.recipients.get(&recipient.to_lowercase())
    }

    pub fn is_delivered(&self, recipient: &str) -> bool {
        self.status(recipient).is_some_and(|s| s.delivered)
    }

    /// Every recipient seen, by address.
    pub fn recipients(&self) -> &BTreeMap<String, Status> {
        &self.recipients
    }

    /// Appends `records` and makes them durable with one fsync.
    pub fn append(&mut self, records: &[Record]) -> Result<(), LedgerError> {
        let mut buf = Vec::new();
        for r in records {
            // Serialising a struct of strings and numbers cannot fail.
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
        self.file.sync_data().map_err(err)?;
        for r in records {
            apply(&mut self.recipients, r.clone());
        }
        Ok(())
    }
}

fn apply(recipients: &mut BTreeMap<String, Status>, record: Record) {
    let key = record.recipient.to_lowercase();
    let delivered = record.event == Event::Delivered;
    match recipients.get_mut(&key) {
        Some(s) => {
            s.delivered |= delivered;
            s.attempts = s.attempts.max(record.attempt);
            s.last = record;
        }
        None => {
            recipients.insert(
                key,
                Status {
                    delivered,
                    attempts: record.attempt,
                    last: record,
                },
            );
        }
    }
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
            at: Utc::now(),
            attempt,
            detail: String::new(),
            message_id: "<id>".into(),
        }
    }

    #[test]
    fn replays_what_was_appended_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
            log.append(&[
                record("CEO@example.com", Event::Sending, 1),
                record("ceo@example.com", Event::Delivered, 1),
            ])
            .unwrap();
            log.append(&[record("cfo@example.com", Event::Sending, 1)])
                .unwrap();
        }
        let path = dir.path().join("ledger/2025-09-07/morning.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"recipient\":\"cfo@exa").unwrap();
        let log = BriefingLog::open(dir.path(), "2025-09-07", "morning").unwrap();
        assert!(log.is_delivered("ceo@example.com"));
        assert!(
            !log.is_delivered("cfo@example.com"),
            "in doubt, not delivered"
        );
        assert_eq!(
            log.status("cfo@example.com").unwrap().last.event,
            Event::Sending
        );
        assert_eq!(log.recipients().len(), 2);
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
