//! Picking the key lines of an article.
//!
//! News puts its key facts first, so the backbone is a lead: the first lines that are
//! real sentences of the story. Bylines, photo captions, contact lines, table rows and
//! subtitles are recognised by their form and never win. Everything else only nudges
//! the lead: a quote or a short scene-setting line sinks a little, a line dense in the
//! article's keywords and figures rises a little, and a line that repeats one already
//! picked adds nothing. The nudges are small on purpose: on human-labelled Korean news
//! they shift a pick only when the lead line is weak, which is where they help.

use std::cell::RefCell;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::score::{figures, term_hash, terms, Idf};

/// `[summary]` in config.toml: how many lines, and how much each feature counts.
///
/// A content line's score is `-position_weight * ln(1 + rank)` (rank among content
/// lines, 0 for the first) plus the bonuses, minus the penalties below. `ln` makes the
/// gap between the 1st and 2nd line large and between the 8th and 9th small, as the
/// odds of a line being a key line fall in news.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryConfig {
    /// Key lines shown per article.
    pub lines_per_article: usize,
    /// How strongly earlier lines are preferred. News is written lead first; this is
    /// the backbone of the selection and the other weights are measured against it
    /// (one unit = the gap between the 1st and the 3rd content line).
    pub position_weight: f64,
    /// Bonus for keyword density: the article's recurring, dump-rare content words in
    /// the line (scaled so the article's densest line gets the full weight). Lets a
    /// late line that carries the story's topic beat a lead that drifts.
    pub keyword_weight: f64,
    /// Bonus for figures (numbers with units: 5.4%, 300억원, 22일), full at
    /// `figures_full` of them. Amounts, dates and counts are what a briefing reader
    /// wants.
    pub number_weight: f64,
    /// Figures in one line that earn the full `number_weight`; more count no further,
    /// so a table-like run of numbers does not win on numbers alone.
    pub figures_full: usize,
    /// Bonus for the share of the title's content words found in the line.
    pub title_weight: f64,
    /// Penalty for a line that is mostly a quotation (full at half the line in
    /// quotes). Quotes colour a story; the facts are in the reporter's own lines.
    pub quote_penalty: f64,
    /// Penalty for a line that opens with a connective (또한, 한편, 이어, 특히 …):
    /// it continues the line before it and reads badly on its own in a briefing.
    pub connective_penalty: f64,
    /// Lines with fewer characters than this are penalised by `short_penalty`: a short
    /// line in news is usually a hook or a scene, not the news.
    pub short_chars: usize,
    /// Penalty for a line shorter than `short_chars`.
    pub short_penalty: f64,
    /// Lines with fewer characters than this are fragments and are never picked.
    pub min_chars: usize,
    /// Lines with more characters than this are run-ons (often several sentences the
    /// splitter could not cut, or a list), penalised by `long_penalty`.
    pub max_chars: usize,
    /// Penalty for a line longer than `max_chars`.
    pub long_penalty: f64,
    /// Penalty per unit of overlap with a line already picked (share of the shorter
    /// line's content words found in the other): a second line that repeats the first
    /// tells the reader nothing new (maximal marginal relevance).
    pub redundancy_weight: f64,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            lines_per_article: 3,
            position_weight: 1.0,
            keyword_weight: 0.2,
            number_weight: 0.1,
            figures_full: 2,
            title_weight: 0.2,
            quote_penalty: 0.5,
            connective_penalty: 0.2,
            short_chars: 30,
            short_penalty: 0.4,
            min_chars: 12,
            max_chars: 300,
            long_penalty: 0.4,
            redundancy_weight: 0.5,
        }
    }
}

/// The outcome for one article: which sentences, and every sentence's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Indices into the sentences, ascending.
    pub picks: Vec<usize>,
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
    /// A heading or subtitle: no sentence ending (`…작물별 차등 지원`), or the title
    /// repeated.
    Heading,
    /// Too short to say anything (`min_chars`).
    Fragment,
}

