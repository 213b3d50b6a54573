//! Building the day: fetch and parse the sources (or read the copy kept since the day's
//! delivery started), leave out what an earlier briefing carried, tell each story
//! once, rank, summarise and render every group's briefing. CPU-bound work runs on a
//! blocking thread, and a shutdown ends the fetch or the build at once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::Error;
use crate::clock;
use crate::config::{Config, Group, Order, SourceConfig};
use crate::day::{self, SourceFailure};
use crate::deliver::{archive_link, footer_link};
use crate::digest::{self, Cut, Digest, Rendered, Retold, Templates};
use crate::dump::Article;
use crate::feed::{self, SourceText};
use crate::fetch::{self, FetchError};
use crate::glance::Common;
use crate::ledger;
use crate::merge::{self, Story};
use crate::rank::{self, Ranked};
use crate::report::{one_line, redact};
use crate::summary::{Leads, Summary};

/// The day's sources as parsed: what they gave and which gave nothing.
#[derive(Debug)]
pub struct Loaded {
    /// The texts that gave articles, in the config's order.
    pub texts: Vec<SourceText>,
    pub articles: Vec<Article>,
    pub failed: Vec<SourceFailure>,
}

impl Loaded {
    /// Where the articles came from, for reports: every answering source's origin.
    pub fn origin(&self) -> String {
        origins(&self.texts)
    }
}

pub(super) fn origins(texts: &[SourceText]) -> String {
    let origins: Vec<&str> = texts.iter().map(|t| t.fetched.origin.as_str()).collect();
    origins.join("; ")
}

/// The day's sources as a build holds them until delivery: where they came from, which
/// gave nothing, and the texts to keep.
pub struct Sources {
    origin: String,
    /// The texts a delivery keeps ([`day::keep`]), deflated: from the parse on, the
    /// articles are what the build reads. None when the day was built from its kept
    /// copy, which is never kept again.
    pub texts: Vec<day::Held>,
    pub failed: Vec<SourceFailure>,
}

impl Sources {
    /// The texts of `loaded`, held to be kept unless they were `kept` already.
    fn hold(loaded: Loaded, kept: bool) -> Result<Sources> {
        let texts = match kept {
            true => Vec::new(),
            false => loaded
                .texts
                .iter()
                .map(day::Held::new)
                .collect::<std::io::Result<_>>()
                .context("holding the day's text to keep it")?,
        };
        Ok(Sources {
            origin: loaded.origin(),
            texts,
            failed: loaded.failed,
        })
    }

    /// Where the articles came from, for reports: every answering source's origin.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }
}

/// Fetches and parses the day's sources, or the one named by `dump`.
pub async fn load(config: &Config, dump: Option<&str>) -> Result<Loaded> {
    let sources = sources(config, dump);
    let answers = fetch_all(&sources).await;
    read_all(&sources, answers)
}

/// The sources of a run: the config's, or with `--dump` that one location, read as the
/// first source is.
fn sources(config: &Config, dump: Option<&str>) -> Vec<SourceConfig> {
    match dump {
        Some(location) => config
            .sources
            .iter()
            .take(1)
            .map(|first| SourceConfig {
                location: location.to_owned(),
                required: true,
                ..first.clone()
            })
            .collect(),
        None => config.sources.clone(),
    }
}

/// Every source at once: a slow server does not hold up the others.
async fn fetch_all(sources: &[SourceConfig]) -> Vec<Result<SourceText, FetchError>> {
    futures_util::future::join_all(sources.iter().map(|source| async move {
        Ok(SourceText {
            fetched: fetch::fetch(&source.location, source).await?,
            format: source.format,
            outlet: source.name.clone(),
        })
    }))
    .await
}

