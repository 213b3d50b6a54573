//! The email as a reader gets it, through the real binary: bounded lines, the size
//! limit, per-group `on_empty`, and golden files of the sample's briefing.

use std::fmt::Write as _;
use std::path::Path;

use crate::support::{root, Project, Smtp};

/// A dump of `articles` in the dump format, one article per entry (title, body, time).
fn dump(articles: &[(String, String, &str)]) -> String {
    let mut text = String::from("최신기사\n-\n");
    for (title, body, time) in articles {
        let _ = write!(text, "{title}\n{body}\n{time}\n-\n");
    }
    text
}

/// A project whose source is `text`, written beside its config.
fn project_with_dump(text: &str, groups: &str) -> Project {
    let p = Project::with_groups("", groups);
    let path = p.path("dump-2025-09-07.txt");
    std::fs::write(&path, text).unwrap();
    let config = std::fs::read_to_string(p.config()).unwrap();
    let config = config.replace(
        &crate::support::sample().display().to_string(),
        &path.display().to_string(),
    );
    std::fs::write(p.config(), config).unwrap();
    p
}

const ONE_GROUP: &str = "[groups.morning]\nrecipients = [\"reader@example.com\"]\n";

#[test]
fn a_huge_run_on_line_is_cut_at_a_clause_in_both_parts() {
    // 8 MB of clauses without a sentence end: the kind of line a broken export makes.
    let clause = "골목 상권의 매출이 조금씩 살아나고 있으며, ";
    let huge = clause.repeat(8 * 1024 * 1024 / clause.len());
    let p = project_with_dump(
        &dump(&[(
            "끝나지 않는 문장".into(),
            huge.clone(),
            "2025-09-07 06:30:00",
        )]),
        ONE_GROUP,
    );
    let (out, text, stderr) = p.run(&["preview"]);
    assert!(out.status.success(), "{stderr}");
    assert!(text.len() < 4096, "the text part is {} bytes", text.len());
    let key: String = text
        .lines()
        .skip_while(|l| !l.starts_with("   - "))
        .take_while(|l| l.starts_with("   ") && !l.is_empty())
        .map(|l| l.trim_start_matches("   - ").trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(key.ends_with("살아나고 있으며…"), "{key}");
    assert!(key.chars().count() <= 300, "{}", key.chars().count());

    let html = p.path("b.html");
    let (out, _, stderr) = p.run(&["preview", "--out", html.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.len() < 20_000, "the HTML part is {} bytes", html.len());
    assert!(html.contains("살아나고 있으며…</li>"), "{html}");
}

#[test]
fn a_200_article_day_stays_under_95_kb_and_says_what_it_left_out() {
    let articles: Vec<(String, String, &str)> = (1..=200)
        .map(|i| {
            (
                format!("{i}번째 지역 소식: 시청 앞 광장에서 열린 주민 토론회, 교통과 주거 대책을 두고 밤늦게까지 의견이 오갔다"),
                format!(
                    "시는 {i}일 주민 토론회를 열고 교통 대책을 설명했다. 참석한 주민 {i}0명은 버스 노선을 늘려 달라고 요구했다. \
                     시는 예산 {i}억원을 들여 내년 상반기까지 정류장을 새로 짓겠다고 밝혔다. 주거 대책은 다음 달 발표한다."
                ),
                "2025-09-07 06:00:00",
            )
        })
        .collect();
    let groups = "[groups.morning]\nrecipients = [\"reader@example.com\"]\nmax_articles = 1000\n\n\
                  [groups.short]\nrecipients = [\"short@example.com\"]\nmax_articles = 30\n";
    let p = project_with_dump(&dump(&articles), groups);
    let html = p.path("b.html");
    let (out, _, stderr) = p.run(&["preview", "--out", html.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.len() <= 88_000, "{} bytes", html.len());
    let shown = html.matches("id=\"item-").count();
    assert!(shown < 200, "{shown} shown");
    let left = format!("외 {}건", 200 - shown);
    assert!(html.contains(&left), "{left} in the HTML part");
    let (out, text, stderr) = p.run(&["preview"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        text.contains(&format!("{left}은 이번 브리핑에 싣지 못했습니다")),
        "{text}"
    );
    assert!(text.contains("1번째 지역 소식"), "the top stays");

    // max_articles cuts as loudly as the size limit.
    let (out, text, stderr) = p.run(&["preview", "--group", "short"]);
    assert!(out.status.success(), "{stderr}");
    assert!(text.contains("오늘의 기사 30건 · 외 170건"), "{text}");
    assert!(
        text.contains("\n30. ") && !text.contains("\n31. "),
        "{text}"
    );
}

#[test]
fn a_group_whose_filters_match_nothing_gets_nothing_unless_it_asks() {
    let smtp = Smtp::start(&[]);
    let groups = "[groups.morning]\nrecipients = [\"reader@example.com\"]\n\n\
                  [groups.sports]\nrecipients = [\"sports@example.com\"]\ninclude_labels = [\"스포츠\"]\n\n\
                  [groups.weather]\nrecipients = [\"weather@example.com\"]\ninclude_labels = [\"날씨\"]\non_empty = \"send\"\n";
    let p = Project::with_groups(&smtp.smtp_section(""), groups);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let mut to: Vec<String> = smtp.messages().into_iter().map(|(to, _)| to).collect();
    to.sort();
    assert_eq!(
        to,
        ["reader@example.com", "weather@example.com"],
        "{stdout}"
    );
    assert!(
        stdout.contains("sports: ") && stdout.contains("no article for this group, nothing sent"),
        "{stdout}"
    );
    let weather = smtp
        .messages()
        .into_iter()
        .find(|(to, _)| to == "weather@example.com")
        .unwrap()
        .1;
    let m = mail_parser::MessageParser::default()
        .parse(&weather)
        .unwrap();
    assert!(m.body_text(0).unwrap().contains("새 기사가 없습니다"));
}

#[test]
fn an_old_dump_says_so_and_title_only_articles_are_one_line() {
    let text = "최신기사\n-\n작년 여름의 제목만 남은 기사\n2024-06-03 10:47:00\n-\n\
                장마 앞두고 배수로 점검\n구청은 장마를 앞두고 관내 배수로 120곳을 점검했다고 밝혔다.\n2024-06-02 09:00:00\n-\n";
    let p = project_with_dump(text, ONE_GROUP);
    let (out, text, stderr) = p.run(&["preview"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        text.contains(
            "※ 가장 최근 기사가 2024년 6월 3일에 나온 것으로, 브리핑 날짜보다 461일 앞섭니다."
        ),
        "{text}"
    );
    assert!(
        text.contains("\n1. 작년 여름의 제목만 남은 기사 (2024년 6월 3일 10:47)\n\n2. "),
        "{text}"
    );
    let html = p.path("b.html");
    let (out, _, stderr) = p.run(&["preview", "--out", html.to_str().unwrap()]);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("461일 앞섭니다"), "{html}");
    assert_eq!(
        html.matches("class=\"box\"").count(),
        1,
        "one card, one line: {html}"
    );
    assert!(html.contains("<b>120곳</b>"), "{html}");
}

/// Compares `got` with the golden file `name`, or rewrites it under BRIEFING_BLESS=1.
fn snapshot(name: &str, got: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("BRIEFING_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with BRIEFING_BLESS=1 to write it",
            path.display()
        )
    });
    if want != got {
        let first = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
        panic!(
            "{} differs from the rendering at line {} (BRIEFING_BLESS=1 rewrites it):\n  want: {:?}\n  got:  {:?}",
            path.display(),
            first + 1,
            want.lines().nth(first),
            got.lines().nth(first)
        );
    }
}

#[test]
fn the_samples_briefing_matches_its_golden_files() {
    let p = Project::new("");
    let html = p.path("morning.html");
    for (group, name) in [("morning", "morning"), ("columns", "columns")] {
        let (out, text, stderr) = p.run(&["preview", "--group", group]);
        assert!(out.status.success(), "{stderr}");
        snapshot(&format!("{name}.txt"), &text);
        let (out, _, stderr) =
            p.run(&["preview", "--group", group, "--out", html.to_str().unwrap()]);
        assert!(out.status.success(), "{stderr}");
        snapshot(
            &format!("{name}.html"),
            &std::fs::read_to_string(Path::new(&html)).unwrap(),
        );
    }
}

/// The day at a glance: keywords several stories carry and figures that link to their
/// story, in both parts; `explain --day` says why each was chosen; a group can turn it
/// off.
#[test]
fn the_day_at_a_glance_sums_up_the_day_and_says_why() {
    // The round-up's items with three lines each, as many as the other stories: a
    // glance over more lines, with words several stories share.
    let p = Project::new("[summary]\nroundup_lines = 3\n");
    let (out, text, stderr) = p.run(&["preview", "--group", "morning"]);
    assert!(out.status.success(), "{stderr}");
    // Words every news day uses (글로벌, 시장, 국내) are no keywords; a figure is a
    // whole quantity with what it counts, never a date.
    assert!(text.contains("오늘의 키워드: 임상 2건"), "{text}");
    assert!(!text.contains("글로벌 3건"), "{text}");
    assert!(
        text.contains(
            "숫자로 본 오늘: 진출 적극적인 13개 (1번) / 국내외 생후 12개월~12세 (2번) / 업무 20% (4번)"
        ),
        "{text}"
    );
    let html = p.path("b.html");
    let (out, _, stderr) = p.run(&[
        "preview",
        "--group",
        "morning",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{stderr}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("#item-2\""), "figures link to their story");
    let (out, why, stderr) = p.run(&["explain", "--day"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        why.contains("  임상 in 2 articles, of stories 2, 3"),
        "{why}"
    );
    assert!(
        why.contains("  국내외 생후 12개월~12세 from story 2: "),
        "{why}"
    );

    let off = Project::with_groups(
        "",
        "[groups.morning]\nrecipients = [\"a@example.com\"]\nglance = false\n",
    );
    let (_, text, _) = off.run(&["preview"]);
    assert!(!text.contains("오늘의 키워드"), "{text}");
}
