//! What a line is, judged by its form alone ([`LineKind`]): bylines, captions, contact
//! lines, notices, table rows, list residue, headings and questions are told from the
//! sentences of the story by how they open, what they hold and how they end, so that
//! they never compete for a key line.

use serde::Serialize;

use crate::config::SummaryConfig;
use crate::figure;
use crate::score::{prefixes, Shape};

/// What a line is, judged by its form alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A sentence of the story.
    Content,
    /// The reporter's name, desk or e-mail.
    Byline,
    /// A photo caption or a picture credit.
    Caption,
    /// A contact line: 문의, a phone number, an e-mail address on its own.
    Contact,
    /// Copyright and redistribution notices.
    Copyright,
    /// A row of a table or a `label: value` list item.
    TableRow,
    /// A bullet (`- `, `·`, `•`) or a run of `·`-separated items: a spec sheet or a
    /// programme, which states no fact a reader can take alone.
    ListItem,
    /// A heading or subtitle: no sentence ending (`…작물별 차등 지원`), or the title
    /// repeated.
    Heading,
    /// Too short to say anything (`min_chars`).
    Fragment,
    /// A question (`…누가 질까.`, `…맞아야 하나?`): it asks what the piece goes on to
    /// answer, and states nothing a reader can take alone.
    Question,
}

impl LineKind {
    /// Headings, fragments and list items are used when an article has no content line
    /// at all (a poem, a list): showing one beats showing nothing. The rest never are.
    pub(super) fn fallback(self) -> bool {
        matches!(
            self,
            LineKind::Heading | LineKind::Fragment | LineKind::ListItem | LineKind::Question
        )
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            LineKind::Content => "content",
            LineKind::Byline => "byline",
            LineKind::Caption => "caption",
            LineKind::Contact => "contact",
            LineKind::Copyright => "copyright",
            LineKind::TableRow => "table row",
            LineKind::ListItem => "list",
            LineKind::Heading => "heading",
            LineKind::Fragment => "fragment",
            LineKind::Question => "question",
        }
    }
}

/// What `line` is.
pub(super) fn classify(line: &str, form: &Form, cfg: &SummaryConfig) -> LineKind {
    let shape = &form.shape;
    let chars = shape.chars;
    // `무단` alone is no notice (`무단 투기` is illegal dumping): a word starting 무단 or
    // 재배포 only makes the line worth searching for the phrases.
    if shape.copyright_sign
        || form.marks & COPYRIGHT_WORD != 0
        || (form.marks & NOTICE_WORD != 0 && NOTICE_PHRASES.iter().any(|m| line.contains(m)))
    {
        return LineKind::Copyright;
    }
    if shape.at && chars < 60 && has_email(line) {
        return if line.trim_start_matches('*').starts_with("문의") {
            LineKind::Contact
        } else {
            LineKind::Byline
        };
    }
    if chars <= 30
        && BYLINE_ENDS
            .iter()
            .any(|e| line.trim_end_matches(is_closing).ends_with(e))
    {
        return LineKind::Byline;
    }
    let bare = line.trim_start_matches(['*', '-', '·', 'ㆍ', ' ']);
    if bare.starts_with("문의") || (shape.dash && chars < 40 && has_phone(line)) {
        return LineKind::Contact;
    }
    if prefixes(line, CAPTION_OPENERS).next().is_some()
        || (chars < 100
            && form.marks & PHOTO_WORD != 0
            && CAPTION_MARKS.iter().any(|m| line.contains(m)))
    {
        return LineKind::Caption;
    }
    if shape.pipes >= 2 || shape.tab {
        return LineKind::TableRow;
    }
    if is_list_item(line, shape) {
        return LineKind::ListItem;
    }
    if chars < cfg.min_chars {
        return LineKind::Fragment;
    }
    let end = sentence_end(line, chars);
    // `기간 : 1월 18일~30일`: a short label, a colon, a value, no verb.
    if end != End::Verbal && shape.colon {
        if let Some((label, _)) = bare.split_once(':') {
            if label.chars().count() <= 8 {
                return LineKind::TableRow;
            }
        }
    }
    match end {
        End::NounPeriod => return LineKind::Caption,
        End::None => return LineKind::Heading,
        End::Question => return LineKind::Question,
        End::Verbal => {}
    }
    // A subtitle that restates the title adds nothing to it in a briefing. A lead that
    // reports the title's news (`…확정했다고 1일 밝혔다`) or states it with its figure
    // (`정부가 내년 예산을 728조원으로 편성했다`) is the story's first key line, however
    // many of the title's words it has: straight news writes its lead so, and the
    // figure is what the reader came for.
    if form.terms > 0
        && form.in_title * 10 >= form.terms * 8
        && form.marks & REPORTING_WORD == 0
        && figure::quantities(line).next().is_none()
    {
        return LineKind::Heading;
    }
    LineKind::Content
}

