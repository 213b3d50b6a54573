//! Korean sentence splitting, by rules, in one forward pass over the bytes.
//!
//! Korean marks the end of a sentence twice: with punctuation, which blogs, tweets and
//! headlines often leave out, and with a final verb ending (`-다`, `-요`, `-죠`, the
//! nominal `-음`/`-함`), which is always there in edited prose. So a cut needs one of
//! the two, and is refused where the text around it says "still the same sentence":
//! inside quotes and brackets, inside numbers, abbreviations and addresses, after a
//! ship's name in 함 (`천안함 피격`), before a quotative (`…다 하고`, `…?라고`), or
//! after an ending that is only final when a new sentence visibly starts next (`했어`
//! then `그리고`).
//!
//! The scan stops only at bytes that can matter (whitespace, ASCII punctuation and the
//! lead bytes of punctuation, jamo and emoji); Hangul syllables and Latin letters are
//! skipped by a table lookup, and endings are read backwards from a stop only when
//! needed. That keeps it well above 100 MB/s on news text.
//!
//! Pieces are trimmed slices of the input, cut only at char boundaries, so joining
//! them gives the text back, whitespace between them aside.
//!
//! # Layout
//! ```text
//! mod.rs        the public API: split, for_each_sentence, for_each_range
//! scanner.rs    the forward pass: words, punctuation, quotes and brackets, cut decisions
//! chars.rs      byte classes, UTF-8 decoding, Hangul syllables and punctuation classes
//! endings.rs    how final the ending of a Hangul word is (-다, -요, -음, -어 …)
//! words.rs      the word after a stop: quotatives, continuations, conjunctions
//! ships.rs      ship names in 함, which read like the nominal ending
//! furniture.rs  round-up headings and bylines at the start of a sentence
//! ```

use std::ops::Range;

mod chars;
mod endings;
mod furniture;
mod scanner;
mod ships;
mod words;

use scanner::Scanner;

/// The sentences of `text`, in order, each a trimmed, non-empty slice of `text`.
pub fn split(text: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(text.len() / 64 + 1);
    for_each_sentence(text, |s| out.push(s));
    out
}

/// Calls `f` with each sentence of `text` in order, without allocating.
pub fn for_each_sentence<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    for_each_range(text, |r| f(&text[r]));
}

/// Calls `f` with the byte range of each sentence of `text`, trimmed and non-empty.
pub fn for_each_range(text: &str, mut f: impl FnMut(Range<usize>)) {
    let b = text.as_bytes();
    let mut start = 0;
    let mut piece = |from: usize, to: usize| {
        if let Some(r) = trimmed(text, from, to) {
            f(r);
        }
    };
    Scanner::new(b).run(&mut |cut| {
        piece(start, cut);
        start = cut;
    });
    piece(start, b.len());
}

