//! Delivery over a real SMTP server (aiosmtpd), read back and parsed.

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;

use crate::support::{test_certificates, Project, Smtp};

/// The key lines `summarize --format json` picks for the sample, by article title.
fn key_lines(p: &Project) -> Vec<(String, Vec<String>)> {
    let (out, stdout, stderr) = p.run(&["summarize", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let sentences = a["sentences"].as_array().unwrap();
            let picks = a["picks"].as_array().unwrap();
            let lines = picks
                .iter()
                .map(|i| {
                    sentences[i.as_u64().unwrap() as usize]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            (a["title"].as_str().unwrap().to_owned(), lines)
        })
        .collect()
}

#[test]
fn each_recipient_gets_one_multipart_message_with_the_key_lines() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "morning: \"9월 7일(일) 'K-AI 어벤져스' 이끌고 도쿄서 '투자 세일즈' 외 4건\""
        ),
        "{stdout}"
    );

    let messages = smtp.messages();
    let mut envelopes: Vec<&str> = messages.iter().map(|(to, _)| to.as_str()).collect();
    envelopes.sort_unstable();
    assert_eq!(
        envelopes,
        ["ceo@example.com", "cfo@example.com", "desk@example.com"]
    );

    let lines = key_lines(&p);
    assert_eq!(
        lines.len(),
        5,
        "three articles, one a round-up of three stories"
    );
    for (to, raw) in &messages {
        let m = MessageParser::default().parse(raw).unwrap();
        let header_to: Vec<String> = m
            .to()
            .unwrap()
            .iter()
            .map(|a| a.address().unwrap().to_owned())
            .collect();
        assert_eq!(header_to, [to.as_str()], "nobody sees another address");
        assert!(m.content_type().unwrap().c_subtype.as_deref() == Some("alternative"));
        // The text part is wrapped and the HTML part sets figures in bold: the lines
        // are looked for as the reader reads them.
        let text = m
            .body_text(0)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let html = m
            .body_html(0)
            .unwrap()
            .replace("<b>", "")
            .replace("</b>", "");
        assert!(m.message_id().unwrap().starts_with("briefing.2025-09-07."));
        if to == "desk@example.com" {
            assert_eq!(m.subject(), Some("[칼럼 브리핑] 2025년 9월 7일 (일)"));
            let (title, picked) = lines
                .iter()
                .find(|(t, _)| t.starts_with("K-제조업"))
                .unwrap();
            assert!(text.contains(title.as_str()), "{text}");
            for line in picked {
                assert!(text.contains(line.as_str()), "{line} missing from\n{text}");
            }
            assert!(
                !text.contains("K-AI"),
                "the column group gets only [기자수첩]"
            );
        } else {
            assert_eq!(
                m.subject(),
                Some("9월 7일(일) 'K-AI 어벤져스' 이끌고 도쿄서 '투자 세일즈' 외 4건")
            );
            assert_eq!(
                m.from().unwrap().first().unwrap().name(),
                Some("아침 브리핑")
            );
            for (title, picked) in &lines {
                assert!(text.contains(title.as_str()), "{title} missing");
                for line in picked {
                    assert!(
                        text.contains(line.as_str()),
                        "{line} missing from the text part"
                    );
                    let escaped = line
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;");
                    assert!(html.contains(&escaped), "{line} missing from the HTML part");
                }
            }
        }
    }
}

