//! The `briefing` binary: parse the command line, run it, map the outcome to an exit code.

// Output goes through `cmd::write_stdout` and `cmd::stderr_line`, which end quietly on
// a closed pipe where `println!` and `eprintln!` panic.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use briefing::cmd::stderr_line;
use clap::Parser;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line, not a trace.
    std::panic::set_hook(Box::new(|info| {
        stderr_line(format_args!(
            "briefing: internal error ({info}); please report it"
        ));
    }));
    let cli = briefing::cli::Cli::parse();
    briefing::cmd::init_tracing(&cli);
    match briefing::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let line = briefing::report::one_line(err.as_ref());
            stderr_line(format_args!("briefing: {line}"));
            ExitCode::FAILURE
        }
    }
}
