//! One source's text -> [`Article`]s, whatever its format: our dump ([`crate::dump`]),
//! JSON lines from a scraper, or a news site's RSS or Atom feed.
//!
//! Feed items carry HTML; the splitter and the email want plain sentences, so the markup
//! is read by a real HTML parser (scraper, on html5ever) rather than cut out with
//! patterns: entities are decoded, `<script>` and `<style>` text never becomes news,
//! and a block element (`<p>`, `<br>`, `<li>`, …) ends a line, as a paragraph does in a
//! dump. Every time stamp becomes Korea time, as the dump gives it, so that the
//! articles of several sources compare and show alike.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Asia::Seoul;
use serde::Deserialize;

use crate::config::Format;
use crate::dump::{self, split_label, web_url, Article, DumpError};
use crate::fetch::Fetched;

/// One source's fetched text, with what reading it needs. Kept as it is by
/// [`crate::day`], so that a retry reads the same text the same way.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub fetched: Fetched,
    pub format: Format,
    /// The source's `name`: the outlet of every article that names none itself.
    pub outlet: Option<String>,
}

/// Why a source's text gave no articles.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Dump(#[from] DumpError),
    #[error("{origin}: cannot tell its format: not an RSS or Atom feed (<rss, <feed), JSON lines ({{ lines) or a dump (최신기사, - lines, time stamps); set format in its source")]
    Unsure { origin: String },
    #[error("{origin}: not a readable {format} feed: {message}")]
    Feed {
        origin: String,
        format: &'static str,
        message: String,
    },
    #[error("{origin}: no line is a usable article (the first bad one: line {line}: {message})")]
    NoGoodLine {
        origin: String,
        line: usize,
        message: String,
    },
}

/// The articles of `text`, each naming its outlet.
pub fn read(text: &SourceText) -> Result<Vec<Article>, FeedError> {
    let fetched = &text.fetched;
    let format = match text.format {
        Format::Auto => detect(&fetched.text, &fetched.origin)?,
        known => known,
    };
    let mut articles = match format {
        Format::Jsonl => jsonl(&fetched.text, &fetched.origin)?,
        Format::Rss => feed(&fetched.text, &fetched.origin, "RSS")?,
        Format::Atom => feed(&fetched.text, &fetched.origin, "Atom")?,
        Format::Dump | Format::Auto => dump::parse(&fetched.text, &fetched.origin)?,
    };
    for article in &mut articles {
        if article.outlet.is_none() {
            article.outlet.clone_from(&text.outlet);
        }
    }
    Ok(articles)
}

/// The format of `text`, from its first characters and lines. Unsure is an error: a
/// guess that reads a feed as a dump sends markup as news.
pub fn detect(text: &str, origin: &str) -> Result<Format, FeedError> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        let head: String = text.chars().take(2048).collect();
        if head.contains("<rss") || head.contains("<rdf:RDF") {
            return Ok(Format::Rss);
        }
        if head.contains("<feed") {
            return Ok(Format::Atom);
        }
    } else if text.starts_with('{') {
        return Ok(Format::Jsonl);
    } else if dump::looks_like_dump(text) {
        return Ok(Format::Dump);
    }
    Err(FeedError::Unsure {
        origin: origin.to_owned(),
    })
}

/// One JSON line as a scraper writes it.
#[derive(Deserialize)]
struct Line {
    title: String,
    body: String,
    published_at: String,
    url: Option<String>,
    label: Option<String>,
    outlet: Option<String>,
}

/// JSON lines: a bad line is reported with its place and skipped, the rest kept; only a
/// file with no good line at all is an error.
fn jsonl(text: &str, origin: &str) -> Result<Vec<Article>, FeedError> {
    let mut articles = Vec::new();
    let mut first_bad = None;
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim().trim_start_matches('\u{feff}');
        if raw.is_empty() {
            continue;
        }
        match json_article(raw, n + 1) {
            Ok(article) => articles.push(article),
            Err(message) => {
                tracing::warn!("{origin}: line {}: {message}; the line is skipped", n + 1);
                first_bad.get_or_insert((n + 1, message));
            }
        }
    }
    match (articles.is_empty(), first_bad) {
        (true, Some((line, message))) => Err(FeedError::NoGoodLine {
            origin: origin.to_owned(),
            line,
            message,
        }),
        (true, None) => Err(DumpError::Empty {
            origin: origin.to_owned(),
        }
        .into()),
        _ => Ok(articles),
    }
}

fn json_article(raw: &str, line: usize) -> Result<Article, String> {
    let l: Line = serde_json::from_str(raw).map_err(|e| format!("not an article: {e}"))?;
    let published_at = Some(korea_time(&l.published_at).ok_or_else(|| {
        format!(
            "published_at {:?} is neither RFC 3339 nor YYYY-MM-DD HH:MM:SS (Korea time)",
            l.published_at
        )
    })?);
    let (title, label) = match l.label {
        Some(label) => (l.title.trim().to_owned(), Some(label)),
        None => {
            let (label, title) = split_label(l.title.trim());
            (title.to_owned(), label.map(str::to_owned))
        }
    };
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    let url = match l.url {
        Some(url) => Some(web_url(&url).ok_or_else(|| format!("url {url:?} is not http(s)"))?),
        None => None,
    };
    Ok(Article {
        title,
        label,
        body: l.body.trim().to_owned(),
        published_at,
        roundup: None,
        line,
        url,
        outlet: l.outlet.filter(|o| !o.trim().is_empty()),
    })
}

