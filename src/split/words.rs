//! The word after a stop, and the rules tables that read it: quotatives, auxiliaries
//! and particles written apart hold a sentence together across a space or a period;
//! conjunctions and laughter tell that a new one has started. Every table is matched
//! against the start of the word only: the scanner asks only at a candidate cut.

use super::chars::{decode, is_emoji, is_laugh_jamo, syllable_before, CLASS, SPACE};

/// The next whitespace-separated word after `p` (empty at the end of the text).
#[inline]
pub(super) fn next_word(b: &[u8], mut p: usize) -> &[u8] {
    while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\r' | 0x0B | 0x0C) {
        p += 1;
    }
    let s = p;
    while p < b.len() && CLASS[b[p] as usize] != SPACE && b[p] != b'\n' {
        p += 1;
    }
    &b[s..p]
}

fn starts(w: &[u8], prefix: &str) -> bool {
    w.starts_with(prefix.as_bytes())
}

/// The first two syllables of a word and the length of its leading Hangul run.
fn head(w: &[u8]) -> (Option<char>, Option<char>, usize) {
    let mut run = 0;
    let mut first = [None, None];
    let mut k = 0;
    while k + 3 <= w.len() {
        match syllable_before(w, k + 3) {
            Some(c) => {
                if run < 2 {
                    first[run] = Some(c);
                }
                run += 1;
                k += 3;
            }
            None => break,
        }
    }
    (first[0], first[1], run)
}

/// Quotatives and particles written apart: they attach to what precedes them even
/// after punctuation (`왜지?? 하고`, `…요. 라고`).
pub(super) fn quotative(w: &[u8]) -> bool {
    let (a, b, n) = head(w);
    match (a, b) {
        (Some('하'), Some(x)) => matches!(
            x,
            '고' | '며' | '는' | '면' | '자' | '니' | '더' | '던' | '여'
        ),
        (Some('라'), Some(x)) => matches!(x, '고' | '며' | '는' | '면' | '구'),
        (Some('이'), Some('라')) | (Some('싶'), _) => true,
        (Some('고' | '며' | '는' | '란' | '라' | '등'), _) => n == 1,
        _ => false,
    }
}

/// Words that attach to an unpunctuated ending before them: quotatives (`간다 하더라`),
/// auxiliaries (`싶다`, `보면`, `못했다`), `생각` (`-다 생각했다`) and particles
/// written apart. A cut before them splits a clause.
pub(super) fn continues(w: &[u8]) -> bool {
    if quotative(w) {
        return true;
    }
    let (a, b, n) = head(w);
    let Some(a) = a else {
        return false;
    };
    if n == 1 {
        return leans_back(a);
    }
    let b = b.unwrap_or(' ');
    auxiliary(a, b, w)
}

/// One-syllable words that belong to the word before them: particles and `해`, `할`
/// written apart.
fn leans_back(a: char) -> bool {
    matches!(
        a,
        '는' | '은'
            | '을'
            | '를'
            | '도'
            | '만'
            | '고'
            | '며'
            | '면'
            | '께'
            | '의'
            | '와'
            | '과'
            | '등'
            | '해'
            | '할'
            | '던'
            | '라'
            | '란'
    )
}

/// Two-syllable openings of auxiliaries, quotatives and postpositions (`하고`, `해서`,
/// `싶다`, `생각`, `외에`); `w` is the whole word, for `하지만`, which opens a clause.
fn auxiliary(a: char, b: char, w: &[u8]) -> bool {
    match a {
        '하' => {
            matches!(
                b,
                '고' | '며'
                    | '면'
                    | '는'
                    | '던'
                    | '더'
                    | '니'
                    | '여'
                    | '자'
                    | '드'
                    | '든'
                    | '곤'
                    | '기'
                    | '겠'
                    | '세'
                    | '셨'
                    | '시'
                    | '다'
                    | '였'
                    | '게'
                    | '냐'
                    | '라'
                    | '래'
                    | '란'
                    | '려'
                    | '므'
            ) || b == '지' && !starts(&w[6..], "만")
        }
        '해' => matches!(
            b,
            '서' | '도'
                | '야'
                | '요'
                | '라'
                | '줘'
                | '봐'
                | '버'
                | '놓'
                | '주'
                | '보'
                | '달'
                | '졌'
                | '진'
                | '지'
        ),
        '했' | '싶' | '봐' | '쳐' | '못' | '듯' => true,
        '한' => matches!(b, '다' | '대' | '데'),
        '합' => b == '니',
        '보' => matches!(b, '면' | '니' | '다' | '자' | '려' | '고'),
        '치' => matches!(b, '고' | '면' | '더'),
        '생' => b == '각',
        '없' => b == '이',
        '외' => matches!(b, '에' | '로'),
        '속' => matches!(b, '에' | '으' | '의'),
        '거' => b == '나',
        '지' => b == '만',
        '면' => b == '서',
        '고' => b == '요',
        '등' => matches!(b, '의' | '을' | '이'),
        _ => false,
    }
}

