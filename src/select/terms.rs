//! The words of one article, each stemmed word once with a small id in the order of
//! first use, so that a line is a sorted set of ids and every later step compares ids
//! rather than strings.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::score::{scan, stem, PreHashed};

/// A term of the article.
pub(super) struct Term {
    pub(super) hash: u64,
    /// Candidate lines holding it.
    pub(super) lines: u32,
    pub(super) in_title: bool,
}

/// The article's terms, in order of first use; a term's id is its index.
#[derive(Default)]
pub(super) struct Vocabulary<'a> {
    ids: HashMap<u64, u32, BuildHasherDefault<PreHashed>>,
    pub(super) terms: Vec<Term>,
    /// Per term id: the term as first written.
    pub(super) text: Vec<&'a str>,
}

impl<'a> Vocabulary<'a> {
    /// The id of the stem `s` (hashed `h`), a new one if the article has not used it.
    pub(super) fn intern(&mut self, s: &'a str, h: u64) -> u32 {
        *self.ids.entry(h).or_insert_with(|| {
            self.terms.push(Term {
                hash: h,
                lines: 0,
                in_title: false,
            });
            self.text.push(s);
            (self.terms.len() - 1) as u32
        })
    }

    /// Takes in the words of the title as headline words; returns how many there are.
    pub(super) fn read_title(&mut self, title: &'a str) -> usize {
        let mut added = 0;
        scan(title, |w| {
            if let Some((s, h)) = stem(w) {
                let id = self.intern(s, h);
                added += self.mark_title(&[id]);
            }
        });
        added
    }

    /// Makes `ids` headline words; returns how many of them were not yet.
    pub(super) fn mark_title(&mut self, ids: &[u32]) -> usize {
        let mut added = 0;
        for &t in ids {
            let term = &mut self.terms[t as usize];
            added += usize::from(!term.in_title);
            term.in_title = true;
        }
        added
    }

    /// How many of `ids` are headline words.
    pub(super) fn in_title(&self, ids: &[u32]) -> usize {
        ids.iter()
            .filter(|&&t| self.terms[t as usize].in_title)
            .count()
    }
}
