//! Sentence features: keyword density and number density.
//!
//! Korean attaches particles and endings to the word (eojeol), so `정부가`, `정부는` and
//! `정부의` must count as one keyword: [`terms`] strips the common ones before counting.

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;

/// Particles and endings stripped from the end of an eojeol, longest first.
const SUFFIXES: &[&str] = &[
    "했다고",
    "한다고",
    "이라며",
    "했으며",
    "에서는",
    "으로는",
    "했다",
    "한다",
    "이다",
    "에서",
    "으로",
    "까지",
    "부터",
    "에게",
    "하는",
    "하고",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "로",
    "와",
    "과",
    "도",
    "만",
];

/// The content words of `text`: words with particles stripped, at least two characters.
pub fn terms(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_words().filter_map(|word| {
        let stem = SUFFIXES
            .iter()
            .find_map(|s| {
                word.strip_suffix(s)
                    .filter(|stem| stem.chars().count() >= 2)
            })
            .unwrap_or(word);
        (stem.chars().count() >= 2 && !stem.chars().all(|c| c.is_ascii_digit())).then_some(stem)
    })
}

/// The number of figures in `text`: runs of digits (with `.` and `,` inside), each
/// counted once whatever its length.
pub fn figures(text: &str) -> usize {
    let mut count = 0;
    let mut in_number = false;
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        if digit && !in_number {
            count += 1;
        }
        in_number = digit || (in_number && matches!(c, '.' | ','));
    }
    count
}

/// How rare each term is across the whole dump: a word every article uses says little
/// about any one of them.
#[derive(Debug, Default)]
pub struct Idf {
    df: HashMap<String, u32>,
    docs: u32,
}

impl Idf {
    /// Document frequencies over `docs`, one text per article.
    pub fn from_texts<'a>(docs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut idf = Idf::default();
        for doc in docs {
            idf.docs += 1;
            let mut seen: Vec<&str> = terms(doc).collect();
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *idf.df.entry(term.to_owned()).or_default() += 1;
            }
        }
        idf
    }

    /// Smoothed inverse document frequency of `term`.
    pub fn weight(&self, term: &str) -> f64 {
        let df = self.df.get(term).copied().unwrap_or(0);
        ((1.0 + f64::from(self.docs)) / (1.0 + f64::from(df))).ln() + 1.0
    }
}
