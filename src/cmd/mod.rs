//! One function per command; each reads as the list of pipeline steps it runs.

mod check;
mod explain;
mod pick;
mod preview;
mod send;
mod split;
mod status;
mod subscription;
mod summarize;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, LogFormat};
use crate::config::Config;
use crate::suppress::Request;

/// Exit code of a `send` that left some recipient without the briefing.
pub const EXIT_INCOMPLETE: u8 = 2;

/// The zone of log timestamps: `[schedule] timezone` of the config the command loaded
/// (the first, for a daemon that reloads), so that a log line and the briefing it
/// reports on tell the same time. Until then, and for commands without a config, the
/// default zone of the config.
static LOG_ZONE: std::sync::OnceLock<chrono_tz::Tz> = std::sync::OnceLock::new();

/// Log timestamps in [`LOG_ZONE`] with their offset (`2025-09-07T07:00:00.000+09:00`),
/// from [`crate::clock::now`]: a pinned run logs its pinned time.
struct ZoneTime;

impl tracing_subscriber::fmt::time::FormatTime for ZoneTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        let zone = LOG_ZONE.get().copied().unwrap_or(chrono_tz::Asia::Seoul); // the config's default
        let now = crate::clock::now().with_timezone(&zone);
        write!(w, "{}", now.format("%Y-%m-%dT%H:%M:%S%.3f%:z"))
    }
}

/// What each `-v` adds. Other crates stay at warnings unless `RUST_LOG` asks: at debug
/// level hyper, rustls and h2 write hundreds of lines a run.
fn log_filter(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "warn,briefing=info",
        (false, 1) => "warn,briefing=debug",
        (false, _) => "warn,briefing=trace",
    }
}

/// Logs go to stderr so that stdout stays the command's output, one event per line.
pub fn init_tracing(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(log_filter(cli.verbose, cli.quiet)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LogWriter)
        // On by default: a failed write is then reported with `eprintln!`, which panics
        // when stderr is a closed pipe, aborting a send or the daemon over a log line.
        .log_internal_errors(false)
        .with_timer(ZoneTime);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder
            .with_ansi(colour_on_stderr())
            .with_target(false)
            .init(),
    }
}

/// stderr, above `send`'s progress bar when one is drawn.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // One call per event: the formatter hands over the whole line at once.
        send::above_bar(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Colour only for a person at a terminal; https://no-color.org: any value
/// of `NO_COLOR` turns colour off.
fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Runs one command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let config = cli.config.config;
    crate::clock::check().map_err(anyhow::Error::msg)?;
    // reqwest and lettre are built on rustls without a default provider (to avoid
    // building aws-lc); an Err only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli.command {
        Command::Split { file } => split::run(file.as_deref()),
        Command::Pick { jsonl, k, features } => pick::run(&config, &jsonl, k, features),
        Command::Check => check::run(&config),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Unsubscribe { target } => {
            subscription::run(&config, Request::Unsubscribe, &target)
        }
        Command::Resubscribe { target } => {
            subscription::run(&config, Request::Resubscribe, &target)
        }
        Command::Status { days, format } => status::run(&config, usize::from(days), format),
        Command::Send {
            dump,
            dry_run,
            to,
            force,
            group,
            json,
        } => block_on(send::run(
            &config,
            dump.dump.as_deref(),
            dry_run,
            to.as_deref(),
            force,
            group.as_deref(),
            send::Feedback {
                json,
                quiet: cli.quiet,
            },
        ))?,
        Command::Preview { dump, group, out } => block_on(preview::run(
            &config,
            dump.dump.as_deref(),
            group.as_deref(),
            out.as_deref(),
        ))?,
        Command::Summarize { dump, format } => {
            block_on(summarize::run(&config, dump.dump.as_deref(), format))?
        }
        Command::Explain {
            dump,
            article,
            day,
            merges,
            pairs,
        } => match (merges, pairs) {
            (true, Some(pairs)) => explain::pairs(&config, &pairs),
            _ => block_on(explain::run(
                &config,
                dump.dump.as_deref(),
                article,
                day,
                merges,
            ))?,
        },
        Command::Run { listen } => {
            let path = config;
            let config = load_config(&path)?;
            block_on(daemon(&path, &config, listen))??;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `briefing completions SHELL`: the shell's completion script.
fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics on a failed write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "briefing", &mut script);
    write_stdout(|out| out.write_all(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// `briefing man`: the manual page, roff.
fn man() -> Result<ExitCode> {
    let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
    write_stdout(|out| man.render(out))?;
    Ok(ExitCode::SUCCESS)
}

/// `briefing run`: the scheduler until SIGINT or SIGTERM, with the web endpoint beside
/// it when `--listen` asks, sharing its run mutex and stop flag.
async fn daemon(path: &Path, config: &Config, listen: Option<SocketAddr>) -> Result<()> {
    crate::schedule::run(
        path,
        config,
        crate::schedule::signals(),
        |daemon| async move {
            match listen {
                Some(addr) => crate::web::start(config, addr, daemon).await.map(Some),
                None => Ok(None),
            }
        },
    )
    .await
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

/// Writes a command's output through one buffered lock of stdout: every command's
/// output goes through here (the crate denies `print!`). A reader that stops early
/// (`| head`) ends the output quietly, with the command's own exit code, not the
/// program with `println!`'s panic. SIGPIPE stays ignored, as Rust sets it: with its
/// default action a web client or an SMTP server closing its socket during a write
/// (hyper writes with `writev`, which raises it) would kill the daemon.
fn write_stdout(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// Writes one line to stderr for the person at the terminal. A line nobody can read
/// any more (stderr a closed pipe, as in `2>&1 | head`) is dropped: `eprintln!` would
/// panic there, and the panic's own message would abort the program.
pub fn stderr_line(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
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
    let config = Config::from_file(path)?;
    // Only the first config sets it; an Err means it is set already.
    let _ = LOG_ZONE.set(config.schedule.timezone);
    Ok(config)
}
