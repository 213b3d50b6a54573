//! How final the ending of a Hangul word is: the rules table of Korean sentence
//! endings, read backwards from the word's last syllable. A bitset of the syllables
//! that can end a sentence settles most words with one lookup; the rest go by their
//! last syllable to the rule of its ending, which looks at the one or two before it.

use super::chars::{
    jong, jung, syllable_before, J_B, J_BS, J_H, J_L, J_LH, J_N, J_NH, J_NONE, J_S, J_SS, J_T,
};

/// How final the ending of a Hangul word is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Fin {
    /// Not a sentence ending (or too ambiguous to use).
    No,
    /// Final unless a new sentence visibly starts next: informal `-어`, `-지`, `-냐` …
    Weak,
    /// Final: `-다`, `-요`, `-죠`, `-음`, `-함` …, unless a quotative or auxiliary follows.
    Strong,
}

/// Reads the ending of the Hangul word that ends just before `p`.
pub(super) fn fin_before(b: &[u8], p: usize) -> Fin {
    let Some(last) = syllable_before(b, p) else {
        return Fin::No;
    };
    // Most words end in a particle or a connective: one bit settles them.
    let k = last as usize - 0xAC00;
    if ENDING_SYLLABLES[k / 64] & (1 << (k % 64)) == 0 {
        return Fin::No;
    }
    let prev = syllable_before(b, p - 3);
    let prev2 = prev.and_then(|_| syllable_before(b, p - 6));
    classify(last, prev, prev2)
}

/// The syllables `classify` can call final, as a bitset over U+AC00..U+D7A3.
static ENDING_SYLLABLES: [u64; 175] = {
    const LAST: &str = "다요죠쥬음함임됨짐줌봄까네나군라먼만랑유용냐니지어아해게래대야봐줘걸셈듯돼";
    let mut set = [0u64; 175];
    let b = LAST.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = ((b[i] as u32 & 0x0F) << 12)
            | ((b[i + 1] as u32 & 0x3F) << 6)
            | (b[i + 2] as u32 & 0x3F);
        let k = (c - 0xAC00) as usize;
        set[k / 64] |= 1 << (k % 64);
        i += 3;
    }
    set
};

/// How final `last` is after `prev` (and `prev2` before it), the syllables read
/// backwards from the end of a word.
fn classify(last: char, prev: Option<char>, prev2: Option<char>) -> Fin {
    // A one-syllable word is a noun, adverb or particle more often than a verb.
    let Some(p) = prev else {
        return Fin::No;
    };
    match last {
        '다' => declarative(p),
        '요' => polite(p, prev2),
        '죠' | '쥬' => Fin::Strong,
        '음' | '함' | '임' | '됨' | '짐' | '줌' | '봄' => nominal(last, p),
        '유' | '용' => colloquial_polite(last, p),
        '까' | '네' | '나' | '군' | '라' | '먼' | '만' | '랑' => {
            exclamatory(last, p, prev2)
        }
        _ => informal(last, p),
    }
}

/// Final `-다` follows tense (`했다`), `-ㄴ다`, a copula (`이다`) or an adjective
/// stem, which mostly end in a consonant. A bare vowel stem (`하다`, `가다`)
/// is `-다(가)` "and then" in running text, or a name (`캐나다`, `요시다`).
/// `보다` "than", `에다` "onto", `마다` "every", `려다` "about to", `바다` "sea".
fn declarative(p: char) -> Fin {
    let pj = jong(p);
    match p {
        '보' | '에' | '마' | '려' | '바' => Fin::No,
        '이' | '니' | '크' | '쁘' | '르' | '프' | '세' | '쎄' | '짜' | '싸' => {
            Fin::Strong
        }
        _ if pj == J_NONE || pj == J_S => Fin::Weak,
        _ => Fin::Strong,
    }
}

/// Polite `-요` follows a verb form ending in a vowel (`해요`, `있어요`,
/// `가요`, `세요`); nouns in -요 (필요, 중요, 주요, 수요 …) do not.
fn polite(p: char, prev2: Option<char>) -> Fin {
    match p {
        '개' | '화' | '이' => Fin::No,
        '지' | '니' | '군' | '걸' | '죠' | '든' | '데' => Fin::Strong,
        '고' | '구' if prev2.is_some() => Fin::Strong,
        _ if jong(p) == J_NONE
            && matches!(jung(p), 0 | 1 | 4 | 5 | 6 | 7 | 9 | 10 | 11 | 14 | 15) =>
        {
            Fin::Strong
        }
        _ => Fin::No,
    }
}

/// Nominal endings (`-음`, `-함`, `-임`, `-됨` …), the style of memos and reviews. A
/// deverbal noun reads the same (처음, 다음, 마음, 웃음; 포함, 결함), so the common
/// nouns are left out.
fn nominal(last: char, p: char) -> Fin {
    let noun = match last {
        // Only stems with a final consonant count.
        '음' => jong(p) == J_NONE || noun_in_eum(p),
        '함' => matches!(
            p,
            '포' | '결'
                | '군'
                | '전'
                | '수'
                | '모'
                | '고'
                | '기'
                | '함'
                | '호'
                | '탄'
                | '대'
                | '선'
                | '잠'
                | '우'
        ),
        '임' => noun_in_im(p),
        '됨' => false,
        '짐' | '줌' => matches!(p, '다' | '조' | '보' | '이' | '청' | '입'),
        // `해봄` "tried it"; 봄 alone is spring.
        _ => p != '해',
    };
    if noun {
        Fin::No
    } else {
        Fin::Strong
    }
}