/// The articles of every source that answered, in the config's order. A source that
/// failed (fetch, parse or age) is logged and reported, and the day goes on without
/// it, unless it is `required` or no source answered at all: then its error stops the
/// run, transient or not as it was.
fn read_all(
    sources: &[SourceConfig],
    answers: Vec<Result<SourceText, FetchError>>,
) -> Result<Loaded> {
    let mut loaded = Loaded {
        texts: Vec::new(),
        articles: Vec::new(),
        failed: Vec::new(),
    };
    let mut first_error = None;
    for (source, answer) in sources.iter().zip(answers) {
        let read = answer
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok((parse(&text, Some(source))?, text)));
        match read {
            Ok((articles, text)) => {
                // The first source's articles are moved, not copied: on a big day the
                // copy beside them would be the largest thing in memory for a moment.
                match loaded.articles.is_empty() {
                    true => loaded.articles = articles,
                    false => loaded.articles.extend(articles),
                }
                loaded.texts.push(text);
            }
            Err(e) => {
                // Reported beside the source's label, which would say it twice.
                let failure = SourceFailure {
                    source: source.label(),
                    error: one_line(e.as_ref()),
                };
                // A named source is one of several: say which. A lone `[source]`'s
                // error names its location already.
                let e = match &source.name {
                    Some(name) => e.context(format!("source {name}")),
                    None => e,
                };
                if source.required {
                    return Err(e);
                }
                // A lone source's error is the run's: said once, by whoever reports it.
                if sources.len() > 1 {
                    let error = one_line(e.as_ref());
                    tracing::warn!("{error}; the briefing is built from the other sources");
                }
                loaded.failed.push(failure);
                first_error.get_or_insert(e);
            }
        }
    }
    // Grown by doubling: held for the whole day.
    loaded.articles.shrink_to_fit();
    match (loaded.texts.is_empty(), first_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(loaded),
    }
}

/// The articles of `text`, refused when older than its source's `max_age` (a kept
/// text, given no source, passed that check when its day began).
fn parse(text: &SourceText, age_of: Option<&SourceConfig>) -> Result<Vec<Article>> {
    let articles = feed::read(text)?;
    if let Some(source) = age_of {
        fetch::check_age(&text.fetched, &articles, source, clock::now())?;
    }
    tracing::info!(
        "{}: {} articles ({})",
        text.fetched.origin,
        articles.len(),
        text.fetched.encoding
    );
    Ok(articles)
}

/// One day's briefing of every group, built from one dump: what `send`, its dry run
/// and `preview` all show, so that none of them can tell a different story.
pub struct Day {
    pub date: NaiveDate,
    /// Where the day came from and which sources gave nothing.
    pub sources: Sources,
    /// The sources came from the copy kept by an earlier run of the same day.
    pub kept: bool,
    /// Articles in this briefing.
    pub articles: usize,
    /// Articles left out because an earlier briefing carried them, and its date.
    pub stale: Option<(usize, String)>,
    /// One per group of the config, in its order.
    pub rendered: Vec<Rendered>,
}

/// Builds the briefing of `date` for every group. Once a delivery of `date` has
/// started, the dump it came from is kept ([`day::keep`]) and every later run of that
/// date (a retry, a dry run, a preview) is built from that same dump: the recipients of
/// one day's briefing all read the same briefing, and what arrived in the dump since
/// goes into tomorrow's. A shutdown ends the fetch or the build at once.
pub async fn prepare(
    config: &Config,
    dump: Option<&str>,
    date: NaiveDate,
    whole_dump: bool,
    stop: Option<&AtomicBool>,
) -> Result<Day, Error> {
    let gathered = gather(config, dump, date, stop).await?;
    build_day(config, gathered, date, whole_dump, stop).await
}

