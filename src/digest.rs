//! [`Digest`] -> subject, plain text and HTML, with handlebars.
//!
//! Two registries render the same data: the HTML one escapes article text (a `<script>`
//! in a title arrives as text), the text one does not (handlebars would otherwise turn
//! `=` and quotes in Korean news text into entities). The built-in templates are
//! compiled into the binary so that it runs anywhere; `[mail] templates` points at a
//! folder whose files override them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
use handlebars::Handlebars;
use serde::Serialize;

use crate::config::{Filter, Group};
use crate::dump::Article;
use crate::summary::Summary;

const HTML: &str = "briefing.html.hbs";
const TEXT: &str = "briefing.txt.hbs";
const BUILTIN_HTML: &str = include_str!("../templates/briefing.html.hbs");
const BUILTIN_TEXT: &str = include_str!("../templates/briefing.txt.hbs");

/// What the templates see.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    /// The rendered subject line.
    pub subject: String,
    /// `2025년 9월 7일 (일)`.
    pub date: String,
    /// `2025-09-07`.
    pub date_iso: String,
    pub group: String,
    /// Number of items.
    pub count: usize,
    pub items: Vec<Item>,
    /// For the footer: who this list is for (`[groups.NAME] description`), whom to write
    /// to (`[mail] contact`), and where to leave it (the same link for every recipient).
    pub description: Option<String>,
    pub contact: Option<String>,
    pub unsubscribe_url: Option<String>,
    /// The newest article time among the items: what a delivered briefing carried.
    #[serde(skip)]
    pub newest: Option<DateTime<FixedOffset>>,
}

/// One article (or round-up story) as the reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// 1-based position in the briefing.
    pub number: usize,
    pub title: String,
    pub label: Option<String>,
    /// `10:47` on the briefing's day, `9월 6일 21:23` otherwise.
    pub time: Option<String>,
    /// The round-up this story belongs to.
    pub roundup: Option<String>,
    /// True on the first story of a round-up, where templates show its heading.
    pub roundup_start: bool,
    /// The key lines, in article order.
    pub lines: Vec<String>,
}

/// A rendered briefing, ready to be put in a message.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    /// With CSS inlined: many mail clients drop `<style>`.
    pub html: String,
    pub items: usize,
    /// The newest article time it carries, marked once it is delivered so that the
    /// next briefing leaves out only what this one carried.
    pub newest: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("template {}: {source}", path.display())]
    Template {
        path: PathBuf,
        source: Box<handlebars::TemplateError>,
    },
    #[error("cannot read template {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} has neither {HTML} nor {TEXT}", path.display())]
    NoTemplates { path: PathBuf },
    #[error("rendering {name}: {source}")]
    Render {
        name: String,
        source: Box<handlebars::RenderError>,
    },
    #[error("inlining the CSS of the HTML part: {0}")]
    Css(String),
}

/// The loaded templates.
pub struct Templates {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
}

impl Templates {
    /// The built-in templates, overridden file by file from `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, DigestError> {
        let mut html = Handlebars::new();
        let mut text = Handlebars::new();
        text.register_escape_fn(handlebars::no_escape);
        for h in [&mut html, &mut text] {
            // A misspelt field must fail loudly, not render as an empty line.
            h.set_strict_mode(true);
        }
        let mut overridden = 0;
        for (registry, name, builtin) in [
            (&mut html, HTML, BUILTIN_HTML),
            (&mut text, TEXT, BUILTIN_TEXT),
        ] {
            let (source, path) = match dir.map(|d| d.join(name)).filter(|p| p.exists()) {
                Some(path) => {
                    overridden += 1;
                    let source =
                        std::fs::read_to_string(&path).map_err(|source| DigestError::Read {
                            path: path.clone(),
                            source,
                        })?;
                    (source, path)
                }
                None => (builtin.to_owned(), Path::new("templates").join(name)),
            };
            registry
                .register_template_string(name, source)
                .map_err(|e| DigestError::Template {
                    path,
                    source: Box::new(e),
                })?;
        }
        if let Some(dir) = dir {
            if overridden == 0 {
                return Err(DigestError::NoTemplates {
                    path: dir.to_owned(),
                });
            }
        }
        Ok(Templates { html, text })
    }

    /// Renders `digest` (whose `subject` is rendered here from `subject_template`).
    pub fn render(
        &self,
        mut digest: Digest,
        subject_template: &str,
    ) -> Result<Rendered, DigestError> {
        let render_error = |name: &str| {
            let name = name.to_owned();
            move |e| DigestError::Render {
                name,
                source: Box::new(e),
            }
        };
        let subject = self
            .text
            .render_template(subject_template, &digest)
            .map_err(render_error("the subject"))?;
        // A subject is one header line: no dump or config value may add another.
        digest.subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self
            .text
            .render(TEXT, &digest)
            .map_err(render_error(TEXT))?;
        let html = self
            .html
            .render(HTML, &digest)
            .map_err(render_error(HTML))?;
        let html = css_inline::inline(&html).map_err(|e| DigestError::Css(e.to_string()))?;
        Ok(Rendered {
            subject: digest.subject,
            text,
            html,
            items: digest.count,
            newest: digest.newest,
        })
    }
}