#[test]
fn a_second_send_on_the_same_day_does_nothing_and_force_resends() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    assert!(p.run(&["send"]).0.status.success());
    let (out, stdout, _) = p.run(&["send"]);
    assert!(out.status.success());
    assert!(
        stdout.contains("0 delivered, 2 already delivered earlier"),
        "{stdout}"
    );
    assert_eq!(smtp.messages().len(), 3);
    let (out, _, stderr) = p.run(&["send", "--force"]);
    assert!(out.status.success(), "{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 6);
    // A resend on purpose is a new message: a server dropping duplicates by Message-ID
    // must not drop it.
    let ids: std::collections::BTreeSet<String> = messages
        .iter()
        .map(|(_, raw)| {
            let m = MessageParser::default().parse(raw).unwrap();
            m.message_id().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
}

/// An address this server cannot take (non-ASCII, no SMTPUTF8) fails for that
/// recipient only; the others in the group still get theirs.
#[test]
fn an_address_the_server_cannot_take_fails_alone() {
    let smtp = Smtp::start(&[]);
    let p = Project::with_groups(
        &smtp.smtp_section("connections = 1"),
        "[groups.g]\nrecipients = [\"a@example.com\", \"b@예시.kr\", \"c@example.com\"]\n",
    );
    let (out, stdout, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("2 delivered, 0 already delivered earlier, 1 failed, 0 not tried"),
        "{stdout}"
    );
    assert!(stdout.contains("failed b@예시.kr"), "{stdout}");
    assert!(!stdout.contains("stopped:"), "{stdout}");
    assert_eq!(smtp.messages().len(), 2);
}

#[test]
fn transient_failures_are_retried_and_then_delivered() {
    for code in ["451", "421"] {
        let smtp = Smtp::start(&["--transient", "2", "--transient-code", code]);
        let p = Project::new(&smtp.smtp_section(""));
        let (out, stdout, stderr) = p.run(&["send"]);
        assert!(out.status.success(), "{code}: {stdout}\n{stderr}");
        assert_eq!(smtp.messages().len(), 3, "{code}");
        // Count the retry lines by the reply text: a bare "451" could also turn up in
        // a jittered pause such as "1.451s".
        assert_eq!(
            stderr
                .matches(&format!("({code}): 4.3.0 try again later"))
                .count(),
            2,
            "{stderr}"
        );
        let ledger =
            std::fs::read_to_string(p.path("state/ledger/2025-09-07/columns.jsonl")).unwrap();
        assert!(
            ledger.contains("\"event\":\"delivered\",\"at\""),
            "{ledger}"
        );
        assert!(
            ledger.contains("\"attempt\":3"),
            "third try went through: {ledger}"
        );
    }
}

#[test]
fn a_rejected_recipient_is_recorded_and_the_others_still_get_theirs() {
    let smtp = Smtp::start(&["--reject", "cfo@example.com"]);
    let p = Project::new(&smtp.smtp_section(""));
    let (out, stdout, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("failed cfo@example.com"), "{stdout}");
    assert!(stdout.contains("550"), "{stdout}");
    let mut got: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
    got.sort();
    assert_eq!(got, ["ceo@example.com", "desk@example.com"]);
}

#[test]
fn auth_with_the_password_from_the_environment() {
    let smtp = Smtp::start(&["--auth", "briefing:s3cret-pw"]);
    let section = smtp.smtp_section(
        "username = \"briefing\"\npassword_env = \"TEST_SMTP_PW\"\nallow_insecure_auth = true",
    );
    let p = Project::new(&section);
    let (out, stdout, stderr) = run_with(&p, &["send"], "s3cret-pw");
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(smtp.messages().len(), 3);

    let smtp = Smtp::start(&["--auth", "briefing:s3cret-pw"]);
    let p = Project::new(&smtp.smtp_section(
        "username = \"briefing\"\npassword_env = \"TEST_SMTP_PW\"\nallow_insecure_auth = true",
    ));
    let (out, stdout, stderr) = run_with(&p, &["send"], "wrong-pw");
    // The run's error, not a report of recipients (issue 21): exit 1, one line.
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(
        p.states("morning").values().all(|s| s == "not_sent"),
        "stops at the first AUTH failure, the recipients not tried: {stdout}\n{stderr}"
    );
    assert!(
        !stdout.contains("wrong-pw") && !stderr.contains("wrong-pw"),
        "the password never shows"
    );
    assert!(smtp.messages().is_empty());
}

fn run_with(p: &Project, args: &[&str], password: &str) -> (std::process::Output, String, String) {
    crate::support::run(p.cmd(args).env("TEST_SMTP_PW", password))
}

#[test]
fn starttls_with_a_private_ca() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(certs.path());
    let smtp = Smtp::start(&["--starttls", cert.to_str().unwrap(), key.to_str().unwrap()]);
    let section = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\n",
        smtp.port,
        ca.display()
    );
    let p = Project::new(&section);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(smtp.messages().len(), 3);

    // Without the CA the certificate is not trusted: a TLS failure stops the run.
    let smtp = Smtp::start(&["--starttls", cert.to_str().unwrap(), key.to_str().unwrap()]);
    let p = Project::new(&format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\n",
        smtp.port
    ));
    let (out, stdout, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("TLS"), "{stdout}");
    assert!(smtp.messages().is_empty());
}

