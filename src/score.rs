//! Sentence features: content words, figures and their rarity across the dump.
//!
//! Korean attaches particles and endings to the word (eojeol), so `정부가`, `정부는` and
//! `정부의` must count as one keyword: [`terms`] strips the common ones before counting.
//! No morphological analyser: the selection runs on every article of a dump many times
//! a day, and a suffix list gets the frequent words right, which is all keyword density
//! needs.
//!
//! Terms are compared as 64-bit hashes ([`term_hash`]) so that the hot path never
//! allocates a `String` per word; a collision between two content words of one dump is
//! astronomically unlikely and would only blur one keyword weight.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Particles and endings stripped from the end of an eojeol, longest first so that
/// `에서는` wins over `는`. Verb endings come with their `하/되` so that `추진했다` and
/// `추진한다` both give `추진`.
const SUFFIXES: &[&str] = &[
    "하겠다고",
    "했습니다",
    "했다고",
    "한다고",
    "됐다고",
    "된다고",
    "이라고",
    "합니다",
    "하겠다",
    "이라며",
    "했으며",
    "이라는",
    "에서는",
    "으로는",
    "까지는",
    "부터는",
    "에게는",
    "에서도",
    "으로도",
    "에서의",
    "으로서",
    "에게서",
    "으로써",
    "했고",
    "하고",
    "되고",
    "라고",
    "라는",
    "했다",
    "한다",
    "된다",
    "됐다",
    "이다",
    "였다",
    "보다",
    "마다",
    "하며",
    "라며",
    "이며",
    "하는",
    "되는",
    "에는",
    "와는",
    "과는",
    "로는",
    "에도",
    "에서",
    "로서",
    "로써",
    "하기",
    "해야",
    "으로",
    "까지",
    "부터",
    "에게",
    "한테",
    "처럼",
    "며",
    "는",
    "도",
    "의",
    "로",
    "은",
    "이",
    "가",
    "을",
    "를",
    "에",
    "와",
    "과",
    "만",
];

/// [`SUFFIXES`] grouped by their last syllable: this runs for every word of every
/// article, and one table lookup on the word's last syllable rules out almost every
/// word that has no particle, instead of trying seventy suffixes.
struct SuffixTable {
    /// Per Hangul syllable (U+AC00..=U+D7A3), 1 + its group in `groups`, or 0.
    group_of: Vec<u8>,
    groups: Vec<Vec<Suffix>>,
}

/// One suffix of [`SUFFIXES`].
struct Suffix {
    text: &'static str,
    /// A topic, focus or genitive particle, behind which another particle may stack.
    stacks: bool,
}

impl SuffixTable {
    fn get() -> &'static SuffixTable {
        static TABLE: OnceLock<SuffixTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut table = SuffixTable {
                group_of: vec![0; 11172],
                groups: Vec::new(),
            };
            for suffix in SUFFIXES {
                let Some(i) = last_syllable(suffix.as_bytes()) else {
                    continue;
                };
                if table.group_of[i] == 0 {
                    table.groups.push(Vec::new());
                    table.group_of[i] = u8::try_from(table.groups.len()).unwrap_or(u8::MAX);
                }
                let g = usize::from(table.group_of[i]) - 1;
                table.groups[g].push(Suffix {
                    text: suffix,
                    stacks: matches!(*suffix, "는" | "은" | "도" | "의" | "만"),
                });
            }
            table
        })
    }

    /// How `word` ends: bare, as one of [`SUFFIXES`] whole, or with the longest suffix
    /// that leaves a stem of two characters or more. One look at the last syllable
    /// serves both questions, and as the suffixes of a group share that syllable only
    /// the bytes before it are compared, byte by byte (at most nine) rather than by a
    /// call to `memcmp` per suffix (`cargo bench --bench pick`: the selection 7.8%
    /// faster).
    fn ending(&self, word: &str) -> Ending<'_> {
        let b = word.as_bytes();
        let Some(group) = last_syllable(b)
            .and_then(|i| usize::from(self.group_of[i]).checked_sub(1))
            .and_then(|g| self.groups.get(g))
        else {
            return Ending::Bare;
        };
        let before = &b[..b.len() - 3];
        // Longest first ([`SUFFIXES`]' order): a suffix the word is whole comes before
        // any shorter one it ends with.
        for s in group {
            let head = &s.text.as_bytes()[..s.text.len() - 3];
            let Some(cut) = before.len().checked_sub(head.len()) else {
                continue;
            };
            if !before[cut..].iter().zip(head).all(|(x, y)| x == y) {
                continue;
            }
            if cut == 0 {
                return Ending::Whole;
            }
            // A match ends the word, so the cut is at a char boundary.
            if two_chars(&b[..cut]) {
                return Ending::Strip(s);
            }
        }
        Ending::Bare
    }

    /// The longest suffix `word` ends with that leaves a stem of two characters or
    /// more.
    fn strip(&self, word: &str) -> Option<&Suffix> {
        match self.ending(word) {
            Ending::Strip(suffix) => Some(suffix),
            Ending::Bare | Ending::Whole => None,
        }
    }
}

