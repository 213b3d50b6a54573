//! Issue 21: no passing cause, wrong password or damaged line costs the morning's mail.
//! A daemon whose file limit runs out at seven defers the run and delivers on the next
//! try; a refused login blames no recipient; a bad line of the suppression list costs
//! only that line.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::support::{run, Daemon, Project, Smtp};

/// The soft limit on open files of process `pid`, as `prlimit` prints it.
fn open_files_limit(pid: u32) -> String {
    let out = Command::new("prlimit")
        .args([
            "--pid",
            &pid.to_string(),
            "--nofile",
            "--raw",
            "--noheadings",
        ])
        .args(["--output", "SOFT"])
        .output()
        .expect("prlimit (util-linux) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Sets the soft limit on open files of process `pid`, leaving the hard one.
fn set_open_files_limit(pid: u32, soft: &str) {
    let status = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={soft}:")])
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(status.success(), "prlimit --nofile={soft}:");
}

fn envelopes(smtp: &Smtp) -> Vec<String> {
    let mut to: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
    to.sort();
    to
}

fn status_json(p: &Project) -> Value {
    let (out, stdout, stderr) = p.run(&["status", "--format", "json", "--days", "1"]);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn group<'a>(briefing: &'a Value, name: &str) -> &'a Value {
    briefing["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap()
}

/// The daemon runs out of file descriptors just before 07:00 (its soft limit lowered
/// under it, as a leak or a low `ulimit -n` would): the run fails with EMFILE, is
/// logged and shown by `status` as deferred with its reason and next try, and once the
/// limit is back the retry delivers to every recipient exactly once.
#[test]
fn too_many_open_files_at_seven_defers_the_run_and_the_retry_delivers_once() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"40s\"\n\n{}",
        smtp.smtp_section("")
    ));
    let daemon = Daemon::spawn(
        p.cmd(&["run"])
            .env("BRIEFING_NOW", "2025-09-07T06:59:54+09:00"),
    );
    assert!(
        daemon.wait_log("next briefing at 2025-09-07T07:00:00+09:00")
            && daemon.wait_log("watching "),
        "{}",
        daemon.log()
    );
    let pid = daemon.pid();
    let limit = open_files_limit(pid);
    // Every descriptor below 3 is taken: the next file the daemon opens fails.
    set_open_files_limit(pid, "3");
    let deferred = daemon.wait_log("the run is deferred, next try at 2025-09-07T07:00:");
    let log = daemon.log();
    assert!(deferred, "{log}");
    assert!(
        log.contains("the run could not start; trying again in 5s (within schedule.catch_up = 40s): the run is deferred, next try at"),
        "{log}"
    );
    assert!(log.contains("Too many open files (os error 24)"), "{log}");
    assert!(smtp.messages().is_empty(), "{log}");

    let (out, status, stderr) = p.run(&["status", "--days", "1"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        status.contains("morning: 0 delivered, 2 pending, 0 deferred, 0 failed, 0 suppressed; the run is deferred: ledger ")
            && status.contains("Too many open files (os error 24); next try at 2025-09-07T07:00:"),
        "{status}"
    );
    assert!(
        status.contains("pending  ceo@example.com: not sent yet, the run is deferred"),
        "{status}"
    );
    assert!(!status.contains("missed"), "{status}");
    let json = status_json(&p);
    let morning = group(&json[0], "morning");
    assert_eq!(morning["state"], "deferred", "{json}");
    assert!(
        morning["reason"]
            .as_str()
            .unwrap()
            .contains("Too many open files"),
        "{json}"
    );
    assert!(
        morning["next_try"]
            .as_str()
            .unwrap()
            .starts_with("2025-09-07T07:00:"),
        "{json}"
    );

    set_open_files_limit(pid, &limit);
    let delivered = smtp.wait_for(3, Duration::from_secs(30));
    let done = daemon.wait_log("morning 2/2 delivered");
    let (clean, stderr) = daemon.stop();
    assert!(delivered && done && clean, "{stderr}");
    assert_eq!(
        envelopes(&smtp),
        ["ceo@example.com", "cfo@example.com", "desk@example.com"],
        "each exactly once: {stderr}"
    );
    let (_, status, _) = p.run(&["status", "--days", "1"]);
    assert!(
        status.contains("morning: 2 delivered, 0 pending, 0 deferred, 0 failed, 0 suppressed\n"),
        "{status}"
    );
    assert!(!status.contains("deferred:"), "{status}");
}

/// A wrong password: the run stops at the server's 535, says so in one line naming the
/// settings to fix (the variable's name, never its value), exits 1 and records nobody as
/// failed; with the password fixed, the next send reaches everyone.
#[test]
fn a_refused_login_blames_no_recipient_and_the_send_after_the_fix_reaches_everyone() {
    let smtp = Smtp::start(&["--auth", "briefing:s3cret-pw"]);
    let p = Project::new(&smtp.smtp_section(
        "username = \"briefing\"\npassword_env = \"TEST_SMTP_PW\"\nallow_insecure_auth = true\nconnections = 3",
    ));
    let (out, stdout, stderr) = run(p.cmd(&["send"]).env("TEST_SMTP_PW", "wrong-pw"));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let told: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("authentication failed"))
        .collect();
    assert_eq!(told.len(), 1, "said once: {stderr}");
    assert!(
        told[0].starts_with("briefing: 127.0.0.1:")
            && told[0].contains("535")
            && told[0].contains("[smtp] username = \"briefing\"")
            && told[0].contains("TEST_SMTP_PW ([smtp] password_env)"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("wrong-pw") && !stderr.contains("wrong-pw"),
        "the password never shows"
    );
    assert!(smtp.messages().is_empty());
    for name in ["morning", "columns"] {
        let ledger = p.path(&format!("state/ledger/2025-09-07/{name}.jsonl"));
        let text = std::fs::read_to_string(&ledger).unwrap_or_default();
        assert!(!text.contains("\"failed\""), "{name}: {text}");
        for (address, state) in p.states(name) {
            assert_eq!(state, "not_sent", "{name}: {address}");
        }
    }

    let (out, stdout, stderr) = run(p.cmd(&["send"]).env("TEST_SMTP_PW", "s3cret-pw"));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        envelopes(&smtp),
        ["ceo@example.com", "cfo@example.com", "desk@example.com"]
    );
}