/// What the form of one line tells, gathered in the one pass of [`scan`](crate::score::scan).
pub(super) struct Form {
    pub(super) shape: Shape,
    /// [`word_marks`] of its words, or'ed.
    pub(super) marks: u8,
    /// Distinct content words, and how many of them the title has.
    pub(super) terms: usize,
    pub(super) in_title: usize,
}

/// Closing marks that may follow the end of a sentence.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | '」' | '』' | ')' | ']' | '〕' | '>'
    )
}

/// Whether the line ends like a Korean sentence: a final ending (`-다`, `-요`, `-까`,
/// `-죠`), or, after sentence punctuation, any verbal ending (`하라.`, `일내자!`,
/// `어떨까?`). A line ending in a noun is a sentence only when it is long and closed
/// by a period (`…때문.`); short noun-final lines are captions and headings.
pub(super) fn sentence_end(line: &str, chars: usize) -> End {
    let body = line.trim_end_matches(is_closing);
    let tail = &line[body.len()..];
    let question = tail.starts_with('?');
    let punct = tail.contains(['.', '!', '?']);
    match body.chars().next_back() {
        // `…책임은 누가 질까.`: Korean asks with its ending, a full stop or not.
        Some('까') => End::Question,
        Some('다' | '요' | '죠' | '나' | '가' | '냐' | '니' | '지') if question => {
            End::Question
        }
        Some('다' | '요' | '죠') => End::Verbal,
        Some('라' | '자' | '네' | '오' | '지' | '군' | '고' | '며') if punct && !question => {
            End::Verbal
        }
        _ if tail.starts_with('.') && chars >= 50 => End::Verbal,
        _ if tail.starts_with('.') => End::NounPeriod,
        _ => End::None,
    }
}

#[derive(PartialEq)]
pub(super) enum End {
    Verbal,
    Question,
    NounPeriod,
    None,
}

/// Whether `line` contains an e-mail address.
fn has_email(line: &str) -> bool {
    line.match_indices('@').any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = &line[i + 1..];
        before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && after
                .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
                .next()
                .is_some_and(|domain| domain.contains('.') && !domain.starts_with('.'))
    })
}

/// Whether `line` contains a phone number: digits, a dash, four digits.
fn has_phone(line: &str) -> bool {
    let b = line.as_bytes();
    (1..b.len().saturating_sub(3)).any(|i| {
        b[i] == b'-'
            && b[i - 1].is_ascii_digit()
            && b[i + 1..]
                .iter()
                .take(4)
                .filter(|c| c.is_ascii_digit())
                .count()
                == 4
    })
}

/// A bulleted item, or a run of short `·`-separated items (`성능·가격·무게·크기`
/// spelled out as a spec line), however it ends.
fn is_list_item(line: &str, shape: &Shape) -> bool {
    prefixes(line, BULLETS).next().is_some()
        || (shape.dots >= 3 && shape.chars / (shape.dots + 1) < 12)
}

const CAPTION_OPENERS: &[&str] = &[
    "사진",
    "▲",
    "△",
    "■",
    "□",
    "☞",
    "※",
    "◆",
    "◇",
    "▶",
    "●",
    "<사진",
    "[사진",
    "(사진",
    "【사진",
];

const CAPTION_MARKS: &[&str] = &[
    "(사진=",
    "[사진=",
    "<사진=",
    "/사진=",
    "사진 제공",
    "사진제공",
];

