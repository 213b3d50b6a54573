//! [`Digest`] -> subject, plain text and HTML, with handlebars.
//!
//! Two registries render the same data: the HTML one escapes article text (a `<script>`
//! in a title arrives as text), the text one does not (handlebars would otherwise turn
//! `=` and quotes in Korean news text into entities). The built-in templates are
//! compiled into the binary so that it runs anywhere; `[mail] templates` points at a
//! folder whose files override them.
//!
//! Everything a template cannot do safely is done here: figures are marked as parts
//! of a line (so bold never comes from dump text becoming markup), the text part is
//! wrapped by display width (Hangul is two columns wide), overlong key lines are cut,
//! and a briefing whose HTML would be clipped by Gmail is shortened from its end.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
use handlebars::Handlebars;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::config::{Filter, Group};
use crate::dump::Article;
use crate::figure;
use crate::glance::{glance, Common, Glance};
use crate::rank::Kind;
use crate::summary::Summary;

const HTML: &str = "briefing.html.hbs";
const TEXT: &str = "briefing.txt.hbs";
const BUILTIN_HTML: &str = include_str!("../templates/briefing.html.hbs");
const BUILTIN_TEXT: &str = include_str!("../templates/briefing.txt.hbs");

/// Gmail clips a message whose HTML passes about 102 KB, hiding the end of the
/// briefing behind a link. Its count is of the message as it arrives, after a relay's
/// own headers and footers and the transfer encoding's line breaks: 88,000 bytes of
/// HTML leave room for those.
pub const MAX_HTML_BYTES: usize = 88_000;
/// A key line longer than this (in characters, `…` included) is cut: one run-on
/// "sentence" of a broken dump must not become a message of its own size.
pub const MAX_LINE_CHARS: usize = 300;

/// A phone's inbox row shows some 30–40 Korean characters of a subject; the date and
/// "외 N건" need room too.
const SUBJECT_TITLE_CHARS: usize = 40;

/// Inbox previews show about a hundred characters after the subject.
const PREHEADER_CHARS: usize = 110;
/// The heading of the opinion pieces after the news.
const OPINION: &str = "오피니언";

/// Stories listed in the table of contents: on a phone, more than ten fill the first
/// screen before the first story.
const TOC_ITEMS: usize = 10;
/// A story named in the preview: enough to recognise it, short enough for three.
const SHORT_TITLE_CHARS: usize = 28;
/// Columns of the text part; Hangul counts two, as terminals and mail clients show it.
pub const TEXT_WIDTH: usize = 72;

/// What the templates see.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    /// The rendered subject line.
    pub subject: String,
    /// `2025년 9월 7일 (일)`.
    pub date: String,
    /// `2025-09-07`.
    pub date_iso: String,
    /// `9월 7일(일)`: the inbox row has little room.
    pub short_date: String,
    /// The lead story's title, cut for a subject line; none on a day without news.
    pub top_title: Option<String>,
    /// Stories after the lead that the group wanted (shown or left out): "외 N건".
    pub more: usize,
    /// The stories after the lead, named: the inbox preview after the subject, hidden
    /// in the message itself.
    pub preheader: Option<String>,
    pub group: String,
    /// The group's `title`, when it has one: the default subject names it.
    pub title: Option<String>,
    /// What the masthead reads ([`Group::masthead`]).
    pub masthead: String,
    /// Number of items shown.
    pub count: usize,
    /// Items shown but not listed in the table of contents.
    pub toc_more: usize,
    /// Articles the group wanted but this briefing does not show (`max_articles`, or
    /// the size limit): the reader is told "외 N건" instead of nothing.
    pub left_out: usize,
    /// Items shown shorter than their lines (or as titles only) to stay under the size
    /// limit.
    pub shortened: usize,
    /// Set when the newest article is more than a day older than the briefing date,
    /// so that an old dump is not read as today's news.
    pub stale_note: Option<String>,
    pub items: Vec<Item>,
    /// Stories of today that one of the last briefings told: named at the end, with the
    /// date, so that the reader knows they were not missed.
    pub repeats: Vec<Earlier>,
    /// Of those, left out for the size limit.
    pub repeats_left_out: usize,
    /// The day at a glance, when the group wants it and there is something to show.
    pub glance: Option<Glance>,
    /// For the footer: who this list is for (`[groups.NAME] description`), whom to write
    /// to (`[mail] contact`), and where to leave it (the same link for every recipient).
    pub description: Option<String>,
    pub contact: Option<String>,
    pub unsubscribe_url: Option<String>,
    /// This briefing's page in the archive ("웹에서 보기"), when `[web] base_url` is set.
    pub archive_url: Option<String>,
    /// The newest article time among the items: what a delivered briefing carried.
    #[serde(skip)]
    pub newest: Option<DateTime<FixedOffset>>,
}

/// One article (or round-up story) as the reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// 1-based position in the briefing, the same in both parts.
    pub number: usize,
    pub title: String,
    /// The title's first clause, for the table of contents: one line per story.
    pub short_title: String,
    /// Listed in the table of contents: the first `TOC_ITEMS` are.
    pub in_toc: bool,
    pub label: Option<String>,
    /// `9월 7일 10:47`, with the year when it is not the briefing's year.
    pub time: Option<String>,
    /// The original article: the title links to it. Only ever http(s), whatever the
    /// source wrote ([`crate::dump::web_url`]): a `javascript:` link must not reach an
    /// `href`.
    pub url: Option<String>,
    /// Who published it, named beside the time.
    pub outlet: Option<String>,
    /// The round-up this story belongs to.
    pub roundup: Option<String>,
    /// On the first story of a round-up, what its heading shows: the round-up's
    /// title, or its label when that title only repeats the first story's.
    pub roundup_heading: Option<String>,
    /// The heading of the section this item opens (`오피니언`).
    pub section: Option<String>,
    /// The key lines, in article order.
    pub lines: Vec<Line>,
    /// The text part's heading (`1. [label] title (time)`), wrapped.
    pub text_heading: Vec<String>,
    /// `reports > 1`, for the templates (handlebars cannot compare): other outlets
    /// told the same story, "n건 보도".
    pub merged: bool,
    /// Articles of the story, this one included.
    pub reports: usize,
    /// The other tellings shown: at most five, past which a list of outlets tells
    /// the reader little more than its length.
    pub also: Vec<Also>,
    /// The other tellings not shown: "외 N곳".
    pub also_left_out: usize,
    /// The newest time among the story's articles: all of them were carried.
    #[serde(skip)]
    published_at: Option<DateTime<FixedOffset>>,
}

