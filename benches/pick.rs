//! Throughput of the key-line selection, in articles per second.
//!
//! The dump is synthetic and every article is distinct: sentences are built from
//! templates of Korean news prose (an actor reports a figure on a date, a scene, a
//! quotation with its speaker, background, a spec bullet) filled from word lists by a
//! fixed pseudo-random walk, so runs are comparable and no two articles share their
//! text. Each article has 8-24 sentences, sometimes a subtitle and a byline in front,
//! as local papers print them. Measured beside two baselines on the same articles:
//! Lead-3 (the floor: taking the first three lines) and a naive TF-IDF selection (a
//! `HashMap<&str>` per article and a sort), as the selection was first written.

use std::collections::HashMap;
use std::hint::black_box;

use briefing::config::SummaryConfig;
use briefing::score::{terms, Idf};
use briefing::select::{select, Heading};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ARTICLES: usize = 20_000;

const ACTORS: &[&str] = &[
    "한빛전자",
    "서해시",
    "국립미래연구원",
    "누리통신",
    "동산은행",
    "바른제약",
    "새길자동차",
    "환경부",
    "청솔대학교",
    "가람항공",
    "푸른에너지",
    "해오름유통",
];
const THINGS: &[&str] = &[
    "전기차 배터리",
    "인공지능 반도체",
    "청년 주거 지원",
    "해상 풍력 단지",
    "치매 조기 진단 기술",
    "농산물 온라인 장터",
    "스마트 공장 설비",
    "초등 돌봄 교실",
    "수소 버스 노선",
    "우주 발사체 엔진",
    "소상공인 대출",
    "탄소 포집 장치",
];
const VERBS: &[&str] = &[
    "개발했다고",
    "발표했다고",
    "공개했다고",
    "출시한다고",
    "도입한다고",
    "확대한다고",
];
const PLACES: &[&str] = &[
    "항구 앞 시장",
    "새벽 물류 창고",
    "시청 민원실",
    "연구소 실험실",
    "골목 식당",
    "공단 주차장",
];
const PEOPLE: &[&str] = &[
    "김 교수",
    "박 대표",
    "이 과장",
    "최 연구원",
    "정 시장",
    "한 주민",
];
const UNITS: &[&str] = &["억원", "%", "명", "곳", "톤", "개월"];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
    fn of<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// One sentence of a kind chosen at random. `serial` makes the article's text its own.
fn sentence(r: &mut Rng, actor: &str, thing: &str, serial: usize) -> String {
    let n = 1 + r.below(900);
    let day = 1 + r.below(28);
    match r.below(8) {
        0 => format!(
            "{actor}은 {thing} 사업 {serial}호를 {} {day}일 밝혔다.",
            r.of(VERBS)
        ),
        1 => format!(
            "이번 {thing} 계획에는 모두 {n}{}의 예산이 들어가며 내년 {}월까지 이어진다.",
            r.of(UNITS),
            1 + r.below(12)
        ),
        2 => format!(
            "지난달 {}에서 만난 주민들은 {thing} 소식을 아직 잘 모른다고 했다.",
            r.of(PLACES)
        ),
        3 => format!(
            "“{thing}은 앞으로 {n}년 안에 우리 생활을 바꿀 것”이라고 {}는 내다봤다.",
            r.of(PEOPLE)
        ),
        4 => format!("- {thing} 규격 {serial}-{n}번, 무게 {day}kg"),
        5 => format!(
            "업계에 따르면 {actor}의 경쟁사들도 비슷한 {thing}을 준비하고 있어 시장은 {}{} 규모로 커질 전망이다.",
            n,
            r.of(UNITS)
        ),
        6 => format!(
            "{}는 {thing}의 안전성과 비용 문제를 먼저 따져야 한다고 지적했다.",
            r.of(PEOPLE)
        ),
        _ => format!(
            "{actor} 관계자는 {}의 의견을 모아 {thing} 운영 방식을 {serial}차례 고쳤다고 설명했다.",
            r.of(PLACES)
        ),
    }
}

struct Article {
    title: String,
    sentences: Vec<String>,
}

fn synthetic_dump() -> Vec<Article> {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    (0..ARTICLES)
        .map(|serial| {
            let actor = r.of(ACTORS);
            let thing = r.of(THINGS);
            let mut sentences = Vec::new();
            if r.below(4) == 0 {
                sentences.push(format!("{thing} {serial}호…{actor} 본격 추진"));
                sentences.push("홍길동 기자 hong@example.com".to_owned());
            }
            let len = 8 + r.below(17);
            sentences.extend((0..len).map(|_| sentence(&mut r, actor, thing, serial)));
            Article {
                title: format!("{actor}, {thing} {serial}호 공개"),
                sentences,
            }
        })
        .collect()
}

/// The naive selection: term frequency in the article times rarity in the dump per
/// word, averaged over the line's words; the three best lines.
fn naive_select(sentences: &[&str], idf: &Idf) -> Vec<usize> {
    let mut tf: HashMap<&str, f64> = HashMap::new();
    for s in sentences {
        for t in terms(s) {
            *tf.entry(t).or_default() += 1.0;
        }
    }
    let scores: Vec<f64> = sentences
        .iter()
        .map(|s| {
            let words = s.split_whitespace().count().max(1) as f64;
            terms(s)
                .into_iter()
                .map(|t| tf[t].ln_1p() * idf.weight(t))
                .sum::<f64>()
                / words
        })
        .collect();
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut picks: Vec<usize> = order.into_iter().take(3).collect();
    picks.sort_unstable();
    picks
}

fn bench(c: &mut Criterion) {
    let dump = synthetic_dump();
    let views: Vec<Vec<&str>> = dump
        .iter()
        .map(|a| a.sentences.iter().map(String::as_str).collect())
        .collect();
    let joined: Vec<String> = dump.iter().map(|a| a.sentences.join(" ")).collect();
    let idf = Idf::from_texts(joined.iter().map(String::as_str));
    let cfg = SummaryConfig::default();

    let mut g = c.benchmark_group("pick");
    g.throughput(Throughput::Elements(dump.len() as u64));
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(3));
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.bench_function("select", |b| {
        b.iter(|| {
            for (a, s) in dump.iter().zip(&views) {
                black_box(select(s, &Heading::new(Some(&a.title), None), &idf, &cfg));
            }
        })
    });
    g.bench_function("lead3_baseline", |b| {
        b.iter(|| {
            for s in &views {
                black_box((0..s.len().min(3)).collect::<Vec<usize>>());
            }
        })
    });
    g.bench_function("naive_tfidf_baseline", |b| {
        b.iter(|| {
            for s in &views {
                black_box(naive_select(s, &idf));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
