//! The `briefing` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic is a bug, but the user still gets one line, not a trace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("briefing: internal error ({info}); please report it");
    }));
    let cli = briefing::cli::Cli::parse();
    briefing::cmd::init_tracing(cli.verbose);
    match briefing::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One line: the outermost context, then each cause after a colon. Many
            // messages already end with their source's own: say each cause once.
            let mut line = String::new();
            for cause in err.chain().map(|e| e.to_string()) {
                if !line.ends_with(&cause) {
                    if !line.is_empty() {
                        line.push_str(": ");
                    }
                    line.push_str(&cause);
                }
            }
            eprintln!("briefing: {line}");
            ExitCode::FAILURE
        }
    }
}
