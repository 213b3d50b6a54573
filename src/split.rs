//! Korean sentence splitting.
//!
//! A first cut: a boundary after `.`, `!`, `?` or `…` (and any closing quotes) when
//! whitespace follows, outside quotes and brackets. Pieces are trimmed substrings of
//! the input, so joining them gives the text back, whitespace aside.

/// The sentences of `text`, in order, each a trimmed slice of `text`.
pub fn split(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth: i32 = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '“' | '‘' | '(' | '「' | '『' => depth += 1,
            '”' | '’' | ')' | '」' | '』' => depth = (depth - 1).max(0),
            '.' | '!' | '?' | '…' if depth == 0 => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, n)) = chars.peek() {
                    if matches!(n, '.' | '!' | '?' | '"' | '\'' | '”' | '’') {
                        end = j + n.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                if chars.peek().is_none_or(|&(_, n)| n.is_whitespace()) {
                    push_trimmed(&mut out, &text[start..end]);
                    start = end;
                }
            }
            _ => {}
        }
    }
    push_trimmed(&mut out, &text[start..]);
    out
}

fn push_trimmed<'a>(out: &mut Vec<&'a str>, piece: &'a str) {
    let piece = piece.trim();
    if !piece.is_empty() {
        out.push(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_korean_endings_but_not_inside_quotes_or_numbers() {
        let text = "물가가 5.4% 올랐다. 그는 “안정되고 있다. 다만 …”이라고 말했다. 정말인가?";
        assert_eq!(
            split(text),
            vec![
                "물가가 5.4% 올랐다.",
                "그는 “안정되고 있다. 다만 …”이라고 말했다.",
                "정말인가?"
            ]
        );
    }
}
