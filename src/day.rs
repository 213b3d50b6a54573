//! The dump a day's briefing is built from, kept in the state folder once its delivery
//! has started.
//!
//! A run that stops part-way (the relay was down, a recipient was deferred) is finished
//! later, by a retry of the daemon or a second `send`. Were that run to fetch the dump
//! again, the recipients of one day's briefing would get different content, and those
//! served first would never see what was added in between. So the first run that
//! delivers keeps the exact text it built from, beside that day's ledger, and every
//! later run of the same date is built from it; what arrives in the dump meanwhile goes
//! into tomorrow's briefing, which leaves out only what today's carried.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::durable::write_atomically;
use crate::fetch::Fetched;
use crate::ledger::LedgerError;

/// What is kept beside the text: enough to report where it came from. The text itself
/// is kept decoded, as UTF-8.
#[derive(Serialize, Deserialize)]
struct Meta {
    origin: String,
}

/// How many briefings before today's keep their dump: a day is finished on that day,
/// or by hand soon after; older copies would only fill the disk, a dump a day.
const KEPT_DAYS: usize = 3;

/// Keeps `fetched` as the dump of `date`'s briefing. The text is written before the
/// note that names its origin, each whole and durable: a crash in between leaves no
/// note, and the next run fetches (and keeps) again. Dumps kept for briefings older
/// than the `KEPT_DAYS` before this one are removed.
pub fn keep(state_dir: &Path, date: &str, fetched: &Fetched) -> Result<(), LedgerError> {
    for older in crate::ledger::dates(state_dir)?.iter().skip(KEPT_DAYS) {
        let (text, meta) = paths(state_dir, older);
        for path in [meta, text] {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!("cannot remove the old kept dump {}: {e}", path.display())
                }
                _ => {}
            }
        }
    }
    let (text, meta) = paths(state_dir, date);
    let note = Meta {
        origin: fetched.origin.clone(),
    };
    // A struct of one string always serialises.
    let note = serde_json::to_vec(&note).unwrap_or_default();
    write_atomically(&text, fetched.text.as_bytes())
        .map_err(|source| LedgerError { path: text, source })?;
    write_atomically(&meta, &note).map_err(|source| LedgerError { path: meta, source })
}

/// The dump kept for `date`, if a delivery of that date has started.
pub fn kept(state_dir: &Path, date: &str) -> Result<Option<Fetched>, LedgerError> {
    let (text_path, meta_path) = paths(state_dir, date);
    let meta = match std::fs::read(&meta_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LedgerError {
                path: meta_path,
                source,
            })
        }
    };
    let meta: Meta = serde_json::from_slice(&meta).map_err(|e| LedgerError {
        path: meta_path.clone(),
        source: e.into(),
    })?;
    let text = std::fs::read_to_string(&text_path).map_err(|source| LedgerError {
        path: text_path.clone(),
        source,
    })?;
    Ok(Some(Fetched {
        origin: format!("{} (kept in {})", meta.origin, text_path.display()),
        text,
        encoding: "UTF-8",
        modified: None,
    }))
}

/// Beside the day's group logs; neither is a `.jsonl`, so neither is taken for a group.
fn paths(state_dir: &Path, date: &str) -> (PathBuf, PathBuf) {
    let dir = state_dir.join("ledger").join(date);
    (dir.join("dump.txt"), dir.join("dump.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_dump_comes_back_whole_and_names_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        assert!(kept(dir.path(), "2025-09-07").unwrap().is_none());
        let fetched = Fetched {
            origin: "http://127.0.0.1:1/오늘.txt".into(),
            text: "최신기사\n---\n제목이다\n본문이 여기 있다.\n2025-09-07 06:00:00\n".into(),
            encoding: "EUC-KR",
            modified: None,
        };
        keep(dir.path(), "2025-09-07", &fetched).unwrap();
        let back = kept(dir.path(), "2025-09-07").unwrap().unwrap();
        assert_eq!(back.text, fetched.text);
        assert!(back
            .origin
            .starts_with("http://127.0.0.1:1/오늘.txt (kept in "));
        assert!(kept(dir.path(), "2025-09-08").unwrap().is_none());
    }

    #[test]
    fn only_the_newest_briefings_keep_their_dump() {
        let dir = tempfile::tempdir().unwrap();
        let fetched = |day: u32| Fetched {
            origin: format!("덤프 {day}"),
            text: format!("최신기사\n{day}일 기사\n"),
            encoding: "UTF-8",
            modified: None,
        };
        for day in 1..=6 {
            keep(dir.path(), &format!("2025-09-0{day}"), &fetched(day)).unwrap();
        }
        let kept: Vec<u32> = (1..=6)
            .filter(|day| {
                kept(dir.path(), &format!("2025-09-0{day}"))
                    .unwrap()
                    .is_some()
            })
            .collect();
        assert_eq!(kept, [3, 4, 5, 6]);
    }

    #[test]
    fn text_without_its_note_is_not_taken_for_a_kept_dump() {
        let dir = tempfile::tempdir().unwrap();
        let (text, _) = paths(dir.path(), "2025-09-07");
        write_atomically(&text, "반쯤 쓰인 덤프".as_bytes()).unwrap();
        assert!(kept(dir.path(), "2025-09-07").unwrap().is_none());
    }
}