/// What the briefing of `date` is built from: the copy kept since its delivery started,
/// else the sources as they answer now.
pub async fn gather(
    config: &Config,
    dump: Option<&str>,
    date: NaiveDate,
    stop: Option<&AtomicBool>,
) -> Result<Gathered, Error> {
    let date_text = date.to_string();
    Ok(match day::kept(&config.state_dir, &date_text)? {
        Some(kept) => {
            if let Some(dump) = dump {
                tracing::warn!(
                    "--dump {} ignored: today's briefing was started from {}, and is finished from it",
                    redact(dump),
                    origins(&kept.texts)
                );
            }
            Gathered::Kept(kept)
        }
        None => {
            let sources = sources(config, dump);
            let fetching = fetch_all(&sources);
            let answers = unless_stopped(fetching, stop, "fetching the dump").await?;
            Gathered::Fresh(sources, answers)
        }
    })
}

/// The [`Day`] of `date` from what [`gather`] found.
pub async fn build_day(
    config: &Config,
    gathered: Gathered,
    date: NaiveDate,
    whole_dump: bool,
    stop: Option<&AtomicBool>,
) -> Result<Day, Error> {
    let date_text = date.to_string();
    let since = match whole_dump {
        true => None,
        false => ledger::newest_before(&config.state_dir, &date_text)?,
    };
    // Parsing, splitting and scoring a large dump is seconds of CPU: on a thread of its
    // own, so that a shutdown does not wait for it.
    let building = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || build(&config, gathered, since, date))
    };
    let day = unless_stopped(building, stop, "building the briefing")
        .await?
        .context("the briefing build stopped")??;
    Ok(day)
}

/// What the day is built from: the sources as fetched now, or as an earlier run of the
/// same day kept them.
pub enum Gathered {
    Fresh(Vec<SourceConfig>, Vec<Result<SourceText, FetchError>>),
    Kept(day::Kept),
}

/// The CPU-bound part of [`prepare`]: parse, leave out what an earlier briefing
/// (`since`) carried, render every group.
fn build(
    config: &Config,
    gathered: Gathered,
    since: Option<(String, DateTime<FixedOffset>)>,
    date: NaiveDate,
) -> Result<Day> {
    let (mut sources, kept) = match gathered {
        Gathered::Fresh(sources, answers) => (read_all(&sources, answers)?, false),
        Gathered::Kept(kept) => {
            let mut articles = Vec::new();
            for text in &kept.texts {
                articles.extend(parse(text, None)?);
            }
            let loaded = Loaded {
                texts: kept.texts,
                articles,
                failed: kept.failed,
            };
            (loaded, true)
        }
    };
    let articles = std::mem::take(&mut sources.articles);
    let sources = Sources::hold(sources, kept)?;
    crate::dump::warn_if_far_from_articles(date, config.schedule.timezone, &articles);
    let mut stale = None;
    let articles = match since {
        Some((earlier, newest)) => {
            let total = articles.len();
            let fresh = newer_than(articles, newest);
            if fresh.len() < total {
                stale = Some((total - fresh.len(), earlier));
            }
            fresh
        }
        None => articles,
    };
    Ok(Day {
        date,
        kept,
        articles: articles.len(),
        stale,
        rendered: render_all(config, &articles, date)?,
        sources,
    })
}

fn render_all(config: &Config, articles: &[Article], date: NaiveDate) -> Result<Vec<Rendered>> {
    let templates = Templates::load(config.mail.templates.as_deref())?;
    let edition = Edition::of(config, articles, date)?;
    config
        .groups
        .iter()
        .map(|group| render_group(config, &templates, &edition, group, date))
        .collect()
}

/// What every group's briefing of a day draws on, worked out once: the stories with
/// their summaries made as asked, each story's rank, the stories an earlier briefing
/// told, and the words common to any day.
pub struct Edition<'a> {
    /// The stories in the sources' order, a story standing where its first article does.
    pub leads: Leads<'a>,
    /// Per story of `leads`, its rank and the signals behind it.
    pub ranked: Vec<Ranked>,
    pub retold: Vec<Retold<'a>>,
    pub common: Common,
}

