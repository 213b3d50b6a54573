//! One integration binary (as ripgrep does): every test drives the real `briefing`
//! binary against real servers on 127.0.0.1.

mod support;

mod cli;
mod crash;
mod daemon;
mod fetch;
mod mail;
mod props;
