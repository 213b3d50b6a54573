//! Throughput of the key-line selection, in articles per second.
//!
//! The repository's sample dump holds only a few articles, so a large synthetic dump is
//! built from it: its bodies are split into sentences, and each synthetic article takes
//! a run of 8-18 sentences from the pool (a fixed pseudo-random walk, so runs are
//! comparable), sometimes with a subtitle and a byline in front, as local papers print
//! them, and a title taken from the sample. Measured beside two baselines on the same
//! articles: Lead-3 (the floor: taking the first three lines) and the naive TF-IDF
//! selection this module replaced (a `HashMap<&str>` per article).

use std::collections::HashMap;
use std::hint::black_box;

use briefing::score::{terms, Idf};
use briefing::select::{select, SummaryConfig};
use briefing::split::split;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const DUMP: &str = include_str!("../samples/dump-2025-09-07.txt");
const ARTICLES: usize = 20_000;

struct Article {
    title: String,
    sentences: Vec<String>,
}

/// (title, body) pairs of the sample dump: header, `-` lines, then title, body and a
/// timestamp line per article.
fn sample_articles() -> Vec<(&'static str, &'static str)> {
    let lines: Vec<&str> = DUMP
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "-" && *l != "최신기사")
        .collect();
    lines
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(|c| (c[0], c[1]))
        .collect()
}

fn synthetic_dump() -> Vec<Article> {
    let sample = sample_articles();
    assert!(!sample.is_empty(), "the sample dump has no articles");
    let pool: Vec<&str> = sample.iter().flat_map(|(_, body)| split(body)).collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..ARTICLES)
        .map(|_| {
            let (title, _) = sample[next(sample.len())];
            let len = 8 + next(11);
            let start = next(pool.len());
            let mut sentences = Vec::with_capacity(len + 2);
            if next(4) == 0 {
                sentences.push("AI 기업 13곳 참여…투자 유치 모색".to_owned());
                sentences.push("홍길동 기자 hong@example.com".to_owned());
            }
            sentences.extend((0..len).map(|i| pool[(start + i) % pool.len()].to_owned()));
            Article {
                title: title.to_owned(),
                sentences,
            }
        })
        .collect()
}

/// The selection this module replaced, kept here as the baseline it is measured against.
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
    g.sample_size(20);
    g.bench_function("select", |b| {
        b.iter(|| {
            for (a, s) in dump.iter().zip(&views) {
                black_box(select(s, Some(&a.title), None, &idf, &cfg));
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
    g.bench_function("idf_over_dump", |b| {
        b.iter(|| black_box(Idf::from_texts(joined.iter().map(String::as_str))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