impl<'a> Edition<'a> {
    /// The edition of `articles` on `date`.
    pub fn of(config: &Config, articles: &'a [Article], date: NaiveDate) -> Result<Edition<'a>> {
        let (told, retold, common) = stories(config, articles, date)?;
        Ok(Edition::new(config, articles, told, retold, common))
    }

    pub fn new(
        config: &Config,
        articles: &'a [Article],
        mut told: Vec<Story>,
        retold: Vec<Retold<'a>>,
        common: Common,
    ) -> Edition<'a> {
        told.sort_by_key(|s| s.members().min());
        let ranked = rank::rank(articles, &told);
        Edition {
            leads: leads_for(config, articles, told),
            ranked,
            retold,
            common,
        }
    }

    /// The stories `group` wants, in the order it asks for (`[groups.NAME] order`),
    /// decided here and nowhere else: every cut (`max_articles`, the size limit) takes
    /// the stories from the front of this order, so the least important go first.
    fn wanted(&self, group: &Group) -> Vec<usize> {
        rank::order(&self.ranked, group.order)
            .into_iter()
            .filter(|&i| digest::wants(&group.filter, self.leads.articles(i)))
            .collect()
    }
}

/// The summaries of the day's `stories`, made as the groups ask for them. A lead is
/// split and picked once, with the most lines any group asks for: picking is greedy, so
/// a group that wants fewer takes the first of them
/// ([`crate::select::Selection::first`]).
pub fn leads_for<'a>(config: &Config, articles: &'a [Article], stories: Vec<Story>) -> Leads<'a> {
    let mut cfg = config.summary.clone();
    cfg.lines_per_article = config
        .groups
        .iter()
        .map(|g| config.lines_per_article(g))
        .max()
        .unwrap_or(cfg.lines_per_article);
    Leads::new(articles, stories, cfg)
}

/// Stories summarised and rendered at first for a group that can show more: the
/// built-in templates fit about 400 stories as titles in [`digest::MAX_HTML_BYTES`]
/// (the table of contents lists ten).
/// A template that fits more is given four times as many, as often as it asks.
const FIRST_CUT: usize = 512;

/// The briefing of `group` on `date`. Only as many of the stories it wants as it can
/// show are summarised and rendered, the rest counted as left out: a day of tens of
/// thousands of stories costs what the reader gets. The cut is exact: the size limit
/// shortens a briefing from its end ([`Templates::render`]), so once the stories given
/// do not all fit, more would not have fitted either, and the same ones are shown.
pub fn render_group(
    config: &Config,
    templates: &Templates,
    edition: &Edition,
    group: &Group,
    date: NaiveDate,
) -> Result<Rendered> {
    let k = config.lines_per_article(group);
    let subject = group.subject.as_deref().unwrap_or(&config.mail.subject);
    let leads = &edition.leads;
    let wanted = edition.wanted(group);
    let newest = wanted
        .iter()
        .flat_map(|&i| leads.articles(i))
        .filter_map(|a| a.published_at)
        .max();
    let most = group
        .max_articles
        .map_or(wanted.len(), |m| m.min(wanted.len()));
    let mut built = FIRST_CUT.min(most);
    loop {
        let summaries: Vec<Summary> = wanted[..built]
            .iter()
            .map(|&i| {
                let s = leads.summary(i);
                Summary {
                    selection: s.selection.first(k),
                    ..s.clone()
                }
            })
            .collect();
        let cut = Cut {
            shown: summaries.iter().collect(),
            after: wanted.len() - built,
            newest,
            common: &edition.common,
            opinion_last: group.order == Order::Rank,
        };
        let mut digest = digest::assemble(cut, &edition.retold, group, date);
        add_footer(config, &mut digest);
        let rendered = templates
            .render(digest, subject)
            .with_context(|| format!("group {}", group.name))?;
        if built == most || rendered.items < built {
            return Ok(rendered);
        }
        built = built.saturating_mul(4).min(most);
    }
}

