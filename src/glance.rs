//! The day at a glance, at the top of a briefing: the words the day's articles keep
//! coming back to, and a few figures from their key lines with the words that say what
//! they count. Both fall out of the selection's own keyword and number density; a
//! reader sees the shape of the day before the first story.

use std::collections::HashMap;

use serde::Serialize;

use crate::score::{figures, terms};
use crate::summary::Summary;

/// Keywords shown: more is a list nobody reads in an inbox.
const KEYWORDS: usize = 6;
/// Figures shown, at most one per story.
const FIGURES: usize = 4;
/// Words of context before a figure (`기준금리를 연` before `2.50%`).
const CONTEXT_WORDS: usize = 2;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Glance {
    pub keywords: Vec<Keyword>,
    pub figures: Vec<Figure>,
    /// Every word at least two stories carry, in the order met: what `keywords` are
    /// chosen from again when the briefing is cut for size, so that a keyword counts the
    /// stories the reader is shown.
    #[serde(skip)]
    carried: Vec<Keyword>,
}

/// A word and how many of the briefing's stories carry it.
#[derive(Debug, Clone, Serialize)]
pub struct Keyword {
    pub word: String,
    pub articles: usize,
    /// The stories (1-based numbers in the briefing) that carry it: what `explain --day`
    /// shows as the reason.
    #[serde(skip)]
    pub items: Vec<usize>,
}

/// A figure of a key line, with the words before it and the story it links to.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// `기준금리를 연 2.50%`.
    pub text: String,
    /// The story's number in the briefing (its anchor is `#item-N`).
    pub item: usize,
}

impl Glance {
    /// Only the first `shown` stories stay (the briefing was cut for size): the figures
    /// of the others are dropped, and the keywords counted again over those shown.
    pub fn keep_items(&mut self, shown: usize) {
        self.figures.retain(|f| f.item <= shown);
        let mut keywords: Vec<(&str, Vec<usize>)> = self
            .carried
            .iter()
            .map(|k| {
                let items = k.items.iter().copied().filter(|&n| n <= shown).collect();
                (k.word.as_str(), items)
            })
            .filter(|(_, items): &(&str, Vec<usize>)| items.len() >= 2)
            .collect();
        // Stable: among equals, the word met first.
        keywords.sort_by_key(|(_, items)| std::cmp::Reverse(items.len()));
        self.keywords = keywords
            .into_iter()
            .take(KEYWORDS)
            .map(|(word, items)| keyword(word, items))
            .collect();
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.figures.is_empty()
    }
}

/// The glance of the stories `shown`, numbered from 1 in that order. A keyword must be
/// in at least two stories (one story's words are that story's, not the day's); the
/// most widely carried come first, and among equals the one met first.
pub fn glance(shown: &[&Summary]) -> Glance {
    let mut carried: HashMap<&str, (usize, Vec<usize>)> = HashMap::new();
    for (n, s) in shown.iter().enumerate() {
        let mut words = terms(&s.article.title);
        words.extend(s.key_lines().flat_map(terms));
        words.sort_unstable();
        words.dedup();
        for word in words {
            let first = carried.len();
            carried
                .entry(word)
                .or_insert((first, Vec::new()))
                .1
                .push(n + 1);
        }
    }
    let mut met: Vec<(usize, &str, Vec<usize>)> = carried
        .into_iter()
        .filter(|(_, (_, items))| items.len() >= 2)
        .map(|(word, (first, items))| (first, word, items))
        .collect();
    met.sort_unstable_by_key(|&(first, _, _)| first);
    let carried: Vec<Keyword> = met
        .into_iter()
        .map(|(_, word, items)| keyword(word, items))
        .collect();
    let figures = shown
        .iter()
        .enumerate()
        .filter_map(|(n, s)| {
            s.key_lines()
                .find_map(notable)
                .map(|text| Figure { text, item: n + 1 })
        })
        .take(FIGURES)
        .collect();
    let mut glance = Glance {
        keywords: Vec::new(),
        figures,
        carried,
    };
    glance.keep_items(shown.len());
    glance
}

fn keyword(word: &str, items: Vec<usize>) -> Keyword {
    Keyword {
        word: word.to_owned(),
        articles: items.len(),
        items,
    }
}

