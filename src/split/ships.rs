//! Ship names in 함, the rules table of the one Korean noun that reads like a final
//! ending: a `-함` the scanner would cut after is kept in its sentence when the word
//! names a ship.

use std::cell::OnceCell;
use std::collections::HashSet;

use super::chars::{find, hangul_start, syllable_before};

/// Ships are named with 함 "warship", which reads like the nominal ending: `천안함 피격`
/// and `호위함 두 척` go on where `결과를 확인함 다음` ends. A name is the whole word
/// before 함; a class, or a pattern of names, is how that word ends (`신형호위함`,
/// `정조대왕함`). Classes that are also verbs in memos (`구조함`, `지원함`) are left out.
const SHIP_NAMES: [&str; 86] = [
    "천안",
    "독도",
    "마라도",
    "한산도",
    "율곡이이",
    "서애류성룡",
    "을지문덕",
    "양만춘",
    "충무공이순신",
    "이순신",
    "대조영",
    "왕건",
    "강감찬",
    "최영",
    "장보고",
    "이천",
    "최무선",
    "박위",
    "이종무",
    "정운",
    "나대용",
    "이억기",
    "손원일",
    "안중근",
    "김좌진",
    "윤봉길",
    "유관순",
    "홍범도",
    "이범석",
    "신돌석",
    "신채호",
    "도산안창호",
    "인천",
    "경기",
    "전북",
    "강원",
    "충북",
    "광주",
    "서울",
    "대구",
    "경남",
    "충남",
    "포항",
    "동해",
    "속초",
    "원주",
    "안동",
    "제천",
    "대전",
    "순천",
    "공주",
    "목포",
    "통영",
    "광양",
    "소양",
    "청해진",
    "천지",
    "화천",
    "대청",
    "노적봉",
    "천왕봉",
    "향로봉",
    "비로봉",
    "성인봉",
    "일출봉",
    "고준봉",
    "천자봉",
    "윤영하",
    "한상국",
    "조천형",
    "황도현",
    "서후원",
    "박동혁",
    "랴오닝",
    "산둥",
    "푸젠",
    "이즈모",
    "가가",
    "레이건",
    "칼빈슨",
    "니미츠",
    "루스벨트",
    "링컨",
    "워싱턴",
    "아이젠하워",
    "트루먼",
];
const SHIP_ENDS: [&str; 13] = [
    "대왕",
    "구축",
    "호위",
    "초계",
    "순양",
    "상륙",
    "소해",
    "고속",
    "수송",
    "경비",
    "전투",
    "기뢰부설",
    "군수지원",
];
/// What follows a noun in 함 but not the ending: `해누리함이 `, `해누리함의`,
/// `해누리함에서`, `해누리함장`. The other particles follow the ending too
/// (`증가함에 따라`, `강화함은 물론`, `확인함과 동시에`, `점검함으로써`).
const SHIP_TAILS: [&str; 9] = [
    "이", "의", "에서", "도", "장", "장은", "장이", "장의", "장과",
];
/// Longer words before 함 are not names; the bound keeps the look-back short.
const MAX_NAME: usize = 8;

/// The words in 함 that `b` uses with a noun's particle: `해누리함이 진수됐다` makes
/// `해누리함` a noun wherever else it stands in the same text.
fn ship_words(b: &[u8]) -> HashSet<&[u8]> {
    const HAM: &[u8] = "함".as_bytes();
    let mut out = HashSet::new();
    let mut k = 0;
    while let Some(q) = find(&b[k..], HAM).map(|q| k + q) {
        k = q + HAM.len();
        let Some(start) = hangul_start(b, q, MAX_NAME) else {
            continue;
        };
        // A name, not a counter after a number (`3함`).
        if start == q || start > 0 && b[start - 1].is_ascii_digit() {
            continue;
        }
        let mut end = k;
        while end - k < 9 && end + 3 <= b.len() && syllable_before(b, end + 3).is_some() {
            end += 3;
        }
        if SHIP_TAILS.iter().any(|t| &b[k..end] == t.as_bytes()) {
            out.insert(&b[start..k]);
        }
    }
    out
}

/// What the text at hand calls a ship: the tables, and the words in 함 it uses as nouns
/// elsewhere ([`ship_words`], read once, and only if a `-함` is in question).
pub(super) struct Ships<'a> {
    b: &'a [u8],
    used: OnceCell<HashSet<&'a [u8]>>,
}

impl<'a> Ships<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Ships {
            b,
            used: OnceCell::new(),
        }
    }

    /// Whether the word that ends at `p` in 함 names a ship: `천안함 피격`.
    pub(super) fn named(&self, p: usize) -> bool {
        let b = self.b;
        let Some(start) = hangul_start(b, p - 3, MAX_NAME) else {
            return false;
        };
        let stem = &b[start..p - 3];
        SHIP_NAMES.iter().any(|n| stem == n.as_bytes())
            || SHIP_ENDS.iter().any(|e| stem.ends_with(e.as_bytes()))
            || self
                .used
                .get_or_init(|| ship_words(b))
                .contains(&b[start..p])
    }
}
