//! What a byte or a char is to the scanner: the byte classes of its fast skip, UTF-8
//! decoding at a stop, Hangul syllables read backwards, and the classes of
//! punctuation, laughter, bullets and brackets. Pure functions of their input, so the
//! scanner and the rules tables share them.

/// Byte classes for the fast skip: 0 is "nothing to do here".
pub(super) const PLAIN: u8 = 0;
pub(super) const SPACE: u8 = 1;
pub(super) const NEWLINE: u8 = 2;
const ASCII_PUNCT: u8 = 3;
pub(super) const MULTI: u8 = 4;

pub(super) static CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[0x0B] = SPACE;
    t[0x0C] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'\n' as usize] = NEWLINE;
    let punct = b".!?~\"'()[]{}<>^;";
    let mut i = 0;
    while i < punct.len() {
        t[punct[i] as usize] = ASCII_PUNCT;
        i += 1;
    }
    // Lead bytes of: U+0080..U+00BF (NBSP), U+2000..U+2FFF (general punctuation,
    // arrows, shapes, dingbats), U+3000..U+3FFF (CJK punctuation, compatibility jamo),
    // U+F000..U+FFFF (fullwidth forms) and U+10000.. (emoji).
    t[0xC2] = MULTI;
    t[0xE2] = MULTI;
    t[0xE3] = MULTI;
    t[0xEF] = MULTI;
    t[0xF0] = MULTI;
    t
};

/// Decodes the char starting at `i` (valid UTF-8 is guaranteed by `&str`).
#[inline]
pub(super) fn decode(b: &[u8], i: usize) -> (char, usize) {
    let x = b[i] as u32;
    let (c, n) = if x < 0x80 {
        (x, 1)
    } else if x < 0xE0 {
        (((x & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
    } else if x < 0xF0 {
        (
            ((x & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F),
            3,
        )
    } else {
        (
            ((x & 0x07) << 18)
                | ((b[i + 1] as u32 & 0x3F) << 12)
                | ((b[i + 2] as u32 & 0x3F) << 6)
                | (b[i + 3] as u32 & 0x3F),
            4,
        )
    };
    (char::from_u32(c).unwrap_or('\u{FFFD}'), n)
}

/// The Hangul syllable that ends just before `p`, if any.
#[inline]
pub(super) fn syllable_before(b: &[u8], p: usize) -> Option<char> {
    if p < 3 {
        return None;
    }
    let x = b[p - 3];
    if !(0xEA..=0xED).contains(&x) {
        return None;
    }
    let c = ((x as u32 & 0x0F) << 12) | ((b[p - 2] as u32 & 0x3F) << 6) | (b[p - 1] as u32 & 0x3F);
    if (0xAC00..=0xD7A3).contains(&c) {
        char::from_u32(c)
    } else {
        None
    }
}

#[inline]
pub(super) fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The start of the Hangul word that ends at `p`, if it has at most `max` syllables.
pub(super) fn hangul_start(b: &[u8], mut p: usize, max: usize) -> Option<usize> {
    for _ in 0..=max {
        if syllable_before(b, p).is_none() {
            return Some(p);
        }
        p -= 3;
    }
    None
}

/// The final consonant index of a syllable: 0 none, 4 ㄴ, 8 ㄹ, 17 ㅂ, 20 ㅆ.
#[inline]
pub(super) fn jong(c: char) -> u32 {
    (c as u32 - 0xAC00) % 28
}

pub(super) const J_NONE: u32 = 0;
pub(super) const J_NH: u32 = 6;
pub(super) const J_N: u32 = 4;
pub(super) const J_LH: u32 = 15;
pub(super) const J_BS: u32 = 18;
pub(super) const J_S: u32 = 19;
pub(super) const J_T: u32 = 25;
pub(super) const J_H: u32 = 27;
pub(super) const J_L: u32 = 8;
pub(super) const J_B: u32 = 17;
pub(super) const J_SS: u32 = 20;

/// The vowel index of a syllable: 0 ㅏ, 1 ㅐ, 4 ㅓ, 5 ㅔ, 6 ㅕ, 9 ㅘ, 14 ㅝ, 20 ㅣ.
#[inline]
pub(super) fn jung(c: char) -> u32 {
    (c as u32 - 0xAC00) / 28 % 21
}

#[inline]
pub(super) fn is_space_char(c: char) -> bool {
    c.is_whitespace()
}

/// The kind of a run of terminal punctuation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Term {
    Period,
    Excl,
    Ellipsis,
    Tilde,
}

/// Chars that close a sentence: a run of them is one terminator.
#[inline]
pub(super) fn terminal_kind(c: char) -> Option<Term> {
    match c {
        '.' | '．' | '。' => Some(Term::Period),
        '!' | '?' | '！' | '？' | '‼' | '⁉' | '⁈' => Some(Term::Excl),
        '…' | '‥' | '⋯' => Some(Term::Ellipsis),
        '~' | '～' | '∼' => Some(Term::Tilde),
        _ => None,
    }
}

/// Laughter, crying and emoticons: `ㅋㅋ`, `ㅠㅠ`, `^^`, emoji. They end a sentence as
/// a period does in chat-style text.
#[inline]
pub(super) fn is_laugh_jamo(c: char) -> bool {
    matches!(
        c,
        'ㅋ' | 'ㅎ' | 'ㅠ' | 'ㅜ' | 'ㅡ' | 'ㅇ' | 'ㅊ' | 'ㄷ' | 'ㅉ' | 'ㅍ' | 'ㄱ' | 'ㅅ'
    )
}

#[inline]
pub(super) fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF)
        && !is_bullet(c)
        || matches!(c, '\u{FE0F}' | '\u{200D}')
}

/// Shapes that start list items and round-up headings in news.
#[inline]
pub(super) fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '◆' | '◇'
            | '■'
            | '□'
            | '▲'
            | '△'
            | '▶'
            | '▷'
            | '●'
            | '○'
            | '◎'
            | '▣'
            | '▼'
            | '▽'
            | '※'
            | '•'
            | '★'
            | '☆'
    )
}

