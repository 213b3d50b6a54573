//! One integration binary (as ripgrep does): every test drives the real `briefing`
//! binary against real servers on 127.0.0.1.

mod support;

mod bigday;
mod cli;
mod clock_ledger;
mod crash;
mod daemon;
mod day;
mod editor;
mod email;
mod fetch;
mod hardening;
mod key_lines;
mod list;
mod mail;
mod merge;
mod outbox;
mod pipes;
mod props;
mod schedule;
mod secrets;
mod sources;
mod stories;
mod tidy;
mod web;
