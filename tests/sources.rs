//! Several sources in one briefing: an RSS feed, an Atom feed, JSON lines and a dump
//! served by a real HTTP server on 127.0.0.1, and one source that is down.

use mail_parser::MessageParser;

use crate::support::{Http, Project, Reply};

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>바다일보</title><link>https://sea.example/</link><description>바다일보 새 소식</description>
<item>
  <title>항만 물동량 사상 최대</title>
  <link>https://sea.example/news/101</link>
  <description>&lt;p&gt;부산항의 지난달 물동량이 &lt;b&gt;230만 개&lt;/b&gt;로 사상 최대를 기록했다.&lt;/p&gt;&lt;script&gt;track("숨은 글")&lt;/script&gt;&lt;p&gt;항만공사는 환적 화물이 크게 늘었다고 밝혔다.&lt;/p&gt;</description>
  <pubDate>Mon, 30 Nov 2026 21:00:00 GMT</pubDate>
</item>
<item>
  <title>어선 조업 재개</title>
  <link>https://sea.example/news/102</link>
  <description><![CDATA[<p>태풍으로 멈췄던 어선 조업이 사흘 만에 재개됐다 &amp; 어민들이 반겼다.</p>]]></description>
  <pubDate>Mon, 30 Nov 2026 21:30:00 GMT</pubDate>
</item>
</channel></rss>
"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>하늘과학</title><id>urn:sky</id><updated>2026-11-30T22:00:00Z</updated>
<entry>
  <title>관측소, 새 혜성 발견</title><id>urn:sky:1</id>
  <link rel="alternate" href="https://sky.example/a/7"/>
  <updated>2026-11-30T22:00:00Z</updated>
  <content type="html">&lt;div&gt;천문 관측소가 새 혜성을 발견했다고 1일 밝혔다.&lt;br&gt;혜성은 다음 달 가장 밝아진다.&lt;/div&gt;</content>
</entry>
</feed>
"#;

const JSONL: &str = concat!(
    r#"{"title":"[경제] 수출 석 달째 증가","body":"11월 수출이 1년 전보다 8.1% 늘었다. 반도체가 증가를 이끌었다.","published_at":"2026-12-01 06:10:00","url":"https://market.example/e/55"}"#,
    "\n",
    r#"{"title":"잘린 줄""#,
    "\n",
    r#"{"title":"지역 버스 노선 개편","body":"시는 내년 1월부터 버스 노선 12개를 바꾼다고 밝혔다.","published_at":"2026-11-30T20:30:00Z","url":"https://town.example/bus","outlet":"고을신문"}"#,
    "\n",
);

const DUMP: &str = "최신기사\n--------\n도서관 야간 개관 확대\n구립도서관 다섯 곳이 다음 달부터 밤 10시까지 문을 연다. 열람실 좌석도 두 배로 늘어난다.\n2026-12-01 05:40:00\nhttps://library.example/notice/3\n--------\n";

/// Title, link and outlet of every article the four sources give.
const EXPECTED: [(&str, &str, &str); 6] = [
    (
        "항만 물동량 사상 최대",
        "https://sea.example/news/101",
        "바다일보",
    ),
    ("어선 조업 재개", "https://sea.example/news/102", "바다일보"),
    (
        "관측소, 새 혜성 발견",
        "https://sky.example/a/7",
        "하늘과학",
    ),
    (
        "수출 석 달째 증가",
        "https://market.example/e/55",
        "장터경제",
    ),
    (
        "지역 버스 노선 개편",
        "https://town.example/bus",
        "고을신문",
    ),
    (
        "도서관 야간 개관 확대",
        "https://library.example/notice/3",
        "구청소식",
    ),
];

fn server() -> Http {
    let typed = |body: &str, kind: &str| Reply {
        headers: vec![("Content-Type".into(), kind.into())],
        ..Reply::ok(body)
    };
    Http::routes(vec![
        ("/rss.xml", typed(RSS, "application/rss+xml; charset=utf-8")),
        ("/atom.xml", typed(ATOM, "application/atom+xml")),
        ("/news.jsonl", typed(JSONL, "application/x-ndjson")),
        ("/dump.txt", Reply::ok(DUMP)),
        ("/down", Reply::status(500, "서버 오류")),
    ])
}

