//! Dump text -> [`Article`]s.
//!
//! A dump is a header line (`최신기사`), runs of `-` separator lines, then per article a
//! title line, a body line and a `YYYY-MM-DD HH:MM:SS` time stamp in Korea time,
//! optionally followed by a line holding the article's http(s) URL. Real
//! dumps are messier, so the parser keys on what is unambiguous: a separator or a time
//! stamp ends an article, the first line of an article is its title, and everything
//! between is its body. Missing bodies and time stamps, blank lines and repeated
//! articles are tolerated; a file that is not a dump at all is an error naming it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Asia::Seoul;
use chrono_tz::Tz;

use crate::split::split;

/// The header line most dumps start with.
const HEADER: &str = "최신기사";
/// Opens each story of a round-up article.
const ROUNDUP_MARK: char = '◆';

/// One article, or one story of a round-up article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The title without its label; for a round-up story, the story's headline.
    pub title: String,
    /// A title's leading `[label]` (e.g. `기자수첩`), without brackets.
    pub label: Option<String>,
    /// May be empty: some dumps carry titles only.
    pub body: String,
    /// Korea time, as the dump gives it.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// For a story of a round-up: the round-up's own title.
    pub roundup: Option<String>,
    /// 1-based line of the title in the dump, for messages.
    pub line: usize,
    /// The original, for the reader who wants the whole article: the dump's `URL` line
    /// or the feed item's link; only ever an http(s) URL ([`web_url`]).
    pub url: Option<String>,
    /// Who published it, named beside the time: the JSON line's own `outlet`, else the
    /// source's `name`.
    pub outlet: Option<String>,
}

impl Article {
    /// The top of the body, where a news article states its news: what the rank and the
    /// day at a glance read, so that a day of thirty thousand articles costs a fraction
    /// of reading them whole. Cut at a char boundary.
    pub fn head(&self) -> &str {
        match self.body.char_indices().nth(HEAD_CHARS) {
            Some((end, _)) => &self.body[..end],
            None => &self.body,
        }
    }
}

/// Characters of [`Article::head`]: a lead paragraph and the one after it.
const HEAD_CHARS: usize = 600;

#[cfg(test)]
impl Article {
    /// An article with no time, round-up or line of its own: what most unit tests need.
    pub fn of(title: &str, label: Option<&str>, body: &str) -> Article {
        Article {
            title: title.into(),
            label: label.map(Into::into),
            body: body.into(),
            published_at: None,
            roundup: None,
            line: 1,
            url: None,
            outlet: None,
        }
    }
}

/// `url` when it is an http(s) URL (trimmed): the only kind a reader's click may open.
/// A `javascript:` or `data:` link from a feed must never reach an `href`.
pub fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let web = scheme.starts_with("http://") || scheme.starts_with("https://");
    (web && url.len() > scheme.find("//").unwrap_or(0) + 2 && !url.contains(char::is_whitespace))
        .then(|| url.to_owned())
}

/// A briefing dated further than this from its newest article is probably built under a
/// wrong clock, or from the wrong dump: worth a warning, not a refusal (a dump may be
/// late on a holiday).
const ARTICLE_DAYS: i64 = 2;

/// Warns when the briefing of `date` is more than two days from its newest article (by
/// the dates in `tz`): a clock a day fast or slow, or a stale or future dump, sends the
/// news under the wrong date. True when it warned.
pub fn warn_if_far_from_articles(date: NaiveDate, tz: Tz, articles: &[Article]) -> bool {
    let Some(newest) = articles.iter().filter_map(|a| a.published_at).max() else {
        return false;
    };
    let article_date = newest.with_timezone(&tz).date_naive();
    let days = (date - article_date).num_days();
    if days.abs() <= ARTICLE_DAYS {
        return false;
    }
    tracing::warn!(
        "the briefing of {date} carries articles of {article_date} at the newest ({} days {}): \
         is the clock or the dump wrong?",
        days.abs(),
        if days > 0 { "older" } else { "newer" }
    );
    true
}

