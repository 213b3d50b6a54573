//! List hygiene against the real binary and a real SMTP server: the headers mail
//! programs need of a bulk sender, the suppression list, DKIM.

use hmac::{KeyInit, Mac};
use mail_parser::{Message, MessageParser};

use crate::support::{Project, Smtp};

const SECRET: &str = "비밀-열쇠-2025";

/// `[mail]` keys (the table is open where `extra` starts) and a `[web]` table.
fn list_config(smtp: &Smtp, web: bool) -> String {
    let web = match web {
        true => "[web]\nbase_url = \"https://news.example.com/\"\nsecret_env = \"BRIEFING_TEST_TOKEN_KEY\"\n",
        false => "",
    };
    format!(
        "unsubscribe = \"수신거부 <unsubscribe@example.com>\"\n{web}{}",
        smtp.smtp_section("")
    )
}

fn header<'a>(m: &'a Message, name: &'a str) -> Option<&'a str> {
    m.header_raw(name).map(str::trim)
}

/// The token as the web endpoint would recompute it, with an HMAC of its own.
fn token(group: &str, address: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&(group.len() as u64).to_le_bytes());
    mac.update(group.as_bytes());
    mac.update(address.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_message_carries_the_list_headers_and_a_korean_date() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&list_config(&smtp, true));
    let (out, stdout, stderr) =
        crate::support::run(p.cmd(&["send"]).env("BRIEFING_TEST_TOKEN_KEY", SECRET));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 3, "{stdout}");
    let mut tokens = Vec::new();
    for (to, raw) in &messages {
        let m = MessageParser::default().parse(raw).unwrap();
        let group = if to == "desk@example.com" {
            "columns"
        } else {
            "morning"
        };
        assert_eq!(
            header(&m, "List-Id"),
            Some(format!("<{group}.example.com>").as_str())
        );
        assert_eq!(header(&m, "Auto-Submitted"), Some("auto-generated"));
        assert_eq!(header(&m, "Content-Language"), Some("ko"));
        let date = header(&m, "Date").unwrap();
        assert_eq!(date, "Sun, 7 Sep 2025 07:00:00 +0900");
        let parsed = m.date().unwrap();
        assert_eq!(
            (parsed.hour, parsed.tz_hour, parsed.tz_before_gmt),
            (7, 9, false)
        );
        let address = to.replace('@', "%40");
        let t = token(group, to);
        let want = format!(
            "<mailto:unsubscribe@example.com?subject=unsubscribe%20{group}%20{address}>, \
             <https://news.example.com/unsubscribe?group={group}&address={address}&token={t}>"
        );
        let unsubscribe = header(&m, "List-Unsubscribe").unwrap();
        // A long header may be folded at the comma.
        let unfolded: String = unsubscribe
            .split("\r\n")
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(unfolded, want);
        assert_eq!(
            header(&m, "List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        tokens.push(t);
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "a token of its own for every recipient");
}

#[test]
fn without_a_web_endpoint_there_is_no_one_click_and_a_korean_group_gets_an_ascii_list_id() {
    let smtp = Smtp::start(&[]);
    let groups = "[groups.\"아침독자\"]\nrecipients = [\"ceo@example.com\"]\n\n[groups.News]\nrecipients = [\"cfo@example.com\"]\n";
    let p = Project::with_groups(&list_config(&smtp, false), groups);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{stdout}");
    let mut ids = Vec::new();
    for (to, raw) in &messages {
        let m = MessageParser::default().parse(raw).unwrap();
        let id = header(&m, "List-Id").unwrap().to_owned();
        let inner = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix(".example.com>"))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            inner
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}"
        );
        assert!(!inner.is_empty() && !inner.starts_with('-'), "{id}");
        assert_eq!(
            header(&m, "List-Unsubscribe-Post"),
            None,
            "no https link, no POST"
        );
        let unsubscribe = header(&m, "List-Unsubscribe").unwrap();
        assert!(
            unsubscribe.starts_with("<mailto:unsubscribe@example.com?subject=unsubscribe%20"),
            "{unsubscribe}"
        );
        assert!(
            unsubscribe.ends_with(&format!("{}>", to.replace('@', "%40"))),
            "{unsubscribe}"
        );
        assert!(!unsubscribe.contains("https:"), "{unsubscribe}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn a_web_endpoint_without_its_key_stops_the_send_before_any_message() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&list_config(&smtp, true));
    let (out, stdout, stderr) =
        crate::support::run(p.cmd(&["send"]).env_remove("BRIEFING_TEST_TOKEN_KEY"));
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stderr.contains("web.secret_env") && stderr.contains("BRIEFING_TEST_TOKEN_KEY is not set"),
        "{stdout}\n{stderr}"
    );
    assert!(smtp.messages().is_empty());
}

