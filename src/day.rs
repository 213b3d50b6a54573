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

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use crate::config::Format;
use crate::dump::Article;
use crate::durable::write_atomically;
use crate::feed::{self, SourceText};
use crate::fetch::Fetched;
use crate::ledger::LedgerError;
use crate::merge;

/// A source that gave nothing to the day's briefing, and why: named by the run's
/// report and kept with the day, so that `briefing status` still names it when the
/// day is finished from the kept copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailure {
    /// The source's name, else its (redacted) location.
    pub source: String,
    pub error: String,
}

/// What is kept beside the texts: enough to read each again the same way and to report
/// where it came from. The texts themselves are kept decoded, as UTF-8.
#[derive(Serialize, Deserialize)]
struct Meta {
    /// The first source's origin: all that a version with a single dump kept.
    origin: String,
    /// Per source that answered, in order; empty in a note of the single-dump version.
    #[serde(default)]
    sources: Vec<KeptSource>,
    #[serde(default)]
    failed: Vec<SourceFailure>,
}

#[derive(Serialize, Deserialize)]
struct KeptSource {
    origin: String,
    format: Format,
    outlet: Option<String>,
}

/// A day's sources as an earlier run kept them.
pub struct Kept {
    pub texts: Vec<SourceText>,
    pub failed: Vec<SourceFailure>,
}

/// A source's text as a day's build holds it until a delivery keeps it: deflated. The
/// text is read once to be parsed and once more to be kept, and in between, beside the
/// articles parsed from it, it would be a second copy of the whole dump.
pub struct Held {
    origin: String,
    format: Format,
    outlet: Option<String>,
    deflated: Vec<u8>,
}

impl Held {
    /// `text`, deflated. Writing into memory does not fail, but were it to, the day must
    /// not be kept as an empty text: the error is the build's.
    pub fn new(text: &SourceText) -> std::io::Result<Held> {
        let mut deflater = DeflateEncoder::new(Vec::new(), Compression::fast());
        deflater.write_all(text.fetched.text.as_bytes())?;
        let mut deflated = deflater.finish()?;
        deflated.shrink_to_fit();
        Ok(Held {
            origin: text.fetched.origin.clone(),
            format: text.format,
            outlet: text.outlet.clone(),
            deflated,
        })
    }

    /// The text, inflated again.
    fn text(&self) -> std::io::Result<Vec<u8>> {
        let mut text = Vec::new();
        DeflateDecoder::new(self.deflated.as_slice()).read_to_end(&mut text)?;
        Ok(text)
    }
}

/// How many briefings before today's keep their dump: a day is finished on that day,
/// or by hand soon after; older copies would only fill the disk, a dump a day.
const KEPT_DAYS: usize = 3;

/// Keeps `texts` as the sources of `date`'s briefing, and `failed` as those that gave
/// nothing. The texts are written before the note that names them, each whole and
/// durable: a crash in between leaves no note, and the next run fetches (and keeps)
/// again. What was kept for briefings older than the `KEPT_DAYS` before this one is
/// removed.
pub fn keep(
    state_dir: &Path,
    date: &str,
    texts: &[Held],
    failed: &[SourceFailure],
) -> Result<(), LedgerError> {
    for older in crate::ledger::dates(state_dir)?.iter().skip(KEPT_DAYS) {
        remove_kept(state_dir, older);
    }
    let meta = note_path(state_dir, date);
    let note = Meta {
        origin: texts.first().map(|t| t.origin.clone()).unwrap_or_default(),
        sources: texts
            .iter()
            .map(|t| KeptSource {
                origin: t.origin.clone(),
                format: t.format,
                outlet: t.outlet.clone(),
            })
            .collect(),
        failed: failed.to_vec(),
    };
    // Strings, an enum and options always serialise.
    let note = serde_json::to_vec(&note).unwrap_or_default();
    for (n, text) in texts.iter().enumerate() {
        let path = text_path(state_dir, date, n);
        text.text()
            .and_then(|text| write_atomically(&path, &text))
            .map_err(|source| LedgerError { path, source })?;
    }
    write_atomically(&meta, &note).map_err(|source| LedgerError { path: meta, source })
}