/// The footer's contact and unsubscribe link, from the config (the group's own
/// description is `digest::assemble`'s).
pub fn add_footer(config: &Config, digest: &mut Digest) {
    digest.contact = config.mail.contact.as_ref().map(|c| c.email.to_string());
    digest.unsubscribe_url = footer_link(config, &digest.group);
    digest.archive_url = archive_link(config, &digest.date_iso, &digest.group);
}

/// The day's articles as stories ([`merge::stories`]): those to tell, and those one of
/// the last briefings told already ([`merge::repeats`]), named at the end instead. Only
/// the days before `date` count, so a retry of `date` is built as its first run was.
fn stories<'a>(
    config: &Config,
    articles: &'a [Article],
    date: NaiveDate,
) -> Result<(Vec<Story>, Vec<Retold<'a>>, Common)> {
    let threshold = config.merge.threshold;
    // A kept day that no longer reads costs the closing section, not the briefing.
    let past = day::recent(&config.state_dir, &date.to_string()).unwrap_or_else(|e| {
        tracing::warn!("{e:#}; stories of the last briefings are not looked for");
        Vec::new()
    });
    let days: Vec<&[Article]> = std::iter::once(articles)
        .chain(past.iter().map(|(_, day)| day.as_slice()))
        .collect();
    let common = Common::learn(&days);
    let briefed: BTreeMap<usize, String> = merge::repeats(articles, &past, threshold)
        .into_iter()
        .map(|r| (r.today, r.date))
        .collect();
    let mut told = Vec::new();
    let mut retold = Vec::new();
    for story in merge::stories(articles, threshold) {
        let earlier = story.members().find_map(|i| briefed.get(&i));
        match earlier {
            Some(earlier) => retold.push(Retold {
                articles: story.members().map(|i| &articles[i]).collect(),
                date: earlier
                    .parse()
                    .with_context(|| format!("the ledger's briefing date {earlier}"))?,
            }),
            None => told.push(story),
        }
    }
    Ok((told, retold, common))
}

/// The articles published after `newest` (what an earlier briefing already carried).
/// An article without a timestamp stays: better seen twice than never.
fn newer_than(articles: Vec<Article>, newest: DateTime<FixedOffset>) -> Vec<Article> {
    articles
        .into_iter()
        .filter(|a| a.published_at.is_none_or(|t| t > newest))
        .collect()
}

/// Runs `work` unless a shutdown comes first.
async fn unless_stopped<T>(
    work: impl std::future::Future<Output = T>,
    stop: Option<&AtomicBool>,
    stage: &str,
) -> Result<T, Error> {
    tokio::select! {
        out = work => Ok(out),
        () = stopped(stop) => Err(Error::shutdown(stage)),
    }
}