/// The digest of `summaries` for `group` on `date` (Korea time).
pub fn build(summaries: &[Summary], group: &Group, date: NaiveDate) -> Digest {
    let mut items: Vec<Item> = Vec::new();
    let mut last_roundup: Option<&str> = None;
    let mut newest = None;
    for s in summaries
        .iter()
        .filter(|s| accepts(&group.filter, s.article))
    {
        if group.max_articles.is_some_and(|max| items.len() >= max) {
            break;
        }
        let a = s.article;
        newest = newest.max(a.published_at);
        let roundup_start = a.roundup.is_some() && a.roundup.as_deref() != last_roundup;
        last_roundup = a.roundup.as_deref();
        items.push(Item {
            number: items.len() + 1,
            title: a.title.clone(),
            label: a.label.clone(),
            time: a.published_at.map(|t| time_label(t, date)),
            roundup: a.roundup.clone(),
            roundup_start,
            lines: s.key_lines().map(str::to_owned).collect(),
        });
    }
    Digest {
        subject: String::new(),
        date: korean_date(date),
        date_iso: date.to_string(),
        group: group.name.clone(),
        count: items.len(),
        items,
        description: group.description.clone(),
        contact: None,
        unsubscribe_url: None,
        newest,
    }
}

/// Whether a group with `filter` wants `article`.
pub fn accepts(filter: &Filter, article: &Article) -> bool {
    let label = article.label.as_deref().unwrap_or("");
    let mentions = |words: &[String]| {
        words.iter().any(|w| {
            article.title.contains(w.as_str())
                || article.body.contains(w.as_str())
                || article
                    .roundup
                    .as_deref()
                    .is_some_and(|r| r.contains(w.as_str()))
        })
    };
    (filter.include_labels.is_empty() || filter.include_labels.iter().any(|l| l == label))
        && !filter.exclude_labels.iter().any(|l| l == label)
        && (filter.include_keywords.is_empty() || mentions(&filter.include_keywords))
        && !mentions(&filter.exclude_keywords)
}

/// `2025년 9월 7일 (일)`.
pub fn korean_date(date: NaiveDate) -> String {
    let day = match date.weekday() {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    };
    format!(
        "{}년 {}월 {}일 ({day})",
        date.year(),
        date.month(),
        date.day()
    )
}

