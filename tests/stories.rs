//! One story told once, in the briefing that is sent: two outlets' tellings of one
//! warehouse fire, served over HTTP in two formats, arrive as one entry naming and
//! linking both, while a fire drill in the same district stays an entry of its own; and
//! a telling of a fire yesterday's briefing carried is named in the closing section
//! only. Texts of our own.

use mail_parser::MessageParser;

use crate::support::{briefing, run, Http, Project, Reply};

/// The fire as 바다일보's RSS feed tells it (05:10 Korea time).
const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>바다일보</title><link>https://sea.example/</link><description>바다일보 새 소식</description>
<item>
  <title>새벽 강변 물류창고 화재…소방관 120명 투입</title>
  <link>https://sea.example/news/fire-18</link>
  <description>&lt;p&gt;18일 새벽 3시 20분께 강변구 물류창고에서 불이 나 소방관 120명과 장비 35대가 투입됐다.&lt;/p&gt;&lt;p&gt;불은 창고 2개 동을 태우고 4시간 만에 꺼졌다. 야간 근무자 8명은 모두 스스로 대피해 다친 사람은 없었다. 소방당국은 냉동설비 배선에서 불이 시작된 것으로 보고 정확한 원인을 조사하고 있다.&lt;/p&gt;</description>
  <pubDate>Mon, 30 Nov 2026 20:10:00 GMT</pubDate>
</item>
</channel></rss>
"#;

/// The same fire in 하늘방송's words, as a JSON line.
const FIRE_JSON: &str = r#"{"title":"강변구 물류창고서 큰불, 4시간 만에 진화","body":"강변구의 한 물류창고에서 18일 새벽 큰불이 났다. 소방당국은 소방관 120명과 장비 35대를 동원해 4시간 만에 불길을 잡았다. 창고 안에 있던 근무자 8명은 불이 나자 곧바로 빠져나왔다. 당국은 냉동설비 쪽 배선을 발화 지점으로 의심하고 있다.","published_at":"2026-12-01 05:30:00","url":"https://sky.example/v/fire"}"#;

/// Another event on the same topic, in the district's own dump.
const DRILL: &str = "최신기사\n--------\n강변구, 전통시장 세 곳서 화재 대비 훈련\n강변구는 19일 전통시장 세 곳에서 화재 대비 합동 훈련을 연다고 밝혔다. 상인 200여 명과 소방서 직원 40명이 참여해 소화기 사용법과 대피 경로를 익힌다. 구는 훈련 뒤 시장마다 자동 확산 소화기 50대를 새로 설치할 계획이다.\n2026-12-01 06:00:00\nhttps://gu.example/notice/77\n--------\n";

const SEA_TITLE: &str = "새벽 강변 물류창고 화재…소방관 120명 투입";
const SKY_TITLE: &str = "강변구 물류창고서 큰불, 4시간 만에 진화";
const DRILL_TITLE: &str = "강변구, 전통시장 세 곳서 화재 대비 훈련";

const TODAY: &str = "2026-12-01T07:00:00+09:00";

/// A project of one group over `sources`, with no `[source]` of the sample.
fn project(sources: &str) -> Project {
    let p = Project::new("");
    let config = format!(
        "{sources}[mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n\n\
         [groups.morning]\nrecipients = [\"김하늘 <ceo@example.com>\"]\n"
    );
    std::fs::write(p.config(), config).unwrap();
    p
}

fn source(name: &str, location: &str, format: &str) -> String {
    format!("[[sources]]\nname = \"{name}\"\nlocation = \"{location}\"\nformat = \"{format}\"\n\n")
}

