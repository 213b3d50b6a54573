//! The `briefing` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line, not a trace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("briefing: internal error ({info}); please report it");
    }));
    let cli = briefing::cli::Cli::parse();
    briefing::cmd::init_tracing(&cli);
    match briefing::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let line = briefing::cmd::one_line(err.as_ref());
            eprintln!("briefing: {line}");
            ExitCode::FAILURE
        }
    }
}
