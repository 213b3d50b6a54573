//! What kind of article a piece is ([`ArticleKind`]): straight news, a feature or
//! explainer, an interview, a column or editorial, or an item of a round-up. Each kind
//! puts its key lines in other places: news in its lead, a feature after its scene, a
//! column in its figures and its closing claim, an interview in the facts about its
//! subject and the last answer. So each kind is scored with its own weights
//! (`[summary.kinds.*]`), and an article the signs do not settle is scored with a
//! blend of the kinds it may be, by their shares ([`KindCall::shares`]).
//!
//! The call is made from the article's own label and text, by signs that hold for
//! Korean news in general, each shown by `briefing explain`. No sign is fitted to a
//! labelled set: the weights of each sign below are set by how much it says, and the
//! labelled sets only measure the result (`scripts/eval-summary`). The lead-first
//! decision ([`super::Lead`]) is no sign of kind: a local news story that opens on
//! background reads as not lead-first, and taken as a sign it called a tenth of the
//! shared set's straight news features.

use serde::Serialize;

use crate::config::summary::{Weights, FEATURES};
use crate::config::SummaryConfig;
use crate::dump::Article;

/// The kinds of article, each scored with its own weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleKind {
    /// Straight news: the news in the first lines.
    News,
    /// A feature or an explainer: a scene, a question or background first, the news
    /// after it.
    Feature,
    /// An interview or a profile: the subject's facts and words.
    Interview,
    /// A column, an editorial, a reporter's notebook: a claim and its evidence.
    Column,
    /// One story of a round-up: a short item, its news first.
    Roundup,
}

/// Every kind, in the order of [`KindCall::shares`].
pub const KINDS: [ArticleKind; 5] = [
    ArticleKind::News,
    ArticleKind::Feature,
    ArticleKind::Interview,
    ArticleKind::Column,
    ArticleKind::Roundup,
];

impl ArticleKind {
    /// As config keys, `explain` and `pick --features` name it.
    pub fn name(self) -> &'static str {
        match self {
            ArticleKind::News => "news",
            ArticleKind::Feature => "feature",
            ArticleKind::Interview => "interview",
            ArticleKind::Column => "column",
            ArticleKind::Roundup => "roundup",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What an article says of itself besides its lines.
#[derive(Debug, Clone, Copy, Default)]
pub struct Heading<'a> {
    pub title: Option<&'a str>,
    /// The label a dump gives (`기자수첩`), else none.
    pub label: Option<&'a str>,
    /// Whether it is one story of a round-up ([`crate::dump::Article::roundup`]).
    pub roundup: bool,
}

impl<'a> Heading<'a> {
    /// The heading of an article that is no round-up item.
    pub fn new(title: Option<&'a str>, label: Option<&'a str>) -> Heading<'a> {
        Heading {
            title,
            label,
            roundup: false,
        }
    }
}

impl<'a> From<&'a Article> for Heading<'a> {
    fn from(a: &'a Article) -> Heading<'a> {
        Heading {
            title: Some(&a.title),
            label: a.label.as_deref(),
            roundup: a.roundup.is_some(),
        }
    }
}

/// Why an article was taken for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "sign", content = "of")]
pub enum KindSign {
    /// Its label (or a `[label]` opening its title or first line) names the kind.
    Label(ArticleKind),
    /// It is one story of a round-up.
    RoundupItem,
    /// Two or more lines open as questions of an interview (`―`, `Q.`, `문:`).
    QuestionsAndAnswers,
    /// Two or more, this share, of its competing lines end in a claim (`…해야 한다`,
    /// `…필요하다`).
    Claims(f64),
    /// Its first lines set a scene: a place that is "a certain" one (`한 공장`), a time
    /// of day or week opening the line (`새벽 5시,`).
    Scene,
    /// Its first lines name a person by age (`박정호(57) 대표`, `최모(63)씨`).
    Person,
    /// Its title or opening asks a question.
    AsksFirst,
    /// It opens with a quotation.
    QuoteFirst,
}