#[test]
fn auth_over_starttls_and_over_implicit_tls() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(certs.path());
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    for (mode, flag) in [("starttls", "--starttls"), ("tls", "--tls")] {
        let smtp = Smtp::start(&[flag, cert, key, "--auth", "briefing:s3cret-pw"]);
        let p = Project::new(&format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"{mode}\"\nca_file = \"{}\"\nusername = \"briefing\"\npassword_env = \"TEST_SMTP_PW\"\n",
            smtp.port,
            ca.display()
        ));
        let (out, stdout, stderr) = run_with(&p, &["send"], "s3cret-pw");
        assert!(out.status.success(), "{mode}: {stdout}\n{stderr}");
        assert_eq!(smtp.messages().len(), 3, "{mode}");
        assert!(
            !stderr.contains("s3cret-pw"),
            "{mode}: the password never shows"
        );
    }
}

/// tls = "starttls" against a server that does not offer it: never downgraded to plain
/// text, and no use retrying.
#[test]
fn a_server_without_starttls_is_refused_not_downgraded() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(
        &smtp
            .smtp_section("")
            .replace("tls = \"none\"", "tls = \"starttls\""),
    );
    let (out, stdout, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let said = format!(
        "the server at 127.0.0.1:{} does not offer STARTTLS",
        smtp.port
    );
    assert!(stdout.contains(&said), "{stdout}");
    assert!(!stdout.contains("internal client error"), "{stdout}");
    assert!(stdout.contains("2 not tried"), "stops at once: {stdout}");
    assert!(smtp.messages().is_empty());
}

#[test]
fn a_server_that_is_down_is_retried_then_reported() {
    let closed = crate::support::ClosedPort::new();
    let port = closed.port;
    let p = Project::new(&format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nretries = 1\nretry_delay_ms = 10\n"));
    let (out, stdout, stderr) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("columns: \"[칼럼 브리핑] 2025년 9월 7일 (일)\", 1 item, 1 recipient: 0 delivered, 0 already delivered earlier, 0 failed, 1 deferred, 0 not tried"), "{stdout}");
    assert!(
        stdout.contains(
            "2 recipients: 0 delivered, 0 already delivered earlier, 0 failed, 2 not tried"
        ),
        "a server that stays down stops the run: {stdout}"
    );
    assert!(stdout.contains("stopped: 127.0.0.1:"), "{stdout}");
    // A later run, with the server up, delivers to everyone.
    let smtp = Smtp::start(&[]);
    std::fs::write(
        p.config(),
        std::fs::read_to_string(p.config())
            .unwrap()
            .replace(&format!("port = {port}"), &format!("port = {}", smtp.port)),
    )
    .unwrap();
    let (out, stdout, _) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(smtp.messages().len(), 3);
}

/// A server that accepts the connection but never answers DATA in time: each message
/// times out, is retried, and the run stops instead of hanging on every recipient.
#[test]
fn a_server_that_hangs_times_out_and_stops_the_run() {
    let smtp = Smtp::start(&["--delay-data", "30"]);
    let p = Project::new(
        &smtp
            .smtp_section("")
            .replace("timeout_secs = 10", "timeout_secs = 1\nretries = 1"),
    );
    let started = std::time::Instant::now();
    let (out, stdout, stderr) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("timed out"), "{stdout}");
    assert!(stdout.contains("stopped: "), "{stdout}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(25),
        "bounded by the timeout, not the server"
    );
}

