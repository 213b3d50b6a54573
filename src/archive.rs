//! Every delivered briefing, kept as the web page it is: `[state] dir/archive/DATE/
//! GROUP.html`. "View it on the web" is what newsletter readers ask for most after
//! unsubscribing: for a mail a client clipped or showed badly, for a link to pass on,
//! for yesterday's briefing after the mail is gone. `run --listen` serves the pages and
//! an index at `/archive`, and each mail links its own page when `[web] base_url` is set.

use std::path::{Path, PathBuf};

use crate::config::check_group_name;
use crate::durable::write_atomically;
use crate::ledger;

/// The folder under the state dir.
const DIR: &str = "archive";

/// Where the briefing of `group` on `date` is kept, or `None` for a date or a name no
/// briefing can have: the web endpoint builds this path from a request.
pub fn path(state_dir: &Path, date: &str, group: &str) -> Option<PathBuf> {
    (ledger::is_date(date) && check_group_name(group).is_ok())
        .then(|| state_dir.join(DIR).join(date).join(format!("{group}.html")))
}

/// Keeps `html` as the page of `group` on `date`. A rerun of the day writes the same
/// briefing again (it is built from the day's kept dump), so replacing is right.
pub fn keep(state_dir: &Path, date: &str, group: &str, html: &str) -> std::io::Result<()> {
    let Some(path) = path(state_dir, date, group) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("no archive page for {date} / {group}"),
        ));
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_atomically(&path, html.as_bytes())
}

/// The kept briefings, newest day first, each day's groups in name order.
pub fn list(state_dir: &Path) -> std::io::Result<Vec<(String, Vec<String>)>> {
    let dir = state_dir.join(DIR);
    let mut days = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(days),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(date) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !ledger::is_date(&date) {
            continue;
        }
        let mut groups: Vec<String> = std::fs::read_dir(entry.path())?
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_suffix(".html")
                    .map(str::to_owned)
            })
            .filter(|g| check_group_name(g).is_ok())
            .collect();
        groups.sort();
        if !groups.is_empty() {
            days.push((date, groups));
        }
    }
    days.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_kept_listed_newest_first_and_only_where_a_briefing_can_be() {
        let dir = tempfile::tempdir().unwrap();
        keep(dir.path(), "2025-09-06", "morning", "<p>6</p>").unwrap();
        keep(dir.path(), "2025-09-07", "morning", "<p>7</p>").unwrap();
        keep(dir.path(), "2025-09-07", "칼럼", "<p>c</p>").unwrap();
        let listed = list(dir.path()).unwrap();
        assert_eq!(
            listed,
            [
                (
                    "2025-09-07".to_owned(),
                    vec!["morning".to_owned(), "칼럼".to_owned()]
                ),
                ("2025-09-06".to_owned(), vec!["morning".to_owned()]),
            ]
        );
        let page = path(dir.path(), "2025-09-07", "morning").unwrap();
        assert_eq!(std::fs::read_to_string(page).unwrap(), "<p>7</p>");
        for (date, group) in [
            ("../etc", "morning"),
            ("2025-09-07", "../ledger"),
            ("2025-13-01", "morning"),
            ("2025-09-07", "a/b"),
        ] {
            assert!(path(dir.path(), date, group).is_none(), "{date} {group}");
            assert!(keep(dir.path(), date, group, "x").is_err());
        }
    }
}