impl KindSign {
    /// What the sign adds to each kind's evidence, in the order of [`KINDS`], against
    /// the presumption of straight news ([`PRIOR`], 3 ahead). A label outweighs any
    /// sign of the text; one sign of the text that straight news never gives (a scene,
    /// a question first, an interviewer's questions) outweighs the presumption a
    /// little, and leaves news a share; a sign news sometimes gives (a person by age, a
    /// quotation first) leaves the call to the blend.
    fn evidence(self) -> [f64; KINDS.len()] {
        let mut e = [0.0; KINDS.len()];
        match self {
            KindSign::Label(kind) => e[kind.index()] = 5.0,
            KindSign::RoundupItem => e[ArticleKind::Roundup.index()] = 5.0,
            KindSign::QuestionsAndAnswers => e[ArticleKind::Interview.index()] = 4.0,
            // A column argues in many of its lines; a news story may close on one
            // demand. Two claims in five lines are a column's even without a label.
            KindSign::Claims(share) => e[ArticleKind::Column.index()] = 8.0 * share,
            KindSign::Scene => e[ArticleKind::Feature.index()] = 3.5,
            KindSign::Person => {
                e[ArticleKind::Feature.index()] = 2.0;
                e[ArticleKind::Interview.index()] = 1.5;
            }
            KindSign::AsksFirst => e[ArticleKind::Feature.index()] = 3.5,
            KindSign::QuoteFirst => {
                e[ArticleKind::Feature.index()] = 2.0;
                e[ArticleKind::Interview.index()] = 2.0;
            }
        }
        e
    }

    pub(super) fn describe(self) -> String {
        match self {
            KindSign::Label(kind) => format!("labelled as {}", kind.name()),
            KindSign::RoundupItem => "a story of a round-up".to_owned(),
            KindSign::QuestionsAndAnswers => "lines open as an interview's questions".to_owned(),
            KindSign::Claims(share) => format!("{:.0}% of its lines make a claim", 100.0 * share),
            KindSign::Scene => "the first lines set a scene".to_owned(),
            KindSign::Person => "the first lines name a person by age".to_owned(),
            KindSign::AsksFirst => "the title or the opening asks a question".to_owned(),
            KindSign::QuoteFirst => "it opens with a quotation".to_owned(),
        }
    }
}

/// The presumption before any sign: most of a day's articles are straight news.
const PRIOR: [f64; KINDS.len()] = [2.0, -1.0, -1.0, -1.0, -1.0];
/// How sharply evidence turns into shares (a softmax's inverse temperature).
const SHARPNESS: f64 = 1.5;
/// Shares below this are dropped (and the rest scaled up): a kind the signs barely
/// allow would only blur the weights of the likely ones.
const MIN_SHARE: f64 = 0.1;

/// The kind of an article, how sure the call is, and why.
#[derive(Debug, Clone, Serialize)]
pub struct KindCall {
    /// The likeliest kind.
    pub kind: ArticleKind,
    /// Its share: 1 when the signs leave no other kind.
    pub confidence: f64,
    /// Per kind, in the order of [`KINDS`]: the share its weights get in the blend.
    pub shares: [f64; KINDS.len()],
    pub signs: Vec<KindSign>,
}

impl KindCall {
    /// The call the `signs` make.
    fn decide(signs: Vec<KindSign>) -> KindCall {
        // No sign: straight news, as most of a day's articles are (and no exponentials
        // spent on saying so).
        if signs.is_empty() {
            let mut shares = [0.0; KINDS.len()];
            shares[ArticleKind::News.index()] = 1.0;
            return KindCall {
                kind: ArticleKind::News,
                confidence: 1.0,
                shares,
                signs,
            };
        }
        let mut evidence = PRIOR;
        for sign in &signs {
            for (e, add) in evidence.iter_mut().zip(sign.evidence()) {
                *e += add;
            }
        }
        let top = evidence.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut shares = evidence.map(|e| (SHARPNESS * (e - top)).exp());
        let total: f64 = shares.iter().sum();
        shares.iter_mut().for_each(|s| *s /= total);
        shares
            .iter_mut()
            .filter(|s| **s < MIN_SHARE)
            .for_each(|s| *s = 0.0);
        let kept: f64 = shares.iter().sum();
        shares.iter_mut().for_each(|s| *s /= kept);
        // Ties go to the earlier kind: news before the rest.
        let best = (0..KINDS.len()).fold(0, |b, k| if shares[k] > shares[b] { k } else { b });
        KindCall {
            kind: KINDS[best],
            confidence: shares[best],
            shares,
            signs,
        }
    }

