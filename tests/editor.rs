//! The day edited as a news editor would, on a day of our own: fifteen articles of five
//! outlets where a rate decision four outlets told, a rail incident three told and an
//! investment two told come last in the sources, after five minor stories, a column
//! and a round-up. The story most outlets told leads and names the subject, the preview
//! names the next stories, the opinion piece follows the news under its own heading,
//! the glance and the bold figures are quantities, and `order = "source"` keeps the
//! sources' order. Texts of our own.

use mail_parser::MessageParser;

use crate::support::Project;

/// Fourteen articles of five outlets, as JSON lines: the minor stories first.
const DAY: &str = r#"{"title": "구립도서관 야간 개관 이달부터 확대", "body": "은빛구는 구립도서관 세 곳의 야간 개관을 이달부터 밤 10시까지 늘린다고 30일 밝혔다. 구는 이를 위해 사서 4명을 새로 뽑았다. 주말에도 오후 6시까지 열람실을 연다.", "published_at": "2026-11-30 09:10:00", "url": "https://eunbit.example/a/101", "outlet": "은빛일보"}
{"title": "강변시 야간 버스 노선 두 개 신설", "body": "강변시는 다음 달부터 심야 버스 노선 두 개를 새로 운행한다고 밝혔다. 노선은 강변역과 산업단지를 잇는다. 시는 이용객이 하루 800명에 이를 것으로 내다봤다.", "published_at": "2026-11-30 10:20:00", "url": "https://gangbyeon.example/n/55", "outlet": "강변신문"}
{"title": "시립미술관 겨울 특별전 개막", "body": "시립미술관이 지역 작가 12명의 작품을 모은 겨울 특별전을 1일 개막한다. 전시는 내년 2월 말까지 이어진다. 관람료는 무료다.", "published_at": "2026-11-30 11:00:00", "url": "https://sky.example/v/301", "outlet": "하늘방송"}
{"title": "붉은매, 시범경기서 푸른곰 꺾어", "body": "프로야구 붉은매가 시범경기에서 푸른곰을 7대 3으로 이겼다. 선발 투수는 6이닝 동안 삼진 8개를 잡았다. 두 팀은 2일 다시 맞붙는다.", "published_at": "2026-11-30 21:40:00", "url": "https://sea.example/news/b-77", "outlet": "바다일보"}
{"title": "동네 빵집 연합, 지역 화폐 결제 10% 할인", "body": "은빛구 동네 빵집 30곳이 지역 화폐로 결제하면 빵값을 10% 깎아 준다. 행사는 이달 말까지다. 구는 참여 업소를 더 늘릴 계획이다.", "published_at": "2026-11-30 12:30:00", "url": "https://eunbit.example/a/102", "outlet": "은빛일보"}
{"title": "누리전자, 강변 산단에 2조원 들여 배터리 공장", "body": "누리전자가 강변 산업단지에 2조원을 들여 배터리 소재 공장을 짓는다고 30일 공시했다. 공장은 2028년 가동을 목표로 하며 일자리 1200개가 생길 것으로 회사는 내다봤다. 연간 생산 능력은 전기차 50만 대 분량이다.", "published_at": "2026-11-30 17:00:00", "url": "https://econ.example/c/880", "outlet": "경제신문"}
{"title": "누리전자 2조원 배터리 소재 공장 강변에 짓는다", "body": "누리전자가 강변 산단에 배터리 소재 공장을 세운다. 투자 규모는 2조원이다. 2028년 가동이 목표이며 일자리 1200개가 새로 생긴다.", "published_at": "2026-11-30 17:30:00", "url": "https://gangbyeon.example/n/56", "outlet": "강변신문"}
{"title": "공항철도 신호 장애로 1시간 운행 중단", "body": "1일 새벽 공항철도 신호 장치에 장애가 생겨 열차 운행이 1시간 동안 멈췄다. 첫차를 기다리던 승객 3000여 명이 역에서 발이 묶였다. 운영사는 오전 6시 10분 운행을 재개하고 원인을 조사하고 있다.", "published_at": "2026-12-01 06:20:00", "url": "https://sky.example/v/302", "outlet": "하늘방송"}
{"title": "공항철도 새벽 신호 장애…승객 3000여 명 발 묶여", "body": "공항철도가 신호 장애로 1시간 동안 멈춰 섰다. 승객 3000여 명이 첫차를 타지 못했다. 운영사는 신호 장치 부품을 교체하고 운행을 재개했다.", "published_at": "2026-12-01 06:25:00", "url": "https://sea.example/news/r-12", "outlet": "바다일보"}
{"title": "공항철도 1시간 운행 중단, 신호 장치 고장 탓", "body": "공항철도 운행이 1일 새벽 신호 장치 고장으로 1시간 중단됐다. 승객 3000여 명이 불편을 겪었다. 운영사는 재발 방지 대책을 내놓겠다고 밝혔다.", "published_at": "2026-12-01 06:30:00", "url": "https://econ.example/c/881", "outlet": "경제신문"}
{"title": "한은, 기준금리 0.25%p 인하…연 2.25%", "body": "한국은행 금융통화위원회는 30일 기준금리를 연 2.50%에서 2.25%로 0.25%포인트 내렸다. 금통위는 내수 부진과 수출 둔화를 이유로 들었다. 시장은 내년 상반기 추가 인하 가능성에 주목하고 있다.", "published_at": "2026-11-30 10:05:00", "url": "https://econ.example/c/877", "outlet": "경제신문"}
{"title": "기준금리 연 2.25%로 내려…금통위 결정", "body": "한국은행이 기준금리를 연 2.25%로 0.25%포인트 낮췄다. 금통위는 30일 회의에서 내수 부진을 이유로 인하를 결정했다. 기준금리 인하는 석 달 만이다.", "published_at": "2026-11-30 10:10:00", "url": "https://sky.example/v/300", "outlet": "하늘방송"}
{"title": "한국은행 기준금리 2.25%로 인하", "body": "한국은행 금융통화위원회가 30일 기준금리를 연 2.25%로 0.25%포인트 내렸다. 수출 둔화와 내수 부진이 이유다. 시장은 추가 인하를 점치고 있다.", "published_at": "2026-11-30 10:15:00", "url": "https://sea.example/news/e-40", "outlet": "바다일보"}
{"title": "금통위 기준금리 0.25%p 인하, 연 2.25%", "body": "금통위가 기준금리를 연 2.25%로 낮췄다. 0.25%포인트 인하다. 한은은 내수 부진을 이유로 들었다.", "published_at": "2026-11-30 10:30:00", "url": "https://gangbyeon.example/n/54", "outlet": "강변신문"}"#;

