//! One story told once: which of a day's articles report the same event, and which of
//! them repeat a story of the last briefings.
//!
//! Two outlets' tellings of one event share its names, places and figures but little
//! of their wording, so the similarity of two articles is read from what survives a
//! rewrite:
//!
//! - **character n-grams of the content words**: the 2- and 3-grams of every stem that
//!   [`score::stem`] leaves once particles and endings are gone (`기준금리를` and
//!   `기준금리는` share every gram of `기준금리`). Compounds written apart or together
//!   (`금리인상`, `금리 인상`) meet in their grams, so no tokenizer is needed. Each gram
//!   is weighted by its rarity in the day, so `정부` says less than `탄천`.
//! - **the title's grams**, on their own: two headlines of one event share the key noun.
//! - **the figures** ([`score::figures`]): two articles that both give a figure in the
//!   same unit but no figure in common (a 2.5% and a 2.75% rate, a fire on the 3rd and
//!   one on the 9th) are likely two events, however alike their words are; each figure
//!   both give (`290ha`, `45대`) is evidence of one event where the wording differs.
//!
//! A false merge hides an event from the reader, a missed merge only shows one twice,
//! so the threshold is set for precision: `scripts/eval-merge` measures it on
//! `tests/data/merge_pairs.jsonl`, and a test keeps it at 0.95 or above. The weights
//! below were set by hand while reading the scores of that whole set, so only the
//! threshold is cross-validated: expect the figures on new text to be somewhat lower.
//!
//! A day is clustered without scoring every pair: an inverted index of each article's
//! rarest grams names the candidates, and only they get the exact score (see
//! [`Corpus::candidates`] for what that costs at 2,000 articles).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::dump::Article;
use crate::figure;
use crate::score::{self, term_hash, PreHashed};

/// The share of the title's own similarity in the score: a headline names the event in
/// few words, the body tells it in many, and each alone is fooled differently.
const TITLE_SHARE: f64 = 0.3;
/// What each figure conflict (a unit both use, no value of it in common) beyond the
/// units that agree leaves of the score, for at most [`MAX_CONFLICTS`] of them: two
/// quarters' results differ in little but their figures.
const CONFLICT_FACTOR: f64 = 0.4;
const MAX_CONFLICTS: i32 = 2;
/// What is left when both give figures but share none, in no common unit.
const NO_SHARED_FIGURE_FACTOR: f64 = 0.8;
/// Added per figure both give, up to [`FIGURE_BONUS_MAX`]: two tellings of one event
/// share its figures even when they share few words.
const FIGURE_BONUS: f64 = 0.08;
const FIGURE_BONUS_MAX: usize = 3;
/// How many of an article's rarest grams look up candidates in the index.
const QUERY_GRAMS: usize = 24;
/// Grams in more articles than this are not indexed: they name a topic, not an event,
/// and their posting lists are what would make candidate search quadratic.
const MAX_POSTING: usize = 120;
/// Rare grams two articles must share to be scored at all.
const MIN_SHARED_GRAMS: usize = 2;
/// What a figure is worth, in characters of body, when the lead of a story is chosen.
const LEAD_CHARS_PER_FIGURE: usize = 40;
/// Shared terms shown as the reason for a merge.
const SHOWN_TERMS: usize = 6;

/// A character n-gram by hash. 32 bits, half of a term hash: a 100 MB day has a few
/// million distinct grams, so a handful of collisions, each moving a score by one
/// gram's weight, against half the memory of every profile and of the rarity table.
type Gram = u32;

/// At most this many bytes of a body are profiled (about 250 Hangul characters; the
/// title always whole): a telling names its event, its place, its actors and its
/// figures in its first sentences, while the tail of a long article is quotes and
/// background, where outlets differ and only chance overlaps are found. It also bounds
/// what one article costs, whatever its length (measured on a 100 MB day of 61,000
/// articles: 2.0 s of CPU without merging, 2.5 s with it; 1.1 GB peak with whole
/// bodies and their words as strings, 286 MB now).
const PROFILE_BYTES: usize = 750;

/// A figure as hashes of its value and its unit: only equality is asked of it, and a
/// day holds many (their text is found again when a merge is explained).
type Figure = (u32, u32);