/// Bullets that open an item of a list or a spec sheet.
const BULLETS: &[&str] = &["- ", "-", "·", "ㆍ", "•", "∙", "○", "◎", "◦", "‣"];

/// Redistribution notices in Korean. `Copyright`, `ⓒ` and `©` are caught by the scan.
const NOTICE_PHRASES: &[&str] = &["무단전재", "무단 전재", "재배포 금지", "재배포금지"];

const BYLINE_ENDS: &[&str] = &[
    "기자",
    "특파원",
    "통신원",
    "기자입니다",
    "논설위원",
    "객원기자",
];

/// A word starting `Copyright` in any case.
const COPYRIGHT_WORD: u8 = 1;

/// A word starting `무단` or `재배포`, as in a redistribution notice.
const NOTICE_WORD: u8 = 2;

/// A word starting or ending in `사진`, as in a picture credit.
const PHOTO_WORD: u8 = 4;

/// A reporting verb: the news peg of a straight news line.
pub(super) const REPORTING_WORD: u8 = 8;

/// Stems of the verbs that report news (`…을 개발했다고 10일 밝혔다`), and
/// `…에 따르면`, which attributes it. Matched at the start of a word, so that
/// `밝혔다`, `밝혔으며` and `밝혔다고` all count.
const REPORTING: &[&str] = &[
    "밝혔",
    "발표했",
    "발표됐",
    "공개했",
    "개발했",
    "출시했",
    "선보였",
    "내놨",
    "전했",
    "보고했",
    "집계됐",
    "나타났",
    "확인됐",
    "선정됐",
    "체결했",
    "따르면",
];

/// The first three bytes of `b` (one Hangul syllable) as a number, 0 if shorter.
const fn syllable_key(b: &[u8]) -> u32 {
    if b.len() < 3 {
        return 0;
    }
    u32::from_le_bytes([b[0], b[1], b[2], 0])
}

/// [`syllable_key`] of each entry of [`REPORTING`].
const REPORTING_KEYS: [u32; REPORTING.len()] = {
    let mut keys = [0; REPORTING.len()];
    let mut i = 0;
    while i < REPORTING.len() {
        keys[i] = syllable_key(REPORTING[i].as_bytes());
        i += 1;
    }
    keys
};