    /// The article's weights: its kind's, or where the call leaves more than one kind
    /// a share, each kind's weights times its share.
    pub fn weights(&self, cfg: &SummaryConfig) -> Weights {
        if self.confidence == 1.0 {
            return cfg.weights_of(self.kind.index());
        }
        let mut out = [0.0; FEATURES.len() + 1];
        for (k, &share) in self.shares.iter().enumerate() {
            if share > 0.0 {
                for (o, x) in out.iter_mut().zip(cfg.weights_of(k)) {
                    *o += share * x;
                }
            }
        }
        out
    }

    /// Whether a label named a piece that is not written lead-first: a column, an
    /// interview or a feature (a round-up item is short news, lead-first). Read from
    /// the call's signs, so the labels are read once.
    pub(super) fn labelled_not_lead(&self) -> bool {
        self.signs.iter().any(|s| {
            matches!(
                s,
                KindSign::Label(
                    ArticleKind::Column | ArticleKind::Interview | ArticleKind::Feature
                )
            )
        })
    }
}

/// What the analysis has read of an article's lines that tells its kind.
pub(super) struct Opening<'s, 'a> {
    /// The article's lines, as given.
    pub(super) lines: &'s [&'a str],
    /// The lines that compete, in order.
    pub(super) candidates: &'s [usize],
    /// How many of them end in a claim of the writer's ([`claims`]).
    pub(super) claims: usize,
    /// Whether a line asking a question stands before the lead or as its first line.
    pub(super) asks: bool,
}

/// Reads the kind of an article from its `heading` and what its lines show.
pub(super) fn read(heading: &Heading, opening: &Opening) -> KindCall {
    let Opening {
        lines, candidates, ..
    } = *opening;
    let line = |i: usize| lines[i].trim();
    let mut signs: Vec<KindSign> = Vec::new();
    for kind in labelled(heading, lines.first().map(|l| l.trim())) {
        signs.push(KindSign::Label(kind));
    }
    if heading.roundup {
        signs.push(KindSign::RoundupItem);
    }
    if lines
        .iter()
        .filter(|l| asks_as_interviewer(l.trim_start()))
        .take(2)
        .count()
        == 2
    {
        signs.push(KindSign::QuestionsAndAnswers);
    }
    if opening.claims >= 2 {
        let share = opening.claims as f64 / candidates.len() as f64;
        signs.push(KindSign::Claims(share));
    }
    let first = &candidates[..candidates.len().min(2)];
    if first.iter().any(|&i| sets_scene(line(i))) {
        signs.push(KindSign::Scene);
    }
    if first.iter().any(|&i| names_by_age(line(i))) {
        signs.push(KindSign::Person);
    }
    if opening.asks || heading.title.is_some_and(title_asks) {
        signs.push(KindSign::AsksFirst);
    }
    if lines
        .first()
        .is_some_and(|l| l.trim_start().starts_with(['“', '"']))
    {
        signs.push(KindSign::QuoteFirst);
    }
    KindCall::decide(signs)
}

/// Words of a label that name a column or an editorial: the writer's view. Compared
/// with the label's spaces removed.
const COLUMN_LABELS: &[&str] = &[
    "칼럼",
    "컬럼",
    "사설",
    "수첩",
    "시론",
    "기고",
    "논단",
    "오피니언",
    "기자의눈",
    "시평",
    "데스크",
    "특파원리포트",
    "독자투고",
    "에세이",
    "발언대",
    "만물상",
    "여적",
    "횡설수설",
    "분수대",
];
/// Words of a label that name an interview or a profile.
const INTERVIEW_LABELS: &[&str] = &["인터뷰", "대담", "인물", "피플", "초대석", "만나봅시다"];
/// Words of a label that name a feature, a reportage or an explainer.
const FEATURE_LABELS: &[&str] = &[
    "기획",
    "르포",
    "탐방",
    "특집",
    "연재",
    "해설",
    "리뷰",
    "팩트체크",
    "뉴스분석",
    "심층",
    "문답",
    "궁금증",
    "포토",
    "화보",
];
/// Words of a label that name a round-up of short items.
const ROUNDUP_LABELS: &[&str] = &[
    "브리핑",
    "단신",
    "소식",
    "동정",
    "포커스",
    "한눈에",
    "간추린",
];