/// Another outlet's telling of an item's story, named and linked under it.
#[derive(Debug, Clone, Serialize)]
pub struct Also {
    pub title: String,
    /// Only ever http(s), as [`Item::url`].
    pub url: Option<String>,
    pub outlet: Option<String>,
    /// `     OUTLET 「title」` and the link, wrapped, for the text part.
    pub text: Vec<String>,
}

/// A story an earlier briefing told, as the closing section names it.
#[derive(Debug, Clone, Serialize)]
pub struct Earlier {
    pub title: String,
    pub url: Option<String>,
    pub outlet: Option<String>,
    /// When it was told: `11월 30일`.
    pub date: String,
    /// `- title (outlet · date 브리핑)` and the link, wrapped, for the text part.
    pub text: Vec<String>,
    #[serde(skip)]
    published_at: Option<DateTime<FixedOffset>>,
}

/// A story of today's that a briefing before it told already.
#[derive(Debug, Clone)]
pub struct Retold<'a> {
    /// The story's articles, its lead first.
    pub articles: Vec<&'a Article>,
    /// The earlier briefing's date.
    pub date: NaiveDate,
}

/// Other tellings named under an item ([`Item::also`]); the rest are counted.
const MAX_ALSO: usize = 5;

/// A key line: parts for the HTML part, wrapped lines for the text part.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub parts: Vec<Part>,
    /// `   - ` and the line, wrapped at [`TEXT_WIDTH`] columns.
    pub text: Vec<String>,
}

/// A run of a key line; `figure` runs (`2.50%`, `2,581억원`) are set in bold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub figure: bool,
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

/// Template errors are one line, `FILE:LINE:COL: why`, as a compiler says it: an
/// editor jumps there, and a log line stays one line (handlebars' own message draws the
/// source around it over several).
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("template {}: {reason}", at(path, *pos))]
    Template {
        path: PathBuf,
        pos: Option<(usize, usize)>,
        reason: String,
    },
    #[error("cannot read template {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} has neither {HTML} nor {TEXT}", path.display())]
    NoTemplates { path: PathBuf },
    #[error("rendering {}: {reason}", at(path, *pos))]
    Render {
        /// The template file, or `[mail] subject`.
        path: PathBuf,
        pos: Option<(usize, usize)>,
        reason: String,
    },
    #[error("inlining the CSS of the HTML part: {0}")]
    Css(String),
}

/// `FILE:LINE:COL`, or the file alone when handlebars gives no place.
fn at(path: &Path, pos: Option<(usize, usize)>) -> String {
    match pos {
        Some((line, col)) => format!("{}:{line}:{col}", path.display()),
        None => path.display().to_string(),
    }
}

impl DigestError {
    fn template(path: PathBuf, e: &handlebars::TemplateError) -> DigestError {
        let reason = match e.reason() {
            // The rest of the message is the parser's list of every token it could
            // have taken there: no help to someone editing a template.
            handlebars::TemplateErrorReason::InvalidSyntax(_) => {
                "invalid handlebars syntax (a block left open, or a `{{` not closed?)".into()
            }
            other => other.to_string(),
        };
        DigestError::Template {
            path,
            pos: e.pos(),
            reason,
        }
    }
}

/// The loaded templates.
pub struct Templates {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    /// Where each came from, for the errors of rendering.
    html_path: PathBuf,
    text_path: PathBuf,
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
        let [html_path, text_path] = [
            (&mut html, HTML, BUILTIN_HTML),
            (&mut text, TEXT, BUILTIN_TEXT),
        ]
        .map(|(registry, name, builtin)| {
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
                .map_err(|e| DigestError::template(path.clone(), &e))?;
            Ok(path)
        });
        let (html_path, text_path) = (html_path?, text_path?);
        if let Some(dir) = dir {
            if overridden == 0 {
                return Err(DigestError::NoTemplates {
                    path: dir.to_owned(),
                });
            }
        }
        Ok(Templates {
            html,
            text,
            html_path,
            text_path,
        })
    }

    /// Renders `digest` (whose `subject` is rendered here from `subject_template`).
    /// When the HTML part would pass [`MAX_HTML_BYTES`], the lowest-ranked items (the
    /// last ones) are shortened step by step: to one line, then to their title, then
    /// left out, as few steps as keep it under the limit.
    pub fn render(&self, digest: Digest, subject_template: &str) -> Result<Rendered, DigestError> {
        let full = self.render_parts(digest.clone(), subject_template)?;
        if full.html.len() <= MAX_HTML_BYTES {
            return Ok(full);
        }
        // Each step only takes away, so the size falls with the number of steps: the
        // fewest steps that fit are found by bisection, not by rendering every step.
        let (mut fits, mut over) = (steps(&digest), 0);
        let mut best = None;
        while over + 1 < fits {
            let mid = over + (fits - over) / 2;
            let r = self.render_parts(shorten(&digest, mid), subject_template)?;
            if r.html.len() <= MAX_HTML_BYTES {
                fits = mid;
                best = Some(r);
            } else {
                over = mid;
            }
        }
        match best {
            Some(r) => Ok(r),
            None => self.render_parts(shorten(&digest, fits), subject_template),
        }
    }

    fn render_parts(
        &self,
        mut digest: Digest,
        subject_template: &str,
    ) -> Result<Rendered, DigestError> {
        let render_error = |path: &Path| {
            let path = path.to_owned();
            move |e: handlebars::RenderError| DigestError::Render {
                path,
                pos: e.line_no.zip(e.column_no),
                reason: match e.reason() {
                    handlebars::RenderErrorReason::MissingVariable(Some(name)) => {
                        format!("no field `{name}` to show (misspelt?)")
                    }
                    other => other.to_string(),
                },
            }
        };
        let subject = self
            .text
            .render_template(subject_template, &digest)
            .map_err(render_error(Path::new("[mail] subject")))?;
        // A subject is one header line: no dump or config value may add another.
        digest.subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self
            .text
            .render(TEXT, &digest)
            .map_err(render_error(&self.text_path))?;
        let html = self
            .html
            .render(HTML, &digest)
            .map_err(render_error(&self.html_path))?;
        // The dark-mode colours live in an `@media` rule, which cannot be inlined: it is
        // kept in a `<style>` for the clients that read one.
        let html = css_inline::CSSInliner::options()
            .keep_at_rules(true)
            .minify_css(true)
            .build()
            .inline(&html)
            .map_err(|e| DigestError::Css(e.to_string()))?;
        Ok(Rendered {
            subject: digest.subject,
            text,
            html,
            items: digest.count,
            newest: digest.newest,
        })
    }
}

