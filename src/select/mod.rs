//! Picking the key lines of an article, as one pipeline:
//!
//! 1. **Form.** Every line is classified by its form ([`LineKind`]): bylines, captions,
//!    contact lines, table rows, list residue and subtitles never compete.
//! 2. **Features.** Every competing line gets one vector of [`FEATURES`]: what it says
//!    (the article's keywords, its centrality among the article's lines, figures, the
//!    news peg, the headline's words, how much of the lead it repeats), how it is
//!    written (length, quotation, a connective opening) and where it stands, with a
//!    lead prior whose strength the article's own text decides ([`Lead`]).
//! 3. **Score.** One dot product of the vector with the weights of the article's kind
//!    ([`ArticleKind`]: news, feature, interview, column, round-up item, decided from
//!    its label and text), or a blend of the kinds it may be, by their shares.
//! 4. **Picks.** Greedy maximal marginal relevance: each pick is the best line once its
//!    word overlap with the lines already picked is charged for.
//!
//! The weights are fitted on a labelled set by `scripts/fit-summary`, which reads the
//! same vectors (`briefing pick --features`), so the fit and the program cannot drift.
//!
//! # Layout
//! ```text
//! mod.rs         the pipeline and the public API, re-exported
//! kind.rs        what a line is by its form: LineKind, classify, the caption, byline,
//!                contact and notice tables
//! terms.rs       the article's words, each once with an id
//! features.rs    what a line's features are made of, and its feature vector
//! similarity.rs  tf-idf cosines of lines, TextRank centrality
//! lead.rs        how lead-first the article is
//! article_kind.rs  what kind of article it is: news, feature, interview, column,
//!                round-up item, with a confidence
//! framing.rs     the framing predicates learned by scripts/learn-framing
//! analysis.rs    analyse: one article taken apart into lines, measures and vectors
//! pick.rs        scores and greedy picks: select, Selection
//! explain.rs     the analysis shown: explain, the feature rows of `pick --features`
//! ```
//!
//! The weights, and the list of features they weigh, are `[summary]` in the config
//! ([`crate::config::SummaryConfig`]).

mod analysis;
mod article_kind;
mod explain;
mod features;
mod framing;
mod kind;
mod lead;
mod pick;
mod similarity;
mod terms;