/// RFC 3339, or the dump's `YYYY-MM-DD HH:MM:SS` read as Korea time.
fn korea_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Seoul).fixed_offset())
        .or_else(|| dump::parse_timestamp(text))
}

/// An RSS or Atom feed: per item, its title, its content (else its description) as
/// plain text, its link and its publication (else update) time.
fn feed(text: &str, origin: &str, format: &'static str) -> Result<Vec<Article>, FeedError> {
    let parsed =
        feed_rs::parser::parse(utf8_declared(text).as_bytes()).map_err(|e| FeedError::Feed {
            origin: origin.to_owned(),
            format,
            message: e.to_string(),
        })?;
    let atom = parsed.feed_type == feed_rs::model::FeedType::Atom;
    if atom != (format == "Atom") {
        tracing::warn!(
            "{origin}: format = {format:?} but it is a {:?} feed; read as what it is",
            parsed.feed_type
        );
    }
    let mut articles = Vec::with_capacity(parsed.entries.len());
    for (n, entry) in parsed.entries.into_iter().enumerate() {
        let title = entry
            .title
            .map(|t| strip_html(&t.content).replace('\n', " "))
            .unwrap_or_default();
        let (label, title) = split_label(title.trim());
        if title.is_empty() {
            tracing::warn!("{origin}: item {}: no title; the item is skipped", n + 1);
            continue;
        }
        let html = entry
            .content
            .and_then(|c| c.body)
            .or(entry.summary.map(|s| s.content))
            .unwrap_or_default();
        // An item's own page is its `alternate` link (or the one without a rel).
        let url = entry
            .links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .chain(&entry.links)
            .find_map(|l| web_url(&l.href));
        articles.push(Article {
            title: title.to_owned(),
            label: label.map(str::to_owned),
            body: strip_html(&html),
            published_at: entry
                .published
                .or(entry.updated)
                .map(|t: DateTime<Utc>| t.with_timezone(&Seoul).fixed_offset()),
            roundup: None,
            line: n + 1,
            url,
            outlet: None,
        });
    }
    Ok(articles)
}

/// `text` with its XML declaration saying UTF-8: it was decoded already
/// ([`crate::fetch::decode`]), and a declared `EUC-KR` would make the feed parser
/// decode it a second time.
fn utf8_declared(text: &str) -> std::borrow::Cow<'_, str> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    match start
        .strip_prefix("<?xml")
        .and_then(|r| Some(&r[r.find("?>")? + 2..]))
    {
        Some(rest) => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{rest}").into(),
        None => text.into(),
    }
}

/// Elements whose text is never news.
const HIDDEN: [&str; 6] = ["script", "style", "noscript", "template", "head", "title"];
/// Elements that end a line: a paragraph, a list item, a heading, a row.
const BLOCKS: [&str; 24] = [
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "dd",
];

/// HTML -> plain text: entities decoded, hidden elements dropped, each block its own
/// line, whitespace runs made one space. Text without markup comes back trimmed.
pub fn strip_html(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut walk = vec![(fragment.tree.root(), false)];
    // Depth first, by hand: a deeply nested item must not overflow the stack.
    while let Some((node, leaving)) = walk.pop() {
        let element = node.value().as_element().map(|e| e.name());
        if leaving || element.is_some_and(|name| BLOCKS.contains(&name)) {
            end_line(&mut line, &mut lines);
        }
        if leaving {
            continue;
        }
        if let Some(text) = node.value().as_text() {
            // `<b>반등</b>했다` is one word: a space only where the text has one.
            let space = |line: &mut String| {
                if !line.is_empty() && !line.ends_with(' ') {
                    line.push(' ');
                }
            };
            if text.starts_with(char::is_whitespace) {
                space(&mut line);
            }
            for (i, word) in text.split_whitespace().enumerate() {
                if i > 0 {
                    line.push(' ');
                }
                line.push_str(word);
            }
            if text.ends_with(char::is_whitespace) {
                space(&mut line);
            }
            continue;
        }
        if element.is_some_and(|name| HIDDEN.contains(&name)) {
            continue;
        }
        if element.is_some_and(|name| BLOCKS.contains(&name)) {
            walk.push((node, true));
        }
        walk.extend(node.children().rev().map(|c| (c, false)));
    }
    end_line(&mut line, &mut lines);
    lines.join("\n")
}