fn envelopes(smtp: &Smtp) -> Vec<String> {
    let mut to: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
    to.sort();
    to
}

#[test]
fn unsubscribe_stops_the_next_send_and_resubscribe_restores_it() {
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    let (out, stdout, stderr) = p.run(&["unsubscribe", "cfo@EXAMPLE.com"]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "cfo@example.com: unsubscribed from every group\n");
    // Only from one group: the other still gets its briefing.
    let (out, _, stderr) = p.run(&["unsubscribe", "desk@example.com", "--group", "morning"]);
    assert!(out.status.success(), "{stderr}");
    let (out, _, stderr) = p.run(&["unsubscribe", "desk@example.com", "--group", "아침"]);
    assert!(!out.status.success());
    assert!(stderr.contains("--group 아침: no such group"), "{stderr}");

    let (out, stdout, stderr) = p.run(&["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("1 would be sent, 0 already delivered, 1 suppressed"),
        "{stdout}"
    );

    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(
        out.status.success(),
        "a suppressed recipient is no failure: {stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(
            "1 delivered, 0 already delivered earlier, 0 failed, 1 suppressed (unsubscribed)"
        ),
        "{stdout}"
    );
    assert_eq!(envelopes(&smtp), ["ceo@example.com", "desk@example.com"]);
    let states = p.states("morning");
    assert_eq!(states["cfo@example.com"], "suppressed");
    assert_eq!(states["ceo@example.com"], "delivered");
    let (_, status, _) = p.run(&["status", "--days", "1"]);
    assert!(
        status.contains("morning: 1 delivered, 0 pending, 0 deferred, 0 failed, 1 suppressed"),
        "{status}"
    );
    assert!(status.contains("suppressed cfo@example.com"), "{status}");
    // Not even --force sends to someone who unsubscribed.
    let (_, stdout, _) = p.run(&["send", "--force"]);
    assert!(stdout.contains("1 suppressed"), "{stdout}");
    assert!(!envelopes(&smtp).contains(&"cfo@example.com".to_owned()));

    let (out, stdout, stderr) = p.run(&["resubscribe", "cfo@example.com"]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "cfo@example.com: resubscribed to every group\n");
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("morning: \"9월 7일(일) 'K-AI 어벤져스' 이끌고 도쿄서 '투자 세일즈' 외 4건\", 5 items, 2 recipients: 1 delivered, 1 already delivered earlier, 0 failed, 0 not tried"), "{stdout}");
    assert_eq!(
        envelopes(&smtp)
            .iter()
            .filter(|a| *a == "cfo@example.com")
            .count(),
        1
    );
    assert_eq!(p.states("morning")["cfo@example.com"], "delivered");
}