pub use crate::config::summary::{Vector, FEATURES};
pub use analysis::{analyse, Analysis};
pub use article_kind::{label_kinds, ArticleKind, Heading, KindCall, KindSign, KINDS};
pub use explain::{explain, Contribution, Explanation, FeatureRows, KeywordHit, LineReport};
pub use kind::LineKind;
pub use lead::{Lead, LeadSign};
pub use pick::{select, Selection, REPEAT_OVERLAP};

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::config::SummaryConfig;
    use crate::score::Idf;

    fn article() -> Vec<&'static str> {
        vec![
            "물가 2.1% 상승…장바구니 부담 커져",
            "정하나 기자 hana@example.com",
            "통계청은 지난달 소비자물가가 1년 전보다 2.1% 올랐다고 5일 발표했다.",
            "통계청은 지난달 소비자물가가 1년 전보다 2.1% 올랐다고 전했다.",
            "채소와 과일 가격이 물가 상승을 이끌었고 석유류는 하락했다.",
            "정부는 다음 달 농산물 수급과 물가 안정 대책을 함께 내놓을 계획이다.",
            "“장 보기가 겁난다. 채소값이 너무 올랐다”",
        ]
    }

    #[test]
    fn picks_content_lines_skipping_repeats_and_quotes() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str(), "정부 예산 발표", "축제 개막"]);
        let heading = Heading::new(Some("소비자물가 2.1% 올라"), None);
        let sel = select(&lines, &heading, &idf, &SummaryConfig::default());
        // Not the subtitle or the byline; not the line that repeats the first pick; not
        // the bare quote at the end.
        assert_eq!(sel.picks, vec![2, 4, 5]);
        assert_eq!(sel.scores.len(), lines.len());
        assert!(sel.scores[1].is_infinite());
    }

    /// A story of a round-up gets `roundup_lines`, never more than `lines_per_article`.
    #[test]
    fn a_round_up_story_gets_its_own_count_of_lines() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str(), "정부 예산 발표", "축제 개막"]);
        let mut heading = Heading::new(Some("소비자물가 2.1% 올라"), None);
        heading.roundup = true;
        let mut cfg = SummaryConfig::default();
        let picks = |cfg: &SummaryConfig| select(&lines, &heading, &idf, cfg).picks;
        assert_eq!(picks(&cfg), vec![2], "the default: one line, the lead");
        cfg.roundup_lines = 2;
        assert_eq!(picks(&cfg).len(), 2);
        cfg.lines_per_article = 1;
        cfg.roundup_lines = 3;
        assert_eq!(picks(&cfg).len(), 1);
    }

    #[test]
    fn fewer_lines_than_asked_gives_what_there_is() {
        let idf = Idf::default();
        let lines = ["시는 다음 달 공원을 개장한다."];
        let sel = select(&lines, &Heading::default(), &idf, &SummaryConfig::default());
        assert_eq!(sel.picks, vec![0]);
        let none = select(&[], &Heading::default(), &idf, &SummaryConfig::default());
        assert!(none.picks.is_empty());
    }

    #[test]
    fn explain_shows_every_feature_and_the_lead_decision() {
        let lines = article();
        let idf = Idf::from_texts([lines.join(" ").as_str()]);
        let e = explain(&lines, &Heading::default(), &idf, &SummaryConfig::default());
        assert_eq!(e.lines.len(), lines.len());
        let lead = &e.lines[2];
        assert!(lead.picked);
        assert_eq!(lead.features.len(), FEATURES.len());
        assert!(lead.centrality > 0.0);
        assert_eq!(lead.figures, vec!["1년", "2.1%", "5일"]);
        assert!(lead.keyword_hits.iter().any(|h| h.term == "통계청"));
        assert!(e.lines[6].features[8].contribution < 0.0, "bare quote");
        assert!(!e.lines[3].picked);
        let text = e.to_string();
        assert!(
            text.starts_with(
                "kind: news 1.00 — no sign of another kind: straight news\nlead-first: 1.00"
            ),
            "{text}"
        );
        assert!(text.contains("byline"), "{text}");
        assert!(text.contains("figures: 1년, 2.1%, 5일"), "{text}");
        assert!(text.contains("quote -"), "{text}");
        let json = serde_json::to_value(&e).expect("explanation serialises");
        assert_eq!(json["lines"][1]["kind"], "byline");
        assert_eq!(json["lead"]["strength"], 1.0);
        assert_eq!(json["kind"]["kind"], "news");
    }

    /// One of tests/data/key_lines.jsonl: Korean articles written for this test (a
    /// feature with a scene lead, a column, an interview, straight news) with the key
    /// lines their writer chose and the lines a briefing must never show.
    #[derive(Deserialize)]
    struct Case {
        name: String,
        title: String,
        label: Option<String>,
        sentences: Vec<String>,
        key: Vec<usize>,
        min_hits: usize,
        never: Vec<usize>,
        lead_below: f64,
    }

    #[test]
    fn picks_the_key_lines_of_features_columns_interviews_and_news() {
        let cases: Vec<Case> = include_str!("../../tests/data/key_lines.jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a test case"))
            .collect();
        assert_eq!(cases.len(), 4);
        let joined: Vec<String> = cases.iter().map(|c| c.sentences.join(" ")).collect();
        let idf = Idf::from_texts(joined.iter().map(String::as_str));
        let cfg = SummaryConfig::default();
        for c in &cases {
            let lines: Vec<&str> = c.sentences.iter().map(String::as_str).collect();
            let heading = Heading::new(Some(c.title.as_str()), c.label.as_deref());
            let sel = select(&lines, &heading, &idf, &cfg);
            let hits = sel.picks.iter().filter(|i| c.key.contains(i)).count();
            assert!(hits >= c.min_hits, "{}: picked {:?}", c.name, sel.picks);
            assert!(
                !sel.picks.iter().any(|i| c.never.contains(i)),
                "{}: picked {:?}",
                c.name,
                sel.picks
            );
            let lead = analyse(&lines, &heading, &idf, &cfg).lead;
            assert!(lead.strength < c.lead_below, "{}: {lead:?}", c.name);
        }
    }

    /// What scripts/fit-summary does with `briefing pick --features`: score each line
    /// by the dot product of its vector with the weights, then pick greedily charging
    /// `redundancy_weight` times the largest overlap with the picks so far, never a
    /// repeat. It must pick what `select` picks, or the fitted weights mean nothing.
    #[test]
    fn feature_rows_reproduce_the_picks() {
        let cases = [
            article(),
            vec![
                "새벽 항구에는 안개가 짙게 깔려 있었다.",
                "해양연구소는 올여름 남해 수온이 평년보다 2도 높았다고 8일 밝혔다.",
                "수온이 오르자 양식장 물고기 폐사가 크게 늘었다.",
                "연구소는 수온 상승이 양식장 폐사의 주된 원인이라고 설명했다.",
                "- 조사 해역은 남해 연안 12곳이다.",
                "한 어민은 “이대로면 내년 양식은 포기해야 한다”고 말했다.",
            ],
        ];
        let cfg = SummaryConfig::default();
        for lines in &cases {
            let idf = Idf::from_texts([lines.join(" ").as_str(), "항구 축제"]);
            let rows = FeatureRows::from(&analyse(lines, &Heading::default(), &idf, &cfg));
            let w = rows.kind.weights(&cfg);
            let redundancy = w[w.len() - 1];
            let json = serde_json::to_value(&rows).expect("rows serialise");
            assert_eq!(json["lines"].as_array().map(Vec::len), Some(lines.len()));
            let scores: Vec<Option<f64>> = rows
                .lines
                .iter()
                .map(|v| v.map(|v| v.iter().zip(&w).map(|(f, w)| f * w).sum()))
                .collect();
            let mut chosen: Vec<usize> = Vec::new();
            let mut worst = vec![0.0f64; lines.len()];
            while chosen.len() < cfg.lines_per_article {
                let best = (0..lines.len())
                    .filter(|i| !chosen.contains(i) && worst[*i] < rows.repeat_overlap)
                    .filter_map(|i| scores[i].map(|s| (i, s - redundancy * worst[i])))
                    .fold(None, |b: Option<(usize, f64)>, (i, v)| match b {
                        Some((_, bv)) if bv >= v => b,
                        _ => Some((i, v)),
                    });
                let Some((i, _)) = best else { break };
                chosen.push(i);
                for (j, o) in worst.iter_mut().enumerate() {
                    *o = o.max(rows.overlap[i][j]);
                }
            }
            chosen.sort_unstable();
            assert_eq!(chosen, select(lines, &Heading::default(), &idf, &cfg).picks);
        }
    }
}
