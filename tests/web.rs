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
        "{method} {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str("Host: 127.0.0.1\r\n");
    }
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

    let auth = bearer(TOKEN);
    let read = [("Authorization", auth.as_str())];
    let (status, html) = d.request("GET", "/preview?group=columns", &read, "");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html"), "{html}");
    let out_arg = format!("--out={}", p.path("columns.html").display());
    let (out, _, stderr) = p.run(&["preview", "--group", "columns", &out_arg]);
    assert!(out.status.success(), "{stderr}");
    let by_command = std::fs::read_to_string(p.path("columns.html")).expect("preview --out");
    assert_eq!(html, by_command, "the same briefing as `briefing preview`");
    let (status, body) = d.request("GET", "/preview?group=없는모임", &read, "");
    assert_eq!(status, 404, "{body}");

    let (status, body) = d.request("GET", "/status", &read, "");
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

/// A connection that sent half a request head and waits, as a stuck or hostile client
/// does; `None` when the server (or the kernel's backlog) did not take it.
fn half_sent(port: u16) -> Option<TcpStream> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .ok()?;
    Some(stream)
}

/// The test process holds a socket per client: its soft open-file limit goes up to
/// its hard one (the test does not start when even that is too low).
fn raise_own_open_files(needed: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    assert!(
        hard >= needed,
        "the hard open-file limit ({hard}) is below the {needed} this test holds"
    );
    if limit.current.is_some_and(|soft| soft < needed) {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )
        .expect("raise the soft open-file limit");
    }
}

/// `cmd` runs with at most `n` open files, soft and hard: systemd's default soft limit,
/// and no hard one above it to raise it to.
fn limit_open_files(cmd: &mut std::process::Command, n: u64) {
    use std::os::unix::process::CommandExt;
    let limit = rustix::process::Rlimit {
        current: Some(n),
        maximum: Some(n),
    };
    // SAFETY: between fork and exec the closure only makes the setrlimit system call,
    // which allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            rustix::process::setrlimit(rustix::process::Resource::Nofile, limit)
                .map_err(std::io::Error::from)
        });
    }
}

/// Systemd's 1,024 open files, and 1,100 clients that open a connection, send half a
/// request and wait, seconds before 07:00: the connections past `web.max_connections`
/// are turned away at once, and the 07:00 run keeps the descriptors it needs.
#[test]
fn idle_clients_cannot_take_the_descriptors_of_the_scheduled_run() {
    const CLIENTS: usize = 1100;
    raise_own_open_files(CLIENTS as u64 + 256);
    let smtp = Smtp::start(&[]);
    // Every day at 07:00, not only on New Year's Day.
    let p = Project::new(&web_section(&smtp).replace("0 0 7 1 1 *", "0 0 7 * * *"));
    let mut cmd = p.cmd(&["run", "--listen", "127.0.0.1:0"]);
    cmd.env("BRIEFING_NOW", "2025-09-07T06:59:42+09:00")
        .env("BRIEFING_TEST_TOKEN", TOKEN)
        .env("BRIEFING_TEST_SECRET", SECRET);
    limit_open_files(&mut cmd, 1024);
    let started = Instant::now();
    let daemon = Daemon::spawn(&mut cmd);
    let port = daemon
        .listening_port()
        .unwrap_or_else(|| panic!("the listener did not start: {}", daemon.log()));
    let clients: Vec<TcpStream> = (0..CLIENTS).filter_map(|_| half_sent(port)).collect();
    let opened = started.elapsed();
    // Held until the run is over: the clients never finish their requests.
    assert!(
        opened < Duration::from_secs(15) && smtp.messages().is_empty(),
        "the clients were not all connected before 07:00 ({opened:?}): the test shows nothing"
    );
    let delivered = smtp.wait_for(3, Duration::from_secs(40));
    drop(clients);
    let (clean, log) = daemon.stop();
    assert!(delivered, "the 07:00 run did not reach everyone: {log}");
    assert_eq!(smtp.messages().len(), 3, "each recipient once: {log}");
    assert!(clean, "{log}");
    assert!(!log.contains("Too many open files"), "{log}");
    assert!(log.contains("turning new ones away"), "{log}");
}

