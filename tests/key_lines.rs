//! Key lines by kind of article, through the real binary: a column's key lines are
//! its evidence and its claim, and a line of the writer's framing loses to a line
//! that carries a fact.

use serde_json::Value;

use crate::support::Project;

/// The sample's `[기자수첩]` argues from figures (a share that fell from 49.9% to 34.1%,
/// an 851억원 cost, a 35조 3000억원 budget) and closes on its claim. Its key lines are
/// those, not the hook (`…족쇄가 채워졌다`) or the scene (`…절규에 가까웠다`).
#[test]
fn the_sample_column_gets_its_figures_and_its_claim() {
    let p = Project::new("");
    let (out, stdout, stderr) = p.run(&["summarize", "--format", "json"]);
    assert!(out.status.success(), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    let column = json["articles"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["label"] == "기자수첩"))
        .expect("the sample's column");
    let sentences = column["sentences"].as_array().expect("sentences");
    let key: Vec<&str> = column["picks"]
        .as_array()
        .expect("picks")
        .iter()
        .filter_map(|i| sentences[i.as_u64().unwrap_or(0) as usize].as_str())
        .collect();
    let evidence = ["34.1%", "851억원", "35조 3000억원"];
    let with_figures = key
        .iter()
        .filter(|l| evidence.iter().any(|f| l.contains(f)))
        .count();
    assert!(with_figures >= 2, "{key:#?}");
    assert!(
        key.iter().any(|l| l.contains("구체적 성과로 입증해")),
        "the claim: {key:#?}"
    );
    assert!(
        !key.iter()
            .any(|l| l.contains("족쇄가 채워졌다") || l.contains("절규에 가까웠다")),
        "no hook or scene: {key:#?}"
    );
    // `explain` shows the kind it was scored as.
    let (out, why, stderr) = p.run(&["explain", "--article", "5"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        why.contains("kind: column 1.00 — labelled as column"),
        "{why}"
    );
}

/// A promotional line right after the lead (`…위한 전략적 행보다.`) frames the news
/// and states none: it loses to the lines that carry the deal's facts, though it
/// stands earlier and repeats the article's keywords.
#[test]
fn a_framing_line_loses_to_a_fact_line() {
    let p = Project::new("");
    let article = serde_json::json!({
        "id": "promo",
        "title": "한빛페이, 베트남 전자결제 시장 진출",
        "sentences": [
            "한빛페이가 베트남 전자결제 시장에 진출한다고 3일 밝혔다.",
            "동남아 결제 시장에 한빛페이의 기술력을 알리고 현지 금융사와의 협력 기회를 넓히기 위한 전략적 행보다.",
            "회사는 다음 달 하노이에 현지 법인을 세우고 결제 단말기 공급을 시작한다.",
            "한빛페이의 결제 단말기는 국내 가맹점 12만 곳에서 쓰이고 있다.",
            "현지 법인은 첫해 가맹점 3000곳과 거래액 500억원을 목표로 한다.",
            "회사 관계자는 “베트남은 현금 결제 비중이 높아 성장 여지가 크다”고 말했다.",
            "이번 진출은 국내 결제 기업의 해외 진출에 새로운 이정표가 될 것이라는 평가가 나온다."
        ]
    });
    std::fs::write(p.path("in.jsonl"), format!("{article}\n")).expect("write");
    let input = p.path("in.jsonl");
    let (out, stdout, stderr) = p.run(&["pick", "--jsonl", input.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{stderr}");
    let picked: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    let picked: Vec<u64> = picked["picked"]
        .as_array()
        .expect("picks")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(!picked.contains(&1) && !picked.contains(&6), "{picked:?}");
    assert!(picked.contains(&0), "the lead: {picked:?}");
    assert!(
        picked.iter().any(|i| [3, 4].contains(i)),
        "a figure: {picked:?}"
    );
}