/// Heading bullets: a round-up story starts with one of these and a headline.
#[inline]
pub(super) fn is_heading_bullet(c: char) -> bool {
    matches!(c, '◆' | '◇' | '■' | '□' | '▶' | '●')
}

/// The closer for an opening quote or bracket.
#[inline]
pub(super) fn closer_of(c: char) -> Option<char> {
    Some(match c {
        '"' => '"',
        '\'' => '\'',
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        '“' => '”',
        '‘' => '’',
        '「' => '」',
        '『' => '』',
        '《' => '》',
        '〈' => '〉',
        '【' => '】',
        '〔' => '〕',
        '（' => '）',
        '［' => '］',
        '＜' => '＞',
        '«' => '»',
        _ => return None,
    })
}

#[inline]
pub(super) fn is_closer(c: char) -> bool {
    matches!(
        c,
        ')' | ']'
            | '}'
            | '>'
            | '”'
            | '’'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '）'
            | '］'
            | '＞'
            | '»'
    )
}

/// Quotes (as opposed to brackets): what they close keeps the ending of its content.
#[inline]
pub(super) fn is_quote_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '」' | '』' | '»')
}

pub(super) fn contains(h: &[u8], n: &str) -> bool {
    find(h, n.as_bytes()).is_some()
}

/// First occurrence of `pat` in `h`.
#[inline]
pub(super) fn find(h: &[u8], pat: &[u8]) -> Option<usize> {
    let first = pat[0];
    let mut k = 0;
    while k + pat.len() <= h.len() {
        let p = h[k..].iter().position(|&x| x == first)?;
        k += p;
        if k + pat.len() <= h.len() && &h[k..k + pat.len()] == pat {
            return Some(k);
        }
        k += 1;
    }
    None
}
