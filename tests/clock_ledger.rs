//! The clock and the ledger against the real binary: a pinned clock reaches every record,
//! a wrong one is refused before anything is sent, and a torn ledger blocks nothing.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::support::{Project, NOW};

/// The `.eml` files in the outbox, by name; none when there is no outbox.
fn outbox(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.path("outbox"))
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn ledger_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ledger_records_carry_the_pinned_time() {
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}{stderr}");
    let records = ledger_lines(&p.path("state/ledger/2025-09-07/morning.jsonl"));
    assert_eq!(
        records.len(),
        4,
        "sending and delivered, for two recipients"
    );
    // NOW is 07:00 in Seoul: 22:00 the day before in UTC.
    assert!(NOW.starts_with("2025-09-07T07:00:00+09:00"));
    for r in &records {
        let at = r["at"].as_str().unwrap();
        assert!(at.starts_with("2025-09-06T22:00:00"), "{at}");
    }
}

#[test]
fn a_ledger_torn_inside_a_korean_character_blocks_nobody() {
    let p = Project::new("");
    let dir = p.path("state/ledger/2025-09-07");
    std::fs::create_dir_all(&dir).unwrap();
    // ceo has today's briefing; the disk filled while cfo's record, written after a
    // record for a Korean address, was cut in the middle of 하.
    let delivered = r#"{"recipient":"ceo@example.com","event":"delivered","at":"2025-09-06T22:00:00Z","attempt":1,"detail":"written","message_id":"<a@example.com>"}"#;
    let torn = r#"{"recipient":"김하늘@example.com","event":"sending","at":"2025-09-06T22:00:00Z","attempt":1}"#;
    let cut = torn.find('하').unwrap() + 1;
    let mut bytes = format!("{delivered}\n").into_bytes();
    bytes.extend_from_slice(&torn.as_bytes()[..cut]);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "ends inside a character"
    );
    std::fs::write(dir.join("morning.jsonl"), &bytes).unwrap();

    let (out, stdout, stderr) = p.run(&["status", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let status: Value = serde_json::from_str(&stdout).unwrap();
    let morning = &status[0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "morning")
        .unwrap()["recipients"];
    let state = |who: &str| {
        morning
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == who)
            .map(|r| r["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state("ceo@example.com").as_deref(), Some("delivered"));
    assert_eq!(state("cfo@example.com").as_deref(), Some("not_sent"));
    assert!(
        stderr.contains("morning.jsonl:2: unreadable record skipped"),
        "names the file and line: {stderr}"
    );

    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 delivered, 1 already delivered earlier, 0 failed"),
        "{stdout}"
    );
    assert_eq!(
        outbox(&p),
        [
            "2025-09-07_columns_desk@example.com.eml",
            "2025-09-07_morning_cfo@example.com.eml"
        ]
    );
    let (out, stdout, stderr) = p.run(&["status"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("morning: 2 delivered, 0 pending"),
        "{stdout}"
    );
}

#[test]
fn a_run_dated_before_the_newest_briefing_is_refused_and_sends_nothing() {
    let p = Project::new("");
    let run_at =
        |now: &str, args: &[&str]| crate::support::run(p.cmd(args).env("BRIEFING_NOW", now));
    let (out, stdout, stderr) = run_at("2025-09-08T07:00:00+09:00", &["send"]);
    assert!(out.status.success(), "{stdout}{stderr}");
    std::fs::remove_dir_all(p.path("outbox")).unwrap();

    for args in [&["send"][..], &["send", "--force"], &["send", "--dry-run"]] {
        let (out, stdout, stderr) = run_at("2025-09-07T07:00:00+09:00", args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("today is 2025-09-07 by the clock, but the ledger already has the briefing of 2025-09-08")
                && stderr.contains("BRIEFING_NOW"),
            "{stderr}"
        );
        assert_eq!(outbox(&p), Vec::<String>::new(), "{args:?}: nothing sent");
    }
    assert!(!p.path("state/ledger/2025-09-07").exists());

    // A briefing far from its articles' dates goes out, with a warning.
    let (out, _, stderr) = run_at("2025-09-12T07:00:00+09:00", &["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the briefing of 2025-09-12 carries articles of 2025-09-07 at the newest (5 days older)"),
        "{stderr}"
    );
}

#[test]
fn pinned_clocks_out_of_range_are_refused_before_any_work() {
    let p = Project::new("");
    for now in [
        "1969-12-31T23:59:59Z",
        "1900-01-01T07:00:00+09:00",
        "9999-12-31T00:00:00Z",
        "9999-12-31T23:00:00-05:00",
    ] {
        for args in [&["send"][..], &["status"], &["check"]] {
            let (out, stdout, stderr) = crate::support::run(p.cmd(args).env("BRIEFING_NOW", now));
            assert_eq!(
                out.status.code(),
                Some(1),
                "{now} {args:?}: {stdout}{stderr}"
            );
            assert!(
                stderr.contains(&format!("BRIEFING_NOW={now:?}: out of range")),
                "{stderr}"
            );
            assert!(!stderr.contains("internal error"), "{stderr}");
        }
        assert!(
            !p.path("outbox").exists() && !p.path("state").exists(),
            "{now}"
        );
    }
    let (out, _, stderr) =
        crate::support::run(p.cmd(&["send"]).env("BRIEFING_NOW", "9999-12-30T23:59:59Z"));
    assert!(out.status.success(), "the last second is a time: {stderr}");
    assert!(p.path("state/ledger/9999-12-31/morning.jsonl").exists());
}

#[test]
fn unsafe_group_names_are_refused_by_check() {
    let groups = "[groups.\"../../../escaped\"]\nrecipients = [\"ceo@example.com\"]\n";
    let p = Project::with_groups("", groups);
    let (out, stdout, stderr) = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stderr.contains(
            "config.toml:9: groups.\"../../../escaped\": '.' is not allowed in a group name"
        ),
        "{stderr}"
    );
    let (out, _, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!p
        .dir
        .path()
        .parent()
        .unwrap()
        .join("escaped.jsonl")
        .exists());

    let p = Project::with_groups(
        "[summary]\nlines_per_article = 0\n",
        "[groups.\"아침독자\"]\nrecipients = [\"ceo@example.com\"]\n",
    );
    let (out, _, stderr) = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("config.toml:8: summary.lines_per_article: 0 is out of range"),
        "{stderr}"
    );
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(p.config())
        .unwrap();
    let config = format!(
        "[source]\nlocation = \"{}\"\n\n[mail]\nfrom = \"briefing@example.com\"\n\n[groups.\"아침독자\"]\nrecipients = [\"ceo@example.com\"]\n",
        crate::support::sample().display()
    );
    f.write_all(config.as_bytes()).unwrap();
    drop(f);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(p.path("state/ledger/2025-09-07/아침독자.jsonl").exists());
}