/// SIGTERM with clients connected (one silent, one half-way through a head, one idle
/// between keep-alive requests): the daemon ends within seconds, not when they leave.
#[test]
fn sigterm_ends_the_daemon_within_seconds_whatever_the_clients_do() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);
    let silent = TcpStream::connect(("127.0.0.1", d.port)).expect("connect");
    let half = half_sent(d.port).expect("a half-sent request");
    let mut kept = TcpStream::connect(("127.0.0.1", d.port)).expect("connect");
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("write");
    kept.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut answer = [0u8; 12];
    kept.read_exact(&mut answer).expect("an answer");
    assert_eq!(&answer, b"HTTP/1.1 200");
    let asked = Instant::now();
    let (clean, log) = d.stop();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "SIGTERM took {took:?} with three clients connected: {log}"
    );
    assert!(clean, "{log}");
    drop((silent, half, kept));
}

/// The ledger and the briefing name every recipient: `/status` and `/preview` need the
/// send token or the read-only one, in any case of `Bearer`; only loopback names and
/// base_url's host are answered, whatever the token.
#[test]
fn reads_need_a_token_and_other_hosts_are_misdirected() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp).replace(
        "[web]\n",
        "[web]\nread_token_env = \"BRIEFING_TEST_READ_TOKEN\"\n",
    ));
    let daemon = Daemon::spawn(
        p.cmd(&["run", "--listen", "127.0.0.1:0"])
            .env("BRIEFING_TEST_TOKEN", TOKEN)
            .env("BRIEFING_TEST_READ_TOKEN", "읽기만-토큰")
            .env("BRIEFING_TEST_SECRET", SECRET),
    );
    let port = daemon
        .listening_port()
        .unwrap_or_else(|| panic!("the listener did not start: {}", daemon.log()));
    let d = Web { daemon, port };

    for target in ["/status", "/preview"] {
        let (status, body) = d.request("GET", target, &[], "");
        assert_eq!(status, 401, "{target}: {body}");
        assert!(!body.contains("example.com"), "{target}: {body}");
    }
    let lower = format!("bearer {TOKEN}");
    let (status, body) = d.request("GET", "/status", &[("Authorization", &lower)], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("ceo@example.com"), "{body}");
    let read = "BEARER 읽기만-토큰";
    let (status, body) = d.request("GET", "/preview", &[("Authorization", read)], "");
    assert_eq!(status, 200, "{body}");
    let (status, body) = d.request("POST", "/send", &[("Authorization", read)], "");
    assert_eq!(status, 401, "the read-only token sends nothing: {body}");
    assert!(smtp.messages().is_empty());

    let auth = [("Authorization", lower.as_str())];
    for host in [
        "attacker.example",
        "attacker.example:8025",
        "127.0.0.1.attacker.example",
    ] {
        for target in ["/status", "/health"] {
            let headers = [auth[0], ("Host", host)];
            let (status, body) = d.request("GET", target, &headers, "");
            assert_eq!(status, 421, "{host}{target}: {body}");
            assert!(!body.contains("ceo@"), "{body}");
        }
    }
    for host in [
        "localhost".to_owned(),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "news.example.com".to_owned(),
    ] {
        let headers = [auth[0], ("Host", host.as_str())];
        let (status, body) = d.request("GET", "/status", &headers, "");
        assert_eq!(status, 200, "{host}: {body}");
    }
    let (status, body) = d.request("POST", "/send?group=columns", &auth, "");
    assert_eq!(status, 200, "a lower-case bearer sends too: {body}");
    assert_eq!(smtp.messages().len(), 1);
}

/// What a day's briefing is built from, once per build: the line each parse of the
/// dump logs.
fn builds(log: &str, dump: &std::path::Path) -> usize {
    let origin = format!("{}: ", dump.display());
    log.lines()
        .filter(|l| l.contains(&origin) && l.contains(" articles ("))
        .count()
}