/// How many shortening steps [`shorten`] knows for `digest`: per item with other
/// tellings, their list; per earlier story, its line; per item, one line, title only,
/// left out.
fn steps(digest: &Digest) -> usize {
    with_also(digest).count() + digest.repeats.len() + 3 * digest.items.len()
}

/// The items that name other tellings, by index.
fn with_also(digest: &Digest) -> impl DoubleEndedIterator<Item = usize> + '_ {
    (0..digest.items.len()).filter(|&i| !digest.items[i].also.is_empty())
}

/// `digest` after the first `n` shortening steps, each taken from the end up: first
/// the lists of other tellings (what the reader misses least: the story is still told),
/// then the earlier stories, then every item to one line, every item to its title, and
/// items left out.
fn shorten(digest: &Digest, n: usize) -> Digest {
    let mut d = digest.clone();
    let also: Vec<usize> = with_also(digest).rev().take(n).collect();
    for &i in &also {
        let item = &mut d.items[i];
        item.also_left_out += item.also.len();
        item.also.clear();
    }
    let n = n - also.len();
    let repeats = n.min(d.repeats.len());
    d.repeats.truncate(d.repeats.len() - repeats);
    d.repeats_left_out += repeats;
    let n = n - repeats;
    let len = d.items.len();
    for (i, item) in d.items.iter_mut().enumerate() {
        let from_end = len - i; // 1 for the last item
        if n >= len + from_end {
            item.lines.clear();
        } else if n >= from_end {
            item.lines.truncate(1);
        }
    }
    let dropped = n.saturating_sub(2 * len).min(len);
    d.items.truncate(len - dropped);
    d.count = d.items.len();
    d.toc_more = d.count.saturating_sub(TOC_ITEMS);
    d.left_out += dropped;
    d.shortened = d
        .items
        .iter()
        .zip(&digest.items)
        .filter(|(short, full)| {
            short.lines.len() < full.lines.len() || short.also.len() < full.also.len()
        })
        .count();
    d.newest = newest(&d.items, &d.repeats);
    if let Some(g) = &mut d.glance {
        g.keep_items(d.count);
    }
    d
}

/// The newest article time a briefing of `items` and `repeats` carries.
fn newest(items: &[Item], repeats: &[Earlier]) -> Option<DateTime<FixedOffset>> {
    let items = items.iter().filter_map(|i| i.published_at);
    items
        .chain(repeats.iter().filter_map(|r| r.published_at))
        .max()
}

/// The stories a group wants, in the order the briefing tells them, cut where the
/// briefing can show no more: those after the cut are counted ("외 N건"), never
/// summarised or rendered.
#[derive(Debug)]
pub struct Cut<'s, 'a> {
    /// The first stories the group wants, at most its `max_articles`.
    pub shown: Vec<&'s Summary<'a>>,
    /// The stories the group wants after them.
    pub after: usize,
    /// The newest article time among every story the group wants, cut or not: the
    /// stale note is about the dump, not about how much of it fits.
    pub newest: Option<DateTime<FixedOffset>>,
    /// Words the day at a glance never shows ([`Common::learn`]).
    pub common: &'s Common,
    /// The opinion pieces come after the news (the rank's order): they get a heading.
    pub opinion_last: bool,
}

/// The digest of `summaries` (one per story, in the briefing's order) for `group` on
/// `date` (Korea time), with the stories an earlier briefing told (`retold`) named at
/// the end: [`assemble`] with the cut at the group's `max_articles`.
pub fn build(summaries: &[Summary], retold: &[Retold], group: &Group, date: NaiveDate) -> Digest {
    let mut shown: Vec<&Summary> = summaries
        .iter()
        .filter(|s| wants(&group.filter, s.articles()))
        .collect();
    let newest = shown
        .iter()
        .flat_map(|s| s.articles())
        .filter_map(|a| a.published_at)
        .max();
    let wanted = shown.len();
    shown.truncate(group.max_articles.unwrap_or(wanted));
    let after = wanted - shown.len();
    assemble(
        Cut {
            shown,
            after,
            newest,
            common: &Common::default(),
            opinion_last: false,
        },
        retold,
        group,
        date,
    )
}

/// The digest of the stories `cut` shows for `group` on `date` (Korea time), with the
/// stories an earlier briefing told (`retold`) that the group wants named at the end.
pub fn assemble(cut: Cut, retold: &[Retold], group: &Group, date: NaiveDate) -> Digest {
    let mut items: Vec<Item> = Vec::new();
    let mut last_roundup: Option<&str> = None;
    let mut in_opinion = false;
    for &s in &cut.shown {
        let a = s.article;
        // The opinion pieces after the news, under a heading of their own: a reader
        // should not take a column for a report.
        let opinion = cut.opinion_last && Kind::of(a) == Kind::Opinion;
        let section = (opinion && !in_opinion && !items.is_empty()).then(|| OPINION.to_owned());
        in_opinion |= opinion;
        let roundup_heading = match a.roundup.as_deref() {
            Some(r) if Some(r) != last_roundup => Some(if r == a.title {
                a.label.clone().unwrap_or_else(|| r.to_owned())
            } else {
                r.to_owned()
            }),
            _ => None,
        };
        last_roundup = a.roundup.as_deref();
        items.push(item(s, items.len() + 1, date, section, roundup_heading));
    }
    let repeats: Vec<Earlier> = retold
        .iter()
        .filter(|r| wants(&group.filter, r.articles.iter().copied()))
        .filter_map(|r| earlier(r, date))
        .collect();
    let lead = cut.shown.first();
    Digest {
        subject: String::new(),
        date: korean_date(date),
        date_iso: date.to_string(),
        short_date: short_date(date),
        top_title: lead.map(|s| bound(&s.article.title, SUBJECT_TITLE_CHARS).into_owned()),
        more: (items.len() + cut.after).saturating_sub(1),
        preheader: preheader(&cut.shown, cut.after),
        group: group.name.clone(),
        title: group.title.clone(),
        masthead: group.masthead().to_owned(),
        count: items.len(),
        toc_more: items.len().saturating_sub(TOC_ITEMS),
        left_out: cut.after,
        shortened: 0,
        stale_note: cut.newest.and_then(|t| stale_note(t, date)),
        glance: Some(glance(&cut.shown, cut.common)).filter(|g| group.glance && !g.is_empty()),
        newest: newest(&items, &repeats),
        items,
        repeats,
        repeats_left_out: 0,
        description: group.description.clone(),
        contact: None,
        unsubscribe_url: None,
        archive_url: None,
    }
}

