//! The day at a glance, at the top of a briefing: the words the day's articles keep
//! coming back to, and a few figures from their key lines with the words that say what
//! they count. Both fall out of the selection's own keyword and number density; a
//! reader sees the shape of the day before the first story.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::dump::Article;
use crate::figure;
use crate::score::{self, terms};
use crate::summary::Summary;

/// Keywords shown: more is a list nobody reads in an inbox.
const KEYWORDS: usize = 6;
/// Stories whose words make the keywords: the day's, not its tail's.
const TOP_STORIES: usize = 10;
/// Figures shown, at most one per story.
const FIGURES: usize = 4;
/// Words of context before a figure (`기준금리 연` before `2.50%`).
const CONTEXT_WORDS: usize = 2;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Glance {
    pub keywords: Vec<Keyword>,
    pub figures: Vec<Figure>,
    /// Every word of the top stories, in the order met, with the stories (1-based) that
    /// carry it and how many of each story's tellings do: what `keywords` are chosen
    /// from again when the briefing is cut for size, so that a keyword counts the
    /// articles the reader is shown.
    #[serde(skip)]
    carried: Vec<(String, Carriers)>,
}

/// The stories (1-based) that carry a word, each with how many of its tellings do.
type Carriers = Vec<(usize, usize)>;

/// A word and how many of the top stories' articles carry it.
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
        let mut keywords: Vec<(&str, usize, Vec<usize>)> = self
            .carried
            .iter()
            .map(|(word, items)| {
                let kept = items.iter().filter(|&&(n, _)| n <= shown);
                let articles = kept.clone().map(|&(_, tellings)| tellings).sum();
                (word.as_str(), articles, kept.map(|&(n, _)| n).collect())
            })
            .filter(|&(_, articles, _)| articles >= 2)
            .collect();
        // Stable: among equals, the word met first.
        keywords.sort_by_key(|&(_, articles, _)| std::cmp::Reverse(articles));
        self.keywords = keywords
            .into_iter()
            .take(KEYWORDS)
            .map(|(word, articles, items)| Keyword {
                word: word.to_owned(),
                articles,
                items,
            })
            .collect();
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.figures.is_empty()
    }
}

