//! The forward pass: stops at the bytes that can matter, keeps the quotes and brackets
//! open at that point and what the text so far ends with ([`End`]), and decides each
//! cut from that and the word that follows ([`super::words`]).

use super::chars::{
    closer_of, contains, decode, find, is_bullet, is_closer, is_emoji, is_laugh_jamo,
    is_quote_closer, is_space_char, is_syllable, syllable_before, terminal_kind, Term, CLASS,
    MULTI, NEWLINE, PLAIN, SPACE,
};
use super::endings::{fin_before, Fin};
use super::furniture::furniture_end;
use super::ships::Ships;
use super::words::{
    attaches, conjunction, continues, latin_abbreviation, next_word, quotative, starts_with_laugh,
    wonders,
};

/// What the text seen so far ends with, for deciding a cut at the next space.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// Mid-sentence material: a comma, a number, a Latin word, an opener.
    None,
    /// A Hangul word ending at this byte offset; its ending is read when needed.
    Word(usize),
    /// A run of terminal punctuation; `fin` is the ending of the word before it.
    Punct(Term, Fin),
    /// Laughter or emoji, after a word ending this final.
    Laugh(Fin),
    /// A quotation closed right after a word with no punctuation: weak.
    QuoteWord,
}

#[derive(Clone, Copy)]
struct Open {
    closer: char,
    /// What the text ended with before the opener, if the opener touched it.
    before: End,
    attached: bool,
    /// The group opened a sentence: `(그 말이 농담은 아니었어요..)`.
    at_start: bool,
}

const MAX_DEPTH: usize = 24;
/// How far to look for the closer of a quote or bracket. An opener without a closer in
/// reach is a stray and does not hold back cuts.
const REACH: usize = 3000;