/// The text and HTML parts of the one message the outbox holds for `date`.
fn parts(p: &Project, date: &str) -> (String, String) {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(p.path("outbox")).unwrap().flatten() {
        if !entry.file_name().to_string_lossy().ends_with(".eml") {
            continue;
        }
        let raw = std::fs::read(entry.path()).unwrap();
        let m = MessageParser::default().parse(&raw).unwrap();
        if m.subject().unwrap_or_default().contains(date) {
            let text = m.body_text(0).unwrap().replace("\r\n", "\n");
            found.push((text, m.body_html(0).unwrap().replace("\r\n", "\n")));
        }
    }
    assert_eq!(found.len(), 1, "one message dated {date}");
    found.remove(0)
}

fn send(p: &Project, now: &str, extra: &[&str]) -> String {
    let mut cmd = briefing();
    cmd.env("BRIEFING_NOW", now)
        .arg("send")
        .args(extra)
        .arg("--config")
        .arg(p.config());
    let (out, stdout, stderr) = run(&mut cmd);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    stdout
}

#[test]
fn two_outlets_on_one_fire_are_one_entry_naming_both_and_the_drill_stays_apart() {
    let typed = |body: &str, kind: &str| Reply {
        headers: vec![("Content-Type".into(), kind.into())],
        ..Reply::ok(body)
    };
    let http = Http::routes(vec![
        ("/rss.xml", typed(RSS, "application/rss+xml; charset=utf-8")),
        (
            "/news.jsonl",
            typed(&format!("{FIRE_JSON}\n"), "application/x-ndjson"),
        ),
        ("/dump.txt", Reply::ok(DRILL)),
    ]);
    let p = project(
        &[
            source("바다일보", &http.url("/rss.xml"), "rss"),
            source("하늘방송", &http.url("/news.jsonl"), "jsonl"),
            source("구청소식", &http.url("/dump.txt"), "dump"),
        ]
        .concat(),
    );
    let report = send(&p, TODAY, &[]);
    assert!(report.contains("(3 articles)"), "{report}");
    let (text, html) = parts(&p, "12월 1일");

    assert!(text.contains("오늘의 기사 2건\n"), "{text}");
    // The longer telling leads; the other is named under it, linked, with its outlet.
    let lead = format!("1. {SEA_TITLE} (12월 1일 05:10 · 바다일보)");
    assert!(text.contains(&lead), "{text}");
    assert!(
        text.contains(&format!(
            "   2건 보도 · 같은 소식:\n     하늘방송 「{SKY_TITLE}」\n       https://sky.example/v/fire\n"
        )),
        "{text}"
    );
    assert_eq!(text.matches(SKY_TITLE).count(), 1, "told once: {text}");
    assert!(text.contains(&format!("2. {DRILL_TITLE}")), "{text}");

    assert!(
        html.contains("<a class=\"orig\" href=\"https://sea.example/news/fire-18\"")
            && html.contains(&format!(">{SEA_TITLE}</a></h2>")),
        "{html}"
    );
    assert!(
        html.contains("2건 보도 · 같은 소식: 하늘방송 「<a href=\"https://sky.example/v/fire\"")
            && html.contains(&format!(">{SKY_TITLE}</a>」")),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://gu.example/notice/77\""),
        "{html}"
    );
    assert!(!html.contains("지난 브리핑에서 전한 소식"), "{html}");

    // `summarize` tells the same stories, with the other telling in its JSON.
    let (out, json, stderr) = p.run(&["summarize", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let entries = json["articles"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{json}");
    assert_eq!(entries[0]["title"], SEA_TITLE);
    assert_eq!(
        entries[0]["also"],
        serde_json::json!([{"title": SKY_TITLE, "url": "https://sky.example/v/fire", "outlet": "하늘방송"}])
    );
    assert!(entries[1].get("also").is_none(), "{json}");
    let (_, listing, _) = p.run(&["summarize"]);
    assert!(
        listing.contains(&format!(
            "   2건 보도 · 같은 소식:\n     하늘방송 「{SKY_TITLE}」\n"
        )),
        "{listing}"
    );
}

#[test]
fn a_fire_yesterdays_briefing_told_is_only_named_in_the_closing_section() {
    let p = project(&source("지역소식", "today.jsonl", "jsonl"));
    let line = |title: &str, body: &str, at: &str, url: &str, outlet: &str| {
        serde_json::json!({"title": title, "body": body, "published_at": at, "url": url, "outlet": outlet})
            .to_string()
    };
    let sea = line(
        SEA_TITLE,
        "18일 새벽 3시 20분께 강변구 물류창고에서 불이 나 소방관 120명과 장비 35대가 투입됐다. \
         불은 창고 2개 동을 태우고 4시간 만에 꺼졌다. 야간 근무자 8명은 모두 스스로 대피해 다친 사람은 없었다. \
         소방당국은 냉동설비 배선에서 불이 시작된 것으로 보고 정확한 원인을 조사하고 있다.",
        "2026-11-30 05:10:00",
        "https://sea.example/news/fire-18",
        "바다일보",
    );
    let park = line(
        "강변공원 산책로 새 단장",
        "구는 강변공원 산책로 2.4km 구간에 조명 60개를 새로 달았다고 밝혔다.",
        "2026-11-30 06:00:00",
        "https://gu.example/notice/70",
        "구청소식",
    );
    let sky = line(
        SKY_TITLE,
        "강변구의 한 물류창고에서 18일 새벽 큰불이 났다. 소방당국은 소방관 120명과 장비 35대를 동원해 \
         4시간 만에 불길을 잡았다. 창고 안에 있던 근무자 8명은 불이 나자 곧바로 빠져나왔다. \
         당국은 냉동설비 쪽 배선을 발화 지점으로 의심하고 있다.",
        "2026-12-01 05:30:00",
        "https://sky.example/v/fire",
        "하늘방송",
    );
    let market = line(
        "전통시장 김장 재료 할인",
        "시내 전통시장 9곳이 이번 주말까지 배추와 무를 최대 25% 싸게 판다.",
        "2026-12-01 06:10:00",
        "https://gu.example/notice/78",
        "구청소식",
    );
    let yesterday = p.path("yesterday.jsonl");
    std::fs::write(&yesterday, format!("{sea}\n{park}\n")).unwrap();
    send(
        &p,
        "2026-11-30T07:00:00+09:00",
        &["--dump", yesterday.to_str().unwrap()],
    );
    let (told, _) = parts(&p, "11월 30일");
    assert!(told.contains(&format!("1. {SEA_TITLE}")), "{told}");

    std::fs::write(p.path("today.jsonl"), format!("{sky}\n{market}\n")).unwrap();
    send(&p, TODAY, &[]);
    let (text, html) = parts(&p, "12월 1일");
    assert!(text.contains("오늘의 기사 1건\n"), "{text}");
    assert!(text.contains("1. 전통시장 김장 재료 할인"), "{text}");
    let closing = format!(
        "\n지난 브리핑에서 전한 소식\n- {SKY_TITLE} (하늘방송 · 11월 30일 브리핑)\n  https://sky.example/v/fire\n"
    );
    assert!(text.contains(&closing), "{text}");
    assert_eq!(text.matches(SKY_TITLE).count(), 1, "not told again: {text}");
    assert!(
        html.contains("<li><a href=\"https://sky.example/v/fire\"")
            && html.contains(&format!(">{SKY_TITLE}</a> <span"))
            && html.contains("(하늘방송 · 11월 30일 브리핑)"),
        "{html}"
    );

    // A second run of the day is built from the kept sources against the days before
    // it: the same closing section, not a repeat of its own first run.
    let mut preview = briefing();
    preview
        .env("BRIEFING_NOW", TODAY)
        .args(["preview", "--out"])
        .arg(p.path("again.html"))
        .arg("--config")
        .arg(p.config());
    let (out, _, stderr) = run(&mut preview);
    assert!(out.status.success(), "{stderr}");
    let again = std::fs::read_to_string(p.path("again.html")).unwrap();
    assert_eq!(again, html, "the day rebuilds as it was sent");
}
