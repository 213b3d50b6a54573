//! How much two lines say the same, as the cosine of their tf-idf word vectors, and
//! which lines the rest of the article keeps returning to (TextRank over those
//! cosines): the measures behind centrality, the lead echo and the redundancy charge.

/// TextRank power iterations run per article at most; with a damping of 0.85 the
/// ranks of a few dozen lines settle to three decimals well within this.
const CENTRALITY_ROUNDS: usize = 20;

/// A round that moves no rank by more than this ends the iteration: the ranks are
/// compared only after scaling to the article's largest (some 1/n), so what is left
/// to move is far below any difference between two lines' scores. Most articles'
/// lines share words with many others and settle in under ten rounds.
const SETTLED: f64 = 1e-10;

const DAMPING: f64 = 0.85;

/// The cosine similarity of every pair of `lines` as tf-idf vectors (`idf` per term),
/// row by row, 0 on the diagonal: what centrality is made of, and what redundancy
/// charges for, so that sharing the article's topic words (which every line does)
/// costs little and saying the same thing costs much.
///
/// Line `i`'s vector is spread into a dense row over the article's terms once, and
/// each later line sums its own terms' entries: the same products added in the same
/// (ascending) order as a merge of the two term lists, so the same bits, without the
/// merge's unpredictable branch per step (`cargo bench --bench pick`, with
/// [`SETTLED`]: the whole selection 11% faster on 20,000 articles).
pub(super) fn cosines(lines: &[&[u32]], idf: &[f64]) -> Vec<f64> {
    let n = lines.len();
    let square = |t: &u32| idf[*t as usize] * idf[*t as usize];
    let norms: Vec<f64> = lines
        .iter()
        .map(|t| t.iter().map(square).sum::<f64>().sqrt())
        .collect();
    let mut sim = vec![0.0; n * n];
    let mut row = vec![0.0; idf.len()];
    for i in 0..n {
        if norms[i] == 0.0 {
            continue;
        }
        for t in lines[i] {
            row[*t as usize] = square(t);
        }
        for j in i + 1..n {
            if norms[j] > 0.0 {
                let d: f64 = lines[j].iter().map(|&t| row[t as usize]).sum();
                let s = d / (norms[i] * norms[j]);
                sim[i * n + j] = s;
                sim[j * n + i] = s;
            }
        }
        for &t in lines[i] {
            row[t as usize] = 0.0;
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
    // Row j becomes the share of line j's similarity that goes to each line, damped.
    for row in sim.chunks_mut(n) {
        let out: f64 = row.iter().sum();
        if out > 0.0 {
            row.iter_mut().for_each(|s| *s *= DAMPING / out);
        }
    }
    let mut rank = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..CENTRALITY_ROUNDS {
        next.fill((1.0 - DAMPING) / n as f64);
        for (row, &r) in sim.chunks(n).zip(&rank) {
            for (x, &s) in next.iter_mut().zip(row) {
                *x += s * r;
            }
        }
        let moved = rank
            .iter()
            .zip(&next)
            .fold(0.0, |m: f64, (a, b)| m.max((a - b).abs()));
        std::mem::swap(&mut rank, &mut next);
        if moved < SETTLED {
            break;
        }
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
