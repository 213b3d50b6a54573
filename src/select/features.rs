//! What each line's features are made of ([`Line`], read in one pass over its words)
//! and its feature vector, in the order of [`FEATURES`](super::FEATURES), once the article-wide
//! measures are known.

use super::article_kind::{claims, trim_close};
use super::framing::FRAMING;
use super::kind::{classify, sentence_end, word_marks, End, Form, LineKind, REPORTING_WORD};
use super::terms::Vocabulary;
use crate::config::summary::Vector;
use crate::config::SummaryConfig;
use crate::score::{figures, prefixes, scan, stem};

/// Everything the features are made from, for one line.
pub(super) struct Line {
    pub(super) kind: LineKind,
    pub(super) candidate: bool,
    pub(super) chars: usize,
    pub(super) figures: usize,
    pub(super) quote_share: f64,
    pub(super) attributed: bool,
    pub(super) connective: bool,
    /// 0, 0.5 with a reporting verb, 1 with a date too.
    pub(super) peg: f64,
    pub(super) in_title: usize,
    /// Distinct term ids, ascending.
    pub(super) terms: Vec<u32>,
    /// Its predicate makes a claim of the writer's ([`claims`]).
    pub(super) claim: bool,
    /// It ends in a framing predicate with no figure, quotation or report ([`frames`]).
    pub(super) framing: bool,
}

/// Reads one trimmed line in one pass over its words: its terms into `vocab`, its
/// form into a [`LineKind`], and what its features are made of.
pub(super) fn read_line<'a>(
    line: &'a str,
    vocab: &mut Vocabulary<'a>,
    cfg: &SummaryConfig,
) -> Line {
    let mut marks = 0;
    let mut ids_of_line = Vec::new();
    let shape = scan(line, |w| {
        marks |= word_marks(w);
        if let Some((s, h)) = stem(w) {
            ids_of_line.push(vocab.intern(s, h));
        }
    });
    ids_of_line.sort_unstable();
    ids_of_line.dedup();
    let in_title = vocab.in_title(&ids_of_line);
    let form = Form {
        shape,
        marks,
        terms: ids_of_line.len(),
        in_title,
    };
    let kind = classify(line, &form, cfg);
    let reports = marks & REPORTING_WORD != 0;
    let quote_share = shape.quote_share();
    Line {
        kind,
        candidate: kind == LineKind::Content,
        chars: shape.chars,
        figures: shape.figures,
        quote_share,
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
        // Only a content line competes, and only its predicate is read.
        claim: kind == LineKind::Content && claims(line),
        framing: kind == LineKind::Content
            && shape.figures == 0
            && shape.quoted == 0
            && !reports
            && frames(line),
    }
}

/// Whether the line ends in a predicate of the writer's framing ([`FRAMING`]). With no
/// figure, no quotation and no reporting verb, such a line frames and says nothing
/// else: `…모색하기 위한 전략적 행보다.`
fn frames(line: &str) -> bool {
    let body = trim_close(line);
    FRAMING.iter().any(|f| {
        body.strip_suffix(f)
            .is_some_and(|before| before.is_empty() || before.ends_with(' '))
    })
}

/// What the features of a line are measured against, across the article.
pub(super) struct ArticleMeasures<'m> {
    /// Per line: keyword density, scaled to the article's densest line.
    pub(super) keywords: &'m [f64],
    /// Per line: centrality, scaled to the article's most central line.
    pub(super) central: &'m [f64],
    /// The cosines of the competing lines, in rank order.
    pub(super) cosine: &'m [f64],
    /// [`super::Lead::strength`].
    pub(super) lead: f64,
    /// Content words of the title and the deck.
    pub(super) title_terms: usize,
    /// How many lines compete.
    pub(super) competing: usize,
}

/// Content lines after which the fading lead prior stops falling.
const FADE_AFTER: usize = 2;