/// How a word ends, by [`SuffixTable::ending`].
enum Ending<'t> {
    Bare,
    /// The word is a suffix on its own (`된다`, `라는` after a closing quote).
    Whole,
    Strip(&'t Suffix),
}

/// The index of the Hangul syllable `bytes` ends with, from its three UTF-8 bytes.
fn last_syllable(bytes: &[u8]) -> Option<usize> {
    let t = bytes.get(bytes.len().checked_sub(3)?..)?;
    if !(0xEA..=0xED).contains(&t[0]) {
        return None;
    }
    syllable(t[0], t[1], t[2])
}

/// The index of the Hangul syllable (U+AC00..=U+D7A3) whose UTF-8 bytes are `a b c`,
/// or `None` for any other three bytes that start with `EA`..`ED`.
fn syllable(a: u8, b: u8, c: u8) -> Option<usize> {
    is_syllable(a, b, c).then(|| {
        let cp = (u32::from(a & 0x0F) << 12) | (u32::from(b & 0x3F) << 6) | u32::from(c & 0x3F);
        (cp - 0xAC00) as usize
    })
}

/// Whether a Hangul syllable starts at byte `i` of the UTF-8 bytes `b`. A first byte
/// `EB` or `EC` settles it (in valid UTF-8 two more bytes follow); only `EA` and `ED`
/// need the next ones.
#[inline]
fn syllable_at(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        Some(0xEB | 0xEC) => true,
        Some(&a @ (0xEA | 0xED)) => {
            matches!(b.get(i + 1..i + 3), Some(&[x, y]) if is_syllable(a, x, y))
        }
        _ => false,
    }
}

/// Whether the UTF-8 bytes `a b c` are a Hangul syllable, without decoding them:
/// U+AC00 is `EA B0 80`, U+D7A3 is `ED 9E A3`, and every three-byte character from
/// `EB` and `EC` lies between.
fn is_syllable(a: u8, b: u8, c: u8) -> bool {
    match a {
        0xEB | 0xEC => true,
        0xEA => b >= 0xB0,
        0xED => b < 0x9E || (b == 0x9E && c <= 0xA3),
        _ => false,
    }
}