/// Item `number` of a briefing dated `date`: story `s`, under `section` (the opinion
/// heading) and `roundup_heading` when it opens one.
fn item(
    s: &Summary,
    number: usize,
    date: NaiveDate,
    section: Option<String>,
    roundup_heading: Option<String>,
) -> Item {
    let a = s.article;
    let published_at = s.articles().filter_map(|a| a.published_at).max();
    // A dump's first line is its title whatever its length: bounded like a key line.
    let title = bound(&a.title, MAX_LINE_CHARS).into_owned();
    let time = a.published_at.map(|t| time_label(t, date));
    let lines = s
        .key_lines()
        .map(|l| {
            let l = bound(l, MAX_LINE_CHARS);
            Line {
                parts: parts(&l),
                text: wrap(&l, TEXT_WIDTH, "   - ", "     "),
            }
        })
        .collect();
    let heading = text_heading(number, a, &title, time.as_deref());
    let indent = " ".repeat(number.to_string().len() + 2);
    let also: Vec<Also> = s.also.iter().take(MAX_ALSO).map(|o| also(o)).collect();
    Item {
        number,
        short_title: short_title(&a.title).into_owned(),
        in_toc: number <= TOC_ITEMS,
        title,
        label: a.label.clone(),
        time,
        url: a.url.as_deref().and_then(crate::dump::web_url),
        outlet: a.outlet.clone(),
        roundup: a.roundup.clone(),
        section,
        roundup_heading,
        lines,
        text_heading: wrap(&heading, TEXT_WIDTH, "", &indent),
        merged: !s.also.is_empty(),
        reports: 1 + s.also.len(),
        also_left_out: s.also.len() - also.len(),
        also,
        published_at,
    }
}

/// The text part's heading of item `number`: its number, `◆` or its label, the title,
/// and its time and outlet as one unit for wrapping (a time cut after `9월` reads as
/// two).
fn text_heading(number: usize, a: &Article, title: &str, time: Option<&str>) -> String {
    let mut heading = format!("{number}. ");
    match (&a.roundup, &a.label) {
        (Some(_), _) => heading.push_str("◆ "),
        (None, Some(label)) => heading.push_str(&format!("[{label}] ")),
        (None, None) => {}
    }
    heading.push_str(title);
    let beside: Vec<String> = [time, a.outlet.as_deref()]
        .into_iter()
        .flatten()
        .map(|t| t.replace(' ', "\u{a0}"))
        .collect();
    if !beside.is_empty() {
        heading.push_str(&format!(" ({})", beside.join(" · ")));
    }
    heading
}

/// The inbox preview after the subject: the stories after the lead, by their short
/// titles, then how many more (`공항철도 1시간 운행 중단 · 누리항공 신규 노선 3곳 외
/// 6건`). The subject names the lead already; a preview that restated it would spend
/// the row's second line on nothing. A day of one story previews its first key line.
fn preheader(shown: &[&Summary], after: usize) -> Option<String> {
    let (lead, rest) = shown.split_first()?;
    if rest.is_empty() && after == 0 {
        return lead
            .key_lines()
            .next()
            .map(|l| bound(l, PREHEADER_CHARS).into_owned());
    }
    let mut named: Vec<String> = Vec::new();
    let mut chars = 0;
    for s in rest {
        let title = short_title(&s.article.title);
        let n = title.chars().count() + 3;
        // Room for ` 외 NN건` after the last title.
        if !named.is_empty() && chars + n > PREHEADER_CHARS - 8 {
            break;
        }
        chars += n;
        named.push(title.into_owned());
    }
    let mut preview = named.join(" · ");
    let unnamed = rest.len() - named.len() + after;
    if unnamed > 0 {
        match named.is_empty() {
            true => preview.push_str(&format!("외 {unnamed}건")),
            false => preview.push_str(&format!(" 외 {unnamed}건")),
        }
    }
    Some(preview)
}

/// A title's first clause (`공항철도 1시간 운행 중단…복구에 3시간` → `공항철도 1시간 운행
/// 중단`), bounded: a preview names stories, it does not tell them.
fn short_title(title: &str) -> std::borrow::Cow<'_, str> {
    let first = title
        .split(['…', '…', '|'])
        .next()
        .unwrap_or(title)
        .trim_end_matches([' ', ',', '.']);
    let first = if first.chars().count() >= 6 {
        first
    } else {
        title
    };
    bound(first, SHORT_TITLE_CHARS)
}

/// `article` named under the lead of its story.
fn also(article: &Article) -> Also {
    let title = bound(&article.title, MAX_LINE_CHARS).into_owned();
    let url = article.url.as_deref().and_then(crate::dump::web_url);
    let named = match &article.outlet {
        Some(outlet) => format!("{outlet} 「{title}」"),
        None => format!("「{title}」"),
    };
    let mut text = wrap(&named, TEXT_WIDTH, "     ", "       ");
    text.extend(url.iter().map(|u| format!("       {u}")));
    Also {
        title,
        url,
        outlet: article.outlet.clone(),
        text,
    }
}

/// The closing section's line for a story an earlier briefing told: today's lead
/// telling, and the briefing's date, in a briefing of `date`.
fn earlier(retold: &Retold, date: NaiveDate) -> Option<Earlier> {
    let (article, told) = (retold.articles.first()?, retold.date);
    let title = bound(&article.title, MAX_LINE_CHARS).into_owned();
    let url = article.url.as_deref().and_then(crate::dump::web_url);
    let when = day_label(told, date);
    let beside: Vec<String> = article
        .outlet
        .iter()
        .cloned()
        .chain([format!("{when} 브리핑")])
        .collect();
    let mut text = wrap(
        &format!("- {title} ({})", beside.join(" · ").replace(' ', "\u{a0}")),
        TEXT_WIDTH,
        "",
        "  ",
    );
    text.extend(url.iter().map(|u| format!("  {u}")));
    Some(Earlier {
        title,
        url,
        outlet: article.outlet.clone(),
        date: when,
        text,
        published_at: retold.articles.iter().filter_map(|a| a.published_at).max(),
    })
}

