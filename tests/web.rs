//! `briefing run --listen`: the real daemon on a free loopback port, and real HTTP
//! requests to it over a plain TcpStream.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use briefing::deliver::unsubscribe_token;

use crate::support::{Daemon, Project, Smtp};

const TOKEN: &str = "아침-보내기-토큰-7f3a";
const SECRET: &str = "구독취소-비밀-열쇠-91c2";

/// The `[web]` section every test here uses, and a schedule that does not fire (nor
/// catch up) while a test runs: each send is the test's own.
fn web_section(smtp: &Smtp) -> String {
    format!(
        "[schedule]\ncron = \"0 0 7 1 1 *\"\ntimezone = \"Asia/Seoul\"\n\n[web]\nbase_url = \"https://news.example.com\"\nsecret_env = \"BRIEFING_TEST_SECRET\"\ntoken_env = \"BRIEFING_TEST_TOKEN\"\n\n{}",
        smtp.smtp_section("")
    )
}

/// `briefing run --listen` on a free port.
struct Web {
    daemon: Daemon,
    port: u16,
}

impl Web {
    fn start(p: &Project) -> Web {
        let daemon = Daemon::spawn(
            p.cmd(&["run", "--listen", "127.0.0.1:0"])
                .env("BRIEFING_TEST_TOKEN", TOKEN)
                .env("BRIEFING_TEST_SECRET", SECRET),
        );
        let port = daemon.listening_port();
        let port = port.unwrap_or_else(|| panic!("the listener did not start: {}", daemon.log()));
        Web { daemon, port }
    }

    fn stop(self) -> (bool, String) {
        self.daemon.stop()
    }

    fn log(&self) -> String {
        self.daemon.log()
    }

    /// One HTTP/1.1 request: (status, body).
    fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        http(self.port, method, target, headers, body)
    }
}

fn http(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body.as_bytes()).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read reply");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a reply head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, body.to_owned())
}

/// The report of one group, found by name (their order is the report's business).
fn group<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["group"] == name))
        .unwrap_or_else(|| panic!("no group {name} in {report}"))
}

/// How much the ledger holds: it grows with every record a send writes.
fn ledger_bytes(p: &Project) -> usize {
    crate::support::files_under(&p.path("state/ledger"))
        .iter()
        .map(|(_, bytes)| bytes.len())
        .sum()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// RFC 3986 percent-encoding, as the links in the messages have it.
fn percent(s: &str) -> String {
    s.bytes()
        .map(
            |b| match b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                true => char::from(b).to_string(),
                false => format!("%{b:02X}"),
            },
        )
        .collect()
}

#[test]
fn send_needs_the_bearer_token_and_answers_with_the_report() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);

    let (status, body) = d.request("POST", "/send", &[], "");
    assert_eq!(status, 401, "{body}");
    let wrong = bearer("아침-보내기-토큰-7f3b");
    let (status, body) = d.request("POST", "/send", &[("Authorization", &wrong)], "");
    assert_eq!(status, 401, "{body}");
    assert!(
        smtp.messages().is_empty(),
        "nothing is sent without the token"
    );

    let right = bearer(TOKEN);
    let (status, body) = d.request(
        "POST",
        "/send?group=columns",
        &[("Authorization", &right)],
        "",
    );
    assert_eq!(status, 200, "{body}\n{}", d.log());
    let report = json(&body);
    assert_eq!(report["complete"], true, "{body}");
    assert_eq!(report["date"], "2025-09-07", "{body}");
    let groups = report["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "only the group asked for: {body}");
    assert_eq!(groups[0]["group"], "columns");
    assert_eq!(groups[0]["delivered"], 1, "{body}");
    assert_eq!(smtp.messages().len(), 1);

    let (status, body) = d.request("POST", "/send", &[("Authorization", &right)], "");
    assert_eq!(status, 200, "{body}");
    let report = json(&body);
    assert_eq!(group(&report, "morning")["delivered"], 2, "{body}");
    assert_eq!(group(&report, "columns")["already"], 1, "{body}");
    assert_eq!(smtp.messages().len(), 3, "each recipient once");

    let (status, body) = d.request(
        "POST",
        "/send?group=없는모임",
        &[("Authorization", &right)],
        "",
    );
    assert_eq!(status, 404, "{body}");
}

