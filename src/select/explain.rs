//! The analysis shown: to a person line by line with every part of every score
//! (`briefing explain`), and to `scripts/fit-summary` as the feature rows it fits the
//! weights on (`briefing pick --features`).

use std::fmt;

use serde::Serialize;

use super::analysis::{analyse, Analysis};
use super::article_kind::{Heading, KindCall, KINDS};
use super::kind::LineKind;
use super::lead::Lead;
use super::pick::REPEAT_OVERLAP;
use crate::config::summary::{Vector, FEATURES};
use crate::config::SummaryConfig;
use crate::score::{figures, Idf};

/// The selection of [`select`](super::select), line by line with every part of every score, for
/// `briefing explain` and for tuning `[summary]`.
pub fn explain(
    sentences: &[&str],
    heading: &Heading,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Explanation {
    let a = analyse(sentences, heading, idf, cfg);
    let scores = a.scores();
    let chosen = a.pick(&scores, cfg);
    let weights = a.weights;
    let lines = sentences
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let text = text.trim();
            let l = &a.lines[index];
            let paid = chosen.iter().find(|&&(i, _)| i == index);
            let features = a.vectors[index].map_or_else(Vec::new, |v| {
                FEATURES
                    .iter()
                    .zip(v.iter().zip(&weights))
                    .map(|(&(feature, _), (&value, &w))| Contribution {
                        feature,
                        value,
                        contribution: value * w,
                    })
                    .collect()
            });
            let mut keyword_hits: Vec<KeywordHit> = if l.candidate {
                l.terms
                    .iter()
                    .map(|&t| KeywordHit {
                        term: a.term_text[t as usize].to_owned(),
                        weight: a.term_weights[t as usize],
                    })
                    .filter(|h| h.weight > 0.0)
                    .collect()
            } else {
                Vec::new()
            };
            keyword_hits.sort_by(|x, y| y.weight.total_cmp(&x.weight));
            LineReport {
                index,
                kind: l.kind,
                picked: paid.is_some(),
                score: l.candidate.then_some(scores[index]),
                rank: a.ranks[index],
                chars: l.chars,
                features,
                centrality: a.centrality_raw[index],
                keyword_density: a.keyword_raw[index],
                keyword_hits,
                figures: if l.candidate {
                    figures(text).map(str::to_owned).collect()
                } else {
                    Vec::new()
                },
                redundancy_penalty: paid.map_or(0.0, |&(_, r)| r),
                text: text.to_owned(),
            }
        })
        .collect();
    Explanation {
        kind: a.kind,
        lead: a.lead,
        lines,
    }
}

/// [`explain`]'s answer: the kind and the lead decisions, then one report per sentence.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub kind: KindCall,
    pub lead: Lead,
    pub lines: Vec<LineReport>,
}

/// Why one sentence scored as it did.
#[derive(Debug, Clone, Serialize)]
pub struct LineReport {
    pub index: usize,
    pub kind: LineKind,
    pub picked: bool,
    /// The score before redundancy; `None` for lines that never compete.
    pub score: Option<f64>,
    /// Rank among the competing lines, 0 for the first.
    pub rank: Option<usize>,
    pub chars: usize,
    /// Every feature, for competing lines.
    pub features: Vec<Contribution>,
    /// The TextRank score before scaling to the article's most central line.
    pub centrality: f64,
    /// The keyword density before scaling to the article's densest line.
    pub keyword_density: f64,
    /// The line's keywords, heaviest first.
    pub keyword_hits: Vec<KeywordHit>,
    pub figures: Vec<String>,
    /// Penalty for repeating an earlier pick, as paid when this line was picked.
    pub redundancy_penalty: f64,
    pub text: String,
}

/// One keyword of a line and its keyword weight in the article.
#[derive(Debug, Clone, Serialize)]
pub struct KeywordHit {
    pub term: String,
    pub weight: f64,
}

/// One feature of a line: its value and what it added to the score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub feature: &'static str,
    pub value: f64,
    pub contribution: f64,
}

