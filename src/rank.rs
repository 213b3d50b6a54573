//! The day's stories in the order an editor would put them: the story most outlets
//! told first, an opinion page after the news. A source's own order is the order its
//! articles were written in, which says nothing of their weight: the sample's first
//! article is a library's opening hours.
//!
//! The rank is a sum of a few signals that hold for news in general, each shown by
//! `briefing explain --day`:
//! - **outlets**: how many outlets told the story (its merged tellings): the signal
//!   news aggregators order by (Naver's clusters by the articles that share an issue,
//!   Techmeme by the sources that link a story);
//! - **vocabulary**: how much of the day's vocabulary the story carries: the cosine of
//!   its words with the rest of the day's, so a story the day keeps coming back to rises;
//! - **figures**: the amounts, percentages and counts of its title and lead;
//! - **recency**: how close it is to the newest article of the day;
//! - **length**: a short brief says less than a full report;
//! - **kind**: straight news above features and round-up items; columns and
//!   editorials go to an opinion section after the news, in their own rank order.

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use serde::Serialize;

use crate::config::Order;
use crate::dump::Article;
use crate::figure::{self, Kind as FigureKind};
use crate::merge::Story;
use crate::score::{term_hashes, Idf, PreHashed};
use crate::select::{self, ArticleKind};

/// The weight of each signal in the rank. Hand-set from the reasons above, not fitted:
/// a second outlet (ln 2 = 0.69) outweighs any one of the other signals at its top,
/// and three of them together (a central, figure-rich, fresh single report) can
/// outrank a second telling.
const W_OUTLETS: f64 = 1.0;
const W_VOCABULARY: f64 = 0.5;
const W_FIGURES: f64 = 0.3;
const W_RECENCY: f64 = 0.2;
const W_LENGTH: f64 = 0.2;
/// Figures counted at most: a table of numbers is not three times the news.
const FIGURES_FULL: f64 = 3.0;
/// Hours over which recency halves.
const HALF_LIFE_HOURS: f64 = 12.0;
/// Characters of body at which a report counts as full length.
const FULL_LENGTH: f64 = 1200.0;

/// What a story is, for where it goes in the briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    News,
    /// An interview, a feature, a series: read, but after the day's news.
    Feature,
    /// One item of a round-up article: a small story of its own.
    Roundup,
    /// A column, an editorial, a reporter's notebook: the writer's view.
    Opinion,
}

impl Kind {
    /// Of `article`, from its label and whether it came from a round-up.
    pub fn of(article: &Article) -> Kind {
        if article.roundup.is_some() {
            return Kind::Roundup;
        }
        let first = article
            .label
            .as_deref()
            .and_then(|l| select::label_kinds(l).next());
        match first {
            Some(ArticleKind::Column) => Kind::Opinion,
            Some(ArticleKind::Feature | ArticleKind::Interview) => Kind::Feature,
            // A round-up labelled as one but not split into its stories reads as news.
            Some(ArticleKind::News | ArticleKind::Roundup) | None => Kind::News,
        }
    }

    /// As `explain --day` and the JSON say it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Feature => "feature",
            Kind::Roundup => "roundup",
            Kind::Opinion => "opinion",
        }
    }

    /// Added to the rank: where a kind stands among stories told as often.
    fn weight(self) -> f64 {
        match self {
            Kind::News | Kind::Opinion => 0.0,
            Kind::Feature => -0.3,
            Kind::Roundup => -0.4,
        }
    }
}

/// Why a story stands where it does.
#[derive(Debug, Clone, Serialize)]
pub struct Signals {
    /// Articles that tell it.
    pub tellings: usize,
    /// Outlets among them (each article without one counts as its own).
    pub outlets: usize,
    /// 0 to 1: its words' share of the rest of the day's, against the day's most.
    pub vocabulary: f64,
    /// Quantities in its title and lead.
    pub figures: usize,
    /// Hours before the day's newest article; none without a time.
    pub hours_old: Option<f64>,
    /// Characters of the lead's body.
    pub length: usize,
    pub kind: Kind,
}

impl Signals {
    /// The rank's score: the weighted sum of the signals.
    pub fn score(&self) -> f64 {
        W_OUTLETS * (self.outlets.max(1) as f64).ln()
            + W_VOCABULARY * self.vocabulary
            + W_FIGURES * (self.figures as f64).min(FIGURES_FULL) / FIGURES_FULL
            + W_RECENCY
                * self
                    .hours_old
                    .map_or(0.0, |h| 0.5f64.powf(h / HALF_LIFE_HOURS))
            + W_LENGTH * (self.length as f64 / FULL_LENGTH).min(1.0)
            + self.kind.weight()
    }
}

