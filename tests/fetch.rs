//! Fetching the dump from a real HTTP server on 127.0.0.1.

use std::time::Duration;

use crate::support::{sample, Http, Project, Reply};

fn sample_bytes() -> Vec<u8> {
    std::fs::read(sample()).unwrap()
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
    let p = Project::new("[source]\nlocation = \"unused\"\n");
    // The [source] above would clash with the kit's own: use a config of our own.
    std::fs::write(
        p.config(),
        "[source]\nlocation = \"x\"\nmax_bytes = 4096\ntimeout_secs = 2\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\n",
    )
    .unwrap();
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