/// The note and every text kept for `date`.
fn remove_kept(state_dir: &Path, date: &str) {
    let dir = state_dir.join("ledger").join(date);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name == "dump.json" || name.starts_with("dump") && name.ends_with(".txt")) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => tracing::warn!(
                "cannot remove the old kept dump {}: {e}",
                entry.path().display()
            ),
            _ => {}
        }
    }
}

/// The sources kept for `date`, if a delivery of that date has started.
pub fn kept(state_dir: &Path, date: &str) -> Result<Option<Kept>, LedgerError> {
    let Some(meta) = note(state_dir, date)? else {
        return Ok(None);
    };
    let sources = match meta.sources.is_empty() {
        true => vec![KeptSource {
            origin: meta.origin,
            format: Format::Dump,
            outlet: None,
        }],
        false => meta.sources,
    };
    let mut texts = Vec::with_capacity(sources.len());
    for (n, source) in sources.into_iter().enumerate() {
        let path = text_path(state_dir, date, n);
        let text = std::fs::read_to_string(&path).map_err(|source| LedgerError {
            path: path.clone(),
            source,
        })?;
        texts.push(SourceText {
            fetched: Fetched {
                origin: format!("{} (kept in {})", source.origin, path.display()),
                text,
                encoding: "UTF-8",
                modified: None,
            },
            format: source.format,
            outlet: source.outlet,
        });
    }
    Ok(Some(Kept {
        texts,
        failed: meta.failed,
    }))
}

/// The sources that gave nothing to `date`'s briefing, as its first delivering run
/// found them.
pub fn failed_sources(state_dir: &Path, date: &str) -> Result<Vec<SourceFailure>, LedgerError> {
    Ok(note(state_dir, date)?.map(|m| m.failed).unwrap_or_default())
}

fn note(state_dir: &Path, date: &str) -> Result<Option<Meta>, LedgerError> {
    let path = note_path(state_dir, date);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(LedgerError { path, source }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| LedgerError {
            path,
            source: e.into(),
        })
}

/// Beside the day's group logs; none is a `.jsonl`, so none is taken for a group. The
/// first source's text has the name the single dump always had.
fn text_path(state_dir: &Path, date: &str, n: usize) -> PathBuf {
    let dir = state_dir.join("ledger").join(date);
    match n {
        0 => dir.join("dump.txt"),
        n => dir.join(format!("dump-{}.txt", n + 1)),
    }
}

fn note_path(state_dir: &Path, date: &str) -> PathBuf {
    state_dir.join("ledger").join(date).join("dump.json")
}