/// The kinds a label names: the article's own, or a `[label]` opening its title or
/// first line.
fn labelled(heading: &Heading, first: Option<&str>) -> Vec<ArticleKind> {
    fn bracketed(t: &str) -> Option<&str> {
        let t = t.trim_start();
        t.strip_prefix(['[', '<', '【', '〔'])
            .and_then(|rest| rest.split([']', '>', '】', '〕']).next())
    }
    let labels = [
        heading.label,
        heading.title.and_then(bracketed),
        first.and_then(bracketed),
    ];
    let mut kinds = Vec::new();
    for label in labels.into_iter().flatten() {
        for kind in label_kinds(label) {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

/// The kinds a label's words name, a column's first: the one reading of labels, which
/// the day's rank uses too (`crate::rank`).
pub fn label_kinds(label: &str) -> impl Iterator<Item = ArticleKind> {
    let label: String = label.split_whitespace().collect();
    [
        (ArticleKind::Column, COLUMN_LABELS),
        (ArticleKind::Interview, INTERVIEW_LABELS),
        (ArticleKind::Feature, FEATURE_LABELS),
        (ArticleKind::Roundup, ROUNDUP_LABELS),
    ]
    .into_iter()
    .filter(move |(_, words)| words.iter().any(|w| label.contains(w)))
    .map(|(kind, _)| kind)
}

/// An interviewer's question as printed: `―어떤 대책을 쓰고 있나.`, `Q. …`, `문: …`.
fn asks_as_interviewer(line: &str) -> bool {
    // The first byte of `Q`, of `문` and of the dashes: most lines are ruled out by it.
    if !matches!(line.as_bytes().first(), Some(b'Q' | 0xE2 | 0xEB)) {
        return false;
    }
    line.starts_with(['―', '—'])
        || ["Q.", "Q:", "Q ", "문:", "문)", "문 :"]
            .iter()
            .any(|p| line.starts_with(p))
}

/// Closing marks after the last word of a sentence.
pub(super) fn trim_close(line: &str) -> &str {
    line.trim_end_matches([
        '.', '!', '?', '…', '"', '\'', '”', '’', '」', '』', ')', ']',
    ])
}

/// Predicates of a claim: what should or must be done, or what is needed. Korean
/// states an argument's thesis with these (`…서둘러야 한다`, `…이 필요하다`,
/// `…할 때다`); straight news puts them in quotes, which it attributes.
const CLAIMS: &[&str] = &[
    "야 한다",
    "야만 한다",
    "야 할 것이다",
    "서는 안 된다",
    "선 안 된다",
    "필요하다",
    "필요가 있다",
    "할 때다",
    "바란다",
    "마땅하다",
    "시급하다",
];

/// Whether the line's own predicate makes a claim (`…손봐야 한다.`), not a quoted one.
pub(super) fn claims(line: &str) -> bool {
    let body = trim_close(line);
    // Every claim ends `…한다`, `…된다`, `…하다`, `…있다`, `…이다`, `…때다` or `…란다`:
    // one look at the syllable before `다` rules out the past tense of most of a
    // story's lines (`…했다`, `…였다`) before any comparison. This runs on every line.
    let before = body.strip_suffix('다').and_then(|s| s.chars().next_back());
    matches!(before, Some('한' | '된' | '하' | '있' | '이' | '때' | '란'))
        && !line.ends_with(['”', '"'])
        && CLAIMS.iter().any(|c| body.ends_with(c))
}

/// Words opening a line with a time of day or week: a scene, not a report.
const SCENE_TIMES: &[&str] = &[
    "새벽",
    "아침",
    "한낮",
    "저녁",
    "밤",
    "오전",
    "오후",
    "매주",
    "주말",
    "지난봄",
    "지난여름",
    "지난가을",
    "지난겨울",
    "지난 주말",
    "월요일",
    "화요일",
    "수요일",
    "목요일",
    "금요일",
    "토요일",
    "일요일",
];

/// Counters that make `한` the number one (`한 명`, `한 권과`), not "a certain".
const COUNTERS: &[&str] = &[
    "명", "번", "권", "개", "곳", "달", "해", "대", "잔", "채", "벌", "편", "장", "병", "줄", "쪽",
    "주", "날", "분", "마리", "차례", "가지", "시간", "사람", "켤레", "그릇", "푼",
];
/// Particles that may follow a counter inside its word.
const PARTICLES: &[&str] = &[
    "", "과", "와", "을", "를", "이", "가", "은", "는", "의", "에", "도", "만", "씩", "째", "당",
];

/// A scene: "a certain" place or group (`의 한 공장`, `한 마을회관 앞`), or a time of
/// day or week opening the line. `한` before a counter (`한 명`, `한 권과`) is a
/// number, not a scene.
fn sets_scene(line: &str) -> bool {
    if SCENE_TIMES.iter().any(|t| line.starts_with(t)) {
        return true;
    }
    // A search for the character is a byte search; `한 ` as a string is not.
    line.match_indices('한').any(|(i, _)| {
        let Some(after) = line[i + '한'.len_utf8()..].strip_prefix(' ') else {
            return false;
        };
        let before = line[..i].chars().next_back();
        let word = after
            .split(|c: char| !('가'..='힣').contains(&c))
            .next()
            .unwrap_or("");
        let counted = COUNTERS.iter().any(|c| {
            word.strip_prefix(c)
                .is_some_and(|rest| PARTICLES.contains(&rest))
        });
        (before.is_none() || before == Some(' ')) && word.chars().count() >= 2 && !counted
    })
}

/// A person named with an age in brackets: `박정호(57)`, `최모(63)씨`.
fn names_by_age(line: &str) -> bool {
    line.match_indices('(').any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let rest = &line.as_bytes()[i + 1..];
        before.is_some_and(|c| ('가'..='힣').contains(&c))
            && rest.len() >= 3
            && rest[0].is_ascii_digit()
            && rest[1].is_ascii_digit()
            && rest[2] == b')'
    })
}

/// A title that asks (`…왜 오르나`, `…맞아야 하나?`, `무엇이 다른가`).
fn title_asks(title: &str) -> bool {
    let t = title.trim();
    t.ends_with('?')
        || t.split_whitespace().any(|w| {
            ["왜", "무엇", "어떻게", "누가"]
                .iter()
                .any(|q| w.starts_with(q))
        })
        || trim_close(t).ends_with(['까', '나'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The call for `lines`, every line competing but those asking a question.
    fn call(title: &str, label: Option<&str>, lines: &[&str]) -> KindCall {
        let asks = |l: &&str| trim_close(l).ends_with('까');
        let candidates: Vec<usize> = (0..lines.len()).filter(|&i| !asks(&lines[i])).collect();
        let opening = Opening {
            lines,
            candidates: &candidates,
            claims: candidates.iter().filter(|&&i| claims(lines[i])).count(),
            asks: lines.iter().take(2).any(asks),
        };
        read(&Heading::new(Some(title), label), &opening)
    }

    #[test]
    fn plain_news_is_news_without_doubt() {
        let c = call(
            "은빛시, 내년 예산 1조 2000억원 확정",
            None,
            &[
                "은빛시는 내년도 예산을 1조 2000억원으로 확정했다고 2일 밝혔다.",
                "올해보다 8% 늘어난 규모다.",
                "시는 복지 예산을 가장 크게 늘렸다.",
            ],
        );
        assert_eq!(c.kind, ArticleKind::News);
        assert_eq!(c.confidence, 1.0, "{c:?}");
        assert!(c.signs.is_empty(), "{c:?}");
    }

    #[test]
    fn labels_decide_columns_interviews_and_roundups() {
        let lines = ["은빛시는 내년도 예산을 확정했다고 2일 밝혔다."];
        for (label, kind) in [
            ("기자수첩", ArticleKind::Column),
            ("데스크 칼럼", ArticleKind::Column),
            ("기자의 눈", ArticleKind::Column),
            ("인터뷰", ArticleKind::Interview),
            ("르포", ArticleKind::Feature),
            ("경제 브리핑", ArticleKind::Roundup),
        ] {
            let c = call("제목", Some(label), &lines);
            assert_eq!(c.kind, kind, "{label}: {c:?}");
            assert!(c.confidence > 0.9, "{label}: {c:?}");
        }
        let c = call("[사설] 제목", None, &lines);
        assert_eq!(c.kind, ArticleKind::Column, "{c:?}");
    }

    #[test]
    fn a_column_without_a_label_argues_in_its_own_predicates() {
        let c = call(
            "막말이 이득이 되는 정치",
            None,
            &[
                "정치인의 말이 거칠어졌다는 탄식은 오래됐다.",
                "자극적인 발언일수록 조회 수가 오른다.",
                "윤리위원회는 막말 징계안을 제대로 심사해야 한다.",
                "정당도 공천에서 막말 전력을 감점 요소로 삼아야 한다.",
                "유권자의 냉정한 판단이 필요하다.",
            ],
        );
        assert_eq!(c.kind, ArticleKind::Column, "{c:?}");
        // A quoted demand in a news story is not the writer's claim.
        assert!(!claims("노조는 “임금을 올려야 한다”"));
        assert!(claims("정부는 절차를 서둘러야 한다."));
    }

    #[test]
    fn an_interview_is_told_by_its_questions() {
        let c = call(
            "섬마을 보건소장",
            None,
            &[
                "보건소장 김하늘씨는 섬에서 12년째 일한다.",
                "―왜 섬에 남았나.",
                "떠나면 이 섬에는 의사가 없다.",
                "―가장 힘든 일은.",
                "태풍이 오면 배가 끊긴다.",
            ],
        );
        assert!(c.signs.contains(&KindSign::QuestionsAndAnswers), "{c:?}");
        assert_eq!(c.kind, ArticleKind::Interview, "{c:?}");
    }

    #[test]
    fn a_scene_or_a_question_first_makes_a_feature() {
        let scene = call(
            "폐배터리에서 되살린 결정",
            None,
            &[
                "경북 포항의 한 공장 안, 부순 배터리 가루가 반응조로 들어간다.",
                "몇 시간 뒤 바닥에 하얀 결정이 가라앉는다.",
                "환경연구원은 이 공정으로 리튬 회수율을 90%까지 높였다고 3일 밝혔다.",
            ],
        );
        assert!(scene.signs.contains(&KindSign::Scene), "{scene:?}");
        assert_eq!(scene.kind, ArticleKind::Feature, "{scene:?}");
        let asks = call(
            "전기차, 지하주차장에 세우면 안 되나",
            None,
            &[
                "전기차 화재 뒤 이렇게 묻는 사람이 많아졌다.",
                "통계부터 보면 전기차가 더 자주 불이 나는 것은 아니다.",
            ],
        );
        assert!(asks.signs.contains(&KindSign::AsksFirst), "{asks:?}");
        assert_eq!(asks.kind, ArticleKind::Feature, "{asks:?}");
        // One counted "한" is no scene.
        assert!(!sets_scene("시는 한 명당 10만원을 지원한다."));
        assert!(!sets_scene("매달 책 한 권과 편지를 보낸다."));
        assert!(sets_scene("미국의 한 대형 제작사와 계약을 맺었다."));
        assert!(sets_scene("새벽 5시, 밭에 노동자들이 들어섰다."));
    }

    #[test]
    fn one_weak_sign_leaves_the_call_open_and_blends() {
        let c = call(
            "동네 책방의 구독 실험",
            None,
            &[
                "책방 주인 정모(41)씨는 매달 책 한 권과 편지를 보낸다.",
                "구독자는 2년 만에 640명이 됐다.",
            ],
        );
        assert!(c.signs.contains(&KindSign::Person), "{c:?}");
        assert!(c.confidence < 1.0, "{c:?}");
        let shares: f64 = c.shares.iter().sum();
        assert!((shares - 1.0).abs() < 1e-9);
        // The news weights and the feature weights, each by its share.
        let cfg = SummaryConfig::default();
        let (news, feature) = (cfg.weights_of(0), cfg.weights_of(1));
        let blended = c.weights(&cfg);
        for ((b, n), f) in blended.iter().zip(news).zip(feature) {
            let want = c.shares[0] * n + c.shares[1] * f;
            assert!((b - want).abs() < 1e-12, "{blended:?}");
        }
    }
}
