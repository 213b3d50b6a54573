//! The morning job, end to end: fetch, parse, summarize, render per group, deliver per
//! recipient, record. `briefing send` runs it once; the daemon runs it on the schedule.
//!
//! One file per part of the run: `build` makes the day (every group's briefing from one
//! set of sources), `deliver` sends it and records each message in the ledger, `report`
//! says what happened. This module holds what they share: the options, the error that
//! tells the scheduler whether a retry can help, and [`send`], the run itself.

mod build;
mod deliver;
mod report;

use std::fmt;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use chrono::NaiveDate;
use lettre::message::Mailbox;

use crate::clock;
use crate::config::Config;
use crate::deliver::DeliverError;
use crate::fetch;
use crate::ledger::{self, LedgerError};
use crate::retry::is_passing;
use crate::suppress::{SuppressError, Suppressed};

pub use build::{
    add_footer, build_day, gather, leads_for, load, prepare, render_group, Day, Edition, Gathered,
    Loaded, Sources,
};
pub use deliver::give_up_deferred;
pub use report::{GroupReport, Report};

/// How one run was asked to behave.
#[derive(Debug, Default)]
pub struct Options<'a> {
    /// Overrides `[source] location`.
    pub dump: Option<&'a str>,
    /// Build and report, deliver nothing (whatever else is asked).
    pub dry_run: bool,
    /// Send one test copy of the first group's briefing here, and record nothing.
    pub to: Option<Mailbox>,
    /// Send again to recipients already delivered today.
    pub force: bool,
    /// Only this group (checked to exist by the caller); with `to`, the test copy's.
    pub group: Option<&'a str>,
    /// Set by a shutdown: end the current stage, start no other message.
    pub stop: Option<&'a AtomicBool>,
    /// Told of each outcome as it comes in, for `send`'s progress bar on a terminal.
    pub progress: Option<&'a dyn Progress>,
}

/// Watches a delivery as it goes; the [`Report`] at the end says the same in full.
pub trait Progress: fmt::Debug + Sync {
    /// A group's delivery starts, with this many messages to send.
    fn group(&self, name: &str, to_send: usize);
    /// One message has an outcome: delivered, or not (failed or deferred).
    fn outcome(&self, delivered: bool);
}

/// Why a run did not happen, shaped like lettre's error: the scheduler asks
/// [`Error::is_transient`] instead of reading the message.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    inner: anyhow::Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    /// May go through later: the dump server is down, another send holds the lock, or a
    /// local cause that passes ([`is_passing`]: no file descriptor or memory left for a
    /// moment, a full disk).
    Transient,
    /// Will fail the same way until someone changes the config, the templates or the
    /// files.
    Permanent,
    /// A shutdown signal ended the run before delivery.
    Shutdown,
}

impl Error {
    /// Worth another run within `schedule.catch_up`.
    pub fn is_transient(&self) -> bool {
        self.kind == ErrorKind::Transient
    }

    /// No retry will help until something is fixed.
    pub fn is_permanent(&self) -> bool {
        self.kind == ErrorKind::Permanent
    }

    /// The run was ended by SIGINT/SIGTERM: nothing failed.
    pub fn is_shutdown(&self) -> bool {
        self.kind == ErrorKind::Shutdown
    }

    /// Another send (`briefing send`) holds the state dir's lock: the web endpoint
    /// answers 409, as for its own send in progress.
    pub fn is_busy(&self) -> bool {
        self.inner.chain().any(|e| {
            e.downcast_ref::<LedgerError>()
                .is_some_and(LedgerError::is_busy)
        })
    }