pub(super) struct Scanner<'a> {
    b: &'a [u8],
    stack: [Open; MAX_DEPTH],
    depth: usize,
    end: End,
    /// Nothing but whitespace since the last cut.
    fresh: bool,
    /// Start of the current word.
    word_start: usize,
    /// The previous word was a bare number with a period (`2024.`): a date goes on.
    prev_num_period: bool,
    /// The current word is the first of its sentence.
    first_word: bool,
    /// Cache of closer searches: (closer, searched from, found at or searched up to, found).
    cache: [(char, usize, usize, bool); 4],
    cache_next: usize,
    /// What the text calls a ship: a `-함` that ends nothing.
    ships: Ships<'a>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Scanner {
            b,
            stack: [Open {
                closer: ' ',
                before: End::None,
                attached: false,
                at_start: false,
            }; MAX_DEPTH],
            depth: 0,
            end: End::None,
            fresh: true,
            word_start: 0,
            prev_num_period: false,
            first_word: true,
            cache: [(' ', 0, 0, false); 4],
            cache_next: 0,
            ships: Ships::new(b),
        }
    }

    pub(super) fn run(&mut self, emit: &mut dyn FnMut(usize)) {
        let b = self.b;
        let n = b.len();
        let mut i = 0;
        while i < n {
            // Whitespace between words: decide the cut before the next word.
            let cls = CLASS[b[i] as usize];
            if cls == SPACE || cls == NEWLINE {
                let mut j = i;
                let mut newline = false;
                while j < n {
                    match CLASS[b[j] as usize] {
                        SPACE => j += 1,
                        NEWLINE => {
                            newline = true;
                            j += 1
                        }
                        _ => break,
                    }
                }
                if !self.fresh {
                    if newline {
                        self.cut(emit, j);
                        self.depth = 0;
                    } else if self.depth == 0 && self.cut_at_space(i, j) {
                        // A short aside after the end belongs to that sentence:
                        // `…이다. (3연패 달성) 다음 …`.
                        let at = self.trailing_aside(j).unwrap_or(j);
                        self.cut(emit, at);
                        i = at;
                        continue;
                    }
                }
                i = j;
                continue;
            }
            // A new word.
            if self.fresh {
                if let Some(to) = furniture_end(b, i) {
                    self.fresh = false;
                    self.cut(emit, to);
                    i = to;
                    continue;
                }
            }
            self.word_start = i;
            self.first_word = self.fresh;
            self.fresh = false;
            i = self.word(i, emit);
        }
    }

    fn cut(&mut self, emit: &mut dyn FnMut(usize), at: usize) {
        emit(at);
        self.fresh = true;
        self.end = End::None;
        self.prev_num_period = false;
    }

    /// A cut inside a word: the rest of the word starts the next sentence.
    fn cut_inside(&mut self, emit: &mut dyn FnMut(usize), at: usize) {
        emit(at);
        self.end = End::None;
        self.prev_num_period = false;
        self.word_start = at;
        self.first_word = true;
    }

    /// Scans one word from `i` to the next whitespace; returns where it stopped.
    fn word(&mut self, mut i: usize, emit: &mut dyn FnMut(usize)) -> usize {
        let b = self.b;
        let n = b.len();
        self.prev_num_period = false;
        let start = i;
        loop {
            // Fast skip over Hangul, Latin letters, digits.
            let mut j = i;
            while j < n && CLASS[b[j] as usize] == PLAIN {
                j += 1;
            }
            if j > i {
                self.end = if syllable_before(b, j).is_some() {
                    End::Word(j)
                } else {
                    End::None
                };
                i = j;
            }
            if i >= n {
                return i;
            }
            let cls = CLASS[b[i] as usize];
            if cls == SPACE || cls == NEWLINE {
                self.finish_word(start, i);
                return i;
            }
            let (c, len) = decode(b, i);
            if c == '\u{A0}' || c == '\u{3000}' || (cls == MULTI && is_space_char(c)) {
                // Unicode spaces separate words like ASCII ones, but are rare enough
                // that the cut is decided here rather than in `run`.
                self.finish_word(start, i);
                if self.depth == 0 && self.cut_at_space(i, i + len) {
                    self.cut(emit, i + len);
                }
                return i + len;
            }
            i = self.punct(i, c, len, start, emit);
        }
    }

    /// Notes facts about the finished word that the next decisions need.
    fn finish_word(&mut self, start: usize, end: usize) {
        let w = &self.b[start..end];
        if let End::Punct(Term::Period, _) = self.end {
            if w.len() >= 2 && w[..w.len() - 1].iter().all(u8::is_ascii_digit) {
                self.prev_num_period = true;
            }
        }
    }

    /// Handles the non-plain char `c` at `i` inside a word; returns the next position.
    fn punct(
        &mut self,
        i: usize,
        c: char,
        len: usize,
        word_start: usize,
        emit: &mut dyn FnMut(usize),
    ) -> usize {
        let b = self.b;
        if let Some(t) = terminal_kind(c) {
            return self.terminal(i, t, word_start, emit);
        }
        if (is_laugh_jamo(c) || is_emoji(c) || c == '^' || c == ';') && self.laugh_run(i, c) {
            return self.after_laugh(i, word_start, emit);
        }
        if is_closer(c) || (matches!(c, '"' | '\'') && self.top_is(c)) {
            self.close(c);
            let j = i + len;
            // A quoted sentence run into the next one: `…하자."동원: "…`.
            if self.depth == 0
                && is_quote_closer(c)
                && matches!(self.end, End::Punct(..))
                && j + 3 <= b.len()
                && syllable_before(b, j + 3).is_some()
                && !attaches(next_word(b, j))
            {
                self.cut_inside(emit, j);
            }
            return j;
        }
        if let Some(cl) = closer_of(c) {
            // Footnote marks after a sentence end: `다.[2]`, `[4][5]`, `[참고2]`.
            if c == '[' {
                if let Some(to) = self.footnote(i) {
                    // `…다.[2]다음 문장`: the mark closes the sentence.
                    if self.depth == 0
                        && matches!(self.end, End::Punct(..))
                        && to + 3 <= b.len()
                        && syllable_before(b, to + 3).is_some()
                        && !quotative(next_word(b, to))
                    {
                        self.cut_inside(emit, to);
                    }
                    return to;
                }
            }
            if c == '\'' && i > 0 && b[i - 1].is_ascii_alphanumeric() {
                // An apostrophe: `don't`, `90's`.
                self.end = End::None;
                return i + len;
            }
            if c == '<' && b.get(i + 1).is_some_and(|&x| x == b' ' || x == b'=') {
                self.end = End::None;
                return i + len;
            }
            self.open(i, cl, len, word_start);
            return i + len;
        }
        if is_syllable(c) {
            self.end = End::Word(i + len);
        } else if !(is_bullet(c) && self.end != End::None) {
            self.end = End::None;
        }
        i + len
    }

    /// [`fin_before`], except that a ship's name ends nothing: `천안함 피격`.
    fn fin_at(&self, p: usize) -> Fin {
        let b = self.b;
        let fin = fin_before(b, p);
        if fin != Fin::Strong || syllable_before(b, p) != Some('함') {
            return fin;
        }
        if self.ships.named(p) {
            Fin::No
        } else {
            fin
        }
    }

    fn top_is(&self, c: char) -> bool {
        self.depth > 0 && self.stack[self.depth - 1].closer == c
    }

    fn open(&mut self, i: usize, closer: char, len: usize, word_start: usize) {
        if self.depth == MAX_DEPTH || !self.has_closer(i + len, closer) {
            self.end = End::None;
            return;
        }
        let attached = i > word_start;
        self.stack[self.depth] = Open {
            closer,
            before: if attached { self.end } else { End::None },
            attached,
            at_start: !attached && self.first_word,
        };
        self.depth += 1;
        self.end = End::None;
    }

    fn close(&mut self, c: char) {
        let Some(k) = self.stack[..self.depth].iter().rposition(|o| o.closer == c) else {
            // A stray closer.
            if !is_quote_closer(c) {
                self.end = End::None;
            }
            return;
        };
        let o = self.stack[k];
        self.depth = k;
        let inner = self.end;
        self.end = if is_quote_closer(c) {
            match inner {
                End::Punct(..) | End::Laugh(_) => inner,
                End::Word(_) => End::QuoteWord,
                _ => End::None,
            }
        } else if o.attached {
            o.before
        } else if o.at_start {
            match inner {
                End::Punct(..) | End::Laugh(_) => inner,
                End::Word(p) if self.fin_at(p) == Fin::Strong => {
                    End::Punct(Term::Period, Fin::Strong)
                }
                _ => End::None,
            }
        } else {
            End::None
        };
    }

    fn has_closer(&mut self, from: usize, closer: char) -> bool {
        let b = self.b;
        let limit = (from + REACH).min(b.len());
        for e in self.cache.iter_mut() {
            if e.0 == closer && e.1 <= from {
                if e.3 && e.2 >= from {
                    return e.2 < limit;
                }
                if !e.3 && e.2 >= limit {
                    return false;
                }
            }
        }
        let mut buf = [0u8; 4];
        let pat = closer.encode_utf8(&mut buf).as_bytes();
        let found = find(&b[from..limit], pat).map(|k| from + k);
        let slot = self.cache_next;
        self.cache_next = (self.cache_next + 1) % self.cache.len();
        self.cache[slot] = match found {
            Some(at) => (closer, from, at, true),
            None => (closer, from, limit, false),
        };
        found.is_some()
    }

    fn footnote_at(&self, i: usize) -> bool {
        self.footnote(i).is_some()
    }

    /// A short bracketed mark right after a sentence end; returns where it ends.
    fn footnote(&self, i: usize) -> Option<usize> {
        if !matches!(self.end, End::Punct(..) | End::Word(_)) {
            return None;
        }
        let b = self.b;
        let mut j = i;
        let mut any = false;
        while j < b.len() && b[j] == b'[' {
            let close = b[j + 1..(j + 16).min(b.len())]
                .iter()
                .position(|&x| x == b']')?;
            let inner = &b[j + 1..j + 1 + close];
            if inner.is_empty() || inner.contains(&b'=') {
                return None;
            }
            // Digits, `*`, or a short Hangul label with a number (`참고2`, `주 3`).
            if !inner.iter().any(|x| x.is_ascii_digit() || *x == b'*') {
                return None;
            }
            j += close + 2;
            any = true;
        }
        if !any {
            return None;
        }
        // A mark only counts after an end; `[19]` mid-sentence stays in the sentence.
        if let End::Word(p) = self.end {
            if p != i {
                return None;
            }
        }
        Some(j)
    }

    /// Is the char at `i` the start of laughter or emoji (not a lone jamo like `ㄸ`)?
    fn laugh_run(&self, i: usize, c: char) -> bool {
        let b = self.b;
        let (next, _) = if i + c.len_utf8() < b.len() {
            decode(b, i + c.len_utf8())
        } else {
            (' ', 0)
        };
        match c {
            'ㅋ' | 'ㅎ' | 'ㅠ' | 'ㅜ' => true,
            '^' => next == '^' || next == '_' || next == 'ㅡ',
            ';' => next == ';',
            _ if is_emoji(c) => true,
            // `ㅇㅇ`, `ㄷㄷ`: a repeated jamo; `ㄱㅊ`, `ㄸ` are abbreviations or a cut-off.
            _ => next == c,
        }
    }

    /// Consumes laughter/emoji from `i`; may cut after it when a word follows directly.
    fn after_laugh(
        &mut self,
        mut i: usize,
        word_start: usize,
        emit: &mut dyn FnMut(usize),
    ) -> usize {
        let b = self.b;
        let had_text = i > word_start || !self.first_word;
        let fin = match self.end {
            End::Word(p) => self.fin_at(p),
            End::Punct(..) => Fin::Strong,
            End::Laugh(f) => f,
            _ => Fin::No,
        };
        while i < b.len() {
            let (c, n) = decode(b, i);
            if is_laugh_jamo(c) || is_emoji(c) || matches!(c, '^' | ';' | '_' | '♥' | '♡') {
                i += n;
            } else {
                break;
            }
        }
        // Laughter alone does not make a sentence.
        self.end = if had_text { End::Laugh(fin) } else { End::None };
        if self.depth == 0 && had_text && fin != Fin::No && i < b.len() {
            let (c, _) = decode(b, i);
            if is_syllable(c) && !continues(next_word(b, i)) {
                self.cut_inside(emit, i);
            }
        }
        i
    }

    /// A run of terminal punctuation from `i`; decides a cut inside the word when no
    /// space follows it (`넣었다.2월`).
    fn terminal(
        &mut self,
        i: usize,
        t: Term,
        word_start: usize,
        emit: &mut dyn FnMut(usize),
    ) -> usize {
        let b = self.b;
        let before = self.end;
        if mid_token(b, i) {
            self.end = End::None;
            return i + 1;
        }
        let fin = match before {
            End::Word(p) => self.fin_at(p),
            End::Punct(_, f) => f,
            End::Laugh(_) => Fin::Strong,
            _ => Fin::No,
        };
        let (j, kind) = terminal_run(b, i, t);
        self.end = End::Punct(kind, fin);
        if j >= b.len() || self.depth > 0 {
            return j;
        }
        let (c, _) = decode(b, j);
        if is_space_char(c) {
            return j;
        }
        if self.glued_start(i, j, c, kind, fin, before)
            && !quotative(next_word(b, j))
            && j > word_start
        {
            self.cut_inside(emit, j);
        }
        j
    }

    /// Whether `c` at `j`, right after the terminator that starts at `i` with no space,
    /// clearly starts a new sentence. `before` is what the text ended with before the
    /// terminator, `fin` how final its last word is.
    fn glued_start(&self, i: usize, j: usize, c: char, kind: Term, fin: Fin, before: End) -> bool {
        let b = self.b;
        // A word of two syllables or more before a period is not an abbreviation
        // (`한.일`, `미.중` are one syllable each).
        let long_word = syllable_before(b, i).is_some() && syllable_before(b, i - 3).is_some();
        if is_syllable(c) {
            match kind {
                Term::Period => fin != Fin::No || long_word,
                Term::Tilde | Term::Ellipsis => fin == Fin::Strong,
                Term::Excl => fin != Fin::No || matches!(before, End::Laugh(_)),
            }
        } else if c.is_ascii_digit() {
            kind == Term::Period && fin == Fin::Strong
        } else if matches!(c, '[' | '“' | '‘' | '「' | '『' | '《' | '<' | '"' | '\'') {
            kind == Term::Period
                && (fin != Fin::No || long_word)
                && !(c == '[' && self.footnote_at(j))
                && !(matches!(c, '"' | '\'') && self.top_is(c))
        } else {
            false
        }
    }

    /// A short parenthesis at `j`, followed by a space, that reads as a remark on the
    /// sentence before it (`(3연패 달성)`, `(2019년 5월)`) rather than a sentence of its
    /// own (`(그 말이 농담은 아니었어요..)`). Returns the end of the parenthesis.
    fn trailing_aside(&self, j: usize) -> Option<usize> {
        let b = self.b;
        if b.get(j) != Some(&b'(') {
            return None;
        }
        let limit = (j + 64).min(b.len());
        let close = j + 1 + b[j + 1..limit].iter().position(|&x| x == b')')?;
        let inner = &b[j + 1..close];
        if inner
            .iter()
            .any(|&x| matches!(x, b'(' | b'=' | b'.' | b'!' | b'?' | b'\n'))
        {
            return None;
        }
        if self.fin_at(close) != Fin::No || contains(inner, "…") {
            return None;
        }
        let after = close + 1;
        if after < b.len() && CLASS[b[after] as usize] != SPACE {
            return None;
        }
        Some(after)
    }

    /// Decides a cut at whitespace `at..next` given what the text ends with.
    fn cut_at_space(&self, at: usize, next: usize) -> bool {
        let b = self.b;
        // Most words end mid-sentence: settle those before looking at the next word.
        let fin = match self.end {
            End::None => return false,
            End::Word(p) => match self.fin_at(p) {
                Fin::No => return false,
                f => f,
            },
            _ => Fin::No,
        };
        let w = next_word(b, next);
        // Laughter after a space still belongs to the sentence before it.
        if w.is_empty() || starts_with_laugh(w) {
            return false;
        }
        match self.end {
            End::None => false,
            End::Word(p) => match fin {
                Fin::Strong => !(continues(w) || syllable_before(b, p) == Some('까') && wonders(w)),
                Fin::Weak => conjunction(w),
                Fin::No => false,
            },
            End::QuoteWord => conjunction(w),
            End::Laugh(_) => !continues(w),
            End::Punct(t, fin) => match t {
                Term::Period => !self.abbreviation(at, w) && !quotative(w),
                Term::Excl => !quotative(w),
                Term::Ellipsis | Term::Tilde => match fin {
                    Fin::Strong => !quotative(w),
                    Fin::Weak => conjunction(w) || !continues(w) && t == Term::Tilde,
                    Fin::No => conjunction(w) && t == Term::Tilde,
                },
            },
        }
    }

    /// A period that ends an abbreviation, an initial or a number in a date or list.
    fn abbreviation(&self, at: usize, next: &[u8]) -> bool {
        let b = self.b;
        let w = &b[self.word_start..at];
        let core = w.strip_suffix(b".").unwrap_or(w);
        if core.is_empty() {
            return false;
        }
        if core.iter().all(u8::is_ascii_digit) {
            // `2024. 1. 5.` and list numbers `1.`: a date goes on, a list item starts.
            return next.first().is_some_and(u8::is_ascii_digit)
                || self.prev_num_period
                || self.first_word;
        }
        latin_abbreviation(core)
    }
}