/// Words that carry no topic in news prose whatever the article: time deictics,
/// connectives, reporting verbs and the nouns of bureaucratic phrasing. Matched after
/// suffix stripping.
const STOPWORDS: &[&str] = &[
    "이번",
    "지난",
    "지난달",
    "지난해",
    "오는",
    "올해",
    "이날",
    "당시",
    "현재",
    "최근",
    "또한",
    "특히",
    "이어",
    "한편",
    "그러나",
    "하지만",
    "아울러",
    "따라",
    "따르면",
    "통해",
    "위해",
    "대해",
    "대한",
    "관련",
    "이후",
    "이전",
    "앞으로",
    "그동안",
    "이같은",
    "이러한",
    "이런",
    "그런",
    "없이",
    "더해",
    "있다",
    "있는",
    "있도록",
    "있어",
    "없다",
    "없는",
    "밝혔다",
    "말했다",
    "전했다",
    "설명했다",
    "강조했다",
    "덧붙였다",
    "계획",
    "예정",
    "방침",
    "전망",
    "것으로",
    "것이다",
    "것을",
    "것은",
    "것이",
    "경우",
    "가운데",
    "때문",
    "정도",
    "이상",
    "이하",
    "우리",
    "기자",
    "사진",
    "시는",
    "그는",
    "이는",
    "오전",
    "오후",
    "함께",
    "모두",
    "다양한",
    "같은",
    "등을",
    "등이",
    "등의",
    "등에",
];

/// Whether the UTF-8 bytes `s` (the start of a `str`) hold at least two characters:
/// more bytes than the first character's length, read from its first byte.
fn two_chars(s: &[u8]) -> bool {
    let first = match s.first() {
        None => return false,
        Some(0..0x80) => 1,
        Some(0x80..0xE0) => 2,
        Some(0xE0..0xF0) => 3,
        Some(_) => 4,
    };
    s.len() > first
}

/// [`STOPWORDS`] by their hashes: every stem is hashed anyway, so a lookup is one
/// probe keyed by the hash itself, where a binary search of seventy-odd numbers was a
/// chain of mispredicted branches on every word (`cargo bench --bench pick`: the
/// selection 3.5% faster).
struct Stopwords {
    hashes: HashSet<u64, BuildHasherDefault<PreHashed>>,
}

impl Stopwords {
    fn get() -> &'static Stopwords {
        static STOP: OnceLock<Stopwords> = OnceLock::new();
        STOP.get_or_init(|| Stopwords {
            hashes: STOPWORDS.iter().map(|w| term_hash(w)).collect(),
        })
    }

    fn contains(&self, hash: u64) -> bool {
        self.hashes.contains(&hash)
    }
}

/// The content-word stem of one eojeol with its hash, or `None` when it carries no
/// keyword (one character, a number, a stopword).
#[inline]
pub fn stem(word: &str) -> Option<(&str, u64)> {
    if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut stem = word;
    let table = SuffixTable::get();
    match table.ending(word) {
        // A word that is an ending or a particle on its own (`된다`, `라는` after a
        // closing quote) carries no topic.
        Ending::Whole => return None,
        Ending::Bare => {}
        Ending::Strip(suffix) => {
            stem = cut_particle(stem, suffix.text);
            // Particles stack behind a topic, focus or genitive particle (`시장에게는` =
            // `시장` + `에게` + `는`), and only a longer particle stacks: `소비자물가가`
            // loses one `가`, not two.
            if suffix.stacks {
                if let Some(inner) = table.strip(stem) {
                    if inner.text.len() > 3 {
                        stem = &stem[..stem.len() - inner.text.len()];
                    }
                }
            }
        }
    }
    if !two_chars(stem.as_bytes()) {
        return None;
    }
    let hash = term_hash(stem);
    (!Stopwords::get().contains(hash)).then_some((stem, hash))
}

/// `word` without its last particle or ending (`예산을` → `예산`, `기준금리를` →
/// `기준금리`), or whole when it has none: a word shown to a reader is shown whole.
pub fn without_particle(word: &str) -> &str {
    match SuffixTable::get().strip(word) {
        Some(suffix) => cut_particle(word, suffix.text),
        None => word,
    }
}

