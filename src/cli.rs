//! The command line. Other tools script against these names and flags, so they are a
//! contract: add, don't rename.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Turn the day's Korean news dump into a morning email briefing.
#[derive(Debug, Parser)]
#[command(name = "briefing", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArg,

    /// Log more: `-v` one line per delivery, `-vv` the program's own detail (other
    /// crates stay at warnings); `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only warnings and errors on stderr, and no progress bar.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// How log lines look: `text` for a person, `json` (one object per line) for
    /// journald or a log shipper.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the configuration lives. Global, so that it goes before or after the
/// subcommand, as an operator's shell history or a unit file happens to have it.
#[derive(Debug, clap::Args)]
pub struct ConfigArg {
    /// The configuration file. Relative paths inside it are resolved from its folder.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "BRIEFING_CONFIG",
        default_value = "config.toml"
    )]
    pub config: PathBuf,
}

/// Where the dump comes from, overriding `[source] location`.
#[derive(Debug, clap::Args)]
pub struct DumpArg {
    /// A dump file, a folder (its newest dump) or an http(s) URL.
    #[arg(long)]
    pub dump: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build today's briefing now and deliver it to every group.
    Send {
        #[command(flatten)]
        dump: DumpArg,
        /// Build and report, deliver nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send one test copy to this address only (recorded nowhere).
        #[arg(long, value_name = "ADDR")]
        to: Option<String>,
        /// Send again to recipients who already have today's briefing (with
        /// `--dry-run`: report who would get it again, send nothing).
        #[arg(long, conflicts_with = "to")]
        force: bool,
        /// Only this group (with `--to`: the group whose briefing the test copy is;
        /// default: the first group in the file).
        #[arg(long)]
        group: Option<String>,
        /// Print the report as JSON (the answer of `POST /send`), for a script.
        #[arg(long)]
        json: bool,
    },
    /// Render the briefing without sending it.
    Preview {
        #[command(flatten)]
        dump: DumpArg,
        /// The group whose filters apply (default: the first group in the file).
        #[arg(long)]
        group: Option<String>,
        /// Write the HTML part here instead of printing the text part.
        #[arg(long, value_name = "FILE.html")]
        out: Option<PathBuf>,
    },
    /// Print the key lines of every article.
    Summarize {
        #[command(flatten)]
        dump: DumpArg,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Split documents into sentences: one document per input line, one sentence per
    /// output line, an empty line after each document.
    Split {
        /// Read this file instead of standard input.
        file: Option<PathBuf>,
    },
    /// Show every sentence of an article with its score and the parts of that score.
    Explain {
        #[command(flatten)]
        dump: DumpArg,
        /// The article (1-based, in dump order); all articles when omitted.
        #[arg(long, conflicts_with = "day")]
        article: Option<usize>,
        /// The day at a glance instead: the keywords and figures, and why each was chosen.
        #[arg(long)]
        day: bool,
        /// Which articles tell one story instead: each merge with its score and the
        /// shared terms, the near misses under `[merge] threshold`, and the stories
        /// that repeat one of the last briefings.
        #[arg(long, conflicts_with_all = ["day", "article"])]
        merges: bool,
        /// With `--merges`: score the pairs of this JSON-lines file
        /// (`{"id","same","a":{"title","body"},"b":{…}}`) instead, for
        /// `scripts/eval-merge`.
        #[arg(long, value_name = "FILE", requires = "merges", hide = true)]
        pairs: Option<PathBuf>,
    },
    /// Pick key lines for pre-split articles: reads JSON lines
    /// `{"id":…,"sentences":[…],"title":…}`, writes `{"id":…,"picked":[…]}`.
    Pick {
        /// The JSON-lines file (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        jsonl: PathBuf,
        /// How many lines to pick (default: `[summary] lines_per_article`).
        #[arg(long)]
        k: Option<usize>,
        /// Write each article's feature vectors instead of picks, for
        /// `scripts/fit-summary`.
        #[arg(long, hide = true)]
        features: bool,
    },
    /// Run as a daemon: send each group its briefing on its schedule (`[groups.NAME] cron`,
    /// else `[schedule]`), reloading the config on SIGHUP or a change, until SIGINT/SIGTERM.
    Run {
        /// Also serve the web endpoint here (POST /send, GET /preview, /status, /health,
        /// /unsubscribe); loopback only unless `[web] allow_remote = true`.
        #[arg(long, value_name = "IP:PORT")]
        listen: Option<std::net::SocketAddr>,
    },
    /// Show the last briefings from the ledger: per group, who has it, who is pending
    /// and who failed, with the last error.
    Status {
        /// How many briefings (days), newest first.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
        days: u16,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Stop sending the briefing to ADDR (every group, or one): for the requests that
    /// arrive at `[mail] unsubscribe`. Recorded in `[state] dir/suppressed.jsonl`.
    Unsubscribe {
        #[command(flatten)]
        target: SubscriptionArgs,
    },
    /// Undo `unsubscribe`: ADDR gets the briefing again (every group, or one).
    Resubscribe {
        #[command(flatten)]
        target: SubscriptionArgs,
    },
    /// Validate the configuration and the templates.
    Check,
    /// Print a shell completion script (e.g. `briefing completions bash >
    /// /etc/bash_completion.d/briefing`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `briefing man > /usr/local/share/man/man1/briefing.1`.
    Man,
}

/// Whose subscription, to what.
#[derive(Debug, clap::Args)]
pub struct SubscriptionArgs {
    /// The address, as in the recipient list (`user@host`).
    #[arg(value_name = "ADDR")]
    pub address: String,
    /// Only this group (default: every group).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
