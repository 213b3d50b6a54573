//! The key lines of every article of a dump: split each body, weigh terms across the
//! whole dump, pick per article.

use std::cell::OnceCell;

use serde::Serialize;

use crate::config::SummaryConfig;
use crate::dump::Article;
use crate::merge::Story;
use crate::score::Idf;
use crate::select::{select, Heading, Selection};
use crate::split::split;

/// One article with its sentences and what the selection made of them.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    pub article: &'a Article,
    /// Slices of the article's body.
    pub sentences: Vec<&'a str>,
    pub selection: Selection,
    /// The other tellings of the same story ([`crate::merge::stories`]), in dump
    /// order: named and linked under the lead, never split or scored.
    pub also: Vec<&'a Article>,
}

impl<'a> Summary<'a> {
    /// The picked sentences, in article order.
    pub fn key_lines(&self) -> impl Iterator<Item = &str> + '_ {
        self.selection.picks.iter().map(|&i| self.sentences[i])
    }

    /// Every article of the story, the lead first: a group that wants any of them
    /// wants the story.
    pub fn articles(&self) -> impl Iterator<Item = &'a Article> + '_ {
        std::iter::once(self.article).chain(self.also.iter().copied())
    }
}

/// Splits every article and picks its key lines with `cfg`, each article a story of
/// its own: what `explain` and the tests look at, one article at a time.
pub fn summarize<'a>(articles: &'a [Article], cfg: &SummaryConfig) -> Vec<Summary<'a>> {
    let idf = day_idf(articles);
    (0..articles.len())
        .map(|i| tell(articles, &[i], &idf, cfg))
        .collect()
}

/// One summary per story of `articles`, in the stories' order: only each lead is split
/// and picked; the term weights are taken across every article, so a day without a
/// merge gets the picks [`summarize`] makes.
pub fn summarize_stories<'a>(
    articles: &'a [Article],
    stories: &[Story],
    cfg: &SummaryConfig,
) -> Vec<Summary<'a>> {
    let idf = day_idf(articles);
    stories
        .iter()
        .map(|story| tell(articles, &story.members().collect::<Vec<_>>(), &idf, cfg))
        .collect()
}

/// The summaries of a day's stories, each made when first asked for: a briefing shows
/// a few hundred stories at most, so on a day of tens of thousands only those it can
/// show are split and picked, while the term weights are still the whole day's.
pub struct Leads<'a> {
    articles: &'a [Article],
    /// In the order the briefing tells them.
    stories: Vec<Story>,
    idf: Idf,
    cfg: SummaryConfig,
    /// Boxed: a day of tens of thousands of stories makes a few hundred.
    made: Vec<OnceCell<Box<Summary<'a>>>>,
}

impl<'a> Leads<'a> {
    /// The `stories` of `articles` (in the order they are to be told), picked with `cfg`.
    pub fn new(articles: &'a [Article], stories: Vec<Story>, cfg: SummaryConfig) -> Leads<'a> {
        Leads {
            articles,
            made: stories.iter().map(|_| OnceCell::new()).collect(),
            stories,
            idf: day_idf(articles),
            cfg,
        }
    }

    /// Stories of the day.
    pub fn count(&self) -> usize {
        self.stories.len()
    }

    /// The articles of story `i`, its lead first: a group that wants any of them wants
    /// the story.
    pub fn articles(&self, i: usize) -> impl Iterator<Item = &'a Article> + '_ {
        self.stories[i].members().map(|m| &self.articles[m])
    }

    /// Stories split and picked so far.
    #[cfg(test)]
    pub fn made(&self) -> usize {
        self.made.iter().filter(|s| s.get().is_some()).count()
    }

    /// The summary of story `i`, split and picked once, with the `cfg`'s lines.
    pub fn summary(&self, i: usize) -> &Summary<'a> {
        self.made[i].get_or_init(|| {
            let members: Vec<usize> = self.stories[i].members().collect();
            Box::new(tell(self.articles, &members, &self.idf, &self.cfg))
        })
    }
}

/// How rare each term is across the day's bodies: every story's picks are weighed by
/// the whole day, whether or not it is told.
fn day_idf(articles: &[Article]) -> Idf {
    Idf::from_texts(articles.iter().map(|a| a.body.as_str()))
}

