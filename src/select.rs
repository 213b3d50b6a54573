//! Picking the key lines of an article, as one pipeline:
//!
//! 1. **Form.** Every line is classified by its form ([`LineKind`]): bylines, captions,
//!    contact lines, table rows, list residue and subtitles never compete.
//! 2. **Features.** Every competing line gets one vector of [`FEATURES`]: what it says
//!    (the article's keywords, its centrality among the article's lines, figures, the
//!    news peg, the headline's words, how much of the lead it repeats), how it is
//!    written (length, quotation, a connective opening) and where it stands, with a
//!    lead prior whose strength the article's own text decides ([`Lead`]).
//! 3. **Score.** One dot product of the vector with the `[summary]` weights.
//! 4. **Picks.** Greedy maximal marginal relevance: each pick is the best line once its
//!    word overlap with the lines already picked is charged for.
//!
//! The weights are fitted on a labelled set by `scripts/fit-summary`, which reads the
//! same vectors (`briefing pick --features`), so the fit and the program cannot drift.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::figure;
use crate::score::{figures, prefixes, scan, stem, Idf, PreHashed, Shape};

/// The features of a competing line, in the order of [`Vector`], each with the
/// `[summary]` key of its weight. Every value is at most 1 in size, and penalties are
/// negative values, so that every weight is a non-negative number and the weights
/// compare with one another.
pub const FEATURES: [(&str, &str); 13] = [
    // -ln(1 + rank) times the lead strength: in a lead-first article the first lines
    // carry the news, and the odds fall fast and then slowly.
    ("position", "position_weight"),
    // The same prior where the article is not lead-first: an article still tends to
    // state its subject early, but far less reliably.
    ("fading_position", "fading_position_weight"),
    ("keywords", "keyword_weight"),
    ("centrality", "centrality_weight"),
    ("figures", "number_weight"),
    ("peg", "peg_weight"),
    ("title", "title_weight"),
    // How much of the lead's wording the line shares (tf-idf cosine), times the lead
    // strength: where the lead states the news, the lines that carry the same story
    // (who, how much, when next) repeat its words, while background and asides do not.
    // Where the lead is a scene, its words say nothing, and the feature fades with it.
    ("lead_echo", "lead_echo_weight"),
    ("length", "short_penalty"),
    ("bare_quote", "quote_penalty"),
    ("attributed_quote", "attributed_quote_penalty"),
    ("connective", "connective_penalty"),
    ("long", "long_penalty"),
];

/// One value per entry of [`FEATURES`].
pub type Vector = [f64; FEATURES.len()];

/// `[summary]` in config.toml: how many lines, and how much each feature counts.
/// `briefing explain` shows what each weight adds to each line. The defaults are the
/// weights `scripts/fit-summary` fitted on the shared labelled set, but for
/// `fading_position_weight` and `attributed_quote_penalty`, which that set (nearly all
/// lead-first local news) cannot fix.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryConfig {
    /// Key lines shown per article.
    pub lines_per_article: usize,
    /// The lead prior in a lead-first article (the scale the other weights are fitted
    /// against).
    pub position_weight: f64,
    /// The lead prior in an article whose lead is a scene, a question or a quote.
    pub fading_position_weight: f64,
    /// The density of the article's own keywords (recurring, dump-rare and title words).
    pub keyword_weight: f64,
    /// How much the rest of the article returns to the line (TextRank over word overlap).
    pub centrality_weight: f64,
    /// Figures (numbers with units: 5.4%, 300억원, 22일), full at `figures_full`.
    pub number_weight: f64,
    /// Figures in one line that earn the full `number_weight`; more count no further,
    /// so a table-like run of numbers does not win on numbers alone.
    pub figures_full: usize,
    /// The news peg: a reporting verb (`밝혔다`, `발표했다`, `…에 따르면`), full with a date.
    pub peg_weight: f64,
    /// The share of the headline's content words (the title's and the deck's) found in
    /// the line.
    pub title_weight: f64,
    /// The share of the lead's wording a later line repeats, where the lead is the news.
    pub lead_echo_weight: f64,
    /// Lines shorter than this pay a share of `short_penalty` that grows as they get
    /// shorter: short lines in news are hooks, scenes and speaker introductions.
    pub short_chars: usize,
    /// The length prior's full penalty.
    pub short_penalty: f64,
    /// A line that is mostly an unattributed quotation: dialogue, a slogan, a scene.
    pub quote_penalty: f64,
    /// A quotation with its speaker (`…”고 말했다`): an expert's judgement can be a key
    /// line, so it pays its own, fitted, penalty.
    pub attributed_quote_penalty: f64,
    /// A line opening with a connective (또한, 한편, 이어 …) reads badly on its own.
    pub connective_penalty: f64,
    /// Lines with fewer characters than this are fragments and are never picked.
    pub min_chars: usize,
    /// Lines with more characters than this are run-ons (several sentences the splitter
    /// could not cut, or a list), penalised by `long_penalty`.
    pub max_chars: usize,
    pub long_penalty: f64,
    /// Per unit of similarity with a line already picked (cosine of their tf-idf word
    /// vectors): a repeat tells the reader nothing new.
    pub redundancy_weight: f64,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            lines_per_article: 3,
            position_weight: 1.0,
            fading_position_weight: 0.3,
            keyword_weight: 1.0,
            centrality_weight: 0.15,
            number_weight: 0.2,
            figures_full: 2,
            peg_weight: 0.4,
            title_weight: 0.75,
            lead_echo_weight: 0.3,
            short_chars: 60,
            short_penalty: 0.15,
            quote_penalty: 0.3,
            attributed_quote_penalty: 0.1,
            connective_penalty: 0.3,
            min_chars: 12,
            max_chars: 300,
            long_penalty: 0.3,
            redundancy_weight: 1.0,
        }
    }
}