/// The note for a briefing whose newest article is from more than a day before `date`.
fn stale_note(newest: DateTime<FixedOffset>, date: NaiveDate) -> Option<String> {
    let days = (date - newest.date_naive()).num_days();
    (days > 1).then(|| {
        format!(
            "가장 최근 기사가 {}에 나온 것으로, 브리핑 날짜보다 {days}일 앞섭니다.",
            full_date(newest.date_naive())
        )
    })
}

/// `line` cut to at most `max` characters (`…` included), after the last clause
/// (`, `) or word (space) that fits, and never inside a grapheme: a Hangul syllable
/// written as jamo is one grapheme of several characters.
fn bound(line: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let Some((fit_end, _)) = line.char_indices().nth(max) else {
        return line.into();
    };
    // Where the graphemes that fit in `max - 1` characters end; only the start of the
    // line is looked at, however long it is.
    let mut end = 0;
    let mut chars = 0;
    for (i, g) in line[..fit_end].grapheme_indices(true) {
        let n = g.chars().count();
        if chars + n > max - 1 {
            break;
        }
        chars += n;
        end = i + g.len();
    }
    let head = &line[..end];
    // A clause boundary in the second half reads best; else a word boundary; a line
    // without either is cut at the grapheme.
    let half = head.len() / 2;
    let cut = head
        .rfind(", ")
        .filter(|&i| i >= half)
        .map(|i| i + 1)
        .or_else(|| head.rfind(' ').filter(|&i| i >= half))
        .unwrap_or(end);
    format!("{}…", head[..cut].trim_end_matches([' ', ','])).into()
}

/// `line` split into plain runs and its quantities, which the templates set in bold.
fn parts(line: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut at = 0;
    for f in figure::quantities(line) {
        let start = f.start;
        if start > at {
            parts.push(Part {
                text: line[at..start].to_owned(),
                figure: false,
            });
        }
        parts.push(Part {
            text: f.text.to_owned(),
            figure: true,
        });
        at = start + f.text.len();
    }
    if at < line.len() || parts.is_empty() {
        parts.push(Part {
            text: line[at..].to_owned(),
            figure: false,
        });
    }
    parts
}

/// `text` wrapped at `width` display columns between words (어절), the first line
/// after `first`, the others after `rest`. A word wider than a line is cut between
/// graphemes; a no-break space joins words into one and comes out as a space.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut used = first.width();
    let mut empty = true;
    for word in text.split_ascii_whitespace() {
        let w = word.width();
        if !empty && used + 1 + w > width {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            used = rest.width();
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        if used + w <= width {
            line.push_str(word);
            used += w;
        } else {
            for g in word.graphemes(true) {
                let gw = g.width();
                if !empty && used + gw > width {
                    lines.push(std::mem::replace(&mut line, rest.to_owned()));
                    used = rest.width();
                }
                line.push_str(g);
                used += gw;
                empty = false;
            }
        }
        empty = false;
    }
    lines.push(line);
    lines.iter().map(|l| l.replace('\u{a0}', " ")).collect()
}

