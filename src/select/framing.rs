//! Predicates of the writer's framing (`…전략적 행보다.`, `…계기가 됐다.`), written by
//! `scripts/learn-framing` from the labelled articles and the sample dump: do not edit
//! by hand. A line ending in one of them with no figure, no quotation and no reporting
//! verb pays `framing_penalty`.
//!
//! Base rate of key lines among lines without a figure or quotation: 60 of 413
//! (14.5%); among those ending in a judgement predicate (of every head):
//! 0 of 20. A predicate is kept when its smoothed rate is under half
//! the base rate: 16 of 16 candidates.

/// Kept predicates, each under the labelled lines ending so, the key lines among
/// them, the sample's lines ending so, and its smoothed key-line rate.
pub(super) const FRAMING: &[&str] = &[
    // 0 labelled lines (0 key), 1 in the sample; smoothed rate 1.3%
    "계기가 됐다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.6%
    "관심이 쏠린다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.4%
    "기대도 크다",
    // 2 labelled lines (0 key), 0 in the sample; smoothed rate 0.3%
    "기대를 모은다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.6%
    "목소리도 나온다",
    // 2 labelled lines (0 key), 0 in the sample; smoothed rate 0.3%
    "분석이다",
    // 3 labelled lines (0 key), 0 in the sample; smoothed rate 0.2%
    "셈이다",
    // 2 labelled lines (0 key), 0 in the sample; smoothed rate 0.3%
    "의미가 있다",
    // 2 labelled lines (0 key), 0 in the sample; smoothed rate 0.3%
    "주목된다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.4%
    "주목받고 있다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.4%
    "지적도 나온다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.4%
    "지적이 나왔다",
    // 0 labelled lines (0 key), 1 in the sample; smoothed rate 0.7%
    "지적이다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.6%
    "평가가 나온다",
    // 1 labelled lines (0 key), 1 in the sample; smoothed rate 0.4%
    "행보다",
    // 1 labelled lines (0 key), 0 in the sample; smoothed rate 0.4%
    "행보로 풀이된다",
];