/// `word` less `suffix`, which it ends with. A `로…` particle after `으` is `으로…`
/// (`것으로` is `것` + `으로`, not a word `것으`): the table only takes suffixes that
/// leave two characters, so `으로` itself was not taken from a one-syllable noun.
fn cut_particle<'a>(word: &'a str, suffix: &str) -> &'a str {
    let stem = &word[..word.len() - suffix.len()];
    match suffix.starts_with('로') {
        true => stem.strip_suffix('으').unwrap_or(stem),
        false => stem,
    }
}

/// What one pass over a line tells besides its words: its length in characters, how
/// much of it is quoted, and which rare characters occur, so that the checks for
/// bylines, contacts, tables and copyright only search lines that can match.
#[derive(Debug, Default, Clone, Copy)]
pub struct Shape {
    pub chars: usize,
    /// Characters inside quotation marks; an unclosed quote runs to the end of the
    /// line, as it does when the splitter cut a long quote.
    pub quoted: usize,
    pub at: bool,
    pub pipes: usize,
    pub tab: bool,
    pub colon: bool,
    pub dash: bool,
    /// Numbers with units, as [`figures`] finds them.
    pub figures: usize,
    /// `ⓒ` or `©`.
    pub copyright_sign: bool,
    /// Middle dots (`·`, `ㆍ`), which separate the items of a list.
    pub dots: usize,
}

impl Shape {
    /// The share of the line inside quotation marks.
    pub fn quote_share(&self) -> f64 {
        self.quoted as f64 / self.chars.max(1) as f64
    }
}

/// Walks `text` once: hands every word (a maximal run of letters and digits) to `word`
/// and returns the line's [`Shape`]. This is the innermost loop of the selection, run
/// over every byte of a dump, so it decodes Hangul syllables (nearly every character
/// of an article) from their three bytes directly, and does the word split and the
/// line checks in the same pass instead of one pass each.
pub fn scan<'a>(text: &'a str, mut word: impl FnMut(&'a str)) -> Shape {
    const NONE: usize = usize::MAX;
    let b = text.as_bytes();
    let n = b.len();
    let mut shape = Shape::default();
    // Quoted characters are counted per quote, from where it opened to where it closes,
    // rather than character by character.
    let mut quote = Quote::default();
    // The end of the last number read, whose digits must not start another.
    let mut after_number = 0;
    let mut start = NONE;
    let mut i = 0;
    while i < n {
        let c = b[i];
        if syllable_at(b, i) {
            // A run of Hangul syllables: nearly every character of an article.
            if start == NONE {
                start = i;
            }
            i += 3;
            shape.chars += 1;
            while syllable_at(b, i) {
                i += 3;
                shape.chars += 1;
            }
            continue;
        }
        let (is_word, len) = if c < 0x80 {
            match c {
                b'"' => quote.mark(&mut shape, !quote.inside),
                b'@' => shape.at = true,
                b'|' => shape.pipes += 1,
                b'\t' => shape.tab = true,
                b':' => shape.colon = true,
                b'-' => shape.dash = true,
                b'0'..=b'9' if i >= after_number && number_starts(b, i) => {
                    // Counted here rather than by a pass of `figures` over the line.
                    match figure_at(text, i) {
                        Ok(end) => {
                            shape.figures += 1;
                            after_number = end;
                        }
                        Err(end) => after_number = end,
                    }
                }
                _ => {}
            }
            (c.is_ascii_alphanumeric(), 1)
        } else if c == 0xE2 && i + 2 < n && b[i + 1] == 0x80 && matches!(b[i + 2], 0x9C | 0x9D) {
            // “ is E2 80 9C and ” is E2 80 9D.
            quote.mark(&mut shape, b[i + 2] == 0x9C);
            (false, 3)
        } else {
            // `i` is a char boundary: every branch steps over whole characters.
            match text[i..].chars().next() {
                Some(ch) => {
                    shape.copyright_sign |= matches!(ch, 'ⓒ' | '©');
                    shape.dots += usize::from(matches!(ch, '·' | 'ㆍ'));
                    (ch.is_alphanumeric(), ch.len_utf8())
                }
                None => (false, 1),
            }
        };
        shape.chars += 1;
        if is_word {
            if start == NONE {
                start = i;
            }
        } else if start != NONE {
            word(&text[start..i]);
            start = NONE;
        }
        i += len;
    }
    if start != NONE {
        word(&text[start..]);
    }
    // An unclosed quote runs to the end of the line.
    quote.mark(&mut shape, false);
    shape
}

