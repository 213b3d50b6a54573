//! One day, one briefing: every flag of `send` honoured (a dry run never delivers), a
//! briefing finished later is the same briefing, and what no one was sent is not
//! marked as carried. Dumps of our own, written per test.

use std::path::Path;

use crate::support::{run, Project, Smtp};

/// A dump in the format of the real ones: header, separators, then per article a
/// title, one body line and a Korea-time stamp.
pub fn dump(articles: &[(&str, &str, &str)]) -> String {
    let mut text = String::from("최신기사\n-\n-\n");
    for (title, body, at) in articles {
        text.push_str(&format!("{title}\n{body}\n{at}\n-\n"));
    }
    text
}

const MORNING: (&str, &str, &str) = (
    "구립도서관 야간 개관 확대",
    "구청은 다음 달부터 구립도서관 다섯 곳의 개관 시간을 밤 10시까지 늘린다고 6일 밝혔다. 야간 열람실 좌석은 모두 320석이다.",
    "2025-09-06 18:10:00",
);
const NOON: (&str, &str, &str) = (
    "시내버스 노선 세 개 신설",
    "시는 신도시와 역을 잇는 시내버스 노선 세 개를 새로 만든다고 6일 발표했다. 배차 간격은 출근 시간대 8분이다.",
    "2025-09-06 20:30:00",
);
const LATE: (&str, &str, &str) = (
    "하천 산책로 조명 교체 마무리",
    "구는 하천 산책로 4.2km 구간의 조명을 발광다이오드로 바꾸는 공사를 마쳤다고 7일 밝혔다. 전기 요금은 해마다 1천만 원가량 준다.",
    "2025-09-07 06:40:00",
);

fn project_with_dump(extra: &str, groups: &str, text: &str) -> Project {
    let p = Project::with_groups(extra, groups);
    std::fs::write(p.path("today.txt"), text).unwrap();
    let config = std::fs::read_to_string(p.config()).unwrap();
    let source = config.lines().nth(1).unwrap().to_owned();
    std::fs::write(
        p.config(),
        config.replace(&source, "location = \"today.txt\""),
    )
    .unwrap();
    p
}

const TWO: &str = r#"[groups.morning]
recipients = ["김하늘 <ceo@example.com>", "cfo@example.com"]
"#;

fn files(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Every combination of `send`'s flags, against a real server and against the outbox:
/// a dry run delivers nothing and records nothing, whatever comes with it.
#[test]
fn every_flag_combination_of_send_keeps_its_promise() {
    let text = dump(&[MORNING, NOON]);
    for smtp in [true, false] {
        let server = Smtp::start(&[]);
        let extra = if smtp {
            server.smtp_section("")
        } else {
            String::new()
        };
        let p = project_with_dump(&extra, TWO, &text);
        let received = || match smtp {
            true => server.messages().len(),
            false => files(&p.path("outbox")).len(),
        };
        let cases: &[(&[&str], Option<i32>, usize)] = &[
            (&["--dry-run"], Some(0), 0),
            (&["--dry-run", "--to", "test@example.com"], Some(0), 0),
            (&["--to", "test@example.com", "--dry-run"], Some(0), 0),
            // A dry run reports who a forced send would reach again.
            (&["--dry-run", "--force"], Some(0), 0),
            (&["--to", "test@example.com", "--force"], Some(2), 0),
            (
                &["--dry-run", "--to", "test@example.com", "--force"],
                Some(2),
                0,
            ),
            (&["--to", "test@example.com"], Some(0), 1),
            (&[], Some(0), 2),
            (&["--dry-run"], Some(0), 0),
            (&["--force"], Some(0), 2),
        ];
        for (flags, code, sent) in cases {
            let before = received();
            let mut args = vec!["send"];
            args.extend_from_slice(flags);
            let (out, stdout, stderr) = p.run(&args);
            assert_eq!(
                out.status.code(),
                *code,
                "smtp={smtp} {flags:?}\n{stdout}\n{stderr}"
            );
            if flags.contains(&"--dry-run") && *code == Some(0) {
                assert!(stdout.contains("would be sent"), "{flags:?}: {stdout}");
            }
            let delivered = received() - before;
            assert_eq!(
                delivered, *sent,
                "smtp={smtp} {flags:?} delivered {delivered}\n{stdout}"
            );
        }
        // Only the real sends are on record: two briefings, then two forced copies.
        let log = std::fs::read_to_string(p.path("state/ledger/2025-09-07/morning.jsonl"))
            .unwrap_or_default();
        assert_eq!(log.matches("\"delivered\"").count(), 4, "{log}");
        assert!(!log.contains("test@example.com"), "{log}");
    }
}

/// A run that leaves a recipient without the briefing is finished later from the dump
/// it was built from, though the dump has grown meanwhile; the next day's briefing
/// carries what was added.
#[test]
fn a_briefing_finished_later_is_the_same_briefing_and_the_next_day_gets_the_rest() {
    let smtp = Smtp::start(&["--reject", "cfo@example.com"]);
    let p = project_with_dump(&smtp.smtp_section(""), TWO, &dump(&[MORNING, NOON]));
    let (out, stdout, _) = p.run(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("failed cfo@example.com"), "{stdout}");

    // Overnight news arrives in the dump; the refused address is fixed.
    std::fs::write(p.path("today.txt"), dump(&[LATE, MORNING, NOON])).unwrap();
    let accepting = Smtp::start(&[]);
    let config = std::fs::read_to_string(p.config()).unwrap().replace(
        &format!("port = {}", smtp.port),
        &format!("port = {}", accepting.port),
    );
    std::fs::write(p.config(), config).unwrap();
    let (preview, shown, _) = p.run(&["preview"]);
    assert!(preview.status.success());
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 delivered, 1 already delivered earlier"),
        "{stdout}"
    );
    let parts = |raw: &[u8]| {
        let m = mail_parser::MessageParser::default().parse(raw).unwrap();
        (
            m.body_text(0).unwrap().into_owned(),
            m.body_html(0).unwrap().into_owned(),
        )
    };
    let first = parts(&smtp.messages()[0].1);
    assert!(
        first == parts(&accepting.messages()[0].1),
        "one day, one briefing"
    );
    assert!(!first.0.contains(LATE.0), "{}", first.0);
    assert!(
        !shown.contains(LATE.0),
        "preview shows what send sends: {shown}"
    );

    // The next morning: only the article today's briefing did not carry.
    let (out, stdout, stderr) = run(p
        .cmd(&["send"])
        .env("BRIEFING_NOW", "2025-09-08T07:00:00+09:00"));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("(1 article; 2 left out, already in the briefing of 2025-09-07)"),
        "{stdout}"
    );
    let (next, _) = parts(&accepting.messages()[1].1);
    assert!(next.contains(LATE.0) && !next.contains(MORNING.0), "{next}");
}

