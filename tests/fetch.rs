//! Fetching the dump from a real HTTP server on 127.0.0.1.

use std::time::Duration;

use crate::support::{base64, files_under, run, sample, Http, Project, Reply};

fn sample_bytes() -> Vec<u8> {
    std::fs::read(sample()).unwrap()
}

/// A project with one group of one recipient whose `[source]` also has `source`
/// (its location is always overridden with `--dump`).
fn project(source: &str) -> Project {
    let p = Project::new("");
    std::fs::write(
        p.config(),
        format!("[source]\nlocation = \"unused\"\n{source}\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\n"),
    )
    .unwrap();
    p
}

/// The sample with a response header.
fn sample_with(header: &str, value: &str) -> Reply {
    let mut reply = Reply::ok(sample_bytes());
    reply.headers.push((header.into(), value.into()));
    reply
}

/// The request heads the server saw, lower-cased (header names are case-blind).
fn requests(http: &Http) -> Vec<String> {
    http.requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.to_lowercase())
        .collect()
}

fn outbox(p: &Project) -> Vec<String> {
    std::fs::read_dir(p.path("outbox"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn fetches_the_dump_over_http() {
    let http = Http::start(vec![Reply::ok(sample_bytes())]);
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", &http.url("/dump.txt")]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");
    assert!(http.requests.lock().unwrap()[0].starts_with("GET /dump.txt HTTP/1.1"));
}

#[test]
fn an_euc_kr_body_without_a_charset_is_decoded() {
    let text = String::from_utf8(sample_bytes())
        .unwrap()
        .replace(['‘', '’', '“', '”', '…', '·'], "'");
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(&text);
    assert!(!unmappable);
    let http = Http::start(vec![Reply::ok(bytes.into_owned())]);
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", &http.url("/d")]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");
}

#[test]
fn server_errors_are_retried_and_client_errors_are_not() {
    let http = Http::start(vec![Reply::status(500, "boom"), Reply::ok(sample_bytes())]);
    let p = Project::new("");
    let (out, _, stderr) = p.run(&["summarize", "--dump", &http.url("/d")]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(http.requests.lock().unwrap().len(), 2);

    let http = Http::start(vec![Reply::status(404, "no")]);
    let url = http.url("/missing");
    let (out, _, stderr) = p.run(&["summarize", "--dump", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(&format!("{url}: the server answered 404")),
        "{stderr}"
    );
    assert_eq!(
        http.requests.lock().unwrap().len(),
        1,
        "a 404 is not retried"
    );
}

#[test]
fn oversize_slow_and_html_bodies_build_no_briefing() {
    let p = project("max_bytes = 4096\ntimeout_secs = 2");
    let big = Http::start(vec![Reply::ok(vec![b'-'; 10_000])]);
    let (out, _, stderr) = p.run(&["send", "--dump", &big.url("/big")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("larger than the limit of 4096 bytes"),
        "{stderr}"
    );

    let mut slow = Reply::ok(vec![b'-'; 3000]);
    slow.chunk_pause = Duration::from_millis(1500);
    let slow = Http::start(vec![slow]);
    let (out, _, stderr) = p.run(&["send", "--dump", &slow.url("/slow")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains(&slow.url("/slow")), "{stderr}");

    let html = Http::start(vec![Reply::ok(
        "<!DOCTYPE html><html><body>Bad gateway</body></html>",
    )]);
    let (out, _, stderr) = p.run(&["send", "--dump", &html.url("/h")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("an HTML page"), "{stderr}");
    assert!(!p.path("outbox").exists());
}

#[test]
fn an_unchanged_dump_is_reused_on_304_by_etag() {
    let http = Http::start(vec![sample_with("ETag", "\"v1\""), Reply::status(304, "")]);
    let url = http.url("/dump.txt");
    let p = project("");
    let (out, first, stderr) = p.run(&["summarize", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    let (out, again, stderr) = p.run(&["summarize", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("unchanged since the last fetch (304 Not Modified)"),
        "{stderr}"
    );
    assert_eq!(first, again);
    // The briefing is built and sent from the kept copy.
    let (out, _, stderr) = p.run(&["send", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(outbox(&p), ["2025-09-07_g_a@example.com.eml"]);
    let requests = requests(&http);
    assert_eq!(requests.len(), 3);
    assert!(!requests[0].contains("if-none-match"), "{}", requests[0]);
    for r in &requests[1..] {
        assert!(r.contains("\r\nif-none-match: \"v1\"\r\n"), "{r}");
        assert!(!r.contains("if-modified-since"), "{r}");
    }
}

#[test]
fn an_unchanged_dump_is_reused_on_304_by_last_modified() {
    let date = "Sun, 07 Sep 2025 01:00:00 GMT";
    let http = Http::start(vec![
        sample_with("Last-Modified", date),
        Reply::status(304, ""),
    ]);
    let url = http.url("/d");
    let p = project("");
    for _ in 0..2 {
        let (out, stdout, stderr) = p.run(&["summarize", "--dump", &url]);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");
    }
    let requests = requests(&http);
    assert!(!requests[0].contains("if-modified-since"));
    assert!(
        requests[1].contains(&format!(
            "\r\nif-modified-since: {}\r\n",
            date.to_lowercase()
        )),
        "{}",
        requests[1]
    );
    assert!(!requests[1].contains("if-none-match"));
}

#[test]
fn a_damaged_copy_on_304_is_fetched_again_in_full() {
    let http = Http::start(vec![
        sample_with("ETag", "\"v1\""),
        Reply::status(304, ""),
        sample_with("ETag", "\"v1\""),
    ]);
    let url = http.url("/d");
    let p = project("");
    let (out, first, stderr) = p.run(&["summarize", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    let bodies: Vec<_> = std::fs::read_dir(p.path("state/fetch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "body"))
        .collect();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    std::fs::write(&bodies[0], "최신기사\n-\n가짜\n").unwrap();

    let (out, again, stderr) = p.run(&["summarize", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("fetching it again in full"), "{stderr}");
    assert_eq!(first, again);
    let requests = requests(&http);
    assert_eq!(requests.len(), 3);
    assert!(requests[1].contains("if-none-match"));
    assert!(!requests[2].contains("if-none-match"), "{}", requests[2]);
}

#[test]
fn a_dump_older_than_max_age_is_refused_and_nothing_is_sent() {
    let http = Http::start(vec![Reply::ok(sample_bytes())]);
    let url = http.url("/d");
    let p = project("max_age = \"36h\"");
    let three_days_later = "2025-09-10T07:00:00+09:00";
    let sample = sample().display().to_string();
    for location in [&url, &sample] {
        let (out, _, stderr) = run(p
            .cmd(&["send", "--dump", location])
            .env("BRIEFING_NOW", three_days_later));
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let want = format!("{location}: the dump is 2d 20h 12m old (newest article 2025-09-07 10:47:15 +09:00), more than source.max_age = 1d 12h");
        assert!(stderr.contains(&want), "{stderr}");
        assert!(outbox(&p).is_empty());
    }
    // On the dump's own morning it is fresh.
    let (out, _, stderr) = p.run(&["send", "--dump", &url]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(outbox(&p).len(), 1);
}

#[test]
fn a_refused_connection_is_retried_then_named() {
    let closed = crate::support::ClosedPort::new();
    let url = format!("http://127.0.0.1:{}/d", closed.port);
    let p = project("");
    let (out, _, stderr) = p.run(&["send", "--dump", &url]);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("briefing: {url}: request failed")),
        "{stderr}"
    );
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert_eq!(stderr.matches("retrying in").count(), 3, "{stderr}");
    assert!(outbox(&p).is_empty());
}

/// `briefing ARGS`, waited for at most 10 s: a child still running then is killed and
/// the test fails, rather than hang the suite.
fn run_bounded(cmd: &mut std::process::Command) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, stderr)
}

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_as_the_dump_is_refused_without_blocking() {
    let p = project("");
    let fifo = p.path("오늘의-덤프.txt");
    mkfifo(&fifo);
    let (status, stderr) =
        run_bounded(&mut p.cmd(&["summarize", "--dump", fifo.to_str().unwrap()]));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: not a regular file (a FIFO)", fifo.display())),
        "{stderr}"
    );
}

#[test]
fn a_download_in_progress_in_the_folder_is_not_the_dump() {
    let p = project("");
    let dumps = p.path("dumps");
    std::fs::create_dir(&dumps).unwrap();
    std::fs::copy(sample(), dumps.join("dump-2025-09-07.txt")).unwrap();
    // Tomorrow's dump, half downloaded: newer by name and by mtime.
    std::fs::write(
        dumps.join("dump-2025-09-08.txt.part"),
        "최신기사\n-\n반쯤 받은",
    )
    .unwrap();
    std::fs::write(
        dumps.join("dump-2025-09-08.txt.crdownload"),
        "최신기사\n-\n",
    )
    .unwrap();
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", dumps.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");
    assert!(!stdout.contains("반쯤 받은"), "{stdout}");
}

#[test]
fn a_folder_without_a_dump_is_an_error_naming_folder_and_pattern() {
    // The config is in the folder it names as source: it must not be read as the dump.
    let p = project("");
    let folder = folder_of(&p);
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", folder]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stderr.contains(&format!("no dump matching *.txt in {folder}")),
        "{stderr}"
    );

    // A pattern of one's own: only its names are dumps.
    let p = project("pattern = \"뉴스-*.txt\"");
    std::fs::copy(sample(), p.path("뉴스-2025-09-07.txt")).unwrap();
    std::fs::write(p.path("메모-2025-09-08.txt"), "최신기사\n-\n메모일 뿐\n").unwrap();
    let (out, stdout, stderr) = p.run(&["summarize", "--dump", folder_of(&p)]);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("K-AI 어벤져스"), "{stdout}");

    let p = project("pattern = \"dumps/*.txt\"");
    let (out, _, stderr) = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("source.pattern: must be a file name pattern"),
        "{stderr}"
    );
}

fn folder_of(p: &Project) -> &str {
    p.dir.path().to_str().unwrap()
}

#[test]
fn a_fifo_in_the_folder_is_refused_without_blocking() {
    let p = project("");
    let dumps = p.path("dumps");
    std::fs::create_dir(&dumps).unwrap();
    std::fs::copy(sample(), dumps.join("dump-2025-09-07.txt")).unwrap();
    let fifo = dumps.join("dump-2025-09-08.txt");
    mkfifo(&fifo);
    let (status, stderr) =
        run_bounded(&mut p.cmd(&["summarize", "--dump", dumps.to_str().unwrap()]));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: not a regular file (a FIFO)", fifo.display())),
        "{stderr}"
    );
}

/// Fails if `secret`, or the basic-auth header made from it, is in `outputs` or in any
/// file of the project (state/fetch, the ledger, the outbox).
fn assert_nowhere(secret: &str, user: &str, p: &Project, outputs: &[&str]) {
    let forms = [
        secret.to_owned(),
        base64(format!("{user}:{secret}").as_bytes()),
    ];
    for form in &forms {
        for text in outputs {
            assert!(!text.contains(form.as_str()), "{form} shown in\n{text}");
        }
        for (path, bytes) in files_under(p.dir.path()) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(form.as_str()),
                "{form} in {}",
                path.display()
            );
        }
    }
}

#[test]
fn source_credentials_in_the_url_are_sent_but_never_shown_or_stored() {
    let secret = "s3cret-dump-pw";
    let http = Http::with_basic_auth("reader", secret, vec![sample_with("ETag", "\"v1\"")]);
    let url = format!("http://reader:{secret}@127.0.0.1:{}/dump.txt", http.port);
    let shown = format!("http://reader:***@127.0.0.1:{}/dump.txt", http.port);
    let p = project("");
    let (out, stdout, stderr) = run(p.cmd(&["send", "--dump", &url]).env("RUST_LOG", "trace"));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("from {shown}")), "{stdout}");
    assert_eq!(outbox(&p).len(), 1);
    assert!(
        p.path("state/fetch").read_dir().unwrap().count() >= 2,
        "a copy is kept, under the redacted URL"
    );
    // The kept copy is found again: a conditional request, with the credentials.
    let (out, again, stderr2) = run(p
        .cmd(&["-vv", "summarize", "--dump", &url])
        .env_remove("RUST_LOG"));
    assert!(out.status.success(), "{stderr2}");
    let requests = requests(&http);
    assert!(
        requests[1].contains("if-none-match: \"v1\""),
        "{}",
        requests[1]
    );
    // A wrong password and an unknown path: errors name the URL, redacted.
    let wrong = url.replace(secret, "not-it-at-all");
    let (out, _, stderr3) = p.run(&["summarize", "--dump", &wrong]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr3.contains("reader:***@127.0.0.1"), "{stderr3}");
    assert!(stderr3.contains("the server answered 401"), "{stderr3}");
    assert!(!stderr3.contains("not-it-at-all"), "{stderr3}");
    let closed = crate::support::ClosedPort::new();
    let refused = format!("http://reader:{secret}@127.0.0.1:{}/d", closed.port);
    let (out, _, stderr4) = p.run(&["summarize", "--dump", &refused]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr4.contains("request failed"), "{stderr4}");
    assert_nowhere(
        secret,
        "reader",
        &p,
        &[&stdout, &stderr, &again, &stderr2, &stderr4],
    );
}

#[test]
fn source_credentials_from_the_environment_are_sent_but_never_shown_or_stored() {
    let secret = "env-s3cret-pw";
    let http = Http::with_basic_auth("reader", secret, vec![sample_with("ETag", "\"v1\"")]);
    let url = http.url("/dump.txt");
    let p = project("username = \"reader\"\npassword_env = \"TEST_SOURCE_PW\"");
    let (out, stdout, stderr) = run(p
        .cmd(&["-vv", "send", "--dump", &url])
        .env_remove("RUST_LOG")
        .env("TEST_SOURCE_PW", secret));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("from {url}")), "{stdout}");
    assert_eq!(outbox(&p).len(), 1);
    let (out, again, stderr2) = run(p
        .cmd(&["summarize", "--dump", &url])
        .env("RUST_LOG", "trace")
        .env("TEST_SOURCE_PW", secret));
    assert!(out.status.success(), "{stderr2}");
    assert_nowhere(secret, "reader", &p, &[&stdout, &stderr, &again, &stderr2]);

    // Without the variable: a clear error, and the server is not asked.
    let asked = requests(&http).len();
    let (out, _, stderr) = p.run(&["summarize", "--dump", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("source.password_env: the environment variable TEST_SOURCE_PW is not set"),
        "{stderr}"
    );
    assert_eq!(requests(&http).len(), asked);
    // The server really does want them.
    let p = project("");
    let (out, _, stderr) = p.run(&["summarize", "--dump", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("the server answered 401"), "{stderr}");
}