/// A column and a round-up of two items, in a dump of its own.
const OPINION: &str = "최신기사\n--------\n[기자수첩] 출근길 지하철, 혼잡도 150%의 아침\n아침마다 승강장은 발 디딜 틈이 없다. 강변선 출근 시간 혼잡도는 150%를 넘는다. 시는 열차를 두 편 늘리겠다고 했지만 3년째 그대로다. 대책이 말에 그쳐서는 안 된다.\n2026-11-30 08:00:00\n--------\n[지역 소식] 오늘의 단신\n◆은빛구, 경로당 난방비 지원 은빛구는 경로당 40곳에 난방비를 곳마다 50만원씩 지원한다. 지원금은 이달 안에 지급된다. ◆강변시, 하천 산책로 조명 교체 강변시는 하천 산책로 가로등 300개를 발광다이오드 조명으로 바꾼다. 공사는 다음 달 끝난다.\n2026-11-30 13:00:00\n--------\n";

const TODAY: &str = "2026-12-01T07:00:00+09:00";

/// A project over the two sources, with `group` as its one group.
fn project(group: &str) -> Project {
    let p = Project::new("");
    std::fs::write(p.path("day.jsonl"), DAY).unwrap();
    std::fs::write(p.path("opinion.txt"), OPINION).unwrap();
    let config = format!(
        "[[sources]]\nname = \"전국\"\nlocation = \"day.jsonl\"\nformat = \"jsonl\"\n\n\
         [[sources]]\nname = \"은빛일보\"\nlocation = \"opinion.txt\"\n\n\
         [schedule]\ntimezone = \"Asia/Seoul\"\n\n\
         [mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n\n{group}"
    );
    std::fs::write(p.config(), config).unwrap();
    p
}

const MORNING: &str = "[groups.morning]\nrecipients = [\"김하늘 <ceo@example.com>\"]\n";

