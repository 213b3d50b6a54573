//! The command-line contract: output formats, errors, exit codes.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{briefing, run, Project};

#[test]
fn summarize_json_keeps_the_contract() {
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["summarize", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let articles = json["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 5);
    assert_eq!(articles[0]["published_at"], "2025-09-07T10:47:15+09:00");
    assert_eq!(articles[0]["label"], Value::Null);
    assert_eq!(articles[4]["label"], "기자수첩");
    assert_eq!(articles[1]["roundup"], articles[2]["roundup"]);
    for a in articles {
        let n = a["sentences"].as_array().unwrap().len();
        let picks: Vec<u64> = a["picks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap())
            .collect();
        assert_eq!(a["scores"].as_array().unwrap().len(), n);
        assert!(
            a["scores"].as_array().unwrap().iter().all(Value::is_number),
            "one number per sentence"
        );
        assert!(!picks.is_empty() && picks.len() <= 3);
        assert!(
            picks.windows(2).all(|w| w[0] < w[1]),
            "ascending: {picks:?}"
        );
        assert!(picks.iter().all(|&i| (i as usize) < n));
    }
    // Round-up stories are titled by their headline, not glued to their first line.
    assert_eq!(
        articles[2]["title"],
        "롯데바이오로직스, 글로벌 바이오기업과 CMO 계약…2030년까지 협력"
    );
}

#[test]
fn split_reads_one_document_per_line() {
    let mut child = briefing()
        .arg("split")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("물가가 5.4% 올랐다. 정부는 대책을 냈다.\n짧은 문서다.\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "물가가 5.4% 올랐다.\n정부는 대책을 냈다.\n\n짧은 문서다.\n\n"
    );
}

#[test]
fn preview_writes_the_html_part() {
    let p = Project::new("");
    let out_file = p.path("preview.html");
    let (out, _, stderr) = p.run(&[
        "preview",
        "--group",
        "columns",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(out_file).unwrap();
    assert!(html.contains("K-제조업이 보낸 SOS"));
    assert!(!html.contains("K-AI 어벤져스"));
    let (out, _, stderr) = p.run(&["preview", "--group", "nobody"]);
    assert!(!out.status.success());
    assert!(stderr.contains("--group nobody: no such group"), "{stderr}");
}

#[test]
fn check_reports_config_errors_with_file_line_and_key() {
    let p = Project::new("[schedule]\ncron = \"0 7 * * *\"\n");
    let (out, stdout, stderr) = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("config.toml:8: schedule.cron:"), "{stderr}");
    assert!(!stderr.contains("panicked"));

    let p = Project::new("[mail2]\nx = 1\n");
    let (_, _, stderr) = p.run(&["check"]);
    assert!(
        stderr.contains("config.toml:7: mail2: unknown field `mail2`"),
        "{stderr}"
    );

    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["check"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("OK") && stdout.contains("2 with 3 recipients"),
        "{stdout}"
    );
}

#[test]
fn bad_dumps_are_clear_errors_not_panics() {
    let p = Project::new("");
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.txt", b"", "the file is empty"),
        (
            "page.html",
            b"<!DOCTYPE html><html>oops</html>",
            "an HTML page",
        ),
        ("blob.bin", b"\x00\x01\x02\x03PK\x03\x04", "binary data"),
        (
            "latin.txt",
            b"\xff\xfe\xfd\xfc\xfb",
            "neither UTF-8 nor EUC-KR",
        ),
    ];
    for (name, bytes, want) in cases {
        let path = p.path(name);
        std::fs::write(&path, bytes).unwrap();
        let (out, _, stderr) = p.run(&["send", "--dump", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            stderr.contains(name) && stderr.contains(want),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!p.path("outbox").exists(), "nothing was sent");
}

#[test]
fn a_day_without_articles_sends_nothing_by_default() {
    let p = Project::new("");
    let path = p.path("quiet.txt");
    std::fs::write(&path, "최신기사\n-\n-\n").unwrap();
    let (out, stdout, _) = p.run(&["send", "--dump", path.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(stdout.contains("no article, nothing sent"), "{stdout}");
    assert!(!p.path("outbox").exists());
}

#[test]
fn a_cp949_dump_reads_like_the_utf8_one() {
    let p = Project::new("");
    let text = std::fs::read_to_string(crate::support::sample()).unwrap();
    let (cp949, _, unmappable) = encoding_rs::EUC_KR.encode(&text);
    assert!(
        !unmappable || text.contains('‘'),
        "the sample is mostly EUC-KR-encodable"
    );
    let path = p.path("dump-cp949.txt");
    std::fs::write(&path, &cp949).unwrap();
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", path.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");
    assert!(stderr.contains("(EUC-KR)"), "{stderr}");
}

#[test]
fn errors_exit_non_zero_with_one_line() {
    let (out, _, stderr) =
        run(briefing().args(["summarize", "--config", "/nonexistent/config.toml"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no config file at /nonexistent/config.toml (name one with --config"),
        "{stderr}"
    );
}

/// The next morning, with the same dump: nothing new, nothing sent. With one new article,
/// the briefing carries that one only.
#[test]
fn the_next_briefing_leaves_out_what_the_last_one_carried() {
    let p = Project::new("");
    // Noon, after the sample's newest article (10:47): a mark is never later than the
    // run that made it.
    let (out, stdout, _) = crate::support::run(
        p.cmd(&["send"])
            .env("BRIEFING_NOW", "2025-09-07T12:00:00+09:00"),
    );
    assert!(out.status.success(), "{stdout}");

    let next_day = |args: &[&str]| {
        crate::support::run(p.cmd(args).env("BRIEFING_NOW", "2025-09-08T07:00:00+09:00"))
    };
    let (out, stdout, stderr) = next_day(&["send"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("no article newer than the briefing of 2025-09-07, nothing sent"),
        "{stdout}"
    );

    let sample = std::fs::read_to_string(crate::support::sample()).unwrap();
    let dump = p.path("dump-2025-09-08.txt");
    std::fs::write(
        &dump,
        format!("{sample}-\n-\n새벽 배송 물량 30% 늘어\n유통업계의 새벽 배송 물량이 한 달 사이 30% 늘었다. 업계는 추석 대목을 앞두고 인력을 1,200명 더 뽑기로 했다.\n2025-09-08 05:30:00\n"),
    )
    .unwrap();
    let (out, stdout, stderr) = next_day(&["send", "--dump", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("(1 article; 5 left out, already in the briefing of 2025-09-07)"),
        "{stdout}"
    );
    let eml =
        std::fs::read_to_string(p.path("outbox/2025-09-08_morning_cfo@example.com.eml")).unwrap();
    let message = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .unwrap();
    let text = message.body_text(0).unwrap();
    assert!(text.contains("새벽 배송 물량 30% 늘어"), "{text}");
    assert!(
        !text.contains("K-AI 어벤져스"),
        "yesterday's news left out: {text}"
    );

    // An article stamped years ahead (a typo) is sent, but does not hide the news of
    // the days until then.
    std::fs::write(
        &dump,
        format!("{sample}-\n-\n날짜가 잘못된 기사\n입력 오류로 미래 날짜가 붙은 기사다.\n2052-09-08 05:30:00\n"),
    )
    .unwrap();
    let (out, stdout, _) = crate::support::run(
        p.cmd(&["send", "--dump", dump.to_str().unwrap()])
            .env("BRIEFING_NOW", "2025-09-09T07:00:00+09:00"),
    );
    assert!(
        out.status.success() && stdout.contains("(1 article"),
        "{stdout}"
    );
    let mark = std::fs::read_to_string(p.path("state/ledger/2025-09-09/newest-article")).unwrap();
    assert!(
        mark.starts_with("2025-09-09T07:00:00"),
        "capped at the run: {mark}"
    );
}

/// `summarize | head -1`: the reader leaves early; the output ends quietly, without the
/// panic a closed pipe used to cause.
#[test]
fn output_into_a_pipe_closed_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    let titles: Vec<String> = (0..3000).map(|n| format!("동네 소식 {n}호")).collect();
    let body = "주민센터는 다음 달부터 야간 민원 창구를 연다고 밝혔다. 창구는 밤 9시까지 연다.";
    let articles: Vec<(&str, &str, &str)> = titles
        .iter()
        .map(|t| (t.as_str(), body, "2025-09-06 18:10:00"))
        .collect();
    let p = Project::new("");
    std::fs::write(p.path("big.txt"), crate::day::dump(&articles)).unwrap();
    let big = p.path("big.txt").display().to_string();
    for format in ["text", "json"] {
        let mut child = p
            .cmd(&["summarize", "--format", format, "--dump", &big])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{format}: {stderr}");
        assert!(!stderr.contains("internal error"), "{stderr}");
    }
}

/// `pick --jsonl` with one bad line: the good lines still get their picks, the bad
/// one is named, and the exit code says something was left out. `status --days 0` is
/// refused rather than printing nothing.
#[test]
fn a_bad_line_in_pick_input_is_named_and_the_rest_still_picked() {
    let p = Project::new("");
    let good = |id: &str| {
        format!(
            "{{\"id\":\"{id}\",\"title\":\"버스 노선 신설\",\"sentences\":[\"시는 노선 세 개를 새로 만든다고 밝혔다.\",\"배차 간격은 8분이다.\"]}}"
        )
    };
    let input = format!("{}\n{{\"id\":\"b\", oops\n{}\n", good("a"), good("c"));
    std::fs::write(p.path("in.jsonl"), input).unwrap();
    let (out, stdout, stderr) = p.run(&["pick", "--jsonl", p.path("in.jsonl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let ids: Vec<&str> = stdout.lines().map(|l| &l[..8]).collect();
    assert_eq!(ids, ["{\"id\":\"a", "{\"id\":\"c"], "{stdout}");
    assert!(
        stderr.contains("in.jsonl: line 2: not an article object"),
        "{stderr}"
    );
    let (out, _, stderr) = p.run(&["status", "--days", "0"]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--days"), "{stderr}");
}

/// Shell completions and the manual page come from the same definitions as `--help`.
#[test]
fn completions_and_the_manual_page_know_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let (out, script, stderr) = run(briefing().args(["completions", shell]));
        assert!(out.status.success(), "{shell}: {stderr}");
        for command in ["send", "preview", "status", "unsubscribe"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    let (out, man, stderr) = run(briefing().arg("man"));
    assert!(out.status.success(), "{stderr}");
    assert!(
        man.contains(".TH briefing 1") && man.contains("send"),
        "{man}"
    );
}

/// `--config` goes before or after the subcommand (a unit file has it first, a shell
/// history often last), and `BRIEFING_CONFIG` stands in when it is left out.
#[test]
fn the_config_flag_goes_before_or_after_the_subcommand() {
    let p = Project::new("");
    let config = p.config();
    let config = config.to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    for (how, args, env) in [
        ("before", vec!["--config", config, "check"], None),
        ("after", vec!["check", "--config", config], None),
        ("short, before", vec!["-c", config, "-v", "check"], None),
        ("from BRIEFING_CONFIG", vec!["check"], Some(config)),
    ] {
        let mut cmd = briefing();
        cmd.current_dir(elsewhere.path()).args(&args);
        if let Some(path) = env {
            cmd.env("BRIEFING_CONFIG", path);
        }
        let (out, stdout, stderr) = run(&mut cmd);
        assert!(out.status.success(), "{how}: {stderr}");
        assert!(
            stdout.starts_with(&format!("{config}: OK")),
            "{how}: {stdout}"
        );
    }
    // The flag wins over the variable, in either position.
    let (out, _, stderr) = run(briefing()
        .current_dir(elsewhere.path())
        .env("BRIEFING_CONFIG", "없는/설정.toml")
        .args(["--config", config, "summarize"]));
    assert!(out.status.success(), "{stderr}");
}

/// Lines of the text log: each starts with its own timestamp, so no event spans lines.
fn assert_one_event_per_line(stderr: &str, offset: &str) {
    assert!(!stderr.is_empty());
    for line in stderr.lines() {
        let stamp = line.split(' ').next().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok() && stamp.ends_with(offset),
            "not an event line of its own at {offset}: {line:?}\n{stderr}"
        );
    }
}

/// Log timestamps are in `[schedule] timezone` with the offset (Korea by default), and
/// `--log-format json` writes one JSON object per line for a log shipper.
#[test]
fn log_lines_carry_the_configured_zone_and_parse_as_json() {
    let seoul = Project::new("");
    let (out, _, stderr) = seoul.run(&["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert_one_event_per_line(&stderr, "+09:00");
    assert!(
        stderr.starts_with("2025-09-07T07:00:00.000+09:00 "),
        "{stderr}"
    );

    let new_york = Project::new("[schedule]\ntimezone = \"America/New_York\"\n");
    let (out, _, stderr) = new_york.run(&["--log-format", "json", "send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    assert!(!events.is_empty());
    for e in &events {
        // 07:00 in Seoul is 18:00 the evening before in New York (summer time).
        assert_eq!(e["timestamp"], "2025-09-06T18:00:00.000-04:00", "{e}");
        assert!(
            e["level"].is_string() && e["fields"]["message"].is_string(),
            "{e}"
        );
    }
    assert!(
        events.iter().any(|e| e["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("5 articles"))),
        "{stderr}"
    );
}

/// The daemon logs a run as one summary line (the full report is for stdout and
/// `POST /send`), not the report's lines inside one log event.
#[test]
fn the_daemon_logs_a_run_as_one_line() {
    let smtp = crate::support::Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    // 07:30: the 07:00 run is caught up at once.
    let daemon = crate::support::Daemon::spawn(
        p.cmd(&["run"])
            .env("BRIEFING_NOW", "2025-09-07T07:30:00+09:00"),
    );
    let delivered = smtp.wait_for(3, std::time::Duration::from_secs(20));
    assert!(daemon.wait_log("next briefing at"));
    let (clean, stderr) = daemon.stop();
    assert!(delivered && clean, "{stderr}");
    assert_one_event_per_line(&stderr, "+09:00");
    assert!(
        stderr.contains(
            "briefing 2025-09-07 (5 articles): columns 1/1 delivered; morning 2/2 delivered\n"
        ),
        "{stderr}"
    );
}

/// `send --force --dry-run`: accepted, nothing sent, and the report says who a forced
/// send would reach again.
#[test]
fn a_forced_dry_run_reports_the_resend_and_sends_nothing() {
    let p = Project::new("");
    let (out, _, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stderr}");
    let outbox = || std::fs::read_dir(p.path("outbox")).unwrap().count();
    let ledger = || crate::support::files_under(&p.path("state"));
    let (sent, recorded) = (outbox(), ledger());
    let (out, stdout, stderr) = p.run(&["send", "--force", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(", dry run\n"), "{stdout}");
    assert!(
        stdout.contains("2 recipients: 2 would be sent, 0 already delivered, 0 suppressed"),
        "{stdout}"
    );
    assert_eq!(outbox(), sent, "nothing sent");
    assert_eq!(ledger(), recorded, "nothing recorded");
}

/// The config with its one `[source]` at `location`, or as one named `[[sources]]`.
fn one_source_at(p: &Project, location: &str, name: Option<&str>) {
    let config = std::fs::read_to_string(p.config()).unwrap();
    let sample = crate::support::sample().display().to_string();
    let mut config = config.replace(&sample, location);
    if let Some(name) = name {
        config = config.replace("[source]\n", &format!("[[sources]]\nname = \"{name}\"\n"));
    }
    std::fs::write(p.config(), config).unwrap();
}

/// A missing dump, and a FIFO where the dump should be: one line that names the one
/// source and gives the OS error once, without "built from the other sources" when
/// there is no other; beside a source that answers, the failed one keeps that wording.
#[cfg(unix)]
#[test]
fn a_lone_source_that_cannot_be_read_is_one_line_naming_it() {
    let p = Project::new("");
    let fifo = p.path("fifo.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let missing = p.path("nothere.txt").display().to_string();
    let fifo = fifo.display().to_string();
    let not_found = "No such file or directory (os error 2)";
    let cases = [
        ("nothere.txt", format!("cannot read {missing}: {not_found}")),
        (
            "fifo.txt",
            format!("{fifo}: not a regular file (a FIFO); a dump must be a file"),
        ),
    ];
    let written = std::fs::read_to_string(p.config()).unwrap();
    for (location, error) in cases {
        for name in [None, Some("바다일보")] {
            std::fs::write(p.config(), &written).unwrap();
            one_source_at(&p, location, name);
            let want = match name {
                None => format!("briefing: {error}\n"),
                Some(name) => format!("briefing: source {name}: {error}\n"),
            };
            for args in [&["send"][..], &["summarize"]] {
                let (out, _, stderr) = run(p.cmd(args).arg("-q").env_remove("RUST_LOG"));
                assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
                assert_eq!(stderr, want, "{args:?} {location} {name:?}");
            }
        }
    }

    // Beside a source that answers: the failed one is named once, with its OS error once.
    std::fs::write(
        p.config(),
        written.replace(
            "[source]\n",
            "[[sources]]\nname = \"바다일보\"\nlocation = \"nothere.txt\"\n\n[[sources]]\nname = \"구청소식\"\n",
        ),
    )
    .unwrap();
    let (out, stdout, stderr) = p.run(&["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.contains("바다일보"))
        .unwrap_or_default();
    assert!(
        warning.contains("source 바다일보: cannot read ")
            && warning.ends_with("(os error 2); the briefing is built from the other sources"),
        "{stderr}"
    );
    assert_eq!(warning.matches("os error").count(), 1, "{warning}");
    assert!(
        stdout.contains("  source 바다일보 failed: cannot read ")
            && stdout.matches("os error").count() == 1,
        "{stdout}"
    );
}

/// Someone who had the morning's briefing unsubscribes: `send` and `status` both count
/// them as suppressed (`status` said 0 right after a `send --force` reported 1).
#[test]
fn status_counts_the_suppressed_as_send_reports_them() {
    let p = Project::new("");
    let (out, _, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stderr}");
    let (out, _, stderr) = p.run(&["unsubscribe", "cfo@example.com"]);
    assert!(out.status.success(), "{stderr}");
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(
            "0 delivered, 1 already delivered earlier, 0 failed, 1 suppressed (unsubscribed)"
        ),
        "{stdout}"
    );
    let (out, stdout, stderr) = p.run(&["send", "--force"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(
            "1 delivered, 0 already delivered earlier, 0 failed, 1 suppressed (unsubscribed)"
        ),
        "{stdout}"
    );
    let (_, status, _) = p.run(&["status", "--days", "1"]);
    assert!(
        status.contains("morning: 1 delivered, 0 pending, 0 deferred, 0 failed, 1 suppressed"),
        "{status}"
    );
    assert!(
        status.contains(
            "suppressed cfo@example.com: unsubscribed, this briefing delivered at 07:00:00"
        ),
        "{status}"
    );
    assert_eq!(p.states("morning")["cfo@example.com"], "suppressed");
    let (_, json, _) = p.run(&["status", "--format", "json", "--days", "1"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let morning = json[0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "morning")
        .unwrap();
    let cfo = morning["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "cfo@example.com")
        .unwrap();
    assert_eq!(
        cfo["record"]["event"], "delivered",
        "the delivery is kept: {cfo}"
    );
}
