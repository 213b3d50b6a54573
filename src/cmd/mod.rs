//! One function per command; each reads as the list of pipeline steps it runs.

mod pick;
mod split;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Logs go to stderr so that stdout stays the command's output.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "briefing=info",
        1 => "briefing=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Runs one command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Split { file } => split::run(file.as_deref()),
        Command::Pick { config, jsonl, k } => pick::run(&config.config, &jsonl, k),
        other => anyhow::bail!("{other:?}: not built yet"),
    }
}