/// Why a file is not a dump.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DumpError {
    #[error("{origin}: the file is empty")]
    Empty { origin: String },
    #[error("{origin}: binary data, not a text dump (control byte at line {line})")]
    Binary { origin: String, line: usize },
    #[error("{origin}: an HTML page, not a text dump (an error page from the server?)")]
    Html { origin: String },
    #[error("{origin}: no article found (expected a title line, a body line and a `YYYY-MM-DD HH:MM:SS` line, separated by `-` lines)")]
    NoArticles { origin: String },
}

/// Parses dump `text`; `origin` (a path or URL) names it in errors.
///
/// A dump with its header but no article is not an error: it is an empty news day,
/// and the caller decides what an empty briefing means.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Article>, DumpError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(DumpError::Empty {
            origin: origin.into(),
        });
    }
    if let Some(line) = control_byte_line(text) {
        return Err(DumpError::Binary {
            origin: origin.into(),
            line,
        });
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with("<?xml") {
        return Err(DumpError::Html {
            origin: origin.into(),
        });
    }

    let mut parser = Parser::default();
    for (n, line) in text.lines().enumerate() {
        parser.line(n + 1, line.trim());
    }
    parser.end_block(None);
    if !parser.saw_structure {
        return Err(DumpError::NoArticles {
            origin: origin.into(),
        });
    }
    Ok(parser.articles)
}

#[derive(Default)]
struct Parser<'a> {
    block: Vec<(usize, &'a str)>,
    articles: Vec<Article>,
    /// A header, separator or time stamp was seen: the file is a dump, maybe empty.
    saw_structure: bool,
    /// Where the first plain article of each (label, title) key stands in `articles`:
    /// a dump repeats articles, and comparing each with every earlier one made a big
    /// dump quadratic.
    plain: HashMap<TitleKey, usize>,
    /// Round-ups as they stood in the dump (label, title key, body), to drop repeats.
    roundups: HashSet<(TitleKey, String)>,
    seen_first_line: bool,
    /// The articles the last line's time stamp ended: a URL line right after it is
    /// theirs. Anything else in between, and a URL line is body text.
    stamped: std::ops::Range<usize>,
}

impl<'a> Parser<'a> {
    fn line(&mut self, n: usize, line: &'a str) {
        if line.is_empty() {
            return;
        }
        let first = !std::mem::replace(&mut self.seen_first_line, true);
        let stamped = std::mem::take(&mut self.stamped);
        if !stamped.is_empty() && self.block.is_empty() {
            if let Some(url) = web_url(line) {
                for article in &mut self.articles[stamped] {
                    article.url.get_or_insert_with(|| url.clone());
                }
                return;
            }
        }
        if first && line == HEADER {
            self.saw_structure = true;
        } else if is_separator(line) {
            self.saw_structure = true;
            self.end_block(None);
        } else if looks_like_timestamp(line) {
            self.saw_structure = true;
            self.stamped = self.end_block(Some((n, line)));
        } else {
            self.block.push((n, line));
        }
    }

    /// Ends the article being read; returns where the articles it became (or was
    /// merged into) stand in `articles`.
    fn end_block(&mut self, stamp: Option<(usize, &str)>) -> std::ops::Range<usize> {
        let block = std::mem::take(&mut self.block);
        let Some(&(line, title)) = block.first() else {
            if let Some((n, _)) = stamp {
                tracing::warn!("line {n}: a time stamp with no article before it, ignored");
            }
            return 0..0;
        };
        let published_at = stamp.and_then(|(n, s)| {
            let parsed = parse_timestamp(s);
            if parsed.is_none() {
                tracing::warn!("line {n}: {s:?} is not a valid date and time, ignored");
            }
            parsed
        });
        let body: Vec<&str> = block[1..].iter().map(|&(_, l)| l).collect();
        let (label, title) = split_label(title);
        let article = Article {
            title: title.to_owned(),
            label: label.map(str::to_owned),
            body: body.join("\n"),
            published_at,
            roundup: None,
            line,
            url: None,
            outlet: None,
        };
        let key = title_key(&article);
        if let Some(merged) = self.merge_duplicate(&key, &article) {
            return merged;
        }
        let stories = expand_roundup(&article);
        let start = self.articles.len();
        if stories.is_empty() {
            self.plain.entry(key).or_insert(start);
            self.articles.push(article);
        } else {
            self.roundups.insert((key, article.body));
            self.articles.extend(stories);
        }
        start..self.articles.len()
    }