fn end_line(line: &mut String, lines: &mut Vec<String>) {
    let text = line.trim();
    if !text.is_empty() {
        lines.push(text.to_owned());
    }
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str, format: Format) -> SourceText {
        SourceText {
            fetched: Fetched {
                origin: "시험.src".into(),
                text: body.into(),
                encoding: "UTF-8",
                modified: None,
            },
            format,
            outlet: Some("바다일보".into()),
        }
    }

    #[test]
    fn html_becomes_plain_sentences() {
        let cases = [
            ("plain text", "  그냥 글이다.  ", "그냥 글이다."),
            (
                "script and style",
                "<p>앞 문장이다.</p><script>var 비밀 = 1;</script><style>p{color:red}</style><p>뒤 문장이다.</p>",
                "앞 문장이다.\n뒤 문장이다.",
            ),
            (
                "entities",
                "물가가 3&#37; 올랐다 &amp; 금리는 &lt;동결&gt;&nbsp;됐다 &quot;예상대로&quot;",
                "물가가 3% 올랐다 & 금리는 <동결> 됐다 \"예상대로\"",
            ),
            (
                "nested inline markup",
                "<div><p>시장은 <b>크게 <i>반등</i></b>했다.</p></div>",
                "시장은 크게 반등했다.",
            ),
            (
                "br and p breaks",
                "첫 줄이다.<br>둘째 줄이다.<br/><p>셋째 문단이다.</p>넷째다.",
                "첫 줄이다.\n둘째 줄이다.\n셋째 문단이다.\n넷째다.",
            ),
            (
                "list items",
                "<ul><li>하나</li><li>둘</li></ul>",
                "하나\n둘",
            ),
        ];
        for (name, html, want) in cases {
            assert_eq!(strip_html(html), want, "{name}");
        }
    }

    #[test]
    fn a_bad_json_line_is_skipped_and_the_rest_kept() {
        let body = concat!(
            r#"{"title":"[경제] 수출 석 달째 늘어","body":"반도체가 이끌었다.","published_at":"2026-11-30T21:00:00Z","url":"https://바다.example/1"}"#,
            "\n",
            r#"{"title":"제목만 있다"}"#,
            "\n",
            "이건 JSON이 아니다\n",
            r#"{"title":"비 소식","body":"내일 전국에 비.","published_at":"2026-12-01 06:30:00","outlet":"하늘방송","url":"javascript:alert(1)"}"#,
            "\n",
            r#"{"title":"눈 소식","body":"산간에 눈.","published_at":"2026-12-01 07:00:00","outlet":"하늘방송"}"#,
            "\n",
        );
        let articles = read(&text(body, Format::Jsonl)).unwrap();
        let got: Vec<_> = articles
            .iter()
            .map(|a| {
                (
                    a.title.as_str(),
                    a.label.as_deref(),
                    a.line,
                    a.outlet.as_deref(),
                    a.url.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "수출 석 달째 늘어",
                    Some("경제"),
                    1,
                    Some("바다일보"),
                    Some("https://바다.example/1")
                ),
                ("눈 소식", None, 5, Some("하늘방송"), None),
            ]
        );
        // 21:00 UTC is 06:00 the next morning in Seoul.
        let first = articles[0].published_at.unwrap();
        assert_eq!(first.to_rfc3339(), "2026-12-01T06:00:00+09:00");
        let err = read(&text("{\"title\":1}\n", Format::Jsonl))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("시험.src: no line is a usable article (the first bad one: line 1:"),
            "{err}"
        );
    }

    #[test]
    fn auto_tells_the_formats_apart_and_says_when_unsure() {
        let cases = [
            (
                "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>",
                Some(Format::Rss),
            ),
            (
                "\u{feff}<feed xmlns=\"http://www.w3.org/2005/Atom\">",
                Some(Format::Atom),
            ),
            ("{\"title\":\"가\"}\n", Some(Format::Jsonl)),
            (
                "최신기사\n---\n제목\n본문.\n2026-12-01 06:00:00\n",
                Some(Format::Dump),
            ),
            ("제목\n본문.\n2026-12-01 06:00:00\n", Some(Format::Dump)),
            ("<html><body>오류</body></html>", None),
            ("그냥 메모 한 줄\n", None),
        ];
        for (body, want) in cases {
            match want {
                Some(format) => assert_eq!(detect(body, "x").unwrap(), format, "{body}"),
                None => assert!(detect(body, "메모.txt")
                    .unwrap_err()
                    .to_string()
                    .starts_with("메모.txt: cannot tell its format")),
            }
        }
    }

    #[test]
    fn a_feed_declared_in_euc_kr_reads_once_decoded() {
        let xml = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><rss version=\"2.0\"><channel><title>가</title>\
            <item><title>똠방 거리 축제</title><description>축제가 열렸다.</description></item></channel></rss>";
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(xml);
        let fetched = crate::fetch::decode(&bytes, "euc.xml").unwrap();
        let articles = read(&SourceText {
            fetched,
            format: Format::Auto,
            outlet: None,
        })
        .unwrap();
        assert_eq!(articles[0].title, "똠방 거리 축제");
        assert_eq!(articles[0].body, "축제가 열렸다.");
    }

    #[test]
    fn only_web_urls_are_links() {
        assert_eq!(
            web_url(" https://a.example/x ").as_deref(),
            Some("https://a.example/x")
        );
        assert_eq!(
            web_url("HTTP://a.example").as_deref(),
            Some("HTTP://a.example")
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://a",
            "http://",
            "https://a b",
            "/상대",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
    }
}