impl SummaryConfig {
    /// The weight of each feature, in the order of [`FEATURES`].
    pub fn feature_weights(&self) -> Vector {
        [
            self.position_weight,
            self.fading_position_weight,
            self.keyword_weight,
            self.centrality_weight,
            self.number_weight,
            self.peg_weight,
            self.title_weight,
            self.lead_echo_weight,
            self.short_penalty,
            self.quote_penalty,
            self.attributed_quote_penalty,
            self.connective_penalty,
            self.long_penalty,
        ]
    }

    /// Every weight with its `[summary]` key, for the range checks of `briefing check`.
    pub fn weights(&self) -> Vec<(&'static str, f64)> {
        FEATURES
            .iter()
            .map(|&(_, key)| key)
            .zip(self.feature_weights())
            .chain([("redundancy_weight", self.redundancy_weight)])
            .collect()
    }
}

/// The outcome for one article: which sentences, and every sentence's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Indices into the sentences, ascending.
    pub picks: Vec<usize>,
    /// The same picks in the order they were chosen, best first. Picking is greedy, so
    /// the picks for fewer lines are the start of this list: one selection serves
    /// every group, whatever its `lines_per_article` ([`Selection::first`]).
    pub order: Vec<usize>,
    /// One score per sentence, before the redundancy penalty; `-inf` for lines that
    /// are never candidates (bylines, captions and the like).
    pub scores: Vec<f64>,
}

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
    fn fallback(self) -> bool {
        matches!(
            self,
            LineKind::Heading | LineKind::Fragment | LineKind::ListItem | LineKind::Question
        )
    }

    fn label(self) -> &'static str {
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
fn sentence_end(line: &str, chars: usize) -> End {
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
enum End {
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
const CONNECTIVES: &[&str] = &[
    "또한",
    "또",
    "아울러",
    "이와 함께",
    "이와함께",
    "이밖에",
    "이 밖에",
    "특히",
    "한편",
    "이어",
    "그러면서",
    "이에",
    "게다가",
    "다만",
    "그러나",
    "하지만",
    "반면",
    "이에 따라",
    "따라서",
];

/// What the form of one line tells, gathered in the one pass of [`scan`].
struct Form {
    shape: Shape,
    /// [`word_marks`] of its words, or'ed.
    marks: u8,
    /// Distinct content words, and how many of them the title has.
    terms: usize,
    in_title: usize,
}

/// What `line` is.
fn classify(line: &str, form: &Form, cfg: &SummaryConfig) -> LineKind {
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

/// A bulleted item, or a run of short `·`-separated items (`성능·가격·무게·크기`
/// spelled out as a spec line), however it ends.
fn is_list_item(line: &str, shape: &Shape) -> bool {
    prefixes(line, BULLETS).next().is_some()
        || (shape.dots >= 3 && shape.chars / (shape.dots + 1) < 12)
}

fn opens_with_connective(line: &str) -> bool {
    prefixes(line, CONNECTIVES).any(|c| line[c.len()..].starts_with([' ', ',']))
}

/// A word starting `Copyright` in any case.
const COPYRIGHT_WORD: u8 = 1;
/// A word starting `무단` or `재배포`, as in a redistribution notice.
const NOTICE_WORD: u8 = 2;
/// A word starting or ending in `사진`, as in a picture credit.
const PHOTO_WORD: u8 = 4;
/// A reporting verb: the news peg of a straight news line.
const REPORTING_WORD: u8 = 8;

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
fn word_marks(word: &str) -> u8 {
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

/// Labels of pieces that are not written lead-first: opinion, columns, interviews,
/// reportage. Matched as the article's label or a `[label]` opening its title or first
/// line.
const NOT_LEAD_LABELS: &[&str] = &[
    "기자수첩",
    "칼럼",
    "사설",
    "인터뷰",
    "기고",
    "시론",
    "논단",
    "오피니언",
    "데스크",
    "기자의 눈",
    "취재수첩",
    "에세이",
    "르포",
    "탐방",
];

/// Why an article's lead prior was strengthened or weakened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSign {
    /// A label of a column, an editorial, an interview or a reportage.
    Label,
    /// The first line asks a question.
    Question,
    /// The first line is mostly a quotation.
    Quote,
    /// The first line is short: a hook.
    Short,
    /// The first line holds few of the article's keywords: a scene or background.
    FewKeywords,
    /// The first line reports (a reporting verb) or carries figures: straight news.
    Reports,
    /// The first line neither reports nor holds the keywords: a scene or an analogy.
    Scene,
}

impl LeadSign {
    /// What the sign adds to the lead strength. Straight news starts at 0.75 and
    /// reaches 1 when its first line reports; one sign of a feature or column brings
    /// the strength to a half or below.
    fn effect(self) -> f64 {
        match self {
            // A column or an interview is not lead-first by its genre, whatever its
            // first line does.
            LeadSign::Label => -1.0,
            LeadSign::Question | LeadSign::Quote => -0.5,
            LeadSign::Short | LeadSign::FewKeywords | LeadSign::Scene => -0.25,
            LeadSign::Reports => 0.25,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            LeadSign::Label => "labelled as a column, editorial, interview or reportage",
            LeadSign::Question => "the first line asks a question",
            LeadSign::Quote => "the first line is a quotation",
            LeadSign::Short => "the first line is a short hook",
            LeadSign::FewKeywords => "the first line holds few of the article's keywords",
            LeadSign::Reports => "the first line reports news or carries figures",
            LeadSign::Scene => "the first line sets a scene: no report, no figures, few keywords",
        }
    }
}

/// How lead-first the article is, decided from its own text.
#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    /// 1 for straight news, down to 0 for a piece whose first line is not the news.
    pub strength: f64,
    pub signs: Vec<LeadSign>,
}

const LEAD_START: f64 = 0.75;

/// Content lines after which the fading lead prior stops falling.
const FADE_AFTER: usize = 2;

impl Lead {
    fn decide(signs: Vec<LeadSign>) -> Lead {
        let strength = signs
            .iter()
            .fold(LEAD_START, |s, sign| s + sign.effect())
            .clamp(0.0, 1.0);
        Lead { strength, signs }
    }
}

/// Whether `label` (an article's label, or the text of a title or line) marks a piece
/// that is not written lead-first.
fn not_lead_label(label: Option<&str>, title: Option<&str>, first: Option<&str>) -> bool {
    fn bracketed(t: &str) -> Option<&str> {
        let t = t.trim_start();
        t.strip_prefix(['[', '<', '【', '〔'])
            .and_then(|rest| rest.split([']', '>', '】', '〕']).next())
            .map(str::trim)
    }
    let listed = |l: &str| NOT_LEAD_LABELS.iter().any(|n| l.contains(n));
    label.is_some_and(listed)
        || title.and_then(bracketed).is_some_and(listed)
        || first.and_then(bracketed).is_some_and(listed)
}

/// Everything the features are made from, for one line.
struct Line {
    kind: LineKind,
    candidate: bool,
    chars: usize,
    figures: usize,
    quote_share: f64,
    attributed: bool,
    connective: bool,
    /// 0, 0.5 with a reporting verb, 1 with a date too.
    peg: f64,
    in_title: usize,
    /// Distinct term ids, ascending.
    terms: Vec<u32>,
}

/// A term of the article.
struct Term {
    hash: u64,
    /// Candidate lines holding it.
    lines: u32,
    in_title: bool,
}

/// One article taken apart: per-line features, the lead decision and what the picks
/// need to charge for redundancy.
pub struct Analysis<'a> {
    lines: Vec<Line>,
    /// Per line: its feature vector if it competes.
    pub vectors: Vec<Option<Vector>>,
    /// Per line: raw keyword density and centrality before scaling to the article's
    /// best line, for `explain`.
    keyword_raw: Vec<f64>,
    centrality_raw: Vec<f64>,
    /// Per term id: its keyword weight.
    term_weights: Vec<f64>,
    /// Per term id: the term as first written.
    term_text: Vec<&'a str>,
    pub lead: Lead,
    /// Rank among candidate lines, per line.
    ranks: Vec<Option<usize>>,
    /// [`cosines`] of the `competing` candidate lines, in rank order.
    cosine: Vec<f64>,
    competing: usize,
}

/// Divides a line's keyword mass so that long lines do not win on length alone, nor
/// short ones on a single hit.
fn length_norm(terms: usize) -> f64 {
    (terms as f64 + 3.0).sqrt()
}

/// The quote of a line has its speaker when the line goes on after the quotation
/// closes and ends as a sentence: `…”이라고 말했다.`, `…”며 우려했다.`.
fn attributed(line: &str) -> bool {
    let Some(close) = line.rfind(['”', '"', '’', '」']) else {
        return false;
    };
    let tail = line[close..]
        .trim_start_matches(['”', '"', '’', '」'])
        .trim();
    tail.chars().count() >= 3 && sentence_end(tail, 0) == End::Verbal
}

/// Whether the line holds a date (`10일`): with a reporting verb, the mark of the news
/// peg, the day the institution or person made the news.
fn has_date(line: &str) -> bool {
    figures(line).any(|f| f.ends_with('일'))
}

/// Weighted dot product of two ascending term sets.
fn dot(a: &[u32], b: &[u32], w: &[f64]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += w[a[i] as usize] * w[a[i] as usize];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// TextRank power iterations run per article; with a damping of 0.85 the ranks of a
/// few dozen lines settle to three decimals well within this.
const CENTRALITY_ROUNDS: usize = 20;
const DAMPING: f64 = 0.85;

/// The cosine similarity of every pair of `lines` as tf-idf vectors (`idf` per term),
/// row by row, 0 on the diagonal: what centrality is made of, and what redundancy
/// charges for, so that sharing the article's topic words (which every line does)
/// costs little and saying the same thing costs much.
fn cosines(lines: &[&[u32]], idf: &[f64]) -> Vec<f64> {
    let n = lines.len();
    let norms: Vec<f64> = lines.iter().map(|t| dot(t, t, idf).sqrt()).collect();
    let mut sim = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            if norms[i] > 0.0 && norms[j] > 0.0 {
                let s = dot(lines[i], lines[j], idf) / (norms[i] * norms[j]);
                sim[i * n + j] = s;
                sim[j * n + i] = s;
            }
        }
    }
    sim
}

