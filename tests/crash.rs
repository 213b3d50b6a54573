//! Crashes and shutdowns half way through a send: every recipient still ends up with
//! exactly one copy, and `briefing status` tells the truth in between.

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Project, Smtp};

const RECIPIENTS: usize = 12;

/// One group of [`RECIPIENTS`] plain addresses.
fn many() -> String {
    let list: Vec<String> = (1..=RECIPIENTS)
        .map(|n| format!("\"r{n:02}@example.com\""))
        .collect();
    format!("[groups.many]\nrecipients = [{}]\n", list.join(", "))
}

/// Messages per envelope recipient in the server's mailbox.
fn per_recipient(smtp: &Smtp) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (to, _) in smtp.messages() {
        *counts.entry(to).or_insert(0) += 1;
    }
    counts
}

fn exactly_once(smtp: &Smtp) -> bool {
    let counts = per_recipient(smtp);
    counts.len() == RECIPIENTS && counts.values().all(|&n| n == 1)
}

/// Waits (bounded) for the child to exit.
fn wait(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// kill -9 at a different point of each trial (after 0, 1, 2, … messages reached the
/// server), then a second run: each recipient has exactly one message. A kill between
/// the server's 250 and the ledger write leaves a message in doubt; it is resent with
/// the same Message-ID and the server (`--dedupe`, like real receiving servers) drops it.
#[test]
#[allow(clippy::print_stderr)] // The figures of the trials, for whoever runs the test with --nocapture.
fn kill_9_half_way_then_rerun_delivers_each_recipient_exactly_once() {
    let trials: usize = std::env::var("BRIEFING_KILL_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let (mut in_doubt, mut dropped, mut killed_mid_run) = (0, 0, 0);
    for trial in 0..trials {
        let smtp = Smtp::start(&["--dedupe", "--delay-data", "0.05"]);
        let p = Project::with_groups(&smtp.smtp_section("connections = 3"), &many());
        let mut child = p
            .cmd(&["send"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start briefing send");
        let target = trial * 5 % RECIPIENTS;
        smtp.wait_for(target, Duration::from_secs(20));
        child.kill().expect("kill -9");
        let status = child.wait().expect("reap");
        killed_mid_run += usize::from(status.code().is_none());
        let before = p.states("many");
        in_doubt += before.values().filter(|s| *s == "in_doubt").count();

        let (out, stdout, stderr) = p.run(&["send"]);
        assert!(out.status.success(), "trial {trial}: {stdout}\n{stderr}");
        assert!(
            exactly_once(&smtp),
            "trial {trial}: {:?}",
            per_recipient(&smtp)
        );
        assert!(
            p.states("many").values().all(|s| s == "delivered"),
            "trial {trial}: {:?}",
            p.states("many")
        );
        dropped += smtp.duplicates_dropped();
    }
    assert!(
        trials < 3 || in_doubt > 0,
        "no kill landed between `sending` and its outcome: the window was never tested"
    );
    eprintln!(
        "{trials} kill -9 trials ({killed_mid_run} killed mid-run): every recipient exactly once; \
         {in_doubt} messages in doubt after the kill, {dropped} duplicates dropped by Message-ID"
    );
}

/// SIGTERM while messages are in flight: they finish, no other starts, the ledger holds
/// no recipient in doubt, and the next run sends only the rest, without any duplicate.
#[test]
fn sigterm_during_a_send_stops_cleanly_and_the_rerun_completes() {
    let smtp = Smtp::start(&["--delay-data", "0.3"]);
    let p = Project::with_groups(&smtp.smtp_section("connections = 2"), &many());
    let mut child = p
        .cmd(&["send"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start briefing send");
    assert!(
        smtp.wait_for(2, Duration::from_secs(20)),
        "two messages arrive"
    );
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let status = wait(&mut child, Duration::from_secs(20)).expect("exits after SIGTERM");
    let stdout = std::io::read_to_string(child.stdout.take().unwrap()).unwrap();
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(2), "incomplete: {stdout}\n{stderr}");
    assert!(stdout.contains("stopped: shut down"), "{stdout}");
    let sent = smtp.messages().len();
    assert!(sent < RECIPIENTS, "stopped early: {sent}");

    let states = p.states("many");
    assert_eq!(
        states.values().filter(|s| *s == "delivered").count(),
        sent,
        "the ledger agrees with the server: {states:?}"
    );
    assert!(
        states.values().all(|s| s == "delivered" || s == "not_sent"),
        "nothing left in doubt: {states:?}"
    );
    let (_, text, _) = p.run(&["status"]);
    assert!(
        text.contains(&format!(
            "many: {sent} delivered, {} pending, 0 deferred, 0 failed",
            RECIPIENTS - sent
        )),
        "{text}"
    );

    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "{} delivered, {sent} already delivered earlier",
            RECIPIENTS - sent
        )),
        "{stdout}"
    );
    assert!(exactly_once(&smtp), "{:?}", per_recipient(&smtp));
}

/// `briefing status` after a run with a refused recipient: delivered, failed with the
/// server's reply, and the next briefing time.
#[test]
fn status_shows_delivered_and_failed_recipients_with_the_error() {
    let smtp = Smtp::start(&["--reject", "cfo@example.com"]);
    let p = Project::new(&smtp.smtp_section(""));
    let (_, before, _) = p.run(&["status"]);
    assert!(
        before.contains("morning: 0 delivered, 2 pending, 0 deferred, 0 failed")
            && before.contains("pending  cfo@example.com: not sent yet"),
        "{before}"
    );
    let (out, _, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2));
    let (out, text, stderr) = p.run(&["status"]);
    assert!(out.status.success(), "{stderr}");
    assert!(text.starts_with("briefing 2025-09-07\n"), "{text}");
    assert!(
        text.contains("columns: 1 delivered, 0 pending, 0 deferred, 0 failed"),
        "{text}"
    );
    assert!(
        text.contains("morning: 1 delivered, 0 pending, 0 deferred, 1 failed"),
        "{text}"
    );
    assert!(
        text.contains("failed   cfo@example.com: ") && text.contains("550"),
        "{text}"
    );
    assert!(
        text.contains("next briefing at 2025-09-08T07:00:00+09:00"),
        "{text}"
    );
}

/// Starts `briefing ARGS` in `p`, waits until its log has `needle` (or a second, with
/// none), sends SIGTERM and returns how long it took to exit after that, its exit code
/// and its log.
fn sigterm_once_logged(
    p: &Project,
    args: &[&str],
    needle: Option<&str>,
) -> (Duration, Option<i32>, String) {
    use std::io::BufRead;
    let mut child = p
        .cmd(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start briefing send");
    let mut log = String::new();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    match needle {
        Some(needle) => {
            for line in lines.by_ref().map_while(Result::ok) {
                log.push_str(&line);
                log.push('\n');
                if line.contains(needle) {
                    break;
                }
            }
        }
        None => thread::sleep(Duration::from_secs(1)),
    }
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let signalled = Instant::now();
    let status = wait(&mut child, Duration::from_secs(30));
    let took = signalled.elapsed();
    log.extend(lines.map_while(Result::ok).map(|l| l + "\n"));
    (took, status.and_then(|s| s.code()), log)
}

/// SIGTERM while the dump is still downloading: the run ends at once, nothing sent.
#[test]
fn sigterm_during_a_slow_fetch_ends_the_run_at_once() {
    let mut reply = crate::support::Reply::ok(std::fs::read(crate::support::sample()).unwrap());
    reply.chunk_pause = Duration::from_millis(500);
    let http = crate::support::Http::start(vec![reply]);
    let p = Project::new("");
    let url = http.url("/dump.txt");
    let (took, code, log) = sigterm_once_logged(&p, &["send", "--dump", &url], None);
    assert!(took < Duration::from_secs(3), "{took:?}: {log}");
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("shut down while fetching the dump; nothing was sent"),
        "{log}"
    );
    assert!(!p.path("outbox").exists());
}

/// SIGTERM while a large dump is being split and scored: the run does not wait for the
/// build to finish.
#[test]
fn sigterm_during_the_build_of_a_large_dump_ends_the_run_at_once() {
    let mut dump = String::from("최신기사\n-\n");
    for i in 0..40_000 {
        dump.push_str(&format!("동네 소식 {i}호\n"));
        for j in 0..12 {
            dump.push_str(&format!(
                "주민센터는 {i}번 사업의 {j}단계를 {}일부터 시작한다고 밝혔다. ",
                j + 3
            ));
        }
        dump.push_str("\n2025-09-06 18:10:00\n-\n");
    }
    let p = Project::new("");
    std::fs::write(p.path("big.txt"), dump).unwrap();
    let big = p.path("big.txt").display().to_string();
    let (took, code, log) =
        sigterm_once_logged(&p, &["send", "--dump", &big], Some("40000 articles"));
    assert!(took < Duration::from_secs(3), "{took:?}: {log}");
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("shut down while building the briefing"),
        "{log}"
    );
    assert!(!p.path("outbox").exists());
}