/// What a word tells [`classify`] and the peg about its line: the scan hands over every
/// word anyway, and a check of its first bytes is cheaper than a search of the line.
/// The first syllable, compared as one number, rules out nearly every word before any
/// string comparison: as plain `starts_with` calls this was a tenth of the selection.
pub(super) fn word_marks(word: &str) -> u8 {
    let b = word.as_bytes();
    let mut marks = 0;
    if matches!(b.first(), Some(b'C' | b'c'))
        && b.get(..9)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"copyright"))
    {
        marks |= COPYRIGHT_WORD;
    }
    let key = syllable_key(b);
    const MU: u32 = syllable_key("무".as_bytes());
    const JAE: u32 = syllable_key("재".as_bytes());
    const SA: u32 = syllable_key("사".as_bytes());
    if (key == MU && word.starts_with("무단")) || (key == JAE && word.starts_with("재배포")) {
        marks |= NOTICE_WORD;
    }
    if (key == SA && word.starts_with("사진")) || word.ends_with("사진") {
        marks |= PHOTO_WORD;
    }
    if REPORTING_KEYS
        .iter()
        .zip(REPORTING)
        .any(|(&k, r)| k == key && word.starts_with(r))
    {
        marks |= REPORTING_WORD;
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Idf;
    use crate::select::{explain, Heading};

    fn kind(line: &str, title: Option<&str>) -> LineKind {
        let idf = Idf::default();
        let e = explain(
            &[line],
            &Heading::new(title, None),
            &idf,
            &SummaryConfig::default(),
        );
        e.lines[0].kind
    }

    #[test]
    fn lines_that_are_not_content_are_recognised_by_form() {
        let cases: &[(&str, &str, Option<&str>, LineKind)] = &[
            (
                "plain lead",
                "여수시는 내년부터 시내버스 노선을 전면 개편한다고 밝혔다.",
                None,
                LineKind::Content,
            ),
            (
                "noun-final long sentence",
                "태인동과 금호동 주민들이 요즘 크게 불편을 겪는 것은 충분한 예고 없이 시내버스 노선이 줄어든 탓이 크기 때문.",
                None,
                LineKind::Content,
            ),
            (
                "question lead",
                "올겨울 난방비는 얼마나 오를까?",
                None,
                LineKind::Question,
            ),
            (
                "question asked with its ending and a full stop",
                "운전석에 사람이 없는 버스가 사고를 내면 책임은 누가 질까.",
                None,
                LineKind::Question,
            ),
            (
                "a quoted question reported as said",
                "아이들은 “언제 다시 문을 여느냐”고 물었다.",
                None,
                LineKind::Content,
            ),
            (
                "byline with e-mail",
                "박민수 minsu@example.com",
                None,
                LineKind::Byline,
            ),
            ("byline with desk", "김하늘 기자", None, LineKind::Byline),
            (
                "subtitle without ending",
                "1인당 5만원 지원…다음 달부터 접수",
                None,
                LineKind::Heading,
            ),
            (
                "subtitle closed by a question mark but no predicate",
                "남도 관광 명소 조성 본격 추진?",
                None,
                LineKind::Heading,
            ),
            (
                "photo caption opener",
                "사진은 새로 문을 연 시립도서관 열람실.",
                None,
                LineKind::Caption,
            ),
            (
                "noun-final short caption",
                "개장식에 참석한 시장과 주민들.",
                None,
                LineKind::Caption,
            ),
            (
                "credit mark",
                "시민들이 공원을 걷고 있다(사진=시청 제공).",
                None,
                LineKind::Caption,
            ),
            ("contact", "문의 관광과 123-4567", None, LineKind::Contact),
            ("table row", "기간 : 3월 2일~15일", None, LineKind::TableRow),
            (
                "spec bullet",
                "- 배터리 용량은 5000mAh로 전작보다 늘었다.",
                None,
                LineKind::ListItem,
            ),
            (
                "middle-dot run",
                "색상은 검정·흰색·하늘·분홍·연두 다섯 가지다.",
                None,
                LineKind::ListItem,
            ),
            (
                "one middle dot is prose",
                "한국과 일본의 한·일 정상회담이 다음 달 서울에서 열린다고 정부가 밝혔다.",
                None,
                LineKind::Content,
            ),
            (
                "copyright",
                "무단전재 및 재배포 금지",
                None,
                LineKind::Copyright,
            ),
            (
                "latin copyright",
                "Copyright 2025 광양신문. All rights reserved.",
                None,
                LineKind::Copyright,
            ),
            (
                "무단 alone is no notice",
                "시는 하천 둔치의 쓰레기 무단 투기를 집중 단속한다고 밝혔다.",
                None,
                LineKind::Content,
            ),
            (
                "credit glued to a word",
                "새로 단장한 벽화마을 골목. 홍보사진 제공",
                None,
                LineKind::Caption,
            ),
            ("fragment", "끝.", None, LineKind::Fragment),
            (
                "title repeated",
                "광양시 도서관 개관한다.",
                Some("광양시 도서관 개관"),
                LineKind::Heading,
            ),
            (
                "a lead reporting the title's news",
                "은빛구는 내년도 예산을 올해보다 8% 늘어난 1조 2000억원으로 확정했다고 1일 밝혔다.",
                Some("은빛구, 내년 예산 1조 2000억원 확정"),
                LineKind::Content,
            ),
            (
                "a lead stating the title's news with its figure",
                "정부가 내년 예산을 728조원으로 편성했다.",
                Some("정부, 내년 예산 728조원 편성"),
                LineKind::Content,
            ),
            (
                "a subtitle restating the title, no figure",
                "정부가 내년 예산을 편성했다.",
                Some("정부, 내년 예산 편성"),
                LineKind::Heading,
            ),
        ];
        for (name, line, title, want) in cases {
            assert_eq!(kind(line, *title), *want, "{name}: {line}");
        }
    }
}