fn time_label(t: DateTime<FixedOffset>, today: NaiveDate) -> String {
    if t.date_naive() == today {
        t.format("%H:%M").to_string()
    } else {
        format!("{}월 {}일 {}", t.month(), t.day(), t.format("%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::Selection;

    fn article(title: &str, label: Option<&str>, body: &str) -> Article {
        Article {
            title: title.into(),
            label: label.map(Into::into),
            body: body.into(),
            published_at: None,
            roundup: None,
            line: 1,
        }
    }

    fn group(filter: Filter, max_articles: Option<usize>) -> Group {
        Group {
            name: "morning".into(),
            recipients: vec![],
            max_articles,
            filter,
            lines_per_article: None,
            subject: None,
            description: None,
        }
    }

    fn summary(a: &Article) -> Summary<'_> {
        Summary {
            article: a,
            sentences: vec![a.body.as_str()],
            selection: Selection {
                picks: vec![0],
                scores: vec![1.0],
            },
        }
    }

    #[test]
    fn korean_dates_carry_the_weekday() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        assert_eq!(korean_date(d), "2025년 9월 7일 (일)");
    }

    #[test]
    fn filters_by_label_and_keyword() {
        let a = article("반도체 수출 늘어", Some("기자수첩"), "삼성전자가 웃었다.");
        let b = article("바이오 소식", None, "임상 3상에 들어갔다.");
        let f = |il: &[&str], el: &[&str], ik: &[&str], ek: &[&str]| Filter {
            include_labels: il.iter().map(|s| s.to_string()).collect(),
            exclude_labels: el.iter().map(|s| s.to_string()).collect(),
            include_keywords: ik.iter().map(|s| s.to_string()).collect(),
            exclude_keywords: ek.iter().map(|s| s.to_string()).collect(),
        };
        let cases = [
            ("everything", f(&[], &[], &[], &[]), true, true),
            ("only a label", f(&["기자수첩"], &[], &[], &[]), true, false),
            ("not a label", f(&[], &["기자수첩"], &[], &[]), false, true),
            ("keyword in body", f(&[], &[], &["임상"], &[]), false, true),
            (
                "keyword in title",
                f(&[], &[], &["반도체"], &[]),
                true,
                false,
            ),
            ("excluded keyword", f(&[], &[], &[], &["삼성"]), false, true),
        ];
        for (name, filter, want_a, want_b) in cases {
            assert_eq!(
                (accepts(&filter, &a), accepts(&filter, &b)),
                (want_a, want_b),
                "{name}"
            );
        }
    }

    #[test]
    fn html_escapes_article_text_and_text_part_does_not() {
        let a = article(
            "<script>alert(1)</script> A&B",
            None,
            "가격은 \"3=3\" 그대로다.",
        );
        let summaries = [summary(&a)];
        let d = build(
            &summaries,
            &group(Filter::default(), None),
            NaiveDate::from_ymd_opt(2025, 9, 7).unwrap(),
        );
        let r = Templates::load(None)
            .unwrap()
            .render(d, "[아침 브리핑] {{date}}\r\nBcc: x@y")
            .unwrap();
        assert_eq!(r.subject, "[아침 브리핑] 2025년 9월 7일 (일) Bcc: x@y");
        assert!(
            r.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; A&amp;B"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<script>"));
        assert!(
            r.text.contains("1. <script>alert(1)</script> A&B"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("   - 가격은 \"3=3\" 그대로다."),
            "{}",
            r.text
        );
        assert!(r.html.contains("style=\""), "CSS is inlined");
    }

    #[test]
    fn max_articles_and_roundup_headings() {
        let mut s1 = article("첫 소식", Some("포커스"), "하나.");
        s1.roundup = Some("모음".into());
        let mut s2 = article("둘째 소식", Some("포커스"), "둘.");
        s2.roundup = Some("모음".into());
        let c = article("다른 기사", None, "셋.");
        let summaries = [summary(&s1), summary(&s2), summary(&c)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &group(Filter::default(), None), date);
        let starts: Vec<bool> = d.items.iter().map(|i| i.roundup_start).collect();
        assert_eq!(starts, [true, false, false]);
        let text = Templates::load(None).unwrap().render(d, "s").unwrap().text;
        assert_eq!(text.matches("■ [포커스] 모음").count(), 1, "{text}");
        let d = build(&summaries, &group(Filter::default(), Some(2)), date);
        assert_eq!(d.count, 2);
    }

    #[test]
    fn a_template_folder_overrides_and_bad_templates_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TEXT), "{{group}}: {{count}}").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let d = build(
            &[],
            &group(Filter::default(), None),
            NaiveDate::from_ymd_opt(2025, 9, 7).unwrap(),
        );
        let r = t.render(d, "s").unwrap();
        assert_eq!(r.text, "morning: 0");
        assert!(r.html.contains("새 기사가 없습니다"), "HTML stays built in");

        std::fs::write(dir.path().join(HTML), "{{#each items}}").unwrap();
        let err = Templates::load(Some(dir.path())).err().unwrap().to_string();
        assert!(
            err.contains(&dir.path().join(HTML).display().to_string()),
            "{err}"
        );

        let empty = tempfile::tempdir().unwrap();
        assert!(Templates::load(Some(empty.path())).is_err());
    }
}