/// TextRank over the similarity matrix `cosine` of `n` lines: the lines the rest of
/// the article keeps returning to.
fn centrality(cosine: &[f64], n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut sim = cosine.to_vec();
    // Row j becomes the share of line j's similarity that goes to each line.
    for row in sim.chunks_mut(n) {
        let out: f64 = row.iter().sum();
        if out > 0.0 {
            row.iter_mut().for_each(|s| *s /= out);
        }
    }
    let mut rank = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..CENTRALITY_ROUNDS {
        next.fill((1.0 - DAMPING) / n as f64);
        for (row, &r) in sim.chunks(n).zip(&rank) {
            for (x, &s) in next.iter_mut().zip(row) {
                *x += DAMPING * s * r;
            }
        }
        std::mem::swap(&mut rank, &mut next);
    }
    rank
}

/// Scales `values` so the largest is 1 (all zero stays zero).
fn scale_to_max(values: &mut [f64]) {
    let max = values.iter().copied().fold(0.0, f64::max);
    if max > 0.0 {
        values.iter_mut().for_each(|v| *v /= max);
    }
}

/// Takes one article apart into its features.
pub fn analyse<'a>(
    sentences: &[&'a str],
    title: Option<&'a str>,
    label: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Analysis<'a> {
    let mut ids: HashMap<u64, u32, BuildHasherDefault<PreHashed>> = HashMap::default();
    let mut terms: Vec<Term> = Vec::new();
    let mut term_text: Vec<&'a str> = Vec::new();
    let mut intern = |s: &'a str, h: u64, terms: &mut Vec<Term>| -> u32 {
        *ids.entry(h).or_insert_with(|| {
            terms.push(Term {
                hash: h,
                lines: 0,
                in_title: false,
            });
            term_text.push(s);
            (terms.len() - 1) as u32
        })
    };
    let mut title_terms = 0;
    if let Some(t) = title {
        scan(t, |w| {
            if let Some((s, h)) = stem(w) {
                let id = intern(s, h, &mut terms) as usize;
                title_terms += usize::from(!terms[id].in_title);
                terms[id].in_title = true;
            }
        });
    }
    let mut lines: Vec<Line> = sentences
        .iter()
        .map(|line| {
            let line = line.trim();
            let mut marks = 0;
            let mut ids_of_line = Vec::new();
            let shape = scan(line, |w| {
                marks |= word_marks(w);
                if let Some((s, h)) = stem(w) {
                    ids_of_line.push(intern(s, h, &mut terms));
                }
            });
            ids_of_line.sort_unstable();
            ids_of_line.dedup();
            let in_title = ids_of_line
                .iter()
                .filter(|&&t| terms[t as usize].in_title)
                .count();
            let form = Form {
                shape,
                marks,
                terms: ids_of_line.len(),
                in_title,
            };
            let kind = classify(line, &form, cfg);
            let reports = marks & REPORTING_WORD != 0;
            Line {
                kind,
                candidate: kind == LineKind::Content,
                chars: shape.chars,
                figures: shape.figures,
                quote_share: shape.quote_share(),
                attributed: shape.quoted > 0 && attributed(line),
                connective: opens_with_connective(line),
                peg: if !reports {
                    0.0
                } else if has_date(line) {
                    1.0
                } else {
                    0.5
                },
                in_title,
                terms: ids_of_line,
            }
        })
        .collect();
    if !lines.iter().any(|l| l.candidate) {
        for l in &mut lines {
            l.candidate = l.kind.fallback();
        }
    }
    // A deck (the subtitle lines above the lead: `…작물별 차등 지원`) is the editor's
    // own summary of the piece, like the title: its words are headline words. Many
    // sources carry one and no title, or a title that is only a hook.
    let lead_at = lines
        .iter()
        .position(|l| l.candidate)
        .unwrap_or(lines.len());
    for l in lines[..lead_at]
        .iter()
        .filter(|l| l.kind == LineKind::Heading)
    {
        for &t in &l.terms {
            let term = &mut terms[t as usize];
            title_terms += usize::from(!term.in_title);
            term.in_title = true;
        }
    }
    if lead_at > 0 {
        for l in &mut lines {
            l.in_title = l
                .terms
                .iter()
                .filter(|&&t| terms[t as usize].in_title)
                .count();
        }
    }
    // Keyword weights come from the candidate lines only: a byline's name or a
    // caption's place is not the article's topic.
    for l in lines.iter().filter(|l| l.candidate) {
        for &t in &l.terms {
            terms[t as usize].lines += 1;
        }
    }
    let term_idf: Vec<f64> = terms.iter().map(|t| idf.weight_of(t.hash)).collect();
    // A word that occurs in one line only says nothing about the topic, unless the
    // title has it; one that recurs does, the more the rarer it is in the dump.
    let term_weights: Vec<f64> = terms
        .iter()
        .zip(&term_idf)
        .map(|(t, w)| w * ((t.lines.max(1) as f64).ln() + f64::from(u8::from(t.in_title))))
        .collect();
    let keyword_raw: Vec<f64> = lines
        .iter()
        .map(|l| {
            if !l.candidate {
                return 0.0;
            }
            let mass: f64 = l.terms.iter().map(|&t| term_weights[t as usize]).sum();
            mass / length_norm(l.terms.len())
        })
        .collect();
    let candidates: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].candidate).collect();
    let cand_terms: Vec<&[u32]> = candidates
        .iter()
        .map(|&i| lines[i].terms.as_slice())
        .collect();
    let cosine = cosines(&cand_terms, &term_idf);
    let ranks_c = centrality(&cosine, candidates.len());
    let mut centrality_raw = vec![0.0; lines.len()];
    for (&i, &r) in candidates.iter().zip(&ranks_c) {
        centrality_raw[i] = r;
    }
    let mut keywords = keyword_raw.clone();
    scale_to_max(&mut keywords);
    let mut central = centrality_raw.clone();
    scale_to_max(&mut central);

    let first = candidates.first().map(|&i| (i, sentences[i].trim()));
    let mut signs = Vec::new();
    if not_lead_label(label, title, sentences.first().copied()) {
        signs.push(LeadSign::Label);
    }
    // A question never competes, so it is looked for among the lines before the lead.
    let opening = lines
        .iter()
        .find(|l| matches!(l.kind, LineKind::Content | LineKind::Question));
    if opening.is_some_and(|l| l.kind == LineKind::Question) {
        signs.push(LeadSign::Question);
    }
    if let Some((i, _)) = first {
        let l = &lines[i];
        if l.quote_share >= 0.5 {
            signs.push(LeadSign::Quote);
        }
        if l.chars < cfg.short_chars / 2 {
            signs.push(LeadSign::Short);
        }
        if keywords[i] < 0.5 {
            signs.push(LeadSign::FewKeywords);
        }
        if l.peg > 0.0 || l.figures > 0 {
            signs.push(LeadSign::Reports);
        } else if signs.contains(&LeadSign::FewKeywords) {
            signs.push(LeadSign::Scene);
        }
    }
    let lead = Lead::decide(signs);

    let mut ranks = vec![None; lines.len()];
    for (rank, &i) in candidates.iter().enumerate() {
        ranks[i] = Some(rank);
    }
    let vectors = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let rank = ranks[i]?;
            let prior = -((1 + rank) as f64).ln();
            // Where the lead is not the news, the prior still says a piece names its
            // subject early, and no more: it stops falling after the first lines, and
            // what a line says ranks the rest.
            let fading = -((1 + rank.min(FADE_AFTER)) as f64).ln();
            let quote = (l.quote_share / 0.5).min(1.0);
            let short = cfg.short_chars.max(1) as f64;
            Some([
                prior * lead.strength,
                fading * (1.0 - lead.strength),
                keywords[i],
                central[i],
                l.figures.min(cfg.figures_full) as f64 / cfg.figures_full.max(1) as f64,
                l.peg,
                if title_terms > 0 {
                    l.in_title as f64 / title_terms as f64
                } else {
                    0.0
                },
                // Row 0 of the candidates' cosines is the lead's, and its own
                // entry is 0: the lead echoes nothing.
                cosine[rank] * lead.strength,
                (l.chars as f64 / short).min(1.0) - 1.0,
                if l.attributed { 0.0 } else { -quote },
                if l.attributed { -quote } else { 0.0 },
                -f64::from(u8::from(l.connective)),
                -f64::from(u8::from(l.chars > cfg.max_chars)),
            ])
        })
        .collect();
    Analysis {
        lines,
        vectors,
        keyword_raw,
        centrality_raw,
        term_weights,
        term_text,
        lead,
        ranks,
        cosine,
        competing: candidates.len(),
    }
}

