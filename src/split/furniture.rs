//! News furniture at the start of a sentence: a round-up heading (`◆한빛전자, 신형
//! 배터리 공개…`) or a byline (`(서울=연합뉴스) 홍길동 기자 =`). Neither ends in
//! punctuation or a final ending, so each is found by its own shape and cut off as a
//! piece of its own.

use super::chars::{closer_of, contains, decode, find, is_heading_bullet};

/// News furniture at the start of a sentence: a round-up heading, a byline or a
/// photo credit. Returns where it ends (the cut after it).
pub(super) fn furniture_end(b: &[u8], i: usize) -> Option<usize> {
    let (c, len) = decode(b, i);
    if is_heading_bullet(c) {
        return heading_end(b, i + len);
    }
    if matches!(c, '(' | '[' | '【' | '〔' | '<' | '［' | '（') {
        return byline_end(b, i, c);
    }
    None
}

/// The end of a round-up heading that starts at `from` (after its bullet).
///
/// A heading has no final punctuation, so its end is found from the story it opens:
/// the story's first sentence names the heading's first entity again as its subject
/// (`◆롯데바이오로직스, … 협력 롯데바이오로직스는 …`). The heading is one to a few
/// dozen words, so the search is bounded; without the repeat nothing is cut.
fn heading_end(b: &[u8], from: usize) -> Option<usize> {
    let mut s = from;
    while s < b.len() && b[s] == b' ' {
        s += 1;
    }
    // The entity: up to a space, comma, middle dot, quote or bracket.
    let mut e = s;
    while e < b.len() {
        let (c, n) = decode(b, e);
        if c.is_whitespace()
            || matches!(
                c,
                ',' | '·' | '‧' | '\'' | '"' | '‘' | '“' | '(' | '[' | '…' | ':'
            )
        {
            break;
        }
        e += n;
    }
    let entity = &b[s..e];
    if std::str::from_utf8(entity).map_or(0, |t| t.chars().count()) < 2 {
        return None;
    }
    let limit = (e + 400).min(b.len());
    let mut k = e;
    while k < limit {
        let x = b[k];
        if x == b'.' || x == b'!' || x == b'?' {
            // The heading would have ended with that: not a heading.
            if b.get(k + 1).is_none_or(|&y| y == b' ') {
                return None;
            }
        }
        if x == b'\n' {
            return None;
        }
        if x == b' ' && b[k + 1..].starts_with(entity) {
            let at = k + 1;
            // The repeat must carry something (a particle) or be the whole word.
            return Some(at);
        }
        k += 1;
    }
    None
}

/// A byline or credit at the start of a sentence: `(서울=연합뉴스) 홍길동 기자 =`,
/// `[사진=연합뉴스]`. Returns the end of the furniture.
fn byline_end(b: &[u8], i: usize, open: char) -> Option<usize> {
    let closer = closer_of(open)?;
    let mut buf = [0u8; 4];
    let pat = closer.encode_utf8(&mut buf).as_bytes();
    let limit = (i + 90).min(b.len());
    let close = find(&b[i..limit], pat)? + i;
    if !b[i..close].contains(&b'=') {
        return None;
    }
    let after = close + pat.len();
    // Up to a few words of reporter names ending in `=`.
    let lim2 = (after + 80).min(b.len());
    let mut k = after;
    while k < lim2 {
        if b[k] == b'=' && b.get(k + 1).is_none_or(|&x| x == b' ') {
            let head = &b[after..k];
            if contains(head, "기자") || contains(head, "특파원") || contains(head, "통신원")
            {
                return Some(k + 1);
            }
        }
        if b[k] == b'.' || b[k] == b'\n' {
            break;
        }
        k += 1;
    }
    Some(after)
}
