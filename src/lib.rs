//! `briefing` turns the day's dump of Korean news articles into a morning email.
//!
//! The pipeline, one module per stage: [`fetch`] gets the newest dump (a file, a folder
//! or an `http(s)` URL) of each source and decodes it; [`feed`] reads each source in
//! its format (a dump through [`dump`], JSON lines, RSS, Atom) into [`dump::Article`]s;
//! [`split`] cuts Korean text into sentences; [`score`] rates each sentence by keyword
//! density and number density; [`select`] picks the key lines of each article;
//! [`merge`] tells which articles report one event, so that the briefing tells each
//! story once (its best-written article, the others named and linked) and only names
//! a story the last briefings told; [`digest`] renders the briefing with handlebars; [`deliver`] sends one message per recipient over
//! SMTP (or into an outbox folder) and [`ledger`] records what went out; [`schedule`]
//! runs the whole job every morning. [`config`] reads `config.toml`, [`cli`] and [`cmd`]
//! are the command line.
//!
//! # Layout
//! ```text
//! cli.rs       the command-line contract (clap)
//! cmd/         one file per command, each a short list of pipeline steps
//! config.rs    config.toml -> Config, errors with file, line and key
//! fetch.rs     file / newest in folder / URL -> decoded text
//! dump.rs      text -> Vec<Article>
//! feed.rs      one source's text (dump, JSON lines, RSS, Atom) -> Vec<Article>
//! split.rs     text -> sentences (Korean rules)
//! score.rs     sentence features: keyword and number density
//! select.rs    key lines per article
//! digest.rs    Digest -> subject, text and HTML (handlebars)
//! glance.rs    the day at a glance: the day's keywords and figures
//! merge.rs     one story told once: which articles report the same event
//! deliver.rs   lettre messages, SMTP or outbox transport
//! ledger.rs    what was delivered to whom
//! schedule.rs  the daemon: each group on its schedule, catch-up, live config reload
//! day.rs       the dump a day's briefing is built from, kept once delivery starts
//! clock.rs     the one place that reads the wall clock
//! durable.rs   crash-safe file writes
//! suppress.rs  who unsubscribed: the suppression list every send honours
//! web/        `run --listen`: send, preview, status, health, one-click unsubscribe
//! ```

// Output goes through `cmd::write_stdout` and `cmd::stderr_line`, which end quietly on
// a closed pipe (`| head`) where `println!` and `eprintln!` panic.
#![deny(clippy::print_stdout, clippy::print_stderr)]

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