#[test]
fn a_send_while_one_is_running_is_refused_with_409() {
    let smtp = Smtp::start(&["--delay-data", "3"]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);
    let port = d.port;
    let first = thread::spawn(move || {
        http(
            port,
            "POST",
            "/send",
            &[("Authorization", &bearer(TOKEN))],
            "",
        )
    });
    // The first send holds the run for at least the 3 s the server takes over DATA.
    thread::sleep(Duration::from_millis(800));
    let (status, body) = d.request("POST", "/send", &[("Authorization", &bearer(TOKEN))], "");
    assert_eq!(status, 409, "{body}\n{}", d.log());
    assert!(
        json(&body)["error"].as_str().unwrap().contains("running"),
        "{body}"
    );
    let (status, body) = first.join().expect("the first send");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["complete"], true, "{body}");
    assert_eq!(smtp.messages().len(), 3, "one send, each recipient once");

    // `briefing send` on the command line holds the state dir's lock instead.
    let before = ledger_bytes(&p);
    let mut by_hand = p
        .cmd(&["send", "--force"])
        .env("BRIEFING_TEST_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("briefing send --force");
    // It holds the state dir's lock once it records its first `sending` in the ledger.
    let start = Instant::now();
    while ledger_bytes(&p) == before {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "briefing send never started sending"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let (status, body) = d.request("POST", "/send", &[("Authorization", &bearer(TOKEN))], "");
    let finished = by_hand.wait().expect("briefing send");
    assert!(finished.success());
    assert_eq!(status, 409, "{body}\n{}", d.log());
}

#[test]
fn preview_status_and_health_answer_what_the_commands_say() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);

    let (status, html) = d.request("GET", "/preview?group=columns", &[], "");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html"), "{html}");
    let out_arg = format!("--out={}", p.path("columns.html").display());
    let (out, _, stderr) = p.run(&["preview", "--group", "columns", &out_arg]);
    assert!(out.status.success(), "{stderr}");
    let by_command = std::fs::read_to_string(p.path("columns.html")).expect("preview --out");
    assert_eq!(html, by_command, "the same briefing as `briefing preview`");
    let (status, body) = d.request("GET", "/preview?group=없는모임", &[], "");
    assert_eq!(status, 404, "{body}");

    let (status, body) = d.request("GET", "/status", &[], "");
    assert_eq!(status, 200, "{body}");
    let (out, by_command, stderr) = p.run(&["status", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        json(&body),
        json(&by_command),
        "the JSON of `briefing status`"
    );
    assert_eq!(json(&body)[0]["date"], "2025-09-07");

    let (status, body) = d.request("GET", "/health", &[], "");
    assert_eq!(status, 200, "{body}");
    let health = json(&body);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["next_run"], "2026-01-01T07:00:00+09:00", "{body}");

    let (clean, log) = d.stop();
    assert!(
        clean,
        "a clean exit on SIGTERM with the listener open: {log}"
    );
}

#[test]
fn one_click_unsubscribe_checks_the_token_and_the_next_send_skips_the_address() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);
    let token = unsubscribe_token(SECRET.as_bytes(), "morning", "cfo@example.com");
    let link = |token: &str| {
        format!(
            "/unsubscribe?group=morning&address={}&token={token}",
            percent("cfo@example.com")
        )
    };

    let forged = unsubscribe_token("다른 열쇠".as_bytes(), "morning", "cfo@example.com");
    for method in ["GET", "POST"] {
        let (status, page) = d.request(method, &link(&forged), &[], "List-Unsubscribe=One-Click");
        assert_eq!(status, 403, "{method}: {page}");
        assert!(page.contains("올바르지 않습니다"), "{page}");
    }

    // The footer's link, the same for every reader, only says how.
    let (status, page) = d.request("GET", "/unsubscribe?group=morning", &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("구독 취소 안내"), "{page}");
    let (status, page) = d.request(
        "POST",
        "/unsubscribe?group=morning&address=cfo%40example.com",
        &[],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(status, 403, "no token, no unsubscribe: {page}");

    // A link opened in a browser asks first, and unsubscribes nobody.
    let (status, page) = d.request("GET", &link(&token), &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("그만 받으시겠습니까") && page.contains("method=\"post\""),
        "{page}"
    );
    assert_eq!(p.states("morning")["cfo@example.com"], "not_sent");

    // What a mail client's one-click sends (RFC 8058).
    let (status, page) = d.request(
        "POST",
        &link(&token),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(status, 200, "{page}\n{}", d.log());
    assert!(page.contains("구독이 취소되었습니다"), "{page}");

    let (status, body) = d.request("POST", "/send", &[("Authorization", &bearer(TOKEN))], "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(group(&json(&body), "morning")["suppressed"], 1, "{body}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{body}");
    assert!(messages
        .iter()
        .all(|(to, _)| !to.contains("cfo@example.com")));
    // The link the endpoint checked is the one the messages carry.
    let to_ceo = messages
        .iter()
        .find(|(to, _)| to.contains("ceo@example.com"))
        .map(|(_, raw)| String::from_utf8_lossy(raw).replace("\r\n ", " "))
        .expect("the message to ceo@");
    let ceo = unsubscribe_token(SECRET.as_bytes(), "morning", "ceo@example.com");
    assert!(to_ceo.contains(&format!("token={ceo}")), "{to_ceo}");
}

#[test]
fn the_listener_refuses_to_start_without_its_token_or_on_a_remote_address() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let (out, _, stderr) = crate::support::run(
        p.cmd(&["run", "--listen", "127.0.0.1:0"])
            .env_remove("BRIEFING_TEST_TOKEN")
            .env("BRIEFING_TEST_SECRET", SECRET),
    );
    assert!(!out.status.success());
    assert!(
        stderr.contains("web.token_env") && stderr.contains("BRIEFING_TEST_TOKEN"),
        "{stderr}"
    );

    let (out, _, stderr) = crate::support::run(
        p.cmd(&["run", "--listen", "0.0.0.0:0"])
            .env("BRIEFING_TEST_TOKEN", TOKEN)
            .env("BRIEFING_TEST_SECRET", SECRET),
    );
    assert!(!out.status.success());
    assert!(
        stderr.contains("not a loopback address") && stderr.contains("web.allow_remote"),
        "{stderr}"
    );
}