impl Analysis<'_> {
    /// One score per line: the dot product of its features with the weights, `-inf`
    /// for a line that does not compete.
    pub fn scores(&self, cfg: &SummaryConfig) -> Vec<f64> {
        let w = cfg.feature_weights();
        self.vectors
            .iter()
            .map(|v| match v {
                Some(v) => v.iter().zip(&w).map(|(f, w)| f * w).sum(),
                None => f64::NEG_INFINITY,
            })
            .collect()
    }

    /// How much lines `i` and `j` say the same (see `redundancy_weight`): their
    /// cosine similarity, 0 unless both compete.
    pub fn overlap(&self, i: usize, j: usize) -> f64 {
        match (self.ranks[i], self.ranks[j]) {
            (Some(a), Some(b)) => self.cosine[a * self.competing + b],
            _ => 0.0,
        }
    }

    /// Greedy maximal marginal relevance over `scores`: the picks in pick order, each
    /// with the redundancy penalty it paid. Ties go to the earlier line.
    pub fn pick(&self, scores: &[f64], cfg: &SummaryConfig) -> Vec<(usize, f64)> {
        let mut chosen: Vec<(usize, f64)> = Vec::new();
        let mut worst_overlap = vec![0.0; scores.len()];
        while chosen.len() < cfg.lines_per_article {
            let mut best: Option<(usize, f64)> = None;
            for (i, &s) in scores.iter().enumerate() {
                if !self.lines[i].candidate
                    || chosen.iter().any(|&(j, _)| j == i)
                    || worst_overlap[i] >= REPEAT_OVERLAP
                {
                    continue;
                }
                let value = s - cfg.redundancy_weight * worst_overlap[i];
                if best.is_none_or(|(_, v)| value > v) {
                    best = Some((i, value));
                }
            }
            let Some((i, _)) = best else { break };
            chosen.push((i, cfg.redundancy_weight * worst_overlap[i]));
            for (j, o) in worst_overlap.iter_mut().enumerate() {
                *o = f64::max(*o, self.overlap(i, j));
            }
        }
        chosen
    }
}