/// A story's place in the day.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// Index into the day's stories.
    pub story: usize,
    pub score: f64,
    pub signals: Signals,
}

/// Every story of `articles` with its signals and score, in the stories' order: worked
/// out once a day, whatever order each group asks for.
pub fn rank(articles: &[Article], stories: &[Story]) -> Vec<Ranked> {
    signals(articles, stories)
        .into_iter()
        .enumerate()
        .map(|(story, signals)| Ranked {
            story,
            score: signals.score(),
            signals,
        })
        .collect()
}

/// The stories' indices in the order `order` asks for. By rank, the news (with
/// features and round-up items) come by score, then the opinion pieces by score; equal
/// scores, and `Source`, keep the sources' order; `Time` is newest first.
pub fn order(ranked: &[Ranked], order: Order) -> Vec<usize> {
    let mut by: Vec<&Ranked> = ranked.iter().collect();
    match order {
        Order::Source => {}
        Order::Rank => by.sort_by(|a, b| {
            let opinion = |r: &Ranked| r.signals.kind == Kind::Opinion;
            opinion(a)
                .cmp(&opinion(b))
                .then(b.score.total_cmp(&a.score))
                .then(a.story.cmp(&b.story))
        }),
        Order::Time => by.sort_by(|a, b| {
            let hours = |r: &Ranked| r.signals.hours_old.unwrap_or(f64::INFINITY);
            hours(a).total_cmp(&hours(b)).then(a.story.cmp(&b.story))
        }),
    }
    by.into_iter().map(|r| r.story).collect()
}

/// The signals of every story, in the stories' order.
fn signals(articles: &[Article], stories: &[Story]) -> Vec<Signals> {
    let heads: Vec<&str> = stories.iter().map(|s| articles[s.lead].head()).collect();
    let vocabulary = vocabulary(articles, stories, &heads);
    let newest = articles.iter().filter_map(|a| a.published_at).max();
    stories
        .iter()
        .zip(heads)
        .zip(vocabulary)
        .map(|((story, head), vocabulary)| {
            let lead = &articles[story.lead];
            let members: Vec<&Article> = story.members().map(|i| &articles[i]).collect();
            let outlets: BTreeSet<&str> =
                members.iter().filter_map(|a| a.outlet.as_deref()).collect();
            let unnamed = members.iter().filter(|a| a.outlet.is_none()).count();
            let story_time = members.iter().filter_map(|a| a.published_at).max();
            Signals {
                tellings: members.len(),
                outlets: outlets.len() + unnamed,
                vocabulary,
                figures: quantities(&lead.title) + quantities(head),
                hours_old: newest
                    .zip(story_time)
                    .map(|(n, t)| (n - t).num_seconds().max(0) as f64 / 3600.0),
                length: lead.body.chars().count(),
                kind: Kind::of(lead),
            }
        })
        .collect()
}

/// Amounts and percentages count whole, other counts half: `728조원` is the news,
/// `3곳` a detail.
fn quantities(text: &str) -> usize {
    figure::quantities(text)
        .filter(|f| matches!(f.kind, FigureKind::Amount | FigureKind::Percent))
        .count()
        + figure::quantities(text)
            .filter(|f| f.kind == FigureKind::Count)
            .count()
            / 2
}

type Vector = HashMap<u64, f64, BuildHasherDefault<PreHashed>>;

/// Per story, the cosine of its words (title twice, as an editor's summary, and the
/// top of the lead, weighted by rarity across the day) with the sum of every other
/// story's, divided by the day's highest: 1 for the story the day is most about.
fn vocabulary(articles: &[Article], stories: &[Story], heads: &[&str]) -> Vec<f64> {
    let idf = Idf::from_texts(
        stories
            .iter()
            .zip(heads)
            .flat_map(|(s, h)| [articles[s.lead].title.as_str(), h]),
    );
    let vector = |s: &Story, head: &str| {
        let mut v = Vector::default();
        let title = &articles[s.lead].title;
        for (text, times) in [(title.as_str(), 2.0), (head, 1.0)] {
            term_hashes(text, |h| *v.entry(h).or_default() += times);
        }
        for (h, w) in v.iter_mut() {
            *w *= idf.weight_of(*h);
        }
        normalise(&mut v);
        v
    };
    // Two passes, each story's words made again in the second: holding a table per
    // story of a day of thirty thousand would cost more than the day's text.
    let mut day = Vector::default();
    for (s, head) in stories.iter().zip(heads) {
        for (h, w) in vector(s, head) {
            *day.entry(h).or_default() += w;
        }
    }
    let day_norm2: f64 = day.values().map(|w| w * w).sum();
    let shares: Vec<f64> = stories
        .iter()
        .zip(heads)
        .map(|(s, head)| {
            let v = vector(s, head);
            let own: f64 = v.values().map(|w| w * w).sum();
            let with_day: f64 = v.iter().map(|(h, w)| w * day[h]).sum();
            // The rest of the day: the day less this story itself.
            let dot = with_day - own;
            let rest_norm = (day_norm2 - 2.0 * with_day + own).max(0.0).sqrt();
            if rest_norm > 0.0 {
                dot / rest_norm
            } else {
                0.0
            }
        })
        .collect();
    let top = shares.iter().copied().fold(0.0, f64::max);
    shares
        .into_iter()
        .map(|s| if top > 0.0 { s / top } else { 0.0 })
        .collect()
}