/// The glance of the stories `shown`, numbered from 1 in that order (the rank's). A
/// keyword is a content word carried by at least two articles of the top
/// `TOP_STORIES` stories (one article's words are that article's, not the day's),
/// counting every telling of a story whose title carries it, so the words of the story
/// most outlets told come first; a word [`Common`] to any day is never one.
pub fn glance(shown: &[&Summary], common: &Common) -> Glance {
    // Per word: where it was first met, and the stories carrying it with their tellings.
    let mut carried: HashMap<&str, (usize, Carriers)> = HashMap::new();
    for (n, s) in shown.iter().take(TOP_STORIES).enumerate() {
        let mut words = terms(&s.article.title);
        words.extend(s.key_lines().flat_map(terms));
        words.sort_unstable();
        words.dedup();
        let other_titles: Vec<Vec<&str>> = s.also.iter().map(|a| terms(&a.title)).collect();
        for word in words {
            if common.contains(word) {
                continue;
            }
            let tellings = 1 + other_titles.iter().filter(|t| t.contains(&word)).count();
            let first = carried.len();
            let entry = carried.entry(word).or_insert((first, Vec::new()));
            entry.1.push((n + 1, tellings));
        }
    }
    let whole = whole_words(
        shown
            .iter()
            .take(TOP_STORIES)
            .map(|s| s.article.title.as_str()),
    );
    let mut met: Vec<(&str, (usize, Carriers))> = carried.into_iter().collect();
    met.sort_unstable_by_key(|&(_, (first, _))| first);
    let carried: Vec<(String, Carriers)> = met
        .into_iter()
        .map(|(stem, (_, items))| (whole.get(stem).copied().unwrap_or(stem).to_owned(), items))
        .collect();
    let figures = shown
        .iter()
        .enumerate()
        .filter_map(|(n, s)| {
            // An amount or a share is the story's figure; a count only when it has none.
            let money = |k: figure::Kind| matches!(k, figure::Kind::Amount | figure::Kind::Percent);
            s.key_lines()
                .find_map(|l| notable(l, money))
                .or_else(|| s.key_lines().find_map(|l| notable(l, |_| true)))
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

/// Per content-word stem, the word as a title writes it: titles drop particles, so a
/// title's word is the whole noun where the stemmer may have cut a syllable that only
/// looks like a particle (`공항철도` read as `공항철` + `도`). The shortest such word
/// is taken, the first of equals.
fn whole_words<'t>(titles: impl Iterator<Item = &'t str>) -> HashMap<&'t str, &'t str> {
    let mut whole: HashMap<&str, &str> = HashMap::new();
    for title in titles {
        // `인하…연 2.25%`: a title's words are parted by its punctuation too.
        for word in title.split(|c: char| !c.is_alphanumeric()) {
            let [stem] = terms(word)[..] else {
                continue;
            };
            let shorter = whole
                .get(stem)
                .is_none_or(|w| word.chars().count() < w.chars().count());
            if shorter && word.starts_with(stem) {
                whole.insert(stem, word);
            }
        }
    }
    whole
}

/// Words that say nothing of any one day: the nouns news uses every day (`동안`,
/// `이달`, `회사`, `관계자`), known by hand, and those the kept days show to be so.
#[derive(Debug, Default)]
pub struct Common {
    /// Words in at least [`EVERYDAY_SHARE`] of the articles of every day counted.
    learned: HashSet<String>,
}

/// Nouns of news prose on any day, whatever the news; [`Common::learn`] finds the rest.
const EVERYDAY: &[&str] = &[
    "동안",
    "이달",
    "회사",
    "관계자",
    "오늘",
    "내일",
    "어제",
    "시간",
    "사람",
    "문제",
    "상황",
    "내용",
    "결과",
    "부분",
    "이유",
    "사실",
    "주요",
    "국내",
    "한국",
    "개최",
    "진행",
    "운영",
    "추진",
    "지원",
    "확대",
    "강화",
    "기업",
    "업체",
    "지역",
    "시장",
    "협력",
    "글로벌",
    "대표",
    "사업",
    "분야",
    "기반",
    "마련",
    "제공",
    "참여",
    "예상",
    "발표",
    "이상",
    "평가",
    "기대",
    "가능",
    "필요",
    "이후",
    "지난",
    "대상",
    "기존",
    "최대",
    "세계",
    "올해",
    "내년",
];

/// A day counts towards [`Common::learn`] from this many articles: on fewer, one
/// article's words are already a share of the day.
const LEARN_FROM: usize = 20;
/// The share of a day's articles a word must reach on every day counted.
const EVERYDAY_SHARE: f64 = 0.02;

impl Common {
    /// What is common to every one of `days` (each a day's articles: the kept days and
    /// today's dump): a story's words fill one day, not each of them. With fewer than
    /// two days of `LEARN_FROM` articles, only the hand list counts.
    pub fn learn(days: &[&[Article]]) -> Common {
        let counted: Vec<&&[Article]> = days.iter().filter(|d| d.len() >= LEARN_FROM).collect();
        if counted.len() < 2 {
            return Common::default();
        }
        let mut learned: Option<HashSet<String>> = None;
        for day in counted {
            let mut df: HashMap<&str, usize> = HashMap::new();
            for article in day.iter() {
                let mut words = terms(&article.title);
                words.extend(terms(article.head()));
                words.sort_unstable();
                words.dedup();
                for w in words {
                    *df.entry(w).or_default() += 1;
                }
            }
            let floor = EVERYDAY_SHARE * day.len() as f64;
            let everyday: HashSet<String> = df
                .into_iter()
                .filter(|&(_, n)| n as f64 >= floor)
                .map(|(w, _)| w.to_owned())
                .collect();
            learned = Some(match learned {
                None => everyday,
                Some(so_far) => so_far.intersection(&everyday).cloned().collect(),
            });
        }
        Common {
            learned: learned.unwrap_or_default(),
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        EVERYDAY.contains(&word) || self.learned.contains(word)
    }
}

/// The first quantity of `line` of a kind `wanted` takes (an amount, a percentage or
/// a count: never a date, a time, an ordinal, a score or a number inside a name; not
/// an aside in brackets), whole with its unit and led by the words that say what it
/// counts.
fn notable(line: &str, wanted: impl Fn(figure::Kind) -> bool) -> Option<String> {
    figure::quantities(line).find_map(|figure| {
        if !wanted(figure.kind) {
            return None;
        }
        let head = &line[..figure.start];
        let open = head.matches(['(', '[']).count() > head.matches([')', ']']).count();
        if open {
            return None;
        }
        // A figure glued to the word before it (`연2.50%`) already has its context.
        let glued = !head.is_empty() && !head.ends_with(char::is_whitespace);
        let context = subject(head.trim_end());
        let figure = with_change(line, &figure);
        Some(match (context.is_empty(), glued) {
            (true, _) => figure.to_owned(),
            (false, true) => format!("{context}{figure}"),
            (false, false) => format!("{context} {figure}"),
        })
    })
}

/// `figure` with the figure it changed to, when the line says so (`2.50%에서 2.25%로`):
/// a rate cut's figure is the new rate, and the old one alone would mislead.
fn with_change<'a>(line: &'a str, figure: &figure::Figure<'a>) -> &'a str {
    let end = figure.start + figure.text.len();
    let Some(rest) = line[end..].strip_prefix("에서 ") else {
        return figure.text;
    };
    let to = end + "에서 ".len();
    match figure::quantities(rest).next() {
        Some(next) if next.start == 0 && next.kind == figure.kind => {
            let next_end = to + next.text.len();
            let tail = &line[next_end..];
            let particle = ["으로", "로"].into_iter().find(|p| tail.starts_with(p));
            match particle {
                Some(p) => &line[figure.start..next_end + p.len()],
                None => figure.text,
            }
        }
        _ => figure.text,
    }
}

/// What a figure counts: the up to [`CONTEXT_WORDS`] words of its clause before it,
/// each without its particle (`정부가 내년 예산을` → `내년 예산`). A word that ends a
/// clause or a verb (`위해`, `했고`, a comma) is where the subject stops: `위해 사서 4명`
/// would read as a phrase cut mid-sentence.
fn subject(head: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for word in head.split_whitespace().rev() {
        // `수출이 지난달 98억 달러`: the time sits between the figure and its subject.
        if WHEN.contains(&score::without_particle(word)) {
            continue;
        }
        if words.len() == CONTEXT_WORDS || ends_clause(word) {
            break;
        }
        let bare = score::without_particle(word);
        // A topic (`사장은 업무의 20%`) is who speaks of the figure, not what it counts.
        if bare != word && word.ends_with(['은', '는']) {
            break;
        }
        words.push(bare);
        if word.ends_with([',', '.', ':', ';', '·']) {
            break;
        }
    }
    if words.last().is_some_and(|w| ends_clause(w)) {
        words.pop();
    }
    words.reverse();
    words.join(" ")
}

/// A word after which a new phrase starts: punctuation, a connective verb form, a
/// stopword (`지난`, `통해`), or a word with no letters (a bracket, a dash).
fn ends_clause(word: &str) -> bool {
    word.ends_with([',', '.', ':', ';', '·', ')', ']', '"', '\'', '”', '’'])
        || !word.chars().any(char::is_alphabetic)
        || [
            "해", "고", "며", "면", "는", "된", "한", "던", "된다", "했다",
        ]
        .iter()
        .any(|end| word.ends_with(end) && score::without_particle(word) == word)
}

/// Words of time that stand between a figure and what it counts.
const WHEN: &[&str] = &[
    "지난달",
    "지난해",
    "올해",
    "이번",
    "오는",
    "지난",
    "현재",
    "최근",
    "이날",
    "당시",
    "이달",
    "작년",
    "전년",
    "연간",
    "한해",
];

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
        let g = glance(&[&sa, &sb, &sc], &Common::default());
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
            [("반도체 수출 98억 달러", 1), ("반도체 설비 12조 원", 2)]
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
        let mut g = glance(&shown, &Common::default());
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
    fn a_figure_is_a_whole_phrase_with_what_it_counts() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "정부가 내년 예산을 728조원으로 편성했다.",
                Some("내년 예산 728조원"),
            ),
            (
                "한국은행이 기준금리를 연 2.50%로 동결했다.",
                Some("기준금리 연 2.50%"),
            ),
            ("주민을 위해 사서 4명을 새로 뽑았다.", Some("사서 4명")),
            ("강변시는 제12회 축제를 오는 5일 연다.", None),
            ("시범경기에서 붉은매를 7대 3으로 꺾었다.", None),
            ("3호선 연장 구간이 개통했다.", None),
            ("사장은 업무의 20%를 교육에 쓴다.", Some("업무 20%")),
            (
                "금통위는 기준금리를 연 2.50%에서 2.25%로 내렸다.",
                Some("기준금리 연 2.50%에서 2.25%로"),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(notable(line, |_| true).as_deref(), *want, "{line}");
        }
    }

    #[test]
    fn the_story_most_outlets_told_gives_the_first_keywords_and_everyday_words_none() {
        let lead = article(
            "한은 기준금리 인하",
            "한국은행이 기준금리를 연 2.25%로 내렸다. 관계자는 동안 지켜봤다고 말했다.",
        );
        let tellings = [
            article("기준금리 0.25%p 인하", "금통위가 기준금리를 내렸다."),
            article("기준금리 내린 한은", "한은이 금리를 내렸다."),
        ];
        let mut big = summary(&lead);
        big.also = tellings.iter().collect();
        let minor = article("도서관 관계자 인터뷰", "관계자는 동안 바빴다고 말했다.");
        let small = summary(&minor);
        let g = glance(&[&big, &small], &Common::default());
        let words: Vec<(&str, usize)> = g
            .keywords
            .iter()
            .map(|k| (k.word.as_str(), k.articles))
            .collect();
        assert_eq!(words[0], ("기준금리", 3), "{words:?}");
        assert!(
            words.iter().all(|(w, _)| !["관계자", "동안"].contains(w)),
            "{words:?}"
        );
    }

    #[test]
    fn a_keyword_is_the_whole_word_a_title_writes() {
        let a = article("공항철도 신호 장애", "공항철도가 멈췄다.");
        let b = article("공항철도 운행 재개", "공항철도도 다시 달린다.");
        let (sa, sb) = (summary(&a), summary(&b));
        let g = glance(&[&sa, &sb], &Common::default());
        assert_eq!(g.keywords[0].word, "공항철도", "{:?}", g.keywords);
    }

    #[test]
    fn words_of_every_kept_day_are_common_and_one_days_story_is_not() {
        let day = |story: &str| -> Vec<Article> {
            (0..LEARN_FROM)
                .map(|i| {
                    let body = if i < 5 {
                        format!("{story} 소식이다. 담당자 설명이다.")
                    } else {
                        format!("기타 {i} 소식이다. 담당자 설명이다.")
                    };
                    article(&format!("기사 {i}"), &body)
                })
                .collect()
        };
        let (monday, tuesday) = (day("태풍"), day("선거"));
        let common = Common::learn(&[&monday, &tuesday]);
        assert!(common.contains("담당자"));
        assert!(!common.contains("태풍") && !common.contains("선거"));
        // One day alone teaches nothing: its story would look common.
        assert!(!Common::learn(&[&monday]).contains("담당자"));
    }

    #[test]
    fn one_story_has_no_day_to_sum_up() {
        let a = article("단독 기사", "시는 예산 42억 원을 편성했다.");
        let s = summary(&a);
        let g = glance(&[&s], &Common::default());
        assert!(g.keywords.is_empty());
        assert_eq!(g.figures[0].text, "예산 42억 원");
    }
}