/// One article as the comparison sees it.
#[derive(Debug, Clone)]
struct Profile {
    /// Hashes of the 2- and 3-grams of the title's and body's stems, sorted, distinct.
    grams: Vec<Gram>,
    /// The same of the title alone.
    title: Vec<Gram>,
    /// Figures as `(value, unit)`, spaces and thousands separators dropped, sorted.
    figures: Vec<Figure>,
    /// How well the article is written for a lead: its body's length in characters, 40
    /// more per figure.
    quality: usize,
    /// The idf-weighted norms of `grams` and `title`, known once the corpus is counted:
    /// every score needs them, and summing them per score was half its cost.
    norms: (f64, f64),
}

/// How alike two articles are, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Similarity {
    /// 0 to 1.
    pub score: f64,
    /// The rarest content words both carry, rarest first.
    pub shared_terms: Vec<String>,
    /// Figures both give, normalised (`1500명`, `3.25%`).
    pub shared_figures: Vec<String>,
    /// Both give figures in one unit, none in common: likely two events.
    pub figure_conflict: bool,
}

/// One story of the day: its lead article and the other tellings merged into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Index of the best-written article: the longest body, each figure counting as 40
    /// characters (a figure is the fact a reader looks for), the first of equals.
    pub lead: usize,
    /// The other articles, in index order, each with its similarity to the lead.
    pub others: Vec<(usize, Similarity)>,
}

impl Story {
    /// Every article of the story by index, the lead first.
    pub fn members(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.lead).chain(self.others.iter().map(|(i, _)| *i))
    }
}

/// The articles of one comparison (a day, or a day and the last briefings) with the
/// rarity of every gram among them.
pub struct Corpus<'a> {
    /// `(title, head)` of each article (the [`profiled`] part of its body), for the
    /// words and figures two of them share.
    docs: Vec<(&'a str, &'a str)>,
    profiles: Vec<Profile>,
    /// Per gram: in how many articles, and its squared idf weight, worked out once (a
    /// logarithm per gram per score was a tenth of a large day's build).
    grams: GramMap<(u32, f64)>,
}

/// Grams are hashes already: mixing them again is wasted work.
type GramMap<V> = HashMap<Gram, V, BuildHasherDefault<PreHashed>>;

impl<'a> Corpus<'a> {
    /// Profiles `(title, body)` pairs; rarity is counted over all of them.
    pub fn new(docs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Corpus<'a> {
        let docs: Vec<(&'a str, &'a str)> = docs.into_iter().collect();
        let mut profiles: Vec<Profile> = docs.iter().map(|&(t, b)| profile(t, b)).collect();
        let mut grams: GramMap<(u32, f64)> = GramMap::default();
        for p in &profiles {
            for &g in &p.grams {
                grams.entry(g).or_default().0 += 1;
            }
        }
        let n = profiles.len();
        for (df, weight) in grams.values_mut() {
            *weight = score::idf(n, *df).powi(2);
        }
        let norm = |s: &[Gram]| {
            s.iter()
                .map(|g| grams.get(g).map_or(0.0, |w| w.1))
                .sum::<f64>()
        };
        for p in &mut profiles {
            p.norms = (norm(&p.grams), norm(&p.title));
        }
        Corpus {
            docs: docs.into_iter().map(|(t, b)| (t, profiled(b))).collect(),
            profiles,
            grams,
        }
    }

