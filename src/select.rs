//! Picking the key lines of an article.

use std::collections::HashMap;

use serde::Deserialize;

use crate::score::{figures, terms, Idf};

/// `[summary]` in config.toml: how many lines, and how much each feature counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryConfig {
    /// Key lines shown per article.
    pub lines_per_article: usize,
    /// Weight of keyword density (TF-IDF of content words per word).
    pub keyword_weight: f64,
    /// Weight of number density (figures per word).
    pub number_weight: f64,
    /// Weight of words shared with the title.
    pub title_weight: f64,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            lines_per_article: 3,
            keyword_weight: 1.0,
            number_weight: 1.0,
            title_weight: 1.0,
        }
    }
}

/// The outcome for one article: which sentences, and every sentence's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Indices into the sentences, ascending.
    pub picks: Vec<usize>,
    /// One score per sentence.
    pub scores: Vec<f64>,
}

/// Scores every sentence and picks the best `lines_per_article`, in article order.
pub fn select(
    sentences: &[&str],
    title: Option<&str>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Selection {
    let mut tf: HashMap<&str, f64> = HashMap::new();
    for s in sentences {
        for t in terms(s) {
            *tf.entry(t).or_default() += 1.0;
        }
    }
    let title_terms: Vec<&str> = title.map(|t| terms(t).collect()).unwrap_or_default();
    let scores: Vec<f64> = sentences
        .iter()
        .map(|s| {
            let words = s.split_whitespace().count().max(1) as f64;
            let (mut keyword, mut shared) = (0.0, 0.0);
            for t in terms(s) {
                keyword += tf[t].ln_1p() * idf.weight(t);
                if title_terms.contains(&t) {
                    shared += 1.0;
                }
            }
            cfg.keyword_weight * keyword / words
                + cfg.number_weight * figures(s) as f64 / words
                + cfg.title_weight * shared / words
        })
        .collect();
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut picks: Vec<usize> = order.into_iter().take(cfg.lines_per_article).collect();
    picks.sort_unstable();
    Selection { picks, scores }
}