/// A `.` or `~` inside a token rather than after a sentence: decimals and thousands
/// (`5.4`), addresses (`www.a.com`), `No.1`, ranges (`3~5`).
fn mid_token(b: &[u8], i: usize) -> bool {
    if b[i] != b'.' && b[i] != b'~' {
        return false;
    }
    let prev = if i > 0 { b[i - 1] } else { b' ' };
    let next = b.get(i + 1).copied().unwrap_or(b' ');
    (prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'-')
        && (next.is_ascii_alphanumeric() || next == b'_')
        || b[i] == b'~' && (next.is_ascii_digit() || prev.is_ascii_digit())
}

/// The end of the run of terminal punctuation that starts at `i` with `t`, and its
/// kind: `~!` and `!~` are exclamations, a tilde after `?`/`!` keeps the stronger,
/// and two periods or more are an ellipsis.
fn terminal_run(b: &[u8], i: usize, t: Term) -> (usize, Term) {
    let mut j = i;
    let mut dots = 0;
    let mut kind = t;
    while j < b.len() {
        let (c, len) = decode(b, j);
        let Some(k) = terminal_kind(c) else {
            break;
        };
        if k == Term::Period {
            dots += 1;
        }
        kind = match (kind, k) {
            (Term::Excl, _) | (_, Term::Excl) => Term::Excl,
            (Term::Ellipsis, _) | (_, Term::Ellipsis) => Term::Ellipsis,
            (Term::Tilde, _) | (_, Term::Tilde) => Term::Tilde,
            _ => Term::Period,
        };
        j += len;
    }
    if kind == Term::Period && dots >= 2 {
        kind = Term::Ellipsis;
    }
    (j, kind)
}
