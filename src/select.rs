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

use crate::score::{figures, prefixes, scan, stem, term_hash, term_hashes, terms, Idf, Shape};

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
    /// tells the reader nothing new (maximal marginal relevance). At 1.0 a near-repeat
    /// of the first line falls behind the third content line.
    pub redundancy_weight: f64,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            lines_per_article: 3,
            position_weight: 1.0,
            keyword_weight: 0.1,
            number_weight: 0.05,
            figures_full: 2,
            title_weight: 0.1,
            quote_penalty: 0.5,
            connective_penalty: 0.2,
            short_chars: 30,
            short_penalty: 0.4,
            min_chars: 12,
            max_chars: 300,
            long_penalty: 0.4,
            redundancy_weight: 1.0,
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

/// What `line` is. `words` holds the [`word_marks`] of its words; `terms` counts its
/// distinct content words, `in_title` how many of them the title has: together they spot
/// subtitles that repeat the title.
fn classify(
    line: &str,
    scan: &Shape,
    words: u8,
    terms: usize,
    in_title: usize,
    cfg: &SummaryConfig,
) -> LineKind {
    let chars = scan.chars;
    // `무단` alone is no notice (`무단 투기` is illegal dumping): a word starting 무단 or
    // 재배포 only makes the line worth searching for the phrases.
    if scan.copyright_sign
        || words & COPYRIGHT_WORD != 0
        || (words & NOTICE_WORD != 0 && NOTICE_PHRASES.iter().any(|m| line.contains(m)))
    {
        return LineKind::Copyright;
    }
    if scan.at && chars < 60 && has_email(line) {
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
    if bare.starts_with("문의") || (scan.dash && chars < 40 && has_phone(line)) {
        return LineKind::Contact;
    }
    if prefixes(line, CAPTION_OPENERS).next().is_some()
        || (chars < 100
            && words & PHOTO_WORD != 0
            && CAPTION_MARKS.iter().any(|m| line.contains(m)))
    {
        return LineKind::Caption;
    }
    if scan.pipes >= 2 || scan.tab {
        return LineKind::TableRow;
    }
    if chars < cfg.min_chars {
        return LineKind::Fragment;
    }
    let end = sentence_end(line, chars);
    // `기간 : 1월 18일~30일`: a short label, a colon, a value, no verb.
    if end != End::Verbal && scan.colon {
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
    // A subtitle that restates the title adds nothing to it in a briefing.
    if terms > 0 && in_title * 10 >= terms * 8 {
        return LineKind::Heading;
    }
    LineKind::Content
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

/// What a word tells [`classify`] about its line: the scan hands over every word
/// anyway, and a check of its first bytes is far cheaper than a substring search of
/// every line.
fn word_marks(word: &str) -> u8 {
    let b = word.as_bytes();
    let mut marks = 0;
    // One byte rules out most words: `C`/`c`, or `EB`/`EC` (무, 재, 사) first; `사진`
    // last ends in `84`.
    match b.first() {
        Some(b'C' | b'c')
            if b.get(..9)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"copyright")) =>
        {
            marks |= COPYRIGHT_WORD;
        }
        Some(0xEB | 0xEC) => {
            if word.starts_with("무단") || word.starts_with("재배포") {
                marks |= NOTICE_WORD;
            }
            if word.starts_with("사진") {
                marks |= PHOTO_WORD;
            }
        }
        _ => {}
    }
    if b.last() == Some(&0x84) && word.ends_with("사진") {
        marks |= PHOTO_WORD;
    }
    marks
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
    /// Distinct content words of the line that the title has too.
    in_title: usize,
    position: f64,
    keywords: f64,
    figures: usize,
    number: f64,
    title: f64,
    quote: f64,
    connective: f64,
    short: f64,
    long: f64,
    /// Range of this line's distinct terms (as [`Terms`] ids) in `Scratch::terms`.
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
    /// Every line's distinct terms as ids of `article`, line after line.
    terms: Vec<u32>,
    article: Terms,
    /// Distinct content words of the title.
    title_terms: usize,
    /// Per line, its largest overlap with a picked line.
    overlap: Vec<f64>,
    /// Picks in pick order, with the redundancy penalty each one paid.
    chosen: Vec<(usize, f64)>,
    /// Factor turning a line's raw keyword mass into its share of `keyword_weight`.
    keyword_scale: f64,
    /// `ln(k)` at index `k`: ranks and line counts are small integers, and a logarithm
    /// per candidate line and per recurring term was a noticeable share of the selection.
    ln: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What the article knows about one of its terms.
#[derive(Debug, Clone, Copy)]
struct Term {
    hash: u64,
    /// Candidate lines holding the term.
    lines: u32,
    /// The last line (1-based) the term was seen in, so that a line lists it once.
    seen_in: u32,
    in_title: bool,
    /// The pick (1-based) whose terms were last marked with this one, for redundancy.
    mark: u32,
    /// Keyword weight, NaN until asked for.
    weight: f64,
}

/// The article's terms, interned: each distinct term gets a dense id and lines hold
/// ids, so that counting, weighting and comparing terms are array lookups. The hash
/// table is kept across articles (a `HashMap` per article would dominate the cost of
/// the selection) and emptied by bumping `epoch` rather than by clearing it.
#[derive(Default)]
struct Terms {
    /// Open addressing: (term hash, epoch, id); a slot from an older epoch is empty.
    slots: Vec<(u64, u32, u32)>,
    epoch: u32,
    terms: Vec<Term>,
}

impl Terms {
    fn reset(&mut self) {
        self.terms.clear();
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 || self.slots.is_empty() {
            // First use, or the epoch wrapped: old slots could look current.
            self.slots.clear();
            self.slots.resize(1024, (0, 0, 0));
            self.epoch = 1;
        }
    }

    /// Where `hash` lives or would go. [`term_hash`] mixes every bit into the low ones,
    /// so they index the table as they are.
    fn probe(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].1 == self.epoch && self.slots[i].0 != hash {
            i = (i + 1) & mask;
        }
        i
    }

    /// Always inlined: it runs for every content word of a dump, and as a call its
    /// overhead measured a few percent of the selection.
    #[inline(always)]
    fn intern(&mut self, hash: u64) -> u32 {
        let i = self.probe(hash);
        if self.slots[i].1 == self.epoch {
            return self.slots[i].2;
        }
        let id = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        self.slots[i] = (hash, self.epoch, id);
        self.terms.push(Term {
            hash,
            lines: 0,
            seen_in: 0,
            in_title: false,
            mark: 0,
            weight: f64::NAN,
        });
        if self.terms.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots.clear();
        self.slots.resize(size, (0, 0, 0));
        for (id, t) in self.terms.iter().enumerate() {
            let i = self.probe(t.hash);
            self.slots[i] = (t.hash, self.epoch, id as u32);
        }
    }

    fn find(&self, hash: u64) -> Option<u32> {
        let i = self.probe(hash);
        (self.slots[i].1 == self.epoch).then_some(self.slots[i].2)
    }

    /// A word that occurs in one line only says nothing about the article's topic; one
    /// that recurs does, the more the rarer it is in the rest of the dump.
    /// `ln` is [`Scratch::ln`], long enough for any line count.
    fn weight(&mut self, id: u32, idf: &Idf, ln: &[f64]) -> f64 {
        let t = &mut self.terms[id as usize];
        if t.weight.is_nan() {
            t.weight = if t.lines > 1 {
                ln[t.lines as usize] * idf.weight_of(t.hash)
            } else {
                0.0
            };
        }
        t.weight
    }
}

/// Divides a line's keyword mass so that long lines do not win on length alone, nor
/// short ones on a single hit.
fn length_norm(terms: usize) -> f64 {
    (terms as f64 + 3.0).sqrt()
}

/// Scores one article into `s.parts` and picks into `s.chosen`.
fn run(sentences: &[&str], title: Option<&str>, idf: &Idf, cfg: &SummaryConfig, s: &mut Scratch) {
    s.parts.clear();
    s.terms.clear();
    s.chosen.clear();
    s.article.reset();
    s.title_terms = 0;
    // Ranks go up to the line count less one, and line counts up to the line count.
    while s.ln.len() <= sentences.len() {
        s.ln.push((s.ln.len() as f64).ln());
    }
    if let Some(t) = title {
        let (article, count) = (&mut s.article, &mut s.title_terms);
        term_hashes(t, |h| {
            let id = article.intern(h) as usize;
            let term = &mut article.terms[id];
            *count += usize::from(!term.in_title);
            term.in_title = true;
        });
    }
    // One pass per line gives its terms (each once) and its shape; the form of the line
    // then says what it is.
    let mut any_content = false;
    for (n, line) in (1u32..).zip(sentences) {
        let line = line.trim();
        let start = s.terms.len();
        let mut in_title = 0;
        let mut words = 0;
        let (article, terms) = (&mut s.article, &mut s.terms);
        let shape = scan(line, |w| {
            words |= word_marks(w);
            let Some((_, h)) = stem(w) else { return };
            let id = article.intern(h);
            let term = &mut article.terms[id as usize];
            if term.seen_in != n {
                term.seen_in = n;
                in_title += usize::from(term.in_title);
                terms.push(id);
            }
        });
        let end = s.terms.len();
        let kind = classify(line, &shape, words, end - start, in_title, cfg);
        any_content |= kind == LineKind::Content;
        s.parts.push(Parts {
            kind,
            candidate: kind == LineKind::Content,
            rank: 0,
            chars: shape.chars,
            in_title,
            position: 0.0,
            keywords: 0.0,
            figures: shape.figures,
            number: 0.0,
            title: 0.0,
            quote: shape.quote_share(),
            // Judged here, where the line is trimmed already; kept for candidates only.
            connective: if opens_with_connective(line) {
                cfg.connective_penalty
            } else {
                0.0
            },
            short: 0.0,
            long: 0.0,
            terms: (start, end),
        });
    }
    if !any_content {
        for p in &mut s.parts {
            p.candidate = p.kind.fallback();
        }
    }
    // Keyword weights come from the candidate lines only: a byline's name or a
    // caption's place is not the article's topic.
    for p in s.parts.iter().filter(|p| p.candidate) {
        for &t in &s.terms[p.terms.0..p.terms.1] {
            s.article.terms[t as usize].lines += 1;
        }
    }
    let mut rank = 0;
    let mut max_keywords: f64 = 0.0;
    for p in &mut s.parts {
        if !p.candidate {
            p.quote = 0.0;
            p.connective = 0.0;
            continue;
        }
        p.rank = rank;
        rank += 1;
        p.position = -cfg.position_weight * s.ln[p.rank + 1];
        let line_terms = &s.terms[p.terms.0..p.terms.1];
        let mass: f64 = line_terms
            .iter()
            .map(|&t| s.article.weight(t, idf, &s.ln))
            .sum();
        p.keywords = mass / length_norm(line_terms.len());
        max_keywords = max_keywords.max(p.keywords);
        p.number = cfg.number_weight * p.figures.min(cfg.figures_full) as f64
            / cfg.figures_full.max(1) as f64;
        if s.title_terms > 0 {
            p.title = cfg.title_weight * p.in_title as f64 / s.title_terms as f64;
        }
        p.quote = cfg.quote_penalty * (p.quote / 0.5).min(1.0);
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
    // with the lines already picked is charged for. Ties go to the earlier line. Each
    // round compares the lines with the newest pick only, keeping the running maximum.
    s.overlap.clear();
    s.overlap.resize(s.parts.len(), 0.0);
    while s.chosen.len() < cfg.lines_per_article {
        let mut best: Option<(usize, f64)> = None;
        for (i, p) in s.parts.iter().enumerate() {
            if !p.candidate || s.chosen.iter().any(|&(j, _)| j == i) {
                continue;
            }
            let value = p.total() - cfg.redundancy_weight * s.overlap[i];
            if best.is_none_or(|(_, v)| value > v) {
                best = Some((i, value));
            }
        }
        let Some((i, _)) = best else { break };
        s.chosen.push((i, cfg.redundancy_weight * s.overlap[i]));
        if s.chosen.len() == cfg.lines_per_article || cfg.redundancy_weight == 0.0 {
            break;
        }
        let mark = s.chosen.len() as u32;
        let (a, b) = s.parts[i].terms;
        for &t in &s.terms[a..b] {
            s.article.terms[t as usize].mark = mark;
        }
        for (j, p) in s.parts.iter().enumerate() {
            let line = &s.terms[p.terms.0..p.terms.1];
            if p.candidate && !line.is_empty() && b > a {
                // Shared terms over the smaller set.
                let shared = line
                    .iter()
                    .filter(|&&t| s.article.terms[t as usize].mark == mark)
                    .count();
                let o = shared as f64 / line.len().min(b - a) as f64;
                s.overlap[j] = s.overlap[j].max(o);
            }
        }
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
                    let scale = s.keyword_scale;
                    for term in terms(line) {
                        // Every term of a candidate line was weighed by `run`.
                        let weight = s
                            .article
                            .find(term_hash(term))
                            .map_or(0.0, |id| s.article.terms[id as usize].weight)
                            * scale
                            / norm;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str, title: Option<&str>) -> LineKind {
        let idf = Idf::default();
        let e = explain(&[line], title, &idf, &SummaryConfig::default());
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
                "subtitle with a broken middle dot",
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
            "“장 보기가 겁난다. 채소값이 너무 올랐다”고 한 주부는 말했다.",
        ]
    }

    #[test]
    fn picks_content_lines_skipping_repeats_and_quotes() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str(), "정부 예산 발표", "축제 개막"]);
        let sel = select(
            &lines,
            Some("소비자물가 2.1% 올라"),
            &idf,
            &SummaryConfig::default(),
        );
        // Not the subtitle or the byline; not the line that repeats the first pick; not
        // the quote at the end.
        assert_eq!(sel.picks, vec![2, 4, 5]);
        assert_eq!(sel.scores.len(), lines.len());
        assert!(sel.scores[1].is_infinite());
    }

    #[test]
    fn fewer_lines_than_asked_gives_what_there_is() {
        let idf = Idf::default();
        let lines = ["시는 다음 달 공원을 개장한다."];
        let sel = select(&lines, None, &idf, &SummaryConfig::default());
        assert_eq!(sel.picks, vec![0]);
        let none = select(&[], None, &idf, &SummaryConfig::default());
        assert!(none.picks.is_empty());
    }

    #[test]
    fn explain_shows_every_part() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str()]);
        let e = explain(&lines, None, &idf, &SummaryConfig::default());
        assert_eq!(e.lines.len(), lines.len());
        let lead = &e.lines[2];
        assert!(lead.picked);
        assert_eq!(lead.figures, vec!["1년", "2.1%", "5일"]);
        assert!(lead.keyword_hits.iter().any(|h| h.term == "통계청"));
        assert!(e.lines[6].quote_penalty > 0.0);
        assert!(!e.lines[3].picked);
        let text = e.to_string();
        assert!(text.contains("byline"), "{text}");
        assert!(text.contains("figures: 1년, 2.1%, 5일"), "{text}");
        assert!(text.contains("quote -"), "{text}");
        let json = serde_json::to_value(&e).expect("explanation serialises");
        assert_eq!(json["lines"][1]["kind"], "byline");
    }
}