/// Where the open quotation of a [`scan`] began.
#[derive(Default)]
struct Quote {
    inside: bool,
    /// Characters before the first quoted one.
    open_at: usize,
}

impl Quote {
    /// A quotation mark at the next character: it closes the open quote, if any (its
    /// characters count as quoted), and opens a new one if `opens`.
    fn mark(&mut self, shape: &mut Shape, opens: bool) {
        if self.inside {
            shape.quoted += shape.chars - self.open_at;
        }
        self.inside = opens;
        self.open_at = shape.chars + 1;
    }
}

/// The content words of `text`: words with particles and endings stripped, at least two
/// characters, no stopwords, no numbers.
pub fn terms(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    scan(text, |w| out.extend(stem(w).map(|(t, _)| t)));
    out
}

/// Calls `f` with the [`term_hash`] of every content word of `text` (see [`terms`]).
pub fn term_hashes(text: &str, mut f: impl FnMut(u64)) -> Shape {
    scan(text, |w| {
        if let Some((_, h)) = stem(w) {
            f(h);
        }
    })
}

/// The key of a term in every table. A stem is 4 to 15 bytes, so it is read as two
/// (overlapping) 64-bit words and mixed with one wide multiply per word, as wyhash
/// does for short keys: byte-wise FNV cost as much as the rest of `stem`.
pub fn term_hash(term: &str) -> u64 {
    const K0: u64 = 0xA076_1D64_78BD_642F;
    const K1: u64 = 0xE703_7ED1_A0B4_28DB;
    let b = term.as_bytes();
    let n = b.len();
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
    let half = |i: usize| {
        u64::from(u32::from_le_bytes(
            b[i..i + 4].try_into().unwrap_or_default(),
        ))
    };
    let mut h = K0 ^ n as u64;
    let mut i = 0;
    while n - i > 16 {
        h = fold(word(i) ^ K1, h);
        i += 8;
    }
    let (x, y) = match n - i {
        8.. => (word(i), word(n - 8)),
        4.. => (half(i), half(n - 4)),
        1.. => (
            u64::from(b[i]) | u64::from(b[i + (n - i) / 2]) << 8 | u64::from(b[n - 1]) << 16,
            0,
        ),
        0 => (0, 0),
    };
    fold(x ^ K1, y ^ h)
}

/// The two halves of the 128-bit product, xored: every input bit reaches every output bit.
fn fold(x: u64, y: u64) -> u64 {
    let r = u128::from(x) * u128::from(y);
    (r as u64) ^ (r >> 64) as u64
}

/// The entries of `list` that `text` starts with, in list order. The first byte rules
/// out nearly every entry before a whole comparison (and a `memcmp` call).
pub fn prefixes<'a>(text: &'a str, list: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    let first = text.as_bytes().first().copied();
    let text = text.as_bytes();
    list.iter()
        .copied()
        .filter(move |p| p.as_bytes().first().copied() == first && text.starts_with(p.as_bytes()))
}