    fn shutdown(stage: &str) -> Error {
        Error {
            kind: ErrorKind::Shutdown,
            inner: anyhow::anyhow!("shut down while {stage}; nothing was sent"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

/// Every stage's error becomes a job error here; the typed errors beneath it decide
/// whether a retry can help, so the decision made in `fetch` (5xx, timeouts) and the
/// operating system's own word on a file (a busy lock, too many open files, a full
/// disk: [`is_passing`]) reach the scheduler intact. Only types are read, never a
/// message's wording.
impl From<anyhow::Error> for Error {
    fn from(inner: anyhow::Error) -> Error {
        let transient = inner.chain().any(|e| {
            e.downcast_ref::<fetch::FetchError>()
                .is_some_and(fetch::FetchError::is_transient)
                || e.downcast_ref::<std::io::Error>().is_some_and(is_passing)
        });
        let kind = match transient {
            true => ErrorKind::Transient,
            false => ErrorKind::Permanent,
        };
        Error { kind, inner }
    }
}

macro_rules! job_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                anyhow::Error::from(e).into()
            }
        }
    )*};
}

job_error_from!(
    fetch::FetchError,
    LedgerError,
    DeliverError,
    crate::digest::DigestError,
    crate::dump::DumpError,
    ledger::DateError,
    SuppressError
);

/// Runs the morning job once.
pub async fn send(config: &Config, opts: &Options<'_>) -> Result<Report, Error> {
    let date = run_date(config, opts);
    ledger::check_clock(&config.state_dir, date)?;
    // A test copy shows the whole dump; the groups get only what they have not seen.
    let day = prepare(config, opts.dump, date, opts.to.is_some(), opts.stop).await?;
    let mut report = Report::of(&day, opts.dry_run);
    // Read once, before the first message: a request made during the run counts from
    // the next one.
    let suppressed = Suppressed::load(&config.state_dir)?;
    for line in &suppressed.unreadable {
        tracing::warn!("{line}");
    }
    report
        .unreadable_suppressions
        .clone_from(&suppressed.unreadable);
    match &opts.to {
        Some(to) => {
            deliver::send_test_copy(config, &day, opts, to, &suppressed, &mut report).await?;
        }
        None => deliver::deliver_day(config, &day, opts, &suppressed, &mut report).await?,
    }
    Ok(report)
}

/// The date of a run. One group's run is dated in its zone, as the daemon's runs of it
/// are, so that `send --group` sends the briefing `status` calls missed.
fn run_date(config: &Config, opts: &Options<'_>) -> NaiveDate {
    let zone = opts.group.and_then(|g| config.group(g));
    clock::today(zone.map_or(config.schedule.timezone, |g| g.schedule.timezone))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Told by the kind and the OS error number, whatever the message says: a message
    /// that reads like EMFILE is not one.
    #[test]
    fn passing_local_causes_are_told_by_their_os_error_not_their_message() {
        use std::io::{Error as Io, ErrorKind};
        for n in [
            libc::EMFILE,
            libc::ENFILE,
            libc::ENOMEM,
            libc::ENOSPC,
            libc::EDQUOT,
            libc::EBUSY,
            libc::EWOULDBLOCK,
        ] {
            assert!(is_passing(&Io::from_raw_os_error(n)), "errno {n}");
        }
        for n in [libc::EACCES, libc::ENOENT, libc::EROFS, libc::EISDIR] {
            assert!(!is_passing(&Io::from_raw_os_error(n)), "errno {n}");
        }
        assert!(is_passing(&Io::from(ErrorKind::OutOfMemory)));
        assert!(!is_passing(&Io::other("Too many open files (os error 24)")));

        let ledger = |n| LedgerError {
            path: "/srv/briefing/state/ledger".into(),
            source: Io::from_raw_os_error(n),
        };
        let err = Error::from(anyhow::Error::from(ledger(libc::EMFILE)).context("the run"));
        assert!(err.is_transient() && !err.is_busy(), "{err}");
        assert!(Error::from(ledger(libc::EACCES)).is_permanent());
        let full = DeliverError::Local {
            what: "cannot write to the outbox /srv/outbox".into(),
            source: Io::from_raw_os_error(libc::ENOSPC),
        };
        assert!(full.is_transient() && full.stops_run() && !full.blames_recipient());
        assert!(Error::from(full).is_transient());
        let denied = SuppressError::Io {
            path: "/srv/briefing/state/suppressed.jsonl".into(),
            source: Io::from_raw_os_error(libc::EACCES),
        };
        assert!(Error::from(denied).is_permanent());
    }
}