/// A project whose sources are the server's four, in `format` (each its own when
/// `None`), and the failing one, `required` as given.
fn project(http: &Http, format: Option<&str>, down_required: bool) -> Project {
    let p = Project::new("");
    let source = |name: &str, path: &str, own: &str| {
        format!(
            "[[sources]]\nname = \"{name}\"\nlocation = \"{}\"\nformat = \"{}\"\n\n",
            http.url(path),
            format.unwrap_or(own)
        )
    };
    let config = [
        source("바다일보", "/rss.xml", "rss"),
        source("하늘과학", "/atom.xml", "atom"),
        source("장터경제", "/news.jsonl", "jsonl"),
        source("구청소식", "/dump.txt", "dump"),
        source("하늘방송", "/down", "auto"),
        format!("required = {down_required}\ntimeout_secs = 5\n\n"),
        "[mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n\n".into(),
        "[groups.morning]\nrecipients = [\"김하늘 <ceo@example.com>\"]\n".into(),
    ]
    .concat();
    std::fs::write(p.config(), config).unwrap();
    p
}

fn emls(p: &Project) -> Vec<Vec<u8>> {
    match std::fs::read_dir(p.path("outbox")) {
        Err(_) => Vec::new(),
        Ok(dir) => dir
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            .map(|e| std::fs::read(e.path()).unwrap())
            .collect(),
    }
}

#[test]
fn four_formats_make_one_briefing_that_links_every_article_and_names_its_outlet() {
    let http = server();
    let p = project(&http, None, false);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("(6 articles)"),
        "every source that answered gave its articles: {stdout}"
    );
    assert!(
        stdout.contains("source 하늘방송 failed: ")
            && stdout.contains("500")
            && stdout.contains("built from the other sources"),
        "{stdout}"
    );
    assert!(
        stderr.contains("news.jsonl: line 2: "),
        "the bad JSON line is named: {stderr}"
    );

    let mails = emls(&p);
    assert_eq!(mails.len(), 1);
    let m = MessageParser::default().parse(&mails[0]).unwrap();
    let html = m.body_html(0).unwrap().into_owned();
    let text = m.body_text(0).unwrap().into_owned();
    for (title, url, outlet) in EXPECTED {
        let href = format!("href=\"{url}\"");
        let at = html.find(&href).unwrap_or_else(|| panic!("{href}: {html}"));
        let link = &html[at..at + html[at..].find("</a>").unwrap()];
        assert!(link.ends_with(&format!(">{title}")), "{link}");
        let card = &html[at..];
        let card = &card[..card.find("</td>").unwrap()];
        assert!(card.contains(outlet), "{title} names {outlet}: {card}");
        let own_line = format!("   {url}");
        assert!(text.lines().any(|l| l == own_line), "{url}: {text}");
        let heading = text.lines().find(|l| l.contains(title)).unwrap();
        assert!(heading.contains(outlet), "{heading}");
    }
    for part in [&html, &text] {
        assert!(!part.contains("숨은 글"), "script text is no news: {part}");
        assert!(
            !part.contains("&lt;p&gt;") && !part.contains("<p>부산항"),
            "{part}"
        );
    }
    assert!(text.contains("230만 개로 사상 최대를 기록했다."), "{text}");

    let (out, status, stderr) = p.run(&["status"]);
    assert!(out.status.success(), "{stderr}");
    assert!(status.contains("source 하늘방송 failed: "), "{status}");
    let (_, json, _) = p.run(&["status", "--format", "json", "--days", "1"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["failed_sources"][0]["source"], "하늘방송");

    // A rerun of the day is built from what the first run kept: the same articles, and
    // the same source missing.
    let (out, again, stderr) = p.run(&["send", "--dry-run"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        again.contains("(6 articles") && again.contains("kept in "),
        "{again}"
    );
    assert!(again.contains("source 하늘방송 failed: "), "{again}");
}

#[test]
fn a_required_source_that_fails_stops_the_run() {
    let http = server();
    let p = project(&http, None, true);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("source 하늘방송") && stderr.contains("500"),
        "{stderr}"
    );
    assert!(emls(&p).is_empty(), "nothing is sent");
}

#[test]
fn auto_tells_rss_atom_json_lines_and_a_dump_apart() {
    let http = server();
    let p = project(&http, Some("auto"), false);
    let (out, stdout, stderr) = p.run(&["summarize", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let got: Vec<(&str, &str, &str)> = json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["title"].as_str().unwrap(),
                a["url"].as_str().unwrap(),
                a["outlet"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, EXPECTED);
    let labels: Vec<Option<&str>> = json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str())
        .collect();
    assert_eq!(labels[3], Some("경제"));
    assert!(stderr.contains("하늘방송"), "{stderr}");

    let (_, text, _) = p.run(&["summarize"]);
    assert!(
        text.contains("1. 항만 물동량 사상 최대 (2026-12-01 06:00 · 바다일보)\n   https://sea.example/news/101\n"),
        "{text}"
    );
    let (_, why, _) = p.run(&["explain", "--article", "3"]);
    assert!(
        why.starts_with("3. 관측소, 새 혜성 발견 (하늘과학)\n   https://sky.example/a/7\n"),
        "{why}"
    );
}