/// Units that make a number a figure worth reporting, longest first (`억원` before
/// `억`, `%p` before `%`). Dates count too: "오는 22일부터" is a key fact of a notice.
const UNITS: &[&str] = &[
    "퍼센트",
    "포인트",
    "번째",
    "억원",
    "조원",
    "만원",
    "천원",
    "달러",
    "유로",
    "위안",
    "개월",
    "시간",
    "개소",
    "개국",
    "개사",
    "가구",
    "세대",
    "%p",
    "km",
    "kg",
    "ha",
    "kV",
    "MW",
    "GB",
    "cm",
    "mm",
    "%",
    "원",
    "억",
    "조",
    "만",
    "천",
    "엔",
    "명",
    "건",
    "배",
    "년",
    "월",
    "일",
    "분",
    "초",
    "개",
    "곳",
    "세",
    "대",
    "톤",
    "회",
    "차",
    "위",
    "호",
    "주",
    "㎡",
    "㎢",
    "㎏",
    "℃",
    "t",
    "m",
];

/// The figures of `text`: each number together with its unit (`5.4%`, `2만`, `315ha`,
/// `3일`), one item per number however many digits it has. A number without a unit
/// (a phone number, a score like `1-2`) is not a figure.
pub fn figures(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !number_starts(bytes, i) {
                i += 1;
                continue;
            }
            let start = i;
            match figure_at(text, i) {
                Ok(end) => {
                    i = end;
                    return Some(&text[start..end]);
                }
                Err(end) => i = end,
            }
        }
        None
    })
}

/// [`UNITS`] bucketed by their first two bytes (the first byte of an ASCII unit): every
/// number of a dump is looked up here, and all Hangul units share four first bytes, so
/// a first-byte filter still left dozens to compare.
struct UnitTable {
    buckets: Vec<Vec<&'static str>>,
}

impl UnitTable {
    fn get() -> &'static UnitTable {
        static TABLE: OnceLock<UnitTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut table = UnitTable {
                buckets: vec![Vec::new(); 64],
            };
            for unit in UNITS {
                // In list order, so that the longest unit still comes first.
                table.buckets[Self::bucket(unit.as_bytes())].push(unit);
            }
            table
        })
    }

    fn bucket(b: &[u8]) -> usize {
        match b {
            [a @ 0..0x80, ..] => usize::from(*a) & 63,
            [a, b, ..] => (usize::from(*a) ^ usize::from(*b) << 1) & 63,
            _ => 0,
        }
    }

    /// The unit `text` starts with, the longest if several do.
    fn unit(&self, text: &str) -> Option<&'static str> {
        self.buckets[Self::bucket(text.as_bytes())]
            .iter()
            .copied()
            .find(|u| text.starts_with(u))
    }
}

/// Whether a number starts at byte `i`: a digit not glued to a letter or digit before it.
fn number_starts(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_digit() && !(i > 0 && bytes[i - 1].is_ascii_alphanumeric())
}