fn normalise(v: &mut Vector) {
    let norm = v.values().map(|w| w * w).sum::<f64>().sqrt();
    if norm > 0.0 {
        for w in v.values_mut() {
            *w /= norm;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::stories;
    use chrono::DateTime;

    fn article(title: &str, label: Option<&str>, body: &str, outlet: &str, at: &str) -> Article {
        let mut a = Article::of(title, label, body);
        a.outlet = Some(outlet.to_owned());
        a.published_at = Some(DateTime::parse_from_rfc3339(at).unwrap());
        a
    }

    /// A day written for this test: a minor story first, the decision three outlets
    /// told last, a column in the middle.
    fn day() -> Vec<Article> {
        let rate = "한국은행 금융통화위원회는 기준금리를 연 2.50%에서 2.25%로 0.25%포인트 내렸다. 금통위는 내수 부진과 수출 둔화를 이유로 들었다. 시장은 연내 추가 인하 가능성에 주목하고 있다.";
        vec![
            article(
                "구립도서관 야간 개관 확대",
                None,
                "구립도서관이 이달부터 평일 밤 10시까지 문을 연다. 구는 사서 4명을 새로 뽑았다.",
                "동네신문",
                "2025-09-06T09:00:00+09:00",
            ),
            article(
                "출근길 지하철 혼잡 여전",
                Some("기자수첩"),
                "아침마다 승강장은 발 디딜 틈이 없다. 혼잡도는 150%를 넘는다. 대책이 필요하다.",
                "아침일보",
                "2025-09-06T10:00:00+09:00",
            ),
            article(
                "한은, 기준금리 0.25%p 인하",
                None,
                rate,
                "아침일보",
                "2025-09-06T11:00:00+09:00",
            ),
            article(
                "기준금리 2.25%로 인하…한은 금통위 결정",
                None,
                rate,
                "경제신문",
                "2025-09-06T11:05:00+09:00",
            ),
            article(
                "한국은행 기준금리 0.25%포인트 인하",
                None,
                rate,
                "통신사",
                "2025-09-06T11:10:00+09:00",
            ),
        ]
    }

    #[test]
    fn the_story_most_outlets_told_leads_and_opinion_follows_the_news() {
        let articles = day();
        let stories = stories(&articles, 0.4);
        assert_eq!(stories.len(), 3, "{stories:?}");
        let ranked = rank(&articles, &stories);
        let by_rank = order(&ranked, Order::Rank);
        let titles: Vec<&str> = by_rank
            .iter()
            .map(|&s| articles[stories[s].lead].title.as_str())
            .collect();
        assert!(titles[0].contains("기준금리"), "{titles:?}");
        assert_eq!(ranked[by_rank[0]].signals.outlets, 3);
        assert_eq!(titles[1], "구립도서관 야간 개관 확대");
        assert_eq!(titles[2], "출근길 지하철 혼잡 여전");
        assert_eq!(ranked[by_rank[2]].signals.kind, Kind::Opinion);
    }

    #[test]
    fn source_and_time_orders_keep_their_promise() {
        let articles = day();
        let stories = stories(&articles, 0.4);
        let ranked = rank(&articles, &stories);
        assert_eq!(order(&ranked, Order::Source), [0, 1, 2]);
        assert_eq!(order(&ranked, Order::Time), [2, 1, 0]);
    }

    #[test]
    fn kinds_come_from_labels_and_round_ups() {
        let mut a = Article::of("t", Some("데스크 칼럼"), "b");
        assert_eq!(Kind::of(&a), Kind::Opinion);
        a.label = Some("인터뷰".into());
        assert_eq!(Kind::of(&a), Kind::Feature);
        a.label = Some("단독".into());
        assert_eq!(Kind::of(&a), Kind::News);
        a.roundup = Some("오늘의 소식".into());
        assert_eq!(Kind::of(&a), Kind::Roundup);
    }
}