/// A line that shares this much of its words with a pick repeats it (a rewrite of
/// the lead further down, a subtitle restated) and is not picked whatever its score.
pub const REPEAT_OVERLAP: f64 = 0.8;

/// Scores every sentence and picks the best `lines_per_article`, in article order.
/// `label` is the article's label (`기자수첩`) where the dump gives one.
pub fn select(
    sentences: &[&str],
    title: Option<&str>,
    label: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Selection {
    let analysis = analyse(sentences, title, label, idf, cfg);
    let scores = analysis.scores(cfg);
    let order: Vec<usize> = analysis
        .pick(&scores, cfg)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let mut picks = order.clone();
    picks.sort_unstable();
    Selection {
        picks,
        order,
        scores,
    }
}

impl Selection {
    /// The selection of the best `k` lines alone, as [`select`] would make it with
    /// `lines_per_article = k` (for any `k` up to the one it was made with).
    pub fn first(&self, k: usize) -> Selection {
        let order: Vec<usize> = self.order.iter().copied().take(k).collect();
        let mut picks = order.clone();
        picks.sort_unstable();
        Selection {
            picks,
            order,
            scores: self.scores.clone(),
        }
    }
}

/// One keyword of a line and its keyword weight in the article.
#[derive(Debug, Clone, Serialize)]
pub struct KeywordHit {
    pub term: String,
    pub weight: f64,
}

/// One feature of a line: its value and what it added to the score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub feature: &'static str,
    pub value: f64,
    pub contribution: f64,
}