/// After `-ㄹ까`: `할까 싶다`, `될까 두려웠다`, `받을까 걱정`.
pub(super) fn wonders(w: &[u8]) -> bool {
    [
        "생각",
        "싶",
        "봐",
        "고민",
        "걱정",
        "두려",
        "조바심",
        "의심",
        "하",
        "해",
        "했",
        "말",
    ]
    .iter()
    .any(|s| starts(w, s))
}

pub(super) fn starts_with_laugh(w: &[u8]) -> bool {
    let (c, n) = decode(w, 0);
    let next = if n < w.len() { decode(w, n).0 } else { ' ' };
    match c {
        'ㅋ' | 'ㅎ' | 'ㅠ' | 'ㅜ' => true,
        '^' => matches!(next, '^' | '_'),
        ';' => next == ';',
        _ => is_emoji(c) || is_laugh_jamo(c) && next == c,
    }
}

/// Particles and quotatives that glue a closing quote to what follows: `”이라고`.
pub(super) fn attaches(w: &[u8]) -> bool {
    quotative(w)
        || matches!(
            head(w).0,
            Some(
                '이' | '가'
                    | '을'
                    | '를'
                    | '은'
                    | '는'
                    | '도'
                    | '만'
                    | '로'
                    | '으'
                    | '의'
                    | '에'
                    | '와'
                    | '과'
                    | '처'
                    | '까'
                    | '고'
                    | '며'
                    | '면'
                    | '란'
                    | '라'
                    | '하'
                    | '랑'
            )
        )
}

/// Conjunctions and discourse openers: a clause before them has ended.
pub(super) fn conjunction(w: &[u8]) -> bool {
    const PREFIX: [&str; 29] = [
        "그러더니",
        "그러다가",
        "그리고",
        "그러나",
        "그런데",
        "그래서",
        "그러니까",
        "그러면",
        "그럼",
        "근데",
        "하지만",
        "그치만",
        "그래도",
        "그러므로",
        "따라서",
        "게다가",
        "아무튼",
        "어쨌든",
        "암튼",
        "왜냐",
        "그니까",
        "그러자",
        "참고로",
        "그렇지만",
        "그러니",
        "솔직히",
        "그러더니",
        "그랬더니",
        "그러다",
    ];
    PREFIX.iter().any(|s| starts(w, s))
}

/// A Latin abbreviation before a period (`core` is the word without it): `U.S.`,
/// `e.g.`, an initial `J.`, `Dr.`, `No.`.
pub(super) fn latin_abbreviation(core: &[u8]) -> bool {
    if !core.iter().all(|x| x.is_ascii_alphabetic() || *x == b'.') {
        return false;
    }
    // `U.S.`, `e.g.`, initials `J.`.
    if core.contains(&b'.') || (core.len() == 1 && core[0].is_ascii_uppercase()) {
        return true;
    }
    const ABBR: [&str; 30] = [
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "vs", "inc", "ltd", "co", "corp",
        "fig", "vol", "gen", "gov", "sen", "rep", "mt", "ft", "dept", "univ", "jan", "feb", "aug",
        "sept", "oct", "nov",
    ];
    ABBR.iter().any(|a| core.eq_ignore_ascii_case(a.as_bytes()))
}
