//! One function per command; each reads as the list of pipeline steps it runs.

mod check;
mod explain;
mod pick;
mod preview;
mod send;
mod split;
pub(crate) mod status;
mod subscription;
mod summarize;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::suppress::Request;

/// Exit code of a `send` that left some recipient without the briefing.
pub const EXIT_INCOMPLETE: u8 = 2;

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
        // https://no-color.org: any value turns colour off.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .init();
}

/// Runs one command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    crate::clock::check().map_err(anyhow::Error::msg)?;
    // reqwest and lettre are built on rustls without a default provider (to avoid
    // building aws-lc); an Err only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli.command {
        Command::Split { file } => split::run(file.as_deref()),
        Command::Pick {
            config,
            jsonl,
            k,
            features,
        } => pick::run(&config.config, &jsonl, k, features),
        Command::Check { config } => check::run(&config.config),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a failed write (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "briefing", &mut script);
            write_stdout(|out| out.write_all(&script))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            write_stdout(|out| man.render(out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Unsubscribe { config, target } => {
            subscription::run(&config.config, Request::Unsubscribe, &target)
        }
        Command::Resubscribe { config, target } => {
            subscription::run(&config.config, Request::Resubscribe, &target)
        }
        Command::Status {
            config,
            days,
            format,
        } => status::run(&config.config, usize::from(days), format),
        Command::Send {
            config,
            dump,
            dry_run,
            to,
            force,
            group,
        } => block_on(send::run(
            &config.config,
            dump.dump.as_deref(),
            dry_run,
            to.as_deref(),
            force,
            group.as_deref(),
        ))?,
        Command::Preview {
            config,
            dump,
            group,
            out,
        } => block_on(preview::run(
            &config.config,
            dump.dump.as_deref(),
            group.as_deref(),
            out.as_deref(),
        ))?,
        Command::Summarize {
            config,
            dump,
            format,
        } => block_on(summarize::run(&config.config, dump.dump.as_deref(), format))?,
        Command::Explain {
            config,
            dump,
            article,
            day,
            merges,
            pairs,
        } => match (merges, pairs) {
            (true, Some(pairs)) => explain::pairs(&config.config, &pairs),
            _ => block_on(explain::run(
                &config.config,
                dump.dump.as_deref(),
                article,
                day,
                merges,
            ))?,
        },
        Command::Run { config, listen } => {
            let path = config.config;
            let config = load_config(&path)?;
            block_on(crate::schedule::run(
                &path,
                &config,
                listen,
                crate::schedule::signals(),
            ))??;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `work` on a new runtime. A build abandoned by a shutdown may still be running
/// on a blocking thread: the process does not wait for it.
fn block_on<F: std::future::Future>(work: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let out = runtime.block_on(work);
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(out)
}

/// An error as one line: the outermost message, then each cause after a colon. Many
/// messages already end with their source's own: each cause is said once.
pub fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let cause = e.to_string();
        if !line.ends_with(&cause) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&cause);
        }
        next = e.source();
    }
    line
}

/// Writes a command's output through one buffered lock of stdout. A reader that
/// stops early (`| head`) ends the output, not the program with a panic.
fn write_stdout(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// The group `--group NAME` names, or an error that lists the groups there are.
fn named_group<'a>(config: &'a Config, name: &str) -> Result<&'a crate::config::Group> {
    config.group(name).with_context(|| {
        let names: Vec<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
        format!(
            "--group {name}: no such group in {} (groups: {})",
            config.path.display(),
            names.join(", ")
        )
    })
}

fn load_config(path: &Path) -> Result<Config> {
    Ok(Config::from_file(path)?)
}