    /// Keeps one copy of a repeated article, filling in what the first copy lacked;
    /// returns where that copy stands (nowhere for a repeated round-up), or `None` when
    /// `new` is no repeat.
    fn merge_duplicate(&mut self, key: &TitleKey, new: &Article) -> Option<std::ops::Range<usize>> {
        let Some(&at) = self.plain.get(key) else {
            return self
                .roundups
                .contains(&(key.clone(), new.body.clone()))
                .then_some(0..0);
        };
        let old = &mut self.articles[at];
        if !(old.body == new.body || old.body.is_empty() || new.body.is_empty()) {
            return None;
        }
        tracing::debug!(
            "line {}: repeats the article at line {}",
            new.line,
            old.line
        );
        if old.body.is_empty() && !new.body.is_empty() {
            let (line, stamp) = (old.line, old.published_at.or(new.published_at));
            let url = old.url.take();
            *old = new.clone();
            old.line = line;
            old.published_at = stamp;
            old.url = url;
        }
        old.published_at = old.published_at.or(new.published_at);
        Some(at..at + 1)
    }
}

/// Which articles are copies of each other: the label and the title with its
/// whitespace runs made one space, as copies of one article differ in spacing.
type TitleKey = (Option<String>, String);

fn title_key(article: &Article) -> TitleKey {
    let mut title = String::with_capacity(article.title.len());
    for word in article.title.split_whitespace() {
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    (article.label.clone(), title)
}

/// A round-up article becomes one article per `◆` story, each titled by its headline;
/// any other article gives an empty list.
fn expand_roundup(article: &Article) -> Vec<Article> {
    let starts: Vec<usize> = article
        .body
        .match_indices(ROUNDUP_MARK)
        .map(|(i, _)| i)
        .filter(|&i| {
            i == 0
                || article.body[..i]
                    .trim_end()
                    .ends_with(['.', '!', '?', '"', '”', '’', '…'])
        })
        .collect();
    if !(starts.first() == Some(&0) || starts.len() >= 2) {
        return Vec::new();
    }
    // Each story copies only its own text: a copy of the whole body per story made a
    // big round-up quadratic.
    let story = |title: &str, body: &str| Article {
        title: title.to_owned(),
        label: article.label.clone(),
        body: body.to_owned(),
        published_at: article.published_at,
        roundup: Some(article.title.clone()),
        line: article.line,
        url: None,
        outlet: None,
    };
    let mut stories = Vec::with_capacity(starts.len() + 1);
    let intro = article.body[..starts[0]].trim();
    if !intro.is_empty() {
        stories.push(story(&article.title, intro));
    }
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(article.body.len());
        let text = article.body[start..end].trim();
        // The splitter cuts a headline off the story's first sentence.
        let headline = split(text).first().copied().unwrap_or(text);
        let rest_at = headline.as_ptr() as usize - text.as_ptr() as usize + headline.len();
        let title = headline.trim_start_matches(ROUNDUP_MARK).trim();
        stories.push(story(title, text[rest_at..].trim()));
    }
    stories
}

/// `[기자수첩] 제목` -> (`기자수첩`, `제목`).
pub(crate) fn split_label(title: &str) -> (Option<&str>, &str) {
    if let Some(rest) = title.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let label = rest[..end].trim();
            let title = rest[end + 1..].trim();
            if !label.is_empty() && !title.is_empty() {
                return (Some(label), title);
            }
        }
    }
    (None, title)
}

fn is_separator(line: &str) -> bool {
    line.chars().all(|c| matches!(c, '-' | '─' | '—' | '=')) && !line.is_empty()
}