/// Why one sentence scored as it did.
#[derive(Debug, Clone, Serialize)]
pub struct LineReport {
    pub index: usize,
    pub kind: LineKind,
    pub picked: bool,
    /// The score before redundancy; `None` for lines that never compete.
    pub score: Option<f64>,
    /// Rank among the competing lines, 0 for the first.
    pub rank: Option<usize>,
    pub chars: usize,
    /// Every feature, for competing lines.
    pub features: Vec<Contribution>,
    /// The TextRank score before scaling to the article's most central line.
    pub centrality: f64,
    /// The keyword density before scaling to the article's densest line.
    pub keyword_density: f64,
    /// The line's keywords, heaviest first.
    pub keyword_hits: Vec<KeywordHit>,
    pub figures: Vec<String>,
    /// Penalty for repeating an earlier pick, as paid when this line was picked.
    pub redundancy_penalty: f64,
    pub text: String,
}

/// [`explain`]'s answer: the lead decision, then one report per sentence.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub lead: Lead,
    pub lines: Vec<LineReport>,
}

/// The selection of [`select`], line by line with every part of every score, for
/// `briefing explain` and for tuning `[summary]`.
pub fn explain(
    sentences: &[&str],
    title: Option<&str>,
    label: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Explanation {
    let a = analyse(sentences, title, label, idf, cfg);
    let scores = a.scores(cfg);
    let chosen = a.pick(&scores, cfg);
    let weights = cfg.feature_weights();
    let lines = sentences
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let text = text.trim();
            let l = &a.lines[index];
            let paid = chosen.iter().find(|&&(i, _)| i == index);
            let features = a.vectors[index].map_or_else(Vec::new, |v| {
                FEATURES
                    .iter()
                    .zip(v.iter().zip(&weights))
                    .map(|(&(feature, _), (&value, &w))| Contribution {
                        feature,
                        value,
                        contribution: value * w,
                    })
                    .collect()
            });
            let mut keyword_hits: Vec<KeywordHit> = if l.candidate {
                l.terms
                    .iter()
                    .map(|&t| KeywordHit {
                        term: a.term_text[t as usize].to_owned(),
                        weight: a.term_weights[t as usize],
                    })
                    .filter(|h| h.weight > 0.0)
                    .collect()
            } else {
                Vec::new()
            };
            keyword_hits.sort_by(|x, y| y.weight.total_cmp(&x.weight));
            LineReport {
                index,
                kind: l.kind,
                picked: paid.is_some(),
                score: l.candidate.then_some(scores[index]),
                rank: a.ranks[index],
                chars: l.chars,
                features,
                centrality: a.centrality_raw[index],
                keyword_density: a.keyword_raw[index],
                keyword_hits,
                figures: if l.candidate {
                    figures(text).map(str::to_owned).collect()
                } else {
                    Vec::new()
                },
                redundancy_penalty: paid.map_or(0.0, |&(_, r)| r),
                text: text.to_owned(),
            }
        })
        .collect();
    Explanation {
        lead: a.lead,
        lines,
    }
}

/// Short names for the columns of [`Explanation`]'s table.
fn short_name(feature: &str) -> &str {
    match feature {
        "position" => "pos",
        "fading_position" => "fade",
        "keywords" => "kw",
        "centrality" => "cent",
        "figures" => "num",
        "attributed_quote" => "said",
        "bare_quote" => "quote",
        "connective" => "conn",
        "length" => "len",
        other => other,
    }
}

impl fmt::Display for Explanation {
    /// The lead decision, then one block per line: a header row, the features that add
    /// or take something, the keywords and figures, and the start of the text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons: Vec<&str> = self.lead.signs.iter().map(|s| s.describe()).collect();
        writeln!(
            f,
            "lead-first: {:.2}{}{}",
            self.lead.strength,
            if reasons.is_empty() { "" } else { " — " },
            reasons.join("; ")
        )?;
        writeln!(
            f,
            "{:>3} {:4} {:9} {:>7} {:>4} {:>6}  features (value × weight)",
            "#", "pick", "kind", "score", "rank", "cent"
        )?;
        for l in &self.lines {
            let score = l.score.map_or("-".to_owned(), |v| format!("{v:.3}"));
            let rank = l.rank.map_or("-".to_owned(), |r| r.to_string());
            let mut parts: Vec<String> = l
                .features
                .iter()
                .filter(|c| c.contribution != 0.0)
                .map(|c| format!("{} {:+.3}", short_name(c.feature), c.contribution))
                .collect();
            if l.redundancy_penalty > 0.0 {
                parts.push(format!("redundant -{:.3}", l.redundancy_penalty));
            }
            writeln!(
                f,
                "{:>3} {:4} {:9} {:>7} {:>4} {:>6.3}  {}",
                l.index,
                if l.picked { "*" } else { "" },
                l.kind.label(),
                score,
                rank,
                l.centrality,
                parts.join(" ")
            )?;
            if !l.keyword_hits.is_empty() {
                let hits: Vec<String> = l
                    .keyword_hits
                    .iter()
                    .take(6)
                    .map(|h| format!("{} {:.2}", h.term, h.weight))
                    .collect();
                writeln!(f, "      keywords: {}", hits.join(", "))?;
            }
            if !l.figures.is_empty() {
                writeln!(f, "      figures: {}", l.figures.join(", "))?;
            }
            let preview: String = l.text.chars().take(60).collect();
            let more = if l.chars > 60 { "…" } else { "" };
            writeln!(f, "      {preview}{more}")?;
        }
        Ok(())
    }
}

/// One article as `briefing pick --features` writes it for `scripts/fit-summary`: the
/// feature vector of every competing line (`null` for the rest), the lead decision and
/// the word overlap of every pair of lines, which is all the picks depend on.
#[derive(Debug, Serialize)]
pub struct FeatureRows {
    pub lead: f64,
    /// [`REPEAT_OVERLAP`].
    pub repeat_overlap: f64,
    pub lines: Vec<Option<Vector>>,
    pub overlap: Vec<Vec<f64>>,
}