/// The articles of the briefings before `today` whose dumps the state folder still
/// keeps (`state/ledger/DATE/dump.txt`, the last few days), newest first, each body cut
/// to the part a comparison reads ([`merge::profiled`]: its first 750 bytes or so): a day is compared with
/// up to three dumps before it, which whole would be held for the whole build.
pub fn recent(state_dir: &Path, today: &str) -> anyhow::Result<Vec<(String, Vec<Article>)>> {
    let mut out = Vec::new();
    for date in crate::ledger::dates(state_dir)? {
        if date.as_str() >= today {
            continue;
        }
        if let Some(kept) = kept(state_dir, &date)? {
            let mut articles = Vec::new();
            for text in &kept.texts {
                articles.extend(feed::read(text).with_context(|| {
                    format!("{}, kept for the briefing of {date}", text.fetched.origin)
                })?);
            }
            for a in &mut articles {
                a.body.truncate(merge::profiled(&a.body).len());
                a.body.shrink_to_fit();
            }
            out.push((date, articles));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(origin: &str, body: &str, format: Format, outlet: Option<&str>) -> SourceText {
        SourceText {
            fetched: Fetched {
                origin: origin.into(),
                text: body.into(),
                encoding: "EUC-KR",
                modified: None,
            },
            format,
            outlet: outlet.map(Into::into),
        }
    }

    #[test]
    fn kept_sources_come_back_whole_with_their_format_outlet_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        assert!(kept(dir.path(), "2025-09-07").unwrap().is_none());
        let texts = [
            text(
                "http://127.0.0.1:1/오늘.txt",
                "최신기사\n---\n제목이다\n본문이 여기 있다.\n2025-09-07 06:00:00\n",
                Format::Dump,
                None,
            ),
            text(
                "http://127.0.0.1:1/새소식.xml",
                "<rss version=\"2.0\"><channel></channel></rss>",
                Format::Auto,
                Some("바다일보"),
            ),
        ];
        let failed = [SourceFailure {
            source: "하늘방송".into(),
            error: "the server answered 500".into(),
        }];
        let held: Vec<Held> = texts.iter().map(|t| Held::new(t).unwrap()).collect();
        keep(dir.path(), "2025-09-07", &held, &failed).unwrap();
        let back = kept(dir.path(), "2025-09-07").unwrap().unwrap();
        assert_eq!(back.texts.len(), 2);
        for (got, want) in back.texts.iter().zip(&texts) {
            assert_eq!(got.fetched.text, want.fetched.text);
            assert_eq!((got.format, &got.outlet), (want.format, &want.outlet));
            let prefix = format!("{} (kept in ", want.fetched.origin);
            assert!(
                got.fetched.origin.starts_with(&prefix),
                "{}",
                got.fetched.origin
            );
        }
        assert_eq!(back.failed, failed);
        assert_eq!(failed_sources(dir.path(), "2025-09-07").unwrap(), failed);
        assert!(kept(dir.path(), "2025-09-08").unwrap().is_none());
    }

    #[test]
    fn a_note_of_the_single_dump_version_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let body = "최신기사\n옛 기사\n";
        write_atomically(&text_path(dir.path(), "2025-09-07", 0), body.as_bytes()).unwrap();
        let note = br#"{"origin":"/srv/dump.txt"}"#;
        write_atomically(&note_path(dir.path(), "2025-09-07"), note).unwrap();
        let back = kept(dir.path(), "2025-09-07").unwrap().unwrap();
        assert_eq!(back.texts.len(), 1);
        assert_eq!(back.texts[0].fetched.text, body);
        assert_eq!(back.texts[0].format, Format::Dump);
        assert!(back.failed.is_empty());
    }

    #[test]
    fn only_the_newest_briefings_keep_their_dump() {
        let dir = tempfile::tempdir().unwrap();
        let texts = |day: u32| {
            let body = format!("최신기사\n{day}일 기사\n");
            [
                Held::new(&text(&format!("덤프 {day}"), &body, Format::Dump, None)).unwrap(),
                Held::new(&text(&format!("둘째 {day}"), &body, Format::Dump, None)).unwrap(),
            ]
        };
        for day in 1..=6 {
            keep(dir.path(), &format!("2025-09-0{day}"), &texts(day), &[]).unwrap();
        }
        let kept: Vec<u32> = (1..=6)
            .filter(|day| {
                kept(dir.path(), &format!("2025-09-0{day}"))
                    .unwrap()
                    .is_some()
            })
            .collect();
        assert_eq!(kept, [3, 4, 5, 6]);
        let second = text_path(dir.path(), "2025-09-01", 1);
        assert!(!second.exists(), "{}", second.display());
    }

    #[test]
    fn text_without_its_note_is_not_taken_for_a_kept_dump() {
        let dir = tempfile::tempdir().unwrap();
        let text = text_path(dir.path(), "2025-09-07", 0);
        write_atomically(&text, "반쯤 쓰인 덤프".as_bytes()).unwrap();
        assert!(kept(dir.path(), "2025-09-07").unwrap().is_none());
    }

    #[test]
    fn the_last_briefings_dumps_are_read_back_from_the_state_folder() {
        let dir = tempfile::tempdir().unwrap();
        let kept = |text: &str| crate::feed::SourceText {
            fetched: crate::fetch::Fetched {
                origin: "덤프".into(),
                text: text.into(),
                encoding: "UTF-8",
                modified: None,
            },
            format: crate::config::Format::Dump,
            outlet: None,
        };
        let body = "어제의 본문이다. ".repeat(100);
        let dump = format!("최신기사\n---\n어제의 제목\n{body}\n2025-09-06 06:00:00\n");
        let held = [crate::day::Held::new(&kept(&dump)).unwrap()];
        crate::day::keep(dir.path(), "2025-09-06", &held, &[]).unwrap();
        crate::day::keep(dir.path(), "2025-09-07", &held, &[]).unwrap();
        let past = recent(dir.path(), "2025-09-07").unwrap();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].0, "2025-09-06");
        assert_eq!(past[0].1[0].title, "어제의 제목");
        // Only what a comparison reads is held.
        assert_eq!(past[0].1[0].body, crate::merge::profiled(body.trim_end()));
    }
}