/// The text part, the HTML part and the subject of `preview`'s briefing.
fn preview(p: &Project) -> (String, String) {
    let mut text = p.cmd(&["preview"]);
    text.env("BRIEFING_NOW", TODAY);
    let (out, text, stderr) = crate::support::run(&mut text);
    assert!(out.status.success(), "{stderr}");
    let html = p.path("b.html");
    let mut cmd = p.cmd(&["preview", "--out", html.to_str().unwrap()]);
    cmd.env("BRIEFING_NOW", TODAY);
    let (out, _, stderr) = crate::support::run(&mut cmd);
    assert!(out.status.success(), "{stderr}");
    (text, std::fs::read_to_string(html).unwrap())
}

/// The numbered headings of the text part, in order.
fn headings(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && l[digits..].starts_with(". ")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_story_most_outlets_told_leads_and_names_the_subject() {
    let p = project(MORNING);
    let (text, html) = preview(&p);
    let h = headings(&text);
    assert!(h[0].contains("기준금리"), "{h:#?}");
    assert!(h[1].contains("공항철도"), "{h:#?}");
    assert!(h[2].contains("누리전자"), "{h:#?}");
    assert!(text.contains("4건 보도"), "{text}");
    // The column comes after every news story, under the opinion heading.
    let column = h
        .iter()
        .position(|l| l.contains("[기자수첩]"))
        .expect("the column");
    assert_eq!(column, h.len() - 1, "{h:#?}");
    assert!(text.contains("■ 오피니언"), "{text}");

    // The subject names the lead story; the hidden preview names the next ones.
    let mut send = p.cmd(&["send"]);
    send.env("BRIEFING_NOW", TODAY);
    let (out, _, stderr) = crate::support::run(&mut send);
    assert!(out.status.success(), "{stderr}");
    let eml = std::fs::read_dir(p.path("outbox"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".eml"))
        .expect("a message");
    let raw = std::fs::read(eml.path()).unwrap();
    let m = MessageParser::default().parse(&raw).unwrap();
    let subject = m.subject().unwrap();
    assert!(
        subject.starts_with("12월 1일(화) 한은, 기준금리"),
        "{subject}"
    );
    assert!(subject.ends_with("건"), "{subject}");
    let hidden = html
        .split("mso-hide:all\">")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("the preheader");
    assert!(hidden.starts_with("공항철도"), "{hidden}");
    assert!(hidden.contains("누리전자"), "{hidden}");
    assert!(!hidden.contains("기준금리"), "{hidden}");
}

#[test]
fn the_glance_and_the_bold_are_quantities_of_the_top_stories() {
    let p = project(MORNING);
    let (text, html) = preview(&p);
    let keywords = text
        .lines()
        .find_map(|l| l.strip_prefix("오늘의 키워드: "))
        .expect("keywords");
    assert!(keywords.starts_with("기준금리"), "{keywords}");
    for everyday in ["동안", "이달", "회사", "관계자", "올해"] {
        assert!(!keywords.contains(everyday), "{keywords}");
    }
    let figures = text
        .lines()
        .find_map(|l| l.strip_prefix("숫자로 본 오늘: "))
        .expect("figures");
    assert!(
        figures.starts_with("기준금리 연 2.50%에서 2.25%로 (1번)"),
        "{figures}"
    );
    assert!(figures.contains("2조원"), "{figures}");
    for not_a_quantity in ["7대", "일 ", "시 "] {
        assert!(!figures.contains(not_a_quantity), "{figures}");
    }
    // Bold runs are amounts, shares and counts, never a date.
    for bold in html
        .split("<b>")
        .skip(1)
        .filter_map(|s| s.split("</b>").next())
    {
        assert!(!bold.ends_with('일') && !bold.ends_with('월'), "{bold}");
    }
    assert!(html.contains("<b>2조원</b>"), "the investment's figure");
}

#[test]
fn explain_day_shows_each_storys_rank_and_its_signals() {
    let p = project(MORNING);
    let mut cmd = p.cmd(&["explain", "--day"]);
    cmd.env("BRIEFING_NOW", TODAY);
    let (out, why, stderr) = crate::support::run(&mut cmd);
    assert!(out.status.success(), "{stderr}");
    let first = why
        .lines()
        .find(|l| l.trim_start().starts_with("1. "))
        .expect("a ranked story");
    assert!(first.contains("기준금리"), "{why}");
    assert!(why.contains("outlets 4"), "{why}");
    assert!(why.contains("opinion"), "{why}");
}

#[test]
fn a_group_may_keep_the_sources_order() {
    let p = project(&format!("{MORNING}order = \"source\"\n"));
    let (text, _) = preview(&p);
    let h = headings(&text);
    assert!(h[0].contains("구립도서관"), "{h:#?}");
}