/// A group whose filters match nothing is sent a "no news" briefing: that carries no
/// article, so none is marked as carried and the next day still has them all.
#[test]
fn articles_no_group_was_sent_are_not_marked_as_carried() {
    let groups = r#"[groups.morning]
recipients = ["cfo@example.com"]
include_keywords = ["우주정거장"]
"#;
    let p = project_with_dump("", groups, &dump(&[MORNING, NOON]));
    let text = std::fs::read_to_string(p.config()).unwrap().replacen(
        "[mail]\n",
        "[mail]\non_empty = \"send\"\n",
        1,
    );
    std::fs::write(p.config(), text).unwrap();
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("0 items"), "{stdout}");
    let (_, stdout, _) = run(p
        .cmd(&["send", "--dry-run"])
        .env("BRIEFING_NOW", "2025-09-08T07:00:00+09:00"));
    assert!(
        stdout.contains("(2 articles)"),
        "nothing was carried: {stdout}"
    );
}

/// The morning after a delivery, with the same dump: `preview` leaves out what the
/// earlier briefing carried, exactly as `send --dry-run` does.
#[test]
fn preview_shows_what_send_would_send() {
    let p = project_with_dump("", TWO, &dump(&[MORNING, NOON]));
    let (out, stdout, _) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}");
    std::fs::write(p.path("today.txt"), dump(&[LATE, MORNING, NOON])).unwrap();
    let next_day =
        |args: &[&str]| run(p.cmd(args).env("BRIEFING_NOW", "2025-09-08T07:00:00+09:00"));
    let (_, dry, _) = next_day(&["send", "--dry-run"]);
    assert!(dry.contains("(1 article; 2 left out"), "{dry}");
    let (out, shown, stderr) = next_day(&["preview"]);
    assert!(out.status.success(), "{stderr}");
    assert!(shown.contains(LATE.0), "{shown}");
    assert!(
        !shown.contains(MORNING.0) && !shown.contains(NOON.0),
        "{shown}"
    );
}

/// Groups go in the order of the file: `preview` and `send --to` take the first one
/// written; `send --group` sends one group alone, its test copy included; an unknown
/// group is an error that lists the groups there are.
#[test]
fn groups_keep_the_files_order_and_send_takes_a_group() {
    let groups = r#"[groups.morning]
recipients = ["cfo@example.com"]

[groups.bulletin]
recipients = ["desk@example.com"]
subject = "[소식지] {{date}}"
"#;
    let p = project_with_dump("", groups, &dump(&[MORNING, NOON]));
    let (_, dry, _) = p.run(&["send", "--dry-run"]);
    let morning = dry.find("  morning: ").unwrap();
    let bulletin = dry.find("  bulletin: ").unwrap();
    assert!(morning < bulletin, "file order: {dry}");
    let (_, text, _) = p.run(&["preview"]);
    assert!(
        !text.contains("[소식지]"),
        "the first group is morning: {text}"
    );

    let (out, stdout, stderr) = p.run(&["send", "--group", "bulletin"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("morning"), "{stdout}");
    let sent = files(&p.path("outbox"));
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("_bulletin_desk@example.com"), "{sent:?}");

    let (out, stdout, _) = p.run(&["send", "--group", "bulletin", "--to", "test@example.com"]);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("bulletin-test: \"[소식지]"), "{stdout}");

    let (out, _, stderr) = p.run(&["send", "--group", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("--group nope: no such group in")
            && stderr.contains("(groups: morning, bulletin)"),
        "{stderr}"
    );
}
