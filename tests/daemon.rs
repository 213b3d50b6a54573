//! `briefing run`: the scheduled daemon, with a schedule a few seconds ahead, and the
//! catch-up of a run missed while it was down.

use std::time::Duration;

use crate::support::{ClosedPort, Daemon, Project, Smtp};

/// `briefing run` with the clock pinned at `now`.
fn start(p: &Project, now: &str) -> Daemon {
    Daemon::spawn(p.cmd(&["run"]).env("BRIEFING_NOW", now))
}

#[test]
fn sends_on_schedule_once_per_day_and_stops_on_sigterm() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncron = \"*/2 * * * * *\"\ntimezone = \"Asia/Seoul\"\n\n{}",
        smtp.smtp_section("")
    ));
    let daemon = start(&p, crate::support::NOW);
    let delivered = smtp.wait_for(3, Duration::from_secs(20));
    // Three more runs after that (each fire plans the next): the ledger must keep them
    // from sending again.
    let planned = daemon.log().matches("next briefing at").count();
    assert!(daemon.wait_count("next briefing at", planned + 3));
    let runs = daemon.log().matches("briefing 2025-09-07 (").count();
    assert!(daemon.wait_count("briefing 2025-09-07 (", runs + 1));
    let (clean, stderr) = daemon.stop();
    assert!(delivered, "no briefing within 20 s: {stderr}");
    assert!(clean, "clean exit on SIGTERM: {stderr}");
    assert_eq!(
        smtp.messages().len(),
        3,
        "one briefing per recipient per day: {stderr}"
    );
    assert!(stderr.contains("next briefing at"), "{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
}

/// The daemon starts at 07:30 after missing 07:00: within the default two hours it sends
/// at once; started again, it finds the day's briefing complete and sends nothing more.
#[test]
fn a_run_missed_within_the_grace_window_is_caught_up_once() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let daemon = start(&p, "2025-09-07T07:30:00+09:00");
    let delivered = smtp.wait_for(3, Duration::from_secs(20));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    assert!(
        stderr.contains("the briefing due at 2025-09-07T07:00:00+09:00 has not reached everyone: catching up now"),
        "{stderr}"
    );

    let daemon = start(&p, "2025-09-07T08:00:00+09:00");
    assert!(daemon.wait_log("next briefing at"));
    let (clean, stderr) = daemon.stop();
    assert!(clean, "{stderr}");
    assert!(!stderr.contains("catching up"), "{stderr}");
    assert_eq!(
        smtp.messages().len(),
        3,
        "never two briefings a day: {stderr}"
    );
}

/// Started at 10:00 with a one-hour window, the 07:00 run is reported, not sent.
#[test]
fn a_run_missed_beyond_the_grace_window_is_reported_not_sent() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"1h\"\n\n{}",
        smtp.smtp_section("")
    ));
    let daemon = start(&p, "2025-09-07T10:00:00+09:00");
    assert!(daemon.wait_log("next briefing at"));
    let (clean, stderr) = daemon.stop();
    assert!(clean, "{stderr}");
    assert!(
        stderr.contains("missed: the briefing due at 2025-09-07T07:00:00+09:00 has not reached everyone, and it is past schedule.catch_up = 1h"),
        "{stderr}"
    );
    assert!(smtp.messages().is_empty());
}

/// The relay is down when the 07:00 run starts and comes up a little later: the daemon
/// tries the rest again within `catch_up`, and everyone gets the briefing that morning.
#[test]
fn a_relay_that_comes_back_within_the_grace_window_still_gets_the_briefing_out() {
    let closed = ClosedPort::new();
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"8s\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nretries = 0\n",
        closed.port
    ));
    let daemon = start(&p, "2025-09-07T07:00:02+09:00");
    assert!(daemon.wait_log("the mail server could not be reached; trying again in 1s"));
    let smtp = Smtp::start_on(closed, &[]);
    let delivered = smtp.wait_for(3, Duration::from_secs(20));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    assert_eq!(smtp.messages().len(), 3, "{stderr}");
}

