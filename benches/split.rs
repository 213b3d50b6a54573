//! Throughput of `briefing::split` on a few MB of Korean text.
//!
//! The text is built at bench time: sentences written here, the sample dump in
//! `samples/`, and, when `../shared` (or `$BRIEFING_SHARED`) holds the evaluation sets,
//! their input texts; all repeated to about 4 MB so that the run measures the
//! scanner, not the cache warm-up of a small input.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const OWN: &str = "SK하이닉스가 3분기 영업이익 5.4조원을 기록했다고 24일 밝혔다. 전년 동기 대비 12.5% 늘어난 수치다. \
회사 관계자는 “고대역폭메모리 수요가 계속 늘고 있다. 내년에도 그럴 것”이라고 말했다. \
(서울=연합뉴스) 홍길동 기자 = 정부는 2024. 1. 5. 대책을 발표했다. 대상은 ▲중소기업 ▲소상공인이다. \
오늘 다녀온 카페 진짜 맛있었어요ㅋㅋ 다음에 또 가야지 분위기도 좋음 추천함 \
◆한빛전자, 신형 배터리 공개…내년 양산 한빛전자는 5일 새 배터리를 선보였다.[1] U.S. Steel 인수는 무산됐다.";

fn corpus() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![OWN.to_owned()];
    if let Ok(dump) = std::fs::read_to_string(root.join("samples/dump-2025-09-07.txt")) {
        docs.extend(
            dump.lines()
                .filter(|l| l.chars().count() > 40)
                .map(str::to_owned),
        );
    }
    let shared = std::env::var_os("BRIEFING_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    if let Ok(dir) = std::fs::read_dir(shared.join("eval/ssplit")) {
        let mut paths: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        {
            // Gold files: a document is its lines joined, documents end at an empty line.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            docs.extend(text.split("\n\n").map(|d| d.lines().collect::<String>()));
        }
    }
    let mut out = String::new();
    while out.len() < 4 << 20 {
        for d in &docs {
            out.push_str(d);
            out.push('\n');
        }
    }
    out
}

#[allow(clippy::print_stdout)] // A bench prints its figures.
fn bench(c: &mut Criterion) {
    let text = corpus();
    let chars = text.chars().count();
    let lines: Vec<&str> = text.lines().collect();
    let run = || {
        let mut n = 0usize;
        for line in &lines {
            briefing::split::for_each_range(line, |r| n += r.len());
        }
        n
    };
    // One plain timing for a chars/s figure (criterion reports bytes/s).
    let t = Instant::now();
    let reps = 5;
    for _ in 0..reps {
        std::hint::black_box(run());
    }
    let secs = t.elapsed().as_secs_f64() / reps as f64;
    println!(
        "split: {} bytes, {} chars: {:.1}M chars/s",
        text.len(),
        chars,
        chars as f64 / secs / 1e6
    );

    let mut g = c.benchmark_group("split");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("for_each_range", |b| b.iter(|| std::hint::black_box(run())));
    g.bench_function("split_vec", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| briefing::split::split(l).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