/// The number starting at byte `start` of `text` read with its unit: `Ok` with the end
/// of the figure, or `Err` with the end of a number that has no unit.
fn figure_at(text: &str, start: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len()
        && (bytes[i].is_ascii_digit()
            || (matches!(bytes[i], b'.' | b',')
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
    {
        i += 1;
    }
    let mut at = i;
    if bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    if let Some(unit) = UnitTable::get().unit(&text[at..]) {
        let end = at + unit.len();
        // `3 m` is a figure, `3 members` is not.
        let ascii_unit = unit.as_bytes()[0].is_ascii_alphabetic();
        if !(ascii_unit && bytes.get(end).is_some_and(u8::is_ascii_alphabetic)) {
            return Ok(end);
        }
    }
    Err(i)
}

/// A hasher for keys that already are hashes: mixing them again is wasted work.
#[derive(Default)]
pub struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    /// Half a hash (the merge module's grams): spread over all 64 bits, since the
    /// table takes its buckets from the low bits and its tags from the top ones.
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Smoothed inverse document frequency of a term found in `df` of `docs` articles:
/// the one formula of every rarity weight (the selection's terms, the merge's grams).
pub fn idf(docs: usize, df: u32) -> f64 {
    ((1.0 + docs as f64) / (1.0 + f64::from(df))).ln() + 1.0
}

/// How rare each term is across the whole dump: a word every article uses says little
/// about any one of them.
#[derive(Debug, Default)]
pub struct Idf {
    /// The weight of every term of the dump, computed once when the dump is counted:
    /// the selection asks for it in every article the term recurs in, and a logarithm
    /// per ask cost more than the lookup.
    weights: HashMap<u64, f64, BuildHasherDefault<PreHashed>>,
    docs: u32,
}

impl Idf {
    /// Document frequencies over `docs`, one text per article.
    pub fn from_texts<'a>(docs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut df: HashMap<u64, u32, BuildHasherDefault<PreHashed>> = HashMap::default();
        let mut n = 0;
        let mut seen: Vec<u64> = Vec::new();
        for doc in docs {
            n += 1;
            seen.clear();
            term_hashes(doc, |h| seen.push(h));
            seen.sort_unstable();
            seen.dedup();
            for &term in &seen {
                *df.entry(term).or_default() += 1;
            }
        }
        let weights = df
            .into_iter()
            .map(|(term, df)| (term, idf(n as usize, df)))
            .collect();
        Idf { weights, docs: n }
    }

    /// Smoothed inverse document frequency of `term`.
    pub fn weight(&self, term: &str) -> f64 {
        self.weight_of(term_hash(term))
    }

    /// [`Idf::weight`] for a term already hashed with [`term_hash`].
    pub fn weight_of(&self, hash: u64) -> f64 {
        match self.weights.get(&hash) {
            Some(&w) => w,
            None => idf(self.docs as usize, 0),
        }
    }

    /// Articles counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass [`SuffixTable::ending`] reads every word as the plain definition
    /// does: a word that is a suffix is whole, else the longest suffix it ends with
    /// that leaves two characters. Words: every suffix after stems of one to three
    /// syllables and of none, and every pair of suffixes.
    #[test]
    fn ending_agrees_with_the_plain_definition() {
        let table = SuffixTable::get();
        let plain = |w: &str| -> Option<Option<&str>> {
            if SUFFIXES.contains(&w) {
                return None;
            }
            Some(SUFFIXES.iter().copied().find(|s| {
                w.strip_suffix(s)
                    .is_some_and(|rest| rest.chars().count() >= 2)
            }))
        };
        let mut words: Vec<String> = Vec::new();
        for s in SUFFIXES {
            for stem in ["", "값", "정부", "기준금리", "AI", "2.5%"] {
                words.push(format!("{stem}{s}"));
            }
            for t in SUFFIXES {
                words.push(format!("{s}{t}"));
            }
        }
        for w in &words {
            let got = match table.ending(w) {
                Ending::Whole => None,
                Ending::Bare => Some(None),
                Ending::Strip(s) => Some(Some(s.text)),
            };
            assert_eq!(got, plain(w), "{w}");
        }
    }

    #[test]
    fn strips_particles_and_endings() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "subject and object particles",
                "정부가 예산을 늘렸다",
                &["정부", "예산", "늘렸다"],
            ),
            (
                "stacked particles",
                "시장에게는 광양시에서도",
                &["시장", "광양시"],
            ),
            (
                "verb endings",
                "사업을 추진했다. 교육을 실시한다",
                &["사업", "추진", "교육", "실시"],
            ),
            (
                "endings on their own dropped",
                "현실이 된다 '규제'라는 말",
                &["현실", "규제"],
            ),
            (
                "stopwords and numbers dropped",
                "이번 2018년 행사를 통해",
                &["행사"],
            ),
            (
                "으로 after one syllable is a particle, not a stem 것으",
                "것으로 예상 서울시로",
                &["예상", "서울시"],
            ),
            (
                "one-syllable stems kept whole",
                "아이가 차를",
                &["아이", "차를"],
            ),
        ];
        for (name, text, want) in cases {
            let got: Vec<&str> = terms(text);
            assert_eq!(&got, want, "{name}");
        }
    }

    #[test]
    fn figures_are_numbers_with_units_counted_per_token() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "percent and money",
                "물가가 5.4% 올라 1,200억원이 들었다",
                &["5.4%", "1,200억원"],
            ),
            ("percentage points", "금리는 0.25%p 내렸다", &["0.25%p"]),
            (
                "spaced korean number",
                "숲 넓이는 3만 412ha다",
                &["3만", "412ha"],
            ),
            (
                "dates count",
                "다음 달 3일부터 11월 9일까지",
                &["3일", "11월", "9일"],
            ),
            ("phone numbers do not", "예약은 452-6817로", &[]),
            ("ascii unit needs a word end", "3 members and 5 m", &["5 m"]),
        ];
        for (name, text, want) in cases {
            let got: Vec<&str> = figures(text).collect();
            assert_eq!(&got, want, "{name}");
        }
    }

    /// What `scan` must agree with: words split on `char::is_alphanumeric`, quoted
    /// characters counted one by one.
    fn naive_scan(text: &str) -> (Vec<&str>, usize, usize) {
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let (mut inside, mut quoted, mut chars) = (false, 0, 0);
        for c in text.chars() {
            chars += 1;
            match c {
                '"' => inside = !inside,
                '“' => inside = true,
                '”' => inside = false,
                _ => quoted += usize::from(inside),
            }
        }
        (words, quoted, chars)
    }

    #[test]
    fn scan_reads_words_quotes_and_figures_in_one_pass() {
        let cases: &[(&str, &str, usize, usize)] = &[
            // name, line, quoted characters, figures
            ("plain", "시는 22일 예산 1,200억원을 확정했다.", 0, 2),
            ("closed quote", "그는 “예산이 부족하다”고 말했다.", 8, 0),
            (
                "unclosed quote runs to the end",
                "그는 “예산이 부족하다",
                8,
                0,
            ),
            ("ascii quotes", "그는 \"좋다\"고 했다", 2, 0),
            ("number inside a number", "지원금은 1.5배, 3만 명이다", 0, 2),
            ("phone number is no figure", "예약 031-452-6817", 0, 0),
        ];
        for (name, line, quoted, figures_n) in cases {
            let mut words = Vec::new();
            let shape = scan(line, |w| words.push(w));
            let (want_words, want_quoted, chars) = naive_scan(line);
            assert_eq!(words, want_words, "{name}");
            assert_eq!(shape.chars, chars, "{name}");
            assert_eq!(shape.quoted, *quoted, "{name}");
            assert_eq!(shape.quoted, want_quoted, "{name}");
            assert_eq!(shape.figures, *figures_n, "{name}");
            assert_eq!(shape.figures, figures(line).count(), "{name}");
        }
        let signs = scan("ⓒ 광양신문 | 기자 @ 메일", |_| ());
        assert!(signs.copyright_sign && signs.at && signs.pipes == 1);
    }

    proptest::proptest! {
        #[test]
        fn scan_agrees_with_the_naive_reading(
            text in "[가나힣깋퇴A-Za-z0-9 .,%“”\"‘’·ⓒ@|:-]{0,60}"
        ) {
            let mut words = Vec::new();
            let shape = scan(&text, |w| words.push(w));
            let (want_words, quoted, chars) = naive_scan(&text);
            proptest::prop_assert_eq!(words, want_words);
            proptest::prop_assert_eq!(shape.quoted, quoted);
            proptest::prop_assert_eq!(shape.chars, chars);
            proptest::prop_assert_eq!(shape.figures, figures(&text).count());
        }
    }

    #[test]
    fn rare_terms_weigh_more() {
        let docs = ["광양시 예산 발표", "광양시 축제 개최", "광양시 도서관 개관"];
        let idf = Idf::from_texts(docs);
        assert!(idf.weight("도서관") > idf.weight("광양시"));
        assert!(idf.weight("처음보는말") > idf.weight("도서관"));
        assert_eq!(idf.docs(), 3);
    }
}