#[test]
fn without_smtp_the_outbox_gets_one_eml_per_recipient() {
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let mut files: Vec<String> = std::fs::read_dir(p.path("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "2025-09-07_columns_desk@example.com.eml",
            "2025-09-07_morning_ceo@example.com.eml",
            "2025-09-07_morning_cfo@example.com.eml"
        ]
    );
    let raw = std::fs::read(p.path("outbox/2025-09-07_morning_cfo@example.com.eml")).unwrap();
    let m = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        m.subject(),
        Some("9월 7일(일) 'K-AI 어벤져스' 이끌고 도쿄서 '투자 세일즈' 외 4건")
    );
    assert!(m.body_text(0).unwrap().contains("K-AI 어벤져스"));
}

#[test]
fn dry_run_and_test_copy_send_nothing_to_the_groups() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let (out, stdout, _) = p.run(&["send", "--dry-run"]);
    assert!(out.status.success());
    assert!(stdout.contains("2 would be sent"), "{stdout}");
    assert!(smtp.messages().is_empty());
    let (out, _, stderr) = p.run(&["send", "--to", "tester@example.com"]);
    assert!(out.status.success(), "{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "tester@example.com");
    // The test copy is not recorded: the real send still goes to everyone.
    assert!(p.run(&["send"]).0.status.success());
    assert_eq!(smtp.messages().len(), 4);
}

/// A Korean group name must not turn the Message-ID into an encoded word: the ID is what
/// lets a server drop the resend of a message in doubt.
#[test]
fn a_korean_group_name_gives_an_ascii_message_id() {
    let smtp = Smtp::start(&[]);
    let p = Project::with_groups(
        &smtp.smtp_section(""),
        "[groups.\"아침독자\"]\nrecipients = [\"김하늘 <ceo@example.com>\"]\n",
    );
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let raw = String::from_utf8_lossy(&messages[0].1).into_owned();
    let id = raw
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or_else(|| panic!("no Message-ID line in\n{raw}"));
    assert!(
        id.is_ascii() && id.starts_with("<briefing.2025-09-07.") && id.ends_with("@example.com>"),
        "{id}"
    );
    assert!(!id.contains("=?") && !id.contains(' '), "{id}");
    let ledger = std::fs::read_to_string(p.path("state/ledger/2025-09-07/아침독자.jsonl")).unwrap();
    assert!(
        ledger.contains(&format!("\"message_id\":\"{id}\"")),
        "the ledger keeps the ID for a resend: {ledger}"
    );
}

/// A server that takes the message and then drops the connection without a reply, or
/// never replies: the message is resent (with its Message-ID, so a server that did keep
/// it can drop the copy), and everyone ends up with exactly one.
#[test]
fn a_connection_lost_or_stalled_after_data_is_resent_once() {
    for fault in ["--close-after-data", "--hang-after-data"] {
        let smtp = Smtp::start(&[fault, "1", "--dedupe"]);
        let p = Project::new(
            &smtp
                .smtp_section("retries = 2\nconnections = 1")
                .replace("timeout_secs = 10", "timeout_secs = 2"),
        );
        let (out, stdout, stderr) = p.run(&["send"]);
        assert!(out.status.success(), "{fault}: {stdout}\n{stderr}");
        let mut got: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
        got.sort();
        assert_eq!(
            got,
            ["ceo@example.com", "cfo@example.com", "desk@example.com"],
            "{fault}: {stderr}"
        );
        let ledger =
            std::fs::read_to_string(p.path("state/ledger/2025-09-07/columns.jsonl")).unwrap();
        assert!(
            ledger.contains("\"attempt\":2"),
            "{fault}: resent once: {ledger}"
        );
    }
}

/// A group with a sender name of its own: its readers see that name in the inbox, the
/// other groups keep `mail.from`'s; a name with a line break is refused.
#[test]
fn a_group_can_have_a_sender_name_of_its_own() {
    let groups = crate::support::GROUPS.replace(
        "[groups.columns]\n",
        "[groups.columns]\nfrom_name = \"칼럼 브리핑\"\n",
    );
    let smtp = Smtp::start(&[]);
    let p = Project::with_groups(&smtp.smtp_section(""), &groups);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for (to, raw) in smtp.messages() {
        let m = MessageParser::default().parse(&raw).unwrap();
        let from = m.from().and_then(|f| f.first()).unwrap();
        let want = if to == "desk@example.com" {
            "칼럼 브리핑"
        } else {
            "아침 브리핑"
        };
        assert_eq!(from.name(), Some(want), "{to}");
        assert_eq!(from.address(), Some("briefing@example.com"));
    }
    let bad = Project::with_groups("", &groups.replace("칼럼 브리핑", "칼럼\\nBcc: x@y"));
    let (out, _, stderr) = bad.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("groups.columns.from_name: must be one line"),
        "{stderr}"
    );
}

