//! `briefing run`: the scheduled daemon, with a schedule a few seconds ahead.

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Project, Smtp};

#[test]
fn sends_on_schedule_once_per_day_and_stops_on_sigterm() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&format!(
        "[schedule]\ncron = \"*/2 * * * * *\"\ntimezone = \"Asia/Seoul\"\n\n{}",
        smtp.smtp_section("")
    ));
    let mut child = p
        .cmd(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let delivered = smtp.wait_for(3, Duration::from_secs(20));
    // Let a few more ticks pass: the ledger must keep them from sending again.
    thread::sleep(Duration::from_secs(5));
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert!(delivered, "no briefing within 20 s: {stderr}");
    assert!(
        status.is_some_and(|s| s.success()),
        "clean exit on SIGTERM: {status:?} {stderr}"
    );
    assert_eq!(
        smtp.messages().len(),
        3,
        "one briefing per recipient per day: {stderr}"
    );
    assert!(stderr.contains("next briefing at"), "{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
}