impl From<&Analysis<'_>> for FeatureRows {
    fn from(a: &Analysis<'_>) -> Self {
        let n = a.lines.len();
        FeatureRows {
            lead: a.lead.strength,
            repeat_overlap: REPEAT_OVERLAP,
            lines: a.vectors.clone(),
            overlap: (0..n)
                .map(|i| (0..n).map(|j| a.overlap(i, j)).collect())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One selection made for the most lines serves every smaller count exactly.
    #[test]
    fn the_first_k_of_a_larger_selection_are_the_selection_of_k() {
        let lines = [
            "시는 내년부터 시내버스 노선 세 개를 새로 만든다고 6일 밝혔다.",
            "새 노선은 신도시와 역 사이를 출근 시간대 8분 간격으로 잇는다.",
            "주민들은 그동안 환승에만 30분 넘게 걸린다고 불편을 호소해 왔다.",
            "시는 이를 위해 예산 42억 원을 편성했다.",
            "버스 회사 두 곳이 운행을 맡는다.",
            "노선 번호와 정류장 위치는 다음 달 공개된다.",
            "시 관계자는 \"이용객 수를 보고 배차를 더 늘리겠다\"고 말했다.",
        ];
        let idf = Idf::from_texts([lines.join(" ").as_str(), "도서관 야간 개관"]);
        let cfg = |k| SummaryConfig {
            lines_per_article: k,
            ..SummaryConfig::default()
        };
        let most = select(&lines, Some("시내버스 노선 신설"), None, &idf, &cfg(5));
        for k in 0..=5 {
            let alone = select(&lines, Some("시내버스 노선 신설"), None, &idf, &cfg(k));
            assert_eq!(most.first(k).picks, alone.picks, "k = {k}");
        }
    }

    fn kind(line: &str, title: Option<&str>) -> LineKind {
        let idf = Idf::default();
        let e = explain(&[line], title, None, &idf, &SummaryConfig::default());
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

    fn article() -> Vec<&'static str> {
        vec![
            "물가 2.1% 상승…장바구니 부담 커져",
            "정하나 기자 hana@example.com",
            "통계청은 지난달 소비자물가가 1년 전보다 2.1% 올랐다고 5일 발표했다.",
            "통계청은 지난달 소비자물가가 1년 전보다 2.1% 올랐다고 전했다.",
            "채소와 과일 가격이 물가 상승을 이끌었고 석유류는 하락했다.",
            "정부는 다음 달 농산물 수급과 물가 안정 대책을 함께 내놓을 계획이다.",
            "“장 보기가 겁난다. 채소값이 너무 올랐다”",
        ]
    }

    #[test]
    fn picks_content_lines_skipping_repeats_and_quotes() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str(), "정부 예산 발표", "축제 개막"]);
        let sel = select(
            &lines,
            Some("소비자물가 2.1% 올라"),
            None,
            &idf,
            &SummaryConfig::default(),
        );
        // Not the subtitle or the byline; not the line that repeats the first pick; not
        // the bare quote at the end.
        assert_eq!(sel.picks, vec![2, 4, 5]);
        assert_eq!(sel.scores.len(), lines.len());
        assert!(sel.scores[1].is_infinite());
    }

    #[test]
    fn fewer_lines_than_asked_gives_what_there_is() {
        let idf = Idf::default();
        let lines = ["시는 다음 달 공원을 개장한다."];
        let sel = select(&lines, None, None, &idf, &SummaryConfig::default());
        assert_eq!(sel.picks, vec![0]);
        let none = select(&[], None, None, &idf, &SummaryConfig::default());
        assert!(none.picks.is_empty());
    }

    #[test]
    fn news_peg_needs_a_reporting_verb_and_counts_a_date() {
        let idf = Idf::default();
        let lines = [
            "한빛연구소는 물 없이 씻는 세척 장치를 개발했다고 12일 밝혔다.",
            "업계에 따르면 이 장치는 내년 상반기에 시중에 나온다.",
            "연구진은 세척 장치의 원리를 오랫동안 연구해 왔다.",
        ];
        let a = analyse(&lines, None, None, &idf, &SummaryConfig::default());
        let peg = |i: usize| a.vectors[i].expect("content")[5];
        assert_eq!((peg(0), peg(1), peg(2)), (1.0, 0.5, 0.0));
    }

    #[test]
    fn quotes_with_a_speaker_are_told_from_bare_dialogue() {
        assert!(attributed(
            "“이 기술은 십 년 안에 표준이 될 것”이라고 박 교수는 내다봤다."
        ));
        assert!(attributed("“위험하다”며 우려했다."));
        assert!(!attributed("“여기서 뭐 하는 거야?”"));
        assert!(!attributed("그는 조용히 웃었다."));
    }

    #[test]
    fn the_lead_weakens_for_columns_questions_and_quotes_only() {
        let idf = Idf::default();
        let cfg = SummaryConfig::default();
        let news = [
            "남해군은 내년 관광 예산 120억원을 확정했다고 3일 밝혔다.",
            "관광 예산은 해안 산책로와 관광 안내소에 쓰인다.",
        ];
        let lead = analyse(&news, None, None, &idf, &cfg).lead;
        assert_eq!(lead.strength, 1.0, "{lead:?}");
        let column = [
            "지난 주말 해안 산책로에서 만난 노부부는 한참을 바다만 바라봤다?",
            "남해군은 내년 관광 예산 120억원을 확정했다고 3일 밝혔다.",
        ];
        let lead = analyse(&column, Some("[기자수첩] 바다를 보는 법"), None, &idf, &cfg).lead;
        assert!(lead.signs.contains(&LeadSign::Label), "{lead:?}");
        assert!(lead.signs.contains(&LeadSign::Question), "{lead:?}");
        assert_eq!(lead.strength, 0.0, "{lead:?}");
    }

    #[test]
    fn explain_shows_every_feature_and_the_lead_decision() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str()]);
        let e = explain(&lines, None, None, &idf, &SummaryConfig::default());
        assert_eq!(e.lines.len(), lines.len());
        let lead = &e.lines[2];
        assert!(lead.picked);
        assert_eq!(lead.features.len(), FEATURES.len());
        assert!(lead.centrality > 0.0);
        assert_eq!(lead.figures, vec!["1년", "2.1%", "5일"]);
        assert!(lead.keyword_hits.iter().any(|h| h.term == "통계청"));
        assert!(e.lines[6].features[8].contribution < 0.0, "bare quote");
        assert!(!e.lines[3].picked);
        let text = e.to_string();
        assert!(text.starts_with("lead-first: 1.00"), "{text}");
        assert!(text.contains("byline"), "{text}");
        assert!(text.contains("figures: 1년, 2.1%, 5일"), "{text}");
        assert!(text.contains("quote -"), "{text}");
        let json = serde_json::to_value(&e).expect("explanation serialises");
        assert_eq!(json["lines"][1]["kind"], "byline");
        assert_eq!(json["lead"]["strength"], 1.0);
    }

    /// One of tests/data/key_lines.jsonl: Korean articles written for this test (a
    /// feature with a scene lead, a column, an interview, straight news) with the key
    /// lines their writer chose and the lines a briefing must never show.
    #[derive(Deserialize)]
    struct Case {
        name: String,
        title: String,
        label: Option<String>,
        sentences: Vec<String>,
        key: Vec<usize>,
        min_hits: usize,
        never: Vec<usize>,
        lead_below: f64,
    }

    #[test]
    fn picks_the_key_lines_of_features_columns_interviews_and_news() {
        let cases: Vec<Case> = include_str!("../tests/data/key_lines.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a test case"))
            .collect();
        assert_eq!(cases.len(), 4);
        let joined: Vec<String> = cases.iter().map(|c| c.sentences.join(" ")).collect();
        let idf = Idf::from_texts(joined.iter().map(String::as_str));
        let cfg = SummaryConfig::default();
        for c in &cases {
            let lines: Vec<&str> = c.sentences.iter().map(String::as_str).collect();
            let (title, label) = (Some(c.title.as_str()), c.label.as_deref());
            let sel = select(&lines, title, label, &idf, &cfg);
            let hits = sel.picks.iter().filter(|i| c.key.contains(i)).count();
            assert!(hits >= c.min_hits, "{}: picked {:?}", c.name, sel.picks);
            assert!(
                !sel.picks.iter().any(|i| c.never.contains(i)),
                "{}: picked {:?}",
                c.name,
                sel.picks
            );
            let lead = analyse(&lines, title, label, &idf, &cfg).lead;
            assert!(lead.strength < c.lead_below, "{}: {lead:?}", c.name);
        }
    }

    /// What scripts/fit-summary does with `briefing pick --features`: score each line
    /// by the dot product of its vector with the weights, then pick greedily charging
    /// `redundancy_weight` times the largest overlap with the picks so far, never a
    /// repeat. It must pick what `select` picks, or the fitted weights mean nothing.
    #[test]
    fn feature_rows_reproduce_the_picks() {
        let cases = [
            article(),
            vec![
                "새벽 항구에는 안개가 짙게 깔려 있었다.",
                "해양연구소는 올여름 남해 수온이 평년보다 2도 높았다고 8일 밝혔다.",
                "수온이 오르자 양식장 물고기 폐사가 크게 늘었다.",
                "연구소는 수온 상승이 양식장 폐사의 주된 원인이라고 설명했다.",
                "- 조사 해역은 남해 연안 12곳이다.",
                "한 어민은 “이대로면 내년 양식은 포기해야 한다”고 말했다.",
            ],
        ];
        let cfg = SummaryConfig::default();
        let w = cfg.feature_weights();
        for lines in &cases {
            let idf = Idf::from_texts([lines.join(" ").as_str(), "항구 축제"]);
            let rows = FeatureRows::from(&analyse(lines, None, None, &idf, &cfg));
            let json = serde_json::to_value(&rows).expect("rows serialise");
            assert_eq!(json["lines"].as_array().map(Vec::len), Some(lines.len()));
            let scores: Vec<Option<f64>> = rows
                .lines
                .iter()
                .map(|v| v.map(|v| v.iter().zip(&w).map(|(f, w)| f * w).sum()))
                .collect();
            let mut chosen: Vec<usize> = Vec::new();
            let mut worst = vec![0.0f64; lines.len()];
            while chosen.len() < cfg.lines_per_article {
                let best = (0..lines.len())
                    .filter(|i| !chosen.contains(i) && worst[*i] < rows.repeat_overlap)
                    .filter_map(|i| scores[i].map(|s| (i, s - cfg.redundancy_weight * worst[i])))
                    .fold(None, |b: Option<(usize, f64)>, (i, v)| match b {
                        Some((_, bv)) if bv >= v => b,
                        _ => Some((i, v)),
                    });
                let Some((i, _)) = best else { break };
                chosen.push(i);
                for (j, o) in worst.iter_mut().enumerate() {
                    *o = o.max(rows.overlap[i][j]);
                }
            }
            chosen.sort_unstable();
            assert_eq!(chosen, select(lines, None, None, &idf, &cfg).picks);
        }
    }

    #[test]
    fn weights_name_every_config_key() {
        let cfg = SummaryConfig::default();
        let keys: Vec<&str> = cfg.weights().iter().map(|&(k, _)| k).collect();
        assert_eq!(keys.len(), FEATURES.len() + 1);
        assert!(keys.contains(&"centrality_weight") && keys.contains(&"redundancy_weight"));
    }
}
