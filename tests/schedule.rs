//! Per-group schedules, days off, live config and `check`'s summary, against the real
//! daemon (its clock pinned a little before a run: it advances from there) and the
//! real SMTP server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Daemon, Project, Smtp};

/// Who got what, in arrival order: (envelope recipient, subject).
fn received(smtp: &Smtp) -> Vec<(String, String)> {
    smtp.messages()
        .into_iter()
        .map(|(to, raw)| {
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            (to, message.subject().unwrap_or_default().to_owned())
        })
        .collect()
}

/// `GET path` on the daemon's listener: the body as JSON.
fn get_json(port: u16, path: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

const WEB: &str = "[web]\nbase_url = \"https://news.example.com\"\nsecret_env = \"BRIEFING_TEST_SECRET\"\ntoken_env = \"BRIEFING_TEST_TOKEN\"\n";

/// The daemon with its web endpoint on a port it picks (and logs).
fn start_listening(p: &Project, now: &str) -> (Daemon, u16) {
    let daemon = Daemon::spawn(
        p.cmd(&["run", "--listen", "127.0.0.1:0"])
            .env("BRIEFING_NOW", now)
            .env("BRIEFING_TEST_TOKEN", "예약-토큰")
            .env("BRIEFING_TEST_SECRET", "예약-비밀"),
    );
    let port = daemon.listening_port();
    let port = port.unwrap_or_else(|| panic!("no listener: {}", daemon.log()));
    (daemon, port)
}

/// Two seconds before seven, with the morning group at 07:00:00 and the second
/// edition at 07:00:05: each group's run sends only its own briefing, a reader of both
/// gets each once, and the pinned clock moves on to both times.
#[test]
fn two_groups_on_their_own_schedules_each_get_theirs_once() {
    let smtp = Smtp::start(&[]);
    let groups = r#"[groups.morning]
recipients = ["김하늘 <ceo@example.com>", "cfo@example.com"]
subject = "[아침] {{date}}"

[groups.second]
recipients = ["ceo@example.com", "night@example.com"]
subject = "[두 번째 판] {{date}}"
cron = "5 0 7 * * *"
"#;
    let p = Project::with_groups(&smtp.smtp_section(""), groups);
    let daemon = Daemon::spawn(
        p.cmd(&["run"])
            .env("BRIEFING_NOW", "2025-09-07T06:59:58+09:00"),
    );
    assert!(
        smtp.wait_for(2, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    let first = received(&smtp);
    assert!(
        smtp.wait_for(4, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    // Both runs over, and both schedules on to tomorrow: nothing more is due today.
    for line in [
        "next briefing at 2025-09-08T07:00:00+09:00 (morning)",
        "next briefing at 2025-09-08T07:00:05+09:00 (second)",
    ] {
        assert!(daemon.wait_log(line), "{line}: {}", daemon.log());
    }
    assert!(
        daemon.wait_count("briefing 2025-09-07 (", 2),
        "{}",
        daemon.log()
    );
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    assert!(
        log.contains("the clock is pinned (BRIEFING_NOW) at 2025-09-07T06:59:58+09:00: the daemon's clock advances with real time from there"),
        "{log}"
    );
    assert!(
        log.contains("next briefing at 2025-09-07T07:00:00+09:00 (morning)"),
        "{log}"
    );
    assert!(
        log.contains("next briefing at 2025-09-07T07:00:05+09:00 (second)"),
        "{log}"
    );
    // Only the morning's had gone out when the first two arrived.
    assert!(
        first.iter().all(|(_, s)| s.starts_with("[아침]")),
        "{first:?}"
    );
    let mut all = received(&smtp);
    all.sort();
    let want = [
        ("ceo@example.com", "[두 번째 판] 2025년 9월 7일 (일)"),
        ("ceo@example.com", "[아침] 2025년 9월 7일 (일)"),
        ("cfo@example.com", "[아침] 2025년 9월 7일 (일)"),
        ("night@example.com", "[두 번째 판] 2025년 9월 7일 (일)"),
    ];
    let all: Vec<(&str, &str)> = all.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(all, want, "{log}");
}

/// 2025-09-07 is a Sunday: a group off at weekends and one whose skip_dates holds the
/// day send nothing; the daemon says so once (its cron ticks every two seconds), and
/// `status` says why rather than "pending".
#[test]
fn days_off_are_skipped_logged_once_and_shown_by_status() {
    let smtp = Smtp::start(&[]);
    let groups = r#"[groups.weekdays]
recipients = ["ceo@example.com"]
skip_weekends = true

[groups.holiday]
recipients = ["cfo@example.com"]
skip_dates = ["2025-09-07", "2025-10-03"]
"#;
    let p = Project::with_groups(
        &format!(
            "[schedule]\ncron = \"*/2 * * * * *\"\n\n{}",
            smtp.smtp_section("")
        ),
        groups,
    );
    let daemon = Daemon::spawn(p.cmd(&["run"]).env("BRIEFING_NOW", crate::support::NOW));
    assert!(daemon.wait_log("next briefing at"));
    // A reload (once the daemon listens for SIGHUP) looks at the day again: still said
    // once.
    assert!(daemon.wait_log("watching "), "{}", daemon.log());
    daemon.signal("HUP");
    assert!(daemon.wait_count("next briefing at", 2), "{}", daemon.log());
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    assert!(smtp.messages().is_empty(), "{log}");
    for line in [
        "groups.weekdays: no briefing on 2025-09-07: skipped (weekend)",
        "groups.holiday: no briefing on 2025-09-07: skipped (skip_dates)",
    ] {
        assert_eq!(log.matches(line).count(), 1, "{line}: {log}");
    }
    assert!(
        log.contains("next briefing at 2025-09-08T00:00:00+09:00 (weekdays, holiday)"),
        "{log}"
    );
    let (_, status, _) = p.run(&["status"]);
    assert!(status.contains("weekdays: 0 delivered, 1 pending, 0 deferred, 0 failed, 0 suppressed; skipped (weekend)"), "{status}");
    assert!(status.contains("holiday: 0 delivered, 1 pending, 0 deferred, 0 failed, 0 suppressed; skipped (skip_dates)"), "{status}");
    assert!(!status.contains("not sent yet"), "{status}");
}

/// At 10:00 with a one-hour window, the 07:00 briefing is missed (with the command that
/// sends it) while the 09:30 one is still pending; the JSON carries both states and
/// each group's next run in its zone.
#[test]
fn status_marks_what_no_run_will_send_as_missed() {
    let groups = r#"[groups.morning]
recipients = ["ceo@example.com", "cfo@example.com"]

[groups.tokyo]
recipients = ["tokyo@example.jp"]
cron = "0 30 9 * * *"
timezone = "Asia/Tokyo"
"#;
    let p = Project::with_groups("[schedule]\ncatch_up = \"1h\"\n", groups);
    let at_ten = |args: &[&str]| {
        let (out, stdout, stderr) =
            crate::support::run(p.cmd(args).env("BRIEFING_NOW", "2025-09-07T10:00:00+09:00"));
        assert!(out.status.success(), "{stderr}");
        stdout
    };
    let text = at_ten(&["status"]);
    assert!(
        text.contains("morning: 0 delivered, 0 pending, 0 deferred, 0 failed, 0 suppressed, 2 missed: due at 2025-09-07T07:00:00+09:00, past schedule.catch_up, so no run sends it; `briefing send --group morning` does"),
        "{text}"
    );
    assert!(
        text.contains("    missed   cfo@example.com: not sent"),
        "{text}"
    );
    assert!(text.contains("tokyo: 0 delivered, 1 pending,"), "{text}");
    assert!(
        text.contains("pending  tokyo@example.jp: not sent yet"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&at_ten(&["status", "--format", "json"])).unwrap();
    let groups = json[0]["groups"].as_array().unwrap();
    let group = |name: &str| groups.iter().find(|g| g["group"] == name).unwrap();
    assert_eq!(group("morning")["state"], "missed");
    assert_eq!(
        group("morning")["send_with"],
        "briefing send --group morning"
    );
    assert_eq!(group("morning")["next_run"], "2025-09-08T07:00:00+09:00");
    assert_eq!(group("tokyo")["state"], "pending");
    assert_eq!(group("tokyo")["next_run"], "2025-09-08T09:30:00+09:00");

    let (out, _, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_str(&at_ten(&["status", "--format", "json"])).unwrap();
    assert_eq!(json[0]["groups"][0]["state"], "complete", "{json}");
}

/// `GET /health` names each schedule's next run (in its zone), and the earliest.
#[test]
fn health_carries_the_next_run_of_each_schedule() {
    let smtp = Smtp::start(&[]);
    let groups = r#"[groups.morning]
recipients = ["ceo@example.com"]

[groups.evening]
recipients = ["cfo@example.com"]
cron = "0 0 19 * * *"
timezone = "Asia/Tokyo"
"#;
    let p = Project::with_groups(&format!("{WEB}\n{}", smtp.smtp_section("")), groups);
    let (daemon, port) = start_listening(&p, "2025-09-07T12:00:00+09:00");
    let health = get_json(port, "/health");
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["next_run"], "2025-09-07T19:00:00+09:00", "{health}");
    let schedules = health["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 2, "{health}");
    assert_eq!(schedules[0]["groups"], serde_json::json!(["morning"]));
    assert_eq!(schedules[0]["next_run"], "2025-09-08T07:00:00+09:00");
    assert_eq!(schedules[1]["timezone"], "Asia/Tokyo");
    assert_eq!(schedules[1]["next_run"], "2025-09-07T19:00:00+09:00");
}

/// A running daemon takes an edited config (a new cron and a new recipient) without a
/// restart; an invalid edit is one log line with file, line and key, and the config in
/// force stays (as `/health` shows); SIGHUP reloads too.
#[test]
fn a_running_daemon_reloads_its_config_and_keeps_it_when_the_edit_is_invalid() {
    let smtp = Smtp::start(&[]);
    let head = format!("{WEB}\n{}", smtp.smtp_section(""));
    let groups = |cron: &str, recipients: &str| {
        format!("[groups.morning]\nrecipients = [{recipients}]\ncron = \"{cron}\"\n")
    };
    let p = Project::with_groups(&head, &groups("0 0 7 1 1 *", "\"ceo@example.com\""));
    let write = |text: String| {
        let config = std::fs::read_to_string(p.config()).unwrap();
        let start = config.find("[groups.morning]").unwrap();
        std::fs::write(p.config(), format!("{}{text}", &config[..start])).unwrap();
    };
    let (daemon, port) = start_listening(&p, crate::support::NOW);
    assert!(daemon.wait_log("watching "), "{}", daemon.log());
    assert_eq!(
        get_json(port, "/health")["schedules"][0]["cron"],
        "0 0 7 1 1 *"
    );

    write(groups(
        "*/2 * * * * *",
        "\"ceo@example.com\", \"새독자 <new@example.com>\"",
    ));
    assert!(
        daemon.wait_log("config reloaded (the file changed): 1 group with 2 recipients"),
        "{}",
        daemon.log()
    );
    assert!(
        smtp.wait_for(2, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    let mut to: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
    to.sort();
    assert_eq!(to, ["ceo@example.com", "new@example.com"]);

    write(groups(
        "0 7 * * *",
        "\"ceo@example.com\", \"late@example.com\"",
    ));
    assert!(
        daemon.wait_log("config reload refused (the file changed); the config in force stays: "),
        "{}",
        daemon.log()
    );
    let log = daemon.log();
    let refused = log
        .lines()
        .find(|l| l.contains("config reload refused"))
        .unwrap();
    let written = std::fs::read_to_string(p.config()).unwrap();
    let line = 1 + written
        .lines()
        .position(|l| l.starts_with("cron ="))
        .unwrap();
    let want = format!("config.toml:{line}: groups.morning.cron: \"0 7 * * *\" has 5 fields");
    assert!(refused.contains(&want), "{want}: {refused}");
    assert_eq!(
        get_json(port, "/health")["schedules"][0]["cron"],
        "*/2 * * * * *"
    );

    write(groups("0 0 8 * * *", "\"ceo@example.com\""));
    assert!(
        daemon.wait_log("config reloaded (the file changed): 1 group with 1 recipient;"),
        "{}",
        daemon.log()
    );
    daemon.signal("HUP");
    assert!(
        daemon.wait_log("config reloaded (SIGHUP)"),
        "{}",
        daemon.log()
    );
    let health = get_json(port, "/health");
    let (clean, log) = daemon.stop();
    assert!(clean, "SIGHUP is a reload, not the end: {log}");
    assert_eq!(health["next_run"], "2025-09-07T08:00:00+09:00", "{health}");
    assert_eq!(
        smtp.messages().len(),
        2,
        "late@ was in the refused config only: {log}"
    );
}

/// `check` lists every problem of the file at once, each with its line and key; on a
/// good file it says who receives what, and when.
#[test]
fn check_lists_every_problem_then_who_gets_what_and_when() {
    let bad = Project::with_groups(
        "[schedule]\ntimezone = \"Seoul\"\n\n[smtp]\nhost = \"127.0.0.1\"\nconnections = 0\n",
        "[groups.morning]\nrecipients = [\"cfo@\"]\ncron = \"0 0 7 31 2 *\"\n",
    );
    let (out, stdout, stderr) = bad.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "config.toml:8: schedule.timezone: unknown time zone \"Seoul\"",
        "config.toml:12: smtp.connections: 0 is out of range",
        "config.toml:16: groups.morning.recipients: \"cfo@\" is not a valid address",
        "config.toml:17: groups.morning.cron: \"0 0 7 31 2 *\" never fires",
        "4 problems in ",
    ] {
        assert!(stderr.contains(want), "{want}: {stderr}");
    }
    assert_eq!(stderr.lines().count(), 5, "{stderr}");

    let good = Project::with_groups(
        "",
        r#"[groups.morning]
recipients = ["김하늘 <ceo@example.com>", "cfo@example.com", "a@example.com", "b@example.com"]
include_labels = ["경제"]
lines_per_article = 2

[groups.tokyo]
recipients = ["tokyo@example.jp"]
timezone = "Asia/Tokyo"
skip_weekends = true
skip_dates = ["2025-09-09"]
"#,
    );
    let (out, stdout, stderr) = good.run(&["check"]);
    assert!(out.status.success(), "{stderr}");
    for want in [
        "  group morning: 4 recipients: 김하늘 <ceo@example.com>, cfo@example.com, a@example.com and 1 more",
        "    articles: labels 경제; 2 lines per article",
        "    schedule: \"0 0 7 * * *\" in Asia/Seoul\n",
        "    next runs: 2025-09-08T07:00:00+09:00, 2025-09-09T07:00:00+09:00, 2025-09-10T07:00:00+09:00",
        "  group tokyo: 1 recipient: tokyo@example.jp",
        "    schedule: \"0 0 7 * * *\" in Asia/Tokyo, not on weekends, 2025-09-09",
        "    next runs: 2025-09-08T07:00:00+09:00, 2025-09-10T07:00:00+09:00, 2025-09-11T07:00:00+09:00",
    ] {
        assert!(stdout.contains(want), "{want}: {stdout}");
    }
}

/// A reload while a run is sending does not touch that run: it finishes with the
/// config it started with (every recipient, the old subject), and the new one applies
/// from the next run.
#[test]
fn a_reload_during_a_send_applies_from_the_next_run() {
    let smtp = Smtp::start(&["--delay-data", "1.2"]);
    let groups = |subject: &str, recipients: &str| {
        format!("[groups.morning]\nrecipients = [{recipients}]\nsubject = \"{subject}\"\n")
    };
    let all = "\"a@example.com\", \"b@example.com\", \"c@example.com\", \"d@example.com\"";
    let p = Project::with_groups(
        &smtp.smtp_section("connections = 1"),
        &groups("[처음 판] {{date}}", all),
    );
    let daemon = Daemon::spawn(p.cmd(&["run"]).env("BRIEFING_NOW", crate::support::NOW));
    assert!(
        smtp.wait_for(1, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    assert!(daemon.wait_log("watching "), "{}", daemon.log());
    let config = std::fs::read_to_string(p.config()).unwrap();
    let start = config.find("[groups.morning]").unwrap();
    let edited = groups("[고친 판] {{date}}", "\"a@example.com\"");
    std::fs::write(p.config(), format!("{}{edited}", &config[..start])).unwrap();
    assert!(
        daemon.wait_log("config reloaded (the file changed): 1 group with 1 recipient"),
        "{}",
        daemon.log()
    );
    let sent_when_reloaded = smtp.messages().len();
    assert!(
        smtp.wait_for(4, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    assert!(
        sent_when_reloaded < 4,
        "the reload came after the run: {log}"
    );
    let got = received(&smtp);
    assert_eq!(got.len(), 4, "{log}");
    assert!(
        got.iter().all(|(_, s)| s.starts_with("[처음 판]")),
        "{got:?}"
    );
}

/// A group in another zone is on its own date: at 10:00 in Seoul it is 18:00 the day
/// before in Los Angeles, where that day's 07:00 briefing was missed.
#[test]
fn status_dates_a_group_in_its_own_zone() {
    let groups = r#"[groups.seoul]
recipients = ["ceo@example.com"]
cron = "0 0 11 * * *"

[groups.la]
recipients = ["la@example.com"]
timezone = "America/Los_Angeles"
"#;
    let p = Project::with_groups("[schedule]\ncatch_up = \"1h\"\n", groups);
    let (out, stdout, stderr) = crate::support::run(
        p.cmd(&["status", "--format", "json", "--days", "2"])
            .env("BRIEFING_NOW", "2025-09-07T10:00:00+09:00"),
    );
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json[0]["date"], "2025-09-07", "{json}");
    assert_eq!(json[0]["groups"][0]["group"], "seoul", "{json}");
    assert_eq!(json[0]["groups"][0]["state"], "pending", "{json}");
    assert_eq!(json[1]["date"], "2025-09-06", "{json}");
    let la = &json[1]["groups"][0];
    assert_eq!(la["group"], "la", "{json}");
    assert_eq!(la["state"], "missed", "{json}");
    assert_eq!(la["due"], "2025-09-06T07:00:00-07:00", "{json}");
    assert_eq!(la["next_run"], "2025-09-07T07:00:00-07:00", "{json}");
}

/// The command `status` gives for a missed briefing in another zone sends that one:
/// dated in the group's zone, after which `status` finds it complete.
#[test]
fn the_command_status_gives_for_a_missed_briefing_sends_it() {
    let groups =
        "[groups.la]\nrecipients = [\"la@example.com\"]\ntimezone = \"America/Los_Angeles\"\n";
    let p = Project::with_groups("[schedule]\ncatch_up = \"1h\"\n", groups);
    let at = |args: &[&str]| {
        let (out, stdout, stderr) =
            crate::support::run(p.cmd(args).env("BRIEFING_NOW", "2025-09-07T10:00:00+09:00"));
        assert!(out.status.success(), "{args:?}: {stderr}");
        stdout
    };
    let json: serde_json::Value =
        serde_json::from_str(&at(&["status", "--format", "json"])).unwrap();
    let send_with = json[0]["groups"][0]["send_with"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(send_with, "briefing send --group la");
    let args: Vec<&str> = send_with.split(' ').skip(1).collect();
    at(&args);
    assert!(p.path("state/ledger/2025-09-06/la.jsonl").exists());
    let json: serde_json::Value =
        serde_json::from_str(&at(&["status", "--format", "json"])).unwrap();
    assert_eq!(json[0]["groups"][0]["state"], "complete", "{json}");
}

/// A reload whose schedule's time today has already passed is made up at once, within
/// `catch_up`, as a restart would make it up; it does not wait for tomorrow.
#[test]
fn a_reload_to_a_time_already_past_today_catches_up_at_once() {
    let smtp = Smtp::start(&[]);
    let head = format!("{WEB}\n{}", smtp.smtp_section(""));
    let groups = |cron: &str| {
        format!("[groups.morning]\nrecipients = [\"ceo@example.com\"]\ncron = \"{cron}\"\n")
    };
    let p = Project::with_groups(&head, &groups("0 0 9 * * *"));
    let (daemon, port) = start_listening(&p, crate::support::NOW);
    assert!(daemon.wait_log("watching "), "{}", daemon.log());
    assert_eq!(smtp.messages().len(), 0, "nothing is due before 09:00");

    let config = std::fs::read_to_string(p.config()).unwrap();
    let start = config.find("[groups.morning]").unwrap();
    std::fs::write(
        p.config(),
        format!("{}{}", &config[..start], groups("0 30 6 * * *")),
    )
    .unwrap();
    assert!(daemon.wait_log("catching up now"), "{}", daemon.log());
    assert!(
        smtp.wait_for(1, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    let health = get_json(port, "/health");
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    assert_eq!(smtp.messages().len(), 1, "{log}");
    assert_eq!(health["next_run"], "2025-09-08T06:30:00+09:00", "{health}");
}

/// New York's spring-forward day (2025-03-09: at 02:00 EST the clocks go to 03:00 EDT),
/// the daemon pinned two seconds before the gap: 02:30 does not exist that day and runs
/// once, at 03:00 EDT; 01:30, made up at start-up, is not run again at 03:00 EDT (where
/// croner, asked in the zone, puts its next time), but tomorrow.
#[test]
fn a_schedule_in_a_skipped_hour_runs_once_when_the_clocks_jump_past_it() {
    let smtp = Smtp::start(&[]);
    let groups = r#"[groups.early]
recipients = ["early@example.com"]
subject = "[새벽] {{date}}"
cron = "0 30 1 * * *"
timezone = "America/New_York"

[groups.night]
recipients = ["night@example.com"]
subject = "[밤] {{date}}"
cron = "0 30 2 * * *"
timezone = "America/New_York"
"#;
    let p = Project::with_groups(&smtp.smtp_section(""), groups);
    let daemon = Daemon::spawn(
        p.cmd(&["run"])
            .env("BRIEFING_NOW", "2025-03-09T01:59:58-05:00"),
    );
    let tomorrow = "next briefing at 2025-03-10T02:30:00-04:00 (night)";
    assert!(daemon.wait_log(tomorrow), "{}", daemon.log());
    assert!(
        daemon.wait_count("briefing 2025-03-09 (", 2),
        "{}",
        daemon.log()
    );
    let (clean, log) = daemon.stop();
    assert!(clean, "{log}");
    for line in [
        "the briefing due at 2025-03-09T01:30:00-05:00 has not reached everyone: catching up now",
        "next briefing at 2025-03-10T01:30:00-04:00 (early)",
        "next briefing at 2025-03-09T03:00:00-04:00 (night)",
    ] {
        assert!(log.contains(line), "{line}: {log}");
    }
    assert!(
        !log.contains("at 2025-03-09T03:00:00-04:00 (early)"),
        "{log}"
    );
    let mut got = received(&smtp);
    got.sort();
    let want = [
        ("early@example.com", "[새벽] 2025년 3월 9일 (일)"),
        ("night@example.com", "[밤] 2025년 3월 9일 (일)"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, want, "{log}");
}
