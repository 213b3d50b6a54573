//! Fuzz target for `briefing::split`: on any valid UTF-8, no panic, and the pieces are
//! trimmed, ordered, non-empty slices that together hold every non-whitespace char.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut last = 0;
    let mut kept = String::new();
    briefing::split::for_each_range(text, |r| {
        assert!(r.start >= last);
        assert!(text[last..r.start].trim().is_empty());
        let piece = &text[r.clone()];
        assert!(!piece.is_empty() && piece.trim() == piece);
        kept.push_str(piece);
        last = r.end;
    });
    assert!(text[last..].trim().is_empty());
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(squeeze(&kept), squeeze(text));
    assert_eq!(briefing::split::split(text).concat(), kept);
});