/// Completes once `stop` is set; never without one.
async fn stopped(stop: Option<&AtomicBool>) {
    let Some(stop) = stop else {
        return std::future::pending().await;
    };
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, required: bool) -> SourceConfig {
        let config = Config::parse(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\n",
            std::path::Path::new("/x/config.toml"),
        )
        .unwrap();
        SourceConfig {
            name: Some(name.into()),
            required,
            ..config.sources[0].clone()
        }
    }

    fn answer(body: &str) -> Result<SourceText, FetchError> {
        Ok(SourceText {
            fetched: crate::fetch::Fetched {
                origin: "시험".into(),
                text: body.into(),
                encoding: "UTF-8",
                modified: None,
            },
            format: crate::config::Format::Dump,
            outlet: Some("바다일보".into()),
        })
    }

    fn down() -> Result<SourceText, FetchError> {
        Err(FetchError::Status {
            url: "http://127.0.0.1:1/down".into(),
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
        })
    }

    #[test]
    fn a_failing_source_is_left_out_unless_required_or_alone() {
        let dump = "최신기사\n---\n항구 새 단장\n항구가 새로 단장했다.\n2026-12-01 06:00:00\n";
        let two = [source("바다일보", false), source("하늘방송", false)];
        let loaded = read_all(&two, vec![answer(dump), down()]).unwrap();
        assert_eq!(loaded.articles.len(), 1);
        assert_eq!(loaded.articles[0].outlet.as_deref(), Some("바다일보"));
        assert_eq!(loaded.failed.len(), 1);
        assert_eq!(loaded.failed[0].source, "하늘방송");
        assert!(
            loaded.failed[0].error.contains("503"),
            "{:?}",
            loaded.failed
        );
        // A source that answers with no dump at all fails too.
        let loaded = read_all(&two, vec![answer(dump), answer("그냥 메모")]).unwrap();
        assert!(
            loaded.failed[0].error.contains("no article found"),
            "{:?}",
            loaded.failed
        );

        let required = [source("바다일보", false), source("하늘방송", true)];
        let err = Error::from(read_all(&required, vec![answer(dump), down()]).unwrap_err());
        assert!(err.is_transient(), "a 503 may pass: {err}");
        assert!(err.to_string().starts_with("source 하늘방송"), "{err}");

        let err = Error::from(read_all(&two, vec![down(), down()]).unwrap_err());
        assert!(
            err.is_transient() && err.to_string().starts_with("source 바다일보"),
            "{err}"
        );
    }

    fn article(title: &str, label: Option<&str>, body: &str) -> Article {
        Article::of(title, label, body)
    }

    /// Scored once for every group: each group's picks are what a summary made for its
    /// own `lines_per_article` would pick, and articles no group shows are not picked.
    #[test]
    fn one_selection_serves_groups_of_every_line_count() {
        let text = "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n\
            [groups.brief]\nrecipients = [\"a@example.com\"]\nlines_per_article = 1\n\
            [groups.columns]\nrecipients = [\"c@example.com\"]\ninclude_labels = [\"칼럼\"]\nlines_per_article = 4\n";
        let mut config = Config::parse(text, std::path::Path::new("/x/config.toml")).unwrap();
        let body = "구는 공원 세 곳에 야간 조명을 새로 단다고 밝혔다. 공사는 다음 달 시작된다. \
                    예산은 12억 원이다. 주민 설명회는 오는 9일 열린다. 조명은 밤 11시에 꺼진다.";
        let articles = [
            article("공원 야간 조명 설치", None, body),
            article("골목길이 밝아지면", Some("칼럼"), body),
        ];
        // Each its own story, so that the picks compare with `summarize`'s.
        let alone: Vec<Story> = (0..articles.len())
            .map(|lead| Story {
                lead,
                others: vec![],
            })
            .collect();
        let leads = leads_for(&config, &articles, alone.clone());
        for k in [1, 4] {
            let mut cfg = config.summary.clone();
            cfg.lines_per_article = k;
            let alone = crate::summary::summarize(&articles, &cfg);
            for (i, a) in alone.iter().enumerate() {
                let picks = leads.summary(i).selection.first(k).picks;
                assert_eq!(picks, a.selection.picks, "k = {k}");
            }
        }
        // With only the columns group, the other article is never split or scored.
        config.groups.retain(|g| g.name == "columns");
        let edition = Edition::new(&config, &articles, alone, vec![], Common::default());
        let templates = Templates::load(None).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let r = render_group(&config, &templates, &edition, &config.groups[0], date).unwrap();
        assert_eq!(r.items, 1);
        assert!(r.text.contains("골목길이 밝아지면"), "{}", r.text);
        assert_eq!(edition.leads.made(), 1);
    }

    /// One warehouse fire told by three outlets, and a fire drill in the same district.
    fn fire_day() -> Vec<Article> {
        let told = |title: &str, body: &str, outlet: &str, n: u32| Article {
            url: Some(format!("https://{n}.example/news")),
            outlet: Some(outlet.into()),
            ..Article::of(title, None, body)
        };
        vec![
            told(
                "새벽 강변 물류창고 화재…소방관 120명 투입",
                "18일 새벽 3시 20분께 강변구 물류창고에서 불이 나 소방관 120명과 장비 35대가 투입됐다. \
                 불은 창고 2개 동을 태우고 4시간 만에 꺼졌다. 야간 근무자 8명은 모두 스스로 대피해 다친 사람은 없었다. \
                 소방당국은 냉동설비 배선에서 불이 시작된 것으로 보고 정확한 원인을 조사하고 있다.",
                "바다일보",
                1,
            ),
            told(
                "강변구 물류창고서 큰불, 4시간 만에 진화",
                "강변구의 한 물류창고에서 18일 새벽 큰불이 났다. 소방당국은 소방관 120명과 장비 35대를 동원해 \
                 4시간 만에 불길을 잡았다. 창고 안에 있던 근무자 8명은 불이 나자 곧바로 빠져나왔다. \
                 당국은 냉동설비 쪽 배선을 발화 지점으로 의심하고 있다.",
                "하늘방송",
                2,
            ),
            told(
                "강변구, 전통시장 세 곳서 화재 대비 훈련",
                "강변구는 19일 전통시장 세 곳에서 화재 대비 합동 훈련을 연다고 밝혔다. 상인 200여 명과 \
                 소방서 직원 40명이 참여해 소화기 사용법과 대피 경로를 익힌다. \
                 구는 훈련 뒤 시장마다 자동 확산 소화기 50대를 새로 설치할 계획이다.",
                "구청소식",
                3,
            ),
            told(
                "물류창고 화재로 2개 동 전소…인명 피해 없어",
                "강변구 물류창고 화재로 창고 2개 동이 모두 탔다. 18일 새벽 시작된 불은 소방관 120명이 \
                 투입된 끝에 4시간 뒤 꺼졌다. 근무자 8명은 대피했고 다친 사람은 없었다. 냉동설비 배선이 원인으로 꼽힌다.",
                "들판신문",
                4,
            ),
        ]
    }

    /// The three tellings become one item naming the two others; a group whose
    /// keyword only the third telling carries still gets the story; `max_articles` and
    /// "외 N건" count stories.
    #[test]
    fn a_story_told_by_three_outlets_is_one_item_naming_the_other_two() {
        let state = tempfile::tempdir().unwrap();
        let text = format!(
            "[source]\nlocation = \"d.txt\"\n[state]\ndir = \"{}\"\n[mail]\nfrom = \"b@example.com\"\n\
            [groups.all]\nrecipients = [\"a@example.com\"]\n\
            [groups.safety]\nrecipients = [\"c@example.com\"]\ninclude_keywords = [\"인명 피해\"]\n\
            [groups.one]\nrecipients = [\"d@example.com\"]\nmax_articles = 1\n",
            state.path().display()
        );
        let config = Config::parse(&text, std::path::Path::new("/x/config.toml")).unwrap();
        let articles = fire_day();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let (told, retold, _) = stories(&config, &articles, date).unwrap();
        assert!(retold.is_empty(), "no earlier briefing");
        assert_eq!(told.len(), 2, "{told:?}");
        let leads = leads_for(&config, &articles, told);
        let summaries: Vec<Summary> = (0..leads.count())
            .map(|i| leads.summary(i).clone())
            .collect();
        let titles: Vec<&str> = summaries.iter().map(|s| s.article.title.as_str()).collect();
        assert_eq!(titles.len(), 2, "only the leads are summarized: {titles:?}");
        let digest = |name: &str| {
            let group = config.groups.iter().find(|g| g.name == name).unwrap();
            digest::build(&summaries, &[], group, date)
        };

        let all = digest("all");
        assert_eq!(all.count, 2);
        let fire = &all.items[0];
        assert!(fire.title.contains("물류창고"), "{}", fire.title);
        assert_eq!((fire.reports, fire.also.len()), (3, 2));
        let mut outlets: Vec<&str> = std::iter::once(&fire.outlet)
            .chain(fire.also.iter().map(|a| &a.outlet))
            .flatten()
            .map(String::as_str)
            .collect();
        outlets.sort_unstable();
        assert_eq!(outlets, ["들판신문", "바다일보", "하늘방송"]);
        for also in &fire.also {
            let original = articles.iter().find(|a| a.title == also.title).unwrap();
            assert_eq!(also.url, original.url);
        }
        assert!(!all.items[1].merged && all.items[1].also.is_empty());
        assert!(all.items[1].title.contains("훈련"));

        let safety = digest("safety");
        assert_eq!(safety.count, 1, "the drill does not mention 인명 피해");
        assert!(
            !safety.items[0].title.contains("인명 피해"),
            "the lead tells it, though only another telling has the keyword"
        );

        let one = digest("one");
        assert_eq!((one.count, one.left_out, one.more), (1, 1, 1));
    }

    /// A day of `n` articles, each a story of its own, in the dump's order.
    fn numbered_day(n: usize) -> (Vec<Article>, Vec<Story>) {
        let articles: Vec<Article> = (0..n)
            .map(|i| {
                let body = format!(
                    "항만공사는 {i}번 부두의 하역 물량이 {}% 늘었다고 밝혔다. 새 크레인 {}대가 다음 달 들어온다.",
                    i % 40 + 1,
                    i % 7 + 2
                );
                let title = format!("{i}번 부두 하역 물량 늘어, 새 크레인도 다음 달 들어와");
                article(&title, None, &body)
            })
            .collect();
        let alone = (0..n)
            .map(|lead| Story {
                lead,
                others: vec![],
            })
            .collect();
        (articles, alone)
    }

    /// The cut is exact: a group given only as many stories as its briefing can show
    /// gets the briefing the whole day rendered and cut for size would be, with the
    /// built-in templates (about 400 fit) and with one that fits thousands, for which
    /// the stories built grow until they no longer all fit.
    #[test]
    fn a_briefing_built_from_what_fits_is_the_whole_day_cut_for_size() {
        let config = Config::parse(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"b@example.com\"\n[groups.g]\nrecipients = [\"a@example.com\"]\norder = \"source\"\n",
            std::path::Path::new("/x/config.toml"),
        )
        .unwrap();
        let group = &config.groups[0];
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let dense = tempfile::tempdir().unwrap();
        std::fs::write(
            dense.path().join("briefing.html.hbs"),
            "{{#each items}}<p>{{number}} {{title}}: {{title}}</p>{{/each}}{{#if left_out}}외 {{left_out}}건{{/if}}",
        )
        .unwrap();
        for (n, dir, most_built) in [(1000, None, FIRST_CUT), (2500, Some(dense.path()), 2048)] {
            let templates = Templates::load(dir).unwrap();
            let (articles, stories) = numbered_day(n);
            let edition = Edition::new(&config, &articles, stories, vec![], Common::default());
            let cut = render_group(&config, &templates, &edition, group, date).unwrap();
            assert!(cut.items < n, "{n}: {} items", cut.items);
            let leads = &edition.leads;
            assert_eq!(leads.made(), most_built, "{n} stories");

            let whole: Vec<Summary> = (0..n).map(|i| leads.summary(i).clone()).collect();
            let mut digest = digest::build(&whole, &[], group, date);
            add_footer(&config, &mut digest);
            let whole = templates.render(digest, &config.mail.subject).unwrap();
            assert_eq!(
                (&cut.subject, cut.items, cut.newest),
                (&whole.subject, whole.items, whole.newest)
            );
            assert_eq!(cut.text, whole.text);
            assert_eq!(cut.html, whole.html);
        }
    }
}
