//! `briefing` turns the day's dump of Korean news articles into a morning email.
//!
//! The pipeline, one module per stage: [`fetch`] gets the newest dump (a file, a folder
//! or an `http(s)` URL) of each source and decodes it; [`feed`] reads each source in
//! its format (a dump through [`dump`], JSON lines, RSS, Atom) into [`dump::Article`]s;
//! [`merge`] tells which articles report one event, so that the briefing tells each
//! story once (its best-written article, the others named and linked) and only names
//! a story the last briefings told; [`rank`] orders the stories; [`summary`] picks the
//! key lines of each story's lead ([`split`] cuts Korean text into sentences, [`score`]
//! rates each by keyword and number density, [`select`] picks); [`digest`] renders the
//! briefing with handlebars; [`deliver`] sends one message per recipient over SMTP (or
//! into an outbox folder) and [`ledger`] records what went out; [`job`] is that run
//! once, [`schedule`] every morning. [`config`] reads `config.toml`, [`cli`] and [`cmd`]
//! are the command line. ARCHITECTURE.md has the layers: which module may use which.
//!
//! # Layout
//! In pipeline order; every module of `src/` is here (`tests/tidy.rs` checks it).
//! ```text
//! fetch.rs     file / newest in folder / URL -> decoded text; the kept copy of a URL
//! dump.rs      text -> Vec<Article>: the article every stage reads
//! feed.rs      one source's text (dump, JSON lines, RSS, Atom) -> Vec<Article>
//! day.rs       the sources a day's briefing is built from, kept; the last days' articles
//! merge.rs     one story told once: which articles report the same event
//! rank.rs      the day's stories in an editor's order
//! split/       text -> sentences (Korean rules)
//! score.rs     sentence features: keyword and number density; the idf
//! figure.rs    figures as a reader reads them: a number whole with its unit
//! select/      key lines per article
//! summary.rs   the key lines of every story's lead
//! glance.rs    the day at a glance: the day's keywords and figures
//! digest.rs    Digest -> subject, text and HTML (handlebars)
//! archive.rs   every delivered briefing, kept as its web page
//! deliver.rs   lettre messages, SMTP or outbox transport
//! ledger.rs    what was delivered to whom
//! suppress.rs  who unsubscribed: the suppression list every send honours
//! job/         the morning run once: build.rs the day, deliver.rs it, report.rs it
//! schedule.rs  the daemon: each group on its schedule, catch-up, live config reload
//! status.rs    where each briefing stands, from the ledger alone
//! web/         `run --listen`: send, preview, status, health, one-click unsubscribe
//! cli.rs       the command-line contract (clap)
//! cmd/         one file per command, each a short list of pipeline steps
//! config/      config.toml -> Config, a file per section; errors with file, line and key
//! clock.rs     the one place that reads the wall clock
//! durable.rs   crash-safe file writes
//! report.rs    what a person reads: an error as one line, plurals, redacted URLs
//! retry.rs     what may pass, and the one backoff of every retry
//! ```

pub mod archive;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod day;
pub mod deliver;
pub mod digest;
pub mod dump;
pub mod durable;
pub mod feed;
pub mod fetch;
pub mod figure;
pub mod glance;
pub mod job;
pub mod ledger;
pub mod merge;
pub mod rank;
pub mod report;
pub mod retry;
pub mod schedule;
pub mod score;
pub mod select;
pub mod split;
pub mod status;
pub mod summary;
pub mod suppress;
pub mod web;