/// Nouns in 음 after a stem with a final consonant: 웃음, 믿음, 얼음, 울음 …
fn noun_in_eum(p: char) -> bool {
    matches!(
        p,
        '웃' | '믿'
            | '얼'
            | '울'
            | '죽'
            | '젊'
            | '걸'
            | '묶'
            | '볶'
            | '졸'
            | '놀'
            | '물'
            | '발'
            | '녹'
            | '잡'
            | '복'
            | '방'
            | '굉'
            | '늦'
            | '갖'
    )
}

/// Nouns in 임: 게임, 모임, 책임, 취임, 선임, 후임 …
fn noun_in_im(p: char) -> bool {
    matches!(
        p,
        '게' | '타'
            | '네'
            | '레'
            | '모'
            | '직'
            | '책'
            | '취'
            | '연'
            | '재'
            | '부'
            | '선'
            | '후'
            | '전'
            | '신'
            | '사'
            | '해'
            | '위'
            | '일'
            | '담'
            | '주'
            | '상'
            | '방'
            | '소'
            | '역'
            | '퇴'
            | '라'
            | '리'
            | '프'
            | '크'
            | '이'
            | '처'
            | '차'
            | '시'
            | '기'
            | '짐'
            | '무'
            | '팀'
            | '도'
            | '장'
    )
}

/// `-유` and `-용`, colloquial spellings of polite `-요` (`했어유`, `좋아용`).
fn colloquial_polite(last: char, p: char) -> Fin {
    let strong = if last == '유' {
        matches!(
            p,
            '아' | '어' | '해' | '워' | '와' | '봐' | '줘' | '돼' | '져' | '세' | '죠'
        )
    } else {
        matches!(
            p,
            '네' | '해'
                | '어'
                | '아'
                | '에'
                | '예'
                | '요'
                | '게'
                | '래'
                | '지'
                | '세'
                | '죠'
                | '까'
        )
    };
    if strong {
        Fin::Strong
    } else {
        Fin::No
    }
}

/// Questions, exclamations and recollections: `-ㄹ까`, `-습니까`, `-네`, `-구나`,
/// `-군`, `-더라`, `-구먼`, `-걸랑`.
fn exclamatory(last: char, p: char, prev2: Option<char>) -> Fin {
    let pj = jong(p);
    let strong = match last {
        '까' => pj == J_L || (p == '니' && prev2.is_some_and(|c| jong(c) == J_B)),
        '네' => {
            pj == J_SS
                || matches!(
                    p,
                    '하' | '되' | '좋' | '많' | '같' | '싶' | '않' | '없' | '이'
                )
        }
        // `-구나` after a verb form; `요구나`, `친구나` are a noun and a particle.
        '나' => {
            if p == '구'
                && prev2.is_some_and(|c| {
                    c == '는' || c == '이' || matches!(jong(c), J_SS | J_H | J_NH | J_T)
                })
            {
                return Fin::Strong;
            }
            // `-았나`, `-었나`: a question to oneself, final only before a new start.
            return if pj == J_SS { Fin::Weak } else { Fin::No };
        }
        '군' => p == '는' || pj == J_SS,
        '라' => matches!(p, '더' | '드'),
        '먼' | '만' => p == '구',
        _ => p == '걸',
    };
    if strong {
        Fin::Strong
    } else {
        Fin::No
    }
}

/// Informal endings, final only when a new sentence visibly starts next. Those that
/// are just as often connectives (`받아`, `넘어`, `통해`) count only in the forms that
/// rarely connect.
fn informal(last: char, p: char) -> Fin {
    let pj = jong(p);
    let weak = match last {
        '냐' => true,
        '니' => pj == J_SS,
        '지' => pj == J_SS || matches!(p, '거' | '잖'),
        '어' | '아' => matches!(pj, J_SS | J_H | J_NH | J_LH | J_T | J_BS),
        '해' => !matches!(
            p,
            '통' | '위'
                | '대'
                | '인'
                | '의'
                | '관'
                | '향'
                | '말'
                | '못'
                | '비'
                | '취'
                | '더'
                | '지'
                | '난'
                | '금'
                | '올'
                | '작'
                | '내'
                | '매'
                | '당'
                | '피'
                | '손'
                | '이'
        ),
        '게' | '래' => pj == J_L,
        '대' => pj == J_N,
        '야' => matches!(p, '거' | '이'),
        '봐' | '줘' | '걸' | '셈' | '듯' | '돼' => true,
        _ => false,
    };
    if weak {
        Fin::Weak
    } else {
        Fin::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_table_covers_every_final_syllable() {
        // `fin_before` skips syllables outside the bitset: none of them may be final.
        for k in 0..11172u32 {
            let last = char::from_u32(0xAC00 + k).unwrap();
            if ENDING_SYLLABLES[k as usize / 64] & (1 << (k % 64)) != 0 {
                continue;
            }
            for p in ['하', '했', '있', '어', '구', '니', '걸', '는'] {
                assert_eq!(classify(last, Some(p), Some('었')), Fin::No, "{p}{last}");
            }
        }
    }
}