fn trimmed(text: &str, from: usize, to: usize) -> Option<Range<usize>> {
    let s = &text[from..to];
    let t = s.trim_start();
    let lead = s.len() - t.len();
    let t = t.trim_end();
    if t.is_empty() {
        None
    } else {
        Some(from + lead..from + lead + t.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (name, input, expected sentences). Sentences written for these tests.
    const CASES: &[(&str, &str, &[&str])] = &[
        ("period", "날씨가 맑다. 바람이 분다.", &["날씨가 맑다.", "바람이 분다."]),
        ("question and exclamation", "정말인가? 그렇다! 좋아요.", &["정말인가?", "그렇다!", "좋아요."]),
        ("ellipsis after an ending", "너무 좋았다… 다음에 또 가자.", &["너무 좋았다…", "다음에 또 가자."]),
        ("dots after an ending", "다 먹었어요... 배불러요.", &["다 먹었어요...", "배불러요."]),
        ("ellipsis after an adverb", "물론... 쉽지는 않았다.", &["물론... 쉽지는 않았다."]),
        ("bare -다", "오늘은 비가 온다 내일은 맑겠다", &["오늘은 비가 온다", "내일은 맑겠다"]),
        ("bare -요", "여기 정말 맛있어요 다음에 또 올게요", &["여기 정말 맛있어요", "다음에 또 올게요"]),
        ("nominal endings", "배송 빠름 포장 꼼꼼함 재구매 의사 있음", &["배송 빠름 포장 꼼꼼함", "재구매 의사 있음"]),
        ("laughter ends", "진짜 웃겼다ㅋㅋ 내일 또 보자", &["진짜 웃겼다ㅋㅋ", "내일 또 보자"]),
        ("emoji ends", "선물 받았어요😀하지만 아직 못 열었어요", &["선물 받았어요😀", "하지만 아직 못 열었어요"]),
        ("quote holds two sentences", "그는 \"물가는 안정되고 있다. 다만 환율이 문제다\"고 말했다. 회의는 끝났다.", &["그는 \"물가는 안정되고 있다. 다만 환율이 문제다\"고 말했다.", "회의는 끝났다."]),
        ("curly quotes", "장관은 “수출이 늘었다. 계속 늘 것이다”라고 밝혔다.", &["장관은 “수출이 늘었다. 계속 늘 것이다”라고 밝혔다."]),
        ("corner brackets", "책에는 「하늘이 맑다. 구름이 없다」라는 구절이 있다.", &["책에는 「하늘이 맑다. 구름이 없다」라는 구절이 있다."]),
        ("parentheses", "그 회사(지난해 매출이 늘었다. 올해도 그렇다)는 상장했다.", &["그 회사(지난해 매출이 늘었다. 올해도 그렇다)는 상장했다."]),
        ("nested quotes", "그는 “그녀가 ‘됐다. 가자’고 했다”고 전했다. 끝.", &["그는 “그녀가 ‘됐다. 가자’고 했다”고 전했다.", "끝."]),
        ("decimals and percent", "금리는 5.4%로 1,398.5원까지 올랐다. 다음 달에 본다.", &["금리는 5.4%로 1,398.5원까지 올랐다.", "다음 달에 본다."]),
        ("dotted date", "회의는 2024. 1. 5. 열린다. 장소는 서울이다.", &["회의는 2024. 1. 5. 열린다.", "장소는 서울이다."]),
        ("abbreviation", "U.S. Steel 인수가 무산됐다. 주가는 내렸다.", &["U.S. Steel 인수가 무산됐다.", "주가는 내렸다."]),
        ("address and mail", "자세한 내용은 www.example.com 또는 e-mail@example.com 으로 신청하면 된다. 감사합니다.", &["자세한 내용은 www.example.com 또는 e-mail@example.com 으로 신청하면 된다.", "감사합니다."]),
        ("No.1", "이 제품은 업계 No.1 브랜드다. 가격은 비싸다.", &["이 제품은 업계 No.1 브랜드다.", "가격은 비싸다."]),
        ("no space after period", "두 골을 넣었다.2월 10일에는 비겼다.", &["두 골을 넣었다.", "2월 10일에는 비겼다."]),
        ("footnote", "조약이 맺어졌다.[2] 이후 평화가 왔다.", &["조약이 맺어졌다.[2]", "이후 평화가 왔다."]),
        ("abbreviated names", "한.일 정상이 만났다. 회담은 길었다.", &["한.일 정상이 만났다.", "회담은 길었다."]),
        ("quotative after question", "이건 또 뭐지?? 하고 물어봤다.", &["이건 또 뭐지?? 하고 물어봤다."]),
        ("connective -고 is no end", "밥을 먹고 잠을 잤다.", &["밥을 먹고 잠을 잤다."]),
        ("byline", "(서울=연합뉴스) 홍길동 기자 = 정부가 대책을 내놨다. 시장은 반겼다.", &["(서울=연합뉴스) 홍길동 기자 =", "정부가 대책을 내놨다.", "시장은 반겼다."]),
        ("photo credit", "행사가 열렸다. [사진=연합뉴스] 참석자는 많았다.", &["행사가 열렸다.", "[사진=연합뉴스]", "참석자는 많았다."]),
        ("bullets stay inside", "대상은 ▲중소기업 ▲소상공인 ▲청년이다. 신청은 내일부터다.", &["대상은 ▲중소기업 ▲소상공인 ▲청년이다.", "신청은 내일부터다."]),
        ("round-up heading", "◆한빛전자, 신형 배터리 공개…내년 양산 한빛전자는 5일 새 배터리를 선보였다. 반응이 좋았다.", &["◆한빛전자, 신형 배터리 공개…내년 양산", "한빛전자는 5일 새 배터리를 선보였다.", "반응이 좋았다."]),
        ("heading without repeat", "◆새 정책 발표 정부는 오늘 발표했다.", &["◆새 정책 발표 정부는 오늘 발표했다."]),
        ("ship name before a noun", "해군은 오늘 천안함 피격 15주기를 맞아 추모식을 열었다.", &["해군은 오늘 천안함 피격 15주기를 맞아 추모식을 열었다."]),
        ("ship names before the clause goes on", "독도함 갑판 위로 헬기가 내려앉았다. 세종대왕함과 율곡이이함 승조원들은 손을 흔들었다.", &["독도함 갑판 위로 헬기가 내려앉았다.", "세종대왕함과 율곡이이함 승조원들은 손을 흔들었다."]),
        ("vessel classes", "신형 호위함 두 척과 구축함 한 척이 동해로 나갔다.", &["신형 호위함 두 척과 구축함 한 척이 동해로 나갔다."]),
        ("a name the text uses with a particle", "새로 만든 해누리함이 진수됐다. 해누리함 승조원 120명이 첫 항해에 나선다.", &["새로 만든 해누리함이 진수됐다.", "해누리함 승조원 120명이 첫 항해에 나선다."]),
        ("memo endings in -함 still end", "점검 결과를 확인함 다음 주에 다시 점검함", &["점검 결과를 확인함", "다음 주에 다시 점검함"]),
        ("-함 before a period", "결과를 확인함. 다음 회의는 내일이다.", &["결과를 확인함.", "다음 회의는 내일이다."]),
        ("-함에 makes no noun", "물가가 상승함에 따라 대책을 마련함 물가가 상승함 추가 대책을 검토함", &["물가가 상승함에 따라 대책을 마련함", "물가가 상승함", "추가 대책을 검토함"]),
        ("newline is a cut", "첫 줄 제목\n본문이 시작된다.", &["첫 줄 제목", "본문이 시작된다."]),
        ("empty and blank", "   ", &[]),
    ];

    #[test]
    fn named_cases() {
        let mut failed = Vec::new();
        for (name, input, want) in CASES {
            let got = split(input);
            if got != *want {
                failed.push(format!("{name}:\n  got  {got:?}\n  want {want:?}"));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    /// Every piece is a trimmed, non-empty slice of the input, in order, and together
    /// they hold every non-whitespace char of the input.
    fn check_pieces(text: &str) {
        let mut last_end = 0;
        let mut kept = String::new();
        for_each_range(text, |r| {
            assert!(r.start >= last_end, "pieces overlap or go back in {text:?}");
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let piece = &text[r.clone()];
            assert!(
                !piece.is_empty() && piece.trim() == piece,
                "{piece:?} in {text:?}"
            );
            assert!(
                text[last_end..r.start].trim().is_empty(),
                "lost text in {text:?}"
            );
            kept.push_str(piece);
            last_end = r.end;
        });
        assert!(
            text[last_end..].trim().is_empty(),
            "lost the tail of {text:?}"
        );
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squeeze(&kept), squeeze(text));
        let v = split(text);
        assert_eq!(v.concat(), kept);
    }

    /// Text built from the pieces the scanner reacts to, so that random inputs hit
    /// its rules rather than only plain letters.
    fn tricky() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "다",
            "요",
            "음",
            "함",
            "독도함",
            "함이",
            "까",
            "네",
            "어",
            "지",
            "했",
            "있",
            "는",
            "하고",
            "라고",
            "그리고",
            ".",
            "..",
            "…",
            "!",
            "?",
            "~",
            "ㅋㅋ",
            "ㅎ",
            "ㅇㅇ",
            "😀",
            "^^",
            ";;",
            "\"",
            "'",
            "“",
            "”",
            "‘",
            "’",
            "(",
            ")",
            "[",
            "]",
            "[2]",
            "「",
            "」",
            "<",
            ">",
            "《",
            "》",
            "◆",
            "▲",
            "=",
            "기자",
            "(서울=연합뉴스)",
            " ",
            " ",
            " ",
            "\n",
            "\t",
            "\u{a0}",
            "\u{3000}",
            "5",
            "5.4",
            "U.S.",
            "a",
            "é",
            "\u{FE0F}",
            "\r",
        ]);
        prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn pieces_tile_any_text(text in any::<String>()) {
            check_pieces(&text);
        }

        #[test]
        fn pieces_tile_tricky_text(text in tricky()) {
            check_pieces(&text);
        }
    }

    /// The stand-in for fuzzing on stable Rust (cargo-fuzz needs nightly): many more
    /// cases of both strategies. `SPLIT_FUZZ_CASES=1000000 cargo test --release --lib
    /// split::tests::long_random -- --ignored`
    #[test]
    #[ignore = "slow; run on demand"]
    fn long_random() {
        let cases = std::env::var("SPLIT_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200_000);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
        runner
            .run(&tricky(), |t| {
                check_pieces(&t);
                Ok(())
            })
            .unwrap();
        runner
            .run(&any::<String>(), |t| {
                check_pieces(&t);
                Ok(())
            })
            .unwrap();
    }
}