/// Six `/preview`s at once build the briefing once; a new dump, or a reload, builds it
/// again.
#[test]
fn concurrent_previews_build_the_briefing_once() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let dump = p.path("dump.txt");
    std::fs::copy(crate::support::sample(), &dump).expect("copy the sample");
    let config = std::fs::read_to_string(p.config()).expect("config");
    let sample = crate::support::sample().display().to_string();
    std::fs::write(
        p.config(),
        config.replace(&sample, &dump.display().to_string()),
    )
    .expect("write config");
    let d = Web::start(&p);
    let port = d.port;
    let previews: Vec<_> = (0..6)
        .map(|_| {
            thread::spawn(move || {
                http(
                    port,
                    "GET",
                    "/preview?group=morning",
                    &[("Authorization", &bearer(TOKEN))],
                    "",
                )
            })
        })
        .collect();
    let pages: Vec<(u16, String)> = previews
        .into_iter()
        .map(|t| t.join().expect("a preview"))
        .collect();
    for (status, page) in &pages {
        assert_eq!(*status, 200, "{page}");
        assert_eq!(page, &pages[0].1, "one briefing for all");
    }
    assert_eq!(builds(&d.log(), &dump), 1, "{}", d.log());

    let auth = bearer(TOKEN);
    let read = [("Authorization", auth.as_str())];
    let (status, again) = d.request("GET", "/preview?group=columns", &read, "");
    assert_eq!(status, 200, "{again}");
    assert_eq!(builds(&d.log(), &dump), 1, "another group, the same build");

    let mut text = std::fs::read_to_string(&dump).expect("dump");
    text.push_str("새벽에 들어온 기사 제목\n새벽에 들어온 기사의 첫 문장이다. 둘째 문장도 여기에 있다.\n2025-09-07 05:10:00\n-\n");
    std::fs::write(&dump, text).expect("a new dump");
    let (status, page) = d.request("GET", "/preview?group=morning", &read, "");
    assert_eq!(status, 200, "{page}");
    assert_eq!(builds(&d.log(), &dump), 2, "a new dump, a new build");

    d.daemon.signal("HUP");
    assert!(d.daemon.wait_log("config reloaded (SIGHUP)"), "{}", d.log());
    let (status, _) = d.request("GET", "/preview?group=morning", &read, "");
    assert_eq!(status, 200);
    assert_eq!(builds(&d.log(), &dump), 3, "a reload, a new build");
}

/// A link scanner that POSTs the link unsubscribes nobody: only the RFC 8058 body does.
#[test]
fn a_one_click_post_without_its_body_unsubscribes_nobody() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);
    let token = unsubscribe_token(SECRET.as_bytes(), "morning", "cfo@example.com");
    let link = format!(
        "/unsubscribe?group=morning&address={}&token={token}",
        percent("cfo@example.com")
    );
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    for (headers, body) in [
        (&[][..], ""),
        (&[form][..], ""),
        (&[form][..], "List-Unsubscribe=Yes"),
        (&[form][..], "One-Click"),
    ] {
        let (status, page) = d.request("POST", &link, headers, body);
        assert_eq!(status, 400, "{body:?}: {page}");
    }
    assert!(
        !p.path("state/suppressed.jsonl").exists(),
        "nothing recorded: {}",
        std::fs::read_to_string(p.path("state/suppressed.jsonl")).unwrap_or_default()
    );
    assert_eq!(p.states("morning")["cfo@example.com"], "not_sent");

    // What RFC 8058 asks mail clients to send.
    let multipart = (
        "Content-Type",
        "multipart/form-data; boundary=----briefing7d1",
    );
    let body = "------briefing7d1\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n------briefing7d1--\r\n";
    let (status, page) = d.request("POST", &link, &[multipart], body);
    assert_eq!(status, 200, "{page}\n{}", d.log());
    let recorded = std::fs::read_to_string(p.path("state/suppressed.jsonl")).expect("recorded");
    assert_eq!(recorded.lines().count(), 1, "{recorded}");
    assert!(recorded.contains("cfo@example.com"), "{recorded}");
    // The page names the briefing as readers know it, not by the config's id, and is
    // dressed as the email is: Korean words kept whole, light and dark.
    assert!(page.contains("‘아침 브리핑’"), "{page}");
    assert!(!page.contains("morning"), "{page}");
    assert!(page.contains("word-break:keep-all"), "{page}");
    assert!(page.contains("prefers-color-scheme:dark"), "{page}");
}

