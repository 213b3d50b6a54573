//! The `briefing` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use briefing::cmd::stderr_line;
use clap::Parser;

fn main() -> ExitCode {
    fixed_mmap_threshold();
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

/// glibc moves its mmap threshold up to the size of the largest block freed, up to 32
/// MiB, and trims its heap only past twice that: once a dump of that size is freed,
/// what the build allocates and frees stays with the process (a 30 MB day's `send`
/// peaked at 114 MB, 90 MB without). Set once, the threshold stays at glibc's default
/// of 128 KiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fixed_mmap_threshold() {
    // SAFETY: mallopt sets a parameter of the allocator, here before any other thread
    // exists; on failure (it returns 0) the allocator keeps its own threshold.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fixed_mmap_threshold() {}