    /// A day's articles.
    pub fn of_articles(articles: &'a [Article]) -> Corpus<'a> {
        Corpus::new(articles.iter().map(|a| (a.title.as_str(), a.body.as_str())))
    }

    /// Articles compared.
    fn len(&self) -> usize {
        self.profiles.len()
    }

    /// The squared [`score::idf`] of `gram` in this corpus.
    fn weight(&self, gram: Gram) -> f64 {
        self.grams.get(&gram).map_or(0.0, |w| w.1)
    }

    /// In how many articles `gram` is.
    fn df(&self, gram: Gram) -> u32 {
        self.grams.get(&gram).map_or(0, |w| w.0)
    }

    /// The idf-weighted cosine of two sorted gram sets with their norms.
    fn cosine(&self, (a, na): (&[Gram], f64), (b, nb): (&[Gram], f64)) -> f64 {
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        let common: f64 = intersect(a, b).map(|g| self.weight(g)).sum();
        common / (na * nb).sqrt()
    }

    /// How alike articles `i` and `j` are, 0 to 1: what clustering compares, without
    /// the reasons [`Corpus::similarity`] adds.
    pub fn score(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (&self.profiles[i], &self.profiles[j]);
        let text = self.cosine((&a.grams, a.norms.0), (&b.grams, b.norms.0));
        let title = self.cosine((&a.title, a.norms.1), (&b.title, b.norms.1));
        let (shared, conflicts) = compare_figures(&a.figures, &b.figures);
        let mut score = (1.0 - TITLE_SHARE) * text + TITLE_SHARE * title;
        if conflicts > 0 {
            score *= CONFLICT_FACTOR.powi(conflicts.min(MAX_CONFLICTS));
        } else if shared == 0 && !a.figures.is_empty() && !b.figures.is_empty() {
            score *= NO_SHARED_FIGURE_FACTOR;
        }
        score += FIGURE_BONUS * shared.min(FIGURE_BONUS_MAX) as f64;
        score.min(1.0)
    }

    /// The score of articles `i` and `j` with its reasons.
    pub fn similarity(&self, i: usize, j: usize) -> Similarity {
        let (a, b) = (&self.profiles[i], &self.profiles[j]);
        Similarity {
            score: self.score(i, j),
            shared_terms: self.shared_terms(i, j),
            shared_figures: profiled_figures(self.docs[i])
                .iter()
                .filter(|f| b.figures.contains(&figure_key(f)))
                .map(|(v, u)| format!("{v}{u}"))
                .collect(),
            figure_conflict: compare_figures(&a.figures, &b.figures).1 > 0,
        }
    }

    /// The rarest words `i` and `j` share, as `i` writes them, rarest first (by the
    /// rarity of a word's rarest gram). Found again in the texts, as only an explained
    /// merge needs them: a profile holding a `String` per word was three quarters of
    /// the memory of a 100 MB day.
    fn shared_terms(&self, i: usize, j: usize) -> Vec<String> {
        let mut in_j = HashSet::new();
        profiled_words(self.docs[j], |_, hash, _| {
            in_j.insert(hash);
        });
        let mut words: Vec<(u32, String)> = Vec::new();
        profiled_words(self.docs[i], |stem, hash, _| {
            if in_j.contains(&hash) && !words.iter().any(|(_, w)| w == stem) {
                let mut grams = Vec::new();
                push_grams(stem, &mut grams);
                let df = grams.iter().map(|&g| self.df(g)).min().unwrap_or(0);
                words.push((df, stem.to_owned()));
            }
        });
        words.sort();
        words
            .into_iter()
            .take(SHOWN_TERMS)
            .map(|(_, t)| t)
            .collect()
    }

    /// The pairs `(i, j)`, `i < j`, worth the exact score, for every `i` in `from` and
    /// `j` in `to` (the same range for a day; today against the past for repeats): those
    /// sharing at least `MIN_SHARED_GRAMS` (2) of `i`'s `QUERY_GRAMS` (24) rarest grams
    /// (of those in two to `MAX_POSTING` (120) articles). The work is bounded by articles ×
    /// `QUERY_GRAMS` × `MAX_POSTING`: linear in the day.
    ///
    /// Measured with a debug build on this 2-core machine, on a worst case of 2,000
    /// articles made of the pair set's 605 sentences recombined (every sentence in about
    /// 13 articles, so thousands of true pairs): scoring all 2 million pairs took 7.3 s;
    /// the index took 0.75 s to name 136,000 candidates and 0.76 s to score them,
    /// finding 10,392 of the 13,026 pairs over the threshold (80%; on the pair set as a
    /// day, every one: see the tests). `explain --merges` on that day: 3.5 s in all.
    pub fn candidates(
        &self,
        from: std::ops::Range<usize>,
        to: std::ops::Range<usize>,
    ) -> Vec<(usize, usize)> {
        // A gram in one article only finds nobody; one in many costs the most.
        let indexed = |g: &Gram| {
            let df = self.df(*g);
            (2..=MAX_POSTING as u32).contains(&df).then_some((df, *g))
        };
        let mut postings: GramMap<Vec<usize>> = GramMap::default();
        for j in to.clone() {
            for (_, g) in self.profiles[j].grams.iter().filter_map(indexed) {
                postings.entry(g).or_default().push(j);
            }
        }
        let mut pairs = Vec::new();
        // Shared rare grams per article of `to`, and which ones this `i` touched: a
        // map per article cost more than the index.
        let mut counts = vec![0usize; self.len()];
        let mut touched: Vec<usize> = Vec::new();
        for i in from {
            let mut rare: Vec<(u32, Gram)> =
                self.profiles[i].grams.iter().filter_map(indexed).collect();
            rare.sort_unstable();
            for j in touched.drain(..) {
                counts[j] = 0;
            }
            for (_, g) in rare.into_iter().take(QUERY_GRAMS) {
                for &j in postings.get(&g).into_iter().flatten() {
                    if j != i {
                        if counts[j] == 0 {
                            touched.push(j);
                        }
                        counts[j] += 1;
                    }
                }
            }
            for &j in &touched {
                if counts[j] >= MIN_SHARED_GRAMS {
                    pairs.push((i.min(j), i.max(j)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// The day clustered into stories, with the candidate pairs that scored at least
    /// `near` (for `explain --merges`' near misses).
    ///
    /// Complete linkage: two groups become one story only if every article of one is
    /// similar enough to every article of the other, so a chain of loosely alike
    /// articles (a rate decision, its market reaction, another bank's decision) does not
    /// become one story. Pairs are joined best first.
    pub fn cluster(&self, threshold: f64, near: f64) -> (Vec<Story>, Vec<(usize, usize, f64)>) {
        let n = self.len();
        let mut scored: Vec<(usize, usize, f64)> = self
            .candidates(0..n, 0..n)
            .into_iter()
            .map(|(i, j)| (i, j, self.score(i, j)))
            .filter(|&(_, _, s)| s >= near.min(threshold))
            .collect();
        scored.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        let score_of: HashMap<(usize, usize), f64> =
            scored.iter().map(|&(i, j, s)| ((i, j), s)).collect();
        let alike = |i: usize, j: usize| {
            score_of
                .get(&(i.min(j), i.max(j)))
                .is_some_and(|&s| s >= threshold)
        };
        // Every article starts as its own group; `group[i]` is the group it is in.
        let mut group: Vec<usize> = (0..n).collect();
        let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        for &(i, j, s) in &scored {
            let (gi, gj) = (group[i], group[j]);
            if s < threshold || gi == gj {
                continue;
            }
            let all = members[gi]
                .iter()
                .all(|&a| members[gj].iter().all(|&b| alike(a, b)));
            if all {
                let moved = std::mem::take(&mut members[gj]);
                for &m in &moved {
                    group[m] = gi;
                }
                members[gi].extend(moved);
            }
        }
        let mut groups: Vec<Vec<usize>> = members.into_iter().filter(|m| !m.is_empty()).collect();
        for m in &mut groups {
            m.sort_unstable();
        }
        groups.sort_unstable();
        let stories = groups.iter().filter_map(|m| self.story(m)).collect();
        (stories, scored)
    }

    /// The group `members` (in index order) as a story around its best-written article.
    /// `None` for no members.
    fn story(&self, members: &[usize]) -> Option<Story> {
        let lead = members
            .iter()
            .copied()
            // The first of equals: `max_by_key` would take the last.
            .min_by_key(|&i| (std::cmp::Reverse(self.profiles[i].quality), i))?;
        let others = members
            .iter()
            .filter(|&&i| i != lead)
            .map(|&i| (i, self.similarity(lead, i)))
            .collect();
        Some(Story { lead, others })
    }
}

/// The stories of a day: every article in exactly one, in the order of their first
/// article. Articles that repeat nobody are stories of their own with no others.
pub fn stories(articles: &[Article], threshold: f64) -> Vec<Story> {
    Corpus::of_articles(articles)
        .cluster(threshold, threshold)
        .0
}

/// A story of today's that a recent briefing already carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// Index into today's articles.
    pub today: usize,
    /// The date of the earlier briefing.
    pub date: String,
    /// Index into that day's articles.
    pub earlier: usize,
    pub similarity: Similarity,
}

/// Today's articles that repeat one of `past` (each a briefing's date and articles),
/// with the most similar earlier article; rarity is counted over today and the past
/// together.
pub fn repeats(today: &[Article], past: &[(String, Vec<Article>)], threshold: f64) -> Vec<Repeat> {
    if past.is_empty() {
        return Vec::new();
    }
    let earlier: Vec<(&str, usize, &Article)> = past
        .iter()
        .flat_map(|(date, articles)| {
            articles
                .iter()
                .enumerate()
                .map(move |(i, a)| (date.as_str(), i, a))
        })
        .collect();
    let corpus = Corpus::new(
        today
            .iter()
            .chain(earlier.iter().map(|(_, _, a)| *a))
            .map(|a| (a.title.as_str(), a.body.as_str())),
    );
    let n = today.len();
    let mut best: HashMap<usize, (usize, f64)> = HashMap::new();
    for (i, j) in corpus.candidates(0..n, n..corpus.len()) {
        let score = corpus.score(i, j);
        if score >= threshold && best.get(&i).is_none_or(|(_, b)| score > *b) {
            best.insert(i, (j, score));
        }
    }
    let mut out: Vec<Repeat> = best
        .into_iter()
        .map(|(i, (j, _))| {
            let (date, earlier, _) = earlier[j - n];
            Repeat {
                today: i,
                date: date.to_owned(),
                earlier,
                similarity: corpus.similarity(i, j),
            }
        })
        .collect();
    out.sort_by_key(|r| r.today);
    out
}

/// One line of a pair file (`tests/data/merge_pairs.jsonl`, read by
/// `briefing explain --merges --pairs` for `scripts/eval-merge`): two tellings, and
/// whether they report one event.
#[derive(Debug, serde::Deserialize)]
pub struct Pair {
    pub id: String,
    pub same: bool,
    pub a: PairText,
    pub b: PairText,
}

#[derive(Debug, serde::Deserialize)]
pub struct PairText {
    pub title: String,
    pub body: String,
}

impl Pair {
    /// Every pair's two tellings as one corpus, so that rarity is counted over the
    /// whole set: pair `n` is articles `2n` and `2n + 1`.
    pub fn corpus(pairs: &[Pair]) -> Corpus<'_> {
        Corpus::new(pairs.iter().flat_map(|p| {
            [
                (p.a.title.as_str(), p.a.body.as_str()),
                (p.b.title.as_str(), p.b.body.as_str()),
            ]
        }))
    }
}

/// The part of a body that is profiled: its first `PROFILE_BYTES` (750), cut back to a
/// character boundary and then to the last space, so that no word is cut in two. The
/// last briefings' articles are held only this far ([`crate::day::recent`]).
pub fn profiled(body: &str) -> &str {
    if body.len() <= PROFILE_BYTES {
        return body;
    }
    let mut end = PROFILE_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let head = &body[..end];
    head.rfind(char::is_whitespace)
        .map_or(head, |space| &head[..space])
}

/// The stems a profile is made of (the title's and those of `head`, the [`profiled`]
/// part of the body), with their hashes and whether they are the title's.
fn profiled_words((title, head): (&str, &str), mut each: impl FnMut(&str, u64, bool)) {
    for (text, is_title) in [(title, true), (head, false)] {
        score::scan(text, |word| {
            if let Some((stem, hash)) = score::stem(word) {
                each(stem, hash, is_title);
            }
        });
    }
}

/// The figures a profile compares (the title's and `head`'s), as text
/// `(value, unit)`, sorted and distinct.
fn profiled_figures((title, head): (&str, &str)) -> Vec<(String, String)> {
    let mut figures: Vec<(String, String)> = figure::figures(title)
        .into_iter()
        .chain(figure::figures(head))
        .map(|f| normalise_figure(f.text))
        .collect();
    figures.sort();
    figures.dedup();
    figures
}

fn figure_key((value, unit): &(String, String)) -> Figure {
    // The low halves of the term hashes, as for grams.
    (term_hash(value) as u32, term_hash(unit) as u32)
}

fn profile(title: &str, body: &str) -> Profile {
    let mut grams = Vec::new();
    let mut title_grams = Vec::new();
    let head = profiled(body);
    profiled_words((title, head), |stem, _, is_title| {
        let before = grams.len();
        push_grams(stem, &mut grams);
        if is_title {
            title_grams.extend_from_slice(&grams[before..]);
        }
    });
    for set in [&mut grams, &mut title_grams] {
        set.sort_unstable();
        set.dedup();
        // Held for the whole comparison, by every article of the day.
        set.shrink_to_fit();
    }
    let mut figures: Vec<Figure> = profiled_figures((title, head))
        .iter()
        .map(figure_key)
        .collect();
    figures.sort_unstable();
    figures.dedup();
    figures.shrink_to_fit();
    let quality = body.chars().count() + LEAD_CHARS_PER_FIGURE * figures.len();
    Profile {
        grams,
        title: title_grams,
        figures,
        quality,
        norms: (0.0, 0.0),
    }
}

/// The 2- and 3-grams of `stem`'s characters; a two-character stem is its own 2-gram.
fn push_grams(stem: &str, out: &mut Vec<Gram>) {
    let bounds: Vec<usize> = stem
        .char_indices()
        .map(|(i, _)| i)
        .chain([stem.len()])
        .collect();
    for n in [2, 3] {
        for w in bounds.windows(n + 1) {
            // The low half of the term hash: see [`Gram`].
            out.push(term_hash(&stem[w[0]..w[n]]) as Gram);
        }
    }
}

/// `3,000 억원` → (`3000`, `억원`), `1조2천억원` → (`1조2`, `천억원`): the unit is what
/// follows the last digit. `퍼센트` is `%`, so that two outlets' ways of writing one
/// figure compare equal.
fn normalise_figure(figure: &str) -> (String, String) {
    let compact: String = figure.chars().filter(|c| !matches!(c, ' ' | ',')).collect();
    let split = compact
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let (value, unit) = compact.split_at(split);
    let unit = match unit {
        "퍼센트" => "%",
        "포인트" => "%p",
        u => u,
    };
    (value.to_owned(), unit.to_owned())
}

/// How many figures both lists give, and how many units conflict: units both use with
/// no value in common (`연 3.25%` and `연 3.00%`), less the units whose figures agree.
/// The lists are a few figures each: scanning them beats building sets.
fn compare_figures(a: &[Figure], b: &[Figure]) -> (usize, i32) {
    let mut agreeing: Vec<u32> = Vec::new();
    let mut used: Vec<u32> = Vec::new();
    let mut shared = 0;
    for (value, unit) in a {
        if b.iter().any(|(v, u)| v == value && u == unit) {
            shared += 1;
            agreeing.push(*unit);
        } else if b.iter().any(|(_, u)| u == unit) {
            used.push(*unit);
        }
    }
    let conflicting = used
        .iter()
        .enumerate()
        .filter(|&(k, u)| !agreeing.contains(u) && !used[..k].contains(u))
        .count();
    agreeing.sort_unstable();
    agreeing.dedup();
    let conflicts = conflicting.saturating_sub(agreeing.len());
    (shared, i32::try_from(conflicts).unwrap_or(MAX_CONFLICTS))
}

/// The common elements of two sorted slices.
fn intersect<'a, T: Ord + Copy>(a: &'a [T], b: &'a [T]) -> impl Iterator<Item = T> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_THRESHOLD;

    fn article(title: &str, body: &str) -> Article {
        Article::of(title, None, body)
    }

    /// Two tellings of a library's new hours (other words, other order, one quote each)
    /// and a different event on the same topic, in the same town, with other figures.
    fn library_day() -> Vec<Article> {
        vec![
            article(
                "은빛구립도서관, 다음 달부터 밤 11시까지 연다",
                "은빛구립도서관이 다음 달 2일부터 평일 운영 시간을 밤 11시까지 늘린다. \
                 열람실 좌석 180개를 새로 들였다. 관장은 \"시험 기간 학생들이 많이 찾을 것\"이라고 말했다.",
            ),
            article(
                "은빛구 날씨 맑음",
                "은빛구는 오늘 맑고 낮 기온은 21도까지 오르겠다.",
            ),
            article(
                "밤 11시까지 불 켜는 은빛구립도서관…좌석 180석 늘려",
                "다음 달 2일부터 은빛구립도서관에서 밤늦게까지 공부할 수 있다. 도서관 측은 \
                 평일 폐관 시각을 밤 11시로 미루고 열람석 180개를 보탰다고 밝혔다.",
            ),
            article(
                "은빛구립도서관 리모델링으로 석 달 휴관",
                "은빛구립도서관이 노후 시설을 고치느라 다음 달 15일부터 석 달 동안 문을 닫는다. \
                 공사비는 12억원이다. 휴관 중에는 이동도서관 차량 2대가 동네를 돈다.",
            ),
        ]
    }

    #[test]
    fn two_tellings_of_one_event_are_one_story_and_the_other_event_is_not() {
        let day = library_day();
        let stories = stories(&day, DEFAULT_THRESHOLD);
        assert_eq!(stories.len(), 3, "{stories:#?}");
        let merged: Vec<&Story> = stories.iter().filter(|s| !s.others.is_empty()).collect();
        assert_eq!(merged.len(), 1, "{stories:#?}");
        let mut members = vec![merged[0].lead, merged[0].others[0].0];
        members.sort_unstable();
        assert_eq!(members, [0, 2]);
        let (_, why) = &merged[0].others[0];
        assert!(why.score >= DEFAULT_THRESHOLD);
        assert!(
            why.shared_terms.iter().any(|t| t == "은빛구립도서관"),
            "{why:?}"
        );
        assert!(
            why.shared_figures.contains(&"180개".to_owned())
                || why.shared_figures.contains(&"2일".to_owned()),
            "{why:?}"
        );
        // The longer telling, with as many figures, leads.
        assert_eq!(merged[0].lead, 0);
    }

    /// A round-up that tells two events is like each of them; the two events are not
    /// alike, so the three are not one story (single linkage would chain them).
    #[test]
    fn a_chain_of_alike_articles_is_not_one_story_unless_every_pair_is_alike() {
        let day = [
            article(
                "은빛구립도서관 밤 11시까지 연장 운영",
                "은빛구립도서관이 다음 달 2일부터 평일 운영 시간을 밤 11시까지 늘린다. 열람실 좌석 180개를 새로 들였다.",
            ),
            article(
                "은빛구 소식: 도서관 연장 운영, 체육관 준공",
                "은빛구립도서관이 다음 달 2일부터 평일 밤 11시까지 문을 연다. 열람실 좌석 180개가 늘었다. \
                 은빛구민체육관도 공사비 90억원을 들여 준공식을 열었다. 수영장과 배드민턴장 6면을 갖췄다.",
            ),
            article(
                "은빛구민체육관 준공…수영장·배드민턴장 갖춰",
                "은빛구민체육관이 공사비 90억원을 들여 준공식을 열었다. 수영장과 배드민턴장 6면을 갖췄다.",
            ),
        ];
        let corpus = Corpus::of_articles(&day);
        let link = corpus.score(0, 1).min(corpus.score(1, 2));
        assert!(corpus.score(0, 2) < link, "{} {}", corpus.score(0, 2), link);
        let (stories, _) = corpus.cluster(link, link);
        assert_eq!(stories.len(), 2, "{stories:#?}");
        assert!(stories.iter().all(|s| s.others.len() <= 1), "{stories:#?}");
    }

    #[test]
    fn hard_negatives_stay_apart() {
        let cases = [
            (
                "두 번의 금리 결정",
                article("한은, 기준금리 연 3.25% 동결", "한국은행 금융통화위원회가 14일 기준금리를 연 3.25%로 동결했다. 가계부채가 늘고 있어서다."),
                article("한은, 기준금리 연 3.00%로 인하", "한국은행 금융통화위원회가 27일 기준금리를 연 3.00%로 내렸다. 내수 부진이 길어졌다."),
            ),
            (
                "한 도시의 두 화재",
                article("은빛구 물류창고 화재", "5일 새벽 은빛구 물류창고에서 불이 나 2시간 만에 꺼졌다. 직원 3명이 대피했다."),
                article("은빛구 상가 화재", "9일 오후 은빛구 상가 2층에서 불이 나 40분 만에 꺼졌다. 손님 15명이 대피했다."),
            ),
            (
                "한 회사의 두 분기",
                article("가람전자 2분기 영업이익 8천억원", "가람전자의 2분기 영업이익이 8000억원으로 집계됐다. 매출은 9조원이다."),
                article("가람전자 3분기 영업이익 1조2천억원", "가람전자의 3분기 영업이익이 1조2000억원으로 집계됐다. 매출은 11조원이다."),
            ),
        ];
        for (name, a, b) in cases {
            let pair = [a, b];
            let corpus = Corpus::of_articles(&pair);
            let sim = corpus.similarity(0, 1);
            assert!(sim.score < DEFAULT_THRESHOLD, "{name}: {sim:?}");
            assert!(sim.figure_conflict, "{name}: {sim:?}");
        }
    }

    #[test]
    fn articles_without_a_body_compare_by_title_and_empty_ones_by_nothing() {
        let day = [
            article("은빛구립도서관 밤 11시까지 연장 운영", ""),
            article("은빛구립도서관, 밤 11시까지 연장 운영한다", ""),
            article("", ""),
            article("", ""),
        ];
        let corpus = Corpus::of_articles(&day);
        assert!(corpus.similarity(0, 1).score >= DEFAULT_THRESHOLD);
        let empty = corpus.similarity(2, 3);
        assert_eq!(empty.score, 0.0);
        assert!(empty.shared_terms.is_empty());
        assert_eq!(corpus.similarity(0, 2).score, 0.0);
        let stories = stories(&day, DEFAULT_THRESHOLD);
        assert_eq!(
            stories.len(),
            3,
            "the empty articles are two stories: {stories:?}"
        );
    }

    #[test]
    fn a_number_word_and_the_number_after_it_are_one_figure() {
        let profiled = profiled_figures(("시간당 1만320원으로 2.9% 올랐다", ""));
        assert_eq!(
            profiled,
            [("1만320".into(), "원".into()), ("2.9".into(), "%".into())]
        );
        assert_eq!(
            normalise_figure("3,000 억원"),
            ("3000".into(), "억원".into())
        );
        assert_eq!(normalise_figure("5퍼센트"), ("5".into(), "%".into()));
        assert_eq!(
            normalise_figure("1조2천억원"),
            ("1조2".into(), "천억원".into())
        );
    }

    #[test]
    fn a_long_body_is_profiled_up_to_a_space_and_never_inside_a_character() {
        let body = "은빛구 물류창고에서 불이 났다. ".repeat(60);
        let head = profiled(&body);
        assert!(head.len() <= PROFILE_BYTES && head.len() > PROFILE_BYTES / 2);
        assert!(body[head.len()..].starts_with(' '), "{head:?}");
        let short = "짧은 본문이다.";
        assert_eq!(profiled(short), short);
        // One unbroken run of Hangul: cut at a character, the only boundary there is.
        let run = "가".repeat(400);
        assert_eq!(profiled(&run).chars().count(), PROFILE_BYTES / 3);
    }

    fn pair_set() -> Vec<Pair> {
        include_str!("../tests/data/merge_pairs.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The figure `scripts/eval-merge` reports, kept: a change to the scorer that
    /// merges different events fails here.
    #[test]
    fn the_pair_set_merges_with_precision_of_at_least_095_at_the_default_threshold() {
        let pairs = pair_set();
        let corpus = Pair::corpus(&pairs);
        assert!(pairs.len() >= 120);
        let (mut tp, mut fp) = (0, 0);
        for (n, p) in pairs.iter().enumerate() {
            if corpus.similarity(2 * n, 2 * n + 1).score >= DEFAULT_THRESHOLD {
                if p.same {
                    tp += 1;
                } else {
                    fp += 1;
                }
            }
        }
        let same = pairs.iter().filter(|p| p.same).count();
        let precision = f64::from(tp) / f64::from(tp + fp);
        let recall = f64::from(tp) / same as f64;
        assert!(
            precision >= 0.95,
            "precision {precision:.3} ({tp} right, {fp} false merges)"
        );
        assert!(recall >= 0.8, "recall {recall:.3}");
    }

    /// The index only saves work if it keeps the pairs that matter: on the pair set, as
    /// one day of 240 articles, every pair that scores over the threshold is a candidate.
    #[test]
    fn the_index_finds_every_pair_over_the_threshold() {
        let pairs = pair_set();
        let corpus = Pair::corpus(&pairs);
        let candidates: HashSet<(usize, usize)> = corpus
            .candidates(0..corpus.len(), 0..corpus.len())
            .into_iter()
            .collect();
        for n in 0..pairs.len() {
            if corpus.similarity(2 * n, 2 * n + 1).score >= DEFAULT_THRESHOLD {
                assert!(candidates.contains(&(2 * n, 2 * n + 1)), "pair {}", n + 1);
            }
        }
        assert!(candidates.len() < corpus.len() * (corpus.len() - 1) / 20);
    }

    #[test]
    fn a_story_told_yesterday_is_a_repeat_and_a_new_one_is_not() {
        let day = library_day();
        let yesterday = vec![
            article(
                "은빛구립도서관 평일 밤 11시까지 운영",
                "은빛구립도서관이 다음 달 2일부터 평일에는 밤 11시에 문을 닫는다. 좌석도 180석 늘린다.",
            ),
            article("은빛구 체육관 준공", "은빛구 체육관이 문을 열었다. 공사비는 90억원이다."),
        ];
        let past = vec![("2025-09-06".to_owned(), yesterday)];
        let repeats = repeats(&day, &past, DEFAULT_THRESHOLD);
        let found: Vec<(usize, usize)> = repeats.iter().map(|r| (r.today, r.earlier)).collect();
        assert_eq!(found, [(0, 0), (2, 0)], "{repeats:#?}");
        assert!(repeats.iter().all(|r| r.date == "2025-09-06"));
    }
}
