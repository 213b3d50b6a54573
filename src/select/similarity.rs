//! How much two lines say the same, as the cosine of their tf-idf word vectors, and
//! which lines the rest of the article keeps returning to (TextRank over those
//! cosines): the measures behind centrality, the lead echo and the redundancy charge.

/// Weighted dot product of two ascending term sets.
fn dot(a: &[u32], b: &[u32], w: &[f64]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += w[a[i] as usize] * w[a[i] as usize];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// TextRank power iterations run per article; with a damping of 0.85 the ranks of a
/// few dozen lines settle to three decimals well within this.
const CENTRALITY_ROUNDS: usize = 20;

const DAMPING: f64 = 0.85;

/// The cosine similarity of every pair of `lines` as tf-idf vectors (`idf` per term),
/// row by row, 0 on the diagonal: what centrality is made of, and what redundancy
/// charges for, so that sharing the article's topic words (which every line does)
/// costs little and saying the same thing costs much.
pub(super) fn cosines(lines: &[&[u32]], idf: &[f64]) -> Vec<f64> {
    let n = lines.len();
    let norms: Vec<f64> = lines.iter().map(|t| dot(t, t, idf).sqrt()).collect();
    let mut sim = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            if norms[i] > 0.0 && norms[j] > 0.0 {
                let s = dot(lines[i], lines[j], idf) / (norms[i] * norms[j]);
                sim[i * n + j] = s;
                sim[j * n + i] = s;
            }
        }
    }
    sim
}

/// TextRank over the similarity matrix `cosine` of `n` lines: the lines the rest of
/// the article keeps returning to.
pub(super) fn centrality(cosine: &[f64], n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut sim = cosine.to_vec();
    // Row j becomes the share of line j's similarity that goes to each line.
    for row in sim.chunks_mut(n) {
        let out: f64 = row.iter().sum();
        if out > 0.0 {
            row.iter_mut().for_each(|s| *s /= out);
        }
    }
    let mut rank = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..CENTRALITY_ROUNDS {
        next.fill((1.0 - DAMPING) / n as f64);
        for (row, &r) in sim.chunks(n).zip(&rank) {
            for (x, &s) in next.iter_mut().zip(row) {
                *x += DAMPING * s * r;
            }
        }
        std::mem::swap(&mut rank, &mut next);
    }
    rank
}

/// Scales `values` so the largest is 1 (all zero stays zero).
pub(super) fn scale_to_max(values: &mut [f64]) {
    let max = values.iter().copied().fold(0.0, f64::max);
    if max > 0.0 {
        values.iter_mut().for_each(|v| *v /= max);
    }
}
