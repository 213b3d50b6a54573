//! Files that survive a crash or a power cut: what the ledger, the outbox and the fetch
//! cache write. A rename or a new file is only durable once its folder is synced too.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Our temporary files are named `.NAME.briefing-PID.tmp`: hidden, never taken for the
/// file they become (an `.eml` pickup or a dump reader looks at the end of the name), and
/// recognisable as ours, so that a leftover of an interrupted write can be removed
/// without touching anything else in the folder.
const TEMP_TAG: &str = ".briefing-";
const TEMP_END: &str = ".tmp";

/// Replaces `path` with `bytes` so that a reader (or a crash) sees either the old file
/// or the new one, never a part: temporary file, fsync, rename, fsync of the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, tmp) = write_temp(path, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Creates `path` with `bytes`, whole and durably like [`write_atomically`], but fails
/// with [`std::io::ErrorKind::AlreadyExists`] instead of replacing a file already there:
/// the temporary file is hard-linked to its name, and a link, unlike a rename, never
/// replaces. For files that are each a message of their own, where replacing one loses it.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, tmp) = write_temp(path, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    // Once linked, the data is safe under its name; a temporary file that cannot be
    // removed is only clutter, which `remove_stale_temps` clears later.
    let _ = std::fs::remove_file(&tmp);
    linked?;
    sync_dir(dir)
}

/// Writes `bytes` to a synced temporary file beside `path`; returns the folder and the
/// temporary file.
fn write_temp<'a>(path: &'a Path, bytes: &[u8]) -> std::io::Result<(&'a Path, PathBuf)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}{TEMP_TAG}{}{TEMP_END}", std::process::id()));
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok((dir, tmp))
}

/// Removes the temporary files that writes into `dir` left behind when they were cut
/// short (a kill or a power cut between the write and the rename), and returns them.
/// Only files named as ours and last modified at least `age` ago are taken: a younger one
/// may belong to a write still in progress in another process.
///
/// The age is measured with the real clock, not `crate::clock::now()`: the file times
/// were stamped by the kernel's clock, and a pinned `BRIEFING_NOW` says which day's
/// briefing this is, not how old a file is.
pub fn remove_stale_temps(dir: &Path, age: Duration) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_name().to_str().is_some_and(is_temp_name) {
            continue;
        }
        let meta = entry.metadata()?;
        // A time in the future (a clock set back) is no proof of age: the file stays.
        let old = meta
            .modified()?
            .elapsed()
            .is_ok_and(|elapsed| elapsed >= age);
        if meta.is_file() && old {
            std::fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    Ok(removed)
}

/// `.NAME.briefing-PID.tmp`, as [`write_temp`] names them.
fn is_temp_name(name: &str) -> bool {
    name.starts_with('.')
        && name
            .strip_suffix(TEMP_END)
            .and_then(|rest| rest.rsplit_once(TEMP_TAG))
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Opens the append-only log at `path` (readable, for replay), creating it and its
/// folder if need be. A new file, and a new folder, are synced into their parents, so
/// they outlive a power cut like the records later written to them.
pub fn open_log(path: &Path) -> std::io::Result<File> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let new = !path.exists();
    std::fs::create_dir_all(dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    if new {
        sync_dir(dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    Ok(file)
}

/// Makes the entries of `dir` (new files, renames) durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_never_replaces_one_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2025-09-07_아침_독자@example.com.eml");
        write_new(&path, "첫 번째 브리핑".as_bytes()).unwrap();
        let err = write_new(&path, "두 번째 브리핑".as_bytes()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "첫 번째 브리핑");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn only_our_old_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // Old: modified in 2001. Fresh: just created.
        let file = |name: &str, old: bool| {
            let path = dir.path().join(name);
            let f = File::create(&path).unwrap();
            if old {
                let at = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
                f.set_modified(at).unwrap();
            }
            path
        };
        let stale = file(".2025-09-07_g_a@example.com.eml.briefing-4321.tmp", true);
        let fresh = file(".2025-09-07_g_b@example.com.eml.briefing-4322.tmp", false);
        let foreign = [
            file("기사 메모.tmp", true),
            file(".x.briefing-12a.tmp", true),
            file("x.briefing-12.tmp", true),
        ];
        let removed = remove_stale_temps(dir.path(), Duration::from_secs(600)).unwrap();
        assert_eq!(removed, std::slice::from_ref(&stale));
        assert!(!stale.exists());
        assert!(fresh.exists());
        assert!(foreign.iter().all(|p| p.exists()));
        let missing = dir.path().join("없는 폴더");
        assert!(remove_stale_temps(&missing, Duration::ZERO)
            .unwrap()
            .is_empty());
    }
}