/// `send --json` prints the report `POST /send` answers with, for a script: here read
/// back against what the server received.
#[test]
fn send_json_is_the_report_a_script_reads() {
    let smtp = Smtp::start(&["--reject", "cfo@example.com"]);
    let p = Project::new(&smtp.smtp_section(""));
    let (out, stdout, stderr) = p.run(&["send", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["complete"], false);
    assert_eq!(report["date"], "2025-09-07");
    assert_eq!(report["articles"], 5);
    let groups = report["groups"].as_array().unwrap();
    let delivered: u64 = groups
        .iter()
        .map(|g| g["delivered"].as_u64().unwrap())
        .sum();
    assert_eq!(delivered as usize, smtp.messages().len());
    let morning = groups.iter().find(|g| g["group"] == "morning").unwrap();
    assert_eq!(morning["recipients"], 2);
    assert_eq!(morning["delivered"], 1);
    assert_eq!(morning["failed"][0]["address"], "cfo@example.com");
    assert!(
        morning["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("550"),
        "{morning}"
    );
}

/// Without a terminal there is no progress bar: plain log lines, no escape sequences
/// or carriage returns in either stream. `-v` adds one line per delivery; `-vv` adds
/// the program's own detail, never the dependencies' debug output.
#[test]
fn piped_feedback_is_plain_lines_and_verbosity_stays_readable() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let send = |args: &[&str]| {
        let mut cmd = p.cmd(args);
        // The kit's RUST_LOG would override -v.
        cmd.env_remove("RUST_LOG").env_remove("NO_COLOR");
        crate::support::run(&mut cmd)
    };
    let (out, stdout, stderr) = send(&["send"]);
    assert!(out.status.success(), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    }
    assert!(!stderr.contains("delivered to"), "{stderr}");

    let (out, _, stderr) = send(&["send", "--force", "-v"]);
    assert!(out.status.success(), "{stderr}");
    let deliveries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("delivered to"))
        .collect();
    assert_eq!(deliveries.len(), 3, "{stderr}");
    assert!(deliveries
        .iter()
        .any(|l| l.contains("columns: delivered to desk@example.com")));

    let (out, _, stderr) = send(&["send", "--force", "-vv", "--log-format", "json"]);
    assert!(out.status.success(), "{stderr}");
    for line in stderr.lines() {
        let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let target = event["target"].as_str().unwrap();
        assert!(
            target.starts_with("briefing"),
            "a dependency's line: {line}"
        );
    }
    assert!(stderr.lines().count() < 50, "{stderr}");

    let (out, _, stderr) = send(&["send", "--force", "--quiet"]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr, "", "--quiet: only warnings and errors");
}

/// On a terminal (a pseudo-terminal from util-linux `script`), `send` draws a bar per
/// group: delivered / total, and the failures.
#[test]
fn on_a_terminal_send_draws_a_progress_bar() {
    let smtp = Smtp::start(&["--reject", "cfo@example.com"]);
    let p = Project::new(&smtp.smtp_section(""));
    let line = format!(
        "{} send --config {}",
        env!("CARGO_BIN_EXE_briefing"),
        p.config().display()
    );
    let (out, screen, stderr) = crate::support::run(
        std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("BRIEFING_NOW", crate::support::NOW)
            .env("TERM", "xterm"),
    );
    assert_eq!(out.status.code(), Some(2), "{screen}\n{stderr}");
    assert!(
        screen.contains("columns [") && screen.contains("1/1: 1 delivered"),
        "{screen:?}"
    );
    assert!(screen.contains("2/2: 1 delivered, 1 failed"), "{screen:?}");
    assert!(screen.contains('\r'), "redrawn in place: {screen:?}");
}