impl fmt::Display for Explanation {
    /// The kind and lead decisions, then one block per line: a header row, the features
    /// that add or take something, the keywords and figures, and the start of the text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", describe_kind(&self.kind))?;
        let reasons: Vec<&str> = self.lead.signs.iter().map(|s| s.describe()).collect();
        writeln!(
            f,
            "lead-first: {:.2}{}{}",
            self.lead.strength,
            if reasons.is_empty() { "" } else { " — " },
            reasons.join("; ")
        )?;
        writeln!(
            f,
            "{:>3} {:4} {:9} {:>7} {:>4} {:>6}  features (value × weight)",
            "#", "pick", "kind", "score", "rank", "cent"
        )?;
        for l in &self.lines {
            let score = l.score.map_or("-".to_owned(), |v| format!("{v:.3}"));
            let rank = l.rank.map_or("-".to_owned(), |r| r.to_string());
            let mut parts: Vec<String> = l
                .features
                .iter()
                .filter(|c| c.contribution != 0.0)
                .map(|c| format!("{} {:+.3}", short_name(c.feature), c.contribution))
                .collect();
            if l.redundancy_penalty > 0.0 {
                parts.push(format!("redundant -{:.3}", l.redundancy_penalty));
            }
            writeln!(
                f,
                "{:>3} {:4} {:9} {:>7} {:>4} {:>6.3}  {}",
                l.index,
                if l.picked { "*" } else { "" },
                l.kind.label(),
                score,
                rank,
                l.centrality,
                parts.join(" ")
            )?;
            if !l.keyword_hits.is_empty() {
                let hits: Vec<String> = l
                    .keyword_hits
                    .iter()
                    .take(6)
                    .map(|h| format!("{} {:.2}", h.term, h.weight))
                    .collect();
                writeln!(f, "      keywords: {}", hits.join(", "))?;
            }
            if !l.figures.is_empty() {
                writeln!(f, "      figures: {}", l.figures.join(", "))?;
            }
            let preview: String = l.text.chars().take(60).collect();
            let more = if l.chars > 60 { "…" } else { "" };
            writeln!(f, "      {preview}{more}")?;
        }
        Ok(())
    }
}

/// The kind call in one line: `kind: column 0.98 (news 0.02) — labelled as column`.
fn describe_kind(call: &KindCall) -> String {
    let others: Vec<String> = KINDS
        .iter()
        .zip(call.shares)
        .filter(|&(&k, share)| k != call.kind && share > 0.0)
        .map(|(k, share)| format!("{} {share:.2}", k.name()))
        .collect();
    let reasons: Vec<String> = call.signs.iter().map(|s| s.describe()).collect();
    let mut text = format!("kind: {} {:.2}", call.kind.name(), call.confidence);
    if !others.is_empty() {
        text.push_str(&format!(" ({})", others.join(", ")));
    }
    if reasons.is_empty() {
        text.push_str(" — no sign of another kind: straight news");
    } else {
        text.push_str(" — ");
        text.push_str(&reasons.join("; "));
    }
    text
}

/// Short names for the columns of [`Explanation`]'s table.
fn short_name(feature: &str) -> &str {
    match feature {
        "position" => "pos",
        "fading_position" => "fade",
        "keywords" => "kw",
        "centrality" => "cent",
        "figures" => "num",
        "attributed_quote" => "said",
        "bare_quote" => "quote",
        "connective" => "conn",
        "length" => "len",
        other => other,
    }
}

/// One article as `briefing pick --features` writes it for `scripts/fit-summary`: the
/// feature vector of every competing line (`null` for the rest), the kind and lead
/// decisions and the word overlap of every pair of lines, which is all the picks
/// depend on.
#[derive(Debug, Serialize)]
pub struct FeatureRows {
    /// The kinds, in the order of the kind call's shares.
    pub kinds: [&'static str; KINDS.len()],
    pub kind: KindCall,
    pub lead: f64,
    /// [`REPEAT_OVERLAP`].
    pub repeat_overlap: f64,
    pub lines: Vec<Option<Vector>>,
    pub overlap: Vec<Vec<f64>>,
}

impl From<&Analysis<'_>> for FeatureRows {
    fn from(a: &Analysis<'_>) -> Self {
        let n = a.lines.len();
        FeatureRows {
            kinds: KINDS.map(|k| k.name()),
            kind: a.kind.clone(),
            lead: a.lead.strength,
            repeat_overlap: REPEAT_OVERLAP,
            lines: a.vectors.clone(),
            overlap: (0..n)
                .map(|i| (0..n).map(|j| a.overlap(i, j)).collect())
                .collect(),
        }
    }
}
