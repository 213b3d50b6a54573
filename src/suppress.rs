//! Who asked not to get the briefing: `[state] dir/suppressed.jsonl`, one request per
//! line, appended and never rewritten, so that a crash can lose at most the request being
//! written and never an earlier one. Every send reads it before the first message; an
//! address on it is reported as suppressed, neither failed nor pending. An unsubscribe
//! request sent to the `List-Unsubscribe` address is honoured with
//! `briefing unsubscribe`, and undone with `briefing resubscribe`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::address_key;
use crate::durable::open_log;

const FILE: &str = "suppressed.jsonl";

#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: not a suppression record: {message}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    Unsubscribe,
    Resubscribe,
}

/// One line of the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub request: Request,
    /// As [`address_key`] writes it, the key the ledger uses.
    pub address: String,
    /// `None`: every group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where one address stands, after every request on record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Standing {
    /// Unsubscribed from every group…
    all: bool,
    /// …except these, resubscribed one by one since.
    except: BTreeSet<String>,
    /// Unsubscribed from these groups.
    groups: BTreeSet<String>,
}

/// The suppression list as the requests on record leave it.
#[derive(Debug, Default)]
pub struct Suppressed {
    by_address: BTreeMap<String, Standing>,
}

impl Suppressed {
    /// Reads `state_dir/suppressed.jsonl`; no file is an empty list.
    pub fn load(state_dir: &Path) -> Result<Suppressed, SuppressError> {
        let path = state_dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(SuppressError::Io { path, source }),
        };
        let mut list = Suppressed::default();
        let torn_tail = !text.is_empty() && !text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(line) {
                Ok(entry) => list.apply(&entry),
                // A crash mid-write leaves a torn last line: that request was never
                // confirmed to whoever made it.
                Err(_) if torn_tail && n + 1 == lines.len() => {}
                Err(e) => {
                    return Err(SuppressError::Corrupt {
                        path,
                        line: n + 1,
                        message: e.to_string(),
                    })
                }
            }
        }
        Ok(list)
    }

    fn apply(&mut self, entry: &Entry) {
        let s = self.by_address.entry(entry.address.clone()).or_default();
        match (entry.request, &entry.group) {
            (Request::Unsubscribe, None) => {
                *s = Standing {
                    all: true,
                    ..Standing::default()
                }
            }
            (Request::Unsubscribe, Some(g)) => {
                s.except.remove(g);
                s.groups.insert(g.clone());
            }
            (Request::Resubscribe, None) => *s = Standing::default(),
            (Request::Resubscribe, Some(g)) => {
                s.groups.remove(g);
                if s.all {
                    s.except.insert(g.clone());
                }
            }
        }
    }

    /// Whether `address` must not get the briefing of `group`.
    pub fn contains(&self, group: &str, address: &str) -> bool {
        self.by_address
            .get(&address_key(address))
            .is_some_and(|s| (s.all && !s.except.contains(group)) || s.groups.contains(group))
    }
}

/// Appends one request and makes it durable (the file, and the folder entry of a new
/// file) before returning: a reader who was told "unsubscribed" stays unsubscribed
/// after a power cut. Returns the entry written.
pub fn record(
    state_dir: &Path,
    request: Request,
    address: &str,
    group: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Entry, SuppressError> {
    let path = state_dir.join(FILE);
    let err = |source| SuppressError::Io {
        path: path.clone(),
        source,
    };
    let entry = Entry {
        request,
        address: address_key(address),
        group: group.map(str::to_owned),
        at,
    };
    let mut line = serde_json::to_vec(&entry).map_err(|e| err(e.into()))?;
    line.push(b'\n');
    let mut file = open_log(&path).map_err(err)?;
    drop_torn_tail(&mut file).map_err(err)?;
    file.write_all(&line)
        .and_then(|()| file.sync_data())
        .map_err(err)?;
    Ok(entry)
}

/// Cuts a last line without its line end (a write cut short, never confirmed to whoever
/// asked), so that every line left is whole and a line that does not parse is damage.
fn drop_torn_tail(file: &mut File) -> std::io::Result<()> {
    let mut text = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut text)?;
    if text.last().is_some_and(|&b| b != b'\n') {
        let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
        file.set_len(keep as u64)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        crate::clock::now()
    }

    #[test]
    fn requests_replay_in_order_per_group_and_for_every_group() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        record(d, Request::Unsubscribe, "김하늘@Example.COM", None, at()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("아침", "김하늘@example.com"));
        assert!(list.contains("morning", "김하늘@EXAMPLE.com"));
        assert!(!list.contains("morning", "김하늘@other.com"));

        record(
            d,
            Request::Resubscribe,
            "김하늘@example.com",
            Some("아침"),
            at(),
        )
        .unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(!list.contains("아침", "김하늘@example.com"));
        assert!(list.contains("morning", "김하늘@example.com"));

        record(
            d,
            Request::Unsubscribe,
            "cfo@example.com",
            Some("morning"),
            at(),
        )
        .unwrap();
        record(d, Request::Resubscribe, "김하늘@example.com", None, at()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(!list.contains("morning", "김하늘@example.com"));
        assert!(list.contains("morning", "cfo@example.com"));
        assert!(!list.contains("columns", "cfo@example.com"));
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_corrupt_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        record(d, Request::Unsubscribe, "ceo@example.com", None, at()).unwrap();
        let path = d.join(FILE);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"request\":\"unsub").unwrap();
        assert!(Suppressed::load(d)
            .unwrap()
            .contains("morning", "ceo@example.com"));
        // The next request replaces the fragment.
        record(d, Request::Unsubscribe, "cfo@example.com", None, at()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com"));
        assert!(list.contains("morning", "cfo@example.com"));
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
        std::fs::write(&path, "{\"request\":\"unsubscribe\"}\n").unwrap();
        let err = Suppressed::load(d).unwrap_err().to_string();
        assert!(
            err.contains("suppressed.jsonl:1: not a suppression record"),
            "{err}"
        );
    }
}