/// Whether a group with `filter` wants a story of `articles`: any of them will do.
pub fn wants<'a>(filter: &Filter, mut articles: impl Iterator<Item = &'a Article>) -> bool {
    articles.any(|a| accepts(filter, a))
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

/// `9월 7일(일)`.
pub fn short_date(date: NaiveDate) -> String {
    let full = korean_date(date);
    let weekday = full.rsplit(' ').next().unwrap_or_default();
    format!("{}월 {}일{weekday}", date.month(), date.day())
}

/// `2025년 9월 7일`.
fn full_date(date: NaiveDate) -> String {
    format!("{}년 {}월 {}일", date.year(), date.month(), date.day())
}

/// `9월 7일 10:47`; an article from another year says which.
fn time_label(t: DateTime<FixedOffset>, today: NaiveDate) -> String {
    format!("{} {}", day_label(t.date_naive(), today), t.format("%H:%M"))
}

/// `9월 7일`, with the year when it is not `today`'s.
fn day_label(date: NaiveDate, today: NaiveDate) -> String {
    match date.year() == today.year() {
        true => format!("{}월 {}일", date.month(), date.day()),
        false => full_date(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::Selection;

    fn article(title: &str, label: Option<&str>, body: &str) -> Article {
        Article::of(title, label, body)
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
            from_name: None,
            glance: true,
            title: None,
            order: crate::config::Order::Rank,
            on_empty: crate::config::OnEmpty::Skip,
            schedule: crate::config::Schedule::for_test(),
        }
    }

    fn summary(a: &Article) -> Summary<'_> {
        Summary {
            article: a,
            sentences: vec![a.body.as_str()],
            selection: Selection {
                picks: vec![0],
                order: vec![0],
                scores: vec![1.0],
            },
            also: vec![],
        }
    }

    #[test]
    fn the_inbox_row_names_the_lead_story_and_previews_the_next_ones() {
        let subject = crate::config::Config::parse(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\n",
            Path::new("/x/config.toml"),
        )
        .unwrap()
        .mail
        .subject;
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let lead = article(
            "구립도서관 야간 개관을 다음 달부터 다섯 곳으로 늘리고 열람실 좌석도 두 배로 확대",
            None,
            "구청은 도서관 다섯 곳을 밤 10시까지 연다고 밝혔다.",
        );
        let next = article("버스 노선 신설", None, "노선 세 개가 생긴다.");
        let all = Filter::default();
        let templates = Templates::load(None).unwrap();
        let r = templates
            .render(
                build(
                    &[summary(&lead), summary(&next)],
                    &[],
                    &group(all.clone(), None),
                    date,
                ),
                &subject,
            )
            .unwrap();
        assert_eq!(
            r.subject,
            "9월 7일(일) 구립도서관 야간 개관을 다음 달부터 다섯 곳으로 늘리고 열람실 좌석도… 외 1건"
        );
        assert!(r.html.contains("mso-hide:all"), "{}", r.html);
        // The preview names the next story, never the lead's own line again.
        assert!(r.html.contains(">버스 노선 신설</div>"), "{}", r.html);
        // Many stories: as many short titles as fit, then how many more.
        let many: Vec<Article> = (1..=12)
            .map(|n| {
                article(
                    &format!("{n}구역 도로 개통…부제는 빠진다"),
                    None,
                    "본문이다.",
                )
            })
            .collect();
        let summaries: Vec<Summary> = many.iter().map(summary).collect();
        let d = build(&summaries, &[], &group(all.clone(), None), date);
        let preview = d.preheader.unwrap();
        assert!(
            preview.starts_with("2구역 도로 개통 · 3구역 도로 개통 · "),
            "{preview}"
        );
        assert!(preview.ends_with("건"), "{preview}");
        assert!(!preview.contains("부제"), "{preview}");
        assert!(preview.chars().count() <= PREHEADER_CHARS, "{preview}");
        let none = templates
            .render(build(&[], &[], &group(all, None), date), &subject)
            .unwrap();
        assert_eq!(none.subject, "9월 7일(일) 아침 브리핑: 새 기사 없음");
        assert!(!none.html.contains("mso-hide:all"));
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
            &[],
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
        assert!(r.text.contains("\n\n1. "), "a blank line before each item");
        assert!(r.html.contains("style=\""), "CSS is inlined");
    }

    #[test]
    fn max_articles_says_what_it_left_out_and_roundup_headings_show_once() {
        let mut s1 = article("첫 소식", Some("포커스"), "하나.");
        s1.roundup = Some("첫 소식".into());
        let mut s2 = article("둘째 소식", Some("포커스"), "둘.");
        s2.roundup = Some("첫 소식".into());
        let c = article("다른 기사", None, "셋.");
        let summaries = [summary(&s1), summary(&s2), summary(&c)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let headings: Vec<Option<&str>> = d
            .items
            .iter()
            .map(|i| i.roundup_heading.as_deref())
            .collect();
        // The round-up's title repeats its first story's: the heading names the label.
        assert_eq!(headings, [Some("포커스"), None, None]);
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert_eq!(r.text.matches("■ 포커스").count(), 1, "{}", r.text);
        assert_eq!(r.text.matches("첫 소식").count(), 1, "{}", r.text);
        assert_eq!(r.html.matches("■ 포커스").count(), 1, "{}", r.html);
        assert!(!r.text.contains("외 "), "nothing left out: {}", r.text);

        let d = build(&summaries, &[], &group(Filter::default(), Some(2)), date);
        assert_eq!((d.count, d.left_out), (2, 1));
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        for part in [&r.text, &r.html] {
            assert!(part.contains("외 1건"), "{part}");
        }
    }

    #[test]
    fn titles_link_to_the_original_and_name_the_outlet_beside_the_time() {
        let mut linked = article("항구에 새 방파제", None, "시는 방파제를 세운다고 밝혔다.");
        linked.url = Some("https://바다.example/기사?id=1&p=\"2\"".into());
        linked.outlet = Some("바다일보".into());
        linked.published_at =
            Some(DateTime::parse_from_rfc3339("2025-09-07T06:30:00+09:00").unwrap());
        let mut sly = article("수상한 링크", None, "이 기사는 링크가 이상하다.");
        sly.url = Some("javascript:alert('탈취')".into());
        sly.outlet = Some("하늘방송".into());
        let summaries = [summary(&linked), summary(&sly)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        assert_eq!(d.items[1].url, None);
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(
            r.html
                .contains("href=\"https://바다.example/기사?id=1&amp;p=&quot;2&quot;\""),
            "{}",
            r.html
        );
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(r.html.contains("9월 7일 06:30 · 바다일보"), "{}", r.html);
        assert!(r.html.contains(">하늘방송</p>"), "{}", r.html);
        let text: Vec<&str> = r.text.lines().collect();
        let heading = text
            .iter()
            .position(|l| l.starts_with("1. 항구에 새 방파제"))
            .unwrap();
        assert!(
            text[heading].ends_with("(9월 7일 06:30 · 바다일보)"),
            "{}",
            text[heading]
        );
        assert_eq!(
            text[heading + 1],
            "   https://바다.example/기사?id=1&p=\"2\""
        );
        assert!(r.text.contains("2. 수상한 링크 (하늘방송)"), "{}", r.text);
    }

    #[test]
    fn only_quantities_are_bold_and_whole_with_their_unit() {
        let a = article(
            "노선 연장",
            None,
            "오는 5일 제12회 개통식에서 3호선 연장 구간 1만호 단지와 이용객 500만명을 잇는 계획이 7대 3으로 통과됐다.",
        );
        let summaries = [summary(&a)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let bold: Vec<&str> = d.items[0].lines[0]
            .parts
            .iter()
            .filter(|p| p.figure)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(bold, ["1만호", "500만명"]);
    }

    #[test]
    fn figures_are_bold_and_dump_markup_stays_text() {
        let a = article(
            "금리 동결",
            None,
            "한국은행이 기준금리를 연 2.50%로 <b>동결</b>했고 2,581억원을 풀었다.",
        );
        let summaries = [summary(&a)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let figures: Vec<&str> = d.items[0].lines[0]
            .parts
            .iter()
            .filter(|p| p.figure)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(figures, ["2.50%", "2,581억원"]);
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.html.contains("<b>2.50%</b>"), "{}", r.html);
        assert!(r.html.contains("<b>2,581억원</b>"), "{}", r.html);
        assert!(r.html.contains("&lt;b&gt;동결&lt;/b&gt;"), "{}", r.html);
        assert!(r.text.contains("연 2.50%로 <b>동결</b>했고"), "{}", r.text);
    }

    #[test]
    fn html_is_phone_first_korean_typography_with_dark_mode() {
        let a = article(
            "스타트업 투자 세일즈",
            None,
            "스타트업들의 투자 유치를 밝혔다.",
        );
        let summaries = [summary(&a)];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let html = Templates::load(None)
            .unwrap()
            .render(d, "[아침 브리핑] {{date}}")
            .unwrap()
            .html;
        for want in [
            "word-break:keep-all",
            "Malgun Gothic', sans-serif; }</style><![endif]-->",
            "overflow-wrap:anywhere",
            "<meta name=\"color-scheme\" content=\"light dark\">",
            "@media (prefers-color-scheme: dark)",
            "width=\"600\"",
            "max-width:600px",
            "'Apple SD Gothic Neo','Malgun Gothic'",
            "<h1 style=\"font-size:24px;line-height:1.3;margin:0;color:#1f2328\">2025년 9월 7일 (일)</h1>",
            "오늘의 기사 1건",
            "<a href=\"#item-1\"",
            "id=\"item-1\"",
        ] {
            assert!(html.contains(want), "{want} in {html}");
        }
        // Nothing smaller than 13 px, and nothing fetched from elsewhere.
        for px in 1..13 {
            assert!(!html.contains(&format!("font-size:{px}px")), "{px}px");
        }
        assert!(!html.contains("<img") && !html.contains("@import") && !html.contains("url("));
    }

    #[test]
    fn title_only_items_are_one_line_and_times_carry_date_and_year() {
        let mut old = article("작년 제목만 있는 기사", None, "");
        old.published_at = DateTime::parse_from_rfc3339("2024-06-03T10:47:00+09:00").ok();
        let mut recent = article("어제 기사", None, "어제 나온 기사의 본문이다.");
        recent.published_at = DateTime::parse_from_rfc3339("2025-09-06T21:23:00+09:00").ok();
        let summaries = [
            Summary {
                article: &old,
                sentences: vec![],
                selection: Selection {
                    picks: vec![],
                    order: vec![],
                    scores: vec![],
                },
                also: vec![],
            },
            summary(&recent),
        ];
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        assert_eq!(d.items[0].time.as_deref(), Some("2024년 6월 3일 10:47"));
        assert_eq!(d.items[1].time.as_deref(), Some("9월 6일 21:23"));
        assert_eq!(d.stale_note, None, "a day old is not stale");
        let html = Templates::load(None).unwrap().render(d, "s").unwrap().html;
        let brief = html.find("id=\"item-1\"").unwrap();
        let card = html.find("id=\"item-2\"").unwrap();
        assert!(html[..brief].rfind("class=\"brief\"").is_some(), "{html}");
        assert!(html[..card].rfind("class=\"card\"").is_some(), "{html}");
        assert_eq!(
            html.matches("class=\"box\"").count(),
            1,
            "no empty card: {html}"
        );

        let later = NaiveDate::from_ymd_opt(2025, 9, 9).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), later);
        let note = d.stale_note.clone().unwrap();
        assert!(
            note.contains("2025년 9월 6일") && note.contains("3일"),
            "{note}"
        );
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.text.contains(&note) && r.html.contains(&note));
    }

    #[test]
    fn text_wraps_by_display_width_between_words() {
        let body = "기획재정부는 내년 예산안에서 연구개발 예산을 크게 늘리고 지역 균형 발전 사업의 집행 속도를 높이겠다고 밝혔다.";
        let lines = wrap(body, 40, "   - ", "     ");
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(l.width() <= 40, "{l:?} is {} wide", l.width());
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        let want: Vec<&str> = std::iter::once("-").chain(body.split(' ')).collect();
        assert_eq!(words, want, "whole words, in order");
        // A word wider than the line is cut between syllables, not inside one.
        let long = "가".repeat(50);
        let lines = wrap(&long, 20, "", "");
        assert!(lines
            .iter()
            .all(|l| l.width() <= 20 && l.chars().all(|c| c == '가')));
        assert_eq!(lines.concat(), long);
    }

    #[test]
    fn overlong_lines_are_cut_at_a_clause_never_inside_a_grapheme() {
        let clause = "지역 상권이 살아나고, ";
        let long = clause.repeat(200);
        let cut = bound(&long, MAX_LINE_CHARS);
        assert!(
            cut.chars().count() <= MAX_LINE_CHARS,
            "{}",
            cut.chars().count()
        );
        assert!(cut.ends_with("살아나고…"), "{cut}");
        assert_eq!(bound("짧은 문장이다.", MAX_LINE_CHARS), "짧은 문장이다.");
        // Conjoining jamo: each syllable is one grapheme of three characters.
        let jamo = "\u{1100}\u{1161}\u{11A8}".repeat(200);
        let cut = bound(&jamo, MAX_LINE_CHARS);
        let body = cut.strip_suffix('…').unwrap();
        assert_eq!(body.chars().count() % 3, 0, "whole syllables only");
        assert!(cut.chars().count() <= MAX_LINE_CHARS);
        // A title is a dump's first line, as unbounded as any other.
        let a = article(&long, None, &long);
        let d = build(
            &[summary(&a)],
            &[],
            &group(Filter::default(), None),
            NaiveDate::from_ymd_opt(2025, 9, 7).unwrap(),
        );
        assert!(d.items[0].title.chars().count() <= MAX_LINE_CHARS);
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.html.len() < 20_000 && r.text.len() < 5_000);
    }

    #[test]
    fn links_and_outlets_stay_inside_the_size_budget() {
        let articles: Vec<Article> = (0..600)
            .map(|i| Article {
                url: Some(format!("https://news.example/2026/12/01/economy/article-{i:06}?from=rss&utm_source=feed")),
                outlet: Some("바다일보 경제부".into()),
                ..article(&format!("항만 물동량 소식 {i}번째"), None, "부산항 물동량이 230만 개로 늘었다.")
            })
            .collect();
        let summaries: Vec<Summary> = articles.iter().map(summary).collect();
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.html.len() <= MAX_HTML_BYTES, "{}", r.html.len());
        assert!(r.items < 600, "{}", r.items);
        assert!(r
            .html
            .contains("article-000000?from=rss&amp;utm_source=feed"));
    }

    /// A story of `n` tellings of one port strike, the first the lead.
    fn strike(n: usize) -> Vec<Article> {
        (0..n)
            .map(|i| Article {
                url: Some(match i {
                    3 => "javascript:alert(1)".into(),
                    _ => format!("https://outlet{i}.example/2026/12/01/port-strike-{i:04}"),
                }),
                outlet: Some(format!("항구{i}일보")),
                ..article(
                    &format!("부두 노동자 파업 사흘째 {i}"),
                    None,
                    "부산항 부두 노동자 파업이 사흘째 이어져 하역이 40% 줄었다.",
                )
            })
            .collect()
    }

    #[test]
    fn other_tellings_are_named_linked_counted_and_cut_first() {
        let tellings = strike(8);
        let drill = article("항만 안전 훈련", None, "항만공사는 내일 안전 훈련을 연다.");
        let lead = Summary {
            also: tellings[1..].iter().collect(),
            ..summary(&tellings[0])
        };
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let retold = [Retold {
            articles: vec![&drill],
            date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        }];
        let d = build(&[lead], &retold, &group(Filter::default(), None), date);
        let item = &d.items[0];
        assert_eq!((d.count, item.reports, item.also.len()), (1, 8, MAX_ALSO));
        assert_eq!(item.also_left_out, 8 - 1 - MAX_ALSO);
        assert_eq!(item.also[2].url, None, "a javascript: link is not a link");
        assert_eq!(d.repeats.len(), 1);
        assert_eq!(d.repeats[0].date, "11월 30일");

        let r = Templates::load(None)
            .unwrap()
            .render(d.clone(), "s")
            .unwrap();
        assert!(r.text.contains("   8건 보도 · 같은 소식:\n     항구1일보 「부두 노동자 파업 사흘째 1」\n       https://outlet1.example/2026/12/01/port-strike-0001\n"), "{}", r.text);
        assert!(r.text.contains("     외 2곳\n"), "{}", r.text);
        assert!(
            r.text
                .contains("지난 브리핑에서 전한 소식\n- 항만 안전 훈련 (11월 30일 브리핑)\n"),
            "{}",
            r.text
        );
        assert!(
            r.html.contains("8건 보도 · 같은 소식: 항구1일보 「<a href=\"https://outlet1.example/2026/12/01/port-strike-0001\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("」 외 2곳</p>") && !r.html.contains("javascript:"));
        assert!(r.html.contains("지난 브리핑에서 전한 소식"), "{}", r.html);

        // The first step cuts the list, the lines stay; the next names the earlier
        // story no more.
        let short = shorten(&d, 1);
        let item = &short.items[0];
        assert!(item.also.is_empty() && item.also_left_out == 7);
        assert_eq!(item.lines.len(), d.items[0].lines.len());
        assert_eq!((short.shortened, short.repeats.len()), (1, 1));
        let r = Templates::load(None)
            .unwrap()
            .render_parts(short, "s")
            .unwrap();
        assert!(
            r.text.contains("   8건 보도 · 같은 소식 외 7곳\n"),
            "{}",
            r.text
        );
        let shorter = shorten(&d, 2);
        assert!(shorter.repeats.is_empty() && shorter.repeats_left_out == 1);
    }

    /// Stories of six tellings with long links, too many for the budget: the lists go,
    /// the key lines of the top stories stay.
    #[test]
    fn lists_of_other_tellings_go_before_key_lines() {
        let tellings = strike(6);
        let leads: Vec<Article> = (0..60)
            .map(|i| {
                article(
                    &format!("항만 소식 {i}번째"),
                    None,
                    "부두 하역이 40% 줄었다.",
                )
            })
            .collect();
        let summaries: Vec<Summary> = leads
            .iter()
            .map(|a| Summary {
                also: tellings[1..].iter().collect(),
                ..summary(a)
            })
            .collect();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let full = Templates::load(None)
            .unwrap()
            .render_parts(d.clone(), "s")
            .unwrap();
        assert!(full.html.len() > MAX_HTML_BYTES, "{}", full.html.len());
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.html.len() <= MAX_HTML_BYTES, "{}", r.html.len());
        assert_eq!(r.items, 60, "every story is still shown");
        assert!(r.text.contains("59번째\n   - 부두 하역이"), "{}", r.text);
        assert!(r
            .text
            .contains("59번째\n   - 부두 하역이 40% 줄었다.\n   6건 보도 · 같은 소식 외 5곳\n"));
        assert!(r
            .text
            .contains("0번째\n   - 부두 하역이 40% 줄었다.\n   6건 보도 · 같은 소식:\n"));
    }

    #[test]
    fn an_html_part_over_the_limit_is_shortened_from_the_end() {
        let body = "지방자치단체가 골목 상권을 살리기 위해 상품권 발행 규모를 300억원으로 늘렸다.";
        let articles: Vec<Article> = (0..800)
            .map(|i| article(&format!("골목 상권 소식 {i}번째"), None, body))
            .collect();
        let summaries: Vec<Summary> = articles
            .iter()
            .map(|a| Summary {
                article: a,
                sentences: vec![body, body, body],
                selection: Selection {
                    picks: vec![0, 1, 2],
                    order: vec![0, 1, 2],
                    scores: vec![1.0; 3],
                },
                also: vec![],
            })
            .collect();
        let date = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let d = build(&summaries, &[], &group(Filter::default(), None), date);
        let r = Templates::load(None)
            .unwrap()
            .render(d.clone(), "s")
            .unwrap();
        assert!(r.html.len() <= MAX_HTML_BYTES, "{}", r.html.len());
        assert!(
            r.items < 800 && r.html.len() > MAX_HTML_BYTES - 2000,
            "{}",
            r.items
        );
        let left = 800 - r.items;
        assert!(r.html.contains(&format!("외 {left}건")), "{left}");
        assert!(r.text.contains(&format!("외 {left}건")), "{left}");
        assert!(r.html.contains("골목 상권 소식 0번째"), "the top stays");
        // Lines go before items: what is shown is shown as a title, and said so.
        assert!(!r.text.contains("번째\n   - "), "{}", r.text);
        assert!(r.text.contains(&format!("{}건은 줄여 실었습니다", r.items)));
        // Fewer articles keep their lines, the lowest-ranked losing them first.
        let d = build(
            &summaries[..120],
            &[],
            &group(Filter::default(), None),
            date,
        );
        let r = Templates::load(None).unwrap().render(d, "s").unwrap();
        assert!(r.html.len() <= MAX_HTML_BYTES && r.items == 120);
        let kept = |n: usize| r.text.contains(&format!("골목 상권 소식 {n}번째\n   - "));
        assert!(kept(0) && !kept(119), "{}", r.text);
    }

    #[test]
    fn a_template_folder_overrides_and_bad_templates_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TEXT), "{{group}}: {{count}}").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let d = build(
            &[],
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

    #[test]
    fn a_template_error_is_one_line_with_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join(TEXT);
        std::fs::write(&text, "아침 소식\n{{#if items}}오늘의 기사 {{count}}건\n").unwrap();
        let err = Templates::load(Some(dir.path())).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "template {}:3:1: invalid handlebars syntax (a block left open, or a `{{{{` not closed?)",
                text.display()
            )
        );

        std::fs::write(&text, "아침 소식 {{date}}\n오늘은 {{날씨}}\n").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let d = build(
            &[],
            &[],
            &group(Filter::default(), None),
            NaiveDate::from_ymd_opt(2025, 9, 7).unwrap(),
        );
        let err = t.render(d, "s").err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "rendering {}:2:5: no field `날씨` to show (misspelt?)",
                text.display()
            )
        );
        assert!(!err.contains('\n'));
    }
}