/// In the daemon a refused login is logged once for the run (not once per recipient or
/// connection), and no retry is planned: only a fix of the login changes the answer.
#[test]
fn the_daemon_logs_a_refused_login_once_and_does_not_retry_it() {
    let smtp = Smtp::start(&["--auth", "briefing:s3cret-pw"]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"8s\"\n\n{}",
        smtp.smtp_section(
            "username = \"briefing\"\npassword_env = \"TEST_SMTP_PW\"\nallow_insecure_auth = true\nconnections = 3",
        )
    ));
    let daemon = Daemon::spawn(
        p.cmd(&["run"])
            .env("BRIEFING_NOW", "2025-09-07T07:00:02+09:00")
            .env("TEST_SMTP_PW", "wrong-pw"),
    );
    let failed = daemon.wait_log("scheduled run failed: ");
    let (clean, log) = daemon.stop();
    assert!(failed && clean, "{log}");
    assert_eq!(log.matches("authentication failed").count(), 1, "{log}");
    assert!(log.contains("TEST_SMTP_PW ([smtp] password_env)"), "{log}");
    assert!(
        !log.contains("trying again") && !log.contains("deferred"),
        "{log}"
    );
    assert!(!log.contains("wrong-pw"), "the password never shows");
    assert!(smtp.messages().is_empty());
    for (address, state) in p.states("morning") {
        assert_eq!(state, "not_sent", "{address}");
    }
}

/// One unreadable line in the middle of the suppression list and one cut short at its
/// end: the send still goes out, the requests on the good lines (before and after the
/// bad one) are honoured, and the report, `status` and `check` name each bad line by
/// file and number. The next request written starts a line of its own.
#[test]
fn a_damaged_suppression_list_costs_only_its_bad_lines() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let unsubscribe = |args: &[&str]| {
        let (out, _, stderr) = p.run(&[&["unsubscribe"], args].concat());
        assert!(out.status.success(), "{stderr}");
    };
    let list = p.path("state/suppressed.jsonl");
    let append = |bytes: &[u8]| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&list)
            .unwrap();
        f.write_all(bytes).unwrap();
    };
    unsubscribe(&["desk@example.com", "--group", "columns"]);
    append(b"{\"request\": \"unsubscribe\", \"address\": }\n");
    unsubscribe(&["cfo@example.com"]);
    append(b"{\"request\":\"unsubscribe\",\"address\":\"ceo@exa");

    let (out, stdout, stderr) = p.run(&["send", "--json"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(envelopes(&smtp), ["ceo@example.com"], "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let skipped: Vec<(u64, bool)> = report["unreadable_suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            assert!(
                u["file"].as_str().unwrap().ends_with("suppressed.jsonl"),
                "{u}"
            );
            (u["line"].as_u64().unwrap(), u["torn"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(skipped, [(2, false), (4, true)], "{stdout}");
    assert_eq!(report["complete"], true, "{stdout}");
    assert!(
        stderr.contains("suppressed.jsonl:2: unreadable suppression request skipped (not a suppression record: "),
        "logged: {stderr}"
    );

    let (out, text, stderr) = p.run(&["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        text.contains("suppressed.jsonl:2: unreadable suppression request skipped")
            && text.contains("suppressed.jsonl:4: a suppression request cut short"),
        "{text}"
    );
    assert!(
        text.contains("0 would be sent, 1 already delivered, 1 suppressed"),
        "{text}"
    );

    let (out, status, stderr) = p.run(&["status", "--days", "1"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        status.contains("suppressed.jsonl:2: unreadable suppression request skipped")
            && status.contains("suppressed.jsonl:4: a suppression request cut short"),
        "{status}"
    );
    assert!(
        status.contains("morning: 1 delivered, 0 pending, 0 deferred, 0 failed, 1 suppressed"),
        "{status}"
    );
    let json = status_json(&p);
    assert_eq!(
        json[0]["unreadable_suppressions"].as_array().unwrap().len(),
        2,
        "{json}"
    );

    let (out, _, stderr) = p.run(&["check"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("briefing: warning: ")
            && stderr.contains("suppressed.jsonl:2: unreadable suppression request skipped")
            && stderr.contains("suppressed.jsonl:4: a suppression request cut short"),
        "{stderr}"
    );

    // A request written after the crash takes the torn line's place, whole.
    unsubscribe(&["ceo@example.com"]);
    let text = std::fs::read_to_string(&list).unwrap();
    assert!(text.ends_with('\n'), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let last: Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(last["address"], "ceo@example.com");
    let (_, _, stderr) = p.run(&["check"]);
    assert!(
        stderr.contains("suppressed.jsonl:2:") && !stderr.contains("suppressed.jsonl:4:"),
        "{stderr}"
    );
}