/// `Some(true)` when dkimpy verifies `raw` against the ed25519 `public` key published
/// for `briefing2025._domainkey.example.com`.
fn dkim_verifies(raw: &[u8], public: &[u8]) -> bool {
    use std::io::Write;
    let record = format!("v=DKIM1; k=ed25519; p={}", crate::support::base64(public));
    let mut child = std::process::Command::new(crate::support::python())
        .arg(crate::support::root().join("tests/support/dkim_verify.py"))
        .args([
            "--name",
            "briefing2025._domainkey.example.com",
            "--record",
            &record,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start dkim_verify.py (scripts/test installs dkimpy and pynacl)");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.trim() == "pass"
}

#[test]
fn messages_are_dkim_signed_over_the_list_headers_and_verify() {
    // An Ed25519 key of this test's own: ring's PKCS#8 holds the 32-byte seed at 16..48.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let pkcs8 = key.serialize_der();
    let seed = &pkcs8[16..48];
    let public = key.public_key_raw().to_vec();
    let smtp = Smtp::start(&[]);
    let dkim = "[mail.dkim]\nkey_file = \"dkim.key\"\nselector = \"briefing2025\"\ndomain = \"example.com\"\nalgorithm = \"ed25519\"\n";
    let p = Project::new(&format!(
        "unsubscribe = \"unsubscribe@example.com\"\n{dkim}[web]\nbase_url = \"https://news.example.com\"\nsecret_env = \"BRIEFING_TEST_TOKEN_KEY\"\n{}",
        smtp.smtp_section("")
    ));
    std::fs::write(p.path("dkim.key"), crate::support::base64(seed)).unwrap();
    let (out, stdout, stderr) =
        crate::support::run(p.cmd(&["send"]).env("BRIEFING_TEST_TOKEN_KEY", SECRET));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 3);
    for (_, raw) in &messages {
        let m = MessageParser::default().parse(raw).unwrap();
        let signature = header(&m, "DKIM-Signature")
            .unwrap()
            .replace(['\r', '\n', ' '], "");
        assert!(signature.contains("a=ed25519-sha256"), "{signature}");
        assert!(
            signature.contains("d=example.com;s=briefing2025;"),
            "{signature}"
        );
        let h = signature
            .split(';')
            .find_map(|tag| tag.strip_prefix("h="))
            .unwrap();
        for name in [
            "from",
            "subject",
            "date",
            "message-id",
            "list-id",
            "list-unsubscribe",
            "list-unsubscribe-post",
        ] {
            assert!(h.split(':').any(|n| n == name), "{name} not signed: {h}");
        }
        assert!(
            dkim_verifies(raw, &public),
            "{}",
            String::from_utf8_lossy(raw)
        );
        // A link changed on the way no longer verifies: the signature covers it.
        let text = String::from_utf8_lossy(raw);
        let forged = text.replacen("https://news.example.com/", "https://evil.example.com/", 1);
        assert_ne!(forged, text);
        assert!(!dkim_verifies(forged.as_bytes(), &public));
        // Another key does not verify it.
        let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        assert!(!dkim_verifies(raw, other.public_key_raw()));
    }
}

#[test]
fn a_dkim_key_that_is_missing_or_not_a_key_is_a_clear_error() {
    let smtp = Smtp::start(&[]);
    let dkim = "[mail.dkim]\nkey_file = \"dkim.key\"\nselector = \"briefing2025\"\ndomain = \"example.com\"\nalgorithm = \"rsa\"\n";
    let p = Project::new(&format!("{dkim}{}", smtp.smtp_section("")));
    // `check` finds it before seven in the morning.
    let (out, _, stderr) = p.run(&["check"]);
    assert!(!out.status.success());
    assert!(
        stderr.contains("mail.dkim.key_file: cannot read"),
        "{stderr}"
    );
    let (out, _, stderr) = p.run(&["send"]);
    assert!(!out.status.success());
    assert!(
        stderr.contains("mail.dkim.key_file: cannot read") && stderr.contains("dkim.key"),
        "{stderr}"
    );
    std::fs::write(p.path("dkim.key"), "열쇠가 아니다").unwrap();
    let (out, _, stderr) = p.run(&["send"]);
    assert!(!out.status.success());
    assert!(stderr.contains("is not an rsa key"), "{stderr}");
    assert!(smtp.messages().is_empty());
}

#[test]
fn the_footer_says_who_the_list_is_for_whom_to_write_to_and_how_to_leave() {
    let smtp = Smtp::start(&[]);
    let groups = "[groups.morning]\nrecipients = [\"ceo@example.com\"]\ndescription = \"경영진 아침 브리핑: 임원에게 매일 아침 보내 드립니다.\"\n\n[groups.\"칼럼\"]\nrecipients = [\"desk@example.com\"]\n";
    let p = Project::with_groups(
        &format!(
            "contact = \"편집국 <desk@example.com>\"\n{}",
            list_config(&smtp, true)
        ),
        groups,
    );
    let (out, stdout, stderr) =
        crate::support::run(p.cmd(&["send"]).env("BRIEFING_TEST_TOKEN_KEY", SECRET));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for (to, raw) in smtp.messages() {
        let m = MessageParser::default().parse(&raw).unwrap();
        let text = m.body_text(0).unwrap().into_owned();
        let html = m
            .body_html(0)
            .unwrap()
            .replace("&#x3D;", "=")
            .replace("&amp;", "&");
        // The same link for every reader of a group: the page asks for the address.
        let link = match to.as_str() {
            "ceo@example.com" => "https://news.example.com/unsubscribe?group=morning",
            _ => "https://news.example.com/unsubscribe?group=%EC%B9%BC%EB%9F%BC",
        };
        let line = |want: &str| text.lines().any(|l| l.trim_end() == want);
        assert!(line(&format!("수신 거부: {link}")), "{text}");
        assert!(html.contains(&format!("<a href=\"{link}\"")), "{html}");
        assert!(line("문의: desk@example.com"), "{text}");
        assert!(html.contains("mailto:desk@example.com"), "{html}");
        let description = "경영진 아침 브리핑: 임원에게 매일 아침 보내 드립니다.";
        assert_eq!(
            text.contains(description),
            to == "ceo@example.com",
            "{text}"
        );
        assert_eq!(html.contains(description), to == "ceo@example.com");
    }

    // Nothing configured, nothing promised.
    let smtp = Smtp::start(&[]);
    let p = Project::new(&smtp.smtp_section(""));
    assert!(p.run(&["send"]).0.status.success());
    for (_, raw) in smtp.messages() {
        let m = MessageParser::default().parse(&raw).unwrap();
        assert!(!m.body_text(0).unwrap().contains("수신 거부"));
        assert!(!m.body_html(0).unwrap().contains("수신 거부"));
        assert_eq!(header(&m, "List-Unsubscribe"), None);
    }
}