/// The README's web example, on the shipped config.toml plus the lines it shows.
#[test]
fn the_readme_web_example_works_on_the_shipped_config() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).expect("README");
    let section = readme
        .split("\n## The web endpoint\n")
        .nth(1)
        .expect("a web endpoint section");
    let lines = section
        .split("```toml\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("a toml block in the web endpoint section");
    let shipped =
        std::fs::read_to_string(crate::support::root().join("config.toml")).expect("config.toml");
    let sample = crate::support::sample().display().to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n{lines}",
            shipped.replace("\"samples/dump-2025-09-07.txt\"", &format!("{sample:?}"))
        ),
    )
    .expect("write config");
    let config = config.display().to_string();
    let (out, stdout, stderr) =
        crate::support::run(crate::support::briefing().args(["check", "--config", &config]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("no one-click unsubscribe link"), "{stdout}");

    // After the catch-up window of 07:00: only the POST sends.
    let daemon = Daemon::spawn(
        crate::support::briefing()
            .args(["run", "--listen", "127.0.0.1:0", "--config", &config])
            .env("BRIEFING_NOW", "2025-09-07T20:00:00+09:00")
            .env("BRIEFING_SEND_TOKEN", TOKEN),
    );
    let port = daemon
        .listening_port()
        .unwrap_or_else(|| panic!("the listener did not start: {}", daemon.log()));
    let d = Web { daemon, port };
    let (status, body) = d.request(
        "POST",
        "/send?group=morning",
        &[("Authorization", &bearer(TOKEN))],
        "",
    );
    assert_eq!(status, 200, "{body}\n{}", d.log());
    assert_eq!(group(&json(&body), "morning")["delivered"], 2, "{body}");
    let outbox = std::fs::read_dir(dir.path().join("outbox"))
        .expect("outbox")
        .count();
    assert_eq!(outbox, 2);
}

/// Every delivered briefing is kept as a web page, served at `/archive` without a
/// token (a reader follows the mail's "웹에서 보기" link), listed newest first under the
/// briefings' titles; a path no briefing can have is not read.
#[test]
fn delivered_briefings_are_kept_and_served_as_web_pages() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&web_section(&smtp));
    let d = Web::start(&p);
    let (status, body) = d.request("GET", "/archive", &[], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("아직 보내 드린 브리핑이 없습니다"), "{body}");

    let (status, body) = d.request("POST", "/send", &[("Authorization", &bearer(TOKEN))], "");
    assert_eq!(status, 200, "{body}\n{}", d.log());
    let link = "https://news.example.com/archive/2025-09-07/morning.html";
    let messages = smtp.messages();
    assert!(!messages.is_empty());
    for (_, raw) in &messages {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a message");
        let html = message.body_html(0).expect("an HTML part");
        let text = message.body_text(0).expect("a text part");
        let page = if html.contains("/columns.html") {
            "columns"
        } else {
            "morning"
        };
        let own = link.replace("morning", page);
        assert!(html.contains(&format!("href=\"{own}\"")), "{html}");
        assert!(html.contains("웹에서 보기"), "{html}");
        assert!(text.contains(&format!("웹에서 보기: {own}")), "{text}");
    }

    let (status, index) = d.request("GET", "/archive", &[], "");
    assert_eq!(status, 200, "{index}");
    assert!(index.contains("2025년 9월 7일"), "{index}");
    assert!(
        index.contains("<a href=\"/archive/2025-09-07/morning.html\">아침 브리핑</a>"),
        "{index}"
    );
    let (status, page) = d.request("GET", "/archive/2025-09-07/morning.html", &[], "");
    assert_eq!(status, 200, "{page}");
    let kept = std::fs::read_to_string(p.path("state/archive/2025-09-07/morning.html"))
        .expect("the kept page");
    assert_eq!(page, kept);
    assert!(page.contains("<h1"), "{page}");
    for path in [
        "/archive/2025-09-07/..%2Fledger.html",
        "/archive/..%2F..%2Fetc/passwd.html",
        "/archive/2025-09-08/morning.html",
        "/archive/2025-09-07/morning.txt",
    ] {
        let (status, body) = d.request("GET", path, &[], "");
        assert_eq!(status, 404, "{path}: {body}");
    }
}