impl LineKind {
    /// Headings and fragments are used when an article has no content line at all
    /// (a poem, a list): showing one beats showing nothing. The rest never are.
    fn fallback(self) -> bool {
        matches!(self, LineKind::Heading | LineKind::Fragment)
    }

    fn label(self) -> &'static str {
        match self {
            LineKind::Content => "content",
            LineKind::Byline => "byline",
            LineKind::Caption => "caption",
            LineKind::Contact => "contact",
            LineKind::Copyright => "copyright",
            LineKind::TableRow => "table row",
            LineKind::Heading => "heading",
            LineKind::Fragment => "fragment",
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
        Some('다' | '요' | '까' | '죠') => End::Verbal,
        Some('나' | '가' | '냐' | '니' | '지') if question => End::Verbal,
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

/// Whether `line` contains a phone number such as `797-3323` or `061-797-3323`.
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
const COPYRIGHT_MARKS: &[&str] = &[
    "Copyright",
    "copyright",
    "COPYRIGHT",
    "ⓒ",
    "©",
    "무단전재",
    "무단 전재",
    "재배포 금지",
    "재배포금지",
];
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

/// What `line` is. `title_terms` (sorted hashes) spots subtitles that repeat the title.
fn classify(line: &str, chars: usize, title_terms: &[u64], cfg: &SummaryConfig) -> LineKind {
    if COPYRIGHT_MARKS.iter().any(|m| line.contains(m)) {
        return LineKind::Copyright;
    }
    if chars < 60 && has_email(line) {
        return if line.starts_with("문의") || line.trim_start_matches('*').starts_with("문의") {
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
    let bare = line.trim_start_matches(['*', '-', '·', 'ㆍ', '?', ' ']);
    if bare.starts_with("문의") || (chars < 40 && has_phone(line)) {
        return LineKind::Contact;
    }
    if CAPTION_OPENERS.iter().any(|o| line.starts_with(o))
        || (chars < 100 && CAPTION_MARKS.iter().any(|m| line.contains(m)))
    {
        return LineKind::Caption;
    }
    if line.matches('|').count() >= 2 || line.contains('\t') {
        return LineKind::TableRow;
    }
    if chars < cfg.min_chars {
        return LineKind::Fragment;
    }
    let end = sentence_end(line, chars);
    // `기간 : 1월 18일~30일`: a short label, a colon, a value, no verb.
    if end != End::Verbal {
        if let Some((label, _)) = bare.split_once(':') {
            if label.chars().count() <= 8 {
                return LineKind::TableRow;
            }
        }
    }
    match end {
        End::NounPeriod => return LineKind::Caption,
        End::None => return LineKind::Heading,
        End::Verbal => {}
    }
    if !title_terms.is_empty() {
        let mut n = 0;
        let mut shared = 0;
        for t in terms(line) {
            n += 1;
            shared += usize::from(title_terms.binary_search(&term_hash(t)).is_ok());
        }
        // A subtitle that restates the title adds nothing to it in a briefing.
        if n > 0 && shared * 10 >= n * 8 {
            return LineKind::Heading;
        }
    }
    LineKind::Content
}

/// Share of `line` (in characters) inside quotation marks; an unclosed quote runs to
/// the end of the line, as it does when the splitter cut a long quote.
fn quote_share(line: &str, chars: usize) -> f64 {
    let mut inside = false;
    let mut quoted = 0usize;
    for c in line.chars() {
        match c {
            '“' => inside = true,
            '”' => inside = false,
            '"' => inside = !inside,
            _ if inside => quoted += 1,
            _ => {}
        }
    }
    quoted as f64 / chars.max(1) as f64
}

fn opens_with_connective(line: &str) -> bool {
    CONNECTIVES.iter().any(|c| {
        line.strip_prefix(c)
            .is_some_and(|rest| rest.starts_with([' ', ',']))
    })
}

/// The parts of one line's score, before redundancy.
#[derive(Debug, Clone, Copy)]
struct Parts {
    kind: LineKind,
    /// Competes for a pick: a content line, or a fallback line in an article without any.
    candidate: bool,
    /// Rank among the candidate lines, 0 for the first.
    rank: usize,
    chars: usize,
    position: f64,
    keywords: f64,
    figures: usize,
    number: f64,
    title: f64,
    quote: f64,
    connective: f64,
    short: f64,
    long: f64,
    /// Range of this line's sorted, distinct term hashes in `Scratch::terms`.
    terms: (usize, usize),
}

impl Parts {
    fn total(&self) -> f64 {
        self.position + self.keywords + self.number + self.title
            - self.quote
            - self.connective
            - self.short
            - self.long
    }
}

/// Buffers reused from one article to the next: the selection runs over whole dumps,
/// and allocating per sentence would cost more than the scoring itself.
#[derive(Default)]
struct Scratch {
    parts: Vec<Parts>,
    terms: Vec<u64>,
    article: Vec<u64>,
    title: Vec<u64>,
    /// Picks in pick order, with the redundancy penalty each one paid.
    chosen: Vec<(usize, f64)>,
    /// Factor turning a line's raw keyword mass into its share of `keyword_weight`.
    keyword_scale: f64,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Number of lines whose term set holds `t`; `lines` is every line's set, concatenated
/// and sorted.
fn count_in(lines: &[u64], t: u64) -> usize {
    let lo = lines.partition_point(|&x| x < t);
    let hi = lines.partition_point(|&x| x <= t);
    hi - lo
}

/// Overlap of two sorted term sets: shared terms over the smaller set.
fn overlap(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / a.len().min(b.len()) as f64
}

/// Raw keyword mass of one line: a word that occurs in one line only says nothing
/// about the article's topic; one that recurs does, the more the rarer it is in the
/// rest of the dump. Divided by the root of the line's length so that long lines do not
/// win on length alone, nor short ones on a single hit.
fn keyword_term(article: &[u64], idf: &Idf, t: u64) -> f64 {
    let lines = count_in(article, t);
    if lines > 1 {
        (lines as f64).ln() * idf.weight_of(t)
    } else {
        0.0
    }
}

fn length_norm(terms: usize) -> f64 {
    (terms as f64 + 3.0).sqrt()
}

/// Scores one article into `s.parts` and picks into `s.chosen`.
fn run(sentences: &[&str], title: Option<&str>, idf: &Idf, cfg: &SummaryConfig, s: &mut Scratch) {
    s.parts.clear();
    s.terms.clear();
    s.article.clear();
    s.title.clear();
    s.chosen.clear();
    if let Some(t) = title {
        s.title.extend(terms(t).map(term_hash));
        s.title.sort_unstable();
        s.title.dedup();
    }
    for line in sentences {
        let line = line.trim();
        let chars = line.chars().count();
        let kind = classify(line, chars, &s.title, cfg);
        let start = s.terms.len();
        s.terms.extend(terms(line).map(term_hash));
        s.terms[start..].sort_unstable();
        let mut end = start;
        for i in start..s.terms.len() {
            if i == start || s.terms[i] != s.terms[end - 1] {
                s.terms[end] = s.terms[i];
                end += 1;
            }
        }
        s.terms.truncate(end);
        s.parts.push(Parts {
            kind,
            candidate: kind == LineKind::Content,
            rank: 0,
            chars,
            position: 0.0,
            keywords: 0.0,
            figures: 0,
            number: 0.0,
            title: 0.0,
            quote: 0.0,
            connective: 0.0,
            short: 0.0,
            long: 0.0,
            terms: (start, end),
        });
    }
    if !s.parts.iter().any(|p| p.candidate) {
        for p in &mut s.parts {
            p.candidate = p.kind.fallback();
        }
    }
    // Keyword weights come from the candidate lines only: a byline's name or a
    // caption's place is not the article's topic.
    for p in s.parts.iter().filter(|p| p.candidate) {
        s.article.extend_from_slice(&s.terms[p.terms.0..p.terms.1]);
    }
    s.article.sort_unstable();
    let mut rank = 0;
    let mut max_keywords: f64 = 0.0;
    for (p, line) in s.parts.iter_mut().zip(sentences) {
        if !p.candidate {
            continue;
        }
        let line = line.trim();
        p.rank = rank;
        rank += 1;
        p.position = -cfg.position_weight * (1.0 + p.rank as f64).ln();
        let line_terms = &s.terms[p.terms.0..p.terms.1];
        let mass: f64 = line_terms
            .iter()
            .map(|&t| keyword_term(&s.article, idf, t))
            .sum();
        p.keywords = mass / length_norm(line_terms.len());
        max_keywords = max_keywords.max(p.keywords);
        p.figures = figures(line).count();
        p.number = cfg.number_weight * p.figures.min(cfg.figures_full) as f64
            / cfg.figures_full.max(1) as f64;
        if !s.title.is_empty() {
            let shared = line_terms
                .iter()
                .filter(|t| s.title.binary_search(t).is_ok())
                .count();
            p.title = cfg.title_weight * shared as f64 / s.title.len() as f64;
        }
        p.quote = cfg.quote_penalty * (quote_share(line, p.chars) / 0.5).min(1.0);
        if opens_with_connective(line) {
            p.connective = cfg.connective_penalty;
        }
        if p.chars < cfg.short_chars {
            p.short = cfg.short_penalty;
        }
        if p.chars > cfg.max_chars {
            p.long = cfg.long_penalty;
        }
    }
    s.keyword_scale = if max_keywords > 0.0 {
        cfg.keyword_weight / max_keywords
    } else {
        0.0
    };
    for p in s.parts.iter_mut().filter(|p| p.candidate) {
        p.keywords *= s.keyword_scale;
    }
    // Greedy maximal marginal relevance: each pick is the best line once its overlap
    // with the lines already picked is charged for. Ties go to the earlier line.
    while s.chosen.len() < cfg.lines_per_article {
        let mut best: Option<(usize, f64, f64)> = None;
        for (i, p) in s.parts.iter().enumerate() {
            if !p.candidate || s.chosen.iter().any(|&(j, _)| j == i) {
                continue;
            }
            let mine = &s.terms[p.terms.0..p.terms.1];
            let red = cfg.redundancy_weight
                * s.chosen
                    .iter()
                    .map(|&(j, _)| {
                        let q = &s.parts[j];
                        overlap(mine, &s.terms[q.terms.0..q.terms.1])
                    })
                    .fold(0.0, f64::max);
            let value = p.total() - red;
            if best.is_none_or(|(_, v, _)| value > v) {
                best = Some((i, value, red));
            }
        }
        let Some((i, _, red)) = best else { break };
        s.chosen.push((i, red));
    }
}

/// Scores every sentence and picks the best `lines_per_article`, in article order.
pub fn select(
    sentences: &[&str],
    title: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Selection {
    SCRATCH.with(|cell| {
        let mut s = cell.borrow_mut();
        run(sentences, title, idf, cfg, &mut s);
        let scores = s
            .parts
            .iter()
            .map(|p| {
                if p.candidate {
                    p.total()
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut picks: Vec<usize> = s.chosen.iter().map(|&(i, _)| i).collect();
        picks.sort_unstable();
        Selection { picks, scores }
    })
}

/// One keyword of a line and what it added to the line's score.
#[derive(Debug, Clone, Serialize)]
pub struct KeywordHit {
    pub term: String,
    pub weight: f64,
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
    pub position: f64,
    pub keywords: f64,
    /// The line's recurring keywords, heaviest first.
    pub keyword_hits: Vec<KeywordHit>,
    pub figures: Vec<String>,
    pub number: f64,
    pub title: f64,
    pub quote_penalty: f64,
    pub connective_penalty: f64,
    pub short_penalty: f64,
    pub long_penalty: f64,
    /// Penalty for repeating an earlier pick, as paid when this line was picked.
    pub redundancy_penalty: f64,
    pub text: String,
}

/// [`explain`]'s answer: one report per sentence, in article order.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub lines: Vec<LineReport>,
}

/// The selection of [`select`], line by line with every part of every score, for
/// `briefing explain` and for tuning `[summary]`.
pub fn explain(
    sentences: &[&str],
    title: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Explanation {
    SCRATCH.with(|cell| {
        let mut s = cell.borrow_mut();
        run(sentences, title, idf, cfg, &mut s);
        let lines = s
            .parts
            .iter()
            .zip(sentences)
            .enumerate()
            .map(|(index, (p, line))| {
                let line = line.trim();
                let chosen = s.chosen.iter().find(|&&(i, _)| i == index);
                let mut keyword_hits: Vec<KeywordHit> = Vec::new();
                if p.candidate {
                    let norm = length_norm(p.terms.1 - p.terms.0);
                    for term in terms(line) {
                        let weight =
                            keyword_term(&s.article, idf, term_hash(term)) * s.keyword_scale / norm;
                        if weight > 0.0 && !keyword_hits.iter().any(|h| h.term == term) {
                            keyword_hits.push(KeywordHit {
                                term: term.to_owned(),
                                weight,
                            });
                        }
                    }
                    keyword_hits.sort_by(|a, b| b.weight.total_cmp(&a.weight));
                }
                LineReport {
                    index,
                    kind: p.kind,
                    picked: chosen.is_some(),
                    score: p.candidate.then(|| p.total()),
                    rank: p.candidate.then_some(p.rank),
                    chars: p.chars,
                    position: p.position,
                    keywords: p.keywords,
                    keyword_hits,
                    figures: if p.candidate {
                        figures(line).map(str::to_owned).collect()
                    } else {
                        Vec::new()
                    },
                    number: p.number,
                    title: p.title,
                    quote_penalty: p.quote,
                    connective_penalty: p.connective,
                    short_penalty: p.short,
                    long_penalty: p.long,
                    redundancy_penalty: chosen.map_or(0.0, |&(_, r)| r),
                    text: line.to_owned(),
                }
            })
            .collect();
        Explanation { lines }
    })
}

impl fmt::Display for Explanation {
    /// One block per line: a header row of numbers, then the parts that are not zero,
    /// then the start of the text. Wide enough to read, narrow enough for a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>3} {:4} {:9} {:>7} {:>4}  {:>6} {:>6} {:>6} {:>6}  penalties",
            "#", "pick", "kind", "score", "rank", "pos", "kw", "num", "title"
        )?;
        for l in &self.lines {
            let score = l.score.map_or("-".to_owned(), |v| format!("{v:.3}"));
            let rank = l.rank.map_or("-".to_owned(), |r| r.to_string());
            let mut penalties = Vec::new();
            for (name, v) in [
                ("quote", l.quote_penalty),
                ("connective", l.connective_penalty),
                ("short", l.short_penalty),
                ("long", l.long_penalty),
                ("redundant", l.redundancy_penalty),
            ] {
                if v > 0.0 {
                    penalties.push(format!("{name} -{v:.2}"));
                }
            }
            writeln!(
                f,
                "{:>3} {:4} {:9} {:>7} {:>4}  {:>6.3} {:>6.3} {:>6.3} {:>6.3}  {}",
                l.index,
                if l.picked { "*" } else { "" },
                l.kind.label(),
                score,
                rank,
                l.position,
                l.keywords,
                l.number,
                l.title,
                penalties.join(", ")
            )?;
            if !l.keyword_hits.is_empty() {
                let hits: Vec<String> = l
                    .keyword_hits
                    .iter()
                    .take(6)
                    .map(|h| format!("{} {:.3}", h.term, h.weight))
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