/// Whether `text` has a dump's shape: its header first, or a separator or time stamp
/// line somewhere; what `format = "auto"` takes for a dump.
pub fn looks_like_dump(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines
        .next()
        .is_some_and(|first| first == HEADER || is_separator(first) || looks_like_timestamp(first))
        || lines.any(|l| is_separator(l) || looks_like_timestamp(l))
}

/// The shape `YYYY-MM-DD HH:MM(:SS)`, valid or not: a malformed stamp still ends its
/// article rather than becoming part of the next one's title.
fn looks_like_timestamp(line: &str) -> bool {
    let b = line.as_bytes();
    (b.len() == 19 || b.len() == 16)
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b' ' || c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
}

pub(crate) fn parse_timestamp(line: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(line, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(line, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(line, "%Y-%m-%d %H:%M"))
        .ok()?;
    Seoul
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.fixed_offset())
}

/// The line of the first control byte that text never holds (tabs, line ends and
/// form feeds aside): a sign of a binary file decoded as text.
fn control_byte_line(text: &str) -> Option<usize> {
    let at = text
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))?;
    Some(
        text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn titles(articles: &[Article]) -> Vec<&str> {
        articles.iter().map(|a| a.title.as_str()).collect()
    }

    #[test]
    fn a_url_line_right_after_the_time_stamp_is_the_articles_link() {
        let text = "최신기사\n---\n항구 새 단장\n항구가 새로 단장했다.\n2026-12-01 06:00:00\nhttps://항구.example/1\n---\n\
            시장 소식\nhttp://시장.example/본문에-있는-주소 이 줄은 본문이다.\n2026-12-01 06:10:00\n---\n\
            첫 소식\n첫 소식의 본문이다.\n2026-12-01 06:20:00\n첫 소식\n첫 소식의 본문이다.\n2026-12-01 06:20:00\nhttps://나중.example/2\n---\n\
            주소 없음\n본문이다.\n2026-12-01 06:30:00\njavascript:alert(1)\n다음 제목\n다음 본문.\n";
        let articles = parse(text, "t").unwrap();
        let got: Vec<(&str, Option<&str>)> = articles
            .iter()
            .map(|a| (a.title.as_str(), a.url.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("항구 새 단장", Some("https://항구.example/1")),
                ("시장 소식", None),
                // A repeat's URL fills in the first copy's.
                ("첫 소식", Some("https://나중.example/2")),
                ("주소 없음", None),
                // Not a web URL: the next article's title, as before.
                ("javascript:alert(1)", None),
            ]
        );
        assert_eq!(
            articles[1].body,
            "http://시장.example/본문에-있는-주소 이 줄은 본문이다."
        );
    }

    #[test]
    fn parses_the_usual_layout_with_labels_and_times() {
        let text = "최신기사\n-\n-\n[기자수첩] 물가 잡기의 민낯\n물가가 올랐다. 정부는 대책을 냈다.\n2025-09-07 10:47:15\n-\n두 번째 기사\n본문이다.\n2025-09-06 21:23:41\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(titles(&a), ["물가 잡기의 민낯", "두 번째 기사"]);
        assert_eq!(a[0].label.as_deref(), Some("기자수첩"));
        assert_eq!(a[0].body, "물가가 올랐다. 정부는 대책을 냈다.");
        assert_eq!(
            a[0].published_at.unwrap().to_rfc3339(),
            "2025-09-07T10:47:15+09:00"
        );
        assert_eq!((a[0].line, a[1].line), (4, 8));
        assert_eq!(a[1].label, None);
    }

    #[test]
    fn tolerates_missing_parts_blank_lines_and_duplicates() {
        let text = "\u{feff}최신기사\r\n\r\n-\r\n제목만 있는 기사\r\n-\r\n시간이 없는 기사\r\n본문.\r\n---\r\n\r\n같은 기사\r\n같은 본문.\r\n2025-09-07 09:00:00\r\n-\r\n같은 기사\r\n같은 본문.\r\n2025-09-07 09:00:00\r\n붙어 온 기사\r\n본문이다.\r\n2025-13-45 99:00:00\r\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(
            titles(&a),
            [
                "제목만 있는 기사",
                "시간이 없는 기사",
                "같은 기사",
                "붙어 온 기사"
            ]
        );
        assert_eq!(a[0].body, "");
        assert_eq!(a[1].published_at, None);
        assert!(a[2].published_at.is_some());
        assert_eq!(a[3].published_at, None, "an invalid stamp is dropped");
    }

    #[test]
    fn a_copy_with_a_body_replaces_a_title_only_copy() {
        let text =
            "최신기사\n-\n속보 제목\n2025-09-07 09:00:00\n-\n속보 제목\n이제 본문이 있다.\n-\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].body, "이제 본문이 있다.");
        assert!(
            a[0].published_at.is_some(),
            "keeps the time the first copy had"
        );
    }

    #[test]
    fn roundup_becomes_one_article_per_story() {
        let text = "최신기사\n-\n[바이오 포커스] 첫 소식 외\n◆가나제약, 신약 임상 3상 돌입…해외 공략 가나제약이 지난 2일 임상을 시작했다. 결과는 내년에 나온다. ◆다라바이오, 수출 계약 체결 다라바이오는 3일 계약을 맺었다.\n2025-09-07 09:00:00\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].title, "가나제약, 신약 임상 3상 돌입…해외 공략");
        assert_eq!(
            a[0].body,
            "가나제약이 지난 2일 임상을 시작했다. 결과는 내년에 나온다."
        );
        assert_eq!(a[0].roundup.as_deref(), Some("첫 소식 외"));
        assert_eq!(a[0].label.as_deref(), Some("바이오 포커스"));
        assert_eq!(a[1].title, "다라바이오, 수출 계약 체결");
        assert_eq!(a[1].body, "다라바이오는 3일 계약을 맺었다.");
    }

    #[test]
    fn a_bullet_inside_a_sentence_is_not_a_roundup() {
        let text = "최신기사\n-\n제목\n발표 기업은 ◆가나 ◆다라 등이다.\n2025-09-07 09:00:00\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn files_that_are_not_dumps_are_errors_naming_the_file() {
        let cases = [
            ("", "x.txt: the file is empty"),
            ("  \n\n", "x.txt: the file is empty"),
            (
                "최신기사\n\u{1}\u{2}PK",
                "x.txt: binary data, not a text dump (control byte at line 2)",
            ),
            (
                "<!DOCTYPE html><html><body>502</body></html>",
                "x.txt: an HTML page",
            ),
            ("그냥 한 줄짜리 메모", "x.txt: no article found"),
        ];
        for (text, want) in cases {
            let err = parse(text, "x.txt").unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
    }

    /// Counts the bytes each thread allocates, so a test can weigh the work of a parse
    /// without timing it.
    struct Counting;

    thread_local! {
        static ALLOCATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    // SAFETY: every call is passed on unchanged to the system allocator; the count is a
    // const-initialised thread-local, which needs no allocation of its own.
    unsafe impl std::alloc::GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
            let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
            unsafe { std::alloc::System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
            unsafe { std::alloc::System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(
            &self,
            ptr: *mut u8,
            layout: std::alloc::Layout,
            new_size: usize,
        ) -> *mut u8 {
            let _ = ALLOCATED.try_with(|n| n.set(n.get() + new_size));
            unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    fn allocated() -> usize {
        ALLOCATED.with(std::cell::Cell::get)
    }

    /// A dump of one round-up article with `stories` stories on one body line.
    fn roundup_dump(stories: usize) -> String {
        let mut text = String::from("최신기사\n-\n[지역 소식] 오늘의 지역 소식\n");
        for k in 0..stories {
            text.push_str(&format!(
                "◆마루시{k}, 새 도서관 개관…주민 반겨 마루시{k}는 어제 도서관 문을 열었다. 책은 3만 권이다. "
            ));
        }
        text.push_str("\n2025-09-07 09:00:00\n");
        text
    }

    #[test]
    fn a_roundup_costs_work_in_proportion_to_its_size() {
        // Bytes allocated per byte of dump must not grow with the number of stories: a
        // copy of the whole body per story made 10 MB round-ups take minutes.
        let per_byte = |stories: usize| {
            let text = roundup_dump(stories);
            let before = allocated();
            let a = parse(&text, "big.txt").unwrap();
            let used = allocated() - before;
            assert_eq!(a.len(), stories);
            let last = &a[stories - 1];
            assert_eq!(
                last.title,
                format!("마루시{}, 새 도서관 개관…주민 반겨", stories - 1)
            );
            assert_eq!(
                last.body,
                format!(
                    "마루시{}는 어제 도서관 문을 열었다. 책은 3만 권이다.",
                    stories - 1
                )
            );
            assert_eq!(last.roundup.as_deref(), Some("오늘의 지역 소식"));
            used as f64 / text.len() as f64
        };
        let (small, big) = (per_byte(50), per_byte(2000));
        assert!(
            big < small * 1.5,
            "{small:.1} bytes allocated per dump byte for 50 stories, {big:.1} for 2000"
        );
    }

    #[test]
    fn copies_differing_in_spacing_are_one_article() {
        let text = "최신기사\n-\n항구  축제 개막\n본문이다.\n-\n항구 축제   개막\n본문이다.\n2025-09-07 09:00:00\n";
        let a = parse(text, "t.txt").unwrap();
        assert_eq!(titles(&a), ["항구  축제 개막"]);
        assert!(a[0].published_at.is_some(), "the copy's time stamp is kept");
    }

    #[test]
    fn many_articles_and_their_repeats_merge() {
        let mut text = String::from("최신기사\n");
        for round in 0..2 {
            for k in 0..3000 {
                let body = if round == 0 && k % 2 == 0 {
                    ""
                } else {
                    "본문이다."
                };
                text.push_str(&format!("-\n소식 {k}\n{body}\n2025-09-07 09:00:00\n"));
            }
        }
        let a = parse(&text, "t.txt").unwrap();
        assert_eq!(a.len(), 3000);
        assert!(a.iter().all(|x| x.body == "본문이다."));
        assert_eq!((a[0].line, a[2999].title.as_str()), (3, "소식 2999"));
        let repeated = roundup_dump(3).replace("최신기사\n", "");
        let twice = format!("최신기사\n{repeated}-\n{repeated}");
        assert_eq!(
            parse(&twice, "t.txt").unwrap().len(),
            3,
            "a repeated round-up is dropped"
        );
    }

    /// What a parse of any input must give: articles pointing at lines of the input,
    /// or an error naming the input (and, for a binary file, a line of it).
    fn check_parse(text: &str) -> Result<(), TestCaseError> {
        let lines = text.lines().count();
        match parse(text, "prop.txt") {
            Ok(articles) => {
                for a in &articles {
                    prop_assert!(a.line >= 1 && a.line <= lines, "line {} of {lines}", a.line);
                }
            }
            Err(e) => {
                prop_assert!(e.to_string().starts_with("prop.txt: "), "{e}");
                if let DumpError::Binary { line, .. } = e {
                    prop_assert!(line >= 1 && line <= lines.max(1), "line {line} of {lines}");
                }
            }
        }
        Ok(())
    }

    /// Dump-shaped text: the lines and pieces the parser keys on, in any order.
    fn dumpish() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "최신기사",
            "-",
            "---",
            "─",
            "=",
            "2025-09-07 09:00:00",
            "2025-09-07T09:00:00",
            "2025-13-45 99:00:00",
            "2025-09-07 09:00",
            "[속보] 항구에 배가 들어왔다",
            "[]",
            "[라벨]",
            "본문이다. 배는 오후에 떠났다.",
            "◆",
            "◆나래호, 첫 출항…주민 환송 나래호는 어제 떠났다.",
            "발표 기업은 ◆가나 ◆다라 등이다.",
            "<!DOCTYPE html>",
            "\u{feff}",
            "\u{1}",
            " ",
            "\t",
            "",
        ]);
        let line = prop::collection::vec(piece, 0..4).prop_map(|v| v.concat());
        let ending = prop::sample::select(vec!["\n", "\r\n", "\r"]);
        prop::collection::vec((line, ending), 0..30)
            .prop_map(|v| v.into_iter().map(|(l, e)| l + e).collect())
    }

    /// Bytes the way a server may send them: raw, behind a BOM, or dump-shaped text
    /// in UTF-16 or EUC-KR.
    fn dump_bytes() -> impl Strategy<Value = Vec<u8>> {
        let bom = prop::sample::select(vec![
            &b""[..],
            &b"\xEF\xBB\xBF"[..],
            &b"\xFF\xFE"[..],
            &b"\xFE\xFF"[..],
        ]);
        prop_oneof![
            (bom, prop::collection::vec(any::<u8>(), 0..600))
                .prop_map(|(bom, bytes)| [bom, &bytes].concat()),
            dumpish().prop_map(|t| encoding_rs::EUC_KR.encode(&t).0.into_owned()),
            dumpish().prop_map(|t| {
                [0xFF, 0xFE]
                    .into_iter()
                    .chain(t.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect()
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text_parses_or_names_the_file(text in any::<String>()) {
            check_parse(&text)?;
        }

        #[test]
        fn dump_shaped_text_parses_or_names_the_file(text in dumpish()) {
            check_parse(&text)?;
        }

        #[test]
        fn any_bytes_decode_and_parse_or_name_the_file(bytes in dump_bytes()) {
            match crate::fetch::decode(&bytes, "prop.txt") {
                Ok(fetched) => {
                    if fetched.encoding == "UTF-8" {
                        let raw = std::str::from_utf8(&bytes).expect("UTF-8 came from UTF-8");
                        prop_assert_eq!(&fetched.text, raw.strip_prefix('\u{feff}').unwrap_or(raw));
                    }
                    check_parse(&fetched.text)?;
                }
                Err(e) => prop_assert!(e.to_string().starts_with("prop.txt: "), "{e}"),
            }
        }
    }

    #[test]
    fn a_header_alone_is_an_empty_news_day() {
        assert_eq!(parse("최신기사\n-\n-\n", "x.txt").unwrap(), vec![]);
    }

    fn article(stamp: Option<&str>) -> Article {
        Article {
            title: "시험 기사".into(),
            label: None,
            body: "시험용 문장이다.".into(),
            published_at: stamp.map(|s| DateTime::parse_from_rfc3339(s).unwrap()),
            roundup: None,
            line: 1,
            url: None,
            outlet: None,
        }
    }

    #[test]
    fn a_briefing_far_from_its_newest_article_is_warned_about() {
        let seoul = chrono_tz::Asia::Seoul;
        let date = NaiveDate::from_ymd_opt(2025, 9, 9).unwrap();
        let articles =
            |stamps: &[&str]| -> Vec<Article> { stamps.iter().map(|s| article(Some(s))).collect() };
        // The newest counts, by its date in Seoul: 23:30 UTC on the 6th is the 7th there,
        // two days before; 14:00 UTC on the 6th is still the 6th, three days before.
        assert!(!warn_if_far_from_articles(
            date,
            seoul,
            &articles(&["2025-09-01T10:00:00+09:00", "2025-09-06T23:30:00Z"])
        ));
        assert!(warn_if_far_from_articles(
            date,
            seoul,
            &articles(&["2025-09-06T14:00:00Z"])
        ));
        assert!(warn_if_far_from_articles(
            date,
            seoul,
            &articles(&["2025-09-12T07:00:00+09:00"])
        ));
        assert!(!warn_if_far_from_articles(
            date,
            seoul,
            &articles(&["2025-09-11T23:59:00+09:00"])
        ));
        assert!(!warn_if_far_from_articles(date, seoul, &[article(None)]));
        assert!(!warn_if_far_from_articles(date, seoul, &[]));
    }
}