/// The first figure of `line` that counts something (not a date or a time of day, not
/// an aside in brackets), with up to [`CONTEXT_WORDS`] words before it.
fn notable(line: &str) -> Option<String> {
    figures(line).find_map(|figure| {
        // `figures` yields slices of `line`: its offset is where the slice starts.
        let at = figure.as_ptr() as usize - line.as_ptr() as usize;
        let head = &line[..at];
        let open = head.matches(['(', '[']).count() > head.matches([')', ']']).count();
        if is_time(figure) || open {
            return None;
        }
        let before: Vec<&str> = head.split_whitespace().collect();
        let context = before[before.len().saturating_sub(CONTEXT_WORDS)..].join(" ");
        // A figure glued to the word before it (`연2.50%`) already has its context.
        let glued = !head.is_empty() && !head.ends_with(char::is_whitespace);
        Some(match (context.is_empty(), glued) {
            (true, _) => figure.to_owned(),
            (false, true) => format!("{context}{figure}"),
            (false, false) => format!("{context} {figure}"),
        })
    })
}

/// Dates and clock times say when, not how much.
fn is_time(figure: &str) -> bool {
    ["일", "월", "년", "시", "분", "초"]
        .iter()
        .any(|unit| figure.ends_with(unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::Article;
    use crate::select::Selection;

    fn article(title: &str, body: &str) -> Article {
        Article::of(title, None, body)
    }

    fn summary(a: &Article) -> Summary<'_> {
        let sentences: Vec<&str> = a.body.split_inclusive(". ").map(str::trim).collect();
        let picks: Vec<usize> = (0..sentences.len()).collect();
        Summary {
            article: a,
            selection: Selection {
                order: picks.clone(),
                scores: vec![1.0; picks.len()],
                picks,
            },
            sentences,
            also: vec![],
        }
    }

    #[test]
    fn keywords_are_what_several_stories_carry_and_figures_count_something() {
        let a = article(
            "반도체 수출 석 달째 증가",
            "반도체 수출이 지난달 98억 달러로 늘었다. 증가 폭은 3일 발표됐다.",
        );
        let b = article(
            "반도체 설비 투자 확대",
            "업계는 반도체 설비에 올해 12조 원을 더 쓴다.",
        );
        let c = article(
            "도서관 야간 개관",
            "구립도서관(분관 3곳 포함)이 오는 9일부터 밤 10시까지 연다.",
        );
        let (sa, sb, sc) = (summary(&a), summary(&b), summary(&c));
        let g = glance(&[&sa, &sb, &sc]);
        assert_eq!(g.keywords[0].word, "반도체");
        assert_eq!(g.keywords[0].articles, 2);
        assert_eq!(g.keywords[0].items, [1, 2]);
        assert!(
            g.keywords.iter().all(|k| k.articles >= 2),
            "{:?}",
            g.keywords
        );
        let figures: Vec<(&str, usize)> = g
            .figures
            .iter()
            .map(|f| (f.text.as_str(), f.item))
            .collect();
        // Dates, clock times and asides in brackets are left out: the library story has
        // no figure to show.
        assert_eq!(
            figures,
            [("수출이 지난달 98억", 1), ("설비에 올해 12조", 2)]
        );
    }

    /// Cut for size, a briefing's keywords count the stories it still shows.
    #[test]
    fn keywords_count_again_the_stories_left_after_a_cut() {
        let articles = [
            article("항만 파업 사흘째", "부두 하역이 줄었다."),
            article("항만 물동량 회복", "부두 물동량이 늘었다."),
            article("도서관 야간 개관", "부두 옆 도서관이 밤까지 연다."),
        ];
        let summaries: Vec<Summary> = articles.iter().map(summary).collect();
        let shown: Vec<&Summary> = summaries.iter().collect();
        let mut g = glance(&shown);
        let count = |g: &Glance, word: &str| {
            g.keywords
                .iter()
                .find(|k| k.word == word)
                .map(|k| (k.articles, k.items.clone()))
        };
        assert_eq!(count(&g, "부두"), Some((3, vec![1, 2, 3])));
        g.keep_items(2);
        assert_eq!(count(&g, "부두"), Some((2, vec![1, 2])));
        assert_eq!(count(&g, "항만"), Some((2, vec![1, 2])));
        g.keep_items(1);
        assert!(g.keywords.is_empty(), "{:?}", g.keywords);
    }

    #[test]
    fn one_story_has_no_day_to_sum_up() {
        let a = article("단독 기사", "시는 예산 42억 원을 편성했다.");
        let s = summary(&a);
        let g = glance(&[&s]);
        assert!(g.keywords.is_empty());
        assert_eq!(g.figures[0].text, "시는 예산 42억");
    }
}
