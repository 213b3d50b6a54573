//! The picks: one score per line (its feature vector times the `[summary]` weights),
//! then greedy maximal marginal relevance, each pick the best line once its overlap
//! with the picks so far is charged for.

use super::analysis::{analyse, Analysis};
use super::article_kind::Heading;
use crate::config::SummaryConfig;
use crate::score::Idf;

/// The outcome for one article: which sentences, and every sentence's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Indices into the sentences, ascending.
    pub picks: Vec<usize>,
    /// The same picks in the order they were chosen, best first. Picking is greedy, so
    /// the picks for fewer lines are the start of this list: one selection serves
    /// every group, whatever its `lines_per_article` ([`Selection::first`]).
    pub order: Vec<usize>,
    /// One score per sentence, before the redundancy penalty; `-inf` for lines that
    /// are never candidates (bylines, captions and the like).
    pub scores: Vec<f64>,
}

impl Selection {
    /// The selection of the best `k` lines alone, as [`select`] would make it with
    /// `lines_per_article = k` (for any `k` up to the one it was made with).
    pub fn first(&self, k: usize) -> Selection {
        let order: Vec<usize> = self.order.iter().copied().take(k).collect();
        let mut picks = order.clone();
        picks.sort_unstable();
        Selection {
            picks,
            order,
            scores: self.scores.clone(),
        }
    }
}

/// Scores every sentence and picks the best `lines_per_article`, in article order.
pub fn select(sentences: &[&str], heading: &Heading, idf: &Idf, cfg: &SummaryConfig) -> Selection {
    let analysis = analyse(sentences, heading, idf, cfg);
    let scores = analysis.scores();
    let order: Vec<usize> = analysis
        .pick(&scores, cfg)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let mut picks = order.clone();
    picks.sort_unstable();
    Selection {
        picks,
        order,
        scores,
    }
}

/// A line that shares this much of its words with a pick repeats it (a rewrite of
/// the lead further down, a subtitle restated) and is not picked whatever its score.
pub const REPEAT_OVERLAP: f64 = 0.8;

impl Analysis<'_> {
    /// One score per line: the dot product of its features with the weights of the
    /// article's kind, `-inf` for a line that does not compete.
    pub fn scores(&self) -> Vec<f64> {
        self.vectors
            .iter()
            .map(|v| match v {
                Some(v) => v.iter().zip(&self.weights).map(|(f, w)| f * w).sum(),
                None => f64::NEG_INFINITY,
            })
            .collect()
    }

    /// How much lines `i` and `j` say the same (see `redundancy_weight`): their
    /// cosine similarity, 0 unless both compete.
    pub fn overlap(&self, i: usize, j: usize) -> f64 {
        match (self.ranks[i], self.ranks[j]) {
            (Some(a), Some(b)) => self.cosine[a * self.competing + b],
            _ => 0.0,
        }
    }

    /// Greedy maximal marginal relevance over `scores`: the picks in pick order, each
    /// with the redundancy penalty it paid. Ties go to the earlier line.
    pub fn pick(&self, scores: &[f64], cfg: &SummaryConfig) -> Vec<(usize, f64)> {
        let redundancy = self.redundancy_weight();
        let mut chosen: Vec<(usize, f64)> = Vec::new();
        let mut worst_overlap = vec![0.0; scores.len()];
        let wanted = match self.roundup {
            true => cfg.roundup_lines.min(cfg.lines_per_article),
            false => cfg.lines_per_article,
        };
        while chosen.len() < wanted {
            let mut best: Option<(usize, f64)> = None;
            for (i, &s) in scores.iter().enumerate() {
                if !self.lines[i].candidate
                    || chosen.iter().any(|&(j, _)| j == i)
                    || worst_overlap[i] >= REPEAT_OVERLAP
                {
                    continue;
                }
                let value = s - redundancy * worst_overlap[i];
                if best.is_none_or(|(_, v)| value > v) {
                    best = Some((i, value));
                }
            }
            let Some((i, _)) = best else { break };
            chosen.push((i, redundancy * worst_overlap[i]));
            for (j, o) in worst_overlap.iter_mut().enumerate() {
                *o = f64::max(*o, self.overlap(i, j));
            }
        }
        chosen
    }

    /// The `redundancy_weight` of the article's kind (the last of its weights).
    pub fn redundancy_weight(&self) -> f64 {
        self.weights[self.weights.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One selection made for the most lines serves every smaller count exactly.
    #[test]
    fn the_first_k_of_a_larger_selection_are_the_selection_of_k() {
        let lines = [
            "시는 내년부터 시내버스 노선 세 개를 새로 만든다고 6일 밝혔다.",
            "새 노선은 신도시와 역 사이를 출근 시간대 8분 간격으로 잇는다.",
            "주민들은 그동안 환승에만 30분 넘게 걸린다고 불편을 호소해 왔다.",
            "시는 이를 위해 예산 42억 원을 편성했다.",
            "버스 회사 두 곳이 운행을 맡는다.",
            "노선 번호와 정류장 위치는 다음 달 공개된다.",
            "시 관계자는 \"이용객 수를 보고 배차를 더 늘리겠다\"고 말했다.",
        ];
        let idf = Idf::from_texts([lines.join(" ").as_str(), "도서관 야간 개관"]);
        let cfg = |k| SummaryConfig {
            lines_per_article: k,
            ..SummaryConfig::default()
        };
        let heading = Heading::new(Some("시내버스 노선 신설"), None);
        let most = select(&lines, &heading, &idf, &cfg(5));
        for k in 0..=5 {
            let alone = select(&lines, &heading, &idf, &cfg(k));
            assert_eq!(most.first(k).picks, alone.picks, "k = {k}");
        }
    }
}