/// A greylisting server (451 to every recipient for its first seconds, as postgrey
/// does) outlasts the per-message retries: the recipients are deferred, not failed,
/// and the daemon's next try within `catch_up` delivers each exactly once.
#[test]
fn greylisted_recipients_are_deferred_and_delivered_by_a_later_try() {
    let smtp = Smtp::start(&["--greylist", "3"]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"32s\"\n\n{}",
        smtp.smtp_section("retries = 1")
    ));
    let daemon = start(&p, "2025-09-07T07:00:02+09:00");
    // In about 4 s (a greylisted letter's first deferral): the daemon's clock has run
    // on from the pinned instant while the first try went.
    assert!(daemon.wait_log("some recipients were deferred (a temporary failure); trying again in"));
    let (_, status, _) = p.run(&["status"]);
    assert!(
        status.contains("deferred cfo@example.com: 127.0.0.1:") && status.contains("greylisted"),
        "{status}"
    );
    let delivered = smtp.wait_for(3, Duration::from_secs(25));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    assert_eq!(smtp.messages().len(), 3, "each exactly once: {stderr}");
    let (_, status, _) = p.run(&["status"]);
    assert!(
        status.contains("morning: 2 delivered, 0 pending, 0 deferred, 0 failed"),
        "{status}"
    );
}

/// A recipient still deferred when `catch_up` is over is recorded as failed, with why.
#[test]
fn recipients_still_deferred_at_the_end_of_the_window_are_recorded_failed() {
    let smtp = Smtp::start(&["--greylist", "3600"]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"4s\"\n\n{}",
        smtp.smtp_section("retries = 0")
    ));
    let daemon = start(&p, "2025-09-07T07:00:02+09:00");
    assert!(daemon.wait_log("3 deferred recipients recorded as failed"));
    let (clean, stderr) = daemon.stop();
    assert!(clean, "{stderr}");
    assert!(smtp.messages().is_empty());
    let (_, status, _) = p.run(&["status"]);
    assert!(
        status.contains("morning: 0 delivered, 0 pending, 0 deferred, 2 failed")
            && status.contains("gave up at the end of schedule.catch_up after"),
        "{status}"
    );
}

/// A manual `send` holds the lock at 07:00: the daemon waits its turn within
/// `catch_up` instead of giving up the day, and says why once.
#[test]
fn a_busy_lock_is_waited_for_not_the_end_of_the_day() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"16s\"\n\n{}",
        smtp.smtp_section("")
    ));
    std::fs::create_dir_all(p.path("state")).unwrap();
    let lock = std::fs::File::create(p.path("state/send.lock")).unwrap();
    lock.try_lock().unwrap();
    let daemon = start(&p, "2025-09-07T07:00:02+09:00");
    assert!(daemon.wait_log("the run could not start; trying again in 2s"));
    drop(lock);
    let delivered = smtp.wait_for(3, Duration::from_secs(20));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("scheduled run failed"))
        .unwrap_or_default();
    assert_eq!(
        line.matches("another briefing send is running").count(),
        1,
        "{line}"
    );
}

/// The dump server answers 503 for longer than the fetch's own retries: the daemon
/// tries the run again within `catch_up`, and the briefing still goes out.
#[test]
fn a_dump_server_down_at_seven_does_not_cost_the_day() {
    let sample = std::fs::read(crate::support::sample()).unwrap();
    let mut replies = vec![crate::support::Reply::status(503, "down for maintenance"); 6];
    replies.push(crate::support::Reply::ok(sample));
    let http = crate::support::Http::start(replies);
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncatch_up = \"24s\"\n\n{}",
        smtp.smtp_section("")
    ));
    let config = std::fs::read_to_string(p.config()).unwrap();
    let source = config.lines().nth(1).unwrap().to_owned();
    std::fs::write(
        p.config(),
        config.replace(
            &source,
            &format!("location = \"{}\"", http.url("/dump.txt")),
        ),
    )
    .unwrap();
    let daemon = start(&p, "2025-09-07T07:00:02+09:00");
    assert!(daemon.wait_log("the run could not start; trying again in 3s"));
    let delivered = smtp.wait_for(3, Duration::from_secs(25));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    assert!(stderr.contains("503"), "{stderr}");
}
