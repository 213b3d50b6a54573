//! Output into a pipe the reader has closed (`| head -c1`, `2>&1 | head`, a log reader
//! that died): every command ends quietly, with its own exit code, never with a panic
//! (exit 101) or an abort.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support::{sample, Project};

/// Exit code of a Rust panic.
const PANICKED: i32 = 101;

/// A pipe whose reader is gone before the command starts: its first write fails.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// Runs `cmd` with stdout (and `stderr_too`, stderr) a closed pipe; the exit status and
/// whatever stderr said, if it was not closed.
fn into_closed_pipe(cmd: &mut Command, stderr_too: bool) -> (ExitStatus, String) {
    cmd.stdin(Stdio::null()).stdout(closed_pipe());
    match stderr_too {
        true => cmd.stderr(closed_pipe()),
        false => cmd.stderr(Stdio::piped()),
    };
    let out = cmd.output().expect("the briefing binary runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `… | head -c1`, `tries` times: the reader takes one byte and closes the pipe. No
/// try panics, whatever point the writer had reached.
fn read_one_byte_then_close(p: &Project, args: &[&str], tries: usize) {
    for n in 0..tries {
        let mut child = p
            .cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the briefing binary runs");
        let mut stdout = child.stdout.take().expect("piped");
        let mut byte = [0u8; 1];
        stdout.read_exact(&mut byte).expect("one byte of output");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(PANICKED),
            "{args:?}, try {n}: {stderr}"
        );
        assert!(out.status.success(), "{args:?}, try {n}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("internal error"),
            "{args:?}, try {n}: {stderr}"
        );
    }
}

/// `status | head -c1` and `summarize --format json | head -c1`, 50 times each. The
/// status is larger than a pipe holds (3,000 recipients waiting), so every try meets
/// the closed pipe mid-output, as `status --format json | head -1` did in 6 of 20 tries
/// with the old `println!`.
#[test]
fn status_and_summarize_into_a_pipe_closed_after_one_byte_never_panic() {
    let recipients: Vec<String> = (0..3000)
        .map(|n| format!("\"reader{n}@example.com\""))
        .collect();
    let groups = format!("[groups.many]\nrecipients = [{}]\n", recipients.join(", "));
    let p = Project::with_groups("", &groups);
    let (out, status, _) = p.run(&["status"]);
    assert!(out.status.success());
    assert!(status.len() > 128 * 1024, "{} bytes", status.len());
    for format in ["text", "json"] {
        read_one_byte_then_close(&p, &["status", "--format", format], 50);
    }
    read_one_byte_then_close(&Project::new(""), &["summarize", "--format", "json"], 50);
}

/// Every command with stdout a closed pipe: its exit code as if the output had been
/// read (the first write fails, so this does not depend on timing).
#[test]
fn every_command_ends_quietly_when_stdout_is_a_closed_pipe() {
    let p = Project::new("");
    let jsonl = p.path("in.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"a\",\"title\":\"버스 노선 신설\",\"sentences\":[\"시는 노선 세 개를 새로 만든다고 밝혔다.\",\"배차 간격은 8분이다.\"]}\n",
    )
    .unwrap();
    let sample = sample().display().to_string();
    let jsonl = jsonl.display().to_string();
    let commands: [&[&str]; 16] = [
        &["status"],
        &["status", "--format", "json"],
        &["check"],
        &["preview"],
        &["summarize"],
        &["summarize", "--format", "json"],
        &["explain", "--day"],
        &["explain", "--article", "1"],
        &["split", &sample],
        &["pick", "--jsonl", &jsonl],
        &["unsubscribe", "nobody@example.com", "--group", "morning"],
        &["send", "--dry-run"],
        &["send", "--dry-run", "--json"],
        &["man"],
        &["completions", "bash"],
        &["--help"],
    ];
    for args in commands {
        let (status, stderr) = into_closed_pipe(&mut p.cmd(args), false);
        assert!(status.success(), "{args:?}: {status}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

/// `briefing send 2>&1 | head -1`: with both streams a closed pipe, log lines and the
/// error line are dropped; the exit code still says what happened. (A failed log write
/// was re-reported with `eprintln!`, whose panic aborted the process.)
#[test]
fn a_closed_stderr_costs_the_log_lines_not_the_run() {
    let p = Project::new("");
    // Before the day's dump is kept: then a `--dump` is ignored.
    let missing = p.path("missing.txt").display().to_string();
    let (status, _) = into_closed_pipe(&mut p.cmd(&["send", "--dump", &missing]), true);
    assert_eq!(status.code(), Some(1), "{status}");
    let (status, _) = into_closed_pipe(p.cmd(&["send"]).env("RUST_LOG", "briefing=trace"), true);
    assert_eq!(status.code(), Some(0), "{status}");
    assert_eq!(std::fs::read_dir(p.path("outbox")).unwrap().count(), 3);
}

/// The daemon under a log reader that has died: it goes on sending (its web endpoint
/// and SMTP sockets are not pipes it could be killed over: SIGPIPE stays ignored).
#[test]
fn the_daemon_keeps_sending_when_its_log_reader_is_gone() {
    let p = Project::new("");
    // 07:30: the 07:00 run is caught up at once.
    let mut child = p
        .cmd(&["run"])
        .env("BRIEFING_NOW", "2025-09-07T07:30:00+09:00")
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .spawn()
        .expect("start briefing run");
    let outbox = p.path("outbox");
    let delivered = || std::fs::read_dir(&outbox).map_or(0, |d| d.count());
    let start = Instant::now();
    while delivered() < 3 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if let Some(status) = child.try_wait().expect("try_wait") {
        panic!(
            "the daemon ended ({status}) after {} deliveries",
            delivered()
        );
    }
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    let start = Instant::now();
    let exit = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(delivered(), 3, "the catch-up run delivered to all three");
    assert!(term.success(), "kill -TERM");
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
}
