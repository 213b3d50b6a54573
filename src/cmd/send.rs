//! `briefing send`: the manual trigger.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{load_config, named_group, stderr_line, write_stdout, EXIT_INCOMPLETE};
use crate::config::parse_mailbox;
use crate::job::{self, Options, Progress};
use crate::schedule::signals;

/// How `send` shows what it does, besides the log.
#[derive(Debug, Clone, Copy)]
pub struct Feedback {
    /// The report as JSON on stdout instead of text.
    pub json: bool,
    /// No progress bar (`--quiet`).
    pub quiet: bool,
}

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    dry_run: bool,
    to: Option<&str>,
    force: bool,
    group: Option<&str>,
    feedback: Feedback,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    if let Some(name) = group {
        named_group(&config, name)?;
    }
    let to = to
        .map(|t| parse_mailbox(t).map_err(|e| anyhow::anyhow!("--to: {e}")))
        .transpose()?;
    let stop = AtomicBool::new(false);
    let bar = Bar::default();
    let on_terminal = !feedback.quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
    let opts = Options {
        dump,
        dry_run,
        to,
        force,
        group,
        stop: Some(&stop),
        progress: on_terminal.then_some(&bar as &dyn Progress),
    };
    // On SIGINT/SIGTERM the messages in flight finish (or are recorded as failed) and no
    // new one starts, so the ledger stays true and a rerun completes the briefing.
    let job = job::send(&config, &opts);
    tokio::pin!(job);
    let report = tokio::select! {
        report = &mut job => report,
        () = signals() => {
            tracing::warn!("shutting down: finishing the messages in flight, starting no other");
            stop.store(true, Ordering::SeqCst);
            job.await
        }
    };
    bar.finish();
    let report = match report {
        Ok(report) => report,
        // Stopped before delivery: nobody got anything, and a rerun does it all.
        Err(e) if e.is_shutdown() => {
            stderr_line(format_args!("briefing: {e}"));
            return Ok(ExitCode::from(EXIT_INCOMPLETE));
        }
        Err(e) => return Err(e.into()),
    };
    write_stdout(|out| match feedback.json {
        true => writeln!(out, "{}", report.to_json()),
        false => write!(out, "{report}"),
    })?;
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INCOMPLETE)
    })
}

/// The group's bar while it delivers; log lines are drawn above it ([`above_bar`]).
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Writes a log line above the progress bar, if one is drawn, so that neither garbles
/// the other.
pub(super) fn above_bar(write: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
    let bar = BAR.lock().ok().and_then(|b| b.clone());
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// `send`'s progress on a terminal: one bar per group, `morning [====  ] 3/5: 2
/// delivered, 1 failed`; a finished group's bar stays as its line.
#[derive(Debug, Default)]
struct Bar {
    delivered: AtomicUsize,
    failed: AtomicUsize,
}

impl Bar {
    fn finish(&self) {
        if let Some(bar) = BAR.lock().ok().and_then(|mut b| b.take()) {
            bar.finish();
            // The finished bar stays as the group's line; indicatif leaves the cursor
            // at its end, where the next line would start.
            stderr_line("");
        }
    }
}

impl Progress for Bar {
    fn group(&self, name: &str, to_send: usize) {
        self.finish();
        self.delivered.store(0, Ordering::SeqCst);
        self.failed.store(0, Ordering::SeqCst);
        let bar = ProgressBar::with_draw_target(Some(to_send as u64), ProgressDrawTarget::stderr())
            .with_prefix(name.to_string())
            .with_message("0 delivered");
        // The template is a constant: an Err would be a typo here, caught by any run.
        if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len}: {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        if let Ok(mut current) = BAR.lock() {
            *current = Some(bar);
        }
    }

    fn outcome(&self, delivered: bool) {
        let counter = if delivered {
            &self.delivered
        } else {
            &self.failed
        };
        counter.fetch_add(1, Ordering::SeqCst);
        let (ok, failed) = (
            self.delivered.load(Ordering::SeqCst),
            self.failed.load(Ordering::SeqCst),
        );
        if let Some(bar) = BAR.lock().ok().and_then(|b| b.clone()) {
            bar.inc(1);
            bar.set_message(match failed {
                0 => format!("{ok} delivered"),
                n => format!("{ok} delivered, {n} failed"),
            });
        }
    }
}
