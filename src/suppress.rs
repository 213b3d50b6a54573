//! Who asked not to get the briefing: `[state] dir/suppressed.jsonl`, one request per
//! line, appended and never rewritten, so that a crash can lose at most the request being
//! written and never an earlier one. Every send reads it before the first message; an
//! address on it is reported as suppressed, neither failed nor pending. An unsubscribe
//! request sent to the `List-Unsubscribe` address is honoured with
//! `briefing unsubscribe`, and undone with `briefing resubscribe`.
//!
//! A line that cannot be read (a hand edit gone wrong, bytes that are not UTF-8, a write
//! cut short) is skipped and reported with its file and line number ([`Unreadable`]):
//! one damaged line must not stop every send of every group, and the requests on the
//! other lines are still honoured.

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
}

/// A line of the list that could not be read, and was skipped. It stays in the file and
/// in every report (the run's, `status`, `check`) until someone fixes or removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub file: PathBuf,
    /// From 1.
    pub line: usize,
    pub problem: String,
    /// The last line, without its line end: a write cut short by a crash, which was
    /// never confirmed to whoever asked. The next request written cuts it off.
    pub torn: bool,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = format!("{}:{}", self.file.display(), self.line);
        match self.torn {
            true => write!(
                f,
                "{at}: a suppression request cut short ({}), skipped: a write that did not finish, never confirmed; the next unsubscribe or resubscribe removes it",
                self.problem
            ),
            false => write!(
                f,
                "{at}: unreadable suppression request skipped ({}); the rest of the list is honoured, this line only once it is fixed",
                self.problem
            ),
        }
    }
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
    /// The lines skipped, in file order.
    pub unreadable: Vec<Unreadable>,
}

impl Suppressed {
    /// Reads `state_dir/suppressed.jsonl`; no file is an empty list. Only a file that
    /// cannot be read at all is an error (and a passing one, such as too many open
    /// files, lets the run be retried); a line that cannot be read is skipped and listed
    /// in [`Suppressed::unreadable`].
    pub fn load(state_dir: &Path) -> Result<Suppressed, SuppressError> {
        let path = state_dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(SuppressError::Io { path, source }),
        };
        let mut list = Suppressed::default();
        // The piece after the last line end is empty in a whole file; anything there is
        // a last line without its end.
        let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        let last = lines.len() - 1;
        for (n, line) in lines.into_iter().enumerate() {
            if line.trim_ascii().is_empty() {
                continue;
            }
            let problem = match std::str::from_utf8(line) {
                Err(e) => format!("not UTF-8 text from byte {}", e.valid_up_to() + 1),
                Ok(text) => match serde_json::from_str::<Entry>(text) {
                    Ok(entry) => {
                        list.apply(&entry);
                        continue;
                    }
                    Err(e) => format!("not a suppression record: {e}"),
                },
            };
            list.unreadable.push(Unreadable {
                file: path.clone(),
                line: n + 1,
                problem,
                torn: n == last,
            });
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
    end_last_line(&mut file).map_err(err)?;
    file.write_all(&line)
        .and_then(|()| file.sync_data())
        .map_err(err)?;
    Ok(entry)
}

/// Makes sure the next request starts a line of its own instead of being glued to the
/// last one and lost with it. A last line without its line end is a write cut short
/// (never confirmed to whoever asked) and is cut off, unless it is a whole request (a
/// hand edit that left out the final line end): that one is ended and kept.
fn end_last_line(file: &mut File) -> std::io::Result<()> {
    let mut text = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut text)?;
    if text.last().is_none_or(|&b| b == b'\n') {
        return Ok(());
    }
    let start = text.iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
    match serde_json::from_slice::<Entry>(&text[start..]) {
        Ok(_) => file.write_all(b"\n"),
        Err(_) => file.set_len(start as u64),
    }
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
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com"));
        assert_eq!(list.unreadable.len(), 1);
        assert!(list.unreadable[0].torn && list.unreadable[0].line == 2);
        // The next request replaces the fragment.
        record(d, Request::Unsubscribe, "cfo@example.com", None, at()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com"));
        assert!(list.contains("morning", "cfo@example.com"));
        assert!(list.unreadable.is_empty());
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
        std::fs::write(&path, "{\"request\":\"unsubscribe\"}\n").unwrap();
        let list = Suppressed::load(d).unwrap();
        let err = list.unreadable[0].to_string();
        assert!(
            err.contains("suppressed.jsonl:1: unreadable suppression request skipped (not a suppression record: "),
            "{err}"
        );
    }

    /// A bad line in the middle (not JSON, not UTF-8) costs only itself: the requests
    /// before and after it still count, and each bad line is named by its number.
    #[test]
    fn bad_lines_are_skipped_and_named_and_the_rest_is_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        record(d, Request::Unsubscribe, "ceo@example.com", None, at()).unwrap();
        let path = d.join(FILE);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"request\": \"unsubscribe\", oops}\n\xed\x95\n\n")
            .unwrap();
        record(
            d,
            Request::Unsubscribe,
            "김하늘@example.com",
            Some("morning"),
            at(),
        )
        .unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com"));
        assert!(list.contains("morning", "김하늘@example.com"));
        assert!(!list.contains("columns", "김하늘@example.com"));
        let named: Vec<(usize, bool)> = list.unreadable.iter().map(|u| (u.line, u.torn)).collect();
        assert_eq!(named, [(2, false), (3, false)]);
        assert!(
            list.unreadable[1].problem.contains("not UTF-8"),
            "{:?}",
            list.unreadable
        );
    }

    /// A whole request whose line end is missing (a hand edit) is a request: the next
    /// one written ends its line instead of cutting it off.
    #[test]
    fn a_whole_last_line_without_its_end_is_kept_by_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let entry = record(d, Request::Unsubscribe, "ceo@example.com", None, at()).unwrap();
        let path = d.join(FILE);
        std::fs::write(&path, serde_json::to_vec(&entry).unwrap()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com") && list.unreadable.is_empty());
        record(d, Request::Unsubscribe, "cfo@example.com", None, at()).unwrap();
        let list = Suppressed::load(d).unwrap();
        assert!(list.contains("morning", "ceo@example.com"));
        assert!(list.contains("morning", "cfo@example.com"));
        assert!(list.unreadable.is_empty());
    }
}
