//! Live config: the daemon reads `config.toml` again on SIGHUP and when the file
//! changes, and puts the new one in force only once it has passed every check
//! ([`Config::from_file`], what `briefing check` runs first). An invalid edit is one log
//! line with its file, line and key, and the config in force stays. A run in progress
//! keeps the config it started with; the schedules are planned again at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::{mpsc, watch};

use crate::config::Config;

/// Editors write a file in several steps (truncate, write, rename a backup): the
/// reload waits until the folder has been quiet this long.
const QUIET: Duration = Duration::from_secs(1);

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Hangup,
    Change,
}

/// Reloads `path` into `publish` until the daemon ends (the task is aborted then).
pub async fn watch(path: PathBuf, publish: watch::Sender<Arc<Config>>) {
    let path = std::path::absolute(&path).unwrap_or(path);
    // Read before the watch starts: an edit right after it starts (and after the line
    // that says so) is news, not the text in force.
    let mut in_force = std::fs::read_to_string(&path).ok();
    let (tell, mut told) = mpsc::unbounded_channel();
    listen_for_hangup(tell.clone());
    // Kept for as long as the loop runs: dropping the watcher stops it.
    let _watcher = match watch_file(&path, tell) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            tracing::warn!(
                "cannot watch {} for changes ({e}); SIGHUP still reloads it",
                path.display()
            );
            None
        }
    };
    tracing::info!(
        "watching {} for changes; SIGHUP reloads it too",
        path.display()
    );
    while let Some(cause) = told.recv().await {
        if cause == Cause::Change {
            // Wait for the writes to settle; a SIGHUP meanwhile is one reload too.
            loop {
                match tokio::time::timeout(QUIET, told.recv()).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
        }
        let text = std::fs::read_to_string(&path).ok();
        // An edit saved back unchanged (or a touch) is no news worth a line.
        if cause == Cause::Change && text.is_some() && text == in_force {
            continue;
        }
        if reload(&path, &publish, cause) {
            in_force = text;
        }
    }
}

/// True when the new config is in force.
fn reload(path: &Path, publish: &watch::Sender<Arc<Config>>, cause: Cause) -> bool {
    let why = match cause {
        Cause::Hangup => "SIGHUP",
        Cause::Change => "the file changed",
    };
    match Config::from_file(path) {
        Ok(config) => {
            tracing::info!(
                "config reloaded ({why}): {} with {}; it applies from the next run",
                crate::report::plural(config.groups.len(), "group"),
                crate::report::plural(
                    config.groups.iter().map(|g| g.recipients.len()).sum(),
                    "recipient"
                )
            );
            publish.send_replace(Arc::new(config));
            true
        }
        Err(e) => {
            tracing::error!(
                "config reload refused ({why}); the config in force stays: {}",
                e.to_string().replace('\n', "; ")
            );
            false
        }
    }
}

fn listen_for_hangup(tell: mpsc::UnboundedSender<Cause>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        // Registered before the first await, so that a SIGHUP right after start-up is
        // a reload and not the end of the process.
        match signal(SignalKind::hangup()) {
            Ok(mut hangup) => {
                tokio::spawn(async move {
                    while hangup.recv().await.is_some() {
                        if tell.send(Cause::Hangup).is_err() {
                            return;
                        }
                    }
                });
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGHUP ({e}); edits of the file still reload it")
            }
        }
    }
    #[cfg(not(unix))]
    drop(tell);
}

/// Watches the folder, not the file: an editor that saves by renaming a new file over
/// the old one would leave a watch on the file looking at a file that is gone.
fn watch_file(
    path: &Path,
    tell: mpsc::UnboundedSender<Cause>,
) -> notify::Result<notify::RecommendedWatcher> {
    let name = path.file_name().map(ToOwned::to_owned);
    let folder = path.parent().unwrap_or(Path::new(".")).to_owned();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let written = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        );
        if written && event.paths.iter().any(|p| p.file_name() == name.as_deref()) {
            let _ = tell.send(Cause::Change);
        }
    })?;
    watcher.watch(&folder, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}