/// The summary of the story of `members` (indexes into `articles`, the lead first): the
/// lead split and picked, the others named.
fn tell<'a>(
    articles: &'a [Article],
    members: &[usize],
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Summary<'a> {
    let article = &articles[members[0]];
    let sentences = split(&article.body);
    Summary {
        selection: select(&sentences, &Heading::from(article), idf, cfg),
        article,
        sentences,
        also: members[1..].iter().map(|&i| &articles[i]).collect(),
    }
}

/// The JSON score of a line that is not content and never competes.
pub const NOT_CONTENT: f64 = -1000.0;

/// The `briefing summarize --format json` contract.
#[derive(Debug, Serialize)]
pub struct JsonSummaries<'a> {
    pub articles: Vec<JsonSummary<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonSummary<'a> {
    pub title: &'a str,
    pub label: Option<&'a str>,
    /// RFC 3339 in Korea time, e.g. `2025-09-07T10:47:15+09:00`.
    pub published_at: Option<String>,
    /// For a story of a round-up: the round-up's title (an addition to the contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roundup: Option<&'a str>,
    /// The original article and who published it, when the source says (additions to
    /// the contract, left out when unknown so a dump without them reads as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<&'a str>,
    /// The other tellings of the same story (an addition, left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<JsonAlso<'a>>,
    pub sentences: &'a [&'a str],
    pub picks: &'a [usize],
    pub scores: Vec<f64>,
}

/// Another outlet's telling of a story: enough to name it and open it.
#[derive(Debug, Serialize)]
pub struct JsonAlso<'a> {
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<&'a str>,
}

impl<'a> JsonSummaries<'a> {
    pub fn new(summaries: &'a [Summary<'a>]) -> Self {
        JsonSummaries {
            articles: summaries
                .iter()
                .map(|s| JsonSummary {
                    title: &s.article.title,
                    label: s.article.label.as_deref(),
                    published_at: s.article.published_at.map(|t| t.to_rfc3339()),
                    roundup: s.article.roundup.as_deref(),
                    url: s.article.url.as_deref(),
                    outlet: s.article.outlet.as_deref(),
                    also: s
                        .also
                        .iter()
                        .map(|a| JsonAlso {
                            title: &a.title,
                            url: a.url.as_deref(),
                            outlet: a.outlet.as_deref(),
                        })
                        .collect(),
                    sentences: &s.sentences,
                    picks: &s.selection.picks,
                    // Rounded so the output is stable and readable; the order is kept.
                    // Lines that never compete (bylines, captions) score -inf inside,
                    // which JSON cannot hold: they get NOT_CONTENT.
                    scores: s
                        .selection
                        .scores
                        .iter()
                        .map(|x| {
                            if x.is_finite() {
                                (x * 10_000.0).round() / 10_000.0
                            } else {
                                NOT_CONTENT
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample dump holds straight news and one `[기자수첩]` column. The news must
    /// keep its lead; the column's picks must reach past its opening hook and scene to
    /// its evidence (lines with figures) and its closing argument.
    #[test]
    fn sample_dump_news_keeps_its_lead_and_the_column_its_point() {
        let text = include_str!("../samples/dump-2025-09-07.txt");
        let articles = crate::dump::parse(text, "sample").expect("the sample dump parses");
        let summaries = summarize(&articles, &SummaryConfig::default());
        let column = summaries
            .iter()
            .find(|s| s.article.label.as_deref() == Some("기자수첩"))
            .expect("the sample has a column");
        let picks = &column.selection.picks;
        let closing = column.sentences.len() - 3;
        assert!(picks.iter().all(|&i| i >= 2), "{picks:?}");
        assert!(picks.iter().any(|&i| i >= closing), "{picks:?}");
        let figures = |&i: &usize| crate::score::figures(column.sentences[i]).count() >= 2;
        assert!(picks.iter().any(figures), "{picks:?}");
        for news in summaries
            .iter()
            .filter(|s| s.article.label.as_deref() != Some("기자수첩"))
        {
            let first_content = news.selection.scores.iter().position(|s| s.is_finite());
            assert_eq!(
                news.selection.picks.first(),
                first_content.as_ref(),
                "{}",
                news.article.title
            );
        }
    }
}
