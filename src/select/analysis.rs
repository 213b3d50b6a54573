//! One article taken apart ([`analyse`]): its lines read, the keyword weights and
//! centralities measured across them, the lead decided and one feature vector per
//! competing line.

use super::article_kind::{self, Heading, KindCall, Opening};
use super::features::{read_line, ArticleMeasures, Line};
use super::kind::LineKind;
use super::lead::Lead;
use super::similarity::{centrality, cosines, scale_to_max};
use super::terms::{Term, Vocabulary};
use crate::config::summary::{Vector, Weights};
use crate::config::SummaryConfig;
use crate::score::Idf;

/// One article taken apart: per-line features, the lead decision and what the picks
/// need to charge for redundancy.
pub struct Analysis<'a> {
    pub(super) lines: Vec<Line>,
    /// Per line: its feature vector if it competes.
    pub vectors: Vec<Option<Vector>>,
    /// Per line: raw keyword density and centrality before scaling to the article's
    /// best line, for `explain`.
    pub(super) keyword_raw: Vec<f64>,
    pub(super) centrality_raw: Vec<f64>,
    /// Per term id: its keyword weight.
    pub(super) term_weights: Vec<f64>,
    /// Per term id: the term as first written.
    pub(super) term_text: Vec<&'a str>,
    pub lead: Lead,
    /// What kind of article it is, and so which weights score it.
    pub kind: KindCall,
    /// One story of a round-up, which gets `roundup_lines`.
    pub(super) roundup: bool,
    /// The weights of its kind, or the blend of the kinds it may be.
    pub weights: Weights,
    /// Rank among candidate lines, per line.
    pub(super) ranks: Vec<Option<usize>>,
    /// [`cosines`] of the `competing` candidate lines, in rank order.
    pub(super) cosine: Vec<f64>,
    pub(super) competing: usize,
}

/// Takes one article apart into its features.
pub fn analyse<'a>(
    sentences: &[&'a str],
    heading: &Heading<'a>,
    idf: &Idf,
    cfg: &SummaryConfig,
) -> Analysis<'a> {
    let mut vocab = Vocabulary::default();
    let mut title_terms = heading.title.map_or(0, |t| vocab.read_title(t));
    let mut lines: Vec<Line> = sentences
        .iter()
        .map(|line| read_line(line.trim(), &mut vocab, cfg))
        .collect();
    if !lines.iter().any(|l| l.candidate) {
        for l in &mut lines {
            l.candidate = l.kind.fallback();
        }
    }
    title_terms += read_deck(&mut lines, &mut vocab);
    let term_idf: Vec<f64> = vocab.terms.iter().map(|t| idf.weight_of(t.hash)).collect();
    let term_weights = keyword_weights(&lines, &mut vocab.terms, &term_idf);
    let keyword_raw: Vec<f64> = lines
        .iter()
        .map(|l| keyword_density(l, &term_weights))
        .collect();
    let candidates: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].candidate).collect();
    let (cosine, centrality_raw) = relatedness(&lines, &candidates, &term_idf);
    let mut keywords = keyword_raw.clone();
    scale_to_max(&mut keywords);
    let mut central = centrality_raw.clone();
    scale_to_max(&mut central);
    let kind = read_kind(heading, sentences, &lines, &candidates);
    let labelled = kind.labelled_not_lead();
    let lead = Lead::read(
        &lines,
        candidates.first().copied(),
        &keywords,
        labelled,
        cfg,
    );

    let mut ranks = vec![None; lines.len()];
    for (rank, &i) in candidates.iter().enumerate() {
        ranks[i] = Some(rank);
    }
    let measures = ArticleMeasures {
        keywords: &keywords,
        central: &central,
        cosine: &cosine,
        lead: lead.strength,
        title_terms,
        competing: candidates.len(),
    };
    let vectors = lines
        .iter()
        .zip(&ranks)
        .enumerate()
        .map(|(i, (l, rank))| Some(measures.vector(i, l, (*rank)?, cfg)))
        .collect();
    Analysis {
        lines,
        vectors,
        keyword_raw,
        centrality_raw,
        term_weights,
        term_text: vocab.text,
        lead,
        weights: kind.weights(cfg),
        kind,
        roundup: heading.roundup,
        ranks,
        cosine,
        competing: candidates.len(),
    }
}

/// The kind of the article from its heading and what its lines show.
fn read_kind(
    heading: &Heading,
    sentences: &[&str],
    lines: &[Line],
    candidates: &[usize],
) -> KindCall {
    // The question of an explainer stands before its lead or as its first line.
    let lead = candidates.first().map_or(lines.len(), |&i| i);
    let opening = Opening {
        lines: sentences,
        candidates,
        claims: candidates.iter().filter(|&&i| lines[i].claim).count(),
        asks: lines
            .iter()
            .take((lead + 2).min(3))
            .any(|l| l.kind == LineKind::Question),
    };
    article_kind::read(heading, &opening)
}

/// A deck (the subtitle lines above the lead: `…작물별 차등 지원`) is the editor's
/// own summary of the piece, like the title: its words are headline words. Many
/// sources carry one and no title, or a title that is only a hook. Returns how many
/// headline words the deck adds.
fn read_deck(lines: &mut [Line], vocab: &mut Vocabulary) -> usize {
    let lead_at = lines
        .iter()
        .position(|l| l.candidate)
        .unwrap_or(lines.len());
    let mut added = 0;
    for l in lines[..lead_at]
        .iter()
        .filter(|l| l.kind == LineKind::Heading)
    {
        added += vocab.mark_title(&l.terms);
    }
    if lead_at > 0 {
        for l in lines.iter_mut() {
            l.in_title = vocab.in_title(&l.terms);
        }
    }
    added
}

/// The keyword weight of every term. They come from the candidate lines only: a
/// byline's name or a caption's place is not the article's topic. A word that occurs
/// in one line only says nothing about the topic, unless the title has it; one that
/// recurs does, the more the rarer it is in the dump.
fn keyword_weights(lines: &[Line], terms: &mut [Term], term_idf: &[f64]) -> Vec<f64> {
    for l in lines.iter().filter(|l| l.candidate) {
        for &t in &l.terms {
            terms[t as usize].lines += 1;
        }
    }
    terms
        .iter()
        .zip(term_idf)
        .map(|(t, w)| w * ((t.lines.max(1) as f64).ln() + f64::from(u8::from(t.in_title))))
        .collect()
}

/// The keyword mass of a candidate line for its length, 0 for the others.
fn keyword_density(l: &Line, term_weights: &[f64]) -> f64 {
    if !l.candidate {
        return 0.0;
    }
    let mass: f64 = l.terms.iter().map(|&t| term_weights[t as usize]).sum();
    mass / length_norm(l.terms.len())
}

/// The [`cosines`] of the `candidates` in rank order, and every line's centrality among
/// them (0 for the lines that do not compete).
fn relatedness(lines: &[Line], candidates: &[usize], term_idf: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let cand_terms: Vec<&[u32]> = candidates
        .iter()
        .map(|&i| lines[i].terms.as_slice())
        .collect();
    let cosine = cosines(&cand_terms, term_idf);
    let ranks_c = centrality(&cosine, candidates.len());
    let mut centrality_raw = vec![0.0; lines.len()];
    for (&i, &r) in candidates.iter().zip(&ranks_c) {
        centrality_raw[i] = r;
    }
    (cosine, centrality_raw)
}

/// Divides a line's keyword mass so that long lines do not win on length alone, nor
/// short ones on a single hit.
fn length_norm(terms: usize) -> f64 {
    (terms as f64 + 3.0).sqrt()
}
