//! Predicates of the writer's framing (`…전략적 행보다.`, `…계기가 됐다.`), written by
//! `scripts/learn-framing` from the labelled articles and the sample dump: do not edit
//! by hand. A line ending in one of them with no figure, no quotation and no reporting
//! verb pays `framing_penalty`.
//!
//! Base rate of key lines among lines without a figure or quotation: 60 of 413
//! (14.5%); a predicate is kept when its smoothed rate is under half of it.

/// Kept predicates; the comment gives the labelled lines ending so, the key lines
/// among them, the lines of the sample's style ending so, and the smoothed rate.
pub(super) const FRAMING: &[&str] = &[
    "계기가 됐다",     // 0 lines, 0 key, 1 in the sample, rate 1.3%
    "관심이 쏠린다",   // 1 lines, 0 key, 0 in the sample, rate 0.6%
    "기대도 크다",     // 1 lines, 0 key, 0 in the sample, rate 0.4%
    "기대를 모은다",   // 2 lines, 0 key, 0 in the sample, rate 0.3%
    "목소리도 나온다", // 1 lines, 0 key, 0 in the sample, rate 0.6%
    "분석이다",        // 2 lines, 0 key, 0 in the sample, rate 0.3%
    "셈이다",          // 3 lines, 0 key, 0 in the sample, rate 0.2%
    "의미가 있다",     // 2 lines, 0 key, 0 in the sample, rate 0.3%
    "주목된다",        // 2 lines, 0 key, 0 in the sample, rate 0.3%
    "주목받고 있다",   // 1 lines, 0 key, 0 in the sample, rate 0.4%
    "지적도 나온다",   // 1 lines, 0 key, 0 in the sample, rate 0.4%
    "지적이 나왔다",   // 1 lines, 0 key, 0 in the sample, rate 0.4%
    "지적이다",        // 0 lines, 0 key, 1 in the sample, rate 0.7%
    "평가가 나온다",   // 1 lines, 0 key, 0 in the sample, rate 0.6%
    "행보다",          // 1 lines, 0 key, 1 in the sample, rate 0.4%
    "행보로 풀이된다", // 1 lines, 0 key, 0 in the sample, rate 0.4%
];