impl ArticleMeasures<'_> {
    /// The features of line `i`, `l`, which ranks `rank` among the competing lines, in
    /// the order of [`FEATURES`](super::FEATURES).
    pub(super) fn vector(&self, i: usize, l: &Line, rank: usize, cfg: &SummaryConfig) -> Vector {
        let prior = -((1 + rank) as f64).ln();
        // Where the lead is not the news, the prior still says a piece names its
        // subject early, and no more: it stops falling after the first lines, and
        // what a line says ranks the rest.
        let fading = -((1 + rank.min(FADE_AFTER)) as f64).ln();
        let quote = (l.quote_share / 0.5).min(1.0);
        let short = cfg.short_chars.max(1) as f64;
        [
            prior * self.lead,
            fading * (1.0 - self.lead),
            self.keywords[i],
            self.central[i],
            l.figures.min(cfg.figures_full) as f64 / cfg.figures_full.max(1) as f64,
            l.peg,
            if self.title_terms > 0 {
                l.in_title as f64 / self.title_terms as f64
            } else {
                0.0
            },
            // Row 0 of the candidates' cosines is the lead's, and its own
            // entry is 0: the lead echoes nothing.
            self.cosine[rank] * self.lead,
            (l.chars as f64 / short).min(1.0) - 1.0,
            if l.attributed { 0.0 } else { -quote },
            if l.attributed { -quote } else { 0.0 },
            -f64::from(u8::from(l.connective)),
            -f64::from(u8::from(l.chars > cfg.max_chars)),
            match self.competing - rank {
                1 => 1.0,
                2 => 0.5,
                _ => 0.0,
            },
            f64::from(u8::from(l.claim)),
            -f64::from(u8::from(l.framing)),
        ]
    }
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

fn opens_with_connective(line: &str) -> bool {
    prefixes(line, CONNECTIVES).any(|c| line[c.len()..].starts_with([' ', ',']))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Idf;
    use crate::select::{analyse, Heading, FEATURES};

    #[test]
    fn news_peg_needs_a_reporting_verb_and_counts_a_date() {
        let idf = Idf::default();
        let lines = [
            "한빛연구소는 물 없이 씻는 세척 장치를 개발했다고 12일 밝혔다.",
            "업계에 따르면 이 장치는 내년 상반기에 시중에 나온다.",
            "연구진은 세척 장치의 원리를 오랫동안 연구해 왔다.",
        ];
        let a = analyse(&lines, &Heading::default(), &idf, &SummaryConfig::default());
        let peg = |i: usize| a.vectors[i].expect("content")[5];
        assert_eq!((peg(0), peg(1), peg(2)), (1.0, 0.5, 0.0));
    }

    /// A judgement predicate alone frames; with a figure, a quotation or a report in the
    /// line, the line carries a fact and is not charged.
    #[test]
    fn framing_is_a_judgement_predicate_with_nothing_else() {
        let idf = Idf::default();
        let lines = [
            "한빛페이가 베트남 결제 시장에 진출한다고 3일 밝혔다.",
            "현지 금융사와의 협력 기회를 넓히기 위한 전략적 행보다.",
            "이번 진출은 해외 진출의 새 이정표가 될 것이라는 평가가 나온다.",
            "첫해 거래액 500억원을 목표로 한 전략적 행보다.",
            "회사 측은 “새 시장을 여는 계기가 됐다”고 말했다.",
            "협력은 지난해 시작된 두 회사 교류의 연장선에서 나온 평가다운 결정이었다.",
        ];
        let a = analyse(&lines, &Heading::default(), &idf, &SummaryConfig::default());
        let at = FEATURES.iter().position(|&(name, _)| name == "framing");
        let at = at.expect("a framing feature");
        let framing = |i: usize| a.vectors[i].expect("content")[at];
        assert_eq!(
            (0..lines.len()).map(framing).collect::<Vec<_>>(),
            [0.0, -1.0, -1.0, 0.0, 0.0, 0.0]
        );
        assert!(frames("전략적 행보다."));
        assert!(
            !frames("그의 행보다운 선택이다."),
            "a word ending, not the predicate"
        );
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
}
